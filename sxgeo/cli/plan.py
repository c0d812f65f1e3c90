"""``sxgeo plan``: check a plan registry (a planner's own, or a shipped one) before using it."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Plan registries: check a plan's indicator file.", no_args_is_help=True)


@app.command("check")
def check_command(
    registry: Annotated[
        str,
        typer.Argument(help="Plan registry (YAML), or a shipped plan id (shaoxing_14th, shaoxing_15th)."),
    ],
) -> None:
    """Check a plan registry (ids, units, years, directions, kinds, computed_by): one line a problem."""
    from sxgeo.plan import load_plan
    from sxgeo.plan_check import check_registry

    problems = check_registry(registry)
    for line in problems:
        typer.echo(line)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {registry}", err=True)
        raise typer.Exit(code=1)
    plan = load_plan(registry)
    span = f"{plan.start_year}-{plan.target_year}"
    typer.echo(f"{plan.id}: {len(plan.indicators)} indicators, {span}, {plan.status}: ok")
