"""Match planners' lists of towns and villages to the 2023 statistical division codes.

Planners keep pilots and candidates in Excel: a name, often a county, sometimes a town. Each row
is matched to ``divisions.csv`` (:func:`sxgeo.admin.load_divisions`) by these rules, in order,
and the rule that matched is reported:

1. **exact**: the name as written is a division name in the row's scope;
2. **normalised**: equal after normalising (NFKC, full/half width, whitespace, brackets, the CJK
   radical forms NFKC leaves alone such as ⻄ ⻓, traditional -> simplified), or equal on the
   *core* name and the *type* (村 = 村委会 = 村民委员会; 社区 = 居委会 = 社区居委会), or an alias;
3. **historical**: the name (exact, normalised, or core + type) of a town or village of an earlier
   edition (NBS 2016-2022, ``divisions_editions.csv``) that 2023 no longer has: the old code, its
   edition, and its successor or the candidate successors (``divisions_successors.csv``); tried
   before any fuzzy match, so an exact old name never becomes a fuzzy match to another village;
4. **fuzzy**: rapidfuzz ``ratio`` on core + type, only within a known county (and town), above
   a cutoff and leading the second candidate by a margin;
5. **ambiguous**: several candidates fit equally (every one is listed);
6. **unmatched**: nothing fits (the nearest names are listed).

Town codes in a list are read in the statistics bureau's codes (``nbs``) or the Ministry of Civil
Affairs' (``mca``, ``town_codes_mca.csv``): 21 of Shaoxing's 103 towns have another code there, and 8
NBS town codes are another town's ministry code. :func:`detect_codes` tells them apart.

No row is ever dropped. Facts behind the rules (Shaoxing, 2023 codes): 1,583 of 2,168 village
names end in 村委会, so "XX村" must find "XX村委会"; 33 core names repeat within one county, and
塔山村委会 / 塔山社区 lie in the same town, so the type is kept and used
(``../shared/reference/anchors.md`` §2.2).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from opencc import OpenCC
from rapidfuzz import fuzz, process

from sxgeo import crs as sxcrs
from sxgeo.admin import COUNTIES, COUNTY_BY_CODE, CURRENT_EDITION, load_code_table
from sxgeo.data import read_param_table
from sxgeo.errors import SchemaError
from sxgeo.io import columns
from sxgeo.io.codes import code_column, code_text
from sxgeo.io.columns import find_column as find_column_in
from sxgeo.io.validate import swapped_lonlat
from sxgeo.params import sheet_rows

log = logging.getLogger(__name__)

STATUSES = ("exact", "normalised", "historical", "fuzzy", "ambiguous", "unmatched")
"""The match statuses, best first."""

TYPE_SUFFIXES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        (
            ("村民委员会", "village"),
            ("村委会", "village"),
            ("社区居民委员会", "community"),
            ("社区居委会", "community"),
            ("居委会", "community"),
            ("管理区", "area"),
            ("社区", "community"),
            ("村", "village"),
            ("街道办事处", "town"),
            ("街道", "town"),
            ("镇", "town"),
            ("乡", "town"),
        ),
        key=lambda s: -len(s[0]),
    )
)
"""Name suffixes and the type they mark, longest first (社区居民委员会 before 社区, 村委会 before 村)."""

CANONICAL_SUFFIX = {"village": "村", "community": "社区", "area": "管理区"}
"""The suffix a core is compared with in fuzzy matching (towns keep their own: 街道, 镇, 乡)."""

RADICALS = {
    "\u2ec4": "西",  # ⻄ CJK RADICAL WEST TWO
    "\u2ec3": "西",  # ⻃ CJK RADICAL WEST ONE
    "\u2ed3": "长",  # ⻓ CJK RADICAL C-SIMPLIFIED LONG
    "\u2ed4": "门",  # ⻔ C-SIMPLIFIED GATE
    "\u2ec5": "见",  # ⻅ C-SIMPLIFIED SEE
    "\u2ec6": "角",  # ⻆ SIMPLIFIED HORN
    "\u2ec9": "贝",  # ⻉ C-SIMPLIFIED SHELL
    "\u2ecb": "车",  # ⻋ C-SIMPLIFIED CART
    "\u2ed8": "青",  # ⻘ BLUE
    "\u2eda": "页",  # ⻚ C-SIMPLIFIED LEAF
    "\u2edb": "风",  # ⻛ C-SIMPLIFIED WIND
    "\u2edc": "飞",  # ⻜ C-SIMPLIFIED FLY
    "\u2edd": "食",  # ⻝ EAT ONE
    "\u2ee2": "马",  # ⻢ C-SIMPLIFIED HORSE
    "\u2ee5": "鱼",  # ⻥ C-SIMPLIFIED FISH
    "\u2ee6": "鸟",  # ⻦ C-SIMPLIFIED BIRD
    "\u2ee8": "麦",  # ⻨ SIMPLIFIED WHEAT
    "\u2ee9": "黄",  # ⻩ SIMPLIFIED YELLOW
    "\u2eec": "齐",  # ⻬ C-SIMPLIFIED EVEN
    "\u2ef0": "龙",  # ⻰ C-SIMPLIFIED DRAGON
    "\u2ea0": "民",  # ⺠ CIVILIAN
}
"""CJK Radicals Supplement forms (U+2E80-2EFF) that NFKC does not fold, to the unified ideograph
(JioNLP#249: 陕西省⻄安市⻓安区 did not match). Kangxi radicals (U+2Fxx) are folded by NFKC."""

_BRACKETS = re.compile(r"[\(\[（【〔][^\)\]）】〕]*[\)\]）】〕]")
_SPACE = re.compile(r"[\s\u200b\u200c\u200d\ufeff·・]+")
PREFIXES = ("浙江省", "浙江", "绍兴市")
DEGREE_KINDS = ("4326", "epsg:4326", "4490", "epsg:4490", "gcj02", "bd09")
"""Coordinate kinds in degrees, where swapped longitude/latitude are detected."""
TOWN_SUFFIXES = ("街道办事处", "街道", "镇", "乡")
"""Suffixes a town is written with in front of a village name, old or current (镇 -> 街道)."""
"""Leading province/city names dropped from a name."""


@dataclass(frozen=True)
class MatchOptions:
    """How a list is matched.

    Attributes
    ----------
    cutoff : float
        Lowest rapidfuzz ``ratio`` (0-100) a fuzzy match may have.
    lead : float
        Points the best fuzzy candidate must lead the second by; else ambiguous.
    level : str or None
        ``town`` or ``village`` to match only that level; None: by the name's suffix.
    county : str or None
        Adcode every row is matched within (``--county``) when the row names none.
    codes : str or None
        Code system of the town codes in the list: ``nbs`` (统计用区划代码) or ``mca`` (民政部
        行政区划代码); None: :func:`detect_codes`.
    """

    cutoff: float = 80.0
    lead: float = 10.0
    level: str | None = None
    county: str | None = None
    codes: str | None = None


CODE_SYSTEMS = ("nbs", "mca")
"""Code systems of town codes: the statistics bureau's and the Ministry of Civil Affairs'."""
CODE_COLUMNS = (
    "区划代码",
    "统计用区划代码",
    "行政区划代码",
    "乡镇代码",
    "村代码",
    "代码",
    "code",
    "town_code",
)
"""Headers of a code column of a list (read only to tell the code system and check the match)."""


@lru_cache(maxsize=1)
def _t2s() -> Any:

    return OpenCC("t2s")


def normalise(text: Any) -> str:
    """A name in the form names are compared in.

    Parameters
    ----------
    text : Any
        A cell (None and NaN give ``""``).

    Returns
    -------
    str
        Radical forms mapped, NFKC (full-width -> half-width), brackets with their content and all
        whitespace removed, traditional -> simplified (OpenCC ``t2s``).

    Examples
    --------
    >>> normalise("紹興市 ⻄小路社區（试点）")
    '绍兴市西小路社区'
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    s = "".join(RADICALS.get(ch, ch) for ch in str(text))
    s = unicodedata.normalize("NFKC", s)
    s = _BRACKETS.sub("", s)
    s = _SPACE.sub("", s)
    return str(_t2s().convert(s))


def split_name(name: str) -> tuple[str, str | None, str]:
    """Split a normalised name into its core, type and suffix (longest suffix first).

    Parameters
    ----------
    name : str
        A normalised name.

    Returns
    -------
    tuple
        ``(core, type, suffix)``; type is ``village``, ``community``, ``area``, ``town`` or None.

    Examples
    --------
    >>> split_name("塔山社区居委会")
    ('塔山', 'community', '社区居委会')
    >>> split_name("塔山村")
    ('塔山', 'village', '村')
    """
    for suffix, kind in TYPE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], kind, suffix
    return name, None, ""


def canonical(core: str, kind: str | None, suffix: str) -> str:
    """Core plus the canonical suffix of its type (what fuzzy matching compares)."""
    if kind in CANONICAL_SUFFIX:
        return core + CANONICAL_SUFFIX[kind]
    return core + suffix


def load_aliases(extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """The alias table: old names and codes that still circulate -> current codes.

    Parameters
    ----------
    extra : pandas.DataFrame, optional
        A planner's rows (same columns: ``old_name, old_code, new_code``; ``level``, ``source``
        optional); they come first, so they win.

    Returns
    -------
    pandas.DataFrame
        Columns ``old_name, old_code, new_name, new_code, level, source`` (strings).
    """
    shipped = read_param_table("division_aliases.csv", dtype=str)
    frames = [shipped]
    if extra is not None:
        missing = {"old_name", "new_code"} - set(extra.columns)
        if missing:
            msg = (
                f"alias table: missing column(s) {sorted(missing)}; columns are old_name, old_code, new_code"
            )
            raise SchemaError(msg)
        frames.insert(0, extra.astype("string").astype(object))
    out = pd.concat(frames, ignore_index=True)
    for col in ("old_name", "old_code", "new_name", "new_code", "level", "source"):
        if col not in out.columns:
            out[col] = None
    out["new_code"] = out["new_code"].map(_code_text)
    out["old_code"] = out["old_code"].map(_code_text)
    return out[["old_name", "old_code", "new_name", "new_code", "level", "source"]]


def _code_text(value: Any) -> str | None:
    """A code of an alias or override row (:func:`sxgeo.io.codes.code_text`; other text kept)."""
    return code_text(value, where="code", lengths=range(1, 20), other=True)


def apply_overrides(
    divisions: pd.DataFrame, overrides: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply a planner's override file: rows with a known code rename it, new codes are added.

    Division codes are no longer published after 2023 (NBS stopped in October 2024), so renames
    and mergers after that come from the planner.

    Parameters
    ----------
    divisions : pandas.DataFrame
        ``code, name, level, parent_code, county_adcode``.
    overrides : pandas.DataFrame or None
        ``code, name`` (and ``level, parent_code, county_adcode`` for a new code).

    Returns
    -------
    tuple
        The divisions with the overrides applied, and alias rows keeping each renamed unit's old
        name (old names still circulate).

    Raises
    ------
    SchemaError
        When a column is missing, or a new code lacks its level, parent or county.
    """
    empty = pd.DataFrame(columns=["old_name", "old_code", "new_name", "new_code", "level", "source"])
    if overrides is None or overrides.empty:
        return divisions, empty
    need = {"code", "name"}
    if need - set(overrides.columns):
        msg = (
            "override file: needs columns code, name (and level, parent_code, county_adcode for new "
            f"codes); has {list(overrides.columns)}"
        )
        raise SchemaError(msg)
    out = divisions.copy()
    aliases = []
    index = {c: i for i, c in zip(out.index, out["code"], strict=True)}
    new_rows = []
    for i, row in overrides.iterrows():
        code = _code_text(row["code"])
        name = str(row["name"]).strip()
        if code in index:
            old = out.at[index[code], "name"]
            if old != name:
                out.at[index[code], "name"] = name
                aliases.append(
                    (old, None, name, code, out.at[index[code], "level"], "override file (renamed)")
                )
            continue
        vals = {c: _code_text(row.get(c)) for c in ("level", "parent_code", "county_adcode")}
        if None in vals.values():
            row_no = int(str(i)) + 2
            msg = f"override file row {row_no}: new code {code} needs level, parent_code, county_adcode"
            raise SchemaError(msg)
        new_rows.append({"code": code, "name": name, **vals})
    if new_rows:
        out = pd.concat([out, pd.DataFrame(new_rows)], ignore_index=True)
    log.info("overrides: %d renamed, %d added", len(aliases), len(new_rows))
    return out, pd.DataFrame(aliases, columns=empty.columns)


