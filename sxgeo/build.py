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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sxgeo import __version__
from sxgeo.errors import LayerError
from sxgeo.io.writers import build_lock, make_folder, record_written
from sxgeo.pipelines import STEPS, Context
from sxgeo.project import Project
from sxgeo.runrecord import write_run_record

if TYPE_CHECKING:
    import pandas as pd

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
    status : pandas.DataFrame or None
        The report's status table (:data:`sxgeo.report.model.STATUS_COLUMNS`), None without a report.
    """

    outputs: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    status: pd.DataFrame | None = None


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
    plan_in = project.get("project", "plan") if project is not None else None
    return Context(
        units=units,
        zones=zones,
        year=project.year if project is not None else None,
        targets=load_targets(
            targets_in.path if targets_in is not None else None,
            plan=plan_in.path if plan_in is not None else None,
        ),
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
    report: bool = True,
    pdf: bool = True,
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
    report : bool
        End with the progress report (``indicator_history.csv`` and ``report/``, :mod:`sxgeo.report`).
    pdf : bool
        Write the report's ``report.pdf`` too (WeasyPrint; the slowest part of a build).

    Returns
    -------
    BuildResult
    """
    step_done = progress or (lambda _name: None)
    started = time.time()
    out = Path(out)
    result = BuildResult()
    if layers is not None and not Path(layers).is_dir():
        msg = f"--layers {layers}: no such folder (the shipped layers' folder, e.g. ./layers)"
        raise LayerError(msg)
    ctx = make_context(project, layers=layers, lang=lang, basemap=basemap)
    empty = project if project is not None else Project(None)
    make_folder(out)
    with build_lock(out):
        _run_steps(ctx, empty, out, result, step_done, report=report, pdf=pdf, started=started)
    for line in result.skipped:
        log.info(line)
    return result


def _run_steps(
    ctx: Context,
    project: Project,
    out: Path,
    result: BuildResult,
    step_done: Callable[[str], None],
    *,
    report: bool,
    pdf: bool,
    started: float,
) -> None:
    """Run every ready step into a staging folder, then move the files into *out*."""
    empty = project
    staging = Path(tempfile.mkdtemp(prefix=".sxgeo-build-", dir=out))
    tables: dict = {}
    synthetic = False
    try:
        for step in STEPS:
            step_done(step.name)
            if not step.ready(empty):
                result.skipped.append(f"{step.name}: skipped, needs {step.missing()}")
                continue
            for output in step.run(ctx, empty):
                tables |= output.tables | {k.rsplit(".", 1)[0]: v for k, v in output.extra.items()}
                synthetic |= output.synthetic
                for path in output.write(staging):
                    result.outputs[path.name] = out / path.name
        if report:
            from sxgeo.report import build_stage

            step_done("report")
            written, data = build_stage(ctx, project, tables, staging, out, synthetic=synthetic, pdf=pdf)
            result.status = data.status
            result.outputs |= {p.name: out / p.relative_to(staging) for p in written}
        targets_in = empty.get("project", "targets")
        ctx.params.setdefault(
            "project.targets",
            {
                "value": str(targets_in.path) if targets_in is not None else "the plan's indicator registry",
                "source": "project file" if targets_in is not None else "default",
            },
        )
        record = write_run_record(
            staging, project=project, ctx=ctx, outputs=list(result.outputs), started=started
        )
        result.outputs[record.name] = out / record.name
        for path in sorted(staging.iterdir()):  # tables, their .notes.txt, workbooks, maps, report/
            if path.is_dir() and (out / path.name).is_dir():
                shutil.rmtree(out / path.name)
            path.replace(out / path.name)
            record_written(out / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
