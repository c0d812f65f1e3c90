"""The raster kernel's fast paths (whole tiles, boundary runs, the reading thread) against numpy.

The oracle is independent of GDAL and of the kernel: every pixel centre is tested against the zone
polygons with ``shapely.contains_xy`` (the pixel-centre rule) and the ``zone × 256 + class`` codes are
counted with one ``numpy.bincount`` over the whole raster.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from sxgeo import crs as sxcrs
from sxgeo.zonal import raster as zr

X0, Y0 = 550_000.0, 3_330_000.0  # top-left corner, EPSG:4549
PIXEL = 10.0
HEIGHT, WIDTH = 330, 290  # not whole tiles of 64: the last row and column of tiles are partial


def _classes(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    cls = rng.integers(0, 6, size=(HEIGHT, WIDTH), dtype=np.uint8)  # 0 is nodata
    cls[:, :70] = 0  # a band of nodata only (whole tiles of class 0)
    cls[200:, 150:] = 3  # a constant corner
    return cls


def _write(path, cls: np.ndarray) -> None:
    profile = {
        "driver": "GTiff", "dtype": "uint8", "width": WIDTH, "height": HEIGHT, "count": 1, "nodata": 0,
        "crs": "EPSG:4549", "transform": from_origin(X0, Y0, PIXEL, PIXEL),
        "tiled": True, "blockxsize": 64, "blockysize": 64,
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(cls, 1)


def _zones() -> gpd.GeoDataFrame:
    # vertices off the pixel grid (+0.37 m), so no pixel centre lies on a boundary
    d = 0.37
    big = shapely.Polygon([(X0 + 300 + d, Y0 - 200 - d), (X0 + 2700 + d, Y0 - 150 - d),
                           (X0 + 2600 + d, Y0 - 2100 - d), (X0 + 400 + d, Y0 - 2300 - d)])  # fmt: skip
    hole = shapely.box(X0 + 1500 + d, Y0 - 1500 - d, X0 + 1800 + d, Y0 - 1200 - d)
    tri = shapely.Polygon([(X0 + 400 + d, Y0 - 2300 - d), (X0 + 2600 + d, Y0 - 2100 - d),
                           (X0 + 1500 + d, Y0 - 3250 - d)])  # fmt: skip
    west = shapely.box(X0 + d, Y0 - 3000 - d, X0 + 250 + d, Y0 - 100 - d)  # on the nodata band
    return gpd.GeoDataFrame(
        {"adcode": ["A", "B", "C"]},
        geometry=[big.difference(hole), tri.difference(big), west],
        crs=sxcrs.METRIC,
    )


def _oracle_zones(zones: gpd.GeoDataFrame) -> np.ndarray:
    cols, rows = np.meshgrid(np.arange(WIDTH), np.arange(HEIGHT))
    x, y = X0 + (cols + 0.5) * PIXEL, Y0 - (rows + 0.5) * PIXEL
    zone = np.zeros((HEIGHT, WIDTH), dtype=np.int64)
    for number, geom in enumerate(zones.geometry, start=1):
        zone[shapely.contains_xy(geom, x, y)] = number
    return zone


def _as_dict(frame, keys: list[str]) -> dict:
    return {tuple(r[k] for k in keys): int(r["pixels"]) for _, r in frame.iterrows()}


@pytest.mark.parametrize("window_rows", [64, 100, None])
def test_class_counts_equal_a_plain_numpy_count(tmp_path, window_rows):
    cls = _classes(1)
    path = tmp_path / "lc.tif"
    _write(path, cls)
    zones = _zones()
    zone = _oracle_zones(zones)
    codes = np.array(["", "A", "B", "C"])
    want = np.bincount((zone * 256 + cls).ravel())
    expected = {(codes[c // 256], -1 if c % 256 == 0 else c % 256): int(n) for c, n in enumerate(want) if n}
    with rasterio.open(path) as src:
        grid = zr.zone_grid(src, zones, window_rows=window_rows)
        got = zr.raster_zone_counts(src, zones, window_rows=window_rows)
    # the plan has tiles of all three kinds: inside one zone, outside every zone, on a boundary
    tiles = grid.tiles[0]
    assert grid.tile_shape == (64, 64) and (tiles > 0).any() and (tiles == 0).any() and (tiles == -1).any()
    assert len(grid.windows()) >= (2 if window_rows else 1)
    assert _as_dict(got, ["zone", "class"]) == expected
    assert got["pixels"].sum() == HEIGHT * WIDTH
    # the Dask engine's kernel, window by window without the reading thread, gives the same sums
    parts = [zr.window_counts(grid, r0, n) for r0, n in grid.windows()]
    again = zr.counts_frame(grid, *zr.add_counts(parts))
    assert _as_dict(again, ["zone", "class"]) == expected


def test_class_pair_counts_equal_a_plain_numpy_count(tmp_path):
    before, after = _classes(2), _classes(3)
    after[:40, 100:200] = 0  # nodata after only
    after[:, 192:] = before[:, 192:]  # whole tiles without change
    _write(tmp_path / "a.tif", before)
    _write(tmp_path / "b.tif", after)
    zones = _zones()
    zone = _oracle_zones(zones)
    codes = np.array(["", "A", "B", "C"])
    want = np.bincount((zone * 65536 + before.astype(np.int64) * 256 + after).ravel())
    expected = {}
    for c, n in enumerate(want):
        if n:
            z, b, a = c // 65536, (c // 256) % 256, c % 256
            expected[(codes[z], b or -1, a or -1)] = int(n)
    with rasterio.open(tmp_path / "a.tif") as src, rasterio.open(tmp_path / "b.tif") as later:
        got = zr.raster_zone_counts(src, zones, window_rows=64, other=later)
    assert _as_dict(got, ["zone", "class_before", "class_after"]) == expected


def test_whole_tiles_hold_one_zone_by_the_pixel_centre_rule():
    zones = _zones()
    zone = _oracle_zones(zones)
    shapes = [(g, i + 1) for i, g in enumerate(zones.geometry)]
    tiles = zr.tile_zones(shapes, from_origin(X0, Y0, PIXEL, PIXEL), WIDTH, HEIGHT, (64, 64))
    assert tiles.shape == (6, 5)
    for (i, j), number in np.ndenumerate(tiles):
        block = zone[i * 64 : (i + 1) * 64, j * 64 : (j + 1) * 64]
        if number >= 0:
            assert (block == number).all(), (i, j)
    # the tiles in the hole of A are not A's
    assert tiles[2, 2] != 1 or (zone[128:192, 128:192] == 1).all()
