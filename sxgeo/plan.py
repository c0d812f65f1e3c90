"""The plan: its indicators (one YAML registry per plan) and ONE rule for which unit has which target.

A plan's registry ships as ``sxgeo/data/plans/shaoxing_14th.yaml``. Each indicator has an id, zh/en
names, unit, kind (``binding`` 约束性 / ``expected`` 预期性), direction, baseline and target (year, value),
per-unit targets where the plan gives them, per-unit baselines (``unit_baselines``: a county's own
baseline-year value, cited or entered; else the history's baseline-year row, else the city's baseline
is used and the report says so), the source (document, section), a status method, and either
``computed_by`` (the per-unit table and column sxgeo makes) or ``entered`` (a value the planner enters
in ``indicator_history.csv``). A later plan is another file: its baseline is the previous plan's final
year (the 15th plan's 2030 targets with the 2025 values as baseline).

:class:`Targets` is the plan as a targets table with the project's ``[project] targets`` override
merged in; the per-unit tables (:func:`sxgeo.unit_table.attach_targets`), the maps and the report all
receive the same object and look figures up with :func:`unit_target`, whose rule is:

- the city (``330600``) has the city's figure;
- a county has its own figure, else its target group's (绍兴市区 ``330600-urban`` for 越城, 柯桥,
  上虞), else **none**: a county is judged only against a target the plan or the planner gives it,
  never against the city's (the plan's forest cover 55.16 % and wetland protection 60.6 % are
  city-wide figures);
- a baseline is given only for the unit it was measured on (no falling back at all).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, overload

import pandas as pd
import yaml

from sxgeo.admin import CITY_CODE, COUNTY_BY_CODE, URBAN_CODE, clean_code
from sxgeo.configtext import safe_load_fast
from sxgeo.errors import SchemaError
from sxgeo.io import read_table
from sxgeo.io._paths import require_file
from sxgeo.params import parse_numbers
from sxgeo.plan_files import SHIPPED_PLANS as SHIPPED_PLANS
from sxgeo.plan_files import shipped_plan_path as shipped_plan_path

log = logging.getLogger(__name__)

DEFAULT_PLAN = "shaoxing_14th.yaml"
"""File name of the shipped plan (in ``sxgeo/data/plans``)."""
STATUSES = ("draft", "adopted")
"""A plan file's status: ``draft`` (targets still to be completed; the report says so) or ``adopted``."""

KINDS = ("binding", "expected")
DIRECTIONS = ("increase", "decrease", "maintain")
METHODS = ("linear_time_share", "growth_rate_ratio", "trend_projection")
KIND_ZH = {"binding": "约束性", "expected": "预期性"}


@dataclass(frozen=True)
class Computed:
    """Where sxgeo computes an indicator: a per-unit table and its column.

    Attributes
    ----------
    table : str
        Table name as the pipeline names it (``sponge_coverage``; ``demo_`` prefix not included).
    column : str
        Value column.
    scale : float
        Factor from the column to the indicator's unit (``vegetation_tc`` x 1e-4 = 万 t C).
    section : str
        Project-file section whose inputs it comes from (for the input checksums).
    """

    table: str
    column: str
    scale: float = 1.0
    section: str = ""


