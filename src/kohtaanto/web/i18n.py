"""Languages of the interface: Finnish first, Swedish and English.

Catalogs are the ``.po`` files under ``translations/<lang>/LC_MESSAGES/``:
``messages.po`` (extracted with pybabel) and any other ``*.po`` beside it, merged
in name order (a later file wins for the same msgid), so new strings can be
added in a catalog of their own without touching the big one. They are
compiled in memory the first time a language is used, so a fresh clone needs
no build step.
Templates use English msgids; ``{% trans %}`` and ``_()`` look the translation
up in the ``translations`` variable of the render context, so concurrent
requests in different languages never share state.

Update the catalogs after changing strings (from the project root)::

    .venv/bin/pybabel extract -F babel.cfg -k N_ -o src/kohtaanto/web/translations/messages.pot .
    .venv/bin/pybabel update -i src/kohtaanto/web/translations/messages.pot \\
        -d src/kohtaanto/web/translations --no-fuzzy-matching
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from litestar.connection import ASGIConnection

from kohtaanto.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "N_", "language_of", "translations"]
LANGUAGE_COOKIE = "lang"
# Each language named in itself, for the switch.
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}

_DIR = Path(__file__).parent / "translations"


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


def language_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The language the visitor chose (cookie), Finnish when none."""
    lang = connection.cookies.get(LANGUAGE_COOKIE, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE
