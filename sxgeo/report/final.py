"""The final assessment's data (总结评估): every indicator and unit over the whole plan period.

One row per shown indicator and unit (the city, 绍兴市区, each county), binding (约束性) indicators
first: the baseline, each year's value of the period (``value_2020`` ... ``value_2025``), the final
value (the target year's, else the latest earlier one, named in ``final_year``), the target, the
verdict of :func:`sxgeo.report.status.final_status` (已实现 met / 保持 kept / 未实现 not met), the change
over the period and the share of the planned change achieved. :func:`write_final_table` writes it as
``final_assessment.csv``; :func:`final_conclusions` sums it up per unit in one sentence (n of m
indicators met, which not) and :func:`period_name` names the period (十四五) for the page's title.
A draft plan's pending row (no target yet, :func:`sxgeo.report.model.is_pending`) is 待定, not graded.

A county's baseline is its own (the history's baseline-year value, else the registry's
``unit_baselines``); it never falls back to the city's, so a county without one has no ``change``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sxgeo.admin import CITY_CODE, URBAN_CODE, unit_name
from sxgeo.io.writers import atomic_path
from sxgeo.plan import Plan, TargetsLike, as_table, targets_table, unit_target
from sxgeo.report.history import indicator_series
from sxgeo.report.model import PENDING, is_pending, unit_target_of
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
    "verify",
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
        pending = is_pending(plan, ind, targets)
        for code in codes:
            points = indicator_series(history, ind, code, until=ind.target_year)
            by_year = dict(points)
            target = unit_target_of(ind, code, targets) if figures else None
            own = unit_target(ind.id, code, kind="baseline", targets=targets) if figures else None
            baseline = by_year.get(ind.baseline_year, own)
            if pending:
                status = PENDING
            elif target is None and code != CITY_CODE:
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
                "verify": ind.verify,
            }
            rows.append(row)
    at = FINAL_COLUMNS.index("baseline") + 1
    columns = [*FINAL_COLUMNS[:at], *(f"value_{y}" for y in years), *FINAL_COLUMNS[at:]]
    return pd.DataFrame(rows, columns=columns)


NUMERALS = "零一二三四五六七八九"


def _numeral(n: int) -> str:
    """1..99 in Chinese numerals (14 -> 十四, 21 -> 二十一)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else f"{NUMERALS[tens]}十")
    return head + (NUMERALS[ones] if ones else "")


def period_name(plan: Plan) -> str:
    """The Five-Year period of *plan* as planners write it: ``十四五`` (2021-2025), ``十五五`` (2026-2030).

    Taken from the plan's Chinese name when it says so (``"十四五"``), else from its target year:
    the 3rd Five-Year Plan ended in 1970 and every later one five years after the previous one
    (the 14th: 2021-2025), so a five-year plan ending in year Y is the ``(Y - 1970) / 5 + 3``-th.
    "" when the plan is not a Five-Year period.

    Parameters
    ----------
    plan : Plan
        The registry.

    Returns
    -------
    str
    """
    named = re.search(r"(十[一二三四五六七八九]?|二十[一二三四五六七八九]?)五", plan.name_zh)
    if named:
        return named.group(0)
    return five_year_period(plan.start_year, plan.target_year)


def five_year_period(start_year: int, target_year: int) -> str:
    """``十四五`` for 2020 -> 2025, ``十五五`` for 2025 -> 2030; "" for a span that is not a Five-Year period.

    Parameters
    ----------
    start_year, target_year : int
        Baseline and target years (a Five-Year period: five years apart, ending 1970 + 5k).

    Returns
    -------
    str
    """
    years = target_year - 1970
    if target_year - start_year != 5 or years <= 0 or years % 5:
        return ""
    return f"{_numeral(years // 5 + 3)}五"


CONCLUSION_COLUMNS = (
    "unit_code",
    "unit_name",
    "assessed",
    "met_count",
    "not_met_count",
    "not_met_names",
    "unassessed_count",
    "conclusion_zh",
    "conclusion_en",
)
"""Columns of :func:`final_conclusions`."""

MET = ("met", "kept")
"""Final verdicts that count as met (已实现, 保持)."""


def final_conclusions(table: pd.DataFrame) -> pd.DataFrame:
    """One conclusion per unit of a final assessment: n of m indicators met, which not, how many unassessed.

    An indicator counts as assessed where it has a verdict (met, kept or not met); pending rows, rows
    without a county target and rows without a value are the unassessed ones (counted, not judged).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`final_table`.

    Returns
    -------
    pandas.DataFrame
        :data:`CONCLUSION_COLUMNS`, one row per unit in the table's order.
    """
    rows = []
    for code in dict.fromkeys(table["unit_code"].astype(str)):
        own = table[table["unit_code"].astype(str) == code]
        graded = own[own["status"].isin([*MET, "not_met"])]
        met = graded[graded["status"].isin(MET)]
        short = graded[graded["status"] == "not_met"]
        no_target = own[own["status"] == "no_target"]
        unassessed = len(own) - len(graded) - len(no_target)
        name = str(own["unit_name"].iloc[0])
        names_zh = "、".join(short["name_zh"].astype(str))
        names_en = "; ".join(short["name_en"].astype(str))
        if graded.empty:
            zh = f"{name}：无可评估的指标"
            en = "no indicator with a target and a value"
        else:
            zh = f"{name}：{len(graded)} 项可评估指标中 {len(met)} 项实现目标"
            zh += f"，未实现：{names_zh}" if len(short) else "，全部实现"
            en = f"{len(met)} of {len(graded)} indicators assessed met their target"
            en += f"; not met: {names_en}" if len(short) else "; all met"
        if unassessed:
            zh += f"；{unassessed} 项未评估（无数值或目标待定）"
            en += f"; {unassessed} not assessed (no value, or no target yet)"
        rows.append(
            {
                "unit_code": code,
                "unit_name": name,
                "assessed": len(graded),
                "met_count": len(met),
                "not_met_count": len(short),
                "not_met_names": names_zh,
                "unassessed_count": unassessed,
                "conclusion_zh": zh + "。",
                "conclusion_en": en + ".",
            }
        )
    return pd.DataFrame(rows, columns=list(CONCLUSION_COLUMNS))


def write_final_table(table: pd.DataFrame, folder: str | Path) -> Path:
    """Write *table* as ``folder/final_assessment.csv`` (UTF-8 with BOM, a temporary name renamed).

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
    # a temporary name beside it, renamed when done, with the user's normal file mode (not mkstemp's 0600)
    with atomic_path(out) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8-sig")
    return out
