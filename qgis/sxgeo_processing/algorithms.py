"""One Processing algorithm per sxgeo capability: QGIS layers in, sxgeo's CLI, styled layers out.

Every algorithm is a thin adapter over the sxgeo command named in its help, run as a separate
process (``python -m sxgeo ...``, :func:`compat.sxgeo_command`), for two reasons:

- the numbers, notes and one-line error messages are the CLI's by construction;
- on Linux the QGIS executable has its own GEOS, GDAL and PROJ loaded globally, and the wheels
  sxgeo uses (shapely, pyogrio, rasterio, pyproj) resolve their symbols to those libraries when
  imported inside QGIS (shapely: "WKB output dimension must be 2 or 3", then a crash): a separate
  interpreter keeps each with its own libraries.

Layer inputs become file paths: the layer's own file when it is a file layer without a selection
or filter, else a FlatGeobuf file Processing exports (``parameterAsCompatibleSourceLayerPath``);
a layer inside a multi-layer GeoPackage is exported too (the CLI takes a file). Fields are passed
as the command's column options. The outputs go into the output folder by the CLI's ``-o FOLDER``
convention, plus ``sxgeo_qgis.gpkg`` (per-county indicator layers) and ``sxgeo.qgs``; the
spatial ones are loaded into the project with the HTML map's style, which sxgeo stored in each
GeoPackage's ``layer_styles`` table. A failed command's one-line message becomes the
``QgsProcessingException`` (no traceback).
"""

import os
import sqlite3
import subprocess
from pathlib import Path

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputFile,
    QgsProcessingOutputHtml,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from . import compat

DOCS = "https://example.invalid/sxgeo/docs/qgis.md"
GROUPS = {
    "sponge": "海绵城市 Sponge city",
    "carbon": "碳汇 Carbon sinks",
    "pv": "屋顶光伏 Rooftop PV",
    "pilots": "低(零)碳试点 Pilot siting",
    "tools": "工具 Tools",
}
LAYERS_NAME = "sxgeo_qgis.gpkg"  # sxgeo.maps.qgis_project.LAYERS_NAME
PROJECT_SCRIPT = (
    "import sys; from sxgeo.admin import load_counties; "
    "from sxgeo.maps.qgis_project import write_qgis_project; "
    "print(write_qgis_project(sys.argv[1], counties=load_counties(sys.argv[2]) if sys.argv[2] else None))"
)


class _LoadDefaultStyle(QgsProcessingLayerPostProcessorInterface):
    """Applies the style stored in the layer's GeoPackage (``layer_styles``) when Processing loads it."""

    instances = []  # Processing keeps a raw pointer: keep the Python objects alive

    def postProcessLayer(self, layer, context, feedback):  # noqa: ARG002
        layer.loadDefaultStyle()
        layer.triggerRepaint()


def P(kind, key, zh, en, opt=None, *, optional=False, **extra):
    """A parameter: its kind, key, labels, the CLI option it fills (``--built-up``) and extras."""
    return {"kind": kind, "key": key, "label": f"{zh} {en}", "opt": opt, "optional": optional, **extra}


ZONE_PARAMS = [
    P("polygon", "ZONES_LAYER", "统计分区(可选)", "Reporting zones (optional)", "--zones", optional=True),
    P(
        "field",
        "ZONE_CODE",
        "分区代码字段",
        "Zone code field",
        "--zone-code",
        optional=True,
        parent="ZONES_LAYER",
    ),
    P(
        "polygon",
        "COUNTIES",
        "县区图层(默认: 内置)",
        "County layer (default: shipped)",
        "--counties",
        optional=True,
    ),
]


def _run(command, feedback):
    """Run sxgeo; its output lines go to the Processing log; a failure raises its last stderr line."""
    feedback.pushCommandInfo(" ".join(command))
    # UTF-8 both ways, whatever the console's code page (GBK on Chinese Windows)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", errors="replace", check=False, env=env
    )
    for line in proc.stdout.splitlines():
        feedback.pushInfo(line)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    if proc.returncode != 0:
        message = (
            lines[-1].removeprefix("sxgeo: error: ").strip() if lines else f"exit status {proc.returncode}"
        )
        if "No module named sxgeo" in proc.stderr:
            message = compat.install_hint()
        raise QgsProcessingException(message)
    for line in lines:
        feedback.pushInfo(line)
    return proc.stdout


