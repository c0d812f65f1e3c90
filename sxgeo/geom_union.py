"""Union of many overlapping polygons per square tile, so overlaps count once at a cost linear in the count.

A union of everything at once (``shapely.union_all``) or of each connected group of overlapping
polygons grows faster than the number of polygons: at a city's density the overlaps percolate into a
few giant groups whose union is one polygon of 10^5 vertices. Here the plane is cut into square tiles
of side ``tile_m`` (a fixed grid in the projected CRS); each tile unions the polygons whose boxes touch
it, on its own, and a tile with polygons crossing its edges cuts its union to the tile once
(``shapely.intersection`` with the tile: one cut per tile rather than one per crossing polygon). Tiles
partition the plane, so the area of the union is the sum of the tiles' union areas, exact up to
floating point: ``area(∪P) = Σ_t area(∪P ∩ t) = Σ_t area((∪P_t) ∩ t)`` with ``P_t`` the polygons
touching ``t``. The result is polygons with pairwise disjoint interiors, cut along tile edges (no area
changes by the cut). Blocks of whole tiles run in threads (GEOS releases the GIL).

The default tile side aims at about :data:`TARGET_PER_TILE` polygons per occupied tile, from the
polygons' density on a fine grid, and never less than :data:`MIN_TILE_SIDES` times the median
polygon's bounding box side (so few polygons cross a tile edge).
"""

from __future__ import annotations

import itertools
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from sxgeo import crs as sxcrs

log = logging.getLogger(__name__)

TARGET_PER_TILE = 256
"""Polygons per occupied tile the default tile side aims at (unions of a few hundred boxes take ~ms)."""
MIN_TILE_SIDES = 8.0
"""Smallest default tile side, in median polygon bounding-box sides (about 1/4 of polygons then cross)."""
BLOCKS_PER_THREAD = 4
"""Blocks of whole tiles per thread (of about equal piece counts), so a slow block leaves no core idle."""


def polygon_parts(geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """The non-empty Polygon parts of *geoms* (MultiPolygons and GeometryCollections split, others dropped).

    Parameters
    ----------
    geoms : numpy.ndarray of shapely.Geometry
        Any geometries (None and empty ones are dropped).

    Returns
    -------
    numpy.ndarray of shapely.Polygon
    """
    geoms = np.asarray(geoms, dtype=object)
    geoms = geoms[~shapely.is_missing(geoms)]
    geoms = geoms[~shapely.is_empty(geoms)]
    parts = shapely.get_parts(shapely.get_parts(geoms))
    return np.asarray(parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON], dtype=object)


def default_tile_m(bounds: NDArray[np.float64]) -> float:
    """Tile side [m] for polygons with these bounding boxes: about :data:`TARGET_PER_TILE` per occupied tile.

    Parameters
    ----------
    bounds : numpy.ndarray
        ``(n, 4)`` ``minx, miny, maxx, maxy`` of each polygon (projected metres).

    Returns
    -------
    float
        Side [m]; ``inf`` (one tile) for fewer than :data:`TARGET_PER_TILE` polygons.
    """
    n = len(bounds)
    if n < TARGET_PER_TILE:
        return float("inf")
    sides = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    base = max(float(np.median(sides)) * MIN_TILE_SIDES, 1.0)
    # density where the polygons are: count the base cells their centres occupy
    cx = np.floor((bounds[:, 0] + bounds[:, 2]) / 2 / base).astype(np.int64)
    cy = np.floor((bounds[:, 1] + bounds[:, 3]) / 2 / base).astype(np.int64)
    # one integer per cell, counted sorted (numpy 2.4's plain np.unique hashes: ~100x slower here)
    cx, cy = cx - cx.min(), cy - cy.min()
    cell = np.sort(cx * (int(cy.max()) + 1) + cy)
    occupied = 1 + int(np.count_nonzero(np.diff(cell)))
    per_cell = n / occupied
    return base * max(1.0, float(np.floor(np.sqrt(TARGET_PER_TILE / per_cell))))