def load_history(path: Any = None) -> pd.DataFrame:
    """The towns and villages of earlier editions with their successors, ready for :class:`Gazetteer`.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Folder holding ``divisions_editions.csv`` and ``divisions_successors.csv`` (default: the
        shipped layers).

    Returns
    -------
    pandas.DataFrame
        ``code, name, level, parent_code, county_adcode, first_edition, last_edition, relation,
        successor_codes, successor_towns, rule`` (one row per old (code, name)).
    """
    editions = load_code_table("editions", path)
    succ = load_code_table("successors", path)
    keys = ["code", "name", "level", "last_edition"]
    out = editions.merge(succ, on=keys, how="left", validate="one_to_one")
    missing = out["relation"].isna()
    if missing.any():
        first = out.loc[missing].iloc[0]
        msg = (
            f"divisions_successors.csv has no row for {first['code']} {first['name']} "
            f"({int(missing.sum())} rows missing); rebuild both with python tools/build_codes.py"
        )
        raise SchemaError(msg)
    return out


def _prepared(d: pd.DataFrame) -> pd.DataFrame:
    """Add the compared forms of the names: ``norm, core, kind, canon``."""
    d = d.copy()
    d["norm"] = [normalise(n) for n in d["name"]]
    parts = [split_name(n) for n in d["norm"]]
    d["core"] = [p[0] for p in parts]
    d["kind"] = [p[1] if p[1] is not None else "" for p in parts]
    d["canon"] = [canonical(*p) for p in parts]
    return d


