"""CRS policy and the GCJ-02 / BD-09 transforms, against two independent implementations."""

from __future__ import annotations

import eviltransform
import geopandas as gpd
import numpy as np
import prcoords
import pytest
import shapely

from sxgeo import crs as sxcrs
from sxgeo.errors import CRSError


@pytest.fixture(scope="module")
def shaoxing_points() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    lon0, lat0, lon1, lat1 = sxcrs.SHAOXING_BOUNDS_LONLAT
    return rng.uniform(lon0, lon1, 2000), rng.uniform(lat0, lat1, 2000)


def test_forward_matches_prcoords_exactly(shaoxing_points):
    lon, lat = shaoxing_points
    glon, glat = sxcrs.wgs84_to_gcj02(lon, lat)
    ref = np.array([tuple(prcoords.wgs_gcj(prcoords.Coords(b, a))) for a, b in zip(lon, lat, strict=True)])
    # prcoords returns (lat, lon); the same published formula gives the same doubles
    np.testing.assert_allclose(glat, ref[:, 0], atol=1e-12)
    np.testing.assert_allclose(glon, ref[:, 1], atol=1e-12)


def test_forward_matches_eviltransform_within_1cm(shaoxing_points):
    lon, lat = shaoxing_points
    glon, glat = sxcrs.wgs84_to_gcj02(lon, lat)
    ref = np.array([eviltransform.wgs2gcj(b, a) for a, b in zip(lon, lat, strict=True)])
    de, dn = sxcrs.offset_m(ref[:, 1], ref[:, 0], glon, glat)
    assert np.hypot(de, dn).max() < 0.01


def test_gcj_shift_in_shaoxing_is_about_500m_south_east(shaoxing_points):
    lon, lat = shaoxing_points
    de, dn = sxcrs.offset_m(lon, lat, *sxcrs.wgs84_to_gcj02(lon, lat))
    dist = np.hypot(de, dn)
    # reference/maps.md: 490-530 m across Shaoxing; about +0.0041..0.0048 deg lon, -0.0023..0.0026 deg lat
    assert dist.min() > 480 and dist.max() < 550
    assert (de > 380).all() and (dn < -230).all()


def test_gcj_inverse_round_trip_below_1cm(shaoxing_points):
    lon, lat = shaoxing_points
    back = sxcrs.gcj02_to_wgs84(*sxcrs.wgs84_to_gcj02(lon, lat))
    de, dn = sxcrs.offset_m(lon, lat, *back)
    assert np.hypot(de, dn).max() < 0.01


def test_gcj_inverse_beats_prcoords_rough_inverse(shaoxing_points):
    """The iterative inverse agrees with prcoords' iterative one; its rough one is ~1-2 m off."""
    lon, lat = shaoxing_points
    glon, glat = sxcrs.wgs84_to_gcj02(lon, lat)
    mine = sxcrs.gcj02_to_wgs84(glon, glat)
    bored = np.array(
        [tuple(prcoords.gcj_wgs_bored(prcoords.Coords(b, a))) for a, b in zip(glon, glat, strict=True)]
    )
    de, dn = sxcrs.offset_m(bored[:, 1], bored[:, 0], *mine)
    assert np.hypot(de, dn).max() < 0.01


def test_bd09_matches_prcoords_and_round_trips(shaoxing_points):
    lon, lat = shaoxing_points
    blon, blat = sxcrs.wgs84_to_bd09(lon, lat)
    ref = np.array([tuple(prcoords.wgs_bd(prcoords.Coords(b, a))) for a, b in zip(lon, lat, strict=True)])
    np.testing.assert_allclose(blat, ref[:, 0], atol=1e-9)
    np.testing.assert_allclose(blon, ref[:, 1], atol=1e-9)
    de, dn = sxcrs.offset_m(lon, lat, *sxcrs.bd09_to_wgs84(blon, blat))
    assert np.hypot(de, dn).max() < 0.01
    # BD-09 sits about 1.1 km from WGS84 in Shaoxing (reference/maps.md: 1.08-1.16 km)
    de, dn = sxcrs.offset_m(lon, lat, blon, blat)
    assert 1000 < np.hypot(de, dn).mean() < 1250


def test_outside_china_is_unchanged():
    lon, lat = sxcrs.wgs84_to_gcj02([2.35, -74.0], [48.85, 40.7])
    np.testing.assert_array_equal(lon, [2.35, -74.0])
    np.testing.assert_array_equal(lat, [48.85, 40.7])


def test_transform_geometries_keeps_shared_vertices_identical():
    a = shapely.box(120.5, 30.0, 120.6, 30.1)
    b = shapely.box(120.6, 30.0, 120.7, 30.1)
    out = sxcrs.transform_geometries([a, b], "gcj02", "wgs84")
    assert shapely.coverage_is_valid(out)
    assert out[0].intersection(out[1]).geom_type == "LineString"


