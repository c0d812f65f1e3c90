"""Union per tile (sxgeo.geom_union) and the sponge coverage built on it, against shapely and geopandas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from sxgeo import crs as sxcrs
from sxgeo.geom_union import default_tile_m, dissolve_tiled, tiled_union
from sxgeo.sponge.coverage import coverage_areas

X0, Y0 = 560_000.0, 3_320_000.0  # EPSG:4549 metres inside Shaoxing


def parcels(seed: int, n: int, extent: float = 3_000.0) -> np.ndarray:
    """Seeded overlapping parcels: boxes, rotated boxes, boxes with a hole, two-part MultiPolygons."""
    rng = np.random.default_rng(seed)
    x = X0 + rng.uniform(0, extent, n)
    y = Y0 + rng.uniform(0, extent, n)
    w, h = rng.uniform(10, 120, n), rng.uniform(10, 120, n)
    geoms = shapely.box(x, y, x + w, y + h)
    kind = rng.integers(0, 4, n)
    for i in np.flatnonzero(kind == 1):
        geoms[i] = shapely.affinity.rotate(geoms[i], float(rng.uniform(0, 90)), origin="centroid")
    for i in np.flatnonzero(kind == 2):
        hole = shapely.box(x[i] + w[i] / 4, y[i] + h[i] / 4, x[i] + w[i] / 2, y[i] + h[i] / 2)
        geoms[i] = geoms[i].difference(hole)
    for i in np.flatnonzero(kind == 3):
        other = shapely.box(x[i] + 150, y[i], x[i] + 150 + w[i] / 2, y[i] + h[i] / 2)
        geoms[i] = shapely.MultiPolygon([geoms[i], other])
    return geoms


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("tile_m", [97.0, 333.0, None])
def test_tiled_union_area_equals_union_all(seed, tile_m):
    """Tiles partition the plane: the parts' total area is union_all's to 1 m2 (1e-6 km2), and the parts do
    not overlap (their union has the same area as their sum)."""
    geoms = parcels(seed, 600)
    parts = tiled_union(geoms, tile_m=tile_m, threads=2)
    expected = shapely.union_all(geoms).area
    assert shapely.area(parts).sum() == pytest.approx(expected, abs=1.0)
    assert shapely.union_all(parts).area == pytest.approx(shapely.area(parts).sum(), abs=1.0)
    assert set(shapely.get_type_id(parts).tolist()) == {int(shapely.GeometryType.POLYGON)}
    # the overlaps are real: summing the parcels' own areas would count them twice
    assert shapely.area(geoms).sum() > expected * 1.05


def test_tiled_union_cuts_only_at_tile_edges():
    """Two overlapping squares across a tile edge at x = 100: three parts (one per tile side), total
    area 1.75 m2 by hand (two unit squares overlapping by 0.25)."""
    a = shapely.box(99.5, 0.2, 100.5, 1.2)
    b = shapely.box(100.0, 0.7, 101.0, 1.7)
    parts = tiled_union(np.array([a, b], dtype=object), tile_m=100.0, threads=1)
    assert shapely.area(parts).sum() == pytest.approx(1.75)
    assert len(parts) == 2  # [99.5, 100] x ... in one tile, the union's rest in the next
    assert shapely.area(tiled_union(np.array([a, b], dtype=object), tile_m=float("inf"))).sum() == 1.75
    with pytest.raises(ValueError, match="tile side must be > 0 m"):
        tiled_union(np.array([a], dtype=object), tile_m=0.0)
    assert len(tiled_union(np.array([None, shapely.Polygon()], dtype=object))) == 0


def test_default_tile_aims_at_a_few_hundred_per_tile():
    geoms = parcels(0, 20_000, extent=20_000.0)
    side = default_tile_m(shapely.bounds(geoms))
    # 20,000 parcels over 20 km x 20 km: 50 per km2; 256 per tile -> about 2.3 km (whole base cells)
    assert 1_500 <= side <= 3_000
    assert default_tile_m(shapely.bounds(geoms[:100])) == float("inf")


def _layers(seed: int):
    """Three counties (a 3 km square cut by two seeded slanted lines), a built-up area with a hole crossing
    the county borders, and 500 overlapping projects (some outside the built-up area and the counties)."""
    rng = np.random.default_rng(seed)
    square = shapely.box(X0, Y0, X0 + 3_000, Y0 + 3_000)
    c1, c2 = sorted(rng.uniform(800, 2_200, 2))
    left = shapely.Polygon([(X0, Y0), (X0 + c1, Y0), (X0 + c1 + 300, Y0 + 3_000), (X0, Y0 + 3_000)])
    mid = shapely.Polygon(
        [(X0 + c1, Y0), (X0 + c2, Y0), (X0 + c2 + 300, Y0 + 3_000), (X0 + c1 + 300, Y0 + 3_000)]
    )
    right = square.difference(left).difference(mid)
    counties = gpd.GeoDataFrame({"adcode": ["330602", "330603", "330604"]}, geometry=[left, mid, right])
    counties = counties.set_crs(sxcrs.METRIC)
    built = shapely.box(X0 + 300, Y0 + 300, X0 + 2_700, Y0 + 2_500).difference(
        shapely.box(X0 + 1_200, Y0 + 1_200, X0 + 1_500, Y0 + 1_600)
    )
    built_up = gpd.GeoDataFrame(geometry=[built, shapely.box(X0 + 2_600, Y0 + 2_600, X0 + 3_300, Y0 + 3_200)])
    built_up = built_up.set_crs(sxcrs.METRIC)
    projects = gpd.GeoDataFrame(geometry=parcels(seed + 10, 500, extent=3_200.0), crs=sxcrs.METRIC)
    return counties, built_up, projects


def _with_geopandas(counties, built_up, projects) -> pd.Series:
    """The plain geopandas way (independent of sxgeo): dissolve, overlay with the built-up, overlay with the
    counties, sum the areas per county [m2]."""
    good = projects[["geometry"]].dissolve().explode(index_parts=False)
    base = built_up[["geometry"]].dissolve().explode(index_parts=False)
    inside = gpd.overlay(good, base, how="intersection", keep_geom_type=True)
    by_county = gpd.overlay(inside, counties[["adcode", "geometry"]], how="intersection", keep_geom_type=True)
    return by_county.area.groupby(by_county["adcode"]).sum()


@pytest.mark.parametrize("seed", range(5))
def test_coverage_areas_match_a_geopandas_dissolve_and_overlay(seed):
    """Compliant built-up area per county to 1 m2 (1e-6 km2) of geopandas' dissolve + overlay; the part of it
    outside every county likewise (total inside the built-up less the counties' sum)."""
    counties, built_up, projects = _layers(seed)
    _, numer = coverage_areas(built_up, projects, counties)
    ref = _with_geopandas(counties, built_up, projects)
    for code in counties["adcode"]:
        assert numer[code] == pytest.approx(ref.get(code, 0.0), abs=1.0)
    inside_all = gpd.overlay(
        projects[["geometry"]].dissolve(), built_up[["geometry"]].dissolve(), how="intersection"
    ).area.sum()
    assert numer["unassigned"] == pytest.approx(inside_all - ref.sum(), abs=1.0)
    assert numer["unassigned"] > 1_000  # the second built-up patch sticks out of the counties
    assert dissolve_tiled(projects).area.sum() == pytest.approx(projects.dissolve().area.sum(), abs=1.0)
