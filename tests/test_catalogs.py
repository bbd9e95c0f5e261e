"""Every string of the interface is translated: Finnish first, then Swedish.

The msgids are extracted from the code and templates the way ``pybabel extract``
does (``babel.cfg``); each must have a Finnish and a Swedish translation in the
merged catalogs (``messages.po`` and any other ``*.po`` beside it).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from kohtaanto import i18n
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
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "NP_": (1, 2)},
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


def _po(path: Path, **messages: str) -> None:
    entries = "".join(f'\nmsgid "{k}"\nmsgstr "{v}"\n' for k, v in messages.items())
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n' + entries,
        encoding="utf-8",
    )


def test_compiled_catalogs_are_loaded_and_a_missing_or_stale_one_compiled_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The .mo files scripts/catalogs makes are what the app loads; without one (or with
    one older than its .po) the .po is compiled in memory and the log says so; every
    *.po beside messages.po is merged in."""
    folder = tmp_path / "fi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    main, extra = folder / "messages.po", folder / "events.po"
    _po(main, Hello="Moi")
    _po(extra, Bye="Hei hei")
    monkeypatch.setattr(i18n, "_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="kohtaanto.i18n"):
            catalog = i18n.translations("fi")
        assert (catalog.gettext("Hello"), catalog.gettext("Bye")) == ("Moi", "Hei hei")
        assert caplog.text.count("missing") == 2

        pybabel = str(Path(sys.executable).parent / "pybabel")
        for po in (main, extra):
            subprocess.run(
                [pybabel, "-q", "compile", "-i", str(po), "-o", str(po.with_suffix(".mo"))],
                check=True,
            )
        # The .po changes but is older than its .mo: the compiled catalog is used.
        _po(main, Hello="Terve")
        os.utime(main, (0, 0))
        caplog.clear()
        i18n.translations.cache_clear()
        with caplog.at_level(logging.WARNING, logger="kohtaanto.i18n"):
            catalog = i18n.translations("fi")
        assert (catalog.gettext("Hello"), catalog.gettext("Bye")) == ("Moi", "Hei hei")
        assert caplog.text == ""

        # Edited after compiling: compiled again in memory, with a warning.
        os.utime(main, None)
        os.utime(main.with_suffix(".mo"), (0, 0))
        i18n.translations.cache_clear()
        with caplog.at_level(logging.WARNING, logger="kohtaanto.i18n"):
            assert i18n.translations("fi").gettext("Hello") == "Terve"
        assert "older than its .po" in caplog.text
    finally:
        i18n.translations.cache_clear()
