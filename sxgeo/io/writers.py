"""Writing tables: CSV (UTF-8 with BOM), XLSX with Chinese and English headers, GeoPackage, Parquet."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo.errors import OutputError

log = logging.getLogger(__name__)

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
