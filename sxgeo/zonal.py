"""Shared fast paths for "how much of X lies in each zone" (zones are usually the counties).

Every analysis that needs polygon area per county calls :func:`area_by_zone`, so the fast
method lives once. Method (measured in ``reference/perf.md`` section 2, about 47x faster than
``geopandas.overlay`` and exact): an STRtree on the many polygons queried with the few zones,
``contains_properly`` against the prepared zones to take the area of interior polygons as is,
and an intersection only for the ~1% that cross a zone border.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.crs import pixel_areas
from sxgeo.crs import pixel_row_areas as pixel_row_areas  # re-exported for one release
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
    # a GeometryCollection goes through the overlay even inside a zone: its overlapping parts count
    # once there, as they do where it crosses a border (its own area() would add them up)
    cross = ~inside | (shapely.get_type_id(pieces) == shapely.GeometryType.GEOMETRYCOLLECTION)
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
        Zone polygons with a CRS and a code column. Zones that overlap are each counted whole
        (an overlap is in both; :func:`overlap_note`); :data:`UNASSIGNED` is then the area
        outside their union.
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
    if len(overlap_groups(zg)) > 1:
        # overlapping zones are each counted whole: what is outside them is measured against
        # their union, not as the total less the (overlap-doubled) sum of the zones
        _, _, inner = intersection_pieces(np.array([shapely.union_all(zg)], dtype=object), pg)
        inside = float(shapely.area(inner).sum())
    else:
        inside = float(per_zone.sum())
    unassigned = max(float(np.nansum(total) - inside), 0.0)
    index = [*zm[zone_col].astype(str).tolist(), UNASSIGNED]
    return pd.Series([*per_zone.tolist(), unassigned], index=index, name="area_m2")


def _overlapping_pairs(zones: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) of zones whose interiors overlap (touching along a border is no overlap)."""
    if len(zones) < 2:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    tree = shapely.STRtree(zones)
    a, b = tree.query(zones, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if len(a):
        inner = shapely.relate_pattern(zones[a], zones[b], "T********")
        a, b = a[inner], b[inner]
    return a, b


def overlap_groups(zones: np.ndarray) -> list[np.ndarray]:
    """Zones split into groups whose members do not overlap (a greedy colouring), in zone order.

    Non-overlapping zones (counties) give one group. Each group can be rasterised or intersected
    as a partition, so that every zone is counted whole.

    Parameters
    ----------
    zones : numpy.ndarray of shapely.Geometry
        Zone polygons.

    Returns
    -------
    list of numpy.ndarray
        Indices into *zones*, one array per group.
    """
    a, b = _overlapping_pairs(zones)
    neighbours: dict[int, set[int]] = {}
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        neighbours.setdefault(i, set()).add(j)
        neighbours.setdefault(j, set()).add(i)
    colour = np.zeros(len(zones), dtype=np.int64)
    for i in sorted(neighbours):
        used = {int(colour[j]) for j in neighbours[i] if j < i}
        c = 0
        while c in used:
            c += 1
        colour[i] = c
    if not len(zones):
        return []
    return [np.flatnonzero(colour == c) for c in range(int(colour.max()) + 1)]


def zone_overlaps(
    zones: gpd.GeoDataFrame, *, zone_col: str = "adcode", crs: object = sxcrs.METRIC
) -> pd.DataFrame:
    """Pairs of zones that overlap, and the area they share [m2].

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Zone polygons with a CRS and *zone_col*.
    zone_col : str
        Zone code column.
    crs : Any
        Projected CRS to measure in (default EPSG:4549).

    Returns
    -------
    pandas.DataFrame
        ``zone_a, zone_b, overlap_m2``, largest overlap first (empty when none overlap).
    """
    zm = sxcrs.to_metric(zones, crs, what="zones")
    g = np.asarray(zm.geometry.values, dtype=object)
    a, b = _overlapping_pairs(g)
    codes = zm[zone_col].astype(str).to_numpy()
    area = shapely.area(shapely.intersection(g[a], g[b])) if len(a) else np.empty(0)
    out = pd.DataFrame({"zone_a": codes[a], "zone_b": codes[b], "overlap_m2": area})
    return out.sort_values("overlap_m2", ascending=False, kind="stable").reset_index(drop=True)


def overlap_note(
    zones: gpd.GeoDataFrame, *, zone_col: str = "adcode", what: str = "reporting zones"
) -> str | None:
    """The note saying that zones overlap and how they are counted (None when they do not).

    Overlapping reporting zones (a park inside a street, two planners' districts) are
    independent reporting units: each is counted whole, so an overlap is in both zones' rows,
    the zone rows do not add up to the total, and ``unassigned`` is what lies outside their union.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Zone polygons.
    zone_col : str
        Zone code column.
    what : str
        How to name the zones.

    Returns
    -------
    str or None
    """
    pairs = zone_overlaps(zones, zone_col=zone_col)
    if pairs.empty:
        return None
    listed = ", ".join(
        f"{a}/{b} {m2 / 1e4:,.2f} ha" for a, b, m2 in pairs.head(5).itertuples(index=False, name=None)
    )
    more = f" and {len(pairs) - 5} more pairs" if len(pairs) > 5 else ""
    if zones.attrs.get("unit_kind") != "zone" and what == "reporting zones":
        # counties that overlap are a flaw of the layer: the city row sums them
        return (
            f"county polygons overlap ({listed}{more}): each county is counted whole, so the city row "
            "counts the overlap twice; fix the county layer (gaps and overlaps removed)"
        )
    return (
        f"{what} overlap ({listed}{more}): each zone is counted whole as an independent reporting unit "
        "(an overlap is in both zones' rows, so zone rows do not add up); 'unassigned' is what lies "
        "outside their union"
    )


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
    return ZoneGrid(
        paths=tuple(str(r.name) for r in rasters),
        nodata=tuple(r.nodata for r in rasters),
        groups=tuple([(geoms[i], int(i) + 1) for i in g] for g in groups) or ([],),
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
    )


_RASTERIZE = threading.Lock()
"""rasterio's rasterize is not safe in two threads of one process at once (a thread's in-memory
dataset can be seen without its transform); one at a time per process (threaded Dask workers)."""


def window_counts(grid: ZoneGrid, row0: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Pixels (and area) of each ``zone × class`` code in one window of rows: the one counting kernel.

    Both engines call it: :func:`raster_zone_counts` window after window, the Dask engine one
    task per window (:mod:`sxgeo.carbon.dask`). Nodata pixels and the 0-65535 class check
    follow :func:`_window_classes`. Overlapping zones are rasterised group by group
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
    import rasterio
    from rasterio import features, windows

    win = windows.Window(0, row0, grid.width, rows)
    transform = windows.transform(win, grid.transform)
    n_zones, wide = grid.n_zones, grid.wide
    # rasterize outside any rasterio.Env: inside one GDAL's rasterizer runs about 3x slower
    zones = []
    with _RASTERIZE:
        for shapes in grid.groups:
            zone = features.rasterize(
                shapes, out_shape=(int(rows), int(grid.width)), transform=transform, fill=0,
                dtype="uint8" if n_zones <= 256 else "uint16", all_touched=False,
            )  # fmt: skip
            zones.append(zone)
    # read through short-lived handles: closing one drops its cached blocks, so memory stays
    # bounded by the window (a smaller GDAL_CACHEMAX would do it too, but slows GDAL ~1.5x)
    layers = []
    for path, nodata in zip(grid.paths, grid.nodata, strict=True):
        with rasterio.open(path) as part:
            layers.append(_window_classes(part.read(1, window=win), nodata, Path(path).name, wide=wide))
    weights = None
    if grid.row_areas is not None:
        band = grid.row_areas[row0 : row0 + rows]
        cols = grid.col_factors
        weights = np.repeat(band, grid.width) if cols is None else np.outer(band, cols).ravel()
    if len(zones) == 1:
        return _count_codes(grid, zones[0], layers, weights, None)
    # a pixel of the first group's pass also counts there when it lies in no zone at all
    in_other = np.zeros(zones[0].shape, dtype=bool)
    for z in zones[1:]:
        in_other |= z > 0
    parts = [_count_codes(grid, zones[0], layers, weights, ((zones[0] > 0) | ~in_other).ravel())]
    parts += [_count_codes(grid, z, layers, weights, (z > 0).ravel()) for z in zones[1:]]
    return add_counts(parts)


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
    for i in range(0, flat.size, 1 << 20):
        piece = flat[i : i + (1 << 20)]
        counts += np.bincount(piece, minlength=size)
        if area_all is not None and weights is not None:
            area_all += np.bincount(piece, weights=weights[i : i + (1 << 20)], minlength=size)
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
    for row0, rows in grid.windows():
        part = window_counts(grid, row0, rows)
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
