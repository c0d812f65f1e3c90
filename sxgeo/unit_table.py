"""Per-unit tables: the one place that decides which rows a per-county (or per-zone) table has.

Every capability computes *additive* sums per reporting unit (areas, tonnes, kWp, pixel counts)
and hands them to :func:`unit_rows`, which lays out the rows the same way everywhere:

- counties: the counties of the unit layer in plan order, then ``330600-urban`` (绍兴市区, the
  sum of the districts whose target group is ``urban``), ``330600`` (the city: the sum of the
  counties), and ``unassigned`` (what lies outside every county; always present, 0 when nothing
  does);
- zones a planner brings (towns, streets, parks: :func:`sxgeo.admin.load_zones`): one row per
  zone with the county it lies in (``county_adcode``), then ``unassigned``.

Ratios are computed from the summed numerators and denominators (:func:`add_ratio`), never as
means of percentages, and targets come from the plan's targets table only
(:func:`attach_targets`).
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo.admin import CITY_CODE, COUNTY_BY_CODE, URBAN_CODE, unit_name
from sxgeo.plan import TargetsLike, as_table, unit_target
from sxgeo.zonal import UNASSIGNED

UNASSIGNED_ZH = "区外(未落入任何县区)"
"""Chinese label of the ``unassigned`` row, the same in every table."""
UNASSIGNED_EN = "outside every unit"
"""English label of the ``unassigned`` row."""

UNIT_LABELS_ZH = {
    "unit_code": "单元代码",
    "unit_name": "名称",
    "unit_name_en": "Name",
    "county_adcode": "所属县区代码",
    "target_pct": "目标值(%)",
    "baseline_pct": "基期值(%)",
    "status": "状态",
}
"""Chinese labels of the columns every per-unit table shares."""


def is_zone_layer(units: gpd.GeoDataFrame | pd.DataFrame) -> bool:
    """Whether *units* are zones a planner brought (towns, parks...) rather than counties."""
    return units.attrs.get("unit_kind") == "zone"


def unit_members(units: gpd.GeoDataFrame | pd.DataFrame) -> dict[str, list[str]]:
    """Which unit codes each row of a per-unit table pools, in row order.

    Parameters
    ----------
    units : geopandas.GeoDataFrame
        The unit layer (:func:`sxgeo.admin.load_counties` or :func:`sxgeo.admin.load_zones`).

    Returns
    -------
    dict
        Row code -> the unit codes summed into it; e.g. ``{"330602": ["330602"], ...,
        "330600-urban": ["330602", "330603", "330604"], "330600": [all six], "unassigned":
        ["unassigned"]}``.
    """
    codes = [str(c) for c in units["adcode"]]
    rows: dict[str, list[str]] = {c: [c] for c in codes}
    if not is_zone_layer(units):
        if "target_group" in units:
            groups = units["target_group"].astype(str).tolist()
        else:  # a county layer made in code: the plan's groups
            groups = [COUNTY_BY_CODE[c].target_group if c in COUNTY_BY_CODE else c for c in codes]
        urban = [c for c, g in zip(codes, groups, strict=True) if g == "urban"]
        if urban:
            rows[URBAN_CODE] = urban
        rows[CITY_CODE] = codes
    rows[UNASSIGNED] = [UNASSIGNED]
    return rows


def _names(units: gpd.GeoDataFrame | pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    codes = units["adcode"].astype(str)
    zh = dict(zip(codes, units["name_zh"].astype(str), strict=True)) if "name_zh" in units else {}
    en = dict(zip(codes, units["name_en"].astype(str), strict=True)) if "name_en" in units else {}
    return zh, en


def unit_rows(
    sums: pd.DataFrame,
    units: gpd.GeoDataFrame | pd.DataFrame,
    *,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Lay out additive sums as a per-unit table (rows as described in the module docstring).

    Parameters
    ----------
    sums : pandas.DataFrame
        Indexed by unit code (a county adcode, a zone code, or ``unassigned``); only additive
        columns (areas, tonnes, counts). Units missing from the index count as 0; codes that
        are not in *units* (nor ``unassigned``) are an error.
    units : geopandas.GeoDataFrame
        The unit layer: ``adcode`` (the unit code), ``name_zh``, ``name_en`` and, for counties,
        ``target_group``; for zones ``county_adcode``.
    columns : iterable of str, optional
        Columns of *sums* to keep (default all).

    Returns
    -------
    pandas.DataFrame
        ``unit_code, unit_name, unit_name_en`` (``county_adcode`` for zones), then the sums.

    Raises
    ------
    ValueError
        When *sums* holds a code that is not a unit (a bug in the caller: nothing may vanish).
    """
    cols = list(columns) if columns is not None else list(sums.columns)
    s = sums[cols].copy()
    s.index = s.index.astype(str)
    s = s.groupby(level=0).sum()
    members = unit_members(units)
    known = {c for m in members.values() for c in m}
    stray = sorted(set(s.index) - known)
    if stray:
        msg = f"sums for codes {stray} that are no unit of the layer (they would vanish from the table)"
        raise ValueError(msg)
    filled = s.reindex(sorted(known)).fillna(0.0)
    body = pd.DataFrame(
        [filled.loc[m].sum(axis=0) for m in members.values()], index=list(members), columns=cols
    )
    zh, en = _names(units)
    codes = list(members)
    out = pd.DataFrame(
        {
            "unit_code": codes,
            "unit_name": [_label(c, zh, "zh") for c in codes],
            "unit_name_en": [_label(c, en, "en") for c in codes],
        }
    )
    if is_zone_layer(units):
        county = dict(zip(units["adcode"].astype(str), units["county_adcode"].astype(str), strict=True))
        out["county_adcode"] = [county.get(c, "") for c in codes]
    return pd.concat([out, body.reset_index(drop=True)], axis=1)


