"""The progress report: plan registry, history, status methods, HTML/XLSX/PDF."""

from __future__ import annotations

import pytest

from sxgeo.admin import load_targets, unit_target
from sxgeo.errors import SchemaError
from sxgeo.report.registry import load_plan

PLAN_15 = """
plan:
  id: shaoxing_15th
  name_zh: 绍兴市应对气候变化"十五五"规划(示例)
  name_en: Shaoxing 15th plan (example)
  start_year: 2025
  target_year: 2030
indicators:
  - id: sponge_coverage
    name_zh: 海绵城市达标面积比例
    name_en: Sponge-city share
    unit: "%"
    kind: expected
    baseline: {year: 2025, value: 50}
    target: {year: 2030, value: 80}
    unit_targets: {"330624": 60}
    computed_by: {table: sponge_coverage, column: coverage_pct, section: sponge}
  - id: pilot_villages
    name_zh: 零碳示范村
    name_en: Zero-carbon villages
    unit: 个
    kind: binding
    baseline: {year: 2025, value: 100}
    target: {year: 2030, value: 200}
"""


def test_registry_carries_every_figure_of_the_former_targets_table():
    # the rows of the former sxgeo/data/plan_targets.csv, copied from plan Table 1 and sections 3.2/3.7/4.2
    former = [
        ("sponge_coverage", "330600-urban", 2025, 50, "expected"),
        ("sponge_coverage", "330681", 2025, 50, "expected"),
        ("sponge_coverage", "330683", 2025, 50, "expected"),
        ("sponge_coverage", "330624", 2025, 30, "expected"),
        ("sponge_coverage", "330600", 2025, 50, "expected"),
        ("sponge_coverage", "330600", 2020, 20, "baseline"),
        ("pv_new_capacity", "330600", 2025, 1000, "expected"),
        ("pv_installed_capacity", "330600", 2020, 1066, "baseline"),
        ("forest_cover", "330600", 2025, 55.16, "expected"),
        ("forest_stock_volume", "330600", 2025, 2680, "binding"),
        ("forest_stock_volume", "330600", 2020, 2260, "baseline"),
        ("forest_vegetation_carbon", "330600", 2025, 2450, "expected"),
        ("wetland_protection_rate", "330600", 2025, 60.6, "expected"),
        ("wetland_protection_rate", "330600", 2020, 60.6, "baseline"),
    ]
    t = load_targets()
    assert list(t.columns) == ["indicator", "unit_code", "year", "value", "unit", "kind", "source"]
    for ind, code, year, value, kind in former:
        hit = t[(t.indicator == ind) & (t.unit_code == code) & (t.kind == kind)]
        assert len(hit) == 1, (ind, code, kind)
        assert hit["year"].iloc[0] == year
        assert hit["value"].iloc[0] == pytest.approx(value)
    # the fallbacks callers rely on: 越城区 -> 绍兴市区, a county without its own -> the city
    assert unit_target("sponge_coverage", "330602", targets=t) == 50
    assert unit_target("wetland_protection_rate", "330681", targets=t) == 60.6


def test_registry_marks_entered_and_computed():
    plan = load_plan()
    entered = {i.id for i in plan.indicators if i.entered}
    computed = {i.id for i in plan.indicators if not i.entered}
    assert computed == {
        "sponge_coverage",
        "forest_cover",
        "forest_stock_volume",
        "forest_vegetation_carbon",
        "wetland_protection_rate",
    }
    assert {"pv_installed_capacity", "pilot_counties", "pilot_towns", "pilot_villages"} <= entered
    pv = plan.get("pv_installed_capacity")
    assert pv is not None and pv.baseline == 1066 and pv.target == 1066 + 1000
    assert [
        (plan.get(f"pilot_{k}").baseline, plan.get(f"pilot_{k}").target)
        for k in ("counties", "towns", "villages")
    ] == [
        (0, 3),
        (1, 10),
        (1, 100),
    ]
    assert plan.get("forest_stock_volume").kind == "binding"
    assert all(i.source for i in plan.indicators)


def test_another_plan_file(tmp_path):
    path = tmp_path / "plan15.yaml"
    path.write_text(PLAN_15, encoding="utf-8")
    t = load_targets(plan=path)
    assert unit_target("sponge_coverage", "330624", targets=t) == 60
    assert unit_target("sponge_coverage", "330681", targets=t) == 80
    assert unit_target("sponge_coverage", "330600", kind="baseline", targets=t) == 50
    assert set(t["year"]) == {2025, 2030}
    assert load_plan(path).get("pilot_villages").entered


def test_bad_registry_names_file_and_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(PLAN_15.replace("kind: binding", "kind: mandatory"), encoding="utf-8")
    with pytest.raises(SchemaError, match=r"bad.yaml: indicator pilot_villages: kind 'mandatory'"):
        load_plan(path)
    path.write_text(PLAN_15.replace("value: 80", "value: eighty"), encoding="utf-8")
    with pytest.raises(
        SchemaError, match=r"bad.yaml: indicator sponge_coverage target: 'eighty' is not a number"
    ):
        load_plan(path)


# --- status methods, checked by hand -----------------------------------------------------------
from sxgeo.report.status import assess, growth_rate_ratio, linear_time_share, trend_projection  # noqa: E402

P = {"baseline_year": 2020, "target_year": 2025}


