"""The county overview map: counties, synthetic towns, villages and built-up areas."""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs

log = logging.getLogger(__name__)

COUNTY_COLOURS = {
    "330602": "#1b9e77",
    "330603": "#d95f02",
    "330604": "#7570b3",
    "330681": "#e7298a",
    "330683": "#66a61e",
    "330624": "#e6ab02",
}

_TEXT = {
    "zh": {
        "title": "绍兴市县级行政区概览",
        "counties": "县(市、区) Counties",
        "towns": "乡镇街道(合成) Towns (synthetic)",
        "villages": "村社区(合成) Villages (synthetic)",
        "built_up": "建成区(合成) Built-up (synthetic)",
        "synthetic": "含合成示例数据，仅供演示 · contains SYNTHETIC demo data",
        "crs": "坐标: WGS84/CGCS2000 · 边界仅供规划参考，非公开出版地图(无审图号)",
    },
    "en": {
        "title": "Shaoxing counties overview",
        "counties": "Counties 县(市、区)",
        "towns": "Towns (synthetic) 乡镇街道",
        "villages": "Villages (synthetic) 村社区",
        "built_up": "Built-up areas (synthetic) 建成区",
        "synthetic": "Contains SYNTHETIC demo data, illustrative only · 含合成示例数据",
        "crs": "Coordinates: WGS84/CGCS2000 · boundaries for planning use, not for publication (no 审图号)",
    },
}

_FONT = '"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif'


def _format_value(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if isinstance(value, bool | np.bool_):
        return "是 yes" if value else "否 no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        return f"{float(value):,.2f}"
    return str(value)


def escape_tooltips(gdf: gpd.GeoDataFrame, fields: dict[str, str]) -> pd.Series:
    """Build one escaped HTML tooltip per feature from *fields* (column -> label).

    Every value is formatted (thousands separators, 2 decimals) and HTML-escaped, so a value
    such as ``<script>...`` shows as text and never runs.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The features.
    fields : dict
        Column name -> label to show.

    Returns
    -------
    pandas.Series
        HTML strings, indexed like *gdf*.
    """
    rows = []
    for _, rec in gdf[list(fields)].iterrows():
        cells = "".join(
            f"<tr><th>{html.escape(label)}</th><td>{html.escape(_format_value(rec[col]))}</td></tr>"
            for col, label in fields.items()
        )
        rows.append(f"<table>{cells}</table>")
    return pd.Series(rows, index=gdf.index)


def _geojson(
    gdf: gpd.GeoDataFrame,
    name: str,
    fields: dict[str, str],
    style: dict[str, Any],
    *,
    show: bool = True,
    marker: folium.CircleMarker | None = None,
) -> folium.GeoJson:
    web = sxcrs.to_lonlat(gdf, what=name)
    web = gpd.GeoDataFrame({"tip": escape_tooltips(web, fields)}, geometry=web.geometry, crs=web.crs)
    # 6 decimals (about 0.1 m) keep the page small without visible change
    web.geometry = shapely.set_precision(np.asarray(web.geometry.values), 1e-6)
    return folium.GeoJson(
        web.to_json(),
        name=name,
        show=show,
        style_function=lambda _feature, s=style: s,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        marker=marker,
    )


def county_overview_map(
    counties: gpd.GeoDataFrame,
    *,
    towns: gpd.GeoDataFrame | None = None,
    villages: gpd.GeoDataFrame | None = None,
    built_up: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    basemap: str = "osm",
) -> folium.Map:
    """Map the counties with, optionally, towns, villages and built-up areas.

    Parameters
    ----------
    counties : geopandas.GeoDataFrame
        The county layer.
    towns, villages, built_up : geopandas.GeoDataFrame, optional
        Extra layers; a layer with a true ``synthetic`` column puts a banner on the map.
    lang : {'zh', 'en'}
        Language of the page.
    basemap : {'osm', 'none'}
        OpenStreetMap tiles, or none (a page that needs no tile server).

    Returns
    -------
    folium.Map
    """
    text = _TEXT[lang]
    web = sxcrs.to_lonlat(counties, what="counties")
    x0, y0, x1, y1 = web.total_bounds
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=True).add_to(fmap)
    elif basemap != "none":
        msg = f"basemap must be 'osm' or 'none', got {basemap!r}"
        raise ValueError(msg)
    fmap.fit_bounds([[y0, x0], [y1, x1]])

    county_fields = {
        "adcode": "代码 adcode",
        "name_zh": "名称",
        "name_en": "Name",
        "land_area_km2": "面积 area (km²)",
    }
    group = folium.FeatureGroup(name=text["counties"])
    for code, sub in web.groupby("adcode", sort=False):
        style = {
            "color": "#333333",
            "weight": 2,
            "fillColor": COUNTY_COLOURS.get(str(code), "#999999"),
            "fillOpacity": 0.25,
        }
        _geojson(sub, str(code), county_fields, style).add_to(group)
    group.add_to(fmap)

    synthetic = False
    if towns is not None:
        synthetic |= bool(towns.get("synthetic", pd.Series([False])).any())
        _geojson(
            towns,
            text["towns"],
            {"code": "代码 code", "name": "名称 name", "kind": "类型 kind"},
            {"color": "#555555", "weight": 0.8, "fillOpacity": 0.0, "dashArray": "4 3"},
            show=False,
        ).add_to(fmap)
    if built_up is not None:
        synthetic |= bool(built_up.get("synthetic", pd.Series([False])).any())
        _geojson(
            built_up,
            text["built_up"],
            {"adcode": "代码 adcode", "name_zh": "名称", "area_km2": "面积 area (km²)"},
            {"color": "#b2182b", "weight": 1, "fillColor": "#ef8a62", "fillOpacity": 0.5},
        ).add_to(fmap)
    if villages is not None:
        synthetic |= bool(villages.get("synthetic", pd.Series([False])).any())
        marker = folium.CircleMarker(radius=2.5, weight=0, fill=True, fill_color="#2166ac", fill_opacity=0.8)
        _geojson(
            villages,
            text["villages"],
            {"code": "代码 code", "name": "名称 name"},
            {},
            show=False,
            marker=marker,
        ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)

    banner = (
        f'<div style="font-family:{_FONT};font-size:15px;font-weight:bold">{html.escape(text["title"])}</div>'
    )
    if synthetic:
        banner += f'<div style="color:#b2182b;font-weight:bold">{html.escape(text["synthetic"])}</div>'
    banner += f'<div style="font-size:11px;color:#555">{html.escape(text["crs"])}</div>'
    box = (
        f'<div id="sxgeo-title" style="position:fixed;top:10px;left:50px;z-index:1000;background:white;'
        f'padding:6px 10px;border:1px solid #999;border-radius:4px;font-family:{_FONT}">{banner}</div>'
    )
    fmap.get_root().html.add_child(folium.Element(box))
    return fmap


def save_map(fmap: folium.Map, path: str | Path) -> Path:
    """Write a map to an HTML file.

    Parameters
    ----------
    fmap : folium.Map
        The map.
    path : str or pathlib.Path
        Output ``.html`` file; its folder is created.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmap.save(str(path))
    log.info("wrote %s (%.0f KB)", path, path.stat().st_size / 1024)
    return path
