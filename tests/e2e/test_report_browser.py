"""The report page as a person opens it: Debian's chromium, headless, offline, driven by Playwright.

Skips without chromium or playwright; with ``SXGEO_REQUIRE_BROWSER=1`` (set by ``.ci/run``)
that skip becomes a failure, as in ``tests/e2e/test_browser.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

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


def test_dashboard_numbers_as_shown_are_the_capability_tables(browser, tiny_build):
    """The dashboard read from the page (its text, as a planner sees it) against the same build's tables."""
    out = tiny_build.out
    page = browser.new_page()
    page.goto((out / "report" / "index.html").as_uri())
    page.wait_for_load_state("load")
    shown = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#dashboard tr[data-unit]')].map(tr => [
            tr.dataset.unit, Object.fromEntries([...tr.querySelectorAll('td[data-field]')].map(
                td => [td.dataset.field, td.querySelector('.v').textContent]))]))"""
    )
    shots = os.environ.get("SXGEO_SCREENSHOTS")  # a folder: the guide's pictures (docs/img) are made so
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.locator("#dashboard").screenshot(path=str(Path(shots) / "dashboard.png"))
        page.set_viewport_size({"width": 1100, "height": 800})
        for name in ("sponge", "carbon", "pv", "pilots_villages"):
            page.goto(next(out.glob(f"*{name}.html")).as_uri())
            page.wait_for_function("window.sxgeo && window.sxgeo.ready === true")
            page.screenshot(path=str(Path(shots) / f"map_{name}.png"))
    page.close()
    sponge = pd.read_csv(next(out.glob("*sponge_coverage.csv")), dtype={"unit_code": str}).set_index(
        "unit_code"
    )
    pv = pd.read_csv(next(out.glob("*pv_counties.csv")), dtype={"unit_code": str}).set_index("unit_code")
    for code, row in sponge.iterrows():
        if code == "unassigned":
            continue
        text = shown[code]["sponge_gap_km2"]
        if row["gap_km2"] > 0:
            assert text == f"差 {row['gap_km2']:.2f} km²", code
        else:
            assert text.startswith("0"), code
        assert shown[code]["sponge_pct"].startswith(f"{row['coverage_pct']:.1f}%"), code
        assert float(shown[code]["pv_mwp"].replace(",", "")) == pytest.approx(
            pv.loc[code, "capacity_mwp"], abs=0.05
        )
    assert any(row["gap_km2"] > 0 for _, row in sponge.iterrows())  # a county behind is among them
    for level, target in (("villages", 100), ("towns", 10), ("counties", 3)):
        table = pd.read_csv(next(out.glob(f"*pilots_{level}.csv")))
        chosen = int((table["selected"].astype(str).str.lower() == "true").sum())
        assert shown["330600"][f"pilot_{level}"] == f"{chosen} / {target}"


def test_chart_labels_never_overlap(browser, counties, tmp_path):
    """Every text of every chart, measured by chromium (getBBox), overlaps no other text of its chart.

    The city's sponge value 49.8 lies under the target 50 in the trend chart, and the stock volume's
    baseline 2,260 and target 2,680 are close on the bar chart: the labels that used to collide.
    """
    values = [49.8, 50.5, 56.2, 53.0, 38.1, 52.1, 51.1, 35.5]
    rows = [("sponge_coverage", u, 2025, v) for u, v in zip(UNITS, values, strict=True)]
    rows += [("sponge_coverage", "330600", 2023, 41.0), ("forest_stock_volume", "330600", 2025, 2400.0)]
    history = pd.DataFrame(
        [{"indicator": a, "unit_code": b, "year": c, "value": d, "origin": "entered"} for a, b, c, d in rows]
    ).reindex(columns=list(HISTORY_COLUMNS), fill_value="")
    write_report(make_report(load_plan(), history, counties, year=2025), tmp_path, pdf=False)
    page = browser.new_page()
    page.goto((tmp_path / "index.html").as_uri())
    page.wait_for_load_state("load")
    overlaps = page.evaluate(
        """() => {
          const out = [];
          document.querySelectorAll('svg.chart').forEach((svg, k) => {
            const boxes = [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBBox()]);
            for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
              const [ta, a] = boxes[i], [tb, b] = boxes[j];
              const ox = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
              const oy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
              if (ox > 0.5 && oy > 0.5) out.push([k, ta, tb]);
            }
          });
          return out;
        }"""
    )
    texts = page.evaluate(
        "() => [...document.querySelectorAll('#ind-sponge_coverage svg text')].map(t => t.textContent)"
    )
    page.close()
    assert overlaps == []
    assert "目标 50.0" in texts  # the target's label is kept (the values give way)


OVERLAPS_JS = """() => {
  const out = [];
  document.querySelectorAll('svg.chart').forEach((svg, k) => {
    const boxes = [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBBox()]);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [ta, a] = boxes[i], [tb, b] = boxes[j];
      const ox = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const oy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (ox > 0.5 && oy > 0.5) out.push([k, ta, tb]);
    }
  });
  return out;
}"""
"""Pairs of texts of one chart whose boxes (measured by chromium) overlap."""


def test_chart_labels_never_overlap_across_two_plans(browser, counties, tmp_path):
    """The 15th plan in 2026: one trend 2020-2026, the 14th's 2025 target (50) and the 15th's 2030 target
    (80) marked, the path dashed, each unit's path mark and its legend: no two texts overlap."""
    values = [49.8, 50.5, 56.2, 53.0, 38.1, 52.1, 51.1, 35.5]
    rows = [("sponge_coverage", u, 2025, v) for u, v in zip(UNITS, values, strict=True)]
    rows += [("sponge_coverage", u, 2026, v + 3) for u, v in zip(UNITS, values, strict=True)]
    rows += [("sponge_coverage", "330600", 2020, 20.0), ("sponge_coverage", "330600", 2023, 41.0)]
    rows += [("co2_intensity", "330600", 2026, 97.0), ("forest_cover", "330600", 2025, 55.2)]
    history = pd.DataFrame(
        [{"indicator": a, "unit_code": b, "year": c, "value": d, "origin": "entered"} for a, b, c, d in rows]
    ).reindex(columns=list(HISTORY_COLUMNS), fill_value="")
    write_report(make_report(load_plan("shaoxing_15th"), history, counties, year=2026), tmp_path, pdf=False)
    page = browser.new_page()
    page.goto((tmp_path / "index.html").as_uri())
    page.wait_for_load_state("load")
    overlaps = page.evaluate(OVERLAPS_JS)
    texts = page.evaluate(
        "() => [...document.querySelectorAll('#ind-sponge_coverage svg.trend text')].map(t => t.textContent)"
    )
    page.close()
    assert overlaps == []
    assert "十四五目标 50.0" in texts and "十五五目标 80.0" in texts
