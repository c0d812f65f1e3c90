"""Raster overlays for web maps: reproject to EPSG:3857, cap the size, colour, encode as PNG."""

from __future__ import annotations

import base64
import logging
import math
from typing import Any

import numpy as np
import rasterio
from rasterio.io import MemoryFile
from rasterio.transform import array_bounds, from_bounds
from rasterio.warp import Resampling, calculate_default_transform, reproject, transform_bounds

from sxgeo import crs as sxcrs

log = logging.getLogger(__name__)


def _rgba(values: np.ndarray, valid: np.ndarray, style: dict[str, Any]) -> np.ndarray:
    out = np.zeros((4, *values.shape), dtype=np.uint8)
    if style["kind"] == "categorical":
        for key, colour in style["categories"].items():
            try:
                code = float(key)
            except ValueError:
                continue
            hit = valid & (values == code)
            rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
            for band in range(3):
                out[band][hit] = rgb[band]
            out[3][hit] = 255
    else:
        stops = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in style["colors"]], dtype=float)
        span = (style["vmax"] - style["vmin"]) or 1.0
        t = np.clip((values - style["vmin"]) / span, 0, 1) * (len(stops) - 1)
        for band in range(3):
            out[band] = np.interp(t, np.arange(len(stops)), stops[:, band]).astype(np.uint8)
        out[3][valid] = 255
    out[:, ~valid] = 0
    return out


def raster_png(
    array: np.ndarray,
    transform: Any,
    crs: Any,
    style: dict[str, Any],
    *,
    nodata: float | None = None,
    max_size: int = 2048,
) -> tuple[str, list[list[float]]]:
    """Turn a raster into a PNG data URI in Web Mercator and its lat/lon bounds for Leaflet.

    Parameters
    ----------
    array : numpy.ndarray
        2-D values.
    transform : affine.Affine
        Geotransform of *array*.
    crs : Any
        CRS of *array*.
    style : dict
        A categorical or continuous style from :mod:`sxgeo.maps.styles`.
    nodata : float, optional
        Value drawn transparent.
    max_size : int
        Longest side of the image [px]; larger rasters are resampled (mode for classes,
        average for continuous values).

    Returns
    -------
    tuple
        ``data:image/png;base64,...`` and ``[[south, west], [north, east]]`` [deg].
    """
    src_crs = sxcrs.parse_crs(crs)
    h, w = array.shape
    left, bottom, right, top = array_bounds(h, w, transform)
    _, dw, dh = calculate_default_transform(src_crs, sxcrs.WEB_MERCATOR, w, h, left, bottom, right, top)
    scale = max(dw, dh) / max_size
    if scale > 1:
        dw, dh = max(1, math.ceil(dw / scale)), max(1, math.ceil(dh / scale))
    b = transform_bounds(src_crs, sxcrs.WEB_MERCATOR, left, bottom, right, top)
    dst_transform = from_bounds(*b, dw, dh)
    fill = np.nan
    dst = np.full((dh, dw), fill, dtype="float64")
    categorical = style["kind"] == "categorical"
    reproject(
        source=array.astype("float64"),
        destination=dst,
        src_transform=transform,
        src_crs=src_crs,
        src_nodata=nodata,
        dst_transform=dst_transform,
        dst_crs=sxcrs.WEB_MERCATOR,
        dst_nodata=fill,
        resampling=Resampling.mode
        if categorical and scale > 1
        else (Resampling.nearest if categorical else Resampling.average),
    )
    valid = np.isfinite(dst)
    rgba = _rgba(np.where(valid, dst, 0), valid, style)
    with MemoryFile() as mem:
        with mem.open(
            driver="PNG",
            width=dw,
            height=dh,
            count=4,
            dtype="uint8",
            crs=sxcrs.WEB_MERCATOR,
            transform=dst_transform,
        ) as png:
            png.write(rgba)
        data = mem.read()
    log.info("raster overlay %dx%d px (%.0f KB PNG)", dw, dh, len(data) / 1024)
    s_w_n_e = transform_bounds(sxcrs.WEB_MERCATOR, sxcrs.WGS84, *b)
    bounds = [[s_w_n_e[1], s_w_n_e[0]], [s_w_n_e[3], s_w_n_e[2]]]
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii"), bounds


__all__ = ["raster_png", "rasterio"]
