"""The progress report: plan registry, history, status methods, HTML/XLSX/PDF."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest
import shapely

from sxgeo.admin import COUNTIES, load_targets, unit_target
from sxgeo.errors import SchemaError
from sxgeo.report import history as hist
from sxgeo.report import make_report, write_report
from sxgeo.report.gaps import cover, sponge_gap
from sxgeo.report.registry import load_plan
from sxgeo.report.status import CATEGORIES, assess, growth_rate_ratio, linear_time_share, trend_projection
from sxgeo.sponge.zones import zone_built_up

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
    # the one fallback: 越城区 -> 绍兴市区; a county under a city-only target has none
    assert unit_target("sponge_coverage", "330602", targets=t) == 50
    assert unit_target("wetland_protection_rate", "330681", targets=t) is None


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
    assert unit_target("sponge_coverage", "330681", targets=t) is None  # this plan gives it none
    assert unit_target("sponge_coverage", "330600", targets=t) == 80
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
        linear_time_share(61, 2023, baseline=60.6, target=60.6, direction="maintain", **P).category == "kept"
    )


P10 = {"baseline_year": 2020, "target_year": 2030}


@pytest.mark.parametrize(
    ("value", "year", "expected"),
    [
        # 2022 is 2/10 = 20 % of the time; 0.30 is exactly 10 points ahead: faster (0.2 + 0.1 > 0.3 in floats)
        (0.30, 2022, "faster"),
        (0.299, 2022, "on_track"),
        # 2023 is 30 % of the time; 0.20 is exactly 10 points behind: lagging (|0.2 - 0.3| is not < 0.1)
        (0.20, 2023, "lagging"),
        (0.201, 2023, "on_track"),
        # 2027: 70 %; 0.80 is +10 exactly, 0.60 is -10 exactly
        (0.80, 2027, "faster"),
        (0.60, 2027, "lagging"),
        (0.601, 2027, "on_track"),
    ],
)
def test_linear_time_share_at_the_ten_point_boundaries(value, year, expected):
    # baseline 0 -> target 1 over 2020-2030: progress = value, time = (year - 2020) / 10, by hand
    assert linear_time_share(value, year, baseline=0.0, target=1.0, **P10).category == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # 1 -> 1.21 over 2020-2022 requires sqrt(1.21) - 1 = 10 %/yr; in 2021 the observed rate is value - 1
        (1.11, "faster"),  # R = 0.11 / 0.10 = 1.10 exactly: faster (1 + δ)
        (1.1099, "on_track"),  # R = 1.099
        (1.095, "on_track"),  # R = 0.95 exactly: on track (Open SDG R >= 0.95)
        (1.0949, "lagging"),  # R = 0.949
    ],
)
def test_growth_rate_ratio_at_its_boundaries(value, expected):
    s = growth_rate_ratio(value, 2021, baseline=1.0, target=1.21, baseline_year=2020, target_year=2022)
    assert s.category == expected


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        # 0 (2020), last/2 (2022), last (2024): slope last/4, projected 2025 = 1.25 last; target 10, change 10
        (8.0, "faster"),  # projects 10.0: the target exactly -> faster
        (7.99, "on_track"),  # 9.9875: misses by 0.125 %
        (6.4, "on_track"),  # projects 8.0: misses by exactly 20 % of the change -> on track
        (6.39, "lagging"),  # 7.9875: misses by 20.125 %
    ],
)
def test_trend_projection_at_its_boundaries(last, expected):
    series = [(2020, 0.0), (2022, last / 2), (2024, last)]
    assert trend_projection(series, baseline=0.0, target=10.0, **P).category == expected


def test_a_level_kept_mid_period_is_kept_not_achieved_early():
    # wetland protection not below 60.6 %: 61 % in 2023 keeps the level (保持), by every method
    for method in ("linear_time_share", "growth_rate_ratio", "trend_projection"):
        s = assess([(2020, 60.6), (2023, 61.0)], method=method, baseline=60.6, target=60.6,
                   direction="maintain", **P)  # fmt: skip
        assert (s.category, s.label_zh) == ("kept", "保持")
    # an increase target met in 2023 is still 提前实现
    assert linear_time_share(3, 2023, baseline=0, target=3, **P).label_zh == "提前实现"


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


def test_a_county_baseline_in_the_registry_replaces_the_city_baseline(tmp_path, counties):
    from sxgeo.report.model import status_table

    path = tmp_path / "plan.yaml"
    path.write_text(PLAN_15, encoding="utf-8")
    city_only = load_plan(path)
    path.write_text(
        PLAN_15.replace(
            'unit_targets: {"330624": 60}', 'unit_targets: {"330624": 60}\n    unit_baselines: {"330624": 40}'
        ),
        encoding="utf-8",
    )
    own = load_plan(path)
    assert own.get("sponge_coverage").unit_baselines == {"330624": 40.0}
    assert unit_target("sponge_coverage", "330624", kind="baseline", targets=load_targets(plan=path)) == 40
    history = pd.DataFrame(
        [
            {
                "indicator": "sponge_coverage",
                "unit_code": "330624",
                "year": 2028,
                "value": 51.0,
                "origin": "entered",
            }
        ]
    ).reindex(columns=list(hist.HISTORY_COLUMNS), fill_value="")

    def row(plan):
        st = status_table(plan, history, counties, 2028).set_index(["indicator", "unit_code"])
        return st.loc[("sponge_coverage", "330624")]

    # 新昌县 51 % in 2028 (60 % of 2025-2030), target 60 %: from the city's 50 % baseline it made 10 % of
    # the change (lagging); from its own 40 % it made 11 / 20 = 55 % (within 10 points of 60 %: on schedule)
    a, b = row(city_only), row(own)
    assert (a["baseline"], a["status"]) == (50.0, "lagging") and "city baseline" in a["note"]
    assert (b["baseline"], b["status"]) == (40.0, "on_track") and "city baseline" not in b["note"]


# --- history -----------------------------------------------------------------------------------


def _computed(value: float, year: int = 2025) -> pd.DataFrame:
    table = pd.DataFrame({"unit_code": ["330600", "330624"], "coverage_pct": [value, value / 2]})
    return hist.computed_values(
        load_plan(), {"sponge_coverage": table}, year=year, checksums={"sponge": "abc"}
    )


def test_history_appends_replaces_a_rebuild_and_keeps_entered_rows(tmp_path):
    path = tmp_path / hist.HISTORY_FILE
    pd.DataFrame(
        [
            {
                "indicator": "sponge_coverage",
                "unit_code": "330600",
                "year": 2025,
                "value": 40,
                "origin": "entered",
            }
        ]
    ).to_csv(path, index=False)
    hist.append_history(path, _computed(30.0, 2023))
    hist.append_history(path, _computed(45.0))
    table = hist.append_history(path, _computed(46.0))  # a rebuild of 2025 replaces 45 by 46
    assert list(table.columns) == list(hist.HISTORY_COLUMNS)
    computed = table[table["origin"] == "computed"]
    assert sorted(zip(computed["unit_code"], computed["year"], computed["value"], strict=True)) == [
        ("330600", 2023, 30.0),
        ("330600", 2025, 46.0),
        ("330624", 2023, 15.0),
        ("330624", 2025, 23.0),
    ]
    assert set(computed["inputs_sha256"]) == {"abc"} and computed["sxgeo_version"].notna().all()
    back = hist.read_history(path, load_plan())
    assert len(back) == 5
    # an entered value wins over a computed one of the same year
    assert hist.series(back, "sponge_coverage", "330600") == [(2023, 30.0), (2025, 40.0)]


def test_history_errors_name_file_row_and_fix(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("indicator,unit_code,year,value,unit\npilot_towns,330600,2023,six,个\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"h.csv: row 2 column value: 'six' is not a number"):
        hist.read_history(path)
    path.write_text(
        "indicator,unit_code,year,value,unit\npv_installed_capacity,330600,2023,1.7,GW\n", encoding="utf-8"
    )
    with pytest.raises(SchemaError, match=r"h.csv: row 2: pv_installed_capacity in 'GW', the plan uses 'MW'"):
        hist.read_history(path, load_plan())
    path.write_text("indicator,year,value\nx,2023,1\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"lacks columns \['unit_code'\]"):
        hist.read_history(path)


# --- gaps --------------------------------------------------------------------------------------


def _km(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A rectangle in EPSG:4549, corners in km from (500 km, 3,300 km)."""
    return shapely.box(500_000 + x0 * 1000, 3_300_000 + y0 * 1000, 500_000 + x1 * 1000, 3_300_000 + y1 * 1000)


