"""The plan's progress report: indicator registry, history of values, status methods, HTML/PDF/XLSX.

:mod:`sxgeo.plan` reads a plan's indicators (YAML) and its targets, :mod:`sxgeo.report.history`
keeps the values by year, :mod:`sxgeo.report.status` judges each value against its target, and
:mod:`sxgeo.report.page` writes ``index.html`` (offline, inline SVG), ``report.pdf`` and XLSX.

The report is a pure consumer: it receives the plan's targets (the project's override merged in),
the build's tables and the counties, and imports neither :mod:`sxgeo.build` nor the pipelines;
``sxgeo report`` is :func:`sxgeo.build.run_report` (the build's steps in report-only mode).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sxgeo import labels as sxlabels
from sxgeo.admin import CITY_CODE
from sxgeo.capabilities import report_sections
from sxgeo.errors import SchemaError
from sxgeo.io import write_workbook
from sxgeo.io.writers import write_text
from sxgeo.outputs import Outputs
from sxgeo.plan import Plan, Targets, TargetsLike, load_plan, targets_table
from sxgeo.project import resolve
from sxgeo.report.dashboard import computed_counts, dashboard_table, top_parks
from sxgeo.report.final import FINAL_FILE, final_conclusions, final_table, write_final_table
from sxgeo.report.gaps import gap_tables
from sxgeo.report.history import (
    HISTORY_FILE,
    append_history,
    computed_values,
    input_checksums,
    read_history,
    with_history_baselines,
)
from sxgeo.report.model import ReportData, fill_computed, status_table, unit_target_of
from sxgeo.report.page import fmt, render_html
from sxgeo.report.pdf import pdf_available, write_pdf

if TYPE_CHECKING:
    import geopandas as gpd

    from sxgeo.project import Project

log = logging.getLogger(__name__)

REFERENCE_INDICATORS = ("forest_cover", "wetland_protection_rate")
"""Indicators the dashboard shows beside the city target (参照全市目标), per county."""

REPORT_DIR = "report"
"""Folder of the report inside a build's output folder."""

STATUS_LABELS_ZH = {**{name: pair[0] for name, pair in sxlabels.COLUMNS.items()}, "status": "状态代码"}
"""Chinese headers of the report's XLSX (from the one label table, :data:`sxgeo.labels.COLUMNS`)."""


def _write_text(path: Path, text: str) -> Path:
    """Write *text* atomically with the user's normal file mode (:func:`sxgeo.io.writers.write_text`)."""
    return write_text(path, text)


def summary_matrix(data: ReportData, *, lang: str = "zh") -> pd.DataFrame:
    """The summary table as a frame: one row per indicator, one 'value / target status' column per unit."""
    st = data.status
    name = "name_zh" if lang == "zh" else "name_en"
    unit_col = "unit_name" if lang == "zh" else "unit_name_en"
    label = "label_zh" if lang == "zh" else "label_en"

    text = st.assign(
        cell=[
            f"{fmt(v)} / {fmt(t)} {lab}"
            for v, t, lab in zip(st["value"], st["target"], st[label], strict=True)
        ]
    )
    wide = text.pivot(index=["indicator", name, "unit"], columns=unit_col, values="cell")
    order = list(dict.fromkeys(text[unit_col]))
    ind_order = list(dict.fromkeys(text["indicator"]))
    wide = wide[order].reset_index()
    return wide.set_index("indicator").loc[ind_order].reset_index()