@dataclass(frozen=True)
class Indicator:
    """One indicator of a plan.

    Attributes
    ----------
    id, name_zh, name_en, unit, kind, direction, source, method : str
        As in the registry file.
    baseline_year, target_year : int
        Years.
    baseline, target : float or None
        City values (None: the plan gives no figure).
    unit_targets : dict
        Unit code -> target value (counties, ``330600-urban``).
    unit_baselines : dict
        Unit code -> baseline-year value of that unit (a county's own baseline); a value in the
        history for the baseline year wins over it.
    computed_by : Computed or None
        None: entered by the planner, not computed.
    show : bool
        A row of the report (False: kept for the pipelines only).
    continues : str
        Id of the previous plan's indicator this one continues ("" : its own id, when the previous
        plan has it); the history joins both into one series (:func:`sxgeo.report.history.joined_series`).
    verify : bool
        The target figure comes from a secondary source and must be checked against the primary one.
    notes : tuple of str
        Anchors and remarks (national or provincial figures, each cited), shown beside the indicator.
    """

    id: str
    name_zh: str
    name_en: str
    unit: str
    kind: str
    direction: str
    baseline_year: int
    baseline: float | None
    target_year: int
    target: float | None
    source: str
    method: str = "linear_time_share"
    unit_targets: dict[str, float] = field(default_factory=dict)
    unit_baselines: dict[str, float] = field(default_factory=dict)
    computed_by: Computed | None = None
    show: bool = True
    continues: str = ""
    verify: bool = False
    notes: tuple[str, ...] = ()

    @property
    def history_id(self) -> str:
        """The id its series is kept under across plans (``continues``, else its own id)."""
        return self.continues or self.id

    @property
    def entered(self) -> bool:
        """Whether the planner enters the value (not computed by sxgeo)."""
        return self.computed_by is None


@dataclass(frozen=True)
class Plan:
    """A plan's registry.

    Attributes
    ----------
    id, name_zh, name_en, source : str
        The plan.
    start_year, target_year : int
        Baseline and target years of the plan period.
    indicators : tuple of Indicator
        In the file's order.
    path : str
        Where it was read from.
    status : str
        ``adopted`` (default) or ``draft`` (:data:`STATUSES`; the report header shows a draft).
    notes : tuple of str
        Remarks on the whole plan (the frame it sits in, what is still pending).
    previous : str
        Id of the plan it follows (``shaoxing_14th`` for the 15th), "" when none.
    """

    id: str
    name_zh: str
    name_en: str
    source: str
    start_year: int
    target_year: int
    indicators: tuple[Indicator, ...]
    path: str = ""
    status: str = "adopted"
    notes: tuple[str, ...] = ()
    previous: str = ""

    @property
    def draft(self) -> bool:
        """Whether the plan file is a draft (targets still to be completed)."""
        return self.status == "draft"

    def get(self, indicator_id: str) -> Indicator | None:
        """The indicator of that id, or None."""
        return next((i for i in self.indicators if i.id == indicator_id), None)


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        msg = f"{where}: {value!r} is not a number (write a number or null)"
        raise SchemaError(msg) from None


def _new_fields(
    raw: dict[str, Any], base: dict[str, Any], target: dict[str, Any], plan: dict[str, Any], where: str
) -> tuple[str, dict[str, int], str, bool, tuple[str, ...]]:
    """Unit, years, ``continues``, ``verify`` and ``notes`` of an entry, validated."""
    unit = str(raw["unit"]).strip()
    if not unit:
        msg = f'{where}: unit is empty (write the unit the values are in, e.g. "%" or MW)'
        raise SchemaError(msg)
    years = {}
    for key, table, default in (
        ("baseline", base, plan["start_year"]),
        ("target", target, plan["target_year"]),
    ):
        year = table.get("year", default)
        if isinstance(year, bool) or not isinstance(year, int):
            msg = f"{where}: {key} year {year!r} is not a whole year (write e.g. {default})"
            raise SchemaError(msg)
        years[key] = year
    if years["baseline"] >= years["target"]:
        msg = f"{where}: baseline year {years['baseline']} is not before target year {years['target']}"
        raise SchemaError(msg)
    continues = raw.get("continues", "")
    if not isinstance(continues, str):
        msg = f"{where}: continues {continues!r} must be the previous plan's indicator id (text)"
        raise SchemaError(msg)
    verify = raw.get("verify", False)
    if not isinstance(verify, bool):
        msg = f"{where}: verify {verify!r} must be true or false"
        raise SchemaError(msg)
    notes = _notes(raw.get("notes"), where)
    return unit, years, continues, verify, notes


