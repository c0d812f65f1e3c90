"""Shared fast paths for "how much of X lies in each zone" (zones are usually the counties).

Every analysis that needs polygon area per county calls :func:`area_by_zone`, so the fast
method lives once. Method (measured in ``reference/perf.md`` section 2, about 47x faster than
``geopandas.overlay`` and exact): an STRtree on the many polygons queried with the few zones,
``contains_properly`` against the prepared zones to take the area of interior polygons as is,
and an intersection only for the ~1% that cross a zone border.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.errors import CRSError, LayerError

if TYPE_CHECKING:
    from rasterio.io import DatasetReader

log = logging.getLogger(__name__)

UNASSIGNED = "unassigned"
"""Zone code of area that lies in no zone."""


def intersection_pieces(zones: np.ndarray, polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (zone, polygon) pair that intersects, and the polygon's piece inside the zone.

    The fast path of this module: an STRtree on the (many) polygons queried with the (few)
    zones, prepared; polygons wholly inside a zone (``contains_properly``) are their own
    piece, and only the ones crossing a zone border are intersected.

    Parameters
    ----------
    zones, polygons : numpy.ndarray of shapely.Geometry
        In the same projected CRS.

    Returns
    -------
    tuple of numpy.ndarray
        Zone index, polygon index and the piece of each pair.
    """
    tree = shapely.STRtree(polygons)
    zi, pi = tree.query(zones, predicate="intersects")
    shapely.prepare(zones)
    inside = shapely.contains_properly(zones[zi], polygons[pi])
    pieces = polygons[pi].copy()
    cross = ~inside
    if cross.any():
        pieces[cross] = shapely.intersection(zones[zi[cross]], polygons[pi[cross]])
    log.debug("intersection_pieces: %d pairs, %d crossing a zone border", len(zi), int(cross.sum()))
    return zi, pi, pieces


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
    zi, _, pieces = intersection_pieces(zg, pg)
    area = shapely.area(pieces)
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


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected-component label of each of *n* nodes given undirected edges (min-label propagation)."""
    label = np.arange(n)
    if left.size == 0:
        return label
    while True:
        # each node takes the smallest label among itself and its neighbours, then labels are
        # followed to their roots; this converges in about log(component diameter) rounds
        low = np.minimum(label[left], label[right])
        new = label.copy()
        np.minimum.at(new, left, low)
        np.minimum.at(new, right, low)
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


def dissolve_parts(
    polygons: gpd.GeoDataFrame | gpd.GeoSeries, *, crs: object = sxcrs.METRIC
) -> gpd.GeoSeries:
    """Union polygons and return non-overlapping parts, so overlaps count once.

    Only polygons whose interiors overlap are unioned: an STRtree finds the overlapping pairs,
    and each connected group of them is unioned on its own; polygons that overlap nothing are
    kept as they are. The total area equals that of ``union_all`` of everything (touching
    polygons may stay separate parts, which changes no area), at a fraction of the cost for a
    city's worth of parcels.

    Parameters
    ----------
    polygons : geopandas.GeoDataFrame or geopandas.GeoSeries
        Polygons with a CRS.
    crs : Any
        Projected CRS of the result (default EPSG:4549).

    Returns
    -------
    geopandas.GeoSeries
        Polygons with pairwise disjoint interiors, in *crs*.
    """
    m = sxcrs.to_metric(gpd.GeoDataFrame(geometry=polygons.geometry), crs, what="polygons")
    geoms = np.asarray(m.geometry.values, dtype=object)
    geoms = geoms[~shapely.is_empty(geoms) & ~shapely.is_missing(geoms)]
    # MultiPolygons and GeometryCollections (QGIS saves single-part MultiPolygons) become their
    # polygon parts first, so no part is lost whether or not it overlaps anything
    geoms = shapely.get_parts(shapely.get_parts(geoms))
    geoms = geoms[shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON]
    if len(geoms) == 0:
        return gpd.GeoSeries([], crs=m.crs)
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    # interiors overlap (DE-9IM interior/interior), not merely touching
    overlap = shapely.relate_pattern(geoms[a], geoms[b], "T********")
    label = _components(len(geoms), a[overlap], b[overlap])
    counts = np.bincount(label, minlength=len(geoms))
    alone = counts[label] == 1
    out = [geoms[alone]]
    grouped = label[~alone]
    members = np.flatnonzero(~alone)
    order = np.argsort(grouped, kind="stable")
    bounds = np.flatnonzero(np.diff(grouped[order])) + 1
    for idx in np.split(members[order], bounds):
        if len(idx):
            out.append(shapely.get_parts(shapely.union_all(geoms[idx])))
    parts = np.concatenate(out)
    parts = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    log.debug(
        "dissolve_parts: %d polygons, %d overlapping pairs, %d parts",
        len(geoms),
        int(overlap.sum()),
        len(parts),
    )
    return gpd.GeoSeries(parts, crs=m.crs)


def clip_to(polygons: gpd.GeoSeries, mask: gpd.GeoSeries, *, keep_index: bool = False) -> gpd.GeoSeries:
    """Pieces of *polygons* inside *mask* (both in the same projected CRS; mask parts disjoint).

    Polygons wholly inside a mask part are kept as they are; only those that cross a mask
    border are intersected.

    Parameters
    ----------
    polygons : geopandas.GeoSeries
        Polygons to clip.
    mask : geopandas.GeoSeries
        Disjoint mask polygons (e.g. :func:`dissolve_parts` of the built-up area).
    keep_index : bool
        Index the pieces by the index of the polygon they come from (a polygon crossing two
        mask parts gives two pieces with the same index).

    Returns
    -------
    geopandas.GeoSeries
        Non-empty pieces.
    """
    if polygons.crs is None or mask.crs is None or not polygons.crs.equals(mask.crs):
        msg = "clip_to needs both inputs in the same projected CRS"
        raise CRSError(msg)
    pg = np.asarray(polygons.values, dtype=object)
    mg = np.asarray(mask.values, dtype=object)
    _, pi, pieces = intersection_pieces(mg, pg)
    nonempty = ~shapely.is_empty(pieces) & (shapely.area(pieces) > 0)
    index = polygons.index[pi[nonempty]] if keep_index else None
    return gpd.GeoSeries(pieces[nonempty], crs=polygons.crs, index=index)


NODATA_CLASS = -1
"""Class code :func:`raster_zone_counts` gives pixels that hold the raster's nodata value (or NaN)."""
MAX_CLASS = 65535
"""Largest class code counted (16-bit land-cover rasters)."""
_WIDE = MAX_CLASS + 2  # class base of rasters wider than uint8: codes 0-65535 and nodata (65536)