class Gazetteer:
    """The divisions prepared for matching: normalised names, cores and types, and the aliases.

    Parameters
    ----------
    divisions : pandas.DataFrame
        ``code, name, level, parent_code, county_adcode`` (:func:`sxgeo.admin.load_divisions`).
    aliases : pandas.DataFrame, optional
        :func:`load_aliases` (default: the shipped table).
    history : pandas.DataFrame, optional
        :func:`load_history` (default: the shipped earlier editions); an empty frame: none.
    crosswalk : pandas.DataFrame, optional
        Town crosswalk ``nbs_code, mca_code`` (default: the shipped ``town_codes_mca.csv``, or a
        planner's table of the same two columns).
    """

    def __init__(
        self,
        divisions: pd.DataFrame,
        aliases: pd.DataFrame | None = None,
        *,
        history: pd.DataFrame | None = None,
        crosswalk: pd.DataFrame | None = None,
    ) -> None:
        d = _prepared(divisions[["code", "name", "level", "parent_code", "county_adcode"]].astype(str))
        names = dict(zip(d["code"], d["name"], strict=True))
        d["town_name"] = [
            names.get(p, "") if lv == "village" else ""
            for p, lv in zip(d["parent_code"], d["level"], strict=True)
        ]
        self.table = d.reset_index(drop=True)
        self.names = names
        self.town_codes = set(d.loc[d["level"] == "town", "code"])
        self.history = self._prepare_history(load_history() if history is None else history)
        if crosswalk is None:  # the shipped one, cut to the towns of these divisions
            walk = load_code_table("mca")
            self.crosswalk = check_crosswalk(walk[walk["nbs_code"].isin(self.town_codes)], self.town_codes)
        else:
            self.crosswalk = check_crosswalk(crosswalk, self.town_codes)
        self.mca_to_nbs = dict(zip(self.crosswalk["mca_code"], self.crosswalk["nbs_code"], strict=True))
        self.nbs_to_mca = dict(zip(self.crosswalk["nbs_code"], self.crosswalk["mca_code"], strict=True))
        self.aliases = load_aliases() if aliases is None else aliases
        self._county_names: dict[str, str] = {}
        for c in COUNTIES:
            self._county_names[normalise(c.name_zh)] = c.adcode
        for _, a in self.aliases.iterrows():
            if a["level"] == "county" and a["new_code"] in COUNTY_BY_CODE:
                self._county_names.setdefault(normalise(a["old_name"]), a["new_code"])

    # ---- scope -------------------------------------------------------------------------------
    def county_parts(self, text: Any) -> list[tuple[str, str]]:
        """Counties that received part of an old county (alias rows of level ``county_part``).

        绍兴县 became 柯桥区 except 孙端, 陶堰 and 富盛, which went to 越城区 (国函〔2013〕112号): a
        row written under 绍兴县 that is not found in 柯桥区 is looked for there.

        Returns
        -------
        list of tuple
            ``(adcode, old name)`` per part.
        """
        s = normalise(text)
        if not s:
            return []
        parts = self.aliases[self.aliases["level"] == "county_part"]
        hit = parts[
            [
                normalise(n) == s or (c is not None and s[:6] == c)
                for n, c in zip(parts["old_name"], parts["old_code"], strict=True)
            ]
        ]
        return [(str(c), str(n)) for c, n in zip(hit["new_code"], hit["old_name"], strict=True)]

    def county(self, text: Any) -> tuple[str | None, str]:
        """Resolve a county cell (name, short name, old name or code) to an adcode.

        Returns
        -------
        tuple
            The adcode (None when unknown) and how it was found.
        """
        s = normalise(text)
        if not s:
            return None, ""
        for p in PREFIXES:
            if s.startswith(p) and len(s) > len(p):
                s = s[len(p) :]
        if s.isdigit():
            code = s[:6]
            if code in COUNTY_BY_CODE:
                return code, "county code"
            hit = self.aliases[(self.aliases["old_code"] == code) & (self.aliases["level"] == "county")]
            if len(hit):
                return str(hit["new_code"].iloc[0]), f"old code {code} -> {hit['new_code'].iloc[0]}"
            return None, f"county code {code} unknown"
        if s in self._county_names:
            code = self._county_names[s]
            rule = (
                "county name"
                if normalise(COUNTY_BY_CODE[code].name_zh) == s
                else f"old name {s} -> {COUNTY_BY_CODE[code].name_zh}"
            )
            return code, rule
        for c in COUNTIES:  # 越城, 诸暨 (current names only: 绍兴 is the city, not 绍兴县)
            if s == c.name_zh[:-1]:
                return c.adcode, "county short name"
        return None, f"county {text!s} unknown"

    def _prepare_history(self, history: pd.DataFrame) -> pd.DataFrame:
        cols = ["code", "name", "level", "parent_code", "county_adcode", "last_edition", "relation",
                "successor_codes", "successor_towns", "rule"]  # fmt: skip
        if history.empty:
            return pd.DataFrame(columns=[*cols, "norm", "core", "kind", "canon", "towns_now"])
        h = _prepared(history[cols].astype(str))
        own = np.where(h["level"] == "town", h["code"], h["parent_code"])
        towns_now = [
            frozenset(x for x in [p, *t.split(";")] if x)
            for p, t in zip(own, h["successor_towns"], strict=True)
        ]
        h["towns_now"] = pd.Series(towns_now, index=h.index, dtype=object)
        return h.reset_index(drop=True)

    def town_scope(self, town: str | None) -> frozenset[str]:
        """The 2023 towns a town code stands for: itself, or the successors of an old town."""
        if town is None:
            return frozenset()
        if town in self.town_codes:
            return frozenset([town])
        h = self.history[(self.history["level"] == "town") & (self.history["code"] == town)]
        return frozenset(c for t in h["successor_towns"] for c in t.split(";") if c)

    def town(self, text: Any, county: str | None, *, codes: str = "nbs") -> tuple[str | None, str]:
        """Resolve a town cell (name or code) within a county to its code.

        A code is read in *codes* (``mca``: translated to the NBS code by the crosswalk); a name or
        code of an earlier edition gives its successor, or the old code itself when it has several
        (the row is then matched within all of them, :meth:`town_scope`).

        Returns
        -------
        tuple
            The town code (None when unknown or ambiguous) and how it was found (``"town"``
            for a plain hit).
        """
        s = normalise(text)
        if not s:
            return None, ""
        t = self.table[self.table["level"] == "town"]
        if county is not None:
            t = t[t["county_adcode"] == county]
        why = "town"
        if s.isdigit():
            code = s[:9]
            if codes == "mca":
                nbs = self.mca_to_nbs.get(code)
                if nbs is None:
                    return None, f"town code {code} is no ministry (MCA) town code of Shaoxing"
                if nbs != code:
                    why = f"ministry (MCA) town code {code} = NBS {nbs}"
                code = nbs
            hit = t[t["code"] == code]
            if hit.empty and codes != "mca":
                return self._old_town(self.history["code"] == code, county, text)
        else:
            hit = t[t["norm"] == s]
            if hit.empty:
                core, kind, _ = split_name(s)
                hit = t[(t["core"] == core) & ((t["kind"] == kind) | (kind is None))]
            if hit.empty:
                core, kind, _ = split_name(s)
                h = self.history
                return self._old_town(
                    (h["norm"] == s) | ((h["core"] == core) & (kind == "town")), county, text
                )
        if len(hit) == 1:
            return str(hit["code"].iloc[0]), why
        return None, f"town {text!s} {'ambiguous' if len(hit) > 1 else 'unknown'}"

    def _old_town(self, mask: Any, county: str | None, text: Any) -> tuple[str | None, str]:
        h = self.history[mask & (self.history["level"] == "town")]
        if county is not None:
            h = h[h["county_adcode"] == county]
        h = h[h["last_edition"] == h["last_edition"].max()] if len(h) else h
        if len(h) != 1:
            return None, f"town {text!s} {'ambiguous' if len(h) > 1 else 'unknown'}"
        r = h.iloc[0]
        now = [c for c in r["successor_towns"].split(";") if c]
        where = ", ".join(f"{c} {self.names.get(c, '')}" for c in now) or "no town of 2023"
        why = f"old town {r['name']} {r['code']} (NBS {r['last_edition']}), now {where}"
        return (now[0] if len(now) == 1 else str(r["code"])), why

    def _strip_prefix(self, s: str) -> tuple[str, str | None, str | None]:
        """Drop 浙江省/绍兴市 and a leading county (and town) name; return what they scope."""
        for p in PREFIXES:
            if s.startswith(p) and len(s) > len(p) + 1:
                s = s[len(p) :]
        county = None
        for name, code in sorted(self._county_names.items(), key=lambda kv: -len(kv[0])):
            if s.startswith(name) and len(s) > len(name) + 1:
                s, county = s[len(name) :], code
                break
        towns = self.table[self.table["level"] == "town"]
        if county is not None:
            towns = towns[towns["county_adcode"] == county]
        for norm, code in zip(towns["norm"], towns["code"], strict=True):
            if s.startswith(norm) and len(s) > len(norm) + 1:
                return s[len(norm) :], county, code
        # a town written with its old type (崧厦镇祝温村: 崧厦镇 became 崧厦街道): same core, any
        # town suffix; only when exactly one town of the scope has that core
        for suffix in TOWN_SUFFIXES:
            hits = [
                (core, code)
                for core, code in zip(towns["core"], towns["code"], strict=True)
                if core and s.startswith(core + suffix) and len(s) > len(core + suffix) + 1
            ]
            if len({code for _, code in hits}) == 1:
                core, code = hits[0]
                return s[len(core + suffix) :], county, code
        return self._strip_old_town(s, county)

    def _strip_old_town(self, s: str, county: str | None) -> tuple[str, str | None, str | None]:
        """A town of an earlier edition in front of a village name (双彩乡XX村): strip it."""
        h = self.history[self.history["level"] == "town"]
        if county is not None:
            h = h[h["county_adcode"] == county]
        for suffix in ("", *TOWN_SUFFIXES):
            hits = {
                code
                for norm, core, code in zip(h["norm"], h["core"], h["code"], strict=True)
                if (p := norm if not suffix else core + suffix)
                and core
                and s.startswith(p)
                and len(s) > len(p) + 1
            }
            if len(hits) == 1:
                code = hits.pop()
                r = h[h["code"] == code].iloc[0]
                p = r["norm"] if not suffix else r["core"] + suffix
                now = self.town_scope(code)
                return (
                    s[len(p) :],
                    county or str(r["county_adcode"]),
                    (next(iter(now)) if len(now) == 1 else code),
                )
        return s, county, None

    # ---- one name ----------------------------------------------------------------------------
    def match(  # noqa: C901 (the rules are a readable sequence)
        self,
        name: Any,
        *,
        county: str | None = None,
        town: str | None = None,
        options: MatchOptions | None = None,
    ) -> dict[str, Any]:
        """Match one name within an optional county and town.

        Parameters
        ----------
        name : Any
            The name as written.
        county, town : str, optional
            Adcode and town code scoping the search (already resolved).
        options : MatchOptions, optional
            Cutoff, lead, level.

        Returns
        -------
        dict
            ``code, matched_name, level, status, score, rule, candidates, note``.
        """
        opts = options or MatchOptions()
        raw = "" if name is None or (isinstance(name, float) and pd.isna(name)) else str(name).strip()
        s = normalise(raw)
        notes = []
        if not s:
            return _result(status="unmatched", rule="empty name")
        s, county_in_name, town_in_name = self._strip_prefix(s)
        if county_in_name is not None:
            if county is not None and county != county_in_name:
                notes.append(f"name names county {county_in_name}, row says {county}")
            county = county or county_in_name
        if town_in_name is not None:
            town = town or town_in_name
        core, kind, suffix = split_name(s)
        pool = self.table
        if opts.level is not None:
            pool = pool[pool["level"] == opts.level]
        elif kind == "town":
            pool = pool[pool["level"] == "town"]
        elif kind is not None:
            pool = pool[pool["level"] == "village"]
        if county is not None:
            pool = pool[pool["county_adcode"] == county]
        if town is not None:
            scope = self.town_scope(town)
            pool = pool[pool["parent_code"].isin(scope) | pool["code"].isin(scope)]
        note = "; ".join(notes)

        hit = pool[pool["name"] == raw]
        if len(hit) == 1:
            return _result(hit.iloc[0], status="exact", score=100.0, rule="exact name", note=note)
        if len(hit) > 1:
            return _ambiguous(hit, "exact name, several places (name a county or town)", note)
        hit = pool[pool["norm"] == s]
        if len(hit) == 1:
            return _result(hit.iloc[0], status="normalised", score=100.0, rule="normalised name", note=note)
        if len(hit) > 1:
            return _ambiguous(hit, "normalised name, several places (name a county or town)", note)
        same_core = pool[pool["core"] == core]
        typed = same_core if kind is None else same_core[same_core["kind"] == kind]
        if len(typed) == 1:
            r = typed.iloc[0]
            rule = f"core + type ({suffix or 'no suffix'} = {r['name'][len(r['core']) :]})"
            return _result(r, status="normalised", score=100.0, rule=rule, note=note)
        if len(typed) > 1:
            return _ambiguous(typed, f"core {core!r} + type fits {len(typed)} places", note)
        alias = self.aliases[[normalise(a) == s for a in self.aliases["old_name"]]]
        alias = alias[alias["new_code"].isin(pool["code"])]
        if len(alias) >= 1:
            r = pool[pool["code"] == alias["new_code"].iloc[0]].iloc[0]
            return _result(
                r,
                status="normalised",
                score=100.0,
                rule=f"alias {alias['old_name'].iloc[0]} -> {r['name']}",
                note=note,
            )
        old = self.historical(raw, s, county=county, town=town, options=opts, note=note)
        if old is not None:
            return old
        if len(same_core) == 1:
            r = same_core.iloc[0]
            return _result(
                r,
                status="fuzzy",
                score=90.0,
                rule=f"core {core!r}, type differs ({suffix} vs {r['name'][len(core) :]})",
                note=note,
            )
        if len(same_core) > 1:
            return _ambiguous(same_core, f"core {core!r} fits {len(same_core)} places of other types", note)
        return self._fuzzy(s, core, kind, suffix, pool, county=county, opts=opts, note=note)

    def historical(
        self,
        raw: str,
        s: str,
        *,
        county: str | None,
        town: str | None,
        options: MatchOptions,
        note: str = "",
    ) -> dict[str, Any] | None:
        """Match a name to the towns and villages of earlier editions that 2023 no longer has.

        Rules, in order: the name as written, the normalised name, the core name and type (村 =
        村委会); within the county and the town (an old town, or a 2023 town that continues it).
        Where several old units fit, the latest edition wins; several of that edition: ambiguous.

        Parameters
        ----------
        raw, s : str
            The name as written and normalised (province, county and town prefixes removed).
        county, town : str, optional
            Scope (adcode; a 2023 or an old town code).
        options : MatchOptions
            ``level`` restricts the level.
        note : str
            Carried into the result.

        Returns
        -------
        dict or None
            A ``historical`` (or ``ambiguous``) result, None when no old name fits.
        """
        h = self.history
        if h.empty:
            return None
        core, kind, _ = split_name(s)
        if options.level is not None:
            h = h[h["level"] == options.level]
        elif kind == "town":
            h = h[h["level"] == "town"]
        elif kind is not None:
            h = h[h["level"] == "village"]
        if county is not None:
            h = h[h["county_adcode"] == county]
        if town is not None:
            scope = self.town_scope(town) | {town}
            h = h[
                [
                    bool(now & scope) or p in scope
                    for now, p in zip(h["towns_now"], h["parent_code"], strict=True)
                ]
            ]
        rules = (
            ("old name as written", h["name"] == raw),
            ("old name normalised", h["norm"] == s),
            ("old core + type", (h["core"] == core) & ((h["kind"] == (kind or "")) | (kind is None))),
        )
        for how, mask in rules:
            hit = h[mask]
            if hit.empty:
                continue
            hit = hit[hit["last_edition"] == hit["last_edition"].max()]
            if len(hit) > 1:
                rows = [(r, None) for _, r in hit.sort_values("code").iterrows()]
                return _result(
                    status="ambiguous",
                    score=100.0,
                    rule=f"{how}: {len(hit)} units of NBS {hit['last_edition'].iloc[0]}",
                    candidates=_candidates(rows, self.names),
                    note=note,
                )
            return self._historical_result(hit.iloc[0], how, note)
        return None

    def _historical_result(self, r: pd.Series, how: str, note: str) -> dict[str, Any]:
        codes = [c for c in r["successor_codes"].split(";") if c]
        towns = [c for c in r["successor_towns"].split(";") if c]
        rel = r["relation"]
        res = _result(r, status="historical", score=100.0, rule="", note=note)
        res["edition"] = f"NBS {r['last_edition']}"
        town_names = ", ".join(f"{c} {self.names.get(c, '')}" for c in towns)
        if rel == "successor" and codes:
            res["successor_code"] = ";".join(codes)
            res["successor_name"] = ";".join(self.names.get(c, "") for c in codes)
            what = "successor" if len(codes) == 1 else f"{len(codes)} successors"
        elif rel == "candidates" and codes:
            rows = [(self.table[self.table["code"] == c].iloc[0], None) for c in codes if c in self.names]
            res["candidates"] = _candidates(rows, self.names)
            what = f"{len(codes)} candidate successors in {town_names}"
        elif towns:
            what = f"no successor village known; its area is now in {town_names}"
        else:
            what = "no successor in the 2023 edition"
        res["rule"] = f"historical: {how} in NBS {r['last_edition']} ({what}; {r['rule']})"
        return res

    def _fuzzy(
        self,
        s: str,
        core: str,
        kind: str | None,
        suffix: str,
        pool: pd.DataFrame,
        *,
        county: str | None,
        opts: MatchOptions,
        note: str,
    ) -> dict[str, Any]:

        target = canonical(core, kind, suffix) if kind is not None else s
        choices = pool["canon"].tolist() if kind is not None else pool["norm"].tolist()
        scored = process.extract(target, choices, scorer=fuzz.ratio, processor=None, limit=5)
        near = [(pool.iloc[i], float(sc)) for _, sc, i in scored]
        if county is None:
            extra = "fuzzy matching needs a county (county column or --county)"
            return _result(
                status="unmatched",
                rule="no exact or normalised match",
                candidates=_candidates(near[:3]),
                note="; ".join(x for x in (note, extra) if x),
                score=near[0][1] if near else None,
            )
        above = [(r, sc) for r, sc in near if sc >= opts.cutoff]
        if not above:
            return _result(
                status="unmatched",
                rule=f"no candidate with ratio >= {opts.cutoff:g}",
                candidates=_candidates(near[:3]),
                score=near[0][1] if near else None,
                note=note,
            )
        best, top = above[0]
        second = near[1][1] if len(near) > 1 else 0.0
        if top - second >= opts.lead:
            rule = f"fuzzy ratio {top:.0f} (lead {top - second:.0f} over the next)"
            return _result(
                best, status="fuzzy", score=top, rule=rule, candidates=_candidates(near[:3]), note=note
            )
        rule = f"fuzzy: best {top:.0f} leads the next by {top - second:.0f} < {opts.lead:g}"
        return _result(status="ambiguous", score=top, rule=rule, candidates=_candidates(near), note=note)


