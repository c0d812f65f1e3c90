"""The capabilities' own report sections: zero-carbon parks and CCER afforestation land (issue 24).

The tiny build's report shows the parks section with the figures of ``zero_carbon_parks`` and the
afforestation figure with those of ``carbon_afforestation``; the XLSX carries both sheets. The hooks
are declared on the capabilities and gathered by :func:`sxgeo.capabilities.report_sections`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from types import SimpleNamespace

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from sxgeo.capabilities import BY_NAME, CAPABILITIES, report_sections
from sxgeo.carbon.report import afforestation_table
from sxgeo.parks.report import parks_html, section_table


class _Cells(HTMLParser):
    """Every ``<td data-column>`` inside ``<section id=...>``: (row key, column) -> (data-value, text)."""

    def __init__(self, section: str, key: str) -> None:
        super().__init__()
        self.section, self.key = section, key
        self.inside = False
        self.depth = 0
        self.row: str | None = None
        self.cell: tuple[str, str | None] | None = None
        self.cells: dict[tuple[str, str], tuple[str | None, str]] = {}
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            if a.get("id") == self.section:
                self.inside = True
            elif self.inside:
                self.depth += 1
        if not self.inside:
            return
        if tag == "tr":
            self.row = a.get(self.key)
        if tag == "td" and a.get("data-column") and self.row is not None:
            self.cell, self.text = (a["data-column"], a.get("data-value")), ""

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None and self.row is not None:
            self.cells[(self.row, self.cell[0])] = (self.cell[1], self.text.strip())
            self.cell = None
        if tag == "section" and self.inside:
            if self.depth:
                self.depth -= 1
            else:
                self.inside = False

    def handle_data(self, data):
        if self.cell is not None:
            self.text += data


def _cells(html: str, section: str, key: str) -> dict[tuple[str, str], tuple[str | None, str]]:
    p = _Cells(section, key)
    p.feed(html)
    return p.cells


def test_parks_and_carbon_declare_their_report_hooks():
    hooked = [c.name for c in CAPABILITIES if c.report_section is not None]
    assert hooked == ["carbon", "parks"]
    assert BY_NAME["parks"].report_section == "sxgeo.parks.report:report_section"


def test_report_sections_none_without_their_tables():
    data = SimpleNamespace(links=[], plan=None, units=None, targets=None)
    assert report_sections(data, {}, {}) == []


def test_parks_html_by_hand():
    """Two parks: the shown text is the table's value at the column's decimals; grade and level labelled."""
    parks = pd.DataFrame(
        {
            "park_code": ["P1", "P2"],
            "park_name": ["甲园区", "乙园区"],
            "level": ["national", "provincial"],
            "unit_code": ["330602", "330681"],
            "pv_capacity_mwp": [12.3456, 0.5],
            "pv_general_ci_mwp": [12.3456, 0.0],
            "pv_supply_share_pct": [3.25, float("nan")],
            "core_t_co2_per_tce": [0.1864, 0.3444],
            "core_limit_t_co2_per_tce": [0.2, 0.3],
            "core_grade": ["meets", "above"],
        }
    )
    html = parks_html(section_table(parks), "demo_parks.html")
    cells = _cells(html, "parks-section", "data-park")
    assert cells[("P1", "pv_capacity_mwp")] == ("12.3456", "12.35")
    assert cells[("P2", "pv_supply_share_pct")] == ("", "—")
    assert cells[("P1", "core_t_co2_per_tce")] == ("0.1864", "0.1864")
    assert cells[("P1", "county_name")][1] == "越城区"
    assert cells[("P2", "county_name")][1] == "诸暨市"
    assert cells[("P1", "park_level")][1] == "国家级"
    assert cells[("P2", "core_grade")][1] == "高于限值"
    assert "核心指标评价(待核实)" in html
    assert "单位能耗碳排放(tCO₂/tce)" in html
    assert '<a href="../demo_parks.html">' in html


def test_afforestation_table_by_hand():
    """Eligible 30 ha against a 120 ha gap is 25 %; a unit without a target has no gap and no share."""
    af = pd.DataFrame(
        {
            "unit_code": ["330602", "330681", "330600", "unassigned"],
            "eligible_parcels": [3, 1, 4, 0],
            "eligible_ha": [30.0, 5.0, 35.0, 0.0],
            "excluded_ha": [2.0, 1.0, 3.0, 0.0],
        }
    )
    t = afforestation_table(af, {"330602": 120.0, "330600": 0.0}).set_index("unit_code")
    assert list(t.index) == ["330602", "330681", "330600"]  # the empty unassigned row left out
    assert t.loc["330602", "eligible_of_gap_pct"] == pytest.approx(25.0)
    assert pd.isna(t.loc["330681", "forest_gap_ha"])
    assert pd.isna(t.loc["330681", "eligible_of_gap_pct"])
    assert pd.isna(t.loc["330600", "eligible_of_gap_pct"])  # target met: no gap to share


def test_tiny_build_writes_the_rule_tables_and_maps(tiny_build):
    out = tiny_build.out
    for stem in ("pv_project_types", "pv_project_types_parks", "zero_carbon_parks", "carbon_afforestation"):
        assert list(out.glob(f"*{stem}.csv")), stem
    for name in ("demo_parks.html", "demo_pv.html", "demo_carbon.html"):
        assert (out / name).is_file(), name


def test_report_parks_section_equals_zero_carbon_parks(tiny_build):
    out = tiny_build.out
    html = (out / "report" / "index.html").read_text(encoding="utf-8")
    parks = pd.read_csv(next(out.glob("*zero_carbon_parks.csv")), dtype={"park_code": str, "unit_code": str})
    cells = _cells(html, "parks-section", "data-park")
    assert {k for k, _ in cells} == set(parks["park_code"])
    checked = 0
    for r in parks.to_dict("records"):
        for col in ("pv_capacity_mwp", "pv_general_ci_mwp", "pv_supply_share_pct", "core_t_co2_per_tce"):
            value, text = cells[(r["park_code"], col)]
            assert float(value) == pytest.approx(float(r[col]), abs=1e-9), (r["park_code"], col)
            assert float(text.replace(",", "")) == pytest.approx(float(r[col]), abs=0.006)
            checked += 1
        grade = cells[(r["park_code"], "core_grade")][1]
        assert grade == {"meets": "达到限值", "above": "高于限值", "no_data": "无填报"}[r["core_grade"]]
    assert checked == 4 * len(parks) >= 8
    assert re.search(r'<a href="\.\./demo_parks\.html">', html)
    # the thumbnail: one dot a park, coloured by its grade (green meets, red above, grey no data)
    svg = re.search(r'<svg[^>]*class="map parks-thumbnail".*?</svg>', html, re.S).group(0)
    fills = re.findall(r'<circle [^>]*fill="(#[0-9a-f]{6})"', svg)
    colours = {"meets": "#1a9850", "above": "#d73027", "no_data": "#969696"}
    assert sorted(fills) == sorted(colours[g] for g in parks["core_grade"])
    assert {"lon", "lat"} <= set(parks.columns)


def test_report_afforestation_figure_equals_carbon_afforestation(tiny_build):
    out = tiny_build.out
    html = (out / "report" / "index.html").read_text(encoding="utf-8")
    af = pd.read_csv(next(out.glob("*carbon_afforestation.csv")), dtype={"unit_code": str})
    bars = dict(re.findall(r'data-column="eligible_ha" data-unit="([^"]+)" data-value="([^"]+)"', html))
    for r in af.to_dict("records"):
        if r["unit_code"] == "unassigned" and r["eligible_ha"] + r["excluded_ha"] == 0:
            continue
        assert float(bars[r["unit_code"]]) == pytest.approx(float(r["eligible_ha"]))
    assert 'id="afforestation-section"' in html
    # after the forest-cover gap list, which is the gaps section
    assert html.index('id="gaps"') < html.index('id="afforestation-section"')


def test_report_xlsx_has_the_parks_and_afforestation_sheets(tiny_build):
    book = openpyxl.load_workbook(next((tiny_build.out / "report").glob("*report.xlsx")), read_only=True)
    names = book.sheetnames
    assert any(n.startswith("parks") for n in names), names
    assert any(n.startswith("afforestation") for n in names), names
    parks = pd.read_csv(next(tiny_build.out.glob("*zero_carbon_parks.csv")))
    sheet = book[next(n for n in names if n.startswith("parks"))]
    assert sheet.max_row - 1 >= len(parks)


def test_section_table_keeps_a_park_outside_every_county():
    parks = gpd.GeoDataFrame(
        {"park_code": ["X"], "park_name": ["区外园区"], "unit_code": [""], "pv_capacity_mwp": [1.0]},
        geometry=[box(0, 0, 1, 1)],
    )
    t = section_table(pd.DataFrame(parks.drop(columns="geometry")))
    assert len(t) == 1 and t.loc[0, "county_name"] == ""
