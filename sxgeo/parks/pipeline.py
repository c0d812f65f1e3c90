"""Zero-carbon parks pipeline: park boundaries (+ history, roofs, land, sponge layers) -> one row a park.

The park layer is the unit; what lies inside each park comes from the other capabilities' inputs as
the project names them: the roofs of ``[pv] buildings`` (the PV step's per-roof results when it ran in
the same build, with their NEA-2025 types), the land cover and pools of ``[carbon]``, the built-up area
and compliant projects of ``[sponge]``. Each part is left out, with a note, when its inputs are not
named.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sxgeo import crs as sxcrs
from sxgeo._pipeline import (
    Context,
    as_path,
    check_year,
    input_key,
    is_synthetic,
    name_of,
    project_inputs,
    project_param,
    read,
)
from sxgeo.carbon import landcover as lcm
from sxgeo.io import open_raster, read_table
from sxgeo.outputs import Outputs
from sxgeo.parks import tables as pk
from sxgeo.project import Project
from sxgeo.pv import nea2025
from sxgeo.pv import pipeline as pv
from sxgeo.sponge.coverage import select_counted
from sxgeo.units import M2_PER_KM2
from sxgeo.zonal import raster_zone_counts

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)

PV_KEYS = ("params", "weather", "ghi_raster", "parcels", "nea2025_types", "use_intensity")
"""``[pv]`` inputs the roofs' results depend on, passed as ``pv_<key>``."""


def roofs(ctx: Context, inputs: dict[str, Any], options: pv.PVOptions | None = None) -> tuple[Any, str]:
    """Per-roof PV results with their NEA-2025 types, and a note saying where they come from.

    The PV step's results of the same build are reused (``ctx.shared``); a layer that already has
    ``capacity_kwp`` (``pv_buildings.parquet``) is used as it is (typed here when it has no
    ``nea2025_type``); else the PV pipeline runs on the footprints, in memory, without a map.
    """
    opts = dataclasses.replace(options or pv.PVOptions(), engine="memory", roofs_dir=None)
    pv_in = {k: inputs.get(f"pv_{k}") for k in PV_KEYS} | {"buildings": inputs["buildings"]}
    pv_in = {k: v for k, v in pv_in.items() if v is not None}
    key = pv.roofs_key(pv_in, opts)
    if key is not None and key in ctx.shared:
        return ctx.shared[key], f"roofs: the PV step's results ({name_of(inputs['buildings'])})"
    layer = read(inputs["buildings"], ctx)
    if "capacity_kwp" in layer.columns:
        if "nea2025_type" not in layer.columns:
            layer = nea2025.classify(layer).roofs
        return layer, f"roofs: capacity_kwp of {name_of(inputs['buildings'])} (sxgeo pv results)"
    sub = dataclasses.replace(ctx, maps=False, notes=[], zones=None)  # shares ctx.shared
    result = pv.run(sub, pv_in | {"buildings": layer}, options=opts)[0]
    return result.extra["pv_buildings.parquet"], f"roofs: the PV model on {name_of(inputs['buildings'])}"


def _carbon(inputs: dict[str, Any], units: gpd.GeoDataFrame) -> pd.DataFrame:
    """Land-cover carbon inside each park (InVEST rule, pixel centres; nested parks each whole)."""
    pools = lcm.check_pools(read_table(as_path(inputs["pools"])[0]))
    with open_raster(as_path(inputs["landcover"])[0]) as src:
        counts = raster_zone_counts(src, units)
    per, _ = lcm.stock_by_county(counts, pools, units)
    per = per.set_index("unit_code").reindex(units["adcode"])
    return pd.DataFrame(
        {"carbon_stock_tc": per["stock_tc"], "carbon_total_tc": per["total_tc"]}, index=units["adcode"]
    )


