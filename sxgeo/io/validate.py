"""Checks on a layer after reading: its geometries cleaned, its coordinates plausible for its CRS.

Geometry cleaning excludes null and empty geometries and minority geometry types, repairs
invalid ones with ``make_valid`` and removes repeated vertices. The coordinate check refuses
metres labelled as degrees, swapped lon/lat and layers nowhere near Shaoxing. Every row changed
or dropped is named in the :class:`~sxgeo.io.report.LayerReport`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.errors import CoordinateError, LayerError
from sxgeo.io.report import LayerReport, RowNote
from sxgeo.parallel import chunked
from sxgeo.settings import STRICT

log = logging.getLogger(__name__)

_FAMILIES = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "LinearRing": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}

# How far outside Shaoxing a layer may reach and still be "near" it [deg], about 100 km.
_NEAR_SHAOXING_DEG = 1.0

REPAIR_AREA_SHARE = 0.001
"""A make_valid repair that changes a feature's area by more than this share is reported with
the change (a self-crossing ring repaired into two lobes can halve or double an area)."""


@contextlib.contextmanager
def strict(on: bool = True) -> Iterator[None]:
    """Read layers strictly inside the block: duplicate features are refused, not dropped.

    Parameters
    ----------
    on : bool
        Strict or not.

    Yields
    ------
    None
    """
    token = STRICT.set(on)
    try:
        yield
    finally:
        STRICT.reset(token)


def _handle_duplicates(gdf: gpd.GeoDataFrame, report: LayerReport, mode: str | None) -> gpd.GeoDataFrame:
    """Apply the ``duplicates=`` rule of :func:`sxgeo.io.read_layer` (default from :data:`STRICT`)."""
    mode = mode or ("refuse" if STRICT.get() else "once")
    if mode not in ("once", "refuse", "keep"):
        msg = f"duplicates must be 'once', 'refuse' or 'keep', got {mode!r}"
        raise LayerError(msg)
    if mode == "keep":
        return gdf
    return _drop_duplicates(gdf, report, refuse=mode == "refuse")


def _drop_duplicates(gdf: gpd.GeoDataFrame, report: LayerReport, *, refuse: bool) -> gpd.GeoDataFrame:
    """Count identical features (same geometry and same attributes) once, naming the others.

    Identical geometry with different attributes is kept (two records may describe one site)
    and reported as a warning.
    """
    if len(gdf) < 2:
        return gdf
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    # identical geometries have identical bounds and vertex counts: only rows sharing those with
    # another row are normalised and written as WKB; every other row gets a key of its own that
    # no WKB can equal (text, where WKB is bytes)
    suspect = _same_shape(geoms)
    if not suspect.any():
        return gdf
    wkb_values = ("#" + pd.Series(np.arange(len(geoms))).astype(str)).to_numpy(dtype=object)
    wkb_values[suspect] = shapely.to_wkb(shapely.normalize(geoms[suspect]))
    wkb = pd.Series(wkb_values, index=gdf.index)
    same_geom = wkb.duplicated(keep=False)
    if not same_geom.any():
        return gdf
    attrs = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(str)
    key = pd.concat([attrs, wkb.rename("__wkb__")], axis=1)
    dup = key.duplicated(keep="first").to_numpy()
    first = key.groupby(list(key.columns), sort=False, dropna=False).ngroup()
    first_row = pd.Series(gdf.index, index=gdf.index).groupby(first.to_numpy()).transform("first")
    if dup.any():
        pairs = [f"{int(r)} (= row {int(first_row[r])})" for r in gdf.index[dup]]
        if refuse:
            msg = (
                f"{Path(report.path).name}: {int(dup.sum())} duplicate features (identical geometry and "
                f"attributes): rows {', '.join(pairs[:10])}; remove them (strict mode refuses them)"
            )
            raise LayerError(msg)
        reasons = [f"duplicate of row {int(first_row[r])} (identical geometry and attributes): counted once"
                   for r in gdf.index[dup]]  # fmt: skip
        gdf = _exclude(gdf, dup, reasons, report)
        report.warn(f"{int(dup.sum())} duplicate features counted once: rows {', '.join(pairs[:10])}")
    geo_only = wkb.loc[gdf.index].duplicated(keep=False)
    if geo_only.any():
        rows = ", ".join(str(int(r)) for r in gdf.index[geo_only.to_numpy()][:10])
        report.warn(f"features with identical geometry but different attributes (rows {rows}); both kept")
    return gdf


def _same_shape(geoms: np.ndarray) -> np.ndarray:
    """Rows whose bounds and vertex count equal another row's (or collide with them in one 64-bit hash).

    A superset of the rows with an identical geometry: one hash per row of its four bounds and vertex
    count, and the rows sharing a hash, in a tenth of the time of comparing the five columns. A hash
    collision only adds a suspect, which the WKB comparison then clears.
    """
    bounds = shapely.bounds(geoms)
    key = pd.util.hash_array(shapely.get_num_coordinates(geoms).astype(np.int64))
    for j in range(4):
        key = key * np.uint64(0x9E3779B97F4A7C15) ^ pd.util.hash_array(bounds[:, j])
    return pd.Series(key).duplicated(keep=False).to_numpy()


def _report_nul_bytes(gdf: gpd.GeoDataFrame, report: LayerReport) -> gpd.GeoDataFrame:
    """Remove NUL bytes from text attributes (a padding artefact of some DBF writers), naming the rows."""
    hit_rows: set[int] = set()
    out = gdf
    for col in gdf.columns:
        text = pd.api.types.is_object_dtype(gdf[col]) or pd.api.types.is_string_dtype(gdf[col])
        if col == gdf.geometry.name or not text:
            continue
        values = gdf[col]
        has = _has_nul(values)
        if has.any():
            if out is gdf:
                out = gdf.copy()
            out[col] = values.map(lambda v: v.replace("\x00", "") if isinstance(v, str) else v)
            hit_rows.update(int(r) for r in gdf.index[has])
    if hit_rows:
        rows = ", ".join(str(r) for r in sorted(hit_rows)[:10]) + (", ..." if len(hit_rows) > 10 else "")
        report.warn(f"NUL bytes removed from the text of {len(hit_rows)} rows ({rows})")
    return out


def _has_nul(values: pd.Series) -> np.ndarray:
    """Rows of a text column holding a NUL byte (non-strings: no)."""
    if pd.api.types.is_string_dtype(values.dtype) and not pd.api.types.is_object_dtype(values.dtype):
        # a pandas string column: one vectorised search (missing values count as no)
        return values.str.contains("\x00", regex=False).fillna(False).to_numpy(dtype=bool)
    return values.map(lambda v: isinstance(v, str) and "\x00" in v).to_numpy(dtype=bool)


def _exclude_nonfinite(
    gdf: gpd.GeoDataFrame, report: LayerReport, *, coords: tuple[np.ndarray, np.ndarray] | None = None
) -> gpd.GeoDataFrame:
    """Exclude features with NaN or infinite coordinates (GEOS cannot repair or measure them).

    *coords*: ``shapely.get_coordinates(..., return_index=True)`` of the layer's geometries, when read.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    xy, idx = shapely.get_coordinates(geoms, return_index=True) if coords is None else coords
    bad_pos = np.unique(idx[~np.isfinite(xy).all(axis=1)])
    if bad_pos.size == 0:
        return gdf
    mask = np.zeros(len(gdf), dtype=bool)
    mask[bad_pos] = True
    return _exclude(gdf, mask, ["NaN or infinite coordinates"] * int(mask.sum()), report)


