"""Languages of the interface: Finnish first, Swedish and English.

Catalogs are the ``.po`` files under ``src/kohtaanto/translations/<lang>/LC_MESSAGES/``
(loaded by ``kohtaanto.i18n``, so e-mails rendered outside ``web`` use them too):
``messages.po`` (extracted with pybabel) and any other ``*.po`` beside it, merged
in name order (a later file wins for the same msgid), so new strings can be
added in a catalog of their own without touching the big one. They are compiled
into ``.mo`` files once, at install (``scripts/catalogs``, run by ``scripts/setup``
and the Dockerfile); a missing or stale ``.mo`` is compiled in memory, with a warning.
Templates use English msgids; ``{% trans %}`` and ``_()`` look the translation
up in the ``translations`` variable of the render context, so concurrent
requests in different languages never share state.

Update the catalogs after changing strings (from the project root), translate the
new entries of ``messages.po`` (fi, sv), and compile::

    scripts/catalogs update
    scripts/catalogs
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from kohtaanto.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, translations

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "N_", "language_of", "translations"]
LANGUAGE_COOKIE = "lang"
# Each language named in itself, for the switch.
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}


def language_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The language the visitor chose (cookie), Finnish when none."""
    lang = connection.cookies.get(LANGUAGE_COOKIE, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE
