"""What every layer needs of the languages: the list, the default, the extraction marker
and the catalogs.

The domain marks its user-facing texts with ``N_`` (English msgids, translated where
shown; ``NP_`` for a plural); the pages (``kohtaanto.web.i18n``) and the e-mails both
read the catalogs under ``translations/<lang>/LC_MESSAGES/`` through
``translations()``, so ``domain`` never imports ``web``. ``messages.po`` (extracted
and updated with pybabel: ``scripts/catalogs update``) and any other ``*.po`` beside
it are merged in name order (a later file wins for the same msgid).

The catalogs are compiled once, at install or image build (``scripts/catalogs``,
run by ``scripts/setup`` and the Dockerfile), into ``.mo`` files beside the ``.po``
(not in git). A ``.po`` without its ``.mo``, or newer than it (a catalog edited
since), is compiled in memory instead, with a warning in the log.
"""

from __future__ import annotations

import functools
import io
import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"

_DIR = Path(__file__).parent / "translations"

log = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural message (singular and plural msgids) for extraction; it is
    translated with ``ngettext`` where it is shown."""
    return singular, plural


def _compiled(po: Path, lang: str) -> Translations:
    """The catalog of ``po`` from its compiled ``.mo``, or compiled now if that is
    missing or stale."""
    mo = po.with_suffix(".mo")
    try:
        if mo.stat().st_mtime >= po.stat().st_mtime:
            with mo.open("rb") as f:
                return Translations(f)
        why = "older than its .po"
    except FileNotFoundError:
        why = "missing"
    log.warning(
        "catalog %s is %s: compiled in memory (run scripts/catalogs)",
        mo.relative_to(_DIR),
        why,
    )
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@functools.cache
def translations(lang: str) -> Translations:
    """The catalogs of ``lang`` merged (English msgids need none, but load them anyway)."""
    folder = _DIR / lang / "LC_MESSAGES"
    main = folder / "messages.po"
    paths = [main, *sorted(set(folder.glob("*.po")) - {main})]
    merged: Translations | None = None
    for path in paths:
        if not path.exists():
            continue
        part = _compiled(path, lang)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    if merged is None:
        raise FileNotFoundError(f"no catalog for language {lang!r} in {folder}")
    return merged
