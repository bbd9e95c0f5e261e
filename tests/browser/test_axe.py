"""The accessibility scan itself: axe-core finds what it should, so a clean page means clean."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import axe_scan, format_axe

BROKEN = """<!doctype html><html><head><title>x</title></head><body>
<main><button></button><input type="text"><img src="data:,"></main></body></html>"""

FINE = """<!doctype html><html lang="fi"><head><title>Kohtaanto</title></head><body>
<main><h1>Hei</h1><label for="q">Haku</label><input id="q" type="text">
<button type="submit">Hae</button></main></body></html>"""


async def test_axe_reports_serious_violations(browser: Any) -> None:
    page = await browser.new_page()
    try:
        await page.set_content(BROKEN)
        found = await axe_scan(page)
        ids = {v["id"] for v in found}
        assert {"button-name", "image-alt", "label"} <= ids, format_axe(found)
        assert "button-name" in format_axe(found)

        await page.set_content(FINE)
        assert await axe_scan(page) == []
    finally:
        await page.close()