def _candidates(rows: Sequence[tuple[pd.Series, float | None]], names: dict[str, str] | None = None) -> str:
    parts = []
    for r, sc in rows:
        town_name = r.get("town_name", "") or (
            (names or {}).get(r["parent_code"], "") if r["level"] == "village" else ""
        )
        where = f"{town_name}, " if town_name else ""
        county = (
            COUNTY_BY_CODE[r["county_adcode"]].name_zh
            if r["county_adcode"] in COUNTY_BY_CODE
            else r["county_adcode"]
        )
        score = f" {sc:.0f}" if sc is not None else ""
        parts.append(f"{r['code']} {r['name']} ({where}{county}){score}")
    return "; ".join(parts)


def _ambiguous(hit: pd.DataFrame, rule: str, note: str) -> dict[str, Any]:
    rows = [(r, None) for _, r in hit.sort_values("code").iterrows()]
    return _result(status="ambiguous", score=100.0, rule=rule, candidates=_candidates(rows), note=note)


def _result(
    row: pd.Series | None = None,
    *,
    status: str,
    rule: str,
    score: float | None = None,
    candidates: str = "",
    note: str = "",
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": None,
        "matched_name": None,
        "level": None,
        "town_code": None,
        "county_adcode": None,
        "status": status,
        "score": score,
        "rule": rule,
        "candidates": candidates,
        "note": note,
        "edition": None,
        "successor_code": None,
        "successor_name": None,
    }
    if row is not None:
        out |= {
            "code": row["code"],
            "matched_name": row["name"],
            "level": row["level"],
            "town_code": row["parent_code"] if row["level"] == "village" else row["code"],
            "county_adcode": row["county_adcode"],
            "edition": CURRENT_EDITION,
        }
    return out


