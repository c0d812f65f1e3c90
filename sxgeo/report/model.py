"""What the report shows: every indicator of the plan judged for the city, 绍兴市区 and each county."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from sxgeo.admin import CITY_CODE, URBAN_CODE, unit_name
from sxgeo.plan import (
    Indicator,
    Plan,
    Targets,
    TargetsLike,
    as_table,
    indicator_target,
    targets_table,
    unit_target,
)
from sxgeo.report.history import indicator_series
from sxgeo.report.status import CATEGORIES, Status, assess, trajectory_value

if TYPE_CHECKING:
    import geopandas as gpd


STATUS_COLUMNS = (
    "indicator",
    "name_zh",
    "name_en",
    "unit",
    "kind",
    "origin",
    "unit_code",
    "unit_name",
    "unit_name_en",
    "year",
    "value",
    "baseline",
    "target",
    "status",
    "label_zh",
    "label_en",
    "colour",
    "method",
    "note",
    "source",
    "data_date",
    "path_value",
)
"""Columns of the report's status table (one row per indicator x unit); ``path_value`` is where the
unit should stand in the reporting year on the plan's path from its baseline to its target
(:func:`sxgeo.report.status.trajectory_value`; a level to keep: the target)."""


@dataclass
class ReportData:
    """Everything the report pages show.

    Attributes
    ----------
    plan : Plan
        The registry.
    status : pandas.DataFrame
        :data:`STATUS_COLUMNS`, one row per shown indicator x unit.
    history : pandas.DataFrame
        Values by year (:mod:`sxgeo.report.history`).
    units : geopandas.GeoDataFrame
        County polygons (for the small maps).
    year : int
        Reporting year.
    title : str
        Project name.
    synthetic : bool
        Made from synthetic demo data (a banner says so).
    gaps : dict
        Title -> table of "what would close the gap".
    links : list of str
        File names of the interactive maps beside the report folder.
    made : str
        When the report was made (ISO date).
    targets : sxgeo.plan.Targets or None
        The targets every unit was judged against (the project's override merged in).
    dashboard : pandas.DataFrame
        The county dashboard (:func:`sxgeo.report.dashboard.dashboard_table`).
    parks : pandas.DataFrame
        The parks with the most rooftop PV potential (:func:`sxgeo.report.dashboard.top_parks`).
    final : pandas.DataFrame
        The final assessment (:func:`sxgeo.report.final.final_table`); empty in a progress report.
    conclusions : pandas.DataFrame
        One conclusion per unit (:func:`sxgeo.report.final.final_conclusions`); empty in a progress report.
    previous : Plan or None
        The plan this one follows (its targets are marked on the trend charts), when it loads.
    sections : list of sxgeo.capability.ReportSection
        The capabilities' own sections (:func:`sxgeo.capabilities.report_sections`), after the gaps.
    """

    plan: Plan
    status: pd.DataFrame
    history: pd.DataFrame
    units: gpd.GeoDataFrame
    year: int
    title: str = ""
    synthetic: bool = False
    gaps: dict[str, pd.DataFrame] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)
    made: str = field(default_factory=lambda: dt.date.today().isoformat())
    targets: Targets | None = None
    dashboard: pd.DataFrame = field(default_factory=pd.DataFrame)
    parks: pd.DataFrame = field(default_factory=pd.DataFrame)
    sections: list[Any] = field(default_factory=list)
    final: pd.DataFrame = field(default_factory=pd.DataFrame)
    conclusions: pd.DataFrame = field(default_factory=pd.DataFrame)
    previous: Plan | None = None

    @property
    def is_final(self) -> bool:
        """Whether the report is the plan's final assessment (总结评估)."""
        return not self.final.empty

    @property
    def unit_codes(self) -> list[str]:
        """City, 绍兴市区, then the counties in the layer's order."""
        return [CITY_CODE, URBAN_CODE, *[str(c) for c in self.units["adcode"]]]

    @property
    def data_date(self) -> str:
        """Latest data date of the values shown (or the made date)."""
        dates = [d for d in self.status["data_date"].astype(str) if d and d != "nan"]
        return max(dates) if dates else self.made


def unit_target_of(ind: Indicator, code: str, targets: TargetsLike = None) -> float | None:
    """The target of a unit, by the one rule of :func:`sxgeo.plan.target_chain`.

    Parameters
    ----------
    ind : Indicator
        The indicator.
    code : str
        Unit code.
    targets : sxgeo.plan.Targets or pandas.DataFrame, optional
        The targets (the project's override merged in); default the registry entry's own figures.

    Returns
    -------
    float or None
        None where neither the plan nor the planner gives the unit a target.
    """
    if targets is None:
        return indicator_target(ind, code)
    return unit_target(ind.id, code, kind=ind.kind, targets=targets)


def is_pending(plan: Plan, ind: Indicator, targets: TargetsLike = None) -> bool:
    """Whether *ind* is a pending row: no target figure for any unit, in a draft or a ``pending`` source.

    A draft plan's ``target: null`` row (the 15th plan's forest cover until the city publishes it) is
    shown as 待定 (pending), not graded and not 无法评估; a figure the planner adds (registry or
    ``[project] targets``) ends it.

    Parameters
    ----------
    plan : Plan
        The registry (``status: draft``).
    ind : Indicator
        The indicator.
    targets : sxgeo.plan.Targets or pandas.DataFrame, optional
        The targets (the project's override merged in); default the plan's own.

    Returns
    -------
    bool
    """
    table = as_table(targets_table(plan) if targets is None else targets)
    figures = table[(table["indicator"] == ind.id) & (table["kind"] != "baseline")]
    if not figures.empty or ind.target is not None or ind.unit_targets:
        return False
    return plan.draft or ind.source.strip().lower().startswith("pending")


PENDING = Status("pending", "pending", None, "draft plan: target pending, not graded")
"""The status of a pending row (:func:`is_pending`)."""


def path_value(ind: Indicator, year: int, baseline: float | None, target: float | None) -> float | None:
    """Where a unit should stand in *year* on the plan's path (None without a baseline or a target).

    A level to keep (``maintain``) is the target itself; otherwise
    :func:`sxgeo.report.status.trajectory_value` from the baseline to the target by the indicator's method.
    """
    if target is None:
        return None
    if ind.direction == "maintain":
        return float(target)
    if baseline is None:
        return None
    return trajectory_value(
        year,
        baseline=baseline,
        baseline_year=ind.baseline_year,
        target=target,
        target_year=ind.target_year,
        method=ind.method,
    )


def _judge(
    ind: Indicator, code: str, points: list[tuple[int, float]], targets: TargetsLike
) -> tuple[float | None, float | None, Status]:
    table = as_table(targets)
    figures = bool((table["indicator"] == ind.id).any())  # a draft's pending row has none at all
    target = unit_target_of(ind, code, targets) if figures else None
    before = [v for y, v in points if y == ind.baseline_year]
    city_base = unit_target(ind.id, CITY_CODE, kind="baseline", targets=targets) if figures else None
    own = unit_target(ind.id, code, kind="baseline", targets=targets) if figures else None
    baseline = before[-1] if before else own if own is not None else city_base
    if target is None and code != CITY_CODE:
        return target, baseline, Status("no_target", ind.method, None, "the plan gives only a city target")
    status = assess(
        points,
        method=ind.method,
        baseline=baseline,
        baseline_year=ind.baseline_year,
        target=target,
        target_year=ind.target_year,
        direction=ind.direction,
    )
    if (
        not before
        and own is None
        and baseline is not None
        and code != CITY_CODE
        and status.progress is not None
    ):
        status = Status(status.category, status.method, status.progress, status.note + "; city baseline")
    return target, baseline, status


def status_table(
    plan: Plan, history: pd.DataFrame, units: gpd.GeoDataFrame, year: int, *, targets: TargetsLike = None
) -> pd.DataFrame:
    """Judge every shown indicator for the city, 绍兴市区 and each county.

    Parameters
    ----------
    plan : Plan
        The registry.
    history : pandas.DataFrame
        Values by year; only years up to *year* count.
    units : geopandas.GeoDataFrame
        Counties (``adcode``).
    year : int
        Reporting year.
    targets : sxgeo.plan.Targets or pandas.DataFrame, optional
        The targets (the project's override merged in); default the plan's own.

    Returns
    -------
    pandas.DataFrame
        :data:`STATUS_COLUMNS`.
    """
    targets = targets_table(plan) if targets is None else targets
    hist = history[history["year"] <= year] if not history.empty else history
    codes = [CITY_CODE, URBAN_CODE, *[str(c) for c in units["adcode"]]]
    rows = []
    for ind in plan.indicators:
        if not ind.show:
            continue
        pending = is_pending(plan, ind, targets)
        for code in codes:
            # one series across plans (continues), none after the plan's target year
            points = indicator_series(hist, ind, code, until=ind.target_year)
            target, baseline, st = _judge(ind, code, points, targets)
            if pending:
                st = PENDING
            last = (
                hist[
                    hist["indicator"].isin([ind.id, ind.continues])
                    & (hist["unit_code"].astype(str) == code)
                    & (hist["year"] == points[-1][0])
                ]
                if points
                else hist.iloc[0:0]
            )
            rows.append(
                {
                    "indicator": ind.id,
                    "name_zh": ind.name_zh,
                    "name_en": ind.name_en,
                    "unit": ind.unit,
                    "kind": ind.kind,
                    "origin": "entered" if ind.entered else "computed",
                    "unit_code": code,
                    "unit_name": unit_name(code),
                    "unit_name_en": unit_name(code, lang="en"),
                    "year": points[-1][0] if points else None,
                    "value": points[-1][1] if points else None,
                    "baseline": baseline,
                    "target": target,
                    "status": st.category,
                    "label_zh": st.label_zh,
                    "label_en": st.label_en,
                    "colour": st.colour,
                    "method": st.method,
                    "note": st.note,
                    "source": str(last["source"].iloc[-1]) if len(last) else "",
                    "data_date": str(last["data_date"].iloc[-1]) if len(last) else "",
                    "path_value": None
                    if st.category in ("pending", "no_target")
                    else path_value(ind, min(year, ind.target_year), baseline, target),
                }
            )
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))


