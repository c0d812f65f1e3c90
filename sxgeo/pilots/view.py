"""The pilot-siting map: candidates, the selected sites and the existing pilots."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from sxgeo import crs as sxcrs
from sxgeo import labels as sxlabels
from sxgeo.maps import styles
from sxgeo.maps.page import WebMap
from sxgeo.maps.views import (
    add_counties,
    lang_title,
)

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    pass


def criterion_name(criterion: str) -> str:
    """The Chinese name of a criterion id (:data:`sxgeo.labels.PILOT_CRITERIA`), else the id."""
    pair = sxlabels.PILOT_CRITERIA.get(criterion)
    return pair[0] if pair else criterion


def pilots_map(
    ranked: pd.DataFrame,
    counties: gpd.GeoDataFrame,
    *,
    level: str = "village",
    spacing_m: float = 0.0,
    matched: pd.DataFrame | None = None,
    synthetic: bool = False,
    lang: str = "zh",
    basemap: str | None = None,
) -> WebMap:
    """Pilot-siting map: candidates by score, selected sites, existing pilots, the planner's list, spacing.

    Parameters
    ----------
    ranked : pandas.DataFrame
        The ranked table of :func:`sxgeo.pilots.pipeline.run_select` (``lon``, ``lat``, ``score``,
        ``selected``, ``fixed``, ``reason``, ``*_contrib``...).
    counties : geopandas.GeoDataFrame
        County polygons.
    level : str
        ``village``, ``town`` or ``county`` (titles).
    spacing_m : float
        Minimum spacing; circles of that radius are drawn around the selected sites.
    matched : pandas.DataFrame, optional
        A planner's matched list (:func:`sxgeo.pilots.match.match_list`): its matched codes are
        drawn at their candidates.
    synthetic : bool
        Made from synthetic demo criteria (a banner says so).
    lang : {'zh', 'en'}
        Interface language.
    basemap : str, optional
        Basemap name.

    Returns
    -------
    WebMap
    """
    zh = {"village": "村(社区)", "town": "乡镇(街道)", "county": "县(市、区)", "park": "零碳园区"}[level]
    m = WebMap(
        lang_title(
            lang,
            f"低(零)碳试点选址:{zh}",
            f"Low/zero-carbon pilot siting: {'counties' if level == 'county' else level + 's'}",
        ),
        lang=lang,
        basemap=basemap,
    )
    add_counties(m, counties, filled=False)
    pts = gpd.GeoDataFrame(ranked, geometry=gpd.points_from_xy(ranked["lon"], ranked["lat"]), crs=4326)
    contrib = [c for c in ranked.columns if c.endswith("_contrib")]
    tips = [
        ("name", "名称 name"),
        ("code", "代码 code"),
        ("county_name", "县区 county"),
        ("score", "得分 score", 1),
        ("rank", "排名 rank", 0),
        ("reason", "原因 reason"),
        ("label", "稳健性 robustness"),
        ("p_top_n", "P(前N) P(top N)", 2),
        ("p_selected", "P(入选) P(selected)", 2),
        ("irreplaceability", "不可替代性 irreplaceability", 2),
        *[(c, f"{criterion_name(c.removesuffix('_contrib'))} 得分贡献", 1) for c in contrib],
    ]
    scored = pts[pts["score"].notna()]
    name = "候选得分 Candidates by score"
    m.add_vector(
        scored,
        name,
        group="pilots",
        symbology=styles.continuous(
            scored["score"], title=name, palette="Blues", digits=0, radius=4, weight=0
        ),
        tooltip=tips,
        search="name",
        fit=True,
        cluster=False,
    )
    gated = pts[pts["score"].isna() & ~pts["fixed"].astype(bool)]
    if len(gated):
        gname = "未通过准入 Removed by a gate"
        m.add_vector(
            gated,
            gname,
            group="pilots",
            symbology=styles.single("#969696", title=gname, shape="point", radius=3, weight=0),
            tooltip=[("name", "名称 name"), ("code", "代码 code"), ("gate", "准入 gate")],
            show=False,
            cluster=False,
        )
    sel = pts[pts["selected"].astype(bool) & ~pts["fixed"].astype(bool)]
    sname = f"入选 Selected ({len(sel)})"
    m.add_vector(
        sel,
        sname,
        group="pilots",
        symbology=styles.single("#e31a1c", title=sname, shape="point", radius=7, weight=1, stroke="#ffffff"),
        tooltip=tips,
        cluster=False,
    )
    fixed = pts[pts["fixed"].astype(bool)]
    if len(fixed):
        fname = "已有试点 Existing pilots"
        m.add_vector(
            fixed,
            fname,
            group="pilots",
            symbology=styles.single(
                "#6a3d9a", title=fname, shape="point", radius=8, weight=2, stroke="#ffffff"
            ),
            tooltip=tips,
            cluster=False,
        )
    if matched is not None and "code" in matched.columns:
        codes = set(matched["code"].dropna().astype(str))
        mine = pts[pts["code"].astype(str).isin(codes)]
        if len(mine):
            lname = f"规划名单 Planner's list ({len(mine)} of {len(matched)} rows placed)"
            m.add_vector(
                mine,
                lname,
                group="pilots",
                symbology=styles.single(
                    "#ff7f00", title=lname, shape="point", radius=5, weight=2, fillOpacity=0
                ),
                tooltip=tips,
                cluster=False,
            )
    if spacing_m > 0 and len(pts[pts["selected"].astype(bool)]):
        chosen = sxcrs.to_metric(pts[pts["selected"].astype(bool)], what="selected sites")
        circles = chosen.assign(geometry=chosen.geometry.buffer(spacing_m, 32))[["name", "code", "geometry"]]
        cname = f"最小间距 Minimum spacing ({spacing_m / 1000:g} km)"
        m.add_vector(
            circles,
            cname,
            group="pilots",
            symbology=styles.single("#e31a1c", title=cname, fillOpacity=0.04, weight=1, dashArray="4 4"),
            tooltip=[("name", "名称 name")],
            show=False,
        )
    if synthetic:
        m.synthetic = True  # the page's banner
    return m