def check_crosswalk(walk: pd.DataFrame, town_codes: set[str], *, source: str = "crosswalk") -> pd.DataFrame:
    """Check a town crosswalk (``nbs_code, mca_code`` per row) and return it with codes as text.

    The shipped one is ``layers/town_codes_mca.csv``; a planner may supply another (the ministry's
    codes of a later year) with the same two columns.

    Raises
    ------
    SchemaError
        On a missing column, a code that is not 9 digits, an NBS code that is no 2023 town, or a
        code given twice (the crosswalk must be one to one).
    """
    missing = {"nbs_code", "mca_code"} - set(walk.columns)
    if missing:
        msg = f"{source}: missing column(s) {sorted(missing)}; a crosswalk has nbs_code, mca_code per town"
        raise SchemaError(msg)
    out = walk.copy()
    for col in ("nbs_code", "mca_code"):
        out[col] = code_column(out[col], source=source, column=col, lengths=(9,))
    unknown = out[~out["nbs_code"].isin(town_codes)]
    if len(unknown):
        row = int(unknown.index[0]) + 2
        msg = (
            f"{source}: row {row} nbs_code {unknown['nbs_code'].iloc[0]} is no 2023 town code; check the row"
        )
        raise SchemaError(msg)
    for col in ("nbs_code", "mca_code"):
        dup = out[out[col].duplicated(keep=False)]
        if len(dup):
            msg = f"{source}: {col} {dup[col].iloc[0]} is on {len(dup)} rows; each town once"
            raise SchemaError(msg)
    return out


