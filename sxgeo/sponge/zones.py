"""Tier B: drainage sub-zone compliance by the volume method (GB/T 51345-2018, 2014 技术指南).

For each sub-zone (reference/sponge.md §2.3, §5)::

    psi    = Σ psi_i·A_i / Σ A_i                       composite runoff coefficient (land cover)
    V_in   = V_s + W_p                                  per facility [m3]
    V_s    = area·depth·void   (or the recorded volume for tanks and ponds)
    W_p    = K·A_s·t_s,  t_s = 7200 s                   infiltration during the event (J = 1)
    V_in  <= 10·H_max·psi·F_catch                       a facility controls at most what its catchment sends
    H_eq   = V_ctl / (10·psi·F)   [mm],  F in ha
    alpha  = curve(H_eq)                                [ max(alpha, 1 − psi) with baseline_credit ]
    pass   = alpha ≥ alpha_target  and  no failed compliance flag (strict: no unknown flag)
    extra  = max(0, 10·H(alpha_target)·psi·F − V_ctl)   storage a failing sub-zone still needs [m3]

Simplification (documented choice): each sub-zone is one catchment; facilities carry no
catchment of their own unless ``catch_area_m2`` is given, which then caps that facility.
Water surfaces are left out of psi and F by default (they stay in the coverage denominator).

Which volumes count (``sxgeo/data/lid_facilities.csv``, columns ``volume_role``,
``counts_toward_volume``, ``volume_source``): storage that infiltrates or is retained counts.
Permeable paving and green roofs are cover types, credited once through psi: a paving base layer
given with ``depth_mm`` has its storage reported (``v_storage_m3``) but never added to the
controlled volume, which would credit the same surface twice. The 2014 技术指南 (附录1) defines the
control volume as the effective storage *excluding* regulating (调节) volume, and the guide's sizing
rule leaves out conveyance (转输型) swales too [verify the swale clause]: detention ponds
(``regulating``) and swales (``conveyance``) are left out by default, and
``exclude_regulating=False`` (``--include-regulating``) counts them, for a pond record that is in
fact retention storage. The 1 − psi floor (``baseline_credit``) is not part of the GB/T 51345-2018
volume method and is off by default.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.data import read_param_table
from sxgeo.errors import SchemaError
from sxgeo.params import parse_flags, parse_numbers, source_of
from sxgeo.plan import TargetsLike
from sxgeo.sponge.coverage import COUNTED_STATUSES, coverage_table, select_counted
from sxgeo.sponge.coverage import LABELS_ZH as COVERAGE_ZH
from sxgeo.sponge.rainfall import CaptureCurve
from sxgeo.zonal import intersection_pieces

log = logging.getLogger(__name__)

FLAG_COLUMNS = ("ponding_ok", "waterlogging_ok", "water_quality_ok", "no_dry_discharge", "shoreline_ok")
"""Compliance items other than the capture ratio (GB/T 51345-2018 ch. 4-5): True, False or null."""
INFILTRATION_SECONDS = 7200.0
"""Infiltration time during the design storm, t_s [s] (about 2 h; reference/sponge.md §1.1)."""
PLANNED_STATUSES = frozenset({"planned", "building", "规划", "在建"})
DEFAULT_ALPHA_TARGET = 0.75
"""Placeholder capture-ratio target: Shaoxing's adopted value is not public (reference/sponge.md §1.3)."""

LABELS_ZH = {
    "zone_id": "分区编号",
    "name": "分区名称",
    "county": "所在县区",
    "area_km2": "分区面积(km²)",
    "psi": "综合雨量径流系数",
    "facilities": "设施数",
    "v_controlled_m3": "控制容积(m³)",
    "h_eq_mm": "等效设计降雨量(mm)",
    "alpha_pct": "年径流总量控制率(%)",
    "alpha_target_pct": "目标控制率(%)",
    "target_source": "目标来源",
    "unknown_flags": "未知项",
    "failed_flags": "未达标项",
    "passes": "是否达标",
    "fail_reasons": "未达标原因",
    "extra_storage_m3": "尚需调蓄容积(m³)",
    "evidence": "依据",
}


