"""Forest carbon from inventory stands (小班): stocks per county and type, and the yearly sink.

Per stand of area A [ha] and stock volume V [m3] (reference/carbon.md §1, §6)::

    fang  : biomass_tc = CF × (a × V + b × A)            Fang's continuous BEF, B = a·V/A + b [t d.m./ha]
    chain : biomass_tc = V × WD × BEF × (1 + R) × CF       constant factors (option)
    area  : biomass_tc = A × veg_tc_ha                     bamboo (or culms × 10.44 kg d.m. × CF), tea, shrubs
    understory_tc = A × understory_tc_ha,  dead_tc = A × dead_tc_ha,  soil_tc = A × soil_tc_ha (apart)
    vegetation_tc = biomass_tc + understory_tc             the plan's "forest vegetation carbon"
    stock_tc      = vegetation_tc + dead_tc                 every pool but soil
    t CO2         = t C × 44/12

The yearly sink between two inventories is the stock difference per county and type divided by
the years (IPCC stock-difference method); soil is never part of it (land-use change is reported
apart). All factors come from ``sxgeo/data/carbon_forest_types.csv`` (cited, with ``verify``
flags) and can be replaced by a user table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.admin import CITY_CODE
from sxgeo.data import read_param_table
from sxgeo.errors import SchemaError
from sxgeo.params import parse_flags, parse_numbers, source_of
from sxgeo.plan import TargetsLike, unit_target
from sxgeo.unit_table import id_columns, unit_members, unit_rows, unit_rows_by
from sxgeo.units import CO2_PER_C, M2_PER_HA
from sxgeo.zonal import UNASSIGNED, intersection_pieces

log = logging.getLogger(__name__)

BAMBOO_CULM_KG = 10.44
"""Mean moso culm biomass [kg d.m.] (张茂震 et al. 2009, as used by Li 2016)."""
UNCERTAINTY = {"cf": 0.05, "a": 0.15, "b": 0.15, "density": 0.15}
"""Relative standard deviations of the factors in the Monte-Carlo range (reference/carbon.md §6)."""

LABELS_ZH = {
    "unit_code": "行政区划代码",
    "unit_name": "名称",
    "forest_type": "森林类型",
    "forest_area_ha": "森林面积(计入森林覆盖率)(ha)",
    "stand_area_ha": "林分面积(含灌木林、茶园)(ha)",
    "land_area_ha": "土地面积(ha)",
    "forest_cover_pct": "森林覆盖率(%)",
    "stock_volume_wan_m3": "森林蓄积量(万m³)",
    "biomass_tc": "生物量碳(tC)",
    "vegetation_tc": "植被碳储量(tC)",
    "vegetation_tco2": "植被碳储量(tCO₂)",
    "stock_tc": "碳储量(不含土壤)(tC)",
    "stock_tco2": "碳储量(不含土壤)(tCO₂)",
    "soil_tc": "土壤碳(tC)",
    "density_tc_ha": "植被碳密度(tC/ha)",
    "vegetation_tc_low": "植被碳95%下限(tC)",
    "vegetation_tc_high": "植被碳95%上限(tC)",
    "sink_tc_yr": "年碳汇(tC/年)",
    "sink_tco2_yr": "年碳汇(tCO₂/年)",
    "soil_change_tc_yr": "土壤碳变化(土地利用变化)(tC/年)",
}


NOT_FOREST_COVER = frozenset({"tea", "shrub"})
"""Stand types outside 森林覆盖率 when a factor table has no ``in_forest_cover`` column. The national
definition counts 乔木林, 竹林, 经济林 and, among shrubs, only 国家特别规定灌木林 (国家林业局《国家森林资源
连续清查技术规定》2014; GB/T 26424-2010): generic shrub stands and tea gardens (园地 in the land
survey) stay out; their carbon still counts."""


def forest_factors(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Forest-type factors (Fang a, b, CF, chain WD/BEF/R, per-area densities, pools), cited.

    Parameters
    ----------
    table : pandas.DataFrame, optional
        A user table with the columns of ``sxgeo/data/carbon_forest_types.csv``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``forest_type``.
    """
    if table is None:
        table = read_param_table("carbon_forest_types.csv")
    source = source_of(table, "forest factor table")
    t = parse_numbers(table, ("understory_tc_ha", "dead_tc_ha", "soil_tc_ha"), source=source, blank=0.0)
    t = parse_numbers(
        t, ("a_t_m3", "b_t_ha", "cf", "wd", "bef", "r", "cf_chain", "veg_tc_ha", "sink_above_tc_ha_yr"),
        source=source,
    )  # fmt: skip
    t = t.set_index("forest_type")
    if "in_forest_cover" in t.columns:
        t["in_forest_cover"] = parse_flags(t["in_forest_cover"], source=source, column="in_forest_cover")
    else:  # a planner's table without the flag: the national definition's default
        t["in_forest_cover"] = ~t.index.isin(sorted(NOT_FOREST_COVER))
    return t


