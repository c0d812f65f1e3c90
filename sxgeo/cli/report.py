"""``sxgeo report``: the plan's progress report (HTML, PDF, XLSX) from a project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def report(
    project: Annotated[
        Path | None, typer.Option(help="Project file (sxgeo.toml); default ./sxgeo.toml when there is one.")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Report folder (index.html, report.pdf, XLSX).")
    ] = Path("report"),
    plan: Annotated[
        str | None,
        typer.Option(
            help="Plan: a shipped id (shaoxing_14th, shaoxing_15th) or a registry YAML; default the "
            "project's, else the 14th plan."
        ),
    ] = None,
    lang: Annotated[str | None, typer.Option(help="Leading language: zh or en.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also write report.pdf (WeasyPrint).")] = True,
    layers: Annotated[Path | None, typer.Option(help="Folder of the shipped layers.")] = None,
    year: Annotated[
        int | None, typer.Option(help="Reporting year (default the project's, else this year).")
    ] = None,
    sponge_gap_order: Annotated[
        str | None,
        typer.Option(
            help="Sponge gap list: fewest (fewest sub-zones, largest built-up area first) or storage "
            "(least extra m³ per km² gained); else [sponge] gap_order, else fewest."
        ),
    ] = None,
    final: Annotated[
        bool | None,
        typer.Option(
            "--final/--progress",
            help="The plan's final assessment (总结评估) or a progress report; default the final "
            "assessment when the year is the plan's target year or later.",
        ),
    ] = None,
) -> None:
    """Every indicator of the plan against its target, per county: index.html, report.pdf, report.xlsx."""
    from sxgeo.build import run_report
    from sxgeo.cli._console import print_status
    from sxgeo.project import PROJECT_FILE, load_project

    if project is None and Path(PROJECT_FILE).exists():
        project = Path(PROJECT_FILE)
        typer.echo(f"using ./{PROJECT_FILE}", err=True)
    loaded = load_project(project) if project is not None else None
    written, data = run_report(
        loaded,
        out,
        plan_path=plan,
        lang=lang,
        pdf=pdf,
        layers=layers,
        year=year,
        sponge_gap_order=sponge_gap_order,
        final=final,
    )
    for path in written:
        typer.echo(path)
    print_status(data.status)
