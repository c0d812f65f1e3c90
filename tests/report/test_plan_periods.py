"""Two plans, one history: the 14th plan's final assessment (2020-2025), the 15th's trajectory (2025-2030).

The histories here are made by hand; every status is worked out in the comments next to the assertion.
Registry figures: 14th sponge 20 % (2020) -> 50 % (2025) city, 30 % for 新昌 330624 (plan Table 1 row 12,
section 4.2); 15th sponge 80 % by 2030 (国办发〔2015〕75号), baseline = the 2025 value in the history;
15th CO2 intensity index 100 (2025) -> 83 (2030), growth_rate_ratio (-17 %, 15th FYP outline).
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from sxgeo import plan
from sxgeo.admin import CITY_CODE, COUNTIES
from sxgeo.cli import app
from sxgeo.errors import ProjectError, SchemaError
from sxgeo.plan_check import check_registry
from sxgeo.project import load_project, template, write_template
from sxgeo.report import history as hist
from sxgeo.report import status as st
from sxgeo.report.model import status_table

XINCHANG = "330624"
HISTORY = (
    "indicator,unit_code,year,value,unit,origin\n"
    "sponge_coverage,330600,2020,20,%,computed\n"
    "sponge_coverage,330600,2023,40,%,computed\n"
    "sponge_coverage,330600,2025,52,%,computed\n"
    "sponge_coverage,330600,2026,62,%,computed\n"
    "sponge_coverage,330600,2027,64,%,computed\n"
    "sponge_coverage,330600,2028,60,%,computed\n"
    "sponge_coverage,330624,2020,10,%,computed\n"
    "sponge_coverage,330624,2025,28,%,computed\n"
    "sponge_coverage,330624,2027,35,%,computed\n"
    "energy_intensity,330600,2025,0.35,tce/万元,entered\n"
    "co2_intensity,330600,2027,93,2025=100,entered\n"
)


@pytest.fixture
def history(tmp_path) -> pd.DataFrame:
    path = tmp_path / hist.HISTORY_FILE
    path.write_text(HISTORY, encoding="utf-8")
    return hist.read_history(path, plan.load_plan("shaoxing_15th"))


def _row(table: pd.DataFrame, indicator: str, code: str) -> pd.Series:
    hit = table[(table["indicator"] == indicator) & (table["unit_code"] == code)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_shipped_15th_registry_is_a_draft_with_cited_figures():
    p = plan.load_plan("shaoxing_15th")
    assert (p.status, p.start_year, p.target_year, p.previous) == ("draft", 2025, 2030, "shaoxing_14th")
    assert p.draft and not plan.load_plan().draft
    sponge = p.get("sponge_coverage")
    assert sponge is not None and (sponge.baseline_year, sponge.target, sponge.target_year) == (
        2025,
        80,
        2030,
    )
    assert "国办发〔2015〕75号" in sponge.source
    co2 = p.get("co2_intensity")
    assert co2 is not None and (co2.kind, co2.baseline, co2.target, co2.entered) == ("binding", 100, 83, True)
    for ind in p.indicators:
        # every figure has a source; a figure from a secondary source says verify; a missing one is pending
        if ind.target is None:
            assert ind.source.startswith("pending"), ind.id
        else:
            assert ind.source and ind.verify, ind.id
    # the ids of the 14th plan's continuing indicators are kept, so one history joins them
    before = plan.load_plan("shaoxing_14th")
    for same in ("sponge_coverage", "forest_cover", "wetland_protection_rate", "non_fossil_share"):
        assert before.get(same).unit == p.get(same).unit  # type: ignore[union-attr]


def test_both_shipped_registries_pass_plan_check():
    assert check_registry("shaoxing_14th") == []
    assert check_registry("shaoxing_15th") == []
    assert check_registry(plan.shipped_plan_path("shaoxing_15th")) == []  # type: ignore[arg-type]


BROKEN = """\
plan: {id: mine, start_year: 2025, target_year: 2030, previous: shaoxing_14th}
indicators:
  - {id: a, name_zh: 甲, name_en: a, unit: "%", kind: bindin, target: 3, source: s}
  - {id: sponge_coverage, name_zh: 乙, name_en: b, unit: km2, kind: expected, source: s,
     target: {year: 2030, value: 5}, computed_by: {table: sponge_coverage, column: nope}}
  - {id: c, name_zh: 丙, name_en: c, unit: "%", kind: expected, direction: up, target: 3, source: s}
  - {id: d, name_zh: 丁, name_en: d, unit: "%", kind: expected, target: 3, unit_targets: {"999": 1}}
  - {id: e, name_zh: 戊, name_en: e, unit: "%", kind: expected, target: {year: 2035, value: 1}, source: s}
  - {id: f, name_zh: 己, name_en: f, unit: "%", kind: expected, target: 1, source: s, continues: nothing}
