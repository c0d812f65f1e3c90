"""Issue 21: a county short of its sponge target but on the plan's path is 'on schedule' (基本符合预期),
coloured and labelled so on the sponge map and on the dashboard, as the report judges it.

The hand-made case (the shipped 14th plan: sponge coverage 20 % in 2020 -> 50 % in 2025, 新昌 30 %),
reporting year 2023, so 3 / 5 = 60 % of the time has passed (linear time share, δ = 10 points):

* 越城 330602: 40 % of its 50 %: (40 - 20) / (50 - 20) = 66.7 % of the change, within 10 points of 60 %:
  on schedule, though 10 points short of its target;
* 诸暨 330681: 25 % of its 50 %: 5 / 30 = 16.7 % of the change, more than 10 points behind 60 %: behind;
* 新昌 330624: 35 % of its 30 %: met (before the target year: 提前实现).
"""

from __future__ import annotations

import pandas as pd
import pytest

from sxgeo import admin
from sxgeo.plan import load_plan
from sxgeo.report.dashboard import BEHIND, OK, ON_SCHEDULE, render_dashboard
from sxgeo.report.model import status_table
from sxgeo.sponge.view import COVERAGE_LAYER, STATUS_CLASSES, schedule_categories, sponge_map, status_classes

YEAR = 2023
TABLE = pd.DataFrame(
    {
        "unit_code": ["330602", "330681", "330624"],
        "coverage_pct": [40.0, 25.0, 35.0],
        "target_pct": [50.0, 50.0, 30.0],
        "gap_km2": [1.5, 3.0, 0.0],
        "built_up_km2": [15.0, 12.0, 10.0],
        "compliant_km2": [6.0, 3.0, 3.5],
    }
)


@pytest.fixture(scope="module")
def counties():
    return admin.load_counties()


def test_the_hand_made_counties_are_met_on_schedule_and_behind():
    schedule = schedule_categories(TABLE, YEAR)
    assert schedule == {"330602": "on_track", "330681": "lagging", "330624": "achieved"}  # met early
    assert status_classes(TABLE, schedule).tolist() == ["on_schedule", "behind", "met"]
    assert status_classes(TABLE).tolist() == ["behind", "behind", "met"]  # without the year: no path
    # 2025, the target year: a unit short of its target is behind, whatever its pace
    assert status_classes(TABLE, schedule_categories(TABLE, 2025)).tolist() == ["behind", "behind", "met"]


def test_the_map_judges_as_the_report_does(counties):
    """The report's status table, from the same values as history rows, gives the same categories."""
    history = pd.DataFrame(
        {
            "indicator": "sponge_coverage",
            "unit_code": TABLE["unit_code"],
            "year": YEAR,
            "value": TABLE["coverage_pct"],
            "unit": "%",
            "origin": "computed",
            **dict.fromkeys(("source", "data_date", "inputs_sha256", "sxgeo_version", "recorded"), ""),
        }
    )
    status = status_table(load_plan(), history, counties, YEAR)
    report = status[status["indicator"] == "sponge_coverage"].set_index("unit_code")["status"]
    for code, category in schedule_categories(TABLE, YEAR).items():
        assert report[code] == category, code


def test_the_sponge_map_colours_and_labels_on_schedule(counties):
    m = sponge_map(TABLE, counties, schedule=schedule_categories(TABLE, YEAR))
    layer = next(x for x in m.layers if x["name"] == COVERAGE_LAYER)
    items = {i["label"]: i for i in layer["legend"]["items"]}
    assert {"已达标", "基本符合预期", "未达标"} <= set(items)
    colours = {i["color"] for i in layer["legend"]["items"]}
    assert STATUS_CLASSES["on_schedule"][2] in colours
    assert len({STATUS_CLASSES[k][2] for k in ("met", "on_schedule", "behind")}) == 3  # three colours
    props = {f["properties"]["name_zh"]: f["properties"] for f in layer["data"]["features"]}
    assert props["越城区"]["status_class"] == "on_schedule"
    assert props["越城区"]["status"] == "基本符合预期"  # the popup's label (sxgeo.labels), not a raw code
    assert props["诸暨市"]["status"] == "未达标" and props["新昌县"]["status"] == "已达标"
    english = sponge_map(TABLE, counties, schedule=schedule_categories(TABLE, YEAR), lang="en")
    layer = next(x for x in english.layers if x["name"] == COVERAGE_LAYER)
    assert "on schedule" in {i["label"] for i in layer["legend"]["items"]}


def test_the_dashboard_colours_and_labels_on_schedule():
    schedule = schedule_categories(TABLE, YEAR)
    rows = pd.DataFrame(
        {
            "unit_code": TABLE["unit_code"],
            "unit_name": ["越城区", "诸暨市", "新昌县"],
            "sponge_pct": TABLE["coverage_pct"],
            "sponge_target_pct": TABLE["target_pct"],
            "sponge_gap_km2": TABLE["gap_km2"],
            "sponge_status": [schedule[c] for c in TABLE["unit_code"]],
            **dict.fromkeys(("pv_mwp", "pilot_villages", "pilot_towns", "pilot_counties")),
            **dict.fromkeys(("forest_pct", "forest_vs_city_pct", "wetland_pct", "wetland_vs_city_pct")),
        }
    )
    html = render_dashboard(rows, pd.DataFrame(), pilot_targets={}, city_targets={})
    cells = {
        code: html.split(f'data-unit="{code}"')[1].split("</tr>")[0]
        for code in ("330602", "330681", "330624")
    }
    assert f"border-left:5px solid {ON_SCHEDULE}" in cells["330602"] and "基本符合预期" in cells["330602"]
    assert "差 1.50 km²" in cells["330602"]  # on schedule, and still the gap it has to close
    assert f"border-left:5px solid {BEHIND}" in cells["330681"] and "滞后" in cells["330681"]
    assert f"border-left:5px solid {OK}" in cells["330624"]
    assert "黄 基本符合预期" in html  # the legend names the colour
