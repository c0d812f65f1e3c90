"""Chinese help for every command and option: ``sxgeo --help`` shows 中文 and English side by side.

``SXGEO_LANG=en`` shows English only, ``SXGEO_LANG=zh`` Chinese only. A command or option added later
without an entry here shows its English help, and ``tests/cli/test_help.py`` lists it until it has one.
"""

from __future__ import annotations

import os
from typing import Any

HELP_ZH = {
    "GIS toolkit for Shaoxing's 14th Five-Year climate plan.": "绍兴市应对气候变化十四五规划空间分析工具。",
    "More log output (-vv for debug).": "输出更多日志(-vv 为调试信息)。",
    "Only errors.": "只显示错误。",
    "Language of messages: zh (Chinese, English beside it; default) or en.": (
        "提示信息的语言:zh(中文并附英文,缺省)或 en(仅英文)。"
    ),
    "Print the version and exit.": "显示版本号后退出。",
    "Read a layer as sxgeo would and report what it found, repaired and excluded.": (
        "按 sxgeo 的方式读取图层,报告读到、修复和排除的内容。"
    ),
    "Layer file: SHP, GPKG, GeoJSON, FGB, GeoParquet, CSV/XLSX points.": (
        "图层文件:SHP、GPKG、GeoJSON、FGB、GeoParquet、CSV/XLSX 点表。"
    ),
    "CRS when the file has none: 4326, 4490, 4549 or gcj02.": "文件无坐标系时指定:4326、4490、4549 或 gcj02。",
    "Layer (GeoPackage) or sheet (Excel).": "图层名(GeoPackage)或工作表(Excel)。",
    "Attribute encoding; detected when omitted.": "属性编码;省略时自动识别。",
    "Longitude column of a point table.": "点表的经度列。",
    "Latitude column of a point table.": "点表的纬度列。",
    "Swap x and y (lat/lon written as lon/lat).": "交换 x 与 y(经纬度写反时)。",
    "Accept a layer far from Shaoxing.": "接受远离绍兴的图层。",
    "Print the report as JSON.": "以 JSON 输出报告。",
    "Write a commented sxgeo.toml project template (zh/en) naming your input files.": (
        "生成带中英文注释的项目文件模板 sxgeo.toml,用于填写输入文件。"
    ),
    "Project folder (created when missing).": "项目文件夹(不存在时新建)。",
    "Replace an existing sxgeo.toml.": "覆盖已有的 sxgeo.toml。",
    "Run every capability the project file names: all tables and maps into one folder.": (
        "运行项目文件中给出输入的全部分析,表格和地图输出到一个文件夹。"
    ),
    "Project file (sxgeo.toml); default ./sxgeo.toml when there is one.": (
        "项目文件(sxgeo.toml);缺省时使用当前目录下的 sxgeo.toml。"
    ),
    "Folder of the shipped layers.": "内置图层所在文件夹。",
    "Output folder for tables and maps.": "表格和地图的输出文件夹。",
    "Map language: zh or en (default: the project's, else zh).": "地图语言:zh 或 en(缺省取项目设置,否则 zh)。",
    "Basemap: none, osm, tianditu-vec, tianditu-img, tianditu-en, amap (GCJ-02), xyz:<template>.": (
        "底图:none、osm、tianditu-vec、tianditu-img、tianditu-en、amap(GCJ-02)、xyz:<模板>。"
    ),
    "Quick-look map of any layers over the counties, or `sxgeo map png MAP.html -o MAP.png`.": (
        "在县区底图上快速查看任意图层;或 `sxgeo map png MAP.html -o MAP.png` 导出图片。"
    ),
    "Layer files to show; or `png MAP.html` to render a map to PNG.": "要显示的图层文件;或 `png MAP.html` 导出 PNG。",
    "Output .html (layers) or .png (png).": "输出 .html(图层)或 .png(导出图片)。",
    "Map language: zh or en.": "地图语言:zh 或 en。",
    "Map title.": "地图标题。",
    "CRS of layers that carry none (e.g. 4326, gcj02).": "无坐标系图层的坐标系(如 4326、gcj02)。",
    "Write a map above the 20 MB guard.": "超过 20 MB 上限时仍然写出地图。",
    "PNG width [px].": "PNG 宽度 [像素]。",
    "PNG height [px].": "PNG 高度 [像素]。",
    "Generate the synthetic demo layers (labelled synthetic, seeded, deterministic).": (
        "生成合成示例数据(标注为合成,固定随机种子,结果可复现)。"
    ),
    "Output folder.": "输出文件夹。",
    "Random seed.": "随机种子。",
    "Folder of the real layers.": "真实图层所在文件夹。",
    "Capacity (MWp), policy scenario and yearly generation of every roof, and their sums.": (
        "每个屋顶的可装机容量(MWp)、政策情景与年发电量,及其汇总。"
    ),
    "Building footprints (any layer format; GeoParquet for big sets).": "建筑轮廓(任意图层格式;数据量大时用 GeoParquet)。",
    "Table file (.csv/.xlsx/.gpkg/.parquet) or a folder for every table, the per-building GeoParquet and map.": (
        "表格文件(.csv/.xlsx/.gpkg/.parquet),或输出全部表格、逐栋 GeoParquet 和地图的文件夹。"
    ),
    "Industrial park polygons (park_id, name).": "工业园区面(park_id、name)。",
    "Village points (code, name): roofs go to the nearest.": "村(社区)点位(code、name):屋顶归入最近的村。",
    "Reporting zones (towns/streets, parks): a per-zone table beside the county one. (--towns: alias)": (
        "统计分区(乡镇街道、园区):在县区表之外另出分区表。(--towns 为别名)"
    ),
    "Reporting zones (towns/streets, parks): a per-zone table beside the county one.": (
        "统计分区(乡镇街道、园区):在县区表之外另出分区表。"
    ),
    "Code column of --zones (default: adcode, code, 行政区划代码, PAC...).": (
        "--zones 的代码列(缺省:adcode、code、行政区划代码、PAC 等)。"
    ),
    "County polygons with a code column (adcode, 行政区划代码, PAC...); default: shipped layer.": (
        "带代码列的县区面(adcode、行政区划代码、PAC 等);缺省用内置图层。"
    ),
    "Hourly weather file: EPW, TMY3 or PVGIS TMY.": "逐时气象文件:EPW、TMY3 或 PVGIS TMY。",
    "Annual GHI raster [kWh/m2], sampled at each roof.": "年总辐射栅格 [kWh/m2],按屋顶位置取值。",
    "Monthly table: default (1,202) or low (1,166 kWh/m2).": "逐月辐射表:default(1,202)或 low(1,166 kWh/m2)。",
    "Roof parameter table (CSV) replacing the shipped one.": "替换内置参数的屋顶参数表(CSV)。",
    "Land-title parcels (宗地): the roofs on one parcel are one PV project.": "宗地:同一宗地上的屋顶为一个光伏项目。",
    "Table category, owner_kind, nea2025_type replacing the shipped one.": (
        "替换内置对照的项目类型表(category, owner_kind, nea2025_type)。"
    ),
    "Yearly kWh per m2 floor area by category (category, kwh_m2).": "按类别的单位建筑面积年用电量(category, kwh_m2)。",
    "Minimum yearly self-use share of C&I PV (0.5 default, verify for Zhejiang).": (
        "工商业光伏年自发自用比例下限(缺省 0.5,浙江取值待核实)。"
    ),
    "Shading from taller neighbours when heights/floors exist.": "有高度/层数时计算较高邻近建筑的遮挡。",
    "Data year of the grid CO2 factor.": "电网 CO2 排放因子的数据年份。",
    "Grid region of the CO2 factor: east_china or national.": "CO2 排放因子的电网区域:east_china 或 national。",
    "Cell size of the potential-density grid [m].": "潜力密度格网的边长 [米]。",
    "CRS of inputs that carry none.": "无坐标系输入的坐标系。",
    "Also write the map here (.html).": "同时把地图写到此处(.html)。",
    "Sponge city: coverage of the built-up area against the 2025 targets.": "海绵城市:建成区达标面积比例与 2025 年目标对比。",
    "Tier A: share of the built-up area covered by accepted sponge projects, per county.": (
        "第一层级:各县区建成区中已验收海绵项目覆盖的比例。"
    ),
    "Built-up area polygons (建成区).": "建成区范围面。",
    "Accepted sponge project polygons (with --engine dask also a folder or glob of GeoParquet).": (
        "已验收海绵项目范围面(--engine dask 时也可为 GeoParquet 分块文件夹或通配符)。"
    ),
    "Table file (.csv/.xlsx/.gpkg/.parquet) or a folder for every table and map.": (
        "表格文件(.csv/.xlsx/.gpkg/.parquet),或输出全部表格和地图的文件夹。"
    ),
    "Reporting year: projects completed by then count.": "评估年份:此前完工的项目计入。",
    "Tier B: pass/fail of every drainage sub-zone by the volume method, and what it still needs.": (
        "第二层级:按容积法逐一评估排水分区是否达标,以及尚需的调蓄容积。"
    ),
    "Drainage sub-zone polygons with flags.": "带达标标志的排水分区面。",
    "Land-cover polygons with a 'cover' code.": "带 cover 编码的下垫面。",
    "LID facilities (points or polygons).": "低影响开发设施(点或面)。",
    "Daily rainfall table: date, precip_mm.": "日降雨量表:date、precip_mm。",
    "Built-up area, for the coverage by passing sub-zones.": "建成区,用于计算达标排水分区的覆盖比例。",
    "Capture-ratio target, 0-1 (else [sponge] alpha_target, else 0.75).": (
        "年径流总量控制率目标,0-1(否则取配置 [sponge] alpha_target,再否则 0.75)。"
    ),
    "Where the target comes from (document).": "目标值的出处(文件)。",
    "Unknown compliance flags count as failures.": "未知的达标标志按不达标计。",
    "What-if: count planned/building facilities.": "情景分析:计入规划中/在建设施。",
    "What-if: extra facilities from a file.": "情景分析:从文件增加设施。",
    "Only facilities completed by this year count.": "只计入该年份前完工的设施。",
    "Runoff coefficients: low, default or high.": "径流系数取值:low、default 或 high。",
    "The H-alpha curve of a station: design depth for each capture ratio, and yearly totals.": (
        "站点的设计降雨量–年径流总量控制率曲线,及逐年降水统计。"
    ),
    "Daily rainfall table: date, precip_mm[, is_snow].": "日降雨量表:date、precip_mm[、is_snow]。",
    "Carbon sinks: forest and wetland stocks and yearly sinks per county.": "碳汇:各县区森林与湿地碳储量和年碳汇。",
    "Forest area, cover, stock volume and carbon per county (with a 95% range), and the yearly sink.": (
        "各县区森林面积、覆盖率、蓄积量和碳储量(含 95% 区间),以及年碳汇。"
    ),
    "Forest stands (小班): forest_type, area_ha, volume_m3 ...": "森林小班:forest_type、area_ha、volume_m3 等。",
    "An earlier inventory, for the yearly sink.": "前期小班调查,用于计算年碳汇。",
    "Years between --previous and --stands.": "--previous 与 --stands 之间的年数。",
    "Factor table (CSV) replacing the shipped one.": "替换内置参数的计量参数表(CSV)。",
    "fang (continuous BEF) or chain (constant factors).": "fang(连续生物量扩展因子)或 chain(常数因子)。",
    "Class areas and carbon per county from a land-cover raster (InVEST's pixel rule), and the change.": (
        "由土地覆盖栅格计算各县区地类面积和碳储量(InVEST 像元规则),及两期变化。"
    ),
    "Land-cover class raster (projected, or geographic: true area per pixel row).": (
        "土地覆盖分类栅格(投影坐标系;或地理坐标系,按每行像元的椭球面真实面积计)。"
    ),
    "InVEST carbon pools CSV: lucode, c_above, c_below, c_soil, c_dead.": (
        "InVEST 碳库表 CSV:lucode、c_above、c_below、c_soil、c_dead。"
    ),
    "A later map on the same grid, for the change.": "同一格网的后期栅格,用于计算变化。",
    "Years between the two maps.": "两期栅格之间的年数。",
    "Rows read at a time (default: ~8 Mpx windows).": "每次读取的行数(缺省约 800 万像元一窗)。",
    "Wetland area and protection rate per county against the plan's target; carbon, methane apart.": (
        "各县区湿地面积与保护率(对照规划目标);碳储量,甲烷单列。"
    ),
    "Wetland polygons with wetland_type (and protected).": "湿地图斑(wetland_type,及 protected)。",
    "Protected areas to overlay instead of a flag.": "用保护地范围叠加代替保护标志。",
    "Avoided-emission factor: average (grid average, MEE+NBS, a consumption factor; default), fossil (national fossil-power factor) or baseline_cm (regional grid baseline, OM/BM combined margin: the generation PV displaces).": "减排因子:average(电网平均,生态环境部与国家统计局发布,属消费侧因子,缺省)、fossil(全国化石能源电力因子)或 baseline_cm(区域电网基准线排放因子,OM/BM 组合边际,即光伏替代的发电)。",
    "Floor the capture ratio at 1 - psi (not in the GB/T 51345-2018 volume method; else [sponge] baseline_credit, else off).": "年径流总量控制率下限取 1 - ψ(不属于 GB/T 51345-2018 容积法;否则取 [sponge] baseline_credit,缺省关闭)。",
    "Sponge gap list: fewest (fewest sub-zones, largest built-up area first) or storage (least extra m³ per km² gained); else [sponge] gap_order, else fewest.": "海绵城市补足差距清单排序:fewest(最少分区,建成区面积最大者优先)或 storage(每增加 1 km² 所需调蓄容积最小者优先);否则取 [sponge] gap_order,缺省 fewest。",
    "The plan's final assessment (总结评估) or a progress report; default the final assessment when the year is the plan's target year or later.": "规划总结评估(--final)或实施进展评估(--progress);缺省时评估年份为规划目标年或更晚即生成总结评估。",
    "Count regulating storage (detention ponds) and conveyance swales in the controlled volume (else [sponge] include_regulating, else excluded: 技术指南 2014 附录1).": "调节容积(调节塘)与转输型植草沟计入控制容积(否则取 [sponge] include_regulating,缺省不计入:2014 技术指南附录1)。",
    "Every indicator of the plan against its target, per county: index.html, report.pdf, report.xlsx.": "规划各项指标分县区对照目标的进展报告:index.html、report.pdf、report.xlsx。",
    "Report folder (index.html, report.pdf, XLSX).": "报告输出文件夹(index.html、report.pdf、XLSX)。",
    "Plan: a shipped id (shaoxing_14th, shaoxing_15th) or a registry YAML; default the project's, else the 14th plan.": "规划:内置编号(shaoxing_14th、shaoxing_15th)或指标登记表(YAML);缺省取项目设置,否则为十四五规划。",
    "Plan written as [project] plan: a shipped id (shaoxing_15th) or a registry YAML.": "写入 [project] plan 的规划:内置编号(如 shaoxing_15th)或指标登记表(YAML)。",
    "Plan registries: check a plan's indicator file.": "规划指标登记表:检查规划指标文件。",
    "Check a plan registry (ids, units, years, directions, kinds, computed_by): one line a problem.": "检查规划指标登记表:编号、单位、年份、方向、指标属性、computed_by 计算表;每个问题一行。",
    "Plan registry (YAML), or a shipped plan id (shaoxing_14th, shaoxing_15th).": "规划指标登记表(YAML),或内置规划编号(shaoxing_14th、shaoxing_15th)。",
    "Leading language: zh or en.": "主语言:zh 或 en。",
    "Also write report.pdf (WeasyPrint).": "同时生成 report.pdf(WeasyPrint)。",
    "Also write the report's PDF (the slowest step of a build).": "同时生成报告 PDF(构建中最慢的一步)。",
    "Reporting year (default the project's, else this year).": "评估年份(缺省取项目设置,否则为当年)。",
    "Low/zero-carbon pilots: match lists, score and select villages, towns or counties.": "低(零)碳试点:名单匹配、评分,遴选村(社区)、乡镇(街道)或县(市、区)。",
    "Match each row of a list to its 2023 division code: exact/normalised/fuzzy/ambiguous/unmatched.": "将名单每一行匹配到 2023 年区划代码:exact 精确 / normalised 规范化 / fuzzy 模糊 / ambiguous 多义 / unmatched 未匹配。",
    "The planner's list (.xlsx or .csv).": "规划人员的名单(.xlsx 或 .csv)。",
    "Excel sheet (default: the first).": "Excel 工作表(缺省为第一个)。",
    "Name column (default: 名称, name, 村名...).": "名称列(缺省:名称、name、村名等)。",
    "County column (default: 县区, county...).": "县区列(缺省:县区、county 等)。",
    "Town column (default: 乡镇, town...).": "乡镇列(缺省:乡镇、town 等)。",
    "Match rows without a county within this county (code or name).": "没有县区的行在此县区内匹配(代码或名称)。",
    "Only town or village (default: by the suffix).": "只匹配乡镇或村(缺省按名称后缀判断)。",
    "Divisions after 2023: code, name (+ level, parent_code, county_adcode).": "2023 年后的区划变更:code、name(及 level、parent_code、county_adcode)。",
    "More aliases: old_name, old_code, new_code (beside the shipped table).": "补充的旧名对照:old_name、old_code、new_code(在内置表之外)。",
    "Lowest fuzzy score (rapidfuzz ratio, 0-100).": "模糊匹配的最低分(rapidfuzz ratio,0-100)。",
    "Points the best fuzzy candidate must lead by.": "最佳模糊候选须领先第二名的分数。",
    "CRS of lon/lat columns, if any: 4326 (default), 4490, gcj02, bd09.": "经纬度列的坐标系(如有):4326(缺省)、4490、gcj02、bd09。",
    "full: the demo (about 300,000 buildings, 30 m land cover); tiny: a few hundred features per layer, 300 m land cover (tests/datasets/tiny).": "full:完整演示数据(约 30 万栋建筑、30 米土地覆盖);tiny:每层几百个要素、300 米土地覆盖(tests/datasets/tiny)。",
    "Town codes of the list: nbs (统计用区划代码) or mca (民政部); default: detected.": "名单中乡镇代码的体系:nbs(国家统计局统计用区划代码)或 mca(民政部行政区划代码);缺省自动识别。",
    "Score candidates, select N pilots (quotas, spacing, fixed pilots) and test the choice's robustness.": "为候选评分,遴选 N 个试点(名额、间距、已有试点),并检验结果的稳健性。",
    "village, town or county.": "village 村、town 乡镇或 county 县区。",
    "Sites to select (default: the plan's 100/10/1).": "遴选数量(缺省为规划的 100/10/1)。",
    "Criteria table by code (CSV/XLSX).": "按区划代码的指标值表(CSV/XLSX)。",
    "Candidate layer with a code column (villages: points; towns: polygons).": "带代码列的候选图层(村:点;乡镇:面)。",
    "Criteria YAML (default: sxgeo/data/pilot_criteria.yaml).": "指标与权重 YAML(缺省:sxgeo/data/pilot_criteria.yaml)。",
    "Minimum distance between selected sites [km].": "入选试点之间的最小距离 [千米]。",
    "County quotas: a CSV (county_adcode, min, max), proportional or none.": "县区名额:CSV(county_adcode、min、max)、proportional 按比例或 none 不设。",
    "Codes fixed in (default: the plan's existing pilots).": "固定入选的代码(缺省为规划中已有的试点)。",
    "Select N besides the fixed pilots.": "已有试点之外另选 N 个。",
    "A planner's list to match and draw.": "要匹配并在地图上标出的名单。",
    "Monte-Carlo ranking draws.": "蒙特卡洛排名抽样次数。",
    "Monte-Carlo full selections (P(selected)).": "蒙特卡洛完整遴选次数(用于入选概率)。",
    "Dirichlet concentration around the weights.": "权重扰动的狄利克雷集中度。",
    "Skip the lock-out re-solves.": "跳过逐一排除后的重新求解(不可替代性)。",
    "Solver time limit per solve [s].": "每次求解的时限 [秒]。",
    "Building footprints (or sxgeo pv's pv_buildings.parquet) for measure pv_potential_kw.": "建筑轮廓(或 sxgeo pv 输出的 pv_buildings.parquet),用于计算指标 pv_potential_kw。",
    "Land-cover raster for measures forest_cover_pct, carbon_density_tc_ha.": "土地覆盖栅格,用于计算指标 forest_cover_pct、carbon_density_tc_ha。",
    "Carbon pools table (lucode, kind, c_above...) with --landcover.": "碳库表(lucode、kind、c_above…),与 --landcover 同用。",
    "Built-up area for measures builtup_share_pct, sponge_coverage_pct.": "建成区,用于计算指标 builtup_share_pct、sponge_coverage_pct。",
    "Sponge projects for measure sponge_coverage_pct.": "海绵城市达标项目,用于计算指标 sponge_coverage_pct。",
    "Town polygons: a village's town (sponge coverage, --town-bonus).": "乡镇(街道)面:确定村所在乡镇(海绵覆盖率、--town-bonus)。",
    "Villages: score points added when the village's town is selected too (with --towns).": "村:所在乡镇同时入选时加的分数(需 --towns)。",
    "Towns selected jointly with --town-bonus (default: the plan's 10).": "与 --town-bonus 联合遴选的乡镇数(缺省为规划的 10 个)。",
    "Refuse duplicate features instead of counting them once.": "遇到重复要素时报错,而不是只计一次。",
}
"""English help text -> Chinese."""


