"""``sxgeo pilots``: match planners' lists to division codes; score and select pilot sites."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sxgeo.cli._common import BASEMAP_HELP, OUT_HELP, context, write_outputs

app = typer.Typer(
    help="Low/zero-carbon pilots: match lists, score and select villages, towns or counties.",
    no_args_is_help=True,
)


@app.command("match")
def match_command(
    list_path: Annotated[Path, typer.Option("--list", help="The planner's list (.xlsx or .csv).")],
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
    sheet: Annotated[str | None, typer.Option(help="Excel sheet (default: the first).")] = None,
    name_col: Annotated[str | None, typer.Option(help="Name column (default: 名称, name, 村名...).")] = None,
    county_col: Annotated[str | None, typer.Option(help="County column (default: 县区, county...).")] = None,
    town_col: Annotated[str | None, typer.Option(help="Town column (default: 乡镇, town...).")] = None,
    county: Annotated[
        str | None, typer.Option(help="Match rows without a county within this county (code or name).")
    ] = None,
    level: Annotated[str | None, typer.Option(help="Only town or village (default: by the suffix).")] = None,
    overrides: Annotated[
        Path | None,
        typer.Option(help="Divisions after 2023: code, name (+ level, parent_code, county_adcode)."),
    ] = None,
    aliases: Annotated[
        Path | None,
        typer.Option(help="More aliases: old_name, old_code, new_code (beside the shipped table)."),
    ] = None,
    cutoff: Annotated[float, typer.Option(help="Lowest fuzzy score (rapidfuzz ratio, 0-100).")] = 80.0,
    lead: Annotated[float, typer.Option(help="Points the best fuzzy candidate must lead by.")] = 10.0,
    crs: Annotated[
        str | None, typer.Option(help="CRS of lon/lat columns, if any: 4326 (default), 4490, gcj02, bd09.")
    ] = None,
    codes: Annotated[
        str | None,
        typer.Option(help="Town codes of the list: nbs (统计用区划代码) or mca (民政部); default: detected."),
    ] = None,
) -> None:
    """Match each row of a list to its 2023 division code: exact/normalised/fuzzy/ambiguous/unmatched."""
    from sxgeo.pilots import pipeline as pilots

    if level not in (None, "town", "village"):
        raise typer.BadParameter("--level is town or village")
    if codes not in (None, "nbs", "mca"):
        raise typer.BadParameter("--codes is nbs or mca")
    ctx = context(out=out)
    opts = pilots.ListOptions(
        sheet=sheet,
        name_col=name_col,
        county_col=county_col,
        town_col=town_col,
        county=county,
        level=level,
        cutoff=cutoff,
        lead=lead,
        crs=crs,
        codes=codes,
    )
    inputs = {"list": list_path, "overrides": overrides, "aliases": aliases}
    write_outputs(pilots.run_match(ctx, inputs, options=opts), out)


@app.command("select")
def select_command(
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
    level: Annotated[str, typer.Option(help="village, town or county.")] = "village",
    n: Annotated[
        int | None, typer.Option("--n", help="Sites to select (default: the plan's 100/10/1).")
    ] = None,
    values: Annotated[Path | None, typer.Option(help="Criteria table by code (CSV/XLSX).")] = None,
    candidates: Annotated[
        Path | None,
        typer.Option(help="Candidate layer with a code column (villages: points; towns: polygons)."),
    ] = None,
    criteria: Annotated[
        Path | None, typer.Option(help="Criteria YAML (default: sxgeo/data/pilot_criteria.yaml).")
    ] = None,
    min_spacing_km: Annotated[
        float, typer.Option(help="Minimum distance between selected sites [km].")
    ] = 0.0,
    quota: Annotated[
        str, typer.Option(help="County quotas: a CSV (county_adcode, min, max), proportional or none.")
    ] = "proportional",
    fixed: Annotated[
        Path | None, typer.Option(help="Codes fixed in (default: the plan's existing pilots).")
    ] = None,
    fixed_on_top: Annotated[bool, typer.Option(help="Select N besides the fixed pilots.")] = False,
    list_path: Annotated[
        Path | None, typer.Option("--list", help="A planner's list to match and draw.")
    ] = None,
    draws: Annotated[int, typer.Option(help="Monte-Carlo ranking draws.")] = 1000,
    selection_draws: Annotated[int, typer.Option(help="Monte-Carlo full selections (P(selected)).")] = 200,
    alpha: Annotated[float, typer.Option(help="Dirichlet concentration around the weights.")] = 50.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 20211201,
    no_irreplaceability: Annotated[
        bool, typer.Option("--no-irreplaceability", help="Skip the lock-out re-solves.")
    ] = False,
    time_limit: Annotated[float, typer.Option(help="Solver time limit per solve [s].")] = 60.0,
    buildings: Annotated[
        Path | None,
        typer.Option(
            help="Building footprints (or sxgeo pv's pv_buildings.parquet) for measure pv_potential_kw."
        ),
    ] = None,
    landcover: Annotated[
        Path | None,
        typer.Option(help="Land-cover raster for measures forest_cover_pct, carbon_density_tc_ha."),
    ] = None,
    pools: Annotated[
        Path | None, typer.Option(help="Carbon pools table (lucode, kind, c_above...) with --landcover.")
    ] = None,
    built_up: Annotated[
        Path | None, typer.Option(help="Built-up area for measures builtup_share_pct, sponge_coverage_pct.")
    ] = None,
    compliant: Annotated[
        Path | None, typer.Option(help="Sponge projects for measure sponge_coverage_pct.")
    ] = None,
    towns: Annotated[
        Path | None, typer.Option(help="Town polygons: a village's town (sponge coverage, --town-bonus).")
    ] = None,
    town_bonus: Annotated[
        float,
        typer.Option(
            help="Villages: score points added when the village's town is selected too (with --towns)."
        ),
    ] = 0.0,
    n_towns: Annotated[
        int | None, typer.Option(help="Towns selected jointly with --town-bonus (default: the plan's 10).")
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="Reporting year: projects completed by then count.")
    ] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of inputs that carry none.")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Also write the map here (.html).")] = None,
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    lang: Annotated[str, typer.Option(help="Map language: zh or en.")] = "zh",
) -> None:
    """Score candidates, select N pilots (quotas, spacing, fixed pilots) and test the choice's robustness."""
    import dataclasses

    from sxgeo.pilots import pipeline as pilots

    if level not in pilots.LEVELS:
        raise typer.BadParameter("--level is village, town or county")
    if level != "county" and candidates is None:
        raise typer.BadParameter(f"--candidates is needed for {level}s (a layer with a code column)")
    quota_file = Path(quota) if quota not in ("proportional", "none") else None
    ctx = context(out=out, map_path=map_path, year=year, crs=crs, lang=lang, basemap=basemap)
    opts = pilots.PilotOptions(
        level=level,
        n=n if n is not None else pilots.PLAN_N[level],
        min_spacing_km=min_spacing_km,
        quota=quota if quota_file is None else "file",
        fixed_on_top=fixed_on_top,
        draws=draws,
        selection_draws=selection_draws,
        alpha=alpha,
        seed=seed,
        irreplaceability=not no_irreplaceability,
        time_limit=time_limit,
        town_bonus=town_bonus,
    )
    inputs = {
        "candidates": candidates,
        "values": values,
        "criteria": criteria,
        "quota": quota_file,
        "fixed": fixed,
        "list": list_path,
        "buildings": buildings,
        "landcover": landcover,
        "pools": pools,
        "built_up": built_up,
        "compliant": compliant,
        "towns": towns,
    }
    if town_bonus:
        if level != "village" or towns is None:
            raise typer.BadParameter(
                "--town-bonus selects villages and towns together: --level village --towns F"
            )
        town_opts = dataclasses.replace(
            opts,
            level="town",
            n=n_towns if n_towns is not None else pilots.PLAN_N["town"],
            min_spacing_km=0.0,
        )
        results = pilots.run_joint(ctx, inputs, villages=opts, towns=town_opts)
        from sxgeo.io import is_table_path

        if is_table_path(out):  # one table file per level: the towns beside the villages
            write_outputs(results[:1], out, map_path)
            write_outputs(results[1:], out.with_name(f"{out.stem}_towns{out.suffix}"))
            return
    else:
        results = pilots.run_select(ctx, inputs, options=opts)
    write_outputs(results, out, map_path)