def _gpkg_layers(path):
    """Feature layers of a GeoPackage (from ``gpkg_contents``, no GDAL binding needed)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        rows = con.execute("select table_name from gpkg_contents where data_type = 'features'").fetchall()
        titles = {}
        if con.execute("select 1 from sqlite_master where name = 'layer_styles'").fetchone():
            titles = dict(
                con.execute("select f_table_name, description from layer_styles where useAsDefault")
            )
    return [(name, titles.get(name) or name) for (name,) in rows]


class SxgeoAlgorithm(QgsProcessingAlgorithm):
    """The adapter every sxgeo algorithm shares; subclasses give names, help, the command and parameters."""

    NAME = ""
    ZH = ""
    EN = ""
    GROUP = "tools"
    COMMAND = []
    HELP_ZH = ""
    HELP_EN = ""
    PARAMS = []
    FOLDER = True

    def name(self):
        return self.NAME

    def displayName(self):
        return f"{self.ZH} {self.EN}"

    def group(self):
        return GROUPS[self.GROUP]

    def groupId(self):
        return self.GROUP

    def shortHelpString(self):
        options = " ".join(
            p["opt"] for p in self.PARAMS if isinstance(p["opt"], str) and p["opt"] and not p["optional"]
        )
        cli = (
            f"<p>CLI: <code>sxgeo {' '.join(self.COMMAND)} {options} -o FOLDER</code></p>"
            if self.COMMAND
            else ""
        )
        return f"<p>{self.HELP_ZH}</p><p>{self.HELP_EN}</p>{cli}"

    def helpUrl(self):
        return DOCS

    def createInstance(self):
        return type(self)()

    def initAlgorithm(self, config=None):  # noqa: ARG002
        for p in self.PARAMS:
            key, label, optional = p["key"], p["label"], p["optional"]
            kind = p["kind"]
            if kind in ("polygon", "point", "any"):
                types = {"polygon": compat.TYPE_POLYGON, "point": compat.TYPE_POINT, "any": compat.TYPE_ANY}[
                    kind
                ]
                param = QgsProcessingParameterFeatureSource(key, label, [types], optional=optional)
            elif kind == "field":
                param = QgsProcessingParameterField(
                    key, label, parentLayerParameterName=p["parent"], optional=optional
                )
            elif kind == "raster":
                param = QgsProcessingParameterRasterLayer(key, label, optional=optional)
            elif kind == "file":
                param = QgsProcessingParameterFile(
                    key, label, behavior=compat.FILE_FILE, extension=p.get("ext", ""), optional=optional
                )
            elif kind in ("int", "number"):
                param = QgsProcessingParameterNumber(
                    key,
                    label,
                    type=compat.NUMBER_INTEGER if kind == "int" else compat.NUMBER_DOUBLE,
                    defaultValue=p.get("default"),
                    optional=optional,
                    minValue=p.get("min", -1e12),
                    maxValue=p.get("max", 1e12),
                )
            elif kind == "enum":
                param = QgsProcessingParameterEnum(key, label, options=p["options"], defaultValue=0)
            elif kind == "bool":
                param = QgsProcessingParameterBoolean(key, label, defaultValue=p.get("default", False))
            else:
                param = QgsProcessingParameterString(
                    key, label, defaultValue=p.get("default"), optional=optional
                )
            self.addParameter(param)
        if self.FOLDER:
            self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "输出文件夹 Output folder"))
            self.addOutput(QgsProcessingOutputFile("TABLE", "主表 Main table (CSV)"))
            self.addOutput(QgsProcessingOutputHtml("MAP", "地图或报告 Map or report (HTML)"))
            self.addOutput(QgsProcessingOutputFile("PROJECT", "QGIS 工程 QGIS project"))
            self.addOutput(QgsProcessingOutputNumber("LAYERS", "加载的图层数 Layers loaded"))

    # -- parameters as CLI arguments ------------------------------------------------------------

    def _layer_path(self, parameters, key, context, feedback):
        """A file sxgeo can read for a layer parameter (the layer's own, or an exported FlatGeobuf)."""
        path, layer = self.parameterAsCompatibleSourceLayerPathAndLayerName(
            parameters, key, context, ["gpkg", "shp", "geojson", "fgb"], "fgb", feedback
        )
        if layer and path.lower().endswith(".gpkg") and len(_gpkg_layers(path)) > 1:
            # the CLI takes a file: a layer of a multi-layer GeoPackage goes out on its own
            path = self.parameterAsCompatibleSourceLayerPath(
                parameters, key, context, ["fgb"], "fgb", feedback
            )
        return path

    def arguments(self, parameters, context, feedback):
        """The sxgeo command line of these parameter values (without the interpreter and ``-o``)."""
        args = list(self.COMMAND)
        for p in self.PARAMS:
            if p["opt"] is not None:
                args += self._argument(p, parameters, context, feedback)
        return args

    def _argument(self, p, parameters, context, feedback):
        key, kind, opt = p["key"], p["kind"], p["opt"]
        given = parameters.get(key)
        if kind in ("polygon", "point", "any"):
            return [] if given in (None, "") else [opt, self._layer_path(parameters, key, context, feedback)]
        if kind == "field":
            fields = self.parameterAsFields(parameters, key, context)
            return [opt, fields[0]] if fields else []
        if kind == "raster":
            layer = self.parameterAsRasterLayer(parameters, key, context)
            return [opt, layer.source()] if layer is not None else []
        if kind == "file":
            text = self.parameterAsFile(parameters, key, context)
            return [opt, text] if text else []
        if kind == "int":
            return [] if given in (None, "") else [opt, str(self.parameterAsInt(parameters, key, context))]
        if kind == "number":
            return (
                [] if given in (None, "") else [opt, repr(self.parameterAsDouble(parameters, key, context))]
            )
        if kind == "enum":
            return [opt, p["values"][self.parameterAsEnum(parameters, key, context)]]
        if kind == "bool":
            on, off = opt
            flag = on if self.parameterAsBool(parameters, key, context) else off
            return [flag] if flag else []
        text = self.parameterAsString(parameters, key, context)
        return [opt, text] if text else []

    # -- running ------------------------------------------------------------------------------

    def processAlgorithm(self, parameters, context, feedback):
        sxgeo = compat.sxgeo_command()
        if sxgeo is None:
            raise QgsProcessingException(compat.install_hint())
        args = self.arguments(parameters, context, feedback)
        if not self.FOLDER:
            _run([*sxgeo, *args], feedback)
            return {}
        folder = Path(self.parameterAsString(parameters, "OUTPUT", context))
        _run([*sxgeo, *args, "-o", str(folder)], feedback)
        counties = next((args[i + 1] for i, a in enumerate(args[:-1]) if a == "--counties"), "")
        project = _run([sxgeo[0], "-c", PROJECT_SCRIPT, str(folder), counties], feedback).strip().splitlines()
        layers = []
        for gpkg in sorted(folder.glob("*.gpkg")):
            for name, title in _gpkg_layers(gpkg):
                if name != "counties":
                    layers.append((f"{gpkg}|layername={name}", title))
        self._load(layers, context)
        written = sorted(folder.iterdir())
        main = next((p for p in written if p.suffix == ".csv"), None)
        report = folder / "report" / "index.html"
        html = report if report.is_file() else next((p for p in written if p.suffix == ".html"), None)
        return {
            "OUTPUT": str(folder),
            "TABLE": str(main) if main else None,
            "MAP": str(html) if html else None,
            "PROJECT": project[-1] if project else None,
            "LAYERS": len(layers),
        }

    def _load(self, layers, context):
        for uri, name in layers:
            details = QgsProcessingContext.LayerDetails(name, context.project(), name)
            post = _LoadDefaultStyle()
            _LoadDefaultStyle.instances.append(post)
            details.setPostProcessor(post)
            context.addLayerToLoadOnCompletion(uri, details)


# ---------------------------------------------------------------------------------------------

YEAR = P("int", "YEAR", "报告年份", "Reporting year", "--year", optional=True, min=1990, max=2100)


class SpongeCoverage(SxgeoAlgorithm):
    """``sxgeo sponge coverage``."""

    NAME = "sponge_coverage"
    ZH = "海绵城市达标面积比例"
    EN = "Sponge-city coverage"
    GROUP = "sponge"
    COMMAND = ["sponge", "coverage"]
    HELP_ZH = "各县区建成区中已验收海绵项目覆盖的面积比例,与规划目标对比(面积按 EPSG:4549 计算)。"
    HELP_EN = (
        "Share of each county's built-up area covered by accepted sponge projects, against the plan's "
        "target (areas in EPSG:4549). Projects completed after the reporting year do not count."
    )
    PARAMS = [
        P("polygon", "BUILT_UP", "建成区", "Built-up area polygons", "--built-up"),
        P("polygon", "COMPLIANT", "已验收海绵项目", "Accepted sponge projects", "--compliant"),
        YEAR,
        *ZONE_PARAMS,
    ]


class SpongeZones(SxgeoAlgorithm):
    """``sxgeo sponge zones``."""

    NAME = "sponge_zones"
    ZH = "排水分区达标评估"
    EN = "Sponge sub-zones"
    GROUP = "sponge"
    COMMAND = ["sponge", "zones"]
    HELP_ZH = "按容积法(GB/T 51345-2018)评估每个排水分区的年径流总量控制率是否达标,以及尚需的调蓄容积。"
    HELP_EN = (
        "Pass/fail of every drainage sub-zone by the volume method (GB/T 51345-2018): capture ratio "
        "against the target, and the storage still needed."
    )
    PARAMS = [
        P("polygon", "SUBZONES", "排水分区", "Drainage sub-zones (with flags)", "--zones"),
        P("polygon", "LANDCOVER", "下垫面", "Land-cover polygons (cover code)", "--landcover"),
        P("any", "FACILITIES", "海绵设施", "LID facilities", "--facilities"),
        P("file", "RAINFALL", "日降雨表", "Daily rainfall table (date, precip_mm)", "--rainfall", ext="csv"),
        P("polygon", "BUILT_UP", "建成区(可选)", "Built-up area (optional)", "--built-up", optional=True),
        P("number", "ALPHA_TARGET", "控制率目标(0-1)", "Capture-ratio target (0-1)", "--alpha-target",
          optional=True, min=0, max=1),
        YEAR,
        P("polygon", "COUNTIES", "县区图层(默认: 内置)", "County layer (default: shipped)", "--counties", optional=True),
    ]  # fmt: skip


class RooftopPV(SxgeoAlgorithm):
    """``sxgeo pv``."""

    NAME = "pv"
    ZH = "屋顶光伏潜力"
    EN = "Rooftop PV potential"
    GROUP = "pv"
    COMMAND = ["pv"]
    HELP_ZH = "每个屋顶的可装机容量(MWp)、政策情景与年发电量,按县区、园区汇总。"
    HELP_EN = (
        "Capacity (MWp), policy scenario and yearly generation of every roof, summed by county and park."
    )
    PARAMS = [
        P("polygon", "BUILDINGS", "建筑轮廓", "Building footprints", "--buildings"),
        P("polygon", "PARKS", "工业园区(可选)", "Industrial parks (optional)", "--parks", optional=True),
        P("enum", "GHI", "辐照情景", "GHI scenario", "--ghi-scenario",
          options=["default 1202 kWh/m²", "low 1166 kWh/m²"], values=["default", "low"]),
        P("bool", "SHADING", "计算遮挡", "Shading from taller neighbours", ("--shading", "--no-shading"), default=True),
        *ZONE_PARAMS,
    ]  # fmt: skip


class CarbonStands(SxgeoAlgorithm):
    """``sxgeo carbon stands``."""

    NAME = "carbon_stands"
    ZH = "森林小班碳储量"
    EN = "Forest stand carbon"
    GROUP = "carbon"
    COMMAND = ["carbon", "stands"]
    HELP_ZH = "由森林资源二类调查小班(蓄积)计算植被碳储量与森林覆盖率,按县区汇总。"
    HELP_EN = "Vegetation carbon and forest cover from forest-inventory stands (stock volume), per county."
    PARAMS = [
        P("polygon", "STANDS", "森林小班", "Forest stands", "--stands"),
        P(
            "polygon",
            "PREVIOUS",
            "上期小班(可选)",
            "An earlier inventory (optional)",
            "--previous",
            optional=True,
        ),
        P(
            "number",
            "YEARS",
            "两期间隔年数",
            "Years between the inventories",
            "--years",
            optional=True,
            min=0,
        ),
        *ZONE_PARAMS,
    ]


class CarbonLandcover(SxgeoAlgorithm):
    """``sxgeo carbon landcover``."""

    NAME = "carbon_landcover"
    ZH = "土地覆盖碳储量"
    EN = "Land-cover carbon"
    GROUP = "carbon"
    COMMAND = ["carbon", "landcover"]
    HELP_ZH = "土地覆盖栅格乘以各类碳库密度(InVEST 碳模型方法),按县区汇总碳储量与碳密度。"
    HELP_EN = "Land-cover raster times carbon-pool densities (the InVEST carbon model's method), per county."
    PARAMS = [
        P("raster", "RASTER", "土地覆盖栅格", "Land-cover raster", "--raster"),
        P("file", "POOLS", "碳库表", "Carbon pools table (CSV)", "--pools", ext="csv"),
        *ZONE_PARAMS,
    ]


class CarbonWetlands(SxgeoAlgorithm):
    """``sxgeo carbon wetlands``."""

    NAME = "carbon_wetlands"
    ZH = "湿地保护率与碳汇"
    EN = "Wetland protection and carbon"
    GROUP = "carbon"
    COMMAND = ["carbon", "wetlands"]
    HELP_ZH = "各县区湿地面积、保护率、埋藏碳汇与甲烷排放。"
    HELP_EN = "Wetland area, protection rate, carbon burial and methane per county."
    PARAMS = [
        P("polygon", "WETLANDS", "湿地", "Wetland polygons", "--wetlands"),
        P("polygon", "PROTECTED", "保护地(可选)", "Protected areas (optional)", "--protected", optional=True),
        *ZONE_PARAMS,
    ]


class PilotsMatch(SxgeoAlgorithm):
    """``sxgeo pilots match``."""

    NAME = "pilots_match"
    ZH = "试点名单匹配"
    EN = "Match a pilot list"
    GROUP = "pilots"
    COMMAND = ["pilots", "match"]
    HELP_ZH = "把规划名单的每一行匹配到 2023 年区划代码:精确/规范化/模糊/歧义/未匹配。"
    HELP_EN = "Match each row of a planner's list to its 2023 division code: exact, normalised, fuzzy, ambiguous or unmatched."
    PARAMS = [
        P("file", "LIST", "名单(xlsx/csv)", "The planner's list (.xlsx or .csv)", "--list"),
        P("string", "NAME_COL", "名称列(可选)", "Name column (optional)", "--name-col", optional=True),
        P(
            "string",
            "COUNTY",
            "限定县区(可选)",
            "Within this county (code or name, optional)",
            "--county",
            optional=True,
        ),
    ]


class PilotsSelect(SxgeoAlgorithm):
    """``sxgeo pilots select``."""

    NAME = "pilots_select"
    ZH = "试点遴选"
    EN = "Select pilots"
    GROUP = "pilots"
    COMMAND = ["pilots", "select"]
    HELP_ZH = "按评分准则为候选村(社区)、乡镇或县区打分,遴选 N 个试点,并检验结果的稳健性。"
    HELP_EN = "Score candidates by a criteria file, select N pilots and test the robustness of the choice."
    PARAMS = [
        P("enum", "LEVEL", "层级", "Level", "--level", options=["村(社区) village", "乡镇(街道) town", "县(市、区) county"],
          values=["village", "town", "county"]),
        P("any", "CANDIDATES", "候选图层", "Candidates (code column)", "--candidates", optional=True),
        P("file", "CRITERIA", "评分准则(yaml)", "Criteria file (YAML)", "--criteria", optional=True),
        P("file", "VALUES", "指标值表", "Criteria values by code (CSV/XLSX)", "--values", optional=True),
        P("int", "N", "遴选个数", "Sites to select (default: the plan's)", "--n", optional=True, min=1, max=100000),
        P("number", "SPACING", "最小间距(km)", "Minimum spacing [km]", "--min-spacing-km", optional=True, min=0),
        YEAR,
    ]  # fmt: skip


class CheckLayer(SxgeoAlgorithm):
    """``sxgeo check``."""

    NAME = "check_layer"
    ZH = "检查图层"
    EN = "Check a layer"
    GROUP = "tools"
    COMMAND = ["check"]
    HELP_ZH = "按 sxgeo 的方式读取图层,报告读到、修复和排除的内容(编码、坐标系、无效几何、重复要素)。"
    HELP_EN = "Read a layer as sxgeo would and report what it found, repaired and excluded (encoding, CRS, invalid geometry, duplicates)."
    PARAMS = [P("any", "INPUT", "图层", "Layer", "")]
    FOLDER = False

    def arguments(self, parameters, context, feedback):
        return ["check", self._layer_path(parameters, "INPUT", context, feedback)]


class RunProject(SxgeoAlgorithm):
    """``sxgeo build``."""

    NAME = "build_project"
    ZH = "运行项目文件"
    EN = "Run a project file"
    GROUP = "tools"
    COMMAND = ["build"]
    HELP_ZH = "运行项目文件 sxgeo.toml 中给出输入的全部分析,输出表格、地图、进展报告(report/index.html)和 QGIS 工程 sxgeo.qgs。"
    HELP_EN = "Run every capability the project file names: tables, maps, the progress report (report/index.html) and a QGIS project, sxgeo.qgs."
    PARAMS = [
        P("file", "PROJECT_FILE", "项目文件", "Project file (sxgeo.toml)", "--project", ext="toml"),
        P("bool", "PDF", "同时生成 PDF 报告", "Also write report.pdf", ("--pdf", "--no-pdf"), default=False),
    ]


ALGORITHMS = [
    SpongeCoverage,
    SpongeZones,
    RooftopPV,
    CarbonStands,
    CarbonLandcover,
    CarbonWetlands,
    PilotsMatch,
    PilotsSelect,
    CheckLayer,
    RunProject,
]
