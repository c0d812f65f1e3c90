"""Plain tables (CSV or Excel) as planners send them: reading them, and finding a column by its usual names.

The parsing of their cells (:func:`parse_numbers`, :func:`parse_flags`, :func:`source_of`,
:func:`sheet_rows`) moved to :mod:`sxgeo.params`; the names are re-exported here for one release.
"""

from __future__ import annotations

import importlib.util
import itertools
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from sxgeo.errors import LayerError
from sxgeo.io._paths import require_file
from sxgeo.io.columns import find_column
from sxgeo.io.encoding import _text_encoding
from sxgeo.params import BLANKS as BLANKS  # re-exported for one release
from sxgeo.params import FALSE_WORDS as FALSE_WORDS  # re-exported for one release
from sxgeo.params import TRUE_WORDS as TRUE_WORDS  # re-exported for one release
from sxgeo.params import parse_flags as parse_flags  # re-exported for one release
from sxgeo.params import parse_numbers as parse_numbers  # re-exported for one release
from sxgeo.params import sheet_rows as sheet_rows  # re-exported for one release
from sxgeo.params import source_of as source_of  # re-exported for one release

log = logging.getLogger(__name__)

EXCEL_SUFFIXES = (".xlsx", ".xlsm")

NA_ONLY_EMPTY: dict[str, Any] = {"keep_default_na": False, "na_values": [""]}
"""pandas reading options under which only an empty cell is missing (``n/a``, ``NA``, ``null``
stay text, so :func:`parse_numbers` can refuse them instead of reading them as zero)."""


def excel_sheet(path: Path, sheet: str | None, *, option: str = "--layer") -> str | int:
    """The sheet of a workbook to read: the one named, or the only one that holds a table.

    A workbook with several non-empty sheets is refused with the list of sheets, like a
    GeoPackage with several layers: reading the first one silently is how a wrong table is used.

    Parameters
    ----------
    path : pathlib.Path
        An ``.xlsx``/``.xlsm`` file.
    sheet : str, optional
        The sheet asked for (``--layer``).
    option : str
        The option that names a sheet, for the message (``--sheet`` for planners' lists).

    Returns
    -------
    str or int
        A sheet name, or 0 when the workbook has one sheet.

    Raises
    ------
    LayerError
        Unknown sheet, unreadable workbook, or several sheets with data and none named.
    """
    from openpyxl import load_workbook  # heavy to import: loaded when a workbook is read

    try:
        wb = load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException
        msg = f"{path.name}: cannot open it as an Excel workbook ({type(exc).__name__}: {exc})"
        raise LayerError(msg) from exc
    try:
        names = list(wb.sheetnames)
        if sheet is not None:
            if sheet not in names:
                msg = f"{path.name}: no sheet {sheet!r}; its sheets are {names}"
                raise LayerError(msg)
            return sheet
        filled = [n for n in names if (wb[n].max_row or 0) > 1 or (wb[n].max_column or 0) > 1]
        tables = [n for n in filled if _looks_like_table(wb[n])]
    finally:
        wb.close()
    if len(filled) > 1 and len(tables) == 1:
        log.info(
            "%s: sheet %r holds the table; sheets %s (no table: instructions?) skipped",
            path.name, tables[0], [n for n in filled if n != tables[0]],
        )  # fmt: skip
        return tables[0]
    if len(filled) > 1:
        msg = (
            f"{path.name} has {len(filled)} sheets with data {filled}; "
            f"name one with {option} '{filled[0]}' or save it as CSV"
        )
        raise LayerError(msg)
    return filled[0] if filled else 0


