"""area_by_zone: hand-checkable squares, and agreement with geopandas.overlay."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from sxgeo import crs as sxcrs
from sxgeo.errors import CRSError
from sxgeo.zonal import UNASSIGNED, area_by_zone, intersection_pieces

X0, Y0 = 500_000.0, 3_320_000.0  # EPSG:4549, in Shaoxing


def _zones() -> gpd.GeoDataFrame:
    # two 1 km x 1 km zones side by side
    return gpd.GeoDataFrame(
        {"adcode": ["A", "B"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 1000, Y0 + 1000),
            shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000),
        ],
        crs=sxcrs.METRIC,
    )


def test_known_squares():
    polys = gpd.GeoDataFrame(
        geometry=[
            shapely.box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200),  # 10,000 m2 inside A
            shapely.box(X0 + 900, Y0 + 500, X0 + 1300, Y0 + 600),  # 100 m x 100 m in A, 300 x 100 in B
            shapely.box(X0 + 1900, Y0 + 900, X0 + 2100, Y0 + 1100),  # 100 x 100 in B, the rest outside
        ],
        crs=sxcrs.METRIC,
    )
    got = area_by_zone(polys, _zones())
    assert got["A"] == pytest.approx(10_000 + 10_000)
    assert got["B"] == pytest.approx(30_000 + 10_000)
    assert got[UNASSIGNED] == pytest.approx(40_000 - 10_000)
    assert got.sum() == pytest.approx(shapely.area(polys.geometry.values).sum())


def test_reprojects_lonlat_input_and_refuses_missing_crs():
    zones = _zones()
    polys = gpd.GeoDataFrame(geometry=[shapely.box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200)], crs=sxcrs.METRIC)
    got = area_by_zone(polys.to_crs(4326), zones.to_crs(4326))
    assert got["A"] == pytest.approx(10_000, rel=1e-6)
    with pytest.raises(CRSError):
        area_by_zone(gpd.GeoDataFrame(geometry=list(polys.geometry)), zones)


def test_equals_overlay_on_random_rectangles(counties):
    rng = np.random.default_rng(3)
    m = sxcrs.to_metric(counties)
    x0, y0, x1, y1 = m.total_bounds
    cx, cy = rng.uniform(x0, x1, 3000), rng.uniform(y0, y1, 3000)
    w, h = rng.uniform(20, 3000, 3000), rng.uniform(20, 3000, 3000)
    polys = gpd.GeoDataFrame(geometry=shapely.box(cx, cy, cx + w, cy + h), crs=m.crs)
    got = area_by_zone(polys, m)
    ref = gpd.overlay(polys, m[["adcode", "geometry"]], how="intersection", keep_geom_type=True)
    ref_area = ref.geometry.area.groupby(ref["adcode"]).sum()
    for code in m["adcode"]:
        assert got[code] == pytest.approx(ref_area[code], rel=1e-9)
    assert got[UNASSIGNED] == pytest.approx(polys.area.sum() - ref_area.sum(), rel=1e-6)


def test_dissolve_parts_counts_overlaps_once():
    from sxgeo.zonal import dissolve_parts

    sq = [
        shapely.box(X0, Y0, X0 + 100, Y0 + 100),  # overlaps the next by 50 x 100
        shapely.box(X0 + 50, Y0, X0 + 150, Y0 + 100),
        shapely.box(X0 + 150, Y0, X0 + 250, Y0 + 100),  # only touches the previous
        shapely.box(X0 + 1000, Y0, X0 + 1100, Y0 + 100),  # alone
    ]
    parts = dissolve_parts(gpd.GeoDataFrame(geometry=sq, crs=sxcrs.METRIC))
    assert parts.area.sum() == pytest.approx(15_000 + 10_000 + 10_000)
    assert len(parts) == 3  # the touching square stays its own part


def test_dissolve_parts_equals_union_all_on_random_parcels():
    from sxgeo.zonal import dissolve_parts

    rng = np.random.default_rng(5)
    x, y = rng.uniform(X0, X0 + 3000, 4000), rng.uniform(Y0, Y0 + 3000, 4000)
    w, h = rng.uniform(10, 80, 4000), rng.uniform(10, 80, 4000)
    boxes = shapely.box(x, y, x + w, y + h)
    parts = dissolve_parts(gpd.GeoDataFrame(geometry=boxes, crs=sxcrs.METRIC))
    assert parts.area.sum() == pytest.approx(shapely.union_all(boxes).area, rel=1e-9)
    # parts never overlap each other
    tree = shapely.STRtree(parts.values)
    a, b = tree.query(parts.values, predicate="intersects")
    keep = a < b
    overlaps = shapely.area(shapely.intersection(parts.values[a[keep]], parts.values[b[keep]]))
    assert np.max(overlaps, initial=0.0) < 1e-6


def test_a_collection_of_overlapping_parts_counts_its_overlap_once():
    """Inside a zone or across its border, a collection's overlap counts once (found by hypothesis)."""
    zone = np.array([shapely.box(0, 0, 10, 10)], dtype=object)
    twice = shapely.GeometryCollection([shapely.box(1, 1, 2, 2), shapely.box(1, 1, 2, 2)])
    across = shapely.GeometryCollection([shapely.box(9, 1, 11, 2), shapely.box(9, 1, 11, 2)])
    _, _, pieces = intersection_pieces(zone, np.array([twice, across], dtype=object))
    assert shapely.area(pieces).tolist() == [1.0, 1.0]