def _gap_case():
    """Six 30 km counties side by side; 诸暨市 (x 90-120 km) has 10 km² built-up (x 110-120, y 0-1).

    Sub-zones (built-up part in 诸暨市, extra storage): Z1 7.5 km² but only 3 km² built-up (100 m³),
    Z2 2 (200), Z3 1 (50), Z4 2 (1,000), and ZX across the line into 嵊州市 (x 118-122): 2 km² on
    each side (160 m³). Nothing passes: 0 % of 10 km² against 50 %, a 5 km² gap.
    """
    import geopandas as gpd

    codes = ["330602", "330603", "330604", "330681", "330683", "330624"]
    boxes = [_km(30 * i, 0, 30 * i + 30, 30) for i in range(6)]
    counties = gpd.GeoDataFrame({"adcode": codes}, geometry=boxes, crs=4549)
    built = gpd.GeoDataFrame(geometry=[_km(110, 0, 124, 1)], crs=4549)  # 诸暨 10 km², 嵊州 4 km²
    geoms = {
        "Z1": _km(110, 0, 113, 2.5),
        "Z2": _km(113, 0, 115, 1),
        "Z3": _km(115, 0, 116, 1),
        "Z4": _km(116, 0, 118, 1),
        "ZX": _km(118, 0, 122, 1),
        "ZY": _km(122, 0, 124, 1),
    }
    storage = {"Z1": 100.0, "Z2": 200.0, "Z3": 50.0, "Z4": 1000.0, "ZX": 160.0, "ZY": 10.0}
    zones = gpd.GeoDataFrame(
        {
            "zone_id": list(geoms),
            "name": list(geoms),
            "area_km2": [g.area / 1e6 for g in geoms.values()],
            "passes": False,
            "extra_storage_m3": [storage[k] for k in geoms],
        },
        geometry=list(geoms.values()),
        crs=4549,
    )
    return counties, built, zones, geoms


