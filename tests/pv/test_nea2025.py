"""Rooftop PV under 国能发新能规〔2025〕7号: project types, grid modes, caps, self-use bound, by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from sxgeo import crs as sxcrs
from sxgeo import pv
from sxgeo.errors import SchemaError
from sxgeo.pv import nea2025
from sxgeo.pv.aggregate import assign_points

X0, Y0 = 500_000.0, 3_320_000.0


def roofs(*sides: float, **cols: object) -> gpd.GeoDataFrame:
    """Square roofs of the given sides [m], 1 km apart, in EPSG:4549."""
    geoms = [shapely.box(X0 + 1000 * i, Y0, X0 + 1000 * i + s, Y0 + s) for i, s in enumerate(sides)]
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=sxcrs.METRIC)


def potential(b: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return pv.building_potential(b, fixed_yield_kwh_kwp=1000)


COMMERCIAL_KWP_M2 = 0.70 * 1.0 * 0.65 * 200 / 1000
"""commercial flat roof, shipped parameters: u 0.70 × non-north 1 × c 0.65 × 200 W/m² = 0.091 kWp/m²."""


def test_a_roof_of_each_type_gets_its_type_and_modes():
    b = roofs(
        20, 20, 100, 300,
        use=["农房", "住宅", "商业", "工业"],
        owner_type=["自然人", "企业", "", ""],
    )  # fmt: skip
    r = nea2025.classify(potential(b)).roofs
    assert list(r["nea2025_type"]) == [
        "natural_person_household", "non_natural_person_household", "general_ci", "large_ci",
    ]  # fmt: skip
    assert list(r["grid_modes_allowed"]) == [
        "full_feed_in|full_self_use|self_use_surplus",
        "full_feed_in|full_self_use|self_use_surplus",
        "full_self_use|self_use_surplus",  # general C&I: never full feed-in
        "full_self_use",
    ]
    # 300 m steel roof: 90,000 m² × 0.80 × 0.90 × 200 W/m² / cos 5° = 13.01 MWp > 6: large C&I at 35 kV
    assert r["project_mwp"].iloc[3] == pytest.approx(
        90_000 * 0.8 * 0.9 * 0.2 / np.cos(np.radians(5)) / 1000, rel=1e-4
    )
    assert r["grid_kv"].iloc[3] == 35 and r["kv_assumed"].iloc[3] and not r["over_cap"].iloc[3]
    assert r["grid_kv"].iloc[0] == 0.38 and r["grid_kv"].iloc[2] == 10


def test_an_8_mw_project_on_10_kv_is_flagged_and_not_without_the_voltage():
    """Two commercial roofs on one parcel: 2 × 44,000 m² × 0.091 kWp/m² = 8.008 MWp."""
    side = np.sqrt(44_000)
    b = roofs(side, side, use="commercial", parcel_id=["A", "A"], grid_kv=[10, 10])
    p = nea2025.classify(potential(b))
    assert p.grouped == {"parcel": 2, "owner": 0, "roof": 0}
    (proj,) = p.projects.itertuples()
    assert proj.capacity_kwp == pytest.approx(2 * 44_000 * COMMERCIAL_KWP_M2, rel=1e-6)
    assert proj.nea2025_type == "general_ci" and proj.over_cap and proj.cap_mw == 6
    assert "8.01 MW > 6 MW at 10 kV" in proj.cap_note
    # the same project with no voltage given: large C&I at 35 kV, within its 20 MW
    free = nea2025.classify(potential(b.drop(columns="grid_kv"))).projects.iloc[0]
    assert free["nea2025_type"] == "large_ci" and free["grid_kv"] == 35 and not free["over_cap"]
    # one roof alone (4.004 MWp) stays general C&I, within 6 MW, on 10 kV
    one = nea2025.classify(potential(b.iloc[:1])).projects.iloc[0]
    assert one["nea2025_type"] == "general_ci" and not one["over_cap"]


def test_judge_projects_caps_by_hand():
    base = pd.Series(
        ["general_ci", "large_ci", "large_ci", "non_natural_person_household", "natural_person_household"]
    )
    mw = pd.Series([5.9, 21.0, 51.0, 6.5, 0.02])
    kv = pd.Series([np.nan, 35.0, np.nan, np.nan, 10.0])
    j = nea2025.judge_projects(base, mw, kv)
    assert list(j["over_cap"]) == [False, True, True, True, True]
    assert list(j["cap_mw"].fillna(-1)) == [6, 20, 50, 6, -1]
    assert list(j["grid_kv"]) == [10, 35, 110, 10, 10]
    assert "380 V" in j["cap_note"].iloc[4]
    low = nea2025.judge_projects(pd.Series(["natural_person_household"] * 2), pd.Series([0.01, 0.01]),
                                 pd.Series([0.4, 0.38]))  # fmt: skip
    assert not low["over_cap"].any()  # 0.4 kV is the 380 V class


def test_owner_groups_roofs_and_a_parcel_layer_wins_over_owner():
    b = roofs(20, 20, 20, use="rural_residential", owner_type="企业", owner_id=["c1", "c1", "c2"])
    r = potential(b)
    pid, grouped = nea2025.assign_projects(r)
    assert list(pid) == ["owner:c1", "owner:c1", "owner:c2"] and grouped["owner"] == 3
    lot = shapely.box(X0 + 1500, Y0 - 5, X0 + 2100, Y0 + 50)
    parcel = gpd.GeoDataFrame({"宗地号": ["Z9"]}, geometry=[lot], crs=sxcrs.METRIC)
    pid, grouped = nea2025.assign_projects(r, parcel)
    assert list(pid) == ["owner:c1", "owner:c1", "parcel:Z9"] and grouped == {
        "parcel": 1,
        "owner": 2,
        "roof": 0,
    }
    p = nea2025.classify(r)
    assert p.projects.set_index("project_id").loc["owner:c1", "roofs"] == 2


def test_self_use_bound_matches_a_hand_computation():
    """100 m × 100 m commercial roof: P = 910 kWp, E = 910 MWh at 1,000 kWh/kWp; C = 300 MWh, s = 0.5.

    Self-use at most C, so generation at most C / s = 600 MWh, i.e. 600 kWp at 1 MWh/kWp.
    """
    b = roofs(100, 20, use=["commercial", "rural_residential"], consumption_mwh=[300, 5])
    p = nea2025.classify(potential(b), self_use_share=0.5)
    r = p.roofs
    assert r["capacity_kwp"].iloc[0] == pytest.approx(10_000 * COMMERCIAL_KWP_M2, rel=1e-6)
    assert r["self_use_bound_kwp"].iloc[0] == pytest.approx(600.0, rel=1e-6)
    assert r["self_use_bound_kwp"].iloc[1] == pytest.approx(
        r["capacity_kwp"].iloc[1]
    )  # a home: no self-use rule
    assert nea2025.classify(potential(b), self_use_share=0.2).roofs["self_use_bound_kwp"].iloc[
        0
    ] == pytest.approx(910.0, rel=1e-6)  # 300 / 0.2 = 1,500 MWh > 910: the roof is the limit


def test_consumption_from_an_intensity_table():
    b = roofs(100, use=["commercial"], floors=[3])
    intensity = pd.DataFrame({"category": ["commercial"], "kwh_m2": [100.0]})
    r = nea2025.classify(potential(b), intensity=intensity, self_use_share=0.5).roofs
    assert r["consumption_mwh"].iloc[0] == pytest.approx(10_000 * 3 * 100 / 1000)  # 3,000 MWh
    assert r["self_use_bound_kwp"].iloc[0] == pytest.approx(
        r["capacity_kwp"].iloc[0]
    )  # 6,000 MWh allowed > 910


def test_a_wrong_mapping_table_is_refused():
    t = pd.DataFrame({"category": ["industrial"], "owner_kind": ["any"], "nea2025_type": ["big"]})
    with pytest.raises(SchemaError, match="unknown nea2025_type"):
        nea2025.type_table(t)
    t = pd.DataFrame({"category": ["industrial"], "owner_kind": ["any"], "nea2025_type": ["general_ci"]})
    with pytest.raises(SchemaError, match=r"no row for roof categories \['commercial'\]"):
        nea2025.base_types(pd.DataFrame({"category": ["commercial"]}), t)


def test_project_types_capacity_adds_up_to_pv_counties(counties):
    c = sxcrs.to_metric(counties)
    pts = [c.geometry.iloc[i].representative_point() for i in range(3)]
    geoms = [
        shapely.box(p.x + dx, p.y, p.x + dx + s, p.y + s) for p in pts for dx, s in ((0, 100), (300, 20))
    ]
    b = gpd.GeoDataFrame({"use": ["工业", "农房"] * 3}, geometry=geoms, crs=c.crs)
    r = potential(b)
    t = nea2025.project_types_table(
        nea2025.classify(r).roofs,
        assign_points(shapely.point_on_surface(np.asarray(r.geometry.values)), c, "adcode"),
        counties,
    )
    per = t.groupby("unit_code", sort=False)["capacity_mwp"].sum()
    ref = pv.by_county(r, counties).set_index("unit_code")["capacity_mwp"]
    pd.testing.assert_series_equal(per.reindex(ref.index), ref, check_names=False, atol=1e-3)
    assert set(t["nea2025_type"]) == set(nea2025.NEA_TYPES)
    city = t[t["unit_code"] == "330600"].set_index("nea2025_type")
    assert city.loc["general_ci", "projects"] == 3 and city.loc["natural_person_household", "roofs"] == 3
    assert city.loc["large_ci", "projects"] == 0


def test_the_pipeline_writes_pv_project_types_and_leaves_pv_counties_as_before(counties, tmp_path):
    from sxgeo._pipeline import Context
    from sxgeo.pv.pipeline import PVOptions, run

    c = sxcrs.to_metric(counties)
    p = c.geometry.iloc[1].representative_point()
    b = gpd.GeoDataFrame(
        {"use": ["工业", "工业", "农房"], "parcel_id": ["A", "A", None], "grid_kv": [10, 10, None]},
        geometry=[
            shapely.box(p.x, p.y, p.x + 200, p.y + 200),
            shapely.box(p.x + 300, p.y, p.x + 500, p.y + 200),
            shapely.box(p.x + 600, p.y, p.x + 620, p.y + 20),
        ],
        crs=c.crs,
    )
    ctx = Context(units=counties, maps=False)
    (out,) = run(ctx, {"buildings": b}, options=PVOptions(shading=False))
    t = out.tables["pv_project_types"]
    pc = out.tables["pv_counties"].set_index("unit_code")
    code = c["adcode"].iloc[1]
    mine = t[t["unit_code"] == code].set_index("nea2025_type")
    assert mine["capacity_mwp"].sum() == pytest.approx(pc.loc[code, "capacity_mwp"], abs=1e-3)
    # 2 × 40,000 m² steel roofs × 0.1446 kWp/m² = 11.6 MWp on one parcel at 10 kV: flagged
    assert mine.loc["general_ci", "projects"] == 1 and mine.loc["general_ci", "over_cap_projects"] == 1
    assert mine.loc["general_ci", "over_cap_mwp"] == pytest.approx(mine.loc["general_ci", "capacity_mwp"])
    assert mine.loc["natural_person_household", "roofs"] == 1
    kinds = ["general_ci", "general_ci", "natural_person_household"]
    assert list(out.extra["pv_buildings.parquet"]["nea2025_type"]) == kinds
    assert any("above their type's cap" in n for n in out.notes)
    with pytest.raises(Exception, match="self_use_share"):
        PVOptions(self_use_share=50)


def test_the_map_colours_roofs_by_type(counties):
    from sxgeo.pv.view import NEA_COLOURS, pv_map

    c = sxcrs.to_metric(counties)
    p = c.geometry.iloc[1].representative_point()
    b = gpd.GeoDataFrame(
        {"use": ["工业", "农房"]},
        geometry=[
            shapely.box(p.x, p.y, p.x + 100, p.y + 100),
            shapely.box(p.x + 300, p.y, p.x + 320, p.y + 20),
        ],
        crs=c.crs,
    )
    r = nea2025.classify(potential(b)).roofs
    html = pv_map(pv.by_county(r, counties), counties, r).html()
    assert NEA_COLOURS["general_ci"] in html and NEA_COLOURS["natural_person_household"] in html
