"""Which column holds what: the usual headers of planners' tables, and the one column finder.

Headers are compared folded: NFKC (full-width brackets and letters to ASCII), lower case,
whitespace removed; a header then matches a usual name either whole or with its bracketed part
removed on both sides (``所属县(市、区)`` and ``所属县（市区）`` both fold to ``所属县``). Every guess
is logged at INFO (shown on the terminal); when no column fits, the message lists the headers
the table has.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from sxgeo.errors import SchemaError

log = logging.getLogger(__name__)

COUNTY = (
    "county",
    "县(市、区)",
    "县(市,区)",
    "县市区",
    "区县",
    "县区",
    "所属县区",
    "所属区县",
    "所属县(市、区)",
    "所属县市区",
    "所属县",
    "县(市)区",
    "县(区)",
    "县(区、市)",
    "adcode",
)
"""Headers of the county column of a list."""
TOWN = (
    "town",
    "乡镇(街道)",
    "乡镇街道",
    "乡镇",
    "镇街",
    "街道",
    "所属乡镇",
    "所属乡镇(街道)",
    "所属镇街",
    "所属街道",
    "乡镇(街道)名称",
    "乡镇名称",
)
"""Headers of the town column of a list."""
NAME = (
    "name",
    "名称",
    "试点名称",
    "村(社区)名称",
    "村(社区)",
    "村社区",
    "行政村名称",
    "行政村",
    "村名称",
    "社区名称",
    "村名",
    "单位名称",
    "乡镇(街道)名称",
    "试点",
)
"""Headers of the name column of a pilot or candidate list."""
LON = ("lon", "lng", "long", "longitude", "x", "经度", "东经", "x坐标", "横坐标")
"""Headers of a longitude (or easting) column."""
LAT = ("lat", "latitude", "y", "纬度", "北纬", "y坐标", "纵坐标")
"""Headers of a latitude (or northing) column."""

_BRACKETED = re.compile(r"[(\[{【<《].*?[)\]}】>》]")
_SPACE = re.compile(r"\s+")


def fold_header(header: Any) -> str:
    """A header in the form headers are compared in (NFKC, lower case, no whitespace)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(header))).lower()


def _bare(folded: str) -> str:
    return _BRACKETED.sub("", folded)


def find_column(
    columns: Sequence[Any],
    names: Sequence[str],
    *,
    what: str,
    given: str | None = None,
    source: str = "table",
    required: bool = True,
    hint: str = "",
    error: type[Exception] = SchemaError,
) -> str | None:
    """The column holding *what*: the one *given*, else the first of the usual *names* present.

    Parameters
    ----------
    columns : sequence
        The table's headers.
    names : sequence of str
        Usual headers, most specific first (:data:`COUNTY`, :data:`TOWN`, ...).
    what : str
        What the column holds, for messages (``"county"``).
    given : str, optional
        A column the user named; it must exist (compared exactly, then folded).
    source : str
        File name for messages.
    required : bool
        Raise when none is found (else return None, logged at INFO).
    hint : str
        How to name the column (``"name it with --county-col"``), appended to the refusal.
    error : type
        Exception class raised (default :class:`~sxgeo.errors.SchemaError`).

    Returns
    -------
    str or None
        The header as the table writes it.
    """
    cols = list(columns)
    seen = [str(c) for c in cols]
    if given is not None:
        if given in cols:
            return given
        folded_cols = {fold_header(c): c for c in cols}
        if fold_header(given) in folded_cols:
            return str(folded_cols[fold_header(given)])
        msg = f"{source}: no column {given!r} for the {what}; its headers are {seen}"
        raise error(msg)
    exact: dict[str, Any] = {}
    bare: dict[str, Any] = {}
    for c in cols:
        f = fold_header(c)
        exact.setdefault(f, c)
        if _bare(f):
            bare.setdefault(_bare(f), c)
    found = None
    for n in names:
        if fold_header(n) in exact:
            found = exact[fold_header(n)]
            break
    if found is None:
        for n in names:
            if _bare(fold_header(n)) in bare:
                found = bare[_bare(fold_header(n))]
                break
    if found is not None:
        log.info("%s: %s read from column %r", source, what, str(found))
        return str(found)
    if required:
        msg = (
            f"{source}: cannot find a {what} column (looked for {', '.join(names)}); "
            f"its headers are {seen}" + (f"; {hint}" if hint else "")
        )
        raise error(msg)
    log.info("%s: no %s column (headers: %s)", source, what, ", ".join(seen))
    return None