def unit_rows_by(
    frame: pd.DataFrame,
    units: gpd.GeoDataFrame | pd.DataFrame,
    by: str,
    columns: Iterable[str],
) -> pd.DataFrame:
    """:func:`unit_rows` for each value of a breakdown column (forest type, wetland type...).

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table with ``unit_code``, *by* and the additive *columns*.
    units : geopandas.GeoDataFrame
        The unit layer.
    by : str
        The breakdown column.
    columns : iterable of str
        Additive columns.

    Returns
    -------
    pandas.DataFrame
        For every value of *by* (sorted), the full row set of :func:`unit_rows`, with *by*
        after the identifying columns.
    """
    cols = list(columns)
    parts = []
    for value, sub in frame.groupby(by, sort=True):
        t = unit_rows(sub.groupby("unit_code")[cols].sum(), units)
        t.insert(len(id_columns(t)), by, value)
        parts.append(t)
    if not parts:
        empty = unit_rows(pd.DataFrame(columns=cols, dtype=float), units).iloc[0:0]
        empty.insert(len(id_columns(empty)), by, pd.Series(dtype=object))
        return empty
    return pd.concat(parts, ignore_index=True)


def _label(code: str, names: dict[str, str], lang: str) -> str:
    if code == UNASSIGNED:
        return UNASSIGNED_ZH if lang == "zh" else UNASSIGNED_EN
    if code in names and names[code] not in ("", "nan", "None"):
        return names[code]
    return unit_name(code, lang=lang)


def id_columns(table: pd.DataFrame) -> list[str]:
    """Identifying columns of a per-unit table: ``unit_code, unit_name, unit_name_en[, county_adcode]``."""
    cols = ["unit_code", "unit_name", "unit_name_en"]
    return [*cols, "county_adcode"] if "county_adcode" in table.columns else cols


