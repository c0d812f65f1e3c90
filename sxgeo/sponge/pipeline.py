"""Sponge-city pipeline: inputs -> Tier A coverage, Tier B sub-zones, the H-alpha curve; tables + map."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from sxgeo import sponge
from sxgeo._pipeline import (
    Context,
    as_path,
    check_share,
    engine_options,
    is_synthetic,
    name_of,
    project_inputs,
    project_param,
    read,
    read_dask,
    unit_sets,
)
from sxgeo.engine import check_engine, client_session
from sxgeo.io import read_rainfall
from sxgeo.outputs import Outputs
from sxgeo.plan import plan_targets
from sxgeo.project import Project
from sxgeo.sponge.dask import coverage_dask
from sxgeo.sponge.zones import DEFAULT_ALPHA_TARGET
from sxgeo.zonal import overlap_note

if TYPE_CHECKING:
    import pandas as pd

    from sxgeo.outputs import Outputs

log = logging.getLogger(__name__)

CURVE_LABELS = {
    "alpha_pct": "年径流总量控制率(%)",
    "depth_mm": "设计降雨量(mm)",
    "year": "年份",
    "total_mm": "年降水量(mm)",
    "rain_days": "雨日数",
    "max_daily_mm": "最大日降水量(mm)",
}
TIER_A = ("built_up", "compliant")
TIER_B = ("subzones", "landcover", "facilities", "rainfall")


@dataclass(frozen=True)
class ZoneOptions:
    """Options of the Tier B assessment.

    Attributes
    ----------
    alpha_target : float
        Capture-ratio target (0-1).
    alpha_target_source : str
        Where it comes from (named in every output).
    strict : bool
        Unknown flags count as failures.
    include_planned : bool
        What-if: count planned facilities.
    psi : str
        Runoff coefficient scenario.
    add_facilities : Any
        What-if: extra facilities (an input).
    baseline_credit : bool
        Floor alpha at 1 − psi (not part of the GB/T 51345-2018 volume method; off by default).
    exclude_regulating : bool
        Leave regulating (调节) storage (detention ponds) and conveyance swales out of the
        controlled volume (default, 技术指南 2014 附录1); False: ``--include-regulating``.
    engine : str
        Engine of the Tier A coverage: ``memory`` (default, the reference) or ``dask``
        (:mod:`sxgeo.sponge.dask`; the projects may be partitioned GeoParquet).
    scheduler : str or None
        Dask scheduler address (default: a LocalCluster on this machine).
    workers : int or None
        Workers of that LocalCluster.
    """

    alpha_target: float = 0.75
    alpha_target_source: str = "placeholder 75% (Shaoxing's adopted value not configured)"
    strict: bool = False
    include_planned: bool = False
    psi: str = "default"
    add_facilities: Any = None
    baseline_credit: bool = False
    exclude_regulating: bool = True
    engine: str = "memory"
    scheduler: str | None = None
    workers: int | None = None

    def __post_init__(self) -> None:
        check_share("capture-ratio target (--alpha-target, [sponge] alpha_target)", self.alpha_target)


def run(
    ctx: Context,
    inputs: dict[str, Any],
    *,
    name: str = "sponge",
    options: ZoneOptions | None = None,
    baseline: bool = True,
) -> list[Outputs]:
    """Every sponge-city table the inputs allow, and one map.

    Parameters
    ----------
    ctx : Context
        Units, year, targets, map settings.
    inputs : dict
        ``built_up, compliant`` (Tier A); ``subzones, landcover, facilities, rainfall`` (Tier B,
        with ``built_up`` for the coverage by passing sub-zones); ``rainfall`` alone gives the
        curve. Each a project input, a path or a frame.
    name : str
        Output stem (``sponge`` -> ``sponge.xlsx``, ``sponge.html``).
    options : ZoneOptions, optional
        Tier B options.
    baseline : bool
        Also compute Tier A at the plan's baseline year (from the targets table) when the
        reporting year is later.

    Returns
    -------
    list of Outputs
    """
    tables: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    layers: list[Any] = []
    map_args: dict[str, Any] = {}
    opts = options or ZoneOptions()
    synthetic_projects = False
    bu = (
        read(inputs["built_up"], ctx, geometry_type="polygon") if inputs.get("built_up") is not None else None
    )
    if bu is not None and inputs.get("compliant") is not None and check_engine(opts.engine) == "dask":
        layers.append(bu)
        synthetic_projects = _tier_a_dask(
            ctx,
            bu,
            inputs["compliant"],
            opts,
            baseline=baseline,
            tables=tables,
            notes=notes,
            map_args=map_args,
        )
    elif bu is not None and inputs.get("compliant") is not None:
        projects = read(inputs["compliant"], ctx, geometry_type="polygon")
        layers += [bu, projects]
        _tier_a_tables(
            ctx,
            lambda units, year: sponge.coverage(bu, projects, counties=units, year=year, targets=ctx.targets),
            baseline=baseline,
            tables=tables,
            notes=notes,
            map_args=map_args,
        )
        map_args["compliant"] = sponge.select_counted(projects, year=ctx.year)[0]
    if all(inputs.get(k) is not None for k in TIER_B):
        layers += _tier_b(ctx, inputs, bu, opts, tables=tables, notes=notes, map_args=map_args)
    synthetic = is_synthetic(*layers) or synthetic_projects
    if inputs.get("rainfall") is not None and not tables:
        synthetic = _curve_only(inputs["rainfall"], tables, notes)
    if not tables:
        return []
    out = Outputs(
        name, tables, sponge.zone_labels() | CURVE_LABELS, [*notes, *ctx.notes], synthetic=synthetic
    )
    if ctx.maps and (map_args.get("table") is not None or map_args.get("zones") is not None):
        from sxgeo.sponge.view import schedule_categories, sponge_map

        table = map_args.get("table")
        out.maps[f"{name}.html"] = sponge_map(
            table,
            ctx.units,
            compliant=map_args.get("compliant"),
            zones=map_args.get("zones"),
            lang=ctx.lang,
            basemap=ctx.basemap,
            schedule=schedule_categories(
                table, ctx.year, targets=ctx.targets, baseline=map_args.get("baseline")
            )
            if table is not None
            else None,
        )
    return [out]


def _tier_a_tables(
    ctx: Context,
    cover: Callable[[Any, int | None], pd.DataFrame],
    *,
    baseline: bool,
    tables: dict[str, pd.DataFrame],
    notes: list[str],
    map_args: dict[str, Any],
) -> None:
    """Tier A tables of either engine: per unit set at the reporting year, and the plan's baseline year.

    *cover(units, year)* is the engine's coverage table (:func:`sxgeo.sponge.coverage` or
    :func:`sxgeo.sponge.dask.coverage_dask`).
    """
    for suffix, units in unit_sets(ctx):
        table = cover(units, ctx.year)
        tables[f"sponge_coverage{suffix}"] = table
        _overlap_note(f"sponge_coverage{suffix}", units, notes)
        if not suffix:
            notes += table.attrs.get("notes", [])
            map_args["table"] = table
    base_year = _baseline_year(ctx)
    if baseline and ctx.year is not None and base_year is not None and base_year < ctx.year:
        tables[f"sponge_coverage_{base_year}"] = cover(ctx.units, base_year)
        map_args["baseline"] = tables[f"sponge_coverage_{base_year}"]


def _overlap_note(table: str, units: Any, notes: list[str]) -> None:
    """Say in the notes that the units overlap and are each counted whole."""
    note = overlap_note(units)
    if note:
        notes.append(f"{table}: {note}")


def _tier_a_dask(
    ctx: Context,
    bu: Any,
    compliant: Any,
    opts: ZoneOptions,
    *,
    baseline: bool,
    tables: dict[str, pd.DataFrame],
    notes: list[str],
    map_args: dict[str, Any],
) -> bool:
    """Tier A on the Dask engine (the same tables as in memory); whether the projects are synthetic.

    The projects (partitioned GeoParquet, or any layer spread over partitions) stay on the
    workers: the map shows the coverage per unit without the project polygons.
    """
    with client_session(opts.scheduler, opts.workers) as client:
        projects = read_dask(
            compliant, ctx, npartitions=2 * max(1, len(client.nthreads())), what="sponge projects"
        )
        synthetic = bool(
            "synthetic" in projects.columns
            and projects["synthetic"].fillna(False).astype(bool).any().compute()
        )
        _tier_a_tables(
            ctx,
            lambda units, year: coverage_dask(bu, projects, counties=units, year=year, targets=ctx.targets),
            baseline=baseline,
            tables=tables,
            notes=notes,
            map_args=map_args,
        )
    notes.append("Dask engine: the map shows the coverage per unit, not the project polygons")
    return synthetic


def _baseline_year(ctx: Context) -> int | None:

    rows = plan_targets("sponge_coverage", targets=ctx.targets)
    rows = rows[rows["kind"] == "baseline"]
    return int(rows["year"].min()) if not rows.empty else None


def _tier_b(
    ctx: Context,
    inputs: dict[str, Any],
    bu: Any,
    opts: ZoneOptions,
    *,
    tables: dict[str, pd.DataFrame],
    notes: list[str],
    map_args: dict[str, Any],
) -> list[Any]:
    """Tier B: sub-zones by the volume method, what they need, coverage by passing sub-zones."""
    z = read(inputs["subzones"], ctx, geometry_type="polygon")
    lc = read(inputs["landcover"], ctx, geometry_type="polygon")
    fac = read(inputs["facilities"], ctx)
    what_if: list[str] = []
    if opts.add_facilities is not None:
        extra = read(opts.add_facilities, ctx).to_crs(fac.crs)
        if "status" not in extra.columns:
            extra["status"] = "completed"
        fac = pd.concat([fac, extra], ignore_index=True)
        what_if.append(f"what-if: {len(extra)} facilities added from {name_of(opts.add_facilities)}")
    rain_path, _ = as_path(inputs["rainfall"])
    daily, rain_notes = read_rainfall(rain_path)
    dates = cast("pd.DatetimeIndex", daily.index)
    years = f"{dates.year.min()}-{dates.year.max()}"
    curve = sponge.curve_from_daily(daily, source=f"{rain_path.name}, {years} (derived, not adopted)")
    result = sponge.assess_zones(
        z,
        lc,
        fac,
        curve,
        alpha_target=opts.alpha_target,
        alpha_target_source=opts.alpha_target_source,
        strict=opts.strict,
        include_planned=opts.include_planned,
        year=ctx.year,
        psi_scenario=opts.psi,
        baseline_credit=opts.baseline_credit,
        exclude_regulating=opts.exclude_regulating,
        counties=ctx.units,
    )
    notes += [*result.notes, *what_if, *rain_notes]
    tables["sponge_zones"] = result.zones
    tables["sponge_closest"] = sponge.closest_to_passing(result)
    if bu is not None:
        tables["sponge_zone_built_up"] = sponge.zone_built_up(result.zones, bu, ctx.units)
        for suffix, units in unit_sets(ctx):
            cov = sponge.zone_coverage(result, bu, units, targets=ctx.targets)
            tables[f"sponge_zone_coverage{suffix}"] = cov
            _overlap_note(f"sponge_zone_coverage{suffix}", units, notes)
            if not suffix and map_args.get("table") is None:
                map_args["table"] = cov
    tables["sponge_facilities"] = result.facilities
    tables["sponge_curve"] = curve.table()
    map_args["zones"] = result.zones
    return [z, lc, fac]


def _curve_only(rainfall: Any, tables: dict[str, pd.DataFrame], notes: list[str]) -> bool:
    """The H-alpha curve and yearly totals of a station series; whether the series is synthetic."""
    path, _ = as_path(rainfall)
    daily, rain_notes = read_rainfall(path)
    dates = cast("pd.DatetimeIndex", daily.index)
    c = sponge.curve_from_daily(daily, source=path.name)
    tables["sponge_curve"] = c.table([a / 100 for a in range(50, 100, 5)])
    tables["rainfall_years"] = sponge.annual_summary(daily).reset_index(names="year")
    notes += [
        f"H-alpha curve from {path.name}, {dates.year.min()}-{dates.year.max()}, "
        "days <= 2 mm dropped (derived, not an adopted design value)",
        *rain_notes,
    ]
    return bool(daily.attrs.get("synthetic"))


def run_project(ctx: Context, project: Project) -> list[Outputs]:
    """``sxgeo build``'s sponge step: the ``[sponge]`` keys as :class:`ZoneOptions`, then :func:`run`."""
    alpha = project_param(ctx, project, "sponge", "alpha_target", DEFAULT_ALPHA_TARGET)
    where = ctx.params["sponge.alpha_target"]["source"]
    source = project_param(ctx, project, "sponge", "alpha_target_source", None)
    if source is None:
        source = (
            "placeholder 75% (Shaoxing's adopted value not configured)"
            if where == "default"
            else f"set in {where}"
        )
    opts = ZoneOptions(
        alpha_target=float(alpha),
        alpha_target_source=str(source),
        strict=bool(project_param(ctx, project, "sponge", "strict", False)),
        psi=str(project_param(ctx, project, "sponge", "psi", "default")),
        baseline_credit=bool(project_param(ctx, project, "sponge", "baseline_credit", False)),
        exclude_regulating=exclude_regulating(ctx, project),
        **engine_options(ctx, project),
    )
    return run(ctx, project_inputs(project, "sponge"), options=opts)


def exclude_regulating(ctx: Context, project: Project) -> bool:
    """Whether regulating storage is left out of the controlled volume (default yes, 技术指南 2014 附录1).

    ``[sponge] include_regulating`` decides; the older ``[sponge] exclude_regulating`` is honoured
    when it is the only one set.
    """
    include = project_param(ctx, project, "sponge", "include_regulating", None)
    if include is not None:
        return not bool(include)
    return bool(project_param(ctx, project, "sponge", "exclude_regulating", True))
