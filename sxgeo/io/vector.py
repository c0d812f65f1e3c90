"""Reading vector layers and lon/lat point tables the way planners send them: :func:`read_layer`.

:func:`read_layer` is the single entry point for vector input. It returns the GeoDataFrame and
a :class:`LayerReport` that says what was read, what was repaired and what was excluded, and
why. It never drops a row without the report naming it: the returned frame keeps the file's
0-based feature number as its index, so ``report.excluded`` rows are the missing index values.

What it survives:

* Shapefiles without ``.cpg`` whose attributes are GBK/GB18030 (the usual Chinese desktop-GIS
  export): the encoding is detected from the DBF bytes themselves.
* Missing CRS: a :class:`~sxgeo.errors.CRSError` naming the file and the ``crs=`` fix.
* Coordinates impossible for the CRS (metres labelled EPSG:4326, lon/lat swapped, a layer
  nowhere near Shaoxing): a :class:`~sxgeo.errors.CoordinateError` saying which.
* GCJ-02/BD-09 input (``crs="gcj02"``): converted to WGS84 and reported.
* Invalid geometries: repaired with ``make_valid`` and counted; duplicate vertices removed.
* Empty layers (error), null/empty geometries and minority geometry types (reported exclusions).
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from sxgeo import crs as sxcrs
from sxgeo.errors import CRSError, LayerError
from sxgeo.io import columns
from sxgeo.io._paths import require_file
from sxgeo.io.encoding import _shapefile_encoding, _text_encoding
from sxgeo.io.report import LayerReport, RowNote
from sxgeo.io.tables import _excel_frame, _find_column, excel_sheet, is_ole2
from sxgeo.io.validate import _check_coordinates, _clean_geometries, _handle_duplicates

log = logging.getLogger(__name__)

VECTOR_FORMATS = {
    ".shp": "ESRI Shapefile",
    ".gpkg": "GeoPackage",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".fgb": "FlatGeobuf",
    ".parquet": "GeoParquet",
    ".geoparquet": "GeoParquet",
    ".csv": "CSV point table",
    ".txt": "CSV point table",
    ".xlsx": "Excel point table",
    ".xlsm": "Excel point table",
}

QGIS_TABLES = ("layer_styles", "qgis_projects")
"""Tables QGIS keeps in a GeoPackage beside the data (styles, projects), never read as a layer."""
LON_NAMES = columns.LON
LAT_NAMES = columns.LAT
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape", "几何", "空间信息", "坐标串", "范围")
"""Columns of a table read as WKT geometries (polygons of a project list typed into Excel)."""


def _wkt_column(df: pd.DataFrame, path: Path, report: LayerReport) -> gpd.GeoDataFrame | None:
    """The table with its geometry from a WKT column (see :data:`WKT_NAMES`), else ``None``."""
    wanted = {n.lower() for n in WKT_NAMES}
    col = next((c for c in df.columns if str(c).strip().lower() in wanted), None)
    if col is None:
        return None
    text = df[col].astype("string").str.strip()
    geoms = np.empty(len(df), dtype=object)
    for i, value in enumerate(text):
        if pd.isna(value) or not value:
            continue  # a null geometry, excluded and named by _clean_geometries
        try:
            geoms[i] = shapely.from_wkt(value)
        except shapely.errors.GEOSException as exc:
            report.excluded.append(RowNote(i, f"column {col!r} is not WKT ({str(exc)[:80]})"))
    if all(g is None for g in geoms):
        return None
    report.warn(f"geometry read from the WKT column {col!r}")
    log.info("%s: geometry read from the WKT column %r", path.name, col)
    return gpd.GeoDataFrame(df.drop(columns=[col]), geometry=geoms, crs=None)


def _read_point_table(
    path: Path,
    fmt: str,
    *,
    layer: str | None,
    encoding: str | None,
    lon: str | None,
    lat: str | None,
    report: LayerReport,
) -> gpd.GeoDataFrame:
    if is_ole2(path):  # an old .xls/.et renamed: name it, not an encoding problem
        msg = (
            f"{path.name} is an old Excel 97-2003 or WPS workbook (OLE2), not a {fmt}; "
            "save it as .xlsx (文件 > 另存为 > Excel 工作簿 *.xlsx)"
        )
        raise LayerError(msg)
    if fmt == "Excel point table":
        sheet = excel_sheet(path, layer)
        try:  # header below a title found, merged cells filled down (said)
            df = _excel_frame(path, sheet, text=False)
        except (ValueError, IndexError, KeyError) as exc:
            msg = f"{path.name}: cannot read sheet {sheet!r} ({exc}); name it with layer='Sheet1'"
            raise LayerError(msg) from exc
        report.layer = str(sheet) if layer is not None else None
        report.encoding, report.encoding_source = None, "format"
    else:
        enc = encoding or _text_encoding(path)
        if enc.lower().replace("_", "-") in ("utf-8", "utf8"):
            with path.open("rb") as fh:
                if fh.read(3) == b"\xef\xbb\xbf":
                    enc = "utf-8-sig"  # a BOM is not part of the first column's name
        report.encoding = enc
        report.encoding_source = "argument" if encoding else "detected"
        df = pd.read_csv(path, encoding=enc, sep=None, engine="python")
    df.columns = [str(c).strip() for c in df.columns]
    if lon is None and lat is None and (from_wkt := _wkt_column(df, path, report)) is not None:
        return from_wkt
    lon_col = _find_column(list(df.columns), LON_NAMES, lon, "longitude", path)
    lat_col = _find_column(list(df.columns), LAT_NAMES, lat, "latitude", path)
    x = pd.to_numeric(df[lon_col], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(df[lat_col], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    geoms = np.asarray(shapely.points(x, y), dtype=object)
    geoms[bad] = None
    for i in np.flatnonzero(bad):
        report.excluded.append(
            RowNote(
                int(i),
                f"no usable coordinates ({lon_col}={df[lon_col].iloc[i]!r}, "
                f"{lat_col}={df[lat_col].iloc[i]!r})",
            )
        )
    return gpd.GeoDataFrame(df, geometry=geoms, crs=None)


def _read_vector(
    path: Path, fmt: str, *, layer: str | None, encoding: str | None, report: LayerReport
) -> gpd.GeoDataFrame:

    if fmt == "GeoParquet":
        try:
            return gpd.read_parquet(path)
        except ValueError as exc:
            msg = (
                f"{path.name} is a Parquet file without GeoParquet metadata ({exc}); "
                "save it with GeoDataFrame.to_parquet()"
            )
            raise LayerError(msg) from exc
    if layer is None:
        try:
            layers = pyogrio.list_layers(path)
        except Exception as exc:  # GDAL raises its own error types
            msg = f"{path.name}: GDAL cannot open it as {fmt} ({exc})"
            raise LayerError(msg) from exc
        # QGIS's style and project tables (layer_styles: every GeoPackage sxgeo writes) are not data layers
        data = [str(n) for n in layers[:, 0] if str(n) not in QGIS_TABLES] if len(layers) else []
        if len(data) > 1:
            msg = f"{path.name} has {len(data)} layers {data}; choose one with layer='{data[0]}'"
            raise LayerError(msg)
        if len(data) == 1 and len(layers) > 1:
            layer = report.layer = data[0]  # the one data layer, wherever the style table stands in the file
    else:
        report.layer = layer
    kwargs: dict[str, Any] = {}
    if fmt == "ESRI Shapefile":
        enc = encoding or _shapefile_encoding(path, report)
        if encoding:
            report.encoding_source = "argument"
        report.encoding = enc
        kwargs["encoding"] = enc
    elif encoding:
        report.encoding, report.encoding_source = encoding, "argument"
        kwargs["encoding"] = encoding
    else:
        report.encoding = "UTF-8" if fmt in ("GeoJSON", "GeoPackage", "FlatGeobuf") else None
    try:
        with warnings.catch_warnings():
            # NaN coordinates warn in shapely.from_wkb; such rows are excluded and named later
            warnings.simplefilter("ignore", RuntimeWarning)
            return pyogrio.read_dataframe(path, layer=layer, **kwargs)
    except Exception as exc:  # GDAL raises its own error types
        msg = f"{path.name}: GDAL cannot read it as {fmt} ({exc})"
        raise LayerError(msg) from exc


_TYPE_NAMES = (
    "Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
    "GeometryCollection",
)  # fmt: skip
"""The name ``GeoSeries.geom_type`` gives each GEOS type id (``shapely.GeometryType`` 0-7)."""


def geometry_type_counts(geoms: np.ndarray) -> pd.Series:
    """``GeoSeries.geom_type.dropna().value_counts()``, counted on GEOS type ids (no string per feature).

    The same counts in the same order: most first, ties in the order the types first occur.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely.Geometry

    Returns
    -------
    pandas.Series
        Features per geometry type name, most first (ties in type-id order).
    """
    ids = shapely.get_type_id(geoms)
    types, first, n = np.unique(ids[ids >= 0], return_index=True, return_counts=True)
    order = np.lexsort((first, -n))
    return pd.Series(n[order], index=[_TYPE_NAMES[int(t)] for t in types[order]], name="count")


def _refuse_no_areas(path: Path, types_read: pd.Series, *, kept: int, geometry_type: str | None) -> None:
    """Refuse a layer of points or lines read where areas are needed (an overlay needs polygons)."""
    if kept or geometry_type != "polygon" or not len(types_read):
        return
    seen = ", ".join(f"{int(n)} {t}" for t, n in types_read.items())
    msg = (
        f"{path.name}: areas (polygons) are needed here, the file has {seen}; draw the outlines as "
        f"polygons, or give the table a WKT column ({', '.join(WKT_NAMES[:3])}); an area column alone "
        "cannot be overlaid with the built-up area"
    )
    raise LayerError(msg)


def read_layer(
    path: str | Path,
    *,
    layer: str | None = None,
    crs: Any = None,
    encoding: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    geometry_type: str | None = None,
    swap_xy: bool = False,
    repair: bool = True,
    check_extent: bool = True,
    duplicates: str | None = None,
) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """Read a vector layer or a lon/lat point table, validate it, repair it and report.

    Parameters
    ----------
    path : str or pathlib.Path
        Shapefile (``.shp``), GeoPackage, GeoJSON, FlatGeobuf, GeoParquet, or a CSV/XLSX table
        with longitude/latitude columns.
    layer : str, optional
        Layer name in a multi-layer file (GeoPackage), or sheet name in an Excel workbook.
    crs : int, str or pyproj.CRS, optional
        The CRS of the coordinates when the file has none (Shapefile without ``.prj``, CSV),
        or to override a wrong one. ``"gcj02"``/``"bd09"`` mean the coordinates are GCJ-02 or
        BD-09 lon/lat: they are converted to WGS84 (EPSG:4326) and the report says so.
    encoding : str, optional
        Attribute text encoding; detected when omitted (GBK/GB18030 vs UTF-8).
    lon, lat : str, optional
        Coordinate column names of a point table; recognised automatically among
        ``lon/lng/longitude/x/经度`` and ``lat/latitude/y/纬度``.
    geometry_type : {'point', 'line', 'polygon'}, optional
        Which geometry family to keep in a mixed layer; default the most common one.
    swap_xy : bool
        Swap x and y of every coordinate (for files with lon/lat written as lat/lon).
    repair : bool
        Repair invalid geometries with ``make_valid`` (default); ``False`` raises instead.
    check_extent : bool
        Refuse layers nowhere near Shaoxing (default ``True``).
    duplicates : {'once', 'refuse', 'keep'}, optional
        Features identical in geometry and attributes: counted ``once`` (the others excluded and
        named in the report), ``refuse`` (an error), or ``keep``. Default ``once``, or ``refuse``
        under ``sxgeo --strict`` (:func:`sxgeo.io.validate.strict`).

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        The features kept, indexed by their 0-based feature number in the file, in the file's
        CRS (or WGS84 after a GCJ-02/BD-09 conversion). Never reprojected otherwise.
    report : LayerReport
        What was read, repaired and excluded.

    Raises
    ------
    LayerError
        File missing, format unknown, no features, several layers and no ``layer=``.
    CRSError
        No CRS in the file and no ``crs=``.
    CoordinateError
        Coordinates impossible for the CRS.
    """
    path = require_file(path)
    suffix = path.suffix.lower()
    fmt = VECTOR_FORMATS.get(suffix)
    if fmt is None:
        known = ", ".join(sorted(VECTOR_FORMATS))
        msg = f"{path.name}: unknown layer format {suffix!r}; sxgeo reads {known}"
        raise LayerError(msg)
    report = LayerReport(path=str(path), format=fmt)
    if fmt.endswith("point table"):
        gdf = _read_point_table(path, fmt, layer=layer, encoding=encoding, lon=lon, lat=lat, report=report)
    else:
        gdf = _read_vector(path, fmt, layer=layer, encoding=encoding, report=report)
    gdf = gdf.reset_index(drop=True)
    report.features_read = len(gdf)
    if len(gdf) == 0:
        msg = f"{path.name}: the layer has no features; check the file or the layer= name"
        raise LayerError(msg)

    # CRS
    offset = sxcrs.offset_crs_name(crs)
    if crs is not None and offset is None:
        wanted = sxcrs.parse_crs(crs)
        if gdf.crs is not None and not wanted.equals(gdf.crs):
            report.warn(f"crs={wanted.to_string()} overrides the file's {gdf.crs.to_string()}")
        gdf = gdf.set_crs(wanted, allow_override=True)
        report.crs_source = "argument"
    elif offset is not None:
        if gdf.crs is not None and not gdf.crs.is_geographic:
            msg = f"{path.name}: crs={crs!r} means {offset} lon/lat, but the file is in projected {gdf.crs}"
            raise CRSError(msg)
        gdf = gdf.set_crs(sxcrs.WGS84, allow_override=True)
    elif gdf.crs is None:
        hint = "a Shapefile needs its .prj; " if fmt == "ESRI Shapefile" else ""
        msg = (
            f"{path.name} has no CRS ({hint}tables carry none); say what it is with "
            "crs=4326 (WGS84 lon/lat), crs=4490 (CGCS2000 lon/lat), crs=4549 (GK CM 120E metres) "
            "or crs='gcj02' (AMap/Gaode lon/lat), e.g. sxgeo check FILE --crs 4326"
        )
        raise CRSError(msg)

    types_read = geometry_type_counts(np.asarray(gdf.geometry.values, dtype=object))
    gdf = _clean_geometries(gdf, report, repair=repair, geometry_type=geometry_type)
    _refuse_no_areas(path, types_read, kept=len(gdf), geometry_type=geometry_type)
    if len(gdf) == 0:
        reasons = sorted({n.reason for n in report.excluded})
        msg = f"{path.name}: no usable features are left ({'; '.join(reasons)[:300]})"
        raise LayerError(msg)
    if swap_xy:
        gdf = gdf.copy()
        gdf.geometry = shapely.transform(np.asarray(gdf.geometry.values), lambda c: c[:, ::-1])
    gdf = _check_coordinates(gdf, gdf.crs, path, report, check_extent=check_extent)
    gdf = _handle_duplicates(gdf, report, duplicates)
    if offset is not None:
        gdf = sxcrs.from_offset_lonlat(gdf, offset, what=path.name)
        report.crs_source = f"converted from {offset} lon/lat (crs={crs!r})"
        # the bounds were measured on the raw offset coordinates: report the converted ones
        x0, y0, x1, y1 = (float(v) for v in gdf.total_bounds)
        report.bounds_lonlat = (x0, y0, x1, y1)
        report.warn(f"coordinates converted from {offset} to WGS84 (shift of about 500 m)")

    gdf.attrs["source"] = path.name
    report.crs = gdf.crs.to_string()
    report.features = len(gdf)
    counts = geometry_type_counts(np.asarray(gdf.geometry.values, dtype=object))
    report.geometry_types = {str(k): int(v) for k, v in counts.items()}
    for note in report.excluded:
        log.warning("%s: row %d excluded: %s", path.name, note.row, note.reason)
    if report.repaired:
        log.info("%s: %d rows repaired", path.name, len(report.repaired))
    return gdf, report
