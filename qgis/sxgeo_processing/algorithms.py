"""One Processing algorithm per sxgeo capability: QGIS layers in, sxgeo's pipelines, styled layers out.

Every algorithm is a thin adapter. Its layer inputs become file paths: the layer's own file when it
is a file layer without a selection or filter, else a temporary GeoPackage that Processing
exports (``parameterAsCompatibleSourceLayerPathAndLayerName``). sxgeo then reads them as the CLI
does (:func:`sxgeo.io.read_layer`: encodings, repairs, duplicates) and runs the same pipeline as
the CLI command named in the help, so the numbers are the CLI's. The outputs go into the output
folder by the CLI's ``-o FOLDER`` convention (CSV, XLSX, GeoPackage, HTML map), plus
``sxgeo_qgis.gpkg`` (per-county indicator layers) and ``sxgeo.qgs``; the spatial ones are loaded
into the project with the HTML map's style, which sxgeo stored in each GeoPackage's
``layer_styles`` table. sxgeo's one-line errors become ``QgsProcessingException`` (no traceback).
"""

import logging
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
VECTOR_FORMATS = ["gpkg", "shp", "geojson", "fgb"]


class _LoadDefaultStyle(QgsProcessingLayerPostProcessorInterface):
    """Applies the style stored in the layer's GeoPackage (``layer_styles``) when Processing loads it."""

    instances = []  # Processing keeps a raw pointer: keep the Python objects alive

    def postProcessLayer(self, layer, context, feedback):  # noqa: ARG002
        layer.loadDefaultStyle()
        layer.triggerRepaint()


class _FeedbackHandler(logging.Handler):
    """sxgeo's log records as Processing log lines while an algorithm runs."""

    def __init__(self, feedback):
        super().__init__(logging.INFO)
        self.feedback = feedback

    def emit(self, record):
        text = record.getMessage()
        if record.levelno >= logging.WARNING:
            self.feedback.reportError(text, False)
        else:
            self.feedback.pushInfo(text)


# (kind, key, zh, en, optional, extra)
def P(kind, key, zh, en, optional=False, **extra):
    """A parameter of an algorithm (see :meth:`SxgeoAlgorithm.initAlgorithm`)."""
    return (kind, key, zh, en, optional, extra)


COUNTY_PARAMS = [
    P("polygon", "COUNTIES", "县区图层(默认: 内置)", "County layer (default: shipped)", optional=True),
    P("field", "COUNTY_CODE", "县区代码字段", "County code field", optional=True, parent="COUNTIES"),
]