def tiled_union(
    polygons: NDArray[np.object_], *, tile_m: float | None = None, threads: int | None = None
) -> NDArray[np.object_]:
    """Union of *polygons* cut into square tiles: pairwise disjoint Polygon parts, overlaps counted once.

    Parameters
    ----------
    polygons : numpy.ndarray of shapely.Geometry
        Polygons or MultiPolygons in a projected CRS (metres); other types, None and empties are
        dropped.
    tile_m : float, optional
        Tile side [m] (default :func:`default_tile_m`; ``inf`` for a single union).
    threads : int, optional
        Threads that union tiles at once (default: the CPU count).

    Returns
    -------
    numpy.ndarray of shapely.Polygon
        Parts with pairwise disjoint interiors; their total area is that of ``shapely.union_all``.

    Raises
    ------
    ValueError
        When *tile_m* is not positive.
    """
    parts, _ = tiled_union_by_label(polygons, None, tile_m=tile_m, threads=threads)
    return parts


def tiled_union_by_label(
    polygons: NDArray[np.object_],
    labels: NDArray[np.int64] | None,
    *,
    tile_m: float | None = None,
    threads: int | None = None,
) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """:func:`tiled_union` of the polygons of each label apart: overlaps count once within a label.

    The tiles are cut, unioned and split into parts in blocks of whole tiles, two threads at once by
    default (GEOS runs without the GIL): only the tile arithmetic runs in Python, once.

    Parameters
    ----------
    polygons : numpy.ndarray of shapely.Geometry
        Polygons or MultiPolygons in a projected CRS (metres); other types, None and empties are
        dropped.
    labels : numpy.ndarray of int, optional
        A label per polygon (e.g. the unit it was clipped to); ``None``: one label, 0.
    tile_m : float, optional
        Tile side [m] (default :func:`default_tile_m`; ``inf`` for one union per label).
    threads : int, optional
        Threads that cut and union tiles at once (default: the CPU count).

    Returns
    -------
    tuple of numpy.ndarray
        Polygon parts, with pairwise disjoint interiors among those of one label, and the label of
        each part, in the order of label then tile.

    Raises
    ------
    ValueError
        When *tile_m* is not positive.
    """
    geoms, lab = _labelled_polygons(polygons, labels)
    if len(geoms) == 0:
        return np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    bounds = shapely.bounds(geoms)
    side = default_tile_m(bounds) if tile_m is None else float(tile_m)
    if not side > 0:
        msg = f"tile side must be > 0 m, got {side:g}"
        raise ValueError(msg)
    rows = _tile_rows(bounds, lab, side)
    n_threads = max(1, threads if threads is not None else (os.cpu_count() or 1))
    blocks = _tile_blocks(rows, n_threads)

    def union_block(block: tuple[int, int]) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
        return _union_tiles(geoms, rows, block, side)

    if n_threads == 1 or len(blocks) == 1:
        done = [union_block(block) for block in blocks]
    else:
        # GEOS runs without the GIL, so the threads use the cores; the blocks share only
        # unprepared input geometries, which GEOS reads without writing
        with ThreadPoolExecutor(max_workers=n_threads) as pool:
            done = list(pool.map(union_block, blocks))
    parts = np.concatenate([d[0] for d in done])
    part_label = np.concatenate([d[1] for d in done])
    log.debug(
        "tiled_union: %d polygons, %.0f m tiles, %d tile pieces (%d crossing), %d blocks, %d parts",
        len(geoms),
        side,
        len(rows.poly),
        int(rows.cross.sum()),
        len(blocks),
        len(parts),
    )
    return parts, part_label


class _TileRows(NamedTuple):
    """One row per (polygon, tile its box touches), sorted by label then tile."""

    poly: NDArray[np.int64]
    """Index of the polygon."""
    ti: NDArray[np.int64]
    """Tile column: the tile is ``[ti·side, (ti+1)·side)``, or 0 for a single tile."""
    tj: NDArray[np.int64]
    """Tile row."""
    lab: NDArray[np.int64]
    """Label of the polygon."""
    cross: NDArray[np.bool_]
    """Whether the polygon's box touches other tiles too (the polygon is cut to the tile)."""
    starts: NDArray[np.int64]
    """First row of each (label, tile) group."""


