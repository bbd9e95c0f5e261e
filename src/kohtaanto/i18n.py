"""What every layer needs of the languages: the list, the default, the extraction marker
and the catalogs.

The domain marks its user-facing texts with ``N_`` (English msgids, translated where
shown); the pages (``kohtaanto.web.i18n``) and the e-mails both read the catalogs
under ``translations/<lang>/LC_MESSAGES/`` through ``translations()``, so ``domain``
never imports ``web``. ``messages.po`` (extracted with pybabel) and any other ``*.po``
beside it are merged in name order (a later file wins for the same msgid).
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"

_DIR = Path(__file__).parent / "translations"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@functools.cache
def translations(lang: str) -> Translations:
    """The compiled catalog of ``lang`` (English msgids need none, but load it anyway)."""
    folder = _DIR / lang / "LC_MESSAGES"
    paths = [folder / "messages.po", *sorted(set(folder.glob("*.po")) - {folder / "messages.po"})]
    merged: Translations | None = None
    for path in paths:
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = Translations(buffer)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    assert merged is not None
    return merged