class SxgeoAlgorithm(QgsProcessingAlgorithm):
    """The adapter every sxgeo algorithm shares; subclasses give names, help, parameters and :meth:`run`."""

    NAME = ""
    ZH = ""
    EN = ""
    GROUP = "tools"
    CLI = ""
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
        cli = f"<p>CLI: <code>{self.CLI}</code></p>" if self.CLI else ""
        missing = "" if compat.sxgeo_available() else f"<p><b>{compat.install_hint()}</b></p>"
        return f"{missing}<p>{self.HELP_ZH}</p><p>{self.HELP_EN}</p>{cli}"

    def helpUrl(self):
        return DOCS

    def createInstance(self):
        return type(self)()

    def initAlgorithm(self, config=None):  # noqa: ARG002
        for kind, key, zh, en, optional, extra in self.PARAMS:
            label = f"{zh} {en}"
            if kind in ("polygon", "point", "any"):
                types = {"polygon": compat.TYPE_POLYGON, "point": compat.TYPE_POINT, "any": compat.TYPE_ANY}[
                    kind
                ]
                param = QgsProcessingParameterFeatureSource(key, label, [types], optional=optional)
            elif kind == "field":
                param = QgsProcessingParameterField(
                    key, label, parentLayerParameterName=extra["parent"], optional=optional
                )
            elif kind == "raster":
                param = QgsProcessingParameterRasterLayer(key, label, optional=optional)
            elif kind == "file":
                param = QgsProcessingParameterFile(
                    key, label, behavior=compat.FILE_FILE, extension=extra.get("ext", ""), optional=optional
                )
            elif kind in ("int", "number"):
                param = QgsProcessingParameterNumber(
                    key,
                    label,
                    type=compat.NUMBER_INTEGER if kind == "int" else compat.NUMBER_DOUBLE,
                    defaultValue=extra.get("default"),
                    optional=optional,
                    minValue=extra.get("min", -1e12),
                    maxValue=extra.get("max", 1e12),
                )
            elif kind == "enum":
                param = QgsProcessingParameterEnum(key, label, options=extra["options"], defaultValue=0)
            elif kind == "bool":
                param = QgsProcessingParameterBoolean(key, label, defaultValue=extra.get("default", False))
            else:
                param = QgsProcessingParameterString(
                    key, label, defaultValue=extra.get("default"), optional=optional
                )
            self.addParameter(param)
        if self.FOLDER:
            self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "输出文件夹 Output folder"))
        self.addOutput(QgsProcessingOutputFile("TABLE", "主表 Main table (CSV)"))
        self.addOutput(QgsProcessingOutputHtml("MAP", "地图 Map (HTML)"))
        self.addOutput(QgsProcessingOutputFile("PROJECT", "QGIS 工程 QGIS project"))
        self.addOutput(QgsProcessingOutputNumber("LAYERS", "加载的图层数 Layers loaded"))

    # -- parameters as sxgeo inputs ---------------------------------------------------------

    def _values(self, parameters, context, feedback):
        from sxgeo.project import Input

        values = {}
        for kind, key, _zh, _en, _optional, extra in self.PARAMS:
            if kind in ("polygon", "point", "any"):
                if parameters.get(key) in (None, ""):
                    values[key] = None
                    continue
                path, layer = self.parameterAsCompatibleSourceLayerPathAndLayerName(
                    parameters, key, context, VECTOR_FORMATS, "gpkg", feedback
                )
                values[key] = Input(Path(path), {"layer": layer} if layer else {}) if path else None
            elif kind == "field":
                fields = self.parameterAsFields(parameters, key, context)
                values[key] = fields[0] if fields else None
            elif kind == "raster":
                layer = self.parameterAsRasterLayer(parameters, key, context)
                values[key] = Path(layer.source()) if layer is not None else None
            elif kind == "file":
                text = self.parameterAsFile(parameters, key, context)
                values[key] = Path(text) if text else None
            elif kind == "int":
                given = parameters.get(key)
                values[key] = None if given in (None, "") else self.parameterAsInt(parameters, key, context)
            elif kind == "number":
                given = parameters.get(key)
                values[key] = (
                    None if given in (None, "") else self.parameterAsDouble(parameters, key, context)
                )
            elif kind == "enum":
                values[key] = extra["values"][self.parameterAsEnum(parameters, key, context)]
            elif kind == "bool":
                values[key] = self.parameterAsBool(parameters, key, context)
            else:
                values[key] = self.parameterAsString(parameters, key, context) or None
        return values

    @staticmethod
    def sx_context(values, *, year=None):
        """The sxgeo run context of the county parameters (as ``--counties``; shipped layer by default)."""
        from sxgeo._pipeline import Context
        from sxgeo.admin import load_counties
        from sxgeo.plan import load_plan_targets

        counties = values.get("COUNTIES")
        options = dict(counties.options) if counties is not None else {}
        if values.get("COUNTY_CODE"):
            options["code_col"] = values["COUNTY_CODE"]
        units = load_counties(counties.path if counties is not None else None, **options)
        return Context(units=units, year=year, targets=load_plan_targets(), maps=True, lang="zh")

    def compute(self, values, folder, feedback):
        """The capability: sxgeo outputs (:class:`sxgeo.outputs.Outputs`) for *values*."""
        raise NotImplementedError

    # -- running ------------------------------------------------------------------------------

    def processAlgorithm(self, parameters, context, feedback):
        if not compat.sxgeo_available():
            raise QgsProcessingException(compat.install_hint())
        from sxgeo.errors import SxgeoError

        folder = Path(self.parameterAsString(parameters, "OUTPUT", context)) if self.FOLDER else None
        handler = _FeedbackHandler(feedback)
        logger = logging.getLogger("sxgeo")
        logger.addHandler(handler)
        old_level = logger.level
        logger.setLevel(logging.INFO)
        try:
            values = self._values(parameters, context, feedback)
            result = self._run_and_write(values, folder, feedback)
        except SxgeoError as exc:
            raise QgsProcessingException(str(exc)) from None
        except (FileNotFoundError, PermissionError) as exc:
            raise QgsProcessingException(f"{exc.filename}: {exc.strerror}") from None
        finally:
            logger.removeHandler(handler)
            logger.setLevel(old_level)
        self._load(result.pop("_layers", []), context)
        return result

    def _run_and_write(self, values, folder, feedback):
        import pyogrio

        from sxgeo.io.writers import make_folder
        from sxgeo.maps.qgis_project import LAYERS_NAME, write_qgis_project
        from sxgeo.maps.qml import read_stored_styles

        outputs = self.compute(values, folder, feedback)
        if not outputs:
            raise QgsProcessingException("nothing to compute from the inputs given / 所给输入无可计算内容")
        make_folder(folder)
        written = []
        for out in outputs:
            written += out.write(folder)
            for note in out.notes:
                feedback.pushInfo(f"note: {note}")
        units = getattr(self, "_units", None)
        project = write_qgis_project(folder, counties=units)
        layers = []
        for path in [*written, folder / LAYERS_NAME]:
            if path.suffix == ".gpkg":
                titles = read_stored_styles(path).set_index("f_table_name")["description"].to_dict()
                for name, geom in pyogrio.list_layers(path):
                    if geom is not None and name not in ("layer_styles", "counties"):
                        layers.append((f"{path}|layername={name}", str(titles.get(name, name))))
        main = next((p for p in written if p.suffix == ".csv"), None)
        html = next((p for p in written if p.suffix == ".html"), None)
        for path in written:
            feedback.pushInfo(str(path))
        return {
            "OUTPUT": str(folder),
            "TABLE": str(main) if main else None,
            "MAP": str(html) if html else None,
            "PROJECT": str(project),
            "LAYERS": len(layers),
            "_layers": layers,
        }

    def _load(self, layers, context):
        for uri, name in layers:
            details = QgsProcessingContext.LayerDetails(name, context.project(), name)
            post = _LoadDefaultStyle()
            _LoadDefaultStyle.instances.append(post)
            details.setPostProcessor(post)
            context.addLayerToLoadOnCompletion(uri, details)


