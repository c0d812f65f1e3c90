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
    geoms = polygon_parts(polygons)
    if len(geoms) == 0:
        return np.empty(0, dtype=object)
    bounds = shapely.bounds(geoms)
    side = default_tile_m(bounds) if tile_m is None else float(tile_m)
    if not side > 0:
        msg = f"tile side must be > 0 m, got {side:g}"
        raise ValueError(msg)
    if not np.isfinite(side):
        return polygon_parts(np.array([shapely.union_all(geoms)], dtype=object))
    # tiles on a grid anchored at the origin of the CRS: tile (i, j) = [i·side, (i+1)·side) × ...
    lo = np.floor(bounds[:, :2] / side).astype(np.int64)
    hi = np.floor(bounds[:, 2:] / side).astype(np.int64)
    span = hi - lo + 1
    counts = span[:, 0] * span[:, 1]
    # one (polygon, tile) row per tile a polygon's box touches
    poly = np.repeat(np.arange(len(geoms)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    k = np.arange(len(poly)) - first
    ti = lo[poly, 0] + k % span[poly, 0]
    tj = lo[poly, 1] + k // span[poly, 0]
    pieces = geoms[poly].copy()
    cross = counts[poly] > 1
    if cross.any():
        boxes = shapely.box(
            ti[cross] * side, tj[cross] * side, (ti[cross] + 1) * side, (tj[cross] + 1) * side
        )
        pieces[cross] = shapely.intersection(geoms[poly[cross]], boxes)
    keep = ~shapely.is_empty(pieces) & (shapely.area(pieces) > 0)
    pieces, ti, tj = pieces[keep], ti[keep], tj[keep]
    order = np.lexsort((tj, ti))
    pieces, ti, tj = pieces[order], ti[order], tj[order]
    starts = np.flatnonzero(np.r_[True, (np.diff(ti) != 0) | (np.diff(tj) != 0)])
    ends = np.r_[starts[1:], len(pieces)]
    spans = list(zip(starts.tolist(), ends.tolist(), strict=True))

    def union_tiles(chunk: list[tuple[int, int]]) -> list[NDArray[np.object_]]:
        # GEOS runs without the GIL, so two threads use both cores
        return [
            pieces[a:b]
            if b - a == 1
            else np.array([shapely.disjoint_subset_union_all(pieces[a:b])], dtype=object)
            for a, b in chunk
        ]

    n_threads = max(1, min(threads if threads is not None else (os.cpu_count() or 1), len(spans)))
    if n_threads == 1:
        out = union_tiles(spans)
    else:
        chunks = [spans[i::n_threads] for i in range(n_threads)]
        with ThreadPoolExecutor(max_workers=n_threads) as pool:
            out = [part for done in pool.map(union_tiles, chunks) for part in done]
    parts = polygon_parts(np.concatenate(out))
    log.debug(
        "tiled_union: %d polygons, %.0f m tiles, %d tiles, %d crossing pieces, %d parts",
        len(geoms),
        side,
        len(starts),
        int(cross.sum()),
        len(parts),
    )
    return parts


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