def test_area_of_a_geographic_layer_raises():
    gdf = gpd.GeoDataFrame(geometry=[shapely.box(120.5, 30.0, 120.6, 30.1)], crs=4326)
    with pytest.raises(CRSError, match="projected CRS"):
        sxcrs.area_m2(gdf)
    with pytest.raises(CRSError, match="projected CRS"):
        sxcrs.length_m(gdf)


def test_missing_crs_raises_and_names_the_fix():
    gdf = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)])
    with pytest.raises(CRSError, match="crs=4326"):
        sxcrs.to_metric(gdf, what="my.shp")


def test_to_metric_logs_and_measures_a_known_square(caplog):
    # a 1 km x 1 km square in EPSG:4549, round-tripped through lon/lat
    sq = gpd.GeoDataFrame(geometry=[shapely.box(500_000, 3_320_000, 501_000, 3_321_000)], crs=sxcrs.METRIC)
    lonlat = sq.to_crs(4326)
    with caplog.at_level("INFO", logger="sxgeo.crs"):
        back = sxcrs.to_metric(lonlat, what="square")
    assert "reprojecting square from EPSG:4326 to EPSG:4549" in caplog.text
    assert sxcrs.area_m2(back)[0] == pytest.approx(1_000_000, rel=1e-6)
    assert sxcrs.to_metric(sq) is sq  # nothing to do, nothing copied


def test_parse_crs_refuses_offset_names_and_nonsense():
    with pytest.raises(CRSError, match="offset coordinate system"):
        sxcrs.parse_crs("gcj02")
    with pytest.raises(CRSError, match="not a CRS PROJ knows"):
        sxcrs.parse_crs("EPSG:999999")
    assert sxcrs.parse_crs("4549").to_epsg() == 4549
    with pytest.raises(CRSError, match="projected target"):
        sxcrs.to_metric(gpd.GeoDataFrame(geometry=[shapely.Point(120.5, 30)], crs=4326), 4326)


def test_crs_error_is_also_a_value_error():
    assert issubclass(CRSError, ValueError)


def test_lonlat_to_metric_and_bounds_on_the_central_meridian():
    # EPSG:4549: Gauss-Kruger, central meridian 120E, false easting 500 000 m, no false northing
    x, y = sxcrs.lonlat_to_metric([120.0], [0.0])
    assert x[0] == pytest.approx(500_000.0, abs=1e-6) and y[0] == pytest.approx(0.0, abs=1e-6)
    x, y = sxcrs.lonlat_to_metric([120.5], [29.5])
    bounds = sxcrs.bounds_lonlat((x[0], y[0], x[0], y[0]), sxcrs.METRIC)  # a point's bounds
    assert bounds == pytest.approx((120.5, 29.5, 120.5, 29.5), abs=1e-9)


def test_geodesic_area_agrees_with_planar_near_the_central_meridian():
    # a 10 km square on the central meridian at 30N: the Gauss-Kruger scale there is 1 + 1e-6 at most
    x, y = sxcrs.lonlat_to_metric([120.0], [30.0])
    sq = gpd.GeoSeries([shapely.box(x[0] - 5000, y[0] - 5000, x[0] + 5000, y[0] + 5000)], crs=sxcrs.METRIC)
    assert sxcrs.area_m2(sq)[0] == pytest.approx(1e8)
    assert sxcrs.geodesic_area_m2(sq)[0] == pytest.approx(1e8, rel=1e-5)


# ---- issue 20 (branch issue-20-inputs): check --crs bd09
@pytest.mark.parametrize(("crs", "oracle"), [("bd09", "bd_wgs_bored"), ("gcj02", "gcj_wgs_bored")])
def test_check_prints_the_converted_bounds(tmp_path, crs, oracle):
    import re

    import pandas as pd
    from typer.testing import CliRunner

    from sxgeo.cli import app

    lon, lat = [120.58, 120.61], [30.0, 30.03]  # offset (BD-09 / GCJ-02) lon/lat as Baidu/AMap give them
    pd.DataFrame({"name": ["a", "b"], "lon": lon, "lat": lat}).to_csv(tmp_path / "pts.csv", index=False)
    result = CliRunner().invoke(app, ["-q", "check", str(tmp_path / "pts.csv"), "--crs", crs])
    assert result.exit_code == 0, result.output
    m = re.search(r"bounds \(lon/lat\): ([\d.]+), ([\d.]+) \.\. ([\d.]+), ([\d.]+)", result.output)
    assert m, result.output
    got = [float(v) for v in m.groups()]
    wgs = [getattr(prcoords, oracle)(prcoords.Coords(b, a)) for a, b in zip(lon, lat, strict=True)]
    want = [
        min(c.lon for c in wgs),
        min(c.lat for c in wgs),
        max(c.lon for c in wgs),
        max(c.lat for c in wgs),
    ]
    np.testing.assert_allclose(got, want, atol=1e-5)  # printed to 5 decimals
    # and a second, independent formula (eviltransform) agrees to about a metre
    ev = eviltransform.bd2wgs(lat[0], lon[0]) if crs == "bd09" else eviltransform.gcj2wgs(lat[0], lon[0])
    assert abs(got[0] - ev[1]) < 3e-5 and abs(got[1] - ev[0]) < 3e-5


