"""The registry of capabilities: what ``sxgeo build`` runs, in order, and what each declares.

:data:`CAPABILITIES` replaces the step list, the project-file key table and the report's chain of
gap tables: the project file's keys are :data:`sxgeo.project.CORE_KEYS` plus every capability's
(:func:`capability_keys`), ``sxgeo build`` runs each capability whose inputs are named
(:func:`sxgeo.build.run_steps`), the report asks each for its gap tables (:func:`gap_tables`), and
a plan's ``computed_by`` must name a table and column a capability declares (:func:`check_computed`).

Adding a capability: a package ``sxgeo/<name>/`` with ``spec.py`` (its ``CAPABILITY``), then one
line here. The recipe is in ``docs/development.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sxgeo.capability import Capability, Key, ReportSection, Table, load
from sxgeo.carbon.spec import CAPABILITY as CARBON
from sxgeo.errors import SchemaError
from sxgeo.overview.spec import CAPABILITY as OVERVIEW
from sxgeo.parks.spec import CAPABILITY as PARKS
from sxgeo.pilots.spec import CAPABILITY as PILOTS
from sxgeo.pv.spec import CAPABILITY as PV
from sxgeo.sponge.spec import CAPABILITY as SPONGE

CAPABILITIES: tuple[Capability, ...] = (OVERVIEW, SPONGE, CARBON, PV, PARKS, PILOTS)
"""The capabilities ``sxgeo build`` runs, in this order (the report comes next)."""

BY_NAME: Mapping[str, Capability] = {c.name: c for c in CAPABILITIES}
"""Capability name -> capability."""

SECTION_TITLES: Mapping[str, tuple[str, str]] = {
    c.section: (c.title_en, c.title_zh) for c in CAPABILITIES if c.keys
}
"""Project-file section -> (English, Chinese) title, for the sections the capabilities own."""


def capability_keys() -> tuple[Key, ...]:
    """Every capability's project-file keys, in the order of :data:`CAPABILITIES`."""
    return tuple(k for c in CAPABILITIES for k in c.keys)


def declared_tables(capabilities: tuple[Capability, ...] = CAPABILITIES) -> dict[str, Table]:
    """Table name -> the declaration of every table a capability writes."""
    return {t.name: t for c in capabilities for t in c.tables}


def check_computed(
    items: Iterable[tuple[str, str, str]], capabilities: tuple[Capability, ...] = CAPABILITIES
) -> list[str]:
    """Problems of a plan's ``computed_by`` entries against the declared tables.

    Parameters
    ----------
    items : iterable of (indicator id, table, column)
        The plan's computed indicators.
    capabilities : tuple of Capability
        Whose tables count (default the registry).

    Returns
    -------
    list of str
        One line per indicator whose table is not a declared per-unit table, or whose column that
        table does not declare (empty: all fine).
    """
    tables = declared_tables(capabilities)
    problems = []
    for ind, table, column in items:
        spec = tables.get(table.removeprefix("demo_"))
        if spec is None:
            known = ", ".join(sorted(t for t, s in tables.items() if s.per_unit))
            problems.append(
                f"{ind}: computed_by table {table!r} is not a table sxgeo writes (per-unit: {known})"
            )
        elif not spec.per_unit:
            problems.append(
                f"{ind}: computed_by table {table!r} is not a per-unit table (one row per county)"
            )
        elif column not in spec.columns:
            cols = ", ".join(spec.columns)
            problems.append(
                f"{ind}: computed_by column {column!r} 不在 {table} 中 · is not in {table} (declared: {cols})"
            )
    return problems


def check_plan(plan: Any, capabilities: tuple[Capability, ...] = CAPABILITIES) -> None:
    """Refuse a plan whose ``computed_by`` names a table or column no capability writes.

    Parameters
    ----------
    plan : sxgeo.plan.Plan
        The loaded registry.
    capabilities : tuple of Capability
        Whose tables count (default the registry).

    Raises
    ------
    SchemaError
        Naming the registry and every wrong indicator.
    """
    items = [
        (ind.id, ind.computed_by.table, ind.computed_by.column)
        for ind in plan.indicators
        if ind.computed_by is not None
    ]
    problems = check_computed(items, capabilities)
    if problems:
        msg = f"{Path(plan.path).name}: " + "; ".join(problems)
        raise SchemaError(msg)


def gap_tables(data: Any, tables: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """Every capability's 'what would close the gap' tables (title -> table), in registry order.

    Parameters
    ----------
    data : sxgeo.report.model.ReportData
        The judged indicators (status, plan, targets, units).
    tables : mapping
        The run's tables by name.
    settings : mapping
        Options of the hooks (``sponge_gap_order``).

    Returns
    -------
    dict
    """
    out: dict[str, Any] = {}
    for cap in CAPABILITIES:
        if cap.gap is not None:
            out |= load(cap.gap)(data, tables, settings)
    return out


def report_sections(data: Any, tables: Mapping[str, Any], settings: Mapping[str, Any]) -> list[ReportSection]:
    """Every capability's own report sections (:attr:`Capability.report_section`), in registry order.

    Parameters
    ----------
    data : sxgeo.report.model.ReportData
        The judged indicators (plan, targets, units, the interactive maps' file names).
    tables : mapping
        The run's tables by name.
    settings : mapping
        Options of the hooks.

    Returns
    -------
    list of ReportSection
    """
    out: list[ReportSection] = []
    for cap in CAPABILITIES:
        if cap.report_section is not None:
            out += load(cap.report_section)(data, tables, settings)
    return out


__all__ = [
    "BY_NAME",
    "CAPABILITIES",
    "SECTION_TITLES",
    "capability_keys",
    "check_computed",
    "check_plan",
    "declared_tables",
    "gap_tables",
    "report_sections",
]
