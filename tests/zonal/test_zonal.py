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


def test_intersection_pieces_in_threads_are_the_predicate_query_pairs_and_their_overlays():
    """Two zones (one with a hole) and 50,000 seeded boxes, some inside, some across a border or the hole,
    some outside: with 2 threads (each on its own prepared copy of the zones) the pairs are exactly those of
    ``STRtree.query(predicate="intersects")`` in its order, each piece is the box itself when the zone holds
    it properly and ``shapely.intersection`` otherwise, bit for bit."""
    rng = np.random.default_rng(7)
    holed = shapely.box(X0, Y0, X0 + 3000, Y0 + 3000).difference(
        shapely.box(X0 + 1000, Y0 + 1000, X0 + 1500, Y0 + 1800)
    )
    slanted = shapely.Polygon(
        [(X0 + 3000, Y0), (X0 + 6000, Y0 + 500), (X0 + 6000, Y0 + 3000), (X0 + 3000, Y0 + 3000)]
    )
    zones = np.array([holed, slanted], dtype=object)
    x, y = X0 - 200 + rng.uniform(0, 6400, 50_000), Y0 - 200 + rng.uniform(0, 3400, 50_000)
    boxes = shapely.box(x, y, x + rng.uniform(5, 80, 50_000), y + rng.uniform(5, 80, 50_000))
    zi, pi = shapely.STRtree(boxes).query(zones, predicate="intersects")
    expected = shapely.intersection(zones[zi], boxes[pi])
    inside = shapely.contains_properly(zones[zi], boxes[pi])
    expected[inside] = boxes[pi[inside]]
    for threads in (1, 2):
        z, b, pieces = intersection_pieces(zones.copy(), boxes, threads=threads)
        assert np.array_equal(z, zi) and np.array_equal(b, pi)
        assert shapely.equals_exact(pieces, expected, tolerance=0.0).all()
    assert 0 < inside.sum() < len(zi)  # both kinds of pair are there


# --- issue-20-raster: true pixel areas of non-equal-area rasters, overlapping zones -------------------

SQ = (550_000.0, 3_320_000.0, 560_000.0, 3_330_000.0)  # a 10 km × 10 km square in EPSG:4549: 10,000 ha


def _square_raster(path, *, pixel: float = 10.0, margin: int = 50):
    """Class 1 on the 10,000 ha square, class 2 on a margin around it, in EPSG:4549."""
    import rasterio
    from rasterio.transform import from_origin

    n = int((SQ[2] - SQ[0]) / pixel)
    arr = np.full((n + 2 * margin, n + 2 * margin), 2, dtype=np.uint8)
    arr[margin : margin + n, margin : margin + n] = 1
    t = from_origin(SQ[0] - margin * pixel, SQ[3] + margin * pixel, pixel, pixel)
    profile = {"driver": "GTiff", "width": arr.shape[1], "height": arr.shape[0], "count": 1,
               "dtype": "uint8", "crs": "EPSG:4549", "transform": t, "tiled": True}  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(arr, 1)
    return path


def _warp(src_path, dst_path, crs: str):
    """Reproject a class raster with rasterio (nearest neighbour), at about the same pixel size."""
    import rasterio
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    with rasterio.open(src_path) as src:
        t, w, h = calculate_default_transform(src.crs, crs, src.width, src.height, *src.bounds)
        profile = {**src.profile, "crs": crs, "transform": t, "width": w, "height": h}
        with rasterio.open(dst_path, "w", **profile) as dst:
            out = np.zeros((h, w), dtype=np.uint8)
            reproject(rasterio.band(src, 1), out, dst_transform=t, dst_crs=crs, resampling=Resampling.nearest)
            dst.write(out, 1)
    return dst_path


def _one_zone() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"adcode": ["Z"]}, geometry=[shapely.box(SQ[0] - 5000, SQ[1] - 5000, SQ[2] + 5000, SQ[3] + 5000)],
        crs=sxcrs.METRIC,
    )  # fmt: skip


