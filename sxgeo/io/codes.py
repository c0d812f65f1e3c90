"""Administrative codes as spreadsheets leave them: the one normaliser every reader of codes uses.

Excel and WPS turn a code column into numbers (``330600.0``, ``330603001035`` as a float),
show 12-digit numbers in scientific notation and write that to CSV (``3.30603E+11``: the last
digits are gone), keep a leading apostrophe typed to force text (``'330603001035``), and
planners write a county's name where its code is expected (``越城区``). :func:`code_text`
accepts every form that identifies one code and refuses the rest, naming the cell and the fix.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd

from sxgeo.errors import SchemaError

log = logging.getLogger(__name__)

CODE_LENGTHS = (6, 9, 12)
"""Lengths of a county adcode, a town code and a village code (2023 statistical division codes)."""

_SCI = re.compile(r"^([0-9])(?:\.([0-9]+))?e\+?([0-9]+)$", re.IGNORECASE)
_DECIMAL_ZERO = re.compile(r"^([0-9]+)\.0*$")
_QUOTES = "'‘’`\"“”"
_EXCEL_TEXT = re.compile(r'^="(.*)"$')  # ="330603001035", Excel's text-forcing formula in CSV exports
_NAME_FOLD = re.compile(r"\s+")

FIX_TEXT = "format the code column as text (Excel: 设置单元格格式 > 文本) and type or export the codes again"


def _fold_name(text: str) -> str:
    return _NAME_FOLD.sub("", unicodedata.normalize("NFKC", text))


def code_text(  # noqa: C901 (one branch per spreadsheet form, in order)
    value: Any,
    *,
    where: str = "code",
    lengths: Collection[int] = CODE_LENGTHS,
    names: Mapping[str, str] | None = None,
    keep: Collection[str] = (),
    other: bool = False,
) -> str | None:
    """A code cell as its digits, or a one-line refusal naming the cell and the fix.

    Accepted: digits (full-width folded), an integral number (``330600.0``, a float column of
    12-digit codes: floats hold integers exactly below 2**53), a leading apostrophe or quotes,
    Excel's ``="..."`` text formula, a 12-digit code ending in six zeros where a county code is
    asked for (``330603000000`` is the county's statistical code), a name of *names*, a value of
    *keep* (``330600-urban``). Scientific notation (``3.30603E+11``) is accepted only when its
    digits still identify the code: all of them are written, or a county code (6 digits) is asked
    for and the first six survive; otherwise it is refused (the CSV lost the digits).

    Parameters
    ----------
    value : Any
        The cell.
    where : str
        ``"file: row N column C"`` for messages.
    lengths : collection of int
        Code lengths accepted (default 6, 9, 12); ``(6,)`` for county codes.
    names : mapping, optional
        Name -> code (``越城区`` -> ``330602``); names are compared NFKC-folded, spaces removed.
    keep : collection of str
        Non-numeric codes accepted as they are (``330600-urban``, ``unassigned``).
    other : bool
        Keep any other text that has no digits-like form (a zone code such as ``Z01``) as it is.

    Returns
    -------
    str or None
        The code; None for a blank cell.

    Raises
    ------
    SchemaError
        On a value that is no code, or whose digits were lost.
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        msg = f"{where}: {value!r} is not a code"
        raise SchemaError(msg)
    if isinstance(value, int | np.integer):
        return _length(str(int(value)), value, where, lengths)
    if isinstance(value, float | np.floating):
        f = float(value)
        if math.isnan(f):
            return None
        if not math.isfinite(f) or f != round(f) or abs(f) >= 2**53 or f < 0:
            msg = f"{where}: {value!r} is not a code; {FIX_TEXT}"
            raise SchemaError(msg)
        return _length(str(int(f)), value, where, lengths)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if (m := _EXCEL_TEXT.match(text)) is not None:
        text = m.group(1).strip()
    text = text.strip(_QUOTES).strip()
    if not text or text.lower() in ("nan", "none", "<na>"):
        return None
    if text in keep:
        return text
    if text.isdigit():
        return _length(text, value, where, lengths)
    if (m := _DECIMAL_ZERO.match(text)) is not None:
        return _length(m.group(1), value, where, lengths)
    if (m := _SCI.match(text)) is not None:
        return _scientific(m, value, where, lengths)
    if names:
        folded = {_fold_name(k): v for k, v in names.items()}
        hit = folded.get(_fold_name(text))
        if hit is not None:
            return hit
    if other:
        return text
    known = f" or a name ({', '.join(list(names)[:8])})" if names else ""
    msg = f"{where}: {value!r} is not a code; write the digits{known}"
    raise SchemaError(msg)


def _scientific(m: re.Match[str], value: Any, where: str, lengths: Collection[int]) -> str:
    digits = m.group(1) + (m.group(2) or "")
    total = int(m.group(3)) + 1
    if len(digits.rstrip("0")) > total:
        msg = f"{where}: {value!r} is not a whole-number code; {FIX_TEXT}"
        raise SchemaError(msg)
    full = digits.ljust(total, "0")[:total]
    if len(digits) >= total:  # every digit written: 3.30603001035E+11
        return _length(full, value, where, lengths)
    if set(lengths) == {6} and total in CODE_LENGTHS and len(digits) >= 6:
        log.warning("%s: %r read as county %s (its first six digits)", where, value, full[:6])
        return full[:6]
    msg = (
        f"{where}: {value!r} lost its last {total - len(digits)} digits to scientific notation "
        f"(it reads as {full}, which may not be the code); {FIX_TEXT}"
    )
    raise SchemaError(msg)


def _length(digits: str, value: Any, where: str, lengths: Collection[int]) -> str:
    if len(digits) in lengths:
        return digits
    if 6 in lengths and len(digits) == 12 and digits.endswith("000000"):
        return digits[:6]  # a county's 12-digit statistical code
    if 6 in lengths and len(digits) == 9 and digits.endswith("000"):
        return digits[:6]
    want = " or ".join(str(n) for n in sorted(lengths))
    msg = f"{where}: {value!r} has {len(digits)} digits, a code here has {want}; check the cell"
    raise SchemaError(msg)


def code_column(
    values: pd.Series | list[Any],
    *,
    source: str,
    column: str,
    lengths: Collection[int] = CODE_LENGTHS,
    names: Mapping[str, str] | None = None,
    keep: Collection[str] = (),
    rows: list[int] | None = None,
    blank: bool = False,
    other: bool = False,
) -> list[str | None]:
    """:func:`code_text` over a column, naming each refused cell by its spreadsheet row.

    Parameters
    ----------
    values : pandas.Series or list
        The cells.
    source, column : str
        File and column for messages.
    lengths, names, keep
        As :func:`code_text`.
    rows : list of int, optional
        The row number of each cell in the file (default: position + 2, header on row 1).
    blank : bool
        Accept blank cells (None); otherwise a blank cell is refused.
    other : bool
        As :func:`code_text`.

    Returns
    -------
    list of str or None
    """
    items = values.tolist() if isinstance(values, pd.Series) else list(values)
    out: list[str | None] = []
    for i, v in enumerate(items):
        row = rows[i] if rows is not None else i + 2
        where = f"{source}: row {row} column {column}"
        code = code_text(v, where=where, lengths=lengths, names=names, keep=keep, other=other)
        if code is None and not blank:
            msg = f"{where} is blank; a code is required"
            raise SchemaError(msg)
        out.append(code)
    return out