# ---------------------------------------------------------------------------------------------


class SpongeCoverage(SxgeoAlgorithm):
    """``sxgeo:`` algorithm SpongeCoverage (see its help)."""

    NAME = "sponge_coverage"
    ZH = "海绵城市达标面积比例"
    EN = "Sponge-city coverage"
    GROUP = "sponge"
    CLI = "sxgeo sponge coverage --built-up B --compliant C -o FOLDER"
    HELP_ZH = "各县区建成区中已验收海绵项目覆盖的面积比例,与规划目标对比(面积按 EPSG:4549 计算)。"
    HELP_EN = (
        "Share of each county's built-up area covered by accepted sponge projects, against the plan's "
        "target (areas in EPSG:4549). Projects completed after the reporting year do not count."
    )
    PARAMS = [
        P("polygon", "BUILT_UP", "建成区", "Built-up area polygons"),
        P("polygon", "COMPLIANT", "已验收海绵项目", "Accepted sponge projects"),
        P("int", "YEAR", "报告年份", "Reporting year", optional=True, min=1990, max=2100),
        *COUNTY_PARAMS,
    ]

    def compute(self, values, folder, feedback):  # noqa: ARG002
        from sxgeo.pipelines import sponge

        ctx = self.sx_context(values, year=values["YEAR"])
        self._units = ctx.units
        inputs = {"built_up": values["BUILT_UP"], "compliant": values["COMPLIANT"]}
        return sponge.run(ctx, inputs, name="sponge_coverage")


