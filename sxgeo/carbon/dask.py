"""Zone × class pixel areas on Dask: one task per window of rows, the in-memory kernel in each.

The in-memory counter (:func:`sxgeo.zonal.raster_zone_counts`) reads a class raster window by
window in one process. Here each window is one ``dask.delayed`` task running the very same
kernel (:func:`sxgeo.zonal.window_counts`): it opens the file (a GeoTIFF, a cloud-optimised
GeoTIFF or a VRT of many tiles: any path GDAL opens from every worker), rasterises the zones
onto the window's own grid (pixel-centre rule), counts ``zone × class`` codes with the same
nodata and wide-class handling, and weighs each pixel by the true area of its row when the
raster is geographic. The per-window results are added (:func:`sxgeo.zonal.add_counts`) and laid
out by :func:`sxgeo.zonal.counts_frame`, so both engines give the same table.

Geographic rasters (ESA WorldCover, Esri 10 m land cover, in EPSG:4326) are accepted on both
engines: zones are rasterised in the raster's own grid and every pixel row gets its true
ellipsoidal area (:func:`sxgeo.crs.pixel_row_areas`). A "10 m" WorldCover pixel of 1/12,000°
is about 74 m² at 30°N, not 100 m². Projected rasters that are not equal-area (Web Mercator tiles,
EPSG:3857) get the true ground area of each row too (:func:`sxgeo.crs.pixel_areas`), and
overlapping zones are each counted whole: the plan (:class:`sxgeo.zonal.ZoneGrid`) decides both
once, so the two engines cannot differ.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio

from sxgeo.crs import pixel_row_areas
from sxgeo.engine import compute, quiet_dask, require_dask
from sxgeo.zonal import ZoneGrid, add_counts, counts_frame, window_counts, zone_grid

log = logging.getLogger(__name__)

__all__ = ["pixel_row_areas", "raster_zone_areas", "window_task"]


def window_task(grid: ZoneGrid, row0: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """One task: :func:`sxgeo.zonal.window_counts` in a worker (dask's own warnings silenced)."""
    quiet_dask()
    return window_counts(grid, row0, rows)


def raster_zone_areas(
    path: str | Path,
    zones: gpd.GeoDataFrame,
    *,
    zone_col: str = "adcode",
    block_rows: int | None = None,
    other: str | Path | None = None,
) -> pd.DataFrame:
    """Pixels and true area of each class (or class pair) in each zone, one Dask task per window.

    Parameters
    ----------
    path : str or pathlib.Path
        Single-band class raster, projected or geographic; every worker must be able to open
        the path (a shared folder, or a URL GDAL reads such as ``/vsicurl/...``).
    zones : geopandas.GeoDataFrame
        Zone polygons with *zone_col*, rasterised in the raster's own CRS and grid.
    zone_col : str
        Zone code column.
    block_rows : int, optional
        Rows per task (default about 8 million pixels, in whole rows of the file's blocks).
    other : str or pathlib.Path, optional
        A later raster on the same grid: class pairs (land-cover change).

    Returns
    -------
    pandas.DataFrame
        As :func:`sxgeo.zonal.raster_zone_counts` (zone '' is outside every zone; nodata pixels
        have class -1).
    """
    import dask

    require_dask()
    quiet_dask()
    # a local file by its absolute path: workers on other machines see the shared folder, not our cwd
    path = Path(path).resolve() if Path(path).exists() else path
    other = Path(other).resolve() if other is not None and Path(other).exists() else other
    with rasterio.open(path) as src:
        if other is not None:
            with rasterio.open(other) as later:
                grid = zone_grid(src, zones, zone_col=zone_col, window_rows=block_rows, other=later)
        else:
            grid = zone_grid(src, zones, zone_col=zone_col, window_rows=block_rows)
    shared = dask.delayed(grid, pure=True)  # shipped once, shared by every task
    tasks = [dask.delayed(window_task)(shared, r0, rows) for r0, rows in grid.windows()]
    results = compute(*tasks, label="raster windows")
    log.info(
        "%d tasks of %d rows over a %d × %d raster%s",
        len(tasks),
        grid.window_rows,
        grid.width,
        grid.height,
        " (true area per pixel row)" if grid.row_areas is not None else "",
    )
    return counts_frame(grid, *add_counts(list(results)))