def _types(stands: pd.DataFrame, factors: pd.DataFrame) -> np.ndarray:
    if "forest_type" not in stands.columns:
        msg = f"stands need a 'forest_type' column ({', '.join(factors.index)} or their Chinese names)"
        raise SchemaError(msg)
    by_zh = {str(zh): code for code, zh in factors["name_zh"].items()}
    types = stands["forest_type"].astype(str).str.strip().map(lambda s: by_zh.get(s, s)).to_numpy()
    unknown = sorted(set(types) - set(factors.index))
    if unknown:
        msg = f"unknown forest types {unknown}; use {sorted(factors.index)} or add them to the factor table"
        raise SchemaError(msg)
    return types


def stand_carbon(
    stands: gpd.GeoDataFrame, *, factors: pd.DataFrame | None = None, method: str = "fang"
) -> gpd.GeoDataFrame:
    """Carbon pools of every stand.

    Parameters
    ----------
    stands : geopandas.GeoDataFrame
        ``forest_type``; ``area_ha`` (else the polygon area in EPSG:4549); ``volume_m3`` or
        ``volume_m3_ha`` for tree stands; optional ``culms`` for moso bamboo.
    factors : pandas.DataFrame, optional
        Replaces the shipped factor table.
    method : {'fang', 'chain'}
        Continuous BEF (default) or the constant-factor chain for tree stands.

    Returns
    -------
    geopandas.GeoDataFrame
        Input plus ``area_ha, volume_m3, biomass_tc, understory_tc, dead_tc, soil_tc,
        vegetation_tc, stock_tc, stock_tco2`` (EPSG:4549).
    """
    f = forest_factors(factors)
    s = sxcrs.to_metric(stands, what="forest stands").copy()
    types = _types(s, f)
    row = f.loc[types]
    s = parse_numbers(
        s,
        ("area_ha", "volume_m3", "volume_m3_ha", "culms"),
        source=source_of(stands, "stands"),
        features=True,
    )
    if "area_ha" in s.columns:
        area = pd.to_numeric(s["area_ha"], errors="coerce").to_numpy(dtype=float)
        area = np.where(np.isfinite(area), area, sxcrs.area_m2(s) / M2_PER_HA)
    else:
        area = sxcrs.area_m2(s) / M2_PER_HA
    if "volume_m3" in s.columns:
        vol = pd.to_numeric(s["volume_m3"], errors="coerce").to_numpy(dtype=float)
    elif "volume_m3_ha" in s.columns:
        vol = pd.to_numeric(s["volume_m3_ha"], errors="coerce").to_numpy(dtype=float) * area
    else:
        vol = np.zeros(len(s))
    vol = np.nan_to_num(vol)
    kind = row["method"].to_numpy()
    tree = kind == "fang"
    if method == "fang":
        tree_c = row["cf"].to_numpy(dtype=float) * (row["a_t_m3"].to_numpy(dtype=float) * vol
                                                    + row["b_t_ha"].to_numpy(dtype=float) * area)  # fmt: skip
    elif method == "chain":
        chain = row[["wd", "bef", "r", "cf_chain"]].apply(pd.to_numeric, errors="coerce")
        missing = tree & chain.isna().any(axis=1).to_numpy()
        if missing.any():
            msg = f"no chain factors (WD, BEF, R) for {sorted(set(types[missing]))}; use method='fang'"
            raise SchemaError(msg)
        tree_c = (
            vol
            * chain["wd"].to_numpy()
            * chain["bef"].to_numpy()
            * (1 + chain["r"].to_numpy())
            * chain["cf_chain"].to_numpy()
        )
    else:
        msg = f"method must be 'fang' or 'chain', got {method!r}"
        raise SchemaError(msg)
    per_area = area * pd.to_numeric(row["veg_tc_ha"], errors="coerce").fillna(0).to_numpy(dtype=float)
    if "culms" in s.columns:
        culms = pd.to_numeric(s["culms"], errors="coerce").to_numpy(dtype=float)
        by_culm = culms * BAMBOO_CULM_KG / 1000 * 0.5
        per_area = np.where((types == "moso_bamboo") & np.isfinite(culms), by_culm, per_area)
    biomass = np.where(tree, np.nan_to_num(tree_c), per_area)
    understory = area * row["understory_tc_ha"].to_numpy(dtype=float)
    dead = area * row["dead_tc_ha"].to_numpy(dtype=float)
    soil = area * row["soil_tc_ha"].to_numpy(dtype=float)
    veg = biomass + understory
    return s.assign(
        forest_type=types,
        area_ha=area,
        cover_area_ha=np.where(row["in_forest_cover"].to_numpy(dtype=bool), area, 0.0),
        volume_m3=vol,
        biomass_tc=biomass,
        understory_tc=understory,
        dead_tc=dead,
        soil_tc=soil,
        vegetation_tc=veg,
        stock_tc=veg + dead,
        stock_tco2=(veg + dead) * CO2_PER_C,
    )


