"""Indicator values by year: ``indicator_history.csv`` beside the build's outputs.

Each ``sxgeo build`` appends the values it computed, one row per indicator x unit x year; a
planner adds the values sxgeo does not compute (installed PV, pilots, energy intensity...) and
past years by hand, as rows with ``origin = entered``. Columns:

``indicator``      indicator id of the plan registry (``sponge_coverage``)
``unit_code``      ``330600`` (city), ``330600-urban`` (绍兴市区), a county adcode, or ``unassigned``
``year``           the year the value describes (the project's ``[project] year``)
``value``          in the registry's unit
``unit``           the unit, as the registry writes it (checked on reading)
``origin``         ``computed`` (by sxgeo) or ``entered`` (by a planner)
``source``         where the value comes from (table and column, or the planner's document)
``data_date``      date of the data (YYYY-MM-DD; optional for entered rows)
``inputs_sha256``  computed rows: checksum of the input files of the capability (first 16 hex digits)
``sxgeo_version``  computed rows: the sxgeo version that computed it
``recorded``       when the row was written (ISO date)

A rebuild for the same year replaces that year's computed rows; entered rows are never touched.

One history serves every plan (2020-2030 as one series per indicator and unit): an indicator that
continues from the previous plan keeps its id, or names the old one in ``continues``
(:func:`indicator_series` joins both). A plan's baseline-year values come from the history where the
registry gives none (:func:`history_baselines`, :func:`with_history_baselines`): the 14th plan's 2025
values are the 15th plan's baselines, computed or entered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from sxgeo import __version__
from sxgeo.admin import CITY_CODE, UNIT_NAMES_ZH, URBAN_CODE
from sxgeo.errors import SchemaError
from sxgeo.io.codes import code_column
from sxgeo.io.encoding import _text_encoding
from sxgeo.io.writers import atomic_path
from sxgeo.plan import Indicator, Plan, load_plan
from sxgeo.project import KEYS, Input

if TYPE_CHECKING:
    from sxgeo.project import Project

log = logging.getLogger(__name__)

HISTORY_FILE = "indicator_history.csv"
"""File name of the history table, beside the build's outputs."""

HISTORY_COLUMNS = (
    "indicator",
    "unit_code",
    "year",
    "value",
    "unit",
    "origin",
    "source",
    "data_date",
    "inputs_sha256",
    "sxgeo_version",
    "recorded",
)
"""The columns of ``indicator_history.csv``, in order."""

REQUIRED = ("indicator", "unit_code", "year", "value")

KEEP_CODES = (URBAN_CODE, "unassigned")
"""Unit codes that are not adcodes."""
UNIT_BY_NAME = {name: code for code, name in UNIT_NAMES_ZH.items()} | {"绍兴": CITY_CODE}
"""Unit names accepted in ``unit_code`` (``绍兴市`` -> ``330600``, ``越城区`` -> ``330602``)."""


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def input_checksums(project: Project | None) -> dict[str, str]:
    """One checksum per project-file section: the SHA-256 over its input files (16 hex digits).

    Parameters
    ----------
    project : Project or None
        The project (None: no inputs, empty dict).

    Returns
    -------
    dict
        Section -> checksum; a section without inputs is absent.
    """
    if project is None:
        return {}
    out: dict[str, str] = {}
    for section in sorted({k.section for k in KEYS if k.kind == "input"}):
        h = hashlib.sha256()
        seen = False
        for key in sorted(k.name for k in KEYS if k.section == section and k.kind == "input"):
            spec = project.get(section, key)
            if isinstance(spec, Input) and spec.path.is_file():
                h.update(f"{key}={file_sha256(spec.path)};".encode())
                seen = True
        if seen:
            out[section] = h.hexdigest()[:16]
    return out