def _window_classes(raw: np.ndarray, nodata: float | None, name: str, *, wide: bool) -> np.ndarray:
    """A window's class codes: uint8 as read; wider rasters as int64 with nodata at ``_WIDE - 1``.

    Float rasters must hold whole numbers (``3.0``): anything else is refused, as are codes
    outside 0-65535 that are not the nodata value.
    """
    if not wide:
        return raw
    invalid = np.zeros(raw.shape, dtype=bool)
    if nodata is not None:
        invalid |= np.isnan(raw) if np.isnan(nodata) else (raw == nodata)
    if raw.dtype.kind == "f":
        invalid |= ~np.isfinite(raw)
        vals = raw[~invalid]
        frac = vals != np.round(vals)
        if frac.any():
            msg = (
                f"{name}: class codes must be whole numbers, found {float(vals[frac][0])!r}; "
                "a land-cover raster holds classes, not a continuous value"
            )
            raise LayerError(msg)
    vals = raw[~invalid]
    out_of_range = (vals < 0) | (vals > MAX_CLASS)
    if out_of_range.any():
        msg = (
            f"{name}: class code {vals[out_of_range][0].item()!r} is outside 0-{MAX_CLASS} and is not the "
            f"raster's nodata value ({nodata}); set the nodata tag (gdal_edit.py -a_nodata VALUE)"
        )
        raise LayerError(msg)
    # widen first: np.where(invalid, 65536, raw) on a uint16 array would wrap 65536 to 0
    cls = np.where(invalid, 0, raw).astype(np.int64)  # 0 is in every dtype; NaN would not cast
    cls[invalid] = _WIDE - 1
    return cls


