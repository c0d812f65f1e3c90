"""The rooftop PV map: capacity per county, park and zone, and the roofs."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from sxgeo.maps import styles
from sxgeo.maps.page import WebMap
from sxgeo.maps.views import (
    lang_title,
)

log = logging.getLogger(__name__)

NEA_COLOURS = {
    "natural_person_household": "#1b9e77",
    "non_natural_person_household": "#7570b3",
    "general_ci": "#d95f02",
    "large_ci": "#e7298a",
}
"""Colour of each NEA 2025 project type on the map (ColorBrewer Dark2)."""
NEA_LABELS = {
    "natural_person_household": "自然人户用 natural-person household",
    "non_natural_person_household": "非自然人户用 company on homes",
    "general_ci": "一般工商业 general C&I",
    "large_ci": "大型工商业 large C&I",
}

if TYPE_CHECKING:
    pass


def pv_map(
    county_table: pd.DataFrame,
    counties: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    parks: gpd.GeoDataFrame | None = None,
    park_table: pd.DataFrame | None = None,
    grid: gpd.GeoDataFrame | None = None,
    top: int = 500,
    lang: str = "zh",
    basemap: str | None = None,
) -> WebMap:
    """Rooftop PV map: MWp by county and park, potential density per grid cell, the largest roofs.

    Parameters
    ----------
    county_table : pandas.DataFrame
        From :func:`sxgeo.pv.by_county`.
    counties : geopandas.GeoDataFrame
        County polygons.
    buildings : geopandas.GeoDataFrame
        From :func:`sxgeo.pv.building_potential` (only the *top* largest roofs are drawn).
    parks, park_table : optional
        Park polygons and :func:`sxgeo.pv.by_polygon` results.
    grid : geopandas.GeoDataFrame, optional
        :func:`sxgeo.zonal.grid_counts` of ``capacity_kwp``.
    top : int
        How many of the largest roofs to draw as points.
    lang : {'zh', 'en'}
        Interface language.
    basemap : str, optional
        Basemap name.

    Returns
    -------
    WebMap
    """
    m = WebMap(lang_title(lang, "屋顶光伏潜力", "Rooftop PV potential"), lang=lang, basemap=basemap)
    joined = counties[["adcode", "name_zh", "geometry"]].merge(
        county_table, left_on="adcode", right_on="unit_code"
    )
    name = "县区可装机容量 Capacity by county (MWp)"
    fields = [
        ("name_zh", "县区"),
        ("capacity_mwp", "技术潜力 technical", 1, "MWp"),
        ("policy_mwp", "政策情景 policy", 1, "MWp"),
        ("generation_gwh", "年发电 generation", 1, "GWh"),
        ("share_of_target_pct", "占规划新增目标 share of the plan's target", 1, "%"),
        ("buildings", "建筑数 roofs", 0),
    ]
    m.add_vector(
        joined,
        name,
        group="indicators",
        symbology=styles.classes(
            joined["capacity_mwp"], title=name, k=4, palette="YlOrRd", digits=0, fillOpacity=0.5
        ),
        tooltip=fields,
        search="name_zh",
        fit=True,
    )
    if parks is not None and park_table is not None:
        pj = parks[["park_id", "geometry"]].merge(park_table, on="park_id")
        pname = "园区可装机容量 Capacity by park (MWp)"
        m.add_vector(
            pj,
            pname,
            group="buildings",
            symbology=styles.continuous(
                pj["capacity_mwp"],
                title=pname,
                unit="MWp",
                palette="YlOrRd",
                digits=0,
                fillOpacity=0.7,
                weight=1.5,
                stroke="#7f0000",
            ),
            tooltip=[("name", "园区 park"), *fields[1:]],
            search="name",
        )
    if grid is not None and len(grid):
        g = grid.assign(capacity_mwp=grid["capacity_kwp_sum"] / 1000)
        gname = "潜力密度 Potential per 1 km² cell (MWp)"
        m.add_vector(
            g,
            gname,
            group="buildings",
            symbology=styles.classes(
                g["capacity_mwp"],
                title=gname,
                unit="MWp",
                k=5,
                palette="YlOrRd",
                digits=1,
                weight=0,
                fillOpacity=0.6,
            ),
            tooltip=[("capacity_mwp", "容量 capacity", 2, "MWp"), ("count", "建筑数 roofs", 0)],
            show=False,
        )
    big = buildings.nlargest(top, "capacity_kwp")
    tname = f"最大的{top}个屋顶 Largest {top} roofs"
    cols = [c for c in ("bldg_id", "use", "category", "nea2025_type", "cap_note") if c in big.columns]
    if "nea2025_type" in big.columns:  # coloured by 2025 project type (sxgeo.pv.nea2025)
        symbology = styles.categorical(
            big["nea2025_type"],
            title=tname + " · 2025项目类型 NEA 2025 type",
            colors=NEA_COLOURS,
            labels=NEA_LABELS,
            shape="point",
            radius=4,
            weight=0,
        )
    else:
        symbology = styles.single("#d7301f", title=tname, shape="point", radius=4, weight=0)
    m.add_vector(
        big.assign(geometry=big.geometry.centroid),
        tname,
        group="buildings",
        symbology=symbology,
        tooltip=[
            *cols,
            ("footprint_m2", "屋顶 roof", 0, "m²"),
            ("capacity_kwp", "容量 capacity", 0, "kWp"),
            ("generation_mwh", "年发电 generation", 0, "MWh"),
            ("shade_loss", "遮挡损失 shading", 3),
        ],
        cluster=False,
    )
    return m
