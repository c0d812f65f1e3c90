"""The report page as a person opens it: Debian's chromium, headless, offline, driven by Playwright.

Skips without chromium or playwright; with ``SXGEO_REQUIRE_BROWSER=1`` (set by ``.ci/run``)
that skip becomes a failure, as in ``tests/e2e/test_browser.py``.
"""

from __future__ import annotations

import pandas as pd

from sxgeo.admin import COUNTIES
from sxgeo.report import make_report, write_report
from sxgeo.report.history import HISTORY_COLUMNS
from sxgeo.report.registry import load_plan
from sxgeo.report.status import CATEGORIES

UNITS = ["330600", "330600-urban", *[c.adcode for c in COUNTIES]]


def test_report_page_offline_cells_and_colours(browser, counties, tmp_path):
    values = [49.8, 50.5, 56.2, 53.0, 38.1, 52.1, 51.1, 35.5]
    rows = [("sponge_coverage", u, 2025, v) for u, v in zip(UNITS, values, strict=True)]
    rows += [("pv_installed_capacity", "330600", 2022, 1520.0), ("pilot_towns", "330600", 2024, 6.0)]
    history = pd.DataFrame(
        [{"indicator": a, "unit_code": b, "year": c, "value": d, "origin": "entered"} for a, b, c, d in rows]
    ).reindex(columns=list(HISTORY_COLUMNS), fill_value="")
    write_report(make_report(load_plan(), history, counties, year=2025), tmp_path, pdf=False)
    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: requests.append(req.url))
    page.goto((tmp_path / "index.html").as_uri())
    page.wait_for_load_state("load")
    assert errors == []
    assert [u for u in requests if not u.startswith("file:")] == []
    cells = page.evaluate(
        """() => [...document.querySelectorAll('#summary td.cell')].map(td => ({
            ind: td.dataset.indicator, unit: td.dataset.unit, status: td.dataset.status,
            border: getComputedStyle(td).borderLeftColor, label: td.querySelector('.label').textContent}))"""
    )
    shown = [i.id for i in load_plan().indicators if i.show]
    assert {(c["ind"], c["unit"]) for c in cells} == {(i, u) for i in shown for u in UNITS}
    for c in cells:
        zh, _, colour = CATEGORIES[c["status"]]
        rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert c["border"] == f"rgb({rgb[0]}, {rgb[1]}, {rgb[2]})"
        assert c["label"] == zh
    # a county section's value as shown
    value = page.locator('#county-330624 tr[data-indicator="sponge_coverage"] td.value').inner_text()
    assert value == "35.5"
    # the page has rendered its SVG charts with a width
    assert page.locator("#ind-sponge_coverage svg").first.bounding_box()["width"] > 300
    page.close()