def computed_values(
    plan: Plan,
    tables: Mapping[str, pd.DataFrame],
    *,
    year: int,
    checksums: Mapping[str, str] | None = None,
    data_date: str | None = None,
) -> pd.DataFrame:
    """The values of the plan's computed indicators, read from the per-unit tables of a build.

    Parameters
    ----------
    plan : Plan
        The registry.
    tables : mapping
        Table name (``sponge_coverage``) -> per-unit table (``unit_code`` + the value column).
    year : int
        The year the values describe.
    checksums : mapping, optional
        Section -> input checksum (:func:`input_checksums`).
    data_date : str, optional
        Date of the data (default today).

    Returns
    -------
    pandas.DataFrame
        :data:`HISTORY_COLUMNS`; one row per indicator x unit with a value. Indicators whose
        table the build did not make are absent.
    """
    today = dt.date.today().isoformat()
    rows = []
    for ind in plan.indicators:
        comp = ind.computed_by
        if comp is None or comp.table not in tables:
            continue
        table = tables[comp.table]
        if comp.column not in table.columns or "unit_code" not in table.columns:
            msg = f"table {comp.table} has no column {comp.column!r} for indicator {ind.id} (plan {plan.id})"
            raise SchemaError(msg)
        values = pd.to_numeric(table[comp.column], errors="coerce") * comp.scale
        for code, value in zip(table["unit_code"].astype(str), values, strict=True):
            if pd.isna(value):
                continue
            rows.append(
                {
                    "indicator": ind.id,
                    "unit_code": code,
                    "year": int(year),
                    "value": round(float(value), 6),
                    "unit": ind.unit,
                    "origin": "computed",
                    "source": f"sxgeo {comp.table}.{comp.column}",
                    "data_date": data_date or today,
                    "inputs_sha256": (checksums or {}).get(comp.section, ""),
                    "sxgeo_version": __version__,
                    "recorded": today,
                }
            )
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))


def read_history(path: str | Path, plan: Plan | None = None) -> pd.DataFrame:
    """Read a history table (computed rows and a planner's entered rows).

    Parameters
    ----------
    path : str or pathlib.Path
        ``indicator_history.csv`` (missing: an empty table).
    plan : Plan, optional
        Check units against the registry (a row in another unit is an error).

    Returns
    -------
    pandas.DataFrame
        :data:`HISTORY_COLUMNS`.

    Raises
    ------
    SchemaError
        A missing column, a year or value that is not a number, a unit that differs from the
        registry's (naming file, row and fix).
    """
    path = Path(path)
    if not path.exists():
        return pd.DataFrame(columns=list(HISTORY_COLUMNS))
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=_text_encoding(path))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        msg = f"{path.name}: cannot read it as a CSV table ({type(exc).__name__}: {exc})"
        raise SchemaError(msg) from exc
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        msg = f"{path.name}: lacks columns {missing} (columns: {', '.join(HISTORY_COLUMNS)})"
        raise SchemaError(msg)
    table = table.reindex(columns=list(HISTORY_COLUMNS), fill_value="")
    for col in ("year", "value"):
        num = pd.to_numeric(table[col].str.replace(",", ""), errors="coerce")
        bad = num.isna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            msg = (
                f"{path.name}: row {i + 2} column {col}: {table[col].iloc[i]!r} is not a number; fix the row"
            )
            raise SchemaError(msg)
        table[col] = num
    table["year"] = table["year"].astype(int)
    table["origin"] = table["origin"].replace("", "entered")
    table["indicator"] = table["indicator"].str.strip()
    table["unit_code"] = code_column(
        table["unit_code"],
        source=path.name,
        column="unit_code",
        names=UNIT_BY_NAME,
        keep=KEEP_CODES,
        other=True,
    )
    _refuse_duplicates(table, path.name)
    if plan is not None:
        _refuse_unknown(table, plan, path.name)
        units = known_units(plan)
        for i, (ind_id, unit) in enumerate(zip(table["indicator"], table["unit"], strict=True)):
            if unit and unit != units[ind_id]:
                msg = f"{path.name}: row {i + 2}: {ind_id} in {unit!r}, the plan uses {units[ind_id]!r}"
                raise SchemaError(msg)
    return table