# ---- issue 19 (branch splits): sxgeo.crs is a package; the offsets live in sxgeo/crs/_offsets.py
OFFSET_NAMES = (
    "GCJ02", "BD09", "OFFSET_CRS_NAMES", "offset_crs_name", "wgs84_to_gcj02", "gcj02_to_wgs84",
    "gcj02_to_bd09", "bd09_to_gcj02", "wgs84_to_bd09", "bd09_to_wgs84", "transform_geometries",
)  # fmt: skip


def test_the_offsets_live_in_their_own_module_and_sxgeo_crs_re_exports_them():
    import ast
    from pathlib import Path

    from sxgeo.crs import _offsets

    for name in OFFSET_NAMES:
        assert getattr(sxcrs, name) is getattr(_offsets, name), name
    assert sxcrs.wgs84_to_gcj02.__module__ == "sxgeo.crs._offsets"
    # the offsets are the lower layer: they import nothing of sxgeo but its errors
    tree = ast.parse(Path(_offsets.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert {m for m in imported if m and m.startswith("sxgeo")} == {"sxgeo.errors"}
    # the rest of the public names of sxgeo.crs before the split
    names = ("METRIC", "WGS84", "CGCS2000", "WEB_MERCATOR", "SHAOXING_BOUNDS_LONLAT", "parse_crs",
             "to_metric", "to_lonlat", "area_m2", "length_m", "geodesic_area_m2", "bounds_lonlat",
             "lonlat_to_metric", "from_offset_lonlat", "to_offset_lonlat", "offset_m", "pixel_areas",
             "pixel_row_areas", "PixelAreas", "AREA_TOLERANCE", "require_crs", "require_projected",
             "is_geographic")  # fmt: skip
    assert [n for n in names if not hasattr(sxcrs, n)] == []


@pytest.mark.parametrize(
    ("src", "dst"), [("EPSG:4326", "EPSG:4549"), ("EPSG:4490", "EPSG:4549"), ("EPSG:4549", "EPSG:4326")]
)
def test_written_out_pipelines_are_the_ones_proj_chooses(src, dst):
    """The shortcut of to_metric/to_lonlat is PROJ's own operation: same pipeline text, same coordinates."""
    from pyproj import Transformer

    chosen = Transformer.from_crs(src, dst, always_xy=True)
    ours = sxcrs.known_pipeline(sxcrs.parse_crs(src), sxcrs.parse_crs(dst))
    assert ours is not None
    assert ours.replace("+", "").split() == chosen.definition.split()
    rng = np.random.default_rng(0)
    if src == "EPSG:4549":
        x, y = rng.uniform(380_000, 620_000, 500), rng.uniform(3_230_000, 3_360_000, 500)
    else:
        x, y = rng.uniform(119.5, 121.5, 500), rng.uniform(29.0, 30.5, 500)
    a = np.array(chosen.transform(x, y))
    b = np.array(Transformer.from_pipeline(ours).transform(x, y))
    assert np.array_equal(a, b)


def test_to_metric_shortcut_equals_geopandas_to_crs_exactly():
    """Same geometries bit for bit, columns, geometry name, CRS, attrs; a GeoSeries too; Z via geopandas."""
    ring = [(120.5, 30.0), (120.6, 30.0), (120.6, 30.1), (120.5, 30.05), (120.5, 30.0)]
    gdf = gpd.GeoDataFrame(
        {"code": ["a", "b"]},
        geometry=[shapely.Polygon(ring), shapely.LineString(ring[:3])],
        crs="EPSG:4326",
    ).rename_geometry("geom")
    gdf.attrs["source"] = "made here"
    ref = gdf.to_crs("EPSG:4549")
    out = sxcrs.to_metric(gdf)
    assert list(out.columns) == ["code", "geom"] and out.geometry.name == "geom"
    assert out.crs == ref.crs and out.attrs == {"source": "made here"}
    assert shapely.equals_exact(out.geometry.values, ref.geometry.values, tolerance=0).all()
    series = sxcrs.to_metric(gdf.geometry)
    assert isinstance(series, gpd.GeoSeries)
    assert shapely.equals_exact(series.values, ref.geometry.values, tolerance=0).all()
    back = sxcrs.to_lonlat(out)
    assert np.abs(shapely.get_coordinates(back.geometry.values) - np.array(ring[:5] + ring[:3])).max() < 1e-9
    z = gpd.GeoDataFrame(geometry=[shapely.Point(120.5, 30.0, 12.5)], crs="EPSG:4326")
    zm = sxcrs.to_metric(z)
    assert shapely.get_coordinates(zm.geometry.values, include_z=True)[0, 2] == 12.5
