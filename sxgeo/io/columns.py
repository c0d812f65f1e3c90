"""Which column holds what: the usual headers of planners' tables, and the one column finder.

By default (``match="folded"``) headers are compared folded: NFKC (full-width brackets and
letters to ASCII), lower case, whitespace removed; a header then matches a usual name either
whole or with its bracketed part removed on both sides (``所属县(市、区)`` and ``所属县（市区）`` both
fold to ``所属县``). Every guess is logged at INFO (shown on the terminal); when no column fits, the
message lists the headers the table has.

Some callers compare more strictly, and keep doing so (``match=``): sponge project lists ignore
case and whitespace only (``"spaces"``), county and zone layers take the exact header, else one
differing in case (``"case"``), and the quick-look map's search box takes the header exactly as
written (``"exact"``). Each vocabulary below says which caller reads it.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Literal

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
UNIT_CODE = (
    "adcode",
    "code",
    "unit_code",
    "行政区划代码",
    "区划代码",
    "行政代码",
    "PAC",
    "XZQDM",
    "XZQHDM",
    "QHDM",
    "xzqdm",
    "gb",
)
"""Headers of the code of a county or zone layer (:mod:`sxgeo.admin`, ``match="case"``)."""
UNIT_NAME = ("name_zh", "name", "名称", "行政区名称", "区划名称", "XZQMC", "NAME", "县区", "乡镇", "街道")
"""Headers of the name of a zone (:mod:`sxgeo.admin`, ``match="exact"``)."""
PROJECT_STATUS = (
    "status",
    "状态",
    "建设状态",
    "项目状态",
    "实施状态",
    "进展",
    "项目进展",
    "建设进度",
    "进度",
)
"""Headers of a sponge project's status (:mod:`sxgeo.sponge.coverage`, ``match="spaces"``)."""
COMPLETION_DATE = (
    "completed_on",
    "accepted_on",
    "completion_date",
    "completion_year",
    "year",
    "完成年份",
    "完工年份",
    "竣工年份",
    "验收年份",
    "完工日期",
    "竣工日期",
    "验收日期",
    "完成日期",
    "完成时间",
    "完工时间",
    "竣工时间",
    "验收时间",
    "年份",
)
"""Headers of when a sponge project was completed (:mod:`sxgeo.sponge.coverage`, ``match="spaces"``)."""
RAIN_DATE = ("date", "日期", "time", "day")
"""Headers of the date column of a daily rainfall table (:mod:`sxgeo.io.weather`)."""
PRECIP = ("precip_mm", "precip", "prcp", "rain_mm", "rainfall", "降水量", "降雨量", "雨量")
"""Headers of the daily precipitation column [mm] of a rainfall table (:mod:`sxgeo.io.weather`)."""
MAP_LABEL = ("name_zh", "name", "名称", "NAME", "Name", "村名", "镇名", "title")
"""Headers of the column a quick-look map's search box finds (:mod:`sxgeo.maps.views`, ``match="exact"``)."""

Match = Literal["folded", "spaces", "case", "exact"]
"""How headers are compared with the usual names (see :func:`find_column`)."""
MATCHES: tuple[Match, ...] = ("folded", "spaces", "case", "exact")

_BRACKETED = re.compile(r"[(\[{【<《].*?[)\]}】>》]")
_SPACE = re.compile(r"\s+")


