"""The report page as a person opens it: Debian's chromium, headless, offline, driven by Playwright.

Skips without chromium or playwright; with ``SXGEO_REQUIRE_BROWSER=1`` (set by ``.ci/run``)
that skip becomes a failure, as in ``tests/e2e/test_browser.py``.
"""

from __future__ import annotations

import os
import re
import warnings
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


def _shown_dashboard(page) -> dict:
    """The dashboard as the page shows it: unit -> field -> the cell's visible text."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#dashboard tr[data-unit]')].map(tr => [
            tr.dataset.unit, Object.fromEntries([...tr.querySelectorAll('td[data-field]')].map(
                td => [td.dataset.field, td.querySelector('.v').textContent]))]))"""
    )


def test_dashboard_numbers_as_shown_are_the_capability_tables(browser, tiny_build):
    """The dashboard read from the page (its text, as a planner sees it) against the same build's tables."""
    out = tiny_build.out
    page = browser.new_page()
    page.goto((out / "report" / "index.html").as_uri())
    page.wait_for_load_state("load")
    shown = _shown_dashboard(page)
    parks_shown = page.locator("#dashboard .parks li").all_inner_texts()
    page.close()
    sponge = pd.read_csv(next(out.glob("*sponge_coverage.csv")), dtype={"unit_code": str}).set_index(
        "unit_code"
    )
    pv = pd.read_csv(next(out.glob("*pv_counties.csv")), dtype={"unit_code": str}).set_index("unit_code")
    assert set(sponge.index) - {"unassigned"} <= set(shown)
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
        table = pd.read_csv(next(out.glob(f"*pilots_{level}.csv")), dtype={"county_adcode": str})
        chosen = table[table["selected"].astype(str).str.lower() == "true"]
        assert shown["330600"][f"pilot_{level}"] == f"{len(chosen)} / {target}"
        for code in sponge.index.drop(["unassigned", "330600", "330600-urban"], errors="ignore"):
            # each county's selected + existing sites, counted from the siting table by hand
            assert shown[code][f"pilot_{level}"] == str(int((chosen["county_adcode"] == code).sum())), code
    # the parks with the most rooftop PV: the first rows of pv_parks by capacity, MWp as in the table
    parks = pd.read_csv(next(out.glob("*pv_parks.csv"))).sort_values("capacity_mwp", ascending=False)
    assert len(parks_shown) == min(5, len(parks))
    for text, (_, park) in zip(parks_shown, parks.head(5).iterrows(), strict=True):
        mwp = re.search(r"([\d,.]+) MWp$", text)
        assert text.startswith(str(park["name"])) and mwp, text
        assert float(mwp.group(1).replace(",", "")) == pytest.approx(park["capacity_mwp"], abs=0.051), text


def test_project_without_subzones_shows_the_sponge_gap_on_the_page(browser, tmp_path):
    """Tier A alone (no drainage sub-zones): the km² gap each county lacks is on the dashboard as shown.

    The gap by hand (shapely, EPSG:4549): the county's built-up area x its own target - the accepted or
    completed project area inside it finished by the end of 2025.
    """
    import geopandas as gpd

    from sxgeo import build
    from sxgeo.plan import unit_target
    from sxgeo.project import load_project

    tiny = Path(__file__).parents[1] / "datasets" / "tiny"
    for name in ("demo_built_up.geojson", "demo_sponge_projects.geojson"):
        (tmp_path / name).write_bytes((tiny / name).read_bytes())
    (tmp_path / "sxgeo.toml").write_text(
        '[project]\nname = "无排水分区 (sponge only, SYNTHETIC)"\nyear = 2025\n\n[sponge]\n'
        'built_up = "demo_built_up.geojson"\ncompliant = "demo_sponge_projects.geojson"\n',
        encoding="utf-8",
    )
    build.run(load_project(tmp_path / "sxgeo.toml"), tmp_path / "out", pdf=False)
    assert not list((tmp_path / "out").glob("*sponge_zones*"))  # no Tier B table: the gap is Tier A's
    page = browser.new_page()
    page.goto((tmp_path / "out" / "report" / "index.html").as_uri())
    page.wait_for_load_state("load")
    shown = _shown_dashboard(page)
    page.close()
    built = gpd.read_file(tmp_path / "demo_built_up.geojson").to_crs(4549)
    projects = gpd.read_file(tmp_path / "demo_sponge_projects.geojson").to_crs(4549)
    done = projects[
        projects["status"].isin(["accepted", "completed"])
        & (pd.to_datetime(projects["completed_on"]) <= "2025-12-31")
    ].geometry.union_all()
    behind = 0
    for code in built["adcode"].astype(str).unique():
        area = built[built["adcode"].astype(str) == code].geometry.union_all()
        target = unit_target("sponge_coverage", code)
        gap_km2 = max(area.area / 1e6 * target / 100 - done.intersection(area).area / 1e6, 0.0)
        text = shown[code]["sponge_gap_km2"]
        if gap_km2 > 0.005:
            behind += 1
            number = re.fullmatch(r"差 ([\d,.]+) km²", text)
            assert number, (code, text)
            assert float(number.group(1).replace(",", "")) == pytest.approx(gap_km2, abs=0.006), code
        else:
            assert text.startswith("0"), (code, text)
    assert behind >= 1


def _distinct_colours(png: Path) -> int:
    from rasterio.errors import NotGeoreferencedWarning
    from rasterio.io import MemoryFile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile(png.read_bytes()) as mem, mem.open() as img:
            rgb = img.read()[:3].reshape(3, -1).T
    return len({tuple(px) for px in rgb[:: max(1, len(rgb) // 20000)]})


def test_screenshots_of_the_dashboard_and_of_every_map_are_in_the_guide(browser, tiny_build, tmp_path):
    """The tests take the guide's pictures: the dashboard and every map of the tiny build.

    ``SXGEO_SCREENSHOTS=docs/img`` writes them where the guide (docs/使用指南.md) links them; without it
    they go to a temporary folder. Each picture shows something (many colours, not a blank page), and
    the guide links a picture of the dashboard and of every map the build makes, and docs/img has it.
    """
    out = tiny_build.out
    shots = Path(os.environ.get("SXGEO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    page.goto((out / "report" / "index.html").as_uri())
    page.wait_for_load_state("load")
    page.locator("#dashboard").screenshot(path=str(shots / "dashboard.png"))
    names = ["dashboard.png"]
    for html in sorted(out.glob("*.html")):
        name = f"map_{html.stem.removeprefix('demo_')}.png"
        page.goto(html.as_uri())
        page.wait_for_function("window.sxgeo && window.sxgeo.ready === true")
        page.screenshot(path=str(shots / name))
        names.append(name)
    page.close()
    assert {"map_sponge.png", "map_pv.png", "map_carbon.png", "map_pilots_villages.png"} <= set(names)
    for name in names:
        assert _distinct_colours(shots / name) > 20, name  # a map or table, not a blank page
    guide = (Path(__file__).parents[2] / "docs" / "使用指南.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(img/([^)]+\.png)\)", guide))
    assert sorted(set(names) - linked) == []
    docs_img = Path(__file__).parents[2] / "docs" / "img"
    assert sorted(n for n in names if not (docs_img / n).exists()) == []


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
