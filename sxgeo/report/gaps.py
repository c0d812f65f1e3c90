"""'What would close the gap': the helpers the capabilities' gap hooks share, and the hooks' chain.

Each capability's ``gaps.py`` holds its gap table and hook (:mod:`sxgeo.sponge.gaps`,
:mod:`sxgeo.carbon.gaps`, :mod:`sxgeo.pv.gaps`, :mod:`sxgeo.pilots.gaps`); the report gathers them
with :func:`sxgeo.capabilities.gap_tables`. The gap functions that lived here are re-exported for
one release.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sxgeo.capabilities import gap_tables as capability_gaps

if TYPE_CHECKING:
    from sxgeo.report.model import ReportData

MOVED = {
    "SPONGE_ORDERS": "sxgeo.sponge.gaps",
    "check_sponge_order": "sxgeo.sponge.gaps",
    "sponge_gap": "sxgeo.sponge.gaps",
    "wetland_gap": "sxgeo.carbon.gaps",
    "forest_gap": "sxgeo.carbon.gaps",
    "PILOT_LEVELS": "sxgeo.pilots.gaps",
    "pilot_gap": "sxgeo.pilots.gaps",
    "pv_gap": "sxgeo.pv.gaps",
}
"""Names that moved into the capability packages -> their module (re-exported for one release)."""


def __getattr__(name: str) -> Any:
    """The moved gap functions, from their capability package."""
    if name in MOVED:
        return getattr(importlib.import_module(MOVED[name]), name)
    msg = f"module 'sxgeo.report.gaps' has no attribute {name!r}"
    raise AttributeError(msg)


def cover(amounts: pd.Series, gap: float) -> int:
    """How many of *amounts*, in order, it takes for their sum to reach *gap* (all of them if never).

    Parameters
    ----------
    amounts : pandas.Series
        Contributions in the order they would be taken.
    gap : float
        What must be covered (> 0).

    Returns
    -------
    int
    """
    reached = np.flatnonzero(np.cumsum(amounts.to_numpy(dtype=float)) >= gap - 1e-9)
    return int(reached[0]) + 1 if reached.size else len(amounts)


def rank_rows(
    cand: pd.DataFrame, amount: str, gap: float, head: dict[str, Any], keep: list[str]
) -> list[dict[str, Any]]:
    """The first candidates (in *cand*'s order) whose *amount* covers *gap*, ranked, with running sums."""
    take = cand.head(cover(cand[amount], gap))
    cum = take[amount].cumsum()
    return [
        {
            **head,
            "rank": rank,
            **{k: r[k] for k in keep},
            "cumulative": float(c),
            "closes_gap": bool(c >= gap - 1e-9),
        }
        for rank, (r, c) in enumerate(zip(take.to_dict("records"), cum, strict=True), start=1)
    ]


def cumulative_ha(
    listed: list[dict[str, Any]], amount: tuple[str, int], after: tuple[str, float, float]
) -> list[dict[str, Any]]:
    """Finish ranked rows of hectares: rounded amount, cumulative ha and km², the rate after, closes_gap.

    Parameters
    ----------
    listed : list of dict
        Rows from :func:`rank_rows` (with ``cumulative`` and ``closes_gap``).
    amount : (str, int)
        The rows' hectare column and the decimals it is rounded to.
    after : (str, float, float)
        Name of the rate column (%), and the unit's hectares already counted and its whole
        hectares: the rate once the listed rows up to this one are added is
        ``100 × (counted + cumulative) / whole``.

    Returns
    -------
    list of dict
    """
    (column, digits), (after_name, counted, whole) = amount, after
    rows = []
    for row in listed:
        cum = float(row.pop("cumulative"))
        closes = row.pop("closes_gap")
        row.update(
            {
                column: round(float(row[column]), digits),
                "cumulative_ha": round(cum, 2),
                "cumulative_km2": round(cum / 100, 4),
                after_name: round(100 * (counted + cum) / whole, 2),
                "closes_gap": closes,
            }
        )
        rows.append(row)
    return rows


def is_true(values: pd.Series) -> pd.Series:
    """Which of *values* are true as tables write it (``True``, ``1``, ``yes``; any case)."""
    return values.astype(str).str.strip().str.lower().isin(["true", "1", "yes"])


def gap_tables(
    data: ReportData, tables: Mapping[str, pd.DataFrame], *, sponge_order: str = "fewest"
) -> dict[str, pd.DataFrame]:
    """The gap tables the build's tables allow (title zh/en -> table), from every capability's hook.

    *sponge_order* is the order of the sponge list (:data:`sxgeo.sponge.gaps.SPONGE_ORDERS`),
    named in its title.
    """
    return capability_gaps(data, tables, {"sponge_gap_order": sponge_order})