def test_zone_built_up_credits_each_county_with_its_own_part():
    counties, built, zones, _ = _gap_case()
    parts = zone_built_up(zones, built, counties).set_index(["zone_id", "county"])["built_up_km2"]
    assert parts.loc[("Z1", "330681")] == pytest.approx(3.0)  # 7.5 km² sub-zone, 3 km² of it built-up
    assert parts.loc[("ZX", "330681")] == pytest.approx(2.0) and parts.loc[("ZX", "330683")] == pytest.approx(
        2.0
    )
    assert len(parts) == 7 and parts.sum() == pytest.approx(14.0)  # the whole built-up area, once


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        # fewest: largest credited area first (ties: least storage): Z1 3, ZX 2 -> 5 km²
        ("fewest", ["Z1", "ZX"]),
        # storage: m³ per km² gained: Z1 33, Z3 50, ZX 80, Z2 100, Z4 500 -> 3 + 1 + 2 = 6 km²
        ("storage", ["Z1", "Z3", "ZX"]),
    ],
)
def test_making_the_listed_sub_zones_pass_closes_the_gap_and_one_fewer_does_not(order, expected):
    import geopandas as gpd

    from sxgeo.sponge.coverage import coverage_table

    counties, built, zones, geoms = _gap_case()

    def zhuji(passing: list[str]) -> pd.Series:
        ok = gpd.GeoDataFrame(geometry=[geoms[k] for k in passing], crs=4549)
        return coverage_table(built, ok, counties).set_index("unit_code").loc["330681"]

    before = coverage_table(built, zones.iloc[:0], counties)
    assert before.set_index("unit_code").loc["330681", "gap_km2"] == pytest.approx(5.0)
    parts = zone_built_up(zones, built, counties)
    table = sponge_gap(before, pd.DataFrame(zones.drop(columns="geometry")), parts, order=order)
    listed = table[table["county"] == "330681"]
    assert list(listed["zone_id"]) == expected and set(listed["order"]) == {order}
    assert list(listed["closes_gap"]) == [False] * (len(expected) - 1) + [True]
    # Z1 alone (7.5 km², 3 km² built-up) is never said to close the gap: making it pass gives 30 %
    assert zhuji(["Z1"])["coverage_pct"] == pytest.approx(30.0)
    assert zhuji(expected)["status"] == "met"
    assert zhuji(expected[:-1])["status"] == "behind"


def test_sponge_gap_refuses_an_unknown_order():
    counties, built, zones, _ = _gap_case()
    with pytest.raises(SchemaError, match=r"sponge gap order 'cheapest'.*use fewest or storage"):
        parts = zone_built_up(zones, built, counties)
        sponge_gap(pd.DataFrame({"unit_code": [], "gap_km2": []}), zones, parts, order="cheapest")
    assert cover(pd.Series([3.0, 2.0, 4.0]), 5.0) == 2 and cover(pd.Series([1.0]), 5.0) == 1


# --- the page ----------------------------------------------------------------------------------

UNITS = ["330600", "330600-urban", *[c.adcode for c in COUNTIES]]


def _history() -> pd.DataFrame:
    rows = [
        ("sponge_coverage", code, 2025, v)
        for code, v in zip(UNITS, [49.8, 50.5, 56.2, 53.0, 38.1, 52.1, 51.1, 35.5], strict=True)
    ]
    rows += [("pv_installed_capacity", "330600", y, v) for y, v in ((2021, 1290), (2022, 1520), (2024, 1850))]
    rows += [("pilot_counties", "330600", 2024, 1), ("wetland_protection_rate", "330624", 2025, 33.9)]
    return pd.DataFrame(
        [
            {
                "indicator": a,
                "unit_code": b,
                "year": c,
                "value": float(d),
                "origin": "entered",
                "source": "test",
            }
            for a, b, c, d in rows
        ]
    ).reindex(columns=list(hist.HISTORY_COLUMNS), fill_value="")


@pytest.fixture(scope="module")
def report_dir(counties, tmp_path_factory):
    data = make_report(load_plan(), _history(), counties, year=2025, title="测试 test")
    out = tmp_path_factory.mktemp("report")
    write_report(data, out, pdf=shutil.which("pdftotext") is not None)
    return out, data


