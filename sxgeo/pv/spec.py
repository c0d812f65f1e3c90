"""Rooftop PV: installable capacity and yearly generation of roofs, per county, zone and park.

The capability's declaration (:class:`sxgeo.capability.Capability`): its project-file keys, the
inputs it needs, the tables it writes, its gap hook and its map view. Nothing heavy is imported
here: ``run``, ``gap`` and ``view`` are loaded when the capability runs.
"""

from __future__ import annotations

from sxgeo.capability import Capability, Key, Table

KEYS: tuple[Key, ...] = (
    Key(
        "pv",
        "buildings",
        "input",
        "building footprints (GeoParquet for big sets)",
        "建筑轮廓",
        '"光伏/建筑.parquet"',
    ),
    Key("pv", "parks", "input", "industrial park polygons (park_id, name)", "工业园区", '"光伏/园区.shp"'),
    Key(
        "pv",
        "villages",
        "input",
        "village points: roofs go to the nearest (3 km)",
        "村点位(就近汇总)",
        '"边界/村.csv"',
    ),
    Key(
        "pv",
        "weather",
        "input",
        "hourly weather file: EPW, TMY3 or PVGIS TMY",
        "逐时气象文件",
        '"光伏/杭州.epw"',
    ),
    Key(
        "pv",
        "ghi_raster",
        "input",
        "annual GHI raster [kWh/m2], sampled at each roof",
        "年总辐射栅格",
        '"光伏/GHI.tif"',
    ),
    Key(
        "pv",
        "ghi_scenario",
        "str",
        "monthly GHI table: default (1,202) or low (1,166 kWh/m2)",
        "辐射情景",
        '"default"',
    ),
    Key(
        "pv",
        "params",
        "input",
        "roof parameter table replacing the shipped one",
        "屋顶参数表",
        '"光伏/参数.csv"',
    ),
    Key("pv", "shading", "bool", "shading from taller neighbours", "考虑遮挡", "true"),
    Key("pv", "ef_year", "int", "data year of the grid CO2 factor", "电网排放因子年份", "2022"),
    Key(
        "pv",
        "ef_region",
        "str",
        "grid region of the CO2 factor: east_china or national",
        "电网区域",
        '"east_china"',
    ),
    Key(
        "pv",
        "ef_basis",
        "str",
        "avoided-emission factor: average (grid average, 0.5617, a consumption factor), fossil (fossil "
        "power, 0.8325) or baseline_cm (East China grid baseline combined margin, 0.6960 [verify])",
        "减排因子口径: average 电网平均 / fossil 化石能源电力 / baseline_cm 区域电网基准线(组合边际)",
        '"average"',
    ),
    Key(
        "pv",
        "parcels",
        "input",
        "land-title parcels (宗地, parcel_id): roofs on one parcel are one PV project (NEA 2025 caps)",
        "宗地(同一宗地的屋顶为一个项目)",
        '"光伏/宗地.shp"',
    ),
    Key(
        "pv",
        "nea2025_types",
        "input",
        "table category, owner_kind, nea2025_type replacing the shipped NEA 2025 type mapping",
        "2025办法项目类型对照表",
        '"光伏/项目类型.csv"',
    ),
    Key(
        "pv",
        "use_intensity",
        "input",
        "yearly electricity use per m2 floor area by roof category (category, kwh_m2): self-use bound",
        "单位建筑面积年用电量(按类别)",
        '"光伏/用电强度.csv"',
    ),
    Key(
        "pv",
        "self_use_share",
        "float",
        "minimum yearly self-use share of C&I PV generation (provincial; 0.5 default, verify for Zhejiang)",
        "工商业光伏年自发自用比例下限(省定;缺省0.5,待核实)",
        "0.5",
    ),
)
"""The ``[pv]`` keys of the project file."""

TABLES: tuple[Table, ...] = (
    Table(
        "pv_counties",
        "installable rooftop PV capacity and yearly generation per county",
        "屋顶光伏可装机容量与年发电量",
        per_unit=True,
        columns=("buildings", "usable_m2", "capacity_mwp", "policy_mwp", "generation_gwh", "co2_avoided_t"),
    ),
    Table("pv_zones", "the same per reporting zone", "分区屋顶光伏"),
    Table("pv_parks", "the same per industrial park", "工业园区屋顶光伏"),
    Table("pv_villages", "the same per village", "分村屋顶光伏"),
    Table("pv_new_capacity", "potential beside the plan's +1,000 MW of new PV", "新增光伏装机对照"),
    Table(
        "pv_project_types",
        "capacity per county and NEA 2025 project type (国能发新能规〔2025〕7号), long format",
        "分布式光伏项目类型(2025办法)",
        columns=("nea2025_type", "grid_mode", "roofs", "projects", "capacity_mwp", "yield_mwh"),
    ),
    Table("pv_project_types_zones", "the same per reporting zone", "分区光伏项目类型"),
    Table("pv_project_types_parks", "the same per industrial park", "园区光伏项目类型"),
    Table("pv_roofs", "each roof: area, capacity, yield (pv_buildings.parquet in a folder)", "屋顶明细"),
)
"""The tables it writes."""

CAPABILITY = Capability(
    name="pv",
    step="rooftop PV",
    section="pv",
    title_en="rooftop PV",
    title_zh="屋顶光伏",
    run="sxgeo.pv.pipeline:run_project",
    keys=KEYS,
    needs=(("buildings",),),
    tables=TABLES,
    gap="sxgeo.pv.gaps:gap_tables",
    view="sxgeo.pv.view:pv_map",
    depends=(),
)