def _labelled_polygons(
    polygons: NDArray[np.object_], labels: NDArray[np.int64] | None
) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """The non-empty Polygon parts of *polygons* in their order, each with its polygon's label."""
    polygons = np.asarray(polygons, dtype=object)
    lab = np.zeros(len(polygons), dtype=np.int64) if labels is None else np.asarray(labels, dtype=np.int64)
    ok = ~shapely.is_missing(polygons)
    ok[ok] = ~shapely.is_empty(polygons[ok])
    geoms, lab = polygons[ok], lab[ok]
    single = shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON
    if single.all():
        return geoms, lab
    # explode the others only (MultiPolygons, collections of them), then back in the input order
    parts, owner = shapely.get_parts(geoms[~single], return_index=True)
    parts, sub = shapely.get_parts(parts, return_index=True)
    owner = np.flatnonzero(~single)[owner[sub]]
    poly = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    position = np.r_[np.flatnonzero(single), owner[poly]]
    order = np.argsort(position, kind="stable")
    out = np.r_[geoms[single], parts[poly]][order]
    return np.asarray(out, dtype=object), lab[position[order]]


def _tile_rows(bounds: NDArray[np.float64], lab: NDArray[np.int64], side: float) -> _TileRows:
    """The (polygon, tile) rows of polygons with these bounds on a grid of *side* [m] (``inf``: one tile)."""
    n = len(bounds)
    if not np.isfinite(side):
        poly = np.arange(n)
        ti = tj = np.zeros(n, dtype=np.int64)
        cross = np.zeros(n, dtype=bool)
    else:
        # tiles on a grid anchored at the origin of the CRS: tile (i, j) = [i·side, (i+1)·side) × ...
        lo = np.floor(bounds[:, :2] / side).astype(np.int64)
        hi = np.floor(bounds[:, 2:] / side).astype(np.int64)
        span = hi - lo + 1
        counts = span[:, 0] * span[:, 1]
        # one (polygon, tile) row per tile a polygon's box touches
        poly = np.repeat(np.arange(n), counts)
        first = np.repeat(np.cumsum(counts) - counts, counts)
        k = np.arange(len(poly)) - first
        ti = lo[poly, 0] + k % span[poly, 0]
        tj = lo[poly, 1] + k // span[poly, 0]
        cross = counts[poly] > 1
    rlab = lab[poly]
    order = np.lexsort((tj, ti, rlab))
    poly, ti, tj, rlab, cross = poly[order], ti[order], tj[order], rlab[order], cross[order]
    new_group = (np.diff(ti) != 0) | (np.diff(tj) != 0) | (np.diff(rlab) != 0)
    starts = np.flatnonzero(np.r_[True, new_group])
    return _TileRows(poly, ti, tj, rlab, cross, starts)


def _tile_blocks(rows: _TileRows, n_threads: int) -> list[tuple[int, int]]:
    """Row ranges of whole (label, tile) groups, about :data:`BLOCKS_PER_THREAD` per thread of equal rows."""
    n_rows = len(rows.poly)
    if n_threads == 1:
        return [(0, n_rows)]
    # cut at the first group start at or after each of the equal row counts
    starts = np.r_[rows.starts, n_rows]
    want = np.linspace(0, n_rows, n_threads * BLOCKS_PER_THREAD + 1)[1:-1]
    cuts = np.unique(starts[np.searchsorted(starts, want)])
    edges = [0, *[int(c) for c in cuts if 0 < c < n_rows], n_rows]
    return list(itertools.pairwise(edges))


