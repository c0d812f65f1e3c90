"""``sxgeo pilots``: match planners' lists to division codes; score and select pilot sites."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sxgeo.cli._common import OUT_HELP, context, write_outputs

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
) -> None:
    """Match each row of a list to its 2023 division code: exact/normalised/fuzzy/ambiguous/unmatched."""
    from sxgeo.pipelines import pilots

    if level not in (None, "town", "village"):
        raise typer.BadParameter("--level is town or village")
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
    )
    inputs = {"list": list_path, "overrides": overrides, "aliases": aliases}
    write_outputs(pilots.run_match(ctx, inputs, options=opts), out)
