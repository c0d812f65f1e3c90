"""Rooftop-PV pipeline: building footprints (+ parks, villages, zones) -> per-roof potential, sums, map.

One pipeline for both engines. It prepares the yields, the grid emission factor and the notes
once, then computes the roofs in memory (the reference) or maps :func:`sxgeo.pv.dask.compute_sums`
over the partitions of the buildings (``engine="dask"``); both engines lay their tables out
with :func:`sxgeo.pv.aggregate.table_from_sums`.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from sxgeo import crs as sxcrs
from sxgeo import pv as pvmod
from sxgeo._pipeline import (
    Context,
    as_path,
    check_option,
    check_share,
    check_year,
    engine_options,
    input_key,
    is_synthetic,
    name_of,
    project_inputs,
    project_param,
    read,
    read_dask,
)
from sxgeo.admin import CITY_CODE
from sxgeo.engine import check_engine, client_session
from sxgeo.errors import SchemaError
from sxgeo.io import read_table, read_weather, sample_raster
from sxgeo.io.writers import make_folder
from sxgeo.outputs import SYNTHETIC_NOTE, SYNTHETIC_PREFIX, Outputs
from sxgeo.plan import unit_target
from sxgeo.project import Project
from sxgeo.pv import dask as pvdask
from sxgeo.pv import energy, nea2025
from sxgeo.pv.aggregate import assign_points, table_from_sums
from sxgeo.zonal import grid_counts

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PVOptions:
    """Options of the rooftop-PV pipeline.

    Attributes
    ----------
    ghi_scenario : str
        Monthly GHI table: ``default`` (1,202) or ``low`` (1,166 kWh/m2).
    shading : bool
        Shading from taller neighbours.
    ef_year : int
        Data year of the grid CO2 factor.
    ef_region : str
        ``east_china`` or ``national``.
    ef_basis : str
        ``average`` (grid average, a consumption factor; default), ``fossil`` (national
        fossil-power factor) or ``baseline_cm`` (regional grid baseline, OM/BM combined margin).
    grid_m : float
        Cell of the potential-density grid on the map [m].
    engine : str
        ``memory`` (default, the reference) or ``dask`` (:mod:`sxgeo.pv.dask`).
    scheduler : str or None
        Dask scheduler address (default: a LocalCluster on this machine).
    workers : int or None
        Workers of that LocalCluster.
    roofs_dir : str or None
        Dask engine: the output folder, where every roof's result is written as
        ``pv_buildings.parquet`` (a folder of GeoParquet parts, one per partition); None: not
        written. The in-memory engine writes its single file through the outputs instead.
    self_use_share : float
        Minimum yearly self-use share of C&I generation under self-use + surplus, for the
        2025 self-use-bounded scenario (:data:`sxgeo.pv.nea2025.SELF_USE_SHARE`, 0.5, verify:
        Zhejiang's figure not found).
    """

    ghi_scenario: str = "default"
    shading: bool = True
    ef_year: int = 2022
    ef_region: str = "east_china"
    ef_basis: str = "average"
    grid_m: float = 1000.0
    engine: str = "memory"
    scheduler: str | None = None
    workers: int | None = None
    roofs_dir: str | None = None
    self_use_share: float = nea2025.SELF_USE_SHARE

    def __post_init__(self) -> None:
        check_year("grid factor year (--ef-year, [pv] ef_year)", self.ef_year)
        check_share("[pv] self_use_share", self.self_use_share)
        check_option("--grid-m", self.grid_m, above=0, hint="the cell side of the density grid in metres")


def _yields(inputs: dict[str, Any], opts: PVOptions, notes: list[str], params: Any = None) -> tuple[Any, Any]:
    """The specific-yield table and the horizon-loss table, from a weather file or the monthly table."""
    mounts = energy.thermal_mounts(pvmod.roof_params(params))
    notes.append(
        "cell temperature by mount (Faiman u0, u1): "
        + "; ".join(f"{m} {u0:g}, {u1:g}" for m, (u0, u1) in mounts.items())
    )

    if inputs.get("weather") is not None:
        w, meta = read_weather(as_path(inputs["weather"])[0])
        site = energy.Site(meta["latitude"], meta["longitude"], tz=meta["tz"], name=meta["source"])
        yields = energy.yield_table(w, site=site, mounts=mounts)
        horizon = energy.horizon_loss_table(w, site=site) if opts.shading else None
        notes.append(
            f"yield from {meta['source']} (hourly chain; hours centred for the format, irradiance-weighted "
            f"midday {meta['midday_offset_min']:+.0f} min from solar noon)"
        )
    else:
        yields = energy.yield_table(scenario=opts.ghi_scenario, mounts=mounts)
        horizon = energy.horizon_loss_table() if opts.shading else None
        notes.append(f"yield from the {yields.attrs['source']}, GHI {yields.attrs['ghi_kwh_m2']:.0f} kWh/m2")
    return yields, horizon


def _ghi_note(path: Path) -> str:
    return f"yield scaled by the GHI raster {path.name} at each roof"


def _ghi_scale(source: Any, buildings: Any, ghi_kwh_m2: float) -> np.ndarray:
    path, _ = as_path(source)
    ghi = sample_raster(path, buildings)
    finite = ghi[np.isfinite(ghi)]
    if finite.size and not 600 <= np.median(finite) <= 2500:
        msg = f"{path.name}: median {np.median(finite):.0f}; expected annual GHI in kWh/m2 (600-2500)"
        raise SchemaError(msg)
    return ghi / ghi_kwh_m2


def co2_factor_label(opts: PVOptions, ef_kg_kwh: float) -> str:
    """The ``co2_factor`` cell every PV table carries: which factor its ``co2_avoided_t`` used."""
    where = "national" if opts.ef_basis == "fossil" else opts.ef_region
    if opts.ef_basis == "baseline_cm":
        return f"{ef_kg_kwh:g} kg CO2/kWh, baseline_cm basis (OM/BM combined margin), {where} (MEE) [verify]"
    return f"{ef_kg_kwh:g} kg CO2/kWh, {opts.ef_basis} basis, {where} {opts.ef_year} (MEE+NBS)"


def ef_method_note(basis: str) -> str:
    """The notes line saying what the avoided-CO₂ factor measures (consumption or displaced generation)."""
    if basis == "average":
        return (
            "avoided CO2: a consumption (grid-average) factor, which prices electricity used, not the "
            "generation a new PV plant displaces; --ef-basis baseline_cm (regional grid baseline, "
            "OM/BM combined margin) or fossil gives a displacement figure"
        )
    if basis == "baseline_cm":
        return (
            "avoided CO2: regional grid baseline combined margin (0.75 OM + 0.25 BM, CDM tool weights "
            "for solar), the generation a new PV plant displaces (CCER-style) [verify the figure]"
        )
    return "avoided CO2: national fossil-power factor (an upper bound of the generation displaced)"


ROOF_INPUTS = ("buildings", "params", "weather", "ghi_raster")
"""The inputs a roof's capacity and generation depend on (parks and villages only group them)."""


def roofs_key(inputs: dict[str, Any], options: PVOptions) -> tuple[Any, ...] | None:
    """Key of the in-memory engine's per-roof results in :attr:`Context.shared` (None: not reusable).

    Parameters
    ----------
    inputs : dict
        The PV inputs (:data:`ROOF_INPUTS` count).
    options : PVOptions
        Yield and factor options (the engine settings do not count: the in-memory engine is meant).

    Returns
    -------
    tuple or None
    """
    keys = [input_key(inputs.get(k)) for k in ROOF_INPUTS]
    if any(k is None for k in keys):
        return None
    core = dataclasses.replace(options, engine="memory", scheduler=None, workers=None)
    return ("pv_roofs", *keys, repr(core))


@dataclass
class _Groups:
    """The layers the roofs are summed by besides the counties: parks, villages (and their code)."""

    parks: gpd.GeoDataFrame | None = None
    villages: gpd.GeoDataFrame | None = None
    village_code: str = ""


def _read_groups(ctx: Context, inputs: dict[str, Any]) -> _Groups:
    groups = _Groups()
    if inputs.get("parks") is not None:
        groups.parks = read(inputs["parks"], ctx)
        if "park_id" not in groups.parks.columns:
            groups.parks["park_id"] = [f"P{i:03d}" for i in range(1, len(groups.parks) + 1)]
    if inputs.get("villages") is not None:
        groups.villages = read(inputs["villages"], ctx, geometry_type="point")
        groups.village_code = "code" if "code" in groups.villages.columns else str(groups.villages.columns[0])
        log.info("villages from %s, code column %r", name_of(inputs["villages"]), groups.village_code)
    return groups


def _model_notes(opts: PVOptions, horizon: Any, ef_note: str, unsuitable: int) -> list[str]:
    """The notes on the model every PV output carries, whichever engine computed it."""
    return [
        f"losses {energy.losses_pct():.2f}% (PVWatts defaults), inverter {energy.INVERTER_ETA:.0%}",
        f"grid CO2 factor {ef_note}",
        ef_method_note(opts.ef_basis),
        "policy scenario: NEA whole-county pilot floors (government 50%, public 40%, "
        "commercial/industrial 30%, rural homes 20%)",
        "shading from taller neighbours to the south"
        if opts.shading and horizon is not None
        else "no shading",
        f"{unsuitable} roofs unsuitable (too small, or shading loss > 30%)",
    ]


def _roofs_folder(opts: PVOptions, synthetic: bool) -> tuple[Path, Path] | None:
    """Final and staging folder of the Dask engine's per-roof GeoParquet parts (None: not a folder)."""
    if opts.roofs_dir is None:
        return None
    folder = make_folder(opts.roofs_dir)
    final = folder / ((SYNTHETIC_PREFIX if synthetic else "") + "pv_buildings.parquet")
    partial = folder / f".{final.name}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir()
    return final, partial


@dataclass
class _DaskRun:
    tables: dict[str, pd.DataFrame]
    groups: _Groups
    synthetic: bool
    unsuitable: int
    notes: list[str]
    points: Any = None


def _run_dask(
    ctx: Context, inputs: dict[str, Any], opts: PVOptions, kernel: dict[str, Any], ef_label: str
) -> _DaskRun:
    """The roofs on Dask: :func:`sxgeo.pv.dask.compute_sums` over partitions, the tables of memory.

    Every roof's result is written by the workers as ``pv_buildings.parquet`` (a folder of
    GeoParquet parts, one per partition) when ``opts.roofs_dir`` is a folder; no map.
    """
    with client_session(opts.scheduler, opts.workers) as client:
        ddf = read_dask(
            inputs["buildings"], ctx, npartitions=2 * max(1, len(client.nthreads())), what="buildings"
        )
        groups = _read_groups(ctx, inputs)
        aggs = [pvdask.Aggregation("pv_counties", sxcrs.to_metric(ctx.units, what="counties"))]
        if groups.parks is not None:
            parks = sxcrs.to_metric(groups.parks, what="parks")
            aggs.append(pvdask.Aggregation("pv_parks", parks, "park_id", "polygon"))
        if groups.villages is not None:
            villages = sxcrs.to_metric(groups.villages, what="villages")
            aggs.append(pvdask.Aggregation("pv_villages", villages, groups.village_code, "nearest"))
        if ctx.zones is not None:
            aggs.append(pvdask.Aggregation("pv_zones", sxcrs.to_metric(ctx.zones, what="zones")))
        synthetic = bool(
            "synthetic" in ddf.columns and ddf["synthetic"].fillna(False).astype(bool).any().compute()
        )
        roofs_dir = _roofs_folder(opts, synthetic)
        columns = {"co2_factor": ef_label}
        if synthetic:
            columns["data_note"] = SYNTHETIC_NOTE
        try:
            done = pvdask.compute_sums(
                ddf,
                kernel,
                aggs,
                roofs_dir=None if roofs_dir is None else roofs_dir[1],
                roof_columns=columns,
                points=True,
            )
        except BaseException:
            if roofs_dir is not None:
                shutil.rmtree(roofs_dir[1], ignore_errors=True)
            raise
    if roofs_dir is not None:
        final, partial = roofs_dir
        if final.exists():
            shutil.rmtree(final)
        partial.rename(final)  # the folder appears whole or not at all
        roofs_note = f"every roof's result: {final} ({done['partitions']} GeoParquet parts, one a partition)"
    else:
        roofs_note = "no per-roof layer here (sxgeo pv --engine dask -o FOLDER writes one: GeoParquet parts)"
    target = unit_target("pv_new_capacity", CITY_CODE, targets=ctx.targets)
    # the tables keep the layers as given (their CRS and columns), as the in-memory functions do
    layers = {
        "pv_counties": ctx.units,
        "pv_parks": groups.parks,
        "pv_villages": groups.villages,
        "pv_zones": ctx.zones,
    }
    tables = {
        a.name: table_from_sums(
            done["sums"][a.name], layers[a.name], target, kind=a.kind, code_col=a.code_col
        )
        for a in aggs
    }
    notes = [
        f"Dask engine: {done['rows']} roofs in {done['partitions']} partitions, shading halo "
        f"{done['halo_m']:.0f} m; no map on this engine (millions of roofs are no web map: see the tables)",
        roofs_note,
    ]
    return _DaskRun(
        tables, groups, synthetic or is_synthetic(groups.parks), done["unsuitable"], notes, done["points"]
    )


def run(
    ctx: Context, inputs: dict[str, Any], *, name: str = "pv", options: PVOptions | None = None
) -> list[Outputs]:
    """Capacity, policy scenario and generation of every roof, and their sums per unit, park, village.

    Parameters
    ----------
    ctx : Context
        Units (and zones), targets, map settings.
    inputs : dict
        ``buildings`` (required; on the Dask engine also partitioned GeoParquet); ``parks``,
        ``villages``, ``weather`` or ``ghi_raster``, ``params`` (optional).
    name : str
        Output stem.
    options : PVOptions, optional
        Yield and factor options, and the engine.

    Returns
    -------
    list of Outputs
        One. In memory, in a folder it also writes every roof to ``pv_buildings.parquet`` and
        makes the map. On Dask, with ``options.roofs_dir`` the workers write every roof as a
        folder of GeoParquet parts there; no map. The notes are those of the in-memory engine
        followed by the Dask engine's own lines.
    """
    opts = options or PVOptions()
    if inputs.get("weather") is not None and inputs.get("ghi_raster") is not None:
        msg = "give a weather file or a GHI raster, not both"
        raise SchemaError(msg)
    engine = check_engine(opts.engine)
    b = read(inputs["buildings"], ctx, geometry_type="polygon") if engine == "memory" else None
    notes: list[str] = []
    params = read_table(as_path(inputs["params"])[0]) if inputs.get("params") is not None else None
    yields, horizon = _yields(inputs, opts, notes, params)
    ef, ef_note = pvmod.emission_factor(opts.ef_year, opts.ef_region, opts.ef_basis)
    ef_label = co2_factor_label(opts, ef)
    kernel: dict[str, Any] = {"params": params, "horizon_loss": horizon, "emission_factor_kg_kwh": ef}
    ghi_kwh_m2 = float(yields.attrs["ghi_kwh_m2"])
    if b is None:
        if inputs.get("ghi_raster") is not None:
            ghi = as_path(inputs["ghi_raster"])[0]
            kernel.update(ghi_raster=str(ghi), ghi_kwh_m2=ghi_kwh_m2)  # sampled at each roof by the workers
            notes.append(_ghi_note(ghi))
        dsk = _run_dask(ctx, inputs, opts, {"yields": yields, **kernel}, ef_label)
        tables, groups = dsk.tables, dsk.groups
        notes += [*_model_notes(opts, horizon, ef_note, dsk.unsuitable), *ctx.notes, *dsk.notes]
        if dsk.points is not None:
            # a project's roofs may lie in several partitions: grouped here, from every roof's result
            _project_types(ctx, inputs, opts, dsk.points, groups, tables, notes)
            notes.append(
                "Dask engine: the NEA 2025 project types are grouped on the client from every roof's "
                "result (its attributes and a point on its surface), so a project across partitions "
                "is one project, as in memory"
            )
        synthetic = dsk.synthetic
        result = None
    else:
        if inputs.get("ghi_raster") is not None:
            kernel["ghi_scale"] = _ghi_scale(inputs["ghi_raster"], b, ghi_kwh_m2)
            notes.append(_ghi_note(as_path(inputs["ghi_raster"])[0]))
        result = pvmod.building_potential(b, yields, **kernel)
        groups = _read_groups(ctx, inputs)  # before the notes: what reading them repaired is noted too
        notes += [*_model_notes(opts, horizon, ef_note, int((~result["suitable"]).sum())), *ctx.notes]
        tables = {"pv_counties": pvmod.by_county(result, ctx.units, targets=ctx.targets)}
        if groups.parks is not None:
            tables["pv_parks"] = pvmod.by_polygon(result, groups.parks, "park_id", targets=ctx.targets)
        if groups.villages is not None:
            tables["pv_villages"] = pvmod.by_nearest_point(
                result, groups.villages, groups.village_code, targets=ctx.targets
            )
        if ctx.zones is not None:
            tables["pv_zones"] = pvmod.by_county(result, ctx.zones, targets=ctx.targets)
        result = _project_types(ctx, inputs, opts, result, groups, tables, notes)
        synthetic = is_synthetic(b, groups.parks)
    park_table = tables.get("pv_parks")
    tables = {k: t.assign(co2_factor=ef_label) for k, t in tables.items()}
    labels = {**pvmod.aggregate.LABELS_ZH, **nea2025.LABELS_ZH, "co2_factor": "减排因子"}
    out = Outputs(name, tables, labels, notes, synthetic=synthetic)
    if result is not None:
        result = result.assign(co2_factor=ef_label)
        out.extra["pv_buildings.parquet"] = result
        key = roofs_key(inputs, opts)
        if key is not None:
            ctx.shared[key] = result  # a later step of this run (pilot siting) reuses the roofs
        if ctx.maps:
            out.maps[f"{name}.html"] = _map(
                ctx,
                counties=tables["pv_counties"],
                result=result,
                parks=groups.parks,
                park_table=park_table,
                opts=opts,
            )
    return [out]


def _project_types(  # noqa: PLR0917 (a private step of run: its state passed through)
    ctx: Context,
    inputs: dict[str, Any],
    opts: PVOptions,
    result: Any,
    groups: _Groups,
    tables: dict[str, pd.DataFrame],
    notes: list[str],
) -> Any:
    """The 2025 project types (:mod:`sxgeo.pv.nea2025`): ``pv_project_types[_zones|_parks]``.

    The old tables are left as they are; the per-roof result gains ``project_id``,
    ``nea2025_type``, ``grid_modes_allowed``, ``grid_kv``, ``project_mwp``, ``over_cap`` and
    ``cap_note`` (and the self-use bound with a consumption), which is returned.
    """
    mapping = (
        read_table(as_path(inputs["nea2025_types"])[0]) if inputs.get("nea2025_types") is not None else None
    )
    intensity = (
        read_table(as_path(inputs["use_intensity"])[0]) if inputs.get("use_intensity") is not None else None
    )
    parcels = (
        read(inputs["parcels"], ctx, geometry_type="polygon") if inputs.get("parcels") is not None else None
    )
    p = nea2025.classify(
        result, table=mapping, parcels=parcels, intensity=intensity, self_use_share=opts.self_use_share
    )
    pts = shapely.point_on_surface(np.asarray(p.roofs.geometry.values, dtype=object))
    tables["pv_project_types"] = nea2025.project_types_table(
        p.roofs, assign_points(pts, sxcrs.to_metric(ctx.units, what="counties"), "adcode"), ctx.units
    )
    if ctx.zones is not None:
        zones = sxcrs.to_metric(ctx.zones, what="zones")
        tables["pv_project_types_zones"] = nea2025.project_types_table(
            p.roofs, assign_points(pts, zones, "adcode"), ctx.zones
        )
    if groups.parks is not None:
        parks = sxcrs.to_metric(groups.parks, what="parks").assign(
            park_id=groups.parks["park_id"].astype(str)
        )
        tables["pv_project_types_parks"] = nea2025.project_types_table(
            p.roofs, assign_points(pts, parks, "park_id")
        ).rename(columns={"unit_code": "park_id"})
    over = p.projects[p.projects["over_cap"]]
    notes.append(
        "NEA 2025 project types (国能发新能规〔2025〕7号): roofs grouped into "
        f"{len(p.projects)} projects (by parcel {p.grouped['parcel']}, owner {p.grouped['owner']}, "
        f"alone {p.grouped['roof']} roofs); {len(over)} above their type's cap "
        f"({over['capacity_kwp'].sum() / 1000:.2f} MWp)"
    )
    if "self_use_bound_kwp" in p.roofs.columns:
        notes.append(
            f"self-use-bounded scenario (C&I): yearly self-use share {opts.self_use_share:g} of generation "
            "[verify: Zhejiang's share not found; 0.5 as Hainan, Ningxia, Shanxi, Guangxi, Liaoning], "
            "capacity <= consumption / share / yield per project (a yearly bound: hourly mismatch "
            "not checked)"
        )
    return p.roofs


def _map(
    ctx: Context,
    *,
    counties: pd.DataFrame,
    result: Any,
    parks: gpd.GeoDataFrame | None,
    park_table: pd.DataFrame | None,
    opts: PVOptions,
) -> Any:
    """The in-memory engine's web map: counties, parks and the potential-density grid."""
    from sxgeo.pv.view import pv_map  # folium: loaded only when a map is made

    grid = grid_counts(result[result["capacity_kwp"] > 0], cell_m=opts.grid_m, weight="capacity_kwp")
    return pv_map(
        counties,
        ctx.units,
        result,
        parks=parks,
        park_table=park_table,
        grid=grid,
        lang=ctx.lang,
        basemap=ctx.basemap,
    )


def options_from_project(ctx: Context, project: Project) -> PVOptions:
    """The ``[pv]`` and ``[engine]`` keys as :class:`PVOptions` (each recorded in ``ctx.params``)."""
    return PVOptions(
        ghi_scenario=str(project_param(ctx, project, "pv", "ghi_scenario", "default")),
        shading=bool(project_param(ctx, project, "pv", "shading", True)),
        ef_year=int(project_param(ctx, project, "pv", "ef_year", 2022)),
        ef_region=str(project_param(ctx, project, "pv", "ef_region", "east_china")),
        ef_basis=str(project_param(ctx, project, "pv", "ef_basis", "average")),
        self_use_share=float(project_param(ctx, project, "pv", "self_use_share", nea2025.SELF_USE_SHARE)),
        **engine_options(ctx, project),
    )


def run_project(ctx: Context, project: Project) -> list[Outputs]:
    """``sxgeo build``'s PV step: the ``[pv]`` keys (villages from ``[layers]``), then :func:`run`."""
    opts = options_from_project(ctx, project)
    inputs = project_inputs(project, "pv")
    if inputs.get("villages") is None:
        inputs["villages"] = project.get("layers", "villages")
    return run(ctx, inputs, options=opts)
