"""The sponge-city map: coverage per county against its target, compliant projects and sub-zones."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo import labels as sxlabels
from sxgeo.maps import styles
from sxgeo.maps.page import WebMap
from sxgeo.maps.views import (
    add_counties,
    lang_title,
)
from sxgeo.plan import Targets, TargetsLike, load_plan, unit_target
from sxgeo.report.status import COLOURS, assess

log = logging.getLogger(__name__)

STATUS_CLASSES = {
    "met": (*sxlabels.TABLE_STATUS["met"], "#1a9850"),
    "on_schedule": (*sxlabels.STATUS["on schedule"], COLOURS["on_track"]),
    "behind": (*sxlabels.TABLE_STATUS["behind"], "#d73027"),
    "no_data": ("无数据或无目标", "no data or no target", "#bdbdbd"),
}
"""Map classes of a unit against its *own* target -> (zh, en, colour). ``on_schedule``: short of
the target but on (or ahead of) the plan's path in the reporting year, as the report judges it
(:data:`SCHEDULE_CATEGORIES`); the labels are those of :mod:`sxgeo.labels`."""

STATUS_CODES = {"met": "met", "on_schedule": "on schedule", "behind": "behind", "no_data": "no data"}
"""Map class -> the ``status`` code its popup shows (a key of :data:`sxgeo.labels.STATUS`)."""

SCHEDULE_CATEGORIES = ("on_track", "faster")
"""Report categories (:mod:`sxgeo.report.status`) of a unit short of its target that the map shows
as on schedule (基本符合预期 / 快于预期); ``lagging`` stays behind."""

INDICATOR = "sponge_coverage"
"""The plan's indicator the map judges."""


def schedule_categories(
    table: pd.DataFrame,
    year: int | None,
    *,
    targets: TargetsLike = None,
    baseline: pd.DataFrame | None = None,
) -> dict[str, str]:
    """Each unit's report category for sponge coverage in *year*, judged as the report judges it.

    The plan's method for ``sponge_coverage`` (:func:`sxgeo.report.status.assess`) on the unit's
    value in *year*, against its own target, from its baseline: the unit's coverage in the plan's
    baseline year (*baseline*, the Tier A table of that year) when there is one, else the plan's
    baseline of the unit, else the city's (:func:`sxgeo.report.model.status_table` picks the same).

    Parameters
    ----------
    table : pandas.DataFrame
        ``unit_code``, ``coverage_pct`` and ``target_pct`` (:func:`sxgeo.sponge.coverage`).
    year : int or None
        Reporting year (None: nothing judged).
    targets : sxgeo.plan.Targets or pandas.DataFrame, optional
        The targets (default the shipped plan's).
    baseline : pandas.DataFrame, optional
        The same table at the plan's baseline year.

    Returns
    -------
    dict
        Unit code -> category (``met``, ``on_track``, ``lagging``...); units without a value or a
        target are left out.
    """
    plan = targets.plan if isinstance(targets, Targets) else load_plan()
    ind = plan.get(INDICATOR)
    if year is None or ind is None or not {"unit_code", "coverage_pct", "target_pct"} <= set(table.columns):
        return {}
    base_of: dict[str, float] = {}
    if baseline is not None and {"unit_code", "coverage_pct"} <= set(baseline.columns):
        vals = pd.to_numeric(baseline["coverage_pct"], errors="coerce")
        base_of = {str(c): float(v) for c, v in zip(baseline["unit_code"], vals, strict=True) if pd.notna(v)}
    city = unit_target(INDICATOR, "330600", kind="baseline", targets=targets)
    out = {}
    for code, value, target in zip(
        table["unit_code"].astype(str),
        pd.to_numeric(table["coverage_pct"], errors="coerce"),
        pd.to_numeric(table["target_pct"], errors="coerce"),
        strict=True,
    ):
        if pd.isna(value) or pd.isna(target):
            continue
        own = unit_target(INDICATOR, code, kind="baseline", targets=targets)
        start = base_of.get(code, own if own is not None else city)
        out[code] = assess(
            [(int(year), float(value))],
            method=ind.method,
            baseline=start,
            baseline_year=ind.baseline_year,
            target=float(target),
            target_year=ind.target_year,
            direction=ind.direction,
        ).category
    return out


COVERAGE_LAYER = "海绵城市达标情况(对照本级目标) Sponge-city coverage against each unit's own target"
"""Name of the per-county layer of :func:`sponge_map` (the QGIS project takes its style by this name)."""


def status_classes(table: pd.DataFrame, schedule: Mapping[str, str] | None = None) -> pd.Series:
    """Each unit's class against its own target: met (gap 0), on schedule, behind (a km² gap), no data.

    Parameters
    ----------
    table : pandas.DataFrame
        ``coverage_pct``, ``target_pct`` and ``gap_km2`` per unit (and ``unit_code`` or ``adcode``).
    schedule : mapping, optional
        Unit code -> report category (:func:`schedule_categories`): a unit behind whose category is
        in :data:`SCHEDULE_CATEGORIES` is ``on_schedule``. Without it a unit is met or behind.

    Returns
    -------
    pandas.Series
        Keys of :data:`STATUS_CLASSES`, same index.
    """
    nothing = pd.Series(np.nan, index=table.index)
    value, target, gap = (
        pd.to_numeric(table[c] if c in table.columns else nothing, errors="coerce")
        for c in ("coverage_pct", "target_pct", "gap_km2")
    )
    known = value.notna() & target.notna()
    behind = known & ((gap > 1e-9) | (gap.isna() & (value < target - 1e-9)))
    codes = (
        table["unit_code"]
        if "unit_code" in table.columns
        else table.get("adcode", pd.Series("", index=table.index))
    )
    on_path = codes.astype(str).map(lambda c: (schedule or {}).get(c) in SCHEDULE_CATEGORIES).astype(bool)
    return pd.Series(
        np.where(~known, "no_data", np.where(behind, np.where(on_path, "on_schedule", "behind"), "met")),
        index=table.index,
        dtype=object,
    )