SUMMED = (
    "area_ha",
    "cover_area_ha",
    "volume_m3",
    "biomass_tc",
    "understory_tc",
    "dead_tc",
    "soil_tc",
    "vegetation_tc",
    "stock_tc",
)


def _by_county_type(carbon: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> pd.DataFrame:
    """Sums per (unit, type); a stand crossing a unit line is split by area.

    What lies outside every unit is kept under ``unassigned`` (never dropped).
    """
    c = sxcrs.to_metric(counties, what="counties")
    sg = np.asarray(sxcrs.to_metric(carbon, what="stands").geometry.values, dtype=object)
    ci, si, pieces = intersection_pieces(np.asarray(c.geometry.values, dtype=object), sg)
    share = shapely.area(pieces) / np.maximum(shapely.area(sg[si]), 1e-9)
    outside = np.clip(1.0 - np.bincount(si, weights=share, minlength=len(sg)), 0.0, 1.0)
    outside[outside < 1e-9] = 0.0
    keep = np.flatnonzero(outside)
    idx = np.concatenate([si, keep])
    weight = np.concatenate([share, outside[keep]])
    frame = pd.DataFrame({col: carbon[col].to_numpy()[idx] * weight for col in SUMMED})
    codes = c["adcode"].astype(str).to_numpy()
    frame["unit_code"] = np.concatenate([codes[ci], np.full(len(keep), UNASSIGNED, dtype=object)])
    frame["forest_type"] = carbon["forest_type"].to_numpy()[idx]
    if len(keep):
        log.warning("%d stands lie wholly or partly outside every unit (kept as 'unassigned')", len(keep))
    return frame.groupby(["unit_code", "forest_type"], as_index=False)[list(SUMMED)].sum()


def _monte_carlo(by_type: pd.DataFrame, factors: pd.DataFrame, *, draws: int, seed: int) -> pd.DataFrame:
    """95% range of vegetation carbon per county: factors drawn per type (systematic), seeded."""
    rng = np.random.default_rng(seed)
    types = sorted(by_type["forest_type"].unique())
    n_t = len(types)
    cf = rng.normal(1, UNCERTAINTY["cf"], (draws, n_t))
    a = rng.normal(1, UNCERTAINTY["a"], (draws, n_t))
    b = rng.normal(1, UNCERTAINTY["b"], (draws, n_t))
    dens = rng.normal(1, UNCERTAINTY["density"], (draws, n_t))
    out = {}
    for unit, sub in by_type.groupby("unit_code"):
        total = np.zeros(draws)
        for _, r in sub.iterrows():
            k = types.index(r["forest_type"])
            f = factors.loc[r["forest_type"]]
            if f["method"] == "fang":
                tree = (
                    f["cf"]
                    * cf[:, k]
                    * (f["a_t_m3"] * a[:, k] * r["volume_m3"] + f["b_t_ha"] * b[:, k] * r["area_ha"])
                )
            else:
                tree = r["biomass_tc"] * dens[:, k]
            total += tree + r["understory_tc"] * dens[:, k]
        out[unit] = (np.percentile(total, 2.5), np.percentile(total, 97.5))
    return pd.DataFrame.from_dict(out, orient="index", columns=["vegetation_tc_low", "vegetation_tc_high"])


def county_summary(
    carbon: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    *,
    factors: pd.DataFrame | None = None,
    draws: int = 1000,
    seed: int = 20211201,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-county (and city) forest area, cover, stock volume and carbon, with a 95% range.

    Parameters
    ----------
    carbon : geopandas.GeoDataFrame
        From :func:`stand_carbon`.
    counties : geopandas.GeoDataFrame
        County polygons with ``adcode`` and ``land_area_km2`` (else measured).
    factors : pandas.DataFrame, optional
        The factor table used (for the Monte Carlo).
    draws : int
        Monte-Carlo draws (seeded).
    seed : int
        Random seed.

    Returns
    -------
    tuple of pandas.DataFrame
        The county table (``unit_code`` rows + ``330600``) and the county × type table.
    """
    f = forest_factors(factors)
    by_type = _by_county_type(carbon, counties)
    t = unit_rows(by_type.groupby("unit_code")[list(SUMMED)].sum(), counties)
    land_ha = sxcrs.area_m2(sxcrs.to_metric(counties, what="counties")) / M2_PER_HA
    land = pd.DataFrame({"land_area_ha": land_ha}, index=counties["adcode"].astype(str))
    t["land_area_ha"] = unit_rows(land, counties)["land_area_ha"].to_numpy()
    t.loc[t["unit_code"] == UNASSIGNED, "land_area_ha"] = np.nan
    mc = pd.concat(
        [
            _monte_carlo(
                by_type[by_type["unit_code"].isin(m)].assign(unit_code=row), f, draws=draws, seed=seed
            )
            for row, m in unit_members(counties).items()
        ]
    )
    t = t.join(mc, on="unit_code")
    t[["vegetation_tc_low", "vegetation_tc_high"]] = t[["vegetation_tc_low", "vegetation_tc_high"]].fillna(
        0.0
    )
    # 森林覆盖率 counts the stand types flagged in_forest_cover (not generic shrub or tea); the carbon
    # of every stand counts
    t = t.rename(columns={"area_ha": "stand_area_ha", "cover_area_ha": "forest_area_ha"})
    t["forest_cover_pct"] = 100 * t["forest_area_ha"] / t["land_area_ha"]
    t["stock_volume_wan_m3"] = t["volume_m3"] / 1e4
    t["vegetation_tco2"] = t["vegetation_tc"] * CO2_PER_C
    t["stock_tco2"] = t["stock_tc"] * CO2_PER_C
    t["density_tc_ha"] = t["vegetation_tc"] / t["stand_area_ha"].where(t["stand_area_ha"] > 0)
    cols = [
        *id_columns(t), "forest_area_ha", "stand_area_ha", "land_area_ha", "forest_cover_pct",
        "stock_volume_wan_m3",
        "biomass_tc", "vegetation_tc", "vegetation_tco2", "vegetation_tc_low", "vegetation_tc_high",
        "stock_tc", "stock_tco2", "soil_tc", "density_tc_ha",
    ]  # fmt: skip
    t = t[cols].round(2)
    by_type = unit_rows_by(by_type, counties, "forest_type", SUMMED).rename(
        columns={"area_ha": "stand_area_ha", "cover_area_ha": "forest_area_ha"}
    )
    by_type["stock_tco2"] = by_type["stock_tc"] * CO2_PER_C
    return t, by_type.round(2)


@dataclass
class Indicator:
    """A plan indicator judged against its target.

    Attributes
    ----------
    indicator, unit : str
        Name and unit.
    value, target : float
        Measured and target values.
    status : str
        ``met`` or ``behind``.
    """

    indicator: str
    unit: str
    value: float
    target: float | None
    status: str


def plan_check(summary: pd.DataFrame, *, targets: TargetsLike = None) -> pd.DataFrame:
    """The city's forest indicators against the plan: cover, stock volume, vegetation carbon.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`county_summary` (of the county layer: it needs the ``330600`` row).
    targets : pandas.DataFrame, optional
        The targets table (:func:`sxgeo.plan.load_plan_targets`); default the shipped one.

    Returns
    -------
    pandas.DataFrame
        ``indicator, unit, value, target, status``.

    Raises
    ------
    SchemaError
        Not for a missing figure: that row's status is ``no_target``.
    """
    city = cast("pd.Series", summary.set_index("unit_code").loc[CITY_CODE])  # unit codes are unique
    rows = []
    # the plan makes stock volume binding (约束性) and the other two expected (预期性)
    for ind, unit, value, kind in (
        ("forest_cover", "%", city["forest_cover_pct"], "expected"),
        ("forest_stock_volume", "万 m3", city["stock_volume_wan_m3"], "binding"),
        ("forest_vegetation_carbon", "万 t C", city["vegetation_tc"] / 1e4, "expected"),
    ):
        target = unit_target(ind, CITY_CODE, kind=kind, targets=targets)
        # a plan without the figure (the 15th draft's pending rows): no status
        status = "no_target" if target is None else "met" if value >= target - 1e-9 else "behind"
        rows.append(Indicator(ind, unit, round(float(value), 2), target, status).__dict__)
    return pd.DataFrame(rows)


def yearly_sink(
    before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, counties: gpd.GeoDataFrame, *, years: float
) -> pd.DataFrame:
    """Yearly sink per county and type by stock difference of two inventories.

    Parameters
    ----------
    before, after : geopandas.GeoDataFrame
        :func:`stand_carbon` of the earlier and later inventory.
    counties : geopandas.GeoDataFrame
        County polygons.
    years : float
        Years between the inventories.

    Returns
    -------
    pandas.DataFrame
        ``unit_code, forest_type, sink_tc_yr, sink_tco2_yr, soil_change_tc_yr`` plus a
        ``330600`` row per type; positive = removal from the atmosphere (planner's view).
    """
    if years <= 0:
        msg = f"years between inventories must be positive, got {years}"
        raise SchemaError(msg)
    b = _by_county_type(before, counties).set_index(["unit_code", "forest_type"])
    a = _by_county_type(after, counties).set_index(["unit_code", "forest_type"])
    idx = a.index.union(b.index)
    d = a.reindex(idx).fillna(0) - b.reindex(idx).fillna(0)
    diff = pd.DataFrame(
        {
            "sink_tc_yr": d["stock_tc"] / years,
            "soil_change_tc_yr": d["soil_tc"] / years,
            "volume_change_m3_yr": d["volume_m3"] / years,
        }
    ).reset_index()
    out = unit_rows_by(
        diff, counties, "forest_type", ["sink_tc_yr", "soil_change_tc_yr", "volume_change_m3_yr"]
    )
    out["sink_tco2_yr"] = out["sink_tc_yr"] * CO2_PER_C
    return out.round(2)
