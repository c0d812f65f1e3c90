"""The ``sxgeo`` command: one subcommand per capability, thin wrappers over the library.

Exit codes: 0 success; 1 bad input or unusable layer (one line on stderr, no traceback);
2 wrong usage (typer/click).
"""

from __future__ import annotations

import atexit
import gc
import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler

from sxgeo import __version__
from sxgeo.cli._console import print_status
from sxgeo.cli._engine import CHECK_ENGINE_HELP, SCHEDULER_HELP, WORKERS_HELP
from sxgeo.errors import SxgeoError
from sxgeo.messages import LANGS, MESSAGE_LANG, say

app = typer.Typer(
    name="sxgeo",
    help="GIS toolkit for Shaoxing's 14th Five-Year climate plan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
_err = Console(stderr=True)
BASEMAP_HELP = "Basemap: none, osm, tianditu-vec, tianditu-img, tianditu-en, amap (GCJ-02), xyz:<template>."


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sxgeo {__version__}")
        raise typer.Exit


@app.callback()
def _main(
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More log output (-vv for debug).")
    ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Refuse duplicate features instead of counting them once.")
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="Language of messages: zh (Chinese, English beside it; default) or en.",
            envvar="SXGEO_LANG",
            show_envvar=False,
        ),
    ] = None,
    version: Annotated[  # noqa: ARG001 (handled by its eager callback)
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Sxgeo: sponge city, carbon sinks, rooftop PV, pilot siting and maps for Shaoxing."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = RichHandler(console=_err, show_time=False, show_path=False)
    logging.basicConfig(level=level, handlers=[handler], format="%(message)s", force=True)
    logging.getLogger("pyogrio").setLevel(max(level, logging.WARNING))
    from sxgeo.settings import STRICT

    STRICT.set(strict)
    if lang is not None and lang.strip().lower() in LANGS:
        MESSAGE_LANG.set(lang.strip().lower())
    elif lang is not None and lang.strip().lower() not in ("both", ""):
        raise typer.BadParameter(f"--lang {lang!r}: zh or en", param_hint="--lang")


@app.command()
def check(
    path: Annotated[
        Path, typer.Argument(help="Layer file: SHP, GPKG, GeoJSON, FGB, GeoParquet, CSV/XLSX points.")
    ],
    crs: Annotated[
        str | None, typer.Option(help="CRS when the file has none: 4326, 4490, 4549 or gcj02.")
    ] = None,
    layer: Annotated[str | None, typer.Option(help="Layer (GeoPackage) or sheet (Excel).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Attribute encoding; detected when omitted.")] = None,
    lon: Annotated[str | None, typer.Option(help="Longitude column of a point table.")] = None,
    lat: Annotated[str | None, typer.Option(help="Latitude column of a point table.")] = None,
    swap_xy: Annotated[
        bool, typer.Option("--swap-xy", help="Swap x and y (lat/lon written as lon/lat).")
    ] = False,
    anywhere: Annotated[bool, typer.Option("--anywhere", help="Accept a layer far from Shaoxing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    engine: Annotated[str, typer.Option(help=CHECK_ENGINE_HELP)] = "memory",
    scheduler: Annotated[str | None, typer.Option(help=SCHEDULER_HELP)] = None,
    workers: Annotated[int | None, typer.Option(help=WORKERS_HELP)] = None,
) -> None:
    """Read a layer as sxgeo would and report what it found, repaired and excluded."""
    from sxgeo.admin import counties_touched, load_counties
    from sxgeo.engine import check_engine
    from sxgeo.io import read_layer

    if check_engine(engine) == "dask":
        from sxgeo.engine.partition import check_partitioned

        report, touched = check_partitioned(
            path, crs=crs, check_extent=not anywhere, scheduler=scheduler, workers=workers
        )
        _print_check(report, touched, as_json=as_json)
        return
    gdf, report = read_layer(
        path,
        crs=crs,
        layer=layer,
        encoding=encoding,
        lon=lon,
        lat=lat,
        swap_xy=swap_xy,
        check_extent=not anywhere,
    )
    try:
        touched = counties_touched(gdf, load_counties())
    except SxgeoError:
        touched = []
    _print_check(report, touched, as_json=as_json)


def _print_check(report: Any, touched: list[str], *, as_json: bool) -> None:
    """Print a layer report as ``sxgeo check`` does (lines, or JSON)."""
    if as_json:
        typer.echo(json.dumps(report.to_dict() | {"counties": touched}, ensure_ascii=False, indent=2))
        return
    for line in report.summary_lines():
        typer.echo(line)
    typer.echo("counties: " + (", ".join(touched) if touched else "none"))
    types = set(report.geometry_types)
    if types and types <= {"Point", "MultiPoint"}:
        typer.echo(
            "usable: as points only (sites, candidates, villages); not where areas are needed "
            "(built-up area, sponge projects, sub-zones, land cover, stands): those need polygons"
        )
    elif types and types <= {"LineString", "MultiLineString", "LinearRing"}:
        typer.echo("usable: as lines only; not where areas are needed (those need polygons)")
    else:
        typer.echo("usable: yes")


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Project folder (created when missing).")] = Path(),
    force: Annotated[bool, typer.Option(help="Replace an existing sxgeo.toml.")] = False,
    plan: Annotated[
        str | None,
        typer.Option(help="Plan written as [project] plan: a shipped id (shaoxing_15th) or a registry YAML."),
    ] = None,
) -> None:
    """Write a commented sxgeo.toml project template (zh/en) naming your input files."""
    from sxgeo.project import write_template

    path = write_template(folder, force=force, plan=plan)
    typer.echo(path)
    typer.echo(
        say(f"edit the paths in {path.name}, then: sxgeo build --project {path} -o out", "console"), err=True
    )


@app.command()
def build(
    project: Annotated[
        Path | None, typer.Option(help="Project file (sxgeo.toml); default ./sxgeo.toml when there is one.")
    ] = None,
    layers: Annotated[Path | None, typer.Option(help="Folder of the shipped layers.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for tables and maps.")] = Path(
        "maps"
    ),
    lang: Annotated[
        str | None, typer.Option(help="Map language: zh or en (default: the project's, else zh).")
    ] = None,
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    pdf: Annotated[
        bool,
        typer.Option("--pdf/--no-pdf", help="Also write the report's PDF (the slowest step of a build)."),
    ] = True,
) -> None:
    """Run every capability the project file names: all tables and maps into one folder."""
    from rich.progress import Progress

    from sxgeo import build as pipeline
    from sxgeo.capabilities import CAPABILITIES
    from sxgeo.project import PROJECT_FILE, load_project

    if lang is not None and lang in LANGS:
        MESSAGE_LANG.set(lang)  # the build's language is its messages' too
    if project is None and Path(PROJECT_FILE).exists():
        project = Path(PROJECT_FILE)
        typer.echo(say(f"using ./{PROJECT_FILE}", "console"), err=True)
    loaded = load_project(project) if project is not None else None
    if loaded is None:
        typer.echo(
            say(
                "no project file: the county overview of the shipped layers (sxgeo init writes one)",
                "console",
            ),
            err=True,
        )
    quiet = logging.getLogger().level >= logging.ERROR
    with Progress(console=_err, transient=True, disable=quiet) as bar:
        task = bar.add_task(say("build", "progress"), total=len(CAPABILITIES) + 1)

        def step(name: str) -> None:
            bar.update(task, description=say(name, "progress"), advance=1)

        result = pipeline.run(loaded, out, layers=layers, lang=lang, basemap=basemap, progress=step, pdf=pdf)
    for name, path in result.outputs.items():
        typer.echo(f"{name}: {path}")
    for line in result.skipped:
        typer.echo(say(line, "skip"), err=True)
    if result.status is not None:
        print_status(result.status)


@app.command("map")
def map_command(
    items: Annotated[
        list[str],
        typer.Argument(
            help="Layer files to show; or `png MAP.html` to render a map to PNG.", show_default=False
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output .html (layers) or .png (png).")],
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    lang: Annotated[str, typer.Option(help="Map language: zh or en.")] = "zh",
    title: Annotated[str | None, typer.Option(help="Map title.")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of layers that carry none (e.g. 4326, gcj02).")] = None,
    force: Annotated[bool, typer.Option(help="Write a map above the 20 MB guard.")] = False,
    width: Annotated[int, typer.Option(help="PNG width [px].")] = 1600,
    height: Annotated[int, typer.Option(help="PNG height [px].")] = 1000,
) -> None:
    """Quick-look map of any layers over the counties, or `sxgeo map png MAP.html -o MAP.png`."""
    if items and items[0] == "png":
        from sxgeo._pipeline import check_option
        from sxgeo.maps.export import render_png

        check_option("--width", width, at_least=1, at_most=20000)
        check_option("--height", height, at_least=1, at_most=20000)
        if len(items) != 2:
            raise typer.BadParameter("usage: sxgeo map png MAP.html -o MAP.png")
        typer.echo(render_png(items[1], out, width=width, height=height))
        return
    from sxgeo.admin import load_counties
    from sxgeo.io import read_layer
    from sxgeo.maps.views import quicklook_map

    layers = []
    for item in items:
        gdf, _ = read_layer(item, crs=crs)  # read_layer logs each excluded row once
        layers.append((Path(item).stem, gdf))
    try:
        counties = load_counties()
    except SxgeoError:
        counties = None
    m = quicklook_map(layers, counties, lang=lang, basemap=basemap, title=title)
    typer.echo(m.save(out, force=force))


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("layers/demo"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 20211201,
    layers: Annotated[Path | None, typer.Option(help="Folder of the real layers.")] = None,
    size: Annotated[
        str,
        typer.Option(
            help="full: the demo (about 300,000 buildings, 30 m land cover); "
            "tiny: a few hundred features per layer, 300 m land cover (tests/datasets/tiny)."
        ),
    ] = "full",
) -> None:
    """Generate the synthetic demo layers (labelled synthetic, seeded, deterministic)."""
    from sxgeo import demo

    written = demo.generate(out, seed=seed, layers=layers, size=size)
    for name, path in written.items():
        typer.echo(f"{name}: {path}")


def _register() -> None:
    from sxgeo.cli import _engine, carbon, partition, pilots, plan, pv, report, sponge  # noqa: F401  (_engine: its Chinese help)

    app.add_typer(sponge.app, name="sponge")
    app.add_typer(carbon.app, name="carbon")
    app.add_typer(pilots.app, name="pilots")
    app.add_typer(plan.app, name="plan")
    app.command("pv")(pv.pv)
    app.command("report")(report.report)
    app.command("partition")(partition.partition)


_register()


def _interrupted() -> None:
    """Say which outputs are in place after Ctrl-C, and exit 130."""
    from sxgeo.io.writers import written_so_far

    done = [str(p) for p in written_so_far()]
    listing = ", ".join(done) if done else "none"
    _err.print(
        "sxgeo: " + say(f"interrupted; outputs written so far: {listing}", "console"),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    sys.exit(130)


def main() -> None:
    """Console-script entry point: turn sxgeo errors into one line on stderr and exit 1.

    Ctrl-C prints one line naming the outputs already in place and exits 130; an
    operating-system error (a folder that cannot be read or written) is one line and exit 1.
    """
    import typer.main

    from sxgeo.cli._console import prepare_streams
    from sxgeo.cli._zh import bilingual

    # the objects still alive at exit are left to the operating system: the interpreter's last garbage
    # collections over every module's objects (pandas, GDAL, PROJ...) took 0.25 s of a 1.5 s command
    atexit.register(gc.freeze)
    prepare_streams()
    try:
        bilingual(typer.main.get_command(app)).main(prog_name="sxgeo")
    except SxgeoError as exc:
        line = " ".join(str(exc).split())  # one line, whatever the message holds
        # "sxgeo: error: " stays as it is: the QGIS plugin and scripts take the message after it
        _err.print(f"sxgeo: error: {say(line, 'error')}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        _interrupted()
    except SystemExit as exc:
        if exc.code == 130:  # typer turns Ctrl-C (KeyboardInterrupt) into exit 130, silently
            _interrupted()
        raise
    except OSError as exc:
        line = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
        _err.print(f"sxgeo: error: {line}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
