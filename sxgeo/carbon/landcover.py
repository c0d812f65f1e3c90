"""Carbon stock from a land-cover raster, InVEST-compatible, per county; change between two maps.

Per pixel (the InVEST Carbon model's rule, natcap.invest ``carbon``): C = Σ pools[class] [t C/ha] ×
pixel area; the change between two maps is C_after − C_before pixel by pixel (an unchanged pixel
has zero change). Totals per county come from :func:`sxgeo.zonal.raster_zone_counts`
(pixel-centre rule), so they equal InVEST's totals over the same pixels. The pools table has
InVEST's columns ``lucode, c_above, c_below, c_soil, c_dead`` [t C/ha], optionally ``lulc_name``
and ``kind`` (forest / built / water / ...), used to show forest lost to built-up apart.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from sxgeo.errors import SchemaError
from sxgeo.unit_table import unit_rows
from sxgeo.units import CO2_PER_C
from sxgeo.zonal import UNASSIGNED

POOLS = ("c_above", "c_below", "c_soil", "c_dead")


def check_pools(pools: pd.DataFrame) -> pd.DataFrame:
    """Validate an InVEST carbon-pools table and index it by ``lucode``.

    Parameters
    ----------
    pools : pandas.DataFrame
        ``lucode, c_above, c_below, c_soil, c_dead`` [t C/ha].

    Returns
    -------
    pandas.DataFrame
    """
    missing = {"lucode", *POOLS} - set(pools.columns)
    if missing:
        msg = f"carbon pools table lacks {sorted(missing)}; InVEST's columns: lucode, c_above/below/soil/dead"
        raise SchemaError(msg)
    t = pools.copy()
    t["lucode"] = t["lucode"].astype(int)
    if (t["lucode"] < 0).any() or (t["lucode"] > 255).any():
        msg = "class codes (lucode) must be 0-255 (uint8 rasters)"
        raise SchemaError(msg)
    for col in POOLS:
        t[col] = pd.to_numeric(t[col], errors="coerce").fillna(0.0)
    return t.set_index("lucode")


def _zone_codes(counts: pd.DataFrame) -> pd.DataFrame:
    """Pixels outside every unit go to ``unassigned``; there, class 0 (no data) is not land."""
    c = counts.copy()
    outside = c["zone"] == ""
    cls = c["class"] if "class" in c else c["class_before"]
    c = c[~(outside & (cls == 0))].copy()
    c.loc[c["zone"] == "", "zone"] = UNASSIGNED
    return c


def stock_by_county(
    counts: pd.DataFrame, pools: pd.DataFrame, units: gpd.GeoDataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Class areas and carbon stock per county and city from pixel counts.

    Parameters
    ----------
    counts : pandas.DataFrame
        :func:`sxgeo.zonal.raster_zone_counts` of one raster.
    pools : pandas.DataFrame
        From :func:`check_pools`.
    units : geopandas.GeoDataFrame, optional
        The unit layer the counts were made with (default the shipped counties): it sets the
        rows (:func:`sxgeo.unit_table.unit_rows`).

    Returns
    -------
    tuple of pandas.DataFrame
        Per unit (counties, ``330600-urban``, ``330600``, ``unassigned``: valid pixels of the
        raster outside every unit): ``area_ha, stock_tc`` (above + below + dead),
        ``soil_tc``, ``total_tc`` (InVEST's total, all four pools), ``stock_tco2``,
        ``density_tc_ha``; and per county × class.
    """
    units = _default_units(units)
    c = _zone_codes(counts)
    unknown = sorted(set(c["class"]) - set(pools.index) - {0})
    if unknown:
        msg = f"raster classes {unknown} have no row in the pools table (counted as zero carbon otherwise)"
        raise SchemaError(msg)
    p = pools.reindex(c["class"]).fillna(0.0)
    for col in POOLS:
        c[col + "_tc"] = c["area_ha"].to_numpy() * p[col].to_numpy()
    c["stock_tc"] = c["c_above_tc"] + c["c_below_tc"] + c["c_dead_tc"]
    c["soil_tc"] = c["c_soil_tc"]
    c["total_tc"] = c["stock_tc"] + c["soil_tc"]
    if "lulc_name" in pools.columns:
        c["lulc_name"] = pools["lulc_name"].reindex(c["class"]).to_numpy()
    by_class = c.rename(columns={"zone": "unit_code"})
    per = unit_rows(
        by_class.groupby("unit_code")[["area_ha", "stock_tc", "soil_tc", "total_tc"]].sum(), units
    )
    per["stock_tco2"] = per["stock_tc"] * CO2_PER_C
    per["density_tc_ha"] = per["stock_tc"] / per["area_ha"]
    return per.round(2), by_class.round(3)


def change_by_county(
    pairs: pd.DataFrame, pools: pd.DataFrame, units: gpd.GeoDataFrame | None = None, *, years: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Carbon change between two maps per county, with gains and losses apart, and the transition matrix.

    Parameters
    ----------
    pairs : pandas.DataFrame
        :func:`sxgeo.zonal.raster_zone_counts` with ``other`` (class pairs).
    pools : pandas.DataFrame
        From :func:`check_pools`.
    units : geopandas.GeoDataFrame, optional
        The unit layer the counts were made with (default the shipped counties).
    years : float
        Years between the maps.

    Returns
    -------
    tuple of pandas.DataFrame
        Per county (+ city): ``change_tc, gain_tc, loss_tc, loss_to_built_tc, sink_tc_yr,
        sink_tco2_yr`` (stock without soil; soil change apart as ``soil_change_tc``), and the
        transition matrix rows ``unit_code, class_before, class_after, area_ha, change_tc``.
    """
    units = _default_units(units)
    c = _zone_codes(pairs)
    c = c[(c["class_before"] != 0) & (c["class_after"] != 0)].copy()
    stock = pools["c_above"] + pools["c_below"] + pools["c_dead"]
    before = stock.reindex(c["class_before"]).fillna(0).to_numpy()
    after = stock.reindex(c["class_after"]).fillna(0).to_numpy()
    soil_b = pools["c_soil"].reindex(c["class_before"]).fillna(0).to_numpy()
    soil_a = pools["c_soil"].reindex(c["class_after"]).fillna(0).to_numpy()
    c["change_tc"] = c["area_ha"].to_numpy() * (after - before)
    c["soil_change_tc"] = c["area_ha"].to_numpy() * (soil_a - soil_b)
    kinds = pools["kind"] if "kind" in pools.columns else pd.Series("", index=pools.index)
    to_built = (kinds.reindex(c["class_after"]).to_numpy() == "built") & (
        c["class_before"] != c["class_after"]
    ).to_numpy()
    c["gain_tc"] = c["change_tc"].clip(lower=0)
    c["loss_tc"] = (-c["change_tc"]).clip(lower=0)
    c["loss_to_built_tc"] = c["loss_tc"].where(to_built, 0.0)
    matrix = c.rename(columns={"zone": "unit_code"})
    sums = unit_rows(
        matrix.groupby("unit_code")[
            ["change_tc", "gain_tc", "loss_tc", "loss_to_built_tc", "soil_change_tc"]
        ].sum(),
        units,
    )
    sums["sink_tc_yr"] = sums["change_tc"] / years
    sums["sink_tco2_yr"] = sums["sink_tc_yr"] * CO2_PER_C
    cols = ["unit_code", "class_before", "class_after", "area_ha", "change_tc"]
    return sums.round(2), matrix[cols].round(3)


def _default_units(units: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    if units is not None:
        return units
    from sxgeo.admin import load_counties

    return load_counties()
