"""The run context every pipeline receives, reading its named inputs, and the checks of numeric options.

:meth:`Context.from_project` is the one constructor of a build's context (``sxgeo build`` and
``sxgeo report``); :meth:`Context.from_options` that of a capability command.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sxgeo import __version__
from sxgeo.admin import load_counties, load_zones
from sxgeo.capabilities import check_plan
from sxgeo.engine.partition import dask_frame, is_partitioned, merge_reports, repair_notes
from sxgeo.errors import OptionError
from sxgeo.io import read_layer
from sxgeo.plan import TargetsLike, load_plan_targets
from sxgeo.project import KEYS, Input, Project, resolve

if TYPE_CHECKING:
    import geopandas as gpd


log = logging.getLogger(__name__)

YEAR_RANGE = (1990, 2100)
"""Years sxgeo accepts for reporting and data years (the plan's horizon with room either side)."""


def check_option(
    name: str,
    value: float | None,
    *,
    above: float | None = None,
    at_least: float | None = None,
    at_most: float | None = None,
    hint: str = "",
) -> None:
    """Refuse a numeric option outside its range, in one line naming the option.

    Parameters
    ----------
    name : str
        The option as the user writes it (``--years``, ``[carbon] years``).
    value : float or None
        The value; None (not given) passes.
    above : float, optional
        Exclusive lower bound.
    at_least, at_most : float, optional
        Inclusive bounds.
    hint : str
        Added to the message.

    Raises
    ------
    OptionError
        Out of range, or not a finite number.
    """
    if value is None:
        return
    try:
        v = float(value)
    except (TypeError, ValueError):
        msg = f"{name} must be a number, got {value!r}"
        raise OptionError(msg) from None
    bad = (
        not math.isfinite(v)
        or (above is not None and v <= above)
        or (at_least is not None and v < at_least)
        or (at_most is not None and v > at_most)
    )
    if bad:
        parts = []
        if above is not None:
            parts.append(f"> {above:g}")
        if at_least is not None:
            parts.append(f">= {at_least:g}")
        if at_most is not None:
            parts.append(f"<= {at_most:g}")
        msg = f"{name} must be {' and '.join(parts)}, got {v:g}" + (f"; {hint}" if hint else "")
        raise OptionError(msg)


def check_year(name: str, value: float | None) -> None:
    """Refuse a year outside :data:`YEAR_RANGE` (``--year 99999``)."""
    check_option(name, value, at_least=YEAR_RANGE[0], at_most=YEAR_RANGE[1])


def check_share(name: str, value: float | None) -> None:
    """Refuse a share (0-1] given as a percentage, saying which was meant (75 -> 0.75)."""
    if value is not None and 1 < float(value) <= 100:
        hint = f"it is a share: for {float(value):g}% write {float(value) / 100:g}"
    else:
        hint = "it is a share between 0 and 1 (0.75 = 75%)"
    check_option(name, value, above=0, at_most=1, hint=hint)


@dataclass
class Context:
    """What a pipeline needs besides its own inputs.

    Attributes
    ----------
    units : geopandas.GeoDataFrame
        The county layer (:func:`sxgeo.admin.load_counties`).
    zones : geopandas.GeoDataFrame or None
        Reporting zones (:func:`sxgeo.admin.load_zones`): per-zone tables beside the county ones.
    year : int or None
        Reporting year.
    targets : sxgeo.plan.Targets, pandas.DataFrame or None
        The plan's targets with the project's override merged in (:func:`sxgeo.plan.load_plan_targets`);
        None: the shipped plan's. Tables, maps and the report all read targets from here.
    maps : bool
        Make maps (only when they will be written: a folder output or ``--map``).
    lang, basemap : str
        Map language and basemap.
    crs : str or None
        CRS of inputs that carry none (the CLI's ``--crs``), unless an input names its own.
    notes : list of str
        Provenance lines added to every output.
    params : dict
        Settings used and where each came from (``{"sponge.alpha_target": {"value", "source"}}``).
    inputs_read : dict
        Path -> ``{"rows", "crs"}`` of every vector input as read (for ``run.json``).
    shared : dict
        Results one step computed that a later step of the same run reuses, keyed by the inputs'
        :func:`input_key` and the settings: the pilot step takes the PV step's per-roof results
        from here instead of running the PV model again.
    """

    units: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame | None = None
    year: int | None = None
    targets: TargetsLike = None
    maps: bool = True
    lang: str = "zh"
    basemap: str | None = None
    crs: str | None = None
    notes: list[str] = field(default_factory=list)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    inputs_read: dict[str, dict[str, Any]] = field(default_factory=dict)
    shared: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_year("year (--year, [project] year)", self.year)

    @classmethod
    def from_project(
        cls,
        project: Project | None,
        *,
        layers: str | Path | None = None,
        lang: str | None = None,
        basemap: str | None = None,
        maps: bool = True,
        plan: str | Path | None = None,
    ) -> Context:
        """The run context of a project: its counties (or the shipped ones), zones, targets, year.

        Parameters
        ----------
        project : Project or None
            The project (None: shipped layers and defaults).
        layers : str or pathlib.Path, optional
            Folder of the shipped layers (when the project names no county layer).
        lang, basemap : str, optional
            Options; they win over the project's.
        maps : bool
            Make maps.
        plan : str or pathlib.Path, optional
            Plan registry; wins over the project's ``[project] plan`` (``sxgeo report --plan``).

        Returns
        -------
        Context
            Its ``targets`` is the plan with the project's ``[project] targets`` merged in.
        """

        def opts(key: str) -> dict[str, Any]:
            spec = project.get("layers", key) if project is not None else None
            return {} if spec is None else {"path": spec.path, **spec.options}

        county = opts("counties")
        units = load_counties(county.pop("path", None) or layers, **county)
        zone = opts("zones")
        zones = load_zones(zone.pop("path"), units, **zone) if zone else None
        targets_in = project.get("project", "targets") if project is not None else None
        plan_in = project.get("project", "plan") if project is not None else None
        plan_path = plan if plan is not None else plan_in.path if plan_in is not None else None
        named = (
            [f"project: {project.name} ({project.path.name})"] if project is not None and project.path else []
        )
        targets = load_plan_targets(targets_in.path if targets_in is not None else None, plan=plan_path)
        check_plan(targets.plan)
        return cls(
            units=units,
            zones=zones,
            year=project.year if project is not None else None,
            targets=targets,
            maps=maps,
            lang=lang or (project.get("project", "lang", "zh") if project is not None else "zh"),
            basemap=basemap or (project.get("project", "basemap") if project is not None else None),
            notes=[f"made by sxgeo {__version__}", *named],
        )

    @classmethod
    def from_options(
        cls,
        *,
        counties: str | Path | None = None,
        zones: str | Path | None = None,
        zone_code: str | None = None,
        year: int | None = None,
        crs: str | None = None,
        lang: str = "zh",
        basemap: str | None = None,
        maps: bool = True,
    ) -> Context:
        """The run context of a capability command from its options (shipped plan's targets).

        Parameters
        ----------
        counties, zones : str or pathlib.Path, optional
            County layer (default the shipped one) and reporting zones.
        zone_code : str, optional
            Code column of *zones*.
        year : int, optional
            Reporting year.
        crs : str, optional
            CRS of inputs that carry none.
        lang, basemap : str
            Map language and basemap.
        maps : bool
            Make maps.

        Returns
        -------
        Context
        """
        units = load_counties(counties)
        return cls(
            units=units,
            zones=load_zones(zones, units, code_col=zone_code, crs=crs) if zones is not None else None,
            year=year,
            targets=load_plan_targets(),
            maps=maps,
            lang=lang,
            basemap=basemap,
            crs=crs,
        )


def read(source: Any, ctx: Context, *, geometry_type: str | None = None) -> gpd.GeoDataFrame:
    """Read a named input: a project :class:`~sxgeo.project.Input`, a path, or a frame (returned as is).

    Parameters
    ----------
    source : Input, str, pathlib.Path or geopandas.GeoDataFrame
        The input.
    ctx : Context
        For the default CRS.
    geometry_type : str, optional
        Passed to :func:`sxgeo.io.read_layer`.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    if isinstance(source, pd.DataFrame):
        return source

    path, options = as_path(source)
    options.setdefault("crs", ctx.crs)
    options.pop("code_col", None)
    options.pop("name_col", None)
    if geometry_type is not None:
        options["geometry_type"] = geometry_type
    gdf, report = read_layer(path, **options)
    # what changed the count of features goes into the outputs' notes, not only the log
    for warning in report.warnings:
        if "duplicate" in warning or "area changed" in warning or "mixes encodings" in warning:
            note = f"{path.name}: {warning}"
            if note not in ctx.notes:
                ctx.notes.append(note)
    ctx.inputs_read[str(path)] = {
        "rows": len(gdf),
        "crs": gdf.crs.to_string() if gdf.crs is not None else None,
    }
    return gdf


def read_dask(
    source: Any,
    ctx: Context,
    *,
    npartitions: int | None = None,
    what: str = "layer",
    geometry_type: str = "polygon",
) -> Any:
    """A named input as a ``dask_geopandas.GeoDataFrame`` (:func:`sxgeo.engine.partition.dask_frame`).

    Partitioned GeoParquet (a folder, glob or ``.parquet`` file) is handed to the engine as a
    path and recorded in ``ctx.inputs_read``; any other input is read here like every input
    (:func:`read`: the default CRS, the notes on what changed the count of features) and the
    frame is spread over partitions.

    Parameters
    ----------
    source : Input, str, pathlib.Path or geopandas.GeoDataFrame
        The input.
    ctx : Context
        For the default CRS and the record of inputs read.
    npartitions : int, optional
        Partitions of an input read in memory (``dask_frame``'s default when None).
    what : str
        How to name the layer in messages.
    geometry_type : str
        Geometry type :func:`read` checks.

    Returns
    -------
    dask_geopandas.GeoDataFrame
    """
    if not hasattr(source, "columns"):
        path, options = as_path(source)
        if is_partitioned(path):
            # every part read through read_layer (the in-memory repairs), and its report kept
            reports: list[Any] = []
            crs = options.get("crs", ctx.crs)
            ddf = dask_frame(
                path, npartitions=npartitions, what=what, read_options={"crs": crs}, reports=reports
            )
            report = merge_reports(str(path), reports)
            for note in repair_notes(path, report):
                if note not in ctx.notes:
                    ctx.notes.append(note)
            ctx.inputs_read[str(path)] = {
                "rows": report.features,
                "crs": ddf.crs.to_string(),
                "partitions": ddf.npartitions,
                "repaired": len(report.repaired),
                "excluded": len(report.excluded),
            }
            return ddf
    return dask_frame(read(source, ctx, geometry_type=geometry_type), npartitions=npartitions, what=what)


def as_path(source: Any) -> tuple[Path, dict[str, Any]]:
    """The path of an input and its read options (a copy)."""
    if isinstance(source, Input):
        return source.path, dict(source.options)
    return Path(source), {}


def input_key(source: Any) -> tuple[Any, ...] | None:
    """What identifies an input's content within a run: its path, size, mtime and read options.

    Parameters
    ----------
    source : path, Input, frame or None
        An input as a pipeline takes it.

    Returns
    -------
    tuple or None
        ``("none",)`` for an absent input; None for a frame given in code or a file that cannot be
        read (nothing keyed on it is reused).
    """
    if source is None:
        return ("none",)
    if isinstance(source, pd.DataFrame):
        return None
    path, options = as_path(source)
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, repr(sorted(options.items())))


def name_of(source: Any) -> str:
    """File name of an input, for notes (``'frame'`` for a frame given in code)."""
    if isinstance(source, pd.DataFrame):
        return "frame"
    return as_path(source)[0].name


def is_synthetic(*layers: Any) -> bool:
    """Whether any input layer carries a true ``synthetic`` column (demo data)."""
    return any(
        hasattr(x, "columns") and "synthetic" in x.columns and x["synthetic"].fillna(False).astype(bool).any()
        for x in layers
        if x is not None
    )


def unit_sets(ctx: Context) -> list[tuple[str, gpd.GeoDataFrame]]:
    """The unit layers a per-unit table is made for: ``("", counties)`` and ``("_zones", zones)``."""
    sets = [("", ctx.units)]
    if ctx.zones is not None:
        sets.append(("_zones", ctx.zones))
    return sets


def project_inputs(project: Project, section: str) -> dict[str, Any]:
    """The input keys of *section* as the project names them (None where it does not).

    Parameters
    ----------
    project : Project
        The project.
    section : str
        Project-file section, e.g. ``sponge``.

    Returns
    -------
    dict
        Key name -> :class:`sxgeo.project.Input` or None.
    """
    return {k.name: project.get(section, k.name) for k in KEYS if k.section == section and k.kind == "input"}


def project_param(ctx: Context, project: Project, section: str, name: str, default: Any) -> Any:
    """A setting by the precedence rule, recorded with its source in ``ctx.params`` (for run.json).

    Parameters
    ----------
    ctx : Context
        The run context (its ``params`` gets ``section.name -> {value, source}``).
    project : Project
        The project.
    section, name : str
        The key.
    default : object
        The shipped default.

    Returns
    -------
    object
    """
    value, source = resolve(None, project, section, name, default)
    ctx.params[f"{section}.{name}"] = {"value": value, "source": source}
    return value


def engine_options(ctx: Context, project: Project) -> dict[str, Any]:
    """The ``[engine]`` section as keyword options of the PV, sponge (Tier A) and carbon (land cover) runs."""
    return {
        "engine": str(project_param(ctx, project, "engine", "name", "memory")),
        "scheduler": project_param(ctx, project, "engine", "scheduler", None),
        "workers": project_param(ctx, project, "engine", "workers", None),
    }
