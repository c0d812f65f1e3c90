"""Carbon sinks: hand-checkable stands, rasters, wetlands, and the published Zhejiang aggregates."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from sxgeo import crs as sxcrs
from sxgeo.carbon import landcover, stands, wetlands
from sxgeo.data import read_param_table
from sxgeo.units import CO2_PER_C
from sxgeo.zonal import raster_zone_counts

X0, Y0 = 500_000.0, 3_320_000.0


def fake_counties() -> gpd.GeoDataFrame:
    codes = ["330602", "330603", "330604", "330681", "330683", "330624"]
    boxes = [shapely.box(X0 + 3000 * i, Y0, X0 + 3000 * (i + 1), Y0 + 3000) for i in range(6)]
    return gpd.GeoDataFrame({"adcode": codes}, geometry=boxes, crs=sxcrs.METRIC)


def stand(x: float, size: float, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        cols, geometry=[shapely.box(X0 + x, Y0, X0 + x + size, Y0 + size)], crs=sxcrs.METRIC
    )


def test_fang_bef_arithmetic_is_exact():
    # 100 ha of Chinese fir with 8,000 m3: C = 0.5 × (0.4652 × 8,000 + 19.141 × 100)
    s = stand(0, 1000, forest_type=["chinese_fir"], volume_m3=[8000.0])
    c = stands.stand_carbon(s).iloc[0]
    assert c["area_ha"] == pytest.approx(100.0)
    assert c["biomass_tc"] == pytest.approx(0.5 * (0.4652 * 8000 + 19.141 * 100))
    assert c["understory_tc"] == pytest.approx(100 * 2.11) and c["dead_tc"] == pytest.approx(100 * 2.68)
    assert c["stock_tc"] == pytest.approx(c["biomass_tc"] + 211 + 268)
    assert c["stock_tco2"] == pytest.approx(c["stock_tc"] * 44 / 12)
    # the Chinese name works too, and volume per ha gives the same result
    same = stands.stand_carbon(stand(0, 1000, forest_type=["杉木"], volume_m3_ha=[80.0])).iloc[0]
    assert same["biomass_tc"] == pytest.approx(c["biomass_tc"])


def test_chain_method_and_per_area_types():
    s = stand(0, 1000, forest_type=["chinese_fir"], volume_m3=[1000.0])
    chain = stands.stand_carbon(s, method="chain").iloc[0]
    assert chain["biomass_tc"] == pytest.approx(1000 * 0.307 * 1.634 * 1.246 * 0.520)  # 0.325 t C per m3
    bamboo = stands.stand_carbon(stand(0, 1000, forest_type=["moso_bamboo"])).iloc[0]
    assert bamboo["biomass_tc"] == pytest.approx(100 * 23.78)
    culms = stands.stand_carbon(stand(0, 1000, forest_type=["moso_bamboo"], culms=[200_000])).iloc[0]
    assert culms["biomass_tc"] == pytest.approx(200_000 * 10.44 / 1000 * 0.5)
    with pytest.raises(KeyError, match="no chain factors"):
        stands.stand_carbon(stand(0, 100, forest_type=["hardwood"], volume_m3=[10.0]), method="chain")
    with pytest.raises(KeyError, match="unknown forest types"):
        stands.stand_carbon(stand(0, 100, forest_type=["baobab"]))


def test_county_totals_add_up_and_split_by_area():
    counties = fake_counties()
    # one stand across the 越城/柯桥 line: 1 km2 in each; one in 新昌
    s = pd.concat(
        [stand(2000, 2000, forest_type=["masson_pine"], volume_m3=[20000.0]).assign(geometry=[
            shapely.box(X0 + 2000, Y0, X0 + 4000, Y0 + 1000)]),
         stand(15500, 1000, forest_type=["broadleaf_mix"], volume_m3=[5000.0])],
        ignore_index=True,
    )  # fmt: skip
    c = stands.stand_carbon(gpd.GeoDataFrame(s, crs=sxcrs.METRIC))
    table, by_type = stands.county_summary(c, counties, draws=200)
    t = table.set_index("unit_code")
    assert t.loc["330602", "stock_tc"] == pytest.approx(t.loc["330603", "stock_tc"], rel=1e-9)
    assert t.loc["330600", "vegetation_tc"] == pytest.approx(c["vegetation_tc"].sum(), rel=1e-9)
    assert t.loc["330600", "vegetation_tc"] == pytest.approx(t.iloc[:6]["vegetation_tc"].sum(), abs=0.02)
    assert t.loc["330600", "forest_area_ha"] == pytest.approx(300.0)
    assert t.loc["330600", "forest_cover_pct"] == pytest.approx(100 * 300 / 5400, abs=0.005)
    lo, hi, mid = t.loc["330600", ["vegetation_tc_low", "vegetation_tc_high", "vegetation_tc"]]
    assert lo < mid < hi and (hi - lo) / mid < 0.5
    assert by_type["stock_tco2"].sum() == pytest.approx(by_type["stock_tc"].sum() * CO2_PER_C, rel=1e-6)


def test_forest_cover_counts_the_national_definition_only():
    """森林覆盖率: fir, bamboo, 国家特别规定灌木林 count; generic shrub and tea do not (their carbon does)."""
    counties = fake_counties()  # 越城 is 3 km x 3 km = 900 ha
    types = ["chinese_fir", "moso_bamboo", "special_shrub", "shrub", "tea"]
    s = gpd.GeoDataFrame(
        {"forest_type": types, "volume_m3": [1000.0, 0, 0, 0, 0]},
        geometry=[
            shapely.box(X0 + 500 * i, Y0, X0 + 500 * (i + 1), Y0 + 400) for i in range(5)
        ],  # 20 ha each
        crs=sxcrs.METRIC,
    )
    c = stands.stand_carbon(s)
    t = stands.county_summary(c, counties, draws=20)[0].set_index("unit_code")
    assert t.loc["330602", "forest_area_ha"] == pytest.approx(60.0)  # fir + bamboo + special shrub
    assert t.loc["330602", "stand_area_ha"] == pytest.approx(100.0)
    assert t.loc["330602", "forest_cover_pct"] == pytest.approx(100 * 60 / 900, abs=0.005)
    assert t.loc["330602", "vegetation_tc"] == pytest.approx(c["vegetation_tc"].sum(), rel=1e-9)
    # a planner's table may count tea (经济林) in: the flag is theirs to set
    own = read_param_table("carbon_forest_types.csv")
    own.loc[own["forest_type"] == "tea", "in_forest_cover"] = True
    mine = stands.county_summary(stands.stand_carbon(s, factors=own), counties, draws=20)[0]
    assert mine.set_index("unit_code").loc["330602", "forest_area_ha"] == pytest.approx(80.0)


def test_stock_difference_sink():
    counties = fake_counties()
    before = stands.stand_carbon(stand(100, 1000, forest_type=["chinese_fir"], volume_m3=[8000.0]))
    after = stands.stand_carbon(stand(100, 1000, forest_type=["chinese_fir"], volume_m3=[10000.0]))
    sink = stands.yearly_sink(before, after, counties, years=5).set_index(["unit_code", "forest_type"])
    # only the a·V term changes: 0.5 × 0.4652 × 2,000 m3 / 5 yr; soil unchanged
    assert sink.loc[("330602", "chinese_fir"), "sink_tc_yr"] == pytest.approx(
        0.5 * 0.4652 * 2000 / 5, abs=0.01
    )
    assert sink.loc[("330600", "chinese_fir"), "soil_change_tc_yr"] == 0
    assert sink.loc[("330600", "chinese_fir"), "sink_tco2_yr"] == pytest.approx(93.04 * 44 / 12, abs=0.05)


def test_plan_check_names_target_and_status():
    counties = fake_counties()
    c = stands.stand_carbon(stand(0, 3000, forest_type=["chinese_fir"], volume_m3=[90000.0]))
    table, _ = stands.county_summary(c, counties, draws=50)
    check = stands.plan_check(table).set_index("indicator")
    assert check.loc["forest_cover", "target"] == 55.16 and check.loc["forest_cover", "status"] == "behind"
    assert check.loc["forest_stock_volume", "target"] == 2680
    assert check.loc["forest_vegetation_carbon", "unit"] == "万 t C"


def test_zhejiang_published_aggregates():
    """Li et al. 2016 (Zhejiang, 8th CFI): published weighted densities × total area, and two published rows.

    The per-type Table 3 was not available to us; this checks the aggregation arithmetic on the
    figures the reference note quotes (tree 24.65, shrub-herb 3.36, litter 2.28, soil 90.51 t C/ha over
    49,841 × 100 ha -> 122.88 / 16.73 / 11.36 / 451.76 Tg within 0.5%).
    """
    area_ha = 49_841 * 100
    dens = {"tree": 24.65, "shrub_herb": 3.36, "litter": 2.28, "soil": 90.51}
    published = {"tree": 122.88, "shrub_herb": 16.73, "litter": 11.36, "soil": 451.76}
    for pool, d in dens.items():
        assert area_ha * d / 1e6 == pytest.approx(published[pool], rel=0.005)
    assert sum(published.values()) == pytest.approx(602.73, rel=1e-4)
    # the two rows the note quotes: 杉木 8,209 × 100 ha × 125.47 t C/ha, 竹林 8,834 × 100 ha × 96.98 t C/ha
    assert pytest.approx(103.0, abs=0.05) == 8209 * 100 * 125.47 / 1e6
    bamboo = stands.forest_factors().loc["moso_bamboo"]
    eco = bamboo["veg_tc_ha"] + bamboo["understory_tc_ha"] + bamboo["dead_tc_ha"] + bamboo["soil_tc_ha"]
    assert eco == pytest.approx(96.98, abs=0.01)  # our bamboo pools add up to Li 2016's ecosystem density
    assert 8834 * 100 * eco / 1e6 == pytest.approx(85.67, abs=0.05)


def write_raster(path, arr, *, pixel=30.0, origin=(X0, Y0 + 3000)):
    profile = {"driver": "GTiff", "count": 1, "dtype": "uint8", "crs": "EPSG:4549"}
    transform = from_origin(origin[0], origin[1], pixel, pixel)
    with rasterio.open(
        path, "w", width=arr.shape[1], height=arr.shape[0], transform=transform, **profile
    ) as dst:
        dst.write(arr, 1)
    return path


POOLS = pd.DataFrame(
    {
        "lucode": [1, 2, 3],
        "lulc_name": ["forest", "paddy", "built"],
        "kind": ["forest", "crop", "built"],
        "c_above": [20.0, 2.0, 0.0],
        "c_below": [5.0, 1.0, 0.0],
        "c_soil": [100.0, 44.0, 20.0],
        "c_dead": [3.0, 0.0, 0.0],
    }
)


def test_raster_and_polygon_paths_agree_on_a_rasterised_square(tmp_path):
    counties = fake_counties()
    arr = np.full((100, 600), 2, dtype=np.uint8)  # 30 m pixels over 18 km x 3 km
    arr[10:43, 10:43] = 1  # a 990 m square of forest in 越城
    path = write_raster(tmp_path / "lc.tif", arr)
    pools = landcover.check_pools(POOLS)
    with rasterio.open(path) as src:
        counts = raster_zone_counts(src, counties)
    per, by_class = landcover.stock_by_county(counts, pools)
    forest = by_class[(by_class["unit_code"] == "330602") & (by_class["class"] == 1)]
    assert forest["area_ha"].item() == pytest.approx(33 * 33 * 0.09)  # 33 × 33 pixels of 0.09 ha
    square = gpd.GeoDataFrame(
        geometry=[shapely.box(X0 + 300, Y0 + 3000 - 1290, X0 + 1290, Y0 + 3000 - 300)], crs=sxcrs.METRIC
    )
    assert sxcrs.area_m2(square)[0] / 1e4 == pytest.approx(forest["area_ha"].item())
    assert forest["stock_tc"].item() == pytest.approx(98.01 * 28)
    city = per.set_index("unit_code").loc["330600"]
    assert city["area_ha"] == pytest.approx(600 * 100 * 0.09)  # every pixel counted once
    assert city["total_tc"] == pytest.approx(city["stock_tc"] + city["soil_tc"])


def test_window_size_does_not_change_results(tmp_path):
    rng = np.random.default_rng(0)
    arr = rng.integers(1, 4, (100, 600)).astype(np.uint8)
    path = write_raster(tmp_path / "r.tif", arr)
    with rasterio.open(path) as src:
        a = raster_zone_counts(src, fake_counties(), window_rows=7)
        b = raster_zone_counts(src, fake_counties(), window_rows=4096)
    pd.testing.assert_frame_equal(a, b)
    assert a["pixels"].sum() == 60_000


def test_change_and_transition_matrix(tmp_path):
    before = np.full((100, 600), 1, dtype=np.uint8)
    after = before.copy()
    after[:10, :100] = 3  # 1,000 pixels of forest -> built in 越城 (x < 3 km)
    after[50:60, 200:300] = 2  # 1,000 pixels forest -> paddy in 柯桥 (x 6-9 km)... at columns 200-300
    p0, p1 = write_raster(tmp_path / "a.tif", before), write_raster(tmp_path / "b.tif", after)
    pools = landcover.check_pools(POOLS)
    with rasterio.open(p0) as a, rasterio.open(p1) as b:
        pairs = raster_zone_counts(a, fake_counties(), other=b)
    sums, matrix = landcover.change_by_county(pairs, pools, years=5)
    s = sums.set_index("unit_code")
    assert s.loc["330602", "loss_to_built_tc"] == pytest.approx(1000 * 0.09 * 28)
    assert s.loc["330600", "change_tc"] == pytest.approx(-1000 * 0.09 * 28 - 1000 * 0.09 * 25)
    assert s.loc["330600", "sink_tc_yr"] == pytest.approx(s.loc["330600", "change_tc"] / 5)
    assert s.loc["330600", "soil_change_tc"] == pytest.approx(
        1000 * 0.09 * (20 - 100) + 1000 * 0.09 * (44 - 100)
    )
    moved = matrix[(matrix["class_before"] == 1) & (matrix["class_after"] == 3)]
    assert moved["area_ha"].sum() == pytest.approx(90.0)


def test_raster_in_degrees_counts_the_true_pixel_area(tmp_path):
    import pyproj

    path = tmp_path / "deg.tif"
    profile = {"driver": "GTiff", "width": 10, "height": 10, "count": 1, "dtype": "uint8", "crs": "EPSG:4326"}
    with rasterio.open(path, "w", transform=from_origin(120.5, 30.1, 0.001, 0.001), **profile) as dst:
        dst.write(np.ones((10, 10), dtype=np.uint8), 1)
    with rasterio.open(path) as src:
        counts = raster_zone_counts(src, fake_counties())
    # 100 pixels of 0.001°: the area of the whole 0.01° square on the WGS84 ellipsoid, not 100 × 0.01 ha
    geod = pyproj.Geod(ellps="WGS84")
    ref, _ = geod.polygon_area_perimeter([120.5, 120.51, 120.51, 120.5], [30.09, 30.09, 30.1, 30.1])
    assert counts["pixels"].sum() == 100
    assert counts["area_ha"].sum() == pytest.approx(abs(ref) / 1e4, rel=1e-6)


def test_wetlands_protection_burial_and_methane_apart():
    counties = fake_counties()
    w = gpd.GeoDataFrame(
        {"wetland_type": ["lake_reservoir", "river_canal", "tidal_marsh"], "protected": [True, False, True]},
        geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000), shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000),
                  shapely.box(X0 + 6000, Y0, X0 + 7000, Y0 + 500)],
        crs=sxcrs.METRIC,
    )  # fmt: skip
    per, by_type = wetlands.wetland_summary(w, counties)
    t = per.set_index("unit_code")
    assert t.loc["330602", "protection_rate_pct"] == pytest.approx(50.0)  # 100 of 200 ha
    assert t.loc["330600", "protection_rate_pct"] == pytest.approx(100 * 150 / 250)
    assert t.loc["330600", "status"] == "behind" and t.loc["330600", "target_pct"] == 60.6
    assert t.loc["330600", "burial_tc_yr"] == pytest.approx(100 * 0.22 + 50 * 0.91)
    # lake CH4: 3.1 mg/m2/h × 8,760 h × 1e6 m2 = 27.2 t CH4, reported apart, never netted
    assert by_type.set_index(["wetland_type", "unit_code"]).loc[
        ("lake_reservoir", "330600"), "ch4_t_yr"
    ] == pytest.approx(3.1 * 8760 * 1e6 / 1e9, abs=0.005)
    assert t.loc["330600", "ch4_tco2e_yr"] == pytest.approx(t.loc["330600", "ch4_t_yr"] * 27, abs=0.5)
    reserve = gpd.GeoDataFrame(geometry=[shapely.box(X0 + 500, Y0, X0 + 1500, Y0 + 1000)], crs=sxcrs.METRIC)
    per2, _ = wetlands.wetland_summary(w.drop(columns="protected"), counties, protected=reserve)
    assert per2.set_index("unit_code").loc["330602", "protected_area_ha"] == pytest.approx(100.0)


def test_paddy_is_not_in_the_protection_base():
    counties = fake_counties()
    w = gpd.GeoDataFrame(
        {"wetland_type": ["lake_reservoir", "paddy"], "protected": [True, False]},
        geometry=[
            shapely.box(X0, Y0, X0 + 1000, Y0 + 1000),
            shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000),
        ],
        crs=sxcrs.METRIC,
    )
    t = wetlands.wetland_summary(w, counties)[0].set_index("unit_code")
    assert t.loc["330600", "protection_rate_pct"] == 100.0
    # paddy (cropland in the land survey) is out of the wetland totals too, in its own column
    assert t.loc["330600", "wetland_area_ha"] == 100.0 and t.loc["330600", "base_area_ha"] == 100.0
    assert t.loc["330600", "paddy_area_ha"] == 100.0


def test_paddy_is_not_a_wetland_sink():
    """Paddy SOC gain (0.35 t C/ha/yr) is left out of the sink: its methane is not reported beside it."""
    counties = fake_counties()
    w = gpd.GeoDataFrame(
        {"wetland_type": ["lake_reservoir", "paddy"], "protected": [True, False]},
        geometry=[
            shapely.box(X0, Y0, X0 + 1000, Y0 + 1000),  # 100 ha of lake
            shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000),  # 100 ha of paddy
        ],
        crs=sxcrs.METRIC,
    )
    t = wetlands.wetland_summary(w, counties)[0].set_index("unit_code")
    # lake only: 100 ha x 0.22 t C/ha/yr (before: + 100 ha x 0.35 of paddy = 57 t C/yr)
    assert t.loc["330600", "burial_tc_yr"] == pytest.approx(22.0)
    # the paddy soil stock (100 ha x 111.4 t C/ha) is reported apart, not in the wetland soil stock
    # (the lake's soil stock is blank in the table: 0)
    assert t.loc["330600", "soil_tc"] == pytest.approx(0.0)
    assert t.loc["330600", "paddy_soil_tc"] == pytest.approx(100 * 111.4)


# --- issue-20-raster: maps of empty counts, nodata that is a class, Web Mercator notes -----------------


def _tagged_raster(path, arr, *, nodata, crs="EPSG:4549", transform=None):
    profile = {"driver": "GTiff", "count": 1, "dtype": "uint8", "crs": crs, "nodata": nodata}
    t = transform or from_origin(X0, Y0 + 3000, 30.0, 30.0)
    with rasterio.open(path, "w", width=arr.shape[1], height=arr.shape[0], transform=t, **profile) as dst:
        dst.write(arr, 1)
    return path


def test_an_all_nodata_raster_gives_zero_areas_and_a_map(tmp_path):
    from sxgeo._pipeline import Context
    from sxgeo.admin import load_counties
    from sxgeo.carbon import pipeline as carbon

    path = _tagged_raster(tmp_path / "empty.tif", np.full((100, 600), 255, dtype=np.uint8), nodata=255)
    (tmp_path / "pools.csv").write_text(POOLS.to_csv(index=False), encoding="utf-8")
    out = carbon.run(Context(units=load_counties()), {"landcover": path, "pools": tmp_path / "pools.csv"})[0]
    per = out.tables["carbon_landcover"].set_index("unit_code")
    assert (per["area_ha"] == 0).all()  # no valid pixel anywhere: every density is undefined
    page = out.maps["carbon.html"]
    assert "<html" in page.html().lower()  # the writer used to stop: "Out of range float values"
    ramp = page.spec()["layers"][0]["style"]
    assert (ramp["vmin"], ramp["vmax"]) == (0.0, 0.0)


def test_a_nodata_value_that_is_a_class_is_named_in_a_note(tmp_path):
    from sxgeo._pipeline import Context
    from sxgeo.carbon import pipeline as carbon

    arr = np.full((100, 600), 2, dtype=np.uint8)
    arr[:, :100] = 1  # 100 × 100 pixels of class 1 (forest), which the tag calls nodata
    path = _tagged_raster(tmp_path / "tag.tif", arr, nodata=1)
    (tmp_path / "pools.csv").write_text(POOLS.to_csv(index=False), encoding="utf-8")
    ctx = Context(units=fake_counties(), maps=False)
    out = carbon.run(ctx, {"landcover": path, "pools": tmp_path / "pools.csv"}, name="c")[0]
    notes = [n for n in out.notes if "nodata value 1" in n]
    assert len(notes) == 1 and "class 1 (forest)" in notes[0]
    # the tag wins (as GDAL and InVEST read it): 50,000 paddy pixels of 0.09 ha counted, no forest
    city = out.tables["carbon_landcover"].set_index("unit_code").loc["330600"]
    assert city["area_ha"] == pytest.approx(500 * 100 * 0.09)


def test_landcover_pipeline_notes_the_web_mercator_correction(tmp_path):
    import pyproj

    from sxgeo._pipeline import Context
    from sxgeo.carbon import pipeline as carbon

    # 3 km × 3 km of forest in 3857 (nominal metres) over the first fake county at about 30°N
    to_m = pyproj.Transformer.from_crs(4549, 3857, always_xy=True)
    mx, my = to_m.transform(X0 + 100, Y0 + 2900)
    path = _tagged_raster(
        tmp_path / "wm.tif", np.ones((100, 100), dtype=np.uint8), nodata=255, crs="EPSG:3857",
        transform=from_origin(mx, my, 20.0, 20.0),
    )  # fmt: skip
    (tmp_path / "pools.csv").write_text(POOLS.to_csv(index=False), encoding="utf-8")
    out = carbon.run(
        Context(units=fake_counties(), maps=False), {"landcover": path, "pools": tmp_path / "pools.csv"}
    )[0]
    assert any("EPSG:3857" in n and "not equal-area" in n for n in out.notes)
    # a Mercator rectangle is a lon/lat rectangle: its area on WGS84 by pyproj's Geod (about 4 km² ×
    # cos²φ, pseudo-Mercator's areal scale being 1/cos²φ), not the nominal 400 ha
    lon, lat = pyproj.Transformer.from_crs(3857, 4326, always_xy=True).transform(
        [mx, mx + 2000, mx + 2000, mx], [my, my, my - 2000, my - 2000]
    )
    ref_ha = abs(pyproj.Geod(ellps="WGS84").polygon_area_perimeter(lon, lat)[0]) / 1e4
    assert ref_ha == pytest.approx(400 * np.cos(np.radians(lat[0])) ** 2, rel=0.01)
    total = out.tables["carbon_landcover"].set_index("unit_code").loc["330600", "area_ha"]
    assert total == pytest.approx(ref_ha, rel=1e-4)


def test_overlapping_zones_each_get_their_whole_land_cover_and_carbon(tmp_path):
    # zones A (x 0-6 km) and B (x 3-9 km) share 3 km × 3 km; 30 m pixels of forest over x 0-18 km
    zones = gpd.GeoDataFrame(
        {"adcode": ["A", "B"], "name_zh": ["A", "B"], "name_en": ["A", "B"], "county_adcode": "330602"},
        geometry=[shapely.box(X0, Y0, X0 + 6000, Y0 + 3000),
                  shapely.box(X0 + 3000, Y0, X0 + 9000, Y0 + 3000)],
        crs=sxcrs.METRIC,
    )  # fmt: skip
    zones.attrs["unit_kind"] = "zone"
    path = write_raster(tmp_path / "f.tif", np.ones((100, 600), dtype=np.uint8))
    with rasterio.open(path) as src:
        per, _ = landcover.stock_by_county(
            raster_zone_counts(src, zones), landcover.check_pools(POOLS), zones
        )
    t = per.set_index("unit_code")
    # each zone whole: 6 km × 3 km = 1,800 ha of forest at 28 t C/ha, fully covered by valid pixels
    for code in ("A", "B"):
        assert t.loc[code, "area_ha"] == pytest.approx(1800.0)
        assert t.loc[code, "stock_tc"] == pytest.approx(1800.0 * 28)
        assert t.loc[code, "valid_share_pct"] == pytest.approx(100.0)
    assert t.loc["unassigned", "area_ha"] == pytest.approx(9000 * 3000 / 1e4)  # x 9-18 km, once


# ---- issue-20-tables: InVEST's own pools table headers ---------------------------------------------


def test_invest_capitalised_pools_headers_are_read(tmp_path):
    from sxgeo.io import read_table

    path = tmp_path / "carbon_pools_samp.csv"
    path.write_text(
        "LULC,LULC_Name,C_above,C_Below,C_Soil,C_Dead\n1,forest,140,70,35,12\n2,crop,5,2.5,20,0\n"
    )
    out = landcover.check_pools(read_table(path))
    assert out.index.tolist() == [1, 2]
    assert out.loc[1, ["c_above", "c_below", "c_soil", "c_dead"]].tolist() == [140.0, 70.0, 35.0, 12.0]
    assert out.loc[2, "c_below"] == 2.5
