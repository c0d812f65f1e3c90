"""Shared fast paths for "how much of X lies in each zone" (zones are usually the counties).

Every analysis that needs polygon area per county calls :func:`area_by_zone`, so the fast
method lives once. Method (measured in ``reference/perf.md`` section 2, about 47x faster than
``geopandas.overlay`` and exact): an STRtree on the many polygons queried with the few zones,
``contains_properly`` against the prepared zones to take the area of interior polygons as is,
and an intersection only for the ~1% that cross a zone border.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs

log = logging.getLogger(__name__)

UNASSIGNED = "unassigned"
"""Zone code of area that lies in no zone."""


def area_by_zone(
    polygons: gpd.GeoDataFrame | gpd.GeoSeries,
    zones: gpd.GeoDataFrame,
    *,
    zone_col: str = "adcode",
    crs: object = sxcrs.METRIC,
) -> pd.Series:
    """Area of *polygons* inside each zone, plus the area outside every zone [m2].

    Parameters
    ----------
    polygons : geopandas.GeoDataFrame or geopandas.GeoSeries
        Polygons with a CRS. Overlaps among them are counted as many times as they occur:
        dissolve first (``shapely.union_all``) when an overlap must count once.
    zones : geopandas.GeoDataFrame
        Non-overlapping zone polygons with a CRS and a code column.
    zone_col : str
        Column of *zones* holding the zone code.
    crs : Any
        Projected CRS to measure in (default EPSG:4549).

    Returns
    -------
    pandas.Series
        Area [m2] indexed by zone code in the order of *zones*, then :data:`UNASSIGNED`.

    Raises
    ------
    CRSError
        When either input has no CRS or *crs* is geographic.

    Notes
    -----
    Exact up to floating point: the result equals ``geopandas.overlay(how="intersection")``
    summed per zone (to about 1e-12 relative) at a fraction of its cost.
    """
    polys = sxcrs.to_metric(gpd.GeoDataFrame(geometry=polygons.geometry), crs, what="polygons")
    zm = sxcrs.to_metric(zones, crs, what="zones")
    pg = np.asarray(polys.geometry.values, dtype=object)
    zg = np.asarray(zm.geometry.values, dtype=object)
    total = shapely.area(pg)
    tree = shapely.STRtree(pg)
    zi, pi = tree.query(zg, predicate="intersects")
    shapely.prepare(zg)
    inside = shapely.contains_properly(zg[zi], pg[pi])
    area = np.where(inside, total[pi], 0.0)
    cross = ~inside
    if cross.any():
        area[cross] = shapely.area(shapely.intersection(zg[zi[cross]], pg[pi[cross]]))
    log.debug("area_by_zone: %d pairs, %d crossing a zone border", len(zi), int(cross.sum()))
    per_zone = np.bincount(zi, weights=area, minlength=len(zg))
    unassigned = max(float(np.nansum(total) - per_zone.sum()), 0.0)
    index = [*zm[zone_col].astype(str).tolist(), UNASSIGNED]
    return pd.Series([*per_zone.tolist(), unassigned], index=index, name="area_m2")


def grid_counts(
    gdf: gpd.GeoDataFrame,
    *,
    cell_m: float = 250.0,
    weight: str | None = None,
    crs: object = sxcrs.METRIC,
) -> gpd.GeoDataFrame:
    """Aggregate features to square cells of a grid in a projected CRS (for maps of big layers).

    Each feature goes to the cell holding its centroid (a representative point for polygons).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Points, buildings, ... with a CRS.
    cell_m : float
        Cell side [m]; the grid is aligned on multiples of it.
    weight : str, optional
        Column to sum per cell besides the count.
    crs : Any
        Projected CRS of the grid (default EPSG:4549).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per non-empty cell: ``count``, ``<weight>_sum`` when asked, cell polygon, in *crs*.
    """
    m = sxcrs.to_metric(gdf, crs, what="layer to grid")
    pts = shapely.point_on_surface(np.asarray(m.geometry.values))
    xy = shapely.get_coordinates(pts)
    ix = np.floor(xy[:, 0] / cell_m).astype(np.int64)
    iy = np.floor(xy[:, 1] / cell_m).astype(np.int64)
    frame = pd.DataFrame({"ix": ix, "iy": iy})
    frame["count"] = 1
    aggs = {"count": "sum"}
    if weight is not None:
        frame[f"{weight}_sum"] = m[weight].to_numpy()
        aggs[f"{weight}_sum"] = "sum"
    cells = frame.groupby(["ix", "iy"], as_index=False).agg(aggs)
    geoms = shapely.box(
        cells["ix"] * cell_m, cells["iy"] * cell_m, (cells["ix"] + 1) * cell_m, (cells["iy"] + 1) * cell_m
    )
    return gpd.GeoDataFrame(cells.drop(columns=["ix", "iy"]), geometry=geoms, crs=m.crs)