class SpongeZones(SxgeoAlgorithm):
    """``sxgeo:`` algorithm SpongeZones (see its help)."""

    NAME = "sponge_zones"
    ZH = "排水分区达标评估"
    EN = "Sponge sub-zones"
    GROUP = "sponge"
    CLI = "sxgeo sponge zones --zones Z --landcover L --facilities F --rainfall R -o FOLDER"
    HELP_ZH = "按容积法(GB/T 51345-2018)评估每个排水分区的年径流总量控制率是否达标,以及尚需的调蓄容积。"
    HELP_EN = (
        "Pass/fail of every drainage sub-zone by the volume method (GB/T 51345-2018): capture ratio "
        "against the target, and the storage still needed."
    )
    PARAMS = [
        P("polygon", "ZONES", "排水分区", "Drainage sub-zones (with flags)"),
        P("polygon", "LANDCOVER", "下垫面", "Land-cover polygons (cover code)"),
        P("any", "FACILITIES", "海绵设施", "LID facilities"),
        P("file", "RAINFALL", "日降雨表", "Daily rainfall table (date, precip_mm)", ext="csv"),
        P("polygon", "BUILT_UP", "建成区(可选)", "Built-up area (optional)", optional=True),
        P(
            "number",
            "ALPHA_TARGET",
            "控制率目标(0-1)",
            "Capture-ratio target (0-1)",
            optional=True,
            min=0,
            max=1,
        ),
        P("int", "YEAR", "报告年份", "Reporting year", optional=True, min=1990, max=2100),
        *COUNTY_PARAMS,
    ]

    def compute(self, values, folder, feedback):  # noqa: ARG002
        from sxgeo.pipelines import sponge

        ctx = self.sx_context(values, year=values["YEAR"])
        self._units = ctx.units
        opts = sponge.ZoneOptions()
        if values["ALPHA_TARGET"] is not None:
            opts = sponge.ZoneOptions(
                alpha_target=values["ALPHA_TARGET"], alpha_target_source="QGIS parameter"
            )
        inputs = {
            "subzones": values["ZONES"],
            "landcover": values["LANDCOVER"],
            "facilities": values["FACILITIES"],
            "rainfall": values["RAINFALL"],
            "built_up": values["BUILT_UP"],
        }
        return sponge.run(ctx, inputs, name="sponge_zones", options=opts)


class RooftopPV(SxgeoAlgorithm):
    """``sxgeo:`` algorithm RooftopPV (see its help)."""

    NAME = "pv"
    ZH = "屋顶光伏潜力"
    EN = "Rooftop PV potential"
    GROUP = "pv"
    CLI = "sxgeo pv --buildings B -o FOLDER"
    HELP_ZH = "每个屋顶的可装机容量(MWp)、政策情景与年发电量,按县区、园区汇总。"
    HELP_EN = (
        "Capacity (MWp), policy scenario and yearly generation of every roof, summed by county and park."
    )
    PARAMS = [
        P("polygon", "BUILDINGS", "建筑轮廓", "Building footprints"),
        P("polygon", "PARKS", "工业园区(可选)", "Industrial parks (optional)", optional=True),
        P(
            "enum",
            "GHI",
            "辐照情景",
            "GHI scenario",
            options=["default 1202 kWh/m²", "low 1166 kWh/m²"],
            values=["default", "low"],
        ),
        P("bool", "SHADING", "计算遮挡", "Shading from taller neighbours", default=True),
        *COUNTY_PARAMS,
    ]

    def compute(self, values, folder, feedback):  # noqa: ARG002
        from sxgeo.pipelines import pv

        ctx = self.sx_context(values)
        self._units = ctx.units
        opts = pv.PVOptions(ghi_scenario=values["GHI"], shading=values["SHADING"], roofs_dir=str(folder))
        return pv.run(ctx, {"buildings": values["BUILDINGS"], "parks": values["PARKS"]}, options=opts)


class CarbonStands(SxgeoAlgorithm):
    """``sxgeo:`` algorithm CarbonStands (see its help)."""

    NAME = "carbon_stands"
    ZH = "森林小班碳储量"
    EN = "Forest stand carbon"
    GROUP = "carbon"
    CLI = "sxgeo carbon stands --stands S -o FOLDER"
    HELP_ZH = "由森林资源二类调查小班(蓄积)计算植被碳储量与森林覆盖率,按县区汇总。"
    HELP_EN = "Vegetation carbon and forest cover from forest-inventory stands (stock volume), per county."
    PARAMS = [P("polygon", "STANDS", "森林小班", "Forest stands"), *COUNTY_PARAMS]

    def compute(self, values, folder, feedback):  # noqa: ARG002
        from sxgeo.pipelines import carbon

        ctx = self.sx_context(values)
        self._units = ctx.units
        return carbon.run(ctx, {"stands": values["STANDS"]}, name="carbon_forest")


