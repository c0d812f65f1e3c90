"""Raster zone counting: pixels and area of each class (or class pair) in each zone, window by window.

:func:`raster_zone_counts` counts in memory, window after window; the Dask engine
(:mod:`sxgeo.engine.raster`) runs the same plan (:class:`ZoneGrid`, :func:`zone_grid`) and kernel
(:func:`window_counts`) one task per window, and lays out the sums with :func:`counts_frame`.
Pixels weigh their true ground area where the nominal one does not hold
(:func:`sxgeo.crs.pixel_areas`); overlapping zones are each counted whole
(:func:`sxgeo.zonal.vector.overlap_groups`).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio import features, windows

from sxgeo import crs as sxcrs
from sxgeo.crs import pixel_areas
from sxgeo.errors import CRSError, LayerError
from sxgeo.zonal.vector import overlap_groups

if TYPE_CHECKING:
    import geopandas as gpd
    from rasterio.io import DatasetReader

log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class ZoneGrid:
    """What every window of a zone × class count needs: the shared plan of both engines.

    Built by :func:`zone_grid` from an open raster; small and picklable, so the Dask engine
    ships it once to every task (:mod:`sxgeo.carbon.dask`).

    Attributes
    ----------
    paths : tuple of str
        The raster, and the later raster of a class-pair count.
    nodata : tuple
        Their nodata values (or None).
    groups : tuple of list
        ``(geometry, zone number)`` in the raster's CRS (zone 0: outside every zone), in groups of
        zones that do not overlap (:func:`overlap_groups`; one group unless zones overlap).
    codes : numpy.ndarray
        Zone code of each zone number (``''`` for 0).
    wide : bool
        A raster wider than uint8: classes 0-65535 and nodata apart.
    width, height : int
        Raster size.
    transform : affine.Affine
        Raster transform.
    row_areas : numpy.ndarray or None
        True area of a pixel of each row [m2] for a geographic raster or a projected one that is
        not equal-area (:func:`pixel_areas`); None when the nominal area holds.
    col_factors : numpy.ndarray or None
        Factor of each column when the area also varies along rows (:attr:`PixelAreas.col_factors`).
    pixel_m2 : float
        Nominal area of a pixel [m2].
    window_rows : int
        Rows per window (task).
    area_note : str or None
        The correction of pixel areas made (or that could not be), for the notes.
    col_factors : numpy.ndarray or None
        Factor of each column when the area also varies along rows.
    tiles : tuple of numpy.ndarray or None
        Per group, the zone number every pixel of each tile of the raster gets (0: outside
        every zone of the group), or -1 where the tile straddles a zone boundary
        (:func:`tile_zones`); None: every window is rasterised whole (a rotated raster).
    tile_shape : tuple of int
        Rows and columns of a tile (the file's block when it is tiled, halved down to 128 px a side).
    """

    paths: tuple[str, ...]
    nodata: tuple[float | None, ...]
    groups: tuple[list[tuple[Any, int]], ...]
    codes: np.ndarray
    wide: bool
    width: int
    height: int
    transform: Any
    row_areas: np.ndarray | None
    pixel_m2: float
    window_rows: int
    area_note: str | None = None
    col_factors: np.ndarray | None = None
    tiles: tuple[np.ndarray, ...] | None = None
    tile_shape: tuple[int, int] = (256, 256)

    @property
    def cbase(self) -> int:
        """Class codes per class position (256 for uint8)."""
        return _WIDE if self.wide else 256

    @property
    def base(self) -> int:
        """Codes per zone (classes, or class pairs)."""
        return self.cbase * self.cbase if len(self.paths) > 1 else self.cbase

    @property
    def n_zones(self) -> int:
        """Zones + 1 (zone 0 is outside every zone)."""
        return sum(len(g) for g in self.groups) + 1

    def windows(self) -> list[tuple[int, int]]:
        """``(first row, rows)`` of every window."""
        step = self.window_rows
        return [(r, min(step, self.height - r)) for r in range(0, self.height, step)]


def zone_grid(
    src: DatasetReader,
    zones: gpd.GeoDataFrame,
    *,
    zone_col: str = "adcode",
    window_rows: int | None = None,
    other: DatasetReader | None = None,
) -> ZoneGrid:
    """Check a class raster (and a later one); plan its zone × class count (:func:`raster_zone_counts`).

    Parameters
    ----------
    src : rasterio.DatasetReader
        Open single-band class raster, backed by a path every reader (worker) can open.
    zones : geopandas.GeoDataFrame
        Zone polygons with *zone_col* (reprojected to the raster's CRS, logged).
    zone_col : str
        Zone code column.
    window_rows : int, optional
        Rows per window (default about 8 Mpx, in whole rows of the file's blocks).
    other : rasterio.DatasetReader, optional
        A later raster on the same grid (class pairs).

    Returns
    -------
    ZoneGrid

    Raises
    ------
    CRSError
        When the raster has no CRS, a geographic raster is rotated, or *other* is on another grid.
    """
    if src.crs is None:
        msg = f"{Path(src.name).name}: the raster has no CRS; set one (gdal_edit.py -a_srs EPSG:4549)"
        raise CRSError(msg)
    if other is not None and (other.shape != src.shape or other.transform != src.transform):
        msg = "the two land-cover rasters must share one grid (same size and transform)"
        raise CRSError(msg)
    rasters = [src] if other is None else [src, other]
    name = Path(str(src.name)).name
    if src.crs.is_geographic:
        # zones rasterised in the raster's own grid (degrees); each row weighs its true area
        sxcrs.require_crs(zones, what="zones")
        z = zones.to_crs(src.crs)
        log.info("zones reprojected to the raster's geographic CRS %s; pixel areas per row", src.crs)
    else:
        z = sxcrs.to_metric(zones, src.crs, what="zones")
    areas = pixel_areas(src.transform, src.width, src.height, src.crs, name=name)
    if window_rows is None:
        # about 8 Mpx per window, in whole rows of the file's blocks (no block is decoded twice)
        block = src.block_shapes[0][0] if src.block_shapes else 1
        window_rows = max(block, ((1 << 23) // max(src.width, 1)) // block * block)
    geoms = np.asarray(z.geometry.values, dtype=object)
    groups = overlap_groups(geoms)
    if len(groups) > 1:
        log.info("zones overlap: rasterised in %d groups, each zone counted whole", len(groups))
    shape_groups = tuple([(geoms[i], int(i) + 1) for i in g] for g in groups) or ([],)
    tile_shape = _tile_shape(src)
    tiles = (
        tuple(tile_zones(g, src.transform, src.width, src.height, tile_shape) for g in shape_groups)
        if src.transform.b == 0 and src.transform.d == 0
        else None
    )
    return ZoneGrid(
        paths=tuple(str(r.name) for r in rasters),
        nodata=tuple(r.nodata for r in rasters),
        groups=shape_groups,
        codes=np.array(["", *z[zone_col].astype(str).tolist()], dtype=object),
        wide=any(r.dtypes[0] != "uint8" for r in rasters),
        width=int(src.width),
        height=int(src.height),
        transform=src.transform,
        row_areas=areas.row_areas,
        pixel_m2=areas.nominal_m2,
        window_rows=int(window_rows),
        area_note=areas.note,
        col_factors=areas.col_factors,
        tiles=tiles,
        tile_shape=tile_shape,
    )


def _tile_shape(src: DatasetReader) -> tuple[int, int]:
    """Tile of the zone plan: the file's block (64-1024 px a side) halved down to 128, else 128 × 128.

    Smaller tiles leave less to rasterise along the boundaries, but more tiles to plan.
    """
    rows, cols = src.block_shapes[0] if src.block_shapes else (1, 1)
    if not (64 <= rows <= 1024 and 64 <= cols <= 1024):
        return 128, 128
    while rows > 128 and rows % 2 == 0:
        rows //= 2
    while cols > 128 and cols % 2 == 0:
        cols //= 2
    return int(rows), int(cols)


def tile_zones(
    shapes: list[tuple[Any, int]], transform: Any, width: int, height: int, tile_shape: tuple[int, int]
) -> np.ndarray:
    """The zone number each tile of a raster gets whole, or -1 where a tile meets a zone's boundary.

    A tile whose whole extent (pixel edges, not centres) lies in the interior of one zone and
    touches no other zone gets that zone: every pixel centre in it is at least half a pixel inside
    the zone, so rasterising (pixel-centre rule) burns them all. A tile that touches no zone gets
    0 (no centre can be inside one). Only the -1 tiles need rasterising.

    Parameters
    ----------
    shapes : list of (geometry, int)
        Non-overlapping zones and their numbers, in the raster's CRS.
    transform : affine.Affine
        Raster transform (not rotated).
    width, height : int
        Raster size.
    tile_shape : tuple of int
        Rows and columns of a tile.

    Returns
    -------
    numpy.ndarray
        ``int32`` array of shape (tile rows, tile columns).
    """
    th, tw = tile_shape
    row_edges = np.minimum(np.arange(0, height + th, th), height)[: -(-height // th) + 1]
    col_edges = np.minimum(np.arange(0, width + tw, tw), width)[: -(-width // tw) + 1]
    xs = transform.c + col_edges * transform.a
    ys = transform.f + row_edges * transform.e
    x0, x1 = np.minimum(xs[:-1], xs[1:]), np.maximum(xs[:-1], xs[1:])
    y0, y1 = np.minimum(ys[:-1], ys[1:]), np.maximum(ys[:-1], ys[1:])
    boxes = shapely.box(x0[None, :], y0[:, None], x1[None, :], y1[:, None])
    out = np.zeros(boxes.shape, dtype=np.int32)
    touched = np.zeros(boxes.shape, dtype=np.int32)
    for geom, number in shapes:
        shapely.prepare(geom)
        hit = shapely.intersects(geom, boxes)
        touched += hit
        out[hit & shapely.contains_properly(geom, boxes)] = number
    out[touched > 1] = -1
    out[(touched == 1) & (out == 0)] = -1
    return out


_RASTERIZE = threading.Lock()
"""rasterio's rasterize is not safe in two threads of one process at once (a thread's in-memory
dataset can be seen without its transform); one at a time per process (threaded Dask workers)."""


def window_counts(grid: ZoneGrid, row0: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Pixels (and area) of each ``zone × class`` code in one window of rows: the one counting kernel.

    Both engines call it: :func:`raster_zone_counts` window after window (reading the next window
    in a thread while this one is counted: :func:`read_window`, :func:`count_window`), the Dask
    engine one task per window (:mod:`sxgeo.carbon.dask`). Nodata pixels and the 0-65535 class
    check follow :func:`_window_classes`. Overlapping zones are rasterised group by group
    (:func:`overlap_groups`), so a pixel in two zones counts in both; a pixel in no zone counts
    once, in zone 0.

    Parameters
    ----------
    grid : ZoneGrid
        From :func:`zone_grid`.
    row0, rows : int
        The window.

    Returns
    -------
    tuple of numpy.ndarray
        The codes that occur (sorted), their pixel counts, and their area [m2] when pixels are
        weighed per row (geographic or non-equal-area rasters; None otherwise: pixels ×
        ``grid.pixel_m2``).
    """
    return count_window(grid, row0, rows, read_window(grid, row0, rows))


def read_window(
    grid: ZoneGrid, row0: int, rows: int, out: list[np.ndarray] | None = None
) -> list[np.ndarray]:
    """The class codes of every raster of *grid* in one window of rows (:func:`_window_classes`).

    Each call opens its own short-lived handles, so two threads can read at once (GDAL releases
    the GIL while it decodes); closing a handle drops its cached blocks, so memory stays bounded
    by the window (a smaller GDAL_CACHEMAX would do it too, but slows GDAL ~1.5x). *out*: uint8
    arrays of at least *rows* × width, one per raster, read into (fresh memory per window costs
    page faults about as dear as decoding it).
    """
    win = windows.Window(0, row0, grid.width, rows)
    layers = []
    for i, (path, nodata) in enumerate(zip(grid.paths, grid.nodata, strict=True)):
        with rasterio.open(path) as part:
            buf = None if out is None or grid.wide else out[i][:rows]
            layers.append(
                _window_classes(part.read(1, window=win, out=buf), nodata, Path(path).name, wide=grid.wide)
            )
    return layers


_Run = tuple[int, int, int, int, int]
"""A run of tiles along one tile row of a window: first row, end row, first column, end column (of the
window), and the zone number all its pixels get (-1: they must be rasterised)."""


def _window_runs(grid: ZoneGrid, group: int, row0: int, rows: int) -> list[_Run]:
    """The window cut into runs of tiles with one zone number (or -1) each (:attr:`ZoneGrid.tiles`)."""
    if grid.tiles is None:
        return [(0, rows, 0, grid.width, -1)]
    th, tw = grid.tile_shape
    tiles = grid.tiles[group]
    runs = []
    for tile_row in range(row0 // th, (row0 + rows - 1) // th + 1):
        top, bottom = max(row0, tile_row * th) - row0, min(row0 + rows, (tile_row + 1) * th) - row0
        line = tiles[tile_row]
        cuts = np.flatnonzero(np.diff(line)) + 1
        for first, end in zip([0, *cuts.tolist()], [*cuts.tolist(), len(line)], strict=True):
            runs.append((top, bottom, first * tw, min(end * tw, grid.width), int(line[first])))
    return runs


def _zone_window(
    grid: ZoneGrid,
    group: int,
    row0: int,
    runs: list[_Run],
    rows: int,
    *,
    fill: bool = True,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """The zone number of every pixel of the window for one group of zones, as rasterising it would give.

    Only the runs of tiles that straddle a zone boundary are rasterised, with the zones clipped to
    each run's extent (pixel edges, so no pixel centre in the run moves in or out of a zone); the
    other runs are filled with their one zone number (:func:`tile_zones`), unless not *fill*: then
    only the rasterised runs hold their zones, and *out* (an array of at least *rows* × width of
    the zone dtype) may be reused, window after window.
    """
    transform = windows.transform(windows.Window(0, row0, grid.width, rows), grid.transform)
    dtype = zone_dtype(grid)
    mixed = [r for r in runs if r[4] < 0]
    if fill or out is None:
        zone: np.ndarray = np.zeros((rows, grid.width), dtype=dtype)
    else:
        zone = out[:rows]
        for top, bottom, first, end, _ in mixed:
            zone[top:bottom, first:end] = 0
    shapes = grid.groups[group]
    if mixed and shapes:
        bounds = shapely.bounds(np.asarray([g for g, _ in shapes], dtype=object))
        pieces = []
        for top, bottom, first, end, _ in mixed:
            xa, ya = transform * (first, top)
            xb, yb = transform * (end, bottom)
            box = (min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb))
            near = (
                (bounds[:, 0] < box[2])
                & (bounds[:, 2] > box[0])
                & (bounds[:, 1] < box[3])
                & (bounds[:, 3] > box[1])
            )
            for k in np.flatnonzero(near):
                geom, number = shapes[k]
                piece = shapely.clip_by_rect(geom, *box)
                pieces += [
                    (p, number)
                    for p in shapely.get_parts(piece)
                    if p.geom_type == "Polygon" and not p.is_empty
                ]
        if pieces:
            # rasterize outside any rasterio.Env: inside one GDAL's rasterizer runs about 3x slower
            with _RASTERIZE:
                features.rasterize(pieces, out=zone, transform=transform, fill=0, all_touched=False)
    for top, bottom, first, end, number in runs if fill else []:
        if number >= 0:
            zone[top:bottom, first:end] = number
    return zone


def count_window(
    grid: ZoneGrid, row0: int, rows: int, layers: list[np.ndarray], scratch: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """:func:`window_counts` of a window already read (:func:`read_window`).

    *scratch*: an array of :func:`zone_dtype` and at least *rows* × width, reused for the zones of
    window after window (optional).
    """
    weights = None
    if grid.row_areas is not None:
        band = grid.row_areas[row0 : row0 + rows]
        cols = grid.col_factors
        weights = np.repeat(band, grid.width) if cols is None else np.outer(band, cols).ravel()
    runs = [_window_runs(grid, g, row0, rows) for g in range(len(grid.groups))]
    if len(runs) == 1 and weights is None and not grid.wide and grid.tiles is not None:
        zone = _zone_window(grid, 0, row0, runs[0], rows, fill=False, out=scratch)
        return _count_runs(grid, zone, runs[0], layers)
    zones = [_zone_window(grid, g, row0, r, rows) for g, r in enumerate(runs)]
    if len(zones) == 1:
        return _count_codes(grid, zones[0], layers, weights, None)
    # a pixel of the first group's pass also counts there when it lies in no zone at all
    in_other = np.zeros(zones[0].shape, dtype=bool)
    for z in zones[1:]:
        in_other |= z > 0
    parts = [_count_codes(grid, zones[0], layers, weights, ((zones[0] > 0) | ~in_other).ravel())]
    parts += [_count_codes(grid, z, layers, weights, (z > 0).ravel()) for z in zones[1:]]
    return add_counts(parts)


def zone_dtype(grid: ZoneGrid) -> type:
    """The dtype of rasterised zone numbers: uint8 up to 255 zones, else uint16."""
    return np.uint8 if grid.n_zones <= 256 else np.uint16


def _count_runs(
    grid: ZoneGrid, zone: np.ndarray, runs: list[_Run], layers: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """:func:`_count_codes` of one group of uint8 rasters, run by run of tiles (:func:`_window_runs`).

    A run inside one zone counts its class codes alone (no zone code per pixel; a pair of rasters
    that do not differ there as one raster), a run holding only class 0 is one sum, and the runs on
    a boundary are counted as ``zone × base + class`` codes: the
    same counts as :func:`_count_codes` of the whole window, with less work per pixel.
    """
    base = grid.base
    pair = len(layers) > 1
    counts = np.zeros(grid.n_zones * base, dtype=np.int64)
    whole: dict[int, list[list[np.ndarray]]] = {}
    same: dict[int, list[list[np.ndarray]]] = {}  # class pairs of runs where nothing changed
    edge: list[tuple[np.ndarray, list[np.ndarray]]] = []
    for top, bottom, first, end, number in runs:
        cut = [layer[top:bottom, first:end] for layer in layers]
        if number < 0:
            edge.append((zone[top:bottom, first:end], cut))
        elif not any(piece.any() for piece in cut):
            counts[number * base] += cut[0].size  # every pixel class 0 (before and after)
        elif pair and np.array_equal(cut[0], cut[1]):
            same.setdefault(number, []).append(cut[:1])
        else:
            whole.setdefault(number, []).append(cut)
    for number, cuts in whole.items():
        counts[number * base : (number + 1) * base] += _class_counts(cuts, pair=pair)
    diagonal = np.arange(256) * 257  # the code of the pair (c, c)
    for number, cuts in same.items():
        counts[number * base + diagonal] += _class_counts(cuts, pair=False)
    if edge:
        if not pair and grid.n_zones <= 256:
            codes = _gather([(z, *c) for z, c in edge], np.uint16, shift=8)
            counts += _bincount(codes, counts.size)
        else:
            flat = [np.concatenate([c[i].ravel() for _, c in edge]) for i in range(len(layers))]
            zones = np.concatenate([z.ravel() for z, _ in edge])
            codes, n, _ = _count_codes(grid, zones, flat, None, None)
            counts[codes] += n
    nz = np.flatnonzero(counts)
    return nz.astype(np.int64), counts[nz], None


def _gather(cuts: list[tuple[np.ndarray, ...]], dtype: type, *, shift: int, pad: int = 1) -> np.ndarray:
    """The pieces of each cut side by side in one array, packed ``(a << shift) | b`` when a cut has two.

    One copy per piece, into an array of *dtype* whose length is rounded up to a multiple of *pad*
    (the padding is 0 and is left to the caller).
    """
    total = sum(c[0].size for c in cuts)
    out: np.ndarray = np.zeros(-(-total // pad) * pad, dtype=dtype)
    pos = 0
    for cut in cuts:
        n = cut[0].size
        view = out[pos : pos + n].reshape(cut[0].shape)
        np.copyto(view, cut[0], casting="unsafe")
        if len(cut) > 1:
            view <<= shift
            view |= cut[1]
        pos += n
    return out


def _class_counts(cuts: list[list[np.ndarray]], *, pair: bool) -> np.ndarray:
    """Pixels of each class code (``before × 256 + after`` for a pair) in pieces of uint8 rasters.

    Single rasters are counted two pixels at a time: their bytes read as 16-bit words, the counts of
    the 65,536 words folded back to the 256 classes (a word counts once for its low byte and once for
    its high one); half the work of ``numpy.bincount`` on the bytes.
    """
    if pair:
        return _bincount(_gather([tuple(c) for c in cuts], np.uint16, shift=8), 1 << 16)
    data = _gather([tuple(c) for c in cuts], np.uint8, shift=0, pad=2)
    words = _bincount(data.view(np.uint16), 1 << 16).reshape(256, 256)
    out = words.sum(axis=0) + words.sum(axis=1)
    out[0] -= data.size - sum(c[0].size for c in cuts)  # the padding byte
    return out


def _bincount(flat: np.ndarray, size: int) -> np.ndarray:
    """``numpy.bincount`` in slices of 1M or more (it casts to int64: a window at once doubles memory)."""
    counts = np.zeros(size, dtype=np.int64)
    step = max(1 << 20, 4 * size)  # slices long against the counts, which each slice adds up
    for i in range(0, flat.size, step):
        counts += np.bincount(flat[i : i + step], minlength=size)
    return counts


def _count_codes(
    grid: ZoneGrid,
    zone: np.ndarray,
    layers: list[np.ndarray],
    weights: np.ndarray | None,
    keep: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Count the ``zone × base + class`` codes of one rasterised zone group (pixels where *keep*)."""
    n_zones, base, cbase, wide = grid.n_zones, grid.base, grid.cbase, grid.wide
    pair = len(layers) > 1
    cls, after = layers[0], (layers[1] if pair else None)
    if not pair and not wide and n_zones <= 256:
        code = (zone.astype(np.uint16) << 8) | cls  # zone × 256 + class in 16 bits
    elif not wide:
        code = zone.astype(np.uint32) * base + cls.astype(np.uint32) * (256 if pair else 1)
        if after is not None:
            code += after.astype(np.uint32)
    else:
        code = zone.astype(np.int64) * base + cls * (cbase if pair else 1)
        if after is not None:
            code += after
    flat = code.ravel()
    if keep is not None:
        flat = flat[keep]
        weights = None if weights is None else weights[keep]
    if wide:
        values, inverse, n = np.unique(flat, return_inverse=True, return_counts=True)
        area = (
            None if weights is None else np.bincount(inverse.ravel(), weights=weights, minlength=len(values))
        )
        return values.astype(np.int64), n.astype(np.int64), area
    # uint8: a dense bincount over every possible code, in slices (bincount casts to int64, so a
    # whole window would double memory and thrash the cache)
    size = n_zones * base
    counts = np.zeros(size, dtype=np.int64)
    area_all = None if weights is None else np.zeros(size)
    step = max(1 << 20, 4 * size)  # slices long against the counts, which each slice adds up
    for i in range(0, flat.size, step):
        piece = flat[i : i + step]
        counts += np.bincount(piece, minlength=size)
        if area_all is not None and weights is not None:
            area_all += np.bincount(piece, weights=weights[i : i + step], minlength=size)
    nz = np.flatnonzero(counts)
    return nz.astype(np.int64), counts[nz], None if area_all is None else area_all[nz]


def add_counts(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The sum of several :func:`window_counts` results (codes, pixels, area), code by code."""
    if not parts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), None
    codes = np.concatenate([p[0] for p in parts])
    values, inverse = np.unique(codes, return_inverse=True)
    pixels = np.zeros(len(values), dtype=np.int64)
    np.add.at(pixels, inverse, np.concatenate([p[1] for p in parts]))
    if parts[0][2] is None:
        return values, pixels, None
    weights = np.concatenate([p[2] for p in parts if p[2] is not None])
    area = np.bincount(inverse, weights=weights, minlength=len(values))
    return values, pixels, area


def counts_frame(
    grid: ZoneGrid, codes: np.ndarray, pixels: np.ndarray, area_m2: np.ndarray | None
) -> pd.DataFrame:
    """The table of :func:`raster_zone_counts` from summed codes, pixels and areas.

    Parameters
    ----------
    grid : ZoneGrid
        The plan of the count.
    codes, pixels : numpy.ndarray
        ``zone × base + class`` codes and their pixel counts (:func:`add_counts`).
    area_m2 : numpy.ndarray or None
        Their area when pixels are weighed per row (:attr:`ZoneGrid.row_areas`).

    Returns
    -------
    pandas.DataFrame
        ``zone, class`` (or ``class_before, class_after``), ``pixels``, ``area_ha``.
    """
    zone_idx, cls_code = np.divmod(codes, grid.base)
    out = pd.DataFrame({"zone": grid.codes[zone_idx]})
    wide = grid.wide
    if len(grid.paths) > 1:
        b, a = np.divmod(cls_code, grid.cbase)
        out["class_before"] = _tag_nodata(b, grid.nodata[0], wide=wide)
        out["class_after"] = _tag_nodata(a, grid.nodata[1], wide=wide)
    else:
        out["class"] = _tag_nodata(cls_code, grid.nodata[0], wide=wide)
    out["pixels"] = pixels
    out["area_ha"] = pixels * (grid.pixel_m2 / 1e4) if area_m2 is None else np.asarray(area_m2) / 1e4
    return out


def raster_zone_counts(
    src: DatasetReader,
    zones: gpd.GeoDataFrame,
    *,
    zone_col: str = "adcode",
    window_rows: int | None = None,
    other: DatasetReader | None = None,
) -> pd.DataFrame:
    """Pixel counts and area of each class (or class pair) in each zone, read window by window.

    Zones are rasterized per window onto the raster's own grid (pixel-centre rule,
    ``all_touched=False``, as InVEST and rasterstats count) and the code
    ``zone × 256 + class`` is counted with ``numpy.bincount``; memory is bounded by the window,
    whatever the raster's size (reference/perf.md §1). Rasters wider than uint8 (uint16, int16,
    int32, float with whole-number codes) are counted with the code widened to hold classes up
    to 65535 and nodata apart. A raster in geographic coordinates (ESA WorldCover, Esri land
    cover in EPSG:4326) is counted in its own grid, each pixel weighing the true ellipsoidal
    area of its row (:func:`pixel_row_areas`); so is a projected raster that is not equal-area
    (Web Mercator tiles in EPSG:3857: nominal metres would add 34% at Shaoxing's latitude), with
    a note (``ZoneGrid.area_note``, :func:`pixel_areas`). Zones that overlap are each counted
    whole (:func:`overlap_groups`). The Dask engine runs the same window kernel
    (:func:`window_counts`) one task per window (:func:`sxgeo.carbon.dask.raster_zone_areas`).

    Parameters
    ----------
    src : rasterio.DatasetReader
        An open single-band class raster, projected or geographic, backed by a file (or
        ``/vsimem``) path: windows are read through short-lived handles on ``src.name``.
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
        When the raster has no CRS, a geographic raster is rotated, or *other* is on another grid.
    LayerError
        Class codes that are not whole numbers in 0-65535 (other than nodata).
    """
    grid = zone_grid(src, zones, zone_col=zone_col, window_rows=window_rows, other=other)
    total: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None = None
    spans = grid.windows()
    # one thread reads (and decodes: GDAL releases the GIL) the next window while this one is counted,
    # into the other of two sets of buffers: two windows in memory, allocated once
    shape = (min(grid.window_rows, grid.height), grid.width)
    buffers = [[np.empty(shape, dtype=np.uint8) for _ in grid.paths] for _ in range(2)]
    scratch: np.ndarray = np.empty(shape, dtype=zone_dtype(grid))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sxgeo-read") as reader:
        ahead = deque([reader.submit(read_window, grid, *spans[0], buffers[0])] if spans else [])
        for i, (row0, rows) in enumerate(spans):
            layers = ahead.popleft().result()
            if i + 1 < len(spans):
                ahead.append(reader.submit(read_window, grid, *spans[i + 1], buffers[(i + 1) % 2]))
            part = count_window(grid, row0, rows, layers, scratch)
            total = part if total is None else add_counts([total, part])
    return counts_frame(grid, *(total if total is not None else add_counts([])))


def _tag_nodata(cls: np.ndarray, nodata: float | None, *, wide: bool) -> np.ndarray:
    """Class codes with the nodata pixels as :data:`NODATA_CLASS`."""
    out = np.asarray(cls, dtype=np.int64).copy()
    if wide:
        out[out == _WIDE - 1] = NODATA_CLASS
    elif nodata is not None and not np.isnan(nodata) and float(nodata).is_integer():
        out[out == int(nodata)] = NODATA_CLASS
    return out
