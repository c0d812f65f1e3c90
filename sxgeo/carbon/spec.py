"""Carbon sinks: forest and wetland carbon stocks, yearly sinks, forest cover and wetland protection.

The capability's declaration (:class:`sxgeo.capability.Capability`): its project-file keys, the
inputs it needs, the tables it writes, its gap hook and its map view. Nothing heavy is imported
here: ``run``, ``gap`` and ``view`` are loaded when the capability runs.
"""

from __future__ import annotations

from sxgeo.capability import Capability, Key, Table

KEYS: tuple[Key, ...] = (
    Key(
        "carbon",
        "landcover",
        "input",
        "land-cover class raster (uint8, projected CRS)",
        "土地覆盖栅格",
        '"碳汇/土地覆盖2020.tif"',
    ),
    Key(
        "carbon",
        "landcover_after",
        "input",
        "a later land-cover raster on the same grid",
        "后期土地覆盖栅格",
        '"碳汇/土地覆盖2025.tif"',
    ),
    Key("carbon", "years", "float", "years between the two land-cover rasters", "两期栅格间隔年数", "5"),
    Key(
        "carbon",
        "pools",
        "input",
        "InVEST carbon pools table: lucode, c_above, c_below, c_soil, c_dead",
        "碳库表(InVEST 格式)",
        '"碳汇/碳库.csv"',
    ),
    Key(
        "carbon",
        "stands",
        "input",
        "forest stands (小班): forest_type, area_ha, volume_m3",
        "森林小班",
        '"碳汇/小班2025.gpkg"',
    ),
    Key(
        "carbon",
        "stands_before",
        "input",
        "an earlier stand inventory, for the yearly sink",
        "前期森林小班",
        '"碳汇/小班2020.gpkg"',
    ),
    Key("carbon", "stands_years", "float", "years between the two inventories", "两期小班间隔年数", "5"),
    Key(
        "carbon",
        "factors",
        "input",
        "forest factor table replacing the shipped one",
        "森林碳计量参数表",
        '"碳汇/参数.csv"',
    ),
    Key("carbon", "method", "str", "fang (continuous BEF) or chain (constant factors)", "计量方法", '"fang"'),
    Key(
        "carbon",
        "wetlands",
        "input",
        "wetland polygons with wetland_type (and protected)",
        "湿地图斑",
        '"碳汇/湿地.shp"',
    ),
    Key(
        "carbon",
        "protected",
        "input",
        "protected areas overlaid instead of a flag",
        "保护地范围",
        '"碳汇/保护地.shp"',
    ),
    Key(
        "carbon",
        "dlbm",
        "input",
        "三调/变更调查 land-use polygons (DLBM): wetland, cropland, built, roads are not afforestation land",
        "三调/变更调查地类图斑(DLBM),排除湿地、耕地、建设用地、道路",
        '"碳汇/三调地类.gpkg"',
    ),
    Key(
        "carbon",
        "urban_boundary",
        "input",
        "城镇开发边界 polygons: land inside is not afforestation-eligible",
        "城镇开发边界",
        '"碳汇/城镇开发边界.shp"',
    ),
)
"""The ``[carbon]`` keys of the project file."""

TABLES: tuple[Table, ...] = (
    Table(
        "carbon_forest",
        "forest area, cover, stock volume and carbon per county",
        "森林面积、覆盖率、蓄积量与碳储量",
        per_unit=True,
        columns=(
            "forest_area_ha",
            "land_area_ha",
            "forest_cover_pct",
            "stock_volume_wan_m3",
            "vegetation_tc",
            "stock_tc",
            "soil_tc",
        ),
    ),
    Table("carbon_forest_types", "the same per forest type", "分林分类型碳储量"),
    Table("carbon_forest_sink", "yearly forest carbon sink per forest type", "森林年碳汇量"),
    Table("carbon_forest_plan", "the forest figures beside the plan's", "森林指标对照规划"),
    Table(
        "carbon_landcover",
        "land-cover carbon stock per county",
        "土地覆盖碳储量",
        per_unit=True,
        columns=("area_ha", "stock_tc", "soil_tc", "total_tc", "density_tc_ha"),
    ),
    Table("carbon_landcover_classes", "the same per land-cover class", "分地类碳储量"),
    Table(
        "carbon_landcover_change",
        "carbon change between two land-cover years",
        "土地覆盖变化碳储量变化",
        per_unit=True,
        columns=("change_tc", "gain_tc", "loss_tc", "sink_tc_yr"),
    ),
    Table("carbon_landcover_transitions", "area and carbon of each class-to-class change", "地类转移矩阵"),
    Table(
        "carbon_plantable", "plantable patches outside the forest (the forest-cover gap list)", "可造林地块"
    ),
    Table(
        "carbon_afforestation",
        "land eligible for CCER-14-001-V01 afforestation per county, and what was excluded why",
        "符合CCER造林碳汇条件的土地",
        per_unit=True,
        columns=("eligible_parcels", "eligible_ha", "excluded_ha"),
    ),
    Table(
        "carbon_afforestation_eligible",
        "each candidate patch: eligible or the reason it is not (carbon_afforestation_eligible.parquet)",
        "造林碳汇候选图斑",
    ),
    Table(
        "carbon_wetlands",
        "wetland area, protection rate and carbon per county",
        "湿地面积、保护率与碳汇",
        per_unit=True,
        columns=(
            "wetland_area_ha",
            "base_area_ha",
            "protected_area_ha",
            "protection_rate_pct",
            "soil_tc",
            "burial_tc_yr",
        ),
    ),
    Table("carbon_wetland_types", "the same per wetland type", "分湿地类型"),
    Table("carbon_wetland_features", "each wetland feature, protected or not", "湿地斑块"),
)
"""The tables it writes."""

CAPABILITY = Capability(
    name="carbon",
    step="carbon sinks",
    section="carbon",
    title_en="carbon sinks",
    title_zh="碳汇",
    run="sxgeo.carbon.pipeline:run_project",
    keys=KEYS,
    needs=(("stands",), ("landcover", "pools"), ("wetlands",)),
    tables=TABLES,
    gap="sxgeo.carbon.gaps:gap_tables",
    view="sxgeo.carbon.view:carbon_map",
    report_section="sxgeo.carbon.report:report_section",
    depends=(),
)