def _exclude(
    gdf: gpd.GeoDataFrame, mask: np.ndarray, reasons: list[str], report: LayerReport
) -> gpd.GeoDataFrame:
    for row, reason in zip(gdf.index[mask], reasons, strict=True):
        report.excluded.append(RowNote(int(row), reason))
    return gdf.loc[~mask]


def _clean_geometries(
    gdf: gpd.GeoDataFrame, report: LayerReport, *, repair: bool, geometry_type: str | None
) -> gpd.GeoDataFrame:
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        reasons = ["null geometry" if g is None else "empty geometry" for g in geoms[missing]]
        gdf = _exclude(gdf, missing, reasons, report)
        geoms = np.asarray(gdf.geometry.values, dtype=object)
    if len(gdf) == 0:
        return gdf
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    coords = shapely.get_coordinates(geoms, return_index=True)  # shared by the vertex checks below
    changes = len(report.excluded) + len(report.repaired)
    gdf = _exclude_nonfinite(_report_nul_bytes(gdf, report), report, coords=coords)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    if len(gdf) == 0:
        return gdf

    # invalid geometries: repair before anything else, because make_valid may change the type
    _repair_invalid(gdf, geoms, report, repair=repair)

    # geometry families: keep one, excluding (and naming) the others
    fam = _families(geoms)
    if geometry_type is None:
        counts = pd.Series(fam[fam != "collection"]).value_counts()
        if counts.empty:  # only collections: choose by area/length
            geometry_type = "polygon" if any(shapely.area(geoms) > 0) else "line"
        else:
            geometry_type = str(counts.index[0])
    elif geometry_type not in ("point", "line", "polygon"):
        msg = f"geometry_type must be 'point', 'line' or 'polygon', got {geometry_type!r}"
        raise LayerError(msg)
    collections = np.flatnonzero(fam == "collection")
    for i in collections:
        kept = _extract_family(geoms[i], geometry_type)
        if kept is not None:
            if not any(n.row == int(gdf.index[i]) for n in report.repaired):
                report.repaired.append(
                    RowNote(int(gdf.index[i]), f"geometry collection reduced to its {geometry_type} parts")
                )
            geoms[i] = kept
            fam[i] = geometry_type
    other = fam != geometry_type
    gdf = gdf.copy()
    gdf.geometry = geoms
    if other.any():
        reasons = [
            f"{g.geom_type} in a {geometry_type} layer (geometry_type=... to keep it)" for g in geoms[other]
        ]
        gdf = _exclude(gdf, other, reasons, report)

    # duplicate consecutive vertices (on the coordinates read above when no row changed since)
    same = len(collections) == 0 and len(report.excluded) + len(report.repaired) == changes
    _remove_repeated_vertices(gdf, report, coords=coords if same else None)
    return gdf


