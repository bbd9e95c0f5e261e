"""What every layer needs of the languages: the list, the default and the extraction marker.

The catalogs and their rendering live in ``kohtaanto.web.i18n``; the domain only
marks its user-facing texts with ``N_`` (English msgids, translated where shown), so
``domain`` never imports ``web``.
"""

from __future__ import annotations

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message
