"""Sponge city, what would close the gap: failing drainage sub-zones, until their built-up km² covers it.

Each failing sub-zone of a county behind target is credited with its built-up area inside that
county (a sub-zone across a county line counts in both, each with its part), until the credited
area covers the county's gap in km²; fewest sub-zones first (largest credited area) by default, or
least extra storage per km² gained (the title says which). The city (``330600``), when behind its
own target, draws on every failing sub-zone with its whole built-up area: that is the list a plan
with only a city-wide figure needs (the draft 15th plan's 80 % by 2030, 国办发〔2015〕75号).

Every gap is the coverage table's ``gap_km2``, computed against the chosen plan's targets (the
run's :class:`sxgeo.plan.Targets`): with the 15th plan, the 2030 target, never a fixed 2025 figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from sxgeo.admin import CITY_CODE, unit_name
from sxgeo.errors import SchemaError
from sxgeo.report.gaps import cover

SPONGE_ORDERS = {
    "fewest": "fewest sub-zones first (largest built-up area gained first)",
    "storage": "least extra storage per km² of built-up area gained first",
}
"""Orders of the sponge gap list (``[report] sponge_gap_order``, ``--sponge-gap-order``)."""


def check_sponge_order(order: str) -> None:
    """Refuse an unknown sponge gap order, naming the choices."""
    if order not in SPONGE_ORDERS:
        msg = (
            f"sponge gap order {order!r} ([sponge] gap_order, --sponge-gap-order): "
            f"use {' or '.join(SPONGE_ORDERS)}"
        )
        raise SchemaError(msg)


def sponge_gap(
    coverage: pd.DataFrame, zones: pd.DataFrame, parts: pd.DataFrame, *, order: str = "fewest"
) -> pd.DataFrame:
    """Failing sub-zones per county behind target, until their built-up area there covers the km² gap.

    Each failing sub-zone is credited with its built-up area inside the county (*parts*): making it
    pass adds that much to the county's compliant area, not the sub-zone's whole area. A sub-zone
    crossing a county line is a candidate in both, each with its own part. The city's row (``330600``,
    behind its own target) takes every failing sub-zone once, with its whole built-up area.

    Parameters
    ----------
    coverage : pandas.DataFrame
        ``sponge_zone_coverage`` (or ``sponge_coverage``): ``unit_code, gap_km2``.
    zones : pandas.DataFrame
        ``sponge_zones`` (``zone_id, name, area_km2, passes, extra_storage_m3``).
    parts : pandas.DataFrame
        ``sponge_zone_built_up`` (``zone_id, county, built_up_km2``).
    order : {'fewest', 'storage'}
        ``fewest``: largest credited area first (the fewest sub-zones); ``storage``: least extra
        storage (m³) per km² gained first.

    Returns
    -------
    pandas.DataFrame
        ``county, county_name, gap_km2, order, rank, zone_id, name, area_km2, built_up_km2,
        cumulative_km2, extra_storage_m3, m3_per_km2, closes_gap``.
    """
    check_sponge_order(order)
    rows = []
    failing = zones[~zones["passes"].astype(str).str.lower().isin(["true", "1"])]
    failing = failing.assign(zone_id=failing["zone_id"].astype(str)).drop(columns="county", errors="ignore")
    credit = parts.assign(zone_id=parts["zone_id"].astype(str), county=parts["county"].astype(str))
    cands = failing.merge(credit[["zone_id", "county", "built_up_km2"]], on="zone_id", how="inner")
    cands = cands[cands["built_up_km2"] > 0]
    cands = cands.assign(m3_per_km2=cands["extra_storage_m3"].astype(float) / cands["built_up_km2"])
    keys, asc = (
        (["built_up_km2", "extra_storage_m3", "zone_id"], [False, True, True])
        if order == "fewest"
        else (["m3_per_km2", "built_up_km2", "zone_id"], [True, False, True])
    )
    for code, gap in zip(coverage["unit_code"].astype(str), coverage["gap_km2"], strict=True):
        if not (gap > 0):
            continue
        pool = _whole_zones(cands) if code == CITY_CODE else cands[cands["county"] == code]
        cand = pool.sort_values(keys, ascending=asc, kind="stable")
        if cand.empty:
            continue
        take = cand.head(cover(cand["built_up_km2"], float(gap)))
        cum = take["built_up_km2"].cumsum()
        for rank, (z, c) in enumerate(zip(take.to_dict("records"), cum, strict=True), start=1):
            rows.append(
                {
                    "county": code,
                    "county_name": unit_name(code),
                    "gap_km2": round(float(gap), 3),
                    "order": order,
                    "rank": rank,
                    "zone_id": z["zone_id"],
                    "name": z["name"],
                    "area_km2": round(float(z["area_km2"]), 3),
                    "built_up_km2": round(float(z["built_up_km2"]), 3),
                    "cumulative_km2": round(float(c), 3),
                    "extra_storage_m3": round(float(z["extra_storage_m3"]), 0),
                    "m3_per_km2": round(float(z["m3_per_km2"]), 0),
                    "closes_gap": bool(c >= gap - 1e-9),
                }
            )
    return pd.DataFrame(rows)


def _whole_zones(cands: pd.DataFrame) -> pd.DataFrame:
    """The candidates of the city: one row per failing sub-zone with its whole built-up area.

    ``county`` is the county holding the largest part of it (ties: the lowest code).
    """
    if cands.empty:
        return cands
    main = cands.sort_values(["built_up_km2", "county"], ascending=[False, True], kind="stable")
    first = main.groupby("zone_id", sort=False).head(1).set_index("zone_id")
    built = cands.groupby("zone_id")["built_up_km2"].sum()
    whole = first.assign(built_up_km2=built.reindex(first.index)).reset_index()
    return whole.assign(m3_per_km2=whole["extra_storage_m3"].astype(float) / whole["built_up_km2"])


def gap_tables(
    data: Any,
    tables: Mapping[str, pd.DataFrame],
    settings: Mapping[str, Any],
) -> dict[str, pd.DataFrame]:
    """The sponge gap table when the run made sub-zone tables (title -> table).

    Parameters
    ----------
    data : sxgeo.report.model.ReportData
        The report (its plan's sponge target year is named in the title; the coverage table
        carries each unit's gap, against the chosen plan's targets).
    tables : mapping
        The run's tables (``sponge_zone_coverage`` or ``sponge_coverage``, ``sponge_zones``,
        ``sponge_zone_built_up``).
    settings : mapping
        ``sponge_gap_order``: :data:`SPONGE_ORDERS` (default ``fewest``), named in the title.

    Returns
    -------
    dict
    """
    order = str(settings.get("sponge_gap_order") or "fewest")
    check_sponge_order(order)
    coverage = tables.get("sponge_zone_coverage", tables.get("sponge_coverage"))
    if coverage is None or "sponge_zones" not in tables or "sponge_zone_built_up" not in tables:
        return {}
    table = sponge_gap(coverage, tables["sponge_zones"], tables["sponge_zone_built_up"], order=order)
    if table.empty:
        return {}
    zh = "最少分区优先" if order == "fewest" else "每 km² 所需调蓄容积最小优先"
    ind = data.plan.get("sponge_coverage") if hasattr(data, "plan") else None
    year = f"，对照 {ind.target_year} 年目标" if ind is not None else ""
    title = f"海绵城市：使未达标排水分区达标（{zh}{year}） · sponge: failing sub-zones to make pass"
    against = f" against the {ind.target_year} target" if ind is not None else ""
    return {f"{title} ({SPONGE_ORDERS[order]}), until their built-up km² closes the gap{against}": table}