def _repair_invalid(gdf: gpd.GeoDataFrame, geoms: np.ndarray, report: LayerReport, *, repair: bool) -> None:
    """Repair invalid geometries in place in ``geoms`` with ``make_valid`` (or refuse them)."""
    valid = chunked(shapely.is_valid, geoms)
    if valid.all():
        return
    bad = np.flatnonzero(~valid)
    if not repair:
        rows = ", ".join(str(int(gdf.index[i])) for i in bad[:10])
        msg = f"{report.path}: {len(bad)} invalid geometries (rows {rows}); pass repair=True"
        raise LayerError(msg)
    reasons = shapely.is_valid_reason(geoms[bad])
    area_before = shapely.area(geoms[bad])
    geoms[bad] = shapely.make_valid(geoms[bad])
    area_after = shapely.area(geoms[bad])
    for i, why, a0, a1 in zip(bad, reasons, area_before, area_after, strict=True):
        note = f"invalid ({why}); repaired with make_valid"
        before, after = abs(float(a0)), float(a1)
        ref = max(before, after)
        if ref > 0 and abs(after - before) > REPAIR_AREA_SHARE * ref:
            if before > 0:
                change = f"area changed by {(after - before) / before * 100:+.1f}%"
            else:  # a self-crossing outline whose lobes cancel: GEOS measures it as 0
                change = "area was 0 (the outline crosses itself, its parts cancel)"
            note += f"; {change} ({before:.6g} -> {after:.6g}, check the outline)"
            report.warn(f"row {int(gdf.index[i])}: make_valid repair: {change}, now {after:.6g}")
        report.repaired.append(RowNote(int(gdf.index[i]), note))