def _town_codes_in(values: Sequence[Any]) -> list[tuple[int, str, str]]:
    """(position, 9-digit town code, full code) of the cells holding a 9- or 12-digit code."""
    out = []
    for i, v in enumerate(values):
        try:
            code = code_text(v, lengths=(9, 12), other=True)
        except SchemaError:
            continue
        if code is not None and code.isdigit() and len(code) in (9, 12):
            out.append((i, code[:9], code))
    return out


def detect_codes(
    table: pd.DataFrame,
    gazetteer: Gazetteer,
    *,
    name_col: str | None = None,
    town_col: str | None = None,
    code_col: str | None = None,
) -> tuple[str, str]:
    """Tell the code system of a list's town codes: ``nbs`` or ``mca``.

    Each row with a town code (a code in the town column, or the first nine digits of a code in the
    code column) votes: a code only one system has votes for it; a code both systems give to the
    same town does not vote; a code both give to different towns (e.g. 330603006: NBS 福全街道, MCA
    安昌街道) votes for the system in whose town the row's name is found. A 12-digit code of the
    NBS village list votes ``nbs`` (the ministry publishes no village codes).

    Returns
    -------
    tuple
        ``(system, reason)``; ``nbs`` when no row votes (both systems read the list alike).

    Raises
    ------
    SchemaError
        When rows vote for both systems (a list mixing codes): the rows are named; pass ``--codes``.
    """
    nbs_codes = gazetteer.town_codes | set(
        gazetteer.history.loc[gazetteer.history["level"] == "town", "code"]
    )
    village_codes = set(gazetteer.table["code"]) | set(gazetteer.history["code"])
    votes: dict[str, list[int]] = {"nbs": [], "mca": []}
    cells: list[tuple[int, str, str]] = []
    for col in (town_col, code_col):
        if col is not None:
            cells += _town_codes_in(table[col].tolist())
    for i, town, full in cells:
        in_nbs, in_mca = town in nbs_codes, town in gazetteer.mca_to_nbs
        if len(full) == 12:
            if full in village_codes:
                votes["nbs"].append(i)
            continue
        if in_nbs and not in_mca:
            votes["nbs"].append(i)
        elif in_mca and not in_nbs:
            votes["mca"].append(i)
        elif in_nbs and in_mca and gazetteer.mca_to_nbs[town] != town and name_col is not None:
            name = table[name_col].iloc[i]
            for system, nbs_town in (("nbs", town), ("mca", gazetteer.mca_to_nbs[town])):
                got = gazetteer.match(name, town=nbs_town)
                if got["status"] in ("exact", "normalised", "historical"):
                    votes[system].append(i)
                    break
    rows = {k: [sheet_rows(table)[i] for i in sorted(set(v))] for k, v in votes.items()}
    if rows["nbs"] and rows["mca"]:
        src = str(table.attrs.get("source", "list"))
        msg = (
            f"{src}: town codes of both systems: NBS (统计用区划代码) on rows {_some(rows['nbs'])}, ministry "
            f"(MCA 行政区划代码) on rows {_some(rows['mca'])}; pass --codes nbs or --codes mca"
        )
        raise SchemaError(msg)
    if rows["mca"]:
        return "mca", f"ministry (MCA) town codes on rows {_some(rows['mca'])}"
    if rows["nbs"]:
        return "nbs", f"NBS codes on rows {_some(rows['nbs'])}"
    return "nbs", "no code tells the systems apart (NBS read)"


