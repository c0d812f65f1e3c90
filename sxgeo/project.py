"""The planner's project file, ``sxgeo.toml``: which of their files feed which capability.

Every key sxgeo reads is declared once (section, name, kind, zh/en help): ``[project]``, ``[layers]``
and ``[engine]`` here, each capability's in its ``spec.py`` (:mod:`sxgeo.capabilities`); :data:`KEYS`
holds them all, and the
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

from sxgeo.capabilities import SECTION_TITLES as CAPABILITY_TITLES
from sxgeo.capabilities import capability_keys
from sxgeo.capability import Key
from sxgeo.configtext import load_toml
from sxgeo.errors import ProjectError
from sxgeo.plan_files import SHIPPED_PLANS, shipped_plan_path
from sxgeo.settings import config_path, setting

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


CORE_KEYS: tuple[Key, ...] = (
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
        "the plan: a shipped id (shaoxing_14th, shaoxing_15th) or your registry YAML; default shaoxing_14th",
        "规划指标体系:内置编号(shaoxing_14th、shaoxing_15th)或自编 YAML;缺省为十四五规划",
        '"shaoxing_15th"',
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
)
"""The keys of ``[project]`` and ``[layers]``, shared by every capability."""

ENGINE_KEYS: tuple[Key, ...] = (
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
"""The keys of ``[engine]`` (the optional Dask engine of PV, sponge Tier A and land-cover carbon)."""

KEYS: tuple[Key, ...] = (*CORE_KEYS, *capability_keys(), *ENGINE_KEYS)
"""Every key of ``sxgeo.toml`` (each capability declares its own in its ``spec.py``)."""

KEY_INDEX = {(k.section, k.name): k for k in KEYS}
SECTIONS = tuple(dict.fromkeys(k.section for k in KEYS))
SECTION_TITLES = {
    "project": ("project", "项目"),
    "layers": ("reporting units and shared layers", "统计单元与公共图层"),
    **CAPABILITY_TITLES,
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


def _plan_input(value: str, *, key: str, base: Path, where: str) -> Input:
    """``[project] plan``: a shipped plan id (:data:`sxgeo.plan_files.SHIPPED_PLANS`) or a registry path.

    A file of that name beside the project wins over a shipped id of the same name.
    """
    shipped = shipped_plan_path(value)
    local = Path(value).expanduser()
    if shipped is not None and not (local if local.is_absolute() else base / local).exists():
        return Input(shipped, {}, key)
    try:
        return _input(value, key=key, base=base, where=where)
    except ProjectError as exc:
        msg = f"{exc}; or name a shipped plan: {', '.join(SHIPPED_PLANS)}"
        raise ProjectError(msg) from None


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


def parse(
    data: dict[str, Any],
    *,
    base: Path,
    where: str,
    path: Path | None = None,
    keys: tuple[Key, ...] = KEYS,
) -> Project:
    """Validate parsed TOML against the project-file keys and resolve input paths.

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
    keys : tuple of Key
        The keys a project may set (default :data:`KEYS`; a capability outside the registry adds
        its own).

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
    index = KEY_INDEX if keys is KEYS else {(k.section, k.name): k for k in keys}
    sections = tuple(dict.fromkeys(k.section for k in keys))
    for section, body in data.items():
        if section not in sections:
            msg = f"{where}: unknown section [{section}] (known: {', '.join(sections)})"
            raise ProjectError(msg)
        if not isinstance(body, dict):
            msg = f"{where}: {section} must be a section [{section}]"
            raise ProjectError(msg)
        for name, value in body.items():
            spec = index.get((section, name))
            if spec is None:
                known = ", ".join(k.name for k in keys if k.section == section)
                msg = f"{where}: unknown key {section}.{name} (keys of [{section}]: {known})"
                raise ProjectError(msg)
            key = f"{section}.{name}"
            if (section, name) == ("project", "plan") and isinstance(value, str):
                values.setdefault(section, {})[name] = _plan_input(
                    value, key=f"{section}.{name}", base=base, where=where
                )
            elif spec.kind == "input":
                values.setdefault(section, {})[name] = _input(value, key=key, base=base, where=where)
            else:
                values.setdefault(section, {})[name] = _scalar(value, spec, where=where)
    lang = values.get("project", {}).get("lang")
    if lang is not None and lang not in ("zh", "en"):
        msg = f"{where}: project.lang = {lang!r} must be 'zh' or 'en'"
        raise ProjectError(msg)
    return Project(path, values)


def load_project(path: str | Path, *, keys: tuple[Key, ...] = KEYS) -> Project:
    """Read and validate a project file.

    Parameters
    ----------
    path : str or pathlib.Path
        ``sxgeo.toml`` (or a folder holding one).
    keys : tuple of Key
        The keys it may set (default :data:`KEYS`).

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
    project = parse(data, base=p.resolve().parent, where=p.name, path=p.resolve(), keys=keys)
    log.info("project %s: %s", p, ", ".join(f"[{s}] {len(v)} keys" for s, v in project.values.items()))
    return project


def template(plan: str | None = None) -> str:
    """The commented ``sxgeo.toml`` that ``sxgeo init`` writes (every key commented out).

    Parameters
    ----------
    plan : str, optional
        A plan (shipped id or registry path) written, not commented out, as ``[project] plan``
        (``sxgeo init --plan shaoxing_15th``).

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
            if (section, k.name) == ("project", "plan") and plan is not None:
                lines += [f"# {k.zh} / {k.en}", f"plan = {_toml_string(plan)}"]
                continue
            lines += [f"# {k.zh} / {k.en}", f"# {k.name} = {k.example}"]
        lines.append("")
    return "\n".join(lines)


def _toml_string(text: str) -> str:
    """*text* as a TOML basic string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_template(folder: str | Path, *, force: bool = False, plan: str | None = None) -> Path:
    """Write :func:`template` to ``folder/sxgeo.toml`` (atomically).

    Parameters
    ----------
    folder : str or pathlib.Path
        Project folder (created when missing).
    force : bool
        Replace an existing file.
    plan : str, optional
        ``[project] plan`` to write: a shipped id (:data:`sxgeo.plan_files.SHIPPED_PLANS`) or a registry path.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ProjectError
        When the file exists and *force* is false, or *plan* is neither a shipped id nor a file
        (relative to *folder*).
    """
    d = Path(folder)
    if plan is not None and shipped_plan_path(plan) is None and not (d / Path(plan).expanduser()).is_file():
        msg = (
            f"--plan {plan}: neither a shipped plan ({', '.join(SHIPPED_PLANS)}) nor a registry file "
            f"(relative to {d}); fix the name or the path"
        )
        raise ProjectError(msg)
    d.mkdir(parents=True, exist_ok=True)
    p = d / PROJECT_FILE
    if p.exists() and not force:
        msg = f"{p} exists; edit it, or pass --force to replace it with the template"
        raise ProjectError(msg)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(template(plan), encoding="utf-8")
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
    if option is not None:
        return option, "option"
    if project is not None and project.get(section, name) is not None:
        where = project.path.name if project.path is not None else "project"
        return project.get(section, name), f"project file {where}"
    configured = setting(section, name)
    if configured is not None:
        return configured, f"user config {config_path()}"
    return default, "default"
