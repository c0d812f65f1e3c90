"""Rooftop PV under the 2025 distributed-PV measures: project types, grid modes, caps, self-use bound.

《分布式光伏发电开发建设管理办法》 (国能发新能规〔2025〕7号, signed 17 Jan 2025, published 23 Jan 2025;
English text of the notice at walkchic.com/industry/26.html, summarised in
``reference/rules-2026.md`` §2.1) classifies distributed PV by investor, connection voltage and
capacity, per *project*, not per roof:

==============================  =====================  ==================  =============================
type                            connection             capacity cap        grid modes allowed
==============================  =====================  ==================  =============================
自然人户用 natural person        <= 380 V               none                full feed-in, full self-use,
                                                                           self-use + surplus
非自然人户用 company on homes    <= 10 kV (20 kV)       <= 6 MW             the same three
一般工商业 general C&I           <= 10 kV (20 kV)       generally <= 6 MW   full self-use, self-use +
                                                                           surplus (never full feed-in)
大型工商业 large C&I             35 kV; 110 kV (66 kV)  20 MW; 50 MW        full self-use in principle
==============================  =====================  ==================  =============================

Per roof, :func:`base_types` reads the type from the roof category (``use``) and an owner field
through the cited mapping table ``sxgeo/data/pv_nea2025_types.csv`` (a planner may pass their
own). :func:`assign_projects` groups roofs into projects: one land-title parcel (a parcels layer,
or a ``parcel_id`` column), else one owner (``owner_id``), else one building: the measures'
self-use condition is the same land-title red line or the same legal entity. :func:`judge_projects`
then decides each project's final type (a C&I project above 6 MW becomes large C&I unless it is
given a connection at <= 20 kV, where it is flagged: the notice's own example, a 10 kV 8 MW project,
is not general C&I distributed PV) and flags projects above their type's cap.

The self-consumption bound (:func:`self_use_bound`): under self-use + surplus the province sets a
yearly minimum self-use share *s* of the generation. With a yearly consumption *C* of the project's
buildings, self-use cannot exceed *C*, so the generation may be at most *C / s*, and the capacity at
most ``C / s / Y`` (*Y* the project's yield per kWp). Zhejiang's share was not found (2025 values
elsewhere: Shandong draft, Hainan, Ningxia, Shanxi, Guangxi, Liaoning 50 %; Jilin 80 %; Chongqing
20 % / 40 %; reference/rules-2026.md §2.1): the default 0.5 is marked verify. The bound is yearly,
so an upper bound: hours of generation above the load are not checked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from sxgeo import crs as sxcrs
from sxgeo.data import read_param_table
from sxgeo.errors import SchemaError
from sxgeo.io.columns import find_column
from sxgeo.params import parse_numbers
from sxgeo.pv.aggregate import assign_points
from sxgeo.unit_table import unit_rows_by
from sxgeo.zonal import UNASSIGNED

log = logging.getLogger(__name__)

NATURAL = "natural_person_household"
"""自然人户用: a person on their own house (<= 380 V, no cap)."""
NON_NATURAL = "non_natural_person_household"
"""非自然人户用: a company on residents' houses (<= 10 kV, <= 6 MW)."""
GENERAL_CI = "general_ci"
"""一般工商业: public, commercial and industrial buildings (<= 10 kV, generally <= 6 MW)."""
LARGE_CI = "large_ci"
"""大型工商业: <= 20 MW at 35 kV, <= 50 MW at 110 kV (66 kV)."""
NEA_TYPES = (NATURAL, NON_NATURAL, GENERAL_CI, LARGE_CI)
"""The four project types of 国能发新能规〔2025〕7号, in the notice's order."""

TYPE_NAMES_ZH = {
    NATURAL: "自然人户用",
    NON_NATURAL: "非自然人户用",
    GENERAL_CI: "一般工商业",
    LARGE_CI: "大型工商业",
}
"""Chinese names of the types, as the notice writes them."""

FULL_FEED_IN, FULL_SELF_USE, SELF_USE_SURPLUS = "full_feed_in", "full_self_use", "self_use_surplus"
GRID_MODES = {
    NATURAL: f"{FULL_FEED_IN}|{FULL_SELF_USE}|{SELF_USE_SURPLUS}",
    NON_NATURAL: f"{FULL_FEED_IN}|{FULL_SELF_USE}|{SELF_USE_SURPLUS}",
    GENERAL_CI: f"{FULL_SELF_USE}|{SELF_USE_SURPLUS}",
    LARGE_CI: FULL_SELF_USE,
}
"""Grid modes each type may use (全额上网, 全部自发自用, 自发自用余电上网). Large C&I may also use
self-use + surplus where the electricity spot market runs continuously (not modelled)."""