def _union_tiles(
    geoms: NDArray[np.object_], rows: _TileRows, block: tuple[int, int], side: float
) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """Union the (label, tile) groups of rows ``block[0]:block[1]`` and split them into Polygon parts.

    A group whose polygons all lie inside its tile is their union; one with polygons crossing the tile
    edges is the union of the whole polygons cut once to the tile (``∪(P ∩ t) = (∪P) ∩ t``), cheaper
    than cutting each crossing polygon first.
    """
    a, b = block
    pieces = geoms[rows.poly[a:b]]
    starts = rows.starts[(rows.starts >= a) & (rows.starts < b)] - a
    ends = np.r_[starts[1:], len(pieces)]
    # one tile per label: a plain union_all, as before the tiles
    union = shapely.disjoint_subset_union_all if np.isfinite(side) else shapely.union_all
    merged = np.empty(len(starts), dtype=object)
    for g, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        merged[g] = pieces[s] if e - s == 1 else union(pieces[s:e])
    crossing = np.logical_or.reduceat(rows.cross[a:b], starts) if len(starts) else np.zeros(0, dtype=bool)
    if crossing.any():
        ti, tj = rows.ti[a:b][starts[crossing]], rows.tj[a:b][starts[crossing]]
        merged[crossing] = _cut_to_tiles(merged[crossing], ti, tj, side)
    parts, owner = shapely.get_parts(merged, return_index=True)
    parts, sub = shapely.get_parts(parts, return_index=True)  # collections of multipolygons too
    part_label = rows.lab[a:b][starts][owner[sub]]
    poly = (shapely.get_type_id(parts) == shapely.GeometryType.POLYGON) & (shapely.area(parts) > 0)
    return np.asarray(parts[poly], dtype=object), part_label[poly]


def _cut_to_tiles(
    geoms: NDArray[np.object_], ti: NDArray[np.int64], tj: NDArray[np.int64], side: float
) -> NDArray[np.object_]:
    """Each of *geoms* cut to its tile ``(ti, tj)``: a rectangle clip, or the overlay where that is invalid.

    The rectangle clip (``shapely.clip_by_rect``) is several times faster than the overlay with the
    tile and gives the same polygon for a valid input, but GEOS does not promise a valid output; the
    few that are not valid are cut again with ``shapely.intersection``.
    """
    out = np.empty(len(geoms), dtype=object)
    x0, y0, x1, y1 = ti * side, tj * side, (ti + 1) * side, (tj + 1) * side
    for k, geom in enumerate(geoms):
        out[k] = shapely.clip_by_rect(geom, x0[k], y0[k], x1[k], y1[k])
    bad = ~shapely.is_valid(out)
    if bad.any():
        out[bad] = shapely.intersection(geoms[bad], shapely.box(x0[bad], y0[bad], x1[bad], y1[bad]))
    return out


def dissolve_tiled(
    polygons: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    crs: object = sxcrs.METRIC,
    tile_m: float | None = None,
    threads: int | None = None,
) -> gpd.GeoSeries:
    """:func:`tiled_union` of a layer: non-overlapping parts in *crs*, so overlaps count once.

    The same total area as :func:`sxgeo.zonal.dissolve_parts` and ``union_all`` (the parts are cut
    along tile edges, which changes no area), at a cost that stays near linear in the polygon count.

    Parameters
    ----------
    polygons : geopandas.GeoDataFrame or geopandas.GeoSeries
        Polygons with a CRS.
    crs : Any
        Projected CRS of the result (default EPSG:4549).
    tile_m : float, optional
        Tile side [m] (default :func:`default_tile_m`).
    threads : int, optional
        Threads (default: the CPU count).

    Returns
    -------
    geopandas.GeoSeries
        Polygons with pairwise disjoint interiors, in *crs*.
    """
    m = sxcrs.to_metric(gpd.GeoDataFrame(geometry=polygons.geometry), crs, what="polygons")
    parts = tiled_union(np.asarray(m.geometry.values, dtype=object), tile_m=tile_m, threads=threads)
    return gpd.GeoSeries(parts, crs=m.crs)
