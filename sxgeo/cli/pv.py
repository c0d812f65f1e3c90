"""``sxgeo pv``: rooftop PV potential of every building, by county, park and village."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sxgeo.cli._common import echo_outputs, is_synthetic

BASEMAP_HELP = "Basemap: none, osm, tianditu-vec, tianditu-img, tianditu-en, amap (GCJ-02), xyz:<template>."
OUT_HELP = (
    "Table file (.csv/.xlsx/.gpkg/.parquet) or a folder for every table, the per-building GeoParquet and map."
)


def pv(
    buildings: Annotated[
        Path, typer.Option(help="Building footprints (any layer format; GeoParquet for big sets).")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
    parks: Annotated[Path | None, typer.Option(help="Industrial park polygons (park_id, name).")] = None,
    villages: Annotated[
        Path | None, typer.Option(help="Village points (code, name): roofs go to the nearest.")
    ] = None,
    towns: Annotated[
        Path | None, typer.Option(help="Town/street polygons (code, name): sums per town.")
    ] = None,
    counties: Annotated[Path | None, typer.Option(help="County polygons (default: shipped layer).")] = None,
    weather: Annotated[Path | None, typer.Option(help="Hourly weather file: EPW, TMY3 or PVGIS TMY.")] = None,
    ghi_raster: Annotated[
        Path | None, typer.Option(help="Annual GHI raster [kWh/m2], sampled at each roof.")
    ] = None,
    ghi_scenario: Annotated[
        str, typer.Option(help="Monthly table: default (1,202) or low (1,166 kWh/m2).")
    ] = "default",
    params: Annotated[
        Path | None, typer.Option(help="Roof parameter table (CSV) replacing the shipped one.")
    ] = None,
    shading: Annotated[
        bool, typer.Option(help="Shading from taller neighbours when heights/floors exist.")
    ] = True,
    ef_year: Annotated[int, typer.Option(help="Data year of the grid CO2 factor.")] = 2022,
    ef_region: Annotated[
        str, typer.Option(help="Grid region of the CO2 factor: east_china or national.")
    ] = "east_china",
    grid_m: Annotated[float, typer.Option(help="Cell size of the potential-density grid [m].")] = 1000.0,
    crs: Annotated[str | None, typer.Option(help="CRS of inputs that carry none.")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Also write the map here (.html).")] = None,
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    lang: Annotated[str, typer.Option(help="Map language: zh or en.")] = "zh",
) -> None:
    """Capacity (MWp), policy scenario and yearly generation of every roof, and their sums."""
    import numpy as np
    import pandas as pd

    from sxgeo import pv as pvmod
    from sxgeo.admin import load_counties
    from sxgeo.io import read_layer, read_table, read_weather, sample_raster
    from sxgeo.maps.views import pv_map
    from sxgeo.outputs import Outputs
    from sxgeo.pv import energy
    from sxgeo.zonal import grid_counts

    if weather is not None and ghi_raster is not None:
        raise typer.BadParameter("give --weather or --ghi-raster, not both")
    b, _ = read_layer(buildings, crs=crs, geometry_type="polygon")
    notes = []
    if weather is not None:
        w, meta = read_weather(weather)
        site = energy.Site(meta["latitude"], meta["longitude"], tz=meta["tz"], name=meta["source"])
        yields = energy.yield_table(w, site=site)
        horizon = energy.horizon_loss_table(w, site=site) if shading else None
        notes.append(f"yield from {meta['source']} (hourly chain)")
    else:
        yields = energy.yield_table(scenario=ghi_scenario)
        horizon = energy.horizon_loss_table() if shading else None
        notes.append(f"yield from the {yields.attrs['source']}, GHI {yields.attrs['ghi_kwh_m2']:.0f} kWh/m2")
    scale = None
    if ghi_raster is not None:
        ghi = sample_raster(ghi_raster, b)
        finite = ghi[np.isfinite(ghi)]
        if finite.size and not 600 <= np.median(finite) <= 2500:
            msg = (
                f"{ghi_raster.name}: median {np.median(finite):.0f}; expected annual GHI in kWh/m2 (600-2500)"
            )
            raise typer.BadParameter(msg)
        scale = ghi / yields.attrs["ghi_kwh_m2"]
        notes.append(f"yield scaled by the GHI raster {ghi_raster.name} at each roof")
    ef, ef_note = pvmod.emission_factor(ef_year, ef_region)
    table = read_table(params) if params is not None else None
    result = pvmod.building_potential(
        b, yields, params=table, ghi_scale=scale, horizon_loss=horizon, emission_factor_kg_kwh=ef
    )
    notes += [
        f"losses {energy.losses_pct():.2f}% (PVWatts defaults), inverter {energy.INVERTER_ETA:.0%}",
        f"grid CO2 factor {ef_note}",
        "policy scenario: NEA whole-county pilot floors (government 50%, public 40%, "
        "commercial/industrial 30%, rural homes 20%)",
        "shading from taller neighbours to the south" if shading and horizon is not None else "no shading",
        f"{int((~result['suitable']).sum())} roofs unsuitable (too small, or shading loss > 30%)",
    ]
    cty = load_counties(counties)
    tables = {"pv_counties": pvmod.by_county(result, cty)}
    park_gdf = park_table = None
    if parks is not None:
        park_gdf, _ = read_layer(parks, crs=crs)
        if "park_id" not in park_gdf.columns:
            park_gdf["park_id"] = [f"P{i:03d}" for i in range(1, len(park_gdf) + 1)]
        park_table = pvmod.by_polygon(result, park_gdf, "park_id")
        tables["pv_parks"] = park_table
    if villages is not None:
        vg, _ = read_layer(villages, crs=crs, geometry_type="point")
        tables["pv_villages"] = pvmod.by_nearest_point(
            result, vg, "code" if "code" in vg.columns else vg.columns[0]
        )
    if towns is not None:
        tw, _ = read_layer(towns, crs=crs, geometry_type="polygon")
        tables["pv_towns"] = pvmod.by_polygon(result, tw, "code" if "code" in tw.columns else tw.columns[0])
    synthetic = is_synthetic(b, park_gdf if park_gdf is not None else pd.DataFrame())
    labels = {**pvmod.aggregate.LABELS_ZH}
    output = Outputs("pv", tables, labels, notes, synthetic=synthetic)
    grid = grid_counts(result[result["capacity_kwp"] > 0], cell_m=grid_m, weight="capacity_kwp")
    output.maps["pv.html"] = pv_map(
        tables["pv_counties"],
        cty,
        result,
        parks=park_gdf,
        park_table=park_table,
        grid=grid,
        lang=lang,
        basemap=basemap,
    )
    written = output.write(out, map_path=map_path)
    from sxgeo.io import is_table_path

    if not is_table_path(out):
        per_building = result.assign(data_note="SYNTHETIC demo data") if synthetic else result
        per_building.to_parquet(out / "pv_buildings.parquet", index=False)
        written.append(out / "pv_buildings.parquet")
    echo_outputs(written, notes)