def test_web_mercator_raster_counts_the_true_ground_area(tmp_path):
    import pyproj
    import rasterio

    from sxgeo.zonal import raster_zone_counts

    mercator = _warp(_square_raster(tmp_path / "sq_4549.tif"), tmp_path / "sq_3857.tif", "EPSG:3857")
    with rasterio.open(mercator) as src:
        nominal_px = abs(src.transform.a * src.transform.e)
        counts = raster_zone_counts(src, _one_zone())
    forest = counts[counts["class"] == 1]
    # by hand: 10 km × 10 km = 10,000 ha; pyproj's geodesic area of the square agrees (GK scale ~1e-4)
    lon, lat = pyproj.Transformer.from_crs(4549, 4326, always_xy=True).transform(
        [SQ[0], SQ[2], SQ[2], SQ[0]], [SQ[1], SQ[1], SQ[3], SQ[3]]
    )
    geodesic_ha = abs(pyproj.Geod(ellps="GRS80").polygon_area_perimeter(lon, lat)[0]) / 1e4
    assert geodesic_ha == pytest.approx(10_000, rel=2e-4)
    assert forest["area_ha"].sum() == pytest.approx(10_000, rel=0.005)
    # the nominal Mercator metres would give about 1/cos²(30°) = 4/3 of it
    nominal_ha = forest["pixels"].sum() * nominal_px / 1e4
    assert nominal_ha == pytest.approx(10_000 / np.cos(np.radians(30.1)) ** 2, rel=0.01)


def test_pixel_areas_keep_nominal_metres_for_gauss_kruger_and_equal_area():
    import pyproj
    from rasterio.transform import from_origin

    from sxgeo.zonal import pixel_areas

    gk = pixel_areas(from_origin(*SQ[:1], SQ[3], 10, 10), 1000, 1000, "EPSG:4549")
    assert gk.row_areas is None and gk.note is None and gk.nominal_m2 == 100.0
    # Albers equal-area over Shaoxing: nominal areas hold exactly
    aea = pyproj.CRS("+proj=aea +lat_1=25 +lat_2=47 +lon_0=105 +ellps=GRS80 +units=m")
    x, y = pyproj.Transformer.from_crs(4326, aea, always_xy=True).transform(120.6, 30.0)
    eq = pixel_areas(from_origin(x, y, 30, 30), 500, 500, aea)
    assert eq.row_areas is None and abs(eq.scale[0] - 1) < 1e-6
    # Web Mercator: a row at 30°N weighs cos²φ·(ellipsoid) of its nominal area; pyproj's Geod agrees
    mx, my = pyproj.Transformer.from_crs(4326, 3857, always_xy=True).transform(120.6, 30.0)
    t = from_origin(mx, my, 10, 10)
    wm = pixel_areas(t, 100, 1, "EPSG:3857")
    inv = pyproj.Transformer.from_crs(3857, 4326, always_xy=True)
    lon, lat = inv.transform([mx, mx + 10, mx + 10, mx], [my, my, my - 10, my - 10])
    ref = abs(pyproj.Geod(ellps="WGS84").polygon_area_perimeter(lon, lat)[0])
    assert wm.row_areas is not None and wm.row_areas[0] == pytest.approx(ref, rel=1e-6)
    assert "EPSG:3857" in (wm.note or "") and "not equal-area" in (wm.note or "")


def _overlapping() -> gpd.GeoDataFrame:
    # A 0-2 km × 0-1 km and B 1-3 km × 0-1 km overlap on 1 km × 1 km = 100 ha
    return gpd.GeoDataFrame(
        {"adcode": ["A", "B"]},
        geometry=[shapely.box(X0, Y0, X0 + 2000, Y0 + 1000),
                  shapely.box(X0 + 1000, Y0, X0 + 3000, Y0 + 1000)],
        crs=sxcrs.METRIC,
    )  # fmt: skip


def test_overlapping_zones_each_count_whole_and_unassigned_is_outside_their_union():
    from sxgeo.zonal import overlap_note, zone_overlaps

    # a 4 km × 1 km strip: 2 km² in A, 2 km² in B (1 km² of it in both), 1 km² (x 3-4 km) in neither
    strip = gpd.GeoSeries([shapely.box(X0, Y0, X0 + 4000, Y0 + 1000)], crs=sxcrs.METRIC)
    got = area_by_zone(strip, _overlapping())
    assert got["A"] == pytest.approx(2e6)
    assert got["B"] == pytest.approx(2e6)
    assert got[UNASSIGNED] == pytest.approx(1e6)  # not 4 - (2 + 2) = 0
    pairs = zone_overlaps(_overlapping())
    assert pairs.to_dict("records") == [{"zone_a": "A", "zone_b": "B", "overlap_m2": pytest.approx(1e6)}]
    note = overlap_note(_overlapping())
    assert note is not None and "A/B 100.00 ha" in note and "counted whole" in note
    assert overlap_note(_zones()) is None  # side by side: touching is no overlap


