"""Synthetic pilot-siting criteria for every demo village, town and county (labelled, seeded).

One row per code of the demo layers, columns as the shipped criteria file names them
(``sxgeo/data/pilot_criteria.yaml``). The values are plausible, not measured, and consistent with
the other demo layers: villages near their county seat (inside the synthetic built-up area) have
more people, more roof area, more electricity use and less forest; 街道 (streets) have higher
sponge-city coverage than 镇/乡; one village in ten has no carbon ledger yet (the default gate).
Towns and counties aggregate their villages (sums of people and PV, population-weighted means).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo import crs as sxcrs
from sxgeo.admin import COUNTY_BY_CODE
from sxgeo.demo.base import DEFAULT_SEED, SYNTHETIC_NOTE, _seats_metric

CRITERIA_COLUMNS = (
    "pv_potential_kw",
    "forest_cover_pct",
    "electricity_kwh_per_capita",
    "sponge_coverage_pct",
    "population",
    "carbon_ledger",
)
"""The criteria columns of the demo table."""

DEMO_CRITERIA_YAML = """\
# 示例项目的评分指标 / The demo project's pilot criteria (SYNTHETIC demo; written by sxgeo demo-data)
#
# measure: 由 sxgeo 从本文件夹的图层计算 / computed by sxgeo from this folder's layers
#   (pv_potential_kw: demo_buildings.parquet through the rooftop-PV kernel; forest_cover_pct:
#   demo_landcover_2020.tif + demo_carbon_pools.csv; builtup_share_pct: demo_built_up.geojson;
#   sponge_coverage_pct: demo_sponge_projects.geojson over demo_built_up.geojson, per town).
# column: 合成的示例值 / SYNTHETIC demo values from demo_pilot_criteria.csv (no layer gives them).
# See sxgeo/data/pilot_criteria.yaml for every key.

method: direct

criteria:
  - id: pv
    name_zh: 屋顶光伏潜力(1 千米内)
    name_en: Rooftop PV potential (within 1 km)
    measure: pv_potential_kw
    radius_km: 1
    direction: benefit
    weight: 0.25
  - id: forest
    name_zh: 森林覆盖率
    name_en: Forest cover
    measure: forest_cover_pct
    radius_km: 1
    direction: benefit
    weight: 0.20
  - id: energy
    name_zh: 人均用电量(合成)
    name_en: Electricity use per person (synthetic column)
    column: electricity_kwh_per_capita
    direction: cost
    weight: 0.15
  - id: sponge
    name_zh: 所在乡镇海绵城市达标率
    name_en: Sponge coverage of its town
    measure: sponge_coverage_pct
    direction: benefit
    weight: 0.15
  - id: population
    name_zh: 常住人口(合成)
    name_en: Resident population (synthetic column)
    column: population
    direction: benefit
    weight: 0.10
  - id: spread
    name_zh: 距已有试点距离
    name_en: Distance to an existing pilot
    measure: distance_to_pilot_km
    direction: benefit
    weight: 0.15
  - id: builtup
    name_zh: 建成区占比(仅展示)
    name_en: Built-up share (shown, weight 0)
    measure: builtup_share_pct
    radius_km: 1
    direction: benefit
    weight: 0

gates:
  - id: ledger
    name_zh: 已建立碳排放统计台账(合成)
    name_en: Carbon accounting ledger in place (synthetic column)
    column: carbon_ledger
    op: "=="
    value: 1
"""
"""The demo project's criteria file: measures where the demo layers give them, synthetic columns else."""