def run(
    ctx: Context,
    inputs: dict[str, Any],
    *,
    year: int | None = None,
    pv_options: pv.PVOptions | None = None,
) -> list[Outputs]:
    """The zero-carbon park table: one row per park, and the graded history.

    Parameters
    ----------
    ctx : Context
        Counties (each park's ``unit_code``), year, map settings.
    inputs : dict
        ``boundaries`` (required: park polygons, 四至); ``history`` (entered values per park and
        year); ``buildings`` (+ ``pv_params``...), ``landcover`` + ``pools``, ``built_up`` +
        ``compliant`` (optional, from the other sections).
    year : int, optional
        Data year of the history (default ``ctx.year``; each park's latest year up to it, else its
        latest).
    pv_options : PVOptions, optional
        The PV settings of the project (for the roofs when the PV step did not compute them).

    Returns
    -------
    list of Outputs
        One, ``parks``: ``zero_carbon_parks`` (and ``zero_carbon_parks_history``), map ``parks.html``.
    """
    year = year if year is not None else ctx.year
    check_year("[parks] year", year)
    layer = read(inputs["boundaries"], ctx, geometry_type="polygon")
    parks = pk.read_boundaries(layer, source=name_of(inputs["boundaries"]))
    units = pk.park_units(parks, ctx.units)
    notes = [
        "zero-carbon parks (发改环资〔2025〕910号): core indicator 单位能耗碳排放 = CO2 / energy use "
        "[t CO2/tce], graded against <= 0.20 (up to 1,000 kt ce/yr) / <= 0.30 (larger) [verify: "
        "thresholds from a secondary source until the notice's annex is read]",
        "a park inside a park (园中园) counts its own roofs, carbon and built-up area; its parent counts "
        "them too (parents are not sums of their children)",
    ]
    # a point inside each park (lon/lat, EPSG:4326): where the report's thumbnail draws it
    inside = sxcrs.to_lonlat(parks.set_geometry(parks.geometry.representative_point()), what="parks")
    t = pd.DataFrame(
        {
            "park_code": parks["park_code"],
            "park_name": parks["park_name"],
            "level": parks["level"],
            "parent_code": parks["parent_code"],
            "unit_code": units["county_adcode"].to_numpy(),
            "area_km2": np.round(parks.geometry.area.to_numpy() / M2_PER_KM2, 4),
            "lon": np.round(inside.geometry.x.to_numpy(), 6),
            "lat": np.round(inside.geometry.y.to_numpy(), 6),
        }
    ).set_index("park_code")
    if (t["unit_code"] == "").any():
        notes.append(f"{int((t['unit_code'] == '').sum())} parks lie outside every county (unit_code blank)")
    if inputs.get("buildings") is not None:
        r, how = roofs(ctx, inputs, pv_options)
        t = t.join(pk.pv_by_park(r, parks, nea2025.NEA_TYPES))
        notes.append(how)
    else:
        notes.append("no roofs: [pv] buildings not named")
    history = None
    if inputs.get("history") is not None:
        table = read_table(as_path(inputs["history"])[0])
        table.attrs["source"] = name_of(inputs["history"])
        history = pk.read_history(table, set(t.index), source=name_of(inputs["history"]))
        t = t.join(pk.latest(history, year))
        if "pv_generation_mwh" in t.columns:
            with np.errstate(divide="ignore", invalid="ignore"):
                t["pv_supply_share_pct"] = np.round(
                    np.where(
                        t["electricity_mwh"] > 0, 100 * t["pv_generation_mwh"] / t["electricity_mwh"], np.nan
                    ),
                    2,
                )
            notes.append(
                "pv_supply_share_pct: yearly generation of the park's roofs / its entered electricity use "
                "(a yearly ratio, not an hourly match)"
            )
        missing = t["core_grade"].isna().sum()
        t["core_grade"] = t["core_grade"].fillna("no_data")
        if missing:
            notes.append(f"{missing} parks have no history row (core_grade no_data)")
    else:
        notes.append("no entered history ([parks] history): no core indicator")
    if inputs.get("landcover") is not None and inputs.get("pools") is not None:
        t = t.join(_carbon(inputs, units))
        notes.append("land-cover carbon inside each park: pools × pixel area, pixel-centre rule (InVEST)")
    if inputs.get("built_up") is not None and inputs.get("compliant") is not None:
        built = read(inputs["built_up"], ctx)
        counted, why = select_counted(read(inputs["compliant"], ctx), year=year)
        t = t.join(pk.sponge_by_park(built, counted, units))
        notes += [f"sponge: {w}" for w in why]
    t = t.reset_index()
    for col in t.columns:
        if col.endswith(("_mwp", "_km2")):
            t[col] = t[col].round(4)
        elif col.endswith(("_mwh", "_pct", "_tc")):
            t[col] = t[col].round(2)
    out = Outputs(
        "parks",
        {"zero_carbon_parks": t} | ({"zero_carbon_parks_history": history} if history is not None else {}),
        pk.LABELS_ZH,
        [*notes, *ctx.notes],
        synthetic=is_synthetic(layer),
    )
    key = table_key(inputs, year)
    if key is not None:
        ctx.shared[key] = t  # a later step of this run (pilot siting ranks the parks) reuses it
    if ctx.maps:
        from sxgeo.parks.view import parks_map  # folium: loaded only when a map is made

        out.maps["parks.html"] = parks_map(ctx.units, parks, t, lang=ctx.lang, basemap=ctx.basemap)
    return [out]


def table_key(inputs: dict[str, Any], year: int | None) -> tuple[Any, ...] | None:
    """Key of a run's ``zero_carbon_parks`` in :attr:`Context.shared` (None: an input given as a frame)."""
    keys = [(k, input_key(inputs[k])) for k in sorted(inputs)]
    if any(k[1] is None for k in keys):
        return None
    return ("zero_carbon_parks", year, *keys)


def project_table(ctx: Context, project: Project) -> pd.DataFrame:
    """The project's ``zero_carbon_parks``: the parks step's of this run, else computed now (no map).

    Pilot siting ranks the parks from it (:mod:`sxgeo.pilots.pipeline`).
    """
    inputs, year = _project_inputs(ctx, project)
    key = table_key(inputs, year)
    if key is not None and key in ctx.shared:
        return ctx.shared[key]
    pv_opts = pv.options_from_project(ctx, project) if inputs.get("buildings") is not None else None
    sub = dataclasses.replace(ctx, maps=False, notes=[])  # shares ctx.shared
    return run(sub, inputs, year=year, pv_options=pv_opts)[0].tables["zero_carbon_parks"]


def _project_inputs(ctx: Context, project: Project) -> tuple[dict[str, Any], int | None]:
    inputs = project_inputs(project, "parks")
    for key, section in (
        ("buildings", "pv"),
        ("landcover", "carbon"),
        ("pools", "carbon"),
        ("built_up", "sponge"),
        ("compliant", "sponge"),
    ):
        inputs[key] = project.get(section, key)
    for key in PV_KEYS:
        inputs[f"pv_{key}"] = project.get("pv", key)
    raw_year = project_param(ctx, project, "parks", "year", None)
    year = int(raw_year) if raw_year is not None else None
    return inputs, (year if year is not None else ctx.year)


def run_project(ctx: Context, project: Project) -> list[Outputs]:
    """``sxgeo build``'s parks step: the ``[parks]`` keys, and the roofs, land and sponge layers named."""
    inputs, year = _project_inputs(ctx, project)
    pv_opts = pv.options_from_project(ctx, project) if inputs.get("buildings") is not None else None
    return run(ctx, inputs, year=year, pv_options=pv_opts)
