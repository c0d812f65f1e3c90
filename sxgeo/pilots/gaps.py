"""Low/zero-carbon pilots, what would close the gap: the candidates next in line.

The sites the selection chose first, then the rest by rank (existing pilots and gated-out sites
left out), until the entered count reaches the plan's 3 counties / 10 towns / 100 villages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sxgeo.admin import CITY_CODE, unit_name
from sxgeo.report.gaps import is_true

PILOT_LEVELS = {"counties": "县（市、区）", "towns": "乡镇（街道）", "villages": "村（社区）"}
"""Pilot levels: table / indicator suffix -> zh name."""


def pilot_gap(candidates: pd.DataFrame, value: float, target: float) -> pd.DataFrame:
    """The pilot candidates next in line until the count reaches *target*.

    Next in line: the sites the selection chose (``selected``) by rank, then the others by rank.
    Existing pilots (``fixed``: already in the entered count) and sites that fail a gate are left
    out; so is a site already listed.

    Parameters
    ----------
    candidates : pandas.DataFrame
        A ``pilots_<level>`` table (``code, name, county_adcode, score, rank, selected, fixed``,
        optional ``gate``).
    value : float
        Pilots created so far (the latest entered value, else the baseline).
    target : float
        The plan's count.

    Returns
    -------
    pandas.DataFrame
        ``gap, rank_in_list, code, name, county, county_name, score, pilot_rank, selected, count_after,
        closes_gap``; empty when the count is reached.
    """
    gap = int(np.ceil(target - value - 1e-9))
    if gap <= 0:
        return pd.DataFrame()
    c = candidates
    ok = ~is_true(c["fixed"]) if "fixed" in c.columns else pd.Series(True, index=c.index)
    if "gate" in c.columns:
        ok &= c["gate"].isna() | (c["gate"].astype(str).str.strip() == "")
    chosen = is_true(c["selected"]) if "selected" in c.columns else pd.Series(False, index=c.index)
    # chosen by the selection first (_later False), then the rest; each by rank, unranked last
    order = c[ok].assign(_later=~chosen[ok], _rank=pd.to_numeric(c.loc[ok, "rank"], errors="coerce"))
    order = order.sort_values(["_later", "_rank"], na_position="last", kind="stable")
    order = order.drop_duplicates("code").head(gap)
    start = round(value) if float(value).is_integer() else value
    rows = []
    for i, r in enumerate(order.to_dict("records"), start=1):
        county = str(r.get("county_adcode", ""))
        rows.append(
            {
                "gap": gap,
                "rank_in_list": i,
                "code": str(r["code"]),
                "name": r.get("name", ""),
                "county": county,
                "county_name": unit_name(county) if county else "",
                "score": round(float(r["score"]), 2) if pd.notna(r.get("score")) else None,
                "pilot_rank": r["_rank"],
                "selected": not r["_later"],
                "count_after": start + i,
                "closes_gap": bool(value + i >= target - 1e-9),
            }
        )
    return pd.DataFrame(rows)


def gap_tables(
    data: Any,
    tables: Mapping[str, pd.DataFrame],
    settings: Mapping[str, Any],  # noqa: ARG001 - the hook signature of sxgeo.capability.Capability.gap
) -> dict[str, pd.DataFrame]:
    """The next candidates of each pilot level whose count is short of its target (title -> table).

    Parameters
    ----------
    data : sxgeo.report.model.ReportData
        Its ``status`` gives the city's ``pilot_<level>`` value (or baseline) and target.
    tables : mapping
        The run's ``pilots_<level>`` tables.
    settings : mapping
        Unused.

    Returns
    -------
    dict
    """
    out: dict[str, pd.DataFrame] = {}
    st = data.status
    for level, zh in PILOT_LEVELS.items():
        row = st[(st["indicator"] == f"pilot_{level}") & (st["unit_code"] == CITY_CODE)]
        if f"pilots_{level}" not in tables or row.empty or pd.isna(row["target"].iloc[0]):
            continue
        value = row["value"].iloc[0] if pd.notna(row["value"].iloc[0]) else row["baseline"].iloc[0]
        target = float(row["target"].iloc[0])
        table = pilot_gap(tables[f"pilots_{level}"], float(value if pd.notna(value) else 0.0), target)
        if not table.empty:
            title = f"低（零）碳示范{zh}：下一批候选，补足 {target:g} 个 · pilots ({level}): next candidates"
            out[title + f" to reach {target:g}"] = table
    return out