class CarbonLandcover(SxgeoAlgorithm):
    """``sxgeo:`` algorithm CarbonLandcover (see its help)."""

    NAME = "carbon_landcover"
    ZH = "土地覆盖碳储量"
    EN = "Land-cover carbon"
    GROUP = "carbon"
    CLI = "sxgeo carbon landcover --raster R --pools P -o FOLDER"
    HELP_ZH = "土地覆盖栅格乘以各类碳库密度(InVEST 碳模型方法),按县区汇总碳储量与碳密度。"
    HELP_EN = "Land-cover raster times carbon-pool densities (the InVEST carbon model's method), per county."
    PARAMS = [
        P("raster", "RASTER", "土地覆盖栅格", "Land-cover raster"),
        P("file", "POOLS", "碳库表", "Carbon pools table (CSV)", ext="csv"),
        *COUNTY_PARAMS,
    ]

    def compute(self, values, folder, feedback):  # noqa: ARG002
        from sxgeo.pipelines import carbon

        ctx = self.sx_context(values)
        self._units = ctx.units
        return carbon.run(
            ctx, {"landcover": values["RASTER"], "pools": values["POOLS"]}, name="carbon_landcover"
        )


class CarbonWetlands(SxgeoAlgorithm):
    """``sxgeo:`` algorithm CarbonWetlands (see its help)."""

    NAME = "carbon_wetlands"
    ZH = "湿地保护率与碳汇"
    EN = "Wetland protection and carbon"
    GROUP = "carbon"
    CLI = "sxgeo carbon wetlands --wetlands W [--protected P] -o FOLDER"
    HELP_ZH = "各县区湿地面积、保护率、埋藏碳汇与甲烷排放。"
    HELP_EN = "Wetland area, protection rate, carbon burial and methane per county."
    PARAMS = [
        P("polygon", "WETLANDS", "湿地", "Wetland polygons"),
        P("polygon", "PROTECTED", "保护地(可选)", "Protected areas (optional)", optional=True),
        *COUNTY_PARAMS,
    ]

    def compute(self, values, folder, feedback):  # noqa: ARG002
        from sxgeo.pipelines import carbon

        ctx = self.sx_context(values)
        self._units = ctx.units
        inputs = {"wetlands": values["WETLANDS"], "protected": values["PROTECTED"]}
        return carbon.run(ctx, inputs, name="carbon_wetlands")


class PilotsMatch(SxgeoAlgorithm):
    """``sxgeo:`` algorithm PilotsMatch (see its help)."""

    NAME = "pilots_match"
    ZH = "试点名单匹配"
    EN = "Match a pilot list"
    GROUP = "pilots"
    CLI = "sxgeo pilots match --list L -o FOLDER"
    HELP_ZH = "把规划名单的每一行匹配到 2023 年区划代码:精确/规范化/模糊/歧义/未匹配。"
    HELP_EN = "Match each row of a planner's list to its 2023 division code: exact, normalised, fuzzy, ambiguous or unmatched."
    PARAMS = [P("file", "LIST", "名单(xlsx/csv)", "The planner's list (.xlsx or .csv)")]

    def compute(self, values, folder, feedback):  # noqa: ARG002
        from sxgeo.pipelines import pilots

        ctx = self.sx_context(values)
        return pilots.run_match(ctx, {"list": values["LIST"]}, options=pilots.ListOptions())


