"""``sxgeo carbon``: forest stands, land-cover rasters (InVEST-compatible) and wetlands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sxgeo.cli._common import (
    BASEMAP_HELP,
    COUNTIES_HELP,
    OUT_HELP,
    ZONE_CODE_HELP,
    ZONES_HELP,
    context,
    write_outputs,
)
from sxgeo.cli._engine import ENGINE_HELP, SCHEDULER_HELP, WORKERS_HELP

app = typer.Typer(
    help="Carbon sinks: forest and wetland stocks and yearly sinks per county.", no_args_is_help=True
)


@app.command("stands")
def stands_command(
    stands: Annotated[Path, typer.Option(help="Forest stands (小班): forest_type, area_ha, volume_m3 ...")],
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
    previous: Annotated[Path | None, typer.Option(help="An earlier inventory, for the yearly sink.")] = None,
    years: Annotated[float | None, typer.Option(help="Years between --previous and --stands.")] = None,
    factors: Annotated[
        Path | None, typer.Option(help="Factor table (CSV) replacing the shipped one.")
    ] = None,
    method: Annotated[str, typer.Option(help="fang (continuous BEF) or chain (constant factors).")] = "fang",
    counties: Annotated[Path | None, typer.Option(help=COUNTIES_HELP)] = None,
    zones: Annotated[Path | None, typer.Option("--zones", help=ZONES_HELP)] = None,
    zone_code: Annotated[str | None, typer.Option("--zone-code", help=ZONE_CODE_HELP)] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of inputs that carry none.")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Also write the map here (.html).")] = None,
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    lang: Annotated[str, typer.Option(help="Map language: zh or en.")] = "zh",
) -> None:
    """Forest area, cover, stock volume and carbon per county (with a 95% range), and the yearly sink."""
    from sxgeo.carbon import pipeline as carbon

    if previous is not None and not years:
        raise typer.BadParameter("--previous needs --years (years between the two inventories)")
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
    inputs = {"stands": stands, "stands_before": previous, "factors": factors}
    opts = carbon.CarbonOptions(method=method, stands_years=years)
    write_outputs(carbon.run(ctx, inputs, name="carbon_forest", options=opts), out, map_path)


@app.command("landcover")
def landcover_command(
    raster: Annotated[
        Path,
        typer.Option(help="Land-cover class raster (projected, or geographic: true area per pixel row)."),
    ],
    pools: Annotated[
        Path, typer.Option(help="InVEST carbon pools CSV: lucode, c_above, c_below, c_soil, c_dead.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
    raster_after: Annotated[
        Path | None, typer.Option(help="A later map on the same grid, for the change.")
    ] = None,
    years: Annotated[float | None, typer.Option(help="Years between the two maps.")] = None,
    counties: Annotated[Path | None, typer.Option(help=COUNTIES_HELP)] = None,
    zones: Annotated[Path | None, typer.Option("--zones", help=ZONES_HELP)] = None,
    zone_code: Annotated[str | None, typer.Option("--zone-code", help=ZONE_CODE_HELP)] = None,
    window_rows: Annotated[
        int | None, typer.Option(help="Rows read at a time (default: ~8 Mpx windows).")
    ] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Also write the map here (.html).")] = None,
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    lang: Annotated[str, typer.Option(help="Map language: zh or en.")] = "zh",
    engine: Annotated[str, typer.Option(help=ENGINE_HELP)] = "memory",
    scheduler: Annotated[str | None, typer.Option(help=SCHEDULER_HELP)] = None,
    workers: Annotated[int | None, typer.Option(help=WORKERS_HELP)] = None,
) -> None:
    """Class areas and carbon per county from a land-cover raster (InVEST's pixel rule), and the change."""
    from sxgeo.carbon import pipeline as carbon

    if raster_after is not None and not years:
        raise typer.BadParameter("--raster-after needs --years")
    ctx = context(
        out=out,
        map_path=map_path,
        counties=counties,
        zones=zones,
        zone_code=zone_code,
        lang=lang,
        basemap=basemap,
    )
    inputs = {"landcover": raster, "landcover_after": raster_after, "pools": pools}
    opts = carbon.CarbonOptions(
        years=years, window_rows=window_rows, engine=engine, scheduler=scheduler, workers=workers
    )
    write_outputs(carbon.run(ctx, inputs, name="carbon_landcover", options=opts), out, map_path)


@app.command("wetlands")
def wetlands_command(
    wetlands: Annotated[Path, typer.Option(help="Wetland polygons with wetland_type (and protected).")],
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
    protected: Annotated[
        Path | None, typer.Option(help="Protected areas to overlay instead of a flag.")
    ] = None,
    counties: Annotated[Path | None, typer.Option(help=COUNTIES_HELP)] = None,
    zones: Annotated[Path | None, typer.Option("--zones", help=ZONES_HELP)] = None,
    zone_code: Annotated[str | None, typer.Option("--zone-code", help=ZONE_CODE_HELP)] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of inputs that carry none.")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Also write the map here (.html).")] = None,
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    lang: Annotated[str, typer.Option(help="Map language: zh or en.")] = "zh",
) -> None:
    """Wetland area and protection rate per county against the plan's target; carbon, methane apart."""
    from sxgeo.carbon import pipeline as carbon

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
    write_outputs(
        carbon.run(ctx, {"wetlands": wetlands, "protected": protected}, name="carbon_wetlands"), out, map_path
    )