def _refuse_duplicates(table: pd.DataFrame, name: str) -> None:
    """Refuse an indicator x unit x year entered twice with the same origin, naming both rows."""
    key = ["indicator", "unit_code", "year", "origin"]
    dup = table.duplicated(key, keep=False).to_numpy()
    if not dup.any():
        return
    first = table[dup].iloc[0]
    same = np.flatnonzero(dup & (table[key] == first[key]).all(axis=1).to_numpy())
    rows = ", ".join(str(i + 2) for i in same)
    msg = (
        f"{name}: rows {rows} give {first['indicator']} for {first['unit_code']} in {first['year']} "
        f"twice ({first['origin']}); keep one row"
    )
    raise SchemaError(msg)


def known_units(plan: Plan) -> dict[str, str]:
    """Indicator id -> unit of every id a history read for *plan* may hold.

    The plan's own ids, the ids its indicators continue, and the previous plan's ids (its
    ``previous``: the 14th plan's rows stay in the 15th plan's history); the plan's own unit wins.

    Parameters
    ----------
    plan : Plan
        The registry.

    Returns
    -------
    dict
    """
    units: dict[str, str] = {}
    if plan.previous and plan.previous != plan.id:
        try:
            before = load_plan(plan.previous)
        except (SchemaError, OSError):
            log.warning(
                "plan %s: previous plan %r not found; its rows are not accepted", plan.id, plan.previous
            )
        else:
            units |= {ind.id: ind.unit for ind in before.indicators}
    for ind in plan.indicators:
        units[ind.id] = ind.unit
        if ind.continues:
            units[ind.continues] = ind.unit
    return units


def _refuse_unknown(table: pd.DataFrame, plan: Plan, name: str) -> None:
    """Refuse an indicator id the registry does not know, with the closest known id."""
    units = known_units(plan)
    known = list(units)
    for i, ind_id in enumerate(table["indicator"]):
        if ind_id in units:
            continue
        best = process.extractOne(ind_id, known, scorer=fuzz.ratio)
        near = f"; did you mean {best[0]!r}?" if best is not None else ""
        msg = f"{name}: row {i + 2}: indicator {ind_id!r} is not in plan {plan.id}{near}"
        raise SchemaError(msg)


