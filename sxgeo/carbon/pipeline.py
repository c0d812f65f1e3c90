"""Carbon-sink pipeline: forest stands, land-cover rasters (InVEST) and wetlands -> tables + map."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sxgeo._pipeline import (
    Context,
    as_path,
    check_option,
    engine_options,
    is_synthetic,
    name_of,
    project_inputs,
    project_param,
    read,
    unit_sets,
)
from sxgeo.admin import CITY_CODE
from sxgeo.carbon import afforestation as af
from sxgeo.carbon import landcover as lcm
from sxgeo.carbon import stands as st
from sxgeo.carbon import wetlands as wl
from sxgeo.carbon.dask import raster_zone_areas
from sxgeo.engine import check_engine, client_session
from sxgeo.errors import SchemaError
from sxgeo.io import open_raster, read_table
from sxgeo.outputs import Outputs
from sxgeo.plan import unit_target
from sxgeo.project import Project
from sxgeo.zonal import overlap_note, pixel_areas, raster_zone_counts

if TYPE_CHECKING:
    import pandas as pd

    from sxgeo.outputs import Outputs

log = logging.getLogger(__name__)

LANDCOVER_LABELS = {
    "area_ha": "面积(ha)",
    "stock_tc": "碳储量(不含土壤)(tC)",
    "soil_tc": "土壤碳(tC)",
    "total_tc": "总碳储量(tC)",
    "valid_share_pct": "有效像元覆盖率(%)",
    "total_change_tc": "总碳储量变化(含土壤)(tC)",
}
WETLAND_LABELS = {
    "wetland_denominator": "湿地面积口径",
    "wetland_area_ha": "湿地面积(不含水田)(ha)",
    "paddy_area_ha": "水田面积(不计入湿地)(ha)",
    "paddy_soil_tc": "水田土壤碳(不计入湿地)(tC)",
    "protection_rate_pct": "湿地保护率(%)",
    "wetland_id": "湿地编号",
    "base_area_ha": "计入保护率基数面积(ha)",
    "protected_area_ha": "受保护面积(ha)",
    "unprotected_ha": "未保护面积(ha)",
    "protected": "已全部保护",
}


@dataclass(frozen=True)
class CarbonOptions:
    """Options of the carbon pipeline.

    Attributes
    ----------
    method : str
        ``fang`` (continuous BEF) or ``chain`` (constant factors).
    stands_years : float or None
        Years between ``stands_before`` and ``stands``.
    years : float or None
        Years between ``landcover`` and ``landcover_after``.
    window_rows : int or None
        Raster rows read at a time (default about 8 Mpx windows); on Dask, rows per task.
    engine : str
        Engine of the land-cover counts: ``memory`` (default, the reference) or ``dask`` (one
        task per window, :mod:`sxgeo.carbon.dask`).
    scheduler : str or None
        Dask scheduler address (default: a LocalCluster on this machine).
    workers : int or None
        Workers of that LocalCluster.
    """

    method: str = "fang"
    stands_years: float | None = None
    years: float | None = None
    window_rows: int | None = None
    engine: str = "memory"
    scheduler: str | None = None
    workers: int | None = None

    def __post_init__(self) -> None:
        check_option(
            "years between the inventories (--years, [carbon] stands_years)", self.stands_years, above=0
        )
        check_option("years between the maps (--years, [carbon] years)", self.years, above=0)
        check_option("--window-rows", self.window_rows, at_least=1)


def run(
    ctx: Context, inputs: dict[str, Any], *, name: str = "carbon", options: CarbonOptions | None = None
) -> list[Outputs]:
    """Every carbon table the inputs allow, and one map.

    Parameters
    ----------
    ctx : Context
        Units (and zones), targets, map settings.
    inputs : dict
        ``stands`` (+ ``stands_before``, ``factors``); ``landcover`` + ``pools`` (+
        ``landcover_after``); ``wetlands`` (+ ``protected``). Each a project input, a path or
        a frame (rasters: a path).
    name : str
        Output stem.
    options : CarbonOptions, optional
        Method and intervals.

    Returns
    -------
    list of Outputs
    """
    opts = options or CarbonOptions()
    tables: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    map_args: dict[str, Any] = {}
    layers: list[Any] = []
    synthetic = False
    parcels = afforest = None
    values: dict[str, frozenset[int] | None] = {}
    if inputs.get("stands") is not None:
        layers += _stands(ctx, inputs, opts, tables=tables, notes=notes, map_args=map_args)
    if inputs.get("landcover") is not None:
        if inputs.get("pools") is None:
            msg = "a land-cover raster needs its carbon pools table ([carbon] pools, --pools)"
            raise SchemaError(msg)
        with _engine_session(opts, notes):
            synthetic |= _landcover(
                ctx, inputs, opts, tables=tables, notes=notes, map_args=map_args, values=values
            )
        stands = layers[0] if layers else None
        parcels = _plantable(ctx, inputs, opts, stands=stands, notes=notes, values=values.get("landcover"))
        afforest = _afforestation(ctx, inputs, opts, tables=tables, notes=notes, values=values)
    if inputs.get("wetlands") is not None or (
        inputs.get("dlbm") is not None and inputs.get("protected") is not None
    ):
        layers += _wetlands(ctx, inputs, tables=tables, notes=notes, map_args=map_args)
    elif inputs.get("dlbm") is not None:
        notes.append(
            "the DLBM layer is a wetland denominator too once protected areas are named ([carbon] protected)"
        )
    if not tables:
        return []
    synthetic |= is_synthetic(*layers)
    labels = {**st.LABELS_ZH, **LANDCOVER_LABELS, **WETLAND_LABELS, **af.LABELS_ZH}
    out = Outputs(name, tables, labels, [*notes, *ctx.notes], synthetic=synthetic)
    if parcels is not None and len(parcels):
        # candidate land to plant for forest cover (the report's gap table), with geometries
        out.extra["carbon_plantable.parquet"] = parcels
    if afforest is not None:
        # every candidate patch, eligible for CCER-14-001-V01 afforestation or the reason it is not
        out.extra["carbon_afforestation_eligible.parquet"] = afforest
    if ctx.maps:
        from sxgeo.carbon.view import carbon_map

        raster = map_args.pop("raster_path", None)
        if raster is not None:
            with open_raster(raster) as src:
                out.maps[f"{name}.html"] = carbon_map(
                    ctx.units, raster=src, lang=ctx.lang, basemap=ctx.basemap, targets=ctx.targets, **map_args
                )
        else:
            out.maps[f"{name}.html"] = carbon_map(
                ctx.units, lang=ctx.lang, basemap=ctx.basemap, targets=ctx.targets, **map_args
            )
    return [out]


def _stands(
    ctx: Context,
    inputs: dict[str, Any],
    opts: CarbonOptions,
    *,
    tables: dict[str, pd.DataFrame],
    notes: list[str],
    map_args: dict[str, Any],
) -> list[Any]:

    if inputs.get("stands_before") is not None and not opts.stands_years:
        msg = "an earlier inventory (stands_before, --previous) needs the years between the two (--years)"
        raise SchemaError(msg)
    factors = read_table(as_path(inputs["factors"])[0]) if inputs.get("factors") is not None else None
    s = read(inputs["stands"], ctx, geometry_type="polygon")
    carbon = st.stand_carbon(s, factors=factors, method=opts.method)
    for suffix, units in unit_sets(ctx):
        summary, by_type = st.county_summary(carbon, units, factors=factors)
        tables[f"carbon_forest{suffix}"] = summary
        if not suffix:
            tables["carbon_forest_plan"] = st.plan_check(summary, targets=ctx.targets)
            tables["carbon_forest_types"] = by_type
            map_args["forest"] = summary
    layers = [s]
    if inputs.get("stands_before") is not None:
        p = read(inputs["stands_before"], ctx, geometry_type="polygon")
        layers.append(p)
        before = st.stand_carbon(p, factors=factors, method=opts.method)
        assert opts.stands_years is not None  # checked above
        tables["carbon_forest_sink"] = st.yearly_sink(
            before, carbon, ctx.units, years=float(opts.stands_years)
        )
    model = "Fang continuous BEF, CF 0.50" if opts.method == "fang" else "the constant-factor chain"
    source = (
        "sxgeo/data/carbon_forest_types.csv (verify flags)" if factors is None else name_of(inputs["factors"])
    )
    notes += [
        f"stand carbon by {model}; factors: {source}",
        "vegetation = tree layer + understory; stock = vegetation + dead wood/litter; soil reported apart",
        "95% range: seeded Monte Carlo, CF ±5%, BEF a/b ±15%, per-area densities ±15% (1 sigma)",
        "sink: stock difference of the two inventories / years; positive = removal",
        "forest cover (森林覆盖率): stand types flagged in_forest_cover "
        "(乔木林, 竹林, 经济林, 国家特别规定灌木林; 国家森林资源连续清查技术规定 2014, GB/T 26424-2010); "
        "generic shrub and tea gardens (园地) are out of forest_area_ha (in stand_area_ha and the carbon)",
    ]
    map_args["stands"] = carbon
    return layers


def _landcover(
    ctx: Context,
    inputs: dict[str, Any],
    opts: CarbonOptions,
    *,
    tables: dict[str, pd.DataFrame],
    notes: list[str],
    map_args: dict[str, Any],
    values: dict[str, frozenset[int] | None],
) -> bool:
    """Class areas and carbon per unit, and the change; whether the raster is tagged synthetic.

    *values* gets the values each raster holds, read off its counts (:func:`lcm.raster_values`), by
    input name (``landcover``, ``landcover_after``): the later steps skip what cannot be there.
    """
    if inputs.get("landcover_after") is not None and not opts.years:
        msg = "a later land-cover raster (landcover_after, --raster-after) needs the years between the maps"
        raise SchemaError(msg)
    pools = lcm.check_pools(read_table(as_path(inputs["pools"])[0]))
    raster = as_path(inputs["landcover"])[0]
    with open_raster(raster) as src:
        synthetic = src.tags().get("synthetic") == "true"
        if src.crs is not None and src.crs.is_geographic:
            notes.append(f"{raster.name} in degrees ({src.crs}): each pixel weighs its row's ellipsoid area")
        elif src.crs is not None:
            # Web Mercator and other non-equal-area CRSs: the true area of each pixel row
            area_note = pixel_areas(src.transform, src.width, src.height, src.crs, name=raster.name).note
            if area_note:
                notes.append(area_note)
        clash = lcm.nodata_class_note(src.nodata, pools, name=raster.name)
        if clash:
            notes.append(clash)
        for suffix, units in unit_sets(ctx):
            overlap = overlap_note(units)
            if overlap:
                notes.append(f"carbon_landcover{suffix}: {overlap}")
            counts = _zone_counts(src, units, opts)
            per, by_class = lcm.stock_by_county(counts, pools, units)
            tables[f"carbon_landcover{suffix}"] = per
            low = per[per["valid_share_pct"] < lcm.VALID_WARN_PCT]
            if len(low):
                shares = ", ".join(
                    f"{c} {v:.1f}%" for c, v in zip(low["unit_code"], low["valid_share_pct"], strict=True)
                )
                notes.append(f"raster covers only part of {shares} (valid_share_pct): totals are partial")
            if not suffix:
                tables["carbon_landcover_classes"] = by_class
                map_args["landcover"] = per
                values["landcover"] = lcm.raster_values(counts, src)
        if inputs.get("landcover_after") is not None:
            with open_raster(as_path(inputs["landcover_after"])[0]) as after:
                pairs = _zone_counts(src, ctx.units, opts, other=after)
                values["landcover_after"] = lcm.raster_values(pairs, after, column="class_after")
            assert opts.years is not None  # checked above
            change, matrix = lcm.change_by_county(pairs, pools, ctx.units, years=float(opts.years))
            tables["carbon_landcover_change"] = change
            tables["carbon_landcover_transitions"] = matrix
    notes += [
        "per pixel: C = Σ pools[class] × pixel area (InVEST Carbon), pixel-centre rule per county",
        "stock_tc = c_above + c_below + c_dead; total_tc adds c_soil (InVEST's total)",
        "change: stock difference pixel by pixel; loss_to_built_tc = losses into classes of kind 'built'",
        "change_tc is without soil (compare with stock_tc); total_change_tc adds soil (InVEST's c_change, "
        "compare with total_tc)",
        "nodata pixels (the raster's nodata tag; class 0 when the pools table has no row 0) are no class; "
        "valid_share_pct = valid-pixel area / unit area",
    ]
    map_args["pools"] = pools
    map_args["raster_path"] = raster
    return synthetic


def _plantable(
    ctx: Context,
    inputs: dict[str, Any],
    opts: CarbonOptions,
    *,
    stands: Any,
    notes: list[str],
    values: frozenset[int] | None = None,
) -> Any:
    """Patches of plantable classes outside the stands (candidate land for forest cover), or None.

    *values*: the classes the land-cover raster holds, when known (none plantable: it is not read).
    """
    pools = lcm.check_pools(read_table(as_path(inputs["pools"])[0]))
    if not lcm.plantable_classes(pools):
        notes.append(
            "no class of the pools table is plantable (a 'plantable' column, or kind "
            f"{'/'.join(lcm.PLANTABLE_KINDS)}): no candidate land to plant for forest cover"
        )
        return None
    with open_raster(as_path(inputs["landcover"])[0]) as src:
        parcels = lcm.plantable_parcels(
            src, pools, ctx.units, stands=stands, window_rows=opts.window_rows, values=values
        )
    notes.append(
        f"carbon_plantable: {len(parcels)} patches of plantable classes outside the stands "
        f"({parcels['area_ha'].sum():,.1f} ha), candidate land to plant for forest cover"
    )
    return parcels


def _afforestation(
    ctx: Context,
    inputs: dict[str, Any],
    opts: CarbonOptions,
    *,
    tables: dict[str, pd.DataFrame],
    notes: list[str],
    values: dict[str, frozenset[int] | None] | None = None,
) -> Any:
    """CCER-14-001-V01 eligibility of the candidate land (:mod:`sxgeo.carbon.afforestation`), or None.

    The maps are ``landcover_after`` (the current one) and ``landcover`` (``years`` before it), or
    ``landcover`` alone; ``dlbm`` and ``urban_boundary`` cut what they exclude. *values*: the classes
    each map holds, when known (:func:`_landcover`): no candidate class in the current map, no map is
    read.
    """
    pools = lcm.check_pools(read_table(as_path(inputs["pools"])[0]))
    if not any(k == "forest" for k in af.kind_of(pools).values()):
        notes.append("carbon_afforestation: the pools table names no class of kind 'forest': not computed")
        return None
    paths = [(0.0, as_path(inputs["landcover"])[0])]
    current = "landcover"
    if inputs.get("landcover_after") is not None:
        current = "landcover_after"
        assert opts.years is not None  # checked with the land cover
        paths = [(float(opts.years), paths[0][1]), (0.0, as_path(inputs["landcover_after"])[0])]
    with contextlib.ExitStack() as stack:
        sources = [(y, stack.enter_context(open_raster(p))) for y, p in paths]
        patches = af.status_patches(
            sources, pools, window_rows=opts.window_rows, values=(values or {}).get(current)
        )
    dlbm = read(inputs["dlbm"], ctx, geometry_type="polygon") if inputs.get("dlbm") is not None else None
    udb = (
        read(inputs["urban_boundary"], ctx, geometry_type="polygon")
        if inputs.get("urban_boundary") is not None
        else None
    )
    parcels = af.eligible_parcels(patches, ctx.units, dlbm=dlbm, urban_boundary=udb)
    tables["carbon_afforestation"] = af.by_county(parcels, ctx.units)
    maps = " and ".join(f"{p.name} ({y:g} years before)" if y else f"{p.name} (current)" for y, p in paths)
    notes += [
        f"carbon_afforestation (CCER-14-001-V01): maps {maps}; eligible = not forest in the current map nor "
        "in any map of the last 3 years nor in the newest map at least 3 years old, class not wetland/"
        "cropland/built/water (those are in carbon_landcover_classes), parcel >= 400 m2"
        + ("; DLBM exclusions (三调 codes, verify)" if dlbm is not None else "")
        + ("; outside the 城镇开发边界" if udb is not None else ""),
        f"carbon_afforestation: {int(parcels['eligible'].sum())} eligible parcels "
        f"({parcels.loc[parcels['eligible'], 'area_ha'].sum():,.2f} ha) of {len(parcels)} candidate patches",
    ]
    return parcels


def _engine_session(opts: CarbonOptions, notes: list[str]) -> Any:
    """A Dask client for the land-cover counts on the Dask engine (closed after), else nothing."""
    if check_engine(opts.engine) != "dask":
        return contextlib.nullcontext()

    notes.append("Dask engine: land-cover counts one task per window of rows, added")
    return client_session(opts.scheduler, opts.workers)


def _zone_counts(src: Any, units: Any, opts: CarbonOptions, other: Any = None) -> pd.DataFrame:
    """Zone × class (or class-pair) counts of an open raster on the chosen engine (the same table)."""
    if opts.engine.strip().lower() == "dask":
        return raster_zone_areas(
            src.name, units, block_rows=opts.window_rows, other=None if other is None else other.name
        )

    return raster_zone_counts(src, units, window_rows=opts.window_rows, other=other)


def _wetlands(
    ctx: Context,
    inputs: dict[str, Any],
    *,
    tables: dict[str, pd.DataFrame],
    notes: list[str],
    map_args: dict[str, Any],
) -> list[Any]:

    if inputs.get("wetlands") is not None:
        w = read(inputs["wetlands"], ctx, geometry_type="polygon")
        denominator = f"wetlands layer {name_of(inputs['wetlands'])}"
        if inputs.get("dlbm") is not None:
            notes.append("the wetlands layer is the wetland denominator; the DLBM layer is not used for it")
    else:
        w = wl.wetlands_from_dlbm(
            read(inputs["dlbm"], ctx, geometry_type="polygon"), source=name_of(inputs["dlbm"])
        )
        denominator = (
            f"三调/变更调查 DLBM {name_of(inputs['dlbm'])}: classes "
            f"{', '.join(wl.DLBM_WETLAND_TYPES)} [verify]"
        )
    notes.append(f"wetland denominator: {denominator}")
    prot = read(inputs["protected"], ctx) if inputs.get("protected") is not None else None
    for suffix, units in unit_sets(ctx):
        per, by_type, features = wl.wetland_tables(w, units, protected=prot, targets=ctx.targets)
        per = per.assign(wetland_denominator=denominator)
        tables[f"carbon_wetlands{suffix}"] = per
        if not suffix:
            tables["carbon_wetland_types"] = by_type
            # one row per wetland and county: the report lists the largest unprotected ones
            tables["carbon_wetland_features"] = features
            map_args["wetlands_table"] = per
    target = unit_target("wetland_protection_rate", CITY_CODE, targets=ctx.targets)
    target_text = f"target {target:g}%" if target is not None else "no target in the plan"
    notes += [
        f"protection rate = protected / wetland base (paddy is cropland, not in the base); {target_text}",
        "burial from sxgeo/data/carbon_wetland_types.csv; methane reported apart (GWP100 27), never netted",
        "paddy: out of wetland_area_ha and the wetland soil stock, reported apart (paddy_area_ha, "
        "paddy_soil_tc); its soil-carbon gain is not counted as a sink (cropland; its methane belongs to "
        "agriculture and is not reported here)",
    ]
    map_args["wetlands"] = w
    return [w, prot]


def run_project(ctx: Context, project: Project) -> list[Outputs]:
    """``sxgeo build``'s carbon step: the ``[carbon]`` keys as :class:`CarbonOptions`, then :func:`run`."""
    opts = CarbonOptions(
        method=str(project_param(ctx, project, "carbon", "method", "fang")),
        stands_years=project_param(ctx, project, "carbon", "stands_years", None),
        years=project_param(ctx, project, "carbon", "years", None),
        **engine_options(ctx, project),
    )
    return run(ctx, project_inputs(project, "carbon"), options=opts)
