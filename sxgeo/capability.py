"""What a capability declares about itself: its project-file keys, inputs, tables, gap hook and map view.

A capability (sponge city, carbon sinks, rooftop PV, pilot siting, the county overview) is a
package ``sxgeo/<name>/`` holding its formulas, ``pipeline.py``, ``gaps.py``, ``view.py`` and a
``spec.py`` whose ``CAPABILITY`` is a :class:`Capability`. :mod:`sxgeo.capabilities` lists them;
``sxgeo build`` walks that list, the project file's keys are assembled from it, the report asks
each capability for its gap tables and its own sections (:class:`ReportSection`), and the plan's
``computed_by`` tables are checked against the tables declared here.

A spec is a declaration: it imports nothing but this module, and names the code that runs as
``"module:attribute"`` strings, loaded only when the capability runs. Reading the specs (for
``sxgeo init``, the project file's validation, ``--help``) therefore costs no heavy import.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sxgeo.errors import SxgeoError


@dataclass(frozen=True)
class Key:
    """One key of the project file.

    Attributes
    ----------
    section, name : str
        Where it lives: ``[section] name = ...``.
    kind : str
        ``input`` (a file: path or table), ``int``, ``float``, ``str``, ``bool``.
    en, zh : str
        What it means, in English and Chinese (the template's comments).
    example : str
        The value shown in the template (TOML text).
    """

    section: str
    name: str
    kind: str
    en: str
    zh: str
    example: str = ""


@dataclass(frozen=True)
class Table:
    """A table a capability writes (``<name>.csv`` and the other formats of ``-o``).

    Column units are in the column names (``_km2``, ``_tc``, ``_mwp``, ``_pct``; see
    ``docs/glossary.md``); a per-unit table has one row per county plus ``330600``.

    Attributes
    ----------
    name : str
        File stem, e.g. ``sponge_coverage`` (``demo_`` is prefixed when the inputs are synthetic).
    en, zh : str
        What it holds.
    per_unit : bool
        One row per reporting unit (``unit_code``), as the plan's ``computed_by`` needs.
    columns : tuple of str
        The columns the plan registry may name in ``computed_by`` (others may exist too).
    """

    name: str
    en: str
    zh: str
    per_unit: bool = False
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportSection:
    """A section a capability adds to the report (its ``report_section`` hook's result).

    Attributes
    ----------
    id : str
        HTML id of the section (``parks``), unique in the page.
    title_zh, title_en : str
        Its heading.
    html : str
        The section, a self-contained ``<section>`` element (inline SVG, no script).
    sheets : mapping of str to pandas.DataFrame
        Sheets it adds to ``report.xlsx`` (name -> table; headers from :data:`sxgeo.labels.COLUMNS`).
    """

    id: str
    title_zh: str
    title_en: str
    html: str
    sheets: Mapping[str, Any] = field(default_factory=dict)


def load(target: str) -> Callable[..., Any]:
    """The function a ``"module:attribute"`` string names, imported now.

    Parameters
    ----------
    target : str
        e.g. ``"sxgeo.sponge.pipeline:run_project"``.

    Returns
    -------
    callable
    """
    module, _, attr = target.partition(":")
    if not module or not attr:
        msg = f"capability target {target!r}: write it as 'package.module:function'"
        raise SxgeoError(msg)
    value = getattr(importlib.import_module(module), attr)
    if not callable(value):
        msg = f"capability target {target!r} is not callable"
        raise SxgeoError(msg)
    return value


@dataclass(frozen=True)
class Capability:
    """A capability as ``sxgeo build``, the project file and the report see it.

    Attributes
    ----------
    name : str
        Package name (``sponge``).
    step : str
        Name in progress lines and 'skipped' messages (``sponge city``).
    section : str
        Project-file section of its keys.
    title_en, title_zh : str
        Section title of the project-file template.
    keys : tuple of Key
        Its project-file keys (section :attr:`section`).
    needs : tuple of tuple of str
        Alternative sets of input keys; it runs when any one set is fully named.
    run : str
        ``"module:function"``, ``function(ctx, project) -> list[Outputs]``.
    tables : tuple of Table
        The tables it writes.
    gap : str or None
        ``"module:function"``, ``function(data, tables, settings) -> {title: table}``: what would
        close each unit's gap (:mod:`sxgeo.report`), None when it has none.
    view : str or None
        ``"module:function"`` making its web map (for the docs and the QGIS styles).
    report_section : str or None
        ``"module:function"``, ``function(data, tables, settings) -> list[ReportSection]``: the
        capability's own sections of the report (:func:`sxgeo.capabilities.report_sections`),
        empty when its tables are not in the run; None when it has none.
    depends : tuple of str
        Capabilities whose inputs it also reads (pilot siting reads the others').
    """

    name: str
    step: str
    section: str
    title_en: str
    title_zh: str
    run: str
    keys: tuple[Key, ...] = ()
    needs: tuple[tuple[str, ...], ...] = ((),)
    tables: tuple[Table, ...] = ()
    gap: str | None = None
    view: str | None = None
    report_section: str | None = None
    depends: tuple[str, ...] = field(default_factory=tuple)

    def ready(self, project: Any) -> bool:
        """Whether *project* names the inputs of one of the capability's key sets."""
        return any(project.has(self.section, *keys) for keys in self.needs)

    def missing(self) -> str:
        """What the project would need, for the 'skipped' line."""
        return " or ".join(", ".join(f"[{self.section}] {k}" for k in keys) for keys in self.needs)

    def table(self, name: str) -> Table | None:
        """The declared table *name* (``demo_`` prefix allowed), or None."""
        stem = name.removeprefix("demo_")
        return next((t for t in self.tables if t.name == stem), None)
