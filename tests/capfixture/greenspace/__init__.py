"""Formulas of the fixture capability 'green space': public green space per county (km², % of land).

A capability written by the recipe of ``docs/development.md`` in a test, to show what a new
per-county indicator costs: this package (formulas, ``pipeline.py``, ``spec.py``, ``view.py``),
a plan row naming its table, its test and its docs page (here: the test's docstring).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo import crs as sxcrs
from sxgeo.unit_table import add_ratio, unit_rows
from sxgeo.units import M2_PER_KM2
from sxgeo.zonal import UNASSIGNED, area_by_zone, dissolve_parts


def greenspace_table(parks: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> pd.DataFrame:
    """Green space per county: overlaps dissolved, split at county borders, measured in EPSG:4549.

    Parameters
    ----------
    parks : geopandas.GeoDataFrame
        Green-space polygons with a CRS.
    counties : geopandas.GeoDataFrame
        The county layer.

    Returns
    -------
    pandas.DataFrame
        ``unit_code, unit_name, unit_name_en, land_area_km2, greenspace_km2, greenspace_share_pct``.
    """
    metric = sxcrs.to_metric(parks, what="green space")
    areas = area_by_zone(dissolve_parts(metric), counties)
    land = pd.Series(sxcrs.area_m2(sxcrs.to_metric(counties)), index=counties["adcode"].astype(str))
    sums = pd.DataFrame({"land_area_km2": land / M2_PER_KM2, "greenspace_km2": areas / M2_PER_KM2})
    out = unit_rows(sums.fillna(0.0), counties)
    out.loc[out["unit_code"] == UNASSIGNED, "land_area_km2"] = np.nan
    return add_ratio(out, "greenspace_share_pct", "greenspace_km2", "land_area_km2")
