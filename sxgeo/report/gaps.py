"""'What would close the gap': per capability, the actions that close a county's gap, smallest list first.

- Sponge city: the failing drainage sub-zones of a county behind target, each credited with its
  built-up area inside that county (a sub-zone across a county line counts in both, each with its
  part), until the credited area covers the county's gap in km²; fewest sub-zones first (largest
  credited area) by default, or least extra storage per km² gained (the title says which).
- Rooftop PV: the largest suitable roofs, until their capacity covers the gap between the plan's
  installed-capacity target and the latest entered value (MWp and count, per county).
- Wetland protection: the largest unprotected wetlands (their unprotected part of the rate's
  base) until the protection rate reaches the target, per county and for the city.
- Forest cover: the area short (km²) and the largest patches of plantable land cover outside the
  forest stands (``carbon_plantable``: shrubland, grassland, barren land; never cropland, water,
  wetland or built-up land, per 国办发〔2021〕19号) until the cover reaches the target, for the
  city (the plan's only forest-cover target) and any county with its own target.
- Low/zero-carbon pilots: the candidates next in line in the pilot-siting tables (the sites the
  selection chose first, then the rest by rank; existing pilots and gated-out sites left out)
  until the entered count reaches the plan's 3 counties / 10 towns / 100 villages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sxgeo.admin import CITY_CODE, URBAN_CODE, unit_name
from sxgeo.errors import SchemaError
from sxgeo.zonal import UNASSIGNED

if TYPE_CHECKING:
    from sxgeo.report.model import ReportData


def cover(amounts: pd.Series, gap: float) -> int:
    """How many of *amounts*, in order, it takes for their sum to reach *gap* (all of them if never).

    Parameters
    ----------
    amounts : pandas.Series
        Contributions in the order they would be taken.
    gap : float
        What must be covered (> 0).

    Returns
    -------
    int
    """
    reached = np.flatnonzero(np.cumsum(amounts.to_numpy(dtype=float)) >= gap - 1e-9)
    return int(reached[0]) + 1 if reached.size else len(amounts)


SPONGE_ORDERS = {
    "fewest": "fewest sub-zones first (largest built-up area gained first)",
    "storage": "least extra storage per km² of built-up area gained first",
}
"""Orders of the sponge gap list (``[report] sponge_gap_order``, ``--sponge-gap-order``)."""


def check_sponge_order(order: str) -> None:
    """Refuse an unknown sponge gap order, naming the choices."""
    if order not in SPONGE_ORDERS:
        msg = (
            f"sponge gap order {order!r} ([sponge] gap_order, --sponge-gap-order): "
            f"use {' or '.join(SPONGE_ORDERS)}"
        )
        raise SchemaError(msg)


def sponge_gap(
    coverage: pd.DataFrame, zones: pd.DataFrame, parts: pd.DataFrame, *, order: str = "fewest"
) -> pd.DataFrame:
    """Failing sub-zones per county behind target, until their built-up area there covers the km² gap.

    Each failing sub-zone is credited with its built-up area inside the county (*parts*): making it
    pass adds that much to the county's compliant area, not the sub-zone's whole area. A sub-zone
    crossing a county line is a candidate in both, each with its own part.

    Parameters
    ----------
    coverage : pandas.DataFrame
        ``sponge_zone_coverage`` (or ``sponge_coverage``): ``unit_code, gap_km2``.
    zones : pandas.DataFrame
        ``sponge_zones`` (``zone_id, name, area_km2, passes, extra_storage_m3``).
    parts : pandas.DataFrame
        ``sponge_zone_built_up`` (``zone_id, county, built_up_km2``).
    order : {'fewest', 'storage'}
        ``fewest``: largest credited area first (the fewest sub-zones); ``storage``: least extra
        storage (m³) per km² gained first.

    Returns
    -------
    pandas.DataFrame
        ``county, county_name, gap_km2, order, rank, zone_id, name, area_km2, built_up_km2,
        cumulative_km2, extra_storage_m3, m3_per_km2, closes_gap``.
    """
    check_sponge_order(order)
    rows = []
    failing = zones[~zones["passes"].astype(str).str.lower().isin(["true", "1"])]
    failing = failing.assign(zone_id=failing["zone_id"].astype(str)).drop(columns="county", errors="ignore")
    credit = parts.assign(zone_id=parts["zone_id"].astype(str), county=parts["county"].astype(str))
    cands = failing.merge(credit[["zone_id", "county", "built_up_km2"]], on="zone_id", how="inner")
    cands = cands[cands["built_up_km2"] > 0]
    cands = cands.assign(m3_per_km2=cands["extra_storage_m3"].astype(float) / cands["built_up_km2"])
    keys, asc = (
        (["built_up_km2", "extra_storage_m3", "zone_id"], [False, True, True])
        if order == "fewest"
        else (["m3_per_km2", "built_up_km2", "zone_id"], [True, False, True])
    )
    for code, gap in zip(coverage["unit_code"].astype(str), coverage["gap_km2"], strict=True):
        if not (gap > 0):
            continue
        cand = cands[cands["county"] == code].sort_values(keys, ascending=asc, kind="stable")
        if cand.empty:
            continue
        take = cand.head(cover(cand["built_up_km2"], float(gap)))
        cum = take["built_up_km2"].cumsum()
        for rank, (z, c) in enumerate(zip(take.to_dict("records"), cum, strict=True), start=1):
            rows.append(
                {
                    "county": code,
                    "county_name": unit_name(code),
                    "gap_km2": round(float(gap), 3),
                    "order": order,
                    "rank": rank,
                    "zone_id": z["zone_id"],
                    "name": z["name"],
                    "area_km2": round(float(z["area_km2"]), 3),
                    "built_up_km2": round(float(z["built_up_km2"]), 3),
                    "cumulative_km2": round(float(c), 3),
                    "extra_storage_m3": round(float(z["extra_storage_m3"]), 0),
                    "m3_per_km2": round(float(z["m3_per_km2"]), 0),
                    "closes_gap": bool(c >= gap - 1e-9),
                }
            )
    return pd.DataFrame(rows)


def _rank_rows(
    cand: pd.DataFrame, amount: str, gap: float, head: dict[str, Any], keep: list[str]
) -> list[dict[str, Any]]:
    """The first candidates (in *cand*'s order) whose *amount* covers *gap*, ranked, with running sums."""
    take = cand.head(cover(cand[amount], gap))
    cum = take[amount].cumsum()
    return [
        {
            **head,
            "rank": rank,
            **{k: r[k] for k in keep},
            "cumulative": float(c),
            "closes_gap": bool(c >= gap - 1e-9),
        }
        for rank, (r, c) in enumerate(zip(take.to_dict("records"), cum, strict=True), start=1)
    ]


def _cumulative_ha(
    listed: list[dict[str, Any]], amount: tuple[str, int], after: tuple[str, float, float]
) -> list[dict[str, Any]]:
    """Finish ranked rows of hectares: rounded amount, cumulative ha and km², the rate after, closes_gap.

    Parameters
    ----------
    listed : list of dict
        Rows from :func:`_rank_rows` (with ``cumulative`` and ``closes_gap``).
    amount : (str, int)
        The rows' hectare column and the decimals it is rounded to.
    after : (str, float, float)
        Name of the rate column (%), and the unit's hectares already counted and its whole
        hectares: the rate once the listed rows up to this one are added is
        ``100 × (counted + cumulative) / whole``.

    Returns
    -------
    list of dict
    """
    (column, digits), (after_name, counted, whole) = amount, after
    rows = []
    for row in listed:
        cum = float(row.pop("cumulative"))
        closes = row.pop("closes_gap")
        row.update(
            {
                column: round(float(row[column]), digits),
                "cumulative_ha": round(cum, 2),
                "cumulative_km2": round(cum / 100, 4),
                after_name: round(100 * (counted + cum) / whole, 2),
                "closes_gap": closes,
            }
        )
        rows.append(row)
    return rows


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
        listed = _rank_rows(cand, "unprotected_ha", gap, head, keep)
        rows += _cumulative_ha(listed, ("unprotected_ha", 2), ("rate_after_pct", protected, base))
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
        listed = _rank_rows(cand, "area_ha", gap, head, ["parcel_id", "county", "lulc_name", "area_ha"])
        if not listed:
            rows.append({**head, "rank": 0, "parcel_id": "", "closes_gap": False})
        rows += _cumulative_ha(listed, ("area_ha", 4), ("cover_after_pct", forest, land))
    return pd.DataFrame(rows)


PILOT_LEVELS = {"counties": "县（市、区）", "towns": "乡镇（街道）", "villages": "村（社区）"}
"""Pilot levels: table / indicator suffix -> zh name."""


def _flag(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip().str.lower().isin(["true", "1", "yes"])


def pilot_gap(candidates: pd.DataFrame, value: float, target: float) -> pd.DataFrame:
    """The pilot candidates next in line until the count reaches *target*.

    Next in line: the sites the selection chose (``selected``) by rank, then the others by rank.
    Existing pilots (``fixed``: already in the entered count) and sites that fail a gate are left
    out; so is a site already listed.

    Parameters
    ----------
    candidates : pandas.DataFrame
        A ``pilots_<level>`` table (``code, name, county_adcode, score, rank, selected, fixed``,
        optional ``gate``).
    value : float
        Pilots created so far (the latest entered value, else the baseline).
    target : float
        The plan's count.

    Returns
    -------
    pandas.DataFrame
        ``gap, rank_in_list, code, name, county, county_name, score, pilot_rank, selected, count_after,
        closes_gap``; empty when the count is reached.
    """
    gap = int(np.ceil(target - value - 1e-9))
    if gap <= 0:
        return pd.DataFrame()
    c = candidates
    ok = ~_flag(c["fixed"]) if "fixed" in c.columns else pd.Series(True, index=c.index)
    if "gate" in c.columns:
        ok &= c["gate"].isna() | (c["gate"].astype(str).str.strip() == "")
    chosen = _flag(c["selected"]) if "selected" in c.columns else pd.Series(False, index=c.index)
    # chosen by the selection first (_later False), then the rest; each by rank, unranked last
    order = c[ok].assign(_later=~chosen[ok], _rank=pd.to_numeric(c.loc[ok, "rank"], errors="coerce"))
    order = order.sort_values(["_later", "_rank"], na_position="last", kind="stable")
    order = order.drop_duplicates("code").head(gap)
    start = round(value) if float(value).is_integer() else value
    rows = []
    for i, r in enumerate(order.to_dict("records"), start=1):
        county = str(r.get("county_adcode", ""))
        rows.append(
            {
                "gap": gap,
                "rank_in_list": i,
                "code": str(r["code"]),
                "name": r.get("name", ""),
                "county": county,
                "county_name": unit_name(county) if county else "",
                "score": round(float(r["score"]), 2) if pd.notna(r.get("score")) else None,
                "pilot_rank": r["_rank"],
                "selected": not r["_later"],
                "count_after": start + i,
                "closes_gap": bool(value + i >= target - 1e-9),
            }
        )
    return pd.DataFrame(rows)


def pv_gap(buildings: pd.DataFrame, gap_mw: float, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """The largest suitable roofs until their capacity covers *gap_mw*; count and MWp per county.

    Parameters
    ----------
    buildings : pandas.DataFrame
        ``pv_buildings`` (``capacity_kwp``, ``suitable``; a GeoDataFrame is placed in *units*).
    gap_mw : float
        MW still to install.
    units : geopandas.GeoDataFrame, optional
        Counties, to say where the roofs are.

    Returns
    -------
    pandas.DataFrame
        ``county, county_name, roofs, mwp`` and a city total row.
    """
    roofs = buildings[buildings["suitable"].astype(bool)].sort_values(
        "capacity_kwp", ascending=False, kind="stable"
    )
    n = cover(roofs["capacity_kwp"] / 1000, gap_mw)
    take = roofs.head(n)
    county = pd.Series("unassigned", index=take.index)
    if units is not None and hasattr(take, "geometry") and len(take):
        import geopandas as gpd

        pts = gpd.GeoDataFrame(geometry=take.geometry.representative_point(), crs=take.crs).to_crs(units.crs)
        joined = gpd.sjoin(pts, units[["adcode", "geometry"]], how="left", predicate="within")
        county = (
            joined["adcode"].groupby(level=0).first().reindex(take.index).fillna("unassigned").astype(str)
        )
    per = (take["capacity_kwp"] / 1000).groupby(county.to_numpy()).agg(["count", "sum"])
    out = pd.DataFrame(
        {
            "county": per.index.astype(str),
            "county_name": [unit_name(c) for c in per.index.astype(str)],
            "roofs": per["count"].astype(int).to_numpy(),
            "mwp": per["sum"].round(3).to_numpy(),
        }
    )
    total = pd.DataFrame(
        [
            {
                "county": CITY_CODE,
                "county_name": unit_name(CITY_CODE),
                "roofs": len(take),
                "mwp": round(float(take["capacity_kwp"].sum() / 1000), 3),
            }
        ]
    )
    return pd.concat([out, total], ignore_index=True)


def gap_tables(
    data: ReportData, tables: Mapping[str, pd.DataFrame], *, sponge_order: str = "fewest"
) -> dict[str, pd.DataFrame]:
    """The gap tables the build's tables allow (title zh/en -> table).

    *sponge_order* is the order of the sponge list (:data:`SPONGE_ORDERS`), named in its title.
    """
    check_sponge_order(sponge_order)
    out: dict[str, pd.DataFrame] = {}
    st = data.status
    coverage = tables.get("sponge_zone_coverage", tables.get("sponge_coverage"))
    if coverage is not None and "sponge_zones" in tables and "sponge_zone_built_up" in tables:
        table = sponge_gap(
            coverage, tables["sponge_zones"], tables["sponge_zone_built_up"], order=sponge_order
        )
        if not table.empty:
            zh = "最少分区优先" if sponge_order == "fewest" else "每 km² 所需调蓄容积最小优先"
            title = f"海绵城市：使未达标排水分区达标（{zh}） · sponge: failing sub-zones to make pass"
            out[f"{title} ({SPONGE_ORDERS[sponge_order]}), until their built-up km² closes the gap"] = table
    wet = data.plan.get("wetland_protection_rate")
    if (
        wet is not None
        and wet.target is not None
        and "carbon_wetland_features" in tables
        and "carbon_wetlands" in tables
    ):
        from sxgeo.report.model import unit_target_of

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
        from sxgeo.report.model import unit_target_of

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
    for level, zh in PILOT_LEVELS.items():
        row = st[(st["indicator"] == f"pilot_{level}") & (st["unit_code"] == CITY_CODE)]
        if f"pilots_{level}" not in tables or row.empty or pd.isna(row["target"].iloc[0]):
            continue
        value = row["value"].iloc[0] if pd.notna(row["value"].iloc[0]) else row["baseline"].iloc[0]
        target = float(row["target"].iloc[0])
        table = pilot_gap(tables[f"pilots_{level}"], float(value if pd.notna(value) else 0.0), target)
        if not table.empty:
            title = f"低（零）碳示范{zh}：下一批候选，补足 {target:g} 个 · pilots ({level}): next candidates"
            out[title + f" to reach {target:g}"] = table
    pv = st[(st["indicator"] == "pv_installed_capacity") & (st["unit_code"] == CITY_CODE)]
    if (
        "pv_buildings" in tables
        and len(pv)
        and pd.notna(pv["target"].iloc[0])
        and pv["status"].iloc[0] not in ("achieved", "met")
    ):
        value = pv["value"].iloc[0] if pd.notna(pv["value"].iloc[0]) else pv["baseline"].iloc[0]
        gap = float(pv["target"].iloc[0]) - float(value)
        if gap > 0:
            title = f"屋顶光伏：最大的适宜屋顶，补足 {gap:,.0f} MW · PV: largest suitable roofs"
            out[title + f" to close the {gap:,.0f} MW gap"] = pv_gap(tables["pv_buildings"], gap, data.units)
    return out