HEADER_SEARCH_ROWS = 10
"""Rows of a sheet searched for the header (a title or a note may sit above the table)."""
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""First bytes of an OLE2 compound file: Excel 97-2003 ``.xls``, WPS ``.et`` (MS-CFB §2.2)."""


def _looks_like_table(ws: Any) -> bool:
    """A sheet whose first rows hold a header and a data row of at least two cells each."""
    counts = [
        sum(v is not None and str(v).strip() != "" for v in row)
        for row in ws.iter_rows(max_row=HEADER_SEARCH_ROWS + 1, values_only=True)
    ]
    return any(a >= 2 and b >= 2 for a, b in itertools.pairwise(counts))


def is_ole2(path: Path) -> bool:
    """Whether *path* is an OLE2 compound file (an old ``.xls`` or a WPS ``.et``), by its magic bytes."""
    with path.open("rb") as fh:
        return fh.read(8) == OLE2_MAGIC


def _refuse_or_read_ole2(path: Path, *, text: bool) -> pd.DataFrame:
    """Read an old ``.xls`` with xlrd when it is installed; otherwise refuse with the fix."""
    if path.suffix.lower() == ".xls" and importlib.util.find_spec("xlrd") is not None:
        df = pd.read_excel(path, sheet_name=0, engine="xlrd", dtype=str if text else None, **NA_ONLY_EMPTY)
        log.info("%s: old Excel workbook read with xlrd (first sheet)", path.name)
        return df
    msg = (
        f"{path.name} is an old Excel 97-2003 or WPS workbook (.xls/.et), not a text table; "
        "save it as .xlsx (文件 > 另存为 > Excel 工作簿 *.xlsx)"
        + (" or install xlrd (pip install 'sxgeo[xls]')" if path.suffix.lower() == ".xls" else "")
    )
    raise LayerError(msg)


def _excel_frame(path: Path, sheet: str | int, *, text: bool) -> pd.DataFrame:
    """One sheet as a table: merged cells spanning rows filled, the header found in the first rows.

    A title or note above the table (fewer filled cells than the header row) is skipped and said;
    a cell merged over several rows (a county written once for its villages) gives its value to
    every row it covers, said at WARNING. ``attrs['rows']`` maps each row to its spreadsheet row.
    """
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException
        msg = f"{path.name}: cannot open it as an Excel workbook ({type(exc).__name__}: {exc})"
        raise LayerError(msg) from exc
    try:
        ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[sheet]
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        filled_cols: set[str] = set()
        for rng in ws.merged_cells.ranges:
            if rng.max_row == rng.min_row:
                continue  # a title merged across columns stays one cell
            top = grid[rng.min_row - 1][rng.min_col - 1]
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    grid[r - 1][c - 1] = top
            filled_cols.add(rng.coord)
        title = ws.title
    finally:
        wb.close()
    blank = [[v is None or str(v).strip() == "" for v in row] for row in grid]
    counts = [len(b) - sum(b) for b in blank]
    head = counts[:HEADER_SEARCH_ROWS]
    widest = max(head, default=0)
    # the header: the first row with two cells or more and at least half the widest row's (a title has one)
    h = next((i for i, n in enumerate(head) if n >= 2 and 2 * n >= widest), 0)
    if h > 0:
        log.info("%s: header on row %d (sheet %s); rows above it (a title?) skipped", path.name, h + 1, title)
    if filled_cols:
        log.warning(
            "%s: merged cells %s filled down: each row they span gets their value",
            path.name, ", ".join(sorted(filled_cols)[:10]),
        )  # fmt: skip
    header = [
        str(v).strip() if v is not None else f"Unnamed: {j}" for j, v in enumerate(grid[h] if grid else [])
    ]
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        if name in seen:
            seen[name] += 1
            header[j] = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
    keep = [i for i in range(h + 1, len(grid)) if counts[i] > 0]
    records = [[None if blank[i][j] else _cell(grid[i][j], text) for j in range(len(header))] for i in keep]
    df = pd.DataFrame(records, columns=header)
    df.attrs["rows"] = {k: i + 1 for k, i in enumerate(keep)}
    return df


def _cell(value: Any, text: bool) -> Any:
    if not text or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_csv(path: Path, *, text: bool, **read_csv: Any) -> pd.DataFrame:
    """A CSV in its detected encoding; ``attrs['rows']`` holds each row's line (blank lines counted)."""
    opts = NA_ONLY_EMPTY | ({"dtype": str} if text else {}) | read_csv
    try:
        df = pd.read_csv(path, encoding=_text_encoding(path), skip_blank_lines=False, **opts)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        msg = f"{path.name}: cannot read it as a CSV table ({type(exc).__name__}: {exc})"
        raise LayerError(msg) from exc
    empty = df.isna().all(axis=1).to_numpy()
    lines = [i + 2 for i in range(len(df)) if not empty[i]]
    if empty.any():
        df = df[~empty].reset_index(drop=True)
        log.info(
            "%s: %d blank lines skipped; rows are named by their line in the file",
            path.name,
            int(empty.sum()),
        )
    df.attrs["rows"] = dict(enumerate(lines))
    return df