def sponge_map(
    table: pd.DataFrame | None,
    counties: gpd.GeoDataFrame,
    *,
    compliant: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    lang: str = "zh",
    basemap: str | None = None,
    schedule: Mapping[str, str] | None = None,
) -> WebMap:
    """Sponge-city map: county coverage against target, compliant areas, sub-zones pass/fail.

    Parameters
    ----------
    table : pandas.DataFrame or None
        From :func:`sxgeo.sponge.coverage` or :func:`sxgeo.sponge.zone_coverage`; without it
        the counties are drawn as outlines.
    counties : geopandas.GeoDataFrame
        County polygons.
    compliant : geopandas.GeoDataFrame, optional
        Compliant areas (e.g. accepted projects) to overlay.
    zones : geopandas.GeoDataFrame, optional
        Sub-zone assessment (:attr:`sxgeo.sponge.ZoneAssessment.zones`).
    title : str, optional
        Map title.
    lang : {'zh', 'en'}
        Interface language.
    basemap : str, optional
        Basemap name.
    schedule : mapping, optional
        Unit code -> report category (:func:`schedule_categories`): units short of their target
        but on the plan's path are coloured and labelled on schedule (基本符合预期).

    Returns
    -------
    WebMap
    """
    m = WebMap(
        title or lang_title(lang, "海绵城市建设达标情况", "Sponge-city coverage"), lang=lang, basemap=basemap
    )
    if table is None:
        add_counties(m, counties, filled=False)
        return _sponge_overlays(m, compliant, zones)
    joined = counties[["adcode", "name_zh", "name_en", "geometry"]].merge(
        table, left_on="adcode", right_on="unit_code", how="left"
    )
    classes = status_classes(joined, schedule)
    joined = joined.assign(
        status_class=classes,
        # the popup's status is the map's class (shown through sxgeo.labels: 已达标 / 基本符合预期 / 未达标)
        status=classes.map(STATUS_CODES),
        map_label=[
            f"{n} {v:.1f}%" if pd.notna(v) else str(n)
            for n, v in zip(
                joined["name_zh"], pd.to_numeric(joined["coverage_pct"], errors="coerce"), strict=True
            )
        ],
    )
    name = COVERAGE_LAYER
    present = [k for k in STATUS_CLASSES if (joined["status_class"] == k).any()]
    m.add_vector(
        joined,
        name,
        group="indicators",
        symbology=styles.categorical(
            joined["status_class"],
            title=name,
            colors={k: STATUS_CLASSES[k][2] for k in present},
            labels={k: STATUS_CLASSES[k][0 if lang == "zh" else 1] for k in present},
            fillOpacity=0.55,
        ),
        tooltip=[
            ("name_zh", "县区"),
            ("coverage_pct", "达标比例 coverage", 1, "%"),
            ("target_pct", "规划目标 target", 0, "%"),
            ("status", "状态 status"),
            ("gap_km2", "距目标尚差 gap", 2, "km²"),
            ("built_up_km2", "建成区 built-up", 2, "km²"),
            ("compliant_km2", "达标面积 compliant", 2, "km²"),
        ],
        search="name_zh",
        label="map_label",
        fit=True,
    )
    return _sponge_overlays(m, compliant, zones)


def _sponge_overlays(m: WebMap, compliant: gpd.GeoDataFrame | None, zones: gpd.GeoDataFrame | None) -> WebMap:
    if compliant is not None and len(compliant):
        cname = "达标区域 Compliant areas"
        m.add_vector(
            compliant,
            cname,
            group="indicators",
            symbology=styles.single("#1a9850", title=cname, fillOpacity=0.6, weight=0.5, stroke="#006837"),
            tooltip=[c for c in ("name", "status", "completed_on") if c in compliant.columns] or None,
            show=len(compliant) <= 2000,
        )
    if zones is not None and len(zones):
        zname = "排水分区达标 Sub-zones pass/fail"
        z = zones.assign(result=np.where(zones["passes"], "pass", "fail"))
        m.add_vector(
            z,
            zname,
            group="indicators",
            symbology=styles.categorical(
                z["result"],
                title=zname,
                colors={"pass": "#1a9641", "fail": "#d7191c"},
                labels={"pass": "达标 pass", "fail": "未达标 fail"},
                fillOpacity=0.45,
                weight=0.8,
            ),
            tooltip=[
                ("zone_id", "分区 zone"),
                ("name", "名称 name"),
                ("alpha_pct", "控制率 alpha", 1, "%"),
                ("alpha_target_pct", "目标 target", 1, "%"),
                ("psi", "径流系数 psi", 3),
                ("failed_flags", "未达标项 failed"),
                ("unknown_flags", "未知项 unknown"),
                ("extra_storage_m3", "尚需调蓄 extra storage", 0, "m³"),
            ],
            search="zone_id",
        )
    return m