def test_overlapping_zones_each_count_their_pixels_whole(tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    from sxgeo.zonal import raster_zone_counts

    # 10 m pixels over x 0-4 km: class 1 left of x = 1.5 km, class 2 right of it
    arr = np.full((100, 400), 2, dtype=np.uint8)
    arr[:, :150] = 1
    path = tmp_path / "strip.tif"
    profile = {"driver": "GTiff", "width": 400, "height": 100, "count": 1, "dtype": "uint8",
               "crs": "EPSG:4549", "transform": from_origin(X0, Y0 + 1000, 10, 10)}  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(arr, 1)
    with rasterio.open(path) as src:
        c = raster_zone_counts(src, _overlapping(), window_rows=30)
    t = c.groupby(["zone", "class"])["area_ha"].sum()
    assert t["A", 1] == pytest.approx(150.0) and t["A", 2] == pytest.approx(50.0)  # the whole of A: 200 ha
    assert t["B", 1] == pytest.approx(50.0) and t["B", 2] == pytest.approx(150.0)  # the whole of B: 200 ha
    assert t[""].sum() == pytest.approx(100.0)  # x 3-4 km, in neither zone, counted once
    assert c["pixels"].sum() == 400 * 100 + 100 * 100  # the 1 km² overlap twice, nothing else


def test_pilot_class_areas_of_a_web_mercator_raster_are_true_areas(tmp_path):
    from sxgeo.pilots.measures import class_areas

    mercator = _warp(_square_raster(tmp_path / "sq_4549.tif"), tmp_path / "sq_3857.tif", "EPSG:3857")
    # a disc of 3 km radius at the square's centre, all class 1: π × 3² km² = 2,827.4 ha
    cx, cy = (SQ[0] + SQ[2]) / 2, (SQ[1] + SQ[3]) / 2
    disc = np.array([shapely.Point(cx, cy).buffer(3000, quad_segs=64)], dtype=object)
    c = class_areas(disc, mercator)
    assert c.loc[c["class"] == 1, "area_ha"].sum() == pytest.approx(np.pi * 900, rel=0.005)


def test_a_gauss_kruger_raster_far_from_its_meridian_is_weighed_per_row_and_column():
    import pyproj
    from rasterio.transform import from_origin

    from sxgeo.zonal import pixel_areas

    # EPSG:4549 (CM 120°E) 400 km wide from x = 480 km to 880 km at about 30°N: the scale grows eastward
    t = from_origin(480_000, 3_370_000, 1000, 1000)
    pa = pixel_areas(t, 400, 400, "EPSG:4549")
    assert pa.row_areas is not None and pa.col_factors is not None
    inv = pyproj.Transformer.from_crs(4549, 4490, always_xy=True)
    geod = pyproj.Geod(ellps="GRS80")
    for r, c in ((0, 0), (200, 399), (399, 200)):
        xs = [t.c + c * 1000, t.c + (c + 1) * 1000, t.c + (c + 1) * 1000, t.c + c * 1000]
        ys = [t.f - r * 1000, t.f - r * 1000, t.f - (r + 1) * 1000, t.f - (r + 1) * 1000]
        ref = abs(geod.polygon_area_perimeter(*inv.transform(xs, ys))[0])
        assert pa.row_areas[r] * pa.col_factors[c] == pytest.approx(ref, rel=5e-5)


# ---- issue 19 (branch splits): sxgeo.zonal is a package of vector and raster halves
def test_every_name_of_zonal_is_importable_from_the_package_and_lives_in_its_half():
    import sxgeo.zonal as zonal
    from sxgeo import crs
    from sxgeo.zonal import raster, vector

    vector_names = ("UNASSIGNED", "area_by_zone", "clip_to", "dissolve_parts", "grid_counts",
                    "intersection_pieces", "overlap_groups", "overlap_note", "zone_overlaps")  # fmt: skip
    raster_names = ("MAX_CLASS", "NODATA_CLASS", "ZoneGrid", "add_counts", "counts_frame",
                    "raster_zone_counts", "window_counts", "zone_grid")  # fmt: skip
    assert sorted(zonal.__all__) == sorted([*vector_names, *raster_names, "pixel_areas", "pixel_row_areas"])
    for name in vector_names:
        assert getattr(zonal, name) is getattr(vector, name), name
    for name in raster_names:
        assert getattr(zonal, name) is getattr(raster, name), name
    assert zonal.pixel_areas is crs.pixel_areas and zonal.pixel_row_areas is crs.pixel_row_areas
    assert zonal.ZoneGrid.__module__ == "sxgeo.zonal.raster"
    assert zonal.area_by_zone.__module__ == "sxgeo.zonal.vector"
