"""The sponge-city map: coverage per county against its target, compliant projects and sub-zones."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo.maps import styles
from sxgeo.maps.page import WebMap
from sxgeo.maps.views import (
    add_counties,
    lang_title,
)

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    pass


STATUS_CLASSES = {
    "met": ("已达标", "met", "#1a9850"),
    "behind": ("未达标", "behind", "#d73027"),
    "no_data": ("无数据或无目标", "no data or no target", "#bdbdbd"),
}
"""Map classes of a unit against its *own* target -> (zh, en, colour)."""

COVERAGE_LAYER = "海绵城市达标情况(对照本级目标) Sponge-city coverage against each unit's own target"
"""Name of the per-county layer of :func:`sponge_map` (the QGIS project takes its style by this name)."""


def status_classes(table: pd.DataFrame) -> pd.Series:
    """Each unit's class against its own target: met (gap 0), behind (a km² gap), no data or no target.

    Parameters
    ----------
    table : pandas.DataFrame
        ``coverage_pct``, ``target_pct`` and ``gap_km2`` per unit.

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
    return pd.Series(
        np.where(~known, "no_data", np.where(behind, "behind", "met")), index=table.index, dtype=object
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
    joined = joined.assign(
        status_class=status_classes(joined),
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
