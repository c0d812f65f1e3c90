"""Zone × class pixel areas by row blocks on Dask, and the true area of geographic pixels.

The in-memory counter (:func:`sxgeo.zonal.raster_zone_counts`) reads a class raster window by
window in one process. Here each block of rows is one ``dask.delayed`` task: it opens the file
(a GeoTIFF, a cloud-optimised GeoTIFF or a VRT of many tiles: any path GDAL opens from every
worker), rasterises the zones onto the block's own grid (pixel-centre rule, as in memory),
counts ``zone × 256 + class`` with ``numpy.bincount`` and weighs the counts by the area of each
pixel row. The per-block results are added.

Geographic rasters (ESA WorldCover, Esri 10 m land cover, in EPSG:4326) are accepted: the zones
are rasterised in the raster's own grid and every pixel row gets its true ellipsoidal area
(:func:`pixel_row_areas`). A "10 m" WorldCover pixel of 1/12,000° is about 74 m² at 30°N, not
100 m².
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo.engine import quiet_dask
from sxgeo.errors import CRSError

log = logging.getLogger(__name__)

_RASTERIZE = threading.Lock()
"""rasterio's rasterize is not safe in two threads of one process at once (a thread's in-memory dataset can
be seen without its transform: a spurious NotGeoreferencedWarning); one at a time per worker process."""

BLOCK_PIXELS = 1 << 23
"""Pixels per task when no block size is given (about 8 million: 8 MB of classes)."""


def _band_area(phi: np.ndarray, a: float, e2: float) -> np.ndarray:
    """Ellipsoidal area from the equator to latitude *phi* per radian of longitude [m2].

    The area of the zone between the equator and φ on an ellipsoid of revolution is
    ``a²(1−e²)/2 · [sinφ/(1−e²sin²φ) + ln((1+e sinφ)/(1−e sinφ))/(2e)]`` per radian of longitude
    (e.g. Snyder 1987, *Map Projections: A Working Manual*, USGS PP 1395, eq. 3-12 for q).
    """
    e = np.sqrt(e2)
    s = np.sin(phi)
    q = s / (1 - e2 * s * s) + np.log((1 + e * s) / (1 - e * s)) / (2 * e)
    return a * a * (1 - e2) / 2 * q


def pixel_row_areas(transform: Any, height: int, crs: Any) -> np.ndarray:
    """Area of one pixel in each row of a raster [m2].

    Parameters
    ----------
    transform : affine.Affine
        The raster's north-up transform.
    height : int
        Rows.
    crs : rasterio.crs.CRS or pyproj.CRS
        Projected (metres: every row ``|a × e|``) or geographic (degrees: the ellipsoidal area
        of the row's quadrangle on the CRS's own ellipsoid).

    Returns
    -------
    numpy.ndarray
        One area per row.

    Raises
    ------
    CRSError
        When the raster is rotated, or its CRS is missing.
    """
    import pyproj

    if crs is None:
        msg = "the raster has no CRS; set one (e.g. gdal_edit.py -a_srs EPSG:4549)"
        raise CRSError(msg)
    if transform.b != 0 or transform.d != 0:
        msg = "rotated rasters are not supported; warp to a north-up grid first"
        raise CRSError(msg)
    pc = pyproj.CRS.from_user_input(crs)
    if not pc.is_geographic:
        return np.full(height, abs(transform.a * transform.e))
    ell = pc.ellipsoid
    if ell is None:
        msg = f"{pc.name}: a geographic CRS without an ellipsoid"
        raise CRSError(msg)
    a = float(ell.semi_major_metre)
    e2 = 1 - (float(ell.semi_minor_metre) / a) ** 2
    edges = np.radians(transform.f + transform.e * np.arange(height + 1))
    band = _band_area(edges, a, e2)
    return np.abs(np.diff(band)) * np.radians(abs(transform.a))


def block_areas(
    path: str,
    row0: int,
    rows: int,
    shapes: list[tuple[Any, int]],
    n_zones: int,
) -> tuple[np.ndarray, np.ndarray]:
    """One task: pixels and area [m2] of each ``zone × 256 + class`` in rows *row0* .. *row0 + rows*.

    Parameters
    ----------
    path : str
        The class raster (uint8 classes), readable from the worker.
    row0, rows : int
        The block.
    shapes : list
        ``(geometry, zone number)`` in the raster's CRS (zone 0: outside every zone).
    n_zones : int
        Zones + 1.

    Returns
    -------
    tuple of numpy.ndarray
        Pixel counts and areas, each of length ``n_zones × 256``.
    """
    import rasterio
    from rasterio import features, windows

    quiet_dask()
    with rasterio.open(path) as src:
        win = windows.Window(0, row0, src.width, rows)
        cls = src.read(1, window=win)
        transform = windows.transform(win, src.transform)
        crs = src.crs
    if cls.dtype != np.uint8:
        cls = cls.astype(np.int64)
        if cls.min() < 0 or cls.max() > 255:
            msg = f"{Path(path).name}: classes must be 0-255 (found {cls.min()}-{cls.max()})"
            raise CRSError(msg)
    with _RASTERIZE:
        zone = features.rasterize(
            shapes,
            out_shape=cls.shape,
            transform=transform,
            fill=0,
            dtype="uint8" if n_zones <= 256 else "uint16",
            all_touched=False,
        )
    code = zone.astype(np.int64) * 256 + cls.astype(np.int64)
    row_area = pixel_row_areas(transform, rows, crs)
    size = n_zones * 256
    flat = code.ravel()
    pixels = np.bincount(flat, minlength=size)
    # each pixel weighs the area of its row (constant in a projected CRS)
    area = np.bincount(flat, weights=np.repeat(row_area, cls.shape[1]), minlength=size)
    return pixels, area


def raster_zone_areas(
    path: str | Path,
    zones: gpd.GeoDataFrame,
    *,
    zone_col: str = "adcode",
    block_rows: int | None = None,
) -> pd.DataFrame:
    """Pixels and true area of each class in each zone, one Dask task per block of rows.

    Parameters
    ----------
    path : str or pathlib.Path
        Single-band class raster (uint8), projected or geographic; every worker must be able to
        open the path (a shared folder, or a URL GDAL reads such as ``/vsicurl/...``).
    zones : geopandas.GeoDataFrame
        Zone polygons with *zone_col*, rasterised in the raster's own CRS and grid.
    zone_col : str
        Zone code column.
    block_rows : int, optional
        Rows per task (default about 8 million pixels).

    Returns
    -------
    pandas.DataFrame
        ``zone, class, pixels, area_ha`` (as :func:`sxgeo.zonal.raster_zone_counts`; zone ''
        is outside every zone).
    """
    import dask
    import rasterio

    from sxgeo.engine import require_dask

    require_dask()
    quiet_dask()
    with rasterio.open(path) as src:
        width, height, crs = src.width, src.height, src.crs
        row_block = src.block_shapes[0][0] if src.block_shapes else 1
    if crs is None:
        msg = f"{Path(path).name}: the raster has no CRS"
        raise CRSError(msg)
    z = zones.to_crs(crs)
    shapes = [(g, i + 1) for i, g in enumerate(z.geometry.values)]
    n_zones = len(shapes) + 1
    if block_rows is None:
        block_rows = max(row_block, (BLOCK_PIXELS // max(width, 1)) // row_block * row_block)
    shared = dask.delayed(shapes, pure=True)
    tasks = [
        dask.delayed(block_areas)(str(path), r0, min(block_rows, height - r0), shared, n_zones)
        for r0 in range(0, height, block_rows)
    ]
    results = dask.compute(*tasks)
    pixels = np.sum([r[0] for r in results], axis=0)
    area = np.sum([r[1] for r in results], axis=0)
    nz = np.flatnonzero(pixels)
    zone_idx, cls = np.divmod(nz, 256)
    codes = np.array(["", *z[zone_col].astype(str).tolist()], dtype=object)
    log.info("%d blocks of %d rows over a %d × %d raster (%s)", len(tasks), block_rows, width, height, crs)
    return pd.DataFrame(
        {"zone": codes[zone_idx], "class": cls, "pixels": pixels[nz], "area_ha": area[nz] / 1e4}
    )
