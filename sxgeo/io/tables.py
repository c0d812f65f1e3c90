"""Plain tables (CSV or Excel) as planners send them: reading, and finding a column by its usual names."""

from __future__ import annotations

import importlib.util
import itertools
import logging
import math
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from sxgeo.errors import LayerError, SchemaError
from sxgeo.io._paths import require_file
from sxgeo.io.columns import find_column
from sxgeo.io.encoding import _text_encoding

log = logging.getLogger(__name__)

EXCEL_SUFFIXES = (".xlsx", ".xlsm")

BLANKS = frozenset({"", "nan"})
"""Cells read as blank in a number column: only an empty cell (``nan`` is how pandas shows one).
Text such as ``n/a``, ``-`` or ``无`` is refused rather than guessed; what the caller does with a
blank is its own rule (most parameter columns treat blank as zero, required ones refuse it)."""
NA_ONLY_EMPTY: dict[str, Any] = {"keep_default_na": False, "na_values": [""]}
"""pandas reading options under which only an empty cell is missing (``n/a``, ``NA``, ``null``
stay text, so :func:`parse_numbers` can refuse them instead of reading them as zero)."""

TRUE_WORDS = frozenset(
    {"1", "1.0", "true", "t", "yes", "y", "是", "有", "真", "对", "已保护", "保护", "受保护", "√", "✓", "on"}
)
FALSE_WORDS = frozenset(
    {
        "0",
        "0.0",
        "false",
        "f",
        "no",
        "n",
        "否",
        "无",
        "假",
        "不",
        "未保护",
        "不保护",
        "非保护",
        "×",
        "✗",
        "off",
    }
)


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


def sheet_rows(df: pd.DataFrame) -> list[int]:
    """The row (line) each row of *df* has in its file, as a spreadsheet shows it (header: row 1).

    Tables read by :func:`read_table`/:func:`read_sheet` know them (blank lines and a title above
    the header counted); other tables give position + 2.
    """
    rows = df.attrs.get("rows") or {}
    return [int(rows.get(label, pos + 2)) if isinstance(label, int | np.integer) else pos + 2
            for pos, label in enumerate(df.index)]  # fmt: skip


def _read_csv_or_excel(path: Path, sheet: str | None = None, **read_csv: Any) -> pd.DataFrame:
    """One sheet of an Excel workbook (see :func:`excel_sheet`), or a CSV read in its detected encoding."""
    if is_ole2(path):
        return _refuse_or_read_ole2(path, text=False)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _excel_frame(path, excel_sheet(path, sheet), text=False)
    return _read_csv(path, text=False, **read_csv)


def source_of(df: pd.DataFrame, default: str = "table") -> str:
    """The file name a table was read from (``df.attrs['source']``), for messages."""
    return str(df.attrs.get("source", default))


def _number(value: Any) -> tuple[float | None, bool]:
    """A cell as a float (None when blank), and whether full-width characters were normalised.

    Raises ValueError when the cell is not a number.
    """
    if value is None or value is pd.NA:
        return None, False
    if isinstance(value, bool | np.bool_):
        raise ValueError
    if isinstance(value, int | float | np.integer | np.floating):
        f = float(value)
        if math.isnan(f):
            return None, False
        if math.isinf(f):
            raise ValueError
        return f, False
    text = str(value).strip()
    folded = unicodedata.normalize("NFKC", text).strip()
    if folded.lower() in BLANKS:
        return None, False
    # no comma is accepted: "90,0" (decimal comma) and "1,234" (thousands) cannot be told apart
    f = float(folded)  # ValueError on text, units, "约19.5", "90,0"
    if not math.isfinite(f):
        raise ValueError
    return f, folded != text


