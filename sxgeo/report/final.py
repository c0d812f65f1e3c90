"""The final assessment's data (总结评估): every indicator and unit over the whole plan period.

One row per shown indicator and unit (the city, 绍兴市区, each county), binding (约束性) indicators
first: the baseline, each year's value of the period (``value_2020`` ... ``value_2025``), the final
value (the target year's, else the latest earlier one, named in ``final_year``), the target, the
verdict of :func:`sxgeo.report.status.final_status` (已实现 met / 保持 kept / 未实现 not met), the change
over the period and the share of the planned change achieved. :func:`write_final_table` writes it as
``final_assessment.csv``. The report page is not changed here.

A county's baseline is its own (the history's baseline-year value, else the registry's
``unit_baselines``); it never falls back to the city's, so a county without one has no ``change``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sxgeo.admin import CITY_CODE, URBAN_CODE, unit_name
from sxgeo.plan import Plan, TargetsLike, as_table, targets_table, unit_target
from sxgeo.report.history import indicator_series
from sxgeo.report.model import unit_target_of
from sxgeo.report.status import Status, final_status

FINAL_FILE = "final_assessment.csv"
"""File name of the final-assessment table."""

FINAL_COLUMNS = (
    "indicator",
    "name_zh",
    "name_en",
    "unit",
    "kind",
    "unit_code",
    "unit_name",
    "baseline_year",
    "baseline",
    "final_year",
    "final_value",
    "target_year",
    "target",
    "status",
    "label_zh",
    "label_en",
    "change",
    "progress",
    "years_with_data",
    "note",
)
"""The fixed columns; the ``value_<year>`` columns of the plan period follow ``baseline``."""


def final_table(
    plan: Plan,
    history: pd.DataFrame,
    unit_codes: Iterable[str],
    *,
    targets: TargetsLike = None,
) -> pd.DataFrame:
    """The final assessment of *plan*: per indicator and unit, the period's values against the target.

    Parameters
    ----------
    plan : Plan
        The registry (its ``start_year`` -> ``target_year`` is the period).
    history : pandas.DataFrame
        :data:`sxgeo.report.history.HISTORY_COLUMNS` (values after the target year are left out).
    unit_codes : iterable of str
        County codes; the city (``330600``) and 绍兴市区 (``330600-urban``) come first.
    targets : sxgeo.plan.Targets or pandas.DataFrame, optional
        The targets (the project's override merged in); default the plan's own.

    Returns
    -------
    pandas.DataFrame
        :data:`FINAL_COLUMNS` with ``value_<year>`` for every year of the period after ``baseline``;
        binding indicators first, then the registry's order.
    """
    targets = targets_table(plan) if targets is None else targets
    table = as_table(targets)
    years = list(range(plan.start_year, plan.target_year + 1))
    codes = list(dict.fromkeys([CITY_CODE, URBAN_CODE, *[str(c) for c in unit_codes]]))
    shown = [ind for ind in plan.indicators if ind.show]
    ordered = [i for i in shown if i.kind == "binding"] + [i for i in shown if i.kind != "binding"]
    rows = []
    for ind in ordered:
        figures = bool((table["indicator"] == ind.id).any())
        for code in codes:
            points = indicator_series(history, ind, code, until=ind.target_year)
            by_year = dict(points)
            target = unit_target_of(ind, code, targets) if figures else None
            own = unit_target(ind.id, code, kind="baseline", targets=targets) if figures else None
            baseline = by_year.get(ind.baseline_year, own)
            if target is None and code != CITY_CODE:
                status = Status("no_target", "final", None, "the plan gives only a city target")
            else:
                status = final_status(
                    points,
                    baseline=baseline,
                    baseline_year=ind.baseline_year,
                    target=target,
                    target_year=ind.target_year,
                    direction=ind.direction,
                )
            final = [(y, v) for y, v in points if y <= ind.target_year]
            final_year, final_value = final[-1] if final else (None, None)
            change = final_value - baseline if final_value is not None and baseline is not None else None
            row = {
                "indicator": ind.id,
                "name_zh": ind.name_zh,
                "name_en": ind.name_en,
                "unit": ind.unit,
                "kind": ind.kind,
                "unit_code": code,
                "unit_name": unit_name(code),
                "baseline_year": ind.baseline_year,
                "baseline": baseline,
                **{f"value_{y}": by_year.get(y) for y in years},
                "final_year": final_year,
                "final_value": final_value,
                "target_year": ind.target_year,
                "target": target,
                "status": status.category,
                "label_zh": status.label_zh,
                "label_en": status.label_en,
                "change": change,
                "progress": status.progress,
                "years_with_data": sum(1 for y, _ in points if ind.baseline_year <= y <= ind.target_year),
                "note": status.note,
            }
            rows.append(row)
    at = FINAL_COLUMNS.index("baseline") + 1
    columns = [*FINAL_COLUMNS[:at], *(f"value_{y}" for y in years), *FINAL_COLUMNS[at:]]
    return pd.DataFrame(rows, columns=columns)


def write_final_table(table: pd.DataFrame, folder: str | Path) -> Path:
    """Write *table* as ``folder/final_assessment.csv`` (UTF-8 with BOM, through a temporary name).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`final_table`.
    folder : str or pathlib.Path
        Output folder (created when missing).

    Returns
    -------
    pathlib.Path
    """
    out = Path(folder) / FINAL_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".final-", suffix=".csv", dir=out.parent)
    os.close(fd)
    try:
        table.to_csv(tmp, index=False, encoding="utf-8-sig")
        Path(tmp).replace(out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return out