def make_criteria(
    villages: gpd.GeoDataFrame,
    towns: gpd.GeoDataFrame,
    built_up: gpd.GeoDataFrame,
    *,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Synthetic criteria per village, town and county.

    Parameters
    ----------
    villages, towns, built_up : geopandas.GeoDataFrame
        The demo layers (:func:`sxgeo.demo.base.make_villages`, ``make_towns``, ``make_built_up``).
    seed : int
        Random seed.

    Returns
    -------
    pandas.DataFrame
        ``code, name, level, county_adcode`` and :data:`CRITERIA_COLUMNS`, ``synthetic``, ``data_note``.
    """
    rng = np.random.default_rng(seed + 12)
    v = sxcrs.to_metric(villages, what="demo villages")
    seats = _seats_metric()
    sx = np.array([seats[c][0] for c in v["county_adcode"]])
    sy = np.array([seats[c][1] for c in v["county_adcode"]])
    d_km = np.hypot(v.geometry.x.to_numpy() - sx, v.geometry.y.to_numpy() - sy) / 1000.0
    urban = v.geometry.intersects(sxcrs.to_metric(built_up, what="demo built-up").union_all()).to_numpy()
    n = len(v)
    population = np.round(
        rng.lognormal(np.log(1800), 0.45, n) * np.where(urban, 2.5, 1.0) * np.exp(-d_km / 60)
    )
    pv = np.round(population * rng.uniform(0.5, 1.2, n) * np.where(urban, 0.7, 1.0), 0)
    forest = np.clip(15 + 2.2 * d_km + rng.normal(0, 12, n) - np.where(urban, 20, 0), 0, 92).round(1)
    elec = np.round(900 + np.where(urban, 450, 0) - 6 * d_km + rng.normal(0, 120, n), 0)
    town_kind = towns.set_index("code")["kind"]
    street = v["town_code"].map(town_kind).eq("street").to_numpy()
    town_sponge = {
        code: float(np.clip(rng.normal(45 if kind == "street" else 18, 10), 0, 95))
        for code, kind in town_kind.items()
    }
    ledger = (rng.uniform(size=n) > np.where(street, 0.05, 0.12)).astype(int)
    vt = pd.DataFrame(
        {
            "code": v["code"].astype(str),
            "name": v["name"],
            "level": "village",
            "county_adcode": v["county_adcode"].astype(str),
            "town_code": v["town_code"].astype(str),
            "pv_potential_kw": pv,
            "forest_cover_pct": forest,
            "electricity_kwh_per_capita": elec,
            "sponge_coverage_pct": v["town_code"].map(town_sponge).round(1).to_numpy(),
            "population": population,
            "carbon_ledger": ledger,
        }
    )
    tt = _aggregate(vt, "town_code", towns.set_index("code")["name"])
    tt["sponge_coverage_pct"] = tt["code"].map(town_sponge).round(1)
    tt["carbon_ledger"] = (rng.uniform(size=len(tt)) > 0.05).astype(int)
    ct = _aggregate(tt.assign(cc=tt["county_adcode"]), "cc", None)

    ct["name"] = ct["code"].map(lambda c: COUNTY_BY_CODE[c].name_zh)
    ct["carbon_ledger"] = 1
    out = pd.concat([ct, tt, vt.drop(columns="town_code")], ignore_index=True)
    out["synthetic"] = True
    out["data_note"] = SYNTHETIC_NOTE
    return out[["code", "name", "level", "county_adcode", *CRITERIA_COLUMNS, "synthetic", "data_note"]]


def _aggregate(rows: pd.DataFrame, by: str, names: pd.Series | None) -> pd.DataFrame:
    """Sums of people and PV, population-weighted means of the rest, per *by*."""
    w = rows["population"]
    g = rows.assign(
        _f=rows["forest_cover_pct"] * w,
        _e=rows["electricity_kwh_per_capita"] * w,
        _s=rows["sponge_coverage_pct"] * w,
    ).groupby(by, sort=True)
    agg = g.agg(
        population=("population", "sum"),
        pv_potential_kw=("pv_potential_kw", "sum"),
        _f=("_f", "sum"),
        _e=("_e", "sum"),
        _s=("_s", "sum"),
        county_adcode=("county_adcode", "first"),
    ).reset_index()
    out = pd.DataFrame(
        {
            "code": agg[by].astype(str),
            "name": agg[by].map(names) if names is not None else "",
            "level": "town" if names is not None else "county",
            "county_adcode": agg["county_adcode"],
            "pv_potential_kw": agg["pv_potential_kw"],
            "forest_cover_pct": (agg["_f"] / agg["population"]).round(1),
            "electricity_kwh_per_capita": (agg["_e"] / agg["population"]).round(0),
            "sponge_coverage_pct": (agg["_s"] / agg["population"]).round(1),
            "population": agg["population"],
        }
    )
    return out
