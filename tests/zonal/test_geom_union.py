"""Union per tile (sxgeo.geom_union) and the sponge coverage built on it, against shapely and geopandas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from sxgeo import crs as sxcrs
from sxgeo.geom_union import _cut_to_tiles, default_tile_m, dissolve_tiled, tiled_union, tiled_union_by_label
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


def test_coverage_areas_by_hand_clipped_per_unit_before_the_union():
    """Areas by hand: two counties side by side (the border at x = X0 + 1000), one built-up rectangle across
    the border, and projects that overlap, nest, cross the border and a 100 m tile edge, or lie outside.

    Built-up: [X0 + 500, X0 + 1500] x [Y0, Y0 + 1000] (500,000 m2 in each county).
    West county, inside the built-up area: A = [X0+600, X0+700] x [Y0+100, Y0+200] (10,000 m2) and
    B = A shifted by (50, 50) (overlap 50 x 50 = 2,500 m2): union 17,500 m2; C, 20 x 20 inside A, adds 0.
    Across the border: D = [X0+950, X0+1050] x [Y0+450, Y0+550] (crosses x = X0+1000 and the 100 m tile
    edges at y = Y0+500 when tiles are 100 m): 5,000 m2 each side. East: E = [X0+1400, X0+1600] x
    [Y0+800, Y0+900] half outside the built-up area: 100 x 100 = 10,000 m2 counted. F lies outside the
    built-up area altogether: 0. West total 17,500 + 5,000 = 22,500 m2, east 5,000 + 10,000 = 15,000 m2.
    """
    west = shapely.box(X0 - 2000, Y0 - 2000, X0 + 1000, Y0 + 3000)
    east = shapely.box(X0 + 1000, Y0 - 2000, X0 + 4000, Y0 + 3000)
    counties = gpd.GeoDataFrame({"adcode": ["330602", "330603"]}, geometry=[west, east], crs=sxcrs.METRIC)
    built_up = gpd.GeoDataFrame(geometry=[shapely.box(X0 + 500, Y0, X0 + 1500, Y0 + 1000)], crs=sxcrs.METRIC)
    boxes = [
        (600, 100, 700, 200),  # A
        (650, 150, 750, 250),  # B overlaps A by 50 x 50
        (620, 120, 640, 140),  # C inside A
        (950, 450, 1050, 550),  # D across the county border
        (1400, 800, 1600, 900),  # E half outside the built-up area
        (2000, 2000, 2100, 2100),  # F outside the built-up area
    ]
    projects = gpd.GeoDataFrame(
        geometry=[shapely.box(X0 + a, Y0 + b, X0 + c, Y0 + d) for a, b, c, d in boxes], crs=sxcrs.METRIC
    )
    denom, numer = coverage_areas(built_up, projects, counties)
    assert denom["330602"] == pytest.approx(500_000.0, abs=1e-6)
    assert numer["330602"] == pytest.approx(22_500.0, abs=1e-6)
    assert numer["330603"] == pytest.approx(15_000.0, abs=1e-6)
    assert numer["unassigned"] == pytest.approx(0.0, abs=1e-6)
    # the same with the many projects the tiles are made for: 300 copies of each, shifted by nothing
    many = gpd.GeoDataFrame(geometry=np.tile(projects.geometry.values, 300), crs=sxcrs.METRIC)
    _, numer_many = coverage_areas(built_up, many, counties)
    assert numer_many["330602"] == pytest.approx(22_500.0, abs=1e-6)
    assert numer_many["330603"] == pytest.approx(15_000.0, abs=1e-6)


def test_tiled_union_by_label_keeps_labels_apart_and_cuts_at_tile_edges():
    """Two overlapping 100 m squares (union 17,500 m2 by hand) under label 0, the same two under label 1, and
    a 100 m tile grid that cuts them: each label's parts add up to 17,500 m2, none counted across labels."""
    a = shapely.box(X0 + 10, Y0 + 10, X0 + 110, Y0 + 110)
    b = shapely.box(X0 + 60, Y0 + 60, X0 + 160, Y0 + 160)
    parts, label = tiled_union_by_label(
        np.array([a, b, a, b], dtype=object), np.array([0, 0, 1, 1]), tile_m=100
    )
    areas = np.bincount(label, weights=shapely.area(parts))
    assert areas.tolist() == pytest.approx([17_500.0, 17_500.0], abs=1e-6)
    assert len(parts) > 2  # cut along the tile edges at x, y = ..., X0 + 100, Y0 + 100


@pytest.mark.parametrize("threads", [1, 2])
def test_tiled_union_in_blocks_of_tiles_equals_union_all_per_label(threads):
    """3,000 seeded parcels (boxes, rotated, holed, two-part) under three labels, on 150 m tiles (about 400
    tiles, so several blocks per thread): per label the parts add up to union_all's area to 1 m2 (1e-6
    km2), are valid Polygons, and do not overlap one another (their union's area is their sum)."""
    geoms = parcels(3, 3_000)
    labels = np.random.default_rng(3).integers(0, 3, len(geoms))
    parts, label = tiled_union_by_label(geoms, labels, tile_m=150.0, threads=threads)
    assert shapely.is_valid(parts).all()
    assert set(shapely.get_type_id(parts).tolist()) == {int(shapely.GeometryType.POLYGON)}
    for lab in range(3):
        mine = parts[label == lab]
        expected = shapely.union_all(geoms[labels == lab]).area
        assert shapely.area(mine).sum() == pytest.approx(expected, abs=1.0)
        assert shapely.union_all(mine).area == pytest.approx(shapely.area(mine).sum(), abs=1.0)
    # labels come out in order (label, then tile)
    assert (np.diff(label) >= 0).all()


def test_a_union_is_cut_to_its_tile_as_the_overlay_cuts_it():
    """The rectangle clip of a tile's union gives the overlay's area. By hand: a 20 x 20 square with a
    10 x 10 hole, both centred on the tile edge x = 100, keeps 10 x 20 - 5 x 10 = 150 m2 on each side; the
    union of two unit squares overlapping by 0.25 (1.75 m2) across the same edge adds up to 1.75 m2."""
    holed = shapely.box(90, 10, 110, 30).difference(shapely.box(95, 15, 105, 25))
    ell = shapely.union(shapely.box(99.5, 0.2, 100.5, 1.2), shapely.box(100.0, 0.7, 101.0, 1.7))
    geoms = np.array([holed, holed, ell, ell], dtype=object)
    ti, tj = np.array([0, 1, 0, 1]), np.array([0, 0, 0, 0])
    cut = _cut_to_tiles(geoms, ti, tj, 100.0)
    boxes = shapely.box(ti * 100.0, tj * 100.0, (ti + 1) * 100.0, (tj + 1) * 100.0)
    assert shapely.area(cut) == pytest.approx(shapely.area(shapely.intersection(geoms, boxes)), abs=1e-9)
    assert shapely.area(cut[:2]).tolist() == pytest.approx([150.0, 150.0])  # (10 x 20 - 5 x 10) each side
    assert shapely.area(cut[2:]).sum() == pytest.approx(1.75)  # the two squares' union, 2 - 0.25
    assert shapely.is_valid(cut).all()
