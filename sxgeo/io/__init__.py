"""Reading layers the way planners send them, and writing tables and layers.

:func:`read_layer` is the single entry point for vector input; it returns the GeoDataFrame and a
:class:`LayerReport` naming every row repaired or excluded. The modules:

* :mod:`sxgeo.io.vector`: :func:`read_layer` (Shapefile, GeoPackage, GeoJSON, FlatGeobuf,
  GeoParquet, CSV/XLSX lon/lat point tables) and the CRS handling of what it read.
* :mod:`sxgeo.io.validate`: geometry cleaning and coordinate checks after reading.
* :mod:`sxgeo.io.report`: :class:`LayerReport` and :class:`RowNote`.
* :mod:`sxgeo.io.encoding`: text encoding of DBF attributes (``.cpg`` or detected) and CSVs.
* :mod:`sxgeo.io.tables`: plain CSV/XLSX tables.
* :mod:`sxgeo.io.weather`: daily rainfall tables and hourly weather files.
* :mod:`sxgeo.io.raster`: opening and sampling rasters.
* :mod:`sxgeo.io.writers`: CSV, XLSX, GeoPackage and Parquet output.
* :mod:`sxgeo.io._paths`: the missing-file check every reader makes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sxgeo._lazy import attribute_loader

if TYPE_CHECKING:
    from sxgeo.io.encoding import detect_encoding
    from sxgeo.io.raster import open_raster, sample_raster
    from sxgeo.io.report import LayerReport, RowNote
    from sxgeo.io.tables import read_sheet, read_table
    from sxgeo.io.vector import LAT_NAMES, LON_NAMES, VECTOR_FORMATS, read_layer
    from sxgeo.io.weather import DATE_NAMES, PRECIP_NAMES, read_rainfall, read_weather
    from sxgeo.io.writers import TABLE_FORMATS, is_table_path, write_table, write_workbook

__all__ = [
    "DATE_NAMES",
    "LAT_NAMES",
    "LON_NAMES",
    "PRECIP_NAMES",
    "TABLE_FORMATS",
    "VECTOR_FORMATS",
    "LayerReport",
    "RowNote",
    "detect_encoding",
    "is_table_path",
    "open_raster",
    "read_layer",
    "read_rainfall",
    "read_sheet",
    "read_table",
    "read_weather",
    "sample_raster",
    "write_table",
    "write_workbook",
]


_LAZY: dict[str, str] = {
    "DATE_NAMES": "sxgeo.io.weather",
    "LAT_NAMES": "sxgeo.io.vector",
    "LON_NAMES": "sxgeo.io.vector",
    "LayerReport": "sxgeo.io.report",
    "PRECIP_NAMES": "sxgeo.io.weather",
    "RowNote": "sxgeo.io.report",
    "TABLE_FORMATS": "sxgeo.io.writers",
    "VECTOR_FORMATS": "sxgeo.io.vector",
    "detect_encoding": "sxgeo.io.encoding",
    "is_table_path": "sxgeo.io.writers",
    "open_raster": "sxgeo.io.raster",
    "read_layer": "sxgeo.io.vector",
    "read_rainfall": "sxgeo.io.weather",
    "read_sheet": "sxgeo.io.tables",
    "read_table": "sxgeo.io.tables",
    "read_weather": "sxgeo.io.weather",
    "sample_raster": "sxgeo.io.raster",
    "write_table": "sxgeo.io.writers",
    "write_workbook": "sxgeo.io.writers",
}
"""Name -> the module it lives in: loaded on first use, so that reading the capability's spec
(``sxgeo.io.spec``, for the project file and ``--help``) imports nothing heavy."""

_SUBMODULES = frozenset({"encoding", "raster", "report", "tables", "vector", "weather", "writers"})


__getattr__ = attribute_loader(__name__, _LAZY, submodules=_SUBMODULES)
