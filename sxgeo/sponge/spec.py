"""Sponge city: share of the built-up area meeting the sponge-city requirements, per county and sub-zone.

The capability's declaration (:class:`sxgeo.capability.Capability`): its project-file keys, the
inputs it needs, the tables it writes, its gap hook and its map view. Nothing heavy is imported
here: ``run``, ``gap`` and ``view`` are loaded when the capability runs.
"""

from __future__ import annotations

from sxgeo.capability import Capability, Key, Table

KEYS: tuple[Key, ...] = (
    Key("sponge", "built_up", "input", "built-up area polygons (建成区)", "建成区范围", '"海绵/建成区.shp"'),
    Key(
        "sponge",
        "compliant",
        "input",
        "accepted sponge project polygons (status, completion date)",
        "已达标海绵项目范围(含状态、完工时间)",
        '{ path = "海绵/项目.xlsx", crs = "gcj02", layer = "2025" }',
    ),
    Key(
        "sponge",
        "subzones",
        "input",
        "drainage sub-zones with compliance flags (Tier B); not the reporting zones above",
        "排水分区(含达标标志,第二层级评估)",
        '"海绵/排水分区.gpkg"',
    ),
    Key(
        "sponge",
        "landcover",
        "input",
        "land-cover polygons with a 'cover' code (runoff coefficients)",
        "下垫面(cover 编码,径流系数)",
        '"海绵/下垫面.gpkg"',
    ),
    Key(
        "sponge", "facilities", "input", "LID facilities (points or polygons)", "海绵设施", '"海绵/设施.gpkg"'
    ),
    Key(
        "sponge",
        "rainfall",
        "input",
        "daily rainfall table: date, precip_mm",
        "日降雨量表",
        '"海绵/日降雨.csv"',
    ),
    Key(
        "sponge",
        "alpha_target",
        "float",
        "annual runoff capture-ratio target, 0-1",
        "年径流总量控制率目标",
        "0.75",
    ),
    Key(
        "sponge",
        "alpha_target_source",
        "str",
        "where that target comes from",
        "目标来源",
        '"《专项规划》表3"',
    ),
    Key(
        "sponge",
        "strict",
        "bool",
        "unknown compliance flags count as failures",
        "未知标志按不达标计",
        "false",
    ),
    Key("sponge", "psi", "str", "runoff coefficients: low, default or high", "径流系数取值", '"default"'),
    Key(
        "sponge",
        "baseline_credit",
        "bool",
        "floor the capture ratio at 1 - psi (not in the GB/T 51345-2018 volume method)",
        "以 1-径流系数 作为控制率下限(非标准方法)",
        "false",
    ),
    Key(
        "sponge",
        "gap_order",
        "str",
        "order of the report's 'what would close the gap' sub-zones: fewest (largest built-up area "
        "first) or storage (least extra m³ per km² gained first)",
        "报告中补足差距的排水分区排序:fewest(最少分区)或 storage(每 km² 所需调蓄容积最小)",
        '"fewest"',
    ),
    Key(
        "sponge",
        "include_regulating",
        "bool",
        "count regulating (调节) storage (detention ponds) and conveyance swales in the controlled "
        "volume (default false: excluded, 技术指南 2014 附录1)",
        "调节容积(调蓄塘)与转输型植草沟计入控制容积(缺省不计入)",
        "false",
    ),
    Key(
        "sponge",
        "exclude_regulating",
        "bool",
        "older form of include_regulating (true = excluded, the default); include_regulating wins",
        "旧写法:调节容积不计入控制容积(缺省即不计入)",
        "true",
    ),
)
"""The ``[sponge]`` keys of the project file."""

TABLES: tuple[Table, ...] = (
    Table(
        "sponge_coverage",
        "share of the built-up area meeting sponge-city requirements",
        "海绵城市达标面积比例",
        per_unit=True,
        columns=("built_up_km2", "compliant_km2", "coverage_pct", "target_pct", "gap_km2"),
    ),
    Table(
        "sponge_coverage_2020",
        "the same at the plan's baseline year",
        "基期海绵城市达标面积比例",
        per_unit=True,
        columns=("built_up_km2", "compliant_km2", "coverage_pct"),
    ),
    Table("sponge_coverage_zones", "coverage per reporting zone", "分区海绵城市达标面积比例"),
    Table(
        "sponge_zone_coverage",
        "coverage from the drainage sub-zones that pass (Tier B)",
        "排水分区法达标面积比例",
        per_unit=True,
        columns=("built_up_km2", "compliant_km2", "coverage_pct", "target_pct", "gap_km2"),
    ),
    Table("sponge_zone_coverage_zones", "Tier B coverage per reporting zone", "分区排水分区法达标面积比例"),
    Table("sponge_zones", "each drainage sub-zone: runoff control rate, storage, pass/fail", "排水分区评估"),
    Table("sponge_zone_built_up", "built-up area of each sub-zone inside each county", "排水分区建成区面积"),
    Table("sponge_facilities", "storage of each facility", "海绵设施调蓄容积"),
    Table("sponge_curve", "the rainfall capture-ratio curve", "年径流总量控制率曲线"),
    Table("sponge_closest", "failing sub-zones closest to passing", "最接近达标的排水分区"),
)
"""The tables it writes."""

CAPABILITY = Capability(
    name="sponge",
    step="sponge city",
    section="sponge",
    title_en="sponge city",
    title_zh="海绵城市",
    run="sxgeo.sponge.pipeline:run_project",
    keys=KEYS,
    needs=(("built_up", "compliant"), ("subzones", "landcover", "facilities", "rainfall")),
    tables=TABLES,
    gap="sxgeo.sponge.gaps:gap_tables",
    view="sxgeo.sponge.view:sponge_map",
    depends=(),
)