def fill_computed(
    status: pd.DataFrame, computed: dict[str, tuple[dict[str, float], str, str]], year: int
) -> pd.DataFrame:
    """Fill the rows of entered indicators that have no value with what sxgeo computed, saying so.

    Parameters
    ----------
    status : pandas.DataFrame
        :func:`status_table`.
    computed : dict
        :func:`sxgeo.report.dashboard.computed_counts`: id -> (values by unit, kind, note); kind
        ``sited`` (graded 选址已足 / 选址不足 against the unit's target, if any) or ``potential``.
    year : int
        The year the computed values are of.

    Returns
    -------
    pandas.DataFrame
        A copy; rows with an entered value, and units without a computed value, are as they were.
    """
    out = status.copy()
    for ind, (values, kind, note) in computed.items():
        rows = out.index[(out["indicator"] == ind) & out["value"].isna()]
        for i in rows:
            code = str(out.at[i, "unit_code"])
            if code not in values:
                continue
            value = float(values[code])
            target: Any = out.at[i, "target"]
            if str(out.at[i, "status"]) == "pending":
                category = "pending"  # a draft's pending target is not graded, whatever is computed
            elif kind == "potential":
                category = "potential"
            elif target is not None and pd.notna(target):
                category = "sited_enough" if value >= float(target) - 1e-9 else "sited_short"
            else:
                category = str(out.at[i, "status"])
            zh, en, colour = CATEGORIES[category]
            filled: dict[str, Any] = {
                "value": value,
                "year": year,
                "status": category,
                "label_zh": zh,
                "label_en": en,
                "colour": colour,
                "note": note,
                "origin": "computed",
            }
            for col, v in filled.items():
                out.at[i, col] = v
    return out