def test_status_table_per_indicator_and_unit(report_dir):
    _, data = report_dir
    st = data.status.set_index(["indicator", "unit_code"])
    shown = [i.id for i in load_plan().indicators if i.show]
    assert len(data.status) == len(shown) * len(UNITS)
    # sponge: 新昌县 35.5 against its own 30 -> met; 上虞区 38.1 against 绍兴市区's 50 -> lagging in 2025
    assert st.loc[("sponge_coverage", "330624"), "status"] == "met"
    assert st.loc[("sponge_coverage", "330604"), ["target", "status"]].tolist() == [50.0, "lagging"]
    # city-only target: a county shows its value, no status
    assert st.loc[("wetland_protection_rate", "330624"), ["value", "status"]].tolist() == [33.9, "no_target"]
    # PV 1,850 MW in 2024: 784 of 1,000 MW (78 %) in 80 % of the time -> roughly on schedule
    assert st.loc[("pv_installed_capacity", "330600"), "status"] == "on_track"
    # pilot counties 0 -> 3: 1 in 2024 is 33 % in 80 % of the time -> lagging
    assert st.loc[("pilot_counties", "330600"), "status"] == "lagging"
    assert st.loc[("non_fossil_share", "330600"), "status"] == "no_data"


def test_page_is_self_contained_and_has_every_cell(report_dir):
    out, _ = report_dir
    html = (out / "index.html").read_text(encoding="utf-8")
    # no script, no stylesheet/image/font link: nothing to fetch (xmlns is a name, not a request)
    assert "<script" not in html and "<link" not in html and "@import" not in html and "url(" not in html
    assert not [u for u in re.findall(r"(?:src|href)=\"([^\"]+)\"", html) if not u.startswith("#")]
    cells = re.findall(
        r'<td class="cell status-(\w+)" data-indicator="(\w+)" data-unit="([\w-]+)" '
        r'data-status="\w+" data-colour="(#\w+)"',
        html,
    )
    shown = [i.id for i in load_plan().indicators if i.show]
    assert {(i, u) for _, i, u, _ in cells} == {(i, u) for i in shown for u in UNITS}
    for status, _, _, colour in cells:
        assert CATEGORIES[status][2] == colour
    for c in COUNTIES:
        assert f'id="county-{c.adcode}"' in html and c.name_zh in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="map"') == len(COUNTIES)
    # the sponge chart: a bar per unit (8), a target tick per unit with a target (8), the PV trend line
    sponge = html.split('id="ind-sponge_coverage"')[1].split('class="indicator"')[0]
    assert sponge.count('<rect x="120"') == 8 and sponge.count('stroke="#1f2328" stroke-width="2"') == 8
    assert "<polyline" in html.split('id="ind-pv_installed_capacity"')[1].split('class="indicator"')[0]


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (apt-get install poppler-utils)"
)
def test_pdf_has_every_county_and_indicator_in_chinese(report_dir):
    out, _ = report_dir
    pytest.importorskip("weasyprint")
    text = subprocess.run(
        ["pdftotext", str(out / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    compact = re.sub(r"\s+", "", text)
    for c in COUNTIES:
        assert c.name_zh in compact
    for ind in load_plan().indicators:
        if ind.show:
            assert re.sub(r"\s+", "", ind.name_zh) in compact, ind.name_zh
    info = subprocess.run(
        ["pdfinfo", str(out / "report.pdf")], capture_output=True, text=True, check=True
    ).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    # a landscape summary, the indicator pages, one page per county (6)
    assert 6 + 2 <= pages <= 30
    assert "第 1 /" in text and "数据日期" in text


# --- the command and the build -----------------------------------------------------------------
def _cli(*args: str) -> subprocess.CompletedProcess:
    import sys

    code = "from sxgeo.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)


def test_report_command_on_another_plan(tmp_path):
    plan = tmp_path / "plan15.yaml"
    plan.write_text(PLAN_15, encoding="utf-8")
    out = tmp_path / "r"
    out.mkdir()
    # the planner enters 150 zero-carbon villages in 2027: 50 of the 100 planned (50 %) in 40 % of 2025-2030
    (out / hist.HISTORY_FILE).write_text(
        "indicator,unit_code,year,value,unit,origin,source\npilot_villages,330600,2027,150,个,entered,县农业农村局\n",
        encoding="utf-8",
    )
    proc = _cli("report", "--plan", str(plan), "-o", str(out), "--no-pdf", "--year", "2027")
    assert proc.returncode == 0, proc.stderr
    assert "快于预期" in proc.stdout and "零碳示范村" in proc.stdout
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'data-indicator="pilot_villages" data-unit="330600" data-status="faster"' in html
    assert "十五五" in html
    # the entered row is kept
    assert "县农业农村局" in (out / hist.HISTORY_FILE).read_text(encoding="utf-8-sig")
    bad = _cli("report", "--plan", str(tmp_path / "missing.yaml"), "-o", str(out), "--no-pdf")
    assert bad.returncode == 1 and "missing.yaml" in bad.stderr and "Traceback" not in bad.stderr


@pytest.fixture(scope="module")
def demo_report(demo_build):
    """The session's demo build (conftest.py), whose history holds 1,850 MW of PV entered for 2024."""
    return demo_build.out, demo_build.stdout


def _cell(html: str, code: str, indicator: str) -> str:
    section = html.split(f'id="county-{code}"')[1].split("</section>")[0]
    row = section.split(f'<tr data-indicator="{indicator}">')[1].split("</tr>")[0]
    return re.search(r'<td class="num value">([^<]*)</td>', row).group(1)


def test_build_writes_history_and_report(demo_report):
    from sxgeo.report.page import fmt

    out, stdout = demo_report
    assert (out / "report" / "index.html").exists() and (out / "report" / "demo_report.xlsx").exists()
    history = hist.read_history(out / hist.HISTORY_FILE, load_plan())
    computed = history[history["origin"] == "computed"]
    assert set(computed["indicator"]) == {i.id for i in load_plan().indicators if not i.entered}
    assert set(computed["year"]) == {2025} and (computed["inputs_sha256"].str.len() == 16).all()
    assert "示例 example" in set(history["source"])  # the planner's row stays
    # county sections show the capability tables' values
    html = (out / "report" / "index.html").read_text(encoding="utf-8")
    sponge = pd.read_csv(out / "demo_sponge_coverage.csv", dtype={"unit_code": str}).set_index("unit_code")
    wet = pd.read_csv(out / "demo_carbon_wetlands.csv", dtype={"unit_code": str}).set_index("unit_code")
    forest = pd.read_csv(out / "demo_carbon_forest.csv", dtype={"unit_code": str}).set_index("unit_code")
    for c in COUNTIES:
        assert _cell(html, c.adcode, "sponge_coverage") == fmt(sponge.loc[c.adcode, "coverage_pct"])
        assert _cell(html, c.adcode, "wetland_protection_rate") == fmt(
            wet.loc[c.adcode, "protection_rate_pct"]
        )
        assert _cell(html, c.adcode, "forest_cover") == fmt(forest.loc[c.adcode, "forest_cover_pct"])
    # the terminal ends with the status table; PV 1,850 MW in 2024 is 78 % of the change in 80 % of the time
    assert "光伏发电装机容量" in stdout and "基本符合预期" in stdout
    # the PV gap: the largest roofs listed cover 2,066 - 1,850 = 216 MW
    book = pd.read_excel(out / "report" / "demo_report.xlsx", sheet_name=None)
    gap = next(t for name, t in book.items() if name.startswith("gap_") and "mwp" in t.columns)
    assert gap["mwp"].iloc[-1] >= 216 - 1e-6
    # the wetland gap: counties below 60.6 % list wetlands from the per-wetland table, which adds up to the
    # per-county table; each county's list ends when its rate after protection reaches 60.6 %
    features = pd.read_csv(out / "demo_carbon_wetland_features.csv", dtype={"unit_code": str})
    sums = features.groupby("unit_code")["protected_area_ha"].sum()
    assert (sums - wet.loc[sums.index, "protected_area_ha"]).abs().max() < 0.05
    wgap = next(t for name, t in book.items() if name.startswith("gap_") and "wetland_id" in t.columns)
    behind = {
        c for c in wet.index if c in {x.adcode for x in COUNTIES} and wet.loc[c, "protection_rate_pct"] < 60.6
    }
    assert set(wgap["unit_code"].astype(str)) - {"330600"} == behind
    last = wgap.groupby("unit_code").tail(1)
    assert (last["rate_after_pct"] >= 60.6).all() and last["closes_gap"].all()
    # pilots: no village entered, so 1 (2020) -> 100 needs 99 candidates, the existing pilot not among them
    villages = pd.read_csv(out / "demo_pilots_villages.csv", dtype={"code": str})
    pgap = next(t for name, t in book.items() if "gap" in t.columns and (t["gap"] == 99).all())
    assert len(pgap) == 99 and pgap["code"].astype(str).is_unique and pgap["closes_gap"].iloc[-1]
    assert not set(pgap["code"].astype(str)) & set(villages.loc[villages["fixed"], "code"])


def _pv_history(*rows: tuple[int, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"indicator": "pv_installed_capacity", "unit_code": "330600", "year": y, "value": v}
            for y, v in rows
        ]
    ).reindex(columns=list(hist.HISTORY_COLUMNS), fill_value="")


def test_installing_the_listed_roofs_closes_the_pv_gap(counties):
    """1,850 MW in 2024 is 216 MW short of 2,066 MW; entering 1,850 + the listed MWp for 2025 meets it."""
    roofs = pd.DataFrame(
        {
            "capacity_kwp": [90_000.0, 80_000.0, 200_000.0, 50_000.0, 30_000.0],
            "suitable": [True, True, False, True, True],
        }
    )

    def report(*rows: tuple[int, float]) -> tuple[str, dict[str, pd.DataFrame]]:
        data = make_report(
            load_plan(), _pv_history(*rows), counties, year=2025, tables={"pv_buildings": roofs}
        )
        st = data.status.set_index(["indicator", "unit_code"])
        pv = {k: t for k, t in data.gaps.items() if "mwp" in t.columns}
        return str(st.loc[("pv_installed_capacity", "330600"), "status"]), pv

    status, gaps = report((2024, 1850.0))
    ((title, table),) = gaps.items()
    assert status == "on_track" and "216 MW" in title
    # the largest suitable roofs: 90 + 80 + 50 = 220 MWp >= 216 (the 200 MWp roof is unsuitable)
    city = table.set_index("county").loc["330600"]
    assert (city["roofs"], city["mwp"]) == (3, 220.0)
    # installed: the listed MWp entered as the 2025 value -> met, and no gap left to list
    status, gaps = report((2024, 1850.0), (2025, 1850.0 + city["mwp"]))
    assert status == "met" and not gaps
    # one listed roof fewer (the 50 MWp) does not close it
    status, gaps = report((2024, 1850.0), (2025, 1850.0 + city["mwp"] - 50.0))
    assert status == "lagging" and len(gaps) == 1


def _squares(counties, layout: dict[str, list[tuple[str, float]]]) -> tuple[list[str], list[str], list]:
    """Squares of the given hectares side by side from a county's representative point (EPSG:4549)."""
    import shapely

    metric = counties.to_crs(4549).set_index("adcode")
    ids, codes, geoms = [], [], []
    for code, items in layout.items():
        x, y = metric.loc[code].geometry.representative_point().coords[0]
        for key, ha in items:
            side = (ha * 1e4) ** 0.5
            ids.append(key)
            codes.append(code)
            geoms.append(shapely.box(x, y, x + side, y + side))
            x += side + 50
    return ids, codes, geoms


def test_protecting_the_listed_wetlands_meets_the_protection_rate(counties):
    """Mark the listed wetlands protected and recompute: the county and the city reach 60.6 %."""
    import geopandas as gpd

    from sxgeo.carbon.wetlands import wetland_tables
    from sxgeo.report.gaps import wetland_gap

    # 诸暨市: A 20 ha protected; B 30, C 25 (lakes/river), E 20 (mudflat) unprotected, a 500 ha paddy
    # (not in the rate's base); 嵊州市: F 100 ha protected, G 10 ha unprotected
    layout = {
        "330681": [("A", 20), ("B", 30), ("C", 25), ("E", 20), ("P", 500)],
        "330683": [("F", 100), ("G", 10)],
    }
    ids, _, geoms = _squares(counties, layout)
    kinds = {"A": "lake_reservoir", "B": "lake_reservoir", "C": "river_canal", "E": "mudflat", "P": "paddy"}
    wetlands = gpd.GeoDataFrame(
        {
            "wetland_id": ids,
            "wetland_type": [kinds.get(i, "lake_reservoir") for i in ids],
            "protected": [i in ("A", "F") for i in ids],
        },
        geometry=geoms,
        crs=4549,
    )

    def run(protected: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        w = wetlands.assign(protected=wetlands["wetland_id"].isin(protected))
        per, _, features = wetland_tables(w, counties)
        # the per-wetland rows add up to the per-county table
        sums = features.groupby("unit_code")[["base_area_ha", "protected_area_ha"]].sum()
        joined = per.set_index("unit_code").loc[sums.index, ["base_area_ha", "protected_area_ha"]]
        assert (sums - joined).abs().max().max() < 0.05
        return per.set_index("unit_code"), wetland_gap(features, per, 60.6)

    before, gap = run({"A", "F"})
    assert before.loc["330681", "protection_rate_pct"] == pytest.approx(100 * 20 / 95, abs=0.01)
    # 诸暨市: 20 / 95 ha = 21.1 %; 60.6 % needs 57.6 - 20 = 37.6 ha: B (30) then C (25); paddy never listed
    zhuji = gap[gap["unit_code"] == "330681"]
    assert list(zhuji["wetland_id"]) == ["B", "C"]
    assert zhuji["gap_ha"].iloc[0] == pytest.approx(0.606 * 95 - 20, abs=0.05)
    assert list(zhuji["closes_gap"]) == [False, True] and zhuji["cumulative_ha"].iloc[-1] == pytest.approx(
        55, abs=0.05
    )
    assert zhuji["target_of"].iloc[0] == "city"
    # 嵊州市 is at 90.9 %: nothing listed; the city (120 / 205 ha = 58.5 %) needs 4.2 ha: B alone
    assert "330683" not in set(gap["unit_code"])
    assert list(gap.loc[gap["unit_code"] == "330600", "wetland_id"]) == ["B"]

    after, gap_after = run({"A", "F", *zhuji["wetland_id"]})
    assert (
        after.loc["330681", "protection_rate_pct"] >= 60.6
        and after.loc["330600", "protection_rate_pct"] >= 60.6
    )
    assert gap_after.empty
    fewer, _ = run({"A", "F", *zhuji["wetland_id"].iloc[:-1]})
    assert fewer.loc["330681", "protection_rate_pct"] < 60.6


def test_selecting_the_listed_pilot_candidates_reaches_the_count(counties):
    """Towns: 4 pilots entered for 2024, 10 planned; the 6 next in line, entered as created, meet it."""
    towns = pd.DataFrame(
        {
            "code": [f"t{i}" for i in range(1, 11)],
            "name": [f"镇{i}" for i in range(1, 11)],
            "county_adcode": "330681",
            "score": [90, 85, 80, 75, 70, 65, 60, 55, 50, 45],
            "rank": [1, 2, 3, 4, 5, 6, 7, 8, float("nan"), 9],
            # the selection chose t1-t3 and t6 (t4, t5 lost to a quota); t2 is an existing pilot
            "selected": [True, True, True, False, False, True, False, False, False, False],
            "fixed": [False, True, False, False, False, False, False, False, False, False],
            "gate": ["", "", "", "", "", "", "", "", "no ledger", ""],
        }
    )

    def report(value_2025: float | None) -> tuple[str, pd.DataFrame | None]:
        rows = [("pilot_towns", "330600", 2024, 4.0)]
        if value_2025 is not None:
            rows.append(("pilot_towns", "330600", 2025, value_2025))
        history = pd.DataFrame(
            [{"indicator": a, "unit_code": b, "year": c, "value": d} for a, b, c, d in rows]
        ).reindex(columns=list(hist.HISTORY_COLUMNS), fill_value="")
        data = make_report(load_plan(), history, counties, year=2025, tables={"pilots_towns": towns})
        status = data.status.set_index(["indicator", "unit_code"]).loc[("pilot_towns", "330600"), "status"]
        gap = next((t for k, t in data.gaps.items() if "pilots (towns)" in k), None)
        return str(status), gap

    status, gap = report(None)
    # 6 short: the chosen t1, t3, t6 by rank, then t4, t5, t7 (t2 exists already, t9 fails a gate)
    assert status == "lagging" and list(gap["code"]) == ["t1", "t3", "t6", "t4", "t5", "t7"]
    assert list(gap["count_after"]) == [5, 6, 7, 8, 9, 10] and list(gap["closes_gap"]) == [False] * 5 + [True]
    status, gap = report(4 + len(gap))
    assert status == "met" and gap is None
    assert report(4 + 5)[0] == "lagging"  # one fewer does not


def test_planting_the_listed_parcels_meets_forest_cover(tmp_path):
    """Plant the listed parcels (add them as stands) and recompute: the city reaches 55.16 %."""
    import geopandas as gpd
    import numpy as np
    import rasterio
    import shapely
    from rasterio.transform import from_origin

    from sxgeo.carbon import stands as st
    from sxgeo.carbon.landcover import check_pools, plantable_parcels
    from sxgeo.report.gaps import forest_gap

    x0, y0 = 500_000.0, 3_320_000.0
    codes = [c.adcode for c in COUNTIES]  # six 3 km squares in a row: 900 ha each, 5,400 ha in all
    counties = gpd.GeoDataFrame(
        {"adcode": codes},
        geometry=[shapely.box(x0 + 3000 * i, y0, x0 + 3000 * (i + 1), y0 + 3000) for i in range(6)],
        crs=4549,
    )
    # 30 m land cover: 1 forest (the last three squares), 2 cropland, 5 shrub, 6 grass
    lc = np.full((100, 600), 2, dtype=np.uint8)
    lc[:, 300:] = 1
    lc[10:50, 10:50] = 5  # A: 1,600 px = 144 ha in the first square
    lc[10:50, 110:140] = 6  # B: 1,200 px = 108 ha in the second
    lc[60:80, 210:240] = 5  # C: 600 px = 54 ha in the third
    lc[60:70, 60:70] = 5  # D: 9 ha
    lc[20:40, 320:340] = 6  # grass inside a stand: already forest, never a candidate
    path = tmp_path / "lc.tif"
    profile = {
        "driver": "GTiff",
        "count": 1,
        "dtype": "uint8",
        "crs": "EPSG:4549",
        "width": 600,
        "height": 100,
    }
    with rasterio.open(path, "w", transform=from_origin(x0, y0 + 3000, 30.0, 30.0), **profile) as d:
        d.write(lc, 1)
    pools = check_pools(
        pd.DataFrame(
            {
                "lucode": [1, 2, 5, 6],
                "lulc_name": ["forest", "cropland", "shrub", "grass"],
                "kind": ["forest", "crop", "shrub", "grass"],
                "c_above": [20.0, 2.0, 3.0, 1.0],
                "c_below": [5.0, 1.0, 1.0, 1.0],
                "c_soil": [100.0, 44.0, 60.0, 50.0],
                "c_dead": [3.0, 0.0, 0.0, 0.0],
            }
        )
    )
    stands = gpd.GeoDataFrame(
        {"forest_type": ["special_shrub"] * 3}, geometry=list(counties.geometry.iloc[3:]), crs=4549
    )  # 2,700 ha: 50.0 % cover

    def cover(with_stands: gpd.GeoDataFrame) -> pd.DataFrame:
        summary, _ = st.county_summary(st.stand_carbon(with_stands), counties, draws=10)
        return summary

    def parcels(with_stands: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        with rasterio.open(path) as src:
            return plantable_parcels(src, pools, counties, stands=with_stands)

    summary, candidates = cover(stands), parcels(stands)
    assert summary.set_index("unit_code").loc["330600", "forest_cover_pct"] == pytest.approx(50.0)
    # shrub and grass only (no cropland), outside the stands, largest first
    assert list(candidates["area_ha"]) == pytest.approx([144.0, 108.0, 54.0, 9.0])
    gap = forest_gap(summary, candidates, 55.16)
    # 55.16 % of 5,400 ha = 2,978.6 ha: 278.6 ha short; A + B = 252 ha is not enough, + C = 306 ha is
    assert gap["gap_ha"].iloc[0] == pytest.approx(0.5516 * 5400 - 2700, abs=0.01)
    assert list(gap["area_ha"]) == pytest.approx([144.0, 108.0, 54.0])
    assert list(gap["closes_gap"]) == [False, False, True]

    def planted(ids: list[str]) -> gpd.GeoDataFrame:
        new = candidates[candidates["parcel_id"].isin(ids)]
        return pd.concat(
            [
                stands,
                gpd.GeoDataFrame(
                    {"forest_type": ["special_shrub"] * len(new)}, geometry=list(new.geometry), crs=4549
                ),
            ]
        )

    listed = list(gap["parcel_id"])
    after = cover(planted(listed))
    assert after.set_index("unit_code").loc["330600", "forest_cover_pct"] >= 55.16
    assert forest_gap(after, parcels(planted(listed)), 55.16).empty
    assert len(parcels(planted(listed))) == 1  # only D is left to plant
    assert cover(planted(listed[:-1])).set_index("unit_code").loc["330600", "forest_cover_pct"] < 55.16


# ---- issue-20-tables: the history table as planners type it ----------------------------------------


def test_history_duplicate_rows_are_refused_naming_both(tmp_path):
    path = tmp_path / "indicator_history.csv"
    path.write_text(
        "indicator,unit_code,year,value,unit,origin\n"
        "sponge_coverage,330600,2023,30,%,entered\n"
        "sponge_coverage,330602,2023,31,%,entered\n"
        "sponge_coverage,330600,2023,35,%,entered\n",
        encoding="utf-8",
    )
    with pytest.raises(SchemaError, match=r"rows 2, 4 give sponge_coverage for 330600 in 2023 twice"):
        hist.read_history(path)


def test_history_unknown_indicator_names_the_closest_known_id(tmp_path):
    path = tmp_path / "indicator_history.csv"
    path.write_text("indicator,unit_code,year,value\nsponge_coverge,330600,2023,30\n", encoding="utf-8")
    with pytest.raises(
        SchemaError, match=r"row 2: indicator 'sponge_coverge'.*did you mean 'sponge_coverage'"
    ):
        hist.read_history(path, load_plan())


def test_history_gbk_file_with_codes_as_numbers_and_names(tmp_path):
    path = tmp_path / "indicator_history.csv"
    text = (
        "indicator,unit_code,year,value,unit,source\n"
        "sponge_coverage,330600.0,2023,30,%,住建局年报\n"
        "sponge_coverage,越城区,2023,31,%,住建局年报\n"
        "sponge_coverage,绍兴市,2024,33,%,住建局年报\n"
    )
    path.write_bytes(text.encode("gbk"))  # Excel's "CSV" on a Chinese Windows
    back = hist.read_history(path, load_plan())
    assert back["unit_code"].tolist() == ["330600", "330602", "330600"]
    assert back["source"].iloc[0] == "住建局年报"
    assert hist.series(back, "sponge_coverage", "330600") == [(2023, 30.0), (2024, 33.0)]


def test_history_code_in_scientific_notation_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "indicator_history.csv"
    path.write_text("indicator,unit_code,year,value\nsponge_coverage,3.30603E+11,2023,30\n", encoding="utf-8")
    with pytest.raises(
        SchemaError, match=r"row 2 column unit_code: '3.30603E\+11' lost its last 6 digits.*as text"
    ):
        hist.read_history(path)