def runoff_coefficients(scenario: str = "default", table: pd.DataFrame | None = None) -> pd.Series:
    """Volume runoff coefficient psi by cover code, from the cited table (or a user table).

    Parameters
    ----------
    scenario : {'low', 'default', 'high'}
        Which column of the table.
    table : pandas.DataFrame, optional
        A user table with ``cover`` and ``psi_<scenario>`` columns.

    Returns
    -------
    pandas.Series
        psi indexed by cover code.
    """
    t = read_param_table("runoff_coefficients.csv") if table is None else table
    col = f"psi_{scenario}"
    if col not in t.columns:
        msg = f"runoff table has no column {col!r}; scenarios are low, default, high"
        raise SchemaError(msg)
    return parse_numbers(t, [col], source=source_of(t, "runoff table"), required=True).set_index("cover")[col]


def facility_defaults(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Default LID facility parameters by type (depth, void ratio, infiltration, K), with sources.

    Parameters
    ----------
    table : pandas.DataFrame, optional
        A user table with the same columns.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``type``.
    """
    t = read_param_table("lid_facilities.csv") if table is None else table
    source = source_of(t, "facility table")
    t = parse_numbers(t, ("depth_mm", "void_ratio", "k_m_s"), source=source, blank=0.0)
    if "infiltrates" in t.columns:
        t["infiltrates"] = parse_flags(t["infiltrates"], source=source, column="infiltrates")
    return t.set_index("type")


@dataclass
class ZoneAssessment:
    """Result of :func:`assess_zones`.

    Attributes
    ----------
    zones : geopandas.GeoDataFrame
        One row per sub-zone (EPSG:4549) with the columns of :data:`LABELS_ZH`.
    facilities : pandas.DataFrame
        One row per facility used: zone, controlled volume, assumed parameters.
    notes : list of str
        Which target and curve were used, and what was left out.
    """

    zones: gpd.GeoDataFrame
    facilities: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _pair_areas(zones: gpd.GeoSeries, polys: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(zone index, polygon index, intersection area m2) for every intersecting pair."""
    zi, pi, pieces = intersection_pieces(
        np.asarray(zones.values, dtype=object), np.asarray(polys.values, dtype=object)
    )
    return zi, pi, shapely.area(pieces)


def _flag_values(series: pd.Series) -> pd.Series:
    def conv(v: object) -> bool | None:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, str):
            s = v.strip().lower()
            if s in ("true", "yes", "y", "1", "是", "达标", "ok"):
                return True
            if s in ("false", "no", "n", "0", "否", "不达标"):
                return False
            return None
        return bool(v)

    return series.map(conv)