def add_ratio(
    table: pd.DataFrame,
    name: str,
    numerator: str,
    denominator: str,
    *,
    scale: float = 100.0,
    rel_min: float = 1e-7,
) -> pd.DataFrame:
    """Add ``name = scale × numerator / denominator`` row by row.

    The ratio is NaN where the denominator is 0, or so small against the table's largest
    denominator (below ``rel_min`` times it) that it can only be the float sliver of an overlay:
    a few m² of built-up area left in ``unassigned`` along a county line would otherwise show a
    meaningless share such as 125%.

    Parameters
    ----------
    table : pandas.DataFrame
        A per-unit table (its pooled rows already hold summed numerators and denominators).
    name, numerator, denominator : str
        Column names.
    scale : float
        100 for percentages.
    rel_min : float
        Smallest denominator, as a share of the largest one in the table, that gets a ratio
        (1e-7: about 36 m² against the city's 364 km² of built-up area).

    Returns
    -------
    pandas.DataFrame
        *table* with the new column (a copy).
    """
    den = table[denominator].astype(float)
    largest = float(den.max()) if len(den) and np.isfinite(den.max()) else 0.0
    floor = max(0.0, rel_min * largest)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = scale * table[numerator].astype(float) / den.where(den > floor)
    return table.assign(**{name: value})


def target_of(
    indicator: str,
    code: str,
    *,
    kind: str = "expected",
    county: str | None = None,
    targets: TargetsLike = None,
) -> float | None:
    """The plan's figure for one row of a per-unit table (a zone takes its county's figure).

    Parameters
    ----------
    indicator : str
        Indicator id in the targets table.
    code : str
        Row code.
    kind : {'expected', 'binding', 'baseline'}
        Which figure.
    county : str, optional
        For a zone: the county it lies in.
    targets : sxgeo.plan.Targets or pandas.DataFrame, optional
        The targets (:func:`sxgeo.plan.load_plan_targets`, the project's override merged in);
        default the shipped plan's.

    Returns
    -------
    float or None
        None for ``unassigned`` and for units the plan gives no figure.
    """
    if code == UNASSIGNED:
        return None
    return unit_target(indicator, county or code, kind=kind, targets=targets)


def attach_targets(
    table: pd.DataFrame,
    indicator: str,
    value_col: str,
    *,
    kind: str = "expected",
    targets: TargetsLike = None,
    target_col: str = "target_pct",
    baseline_col: str | None = "baseline_pct",
) -> pd.DataFrame:
    """Add the plan's target (and baseline) beside *value_col*, and a ``status`` (met/behind).

    Parameters
    ----------
    table : pandas.DataFrame
        A per-unit table.
    indicator : str
        Indicator id in the targets table (:func:`sxgeo.plan.load_plan_targets`).
    value_col : str
        The column the target judges (higher is better).
    kind : {'expected', 'binding'}
        Which target.
    targets : sxgeo.plan.Targets or pandas.DataFrame, optional
        The targets (:func:`sxgeo.plan.load_plan_targets`, the project's override merged in);
        default the shipped plan's.
    target_col, baseline_col : str
        Names of the new columns (``baseline_col=None``: no baseline column).

    Returns
    -------
    pandas.DataFrame
        A copy with the new columns; ``status`` is ``""`` where the plan gives no target
        (``unassigned``, or a county outside the plan) and ``"no data"`` where the value cannot be
        computed (e.g. a county with no built-up area). The baseline column is filled only where
        the plan gives a baseline for that very unit (the plan's 2020 figures are city-wide).
    """
    targets = as_table(targets)  # the shipped plan read once, not once per row and kind
    county = table["county_adcode"] if "county_adcode" in table else pd.Series("", index=table.index)
    pairs = [
        (str(c), k if isinstance(k, str) and k else None)
        for c, k in zip(table["unit_code"], county, strict=True)
    ]
    target = [target_of(indicator, c, kind=kind, county=k, targets=targets) for c, k in pairs]
    out = table.assign(**{target_col: pd.array(target, dtype="Float64").astype(float)})
    if baseline_col is not None:
        base = [target_of(indicator, c, kind="baseline", county=k, targets=targets) for c, k in pairs]
        out[baseline_col] = pd.array(base, dtype="Float64").astype(float)
    value = out[value_col].astype(float)
    no_target = out[target_col].isna().to_numpy()
    out["status"] = np.select(
        [no_target, value.isna().to_numpy(), (value >= out[target_col] - 1e-9).to_numpy()],
        ["", "no data", "met"],
        default="behind",
    )
    return out
