"""Every string of the interface is translated: Finnish first, then Swedish.

The msgids are extracted from the code and templates the way ``pybabel extract``
does (``babel.cfg``); each must have a Finnish and a Swedish translation in the
merged catalogs (``messages.po`` and any other ``*.po`` beside it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from kohtaanto.web.i18n import translations

ROOT = Path(__file__).resolve().parents[1]


def _msgids() -> set[str | tuple[str, int]]:
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: set[str | tuple[str, int]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None},
    ):
        if isinstance(message, tuple):
            # A plural is kept under (singular, form) in a compiled catalog.
            found.add((message[0], 0))
        elif message:
            found.add(message)
    return found


MSGIDS = sorted(_msgids(), key=str)


def test_there_are_strings_to_translate() -> None:
    assert len(MSGIDS) > 100


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_string_is_translated(lang: str) -> None:
    catalog = translations(lang)
    missing = [m for m in MSGIDS if catalog._catalog.get(m) in (None, "")]  # type: ignore[attr-defined]
    assert not missing, f"{len(missing)} strings without a {lang} translation: {missing[:20]}"