def assess_zones(
    zones: gpd.GeoDataFrame,
    landcover: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    curve: CaptureCurve,
    *,
    alpha_target: float = DEFAULT_ALPHA_TARGET,
    alpha_target_source: str = "placeholder 75% (Shaoxing's adopted value not configured)",
    strict: bool = False,
    include_planned: bool = False,
    year: int | None = None,
    psi_scenario: str = "default",
    coefficients: pd.DataFrame | None = None,
    facility_params: pd.DataFrame | None = None,
    exclude_water: bool = True,
    baseline_credit: bool = False,
    exclude_regulating: bool = True,
    counties: gpd.GeoDataFrame | None = None,
) -> ZoneAssessment:
    """Assess every drainage sub-zone by the volume method.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Sub-zones: ``zone_id`` (else the row number), optional ``name``, ``alpha_target``
        (0-1 or %), the flags of :data:`FLAG_COLUMNS` (null = unknown) and ``evidence``.
    landcover : geopandas.GeoDataFrame
        Land-cover polygons with ``cover`` (codes of ``sxgeo/data/runoff_coefficients.csv``) and
        optional ``psi`` overriding the table.
    facilities : geopandas.GeoDataFrame
        LID facilities (points or polygons): ``type``, ``area_m2`` (polygons: their area),
        optional ``depth_mm``, ``volume_m3``, ``void_ratio``, ``k_m_s``, ``lined``,
        ``catch_area_m2``, ``status``, ``completed_on``.
    curve : CaptureCurve
        The local H-alpha curve.
    alpha_target : float
        Default capture-ratio target, 0-1 (a zone's own ``alpha_target`` wins).
    alpha_target_source : str
        Where the default target comes from (printed with the results).
    strict : bool
        Count unknown (null) flags as failures.
    include_planned : bool
        What-if: count planned and building facilities too.
    year : int, optional
        Only facilities completed by then count.
    psi_scenario : {'low', 'default', 'high'}
        Runoff-coefficient column.
    coefficients, facility_params : pandas.DataFrame, optional
        User parameter tables replacing the shipped ones.
    exclude_water : bool
        Leave water surfaces out of psi and F.
    baseline_credit : bool
        Floor alpha at 1 − psi (pervious surfaces capture rain without facilities). Not part of
        the GB/T 51345-2018 volume method: off by default, a labelled option.
    exclude_regulating : bool
        Leave out facility types whose ``volume_role`` is ``regulating`` (调节: detention ponds) or
        ``conveyance`` (转输: swales), as the 2014 技术指南 附录1 defines the control volume
        (default); False counts them (``--include-regulating``).
    counties : geopandas.GeoDataFrame, optional
        To name the county holding most of each sub-zone.

    Returns
    -------
    ZoneAssessment
    """
    z = sxcrs.to_metric(zones, what="sub-zones").copy()
    if "zone_id" not in z.columns:
        z["zone_id"] = [f"Z{i:04d}" for i in range(len(z))]
    z = z.reset_index(drop=True)
    lc = sxcrs.to_metric(landcover, what="land cover")
    lc_psi, is_water = _landcover_psi(lc, psi_scenario, coefficients)

    zone_area = shapely.area(np.asarray(z.geometry.values))
    zi, pi, a = _pair_areas(z.geometry, lc.geometry)
    psi_vals = lc_psi.to_numpy()[pi]
    water = is_water[pi]
    use = ~water if exclude_water else np.ones_like(water)
    n = len(z)
    covered = np.bincount(zi, weights=a, minlength=n)
    water_m2 = np.bincount(zi, weights=np.where(water, a, 0.0), minlength=n)
    f_m2 = np.bincount(zi, weights=np.where(use, a, 0.0), minlength=n)
    psi_num = np.bincount(zi, weights=np.where(use, a * psi_vals, 0.0), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        psi = np.where(f_m2 > 0, psi_num / f_m2, np.nan)
    notes: list[str] = []
    low_cover = covered < 0.95 * zone_area
    if low_cover.any():
        notes.append(f"{int(low_cover.sum())} sub-zones have land cover on less than 95% of their area")

    # facilities
    fac, fac_notes = _facilities(facilities, include_planned=include_planned, year=year)
    notes += fac_notes
    params = facility_defaults(facility_params)
    fac_rows = _facility_volumes(fac, params, z, psi, curve, exclude_regulating=exclude_regulating)
    v_ctl = (
        np.bincount(fac_rows["zone"].to_numpy(), weights=fac_rows["v_in_m3"].to_numpy(), minlength=n)
        if len(fac_rows)
        else np.zeros(n)
    )
    n_fac = (
        np.bincount(fac_rows["zone"].to_numpy(), weights=fac_rows["counted"].to_numpy(float), minlength=n)
        if len(fac_rows)
        else np.zeros(n, int)
    )
    f_ha = f_m2 / 10_000.0
    cap = 10.0 * curve.max_depth_mm * psi * f_ha
    v_ctl = np.minimum(v_ctl, np.nan_to_num(cap, nan=0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        h_eq = np.where(psi * f_ha > 0, v_ctl / (10.0 * psi * f_ha), 0.0)
    alpha = curve.alpha_at(h_eq)
    if baseline_credit:
        alpha = np.maximum(alpha, np.nan_to_num(1.0 - psi, nan=0.0))

    target, source = _zone_targets(z, alpha_target, alpha_target_source)
    unknown_flags, failed_flags, flag_notes = _zone_flags(z)
    notes += flag_notes

    alpha_ok = alpha >= target - 1e-12
    passes = np.array(
        [bool(alpha_ok[i]) and not failed_flags[i] and not (strict and unknown_flags[i]) for i in range(n)]
    )
    h_target = curve.depth_for(target)
    need = 10.0 * h_target * psi * f_ha - v_ctl
    extra = np.where(alpha_ok, 0.0, np.clip(need, 0, None))
    reasons = [
        _fail_reason(
            alpha_ok=bool(alpha_ok[i]),
            alpha=float(alpha[i]),
            target=float(target[i]),
            failed=failed_flags[i],
            unknown=unknown_flags[i] if strict else [],
        )
        for i in range(n)
    ]

    out = gpd.GeoDataFrame(
        {
            "zone_id": z["zone_id"].astype(str),
            "name": z["name"] if "name" in z.columns else z["zone_id"].astype(str),
            "county": _majority_county(z, counties) if counties is not None else "",
            "area_km2": zone_area / 1e6,
            "water_km2": water_m2 / 1e6,
            "psi": np.round(psi, 4),
            "facilities": n_fac.astype(int),
            "v_controlled_m3": np.round(v_ctl, 2),
            "h_eq_mm": np.round(h_eq, 2),
            "alpha_pct": np.round(alpha * 100, 2),
            "alpha_target_pct": target * 100,
            "target_source": source,
            "unknown_flags": [", ".join(u) for u in unknown_flags],
            "failed_flags": [", ".join(f) for f in failed_flags],
            "passes": passes,
            "fail_reasons": reasons,
            "extra_storage_m3": np.round(np.nan_to_num(extra, nan=np.inf), 2),
            "evidence": z["evidence"] if "evidence" in z.columns else "",
        },
        geometry=z.geometry.values,
        crs=z.crs,
    )
    notes = [
        f"capture-ratio target {alpha_target * 100:.1f}% ({alpha_target_source}), unless a sub-zone sets one",
        f"H-alpha curve: {curve.source}",
        "unknown flags count as " + ("failures (strict)" if strict else "passes, and are listed (lenient)"),
        "water surfaces left out of psi and F" if exclude_water else "water surfaces included in psi and F",
        "alpha floored at 1 - psi (pervious surfaces; option, not in the GB/T 51345-2018 volume method)"
        if baseline_credit
        else "no 1 - psi floor (GB/T 51345-2018 volume method)",
        volume_rule(exclude_regulating=exclude_regulating),
        *notes,
    ]
    return ZoneAssessment(out, fac_rows.drop(columns=["zone"]) if len(fac_rows) else fac_rows, notes)


def _landcover_psi(
    lc: gpd.GeoDataFrame, psi_scenario: str, coefficients: pd.DataFrame | None
) -> tuple[pd.Series, np.ndarray]:
    """Runoff coefficient of each land-cover polygon (table, or its own ``psi``) and whether it is water."""
    psi_table = runoff_coefficients(psi_scenario, coefficients)
    if "cover" not in lc.columns:
        msg = "land cover needs a 'cover' column with codes such as roof_hard, paved, green, water"
        raise SchemaError(msg)
    unknown = sorted(set(lc["cover"].astype(str)) - set(psi_table.index))
    if unknown and "psi" not in lc.columns:
        msg = f"unknown land-cover codes {unknown}; use {sorted(psi_table.index)} or give a 'psi' column"
        raise SchemaError(msg)
    lc_psi = lc["cover"].astype(str).map(psi_table)
    if "psi" in lc.columns:
        own_psi = parse_numbers(lc[["psi"]], ["psi"], source=source_of(lc, "land cover"), features=True)[
            "psi"
        ]
        lc_psi = own_psi.fillna(lc_psi)
    is_water = (lc["cover"].astype(str) == "water").to_numpy()
    return lc_psi, is_water


def _zone_targets(
    z: gpd.GeoDataFrame, alpha_target: float, alpha_target_source: str
) -> tuple[np.ndarray, np.ndarray]:
    """Capture-ratio target of each sub-zone (its own ``alpha_target`` wins) and where it comes from."""
    n = len(z)
    target = np.full(n, alpha_target, dtype=float)
    source = np.array([alpha_target_source] * n, dtype=object)
    if "alpha_target" in z.columns:
        own = parse_numbers(
            z[["alpha_target"]], ["alpha_target"], source=source_of(z, "sub-zones"), features=True
        )["alpha_target"].to_numpy()
        own = np.where(own > 1, own / 100, own)
        has = np.isfinite(own)
        target[has] = own[has]
        source[has] = "sub-zone attribute alpha_target"
    return target, source


def _zone_flags(z: gpd.GeoDataFrame) -> tuple[list[list[str]], list[list[str]], list[str]]:
    """Unknown and failed flags of each sub-zone (absent columns are unknown everywhere), and notes."""
    n = len(z)
    unknown_flags: list[list[str]] = [[] for _ in range(n)]
    failed_flags: list[list[str]] = [[] for _ in range(n)]
    notes: list[str] = []
    present = [c for c in FLAG_COLUMNS if c in z.columns]
    missing_cols = [c for c in FLAG_COLUMNS if c not in z.columns]
    if missing_cols:
        notes.append(f"flags not in the sub-zone layer (unknown for every zone): {', '.join(missing_cols)}")
    for col in present:
        vals = _flag_values(z[col])
        for i, v in enumerate(vals):
            if v is None:
                unknown_flags[i].append(col)
            elif v is False:
                failed_flags[i].append(col)
    for i in range(n):
        unknown_flags[i] += missing_cols
    return unknown_flags, failed_flags, notes


def _fail_reason(
    *, alpha_ok: bool, alpha: float, target: float, failed: list[str], unknown: list[str]
) -> str:
    """Why a sub-zone fails: capture ratio short of target, false flags, unknown flags (strict only)."""
    r = []
    if not alpha_ok:
        r.append(f"alpha {alpha * 100:.1f}% < {target * 100:.1f}%")
    r += [f"{f} = false" for f in failed]
    r += [f"{f} unknown (strict)" for f in unknown]
    return "; ".join(r)


def _majority_county(zones: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> list[str]:
    c = sxcrs.to_metric(counties, what="counties")
    zi, ci, a = _pair_areas(zones.geometry, c.geometry)
    best: dict[int, tuple[float, str]] = {}
    for z, k, area in zip(zi, ci, a, strict=True):
        if area > best.get(int(z), (-1.0, ""))[0]:
            best[int(z)] = (float(area), str(c["adcode"].iloc[k]))
    return [best.get(i, (0.0, ""))[1] for i in range(len(zones))]


def _facilities(
    facilities: gpd.GeoDataFrame, *, include_planned: bool, year: int | None
) -> tuple[gpd.GeoDataFrame, list[str]]:
    if len(facilities) == 0:
        return facilities, ["no facilities"]
    statuses = set(COUNTED_STATUSES) | (set(PLANNED_STATUSES) if include_planned else set())
    counted, notes = select_counted(facilities, year=None, statuses=frozenset(statuses), what="facilities")
    if year is not None:
        counted, more = select_counted(counted, year=year, statuses=frozenset(statuses), what="facilities")
        notes += [n for n in more if n not in notes]
    notes = [n.replace("projects", "facilities") for n in notes]
    if include_planned:
        notes.append("what-if: planned and building facilities counted")
    return counted, notes


def _num(frame: pd.DataFrame, col: str) -> pd.Series:
    """A number attribute of a layer (blank = NaN, text refused naming the feature)."""
    if col in frame.columns:
        return parse_numbers(frame[[col]], [col], source=source_of(frame, "facilities"), features=True)[col]
    return pd.Series(np.nan, index=frame.index)


REGULATING_ROLES = frozenset({"regulating", "conveyance"})
"""``volume_role`` values left out of the controlled volume by default: regulating (调节) storage
(detention ponds; 技术指南 2014 附录1) and conveyance (转输型) swales [verify]."""


def volume_rule(*, exclude_regulating: bool) -> str:
    """The line naming which facility volumes count toward the annual runoff volume (outputs' notes)."""
    if exclude_regulating:
        return (
            "volume rule: 技术指南 2014 附录1, regulating (调节) storage excluded (detention ponds) and "
            "conveyance swales excluded (default; --include-regulating counts them); "
            "permeable paving and green roofs through psi only"
        )
    return (
        "volume rule: retention, infiltration, detention-pond and swale storage count "
        "(--include-regulating: 技术指南 2014 附录1 excludes regulating storage; use it only for "
        "ponds known to be retention storage); permeable paving and green roofs through psi only"
    )


def _counted_types(params: pd.DataFrame, p: pd.DataFrame, *, exclude_regulating: bool) -> np.ndarray:
    """Whether each facility's volume counts, from ``counts_toward_volume`` and ``volume_role``."""
    n = len(p)
    counts = (
        p["counts_toward_volume"].astype(str).str.strip().str.lower().to_numpy()
        if "counts_toward_volume" in params.columns
        else np.full(n, "true")
    )
    role = p["volume_role"].astype(str).to_numpy() if "volume_role" in params.columns else np.full(n, "")
    # a cover type (permeable paving, green roof) is credited once, through psi: a base layer's
    # storage (``depth_mm``) is reported but never added to the controlled volume on top of it
    counted = (counts != "false") & (role != "cover")
    if exclude_regulating:
        counted &= ~np.isin(role, list(REGULATING_ROLES))
    return counted


def _facility_volumes(
    fac: gpd.GeoDataFrame,
    params: pd.DataFrame,
    zones: gpd.GeoDataFrame,
    psi: np.ndarray,
    curve: CaptureCurve,
    *,
    exclude_regulating: bool = True,
) -> pd.DataFrame:
    """Controlled volume of each facility and the sub-zone it drains to."""
    cols = [
        "fac_id",
        "type",
        "zone",
        "zone_id",
        "v_storage_m3",
        "v_infiltration_m3",
        "v_in_m3",
        "capped",
        "assumed",
        "counted",
    ]
    if len(fac) == 0:
        return pd.DataFrame(columns=cols)
    f = sxcrs.to_metric(fac, what="facilities").reset_index(drop=True)
    if "type" not in f.columns:
        msg = f"facilities need a 'type' column ({', '.join(params.index)})"
        raise SchemaError(msg)
    unknown = sorted(set(f["type"].astype(str)) - set(params.index))
    if unknown:
        msg = f"unknown facility types {unknown}; use {sorted(params.index)} or give your own parameter table"
        raise SchemaError(msg)
    p = params.loc[f["type"].astype(str)].reset_index(drop=True)
    geoms = np.asarray(f.geometry.values, dtype=object)
    polygonal = np.isin(shapely.get_type_id(geoms), [3, 6])
    area = _num(f, "area_m2").to_numpy()
    area = np.where(np.isnan(area) & polygonal, shapely.area(geoms), area)
    assumed = np.zeros(len(f), dtype=bool)
    depth = _num(f, "depth_mm").to_numpy()
    assumed |= (
        np.isnan(depth) & (p["storage_from"] == "area_depth").to_numpy() & (p["depth_mm"] > 0).to_numpy()
    )
    depth = np.where(np.isnan(depth), p["depth_mm"].to_numpy(dtype=float), depth)
    void = _num(f, "void_ratio").fillna(p["void_ratio"]).to_numpy(dtype=float)
    k = _num(f, "k_m_s").to_numpy()
    assumed |= np.isnan(k) & p["infiltrates"].to_numpy(dtype=bool)
    k = np.where(np.isnan(k), p["k_m_s"].to_numpy(dtype=float), k)
    lined = (
        parse_flags(f["lined"], source=source_of(f, "facilities"), column="lined", features=True)
        if "lined" in f.columns
        else np.zeros(len(f), bool)
    )
    volume = _num(f, "volume_m3").to_numpy()
    by_volume = (p["storage_from"] == "volume").to_numpy()
    v_s = np.where(by_volume, np.nan_to_num(volume), np.nan_to_num(area) * depth / 1000.0 * void)
    v_s = np.where(p["storage_from"].to_numpy() == "none", 0.0, v_s)
    infil = p["infiltrates"].to_numpy(dtype=bool) & ~lined
    w_p = np.where(infil, k * np.nan_to_num(area) * INFILTRATION_SECONDS, 0.0)
    counted = _counted_types(params, p, exclude_regulating=exclude_regulating)
    v_in = np.where(counted, v_s + w_p, 0.0)
    # the sub-zone each facility drains to: the one holding its representative point
    reps = shapely.point_on_surface(geoms)
    zg = np.asarray(zones.geometry.values, dtype=object)
    tree = shapely.STRtree(zg)
    fi, zi = tree.query(reps, predicate="within")
    zone = np.full(len(f), -1)
    zone[fi] = zi
    catch = _num(f, "catch_area_m2").to_numpy()
    zpsi = np.where(zone >= 0, psi[np.clip(zone, 0, None)], np.nan)
    cap = 10.0 * curve.max_depth_mm * zpsi * catch / 10_000.0
    capped = np.isfinite(cap) & (v_in > cap)
    v_in = np.where(capped, cap, v_in)
    rows = pd.DataFrame(
        {
            "fac_id": f["fac_id"].astype(str)
            if "fac_id" in f.columns
            else [f"F{i:05d}" for i in range(len(f))],
            "type": f["type"].astype(str),
            "zone": zone,
            "zone_id": np.where(
                zone >= 0, zones["zone_id"].astype(str).to_numpy()[np.clip(zone, 0, None)], ""
            ),
            "v_storage_m3": np.round(v_s, 2),
            "v_infiltration_m3": np.round(w_p, 2),
            "v_in_m3": np.round(v_in, 2),
            "capped": capped,
            "assumed": assumed,
            "counted": counted,
        }
    )
    outside = rows["zone"] < 0
    if outside.any():
        log.warning("%d facilities lie in no sub-zone and are not counted", int(outside.sum()))
    return rows[~outside].reset_index(drop=True)


def zone_coverage(
    assessment: ZoneAssessment,
    built_up: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    *,
    targets: TargetsLike = None,
) -> pd.DataFrame:
    """Coverage of the built-up area by passing sub-zones, in the Tier A table layout.

    A sub-zone crossing a county line is split by area; pass/fail belongs to the whole
    sub-zone. Built-up area in no sub-zone stays in the denominator and is never compliant.

    Parameters
    ----------
    assessment : ZoneAssessment
        From :func:`assess_zones`.
    built_up : geopandas.GeoDataFrame
        Built-up area polygons.
    counties : geopandas.GeoDataFrame
        County polygons (or zones: :func:`sxgeo.admin.load_zones`).
    targets : pandas.DataFrame, optional
        The targets table (:func:`sxgeo.plan.load_plan_targets`); default the shipped one.

    Returns
    -------
    pandas.DataFrame
        As :func:`sxgeo.sponge.coverage.coverage_table`.
    """
    passing = assessment.zones[assessment.zones["passes"]]
    table = coverage_table(built_up, passing, counties, targets=targets)
    zones_union = shapely.union_all(np.asarray(assessment.zones.geometry.values))
    bu = sxcrs.to_metric(built_up, what="built-up areas")
    outside_zones = shapely.area(
        shapely.difference(shapely.union_all(np.asarray(bu.geometry.values)), zones_union)
    )
    table.attrs["notes"] = [
        "Tier B: built-up area inside sub-zones that pass (volume method and flags)",
        f"built-up area in no sub-zone: {outside_zones / 1e6:.3f} km2 (in the denominator, never compliant)",
        *assessment.notes,
    ]
    return table


def zone_built_up(
    zones: gpd.GeoDataFrame, built_up: gpd.GeoDataFrame, counties: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Built-up area of each sub-zone inside each county: what making it pass adds to that county.

    A sub-zone crossing a county line has one row per county, each with its own part; a sub-zone
    with no built-up area has none. Areas in EPSG:4549.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Sub-zones with ``zone_id`` (``ZoneAssessment.zones``).
    built_up : geopandas.GeoDataFrame
        Built-up area polygons (overlaps dissolved).
    counties : geopandas.GeoDataFrame
        Units with ``adcode``.

    Returns
    -------
    pandas.DataFrame
        ``zone_id, county, built_up_km2``.
    """
    z = sxcrs.to_metric(zones, what="sub-zones")
    c = sxcrs.to_metric(counties, what="counties")
    bu = sxcrs.to_metric(built_up, what="built-up areas")
    union = shapely.union_all(np.asarray(bu.geometry.values))
    zi, ci, pieces = intersection_pieces(
        np.asarray(z.geometry.values, dtype=object), np.asarray(c.geometry.values, dtype=object)
    )
    area = shapely.area(shapely.intersection(pieces, union)) / 1e6
    out = pd.DataFrame(
        {
            "zone_id": z["zone_id"].astype(str).to_numpy()[zi],
            "county": c["adcode"].astype(str).to_numpy()[ci],
            "built_up_km2": area,
        }
    )
    summed = out.groupby(["zone_id", "county"], sort=False)["built_up_km2"].sum().reset_index()
    return summed[summed["built_up_km2"] > 0].reset_index(drop=True)


def closest_to_passing(assessment: ZoneAssessment) -> pd.DataFrame:
    """Failing sub-zones ranked by the storage they still need (smallest first).

    Sub-zones that fail only on a compliance flag need no storage and come first; those whose
    target lies beyond the curve (infinite need) come last.

    Parameters
    ----------
    assessment : ZoneAssessment
        From :func:`assess_zones`.

    Returns
    -------
    pandas.DataFrame
        ``rank, zone_id, name, county, alpha_pct, alpha_target_pct, extra_storage_m3,
        failed_flags, unknown_flags, fail_reasons``.
    """
    z = assessment.zones
    failing = pd.DataFrame(z.loc[~z["passes"]].drop(columns="geometry"))
    failing = failing.sort_values(["extra_storage_m3", "alpha_pct"], ascending=[True, False], kind="stable")
    failing.insert(0, "rank", range(1, len(failing) + 1))
    cols = ["rank", "zone_id", "name", "county", "alpha_pct", "alpha_target_pct", "extra_storage_m3"]
    return failing[[*cols, "failed_flags", "unknown_flags", "fail_reasons"]].reset_index(drop=True)


def zone_labels() -> dict[str, str]:
    """Chinese labels of every sub-zone, facility and coverage column (XLSX headers)."""
    return {
        **COVERAGE_ZH,
        **LABELS_ZH,
        "rank": "排名",
        "water_km2": "水面面积(km²)",
        "built_up_km2": "建成区面积(km²)",
        "fac_id": "设施编号",
        "type": "设施类型",
        "v_storage_m3": "调蓄容积(m³)",
        "v_infiltration_m3": "入渗量(m³)",
        "v_in_m3": "控制容积(m³)",
        "capped": "受汇水量限制",
        "assumed": "采用默认参数",
        "counted": "计入径流总量控制",
        "depth_mm": "设计降雨量(mm)",
    }
