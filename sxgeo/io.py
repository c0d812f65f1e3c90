"""Reading layers the way planners send them, and writing tables and layers.

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
import struct
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.errors import CoordinateError, CRSError, LayerError, OutputError

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

LON_NAMES = ("lon", "lng", "long", "longitude", "x", "经度", "东经", "x坐标", "横坐标")
LAT_NAMES = ("lat", "latitude", "y", "纬度", "北纬", "y坐标", "纵坐标")

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


@dataclass
class RowNote:
    """One row that was repaired or excluded, and why.

    Attributes
    ----------
    row : int
        0-based feature number in the file (for CSV/XLSX tables: 0-based data row).
    reason : str
        What was found and what was done.
    """

    row: int
    reason: str


@dataclass
class LayerReport:
    """What :func:`read_layer` read, repaired and excluded.

    Attributes
    ----------
    path : str
        The file read.
    format : str
        The format, e.g. ``"ESRI Shapefile"``.
    layer : str or None
        Layer name inside a multi-layer source.
    encoding : str or None
        Text encoding used for attributes (``None`` where the format fixes it, e.g. GeoJSON).
    encoding_source : str
        How the encoding was chosen: ``"argument"``, ``".cpg"``, ``"detected"`` or ``"format"``.
    crs : str or None
        The CRS of the returned frame.
    crs_source : str
        ``"file"``, ``"argument"`` or a description of a conversion.
    features_read : int
        Rows in the file.
    features : int
        Rows returned.
    geometry_types : dict
        Count of each geometry type returned.
    bounds_lonlat : tuple or None
        (min lon, min lat, max lon, max lat) of what was returned [deg].
    repaired : list of RowNote
        Rows whose geometry was changed.
    excluded : list of RowNote
        Rows not returned.
    warnings : list of str
        Things the caller should know that did not change data.
    """

    path: str
    format: str
    layer: str | None = None
    encoding: str | None = None
    encoding_source: str = "format"
    crs: str | None = None
    crs_source: str = "file"
    features_read: int = 0
    features: int = 0
    geometry_types: dict[str, int] = field(default_factory=dict)
    bounds_lonlat: tuple[float, float, float, float] | None = None
    repaired: list[RowNote] = field(default_factory=list)
    excluded: list[RowNote] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        """Record a warning and log it."""
        self.warnings.append(message)
        log.warning("%s: %s", Path(self.path).name, message)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain data (for JSON)."""
        return asdict(self)

    def summary_lines(self, *, max_rows: int = 20) -> list[str]:
        """Human-readable lines, as ``sxgeo check`` prints them.

        Parameters
        ----------
        max_rows : int
            How many repaired/excluded rows to list one by one before summarising.

        Returns
        -------
        list of str
        """
        lines = [
            f"file: {self.path}",
            f"format: {self.format}" + (f" (layer {self.layer})" if self.layer else ""),
            f"encoding: {self.encoding or 'n/a'} ({self.encoding_source})",
            f"crs: {self.crs} ({self.crs_source})",
            f"features: {self.features} of {self.features_read} read",
            "geometry types: " + (", ".join(f"{k} {v}" for k, v in self.geometry_types.items()) or "none"),
        ]
        if self.bounds_lonlat is not None:
            b = self.bounds_lonlat
            lines.append(f"bounds (lon/lat): {b[0]:.5f}, {b[1]:.5f} .. {b[2]:.5f}, {b[3]:.5f}")
        for title, notes in (("repaired", self.repaired), ("excluded", self.excluded)):
            lines.append(f"{title}: {len(notes)}")
            lines.extend(f"  row {n.row}: {n.reason}" for n in notes[:max_rows])
            if len(notes) > max_rows:
                lines.append(f"  ... and {len(notes) - max_rows} more")
        lines.extend(f"warning: {w}" for w in self.warnings)
        return lines

    def __str__(self) -> str:
        return "\n".join(self.summary_lines())


# --------------------------------------------------------------------------------------------
# encoding detection
# --------------------------------------------------------------------------------------------


