"""The county overview: what the foundation knows about each county, as plan-style tables."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo import crs as sxcrs
from sxgeo.admin import CITY_CODE, URBAN_CODE, unit_name
from sxgeo.units import M2_PER_KM2
from sxgeo.zonal import UNASSIGNED, area_by_zone

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


def _with_totals(df: pd.DataFrame, sum_cols: list[str], urban_codes: list[str]) -> pd.DataFrame:
    """Append the pooled 绍兴市区 row and the whole-city row (sums, never averages)."""
    urban = df[df["unit_code"].isin(urban_codes)][sum_cols].sum()
    city = df[sum_cols].sum()
    extra = pd.DataFrame(
        [
            {"unit_code": URBAN_CODE, **urban.to_dict()},
            {"unit_code": CITY_CODE, **city.to_dict()},
        ]
    )
    extra["unit_name"] = extra["unit_code"].map(unit_name)
    extra["unit_name_en"] = extra["unit_code"].map(lambda c: unit_name(c, lang="en"))
    return pd.concat([df, extra], ignore_index=True)


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
    df = pd.DataFrame(
        {
            "unit_code": codes,
            "unit_name": counties["name_zh"],
            "unit_name_en": counties["name_en"],
            "target_group": counties["target_group"],
            "land_area_km2": sxcrs.area_m2(metric) / M2_PER_KM2,
            "geodesic_area_km2": geodesic,
            "towns": codes.map(counts.get("town", pd.Series(dtype=int))).fillna(0).astype(int),
            "villages": codes.map(counts.get("village", pd.Series(dtype=int))).fillna(0).astype(int),
        }
    )
    urban = df.loc[df["target_group"] == "urban", "unit_code"].tolist()
    out = _with_totals(df, ["land_area_km2", "geodesic_area_km2", "towns", "villages"], urban)
    out["target_group"] = out["target_group"].fillna("")
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
        built_up_share_pct``; rows per county, 绍兴市区, the city, and ``unassigned`` when some
        built-up area lies outside every county.
    """
    import shapely

    metric = sxcrs.to_metric(built_up, what="built-up areas")
    dissolved = gpd.GeoSeries([shapely.union_all(np.asarray(metric.geometry.values))], crs=metric.crs)
    areas = area_by_zone(dissolved, counties)
    land = pd.Series(sxcrs.area_m2(sxcrs.to_metric(counties)), index=counties["adcode"].astype(str))
    df = pd.DataFrame(
        {
            "unit_code": land.index,
            "unit_name": counties["name_zh"].to_numpy(),
            "unit_name_en": counties["name_en"].to_numpy(),
            "land_area_km2": land.to_numpy() / M2_PER_KM2,
            "built_up_km2": areas.loc[land.index].to_numpy() / M2_PER_KM2,
        }
    )
    urban = counties.loc[counties["target_group"] == "urban", "adcode"].astype(str).tolist()
    out = _with_totals(df, ["land_area_km2", "built_up_km2"], urban)
    if areas[UNASSIGNED] > 0.5:
        out = pd.concat(
            [
                out,
                pd.DataFrame(
                    [
                        {
                            "unit_code": UNASSIGNED,
                            "unit_name": "区外",
                            "unit_name_en": "outside every county",
                            "land_area_km2": np.nan,
                            "built_up_km2": areas[UNASSIGNED] / M2_PER_KM2,
                        }
                    ]
                ),
            ],
            ignore_index=True,
        )
    out["built_up_share_pct"] = (100 * out["built_up_km2"] / out["land_area_km2"]).round(3)
    for col in ("land_area_km2", "built_up_km2"):
        out[col] = out[col].round(4)
    return out
