"""Zero-carbon parks (发改环资〔2025〕910号): boundaries with a 园中园, the core indicator and its grade, the
roofs' PV by NEA type, land-cover carbon and sponge coverage inside each park, all by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from sxgeo import crs as sxcrs
from sxgeo import parks as pk
from sxgeo import pv
from sxgeo._pipeline import Context
from sxgeo.errors import SchemaError
from sxgeo.parks.pipeline import run


@pytest.fixture(scope="module")
def origin(counties) -> tuple[float, float]:
    """A point well inside 越城区 (EPSG:4549), rounded to 100 m so raster pixels line up."""
    c = sxcrs.to_metric(counties).set_index("adcode")
    p = c.loc["330602"].geometry.representative_point()
    for dx in range(0, 20_000, 500):  # the first spot with a 3 km square inside the county
        sq = shapely.box(p.x + dx - 1500, p.y - 1500, p.x + dx + 1500, p.y + 1500)
        if c.loc["330602"].geometry.contains(sq):
            return round((p.x + dx - 1000) / 100) * 100, round((p.y - 1000) / 100) * 100
    raise AssertionError("no room in 330602")


def boundaries(x0: float, y0: float, **extra: list) -> gpd.GeoDataFrame:
    """P1: 2 km × 2 km; P1a: a 500 m square inside it (园中园); P2: 1 km × 1 km, 5 km east."""
    geoms = [
        shapely.box(x0, y0, x0 + 2000, y0 + 2000),
        shapely.box(x0 + 100, y0 + 100, x0 + 600, y0 + 600),
        shapely.box(x0 + 5000, y0, x0 + 6000, y0 + 1000),
    ]
    cols = {"park_code": ["P1", "P1a", "P2"], "park_name": ["一园", "园中园", "二园"],
            "level": ["省级", "", "national"], "parent_code": ["", "P1", ""]}  # fmt: skip
    return gpd.GeoDataFrame(cols | extra, geometry=geoms, crs=sxcrs.METRIC)


def test_boundaries_with_a_park_inside_a_park(origin):
    b = pk.read_boundaries(boundaries(*origin))
    assert list(b["level"]) == ["provincial", "", "national"] and list(b["parent_code"]) == ["", "P1", ""]
    bad = boundaries(*origin)
    bad.loc[1, "geometry"] = shapely.box(origin[0] - 400, origin[1], origin[0] + 100, origin[1] + 500)
    with pytest.raises(SchemaError, match=r"P1a.*lies only 20% inside its parent 'P1'"):
        pk.read_boundaries(bad)
    with pytest.raises(SchemaError, match="parent_code 'P9' is no park"):
        pk.read_boundaries(boundaries(*origin).assign(parent_code=["", "P9", ""]))
    with pytest.raises(SchemaError, match="'P1' given twice"):
        pk.read_boundaries(boundaries(*origin).assign(park_code=["P1", "P1", "P2"]))


def test_core_indicator_and_grade_by_hand():
    """CO2 / energy: 8,000 t / 50,000 tce = 0.16 <= 0.20 (meets); 700,000 / 2,000,000 = 0.35 > 0.30
    (above); 500,000 / 2,000,000 = 0.25 <= 0.30, the larger parks' limit (meets); 0.25 with
    50,000 tce is above 0.20; no energy: no_data."""
    table = pd.DataFrame(
        {
            "park_code": ["A", "B", "C", "D", "E"],
            "year": [2025] * 5,
            "energy_tce": [50_000, 2_000_000, 2_000_000, 50_000, None],
            "co2_t": [8_000, 700_000, 500_000, 12_500, 10],
            "clean_energy_share_pct": [92, None, 50, None, None],
            "solid_waste_reuse_pct": [70, None, None, None, None],
        }
    )
    h = pk.read_history(table, set("ABCDE")).set_index("park_code")
    assert list(h["core_t_co2_per_tce"].fillna(-1)) == [0.16, 0.35, 0.25, 0.25, -1]
    assert list(h["core_limit_t_co2_per_tce"].fillna(-1)) == [0.20, 0.30, 0.30, 0.20, -1]
    assert list(h["core_grade"]) == ["meets", "above", "meets", "above", "no_data"]
    assert list(h["guiding_met"]) == ["1/2", "0/0", "0/1", "0/0", "0/0"]  # clean >= 90, solid waste >= 80
    with pytest.raises(SchemaError, match=r"park codes \['Z'\] are no park"):
        pk.read_history(table.assign(park_code=["A", "B", "C", "D", "Z"]), set("ABCDE"))
    with pytest.raises(SchemaError, match="'A' year 2025 given twice"):
        pk.read_history(table.assign(park_code=["A", "A", "C", "D", "E"]), set("ABCDE"))


def _raster(path, x0: float, y0: float) -> None:
    """100 m pixels over 3 km × 2 km from (x0, y0): class 2 (forest) west of x0 + 1000, else 1 (built)."""
    data = np.ones((20, 30), dtype=np.uint8)
    data[:, :10] = 2
    with rasterio.open(
        path, "w", driver="GTiff", width=30, height=20, count=1, dtype="uint8", crs="EPSG:4549",
        transform=from_origin(x0, y0 + 2000, 100, 100), nodata=0,
    ) as dst:  # fmt: skip
        dst.write(data, 1)


def test_a_park_row_by_hand(origin, counties, tmp_path):
    x0, y0 = origin
    parks_path = tmp_path / "parks.gpkg"
    boundaries(x0, y0).to_file(parks_path)
    # roofs: two 100 m squares in P1 (one of them in P1a), one in P2; commercial, 1,000 kWh/kWp
    roofs = gpd.GeoDataFrame(
        {"use": ["commercial", "commercial", "农房"]},
        geometry=[shapely.box(x0 + 200, y0 + 200, x0 + 300, y0 + 300),
                  shapely.box(x0 + 1500, y0 + 1500, x0 + 1600, y0 + 1600),
                  shapely.box(x0 + 5100, y0 + 100, x0 + 5120, y0 + 120)],
        crs=sxcrs.METRIC,
    )  # fmt: skip
    r = pv.building_potential(roofs, fixed_yield_kwh_kwp=1000)
    kwp = 10_000 * 0.70 * 0.65 * 200 / 1000  # one commercial 100 m roof: 910 kWp, 910 MWh
    pd.DataFrame(
        {"park_code": ["P1", "P1", "P2"], "year": [2024, 2025, 2025], "energy_tce": [60_000, 50_000, 1_000],
         "co2_t": [15_000, 8_000, 400], "electricity_mwh": [9_000, 9_100, 100]}
    ).to_csv(tmp_path / "history.csv", index=False)  # fmt: skip
    _raster(tmp_path / "lc.tif", x0, y0)
    pd.DataFrame(
        {"lucode": [1, 2], "lulc_name": ["built", "forest"], "c_above": [0, 30], "c_below": [0, 10],
         "c_soil": [5, 50], "c_dead": [0, 2]}
    ).to_csv(tmp_path / "pools.csv", index=False)  # fmt: skip
    built = gpd.GeoDataFrame(geometry=[shapely.box(x0, y0, x0 + 1000, y0 + 1000)], crs=sxcrs.METRIC)
    compliant = gpd.GeoDataFrame(
        {"status": ["accepted", "accepted"], "completed_on": ["2024-06-01", "2026-01-01"]},
        geometry=[
            shapely.box(x0 + 500, y0, x0 + 1500, y0 + 500),
            shapely.box(x0, y0 + 500, x0 + 1000, y0 + 1000),
        ],
        crs=sxcrs.METRIC,
    )
    ctx = Context(units=counties, year=2025, maps=False)
    (out,) = run(
        ctx,
        {"boundaries": parks_path, "history": tmp_path / "history.csv", "buildings": r,
         "landcover": tmp_path / "lc.tif", "pools": tmp_path / "pools.csv", "built_up": built,
         "compliant": compliant},
    )  # fmt: skip
    t = out.tables["zero_carbon_parks"].set_index("park_code")
    assert list(t.index) == ["P1", "P1a", "P2"] and set(t["unit_code"]) == {"330602"}
    assert t.loc["P1", "area_km2"] == 4.0 and t.loc["P1a", "area_km2"] == 0.25
    # PV: P1 holds both commercial roofs, its 园中园 the first; P2 a 400 m² home
    assert t.loc["P1", "pv_capacity_mwp"] == pytest.approx(2 * kwp / 1000)
    assert t.loc["P1a", "pv_capacity_mwp"] == pytest.approx(kwp / 1000)
    assert t.loc["P1", "pv_general_ci_mwp"] == pytest.approx(2 * kwp / 1000)
    assert t.loc["P2", "pv_natural_person_household_mwp"] == pytest.approx(t.loc["P2", "pv_capacity_mwp"])
    # 2025 row: 1,820 MWh of roofs / 9,100 MWh of use = 20%; core 8,000 / 50,000 = 0.16, meets 0.20
    assert t.loc["P1", "data_year"] == 2025
    assert t.loc["P1", "pv_supply_share_pct"] == pytest.approx(100 * 2 * kwp / 9_100, abs=0.01)
    assert t.loc["P1", "core_t_co2_per_tce"] == 0.16 and t.loc["P1", "core_grade"] == "meets"
    assert t.loc["P2", "core_t_co2_per_tce"] == 0.4 and t.loc["P2", "core_grade"] == "above"
    assert t.loc["P1a", "core_grade"] == "no_data"
    # carbon: P1 holds 10 × 20 forest pixels (1 ha each: 42 t C above+below+dead, 92 with soil) and
    # 10 × 20 built (5 t C soil); P1a 5 × 5 forest pixels
    assert t.loc["P1", "carbon_stock_tc"] == pytest.approx(200 * 42)
    assert t.loc["P1", "carbon_total_tc"] == pytest.approx(200 * 92 + 200 * 5)
    assert t.loc["P1a", "carbon_stock_tc"] == pytest.approx(25 * 42)
    # sponge: built-up 1 km² in P1, compliant 0.5 × 0.5 km of it = 25%; P1a: 0.25 km² built,
    # 0.1 × 0.4 km compliant (the project done in 2026 does not count for 2025)
    assert t.loc["P1", "built_up_km2"] == pytest.approx(1.0)
    assert t.loc["P1", "sponge_coverage_pct"] == pytest.approx(25.0)
    assert t.loc["P1a", "sponge_coverage_pct"] == pytest.approx(100 * 0.1 * 0.4 / 0.25)
    assert np.isnan(t.loc["P2", "sponge_coverage_pct"])
    h = out.tables["zero_carbon_parks_history"]
    assert list(h["core_t_co2_per_tce"]) == [0.25, 0.16, 0.4] and list(h["core_grade"]) == [
        "above",
        "meets",
        "above",
    ]
    # an earlier data year takes each park's latest row up to it
    (early,) = run(Context(units=counties, year=2024, maps=False), {"boundaries": parks_path,
                   "history": tmp_path / "history.csv"})  # fmt: skip
    e = early.tables["zero_carbon_parks"].set_index("park_code")
    assert e.loc["P1", "data_year"] == 2024 and e.loc["P1", "core_grade"] == "above"
    assert e.loc["P2", "core_grade"] == "no_data"


def test_the_map_colours_parks_by_grade(origin, counties):
    from sxgeo.parks.view import GRADE_COLOURS, parks_map

    b = pk.read_boundaries(boundaries(*origin))
    t = pd.DataFrame(
        {
            "park_code": ["P1", "P1a", "P2"],
            "park_name": ["a", "b", "c"],
            "parent_code": ["", "P1", ""],
            "core_grade": ["meets", "no_data", "above"],
        }
    )
    html = parks_map(counties, b, t).html()
    assert all(GRADE_COLOURS[g] in html for g in ("meets", "above", "no_data"))


def test_the_demo_build_writes_the_issue_24_tables(demo_build):
    """``sxgeo build`` of the demo: pv_project_types (capacity adds up to pv_counties), zero_carbon_parks
    with its 园中园 and grades, carbon_afforestation, and the parks map."""
    out = demo_build.out
    types = pd.read_csv(out / "demo_pv_project_types.csv", dtype={"unit_code": str})
    counties = pd.read_csv(out / "demo_pv_counties.csv", dtype={"unit_code": str}).set_index("unit_code")
    per = types.groupby("unit_code")["capacity_mwp"].sum()
    assert per.reindex(counties.index).to_numpy() == pytest.approx(
        counties["capacity_mwp"].to_numpy(), abs=0.01
    )
    zcp = pd.read_csv(out / "demo_zero_carbon_parks.csv", dtype=str).fillna("")
    assert len(zcp) == 7 and (zcp["parent_code"] != "").sum() == 1
    assert set(zcp["core_grade"]) <= {"meets", "above"} and "SYNTHETIC" in zcp["data_note"].iloc[0]
    assert (out / "demo_carbon_afforestation.csv").exists() and (out / "demo_parks.html").exists()