def _some(rows: list[int]) -> str:
    return ", ".join(str(r) for r in rows[:8]) + (f" and {len(rows) - 8} more" if len(rows) > 8 else "")


def town_code_mca(res: dict[str, Any], gazetteer: Gazetteer) -> str | None:
    """The ministry's code of a result's 2023 town (of the successor town for a historical row)."""
    if res["status"] == "historical":
        now = gazetteer.town_scope(res["town_code"]) if res["town_code"] else frozenset()
        if res.get("successor_code"):
            succ = [c for c in str(res["successor_code"]).split(";") if c]
            now = frozenset(c if c in gazetteer.town_codes else c[:9] for c in succ)
        return gazetteer.nbs_to_mca.get(next(iter(now))) if len(now) == 1 else None
    return gazetteer.nbs_to_mca.get(res["town_code"]) if res["town_code"] else None


NAME_COLUMNS = columns.NAME
COUNTY_COLUMNS = columns.COUNTY
TOWN_COLUMNS = columns.TOWN


def find_column(
    columns: list[Any], given: str | None, names: tuple[str, ...], what: str, *, required: bool
) -> str | None:
    """The column of *what*: the one given, else the first of the usual *names* present.

    Kept for one release; call :func:`sxgeo.io.columns.find_column` (the rule, with ``source`` and
    ``hint`` of your own).

    Raises
    ------
    SchemaError
        When *given* is not a column, or a required column is not found.
    """
    return find_column_in(
        columns,
        names,
        what=what,
        given=given,
        source="list",
        required=required,
        hint=f"name it with --{what}-col",
    )


def match_list(
    table: pd.DataFrame,
    gazetteer: Gazetteer,
    *,
    name_col: str | None = None,
    county_col: str | None = None,
    town_col: str | None = None,
    options: MatchOptions | None = None,
) -> pd.DataFrame:
    """Match every row of a planner's list (no row is dropped).

    Parameters
    ----------
    table : pandas.DataFrame
        The list as read (one row per pilot or candidate).
    gazetteer : Gazetteer
        The divisions and aliases.
    name_col, county_col, town_col : str, optional
        Columns; found by their usual names when not given (the name column is required).
    options : MatchOptions, optional
        Cutoff, lead, level, default county.

    Returns
    -------
    pandas.DataFrame
        One row per input row, in input order: ``row`` (1-based, as in a spreadsheet with a
        header: data row 1 is line 2), ``input_name, input_county, input_town, code, matched_name,
        level, town_code, county_adcode, status, score, rule, candidates, note, edition,
        successor_code, successor_name, codes, town_code_mca``: ``edition`` is the edition of
        ``code`` (``NBS 2023``, or the earlier one of a ``historical`` row), ``codes`` the system the
        list's town codes were read in (``nbs``/``mca``, given or :func:`detect_codes`),
        ``town_code_mca`` the ministry's code of the matched 2023 town.

    Raises
    ------
    SchemaError
        On a missing name column, an unknown ``codes``, or a list mixing both code systems.
    """
    opts = options or MatchOptions()
    cols = list(table.columns)
    src = str(table.attrs.get("source", "list"))
    name_c = find_column_in(
        cols, NAME_COLUMNS, what="name", given=name_col, source=src, hint="name it with --name-col"
    )
    assert name_c is not None  # required=True raises instead
    county_c = find_column_in(
        cols, COUNTY_COLUMNS, what="county", given=county_col, source=src, required=False
    )
    town_c = find_column_in(cols, TOWN_COLUMNS, what="town", given=town_col, source=src, required=False)
    if town_c == name_c or county_c == name_c:
        town_c = None if town_c == name_c else town_c
        county_c = None if county_c == name_c else county_c
    code_c = find_column_in(cols, CODE_COLUMNS, what="code", source=src, required=False)
    code_c = None if code_c in (name_c, county_c, town_c) else code_c
    if opts.codes is not None and opts.codes not in CODE_SYSTEMS:
        msg = f"codes {opts.codes!r}: use nbs (统计用区划代码) or mca (民政部 行政区划代码)"
        raise SchemaError(msg)
    if opts.codes is None:
        codes, how = detect_codes(table, gazetteer, name_col=name_c, town_col=town_c, code_col=code_c)
        log.info("%s: town codes read as %s (%s)", src, codes, how)
    else:
        codes = opts.codes
    rows = []
    for i, (_, rec) in enumerate(table.iterrows(), start=1):
        county_text = rec[county_c] if county_c is not None else None
        town_text = rec[town_c] if town_c is not None else None
        notes = []
        county, why = gazetteer.county(county_text) if county_c is not None else (None, "")
        if county is None and why:
            notes.append(why + "; matched city-wide")
        elif why and why not in ("county name", "county code", "county short name"):
            notes.append(why)
        county = county or opts.county
        town, twhy = gazetteer.town(town_text, county, codes=codes) if town_c is not None else (None, "")
        if town is None and twhy:
            notes.append(twhy + "; matched within the county")
        elif twhy not in ("", "town"):
            notes.append(twhy)
        res = gazetteer.match(rec[name_c], county=county, town=town, options=opts)
        if res["status"] == "unmatched" and county_c is not None:
            for part, old in gazetteer.county_parts(county_text):
                ptown, _ = gazetteer.town(town_text, part, codes=codes) if town_c is not None else (None, "")
                alt = gazetteer.match(rec[name_c], county=part, town=ptown, options=opts)
                if alt["status"] != "unmatched":
                    res = alt
                    c = COUNTY_BY_CODE.get(county or "")
                    here, there = (c.name_zh if c else "its county"), COUNTY_BY_CODE[part].name_zh
                    notes.append(f"not in {here}; part of old {old} now in {there}")
                    break
        if code_c is not None:
            notes.append(_code_check(rec[code_c], res, codes, gazetteer))
        res["note"] = "; ".join(x for x in [*notes, res["note"]] if x)
        res["codes"] = codes
        res["town_code_mca"] = town_code_mca(res, gazetteer)
        rows.append(
            {
                "row": i,
                "input_name": _text(rec[name_c]),
                "input_county": _text(county_text),
                "input_town": _text(town_text),
                **res,
            }
        )
    out = pd.DataFrame(rows)
    counts = out["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    log.info("matched %d rows: %s", len(out), ", ".join(f"{k} {v}" for k, v in counts.items()))
    return out


def _code_check(value: Any, res: dict[str, Any], codes: str, gazetteer: Gazetteer) -> str:
    """A note when the list's own code disagrees with the match (empty when it agrees or is blank)."""
    cells = _town_codes_in([value])
    if not cells or res["code"] is None:
        return ""
    _, town, full = cells[0]
    if len(full) == 9 and codes == "mca":
        nbs = gazetteer.mca_to_nbs.get(town)
        full = nbs if nbs is not None else full
        said = (
            f"list code {town} (MCA) = NBS {full}" if nbs is not None else f"list code {town} (MCA unknown)"
        )
    else:
        said = f"list code {full}"
    if full in (res["code"], res["town_code"], res.get("successor_code")):
        return ""
    return f"{said} differs from the match {res['code']}"


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value)


