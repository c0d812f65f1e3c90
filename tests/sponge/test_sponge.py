"""Sponge city: the validation cases of reference/sponge.md §6 and hand-checkable geometry."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from sxgeo import crs as sxcrs
from sxgeo.sponge import (
    CHENGDU_2015,
    assess_zones,
    coverage,
    coverage_table,
    curve_from_daily,
    zone_coverage,
)

KM = 1000.0
X0, Y0 = 500_000.0, 3_300_000.0


def box_km(x0: float, y0: float, w: float, h: float) -> shapely.Polygon:
    """A rectangle in EPSG:4549 given in km from (X0, Y0)."""
    return shapely.box(X0 + x0 * KM, Y0 + y0 * KM, X0 + (x0 + w) * KM, Y0 + (y0 + h) * KM)


def fake_counties() -> gpd.GeoDataFrame:
    """Six 30 km x 30 km counties side by side (so every area is known by hand)."""
    codes = ["330602", "330603", "330604", "330681", "330683", "330624"]
    return gpd.GeoDataFrame(
        {"adcode": codes}, geometry=[box_km(30 * i, 0, 30, 30) for i in range(6)], crs=sxcrs.METRIC
    )


def gdf(geoms, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=sxcrs.METRIC)


# ---------------------------------------------------------------- 6.3 the H-alpha curve
def test_curve_case_6_3():
    curve = curve_from_daily([3, 5, 10, 20, 40])
    assert curve.alpha_at(10) == pytest.approx(38 / 78)  # 0.487
    assert curve.alpha_at(20) == pytest.approx(58 / 78)  # 0.744
    assert curve.alpha_at(40) == pytest.approx(1.0)
    assert curve.alpha_at(80) == pytest.approx(1.0)
    # alpha is a volume share rising with H (a 1 - rank/(n+1) script gives 0.333 then 0.167)
    assert curve.alpha_at(10) < curve.alpha_at(20)


def test_curve_drops_days_at_or_below_2mm_and_inverts():
    with_drizzle = curve_from_daily([0.0, 1.0, 2.0, 3, 5, 10, 20, 40, np.nan])
    assert with_drizzle.alpha_at(10) == pytest.approx(38 / 78)
    # between sorted days alpha is linear in H: alpha(15) = (3 + 5 + 10 + 2*15) / 78
    assert with_drizzle.alpha_at(15) == pytest.approx(48 / 78)
    assert with_drizzle.depth_for(48 / 78) == pytest.approx(15)
    assert np.isnan(with_drizzle.depth_for(1.2))


# ---------------------------------------------------------------- 6.1 and 6.2 the volume method
def chengdu_zone():
    """The Chengdu road example: 5 ha, green 17,000 m2, concrete 18,000 m2, permeable 15,000 m2."""
    zone = gdf([box_km(0, 0, 0.5, 0.1)], zone_id=["chengdu"])
    cover = gdf(
        [box_km(0, 0, 0.17, 0.1), box_km(0.17, 0, 0.18, 0.1), box_km(0.35, 0, 0.15, 0.1)],
        cover=["green", "paved", "permeable"],
        psi=[0.15, 0.9, 0.25],  # the example's concrete value (our table default is 0.85)
    )
    return zone, cover


def test_chengdu_volume_case_6_1():
    zone, cover = chengdu_zone()
    result = assess_zones(zone, cover, gdf([]), CHENGDU_2015, alpha_target=0.85, baseline_credit=False)
    row = result.zones.iloc[0]
    assert row["psi"] == pytest.approx(0.45)
    # V = 10 * H * psi * F = 10 * 40.7 mm * 0.45 * 5 ha
    assert row["extra_storage_m3"] == pytest.approx(915.75)
    assert not row["passes"]


def test_inversion_case_6_2():
    zone, cover = chengdu_zone()
    tank = gdf([shapely.Point(X0 + 100, Y0 + 50)], type=["tank"], volume_m3=[600.0], status=["completed"])
    result = assess_zones(zone, cover, tank, CHENGDU_2015, alpha_target=0.75, baseline_credit=False)
    row = result.zones.iloc[0]
    assert row["h_eq_mm"] == pytest.approx(600 / (10 * 0.45 * 5), abs=0.01)  # 26.67 mm
    # between 75% at 26.1 mm and 80% at 32.7 mm
    assert row["alpha_pct"] == pytest.approx(75 + 5 * (600 / 22.5 - 26.1) / 6.6, abs=0.01)  # 75.43
    assert row["passes"] and row["extra_storage_m3"] == 0


def test_facility_storage_infiltration_and_cap():
    zone, cover = chengdu_zone()
    garden = gdf(
        [box_km(0.01, 0.01, 0.02, 0.01)],  # 200 m2 polygon
        type=["bioretention"],
        status=["accepted"],
        k_m_s=[1e-5],
    )
    result = assess_zones(zone, cover, garden, CHENGDU_2015, alpha_target=0.75, baseline_credit=False)
    fac = result.facilities.iloc[0]
    assert fac["v_storage_m3"] == pytest.approx(200 * 0.25)  # 250 mm default ponding depth
    assert fac["v_infiltration_m3"] == pytest.approx(1e-5 * 200 * 7200)  # K * A * 2 h
    assert bool(fac["assumed"])  # depth came from the defaults table
    capped = garden.assign(catch_area_m2=100.0)
    fac = assess_zones(zone, cover, capped, CHENGDU_2015, baseline_credit=False).facilities.iloc[0]
    # a facility cannot control more than its catchment sends: 10 * 40.7 * 0.45 * 0.01 ha
    assert fac["v_in_m3"] == pytest.approx(10 * 40.7 * 0.45 * 0.01, abs=0.01) and bool(fac["capped"])


def test_planned_facilities_only_in_what_if_and_flags():
    zone, cover = chengdu_zone()
    zone["ponding_ok"] = [None]
    zone["water_quality_ok"] = [False]
    tank = gdf([shapely.Point(X0 + 100, Y0 + 50)], type=["tank"], volume_m3=[2000.0], status=["planned"])
    now = assess_zones(zone, cover, tank, CHENGDU_2015, alpha_target=0.75, baseline_credit=False)
    assert now.zones.iloc[0]["facilities"] == 0
    future = assess_zones(zone, cover, tank, CHENGDU_2015, alpha_target=0.75, include_planned=True)
    row = future.zones.iloc[0]
    assert row["alpha_pct"] == pytest.approx(85.0)  # the Chengdu table stops at 85%
    assert not row["passes"] and "water_quality_ok = false" in row["fail_reasons"]
    assert "ponding_ok" in row["unknown_flags"]
    zone["water_quality_ok"] = [True]
    lenient = assess_zones(zone, cover, tank, CHENGDU_2015, include_planned=True).zones.iloc[0]
    strict = assess_zones(zone, cover, tank, CHENGDU_2015, include_planned=True, strict=True).zones.iloc[0]
    assert lenient["passes"] and not strict["passes"]
    assert "ponding_ok unknown (strict)" in strict["fail_reasons"]


def test_baseline_credit_is_an_option_off_by_default_and_zone_target_override():
    zone, cover = chengdu_zone()
    zone["alpha_target"] = [50]  # percent is accepted
    plain = assess_zones(zone, cover, gdf([]), CHENGDU_2015).zones.iloc[0]
    # GB/T 51345-2018 volume method: no facility, no controlled volume, alpha 0
    assert plain["alpha_pct"] == 0 and not plain["passes"]
    assert any("no 1 - psi floor" in n for n in assess_zones(zone, cover, gdf([]), CHENGDU_2015).notes)
    row = assess_zones(zone, cover, gdf([]), CHENGDU_2015, baseline_credit=True).zones.iloc[0]
    assert row["alpha_pct"] == pytest.approx(55.0)  # 1 - psi with no facility
    assert row["alpha_target_pct"] == 50 and row["target_source"] == "sub-zone attribute alpha_target"
    assert row["passes"]


def test_permeable_paving_is_credited_once():
    """Chengdu paving (15,000 m2, psi 0.25) entered as a facility too adds nothing without a base depth."""
    zone, cover = chengdu_zone()
    tank = gdf([shapely.Point(X0 + 100, Y0 + 50)], type=["tank"], volume_m3=[600.0], status=["completed"])
    paving = gdf([box_km(0.35, 0, 0.15, 0.1)], type=["permeable_pav"], status=["completed"])
    both = pd.concat([tank, paving], ignore_index=True)
    row = assess_zones(zone, cover, both, CHENGDU_2015, alpha_target=0.75).zones.iloc[0]
    # before: + K*A*t = 1e-6 * 15,000 * 7,200 = 108 m3 and alpha 79.07%; credited through psi only: 75.43%
    assert row["v_controlled_m3"] == pytest.approx(600.0)
    assert row["alpha_pct"] == pytest.approx(75 + 5 * (600 / 22.5 - 26.1) / 6.6, abs=0.01)
    based = both.assign(depth_mm=[np.nan, 200.0])  # a 200 mm base layer, void ratio 0.3: 900 m3
    result = assess_zones(zone, cover, based, CHENGDU_2015, alpha_target=0.75)
    fac = result.facilities.set_index("type")
    assert fac.loc["permeable_pav", "v_storage_m3"] == pytest.approx(15_000 * 0.2 * 0.3)
    assert fac.loc["permeable_pav", "v_infiltration_m3"] == 0
    # the base layer's 900 m3 is reported but not added to the psi credit: still the tank's 600 m3 alone
    assert not fac.loc["permeable_pav", "counted"] and fac.loc["permeable_pav", "v_in_m3"] == 0
    row = result.zones.iloc[0]
    assert row["v_controlled_m3"] == pytest.approx(600.0) and row["facilities"] == 1
    assert row["alpha_pct"] == pytest.approx(75 + 5 * (600 / 22.5 - 26.1) / 6.6, abs=0.01)


def test_regulating_storage_and_swales_are_excluded_by_default_and_counted_on_request():
    """技术指南 2014 附录1: the control volume leaves regulating (调节) storage out; a swale is conveyance."""
    zone, cover = chengdu_zone()
    pond = gdf(
        [shapely.Point(X0 + 100, Y0 + 50)], type=["detention_pond"], volume_m3=[600.0], status=["completed"]
    )
    swale = gdf([box_km(0.01, 0.01, 0.02, 0.01)], type=["swale"], status=["completed"])  # 200 m2
    both = pd.concat([pond, swale], ignore_index=True)
    default = assess_zones(zone, cover, both, CHENGDU_2015)
    row = default.zones.iloc[0]
    assert row["v_controlled_m3"] == 0 and row["facilities"] == 0 and row["alpha_pct"] == 0
    assert not default.facilities["counted"].any()
    assert any(
        "regulating (调节) storage excluded" in n and "--include-regulating" in n for n in default.notes
    )
    included = assess_zones(zone, cover, both, CHENGDU_2015, exclude_regulating=False)
    # pond 600 m3 + swale 200 m2 x 150 mm + K A t = 30 + 1e-6 x 200 x 7200 = 1.44: 631.44 m3
    assert included.zones.iloc[0]["v_controlled_m3"] == pytest.approx(600 + 30 + 1.44)
    assert included.zones.iloc[0]["facilities"] == 2
    assert any("detention-pond and swale storage count" in n for n in included.notes)


def test_every_facility_type_states_whether_its_volume_counts():
    from sxgeo.data import read_param_table

    t = read_param_table("lid_facilities.csv").set_index("type")
    assert set(t["counts_toward_volume"].astype(str).str.lower()) <= {"true", "false", "verify"}
    assert t["volume_source"].str.len().gt(10).all()
    assert t.loc["detention_pond", "volume_role"] == "regulating"
    assert str(t.loc["permeable_pav", "infiltrates"]).lower() == "false"  # credited through psi


# ---------------------------------------------------------------- 6.4 the roll-up
def test_pooled_rollup_case_6_4():
    counties = fake_counties()
    # built-up and compliant per county [km2]: 越城 100/30, 柯桥 50/40, 上虞 50/5
    built = gdf([box_km(5, 5, 10, 10), box_km(35, 5, 10, 5), box_km(65, 5, 10, 5)])
    ok = gdf([box_km(5, 5, 10, 3), box_km(35, 5, 10, 4), box_km(65, 5, 10, 0.5)])
    t = coverage_table(built, ok, counties).set_index("unit_code")
    assert t.loc["330602", "coverage_pct"] == pytest.approx(30.0)
    assert t.loc["330603", "coverage_pct"] == pytest.approx(80.0)
    assert t.loc["330604", "coverage_pct"] == pytest.approx(10.0)
    assert t.loc["330600-urban", "coverage_pct"] == pytest.approx(37.5)  # 75 / 200, not the mean 40
    assert t.loc["330600-urban", "target_pct"] == 50 and t.loc["330600-urban", "status"] == "behind"
    assert t.loc["330600-urban", "gap_km2"] == pytest.approx(0.5 * 200 - 75)
    assert t.loc["330603", "status"] == "met"  # a county of the urban group is judged on the group target
    assert t.loc["330600", "baseline_pct"] == 20


def test_baseline_only_for_the_city_and_no_built_up_area_is_no_data():
    counties = fake_counties()
    t = coverage_table(gdf([box_km(5, 5, 10, 10)]), gdf([box_km(5, 5, 10, 3)]), counties).set_index(
        "unit_code"
    )
    # the plan's 20% (2020) is the city's figure: no county and not the urban group inherits it
    assert t.loc["330600", "baseline_pct"] == 20
    assert t.loc[["330602", "330603", "330624", "330600-urban"], "baseline_pct"].isna().all()
    # 柯桥 has no built-up area here: nothing to judge
    assert np.isnan(t.loc["330603", "coverage_pct"]) and t.loc["330603", "status"] == "no data"
    assert t.loc["330602", "status"] == "behind" and t.loc["unassigned", "status"] == ""


# ---------------------------------------------------------------- geometry
def test_overlapping_projects_count_once_and_outside_half_counts_half():
    counties = fake_counties()
    built = gdf([box_km(0, 0, 10, 10)])  # 100 km2 in 越城
    projects = gdf(
        [
            box_km(1, 1, 1, 1),  # 1 km2
            box_km(1.5, 1, 1, 1),  # overlaps the first by 0.5 km2
            box_km(9.5, 5, 1, 1),  # half outside the built-up area
        ]
    )
    t = coverage_table(built, projects, counties).set_index("unit_code")
    assert t.loc["330602", "compliant_km2"] == pytest.approx(1.5 + 0.5)
    assert t.loc["330602", "coverage_pct"] == pytest.approx(2.0)


def test_built_up_outside_every_county_is_unassigned():
    counties = fake_counties()
    built = gdf([box_km(170, 0, 20, 5)])  # 10 km inside 新昌 (x 150-180), 10 km outside
    t = coverage_table(built, gdf([box_km(185, 1, 1, 1)]), counties).set_index("unit_code")
    assert t.loc["330624", "built_up_km2"] == pytest.approx(50)
    assert t.loc["unassigned", "built_up_km2"] == pytest.approx(50)
    assert t.loc["unassigned", "compliant_km2"] == pytest.approx(1)
    assert t.loc["330600", "built_up_km2"] == pytest.approx(50)  # the city row is the six counties


def test_subzone_across_a_county_line_is_split_by_area():
    counties = fake_counties()
    built = gdf([box_km(20, 0, 20, 10)])  # 100 km2 in 越城 (x 20-30), 100 km2 in 柯桥 (x 30-40)
    zone = gdf([box_km(27, 0, 10, 10)], zone_id=["across"])  # 30 km2 | 70 km2
    cover = gdf([box_km(27, 0, 10, 10)], cover=["green"])
    result = assess_zones(zone, cover, gdf([]), CHENGDU_2015, baseline_credit=True)  # psi 0.15 -> 85%
    assert result.zones["passes"].all()
    t = zone_coverage(result, built, counties).set_index("unit_code")
    assert t.loc["330602", "compliant_km2"] == pytest.approx(30)
    assert t.loc["330603", "compliant_km2"] == pytest.approx(70)
    assert t.loc["330600-urban", "coverage_pct"] == pytest.approx(50)


def test_coverage_by_year_and_status():
    counties = fake_counties()
    built = gdf([box_km(0, 0, 10, 10)])
    projects = gdf(
        [box_km(0, 0, 1, 1), box_km(2, 0, 1, 1), box_km(4, 0, 1, 1), box_km(6, 0, 1, 1)],
        status=["accepted", "completed", "planned", "accepted"],
        completed_on=pd.to_datetime(["2019-06-30", "2022-01-10", "2020-01-01", None]),
    )
    t2020 = coverage(built, projects, counties=counties, year=2020)
    assert t2020.set_index("unit_code").loc["330602", "compliant_km2"] == pytest.approx(1)
    notes = " ".join(t2020.attrs["notes"])
    assert "completed after 2020" in notes and "without a completion date" in notes and "status" in notes
    t2025 = coverage(built, projects, counties=counties, year=2025)
    assert t2025.set_index("unit_code").loc["330602", "compliant_km2"] == pytest.approx(2)
    # no year: every accepted/completed project counts, dated or not
    assert (
        coverage(built, projects, counties=counties).set_index("unit_code").loc["330602", "compliant_km2"]
        == 3
    )


def test_lonlat_inputs_are_measured_in_epsg4549():
    counties = fake_counties()
    built = gdf([box_km(0, 0, 10, 10)])
    ok = gdf([box_km(0, 0, 5, 10)])
    t = coverage_table(built.to_crs(4326), ok.to_crs(4326), counties.to_crs(4326)).set_index("unit_code")
    assert t.loc["330602", "coverage_pct"] == pytest.approx(50, abs=1e-4)
    assert t.loc["330602", "built_up_km2"] == pytest.approx(100, rel=1e-6)


# --- issue-20-raster: overlapping reporting zones ------------------------------------------------------


def overlapping_zones() -> gpd.GeoDataFrame:
    """Zones as sxgeo.admin.load_zones lays them out: A (x 0-20 km) and B (x 10-30 km) share 10 × 10 km."""
    z = gdf([box_km(0, 0, 20, 10), box_km(10, 0, 20, 10)], adcode=["A", "B"], name_zh=["A", "B"])
    z["name_en"] = z["name_zh"]
    z["county_adcode"] = "330602"
    z.attrs["unit_kind"] = "zone"
    return z


def test_overlapping_zones_count_whole_and_unassigned_is_outside_their_union():
    built = gdf([box_km(0, 0, 40, 10)])  # 400 km²: 200 in A, 200 in B (100 of them in both), 100 in neither
    projects = gdf([box_km(5, 0, 10, 10)])  # 100 km² compliant: all in A, half (x 10-15) in B
    t = coverage_table(built, projects, overlapping_zones()).set_index("unit_code")
    assert t.loc["A", "built_up_km2"] == pytest.approx(200) and t.loc["A", "compliant_km2"] == pytest.approx(
        100
    )
    assert t.loc["B", "built_up_km2"] == pytest.approx(200) and t.loc["B", "compliant_km2"] == pytest.approx(
        50
    )
    assert t.loc["A", "coverage_pct"] == pytest.approx(50.0)
    assert t.loc["B", "coverage_pct"] == pytest.approx(25.0)
    # x 30-40 km lies in no zone: 100 km² (the old total-minus-sum gave 400 - 400 = 0)
    assert t.loc["unassigned", "built_up_km2"] == pytest.approx(100)
    assert t.loc["unassigned", "compliant_km2"] == pytest.approx(0)


def test_sponge_pipeline_says_overlapping_zones_are_counted_whole():
    from sxgeo._pipeline import Context
    from sxgeo.sponge import pipeline as sp

    ctx = Context(units=fake_counties(), zones=overlapping_zones(), maps=False)
    out = sp.run(ctx, {"built_up": gdf([box_km(0, 0, 40, 10)]), "compliant": gdf([box_km(5, 0, 10, 10)])})[0]
    notes = [n for n in out.notes if n.startswith("sponge_coverage_zones:")]
    assert len(notes) == 1 and "A/B 10,000.00 ha" in notes[0] and "counted whole" in notes[0]
    assert not any(n.startswith("sponge_coverage:") for n in out.notes)  # counties do not overlap


def test_overlapping_county_polygons_are_named_and_the_city_row_says_it_counts_twice():
    from sxgeo._pipeline import Context
    from sxgeo.sponge import pipeline as sp

    counties = fake_counties()
    # 柯桥 drawn 1 km too far west: it overlaps 越城 on x 29-30 km (1 km × 30 km = 3,000 ha)
    counties.loc[1, "geometry"] = box_km(29, 0, 31, 30)
    ctx = Context(units=counties, maps=False)
    out = sp.run(ctx, {"built_up": gdf([box_km(25, 0, 10, 10)]), "compliant": gdf([box_km(25, 0, 1, 1)])})[0]
    notes = [n for n in out.notes if n.startswith("sponge_coverage:")]
    assert len(notes) == 1 and "330602/330603 3,000.00 ha" in notes[0] and "city row" in notes[0]
    t = out.tables["sponge_coverage"].set_index("unit_code")
    # by hand: 越城 holds x 25-30 (50 km²), 柯桥 x 29-35 (60 km²): the 10 km² strip is in both
    assert t.loc["330602", "built_up_km2"] == pytest.approx(50)
    assert t.loc["330603", "built_up_km2"] == pytest.approx(60)
    assert t.loc["unassigned", "built_up_km2"] == pytest.approx(0)


# ---- issue 20 (branch issue-20-inputs): Chinese headers
def _zh_projects(tmp_path, **cols):
    """Five projects in a GeoPackage written by pyogrio, columns as a planner names them."""
    import pyogrio

    geoms = [
        box_km(0, 0, 4, 1),
        box_km(5, 0, 5, 1),
        box_km(11, 0, 2, 1),
        box_km(14, 0, 1, 1),
        box_km(16, 0, 1, 1),
    ]
    frame = gpd.GeoDataFrame({"名称": list("ABCDE"), **cols}, geometry=geoms, crs=sxcrs.METRIC)
    path = tmp_path / "海绵项目.gpkg"
    pyogrio.write_dataframe(frame, path)
    return pyogrio.read_dataframe(path), geoms


def test_chinese_status_and_year_columns_are_read(tmp_path, caplog):
    built = gdf([box_km(0, 0, 22, 1)])
    projects, geoms = _zh_projects(
        tmp_path,
        状态=["已完成", "已竣工", "在建", "在建", "规划"],
        完成年份=["2019", "2021年", None, None, None],
    )
    # the truth, with shapely only: the completed A and B over the 22 km² built-up area
    done = shapely.union_all(geoms[:2]).intersection(built.geometry[0]).area
    every = shapely.union_all(geoms).intersection(built.geometry[0]).area
    truth = 100 * done / built.geometry[0].area
    assert truth == pytest.approx(40.909, abs=1e-3) and 100 * every / built.geometry[0].area == pytest.approx(
        59.091, abs=1e-3
    )
    with caplog.at_level("INFO"):
        t = coverage(built, projects, counties=fake_counties(), year=2022)
    row = t.set_index("unit_code").loc["330602"]
    assert row["coverage_pct"] == pytest.approx(truth, abs=0.005)  # the table rounds to 0.01
    assert row["status"] == ("behind" if truth < row["target_pct"] else "met")
    notes = " | ".join(t.attrs["notes"])
    assert "projects counted: 2 of 5" in notes and "'状态'" in notes and "'完成年份'" in notes
    assert "'状态'" in caplog.text


def test_chinese_date_column_and_unknown_status(tmp_path):
    built = gdf([box_km(0, 0, 22, 1)])
    projects, _ = _zh_projects(
        tmp_path,
        建设状态=["已验收", "完工", "已完成", "暂停", "拟建"],
        验收日期=["2020-06-30", "2023/1/5", "2021-12-31", None, None],
    )
    t = coverage(built, projects, counties=fake_counties(), year=2022)
    # A (4 km²) accepted 2020 and C (2 km²) completed 2021; B is completed in 2023
    assert t.set_index("unit_code").loc["330602", "compliant_km2"] == pytest.approx(6)
    notes = " | ".join(t.attrs["notes"])
    assert "not recognised" in notes and "暂停" in notes and "拟建" not in notes.split("not recognised")[1]


def test_no_status_column_is_said_loudly(tmp_path, caplog):
    built = gdf([box_km(0, 0, 22, 1)])
    projects, _ = _zh_projects(tmp_path, 进度说明=["好"] * 5)
    with caplog.at_level("WARNING"):
        t = coverage(built, projects, counties=fake_counties(), year=2022)
    assert "no project status column" in caplog.text and "进度说明" in caplog.text
    notes = " | ".join(t.attrs["notes"])
    assert "no project status column" in notes and "no completion date column" in notes