def _read_csv_or_excel(path: Path, sheet: str | None = None, **read_csv: Any) -> pd.DataFrame:
    """One sheet of an Excel workbook (see :func:`excel_sheet`), or a CSV read in its detected encoding."""
    if is_ole2(path):
        return _refuse_or_read_ole2(path, text=False)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _excel_frame(path, excel_sheet(path, sheet), text=False)
    return _read_csv(path, text=False, **read_csv)


def _find_column(columns: list[str], names: tuple[str, ...], given: str | None, what: str, path: Path) -> str:
    """The longitude/latitude column of a point table (:func:`sxgeo.io.columns.find_column`)."""
    found = find_column(
        columns,
        names,
        what=what,
        given=given,
        source=path.name,
        hint=f"name it with {'lon' if what == 'longitude' else 'lat'}=...",
        error=LayerError,
    )
    assert found is not None  # required: raises instead
    return found


def read_table(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read a plain CSV or XLSX table (parameters, pools), detecting the CSV encoding.

    Parameters
    ----------
    path : str or pathlib.Path
        The table.
    sheet : str, optional
        Sheet of a workbook; required when several sheets hold data.

    Returns
    -------
    pandas.DataFrame
        With ``attrs['source']`` the file name (used in messages by :func:`parse_numbers`).
    """
    p = require_file(path)
    df = _read_csv_or_excel(p, sheet)
    df.attrs["source"] = p.name
    return df


def read_sheet(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a planner's list (CSV in its detected encoding, or one sheet of an XLSX) as text.

    Every cell is read as a string, so codes keep their digits (``330602002053``, not a float).
    The header may sit below a title (searched in the first rows), cells merged over several rows
    are filled down, and ``attrs['rows']`` keeps each row's spreadsheet row or file line
    (:func:`sheet_rows`). An OLE2 file (``.xls``/``.et``) is read with xlrd or refused.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.csv`` or ``.xlsx``.
    sheet : str or int, optional
        Excel sheet name or 0-based number (default: the only sheet with data, or the only one
        holding a table beside instruction sheets; several tables: refused, name one).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    LayerError
        When the sheet does not exist, or several sheets hold tables and none is named.
    """
    p = require_file(path)
    if is_ole2(p):
        df = _refuse_or_read_ole2(p, text=True)
    elif p.suffix.lower() in EXCEL_SUFFIXES:
        if sheet is None:
            chosen: str | int = excel_sheet(p, None, option="--sheet")
        elif isinstance(sheet, int):
            chosen = sheet
        else:
            chosen = excel_sheet(p, sheet, option="--sheet")
        try:
            df = _excel_frame(p, chosen, text=True)
        except IndexError as exc:
            from openpyxl import load_workbook

            names = load_workbook(p, read_only=True).sheetnames
            msg = f"{p.name}: no sheet {sheet!r}; sheets are {names} (use --sheet)"
            raise LayerError(msg) from exc
    else:
        df = _read_csv(p, text=True)
    df.attrs["source"] = p.name
    return df
