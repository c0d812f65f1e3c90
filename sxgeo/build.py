"""``sxgeo build``: every capability whose inputs the project names, into one output folder.

The project file (:mod:`sxgeo.project`) names the planner's files; each capability's pipeline
(:data:`sxgeo.pipelines.STEPS`) runs when its inputs are named and is skipped, with the input it
would need, when not. Without a project the county overview of the shipped layers is built.
Everything is written into a temporary folder first and moved into place only when every step
has succeeded, so a failure never leaves a half-written output folder.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sxgeo import __version__
from sxgeo.errors import LayerError
from sxgeo.io.writers import build_lock, make_folder, record_written
from sxgeo.pipelines import STEPS, Context
from sxgeo.project import Project

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    """What a build wrote.

    Attributes
    ----------
    outputs : dict
        Output file name -> path.
    notes : list of str
        Things the planner should know.
    skipped : list of str
        One line per capability that did not run, naming the input it needs.
    """

    outputs: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def make_context(
    project: Project | None,
    *,
    layers: str | Path | None = None,
    lang: str | None = None,
    basemap: str | None = None,
    maps: bool = True,
) -> Context:
    """The run context of a project: its counties (or the shipped ones), zones, targets, year.

    Parameters
    ----------
    project : Project or None
        The project (None: shipped layers and defaults).
    layers : str or pathlib.Path, optional
        Folder of the shipped layers (when the project names no county layer).
    lang, basemap : str, optional
        Options; they win over the project's.
    maps : bool
        Make maps.

    Returns
    -------
    Context
    """
    from sxgeo.admin import load_counties, load_targets, load_zones

    def opts(key: str) -> dict:
        spec = project.get("layers", key) if project is not None else None
        return {} if spec is None else {"path": spec.path, **spec.options}

    county = opts("counties")
    units = load_counties(county.pop("path", None) or layers, **county)
    zone = opts("zones")
    zones = load_zones(zone.pop("path"), units, **zone) if zone else None
    targets_in = project.get("project", "targets") if project is not None else None
    return Context(
        units=units,
        zones=zones,
        year=project.year if project is not None else None,
        targets=load_targets(targets_in.path if targets_in is not None else None),
        maps=maps,
        lang=lang or (project.get("project", "lang", "zh") if project is not None else "zh"),
        basemap=basemap or (project.get("project", "basemap") if project is not None else None),
        notes=[f"made by sxgeo {__version__}"]
        + (
            [f"project: {project.name} ({project.path.name})"] if project is not None and project.path else []
        ),
    )


def run(
    project: Project | None = None,
    out: str | Path = "maps",
    *,
    layers: str | Path | None = None,
    lang: str | None = None,
    basemap: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Run every capability the project names and write its tables and maps into *out*.

    Parameters
    ----------
    project : Project, optional
        The project (:func:`sxgeo.project.load_project`); None: the county overview only.
    out : str or pathlib.Path
        Output folder.
    layers : str or pathlib.Path, optional
        Folder of the shipped layers.
    lang : {'zh', 'en'}, optional
        Map language (default: the project's, else zh).
    basemap : str, optional
        Basemap name (see :mod:`sxgeo.maps.basemaps`).
    progress : callable, optional
        Called with the name of each step.

    Returns
    -------
    BuildResult
    """
    step_done = progress or (lambda _name: None)
    out = Path(out)
    result = BuildResult()
    if layers is not None and not Path(layers).is_dir():
        msg = f"--layers {layers}: no such folder (the shipped layers' folder, e.g. ./layers)"
        raise LayerError(msg)
    ctx = make_context(project, layers=layers, lang=lang, basemap=basemap)
    empty = project if project is not None else Project(None)
    make_folder(out)
    with build_lock(out):
        _run_steps(ctx, empty, out, result, step_done)
    for line in result.skipped:
        log.info(line)
    return result


def _run_steps(
    ctx: Context, project: Project, out: Path, result: BuildResult, step_done: Callable[[str], None]
) -> None:
    """Run every ready step into a staging folder, then move the files into *out*."""
    empty = project
    staging = Path(tempfile.mkdtemp(prefix=".sxgeo-build-", dir=out))
    try:
        for step in STEPS:
            step_done(step.name)
            if not step.ready(empty):
                result.skipped.append(f"{step.name}: skipped, needs {step.missing()}")
                continue
            for output in step.run(ctx, empty):
                for path in output.write(staging):
                    result.outputs[path.name] = out / path.name
        for path in sorted(staging.iterdir()):  # tables, their .notes.txt, workbooks, maps
            path.replace(out / path.name)
            record_written(out / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
