"""The county overview tables: areas, division counts and built-up share per county."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo import crs as sxcrs
from sxgeo.unit_table import add_ratio, unit_rows
from sxgeo.units import M2_PER_KM2
from sxgeo.zonal import UNASSIGNED, area_by_zone, dissolve_parts

LABELS_ZH = {
    "unit_code": "行政区划代码",
    "unit_name": "名称",
    "unit_name_en": "Name",
    "target_group": "目标分组",
    "land_area_km2": "陆域面积(km²)",
    "geodesic_area_km2": "椭球面积(km²)",
    "towns": "乡镇(街道)数",
    "villages": "村(社区)数",
    "built_up_km2": "建成区面积(km²)",
    "built_up_share_pct": "建成区占比(%)",
}
"""Chinese labels of the overview columns (XLSX second header row)."""


def county_table(counties: gpd.GeoDataFrame, divisions: pd.DataFrame) -> pd.DataFrame:
    """One row per county plus 绍兴市区 and the city: areas and division counts.

    Parameters
    ----------
    counties : geopandas.GeoDataFrame
        The county layer (:func:`sxgeo.admin.load_counties`).
    divisions : pandas.DataFrame
        The division list (:func:`sxgeo.admin.load_divisions`).

    Returns
    -------
    pandas.DataFrame
        Columns ``unit_code, unit_name, unit_name_en, target_group, land_area_km2`` (planar,
        EPSG:4549), ``geodesic_area_km2`` (on the CGCS2000/GRS80 ellipsoid, a check),
        ``towns, villages``.
    """
    metric = sxcrs.to_metric(counties, what="counties")
    geodesic = sxcrs.geodesic_area_m2(counties, what="counties") / M2_PER_KM2
    counts = divisions.groupby(["county_adcode", "level"]).size().unstack(fill_value=0)
    codes = counties["adcode"].astype(str)
    sums = pd.DataFrame(
        {
            "land_area_km2": sxcrs.area_m2(metric) / M2_PER_KM2,
            "geodesic_area_km2": np.asarray(geodesic),
            "towns": codes.map(counts.get("town", pd.Series(dtype=int))).fillna(0).astype(int).to_numpy(),
            "villages": codes.map(counts.get("village", pd.Series(dtype=int)))
            .fillna(0)
            .astype(int)
            .to_numpy(),
        },
        index=codes.to_numpy(),
    )
    out = unit_rows(sums, counties)
    groups = dict(zip(codes, counties["target_group"].astype(str), strict=True))
    out.insert(3, "target_group", out["unit_code"].map(groups).fillna(""))
    out[["towns", "villages"]] = out[["towns", "villages"]].astype(int)
    for col in ("land_area_km2", "geodesic_area_km2"):
        out[col] = out[col].round(3)
    return out


def built_up_table(built_up: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> pd.DataFrame:
    """Built-up area per county (overlaps dissolved, split at county borders).

    Parameters
    ----------
    built_up : geopandas.GeoDataFrame
        Built-up polygons with a CRS.
    counties : geopandas.GeoDataFrame
        The county layer.

    Returns
    -------
    pandas.DataFrame
        ``unit_code, unit_name, unit_name_en, land_area_km2, built_up_km2,
        built_up_share_pct``; rows per county, 绍兴市区, the city, and ``unassigned`` (built-up
        area outside every county; 0 when none).
    """
    metric = sxcrs.to_metric(built_up, what="built-up areas")
    dissolved = dissolve_parts(metric)
    areas = area_by_zone(dissolved, counties)
    land = pd.Series(sxcrs.area_m2(sxcrs.to_metric(counties)), index=counties["adcode"].astype(str))
    sums = pd.DataFrame({"land_area_km2": land / M2_PER_KM2, "built_up_km2": areas / M2_PER_KM2})
    out = unit_rows(sums.fillna(0.0), counties)
    out.loc[out["unit_code"] == UNASSIGNED, "land_area_km2"] = np.nan
    out = add_ratio(out, "built_up_share_pct", "built_up_km2", "land_area_km2")
    out["built_up_share_pct"] = out["built_up_share_pct"].round(3)
    for col in ("land_area_km2", "built_up_km2"):
        out[col] = out[col].round(4)
    return out
