"""The carbon-sinks map: forest, land-cover and wetland carbon per county, and the wetlands."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import rasterio

from sxgeo import labels as sxlabels
from sxgeo.maps import styles
from sxgeo.maps.page import WebMap
from sxgeo.maps.views import (
    breaks,
    city_target,
    hex_colour,
    lang_title,
)
from sxgeo.plan import TargetsLike

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from rasterio.io import DatasetReader


def carbon_map(
    counties: gpd.GeoDataFrame,
    *,
    forest: pd.DataFrame | None = None,
    stands: gpd.GeoDataFrame | None = None,
    landcover: pd.DataFrame | None = None,
    raster: DatasetReader | None = None,
    pools: pd.DataFrame | None = None,
    wetlands_table: pd.DataFrame | None = None,
    wetlands: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    basemap: str | None = None,
    targets: TargetsLike = None,
) -> WebMap:
    """Carbon-sink map: forest cover, carbon density, wetland protection, land cover, stands, wetlands.

    Parameters
    ----------
    counties : geopandas.GeoDataFrame
        County polygons.
    forest : pandas.DataFrame, optional
        :func:`sxgeo.carbon.stands.county_summary` table.
    stands : geopandas.GeoDataFrame, optional
        :func:`sxgeo.carbon.stands.stand_carbon` result (drawn switched off: it is heavy).
    landcover : pandas.DataFrame, optional
        :func:`sxgeo.carbon.landcover.stock_by_county` table.
    raster, pools : optional
        An open land-cover raster and its pools table (``lulc_name``), drawn with a legend.
    wetlands_table : pandas.DataFrame, optional
        :func:`sxgeo.carbon.wetlands.wetland_summary` table.
    wetlands : geopandas.GeoDataFrame, optional
        Wetland polygons.
    lang : {'zh', 'en'}
        Interface language.
    basemap : str, optional
        Basemap name.
    targets : sxgeo.plan.Targets or pandas.DataFrame, optional
        The run's targets (the project's override merged in): the city's target is a legend break.
        The wetland table's own ``target_pct`` wins; without either, no target break.

    Returns
    -------
    WebMap
    """
    m = WebMap(lang_title(lang, "森林与湿地碳汇", "Forest and wetland carbon"), lang=lang, basemap=basemap)
    base = counties[["adcode", "name_zh", "geometry"]]
    if forest is not None:
        j = base.merge(forest, left_on="adcode", right_on="unit_code")
        ref = city_target("forest_cover", forest, targets)
        if ref is not None:
            # the plan gives only a city target: each county's distance from it, not a grade (参照全市目标)
            j = j.assign(vs_city_pct=pd.to_numeric(j["forest_cover_pct"], errors="coerce") - ref)
        name = "森林覆盖率 Forest cover (%)"
        m.add_vector(
            j,
            name,
            symbology=styles.classes(
                j["forest_cover_pct"],
                title=name,
                breaks=breaks([0, 20, 40, 70, 100], city_target("forest_cover", forest, targets)),
                palette="Greens",
                digits=0,
                fillOpacity=0.6,
            ),
            tooltip=[
                ("name_zh", "县区"),
                ("forest_cover_pct", "森林覆盖率 cover", 1, "%"),
                *(
                    [("vs_city_pct", f"与全市目标 {ref:g}% 之差(参照全市目标)", 1, "个百分点")]
                    if ref is not None
                    else []
                ),
                ("stock_volume_wan_m3", "蓄积 stock volume", 1, "万m³"),
                ("vegetation_tc", "植被碳 vegetation C", 0, "tC"),
                ("density_tc_ha", "碳密度 density", 1, "tC/ha"),
            ],
            search="name_zh",
            label="name_zh",
            fit=True,
        )
    if landcover is not None:
        j = base.merge(landcover, left_on="adcode", right_on="unit_code")
        name = "碳密度 Carbon density (t C/ha)"
        m.add_vector(
            j,
            name,
            symbology=styles.continuous(
                j["density_tc_ha"], title=name, palette="Greens", digits=1, fillOpacity=0.6
            ),
            tooltip=[
                ("name_zh", "县区"),
                ("density_tc_ha", "碳密度 density", 1, "tC/ha"),
                ("stock_tc", "碳储量 stock", 0, "tC"),
                ("total_tc", "含土壤 with soil", 0, "tC"),
            ],
            show=forest is None,
            fit=forest is None,
        )
    if raster is not None and pools is not None:
        scale = max(raster.width, raster.height) / 2048
        h, w = max(1, int(raster.height / max(scale, 1))), max(1, int(raster.width / max(scale, 1)))
        arr = raster.read(1, out_shape=(h, w), resampling=rasterio.enums.Resampling.mode)
        transform = raster.transform * raster.transform.scale(raster.width / w, raster.height / h)
        names = (
            pools["lulc_name_zh"]
            if "lulc_name_zh" in pools.columns and lang == "zh"
            else pd.Series(pools.get("lulc_name", pools.index), index=pools.index).map(
                lambda v: sxlabels.value("lulc_name", v, lang)
            )
        )
        palette = (styles.PALETTES["Set2"] * (len(pools) // len(styles.PALETTES["Set2"]) + 1))[: len(pools)]
        given = pools["color"] if "color" in pools.columns else pd.Series(None, index=pools.index)
        colours = {
            int(k): hex_colour(c, fallback, k)
            for k, c, fallback in zip(pools.index, given, palette, strict=True)
        }
        sym = styles.categorical(
            pd.Series(pools.index.astype(int), name="class"),
            title="土地覆盖 Land cover",
            colors=colours,
            labels={int(k): str(v) for k, v in zip(pools.index, names, strict=True)},
        )
        assert sym.legend is not None  # a title gives a legend
        for item in sym.legend["items"]:
            item.pop("count", None)
        nodata = raster.nodata if raster.nodata is not None else (None if 0 in pools.index else 0)
        m.add_raster(
            arr,
            transform,
            raster.crs,
            "土地覆盖 Land cover",
            symbology=sym,
            nodata=nodata,
            show=forest is None,
        )
    if wetlands_table is not None:
        j = base.merge(wetlands_table, left_on="adcode", right_on="unit_code")
        name = "湿地保护率 Wetland protection (%)"
        m.add_vector(
            j,
            name,
            symbology=styles.classes(
                j["protection_rate_pct"],
                title=name,
                breaks=breaks(
                    [0, 30, 80, 100], city_target("wetland_protection_rate", wetlands_table, targets)
                ),
                palette="Blues",
                digits=1,
                fillOpacity=0.5,
            ),
            tooltip=[
                ("name_zh", "县区"),
                ("protection_rate_pct", "保护率 protected", 1, "%"),
                ("wetland_area_ha", "湿地 wetland", 0, "ha"),
                ("burial_tco2_yr", "埋藏 burial", 0, "tCO₂/yr"),
                ("ch4_tco2e_yr", "甲烷 CH₄ (apart)", 0, "tCO₂e/yr"),
            ],
            fit=forest is None,
            show=forest is None,
        )
    if stands is not None:
        name = "小班 Forest stands"
        m.add_vector(
            stands.assign(vegetation_tc_ha=stands["vegetation_tc"] / stands["area_ha"]),
            name,
            group="other",
            symbology=styles.categorical(
                stands["forest_type"], title=name, weight=0.3, fillOpacity=0.5, palette="Dark2"
            ),
            tooltip=[c for c in ("stand_id",) if c in stands.columns]
            + [
                ("forest_type", "类型 type"),
                ("area_ha", "面积 area", 1, "ha"),
                ("volume_m3", "蓄积 volume", 0, "m³"),
                ("vegetation_tc_ha", "碳密度 C density", 1, "tC/ha"),
            ],
            show=False,
            simplify_m=None,
        )
    if wetlands is not None:
        name = "湿地 Wetlands"
        m.add_vector(
            wetlands,
            name,
            group="other",
            symbology=styles.categorical(
                wetlands["wetland_type"],
                title=name,
                palette="Set2",
                labels={
                    str(k): f"{sxlabels.pick(sxlabels.WETLAND_TYPES[str(k)], lang)}"
                    for k in wetlands["wetland_type"].dropna().unique()
                    if str(k) in sxlabels.WETLAND_TYPES
                },
                fillOpacity=0.6,
                weight=0.5,
            ),
            tooltip=[c for c in ("name", "wetland_type", "protected") if c in wetlands.columns],
        )
    return m
