"""``sxgeo pv``: rooftop PV potential of every building, by county, park and village."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sxgeo.cli._common import BASEMAP_HELP, COUNTIES_HELP, ZONE_CODE_HELP, ZONES_HELP, context, write_outputs
from sxgeo.cli._engine import ENGINE_HELP, SCHEDULER_HELP, WORKERS_HELP

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
    zones: Annotated[
        Path | None, typer.Option("--zones", "--towns", help=ZONES_HELP + " (--towns: alias)")
    ] = None,
    zone_code: Annotated[str | None, typer.Option("--zone-code", help=ZONE_CODE_HELP)] = None,
    counties: Annotated[Path | None, typer.Option(help=COUNTIES_HELP)] = None,
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
    ef_basis: Annotated[
        str,
        typer.Option(
            help="Avoided-emission factor: average (grid average, MEE+NBS, a consumption factor; default), "
            "fossil (national fossil-power factor) or baseline_cm (regional grid baseline, OM/BM "
            "combined margin: the generation PV displaces)."
        ),
    ] = "average",
    grid_m: Annotated[float, typer.Option(help="Cell size of the potential-density grid [m].")] = 1000.0,
    crs: Annotated[str | None, typer.Option(help="CRS of inputs that carry none.")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Also write the map here (.html).")] = None,
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    lang: Annotated[str, typer.Option(help="Map language: zh or en.")] = "zh",
    engine: Annotated[str, typer.Option(help=ENGINE_HELP)] = "memory",
    scheduler: Annotated[str | None, typer.Option(help=SCHEDULER_HELP)] = None,
    workers: Annotated[int | None, typer.Option(help=WORKERS_HELP)] = None,
    parcels: Annotated[
        Path | None,
        typer.Option(help="Land-title parcels (宗地): the roofs on one parcel are one PV project."),
    ] = None,
    nea2025_types: Annotated[
        Path | None, typer.Option(help="Table category, owner_kind, nea2025_type replacing the shipped one.")
    ] = None,
    use_intensity: Annotated[
        Path | None, typer.Option(help="Yearly kWh per m2 floor area by category (category, kwh_m2).")
    ] = None,
    self_use_share: Annotated[
        float,
        typer.Option(help="Minimum yearly self-use share of C&I PV (0.5 default, verify for Zhejiang)."),
    ] = 0.5,
) -> None:
    """Capacity (MWp), policy scenario and yearly generation of every roof, and their sums."""
    from sxgeo.io import is_table_path
    from sxgeo.pv import pipeline as pipeline

    if weather is not None and ghi_raster is not None:
        raise typer.BadParameter("give --weather or --ghi-raster, not both")
    ctx = context(
        out=out,
        map_path=map_path,
        counties=counties,
        zones=zones,
        zone_code=zone_code,
        crs=crs,
        lang=lang,
        basemap=basemap,
    )
    inputs = {
        "buildings": buildings,
        "parks": parks,
        "villages": villages,
        "weather": weather,
        "ghi_raster": ghi_raster,
        "params": params,
        "parcels": parcels,
        "nea2025_types": nea2025_types,
        "use_intensity": use_intensity,
    }
    opts = pipeline.PVOptions(
        ghi_scenario=ghi_scenario,
        shading=shading,
        ef_year=ef_year,
        ef_region=ef_region,
        ef_basis=ef_basis,
        grid_m=grid_m,
        engine=engine,
        scheduler=scheduler,
        workers=workers,
        roofs_dir=None if is_table_path(out) else str(out),
        self_use_share=self_use_share,
    )
    write_outputs(pipeline.run(ctx, inputs, options=opts), out, map_path)