MATCH_LABELS_ZH = {
    "row": "行号",
    "input_name": "原名称",
    "input_county": "原县区",
    "input_town": "原乡镇",
    "code": "区划代码",
    "matched_name": "匹配名称",
    "level": "层级",
    "town_code": "乡镇代码",
    "county_adcode": "县区代码",
    "status": "匹配状态",
    "score": "匹配得分",
    "rule": "匹配规则",
    "candidates": "候选",
    "note": "说明",
    "edition": "代码版本",
    "successor_code": "现行代码",
    "successor_name": "现行名称",
    "codes": "代码体系",
    "town_code_mca": "乡镇代码(民政部)",
}
"""Chinese column labels of the match table."""


def check_coordinates(
    table: pd.DataFrame, matched: pd.DataFrame, counties: Any, *, crs: Any = None
) -> pd.DataFrame:
    """Place rows that carry coordinates and check them against the county of their match.

    Parameters
    ----------
    table : pandas.DataFrame
        The list as read.
    matched : pandas.DataFrame
        :func:`match_list` of *table* (same row order).
    counties : geopandas.GeoDataFrame
        County polygons with ``adcode``.
    crs : str or int, optional
        CRS of the coordinates: 4326 (default), 4490, 4549, ``gcj02`` (AMap/Gaode/Tencent) or ``bd09``.

    Returns
    -------
    pandas.DataFrame
        *matched* with ``lon, lat`` (WGS84) and ``point_county`` added, and a note where the point lies
        in another county than the matched code (or outside every county); unchanged when the list
        has no coordinate columns.
    """
    cols = list(table.columns)
    lon_c = find_column_in(cols, columns.LON, what="lon", source="list", required=False)
    lat_c = find_column_in(cols, columns.LAT, what="lat", source="list", required=False)
    if lon_c is None or lat_c is None:
        return matched
    x = pd.to_numeric(table[lon_c], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(table[lat_c], errors="coerce").to_numpy(dtype=float)
    kind = str(crs).lower() if crs is not None else "4326"
    swapped = swapped_lonlat(x, y) if kind in DEGREE_KINDS else np.zeros(len(x), dtype=bool)
    if swapped.any():
        x, y = np.where(swapped, y, x), np.where(swapped, x, y)
        file_rows = sheet_rows(table)
        rows = ", ".join(str(file_rows[i]) for i in np.flatnonzero(swapped)[:10])
        log.warning(
            "%s: rows %s give %s and %s the wrong way round (Shaoxing lies at 120-121 E, 29-30 N); swapped",
            str(table.attrs.get("source", "list")), rows, lon_c, lat_c,
        )  # fmt: skip
    if kind in ("gcj02", "bd09"):
        convert = sxcrs.gcj02_to_wgs84 if kind == "gcj02" else sxcrs.bd09_to_wgs84
        ok = ~(np.isnan(x) | np.isnan(y))
        lon, lat = np.full_like(x, np.nan), np.full_like(y, np.nan)
        if ok.any():
            lon[ok], lat[ok] = convert(x[ok], y[ok])
    else:
        pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=sxcrs.parse_crs(crs or 4326)).to_crs(4326)
        lon, lat = pts.x.to_numpy(), pts.y.to_numpy()
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326).to_crs(counties.crs)
    hit = gpd.sjoin(points, counties[["adcode", "geometry"]], how="left", predicate="within")
    where = hit.groupby(level=0)["adcode"].first().reindex(range(len(points)))
    out = matched.copy()
    out["lon"], out["lat"] = lon, lat
    out["point_county"] = where.to_numpy()
    notes = []
    for i, (code_c, pt_c, has) in enumerate(
        zip(out["county_adcode"], out["point_county"], ~np.isnan(lon), strict=True)
    ):
        note = out["note"].iloc[i]
        extra = ""
        if has and pd.isna(pt_c):
            extra = "coordinates lie outside every county"
        elif has and isinstance(code_c, str) and code_c != pt_c:
            extra = f"coordinates lie in county {pt_c}, the matched code in {code_c}"
        elif has and not isinstance(code_c, str):
            extra = f"placed by its coordinates in county {pt_c}"
        if swapped[i]:
            extra = "; ".join(
                x for x in (f"{lon_c}/{lat_c} swapped (read as {x[i]:.5f} E, {y[i]:.5f} N)", extra) if x
            )
        notes.append("; ".join(x for x in (note, extra) if x))
    out["note"] = notes
    return out
