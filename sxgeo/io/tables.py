"""Plain tables (CSV or Excel) as planners send them: reading, and finding a column by its usual names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sxgeo.errors import LayerError
from sxgeo.io._paths import require_file
from sxgeo.io.encoding import _text_encoding

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def _read_csv_or_excel(path: Path, **read_csv: Any) -> pd.DataFrame:
    """The first sheet of an Excel workbook, or a CSV read in its detected encoding."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return pd.read_excel(path)
    return pd.read_csv(path, encoding=_text_encoding(path), **read_csv)


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
    return _read_csv_or_excel(require_file(path))


def read_sheet(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a planner's list (CSV in its detected encoding, or one sheet of an XLSX) as text.

    Every cell is read as a string, so codes keep their digits (``330602002053``, not a float).

    Parameters
    ----------
    path : str or pathlib.Path
        ``.csv`` or ``.xlsx``.
    sheet : str or int, optional
        Excel sheet name or 0-based number (default: the first sheet).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    LayerError
        When the sheet does not exist.
    """
    p = require_file(path)
    if p.suffix.lower() in EXCEL_SUFFIXES:
        try:
            return pd.read_excel(p, sheet_name=0 if sheet is None else sheet, dtype=str)
        except (ValueError, IndexError) as exc:
            import openpyxl

            names = openpyxl.load_workbook(p, read_only=True).sheetnames
            msg = f"{p.name}: no sheet {sheet!r}; sheets are {names} (use --sheet)"
            raise LayerError(msg) from exc
    return pd.read_csv(p, encoding=_text_encoding(p), dtype=str, keep_default_na=False, na_values=[""])
