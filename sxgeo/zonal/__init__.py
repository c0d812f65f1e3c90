"""Shared fast paths for "how much of X lies in each zone" (zones are usually the counties).

Two halves, one concern each:

* :mod:`sxgeo.zonal.vector`: polygon overlay by zone (:func:`area_by_zone`,
  :func:`intersection_pieces`), overlapping zones, :func:`dissolve_parts`, :func:`clip_to`,
  :func:`grid_counts`.
* :mod:`sxgeo.zonal.raster`: class counts by zone of a raster (:func:`raster_zone_counts`; the plan
  :class:`ZoneGrid` and the window kernel :func:`window_counts` the Dask engine shares).

Every name is importable from :mod:`sxgeo.zonal` as before the split. The pixel-area decision
lives in :mod:`sxgeo.crs`; ``pixel_areas`` and ``pixel_row_areas`` are re-exported here for one
release.
"""

from __future__ import annotations

from sxgeo.crs import pixel_areas, pixel_row_areas
from sxgeo.zonal.raster import (
    MAX_CLASS,
    NODATA_CLASS,
    ZoneGrid,
    add_counts,
    counts_frame,
    raster_zone_counts,
    window_counts,
    zone_grid,
)
from sxgeo.zonal.vector import (
    UNASSIGNED,
    area_by_zone,
    clip_to,
    dissolve_parts,
    grid_counts,
    intersection_pieces,
    overlap_groups,
    overlap_note,
    zone_overlaps,
)

__all__ = [
    "MAX_CLASS",
    "NODATA_CLASS",
    "UNASSIGNED",
    "ZoneGrid",
    "add_counts",
    "area_by_zone",
    "clip_to",
    "counts_frame",
    "dissolve_parts",
    "grid_counts",
    "intersection_pieces",
    "overlap_groups",
    "overlap_note",
    "pixel_areas",
    "pixel_row_areas",
    "raster_zone_counts",
    "window_counts",
    "zone_grid",
    "zone_overlaps",
]
