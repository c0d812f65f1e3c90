"""Rasters: opening one for windowed reading, and sampling band 1 at points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from rasterio.errors import RasterioIOError

from sxgeo.errors import CRSError, LayerError
from sxgeo.io._paths import require_file


def sample_raster(path: str | Path, points: gpd.GeoDataFrame) -> np.ndarray:
    """Values of band 1 of a raster at points (NaN outside the raster or on nodata).

    Parameters
    ----------
    path : str or pathlib.Path
        A GeoTIFF (any CRS; the points are reprojected to it).
    points : geopandas.GeoDataFrame
        Points (or any geometry: a point on its surface is used) with a CRS.

    Returns
    -------
    numpy.ndarray
    """
    path = require_file(path)
    with rasterio.open(path) as src:
        if src.crs is None:
            msg = f"{path.name} has no CRS; set one with gdal_edit.py -a_srs EPSG:4326"
            raise CRSError(msg)
        pts = points.to_crs(src.crs) if not points.crs.equals(src.crs) else points
        xy = shapely.get_coordinates(shapely.point_on_surface(np.asarray(pts.geometry.values, dtype=object)))
        values = np.array([v[0] for v in src.sample(xy, indexes=1, masked=True)], dtype=object)
    out = np.array([np.nan if v is np.ma.masked else float(v) for v in values])
    return out


def open_raster(path: str | Path) -> Any:
    """Open a raster for windowed reading (a context manager), with a clear error when it cannot be.

    Parameters
    ----------
    path : str or pathlib.Path
        A GeoTIFF or any raster GDAL reads.

    Returns
    -------
    rasterio.DatasetReader
    """
    path = require_file(path)
    try:
        return rasterio.open(path)
    except RasterioIOError as exc:
        msg = f"{path.name}: GDAL cannot read it as a raster ({exc})"
        raise LayerError(msg) from exc