HOUSEHOLD_KV = 0.38
"""自然人户用 connects at 380 V or below [kV]."""
LOW_VOLTAGE_KV = 0.4
"""The low-voltage class, written 0.38 or 0.4 kV (380/400 V networks are one class): a household given
0.4 kV is not flagged."""
DISTRIBUTION_KV = 20.0
"""Non-natural-person household and general C&I connect at 10 kV (20 kV) or below [kV]."""
SMALL_CAP_MW = 6.0
"""Cap of non-natural-person household projects, and the usual cap of general C&I [MW]."""
LARGE_CAP_35KV_MW = 20.0
"""Large C&I at 35 kV [MW]."""
LARGE_CAP_110KV_MW = 50.0
"""Large C&I at 110 kV (66 kV) [MW]."""

SELF_USE_SHARE = 0.5
"""Default yearly minimum self-use share for self-use + surplus C&I [verify]: Zhejiang's figure was
not found; 50 % is the value of Hainan, Ningxia, Shanxi, Guangxi, Liaoning (and Shandong's draft)."""

OWNER_KINDS = {
    "person": "person",
    "individual": "person",
    "natural_person": "person",
    "household": "person",
    "自然人": "person",
    "个人": "person",
    "农户": "person",
    "居民": "person",
    "company": "company",
    "enterprise": "company",
    "corporate": "company",
    "collective": "company",
    "企业": "company",
    "公司": "company",
    "法人": "company",
    "非自然人": "company",
    "村集体": "company",
}
"""Values of the owner field (``owner_type``, ``owner_kind``, ``产权人类型``) read as person or company."""
OWNER_KIND_COLUMNS = ("owner_type", "owner_kind", "产权人类型", "投资主体")
PARCEL_COLUMNS = ("parcel_id", "宗地号", "宗地代码", "不动产单元号")
OWNER_COLUMNS = ("owner_id", "owner", "产权人", "权利人")
KV_COLUMNS = ("grid_kv", "voltage_kv", "并网电压_kv", "并网电压")
CONSUMPTION_COLUMNS = ("consumption_mwh", "用电量_mwh", "年用电量_mwh")


