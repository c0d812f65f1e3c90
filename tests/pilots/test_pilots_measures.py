"""Computed criteria (``measure:``) on tiny hand-made layers whose answers can be checked by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import Point, box

from sxgeo._pipeline import Context
from sxgeo.errors import SchemaError
from sxgeo.pilots import measures as ms
from sxgeo.pilots.pipeline import compute_measures
from sxgeo.pilots.score import parse_criteria

CRS = "EPSG:4549"
X0, Y0 = 500_000.0, 3_300_000.0  # a point in Shaoxing's Gauss-Kruger zone


def _pools() -> pd.DataFrame:
    from sxgeo.demo.carbon import pools_table

    return pools_table()


def _raster(path, classes: np.ndarray, *, left=X0, top=Y0 + 1200.0, pixel=30.0):
    with rasterio.open(
        path, "w", driver="GTiff", width=classes.shape[1], height=classes.shape[0], count=1, dtype="uint8",
        crs=CRS, transform=from_origin(left, top, pixel, pixel), nodata=0,
    ) as dst:  # fmt: skip
        dst.write(classes.astype("uint8"), 1)
    return path


def test_two_roofs_inside_the_radius_one_outside():
    village = gpd.GeoDataFrame({"code": ["v"]}, geometry=[Point(X0, Y0)], crs=CRS)
    roofs = gpd.GeoDataFrame(
        {"capacity_kwp": [10.0, 20.0, 40.0]},
        geometry=[box(X0 + 290, Y0 - 10, X0 + 310, Y0 + 10), box(X0 - 10, Y0 + 890, X0 + 10, Y0 + 910),
                  box(X0 + 1190, Y0 - 10, X0 + 1210, Y0 + 10)],
        crs=CRS,
    )  # fmt: skip
    assert ms.roof_capacity(village, roofs, 1000.0).tolist() == [30.0]
    assert ms.roof_capacity(village, roofs, 1500.0).tolist() == [70.0]
    # a town: the roofs whose point lies in its polygon
    town = gpd.GeoDataFrame({"code": ["t"]}, geometry=[box(X0, Y0 - 100, X0 + 1000, Y0 + 100)], crs=CRS)
    assert ms.roof_capacity(town, roofs, 1000.0).tolist() == [10.0]


def test_a_town_half_covered_by_forest(tmp_path):
    # 40 x 40 pixels of 30 m: the left half broadleaf forest (2), the right half paddy (5)
    classes = np.full((40, 40), 5)
    classes[:, :20] = 2
    path = _raster(tmp_path / "lc.tif", classes)
    town = box(X0, Y0, X0 + 1200, Y0 + 1200)
    forest, carbon = ms.forest_and_carbon(np.array([town], dtype=object), path, _pools())
    assert forest[0] == pytest.approx(50.0)
    p = _pools().set_index("lucode")[["c_above", "c_below", "c_soil", "c_dead"]].sum(axis=1)
    assert carbon[0] == pytest.approx((p[2] + p[5]) / 2)  # (134.22 + 47) / 2 t C/ha


def test_overlapping_village_discs_each_get_their_pixels(tmp_path):
    """Two villages 500 m apart: each 1 km disc holds its own pixels (π km² ≈ 314 ha, all forest)."""
    path = _raster(tmp_path / "lc.tif", np.full((160, 160), 1), left=X0 - 2400, top=Y0 + 2400)
    areas = ms.candidate_areas(
        gpd.GeoDataFrame(geometry=[Point(X0, Y0), Point(X0 + 500, Y0)], crs=CRS), 1000.0
    )
    c = ms.class_areas(areas, path)
    per = c.groupby("area")["area_ha"].sum()
    assert per.to_numpy() == pytest.approx([math.pi * 100] * 2, rel=0.01)
    forest, _ = ms.forest_and_carbon(areas, path, _pools())
    assert forest.tolist() == [100.0, 100.0]


def test_builtup_share_counts_overlaps_once():
    town = np.array([box(X0, Y0, X0 + 1000, Y0 + 1000)], dtype=object)
    strip = box(X0, Y0, X0 + 250, Y0 + 1000)
    bu = gpd.GeoDataFrame(geometry=[strip, strip, box(X0 + 2000, Y0, X0 + 3000, Y0 + 10)], crs=CRS)
    assert ms.builtup_share(town, bu)[0] == pytest.approx(25.0)


def _sponge_layers():
    squares = [box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)]
    towns = gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=squares, crs=CRS)
    built_up = gpd.GeoDataFrame(geometry=[box(X0 + 200, Y0, X0 + 1800, Y0 + 500)], crs=CRS)
    # covers half of A's built-up (800 x 500 -> 400 x 500) and nothing in B
    compliant = gpd.GeoDataFrame(
        {"status": ["completed"]}, geometry=[box(X0 + 200, Y0, X0 + 600, Y0 + 500)], crs=CRS
    )
    return towns, built_up, compliant


def test_sponge_coverage_of_the_town():
    towns, built_up, compliant = _sponge_layers()
    cov = ms.town_sponge_coverage(towns, built_up, compliant)
    assert cov.to_dict() == pytest.approx({"A": 50.0, "B": 0.0})
    villages = gpd.GeoDataFrame(geometry=[Point(X0 + 100, Y0 + 900), Point(X0 + 1500, Y0 + 100)], crs=CRS)
    assert ms.town_of(villages, towns).map(cov).tolist() == pytest.approx([50.0, 0.0])


def _criteria(*measures: str, radius: float | None = None):
    crits = []
    for m in measures:
        c = {"id": m.split("_")[0], "measure": m, "weight": 1}
        if radius is not None:
            c["radius_km"] = radius
        crits.append(c)
    return parse_criteria({"criteria": crits})


def test_a_measure_without_its_layer_names_the_key_and_the_fix():
    village = gpd.GeoDataFrame({"code": ["v"]}, geometry=[Point(X0, Y0)], crs=CRS)
    cand = pd.DataFrame({"code": ["v"]})
    ctx = Context(units=gpd.GeoDataFrame(geometry=[], crs=CRS), maps=False)
    with pytest.raises(SchemaError) as err:
        compute_measures(ctx, {}, cand, village, criteria=_criteria("pv_potential_kw"), level="village")
    msg = str(err.value)
    assert "criterion pv" in msg and "[pv] buildings" in msg and "--buildings" in msg and "column:" in msg
    assert "\n" not in msg
    with pytest.raises(SchemaError, match=r"\[layers\] towns"):
        compute_measures(
            ctx, {"built_up": "x", "compliant": "y"}, cand, village,
            criteria=_criteria("sponge_coverage_pct"), level="village",
        )  # fmt: skip
    with pytest.raises(SchemaError, match="radius_km"):
        parse_criteria({"criteria": [{"id": "a", "column": "x", "weight": 1, "radius_km": 2}]})


def test_pipeline_measures_on_hand_layers(tmp_path, counties):
    """compute_measures on footprints runs the PV kernel; the other measures as above."""
    from sxgeo.pv import pipeline as pv

    classes = np.full((40, 40), 5)
    classes[:, :20] = 2
    lc = _raster(tmp_path / "lc.tif", classes)
    pools = tmp_path / "pools.csv"
    _pools().to_csv(pools, index=False)
    _, built_up, compliant = _sponge_layers()
    town = gpd.GeoDataFrame({"code": ["T"]}, geometry=[box(X0, Y0, X0 + 1200, Y0 + 1200)], crs=CRS)
    foot = gpd.GeoDataFrame(
        {"use": ["residential"] * 3, "floors": [3, 3, 3]},
        geometry=[box(X0 + 100, Y0 + 100, X0 + 120, Y0 + 115), box(X0 + 300, Y0 + 300, X0 + 330, Y0 + 320),
                  box(X0 + 3000, Y0 + 300, X0 + 3030, Y0 + 320)],
        crs=CRS,
    )  # fmt: skip
    ctx = Context(units=counties, maps=False)
    roofs = pv.run(ctx, {"buildings": foot})[0].extra["pv_buildings.parquet"]
    cand = pd.DataFrame({"code": ["T"]})
    crit = _criteria("pv_potential_kw", "forest_cover_pct", "builtup_share_pct", "sponge_coverage_pct")
    inputs = {
        "buildings": foot,
        "landcover": lc,
        "pools": pools,
        "built_up": built_up,
        "compliant": compliant,
    }
    notes = compute_measures(ctx, inputs, cand, town, criteria=crit, level="town")
    assert cand.loc[0, "pv_potential_kw"] == pytest.approx(roofs["capacity_kwp"].iloc[:2].sum())
    assert roofs["capacity_kwp"].iloc[:2].sum() > 0
    assert cand.loc[0, "forest_cover_pct"] == pytest.approx(50.0)
    # built-up x 200-1200 (of 1200), y 0-500: 1000 x 500 / 1200 x 1200
    assert cand.loc[0, "builtup_share_pct"] == pytest.approx(100 * 1000 * 500 / 1200**2)
    assert cand.loc[0, "sponge_coverage_pct"] == pytest.approx(40.0)  # 400 of its 1000 m of built-up
    assert any("rooftop-PV kernel" in n for n in notes)


# ---- issue 20 (branch issue-20-inputs): empty criteria
def test_a_raster_that_misses_every_candidate_is_refused_naming_criterion_and_layer(tmp_path):
    classes = np.full((40, 40), 2)
    far = _raster(tmp_path / "lc_far.tif", classes, left=X0 + 50_000.0)  # 50 km east of both towns
    squares = [box(X0, Y0, X0 + 1200, Y0 + 1200), box(X0 + 2000, Y0, X0 + 3200, Y0 + 1200)]
    towns = gpd.GeoDataFrame({"code": ["T1", "T2"]}, geometry=squares, crs=CRS)
    # the independent check: the raster's footprint and the towns do not meet
    with rasterio.open(far) as src:
        assert not box(*src.bounds).intersects(towns.union_all())
    pools = tmp_path / "pools.csv"
    _pools().to_csv(pools, index=False)
    cand = pd.DataFrame({"code": ["T1", "T2"]})
    ctx = Context(units=gpd.GeoDataFrame(geometry=[], crs=CRS), maps=False)
    with pytest.raises(SchemaError) as err:
        compute_measures(ctx, {"landcover": far, "pools": pools}, cand, towns,
                         criteria=_criteria("forest_cover_pct"), level="town")  # fmt: skip
    msg = str(err.value)
    assert "criterion forest (forest_cover_pct)" in msg and "lc_far.tif" in msg and "\n" not in msg