"""


def test_plan_check_lists_every_problem_one_line_each(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    problems = check_registry(path)
    expected = [
        "indicator a: kind 'bindin'",
        "indicator c: direction 'up'",
        "indicator sponge_coverage: unit 'km2' differs from '%' in plan shaoxing_14th",
        "indicator d: unit_targets names ['999']",
        "indicator d: a target figure needs its source",
        "indicator e: years 2025-2035 are outside the plan's 2025-2030",
        "indicator f: continues 'nothing', which plan shaoxing_14th does not have",
        "indicator sponge_coverage: computed_by column 'nope'",
    ]
    assert len(problems) == len(expected), problems
    for want in expected:
        assert sum(want in line for line in problems) == 1, want
    assert all("\n" not in line and line.startswith("mine.yaml: ") for line in problems)
    # the loader itself stops at the first
    with pytest.raises(SchemaError, match="mine.yaml: indicator a: kind 'bindin'"):
        plan.load_plan(path)
    result = CliRunner().invoke(app, ["plan", "check", str(path)])
    assert result.exit_code == 1
    assert f"{len(expected)} problem(s)" in result.output
    ok = CliRunner().invoke(app, ["plan", "check", "shaoxing_15th"])
    assert ok.exit_code == 0 and "shaoxing_15th: 12 indicators, 2025-2030, draft: ok" in ok.output


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("status: draft", None),
        ("status: final", "plan status 'final' is not one of ['draft', 'adopted']"),
        ("start_year: 2030", "plan start_year 2030 is not before target_year 2030"),
    ],
)
def test_plan_status_and_years_are_validated(tmp_path, edit, message):
    head = {
        "status: draft": "status: draft, start_year: 2025",
        "status: final": "status: final, start_year: 2025",
    }
    text = (
        f"plan: {{id: p, {head.get(edit, edit)}, target_year: 2030}}\n"
        "indicators:\n  - {id: a, name_zh: 甲, name_en: a, unit: '%', kind: expected, target: 3}\n"
    )
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    if message is None:
        assert plan.load_plan(path).status == "draft"
    else:
        with pytest.raises(SchemaError, match=re.escape(message)):
            plan.load_plan(path)
        assert check_registry(path)[0] == f"p.yaml: {message}"  # the plan table's problem first


def test_project_plan_takes_a_shipped_id_or_a_path(tmp_path):
    (tmp_path / "sxgeo.toml").write_text('[project]\nplan = "shaoxing_15th"\n', encoding="utf-8")
    spec = load_project(tmp_path).get("project", "plan")
    assert plan.load_plan(spec.path).id == "shaoxing_15th"
    (tmp_path / "sxgeo.toml").write_text('[project]\nplan = "mine.yaml"\n', encoding="utf-8")
    with pytest.raises(
        ProjectError, match="no such file.*or name a shipped plan: shaoxing_14th, shaoxing_15th"
    ):
        load_project(tmp_path)
    # sxgeo init --plan writes it, uncommented, into the template
    assert 'plan = "shaoxing_15th"' in template("shaoxing_15th").splitlines()
    assert 'plan = "shaoxing_15th"' not in template().splitlines()
    written = write_template(tmp_path / "new", plan="shaoxing_15th")
    assert plan.load_plan(load_project(written).get("project", "plan").path).id == "shaoxing_15th"
    with pytest.raises(ProjectError, match="--plan nope: neither a shipped plan"):
        write_template(tmp_path / "other", plan="nope")
    result = CliRunner().invoke(app, ["init", str(tmp_path / "cli"), "--plan", "shaoxing_15th"])
    assert result.exit_code == 0
    assert 'plan = "shaoxing_15th"' in (tmp_path / "cli" / "sxgeo.toml").read_text(encoding="utf-8")


def test_the_15th_plan_reads_a_history_holding_the_14th_plans_rows(tmp_path, history):
    # energy_intensity is a 14th-plan id only: kept in the history the 15th plan reads
    assert set(history["indicator"]) == {"sponge_coverage", "energy_intensity", "co2_intensity"}
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,unit_code,year,value\nsponge_cover,330600,2025,1\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="not in plan shaoxing_15th; did you mean 'sponge_coverage'"):
        hist.read_history(bad, plan.load_plan("shaoxing_15th"))


def test_the_2025_values_become_the_15th_plans_baselines(history):
    p15 = plan.load_plan("shaoxing_15th")
    found = hist.history_baselines(p15, history)
    sponge = found[found["indicator"] == "sponge_coverage"].set_index("unit_code")["value"]
    assert sponge.to_dict() == {CITY_CODE: 52.0, XINCHANG: 28.0}
    filled = hist.with_history_baselines(p15, history)
    s = filled.get("sponge_coverage")
    assert s is not None and s.baseline == 52.0 and s.unit_baselines == {XINCHANG: 28.0}
    # a registry figure is kept: the CO2 index is 100 in 2025 by definition
    assert filled.get("co2_intensity").baseline == 100  # type: ignore[union-attr]
    assert p15.get("sponge_coverage").baseline is None  # type: ignore[union-attr]  (not changed in place)


def test_final_assessment_of_the_14th_plan_by_hand(history):
    p14 = plan.load_plan("shaoxing_14th")
    sponge = p14.get("sponge_coverage")
    assert sponge is not None
    # city: 52 in 2025 >= 50: met; change 52 - 20 = +32, (52 - 20) / (50 - 20) = 32/30 of the planned change
    city = st.final_status(
        hist.indicator_series(history, sponge, CITY_CODE),
        baseline=20,
        baseline_year=2020,
        target=50,
        target_year=2025,
    )
    assert city.category == "met" and city.progress == pytest.approx(32 / 30)
    assert "+32 since 2020" in city.note
    # 新昌: 28 in 2025 < 30: not met (the later 35 of 2027 does not count); (28 - 10) / (30 - 10) = 0.9
    xc = st.final_status(
        hist.indicator_series(history, sponge, XINCHANG),
        baseline=None,
        baseline_year=2020,
        target=30,
        target_year=2025,
    )
    assert xc.category == "not_met" and xc.progress == pytest.approx(0.9) and xc.label_zh == "未实现"
    # energy intensity (decrease): 0.35 > 0.342 in 2025: not met; 0.34 would be met
    down = {
        "baseline": 0.41,
        "baseline_year": 2020,
        "target": 0.342,
        "target_year": 2025,
        "direction": "decrease",
    }
    assert st.final_status([(2025, 0.35)], **down).category == "not_met"
    assert st.final_status([(2025, 0.34)], **down).category == "met"
    # no 2025 value: the latest earlier one, named
    assert "latest value 2023" in st.final_status([(2023, 40)], **{**down, "direction": "increase"}).note


def test_the_14th_plan_judged_after_2025_uses_its_2025_value(history, counties):
    # reporting year 2027 with the 14th plan: 新昌's 2027 value (35 >= 30) is past the plan's period;
    # its 2025 value 28 < 30 at the target year is lagging (28 - 10) / (30 - 10) = 90 % of the change
    table = status_table(plan.load_plan("shaoxing_14th"), history, counties, 2027)
    xc = _row(table, "sponge_coverage", XINCHANG)
    assert (xc["year"], xc["value"], xc["status"]) == (2025, 28.0, "lagging")
    assert _row(table, "sponge_coverage", CITY_CODE)["status"] == "met"  # 52 >= 50


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # linear time share to 2030, baseline 52 (2025, from the history), target 80: planned change 28
        (2026, "faster"),  # (62 - 52) / 28 = 0.357 >= 1/5 + 0.10 = 0.30
        (2027, "on_track"),  # (64 - 52) / 28 = 0.429 within 0.40 +- 0.10
        (2028, "lagging"),  # (60 - 52) / 28 = 0.286 <= 0.60 - 0.10 = 0.50
    ],
)
def test_15th_plan_sponge_trajectory_to_2030_by_hand(history, counties, year, expected):
    table = status_table(plan.load_plan("shaoxing_15th"), history, counties, year)
    city = _row(table, "sponge_coverage", CITY_CODE)
    assert (city["baseline"], city["target"], city["status"]) == (52.0, 80.0, expected)
    # the city's 80 % is not a county's target
    assert _row(table, "sponge_coverage", XINCHANG)["status"] == "no_target"


def test_co2_intensity_growth_rate_ratio_to_2030_by_hand(history, counties):
    # index 100 (2025) -> 83 (2030): required 0.83 ** (1/5) - 1 = -3.658 %/yr;
    # 93 in 2027: observed 0.93 ** (1/2) - 1 = -3.563 %/yr; R = 0.974 in [0.95, 1.10): on track
    table = status_table(plan.load_plan("shaoxing_15th"), history, counties, 2027)
    co2 = _row(table, "co2_intensity", CITY_CODE)
    assert co2["status"] == "on_track" and co2["method"] == "growth_rate_ratio"
    # 95 in 2027: observed 0.95 ** 0.5 - 1 = -2.532 %/yr; R = 0.692 < 0.95: lagging
    args = {
        "baseline": 100,
        "baseline_year": 2025,
        "target": 83,
        "target_year": 2030,
        "direction": "decrease",
    }
    lag = st.growth_rate_ratio(95, 2027, **args)
    assert lag.category == "lagging" and lag.progress == pytest.approx(0.6922, abs=1e-4)


def test_trajectory_value_by_hand():
    line = {"baseline": 52, "baseline_year": 2025, "target": 80, "target_year": 2030}
    assert st.trajectory_value(2027, **line) == pytest.approx(63.2)  # 52 + 28 x 2/5
    assert st.trajectory_value(2031, **line) == 80  # clamped to the period
    assert st.trajectory_value(2020, **line) == 52
    # compound path of the CO2 index: 100 x 0.83 ** (2/5) = 92.82
    co2 = {"baseline": 100, "baseline_year": 2025, "target": 83, "target_year": 2030}
    assert st.trajectory_value(2027, **co2, method="growth_rate_ratio") == pytest.approx(
        100 * math.exp(0.4 * math.log(0.83))
    )
    assert st.trajectory_value(2027, **co2, method="growth_rate_ratio") == pytest.approx(92.818, abs=1e-3)


def test_an_indicator_continuing_under_a_new_id_joins_the_old_series(tmp_path, counties):
    registry = tmp_path / "mine.yaml"
    registry.write_text(
        "plan: {id: mine, start_year: 2025, target_year: 2030, previous: shaoxing_14th}\n"
        "indicators:\n"
        "  - {id: nonfossil, continues: non_fossil_share, name_zh: 非化石, name_en: nf, unit: '%',\n"
        "     kind: binding, baseline: {year: 2025, value: null}, target: {year: 2030, value: 25},\n"
        "     source: s}\n",
        encoding="utf-8",
    )
    mine = plan.load_plan(registry)
    path = tmp_path / "h.csv"
    path.write_text(
        "indicator,unit_code,year,value,unit,origin\n"
        "non_fossil_share,330600,2020,2.8,%,entered\n"
        "non_fossil_share,330600,2025,10,%,entered\n"
        "nonfossil,330600,2026,13,%,entered\n",
        encoding="utf-8",
    )
    history = hist.read_history(path, mine)
    ind = mine.get("nonfossil")
    assert ind is not None and ind.history_id == "non_fossil_share"
    assert hist.indicator_series(history, ind, CITY_CODE) == [(2020, 2.8), (2025, 10.0), (2026, 13.0)]
    # baseline 10 (2025, the old id's row); (13 - 10) / (25 - 10) = 0.20 of the change in 1/5 of the time
    row = _row(status_table(mine, history, counties, 2026), "nonfossil", CITY_CODE)
    assert (row["baseline"], row["value"], row["status"]) == (10.0, 13.0, "on_track")
    assert len(COUNTIES) == 6


def test_final_table_of_the_14th_plan_by_hand(tmp_path, history, counties):
    from sxgeo.report.final import FINAL_FILE, final_table, write_final_table

    p14 = plan.load_plan("shaoxing_14th")
    table = final_table(p14, history, counties["adcode"])
    # binding indicators first (forest stock volume, energy intensity, non-fossil share)
    kinds = list(dict.fromkeys(table["kind"]))
    assert kinds == ["binding", "expected"]
    city = _row(table, "sponge_coverage", CITY_CODE)
    # baseline 20 (2020), values 2020 20, 2023 40, 2025 52 (the 2026-2028 values are past the period)
    assert (city["baseline"], city["value_2020"], city["value_2023"], city["value_2025"]) == (20, 20, 40, 52)
    assert pd.isna(city["value_2021"]) and "value_2026" not in table.columns
    assert (city["final_year"], city["final_value"], city["target"], city["status"]) == (2025, 52, 50, "met")
    assert (
        city["change"] == 32 and city["progress"] == pytest.approx(32 / 30) and city["years_with_data"] == 3
    )
    xc = _row(table, "sponge_coverage", XINCHANG)
    # 28 < 30: not met; change 28 - 10 = +18, 18 / 20 = 0.9 of the planned change
    assert (xc["status"], xc["label_zh"], xc["change"]) == ("not_met", "未实现", 18)
    assert xc["progress"] == pytest.approx(0.9)
    # energy intensity, decrease: 0.35 > 0.342 not met; 0.35 - 0.41 = -0.06
    ei = _row(table, "energy_intensity", CITY_CODE)
    assert ei["status"] == "not_met" and ei["change"] == pytest.approx(-0.06)
    # a county under a city-only target has no verdict; no county row falls back to the city baseline
    assert _row(table, "forest_cover", XINCHANG)["status"] == "no_target"
    assert len(table) == len([i for i in p14.indicators if i.show]) * (2 + len(counties))
    out = write_final_table(table, tmp_path / "R")
    assert out.name == FINAL_FILE
    back = pd.read_csv(out, dtype={"unit_code": str}, encoding="utf-8-sig")
    assert len(back) == len(table) and list(back.columns) == list(table.columns)


def test_pending_rows_of_the_draft_have_no_figure_and_stop_nothing():
    from sxgeo.carbon.stands import plan_check as forest_check

    t15 = plan.load_plan_targets(plan="shaoxing_15th")
    assert plan.unit_target("forest_cover", CITY_CODE, targets=t15) is None
    assert plan.unit_target("sponge_coverage", CITY_CODE, targets=t15) == 80
    with pytest.raises(SchemaError, match="no expected figure for 'forest_cover' at 330600"):
        plan.unit_target("forest_cover", CITY_CODE, targets=t15, required=True)
    summary = pd.DataFrame(
        {
            "unit_code": [CITY_CODE],
            "forest_cover_pct": [56.0],
            "stock_volume_wan_m3": [2700.0],
            "vegetation_tc": [2.5e7],
        }
    )
    assert set(forest_check(summary, targets=t15)["status"]) == {"no_target"}
    # against the 14th plan: 56 >= 55.16 met, 2700 >= 2680 met, 2,500万 t C >= 2,450 met
    assert set(forest_check(summary, targets=plan.load_plan_targets())["status"]) == {"met"}
