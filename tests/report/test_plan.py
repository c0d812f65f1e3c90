"""sxgeo.plan: one rule for which unit has which target, the same in the tables, the maps and the report.

The plan (sxgeo/data/plans/shaoxing_14th.yaml, from plan Table 1 and sections 3.2/3.7) gives forest
cover (55.16 %) and wetland protection (60.6 %) for the city only, and sponge coverage per county or
target group: 50 % for 绍兴市区 (越城 330602, 柯桥 330603, 上虞 330604), 诸暨 330681 and 嵊州 330683,
30 % for 新昌 330624. A county is judged only against a figure the plan or the planner gives it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sxgeo import build, plan
from sxgeo.admin import CITY_CODE, COUNTIES
from sxgeo.carbon.view import carbon_map
from sxgeo.project import load_project
from sxgeo.report import history as hist
from sxgeo.report import make_report
from sxgeo.unit_table import attach_targets

OVERRIDE = (
    "indicator,unit_code,year,value,unit,kind\n"
    "forest_cover,330681,2025,65,%,expected\n"
    "forest_cover,330600,2025,58,%,expected\n"
    "wetland_protection_rate,330624,2025,40,%,expected\n"
)


def _override(tmp_path) -> plan.Targets:
    csv = tmp_path / "targets.csv"
    csv.write_text(OVERRIDE, encoding="utf-8")
    return plan.load_plan_targets(csv)


def test_one_rule_county_group_city():
    t = plan.load_plan_targets()
    # the city has the city's figure
    assert plan.unit_target("forest_cover", CITY_CODE, targets=t) == 55.16
    assert plan.unit_target("wetland_protection_rate", CITY_CODE, targets=t) == 60.6
    # a county under a city-only target has none (no falling back to the city)
    for county in COUNTIES:
        assert plan.unit_target("forest_cover", county.adcode, targets=t) is None
        assert plan.unit_target("wetland_protection_rate", county.adcode, targets=t) is None
    # the plan's group and own targets stay: 越城 -> 绍兴市区 50, 新昌 its own 30, 诸暨 its own 50
    assert plan.unit_target("sponge_coverage", "330602", targets=t) == 50
    assert plan.unit_target("sponge_coverage", "330624", targets=t) == 30
    assert plan.unit_target("sponge_coverage", "330681", targets=t) == 50
    # the registry entry gives the same answers by the same rule
    forest = t.plan.get("forest_cover")
    sponge = t.plan.get("sponge_coverage")
    assert forest is not None and sponge is not None
    assert plan.indicator_target(forest, "330681") is None
    assert plan.indicator_target(forest, CITY_CODE) == 55.16
    assert plan.indicator_target(sponge, "330603") == 50
    assert plan.indicator_target(sponge, "330624") == 30
    # a baseline never falls back: the plan's 2020 wetland rate is the city's
    assert plan.unit_target("wetland_protection_rate", CITY_CODE, kind="baseline", targets=t) == 60.6
    assert plan.unit_target("wetland_protection_rate", "330602", kind="baseline", targets=t) is None


def _county_table(indicator_col: str, values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"unit_code": list(values), indicator_col: list(values.values())})


def _history(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"indicator": i, "unit_code": c, "year": 2025, "value": v, "origin": "computed", "source": "test"}
            for i, c, v in rows
        ]
    ).reindex(columns=list(hist.HISTORY_COLUMNS), fill_value="")


def test_county_forest_and_wetland_rows_have_no_target_unless_the_planner_gives_one(tmp_path, counties):
    forest = _county_table("forest_cover_pct", {"330681": 60.0, "330624": 70.0, CITY_CODE: 56.0})
    wet = _county_table("protection_rate_pct", {"330681": 50.0, "330624": 35.0, CITY_CODE: 61.0})
    shipped = plan.load_plan_targets()
    f = attach_targets(forest, "forest_cover", "forest_cover_pct", targets=shipped, baseline_col=None)
    w = attach_targets(
        wet, "wetland_protection_rate", "protection_rate_pct", targets=shipped, baseline_col=None
    )
    # counties: no target, no status (the old rule gave them the city's 55.16 / 60.6 and met/behind)
    assert f["target_pct"].iloc[:2].isna().all() and list(f["status"].iloc[:2]) == ["", ""]
    assert w["target_pct"].iloc[:2].isna().all() and list(w["status"].iloc[:2]) == ["", ""]
    # the city: 56 >= 55.16 met, 61 >= 60.6 met
    assert f["target_pct"].iloc[2] == 55.16 and f["status"].iloc[2] == "met"
    assert w["target_pct"].iloc[2] == 60.6 and w["status"].iloc[2] == "met"

    # the planner's override gives 诸暨 65 % forest cover (60 < 65: behind) and 新昌 40 % wetlands (35 < 40)
    over = _override(tmp_path)
    f2 = attach_targets(forest, "forest_cover", "forest_cover_pct", targets=over, baseline_col=None)
    w2 = attach_targets(
        wet, "wetland_protection_rate", "protection_rate_pct", targets=over, baseline_col=None
    )
    assert list(f2["target_pct"].iloc[:2].fillna(-1)) == [65.0, -1.0]
    assert list(f2["status"].iloc[:2]) == ["behind", ""]
    assert f2["target_pct"].iloc[2] == 58.0 and f2["status"].iloc[2] == "behind"  # 56 < 58
    assert list(w2["target_pct"].iloc[:2].fillna(-1)) == [-1.0, 40.0]
    assert list(w2["status"].iloc[:2]) == ["", "behind"]

    # the report judges against the same targets as the tables, unit by unit
    history = _history(
        [("forest_cover", c, v) for c, v in zip(forest["unit_code"], forest["forest_cover_pct"], strict=True)]
        + [
            ("wetland_protection_rate", c, v)
            for c, v in zip(wet["unit_code"], wet["protection_rate_pct"], strict=True)
        ]
    )
    for targets, tables in ((shipped, (f, w)), (over, (f2, w2))):
        data = make_report(targets.plan, history, counties, year=2025, targets=targets)
        st = data.status.set_index(["indicator", "unit_code"])
        for ind, table in zip(("forest_cover", "wetland_protection_rate"), tables, strict=True):
            for code, target in zip(table["unit_code"], table["target_pct"], strict=True):
                row = st.loc[(ind, code)]
                if np.isnan(target):
                    assert row["status"] == "no_target" and (
                        row["target"] is None or math.isnan(row["target"])
                    )
                else:
                    assert row["target"] == target and row["status"] != "no_target", (ind, code)


def test_sxgeo_report_judges_against_the_project_targets(tmp_path):
    (tmp_path / "targets.csv").write_text(OVERRIDE, encoding="utf-8")
    out = tmp_path / "report"
    out.mkdir()
    (out / hist.HISTORY_FILE).write_text(
        "indicator,unit_code,year,value,unit,origin,source\n"
        "forest_cover,330681,2025,60,%,entered,县林业局\n"
        "forest_cover,330683,2025,60,%,entered,县林业局\n",
        encoding="utf-8",
    )
    toml = tmp_path / "sxgeo.toml"
    toml.write_text('[project]\nyear = 2025\ntargets = "targets.csv"\n', encoding="utf-8")
    _, data = build.run_report(load_project(toml), out, pdf=False)
    st = data.status.set_index(["indicator", "unit_code"])
    assert st.loc[("forest_cover", "330681"), "target"] == 65.0  # the planner's, not dropped
    assert st.loc[("forest_cover", "330681"), "status"] != "no_target"
    assert st.loc[("forest_cover", CITY_CODE), "target"] == 58.0
    assert st.loc[("forest_cover", "330683"), "status"] == "no_target"  # neither plan nor planner gives one


def test_carbon_map_legend_break_is_the_run_target(tmp_path, counties):
    forest = _county_table(
        "forest_cover_pct", {**{c.adcode: 50.0 + i for i, c in enumerate(COUNTIES)}, CITY_CODE: 52.0}
    ).assign(stock_volume_wan_m3=1.0, vegetation_tc=1.0, density_tc_ha=1.0)

    def breaks(m) -> list[float]:
        layer = next(x for x in m.spec()["layers"] if x["name"].startswith("森林覆盖率"))
        return layer["style"]["breaks"]

    assert breaks(carbon_map(counties, forest=forest, basemap="none", targets=_override(tmp_path))) == (
        pytest.approx([0, 20, 40, 58, 70, 100])
    )
    assert breaks(carbon_map(counties, forest=forest, basemap="none", targets=plan.load_plan_targets())) == (
        pytest.approx([0, 20, 40, 55.16, 70, 100])
    )
