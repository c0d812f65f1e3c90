"""Rooftop PV, what would close the gap: the largest suitable roofs.

The largest suitable roofs, until their capacity covers the gap between the plan's
installed-capacity target and the latest entered value (MWp and count, per county).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from sxgeo.admin import CITY_CODE, unit_name
from sxgeo.report.gaps import cover


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
    data: Any,
    tables: Mapping[str, pd.DataFrame],
    settings: Mapping[str, Any],  # noqa: ARG001 - the hook signature of sxgeo.capability.Capability.gap
) -> dict[str, pd.DataFrame]:
    """The roofs that would close the city's installed-capacity gap, when it is not met (title -> table).

    Parameters
    ----------
    data : sxgeo.report.model.ReportData
        Its ``status`` gives the city's ``pv_installed_capacity`` value (or baseline) and target.
    tables : mapping
        The run's ``pv_buildings`` (per roof).
    settings : mapping
        Unused.

    Returns
    -------
    dict
    """
    st = data.status
    pv = st[(st["indicator"] == "pv_installed_capacity") & (st["unit_code"] == CITY_CODE)]
    if (
        "pv_buildings" not in tables
        or not len(pv)
        or pd.isna(pv["target"].iloc[0])
        or pv["status"].iloc[0] in ("achieved", "met")
    ):
        return {}
    value = pv["value"].iloc[0] if pd.notna(pv["value"].iloc[0]) else pv["baseline"].iloc[0]
    gap = float(pv["target"].iloc[0]) - float(value)
    if gap <= 0:
        return {}
    title = f"屋顶光伏：最大的适宜屋顶，补足 {gap:,.0f} MW · PV: largest suitable roofs"
    return {title + f" to close the {gap:,.0f} MW gap": pv_gap(tables["pv_buildings"], gap, data.units)}
