"""The planner's project file, ``sxgeo.toml``: which of their files feed which capability.

Every key sxgeo reads is declared once, in :data:`KEYS` (section, name, kind, zh/en help); the
template ``sxgeo init`` writes and the validation of a project both come from it. Relative
paths are relative to the project file. An input is a path, or a table naming the path and how
to read it::

    compliant = { path = "海绵/项目.xlsx", crs = "gcj02", layer = "2025" }

Where a value can come from several places the order is: command-line option > project file >
user config (``~/.config/sxgeo/config.toml``) > shipped default (:func:`resolve`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sxgeo.configtext import load_toml
from sxgeo.errors import ProjectError

log = logging.getLogger(__name__)

PROJECT_FILE = "sxgeo.toml"
"""Name of the project file ``sxgeo build`` looks for in the working folder."""

INPUT_OPTIONS = {
    "path": str,
    "crs": (str, int),
    "layer": (str, int),
    "encoding": str,
    "lon": str,
    "lat": str,
    "swap_xy": bool,
    "code_col": str,
    "name_col": str,
}
"""Keys an input table may hold besides ``path`` (passed to :func:`sxgeo.io.read_layer`)."""


@dataclass(frozen=True)
class Key:
    """One key of the project file.

    Attributes
    ----------
    section, name : str
        Where it lives: ``[section] name = ...``.
    kind : str
        ``input`` (a file: path or table), ``int``, ``float``, ``str``, ``bool``.
    en, zh : str
        What it means, in English and Chinese (the template's comments).
    example : str
        The value shown in the template (TOML text).
    """

    section: str
    name: str
    kind: str
    en: str
    zh: str
    example: str = ""


KEYS: tuple[Key, ...] = (
    Key(
        "project",
        "name",
        "str",
        "project name, shown on maps and tables",
        "项目名称",
        '"绍兴市 2025 年度评估"',
    ),
    Key(
        "project",
        "year",
        "int",
        "reporting year (sponge projects completed by then count)",
        "评估年份",
        "2025",
    ),
    Key("project", "lang", "str", "map language: zh or en", "地图语言", '"zh"'),
    Key(
        "project",
        "basemap",
        "str",
        "basemap: none, osm, tianditu-vec, tianditu-img, amap...",
        "底图",
        '"osm"',
    ),
    Key(
        "project",
        "targets",
        "input",
        "your targets (CSV: indicator, unit_code, year, value, unit, kind, source); rows replace the plan's",
        "自定义目标值表(CSV),同名指标覆盖规划值",
        '"目标/目标值.csv"',
    ),
    Key(
        "project",
        "plan",
        "input",
        "the plan's indicator registry (YAML); default the shipped 14th plan (sxgeo/data/plans)",
        "规划指标体系(YAML);缺省为内置十四五规划",
        '"规划/十五五指标.yaml"',
    ),
    Key(
        "layers",
        "counties",
        "input",
        "county polygons with a code column (adcode, 行政区划代码, PAC...); default: the shipped layer",
        "县区边界(含行政区划代码列);缺省用内置图层",
        '"边界/县区.shp"',
    ),
    Key(
        "layers",
        "zones",
        "input",
        "reporting zones (towns/streets, parks) for per-zone tables beside the county ones",
        "统计分区(乡镇街道、园区),另出分区表",
        '{ path = "边界/乡镇街道.shp", code_col = "code" }',
    ),
    Key(
        "layers",
        "towns",
        "input",
        "town polygons for the overview map",
        "乡镇街道面(概览图)",
        '"边界/乡镇.shp"',
    ),
    Key("layers", "villages", "input", "village points (code, name)", "村(社区)点位", '"边界/村.csv"'),
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
        "pilots",
        "values",
        "input",
        "criteria values per candidate: a table with a code column (villages, towns, counties)",
        "候选指标值表(含区划代码列)",
        '"试点/指标.xlsx"',
    ),
    Key(
        "pilots",
        "criteria",
        "input",
        "criteria file (YAML); default sxgeo/data/pilot_criteria.yaml",
        "评分指标与权重(YAML)",
        '"试点/指标权重.yaml"',
    ),
    Key(
        "pilots",
        "list",
        "input",
        "the planners' list of pilots or candidates (name, county, town), matched to codes",
        "试点/候选名单(名称、县区、乡镇)",
        '"试点/名单.xlsx"',
    ),
    Key(
        "pilots",
        "fixed",
        "input",
        "codes fixed in (default: the existing pilots 小将镇, 西小路社区)",
        "已有试点代码(缺省:小将镇、西小路社区)",
        '"试点/已有试点.csv"',
    ),
    Key(
        "pilots",
        "quota",
        "input",
        "county quotas: county_adcode, min, max (default: proportional)",
        "各县区名额(county_adcode, min, max)",
        '"试点/名额.csv"',
    ),
    Key("pilots", "villages", "int", "villages to select", "村(社区)试点数", "100"),
    Key("pilots", "towns", "int", "towns (streets) to select", "乡镇(街道)试点数", "10"),
    Key("pilots", "counties", "int", "counties to select", "县(市、区)试点数", "1"),
    Key(
        "pilots",
        "min_spacing_km",
        "float",
        "minimum distance between selected villages [km]",
        "入选村之间最小间距(km)",
        "3",
    ),
    Key(
        "pilots",
        "fixed_on_top",
        "bool",
        "existing pilots on top of the numbers above (default: inside them)",
        "已有试点另计(缺省计入)",
        "false",
    ),
    Key(
        "pilots",
        "draws",
        "int",
        "Monte-Carlo weight draws, ranking only (>= 1000)",
        "权重蒙特卡洛抽样次数",
        "1000",
    ),
    Key(
        "pilots",
        "selection_draws",
        "int",
        "Monte-Carlo draws re-running the full selection (>= 200)",
        "完整选址重算次数",
        "200",
    ),
    Key("pilots", "seed", "int", "random seed of the Monte-Carlo", "随机种子", "20211201"),
    Key(
        "pilots",
        "town_bonus",
        "float",
        "score points a village gains when its town is selected too (villages and towns selected jointly)",
        "所在乡镇同时入选时村(社区)的加分(村、乡镇联合遴选)",
        "5",
    ),
    Key(
        "engine",
        "name",
        "str",
        "engine: memory (default) or dask (pip install 'sxgeo[dask]')",
        "计算引擎",
        '"dask"',
    ),
    Key(
        "engine",
        "scheduler",
        "str",
        "Dask scheduler address of a running cluster (omit: a LocalCluster on this machine)",
        "Dask 调度器地址",
        '"tcp://scheduler-host:8786"',
    ),
    Key(
        "engine",
        "workers",
        "int",
        "workers of the LocalCluster (default one per core)",
        "本机工作进程数",
        "2",
    ),
)
"""Every key of ``sxgeo.toml``: the one place they are documented."""

KEY_INDEX = {(k.section, k.name): k for k in KEYS}
SECTIONS = tuple(dict.fromkeys(k.section for k in KEYS))
SECTION_TITLES = {
    "project": ("project", "项目"),
    "layers": ("reporting units and shared layers", "统计单元与公共图层"),
    "sponge": ("sponge city", "海绵城市"),
    "carbon": ("carbon sinks", "碳汇"),
    "pv": ("rooftop PV", "屋顶光伏"),
    "pilots": ("low/zero-carbon pilot siting", "低(零)碳试点选址"),
    "engine": (
        "compute engine (optional Dask: rooftop PV, sponge Tier A, land-cover carbon)",
        "计算引擎(可选 Dask:屋顶光伏、海绵 A 级覆盖率、土地覆盖碳储量)",
    ),
}


@dataclass(frozen=True)
class Input:
    """A file named in the project, and how to read it.

    Attributes
    ----------
    path : pathlib.Path
        Absolute path.
    options : dict
        ``crs, layer, encoding, lon, lat, swap_xy`` for :func:`sxgeo.io.read_layer`;
        ``code_col, name_col`` for unit layers.
    key : str
        ``section.name`` it came from (for messages).
    """

    path: Path
    options: dict[str, Any] = field(default_factory=dict)
    key: str = ""

    def read_options(self) -> dict[str, Any]:
        """Options for :func:`sxgeo.io.read_layer` (without ``code_col``/``name_col``)."""
        return {k: v for k, v in self.options.items() if k not in ("code_col", "name_col")}


@dataclass
class Project:
    """A loaded, validated project file.

    Attributes
    ----------
    path : pathlib.Path or None
        The file (None for a project made in code).
    values : dict
        ``{section: {key: value}}``; inputs are :class:`Input`.
    """

    path: Path | None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, section: str, name: str, default: Any = None) -> Any:
        """A value of the project, or *default*."""
        return self.values.get(section, {}).get(name, default)

    def has(self, section: str, *names: str) -> bool:
        """Whether every one of *names* is set in *section*."""
        return all(self.get(section, n) is not None for n in names)

    @property
    def name(self) -> str:
        """The project's name (or the file's folder name)."""
        default = self.path.parent.name if self.path is not None else "sxgeo"
        return str(self.get("project", "name", default))

    @property
    def year(self) -> int | None:
        """Reporting year."""
        year = self.get("project", "year")
        return int(year) if year is not None else None


def _input(value: Any, *, key: str, base: Path, where: str) -> Input:
    if isinstance(value, str):
        value = {"path": value}
    if not isinstance(value, dict) or "path" not in value:
        msg = f"{where}: {key} must be a path or a table with path = ... (got {value!r})"
        raise ProjectError(msg)
    for opt, val in value.items():
        if opt not in INPUT_OPTIONS:
            msg = f"{where}: {key}.{opt} is not an input option (use {', '.join(INPUT_OPTIONS)})"
            raise ProjectError(msg)
        if not isinstance(val, INPUT_OPTIONS[opt]):  # type: ignore[arg-type]
            msg = f"{where}: {key}.{opt} = {val!r} has the wrong type"
            raise ProjectError(msg)
    path = Path(value["path"]).expanduser()
    if not path.is_absolute():
        path = base / path
    if not path.exists():
        msg = (
            f"{where}: {key} = {value['path']!r}: no such file ({path}); "
            "fix the path (relative to the project file)"
        )
        raise ProjectError(msg)
    return Input(path, {k: v for k, v in value.items() if k != "path"}, key)


def _scalar(value: Any, spec: Key, *, where: str) -> Any:
    types: dict[str, tuple[type, ...]] = {
        "int": (int,),
        "float": (int, float),
        "str": (str,),
        "bool": (bool,),
    }
    ok = isinstance(value, types[spec.kind]) and not (spec.kind != "bool" and isinstance(value, bool))
    if not ok:
        msg = f"{where}: {spec.section}.{spec.name} = {value!r} must be a {spec.kind} ({spec.en})"
        raise ProjectError(msg)
    return float(value) if spec.kind == "float" else value


def parse(data: dict[str, Any], *, base: Path, where: str, path: Path | None = None) -> Project:
    """Validate parsed TOML against :data:`KEYS` and resolve input paths.

    Parameters
    ----------
    data : dict
        Parsed TOML.
    base : pathlib.Path
        Folder that relative paths are relative to.
    where : str
        Name used in messages (the file name).
    path : pathlib.Path, optional
        The project file.

    Returns
    -------
    Project

    Raises
    ------
    ProjectError
        On an unknown section or key, a value of the wrong type, or a missing file; the
        message names the key and the file.
    """
    values: dict[str, dict[str, Any]] = {}
    for section, body in data.items():
        if section not in SECTIONS:
            msg = f"{where}: unknown section [{section}] (known: {', '.join(SECTIONS)})"
            raise ProjectError(msg)
        if not isinstance(body, dict):
            msg = f"{where}: {section} must be a section [{section}]"
            raise ProjectError(msg)
        for name, value in body.items():
            spec = KEY_INDEX.get((section, name))
            if spec is None:
                known = ", ".join(k.name for k in KEYS if k.section == section)
                msg = f"{where}: unknown key {section}.{name} (keys of [{section}]: {known})"
                raise ProjectError(msg)
            key = f"{section}.{name}"
            if spec.kind == "input":
                values.setdefault(section, {})[name] = _input(value, key=key, base=base, where=where)
            else:
                values.setdefault(section, {})[name] = _scalar(value, spec, where=where)
    lang = values.get("project", {}).get("lang")
    if lang is not None and lang not in ("zh", "en"):
        msg = f"{where}: project.lang = {lang!r} must be 'zh' or 'en'"
        raise ProjectError(msg)
    return Project(path, values)


def load_project(path: str | Path) -> Project:
    """Read and validate a project file.

    Parameters
    ----------
    path : str or pathlib.Path
        ``sxgeo.toml`` (or a folder holding one).

    Returns
    -------
    Project

    Raises
    ------
    ProjectError
        When the file is missing, is not TOML, or holds a wrong key, value or path.
    """
    p = Path(path)
    if p.is_dir():
        p = p / PROJECT_FILE
    if not p.exists():
        msg = f"{p}: no such project file; write one with `sxgeo init {p.parent}`"
        raise ProjectError(msg)
    data = load_toml(p, error=ProjectError)  # GBK, a BOM, tabs: read, or refused with the line
    project = parse(data, base=p.resolve().parent, where=p.name, path=p.resolve())
    log.info("project %s: %s", p, ", ".join(f"[{s}] {len(v)} keys" for s, v in project.values.items()))
    return project


def template() -> str:
    """The commented ``sxgeo.toml`` that ``sxgeo init`` writes (every key commented out).

    Returns
    -------
    str
        TOML text with zh and en comments, generated from :data:`KEYS`.
    """
    lines = [
        "# sxgeo 项目文件 / sxgeo project file",
        "# 取消注释并填写路径(相对本文件)。每一项都可省略:缺少输入的分析会被跳过并说明原因。",
        "# Uncomment and fill in paths (relative to this file). Every key is optional: an analysis",
        "# whose inputs are missing is skipped, and `sxgeo build` says which input it needs.",
        "# 输入可写路径,或 { path = ..., crs = ..., layer = ..., encoding = ... }",
        '# An input is a path, or { path = "...", crs = "gcj02" | 4326 | 4549, layer = "...",',
        '#   encoding = "gbk" }.',
        "# 优先级 / precedence: command-line option > this file > ~/.config/sxgeo/config.toml > default",
        "",
    ]
    for section in SECTIONS:
        en, zh = SECTION_TITLES[section]
        lines += [f"# ── {zh} / {en}", f"[{section}]"]
        for k in (k for k in KEYS if k.section == section):
            lines += [f"# {k.zh} / {k.en}", f"# {k.name} = {k.example}"]
        lines.append("")
    return "\n".join(lines)


def write_template(folder: str | Path, *, force: bool = False) -> Path:
    """Write :func:`template` to ``folder/sxgeo.toml`` (atomically).

    Parameters
    ----------
    folder : str or pathlib.Path
        Project folder (created when missing).
    force : bool
        Replace an existing file.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ProjectError
        When the file exists and *force* is false.
    """
    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    p = d / PROJECT_FILE
    if p.exists() and not force:
        msg = f"{p} exists; edit it, or pass --force to replace it with the template"
        raise ProjectError(msg)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(template(), encoding="utf-8")
    tmp.replace(p)
    return p


def resolve(option: Any, project: Project | None, section: str, name: str, default: Any) -> tuple[Any, str]:
    """A setting by the precedence rule: option > project file > user config > default.

    Parameters
    ----------
    option : Any
        The command-line value (None when not given).
    project : Project or None
        The project.
    section, name : str
        The key (the same name in the project file and the user config).
    default : Any
        Shipped default.

    Returns
    -------
    tuple
        The value and where it came from (``option``, ``project file``, ``user config``,
        ``default``).
    """
    from sxgeo.settings import config_path, setting

    if option is not None:
        return option, "option"
    if project is not None and project.get(section, name) is not None:
        where = project.path.name if project.path is not None else "project"
        return project.get(section, name), f"project file {where}"
    configured = setting(section, name)
    if configured is not None:
        return configured, f"user config {config_path()}"
    return default, "default"