def type_table(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The mapping roof category + owner kind -> NEA-2025 type (default the shipped, cited table).

    Parameters
    ----------
    table : pandas.DataFrame, optional
        A planner's table with ``category, owner_kind, nea2025_type`` (``owner_kind``: person,
        company or any).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    SchemaError
        A missing column, an unknown type or owner kind, or a (category, owner_kind) given twice.
    """
    t = read_param_table("pv_nea2025_types.csv") if table is None else table
    name = t.attrs.get("source", "NEA-2025 type table")
    missing = {"category", "owner_kind", "nea2025_type"} - set(t.columns)
    if missing:
        msg = f"{name}: lacks columns {sorted(missing)} (category, owner_kind, nea2025_type)"
        raise SchemaError(msg)
    t = t.assign(
        category=t["category"].astype(str).str.strip(),
        owner_kind=t["owner_kind"].astype(str).str.strip().str.lower(),
        nea2025_type=t["nea2025_type"].astype(str).str.strip(),
    )
    bad = sorted(set(t["nea2025_type"]) - set(NEA_TYPES))
    if bad:
        msg = f"{name}: unknown nea2025_type {bad}; use one of {', '.join(NEA_TYPES)}"
        raise SchemaError(msg)
    bad = sorted(set(t["owner_kind"]) - {"person", "company", "any"})
    if bad:
        msg = f"{name}: unknown owner_kind {bad}; use person, company or any"
        raise SchemaError(msg)
    dup = t.duplicated(["category", "owner_kind"])
    if dup.any():
        first = t.loc[dup].iloc[0]
        msg = f"{name}: category {first['category']!r} owner_kind {first['owner_kind']!r} given twice"
        raise SchemaError(msg)
    return t


def owner_kinds(roofs: pd.DataFrame) -> np.ndarray:
    """Owner kind of each roof (``person``, ``company``, or ``""`` when not given or not recognised)."""
    col = find_column(roofs.columns, OWNER_KIND_COLUMNS, what="owner kind", required=False, quiet=True)
    if col is None:
        return np.full(len(roofs), "", dtype=object)
    kinds = roofs[col].astype(str).str.strip().str.lower().map(OWNER_KINDS)
    return kinds.fillna("").to_numpy(dtype=object)


def base_types(roofs: pd.DataFrame, table: pd.DataFrame | None = None) -> np.ndarray:
    """Each roof's NEA-2025 type from its ``category`` and owner kind, before the project caps.

    Parameters
    ----------
    roofs : pandas.DataFrame
        With ``category`` (:func:`sxgeo.pv.capacity.building_potential`) and an optional owner
        kind column (:data:`OWNER_KIND_COLUMNS`).
    table : pandas.DataFrame, optional
        The mapping (:func:`type_table`).

    Returns
    -------
    numpy.ndarray of str

    Raises
    ------
    SchemaError
        For a category the mapping has no row for (neither its owner kind nor ``any``).
    """
    codes, types = _base_type_codes(roofs, table)
    return types[codes]


def _base_type_codes(roofs: pd.DataFrame, table: pd.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`base_types` as codes: each roof's index into the types, and the types (one per pair).

    One look-up per distinct (category, owner kind) pair, spread back to the roofs by code.
    """
    t = type_table(table)
    exact = {(c, o): v for c, o, v in zip(t["category"], t["owner_kind"], t["nea2025_type"], strict=True)}
    cat_code, cats = pd.factorize(roofs["category"].astype(str), use_na_sentinel=False)
    kind_code, kinds = pd.factorize(np.asarray(owner_kinds(roofs), dtype=object), use_na_sentinel=False)
    codes, pair_ids = pd.factorize(cat_code.astype(np.int64) * len(kinds) + kind_code)
    pairs = [(cats[i // len(kinds)], kinds[i % len(kinds)]) for i in pair_ids.tolist()]
    found = [exact.get((c, k)) or exact.get((c, "any")) for c, k in pairs]
    missing = sorted({c for (c, _), v in zip(pairs, found, strict=True) if v is None})
    if missing:
        name = t.attrs.get("source", "NEA-2025 type table")
        msg = f"{name}: no row for roof categories {missing}; add them (owner_kind any)"
        raise SchemaError(msg)
    return codes, np.asarray(found, dtype=object)


def _ids(values: pd.Series) -> np.ndarray:
    """Identifiers as text, ``""`` where blank."""
    s = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    return s.where(~s.isin(["nan", "None", "<NA>"]), "").to_numpy(dtype=object)


def assign_projects(
    roofs: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame | None = None, *, parcel_col: str | None = None
) -> tuple[np.ndarray, dict[str, int]]:
    """The project each roof belongs to: its parcel, else its owner, else its own building.

    Parameters
    ----------
    roofs : geopandas.GeoDataFrame
        Roofs with a CRS; optional ``parcel_id`` and ``owner_id`` columns (:data:`PARCEL_COLUMNS`,
        :data:`OWNER_COLUMNS`).
    parcels : geopandas.GeoDataFrame, optional
        Land-title parcels (宗地); a roof belongs to the parcel holding a point on its surface.
    parcel_col : str, optional
        Identifier column of *parcels* (default ``parcel_id`` or the usual names, else the row).

    Returns
    -------
    tuple
        ``project_id`` per roof (``parcel:<id>``, ``owner:<id>`` or ``roof:<n>``, n the row
        number), and how many roofs each basis grouped (``{"parcel", "owner", "roof"}``).
    """
    pid, grouped, _ = _assign_projects(roofs, parcels, parcel_col=parcel_col)
    return pid, grouped


def _assign_projects(
    roofs: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame | None = None, *, parcel_col: str | None = None
) -> tuple[np.ndarray, dict[str, int], np.ndarray]:
    """:func:`assign_projects`, and which roofs are alone in their project (``roof:<n>``)."""
    n = len(roofs)
    pid = np.full(n, "", dtype=object)
    if parcels is not None and len(parcels):
        p = sxcrs.to_metric(parcels, what="parcels").reset_index(drop=True)
        col = find_column(
            p.columns, PARCEL_COLUMNS, what="parcel id", given=parcel_col, required=False, quiet=True
        )
        if col is None:
            p = p.assign(_parcel=[str(i + 1) for i in range(len(p))])
            col = "_parcel"
        pts = shapely.point_on_surface(np.asarray(sxcrs.to_metric(roofs).geometry.values, dtype=object))
        hit = assign_points(pts, p.assign(**{col: _ids(p[col])}), col)
        pid = np.where(hit != "", "parcel:" + hit.astype(str), pid)
    col = find_column(roofs.columns, PARCEL_COLUMNS, what="parcel id", required=False, quiet=True)
    if col is not None:
        ids = _ids(roofs[col])
        pid = np.where((pid == "") & (ids != ""), "parcel:" + ids.astype(str), pid)
    by_parcel = int((pid != "").sum())
    col = find_column(roofs.columns, OWNER_COLUMNS, what="owner id", required=False, quiet=True)
    if col is not None:
        ids = _ids(roofs[col])
        pid = np.where((pid == "") & (ids != ""), "owner:" + ids.astype(str), pid)
    by_owner = int((pid != "").sum()) - by_parcel
    alone = pid == ""
    pid[alone] = _roof_ids(np.flatnonzero(alone))
    return pid.astype(object), {"parcel": by_parcel, "owner": by_owner, "roof": int(alone.sum())}, alone


def _roof_ids(rows: np.ndarray) -> np.ndarray:
    """``roof:<n>`` for each row number n, as Python strings (built by Arrow: a million in 0.2 s)."""
    text = pc.binary_join_element_wise("roof:", pc.cast(pa.array(rows, type=pa.int64()), pa.string()), "")
    return text.to_numpy(zero_copy_only=False).astype(object)


def project_codes(pid: np.ndarray, alone: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each roof's project as a number 0, 1, ... in the order of the projects' first roofs, and those rows.

    The numbering ``pandas.factorize(pid)`` gives (first appearance), without hashing the ``roof:<n>``
    ids of roofs alone in their project (a new number each): only the parcel and owner ids are hashed.

    Parameters
    ----------
    pid : numpy.ndarray of str
        ``project_id`` per roof (:func:`assign_projects`).
    alone : numpy.ndarray of bool, optional
        The roofs alone in their project (``roof:<n>``), when known; else read off the ids.

    Returns
    -------
    tuple of numpy.ndarray
        The project number of each roof, and the row of each project's first roof.
    """
    n = len(pid)
    if alone is None:
        alone = pd.Series(pid, dtype=object).str.startswith("roof:").to_numpy(dtype=bool)
    keyed = np.flatnonzero(~np.asarray(alone, dtype=bool))
    opens = np.ones(n, dtype=bool)
    first_of_key = np.empty(0, dtype=np.int64)
    key = np.empty(0, dtype=np.int64)
    if len(keyed):
        key, _ = pd.factorize(pid[keyed])
        first_of_key = np.full(int(key.max()) + 1, n, dtype=np.int64)
        np.minimum.at(first_of_key, key, keyed)
        opens[keyed] = False
        opens[first_of_key] = True
    number = np.cumsum(opens) - 1
    code = number.copy()
    if len(keyed):
        code[keyed] = number[first_of_key[key]]
    return code, np.flatnonzero(opens)


@dataclass(frozen=True)
class Projects:
    """Roofs grouped into projects and judged against the 2025 measures.

    Attributes
    ----------
    roofs : geopandas.GeoDataFrame
        The roofs with ``project_id, nea2025_type, grid_modes_allowed, grid_kv, kv_assumed,
        project_mwp, over_cap, cap_note`` (and ``consumption_mwh, self_use_bound_kwp`` when a
        consumption was given).
    projects : pandas.DataFrame
        One row per project: ``project_id, nea2025_type, roofs, capacity_kwp, generation_mwh,
        grid_kv, kv_assumed, cap_mw, over_cap, cap_note`` (and the consumption and bound).
    grouped : dict
        Roofs grouped by parcel, by owner, alone.
    """

    roofs: gpd.GeoDataFrame
    projects: pd.DataFrame
    grouped: dict[str, int]


_RANK = {NATURAL: 0, NON_NATURAL: 1, GENERAL_CI: 2, LARGE_CI: 3}


def judge_projects(base: pd.Series, mw: pd.Series, kv: pd.Series) -> pd.DataFrame:
    """Final type, connection voltage, cap and flag of each project (vectorised).

    Parameters
    ----------
    base : pandas.Series
        Type from the roofs (:func:`base_types`; a project of mixed roofs takes the highest of
        natural household < company household < general C&I < large C&I).
    mw : pandas.Series
        Project capacity [MW].
    kv : pandas.Series
        Connection voltage given for the project [kV], NaN where not given.

    Returns
    -------
    pandas.DataFrame
        Same index; ``nea2025_type, grid_kv, kv_assumed, cap_mw, over_cap, cap_note``. Without a
        given voltage a C&I project takes the lowest class its size allows (10 kV up to 6 MW,
        35 kV up to 20 MW, else 110 kV); with one at <= 20 kV it stays general C&I and is flagged
        above 6 MW.
    """
    m = mw.to_numpy(dtype=float)
    k = kv.to_numpy(dtype=float)
    # the types as numbers (0-3: NEA_TYPES' order; any other name after them): comparing a million
    # numbers, not a million strings
    b_code, b_names = pd.factorize(base.to_numpy(dtype=object), use_na_sentinel=False)
    names = [*NEA_TYPES, *(str(u) for u in b_names if u not in NEA_TYPES)]
    b = np.array([names.index(str(u)) for u in b_names], dtype=np.int64)[b_code]
    nat, non_nat, gen, big = (NEA_TYPES.index(x) for x in (NATURAL, NON_NATURAL, GENERAL_CI, LARGE_CI))
    given = np.isfinite(k)
    ci = (b == gen) | (b == big)
    at_distribution = given & (k <= DISTRIBUTION_KV)
    large = ci & ~at_distribution & ((b == big) | given | (m > SMALL_CAP_MW))
    t = np.where(ci, np.where(large, big, gen), b)
    auto_kv = np.select(
        [t == nat, (t == non_nat) | (t == gen), m <= LARGE_CAP_35KV_MW],
        [HOUSEHOLD_KV, 10.0, 35.0],
        110.0,
    )
    v = np.where(given, k, auto_kv)
    cap = np.select(
        [t == nat, (t == non_nat) | (t == gen), v < 66.0],
        [np.inf, SMALL_CAP_MW, LARGE_CAP_35KV_MW],
        LARGE_CAP_110KV_MW,
    )
    over_mw = m > cap + 1e-9
    wrong_kv = ((t == nat) & (v > LOW_VOLTAGE_KV)) | ((t == non_nat) & (v > DISTRIBUTION_KV))
    note = np.full(len(b), "", dtype=object)
    # the texts only for the flagged projects (a city's million roofs are nearly all unflagged)
    flagged = np.flatnonzero(over_mw | wrong_kv)
    if len(flagged):
        tf, of, wf = t[flagged], over_mw[flagged], wrong_kv[flagged]
        mw_txt = np.char.mod("%.2f", m[flagged]).astype(object)
        kv_txt = np.char.mod("%g", v[flagged]).astype(object)
        sub = np.full(len(flagged), "", dtype=object)
        sub = np.where(
            of & (tf == gen),
            mw_txt + " MW > 6 MW at " + kv_txt + " kV: not general C&I; needs 35 kV or more (large C&I)",
            sub,
        )
        sub = np.where(of & (tf == non_nat), mw_txt + " MW > 6 MW cap of non-natural-person household", sub)
        sub = np.where(
            of & (tf == big),
            mw_txt + " MW > large C&I cap at " + kv_txt + " kV (20 MW at 35 kV, 50 MW at 110 kV)",
            sub,
        )
        sub = np.where(
            wf & (tf == nat),
            "natural-person household connects at <= 380 V, given " + kv_txt + " kV",
            sub,
        )
        sub = np.where(
            wf & (tf == non_nat),
            "household projects connect at <= 10 kV (20 kV), given " + kv_txt + " kV",
            sub,
        )
        note[flagged] = sub
    note_code, note_names = pd.factorize(note)
    return pd.DataFrame(
        {
            "nea2025_type": text_column(t, names),
            "grid_kv": v,
            "kv_assumed": ~given,
            "cap_mw": np.where(np.isfinite(cap), cap, np.nan),
            "over_cap": over_mw | wrong_kv,
            "cap_note": text_column(note_code, note_names),
        },
        index=base.index,
    )


def text_column(codes: np.ndarray, names: Any) -> Any:
    """``names[codes]`` as a text column of pandas' default text dtype, built by Arrow when it is Arrow's.

    Assigning a million Python strings to a DataFrame makes pandas (3.x: the ``str`` dtype, stored in
    Arrow) convert them one by one, about 0.2 s per column; decoding a dictionary array of the few
    distinct texts gives the same column in a tenth of that. Where pandas keeps text as objects
    (pandas 2.x), the object array itself.

    Parameters
    ----------
    codes : numpy.ndarray of int
        Index into *names* per row (no missing values).
    names : sequence of str
        The distinct texts.

    Returns
    -------
    pandas.api.extensions.ExtensionArray or numpy.ndarray
    """
    texts = [str(x) for x in names]
    dtype = pd.Series(np.array(["a"], dtype=object)).dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return np.asarray(texts, dtype=object)[np.asarray(codes)]
    decoded = pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(codes, dtype=np.int32)), pa.array(texts, type=pa.large_string())
    ).dictionary_decode()
    return pd.arrays.ArrowStringArray(pa.chunked_array([decoded]), dtype=dtype)  # type: ignore[call-arg]


def consumption_mwh(roofs: pd.DataFrame, intensity: pd.DataFrame | None = None) -> np.ndarray | None:
    """Yearly electricity use of each roof's building [MWh], or None when nothing gives it.

    A ``consumption_mwh`` column wins where filled; else an intensity table (``category,
    kwh_m2``: yearly kWh per m² of floor area) times the floor area (footprint × ``floors``, or
    × ``height_m`` / 3 m, else × 1).

    Parameters
    ----------
    roofs : pandas.DataFrame
        Per-roof results with ``category`` and ``footprint_m2``.
    intensity : pandas.DataFrame, optional
        Per-category intensity.

    Returns
    -------
    numpy.ndarray or None
        NaN where neither gives a figure.
    """
    col = find_column(roofs.columns, CONSUMPTION_COLUMNS, what="consumption", required=False, quiet=True)
    given = None
    if col is not None:
        given = parse_numbers(roofs[[col]], [col], source="buildings", features=True)[col].to_numpy(float)
    if intensity is None:
        return given
    missing = {"category", "kwh_m2"} - set(intensity.columns)
    name = intensity.attrs.get("source", "intensity table")
    if missing:
        msg = f"{name}: lacks columns {sorted(missing)} (category, kwh_m2: yearly kWh per m2 of floor area)"
        raise SchemaError(msg)
    it = parse_numbers(intensity, ["kwh_m2"], source=name, required=True)
    per = dict(zip(it["category"].astype(str), it["kwh_m2"], strict=True))
    if "floors" in roofs.columns:
        storeys = pd.to_numeric(roofs["floors"], errors="coerce").to_numpy(float)
    elif "height_m" in roofs.columns:
        storeys = np.maximum(
            np.round(pd.to_numeric(roofs["height_m"], errors="coerce").to_numpy(float) / 3.0), 1
        )
    else:
        storeys = np.ones(len(roofs))
    storeys = np.where(np.isfinite(storeys) & (storeys > 0), storeys, 1.0)
    rate = roofs["category"].astype(str).map(per).to_numpy(dtype=float)
    derived = rate * roofs["footprint_m2"].to_numpy(dtype=float) * storeys / 1000.0
    return derived if given is None else np.where(np.isfinite(given), given, derived)


def self_use_bound(
    capacity_kwp: np.ndarray, generation_mwh: np.ndarray, consumption: np.ndarray, share: float
) -> np.ndarray:
    """Capacity the yearly self-use rule allows [kWp]: ``min(P, C / s / Y)``, Y = E / P.

    Parameters
    ----------
    capacity_kwp, generation_mwh : numpy.ndarray
        Technical capacity [kWp] and yearly generation [MWh] per project.
    consumption : numpy.ndarray
        Yearly consumption of the project's buildings [MWh] (NaN: unknown -> NaN).
    share : float
        Minimum yearly self-use share of the generation (0-1].

    Returns
    -------
    numpy.ndarray
    """
    p = np.asarray(capacity_kwp, dtype=float)
    e = np.asarray(generation_mwh, dtype=float)
    c = np.asarray(consumption, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(p > 0, e / p, 0.0)  # MWh per kWp
        allowed = np.where(y > 0, c / share / y, np.inf)
    return np.where(np.isfinite(c), np.minimum(p, allowed), np.nan)


def classify(
    roofs: gpd.GeoDataFrame,
    *,
    table: pd.DataFrame | None = None,
    parcels: gpd.GeoDataFrame | None = None,
    intensity: pd.DataFrame | None = None,
    self_use_share: float = SELF_USE_SHARE,
) -> Projects:
    """Types, projects, caps and the self-use bound of every roof.

    Parameters
    ----------
    roofs : geopandas.GeoDataFrame
        From :func:`sxgeo.pv.capacity.building_potential` (its input columns kept: owner kind,
        ``parcel_id``, ``owner_id``, ``grid_kv``, ``consumption_mwh``, ``floors``).
    table : pandas.DataFrame, optional
        The type mapping (:func:`type_table`).
    parcels : geopandas.GeoDataFrame, optional
        Land-title parcels (:func:`assign_projects`).
    intensity : pandas.DataFrame, optional
        Consumption per m² of floor area by category (:func:`consumption_mwh`).
    self_use_share : float
        Minimum yearly self-use share of C&I generation (default :data:`SELF_USE_SHARE`, verify).

    Returns
    -------
    Projects
    """
    r = roofs.copy()
    type_code, type_names = _base_type_codes(r, table)
    pid, grouped, alone = _assign_projects(r, parcels)
    project, first_row = project_codes(pid, alone)
    pid_text = pd.Series(pid).array  # converted to the default text dtype once
    kv_col = find_column(r.columns, KV_COLUMNS, what="grid voltage", required=False, quiet=True)
    kv = (
        parse_numbers(r[[kv_col]], [kv_col], source="buildings", features=True)[kv_col].to_numpy(float)
        if kv_col is not None
        else np.full(len(r), np.nan)
    )
    rank_of_type = np.array([_RANK[name] for name in type_names], dtype=np.int64)
    frame = pd.DataFrame(
        {
            "project": project,
            "rank": rank_of_type[type_code],
            "capacity_kwp": r["capacity_kwp"].to_numpy(float),
            "generation_mwh": r["generation_mwh"].to_numpy(float),
            "kv": kv,
            "roof": (r["capacity_kwp"].to_numpy(float) > 0).astype(int),
        }
    )
    cons = consumption_mwh(r, intensity)
    if cons is not None:
        frame["consumption_mwh"] = cons
    # projects numbered in the order of their first roof (project_codes): the groups come in that order
    g = frame.groupby("project", sort=True)
    proj = pd.DataFrame(
        {
            "roofs": g["roof"].sum(),
            "capacity_kwp": g["capacity_kwp"].sum(),
            "generation_mwh": g["generation_mwh"].sum(),
            "kv": g["kv"].max(),
            "rank": g["rank"].max(),
        }
    )
    by_rank = np.array([name for name, _ in sorted(_RANK.items(), key=lambda kv_: kv_[1])], dtype=object)
    judged = judge_projects(
        pd.Series(by_rank[proj["rank"].to_numpy()], index=proj.index, dtype=object),
        proj["capacity_kwp"] / 1000,
        proj["kv"],
    )
    proj = pd.concat([proj.drop(columns=["rank", "kv"]), judged], axis=1)
    if cons is not None:
        proj["consumption_mwh"] = g["consumption_mwh"].sum(min_count=1)
        bound = self_use_bound(
            proj["capacity_kwp"].to_numpy(),
            proj["generation_mwh"].to_numpy(),
            proj["consumption_mwh"].to_numpy(float),
            self_use_share,
        )
        ci = proj["nea2025_type"].isin([GENERAL_CI, LARGE_CI]).to_numpy()
        proj["self_use_bound_kwp"] = np.where(ci, bound, proj["capacity_kwp"].to_numpy())
    proj.index = pd.Index(pid_text.take(first_row), name="project_id")
    proj = proj.reset_index()
    # each roof's project row, by position (projects are numbered 0, 1, ... in row order)
    final_code, final_names = pd.factorize(proj["nea2025_type"].to_numpy(dtype=object))
    roof_type = final_code[project]
    r["project_id"] = pid_text
    r["nea2025_type"] = text_column(roof_type, final_names)
    r["grid_modes_allowed"] = text_column(roof_type, [GRID_MODES[name] for name in final_names])
    r["grid_kv"] = proj["grid_kv"].to_numpy(float)[project]
    r["kv_assumed"] = proj["kv_assumed"].to_numpy(bool)[project]
    r["project_mwp"] = np.round(proj["capacity_kwp"].to_numpy(float)[project] / 1000, 4)
    r["over_cap"] = proj["over_cap"].to_numpy(bool)[project]
    note_code, note_names = pd.factorize(proj["cap_note"].to_numpy(dtype=object))
    r["cap_note"] = text_column(note_code[project], note_names)
    if cons is not None:
        r["consumption_mwh"] = cons
        pcap = proj["capacity_kwp"].to_numpy(float)[project]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(pcap > 0, proj["self_use_bound_kwp"].to_numpy(float)[project] / pcap, 0.0)
        r["self_use_bound_kwp"] = np.round(r["capacity_kwp"].to_numpy(float) * ratio, 3)
    return Projects(r, proj, grouped)


def _home(codes: np.ndarray, project_id: np.ndarray, capacity_kwp: np.ndarray) -> np.ndarray:
    """Per roof: 1 on the project's largest roof (its home unit counts the project), else 0.

    Between roofs of equal capacity the lowest unit code wins (a unit before none), so the home does
    not depend on the order of the roofs (the Dask engine gathers them in partition order,
    :mod:`sxgeo.pv.dask`).
    """
    home = np.zeros(len(codes), dtype=int)
    project, _ = pd.factorize(np.asarray(project_id, dtype=object))
    size = np.bincount(project, minlength=int(project.max()) + 1 if len(project) else 0)
    alone = size[project] == 1
    home[alone] = 1  # the roof of a one-roof project is its home
    shared = np.flatnonzero(~alone)
    if len(shared):
        f = pd.DataFrame(
            {
                "p": project[shared],
                "kwp": np.asarray(capacity_kwp, dtype=float)[shared],
                "code": np.where(
                    np.asarray(codes, dtype=object)[shared] == "", "~", np.asarray(codes, dtype=str)[shared]
                ),
                "i": shared,
            }
        )
        first = f.sort_values(["p", "kwp", "code", "i"], ascending=[True, False, True, True])
        home[first.drop_duplicates("p")["i"].to_numpy()] = 1
    return home


def project_types_table(
    roofs: pd.DataFrame, codes: np.ndarray, units: gpd.GeoDataFrame | None = None
) -> pd.DataFrame:
    """The long table ``pv_project_types``: per unit and NEA-2025 type, roofs, projects, MWp, MWh.

    Parameters
    ----------
    roofs : pandas.DataFrame
        :attr:`Projects.roofs`.
    codes : numpy.ndarray
        Unit code of each roof (``""`` outside every unit).
    units : geopandas.GeoDataFrame, optional
        The unit layer (counties or zones): rows by :func:`sxgeo.unit_table.unit_rows_by`; None:
        one row per code present (parks), with the code as ``unit_code``.

    Returns
    -------
    pandas.DataFrame
        ``unit_code, unit_name, unit_name_en, nea2025_type, grid_mode, roofs, projects,
        capacity_mwp, yield_mwh, over_cap_projects, over_cap_mwp`` (+ ``self_use_bound_mwp``,
        ``self_use_unknown_mwp`` with a consumption). Roofs and capacity count where each roof
        lies, so the capacity per county adds up to ``pv_counties``; a project counts once, in the
        unit of its largest roof. ``grid_mode`` lists the modes the type allows.
    """
    cap = roofs["capacity_kwp"].to_numpy(float)
    has = cap > 0
    kwp = cap[has]

    def column(name: str, dtype: Any) -> np.ndarray:
        # one column of the roofs with capacity (no copy of the whole roof table)
        return roofs[name].to_numpy(dtype=dtype)[has]

    c = np.asarray(codes, dtype=object)[has]
    home = _home(c, column("project_id", object), kwp)
    over = column("over_cap", bool)
    frame = pd.DataFrame(
        {
            "unit_code": np.where(c == "", UNASSIGNED, c),
            "nea2025_type": column("nea2025_type", object),
            "roofs": 1,
            "projects": home,
            "capacity_mwp": kwp / 1000,
            "yield_mwh": column("generation_mwh", float),
            "over_cap_projects": home * over,
            "over_cap_mwp": np.where(over, kwp / 1000, 0.0),
        }
    )
    cols = ["roofs", "projects", "capacity_mwp", "yield_mwh", "over_cap_projects", "over_cap_mwp"]
    if "self_use_bound_kwp" in roofs.columns:
        b = column("self_use_bound_kwp", float)
        frame["self_use_bound_mwp"] = np.where(np.isfinite(b), b, 0.0) / 1000
        frame["self_use_unknown_mwp"] = np.where(np.isfinite(b), 0.0, kwp / 1000)
        cols += ["self_use_bound_mwp", "self_use_unknown_mwp"]
    # every type present in every unit, zero where none: a planner reads four rows per county
    zero = pd.DataFrame({"unit_code": UNASSIGNED, "nea2025_type": list(NEA_TYPES), **dict.fromkeys(cols, 0)})
    frame = pd.concat([frame, zero], ignore_index=True)
    if units is not None:
        t = unit_rows_by(frame, units, "nea2025_type", cols)
    else:
        t = (
            frame[frame["unit_code"] != UNASSIGNED]
            .groupby(["unit_code", "nea2025_type"], as_index=False)[cols]
            .sum()
        )
        t = (
            t.set_index(["unit_code", "nea2025_type"])
            .reindex(
                pd.MultiIndex.from_product(
                    [sorted(set(c) - {""}), NEA_TYPES], names=["unit_code", "nea2025_type"]
                ),
                fill_value=0,
            )
            .reset_index()
        )
    order = {v: i for i, v in enumerate(NEA_TYPES)}
    t = t.sort_values("nea2025_type", key=lambda s: s.map(order), kind="stable")
    if "unit_name" in t.columns:
        units_order = {u: i for i, u in enumerate(dict.fromkeys(t["unit_code"]))}
        t = t.sort_values("unit_code", key=lambda s: s.map(units_order), kind="stable")
    t.insert(list(t.columns).index("nea2025_type") + 1, "grid_mode", t["nea2025_type"].map(GRID_MODES))
    for col in ("roofs", "projects", "over_cap_projects"):
        t[col] = t[col].astype(int)
    for col in cols:
        if col.endswith("_mwp"):
            t[col] = t[col].round(4)
    t["yield_mwh"] = t["yield_mwh"].round(2)
    return t.reset_index(drop=True)


LABELS_ZH = {
    "nea2025_type": "项目类型(2025办法)",
    "grid_mode": "允许上网模式",
    "roofs": "屋顶数",
    "projects": "项目数",
    "yield_mwh": "年发电量(MWh)",
    "over_cap_projects": "超出类型上限项目数",
    "over_cap_mwp": "超限容量(MWp)",
    "self_use_bound_mwp": "自用比例约束容量(MWp)",
    "self_use_unknown_mwp": "缺用电量的工商业容量(MWp)",
}
"""Chinese labels of the ``pv_project_types`` columns."""


__all__ = [
    "GENERAL_CI",
    "GRID_MODES",
    "LARGE_CI",
    "NATURAL",
    "NEA_TYPES",
    "NON_NATURAL",
    "SELF_USE_SHARE",
    "Projects",
    "assign_projects",
    "base_types",
    "classify",
    "consumption_mwh",
    "judge_projects",
    "project_codes",
    "project_types_table",
    "self_use_bound",
    "type_table",
]
