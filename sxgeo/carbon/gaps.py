"""Carbon sinks, what would close the gap: unprotected wetlands and plantable land.

- Wetland protection: the largest unprotected wetlands (their unprotected part of the rate's
  base) until the protection rate reaches the target, per county and for the city.
- Forest cover: the area short (km²) and the largest patches of plantable land cover outside the
  forest stands (``carbon_plantable``: shrubland, grassland, barren land; never cropland, water,
  wetland or built-up land, per 国办发〔2021〕19号) until the cover reaches the target, for the
  city (the plan's only forest-cover target) and any county with its own target.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from sxgeo.admin import CITY_CODE, URBAN_CODE, unit_name
from sxgeo.report.gaps import cumulative_ha, rank_rows
from sxgeo.report.model import unit_target_of
from sxgeo.zonal import UNASSIGNED


def wetland_gap(
    features: pd.DataFrame,
    per_unit: pd.DataFrame,
    target_pct: float,
    unit_targets: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The largest unprotected wetlands of each unit below the protection-rate target, until it is met.

    A unit's gap is ``target % × base − protected`` (ha, the rate's base without paddy). For a
    county the candidates are its pieces of wetlands (a wetland crossing a boundary counts its part
    in the county); for the city, whole wetlands. Largest unprotected area first: the fewest
    designations (a reserve or wetland park) close the gap.

    Parameters
    ----------
    features : pandas.DataFrame
        ``carbon_wetland_features`` (:func:`sxgeo.carbon.wetlands.wetland_features`).
    per_unit : pandas.DataFrame
        ``carbon_wetlands`` (``unit_code, base_area_ha, protected_area_ha``).
    target_pct : float
        The city's protection-rate target (%); also the counties' unless *unit_targets* has theirs.
    unit_targets : mapping, optional
        Unit code -> its own target (%).

    Returns
    -------
    pandas.DataFrame
        ``unit_code, unit_name, rate_pct, target_pct, target_of, gap_ha, rank, wetland_id, name,
        wetland_type, county, unprotected_ha, cumulative_ha, cumulative_km2, rate_after_pct,
        closes_gap``; empty when every unit meets its target.
    """
    own = dict(unit_targets or {})
    feats = features[features["unprotected_ha"] > 0]
    rows: list[dict[str, object]] = []
    for r in per_unit.to_dict("records"):
        code = str(r["unit_code"])
        if code in (URBAN_CODE, UNASSIGNED) or not r["base_area_ha"] > 0:
            continue
        target = own.get(code, target_pct)
        base, protected = float(r["base_area_ha"]), float(r["protected_area_ha"])
        gap = target / 100 * base - protected
        if gap <= 1e-6:
            continue
        if code == CITY_CODE:
            grouped = feats.groupby("wetland_id", sort=False)
            cand = grouped.agg(
                name=("name", "first"),
                wetland_type=("wetland_type", "first"),
                unprotected_ha=("unprotected_ha", "sum"),
            )
            main = (
                feats.sort_values("unprotected_ha", ascending=False, kind="stable")
                .groupby("wetland_id")["unit_code"]
                .first()
            )
            cand = cand.assign(county=main.reindex(cand.index).astype(str)).reset_index()
        else:
            cand = feats[feats["unit_code"].astype(str) == code].assign(county=code)
        cand = cand.sort_values(["unprotected_ha", "wetland_id"], ascending=[False, True], kind="stable")
        head = {
            "unit_code": code,
            "unit_name": unit_name(code),
            "rate_pct": round(100 * protected / base, 2),
            "target_pct": target,
            "target_of": "unit" if code in own or code == CITY_CODE else "city",
            "gap_ha": round(gap, 2),
        }
        keep = ["wetland_id", "name", "wetland_type", "county", "unprotected_ha"]
        listed = rank_rows(cand, "unprotected_ha", gap, head, keep)
        rows += cumulative_ha(listed, ("unprotected_ha", 2), ("rate_after_pct", protected, base))
    return pd.DataFrame(rows)