def parse_indicator(raw: dict[str, Any], plan: dict[str, Any], name: str, i: int) -> Indicator:
    """One registry entry as an :class:`Indicator` (*plan*: the file's plan table; *i*: its index).

    Raises
    ------
    SchemaError
        One line naming the file, the indicator and the field.
    """
    where = f"{name}: indicator {raw.get('id', i + 1)}"
    missing = [k for k in ("id", "name_zh", "name_en", "unit", "kind", "target") if k not in raw]
    if missing:
        msg = f"{where} lacks {missing} (see sxgeo/data/plans/{DEFAULT_PLAN})"
        raise SchemaError(msg)
    kind = str(raw["kind"])
    direction = str(raw.get("direction", "increase"))
    method = str(raw.get("method", "linear_time_share"))
    for value, allowed, key in (
        (kind, KINDS, "kind"),
        (direction, DIRECTIONS, "direction"),
        (method, METHODS, "method"),
    ):
        if value not in allowed:
            msg = f"{where}: {key} {value!r} is not one of {list(allowed)}"
            raise SchemaError(msg)
    base = raw.get("baseline") or {}
    if not isinstance(base, dict):
        base = {"value": base}
    target = raw["target"] if isinstance(raw["target"], dict) else {"value": raw["target"]}
    comp = raw.get("computed_by", "entered")
    computed = None
    if isinstance(comp, dict):
        if "table" not in comp or "column" not in comp:
            msg = f"{where}: computed_by needs table and column (or write computed_by: entered)"
            raise SchemaError(msg)
        computed = Computed(
            str(comp["table"]),
            str(comp["column"]),
            float(comp.get("scale", 1.0)),
            str(comp.get("section", str(comp["table"]).split("_")[0])),
        )
    elif comp != "entered":
        msg = f"{where}: computed_by {comp!r}: give {{table, column}} or entered"
        raise SchemaError(msg)
    per_unit: dict[str, dict[str, float]] = {"unit_targets": {}, "unit_baselines": {}}
    for key, values in per_unit.items():
        raw_values = raw.get(key) or {}
        if not isinstance(raw_values, dict):
            msg = f'{where}: {key} must map unit codes to numbers ({{"330681": 50}})'
            raise SchemaError(msg)
        for code, value in raw_values.items():
            number = _number(value, f"{where} {key} {code}")
            if number is not None:
                values[str(code)] = number
    unit, years, continues, verify, notes = _new_fields(raw, base, target, plan, where)
    return Indicator(
        id=str(raw["id"]),
        name_zh=str(raw["name_zh"]),
        name_en=str(raw["name_en"]),
        unit=unit,
        kind=kind,
        direction=direction,
        baseline_year=years["baseline"],
        baseline=_number(base.get("value"), f"{where} baseline"),
        target_year=years["target"],
        target=_number(target.get("value"), f"{where} target"),
        source=str(raw.get("source", plan.get("source", ""))),
        method=method,
        unit_targets=per_unit["unit_targets"],
        unit_baselines=per_unit["unit_baselines"],
        computed_by=computed,
        show=bool(raw.get("show", True)),
        continues=continues.strip(),
        verify=verify,
        notes=notes,
    )


