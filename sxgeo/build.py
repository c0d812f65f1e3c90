"""``sxgeo build``: every capability whose inputs the project names, into one output folder.

The project file (:mod:`sxgeo.project`) names the planner's files; each capability
(:data:`sxgeo.capabilities.CAPABILITIES`) runs when its inputs are named and is skipped, with the
input it would need, when not. Without a project the county overview of the shipped layers is built.
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

import pandas as pd

from sxgeo._pipeline import Context, check_year
from sxgeo.capabilities import CAPABILITIES
from sxgeo.capability import Capability, load
from sxgeo.errors import LayerError
from sxgeo.io.writers import build_lock, make_folder, record_written
from sxgeo.project import Project
from sxgeo.report import ReportData, build_stage, report_stage
from sxgeo.runrecord import write_run_record

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
    """Re-export shim for one release: :meth:`sxgeo._pipeline.Context.from_project`."""
    return Context.from_project(project, layers=layers, lang=lang, basemap=basemap, maps=maps)


@dataclass
class RunTables:
    """What the steps of one run made.

    Attributes
    ----------
    tables : dict
        Table name (``demo_`` prefix kept) -> table, every step's (and the extra frames by stem).
    synthetic : bool
        Some input was synthetic.
    written : list of pathlib.Path
        Files written (empty when the steps ran without a folder to write into).
    skipped : list of str
        One line per step that did not run, naming the input it needs.
    seconds : dict
        Step name -> wall time [s] of each step that ran (logged too, one line a step).
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    synthetic: bool = False
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def run_steps(
    ctx: Context,
    project: Project,
    *,
    write_to: Path | None = None,
    skip: tuple[str, ...] = (),
    progress: Callable[[str], None] | None = None,
    capabilities: tuple[Capability, ...] = CAPABILITIES,
) -> RunTables:
    """Run every ready capability of :data:`sxgeo.capabilities.CAPABILITIES`: the one step loop.

    Parameters
    ----------
    ctx : Context
        The run context (:meth:`Context.from_project`).
    project : Project
        The project (an empty one without a file).
    write_to : pathlib.Path, optional
        Folder each step's outputs are written into (None: nothing written, as ``sxgeo report``).
    skip : tuple of str
        Capabilities not to run (their :attr:`~sxgeo.capability.Capability.name` or step name).
    progress : callable, optional
        Called with the name of each step.
    capabilities : tuple of Capability
        What to run, in order (default the registry, :data:`sxgeo.capabilities.CAPABILITIES`).

    Returns
    -------
    RunTables
    """
    run = RunTables()
    for cap in capabilities:
        if cap.name in skip or cap.step in skip:
            continue
        if progress is not None:
            progress(cap.step)
        if not cap.ready(project):
            run.skipped.append(f"{cap.step}: skipped, needs {cap.missing()}")
            continue
        t0 = time.perf_counter()
        for output in load(cap.run)(ctx, project):
            run.tables |= output.tables | {k.rsplit(".", 1)[0]: v for k, v in output.extra.items()}
            run.synthetic |= output.synthetic
            if write_to is not None:
                run.written += output.write(write_to)
        run.seconds[cap.step] = time.perf_counter() - t0
        log.info("step %s: %.1f s", cap.step, run.seconds[cap.step])
    return run


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
    ctx = Context.from_project(project, layers=layers, lang=lang, basemap=basemap)
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
    staging = Path(tempfile.mkdtemp(prefix=".sxgeo-build-", dir=out))
    try:
        run = run_steps(ctx, project, write_to=staging, progress=step_done)
        result.skipped += run.skipped
        result.outputs |= {path.name: out / path.name for path in run.written}
        if report:
            step_done("report")
            t0 = time.perf_counter()
            written, data = build_stage(
                ctx, project, run.tables, staging, out, synthetic=run.synthetic, pdf=pdf
            )
            result.status = data.status
            result.outputs |= {p.name: out / p.relative_to(staging) for p in written}
            log.info("step report%s: %.1f s", " (with the PDF)" if pdf else "", time.perf_counter() - t0)
        targets_in = project.get("project", "targets")
        ctx.params.setdefault(
            "project.targets",
            {
                "value": str(targets_in.path) if targets_in is not None else "the plan's indicator registry",
                "source": "project file" if targets_in is not None else "default",
            },
        )
        from sxgeo.maps.qgis_project import write_qgis_project  # folium's layer: only here

        result.outputs["sxgeo.qgs"] = out / write_qgis_project(staging, counties=ctx.units).name
        record = write_run_record(
            staging,
            project=project,
            ctx=ctx,
            outputs=list(result.outputs),
            started=started,
            skipped=result.skipped,
            notes=ctx.notes,
        )
        result.outputs[record.name] = out / record.name
        for path in sorted(staging.iterdir()):  # tables, their .notes.txt, workbooks, maps, report/
            if path.is_dir() and (out / path.name).is_dir():
                shutil.rmtree(out / path.name)
            path.replace(out / path.name)
            record_written(out / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def run_report(
    project: Project | None,
    out: str | Path,
    *,
    plan_path: str | Path | None = None,
    lang: str | None = None,
    pdf: bool = True,
    layers: str | Path | None = None,
    year: int | None = None,
    sponge_gap_order: str | None = None,
    final: bool | None = None,
) -> tuple[list[Path], ReportData]:
    """``sxgeo report``: the build's steps in report-only mode (no maps, no tables written), then the report.

    The history is ``out/indicator_history.csv`` (extended, never replaced: entered rows stay).

    Parameters
    ----------
    project : Project or None
        The project (None: the shipped counties only; values come from the history).
    out : str or pathlib.Path
        Report folder.
    plan_path : str or pathlib.Path, optional
        Plan registry (default the project's ``[project] plan``, else the shipped 14th plan).
    lang : {'zh', 'en'}, optional
        Leading language (default the project's).
    pdf : bool
        Write ``report.pdf``.
    layers : str or pathlib.Path, optional
        Folder of the shipped layers.
    year : int, optional
        Reporting year (default the project's, else this year).
    sponge_gap_order : {'fewest', 'storage'}, optional
        Order of the sponge gap list (default ``[sponge] gap_order``, else ``fewest``).
    final : bool, optional
        The plan's final assessment (总结评估); default when the reporting year is the plan's target
        year or later (:func:`sxgeo.report.make_report`).

    Returns
    -------
    (list of pathlib.Path, ReportData)
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ctx = Context.from_project(project, layers=layers, lang=lang, maps=False, plan=plan_path)
    if year is not None:
        check_year("--year", year)
        ctx.year = year
    run = run_steps(ctx, project if project is not None else Project(None), skip=("overview",))
    return report_stage(
        ctx,
        project,
        run.tables,
        out,
        synthetic=run.synthetic,
        pdf=pdf,
        sponge_gap_order=sponge_gap_order,
        final=final,
    )