def fold_header(header: Any) -> str:
    """A header in the form headers are compared in (NFKC, lower case, no whitespace)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(header))).lower()


def _bare(folded: str) -> str:
    return _BRACKETED.sub("", folded)


def _key(header: Any, match: Match) -> str:
    """*header* in the form it is compared in under *match*."""
    if match == "folded":
        return fold_header(header)
    if match == "spaces":
        return _SPACE.sub("", str(header)).lower()
    if match == "case":
        return str(header).lower()
    return str(header)


def _search(cols: list[Any], names: Sequence[str], match: Match) -> Any:
    """The first of *names* some header of *cols* matches under *match*, as that header; else None."""
    keyed: dict[str, Any] = {}
    for c in cols:
        if match == "case":
            keyed[_key(c, match)] = c  # of two headers differing in case only, the last (admin's rule)
        else:
            keyed.setdefault(_key(c, match), c)
    for n in names:
        if match == "case" and n in cols:
            return n  # the header written exactly, before one differing in case
        if _key(n, match) in keyed:
            return keyed[_key(n, match)]
    if match != "folded":
        return None
    bare: dict[str, Any] = {}
    for c in cols:
        if _bare(fold_header(c)):
            bare.setdefault(_bare(fold_header(c)), c)
    for n in names:
        if _bare(fold_header(n)) in bare:
            return bare[_bare(fold_header(n))]
    return None


DBF_NAME_BYTES = 10
"""A shapefile's DBF header holds at most 10 bytes: QGIS and GDAL cut longer field names (``parent_code``
becomes ``parent_cod``; in GBK a Chinese name keeps 5 characters, in UTF-8 3)."""


def _dbf_cut(name: str, encoding: str) -> str | None:
    """*name* as a DBF header of :data:`DBF_NAME_BYTES` bytes keeps it (whole characters), or None."""
    try:
        if len(name.encode(encoding)) <= DBF_NAME_BYTES:
            return None
    except UnicodeEncodeError:
        return None
    kept, size = "", 0
    for ch in name:
        size += len(ch.encode(encoding))
        if size > DBF_NAME_BYTES:
            break
        kept += ch
    return kept


def _search_truncated(cols: list[Any], names: Sequence[str]) -> Any:
    """The first of *names* that some header of *cols* is the DBF-cut form of, as that header; else None.

    Only names longer than :data:`DBF_NAME_BYTES` bytes count; the header must be exactly the name's
    first whole characters that fit in them (GBK or UTF-8), compared case-insensitively.
    """
    lowered = {str(c).lower(): c for c in cols}
    for n in names:
        for enc in ("gbk", "utf-8"):
            cut = _dbf_cut(str(n).lower(), enc)
            if cut and cut in lowered:
                return lowered[cut]
    return None


def find_column(
    columns: Iterable[Any],
    names: Sequence[str],
    *,
    what: str,
    given: str | None = None,
    source: str = "table",
    required: bool = True,
    hint: str = "",
    error: type[Exception] = SchemaError,
    match: Match = "folded",
    quiet: bool = False,
) -> str | None:
    """The column holding *what*: the one *given*, else the first of the usual *names* present.

    The order of *names* decides, not the order of the columns.

    Parameters
    ----------
    columns : iterable
        The table's headers.
    names : sequence of str
        Usual headers, most specific first (:data:`COUNTY`, :data:`TOWN`, ...).
    what : str
        What the column holds, for messages (``"county"``).
    given : str, optional
        A column the user named; it must exist (compared exactly, then under *match*; of
        several headers equal under *match*, the last).
    source : str
        File name for messages.
    required : bool
        Raise when none is found (else return None, logged at INFO).
    hint : str
        How to name the column (``"name it with --county-col"``), appended to the refusal.
    error : type
        Exception class raised (default :class:`~sxgeo.errors.SchemaError`).
    match : {"folded", "spaces", "case", "exact"}
        How a header is compared with a usual name. ``"folded"``: NFKC, lower case, whitespace
        removed, then with the bracketed part removed on both sides. ``"spaces"``: lower case
        and whitespace removed only. ``"case"``: the header written exactly, else one differing
        in case only (of several, the last). ``"exact"``: as written. Of several headers equal
        under a rule other than ``"case"``, the first is taken.
    quiet : bool
        Log nothing (for callers that say which column they used themselves).

    Returns
    -------
    str or None
        The header as the table writes it.

    Raises
    ------
    ValueError
        For an unknown *match*.
    """
    if match not in MATCHES:
        msg = f"match must be one of {', '.join(MATCHES)}, got {match!r}"
        raise ValueError(msg)
    cols = list(columns)
    seen = [str(c) for c in cols]
    if given is not None:
        if given in cols:
            return given
        keyed_cols = {_key(c, match): c for c in cols}
        if match != "exact" and _key(given, match) in keyed_cols:
            return str(keyed_cols[_key(given, match)])
        msg = f"{source}: no column {given!r} for the {what}; its headers are {seen}"
        raise error(msg)
    found = _search(cols, names, match)
    if found is None and match == "folded":
        found = _search_truncated(cols, names)
        if found is not None:
            log.warning(
                "%s: %s read from column %r, a usual name cut to the 10 bytes a shapefile (DBF) header "
                "holds · %s:%s 取自列 %r(shapefile 字段名最多 10 字节,被截断)",
                source, what, str(found), source, what, str(found),
            )  # fmt: skip
            return str(found)
    if found is not None:
        if not quiet:
            log.info("%s: %s read from column %r", source, what, str(found))
        return str(found)
    if required:
        msg = (
            f"{source}: cannot find a {what} column (looked for {', '.join(names)}); "
            f"its headers are {seen}" + (f"; {hint}" if hint else "")
        )
        raise error(msg)
    if not quiet:
        log.info("%s: no %s column (headers: %s)", source, what, ", ".join(seen))
    return None
