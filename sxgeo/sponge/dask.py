"""Sponge Tier A coverage on Dask: project areas dissolved per partition, cross-partition overlaps resolved.

Tier A counts the union of the compliant project areas inside the built-up area, so an overlap of
two projects counts once (:func:`sxgeo.sponge.coverage.coverage_table`). On Dask the projects are
spatial partitions (``sxgeo partition``):

1. each partition is dissolved on its own (:func:`sxgeo.zonal.dissolve_parts`): its parts are
   pairwise disjoint;
2. overlaps that cross partition edges are resolved by order: partition *i* keeps of its parts
   only what no earlier partition (*j* < *i*, among those whose boxes meet its box) covers, by
   subtracting their dissolved parts. The pieces of all partitions are then pairwise disjoint
   and their union is the union of all projects, so every square metre counts exactly once;
3. each partition clips its pieces to the built-up area (small, dissolved once and shared with
   every task) and sums their area per county (:func:`sxgeo.zonal.area_by_zone`); the sums are
   added and laid out by :func:`sxgeo.sponge.coverage.coverage_from_areas`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.engine import compute, quiet_dask, require_dask
from sxgeo.plan import TargetsLike
from sxgeo.sponge.coverage import coverage_from_areas, select_counted
from sxgeo.zonal import UNASSIGNED, area_by_zone, clip_to, dissolve_parts

log = logging.getLogger(__name__)


def dissolved_partition(part: gpd.GeoDataFrame, year: int | None = None) -> gpd.GeoSeries:
    """The counted projects of one partition, dissolved into disjoint parts (EPSG:4549).

    Parameters
    ----------
    part : geopandas.GeoDataFrame
        One partition of sponge project polygons.
    year : int, optional
        Reporting year (:func:`sxgeo.sponge.coverage.select_counted`).

    Returns
    -------
    geopandas.GeoSeries
    """
    quiet_dask()
    if len(part) == 0:
        return gpd.GeoSeries([], crs=sxcrs.METRIC)
    counted, _ = select_counted(part, year=year)
    if len(counted) == 0:
        return gpd.GeoSeries([], crs=sxcrs.METRIC)
    return dissolve_parts(counted).reset_index(drop=True)


def without_earlier(parts: gpd.GeoSeries, earlier: list[gpd.GeoSeries]) -> gpd.GeoSeries:
    """*parts* less what the dissolved parts of earlier partitions cover.

    Parameters
    ----------
    parts : geopandas.GeoSeries
        Disjoint parts of this partition.
    earlier : list of geopandas.GeoSeries
        Dissolved parts of the earlier partitions whose boxes meet this one's.

    Returns
    -------
    geopandas.GeoSeries
        Non-empty pieces, disjoint from every earlier partition's parts.
    """
    others = [np.asarray(e.values, dtype=object) for e in earlier if len(e)]
    if not len(parts) or not others:
        return parts
    other = np.concatenate(others)
    geoms = np.asarray(parts.values, dtype=object).copy()
    tree = shapely.STRtree(other)
    pi, oi = tree.query(geoms, predicate="intersects")
    for i in np.unique(pi):
        geoms[i] = shapely.difference(geoms[i], shapely.union_all(other[oi[pi == i]]))
    keep = ~shapely.is_empty(geoms) & (shapely.area(geoms) > 0)
    return gpd.GeoSeries(geoms[keep], crs=parts.crs)


def partition_area(
    parts: gpd.GeoSeries, earlier: list[gpd.GeoSeries], base: gpd.GeoSeries, counties: gpd.GeoDataFrame
) -> pd.Series:
    """One task: compliant built-up area per county of a partition's own pieces [m2]."""
    quiet_dask()
    own = without_earlier(parts, earlier)
    if not len(own):
        return pd.Series(0.0, index=[*counties["adcode"].astype(str), UNASSIGNED])
    inside = clip_to(own, base)
    return area_by_zone(inside, counties) if len(inside) else pd.Series(dtype=float)


def _box(series: gpd.GeoSeries) -> tuple[float, ...] | None:
    return None if not len(series) else tuple(float(v) for v in series.total_bounds)