def write_report(
    data: ReportData,
    out: str | Path,
    *,
    pdf: bool = True,
    lang: str = "zh",
) -> list[Path]:
    """Write ``index.html``, ``report.pdf`` and the XLSX of the report into the folder *out*.

    Parameters
    ----------
    data : ReportData
        What to show (:func:`make_report`).
    out : str or pathlib.Path
        Folder (created).
    pdf : bool
        Also write ``report.pdf`` (needs WeasyPrint; skipped with a warning when missing).
    lang : {'zh', 'en'}
        Leading language.

    Returns
    -------
    list of pathlib.Path
        ``index.html``, ``report.pdf`` (when made), ``final_assessment.csv`` (a final assessment)
        and the XLSX (a final assessment adds its ``final`` and ``final_conclusions`` sheets).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    html = render_html(data, lang=lang)
    written = [_write_text(out / "index.html", html)]
    if pdf:
        if pdf_available():
            written.append(write_pdf(html, out / "report.pdf"))
        else:
            log.warning(
                "未生成 report.pdf：需要 WeasyPrint 及系统库 · report.pdf skipped: "
                "pip install 'sxgeo[report]' and "
                "apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk"
            )
    final = {"final": data.final, "final_conclusions": data.conclusions} if data.is_final else {}
    if data.is_final:
        written.append(write_final_table(data.final, out))
    tables = {
        **final,
        "summary_zh": summary_matrix(data, lang="zh"),
        "summary_en": summary_matrix(data, lang="en"),
        "status": data.status,
        "history": data.history,
        **{f"gap_{i + 1}": t for i, t in enumerate(data.gaps.values())},
        **{name: t for s in data.sections for name, t in s.sheets.items()},
    }
    years = {
        str(c): f"{str(c).removeprefix('value_')}年数值"
        for c in data.final.columns
        if str(c).startswith("value_")
    }
    book = Outputs(
        "report",
        tables=tables,
        labels_zh={**STATUS_LABELS_ZH, **years},
        notes=[
            f"plan: {data.plan.name_zh} ({data.plan.path})",
            *(["规划草案 draft: targets marked pending (待定) are not graded"] if data.plan.draft else []),
            *(
                [
                    f"总结评估 final assessment {data.plan.start_year}-{data.plan.target_year}: "
                    f"sheets final, final_conclusions; {FINAL_FILE}"
                ]
                if data.is_final
                else []
            ),
            f"data date {data.data_date}",
            *data.gaps,
        ],
        synthetic=data.synthetic,
    )

    written.append(
        write_workbook(
            book.tables, out / book.file_name("report.xlsx"), labels_zh=book.labels_zh, notes=book.notes
        )
    )
    return written


def make_report(
    plan: Plan,
    history: pd.DataFrame,
    units: gpd.GeoDataFrame,
    *,
    year: int,
    tables: Mapping[str, pd.DataFrame] | None = None,
    title: str = "",
    synthetic: bool = False,
    links: list[str] | None = None,
    sponge_gap_order: str = "fewest",
    targets: TargetsLike = None,
    final: bool | None = None,
) -> ReportData:
    """Judge every indicator and gather what the report shows.

    Parameters
    ----------
    plan : Plan
        The registry.
    history : pandas.DataFrame
        Values by year (:func:`sxgeo.report.history.read_history`), including this build's.
    units : geopandas.GeoDataFrame
        Counties.
    year : int
        Reporting year.
    tables : mapping, optional
        The build's tables (for the gap tables).
    title : str
        Project name.
    synthetic : bool
        Made from synthetic inputs.
    links : list of str, optional
        Interactive map file names beside the report folder.
    sponge_gap_order : {'fewest', 'storage'}
        Order of the sponge gap list (:data:`sxgeo.report.gaps.SPONGE_ORDERS`).
    targets : sxgeo.plan.Targets or pandas.DataFrame, optional
        The targets every unit is judged against (the project's override merged in); default the
        plan's own (:func:`sxgeo.plan.targets_table`).
    final : bool, optional
        Make the plan's final assessment (总结评估, :mod:`sxgeo.report.final`); default when the
        reporting year is the plan's target year or later.

    Returns
    -------
    ReportData
    """
    table = targets_table(plan) if targets is None else targets
    status = status_table(plan, history, units, year, targets=table)
    upto = history[history["year"] <= year] if not history.empty else history
    data = ReportData(
        # the baselines the registry leaves empty (the 15th plan's 2025) shown from the history
        with_history_baselines(plan, upto),
        status,
        history,
        units,
        year,
        title=title,
        synthetic=synthetic,
        links=links or [],
        targets=table if isinstance(table, Targets) else Targets(plan, table),
    )
    data.gaps = gap_tables(data, tables or {}, sponge_order=sponge_gap_order)
    # after the gap tables, which work from the entered values: the computed counts fill the rest
    data.status = fill_computed(status, computed_counts(tables or {}), year)
    refs = {
        k: unit_target_of(ind, CITY_CODE, table)
        for k in REFERENCE_INDICATORS
        if (ind := plan.get(k)) is not None
    }
    data.dashboard = dashboard_table(data, tables or {}, city_targets=refs)
    data.parks = top_parks(tables or {})
    data.previous = _previous_plan(plan)
    if final or (final is None and year >= plan.target_year):
        data.final = final_table(plan, upto, units["adcode"], targets=table)
        data.conclusions = final_conclusions(data.final)
    data.sections = report_sections(data, tables or {}, {})
    return data


def _previous_plan(plan: Plan) -> Plan | None:
    """The plan *plan* follows (``previous``), or None when it names none or it does not load."""
    if not plan.previous or plan.previous == plan.id:
        return None
    try:
        return load_plan(plan.previous)
    except (SchemaError, OSError):
        log.warning("plan %s: previous plan %r not found; its targets are not marked", plan.id, plan.previous)
        return None


def _plan_and_targets(
    ctx: Any, project: Project | None, plan_path: str | Path | None
) -> tuple[Plan, Targets]:
    """The plan and the targets of a run: the context's (override merged in) unless a plan is named."""
    given = getattr(ctx, "targets", None)
    if plan_path is None and isinstance(given, Targets):
        return given.plan, given
    if plan_path is None and project is not None:
        spec = project.get("project", "plan")
        plan_path = getattr(spec, "path", spec)
    plan = load_plan(plan_path)
    if isinstance(given, pd.DataFrame):
        return plan, Targets(plan, given)
    return plan, Targets(plan, targets_table(plan))


def report_stage(
    ctx: Any,
    project: Project | None,
    tables: Mapping[str, pd.DataFrame],
    folder: Path,
    *,
    history_from: Path | None = None,
    report_dir: Path | None = None,
    synthetic: bool = False,
    plan_path: str | Path | None = None,
    pdf: bool = True,
    sponge_gap_order: str | None = None,
    final: bool | None = None,
) -> tuple[list[Path], ReportData]:
    """Append this run's values to the history in *folder* and write the report.

    Parameters
    ----------
    ctx : Context
        The run context: units, year, lang and the targets (the project's override merged in).
    project : Project or None
        For input checksums, the project name and ``[project] plan``.
    tables : mapping
        Every table the run made, by name.
    folder : pathlib.Path
        Where ``indicator_history.csv`` is written (and read, when there is one).
    history_from : pathlib.Path, optional
        An earlier history copied into *folder* first (a build's output folder).
    report_dir : pathlib.Path, optional
        Where the report pages go (default *folder*).
    synthetic : bool
        Inputs were synthetic.
    plan_path : str or pathlib.Path, optional
        Plan registry; default the context's targets' plan.
    pdf : bool
        Write ``report.pdf``.
    sponge_gap_order : {'fewest', 'storage'}, optional
        Order of the sponge gap list (default ``[sponge] gap_order``, else ``fewest``).
    final : bool, optional
        The plan's final assessment (default: when the reporting year is the plan's target year or later).

    Returns
    -------
    (list of pathlib.Path, ReportData)
        Files written and the report data.
    """
    plan, targets = _plan_and_targets(ctx, project, plan_path)
    year = int(ctx.year or dt.date.today().year)
    history_path = folder / HISTORY_FILE
    if history_from is not None and history_from.exists():
        shutil.copyfile(history_from, history_path)
    rows = computed_values(plan, tables, year=year, checksums=input_checksums(project))
    append_history(history_path, rows)
    history = read_history(history_path, plan)
    links = sorted(p.name for p in folder.glob("*.html")) if report_dir is not None else []
    title = project.name if project is not None and project.name else ""
    data = make_report(
        plan,
        history,
        ctx.units,
        year=year,
        tables=tables,
        title=title,
        synthetic=synthetic,
        links=links,
        targets=targets,
        sponge_gap_order=str(resolve(sponge_gap_order, project, "sponge", "gap_order", "fewest")[0]),
        final=final,
    )
    written = write_report(data, report_dir or folder, pdf=pdf, lang=ctx.lang)
    return [history_path, *written], data


def build_stage(
    ctx: Any,
    project: Project | None,
    tables: Mapping[str, pd.DataFrame],
    staging: Path,
    out: Path,
    *,
    synthetic: bool = False,
    plan_path: str | Path | None = None,
    pdf: bool = True,
) -> tuple[list[Path], ReportData]:
    """The report step of ``sxgeo build``: extend the history of *out*, write ``report/`` in *staging*.

    Parameters
    ----------
    ctx : Context
        The run context (units, year, lang, targets).
    project : Project or None
        For input checksums, the project name and ``[project] plan``.
    tables : mapping
        Every table the build made, by name.
    staging : pathlib.Path
        The build's staging folder (history and ``report/`` are written there).
    out : pathlib.Path
        The final output folder (an existing history there is read and extended).
    synthetic : bool
        Inputs were synthetic.
    plan_path : str or pathlib.Path, optional
        Plan registry (default the context's targets' plan, else the project's ``[project] plan``).
    pdf : bool
        Write ``report.pdf``.

    Returns
    -------
    (list of pathlib.Path, ReportData)
        Files written (in *staging*) and the report data.
    """
    return report_stage(
        ctx,
        project,
        tables,
        staging,
        history_from=out / HISTORY_FILE,
        report_dir=staging / REPORT_DIR,
        synthetic=synthetic,
        plan_path=plan_path,
        pdf=pdf,
    )


def __getattr__(name: str) -> object:
    """Re-export shim for one release: ``run_report`` moved to :func:`sxgeo.build.run_report`.

    Resolved when asked for, so that the report package itself never imports the build.
    """
    if name == "run_report":
        return importlib.import_module("sxgeo.build").run_report
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