def append_history(path: str | Path, rows: pd.DataFrame) -> pd.DataFrame:
    """Add a build's computed rows to the history, replacing that year's computed rows.

    Parameters
    ----------
    path : str or pathlib.Path
        ``indicator_history.csv`` (created when missing); written atomically.
    rows : pandas.DataFrame
        New rows (:func:`computed_values`).

    Returns
    -------
    pandas.DataFrame
        The whole history as written.
    """
    path = Path(path)
    old = read_history(path)
    if not rows.empty and not old.empty:
        key = ["indicator", "unit_code", "year"]
        new_keys = rows[key].assign(_new=True)
        hit = old.merge(new_keys, on=key, how="left")["_new"].eq(True).to_numpy()
        old = old[~(hit & (old["origin"] == "computed").to_numpy())]
    frames = [f for f in (old, rows) if not f.empty]
    table = pd.concat(frames, ignore_index=True) if frames else rows
    table = table.reindex(columns=list(HISTORY_COLUMNS)).sort_values(
        ["indicator", "unit_code", "year", "origin"], kind="stable"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # a temporary name beside it, renamed when done, with the user's normal file mode (not mkstemp's 0600)
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8-sig")
    log.info("%s: %d rows (%d new)", path.name, len(table), len(rows))
    return table


def series(history: pd.DataFrame, indicator: str, unit_code: str) -> list[tuple[int, float]]:
    """(year, value) of one indicator and unit; an entered value wins over a computed one of the same year."""
    rows = history[(history["indicator"] == indicator) & (history["unit_code"].astype(str) == unit_code)]
    if rows.empty:
        return []
    rows = rows.assign(_rank=(rows["origin"] == "entered").astype(int)).sort_values(["year", "_rank"])
    last = rows.groupby("year", sort=True).tail(1)
    return [(int(y), float(v)) for y, v in zip(last["year"], last["value"], strict=True)]


def indicator_series(
    history: pd.DataFrame, ind: Indicator, unit_code: str, *, until: int | None = None
) -> list[tuple[int, float]]:
    """(year, value) of one indicator and unit across plans: its own id's rows and those it continues.

    Parameters
    ----------
    history : pandas.DataFrame
        :data:`HISTORY_COLUMNS`.
    ind : Indicator
        The indicator (``continues``: the previous plan's id whose rows join its own).
    unit_code : str
        Unit code.
    until : int, optional
        Last year kept (a plan's target year: a final assessment judges the target-year value, not a
        later one).

    Returns
    -------
    list of (int, float)
        One value a year, sorted; an entered value wins over a computed one; in a year both ids
        give, the indicator's own id wins.
    """
    if history.empty:
        return []
    points = dict(series(history, ind.continues, unit_code)) if ind.continues else {}
    points |= dict(series(history, ind.id, unit_code))
    return sorted((y, v) for y, v in points.items() if until is None or y <= until)


def history_baselines(plan: Plan, history: pd.DataFrame) -> pd.DataFrame:
    """The baseline-year values the history gives each indicator and unit of *plan*.

    Parameters
    ----------
    plan : Plan
        The registry (the 15th plan: baseline year 2025).
    history : pandas.DataFrame
        :data:`HISTORY_COLUMNS` (the 14th plan's rows included).

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator, unit_code, year, value, origin``: one row per indicator and unit with a
        value in its baseline year (entered wins over computed), under the plan's indicator id.
    """
    rows = []
    if not history.empty:
        codes = sorted(set(history["unit_code"].astype(str)))
        for ind in plan.indicators:
            for code in codes:
                hits = [v for y, v in indicator_series(history, ind, code) if y == ind.baseline_year]
                if not hits:
                    continue
                ids = {ind.id, ind.continues} - {""}
                year_rows = history[
                    history["indicator"].isin(ids)
                    & (history["unit_code"].astype(str) == code)
                    & (history["year"] == ind.baseline_year)
                ]
                origin = "entered" if (year_rows["origin"] == "entered").any() else "computed"
                rows.append((ind.id, code, ind.baseline_year, hits[-1], origin))
    return pd.DataFrame(rows, columns=["indicator", "unit_code", "year", "value", "origin"])


def with_history_baselines(plan: Plan, history: pd.DataFrame) -> Plan:
    """*plan* with the baselines the registry leaves empty taken from the history.

    A registry figure is kept; a null city baseline becomes the history's city (``330600``) value of
    the baseline year, and each unit without a ``unit_baselines`` entry gets its own history value.

    Parameters
    ----------
    plan : Plan
        The registry.
    history : pandas.DataFrame
        :data:`HISTORY_COLUMNS`.

    Returns
    -------
    Plan
        A new plan (the given one is not changed).
    """
    found = history_baselines(plan, history)
    indicators = []
    for ind in plan.indicators:
        rows = found[found["indicator"] == ind.id]
        by_code = dict(zip(rows["unit_code"], rows["value"].astype(float), strict=True))
        baseline = ind.baseline if ind.baseline is not None else by_code.get(CITY_CODE)
        units = {c: v for c, v in by_code.items() if c != CITY_CODE} | ind.unit_baselines
        indicators.append(dataclasses.replace(ind, baseline=baseline, unit_baselines=units))
    return dataclasses.replace(plan, indicators=tuple(indicators))
