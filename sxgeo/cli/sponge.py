"""``sxgeo sponge``: coverage (Tier A), sub-zone assessment (Tier B) and the H-alpha curve."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from sxgeo.cli._common import echo_outputs, is_synthetic
from sxgeo.outputs import Outputs

app = typer.Typer(
    help="Sponge city: coverage of the built-up area against the 2025 targets.", no_args_is_help=True
)

OUT_HELP = "Table file (.csv/.xlsx/.gpkg/.parquet) or a folder for every table and map."
BASEMAP_HELP = "Basemap: none, osm, tianditu-vec, tianditu-img, tianditu-en, amap (GCJ-02), xyz:<template>."
CURVE_LABELS = {
    "alpha_pct": "年径流总量控制率(%)",
    "depth_mm": "设计降雨量(mm)",
    "year": "年份",
    "total_mm": "年降水量(mm)",
    "rain_days": "雨日数",
    "max_daily_mm": "最大日降水量(mm)",
}


def _alpha_target(given: float | None, source: str | None) -> tuple[float, str]:
    """The capture-ratio target and where it comes from: option, user config, or the placeholder."""
    from sxgeo.settings import config_path, setting
    from sxgeo.sponge import DEFAULT_ALPHA_TARGET

    if given is not None:
        return given, source or "--alpha-target"
    configured = setting("sponge", "alpha_target")
    if configured is not None:
        return float(configured), setting("sponge", "alpha_target_source", f"configured in {config_path()}")
    return DEFAULT_ALPHA_TARGET, "placeholder 75% (Shaoxing's adopted value not configured)"


@app.command()
def coverage(
    built_up: Annotated[Path, typer.Option("--built-up", help="Built-up area polygons (建成区).")],
    compliant: Annotated[Path, typer.Option("--compliant", help="Accepted sponge project polygons.")],
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
    counties: Annotated[Path | None, typer.Option(help="County polygons (default: shipped layer).")] = None,
    year: Annotated[
        int | None, typer.Option(help="Reporting year: projects completed by then count.")
    ] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Also write the map here (.html).")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of inputs that carry none.")] = None,
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    lang: Annotated[str, typer.Option(help="Map language: zh or en.")] = "zh",
) -> None:
    """Tier A: share of the built-up area covered by accepted sponge projects, per county."""
    from sxgeo import sponge
    from sxgeo.admin import load_counties
    from sxgeo.io import read_layer
    from sxgeo.maps.views import sponge_map

    bu, _ = read_layer(built_up, crs=crs)
    projects, _ = read_layer(compliant, crs=crs)
    cty = load_counties(counties)
    table = sponge.coverage(bu, projects, counties=cty, year=year)
    counted, _ = sponge.select_counted(projects, year=year)
    notes = list(table.attrs.get("notes", []))
    result = Outputs(
        "sponge_coverage",
        {"sponge_coverage": table},
        sponge.coverage_labels(),
        notes,
        synthetic=is_synthetic(bu, projects),
    )
    result.maps["sponge_coverage.html"] = sponge_map(
        table, cty, compliant=counted, lang=lang, basemap=basemap
    )
    echo_outputs(result.write(out, map_path=map_path), notes)


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
    counties: Annotated[Path | None, typer.Option(help="County polygons (default: shipped layer).")] = None,
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
    map_path: Annotated[Path | None, typer.Option("--map", help="Also write the map here (.html).")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of inputs that carry none.")] = None,
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    lang: Annotated[str, typer.Option(help="Map language: zh or en.")] = "zh",
) -> None:
    """Tier B: pass/fail of every drainage sub-zone by the volume method, and what it still needs."""
    from sxgeo import sponge
    from sxgeo.admin import load_counties
    from sxgeo.io import read_layer, read_rainfall
    from sxgeo.maps.views import sponge_map

    z, _ = read_layer(zones_path, crs=crs)
    lc, _ = read_layer(landcover, crs=crs)
    fac, _ = read_layer(facilities, crs=crs)
    what_if: list[str] = []
    if add_facilities is not None:
        extra, _ = read_layer(add_facilities, crs=crs)
        extra = extra.to_crs(fac.crs)
        if "status" not in extra.columns:
            extra["status"] = "completed"
        fac = pd.concat([fac, extra], ignore_index=True)
        what_if.append(f"what-if: {len(extra)} facilities added from {add_facilities.name}")
    daily, rain_notes = read_rainfall(rainfall)
    years = f"{daily.index.year.min()}-{daily.index.year.max()}"
    curve = sponge.curve_from_daily(daily, source=f"{rainfall.name}, {years} (derived, not adopted)")
    cty = load_counties(counties)
    alpha_target, source = _alpha_target(alpha_target, target_source)
    result = sponge.assess_zones(
        z,
        lc,
        fac,
        curve,
        alpha_target=alpha_target,
        alpha_target_source=source,
        strict=strict,
        include_planned=include_planned,
        year=year,
        psi_scenario=psi,
        counties=cty,
    )
    notes = [*result.notes, *what_if, *rain_notes]
    tables: dict[str, pd.DataFrame] = {
        "sponge_zones": result.zones,
        "sponge_closest": sponge.closest_to_passing(result),
    }
    coverage_table = None
    if built_up is not None:
        bu, _ = read_layer(built_up, crs=crs)
        coverage_table = sponge.zone_coverage(result, bu, cty)
        tables["sponge_zone_coverage"] = coverage_table
    tables["sponge_facilities"] = result.facilities
    tables["sponge_curve"] = curve.table()
    output = Outputs("sponge_zones", tables, sponge.zone_labels(), notes, synthetic=is_synthetic(z, lc, fac))
    output.maps["sponge_zones.html"] = sponge_map(
        coverage_table, cty, zones=result.zones, lang=lang, basemap=basemap
    )
    echo_outputs(output.write(out, map_path=map_path), notes)


@app.command()
def curve(
    rainfall: Annotated[Path, typer.Option(help="Daily rainfall table: date, precip_mm[, is_snow].")],
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
) -> None:
    """The H-alpha curve of a station: design depth for each capture ratio, and yearly totals."""
    from sxgeo import sponge
    from sxgeo.io import read_rainfall

    daily, notes = read_rainfall(rainfall)
    c = sponge.curve_from_daily(daily, source=rainfall.name)
    table = c.table([a / 100 for a in range(50, 100, 5)])
    yearly = sponge.annual_summary(daily).reset_index(names="year")
    synthetic = bool(daily.attrs.get("synthetic"))
    notes = [
        f"H-alpha curve from {rainfall.name}, {daily.index.year.min()}-{daily.index.year.max()}, "
        "days <= 2 mm dropped (derived, not an adopted design value)",
        *notes,
    ]
    output = Outputs(
        "sponge_curve",
        {"sponge_curve": table, "rainfall_years": yearly},
        CURVE_LABELS,
        notes,
        synthetic=synthetic,
    )
    echo_outputs(output.write(out), notes)