def _remove_repeated_vertices(
    gdf: gpd.GeoDataFrame, report: LayerReport, *, coords: tuple[np.ndarray, np.ndarray] | None = None
) -> None:
    """Remove duplicate consecutive vertices in place, naming each row changed.

    *coords*: ``shapely.get_coordinates(..., return_index=True)`` of exactly these geometries, when read.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    # only geometries with two equal consecutive coordinates (in get_coordinates order) can hold a
    # repeated vertex; those few go through GEOS, which decides. Equal coordinates across a ring or
    # geometry boundary make a harmless false suspect (GEOS then removes nothing).
    xy, geom_of_coord = shapely.get_coordinates(geoms, return_index=True) if coords is None else coords
    same = (xy[1:] == xy[:-1]).all(axis=1)
    if not same.any():
        return
    suspects = np.unique(np.r_[geom_of_coord[1:][same], geom_of_coord[:-1][same]])
    before = shapely.get_num_coordinates(geoms[suspects])
    cleaned_suspects = shapely.remove_repeated_points(geoms[suspects], tolerance=0.0)
    after = shapely.get_num_coordinates(cleaned_suspects)
    changed = np.flatnonzero(after < before)
    if changed.size:
        for k in changed:
            report.repaired.append(
                RowNote(
                    int(gdf.index[suspects[k]]), f"{int(before[k] - after[k])} duplicate vertices removed"
                )
            )
        cleaned = geoms.copy()
        cleaned[suspects] = cleaned_suspects
        gdf.geometry = cleaned


def _family(geom: Any) -> str:
    return _FAMILIES.get(geom.geom_type, "collection")


_FAMILY_BY_TYPE_ID = {
    int(getattr(shapely.GeometryType, name.upper())): fam for name, fam in _FAMILIES.items()
}


def _families(geoms: np.ndarray) -> np.ndarray:
    """:func:`_family` of each geometry, from the GEOS type ids (no Python call per geometry)."""
    ids = shapely.get_type_id(geoms)
    fam = np.full(len(geoms), "collection", dtype=object)
    for type_id, name in _FAMILY_BY_TYPE_ID.items():
        fam[ids == type_id] = name
    return fam


def _extract_family(geom: Any, family: str) -> Any:
    parts = [p for p in shapely.get_parts(geom) if _FAMILIES.get(p.geom_type) == family]
    parts = [p for p in parts if not p.is_empty]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    if family == "polygon":
        return shapely.union_all(parts)
    if family == "line":
        return shapely.multilinestrings(parts)
    return shapely.multipoints(parts)


def swapped_lonlat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Rows whose longitude lies in Shaoxing's latitude range and latitude in its longitude range.

    Shaoxing spans about 119.9-121.2 °E and 29.2-30.3 °N (:data:`sxgeo.crs.SHAOXING_BOUNDS_LONLAT`,
    widened by 1°): the two ranges do not overlap, so a pair typed the wrong way round is told
    apart row by row.

    Parameters
    ----------
    x, y : numpy.ndarray
        Longitudes and latitudes as written (degrees).

    Returns
    -------
    numpy.ndarray of bool
    """
    lon0, lat0, lon1, lat1 = sxcrs.SHAOXING_BOUNDS_LONLAT
    m = _NEAR_SHAOXING_DEG
    with np.errstate(invalid="ignore"):
        return (x >= lat0 - m) & (x <= lat1 + m) & (y >= lon0 - m) & (y <= lon1 + m)


