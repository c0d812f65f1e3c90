"""The county overview maps: the demo overview and the overview of the project's counties."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from sxgeo.maps import styles
from sxgeo.maps.page import WebMap
from sxgeo.maps.views import (
    add_counties,
    is_synthetic_layer,
    lang_title,
    tooltip_fields,
)

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    pass


def demo_overview_map(
    counties: gpd.GeoDataFrame,
    towns: gpd.GeoDataFrame,
    villages: gpd.GeoDataFrame,
    built_up: gpd.GeoDataFrame,
    *,
    lang: str = "zh",
    basemap: str | None = None,
) -> WebMap:
    """:func:`overview_map` of the synthetic demo layers (kept for callers of the earlier name)."""
    return overview_map(
        counties, built_up=built_up, towns=towns, villages=villages, lang=lang, basemap=basemap
    )


def overview_map(
    counties: gpd.GeoDataFrame,
    *,
    built_up: gpd.GeoDataFrame,
    towns: gpd.GeoDataFrame | None = None,
    villages: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    basemap: str | None = None,
) -> WebMap:
    """Counties with built-up areas, and towns and villages when given (synthetic layers say so).

    Parameters
    ----------
    counties, built_up : geopandas.GeoDataFrame
        The county layer and the built-up polygons.
    towns, villages : geopandas.GeoDataFrame, optional
        Town polygons (``name``, ``code``, ``kind``) and village points (``name``, ``code``).
    lang : {'zh', 'en'}
        Interface language.
    basemap : str, optional
        Basemap name.

    Returns
    -------
    WebMap
    """
    demo = any(is_synthetic_layer(g) for g in (built_up, towns, villages))
    m = WebMap(
        lang_title(lang, "绍兴市基础地理" + ("(示例)" if demo else ""),
                    "Shaoxing base geography" + (" (demo)" if demo else "")),
        lang=lang,
        basemap=basemap,
    )  # fmt: skip
    add_counties(m, counties, filled=False)

    def tag(gdf: gpd.GeoDataFrame | None, zh: str, en: str) -> str:
        return f"{zh}(合成) {en} (synthetic)" if is_synthetic_layer(gdf) else f"{zh} {en}"

    if towns is not None:
        title = tag(towns, "乡镇街道", "Towns")
        kind = towns["kind"] if "kind" in towns.columns else pd.Series("other", index=towns.index)
        m.add_vector(
            towns,
            title,
            group="boundaries",
            symbology=styles.categorical(
                kind,
                title=title,
                colors={"street": "#fdd49e", "town": "#d9f0a3", "township": "#c6dbef", "other": "#eeeeee"},
                labels={
                    "street": "街道 street",
                    "town": "镇 town",
                    "township": "乡 township",
                    "other": "其他 other",
                },
                fillOpacity=0.5,
                weight=0.6,
            ),
            tooltip=tooltip_fields(
                towns, [("name", "名称 name"), ("code", "代码 code"), ("kind", "类型 kind")]
            ),
            search="name" if "name" in towns.columns else None,
            simplify_m=20,
        )
    title = tag(built_up, "建成区", "Built-up")
    m.add_vector(
        built_up,
        title,
        group="indicators",
        symbology=styles.single("#ef8a62", title=title, fillOpacity=0.6, stroke="#b2182b"),
        tooltip=tooltip_fields(built_up, [("name_zh", "县 county"), ("area_km2", "面积 area", 1, "km²")]),
    )
    if villages is not None:
        title = tag(villages, "村社区", "Villages")
        m.add_vector(
            villages,
            title,
            group="pilots",
            symbology=styles.single("#2166ac", title=title, shape="point", radius=3, weight=0),
            tooltip=tooltip_fields(villages, [("name", "名称 name"), ("code", "代码 code")]),
            search="name" if "name" in villages.columns else None,
            show=False,
        )
    return m
