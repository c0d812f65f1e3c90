"""Rooftop-PV pipeline: building footprints (+ parks, villages, zones) -> per-roof potential, sums, map."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sxgeo.errors import SchemaError
from sxgeo.pipelines.base import (
    Context,
    as_path,
    check_option,
    check_year,
    input_key,
    is_synthetic,
    name_of,
    read,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from sxgeo.outputs import Outputs

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
        ``memory`` (default, the reference) or ``dask`` (:mod:`sxgeo.engine.pv`).
    scheduler : str or None
        Dask scheduler address (default: a LocalCluster on this machine).
    workers : int or None
        Workers of that LocalCluster.
    roofs_dir : str or None
        Dask engine: the output folder, where every roof's result is written as
        ``pv_buildings.parquet`` (a folder of GeoParquet parts, one per partition); None: not
        written. The in-memory engine writes its single file through the outputs instead.
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

    def __post_init__(self) -> None:
        check_year("grid factor year (--ef-year, [pv] ef_year)", self.ef_year)
        check_option("--grid-m", self.grid_m, above=0, hint="the cell side of the density grid in metres")


def _yields(inputs: dict[str, Any], opts: PVOptions, notes: list[str], params: Any = None) -> tuple[Any, Any]:
    """The specific-yield table and the horizon-loss table, from a weather file or the monthly table."""
    from sxgeo.io import read_weather
    from sxgeo.pv import energy, roof_params

    mounts = energy.thermal_mounts(roof_params(params))
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


def _ghi_scale(source: Any, buildings: Any, ghi_kwh_m2: float, notes: list[str]) -> np.ndarray:
    import numpy as np

    from sxgeo.io import sample_raster

    path, _ = as_path(source)
    ghi = sample_raster(path, buildings)
    finite = ghi[np.isfinite(ghi)]
    if finite.size and not 600 <= np.median(finite) <= 2500:
        msg = f"{path.name}: median {np.median(finite):.0f}; expected annual GHI in kWh/m2 (600-2500)"
        raise SchemaError(msg)
    notes.append(f"yield scaled by the GHI raster {path.name} at each roof")
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
    import dataclasses

    keys = [input_key(inputs.get(k)) for k in ROOF_INPUTS]
    if any(k is None for k in keys):
        return None
    core = dataclasses.replace(options, engine="memory", scheduler=None, workers=None)
    return ("pv_roofs", *keys, repr(core))


def run(
    ctx: Context, inputs: dict[str, Any], *, name: str = "pv", options: PVOptions | None = None
) -> list[Outputs]:
    """Capacity, policy scenario and generation of every roof, and their sums per unit, park, village.

    Parameters
    ----------
    ctx : Context
        Units (and zones), targets, map settings.
    inputs : dict
        ``buildings`` (required); ``parks``, ``villages``, ``weather`` or ``ghi_raster``,
        ``params`` (optional).
    name : str
        Output stem.
    options : PVOptions, optional
        Yield and factor options.

    Returns
    -------
    list of Outputs
        One; in a folder it also writes every roof to ``pv_buildings.parquet``.
    """
    from sxgeo import pv as pvmod
    from sxgeo.io import read_table
    from sxgeo.outputs import Outputs
    from sxgeo.pv import energy

    opts = options or PVOptions()
    if inputs.get("weather") is not None and inputs.get("ghi_raster") is not None:
        msg = "give a weather file or a GHI raster, not both"
        raise SchemaError(msg)
    from sxgeo.engine import check_engine

    if check_engine(opts.engine) == "dask":
        from sxgeo.engine.pv import run_dask

        return run_dask(ctx, inputs, name=name, options=opts)
    b = read(inputs["buildings"], ctx, geometry_type="polygon")
    notes: list[str] = []
    params = read_table(as_path(inputs["params"])[0]) if inputs.get("params") is not None else None
    yields, horizon = _yields(inputs, opts, notes, params)
    scale = None
    if inputs.get("ghi_raster") is not None:
        scale = _ghi_scale(inputs["ghi_raster"], b, yields.attrs["ghi_kwh_m2"], notes)
    ef, ef_note = pvmod.emission_factor(opts.ef_year, opts.ef_region, opts.ef_basis)
    result = pvmod.building_potential(
        b, yields, params=params, ghi_scale=scale, horizon_loss=horizon, emission_factor_kg_kwh=ef
    )
    notes += [
        f"losses {energy.losses_pct():.2f}% (PVWatts defaults), inverter {energy.INVERTER_ETA:.0%}",
        f"grid CO2 factor {ef_note}",
        ef_method_note(opts.ef_basis),
        "policy scenario: NEA whole-county pilot floors (government 50%, public 40%, "
        "commercial/industrial 30%, rural homes 20%)",
        "shading from taller neighbours to the south"
        if opts.shading and horizon is not None
        else "no shading",
        f"{int((~result['suitable']).sum())} roofs unsuitable (too small, or shading loss > 30%)",
        *ctx.notes,
    ]
    tables: dict[str, pd.DataFrame] = {"pv_counties": pvmod.by_county(result, ctx.units, targets=ctx.targets)}
    park_gdf = park_table = None
    if inputs.get("parks") is not None:
        park_gdf = read(inputs["parks"], ctx)
        if "park_id" not in park_gdf.columns:
            park_gdf["park_id"] = [f"P{i:03d}" for i in range(1, len(park_gdf) + 1)]
        park_table = pvmod.by_polygon(result, park_gdf, "park_id", targets=ctx.targets)
        tables["pv_parks"] = park_table
    if inputs.get("villages") is not None:
        vg = read(inputs["villages"], ctx, geometry_type="point")
        code = "code" if "code" in vg.columns else vg.columns[0]
        tables["pv_villages"] = pvmod.by_nearest_point(result, vg, code, targets=ctx.targets)
        log.info("villages from %s, code column %r", name_of(inputs["villages"]), code)
    if ctx.zones is not None:
        tables["pv_zones"] = pvmod.by_county(result, ctx.zones, targets=ctx.targets)
    ef_label = co2_factor_label(opts, ef)
    tables = {k: t.assign(co2_factor=ef_label) for k, t in tables.items()}
    result = result.assign(co2_factor=ef_label)
    labels = {**pvmod.aggregate.LABELS_ZH, "co2_factor": "减排因子"}
    out = Outputs(name, tables, labels, notes, synthetic=is_synthetic(b, park_gdf))
    out.extra["pv_buildings.parquet"] = result
    key = roofs_key(inputs, opts)
    if key is not None:
        ctx.shared[key] = result  # a later step of this run (pilot siting) reuses the roofs
    if ctx.maps:
        from sxgeo.maps.views import pv_map
        from sxgeo.zonal import grid_counts

        grid = grid_counts(result[result["capacity_kwp"] > 0], cell_m=opts.grid_m, weight="capacity_kwp")
        out.maps[f"{name}.html"] = pv_map(
            tables["pv_counties"],
            ctx.units,
            result,
            parks=park_gdf,
            park_table=park_table,
            grid=grid,
            lang=ctx.lang,
            basemap=ctx.basemap,
        )
    return [out]