def parse_numbers(
    df: pd.DataFrame,
    columns: Iterable[str],
    *,
    source: str | None = None,
    blank: float | None = None,
    required: bool = False,
    features: bool = False,
) -> pd.DataFrame:
    """Parse number columns of a parameter or user table, refusing any cell that is not a number.

    The one parser for numbers in tables (pools, factor tables, targets, shipped parameter
    tables): a cell such as ``90,0``, ``n/a``, ``约19.5`` or ``12 t`` is refused with the file, the
    row (as a spreadsheet shows it: header is row 1) and the column, never read as zero.
    Full-width digits (``４４``) are normalised (Unicode NFKC) and a warning says so. Blank cells
    (empty, ``-``, ``NaN``, ``null``) become *blank*.

    Parameters
    ----------
    df : pandas.DataFrame
        The table (its ``attrs['source']`` names the file when *source* is not given).
    columns : iterable of str
        Columns to parse; columns the table lacks are skipped (the caller checks the schema).
    source : str, optional
        File name for messages.
    blank : float, optional
        Value of a blank cell (default NaN).
    required : bool
        Refuse blank cells too.
    features : bool
        The table is a layer read by :func:`sxgeo.io.read_layer`: name the feature number (its
        index) rather than the spreadsheet row.

    Returns
    -------
    pandas.DataFrame
        A copy with the columns as float.

    Raises
    ------
    SchemaError
        At the first cell that is not a number, naming file, row, column and value.
    """
    name = source or source_of(df)
    out = df.copy()
    fill = float("nan") if blank is None else float(blank)
    for col in columns:
        if col not in out.columns:
            continue
        values = np.empty(len(out), dtype=float)
        folded_rows: list[str] = []
        rows = sheet_rows(out)
        for i, v in enumerate(out[col].tolist()):
            where = f"feature {out.index[i]}" if features else f"row {rows[i]}"
            try:
                f, folded = _number(v)
            except (ValueError, TypeError, OverflowError):
                msg = (
                    f"{name}: {where} column {col}: {v!r} is not a number; write a plain number such as 19.5"
                )
                raise SchemaError(msg) from None
            if f is None and required:
                msg = f"{name}: {where} column {col} is blank; a number is required"
                raise SchemaError(msg)
            values[i] = fill if f is None else f
            if folded:
                folded_rows.append(where)
        if folded_rows:
            log.warning(
                "%s: column %s (%s): full-width digits read as ASCII numbers",
                name,
                col,
                ", ".join(folded_rows[:10]),
            )
        out[col] = values
    return out


def parse_flags(
    values: pd.Series | Iterable[Any],
    *,
    source: str = "table",
    column: str = "flag",
    blank: bool = False,
    features: bool = False,
) -> np.ndarray:
    """Yes/no flags as booleans, the one parser for every flag column.

    Accepted (case-insensitive, full-width folded): ``是/否``, ``Y/N``, ``yes/no``, ``true/false``,
    ``T/F``, ``1/0``, ``有/无``, ``已保护/未保护``, ``√/×``, and booleans. Blank cells are *blank*.
    Anything else is refused naming the value: ``bool("否")`` is True, which is how a wetland
    marked 否 was once counted as protected.

    Parameters
    ----------
    values : pandas.Series or iterable
        The flags.
    source : str
        File name for messages.
    column : str
        Column name for messages.
    blank : bool
        Value of a blank cell.
    features : bool
        *values* come from a layer: name the feature number (the index) rather than the row.

    Returns
    -------
    numpy.ndarray of bool

    Raises
    ------
    SchemaError
        On a value that is no known spelling of yes or no.
    """
    items = values.tolist() if isinstance(values, pd.Series) else list(values)
    labels = list(values.index) if isinstance(values, pd.Series) else list(range(len(items)))
    out = np.zeros(len(items), dtype=bool)
    for i, v in enumerate(items):
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            out[i] = blank
            continue
        if isinstance(v, bool | np.bool_):
            out[i] = bool(v)
            continue
        if isinstance(v, int | float | np.integer | np.floating) and float(v) in (0.0, 1.0):
            out[i] = float(v) == 1.0
            continue
        text = unicodedata.normalize("NFKC", str(v)).strip().lower()
        if text == "":
            out[i] = blank
        elif text in TRUE_WORDS:
            out[i] = True
        elif text in FALSE_WORDS:
            out[i] = False
        else:
            where = f"feature {labels[i]}" if features else f"row {i + 2}"
            msg = (
                f"{source}: {where} column {column}: {v!r} is not a yes/no value; "
                "use 是/否, Y/N, yes/no, true/false or 1/0"
            )
            raise SchemaError(msg)
    return out


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
            names = load_workbook(p, read_only=True).sheetnames
            msg = f"{p.name}: no sheet {sheet!r}; sheets are {names} (use --sheet)"
            raise LayerError(msg) from exc
    else:
        df = _read_csv(p, text=True)
    df.attrs["source"] = p.name
    return df