def forest_gap(
    summary: pd.DataFrame,
    parcels: pd.DataFrame | None,
    target_pct: float,
    unit_targets: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The land to plant for forest cover: the area short and the largest plantable parcels until it is met.

    A unit's gap is ``target % × land area − forest area`` (ha). Parcels are planted largest first
    (fewest sites); the city draws on every parcel, a county on its own.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``carbon_forest`` (``unit_code, forest_area_ha, land_area_ha``).
    parcels : pandas.DataFrame or None
        ``carbon_plantable`` (``parcel_id, unit_code, lulc_name, area_ha``; one row per parcel and
        county); None or empty: only the shortfall is shown.
    target_pct : float
        The city's forest-cover target (%).
    unit_targets : mapping, optional
        Unit code -> its own target (%); only these counties are listed.

    Returns
    -------
    pandas.DataFrame
        ``unit_code, unit_name, cover_pct, target_pct, gap_ha, gap_km2, rank, parcel_id, county,
        lulc_name, area_ha, cumulative_ha, cumulative_km2, cover_after_pct, closes_gap``; a unit
        without candidates has one row with rank 0 and no parcel.
    """
    targets = {CITY_CODE: target_pct, **dict(unit_targets or {})}
    cols = ["parcel_id", "unit_code", "lulc_name", "area_ha"]
    land_parcels = (
        pd.DataFrame(parcels)[cols] if parcels is not None and len(parcels) else pd.DataFrame(columns=cols)
    )
    rows: list[dict[str, object]] = []
    for r in summary.to_dict("records"):
        code = str(r["unit_code"])
        land, forest = float(r["land_area_ha"]), float(r["forest_area_ha"])
        if code not in targets or not land > 0:
            continue
        target = float(targets[code])
        gap = target / 100 * land - forest
        if gap <= 1e-6:
            continue
        if code == CITY_CODE:
            cand = land_parcels.groupby("parcel_id", as_index=False, sort=False).agg(
                county=("unit_code", "first"), lulc_name=("lulc_name", "first"), area_ha=("area_ha", "sum")
            )
        else:
            cand = land_parcels[land_parcels["unit_code"].astype(str) == code].rename(
                columns={"unit_code": "county"}
            )
        cand = cand.sort_values(["area_ha", "parcel_id"], ascending=[False, True], kind="stable")
        head = {
            "unit_code": code,
            "unit_name": unit_name(code),
            "cover_pct": round(100 * forest / land, 2),
            "target_pct": target,
            "gap_ha": round(gap, 2),
            "gap_km2": round(gap / 100, 4),
        }
        listed = rank_rows(cand, "area_ha", gap, head, ["parcel_id", "county", "lulc_name", "area_ha"])
        if not listed:
            rows.append({**head, "rank": 0, "parcel_id": "", "closes_gap": False})
        rows += cumulative_ha(listed, ("area_ha", 4), ("cover_after_pct", forest, land))
    return pd.DataFrame(rows)


def gap_tables(
    data: Any,
    tables: Mapping[str, pd.DataFrame],
    settings: Mapping[str, Any],  # noqa: ARG001 - the hook signature of sxgeo.capability.Capability.gap
) -> dict[str, pd.DataFrame]:
    """The wetland and forest-cover gap tables the run's tables allow (title -> table).

    Parameters
    ----------
    data : sxgeo.report.model.ReportData
        The plan, its targets and the units.
    tables : mapping
        The run's tables (``carbon_wetland_features``, ``carbon_wetlands``, ``carbon_forest``,
        ``carbon_plantable``).
    settings : mapping
        Unused.

    Returns
    -------
    dict
    """
    out: dict[str, pd.DataFrame] = {}
    wet = data.plan.get("wetland_protection_rate")
    if (
        wet is not None
        and wet.target is not None
        and "carbon_wetland_features" in tables
        and "carbon_wetlands" in tables
    ):
        own = {str(c): unit_target_of(wet, str(c), data.targets) for c in data.units["adcode"]}
        table = wetland_gap(
            tables["carbon_wetland_features"],
            tables["carbon_wetlands"],
            wet.target,
            {c: t for c, t in own.items() if t is not None},
        )
        if not table.empty:
            zh = f"湿地：最大的未保护湿地，直至保护率达 {wet.target:g}%"
            en = f"wetlands: largest unprotected wetlands until the protection rate reaches {wet.target:g}%"
            out[f"{zh} · {en} (counties: the city's rate unless their own)"] = table
    forest = data.plan.get("forest_cover")
    if forest is not None and forest.target is not None and "carbon_forest" in tables:
        own = {str(c): unit_target_of(forest, str(c), data.targets) for c in data.units["adcode"]}
        table = forest_gap(
            tables["carbon_forest"],
            tables.get("carbon_plantable"),
            forest.target,
            {c: t for c, t in own.items() if t is not None},
        )
        if not table.empty:
            zh = f"森林覆盖率：距 {forest.target:g}% 的差距与可造林地块（最大者优先）"
            en = f"forest cover: the area short of {forest.target:g}% and the largest plantable parcels"
            out[f"{zh} · {en}"] = table
    return out
