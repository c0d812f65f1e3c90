"""What the report shows: every indicator of the plan judged for the city, 绍兴市区 and each county."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from sxgeo.admin import CITY_CODE, COUNTY_BY_CODE, URBAN_CODE, unit_name
from sxgeo.report.history import series
from sxgeo.report.status import Status, assess

if TYPE_CHECKING:
    import geopandas as gpd

    from sxgeo.report.registry import Indicator, Plan

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
)
"""Columns of the report's status table (one row per indicator x unit)."""


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

    @property
    def unit_codes(self) -> list[str]:
        """City, 绍兴市区, then the counties in the layer's order."""
        return [CITY_CODE, URBAN_CODE, *[str(c) for c in self.units["adcode"]]]

    @property
    def data_date(self) -> str:
        """Latest data date of the values shown (or the made date)."""
        dates = [d for d in self.status["data_date"].astype(str) if d and d != "nan"]
        return max(dates) if dates else self.made


def unit_target_of(ind: Indicator, code: str) -> float | None:
    """The plan's target for a unit: the city's, a unit's own, or its target group's (绍兴市区).

    Parameters
    ----------
    ind : Indicator
        The indicator.
    code : str
        Unit code.

    Returns
    -------
    float or None
        None where the plan gives only a city target ("no county target").
    """
    if code == CITY_CODE:
        return ind.target
    if code in ind.unit_targets:
        return ind.unit_targets[code]
    county = COUNTY_BY_CODE.get(code)
    if county is not None and county.target_group == "urban":
        return ind.unit_targets.get(URBAN_CODE)
    return None


def _judge(
    ind: Indicator, code: str, points: list[tuple[int, float]]
) -> tuple[float | None, float | None, Status]:
    target = unit_target_of(ind, code)
    before = [v for y, v in points if y == ind.baseline_year]
    own = ind.unit_baselines.get(code) if code != CITY_CODE else ind.baseline
    baseline = before[-1] if before else own if own is not None else ind.baseline
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


def status_table(plan: Plan, history: pd.DataFrame, units: gpd.GeoDataFrame, year: int) -> pd.DataFrame:
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

    Returns
    -------
    pandas.DataFrame
        :data:`STATUS_COLUMNS`.
    """
    hist = history[history["year"] <= year] if not history.empty else history
    codes = [CITY_CODE, URBAN_CODE, *[str(c) for c in units["adcode"]]]
    rows = []
    for ind in plan.indicators:
        if not ind.show:
            continue
        for code in codes:
            points = series(hist, ind.id, code) if not hist.empty else []
            target, baseline, st = _judge(ind, code, points)
            last = (
                hist[
                    (hist["indicator"] == ind.id)
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
                }
            )
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))