def _notes(raw: Any, where: str) -> tuple[str, ...]:
    """``notes``: one text or a list of texts."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, list) and all(isinstance(n, str) for n in raw):
        return tuple(raw)
    msg = f"{where}: notes must be a text or a list of texts (got {raw!r})"
    raise SchemaError(msg)


def load_plan(path: str | Path | None = None) -> Plan:
    """Read a plan's indicator registry.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A registry YAML, or the id of a shipped plan (:data:`SHIPPED_PLANS`, ``shaoxing_15th``);
        default the shipped 14th plan (``sxgeo/data/plans/shaoxing_14th.yaml``).

    Returns
    -------
    Plan

    Raises
    ------
    SchemaError
        When the file is not a registry (names the file, indicator and field).
    """
    shipped = DEFAULT_PLAN if path is None else None
    if path is not None and not Path(path).exists() and shipped_plan_path(str(path)) is not None:
        shipped = f"{str(path).removesuffix('.yaml')}.yaml"
    if shipped is not None or path is None:
        shipped = shipped or DEFAULT_PLAN
        text = resources.files("sxgeo.data").joinpath("plans", shipped).read_text(encoding="utf-8")
        name = shipped
    else:
        p = require_file(path, hint="give a plan registry YAML (see sxgeo/data/plans)")
        text = p.read_text(encoding="utf-8")
        name = p.name
    try:
        raw = safe_load_fast(text)
    except yaml.YAMLError as exc:
        msg = f"{name}: not valid YAML ({str(exc).splitlines()[0]})"
        raise SchemaError(msg) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("plan"), dict) or not raw.get("indicators"):
        msg = f"{name}: a plan registry needs a 'plan' table and an 'indicators' list (see {DEFAULT_PLAN})"
        raise SchemaError(msg)
    head = raw["plan"]
    for key in ("start_year", "target_year"):
        if key not in head:
            msg = f"{name}: plan lacks {key}"
            raise SchemaError(msg)
        if isinstance(head[key], bool) or not isinstance(head[key], int):
            msg = f"{name}: plan {key} {head[key]!r} is not a whole year"
            raise SchemaError(msg)
    if head["start_year"] >= head["target_year"]:
        msg = f"{name}: plan start_year {head['start_year']} is not before target_year {head['target_year']}"
        raise SchemaError(msg)
    status = str(head.get("status", "adopted"))
    if status not in STATUSES:
        msg = f"{name}: plan status {status!r} is not one of {list(STATUSES)}"
        raise SchemaError(msg)
    if not isinstance(raw["indicators"], list) or not all(isinstance(r, dict) for r in raw["indicators"]):
        msg = f"{name}: indicators must be a list of tables (- id: ...)"
        raise SchemaError(msg)
    indicators = tuple(parse_indicator(r, head, name, i) for i, r in enumerate(raw["indicators"]))
    ids = [i.id for i in indicators]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        msg = f"{name}: indicator ids {dup} appear twice"
        raise SchemaError(msg)
    return Plan(
        id=str(head.get("id", Path(name).stem)),
        name_zh=str(head.get("name_zh", name)),
        name_en=str(head.get("name_en", name)),
        source=str(head.get("source", "")),
        start_year=int(head["start_year"]),
        target_year=int(head["target_year"]),
        indicators=indicators,
        path=f"sxgeo/data/plans/{name}" if shipped is not None else str(path),
        status=status,
        notes=_notes(head.get("notes"), f"{name}: plan"),
        previous=str(head.get("previous", "")),
    )


def targets_table(plan: Plan) -> pd.DataFrame:
    """The registry as the targets table (:data:`TARGET_COLUMNS`).

    Parameters
    ----------
    plan : Plan
        A registry.

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator, unit_code, year, value, unit, kind, source``: one row per target
        (city, then per-unit) and one ``kind = baseline`` row per baseline (city, then per-unit).
    """
    rows = []
    for ind in plan.indicators:
        if ind.target is not None:
            rows.append((ind.id, CITY_CODE, ind.target_year, ind.target, ind.unit, ind.kind, ind.source))
        rows.extend(
            (ind.id, code, ind.target_year, value, ind.unit, ind.kind, ind.source)
            for code, value in ind.unit_targets.items()
        )
        if ind.baseline is not None:
            rows.append(
                (ind.id, CITY_CODE, ind.baseline_year, ind.baseline, ind.unit, "baseline", ind.source)
            )
        rows.extend(
            (ind.id, code, ind.baseline_year, value, ind.unit, "baseline", ind.source)
            for code, value in ind.unit_baselines.items()
        )
    table = pd.DataFrame(rows, columns=list(TARGET_COLUMNS))
    table["unit_code"] = table["unit_code"].astype(str)
    return table


TARGET_COLUMNS = ("indicator", "unit_code", "year", "value", "unit", "kind", "source")
"""Columns of the targets table."""


@dataclass(frozen=True)
class Targets:
    """The plan's figures with the project's override merged in: what tables, maps and report read.

    Attributes
    ----------
    plan : Plan
        The registry (indicators, kinds, methods).
    table : pandas.DataFrame
        :data:`TARGET_COLUMNS`: the registry's rows, a planner's override rows replacing or adding to them.
    override : str
        The override file's name ("" without one).
    """

    plan: Plan
    table: pd.DataFrame
    override: str = ""

    def get(
        self, indicator: str, unit_code: str, *, kind: str | None = None, required: bool = False
    ) -> float | None:
        """The figure of *indicator* for *unit_code* (:func:`unit_target`; kind default the indicator's)."""
        if kind is None:
            ind = self.plan.get(indicator)
            kind = ind.kind if ind is not None else "expected"
        return unit_target(indicator, unit_code, kind=kind, targets=self, required=required)


TargetsLike = Targets | pd.DataFrame | None
"""What a ``targets=`` argument takes: a :class:`Targets`, its bare table, or None (the shipped plan)."""


def as_table(targets: TargetsLike) -> pd.DataFrame:
    """The targets table of *targets* (None: the shipped plan's).

    Parameters
    ----------
    targets : Targets, pandas.DataFrame or None
        The targets.

    Returns
    -------
    pandas.DataFrame
        :data:`TARGET_COLUMNS`.
    """
    if isinstance(targets, Targets):
        return targets.table
    return load_targets() if targets is None else targets


def _merge_override(table: pd.DataFrame, override: str | Path) -> pd.DataFrame:
    extra = read_table(override)
    missing = [c for c in ("indicator", "unit_code", "value", "kind") if c not in extra.columns]
    if missing:
        msg = f"{Path(override).name}: targets table lacks columns {missing} (see sxgeo init)"
        raise SchemaError(msg)
    extra = extra.assign(unit_code=extra["unit_code"].map(clean_code))
    extra["value"] = parse_numbers(extra, ["value"], source=Path(override).name, required=True)["value"]
    if "source" not in extra.columns:
        extra["source"] = f"override: {Path(override).name}"
    key = ["indicator", "unit_code", "kind"]
    kept = table.merge(extra[key], on=key, how="left", indicator=True)["_merge"].eq("left_only").to_numpy()
    log.info("targets: %d rows from %s", len(extra), Path(override).name)
    return pd.concat([table[kept], extra.reindex(columns=list(TARGET_COLUMNS))], ignore_index=True)


def load_plan_targets(override: str | Path | None = None, *, plan: str | Path | None = None) -> Targets:
    """The plan and its targets, with a planner's rows replacing or adding to the plan's.

    Parameters
    ----------
    override : str or pathlib.Path, optional
        A CSV with the columns ``indicator, unit_code, year, value, unit, kind, source`` (the
        project's ``[project] targets``); a row replaces the plan's row of the same
        ``indicator, unit_code, kind``.
    plan : str or pathlib.Path, optional
        The plan's indicator registry (YAML, :func:`load_plan`); default the shipped 14th plan.

    Returns
    -------
    Targets

    Raises
    ------
    SchemaError
        When the override lacks a column or holds a value that is not a number.
    """
    registry = load_plan(plan)
    table = targets_table(registry)
    if override is None:
        return Targets(registry, table)
    return Targets(registry, _merge_override(table, override), Path(override).name)


def load_targets(override: str | Path | None = None, *, plan: str | Path | None = None) -> pd.DataFrame:
    """The targets table alone (:func:`load_plan_targets` ``.table``).

    Parameters
    ----------
    override : str or pathlib.Path, optional
        A planner's targets CSV (see :func:`load_plan_targets`).
    plan : str or pathlib.Path, optional
        The plan's indicator registry; default the shipped 14th plan.

    Returns
    -------
    pandas.DataFrame
        :data:`TARGET_COLUMNS`.
    """
    return load_plan_targets(override, plan=plan).table


def plan_targets(indicator: str, *, targets: TargetsLike = None) -> pd.DataFrame:
    """The plan's figures for one indicator.

    Parameters
    ----------
    indicator : str
        For example ``"sponge_coverage"``.
    targets : Targets or pandas.DataFrame, optional
        The targets (:func:`load_plan_targets`); default the shipped plan's.

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator, unit_code, year, value, unit, kind, source``.
    """
    table = as_table(targets)
    rows = table[table["indicator"] == indicator]
    if rows.empty:
        msg = f"no plan figures for {indicator!r}; known: {sorted(table['indicator'].unique())}"
        raise SchemaError(msg)
    return rows.reset_index(drop=True)


def target_chain(unit_code: str, *, kind: str = "expected") -> list[str]:
    """The units whose figure stands for *unit_code*, nearest first: THE rule of the package.

    Parameters
    ----------
    unit_code : str
        A county adcode, ``330600-urban`` or ``330600``.
    kind : {'expected', 'binding', 'baseline'}
        Which figure.

    Returns
    -------
    list of str
        The unit itself; for a target (not a baseline), then its target group (绍兴市区 for the
        urban districts). Never the city for a county: the plan's city-wide figure is not a
        county's target.
    """
    chain = [unit_code]
    county = COUNTY_BY_CODE.get(unit_code)
    if kind != "baseline" and county is not None and county.target_group == "urban":
        chain.append(URBAN_CODE)
    return chain


@overload
def unit_target(
    indicator: str,
    unit_code: str,
    *,
    kind: str = ...,
    targets: TargetsLike = ...,
    required: Literal[True],
) -> float: ...


@overload
def unit_target(
    indicator: str,
    unit_code: str,
    *,
    kind: str = ...,
    targets: TargetsLike = ...,
    required: bool = ...,
) -> float | None: ...


def unit_target(
    indicator: str,
    unit_code: str,
    *,
    kind: str = "expected",
    targets: TargetsLike = None,
    required: bool = False,
) -> float | None:
    """The plan's (or the planner's) figure for a unit, by :func:`target_chain`.

    Parameters
    ----------
    indicator : str
        For example ``"sponge_coverage"``.
    unit_code : str
        A county adcode, ``330600-urban`` or ``330600``.
    kind : {'expected', 'binding', 'baseline'}
        Which figure.
    targets : Targets or pandas.DataFrame, optional
        The targets (:func:`load_plan_targets`); default the shipped plan's.
    required : bool
        Raise instead of returning ``None`` (a figure the computation cannot do without).

    Returns
    -------
    float or None
        The value, or ``None`` when neither the plan nor the planner gives that unit one.

    Raises
    ------
    SchemaError
        When *required* and the table has no figure.
    """
    table = as_table(targets)
    rows = table[(table["indicator"] == indicator) & (table["kind"] == kind)]
    codes = rows["unit_code"].astype(str)
    for code in target_chain(unit_code, kind=kind):
        hit = rows[codes == code]
        if not hit.empty:
            return float(hit["value"].iloc[0])
    if required:
        msg = (
            f"no {kind} figure for {indicator!r} at {unit_code} in the targets table "
            "(the plan's registry, e.g. sxgeo/data/plans/shaoxing_14th.yaml, or the project's "
            "[project] targets file); add the row"
        )
        raise SchemaError(msg)
    return None


def indicator_target(ind: Indicator, unit_code: str) -> float | None:
    """The target the registry entry *ind* gives *unit_code*, by the same :func:`target_chain`.

    Parameters
    ----------
    ind : Indicator
        The indicator.
    unit_code : str
        Unit code.

    Returns
    -------
    float or None
        None where the plan gives the unit no target (a county under a city-only target).
    """
    for code in target_chain(unit_code, kind=ind.kind):
        if code == CITY_CODE:
            return ind.target
        if code in ind.unit_targets:
            return ind.unit_targets[code]
    return None
