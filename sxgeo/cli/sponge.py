"""``sxgeo sponge``: coverage (Tier A), sub-zone assessment (Tier B) and the H-alpha curve."""

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
    help="Sponge city: coverage of the built-up area against the 2025 targets.", no_args_is_help=True
)


def _alpha_target(given: float | None, source: str | None) -> tuple[float, str]:
    """The capture-ratio target and where it comes from: option, user config, or the placeholder."""
    from sxgeo.project import resolve
    from sxgeo.sponge import DEFAULT_ALPHA_TARGET

    value, where = resolve(given, None, "sponge", "alpha_target", DEFAULT_ALPHA_TARGET)
    if where == "option":
        return float(value), source or "--alpha-target"
    if where == "default":
        return float(value), "placeholder 75% (Shaoxing's adopted value not configured)"
    configured_source, _ = resolve(None, None, "sponge", "alpha_target_source", f"configured in {where[12:]}")
    return float(value), str(configured_source)


@app.command()
def coverage(
    built_up: Annotated[Path, typer.Option("--built-up", help="Built-up area polygons (建成区).")],
    compliant: Annotated[
        Path,
        typer.Option(
            "--compliant",
            help="Accepted sponge project polygons (with --engine dask also a folder or glob of GeoParquet).",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
    counties: Annotated[Path | None, typer.Option(help=COUNTIES_HELP)] = None,
    zones: Annotated[Path | None, typer.Option("--zones", help=ZONES_HELP)] = None,
    zone_code: Annotated[str | None, typer.Option("--zone-code", help=ZONE_CODE_HELP)] = None,
    year: Annotated[
        int | None, typer.Option(help="Reporting year: projects completed by then count.")
    ] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Also write the map here (.html).")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of inputs that carry none.")] = None,
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    lang: Annotated[str, typer.Option(help="Map language: zh or en.")] = "zh",
    engine: Annotated[str, typer.Option(help=ENGINE_HELP)] = "memory",
    scheduler: Annotated[str | None, typer.Option(help=SCHEDULER_HELP)] = None,
    workers: Annotated[int | None, typer.Option(help=WORKERS_HELP)] = None,
) -> None:
    """Tier A: share of the built-up area covered by accepted sponge projects, per county."""
    from sxgeo.sponge import pipeline as sponge

    ctx = context(
        out=out,
        map_path=map_path,
        counties=counties,
        zones=zones,
        zone_code=zone_code,
        year=year,
        crs=crs,
        lang=lang,
        basemap=basemap,
    )
    opts = sponge.ZoneOptions(engine=engine, scheduler=scheduler, workers=workers)
    outputs = sponge.run(
        ctx, {"built_up": built_up, "compliant": compliant}, name="sponge_coverage", options=opts
    )
    write_outputs(outputs, out, map_path)


@app.command()
def zones(
    zones_path: Annotated[Path, typer.Option("--zones", help="Drainage sub-zone polygons with flags.")],
    landcover: Annotated[Path, typer.Option(help="Land-cover polygons with a 'cover' code.")],
    facilities: Annotated[Path, typer.Option(help="LID facilities (points or polygons).")],
    rainfall: Annotated[Path, typer.Option(help="Daily rainfall table: date, precip_mm.")],
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
    built_up: Annotated[
        Path | None, typer.Option("--built-up", help="Built-up area, for the coverage by passing sub-zones.")
    ] = None,
    counties: Annotated[Path | None, typer.Option(help=COUNTIES_HELP)] = None,
    alpha_target: Annotated[
        float | None, typer.Option(help="Capture-ratio target, 0-1 (else [sponge] alpha_target, else 0.75).")
    ] = None,
    target_source: Annotated[str | None, typer.Option(help="Where the target comes from (document).")] = None,
    strict: Annotated[bool, typer.Option(help="Unknown compliance flags count as failures.")] = False,
    include_planned: Annotated[
        bool, typer.Option(help="What-if: count planned/building facilities.")
    ] = False,
    add_facilities: Annotated[
        Path | None, typer.Option(help="What-if: extra facilities from a file.")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Only facilities completed by this year count.")] = None,
    psi: Annotated[str, typer.Option(help="Runoff coefficients: low, default or high.")] = "default",
    baseline_credit: Annotated[
        bool | None,
        typer.Option(
            "--baseline-credit/--no-baseline-credit",
            help="Floor the capture ratio at 1 - psi (not in the GB/T 51345-2018 volume method; "
            "else [sponge] baseline_credit, else off).",
        ),
    ] = None,
    include_regulating: Annotated[
        bool | None,
        typer.Option(
            "--include-regulating/--exclude-regulating",
            help="Count regulating storage (detention ponds) and conveyance swales in the controlled "
            "volume (else [sponge] include_regulating, else excluded: 技术指南 2014 附录1).",
        ),
    ] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Also write the map here (.html).")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of inputs that carry none.")] = None,
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    lang: Annotated[str, typer.Option(help="Map language: zh or en.")] = "zh",
) -> None:
    """Tier B: pass/fail of every drainage sub-zone by the volume method, and what it still needs."""
    from sxgeo.sponge import pipeline as sponge

    ctx = context(
        out=out, map_path=map_path, counties=counties, year=year, crs=crs, lang=lang, basemap=basemap
    )
    from sxgeo.project import resolve

    target, source = _alpha_target(alpha_target, target_source)
    opts = sponge.ZoneOptions(
        baseline_credit=bool(resolve(baseline_credit, None, "sponge", "baseline_credit", False)[0]),
        exclude_regulating=not bool(
            resolve(include_regulating, None, "sponge", "include_regulating", False)[0]
        ),
        alpha_target=target,
        alpha_target_source=source,
        strict=strict,
        include_planned=include_planned,
        psi=psi,
        add_facilities=add_facilities,
    )
    inputs = {
        "subzones": zones_path,
        "landcover": landcover,
        "facilities": facilities,
        "rainfall": rainfall,
        "built_up": built_up,
    }
    write_outputs(sponge.run(ctx, inputs, name="sponge_zones", options=opts), out, map_path)


@app.command()
def curve(
    rainfall: Annotated[Path, typer.Option(help="Daily rainfall table: date, precip_mm[, is_snow].")],
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
) -> None:
    """The H-alpha curve of a station: design depth for each capture ratio, and yearly totals."""
    from sxgeo._pipeline import Context
    from sxgeo.sponge import pipeline as sponge

    ctx = Context(units=None, maps=False)  # the curve needs no units
    write_outputs(sponge.run(ctx, {"rainfall": rainfall}, name="sponge_curve"), out)
