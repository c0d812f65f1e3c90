"""``sxgeo plan check``: every problem of a plan registry, one line each.

:func:`sxgeo.plan.load_plan` stops at the first problem; a planner writing their own registry (the
15th plan's targets when the city publishes them) wants them all at once. :func:`check_registry`
reads the file as the loader does, entry by entry, and adds what the loader cannot know alone:

- ``computed_by`` against the tables the capabilities declare (:func:`sxgeo.capabilities.check_computed`);
- per-unit codes that are no reporting unit (a county adcode, ``330600-urban``, ``330600``);
- a year outside the plan's period, a target figure without a source;
- an indicator continuing the previous shipped plan (same id or ``continues``) in another unit, or
  ``continues`` naming an id the previous plan does not have (the history would not join).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sxgeo.admin import CITY_CODE, COUNTY_BY_CODE, URBAN_CODE
from sxgeo.capabilities import check_computed
from sxgeo.configtext import safe_load_fast
from sxgeo.errors import SchemaError
from sxgeo.plan import Indicator, Plan, load_plan, parse_indicator, shipped_plan_path

UNIT_CODES = frozenset({CITY_CODE, URBAN_CODE, *COUNTY_BY_CODE})
"""Unit codes a registry's ``unit_targets`` / ``unit_baselines`` may name."""


def _read(path: str | Path) -> tuple[str, Any]:
    shipped = shipped_plan_path(str(path)) if not Path(path).exists() else None
    p = shipped if shipped is not None else Path(path)
    if not p.is_file():
        msg = f"{path}: no such file; give a plan registry YAML or a shipped plan id (shaoxing_15th)"
        raise SchemaError(msg)
    try:
        return p.name, safe_load_fast(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        msg = f"{p.name}: not valid YAML ({str(exc).splitlines()[0]})"
        raise SchemaError(msg) from None


def _indicator_problems(ind: Indicator, plan: Plan, previous: Plan | None, name: str) -> list[str]:
    where = f"{name}: indicator {ind.id}"
    out = []
    if not plan.start_year <= ind.baseline_year < ind.target_year <= plan.target_year:
        out.append(
            f"{where}: years {ind.baseline_year}-{ind.target_year} are outside the plan's "
            f"{plan.start_year}-{plan.target_year}"
        )
    for field, codes in (("unit_targets", ind.unit_targets), ("unit_baselines", ind.unit_baselines)):
        bad = sorted(set(codes) - UNIT_CODES)
        if bad:
            out.append(f"{where}: {field} names {bad}, not a county adcode, {URBAN_CODE} or {CITY_CODE}")
    has_figure = ind.target is not None or bool(ind.unit_targets)
    if has_figure and (not ind.source.strip() or ind.source.strip().lower().startswith("pending")):
        out.append(f"{where}: a target figure needs its source (document and section), not {ind.source!r}")
    if previous is not None:
        before = previous.get(ind.history_id)
        if ind.continues and before is None:
            out.append(f"{where}: continues {ind.continues!r}, which plan {previous.id} does not have")
        elif before is not None and before.unit != ind.unit:
            out.append(
                f"{where}: unit {ind.unit!r} differs from {before.unit!r} in plan {previous.id} "
                "(one history per indicator and unit: use the same unit or a new id)"
            )
    return out


def check_registry(path: str | Path) -> list[str]:
    """Every problem of a plan registry, one line each (empty: the registry is fine).

    Parameters
    ----------
    path : str or pathlib.Path
        A registry YAML, or a shipped plan id (``shaoxing_15th``).

    Returns
    -------
    list of str
        Lines ``<file>: indicator <id>: <problem>`` (or ``<file>: <problem>`` for the plan table).
    """
    try:
        name, raw = _read(path)
    except SchemaError as exc:
        return [str(exc)]
    if not isinstance(raw, dict) or not isinstance(raw.get("plan"), dict):
        return [f"{name}: a plan registry needs a 'plan' table and an 'indicators' list"]
    head = raw["plan"]
    entries = raw.get("indicators")
    problems: list[str] = []
    try:
        load_plan(path)
    except SchemaError as exc:
        if not str(exc).startswith(f"{name}: indicator"):
            problems.append(str(exc))  # a problem of the plan table, found before the indicators
    years_ok = all(
        isinstance(head.get(k), int) and not isinstance(head.get(k), bool)
        for k in ("start_year", "target_year")
    )
    if not years_ok or not isinstance(entries, list) or not all(isinstance(r, dict) for r in entries):
        return problems or [f"{name}: indicators must be a list of tables (- id: ...)"]
    parsed = []
    for i, entry in enumerate(entries):
        try:
            parsed.append(parse_indicator(entry, head, name, i))
        except SchemaError as exc:
            problems.append(str(exc))
    ids = [str(e.get("id")) for e in entries]
    problems += [
        f"{name}: indicator id {x!r} appears {ids.count(x)} times"
        for x in sorted(set(ids))
        if ids.count(x) > 1
    ]
    plan = Plan(
        id=str(head.get("id", Path(name).stem)),
        name_zh="",
        name_en="",
        source="",
        start_year=head["start_year"],
        target_year=head["target_year"],
        indicators=tuple(parsed),
        previous=str(head.get("previous", "")),
    )
    previous = None
    if plan.previous:
        try:
            previous = load_plan(plan.previous)
        except SchemaError:
            problems.append(f"{name}: previous plan {plan.previous!r} is not a shipped plan id or a file")
    for ind in plan.indicators:
        problems += _indicator_problems(ind, plan, previous, name)
    items = [
        (ind.id, ind.computed_by.table, ind.computed_by.column)
        for ind in plan.indicators
        if ind.computed_by is not None
    ]
    problems += [f"{name}: indicator {line}" for line in check_computed(items)]
    return problems
