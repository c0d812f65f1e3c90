"""Parsing the cells of parameter and user tables: numbers and yes/no flags, refused when they are neither.

Parameter-table checks are parsing, not I/O: a table arrives here already read (by
:func:`sxgeo.io.read_table`, :func:`sxgeo.io.read_sheet`, :func:`sxgeo.io.read_layer`, or built in
memory), and :func:`parse_numbers` / :func:`parse_flags` turn its cells into floats and booleans,
naming the file (:func:`source_of`), the row as a spreadsheet shows it (:func:`sheet_rows`) and
the column of the first cell that is neither. These names were in :mod:`sxgeo.io.tables`, which
re-exports them for one release.
"""

from __future__ import annotations

import logging
import math
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from sxgeo.errors import SchemaError

log = logging.getLogger(__name__)

BLANKS = frozenset({"", "nan"})
"""Cells read as blank in a number column: only an empty cell (``nan`` is how pandas shows one).
Text such as ``n/a``, ``-`` or ``无`` is refused rather than guessed; what the caller does with a
blank is its own rule (most parameter columns treat blank as zero, required ones refuse it)."""

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


def sheet_rows(df: pd.DataFrame) -> list[int]:
    """The row (line) each row of *df* has in its file, as a spreadsheet shows it (header: row 1).

    Tables read by :func:`sxgeo.io.read_table`/:func:`sxgeo.io.read_sheet` know them (blank lines
    and a title above the header counted); other tables give position + 2.
    """
    rows = df.attrs.get("rows") or {}
    return [int(rows.get(label, pos + 2)) if isinstance(label, int | np.integer) else pos + 2
            for pos, label in enumerate(df.index)]  # fmt: skip


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
    Full-width digits (``４４``) are normalised (Unicode NFKC) and a warning says so. Only empty
    cells are blank (:data:`BLANKS`) and become *blank*; ``-``, ``—`` or ``无`` are refused, and the
    message says to leave the cell empty for no value.

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
                    f"{name}: {where} column {col}: {v!r} is not a number; "
                    "write a plain number such as 19.5, or leave the cell empty for no value"
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