def raster_zone_counts(
    src: DatasetReader,
    zones: gpd.GeoDataFrame,
    *,
    zone_col: str = "adcode",
    window_rows: int | None = None,
    other: DatasetReader | None = None,
) -> pd.DataFrame:
    """Pixel counts of each class (or class pair) in each zone, read window by window.

    Zones are rasterized per window onto the raster's own grid (pixel-centre rule,
    ``all_touched=False``, as InVEST and rasterstats count) and the code
    ``zone × 256 + class`` is counted with ``numpy.bincount``; memory is bounded by the window,
    whatever the raster's size (reference/perf.md §1). Rasters wider than uint8 (uint16, int16,
    int32, float with whole-number codes) are counted with the code widened to hold classes up
    to 65535 and nodata apart.

    Parameters
    ----------
    src : rasterio.DatasetReader
        An open single-band class raster in a projected CRS, backed by a file (or ``/vsimem``)
        path: windows are read through short-lived handles on ``src.name``.
    zones : geopandas.GeoDataFrame
        Zone polygons with *zone_col* (reprojected to the raster's CRS, logged).
    zone_col : str
        Zone code column.
    window_rows : int, optional
        Rows read at a time; default about 8 million pixels per window, whatever the width, so
        memory does not grow with the raster.
    other : rasterio.DatasetReader, optional
        A second raster on the same grid: then class *pairs* (before, after) are counted.

    Returns
    -------
    pandas.DataFrame
        ``zone, class`` (or ``class_before, class_after``), ``pixels``, ``area_ha``. Pixels
        holding the raster's nodata value have class :data:`NODATA_CLASS` (-1): they are never
        any class.

    Raises
    ------
    CRSError
        When the raster has no CRS or a geographic one, or *other* is on another grid.
    LayerError
        Class codes that are not whole numbers in 0-65535 (other than nodata).
    """
    from rasterio import features, windows

    if src.crs is None or src.crs.is_geographic:
        msg = f"class areas need a raster in a projected CRS (metres), got {src.crs}; warp it to EPSG:4549"
        raise CRSError(msg)
    if other is not None and (other.shape != src.shape or other.transform != src.transform):
        msg = "the two land-cover rasters must share one grid (same size and transform)"
        raise CRSError(msg)
    import rasterio

    rasters = [src] if other is None else [src, other]
    wide = any(r.dtypes[0] != "uint8" for r in rasters)
    cbase = _WIDE if wide else 256
    z = sxcrs.to_metric(zones, src.crs, what="zones")
    shapes = [(g, i + 1) for i, g in enumerate(z.geometry.values)]
    n_zones = len(shapes) + 1
    zone_dtype = "uint8" if n_zones <= 256 else "uint16"
    if window_rows is None:
        # about 8 Mpx per window, in whole rows of the file's blocks (no block is decoded twice)
        block = src.block_shapes[0][0] if src.block_shapes else 1
        window_rows = max(block, ((1 << 23) // max(src.width, 1)) // block * block)
    base = cbase * cbase if other is not None else cbase
    # uint8: a dense bincount over every possible code; wider: only the codes that occur
    dense = not wide
    counts = np.zeros(n_zones * base, dtype=np.int64) if dense else None
    sparse: list[pd.Series] = []
    for row0 in range(0, src.height, window_rows):
        win = windows.Window(0, row0, src.width, min(window_rows, src.height - row0))
        transform = windows.transform(win, src.transform)
        # rasterize outside any rasterio.Env: inside one GDAL's rasterizer runs about 3x slower
        zone = features.rasterize(
            shapes, out_shape=(int(win.height), int(win.width)), transform=transform, fill=0,
            dtype=zone_dtype, all_touched=False,
        )  # fmt: skip
        # read through short-lived handles: closing one drops its cached blocks, so memory stays
        # bounded by the window (a smaller GDAL_CACHEMAX would do it too, but slows GDAL ~1.5x)
        layers = []
        for r in rasters:
            with rasterio.open(r.name) as part:
                layers.append(
                    _window_classes(part.read(1, window=win), r.nodata, Path(r.name).name, wide=wide)
                )
        cls, after = layers[0], (layers[1] if other is not None else None)
        if other is None and not wide and n_zones <= 256:
            code = (zone.astype(np.uint16) << 8) | cls  # zone × 256 + class in 16 bits
        elif not wide:
            code = zone.astype(np.uint32) * base + cls.astype(np.uint32) * (256 if other else 1)
            if after is not None:
                code += after.astype(np.uint32)
        else:
            code = zone.astype(np.int64) * base + cls * (cbase if other is not None else 1)
            if after is not None:
                code += after
        flat = code.ravel()
        if counts is not None:
            # in slices: bincount casts to int64, so a whole window would double memory and thrash the cache
            for i in range(0, flat.size, 1 << 20):
                counts += np.bincount(flat[i : i + (1 << 20)], minlength=n_zones * base)
        else:
            values, n = np.unique(flat, return_counts=True)
            sparse.append(pd.Series(n, index=values))
    if counts is not None:
        nz = np.flatnonzero(counts)
        found = counts[nz]
    else:
        total = pd.concat(sparse).groupby(level=0).sum() if sparse else pd.Series(dtype=np.int64)
        nz, found = total.index.to_numpy(dtype=np.int64), total.to_numpy(dtype=np.int64)
    pixel_ha = abs(src.transform.a * src.transform.e) / 1e4
    zone_idx, cls_code = np.divmod(nz, base)
    codes = np.array(["", *z[zone_col].astype(str).tolist()], dtype=object)
    out = pd.DataFrame({"zone": codes[zone_idx]})
    if other is not None:
        b, a = np.divmod(cls_code, cbase)
        out["class_before"] = _tag_nodata(b, src.nodata, wide=wide)
        out["class_after"] = _tag_nodata(a, other.nodata, wide=wide)
    else:
        out["class"] = _tag_nodata(cls_code, src.nodata, wide=wide)
    out["pixels"] = found
    out["area_ha"] = found * pixel_ha
    return out


def _tag_nodata(cls: np.ndarray, nodata: float | None, *, wide: bool) -> np.ndarray:
    """Class codes with the nodata pixels as :data:`NODATA_CLASS`."""
    out = np.asarray(cls, dtype=np.int64).copy()
    if wide:
        out[out == _WIDE - 1] = NODATA_CLASS
    elif nodata is not None and not np.isnan(nodata) and float(nodata).is_integer():
        out[out == int(nodata)] = NODATA_CLASS
    return out
