"""The zero-carbon parks map: parks coloured by the grade of the core indicator, over the counties."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from sxgeo.maps import styles
from sxgeo.maps.page import WebMap
from sxgeo.maps.views import add_counties, lang_title

GRADE_COLOURS = {"meets": "#1a9850", "above": "#d73027", "no_data": "#969696"}
"""Colour of each core-indicator grade."""
GRADE_LABELS = {
    "meets": "达到限值 meets the limit",
    "above": "高于限值 above the limit",
    "no_data": "无填报 no data",
}


def parks_map(
    counties: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    lang: str = "zh",
    basemap: str | None = None,
) -> WebMap:
    """Parks coloured by ``core_grade``, with their PV, shares and core indicator in the tooltip.

    Parameters
    ----------
    counties : geopandas.GeoDataFrame
        County polygons.
    parks : geopandas.GeoDataFrame
        :func:`sxgeo.parks.read_boundaries`.
    table : pandas.DataFrame
        ``zero_carbon_parks``.
    lang : {'zh', 'en'}
        Interface language.
    basemap : str, optional
        Basemap name.

    Returns
    -------
    WebMap
    """
    m = WebMap(lang_title(lang, "零碳园区", "Zero-carbon parks"), lang=lang, basemap=basemap)
    add_counties(m, counties, filled=False)
    j = parks[["park_code", "geometry"]].merge(table, on="park_code")
    if "core_grade" not in j.columns:
        j["core_grade"] = "no_data"
    # inner parks (园中园) drawn last, on top of their parents
    j = j.assign(_inner=(j["parent_code"] != "").astype(int)).sort_values("_inner", kind="stable")
    tips = [
        ("park_name", "园区 park"),
        ("level", "级别 level"),
        ("pv_capacity_mwp", "屋顶光伏 rooftop PV", 1, "MWp"),
        ("pv_supply_share_pct", "光伏可供用电 PV share of use", 1, "%"),
        ("core_t_co2_per_tce", "单位能耗碳排放 t CO2/tce", 3),
        ("core_grade", "评价 grade"),
        ("sponge_coverage_pct", "海绵达标 sponge", 1, "%"),
    ]
    name = "园区核心指标 Core indicator by park"
    m.add_vector(
        j.drop(columns="_inner"),
        name,
        group="indicators",
        symbology=styles.categorical(
            j["core_grade"], title=name, colors=GRADE_COLOURS, labels=GRADE_LABELS, fillOpacity=0.6
        ),
        tooltip=[t for t in tips if t[0] in j.columns],
        search="park_name",
        fit=True,
    )
    return m
