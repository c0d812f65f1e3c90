"""CCER-14-001-V01 afforestation eligibility by hand: 3 years non-forest, 400 m², DLBM, 城镇开发边界."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from sxgeo import crs as sxcrs
from sxgeo._pipeline import Context
from sxgeo.carbon import afforestation as af
from sxgeo.carbon import landcover as lcm
from sxgeo.carbon.pipeline import CarbonOptions, run
from sxgeo.errors import SchemaError
from sxgeo.zonal import raster_zone_counts

FOREST, GRASS, CROP, WETLAND = 1, 2, 3, 4
POOLS = pd.DataFrame(
    {
        "lucode": [FOREST, GRASS, CROP, WETLAND],
        "lulc_name": ["forest", "grass", "crop", "wetland"],
        "kind": ["forest", "grassland", "crop", "wetland"],
        "c_above": [30.0, 1.0, 2.0, 0.0],
        "c_below": [10.0, 1.0, 0.0, 0.0],
        "c_soil": [50.0, 30.0, 40.0, 100.0],
        "c_dead": [2.0, 0.0, 0.0, 0.0],
    }
)


def test_pixel_status_by_hand():
    """Maps 5, 2 and 0 years before: a pixel forest 2 years ago is not eligible; one forest 5 years ago
    neither (not shown non-forest 3 years before); with maps 2 and 0 years only, nothing can be shown."""
    pools = lcm.check_pools(POOLS)
    five = np.array([GRASS, GRASS, FOREST, GRASS, FOREST, GRASS])
    two = np.array([GRASS, FOREST, GRASS, GRASS, GRASS, GRASS])
    now = np.array([GRASS, GRASS, GRASS, CROP, FOREST, WETLAND])
    s = af.pixel_status([(5, five), (2, two), (0, now)], pools)
    names = [af._CODES.get(int(v), "forest_now") for v in s]
    assert names == [
        "eligible",
        "forest_within_3_years",
        "forest_in_map_3_years_before",
        "cropland",
        "forest_now",
        "wetland",
    ]
    s = af.pixel_status([(2, two), (0, now)], pools)
    assert af._CODES[int(s[0])] == "no_map_3_years_before"
    # the newest map at least 3 years old decides: a forest 10 years ago, grass 4 years ago, counts as shown
    s = af.pixel_status([(10, np.array([FOREST])), (4, np.array([GRASS])), (0, np.array([GRASS]))], pools)
    assert af._CODES[int(s[0])] == "eligible"
    with pytest.raises(SchemaError, match="0 years before"):
        af.pixel_status([(5, five), (2, two)], pools)


@pytest.fixture(scope="module")
def origin(counties) -> tuple[float, float]:
    """A whole-metre point inside 越城区 with 200 m of the county around it (EPSG:4549)."""
    c = sxcrs.to_metric(counties).set_index("adcode").loc["330602"].geometry
    p = c.representative_point()
    x, y = round(p.x), round(p.y)
    assert c.contains(shapely.box(x - 200, y - 200, x + 200, y + 200))
    return x, y


def _write(path, data: np.ndarray, x0: float, y0: float) -> None:
    """1 m pixels, top-left corner at (x0, y0 + rows)."""
    with rasterio.open(
        path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1, dtype="uint8",
        crs="EPSG:4549", transform=from_origin(x0, y0 + data.shape[0], 1, 1), nodata=0,
    ) as dst:  # fmt: skip
        dst.write(data.astype(np.uint8), 1)


def _maps(tmp_path, origin):
    """100 × 100 m of cropland holding grass patches of 20 × 20 = 400 m² (A), 21 × 19 = 399 m² (B),
    30 × 30 = 900 m² (C, forest 5 years before) and 40 × 10 = 400 m² (D, for the DLBM and boundary cuts)."""
    x0, y0 = origin
    now = np.full((100, 100), CROP)
    now[5:25, 5:25] = GRASS  # A 400 m²
    now[5:24, 40:61] = GRASS  # B 19 rows × 21 cols = 399 m²
    now[50:80, 5:35] = GRASS  # C 900 m²
    now[85:95, 50:90] = GRASS  # D 400 m²
    before = now.copy()
    before[50:80, 5:35] = FOREST
    _write(tmp_path / "lc2020.tif", before, x0, y0)
    _write(tmp_path / "lc2025.tif", now, x0, y0)
    POOLS.to_csv(tmp_path / "pools.csv", index=False)
    return x0, y0


def test_399_m2_is_not_eligible_and_400_m2_is(tmp_path, origin, counties):
    _maps(tmp_path, origin)
    pools = lcm.check_pools(POOLS)
    with rasterio.open(tmp_path / "lc2020.tif") as a, rasterio.open(tmp_path / "lc2025.tif") as b:
        patches = af.status_patches([(5.0, a), (0.0, b)], pools)
    p = af.eligible_parcels(patches, counties)
    by = {round(r.area_m2): r.reason for r in p.itertuples()}
    assert by == {400: "eligible", 399: "under_400_m2", 900: "forest_in_map_3_years_before"}
    assert (p["reason"] == "eligible").sum() == 2  # A and D, 400 m² each
    assert set(p["unit_code"]) == {"330602"}
    # a patch split by a raster window is one parcel again (rows 0-14 and 15-...: A spans both)
    with rasterio.open(tmp_path / "lc2020.tif") as a, rasterio.open(tmp_path / "lc2025.tif") as b:
        split = af.status_patches([(5.0, a), (0.0, b)], pools, window_rows=15)
    q = af.eligible_parcels(split, counties)
    assert sorted(q.loc[q["eligible"], "area_m2"].round()) == [400, 400]


def test_the_carbon_step_writes_carbon_afforestation_with_dlbm_and_urban_boundary(tmp_path, origin, counties):
    x0, y0 = _maps(tmp_path, origin)
    # D (x 50-90, y 5-15 from the bottom) half under a DLBM road, A half inside the 城镇开发边界
    dlbm = gpd.GeoDataFrame(
        {"DLBM": ["1003", "0404"]},
        geometry=[shapely.box(x0 + 70, y0, x0 + 95, y0 + 20), shapely.box(x0, y0, x0 + 30, y0 + 30)],
        crs=sxcrs.METRIC,
    )
    udb = gpd.GeoDataFrame(geometry=[shapely.box(x0, y0 + 85, x0 + 15, y0 + 100)], crs=sxcrs.METRIC)
    inputs = {
        "landcover": tmp_path / "lc2020.tif",
        "landcover_after": tmp_path / "lc2025.tif",
        "pools": tmp_path / "pools.csv",
        "dlbm": dlbm,
        "urban_boundary": udb,
    }
    (out,) = run(Context(units=counties, maps=False), inputs, options=CarbonOptions(years=5))
    t = out.tables["carbon_afforestation"].set_index("unit_code")
    # A: rows 5-25 from the top = y 75-95; x 5-25; the boundary x 0-15, y 85-100 takes 10 × 10 = 100 m²,
    # leaving 300 m² (< 400: not eligible). D: 400 m², the road x 70-95 takes 20 × 10 = 200 m²: 200 left.
    p = out.extra["carbon_afforestation_eligible.parquet"]
    reasons = p.groupby("reason")["area_m2"].sum().round().to_dict()
    assert reasons == {
        "inside_urban_boundary": 100, "dlbm_road": 200, "under_400_m2": 300 + 200 + 399,
        "forest_in_map_3_years_before": 900,
    }  # fmt: skip
    assert t.loc["330602", "eligible_ha"] == 0 and t.loc["330602", "eligible_parcels"] == 0
    assert t.loc["330602", "excluded_ha"] == pytest.approx((100 + 200 + 899 + 900) / 1e4)
    # without the cuts A and D are eligible: 800 m² = 0.08 ha
    (plain,) = run(
        Context(units=counties, maps=False),
        {k: v for k, v in inputs.items() if k not in ("dlbm", "urban_boundary")},
        options=CarbonOptions(years=5),
    )
    assert plain.tables["carbon_afforestation"].set_index("unit_code").loc["330600", "eligible_ha"] == 0.08
    assert any("CCER-14-001-V01" in n for n in plain.notes)


def test_a_dlbm_layer_is_the_wetland_denominator_and_the_outputs_say_so(origin, counties):
    """1106 内陆滩涂 1 ha and 1108 沼泽地 2 ha are wetland, 0101 水田 and 1101 河流水面 are not in the 三调
    wetland classes; a protected area over the marsh: protection rate 2 / 3 = 66.67%."""
    x0, y0 = origin
    dlbm = gpd.GeoDataFrame(
        {"DLBM": ["1106", "1108", "0101", "1101"]},
        geometry=[
            shapely.box(x0, y0, x0 + 100, y0 + 100),
            shapely.box(x0 + 100, y0, x0 + 300, y0 + 100),
            shapely.box(x0, y0 + 100, x0 + 100, y0 + 200),
            shapely.box(x0 + 100, y0 + 100, x0 + 200, y0 + 200),
        ],
        crs=sxcrs.METRIC,
    )
    protected = gpd.GeoDataFrame(geometry=[shapely.box(x0 + 100, y0, x0 + 300, y0 + 100)], crs=sxcrs.METRIC)
    (out,) = run(Context(units=counties, maps=False), {"dlbm": dlbm, "protected": protected})
    w = out.tables["carbon_wetlands"].set_index("unit_code")
    assert w.loc["330602", "wetland_area_ha"] == pytest.approx(3.0)
    assert w.loc["330602", "protection_rate_pct"] == pytest.approx(66.67, abs=0.01)
    assert w["wetland_denominator"].str.startswith("三调/变更调查 DLBM").all()
    types = out.tables["carbon_wetland_types"]
    assert set(types.loc[types["wetland_area_ha"] > 0, "wetland_type"]) == {"mudflat", "marsh"}
    # without protected areas the DLBM layer is no denominator (no wetland tables), and says why
    assert run(Context(units=counties, maps=False), {"dlbm": dlbm}) == []


def test_class_tables_agree_with_numpy_unique_and_isin():
    from sxgeo.carbon.afforestation import _member, _present_classes

    rng = np.random.default_rng(0)
    for dtype, values in (
        (np.uint8, [0, 3, 7, 200, 255]),
        (np.int16, [-5, 0, 3, 900]),
        (np.int32, [1, 70000]),
    ):
        for n in (11, 3_000_001):
            a = rng.choice(np.array(values, dtype=dtype), size=n)
            assert np.array_equal(_present_classes(a), np.unique(a)) if a.itemsize <= 2 else True
            assert np.array_equal(_member(a, [3, 900, 70000, 999_999]), np.isin(a, [3, 900, 70000, 999_999]))


def test_the_values_of_the_counts_skip_the_rasters_only_when_no_class_is_a_candidate(
    tmp_path, origin, counties
):
    """``raster_values`` of the zone counts are the raster's values (nodata as its own code); with no
    candidate (or plantable) class among them the maps are not read and the result is the same."""
    _maps(tmp_path, origin)
    pools = lcm.check_pools(POOLS)
    with rasterio.open(tmp_path / "lc2020.tif") as a, rasterio.open(tmp_path / "lc2025.tif") as b:
        values = lcm.raster_values(raster_zone_counts(b, counties), b)
        pairs = raster_zone_counts(a, counties, other=b)
        assert values == frozenset({GRASS, CROP})  # no 0 (nodata) pixel in the maps
        assert lcm.raster_values(pairs, b, column="class_after") == values
        assert lcm.raster_values(pairs, a, column="class_before") == frozenset({FOREST, GRASS, CROP})
        read = af.status_patches([(5.0, a), (0.0, b)], pools)
        told = af.status_patches([(5.0, a), (0.0, b)], pools, values=values)
        pd.testing.assert_frame_equal(told, read)
        assert len(told) == 4
        # a current map of cropland and nodata only: nothing to read, the same empty table
        none = af.status_patches([(5.0, a), (0.0, b)], pools, values=frozenset({CROP, 0}))
        assert len(none) == 0 and list(none.columns) == list(read.columns) and none.crs == read.crs
        assert len(lcm.plantable_parcels(b, pools, counties, values=frozenset({CROP}))) == 0
        pd.testing.assert_frame_equal(
            lcm.plantable_parcels(b, pools, counties, values=values),
            lcm.plantable_parcels(b, pools, counties),
        )
    # nodata pixels come back as the raster's nodata value
    data = np.full((10, 10), GRASS)
    data[:5] = 0
    _write(tmp_path / "half.tif", data, *origin)
    with rasterio.open(tmp_path / "half.tif") as h:
        assert lcm.raster_values(raster_zone_counts(h, counties), h) == frozenset({0, GRASS})