def _text(en: str, lang: str) -> str:
    zh = HELP_ZH.get(en)
    if zh is None or lang == "en":
        return en
    return zh if lang == "zh" else f"{zh} {en}"


def bilingual(command: Any, lang: str | None = None) -> Any:
    """Put the Chinese help beside the English on a click command and all its subcommands (in place).

    Parameters
    ----------
    command : click.Command
        The command built by typer (``typer.main.get_command(app)``).
    lang : {'both', 'zh', 'en'}, optional
        Default: the ``SXGEO_LANG`` environment variable, else both.

    Returns
    -------
    click.Command
        *command*, changed.
    """
    lang = lang or os.environ.get("SXGEO_LANG", "both")
    if command.help:
        first, _, rest = command.help.strip().partition("\n")
        command.help = _text(first, lang) + (("\n" + rest) if rest else "")
        command.short_help = _text(first, lang)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _text(param.help, lang)
    for sub in getattr(command, "commands", {}).values():
        bilingual(sub, lang)
    return command


def missing(command: Any) -> list[str]:
    """Help texts of *command* and its subcommands that have no Chinese entry (for the test)."""
    out = []
    if command.help and command.help.strip().partition("\n")[0] not in HELP_ZH:
        out.append(command.help.strip().partition("\n")[0])
    out += [p.help for p in command.params if getattr(p, "help", None) and p.help not in HELP_ZH]
    for sub in getattr(command, "commands", {}).values():
        out += missing(sub)
    return out