def coverage_table_dask(
    built_up: gpd.GeoDataFrame,
    compliant: Any,
    counties: gpd.GeoDataFrame,
    *,
    year: int | None = None,
    indicator: str = "sponge_coverage",
    targets: TargetsLike = None,
) -> pd.DataFrame:
    """Tier A coverage per county with the projects as a Dask collection (same table as in memory).

    Parameters
    ----------
    built_up : geopandas.GeoDataFrame
        Built-up area polygons (in memory: one city's or province's outline is small).
    compliant : dask_geopandas.GeoDataFrame
        Sponge project polygons, spatially partitioned.
    counties : geopandas.GeoDataFrame
        County polygons with ``adcode``.
    year : int, optional
        Reporting year: only projects completed by then count.
    indicator : str
        Plan indicator whose targets are attached.
    targets : pandas.DataFrame, optional
        The targets table; default the shipped one.

    Returns
    -------
    pandas.DataFrame
        As :func:`sxgeo.sponge.coverage.coverage_table`.
    """
    require_dask()
    import dask

    quiet_dask()
    base = dissolve_parts(built_up)
    denom = area_by_zone(base, counties)
    dissolved = dask.persist(*[dask.delayed(dissolved_partition)(p, year) for p in compliant.to_delayed()])
    boxes = dask.compute(*[dask.delayed(_box)(d) for d in dissolved])
    shared = dask.delayed((base, counties), pure=True)
    tasks = []
    for i, d in enumerate(dissolved):
        bi = boxes[i]
        earlier = [
            dissolved[j]
            for j in range(i)
            if bi is not None
            and boxes[j] is not None
            and bi[0] <= boxes[j][2]
            and boxes[j][0] <= bi[2]
            and bi[1] <= boxes[j][3]
            and boxes[j][1] <= bi[3]
        ]
        tasks.append(dask.delayed(partition_area)(d, earlier, shared[0], shared[1]))
    areas = compute(*tasks, label="sponge Tier A")
    numer = pd.concat(list(areas), axis=1).fillna(0.0).sum(axis=1).reindex(denom.index, fill_value=0.0)
    log.info("Tier A on Dask: %d partitions of projects", len(tasks))
    return coverage_from_areas(denom, numer, counties, indicator=indicator, targets=targets)


def counted_rows(part: gpd.GeoDataFrame, year: int | None = None) -> tuple[int, int, tuple[str, ...]]:
    """One task: projects counted, projects read, and the notes of :func:`select_counted` for a partition."""
    quiet_dask()
    if len(part) == 0:
        return 0, 0, ()
    counted, notes = select_counted(part, year=year)
    return len(counted), len(part), tuple(notes)


def _add_notes(notes: list[tuple[str, ...]]) -> list[str]:
    """The per-partition notes of :func:`select_counted` added up (counts of like lines added)."""
    totals: dict[str, int] = {}
    for part in notes:
        for line in part:
            m = re.match(r"(\d+) (.*)", line)
            if m:
                totals[m.group(2)] = totals.get(m.group(2), 0) + int(m.group(1))
            else:
                totals.setdefault(line, 0)
    return [f"{n} {text}" if n else text for text, n in totals.items()]


def coverage_dask(
    built_up: gpd.GeoDataFrame,
    compliant: Any,
    *,
    counties: gpd.GeoDataFrame,
    year: int | None = None,
    targets: TargetsLike = None,
) -> pd.DataFrame:
    """:func:`sxgeo.sponge.coverage` with the projects as a Dask collection: the same table and notes.

    Parameters
    ----------
    built_up : geopandas.GeoDataFrame
        Built-up area polygons; with a ``year`` column, the rows of *year* when present.
    compliant : dask_geopandas.GeoDataFrame
        Sponge project polygons, spatially partitioned (``sxgeo partition``).
    counties : geopandas.GeoDataFrame
        Unit polygons with ``adcode``.
    year : int, optional
        Reporting year: only projects completed by then count.
    targets : pandas.DataFrame, optional
        The targets table.

    Returns
    -------
    pandas.DataFrame
        As :func:`sxgeo.sponge.coverage`, ``attrs["notes"]`` included.
    """
    require_dask()
    import dask

    sxcrs.require_crs(built_up, what="built-up areas")
    if year is not None and "year" in built_up.columns and (built_up["year"] == year).any():
        built_up = built_up[built_up["year"] == year]
    rows = compute(*[dask.delayed(counted_rows)(p, year) for p in compliant.to_delayed()], label="projects")
    table = coverage_table_dask(built_up, compliant, counties, year=year, targets=targets)
    n_counted, n_read = sum(r[0] for r in rows), sum(r[1] for r in rows)
    table.attrs["notes"] = [
        "Tier A proxy: accepted sponge project areas, dissolved, clipped to the built-up area",
        f"projects counted: {n_counted} of {n_read}" + (f" (completed by {year})" if year else ""),
        *_add_notes([r[2] for r in rows]),
        f"Dask engine: {compliant.npartitions} partitions of projects; overlaps across partition edges "
        "resolved in partition order (each square metre counted once)",
    ]
    return table