def _check_coordinates(
    gdf: gpd.GeoDataFrame, src_crs: Any, path: Path, report: LayerReport, *, check_extent: bool
) -> gpd.GeoDataFrame:
    """Refuse coordinates that are impossible for the CRS; return lon/lat bounds via the report."""
    name = path.name
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    bounds = shapely.bounds(geoms)
    xmin, ymin = np.nanmin(bounds[:, 0]), np.nanmin(bounds[:, 1])
    xmax, ymax = np.nanmax(bounds[:, 2]), np.nanmax(bounds[:, 3])
    if not np.all(np.isfinite([xmin, ymin, xmax, ymax])):
        msg = f"{name}: coordinates are not finite numbers"
        raise CoordinateError(msg)
    crs_obj = sxcrs.parse_crs(src_crs)
    label = crs_obj.to_string()
    if crs_obj.is_geographic:
        lat_like_x = xmin >= 0 and xmax <= 60
        lon_like_y = ymin >= 70 and ymax <= 140
        if lat_like_x and lon_like_y:
            msg = (
                f"{name}: longitude and latitude look swapped (x {xmin:.3f}..{xmax:.3f} looks like "
                f"latitude, y {ymin:.3f}..{ymax:.3f} like longitude); swap the columns "
                "(lon=..., lat=... for tables, or swap_xy=True; sxgeo check --swap-xy)"
            )
            raise CoordinateError(msg)
        if max(abs(xmin), abs(xmax)) > 180 or max(abs(ymin), abs(ymax)) > 90:
            msg = (
                f"{name}: coordinates reach x={xmax:,.0f}, y={ymax:,.0f}, impossible for {label} "
                "(degrees); they look like metres of a projected CRS. If the file is in "
                "CGCS2000 / 3-degree GK CM 120E, read it with crs=4549"
            )
            raise CoordinateError(msg)
        # rows at (0, 0) are a missing value written as zero, never a place
        zero = (
            (np.abs(bounds[:, 0]) < 1e-9)
            & (np.abs(bounds[:, 1]) < 1e-9)
            & (np.abs(bounds[:, 2]) < 1e-9)
            & (np.abs(bounds[:, 3]) < 1e-9)
        )
        if zero.any() and not zero.all():
            gdf = _exclude(
                gdf, zero, ["coordinates (0, 0): a missing value, not a place"] * int(zero.sum()), report
            )
            return _check_coordinates(gdf, src_crs, path, report, check_extent=check_extent)
    elif max(abs(xmin), abs(xmax)) <= 180 and max(abs(ymin), abs(ymax)) <= 90:
        msg = (
            f"{name}: coordinates {xmin:.4f}..{xmax:.4f}, {ymin:.4f}..{ymax:.4f} look like degrees, "
            f"but the CRS {label} is projected (metres); read it with crs=4326 (or 4490)"
        )
        raise CoordinateError(msg)
    lon0, lat0, lon1, lat1 = sxcrs.bounds_lonlat((xmin, ymin, xmax, ymax), crs_obj)
    report.bounds_lonlat = (lon0, lat0, lon1, lat1)
    if check_extent:
        s = sxcrs.SHAOXING_BOUNDS_LONLAT
        d = _NEAR_SHAOXING_DEG
        near = not (lon1 < s[0] - d or lon0 > s[2] + d or lat1 < s[1] - d or lat0 > s[3] + d)
        if not near:
            hint = ""
            if not crs_obj.is_geographic and 1e7 <= xmin < 1e8:
                zone = int(xmin // 1e6)
                hint = (
                    f" The x values start with {zone}: a zone-prefixed Gauss-Kruger easting;"
                    " for zone 40 read it with crs=4528"
                )
            msg = (
                f"{name}: the layer lies at lon {lon0:.3f}..{lon1:.3f}, lat {lat0:.3f}..{lat1:.3f}, "
                f"nowhere near Shaoxing (lon {s[0]}..{s[2]}, lat {s[1]}..{s[3]}); is the CRS "
                f"{label} right?{hint} (check_extent=False, or sxgeo check --anywhere, reads it anyway)"
            )
            raise CoordinateError(msg)
    return gdf