def test_linear_time_share_by_hand():
    # sponge 20 % -> 50 %: in 2023 (60 % of the time) 38 % is 60 % of the change: on schedule
    s = linear_time_share(38, 2023, baseline=20, target=50, **P)
    assert s.category == "on_track" and s.progress == pytest.approx(0.6)
    # 44 % is 80 % of the change in 60 % of the time: faster; 26 % is 20 %: lagging
    assert linear_time_share(44, 2023, baseline=20, target=50, **P).category == "faster"
    assert linear_time_share(26, 2023, baseline=20, target=50, **P).category == "lagging"
    # zero baseline (pilot counties 0 -> 3): 1 county in 2022 is 1/3 of the change in 2/5 of the time
    s = linear_time_share(1, 2022, baseline=0, target=3, **P)
    assert s.category == "on_track" and s.progress == pytest.approx(1 / 3)
    assert linear_time_share(0, 2024, baseline=0, target=3, **P).category == "lagging"
    # already met: 3 pilot counties in 2023 -> 提前实现
    s = linear_time_share(3, 2023, baseline=0, target=3, **P)
    assert (s.category, s.label_zh) == ("achieved", "提前实现")
    # decrease: energy intensity 0.41 -> 0.342; 0.37 in 2023 is 0.04/0.068 = 59 % of the change
    s = linear_time_share(0.37, 2023, baseline=0.41, target=0.342, direction="decrease", **P)
    assert s.category == "on_track" and s.progress == pytest.approx(0.04 / 0.068)
    # a level to keep (wetlands not below 60.6 %): 60.0 lags, 61 is met
    assert (
        linear_time_share(60.0, 2023, baseline=60.6, target=60.6, direction="maintain", **P).category
        == "lagging"
    )
    assert (
        linear_time_share(61, 2023, baseline=60.6, target=60.6, direction="maintain", **P).category
        == "achieved"
    )


def test_growth_rate_ratio_by_hand():
    # stock volume 2260 -> 2680 needs (2680/2260)^(1/5) - 1 = 3.47 %/yr; 2400 in 2023 is 2.03 %/yr: R = 0.585
    s = growth_rate_ratio(2400, 2023, baseline=2260, target=2680, **P)
    required = (2680 / 2260) ** 0.2 - 1
    observed = (2400 / 2260) ** (1 / 3) - 1
    assert s.progress == pytest.approx(observed / required) and s.category == "lagging"
    assert 0.58 < s.progress < 0.59
    # 2500 in 2023: (2500/2260)^(1/3) - 1 = 3.42 %/yr, R = 0.986: on track
    assert growth_rate_ratio(2500, 2023, baseline=2260, target=2680, **P).category == "on_track"
    # zero baseline has no growth rate: linear time share, said so (2 of 3 = 67 % in 60 % of the time)
    s = growth_rate_ratio(2, 2023, baseline=0, target=3, **P)
    assert s.method == "linear_time_share" and "no growth rate" in s.note and s.category == "on_track"
    assert growth_rate_ratio(3.5, 2022, baseline=0, target=3, **P).category == "achieved"
    # decrease: 0.41 -> 0.342 requires -3.56 %/yr; 0.38 in 2023 is -2.50 %/yr: R = 0.70, lagging
    s = growth_rate_ratio(0.38, 2023, baseline=0.41, target=0.342, direction="decrease", **P)
    assert s.progress == pytest.approx(((0.38 / 0.41) ** (1 / 3) - 1) / ((0.342 / 0.41) ** 0.2 - 1))
    assert s.category == "lagging"


def test_trend_projection_by_hand():
    # villages 1 (2020), 10 (2022), 30 (2023), 50 (2024): slope (50-1)/4 = 12.25/yr -> 62.25 in 2025
    # (target 100): misses by 37.75 of the planned 99 (38 %): lagging
    series = [(2020, 1), (2022, 10), (2023, 30), (2024, 50)]
    s = trend_projection(series, baseline=1, target=100, **P)
    assert s.progress == pytest.approx(62.25) and s.category == "lagging"
    # 1, 40, 70, 85: slope 21/yr -> 106 >= 100: faster
    s = trend_projection([(2020, 1), (2022, 40), (2023, 70), (2024, 85)], baseline=1, target=100, **P)
    assert s.progress == pytest.approx(106) and s.category == "faster"
    # 0, 1, 1, 2 counties (zero baseline): slope 0.5 -> 2.5, misses 0.5 of 3 (17 %): on schedule
    s = trend_projection([(2020, 0), (2021, 1), (2022, 1), (2024, 2)], baseline=0, target=3, **P)
    assert s.progress == pytest.approx(2.5) and s.category == "on_track"
    # moving away
    assert (
        trend_projection([(2020, 20), (2022, 25), (2024, 22)], baseline=20, target=50, **P).category
        == "lagging"
    )
    # two points only: linear time share
    assert (
        trend_projection([(2020, 20), (2023, 38)], baseline=20, target=50, **P).method == "linear_time_share"
    )
    # already met
    assert trend_projection([(2020, 0), (2023, 3)], baseline=0, target=3, **P).category == "achieved"


def test_assess_without_figures():
    assert assess([], method="linear_time_share", baseline=0, target=3, **P).category == "no_data"
    assert (
        assess([(2024, 3.1)], method="linear_time_share", baseline=2.8, target=None, **P).category
        == "no_figure"
    )
    # no baseline in the registry: the history's 2020 value stands in; none there -> unable to assess
    s = assess([(2020, 50.0), (2023, 53.0)], method="linear_time_share", baseline=None, target=55.16, **P)
    assert s.category == "on_track"
    assert (
        assess([(2023, 53.0)], method="linear_time_share", baseline=None, target=55.16, **P).category
        == "no_data"
    )
    # labels and colours
    s = assess([(2023, 30.0)], method="linear_time_share", baseline=20, target=50, **P)
    assert (s.label_zh, s.label_en, s.colour) == ("滞后", "lagging", "#cf222e")