def _dbf_text_sample(dbf: Path, *, max_records: int = 5000) -> bytes:
    """Field-name bytes and character-field bytes of the first records of a dBASE file."""
    with dbf.open("rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            return b""
        n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
        descriptors = fh.read(max(header_len - 32, 0))
        chunks: list[bytes] = []
        fields: list[tuple[int, int, bool]] = []  # offset, length, is_text
        offset = 1  # deletion flag
        for i in range(0, len(descriptors) - 31, 32):
            desc = descriptors[i : i + 32]
            if desc[0] == 0x0D:
                break
            chunks.append(desc[:11].split(b"\x00", 1)[0])
            ftype, flen = chr(desc[11]), desc[16]
            fields.append((offset, flen, ftype in "CM"))
            offset += flen
        fh.seek(header_len)
        n = min(n_records, max_records)
        data = fh.read(record_len * n)
    for r in range(len(data) // max(record_len, 1)):
        rec = data[r * record_len : (r + 1) * record_len]
        chunks.extend(rec[o : o + ln].strip(b" \x00") for o, ln, text in fields if text)
    return b"\n".join(chunks)


def detect_encoding(sample: bytes) -> str | None:
    """Guess the text encoding of attribute bytes from a Chinese desktop-GIS export.

    Pure ASCII gives ``None`` (any encoding reads it). Valid UTF-8 gives ``"UTF-8"``: GBK text
    is almost never valid UTF-8. Otherwise GB18030 (a superset of GBK and GB2312) is tried,
    then charset-normalizer's best guess.

    Parameters
    ----------
    sample : bytes
        Attribute bytes (field names and text values).

    Returns
    -------
    str or None
        An encoding name Python and GDAL both understand, or ``None`` for pure ASCII.
    """
    if not sample or sample.isascii():
        return None
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "UTF-8"
    try:
        sample.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        return "GB18030"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return best.encoding if best is not None else "latin-1"


_CPG_ALIASES = {"utf8": "UTF-8", "utf-8": "UTF-8", "65001": "UTF-8", "936": "GB18030", "gbk": "GB18030"}


def _shapefile_encoding(path: Path, report: LayerReport) -> str | None:
    """Pick the encoding of a shapefile's DBF: the .cpg unless the bytes contradict it."""
    dbf = next((p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()), None)
    cpg = next((p for p in (path.with_suffix(".cpg"), path.with_suffix(".CPG")) if p.exists()), None)
    sample = _dbf_text_sample(dbf) if dbf else b""
    detected = detect_encoding(sample)
    if cpg is not None:
        declared_raw = cpg.read_text(encoding="ascii", errors="replace").strip()
        declared = _CPG_ALIASES.get(declared_raw.lower(), declared_raw)
        try:
            sample.decode(declared)
        except (LookupError, UnicodeDecodeError):
            report.warn(
                f"{cpg.name} says {declared_raw!r} but the attributes do not decode with it; "
                f"read them as {detected}"
            )
            report.encoding_source = "detected (.cpg contradicted by the data)"
            return detected
        report.encoding_source = ".cpg"
        return declared
    report.encoding_source = "detected (no .cpg)"
    if detected is None:
        return "UTF-8"
    if detected != "UTF-8":
        log.info("%s: no .cpg; attributes detected as %s", path.name, detected)
    return detected


def _text_encoding(path: Path) -> str:
    """Guess the encoding of a CSV: UTF-8 (with or without BOM) or GB18030."""
    raw = path.read_bytes()[:1_000_000]
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    return detect_encoding(raw) or "UTF-8"


# --------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------


def _find_column(columns: list[str], names: tuple[str, ...], given: str | None, what: str, path: Path) -> str:
    if given is not None:
        if given not in columns:
            msg = f"{path.name}: no column {given!r} for {what}; columns are {columns}"
            raise LayerError(msg)
        return given
    lowered = {str(c).strip().lower(): c for c in columns}
    for name in names:
        if name in lowered:
            return lowered[name]
    msg = (
        f"{path.name}: cannot find a {what} column (looked for {', '.join(names)}); "
        f"columns are {columns}; name it with {'lon' if what == 'longitude' else 'lat'}=..."
    )
    raise LayerError(msg)


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
    if fmt == "Excel point table":
        sheet: str | int = layer if layer is not None else 0
        try:
            df = pd.read_excel(path, sheet_name=sheet)
        except ValueError as exc:
            msg = f"{path.name}: cannot read sheet {sheet!r} ({exc}); name it with layer='Sheet1'"
            raise LayerError(msg) from exc
        report.layer = str(sheet) if layer is not None else None
        report.encoding, report.encoding_source = None, "format"
    else:
        enc = encoding or _text_encoding(path)
        report.encoding = enc
        report.encoding_source = "argument" if encoding else "detected"
        df = pd.read_csv(path, encoding=enc, sep=None, engine="python")
    df.columns = [str(c).strip() for c in df.columns]
    lon_col = _find_column(list(df.columns), LON_NAMES, lon, "longitude", path)
    lat_col = _find_column(list(df.columns), LAT_NAMES, lat, "latitude", path)
    x = pd.to_numeric(df[lon_col], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(df[lat_col], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    geoms = shapely.points(x, y)
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
    import pyogrio

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
        if len(layers) > 1:
            names = [str(n) for n in layers[:, 0]]
            msg = f"{path.name} has {len(layers)} layers {names}; choose one with layer='{names[0]}'"
            raise LayerError(msg)
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
        return pyogrio.read_dataframe(path, layer=layer, **kwargs)
    except Exception as exc:  # GDAL raises its own error types
        msg = f"{path.name}: GDAL cannot read it as {fmt} ({exc})"
        raise LayerError(msg) from exc


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

    # invalid geometries: repair before anything else, because make_valid may change the type
    valid = shapely.is_valid(geoms)
    if not valid.all():
        bad = np.flatnonzero(~valid)
        if not repair:
            rows = ", ".join(str(int(gdf.index[i])) for i in bad[:10])
            msg = f"{report.path}: {len(bad)} invalid geometries (rows {rows}); pass repair=True"
            raise LayerError(msg)
        reasons = shapely.is_valid_reason(geoms[bad])
        geoms[bad] = shapely.make_valid(geoms[bad])
        for i, why in zip(bad, reasons, strict=True):
            report.repaired.append(RowNote(int(gdf.index[i]), f"invalid ({why}); repaired with make_valid"))

    # geometry families: keep one, excluding (and naming) the others
    fam = np.array([_family(g) for g in geoms], dtype=object)
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

    # duplicate consecutive vertices
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    before = shapely.get_num_coordinates(geoms)
    cleaned = shapely.remove_repeated_points(geoms, tolerance=0.0)
    after = shapely.get_num_coordinates(cleaned)
    changed = np.flatnonzero(after < before)
    if changed.size:
        for i in changed:
            report.repaired.append(
                RowNote(int(gdf.index[i]), f"{int(before[i] - after[i])} duplicate vertices removed")
            )
        gdf.geometry = cleaned
    return gdf


def _family(geom: Any) -> str:
    return _FAMILIES.get(geom.geom_type, "collection")


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
    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such file"
        raise LayerError(msg)
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

    gdf = _clean_geometries(gdf, report, repair=repair, geometry_type=geometry_type)
    if len(gdf) == 0:
        reasons = sorted({n.reason for n in report.excluded})
        msg = f"{path.name}: no usable features are left ({'; '.join(reasons)[:300]})"
        raise LayerError(msg)
    if swap_xy:
        gdf = gdf.copy()
        gdf.geometry = shapely.transform(np.asarray(gdf.geometry.values), lambda c: c[:, ::-1])
    gdf = _check_coordinates(gdf, gdf.crs, path, report, check_extent=check_extent)
    if offset is not None:
        gdf = sxcrs.from_offset_lonlat(gdf, offset, what=path.name)
        report.crs_source = f"converted from {offset} lon/lat (crs={crs!r})"
        report.warn(f"coordinates converted from {offset} to WGS84 (shift of about 500 m)")

    report.crs = gdf.crs.to_string()
    report.features = len(gdf)
    report.geometry_types = {str(k): int(v) for k, v in gdf.geom_type.value_counts().items()}
    for note in report.excluded:
        log.warning("%s: row %d excluded: %s", path.name, note.row, note.reason)
    if report.repaired:
        log.info("%s: %d rows repaired", path.name, len(report.repaired))
    return gdf, report


# --------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------

TABLE_FORMATS = (".csv", ".xlsx", ".gpkg", ".parquet")


def is_table_path(path: str | Path) -> bool:
    """Whether *path* names a single table file (``.csv/.xlsx/.gpkg/.parquet``) rather than a folder.

    Parameters
    ----------
    path : str or pathlib.Path
        An ``-o`` argument.

    Returns
    -------
    bool
    """
    return Path(path).suffix.lower() in TABLE_FORMATS


def write_table(
    df: pd.DataFrame,
    path: str | Path,
    *,
    labels_zh: dict[str, str] | None = None,
    notes: list[str] | None = None,
    sheet: str = "table",
) -> Path:
    """Write a table to CSV, XLSX, GeoPackage or Parquet, chosen by the file suffix.

    CSV is UTF-8 with a BOM so that Excel shows Chinese text; column names stay English.
    XLSX gets the table twice, with Chinese headers (``<sheet> 中文``) and with English ones
    (``<sheet> English``), frozen header rows, and a ``notes`` sheet (provenance,
    synthetic-data warnings). A GeoDataFrame written to CSV/XLSX loses its geometry.

    Parameters
    ----------
    df : pandas.DataFrame or geopandas.GeoDataFrame
        The table.
    path : str or pathlib.Path
        Output file; its suffix picks the format.
    labels_zh : dict, optional
        Chinese label of each column, for XLSX (columns without one keep their English name).
    notes : list of str, optional
        Lines for the XLSX ``notes`` sheet; for CSV they are written to ``<name>.notes.txt``.
    sheet : str
        Sheet name stem (XLSX) or layer name (GeoPackage).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    OutputError
        Unknown suffix, or a GeoPackage asked of a table without geometry.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    plain = pd.DataFrame(df.drop(columns="geometry")) if isinstance(df, gpd.GeoDataFrame) else df
    if suffix == ".csv":
        plain.to_csv(path, index=False, encoding="utf-8-sig")
        if notes:
            path.with_suffix(".notes.txt").write_text("\n".join(notes) + "\n", encoding="utf-8")
    elif suffix == ".xlsx":
        write_workbook({sheet: plain}, path, labels_zh=labels_zh, notes=notes)
    elif suffix == ".gpkg":
        if not isinstance(df, gpd.GeoDataFrame):
            msg = f"{path.name}: a GeoPackage needs geometry; write this table as .csv or .xlsx"
            raise OutputError(msg)
        df.to_file(path, layer=sheet, driver="GPKG")
    elif suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        msg = f"{path}: unknown table format {suffix!r}; use one of {', '.join(TABLE_FORMATS)}"
        raise OutputError(msg)
    log.info("wrote %s (%d rows)", path, len(df))
    return path


def write_workbook(
    tables: dict[str, pd.DataFrame],
    path: str | Path,
    *,
    labels_zh: dict[str, str] | None = None,
    notes: list[str] | None = None,
) -> Path:
    """Write several tables into one XLSX: each with Chinese and with English headers, plus notes.

    Parameters
    ----------
    tables : dict
        Sheet stem -> table. Each gives the sheets ``<stem> 中文`` and ``<stem> English``.
    path : str or pathlib.Path
        Output ``.xlsx``.
    labels_zh : dict, optional
        Chinese label of each column.
    notes : list of str, optional
        Lines of the ``notes`` sheet.

    Returns
    -------
    pathlib.Path
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    labels = labels_zh or {}
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for stem, df in tables.items():
        plain = pd.DataFrame(df.drop(columns="geometry")) if isinstance(df, gpd.GeoDataFrame) else df
        for suffix, header in (
            ("中文", [labels.get(str(c), str(c)) for c in plain.columns]),
            ("English", [str(c) for c in plain.columns]),
        ):
            ws = wb.create_sheet(f"{stem[:22]} {suffix}")
            ws.append(header)
            for cell in ws[1]:
                cell.font = bold
            for record in plain.itertuples(index=False):
                ws.append([_excel_value(v) for v in record])
            ws.freeze_panes = "A2"
            for i, name in enumerate(header, start=1):
                width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in name) + 2
                ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(max(width, 8), 40)
    if notes:
        ns = wb.create_sheet("notes")
        for line in notes:
            ns.append([line])
    wb.save(path)
    return path


def _excel_value(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


DATE_NAMES = ("date", "日期", "time", "day")
PRECIP_NAMES = ("precip_mm", "precip", "prcp", "rain_mm", "rainfall", "降水量", "降雨量", "雨量")


def read_rainfall(path: str | Path) -> tuple[pd.Series, list[str]]:
    """Read a daily station rainfall table (CSV or XLSX: ``date, precip_mm[, is_snow]``).

    Parameters
    ----------
    path : str or pathlib.Path
        The table. Column names are recognised in English or Chinese (日期, 降水量).

    Returns
    -------
    tuple
        Daily precipitation [mm] indexed by date (snow days removed), and notes on what was
        dropped. ``series.attrs["synthetic"]`` is True when a ``station_id`` says SYNTHETIC.

    Raises
    ------
    LayerError
        Unreadable file, missing columns, unparseable dates or negative values (rows named).
    """
    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such file"
        raise LayerError(msg)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        df = pd.read_excel(path)
    else:
        df = pd.read_csv(path, encoding=_text_encoding(path), sep=None, engine="python")
    df.columns = [str(c).strip() for c in df.columns]
    date_col = _find_column(list(df.columns), DATE_NAMES, None, "date", path)
    rain_col = _find_column(list(df.columns), PRECIP_NAMES, None, "precipitation (mm)", path)
    dates = pd.to_datetime(df[date_col], errors="coerce")
    bad = dates.isna()
    if bad.any():
        rows = ", ".join(str(i) for i in np.flatnonzero(bad)[:10])
        msg = f"{path.name}: {int(bad.sum())} dates cannot be read (rows {rows}); write them as YYYY-MM-DD"
        raise LayerError(msg)
    rain = pd.to_numeric(df[rain_col], errors="coerce")
    if (rain < 0).any():
        rows = ", ".join(str(i) for i in np.flatnonzero(rain < 0)[:10])
        msg = f"{path.name}: negative precipitation in rows {rows}"
        raise LayerError(msg)
    notes = []
    if rain.isna().any():
        notes.append(f"{int(rain.isna().sum())} days without a value (left out)")
    series = pd.Series(rain.to_numpy(), index=pd.DatetimeIndex(dates), name="precip_mm")
    if "is_snow" in df.columns:
        snow = df["is_snow"].fillna(False).astype(bool).to_numpy()
        notes.append(f"{int(snow.sum())} snow days left out")
        series = series[~snow]
    if series.index.has_duplicates:
        first = series.index[series.index.duplicated()][0].date()
        msg = f"{path.name}: dates repeat ({first}); one row per day"
        raise LayerError(msg)
    years = series.index.year.nunique()
    if years < 30:
        notes.append(f"only {years} years of data; the H-alpha method asks for at least 30")
    out = series.dropna().sort_index()
    # The demo station marks itself in ``station_id``; outputs made from it must say so.
    station = df.get("station_id")
    out.attrs["synthetic"] = bool(
        station is not None and station.astype(str).str.upper().str.contains("SYNTHETIC").any()
    )
    return out, notes


def read_weather(path: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read an hourly weather file for the PV engine: EPW, TMY3 or PVGIS TMY (via pvlib's readers).

    Parameters
    ----------
    path : str or pathlib.Path
        ``.epw`` (EnergyPlus, e.g. the CSWD files), ``.csv`` TMY3, or a PVGIS TMY (``.csv``/``.json``).

    Returns
    -------
    tuple
        Hourly ``ghi, dni, dhi, temp_air, wind_speed`` indexed at hour centres (time-zone aware),
        and metadata ``latitude, longitude, tz, source``.

    Raises
    ------
    LayerError
        Unknown format, or a file pvlib cannot read.
    """
    try:
        from pvlib import iotools
    except ImportError as exc:
        msg = "reading weather files needs pvlib: pip install 'sxgeo[pv]'"
        raise LayerError(msg) from exc
    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such file"
        raise LayerError(msg)
    suffix = path.suffix.lower()
    try:
        if suffix == ".epw":
            data, meta = iotools.read_epw(path)
            lat, lon, tz_hours = meta["latitude"], meta["longitude"], meta["TZ"]
            kind = "EPW"
        elif suffix == ".json" or "pvgis" in path.name.lower():
            data, meta = iotools.read_pvgis_tmy(path, map_variables=True)[:2]
            loc = meta.get("location", meta.get("inputs", {}).get("location", {}))
            lat, lon, tz_hours = loc["latitude"], loc["longitude"], 0
            kind = "PVGIS TMY"
        elif suffix == ".csv":
            data, meta = iotools.read_tmy3(path, coerce_year=2019, map_variables=True)
            lat, lon, tz_hours = meta["latitude"], meta["longitude"], meta["TZ"]
            kind = "TMY3"
        else:
            msg = f"{path.name}: unknown weather format {suffix!r}; give an EPW, a TMY3 CSV or a PVGIS TMY"
            raise LayerError(msg)
    except (KeyError, ValueError, IndexError) as exc:
        msg = f"{path.name}: pvlib cannot read it as a weather file ({exc})"
        raise LayerError(msg) from exc
    missing = {"ghi", "temp_air"} - set(data.columns)
    if missing:
        msg = f"{path.name}: weather lacks {sorted(missing)}"
        raise LayerError(msg)
    cols = [c for c in ("ghi", "dni", "dhi", "temp_air", "wind_speed") if c in data.columns]
    w = data[cols].astype(float).copy()
    # EPW and TMY3 stamp the end of each hour: centre the hour for the solar position
    if kind in ("EPW", "TMY3"):
        w.index = w.index - pd.Timedelta(minutes=30)
    tz = f"Etc/GMT{-int(tz_hours):+d}" if tz_hours else "UTC"
    meta_out = {"latitude": float(lat), "longitude": float(lon), "tz": tz, "source": f"{kind} {path.name}"}
    return w, meta_out


def sample_raster(path: str | Path, points: gpd.GeoDataFrame) -> np.ndarray:
    """Values of band 1 of a raster at points (NaN outside the raster or on nodata).

    Parameters
    ----------
    path : str or pathlib.Path
        A GeoTIFF (any CRS; the points are reprojected to it).
    points : geopandas.GeoDataFrame
        Points (or any geometry: a point on its surface is used) with a CRS.

    Returns
    -------
    numpy.ndarray
    """
    import rasterio

    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such file"
        raise LayerError(msg)
    with rasterio.open(path) as src:
        if src.crs is None:
            msg = f"{path.name} has no CRS; set one with gdal_edit.py -a_srs EPSG:4326"
            raise CRSError(msg)
        pts = points.to_crs(src.crs) if not points.crs.equals(src.crs) else points
        xy = shapely.get_coordinates(shapely.point_on_surface(np.asarray(pts.geometry.values, dtype=object)))
        values = np.array([v[0] for v in src.sample(xy, indexes=1, masked=True)], dtype=object)
    out = np.array([np.nan if v is np.ma.masked else float(v) for v in values])
    return out


def open_raster(path: str | Path) -> Any:
    """Open a raster for windowed reading (a context manager), with a clear error when it cannot be.

    Parameters
    ----------
    path : str or pathlib.Path
        A GeoTIFF or any raster GDAL reads.

    Returns
    -------
    rasterio.DatasetReader
    """
    import rasterio
    from rasterio.errors import RasterioIOError

    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such file"
        raise LayerError(msg)
    try:
        return rasterio.open(path)
    except RasterioIOError as exc:
        msg = f"{path.name}: GDAL cannot read it as a raster ({exc})"
        raise LayerError(msg) from exc


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a plain CSV or XLSX table (parameters, pools), detecting the CSV encoding.

    Parameters
    ----------
    path : str or pathlib.Path
        The table.

    Returns
    -------
    pandas.DataFrame
    """
    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such file"
        raise LayerError(msg)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return pd.read_excel(path)
    return pd.read_csv(path, encoding=_text_encoding(path))
