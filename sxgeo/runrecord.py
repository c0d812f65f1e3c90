"""``run.json``: the record of a build, so that a figure in a report can be traced to what made it.

It lists the sxgeo version, the project file, every input with its SHA-256 (Shapefile sidecars
included), its CRS and row count as read, the settings used with their source (option, project file,
user config or default), the division-code editions names and codes are matched with
(:func:`sxgeo.admin.code_editions`), the outputs and the time. Two builds on the same inputs give the same
checksums (and, the analyses being deterministic, the same numbers).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import rasterio

from sxgeo import __version__
from sxgeo.admin import code_editions
from sxgeo.messages import say
from sxgeo.project import Input

if TYPE_CHECKING:
    from sxgeo._pipeline import Context
    from sxgeo.project import Project

SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
"""Files of a Shapefile that are checksummed together."""


def sha256(path: Path, *, chunk: int = 1 << 22) -> str:
    """SHA-256 of a file, read in 4 MB chunks (bounded memory for a province's raster)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _files(path: Path) -> list[Path]:
    if path.is_dir():  # a partitioned layer (sxgeo partition): every part
        return sorted(path.glob("*.parquet"))
    if path.suffix.lower() == ".shp":
        return [f for ext in SIDECARS if (f := path.with_suffix(ext)).exists()]
    return [path]


def _raster_meta(path: Path) -> dict[str, Any]:

    with rasterio.open(path) as src:
        return {
            "crs": src.crs.to_string() if src.crs else None,
            "pixels": src.width * src.height,
            "nodata": src.nodata,
        }


def input_records(project: Project | None, ctx: Context) -> list[dict[str, Any]]:
    """One record per input the project names (key, path, checksums, CRS and rows as read)."""
    if project is None:
        return []

    records = []
    for section, values in project.values.items():
        for name, value in values.items():
            if not isinstance(value, Input):
                continue
            rec: dict[str, Any] = {
                "key": f"{section}.{name}",
                "path": str(value.path),
                "options": value.options,
                "sha256": {f.name: sha256(f) for f in _files(value.path)},
            }
            if value.path.suffix.lower() in (".tif", ".tiff"):
                rec |= _raster_meta(value.path)
            elif str(value.path) in ctx.inputs_read:
                rec |= ctx.inputs_read[str(value.path)]
            records.append(rec)
    return records


def write_run_record(
    folder: Path,
    *,
    project: Project | None,
    ctx: Context,
    outputs: list[str],
    started: float,
    skipped: list[str] | None = None,
    notes: list[str] | None = None,
) -> Path:
    """Write ``run.json`` into *folder* (atomically) and return its path.

    Parameters
    ----------
    folder : pathlib.Path
        The build's output (or staging) folder.
    project : Project or None
        The project that was built.
    ctx : Context
        The run context (settings and inputs as read).
    outputs : list of str
        File names written.
    started : float
        ``time.time()`` at the start of the build.
    skipped : list of str, optional
        The steps that did not run and the input each needs (``sxgeo build``'s skip lines).
    notes : list of str, optional
        The run's notes (the settings and inputs' caveats, :attr:`Context.notes`).

    Both are written as the user reads them: Chinese, then the English (:func:`sxgeo.messages.say`).

    Returns
    -------
    pathlib.Path
    """
    record = {
        "sxgeo_version": __version__,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": round(time.time() - started, 1),
        "project": (
            {
                "path": str(project.path),
                "sha256": sha256(project.path),
                "name": project.name,
                "year": project.year,
            }
            if project is not None and project.path is not None
            else None
        ),
        "counties": ctx.units.attrs.get("source", ""),
        "zones": ctx.zones.attrs.get("source", "") if ctx.zones is not None else None,
        "inputs": input_records(project, ctx),
        "parameters": ctx.params,
        "code_editions": code_editions(),
        "outputs": sorted(outputs),
        "skipped": [say(line, "skip") for line in skipped or []],
        "notes": [say(line) for line in notes or []],
    }
    path = folder / "run.json"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