class PilotsSelect(SxgeoAlgorithm):
    """``sxgeo:`` algorithm PilotsSelect (see its help)."""

    NAME = "pilots_select"
    ZH = "试点遴选"
    EN = "Select pilots"
    GROUP = "pilots"
    CLI = "sxgeo pilots select --level village --candidates C --criteria K -o FOLDER"
    HELP_ZH = "按评分准则为候选村(社区)、乡镇或县区打分,遴选 N 个试点,并检验结果的稳健性。"
    HELP_EN = "Score candidates by a criteria file, select N pilots and test the robustness of the choice."
    PARAMS = [
        P("enum", "LEVEL", "层级", "Level", options=["村(社区) village", "乡镇(街道) town", "县(市、区) county"],
          values=["village", "town", "county"]),
        P("any", "CANDIDATES", "候选图层", "Candidates (code column)", optional=True),
        P("file", "CRITERIA", "评分准则(yaml/csv)", "Criteria file", optional=True),
        P("file", "VALUES", "指标值表", "Values table", optional=True),
        P("int", "N", "遴选个数", "Sites to select (default: the plan's)", optional=True, min=1, max=100000),
    ]  # fmt: skip

    def compute(self, values, folder, feedback):  # noqa: ARG002
        from sxgeo.pipelines import pilots

        ctx = self.sx_context(values)
        level = values["LEVEL"]
        n = values["N"] if values["N"] is not None else pilots.PLAN_N[level]
        opts = pilots.PilotOptions(level=level, n=n)
        inputs = {
            "candidates": values["CANDIDATES"],
            "criteria": values["CRITERIA"],
            "values": values["VALUES"],
        }
        return pilots.run_select(ctx, inputs, options=opts)


class CheckLayer(SxgeoAlgorithm):
    """``sxgeo:`` algorithm CheckLayer (see its help)."""

    NAME = "check_layer"
    ZH = "检查图层"
    EN = "Check a layer"
    GROUP = "tools"
    CLI = "sxgeo check FILE"
    HELP_ZH = "按 sxgeo 的方式读取图层,报告读到、修复和排除的内容(编码、坐标系、无效几何、重复要素)。"
    HELP_EN = "Read a layer as sxgeo would and report what it found, repaired and excluded (encoding, CRS, invalid geometry, duplicates)."
    PARAMS = [P("any", "INPUT", "图层", "Layer")]
    FOLDER = False

    def initAlgorithm(self, config=None):  # noqa: ARG002
        for kind, key, zh, en, optional, _extra in self.PARAMS:
            types = {"any": compat.TYPE_ANY}[kind]
            self.addParameter(
                QgsProcessingParameterFeatureSource(key, f"{zh} {en}", [types], optional=optional)
            )
        self.addOutput(QgsProcessingOutputNumber("FEATURES", "要素数 Features read"))

    def processAlgorithm(self, parameters, context, feedback):
        if not compat.sxgeo_available():
            raise QgsProcessingException(compat.install_hint())
        from sxgeo.errors import SxgeoError
        from sxgeo.io import read_layer

        source = self._values(parameters, context, feedback)["INPUT"]
        try:
            _gdf, report = read_layer(source.path, **source.options)
        except SxgeoError as exc:
            raise QgsProcessingException(str(exc)) from None
        for line in report.summary_lines():
            feedback.pushInfo(line)
        return {"FEATURES": report.features}


class RunProject(SxgeoAlgorithm):
    """``sxgeo:`` algorithm RunProject (see its help)."""

    NAME = "build_project"
    ZH = "运行项目文件"
    EN = "Run a project file"
    GROUP = "tools"
    CLI = "sxgeo build --project sxgeo.toml -o FOLDER"
    HELP_ZH = "运行项目文件 sxgeo.toml 中给出输入的全部分析,输出表格、地图、进展报告(report/index.html)和 QGIS 工程。"
    HELP_EN = "Run every capability the project file names: tables, maps, the progress report (report/index.html) and a QGIS project."
    PARAMS = [
        P("file", "PROJECT_FILE", "项目文件", "Project file (sxgeo.toml)", ext="toml"),
        P("bool", "PDF", "同时生成 PDF 报告", "Also write report.pdf", default=False),
    ]

    def _run_and_write(self, values, folder, feedback):
        from sxgeo import build
        from sxgeo.maps.qgis_project import write_qgis_project
        from sxgeo.project import load_project

        project = load_project(values["PROJECT_FILE"])
        result = build.run(
            project, folder, progress=lambda step: feedback.pushInfo(f"step: {step}"), pdf=values["PDF"]
        )
        for line in [*result.skipped, *result.notes]:
            feedback.pushInfo(line)
        qgs = write_qgis_project(folder)
        report = folder / "report" / "index.html"
        return {
            "OUTPUT": str(folder),
            "TABLE": None,
            "MAP": str(report) if report.is_file() else None,
            "PROJECT": str(qgs),
            "LAYERS": 0,
            "_layers": [],
        }


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
