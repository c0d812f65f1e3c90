"""Small helpers shared by the capability commands (no heavy imports at module level)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from sxgeo._pipeline import Context
    from sxgeo.outputs import Outputs

OUT_HELP = "Table file (.csv/.xlsx/.gpkg/.parquet) or a folder for every table and map."
BASEMAP_HELP = "Basemap: none, osm, tianditu-vec, tianditu-img, tianditu-en, amap (GCJ-02), xyz:<template>."
COUNTIES_HELP = "County polygons with a code column (adcode, 行政区划代码, PAC...); default: shipped layer."
ZONES_HELP = "Reporting zones (towns/streets, parks): a per-zone table beside the county one."
ZONE_CODE_HELP = "Code column of --zones (default: adcode, code, 行政区划代码, PAC...)."


def wants_map(out: Path, map_path: Path | None) -> bool:
    """Whether a map will be written: a folder output, or ``--map``."""
    from sxgeo.io import is_table_path

    return map_path is not None or not is_table_path(out)


def context(
    *,
    out: Path,
    map_path: Path | None = None,
    counties: Path | None = None,
    zones: Path | None = None,
    zone_code: str | None = None,
    year: int | None = None,
    crs: str | None = None,
    lang: str = "zh",
    basemap: str | None = None,
) -> Context:
    """The pipeline context of a command from its options (:meth:`Context.from_options`)."""
    from sxgeo._pipeline import Context

    return Context.from_options(
        counties=counties,
        zones=zones,
        zone_code=zone_code,
        year=year,
        crs=crs,
        lang=lang,
        basemap=basemap,
        maps=wants_map(out, map_path),
    )


def write_outputs(outputs: list[Outputs], out: Path, map_path: Path | None = None) -> None:
    """Write a command's outputs by the ``-o`` convention and print what was written and the notes."""
    if not outputs:
        from sxgeo.messages import say

        raise typer.BadParameter(say("nothing to compute from the inputs given", "console"))
    written: list[Path] = []
    notes: list[str] = []
    for i, o in enumerate(outputs):
        written += o.write(out, map_path=map_path if i == 0 else None)
        notes += [n for n in o.notes if n not in notes]
    echo_outputs(written, notes)


def echo_outputs(paths: list[Path], notes: list[str]) -> None:
    """Print the files written (stdout) and the notes that qualify them (stderr)."""
    for p in paths:
        typer.echo(p)
    from sxgeo.messages import label, say

    for note in notes:
        typer.echo(f"{label('说明', 'note')}: {say(note)}", err=True)


def inputs(**kwargs: Any) -> dict[str, Any]:
    """The named inputs of a command (options left out are None)."""
    return dict(kwargs)
