"""Union of many overlapping polygons per square tile, so overlaps count once at a cost linear in the count.

A union of everything at once (``shapely.union_all``) or of each connected group of overlapping
polygons grows faster than the number of polygons: at a city's density the overlaps percolate into a
few giant groups whose union is one polygon of 10^5 vertices. Here the plane is cut into square tiles
of side ``tile_m`` (a fixed grid in the projected CRS); each polygon lying inside one tile stays whole,
a polygon crossing tile edges is cut into its pieces per tile (``shapely.intersection`` with the tile,
only for those crossers), and the pieces of each tile are unioned on their own. Tiles partition the
plane, so the area of the union is the sum of the tiles' union areas, exact up to floating point:
``area(∪P) = Σ_t area(∪P ∩ t) = Σ_t area(∪(P ∩ t))``. The result is polygons with pairwise disjoint
interiors, cut along tile edges (no area changes by the cut).

The default tile side aims at about :data:`TARGET_PER_TILE` polygons per occupied tile, from the
polygons' density on a fine grid, and never less than :data:`MIN_TILE_SIDES` times the median
polygon's bounding box side (so few polygons cross a tile edge).
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor

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
    occupied = len(np.unique(np.stack([cx, cy], axis=1), axis=0))
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
        Threads that union tiles at once (default: the CPU count).

    Returns
    -------
    tuple of numpy.ndarray
        Polygon parts, with pairwise disjoint interiors among those of one label, and the label of
        each part.

    Raises
    ------
    ValueError
        When *tile_m* is not positive.
    """
    polygons = np.asarray(polygons, dtype=object)
    lab = np.zeros(len(polygons), dtype=np.int64) if labels is None else np.asarray(labels, dtype=np.int64)
    # the Polygon parts of each polygon, each with its polygon's label
    ok = ~shapely.is_missing(polygons)
    ok[ok] = ~shapely.is_empty(polygons[ok])
    parts, owner = shapely.get_parts(polygons[ok], return_index=True)
    lab = lab[ok][owner]
    parts, sub = shapely.get_parts(parts, return_index=True)
    lab = lab[sub]
    poly = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    geoms, lab = np.asarray(parts[poly], dtype=object), lab[poly]
    if len(geoms) == 0:
        return np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    bounds = shapely.bounds(geoms)
    side = default_tile_m(bounds) if tile_m is None else float(tile_m)
    if not side > 0:
        msg = f"tile side must be > 0 m, got {side:g}"
        raise ValueError(msg)
    if not np.isfinite(side):
        ti = tj = np.zeros(len(geoms), dtype=np.int64)
        pieces = geoms
        cross = np.zeros(len(geoms), dtype=bool)
    else:
        # tiles on a grid anchored at the origin of the CRS: tile (i, j) = [i·side, (i+1)·side) × ...
        lo = np.floor(bounds[:, :2] / side).astype(np.int64)
        hi = np.floor(bounds[:, 2:] / side).astype(np.int64)
        span = hi - lo + 1
        counts = span[:, 0] * span[:, 1]
        # one (polygon, tile) row per tile a polygon's box touches
        poly_i = np.repeat(np.arange(len(geoms)), counts)
        first = np.repeat(np.cumsum(counts) - counts, counts)
        k = np.arange(len(poly_i)) - first
        ti = lo[poly_i, 0] + k % span[poly_i, 0]
        tj = lo[poly_i, 1] + k // span[poly_i, 0]
        pieces = geoms[poly_i].copy()
        lab = lab[poly_i]
        cross = counts[poly_i] > 1
        if cross.any():
            boxes = shapely.box(
                ti[cross] * side, tj[cross] * side, (ti[cross] + 1) * side, (tj[cross] + 1) * side
            )
            pieces[cross] = shapely.intersection(geoms[poly_i[cross]], boxes)
        keep = ~shapely.is_empty(pieces) & (shapely.area(pieces) > 0)
        pieces, ti, tj, lab = pieces[keep], ti[keep], tj[keep], lab[keep]
    order = np.lexsort((tj, ti, lab))
    pieces, ti, tj, lab = pieces[order], ti[order], tj[order], lab[order]
    new_group = (np.diff(ti) != 0) | (np.diff(tj) != 0) | (np.diff(lab) != 0)
    starts = np.flatnonzero(np.r_[True, new_group])
    ends = np.r_[starts[1:], len(pieces)]
    spans = list(zip(starts.tolist(), ends.tolist(), strict=True))

    def union_tiles(chunk: list[tuple[int, int]]) -> list[NDArray[np.object_]]:
        # GEOS runs without the GIL, so two threads use both cores
        return [pieces[a:b] if b - a == 1 else np.array([union(pieces[a:b])], dtype=object) for a, b in chunk]

    # one tile per label: a plain union_all, as before the tiles
    union = shapely.disjoint_subset_union_all if np.isfinite(side) else shapely.union_all

    n_threads = max(1, min(threads if threads is not None else (os.cpu_count() or 1), len(spans)))
    if n_threads == 1:
        out = union_tiles(spans)
        span_order = spans
    else:
        chunks = [spans[i::n_threads] for i in range(n_threads)]
        with ThreadPoolExecutor(max_workers=n_threads) as pool:
            done = list(pool.map(union_tiles, chunks))
        out = [part for chunk_out in done for part in chunk_out]
        span_order = [span for chunk in chunks for span in chunk]
    group_label = np.repeat(lab[[a for a, _ in span_order]], [len(o) for o in out])
    merged = np.concatenate(out)
    parts, owner = shapely.get_parts(merged, return_index=True)
    part_label = group_label[owner]
    parts, sub = shapely.get_parts(parts, return_index=True)  # collections of multipolygons too
    part_label = part_label[sub]
    poly = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    parts, part_label = np.asarray(parts[poly], dtype=object), part_label[poly]
    log.debug(
        "tiled_union: %d polygons, %.0f m tiles, %d tiles, %d crossing pieces, %d parts",
        len(geoms),
        side,
        len(starts),
        int(cross.sum()),
        len(parts),
    )
    return parts, part_label


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
