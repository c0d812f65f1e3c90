"""Zero-carbon parks (零碳园区): park units, their roofs' PV, land carbon, sponge coverage, core indicator.

发改环资〔2025〕910号《关于开展零碳园区建设的通知》 (NDRC, MIIT, NEA, July 2025) sets **one core
indicator**, 单位能耗碳排放 (CO₂ per unit of energy used, t CO₂/tce), and five guiding ones (clean-energy
share, product energy intensity, industrial solid-waste reuse, waste-heat reuse, water reuse). Eligible
are provincial-or-higher development zones, or a 园中园 with a clear 四至 boundary; Zhejiang's 2026 draft
《浙江省低(零)碳园区建设实施方案(征求意见稿)》 aims at about 20 provincial zero-carbon parks by 2030
(reference/rules-2026.md §1.1-1.2).

The thresholds (:data:`CORE_THRESHOLDS`, :data:`GUIDING_THRESHOLDS`) come from a secondary source only
(blog shangjiandao.com): **verify** against the notice's annex before citing them. They grade, they do
not decide anything.

Formulas here are pure (frames in, frames out); :mod:`sxgeo.parks.pipeline` reads the inputs.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.errors import SchemaError
from sxgeo.io.columns import find_column
from sxgeo.params import parse_numbers
from sxgeo.units import M2_PER_KM2
from sxgeo.zonal import area_by_zone, clip_to, dissolve_parts

log = logging.getLogger(__name__)

CODE_COLUMNS = ("park_code", "park_id", "code", "园区代码", "园区编号")
NAME_COLUMNS = ("park_name", "name", "园区名称", "名称")
LEVEL_COLUMNS = ("level", "级别", "园区级别")
PARENT_COLUMNS = ("parent_code", "parent", "所属园区", "上级园区代码")

LEVELS = {
    "national": "national",
    "国家级": "national",
    "国家": "national",
    "provincial": "provincial",
    "省级": "provincial",
    "省": "provincial",
}
"""Development-zone levels (《中国开发区审核公告目录》): national or provincial; others are kept as given."""

NESTED_INSIDE = 0.90
"""A 园中园 must lie at least this share of its area inside its parent park."""

HISTORY_COLUMNS = {
    "energy_tce": ("energy_tce", "综合能耗_tce", "能耗_tce"),
    "co2_t": ("co2_t", "碳排放_t", "二氧化碳排放_t"),
    "electricity_mwh": ("electricity_mwh", "用电量_mwh"),
    "clean_energy_share_pct": ("clean_energy_share_pct", "清洁能源占比_pct"),
    "product_energy_intensity": ("product_energy_intensity", "单位产品能耗"),
    "solid_waste_reuse_pct": ("solid_waste_reuse_pct", "工业固废综合利用率_pct"),
    "waste_heat_reuse_pct": ("waste_heat_reuse_pct", "余热利用率_pct"),
    "water_reuse_pct": ("water_reuse_pct", "工业用水重复利用率_pct"),
}
"""Entered columns of the park history table (one row per park and year), with their usual headers."""

CORE_THRESHOLDS = ((1_000_000.0, 0.20), (float("inf"), 0.30))
"""单位能耗碳排放 limit [t CO₂/tce] by the park's yearly energy use [tce]: ≤ 0.20 up to 1,000 kt ce
(the notice names 20-1,000 kt ce; below 20 kt the same 0.20 is applied [assume]), ≤ 0.30 above
[verify: secondary source, shangjiandao.com]."""

GUIDING_THRESHOLDS = {
    "clean_energy_share_pct": 90.0,
    "solid_waste_reuse_pct": 80.0,
    "waste_heat_reuse_pct": 50.0,
    "water_reuse_pct": 80.0,
}
"""Guiding indicators, at least [%] [verify: secondary source]. Product energy intensity has no
single threshold (it is per product): it is carried, not graded."""

GRADES = ("meets", "above", "no_data")
"""Grade of the core indicator: at or below its limit, above it, or not computable."""


def read_boundaries(parks: gpd.GeoDataFrame, *, source: str = "parks") -> gpd.GeoDataFrame:
    """Park boundaries (四至) as park units: code, name, level, parent (园中园), in EPSG:4549.

    Parameters
    ----------
    parks : geopandas.GeoDataFrame
        Polygons with a code column (:data:`CODE_COLUMNS`), optional name, level and parent code.
    source : str
        File name for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        ``park_code, park_name, level, parent_code`` and the geometry, in EPSG:4549.

    Raises
    ------
    SchemaError
        No code column, a code given twice or blank, a parent code that is no park, a park that is
        its own parent, or a 园中园 less than :data:`NESTED_INSIDE` inside its parent.
    """
    code_c = find_column(parks.columns, CODE_COLUMNS, what="park code", source=source)
    assert code_c is not None  # required=True raises otherwise
    name_c = find_column(parks.columns, NAME_COLUMNS, what="park name", source=source, required=False)
    level_c = find_column(parks.columns, LEVEL_COLUMNS, what="park level", source=source, required=False)
    parent_c = find_column(parks.columns, PARENT_COLUMNS, what="parent park", source=source, required=False)
    m = sxcrs.to_metric(parks, what=source).reset_index(drop=True)

    def text(col: str | None) -> pd.Series:
        if col is None:
            return pd.Series([""] * len(m), dtype=object)
        s = m[col].astype(object).where(m[col].notna(), "").astype(str).str.strip()
        return s.where(~s.isin(["nan", "None"]), "")

    code = text(code_c)
    if (code == "").any():
        i = int(np.flatnonzero(code == "")[0])
        msg = f"{source}: feature {i} has no park code ({code_c}); give every park a code"
        raise SchemaError(msg)
    dup = code[code.duplicated()]
    if len(dup):
        msg = f"{source}: park code {dup.iloc[0]!r} given twice; each park needs its own code"
        raise SchemaError(msg)
    level = text(level_c)
    out = gpd.GeoDataFrame(
        {
            "park_code": code,
            "park_name": text(name_c).where(text(name_c) != "", code),
            "level": level.map(lambda v: LEVELS.get(v.lower(), LEVELS.get(v, v))),
            "parent_code": text(parent_c),
        },
        geometry=m.geometry.values,
        crs=m.crs,
    )
    geom = dict(zip(out["park_code"], out.geometry, strict=True))
    for child, parent in zip(out["park_code"], out["parent_code"], strict=True):
        if not parent:
            continue
        if parent == child or parent not in geom:
            why = "is the park itself" if parent == child else "is no park of the layer"
            msg = f"{source}: park {child!r}: parent_code {parent!r} {why}; fix parent_code or leave it blank"
            raise SchemaError(msg)
        inside = shapely.area(shapely.intersection(geom[child], geom[parent])) / max(
            shapely.area(geom[child]), 1e-9
        )
        if inside < NESTED_INSIDE:
            msg = (
                f"{source}: park {child!r} (园中园) lies only {100 * inside:.0f}% inside its parent "
                f"{parent!r}; a park inside a park must lie within it (>= {100 * NESTED_INSIDE:.0f}%): "
                "fix the boundary or parent_code"
            )
            raise SchemaError(msg)
    return out


def park_units(parks: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The parks as a zone layer (``adcode`` = park code, ``county_adcode``) for the per-zone tools.

    Parameters
    ----------
    parks : geopandas.GeoDataFrame
        :func:`read_boundaries`.
    counties : geopandas.GeoDataFrame
        The county layer: each park's county holds a point on its surface.

    Returns
    -------
    geopandas.GeoDataFrame
        ``adcode, name_zh, name_en, county_adcode`` + geometry, ``attrs['unit_kind'] = 'zone'``.
    """
    c = sxcrs.to_metric(counties, what="counties")
    pts = shapely.point_on_surface(np.asarray(parks.geometry.values, dtype=object))
    tree = shapely.STRtree(np.asarray(c.geometry.values, dtype=object))
    pi, ci = tree.query(pts, predicate="within")
    county = np.full(len(parks), "", dtype=object)
    county[pi] = c["adcode"].astype(str).to_numpy()[ci]
    out = gpd.GeoDataFrame(
        {
            "adcode": parks["park_code"].to_numpy(),
            "name_zh": parks["park_name"].to_numpy(),
            "name_en": parks["park_code"].to_numpy(),
            "county_adcode": county,
        },
        geometry=parks.geometry.values,
        crs=parks.crs,
    )
    out.attrs["unit_kind"] = "zone"
    return out


def roof_park_pairs(roofs: gpd.GeoDataFrame, parks: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(roof index, park index) for every park holding a point on the roof's surface.

    A roof in a 园中园 is in the inner park and in its parent: each park counts its own roofs.
    """
    r = sxcrs.to_metric(roofs, what="roofs")
    pts = shapely.point_on_surface(np.asarray(r.geometry.values, dtype=object))
    pg = np.asarray(parks.geometry.values, dtype=object)
    shapely.prepare(pg)
    pk, ri = shapely.STRtree(pts).query(pg, predicate="contains")
    return ri, pk


def pv_by_park(roofs: gpd.GeoDataFrame, parks: gpd.GeoDataFrame, types: tuple[str, ...]) -> pd.DataFrame:
    """Roofs, capacity and generation per park, and the capacity by NEA-2025 project type.

    Parameters
    ----------
    roofs : geopandas.GeoDataFrame
        Per-roof PV results (:func:`sxgeo.pv.building_potential`), with ``nea2025_type`` when the
        2025 types were computed (:func:`sxgeo.pv.nea2025.classify`).
    parks : geopandas.GeoDataFrame
        :func:`read_boundaries`.
    types : tuple of str
        The type names (:data:`sxgeo.pv.nea2025.NEA_TYPES`), one column ``pv_<type>_mwp`` each.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``park_code``: ``roofs, pv_capacity_mwp, pv_generation_mwh, pv_<type>_mwp...``.
    """
    ri, pk = roof_park_pairs(roofs, parks)
    cap = roofs["capacity_kwp"].to_numpy(float)[ri]
    f = pd.DataFrame(
        {
            "park_code": parks["park_code"].to_numpy()[pk],
            "roofs": (cap > 0).astype(int),
            "pv_capacity_mwp": cap / 1000,
            "pv_generation_mwh": roofs["generation_mwh"].to_numpy(float)[ri],
        }
    )
    kinds = roofs["nea2025_type"].to_numpy(dtype=object)[ri] if "nea2025_type" in roofs.columns else None
    for t in types:
        f[f"pv_{t}_mwp"] = np.where(kinds == t, cap / 1000, 0.0) if kinds is not None else np.nan
    out = f.groupby("park_code").sum(min_count=1).reindex(parks["park_code"])
    out[["roofs", "pv_capacity_mwp", "pv_generation_mwh"]] = out[
        ["roofs", "pv_capacity_mwp", "pv_generation_mwh"]
    ].fillna(0)
    if kinds is not None:
        out = out.fillna(0)
    out["roofs"] = out["roofs"].astype(int)
    return out


def sponge_by_park(
    built_up: gpd.GeoDataFrame, compliant: gpd.GeoDataFrame, units: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Built-up area inside each park and the share of it meeting the sponge-city requirements.

    Parameters
    ----------
    built_up, compliant : geopandas.GeoDataFrame
        Built-up polygons and the counted compliant projects (each dissolved: overlaps once).
    units : geopandas.GeoDataFrame
        :func:`park_units` (nested parks each counted whole).

    Returns
    -------
    pandas.DataFrame
        Indexed by park code: ``built_up_km2, sponge_compliant_km2, sponge_coverage_pct`` (NaN
        where the park holds no built-up area).
    """
    base = dissolve_parts(built_up)
    good = dissolve_parts(compliant) if len(compliant) else gpd.GeoSeries([], crs=base.crs)
    inside = clip_to(good, base) if len(good) else good
    denom = area_by_zone(base, units).reindex(units["adcode"]).fillna(0.0)
    numer = (
        area_by_zone(inside, units).reindex(units["adcode"]).fillna(0.0)
        if len(inside)
        else pd.Series(0.0, index=units["adcode"])
    )
    out = pd.DataFrame({"built_up_km2": denom / M2_PER_KM2, "sponge_compliant_km2": numer / M2_PER_KM2})
    with np.errstate(divide="ignore", invalid="ignore"):
        out["sponge_coverage_pct"] = np.where(
            out["built_up_km2"] > 0, 100 * out["sponge_compliant_km2"] / out["built_up_km2"], np.nan
        )
    out.index.name = "park_code"
    return out


def read_history(table: pd.DataFrame, codes: set[str], *, source: str = "park history") -> pd.DataFrame:
    """The entered history per park and year, with the core indicator and its grade.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per park and year: ``park_code, year`` and any of :data:`HISTORY_COLUMNS`.
    codes : set of str
        The parks of the boundary layer: a row for another code is refused.
    source : str
        File name for messages.

    Returns
    -------
    pandas.DataFrame
        ``park_code, year``, the entered columns (NaN where not given), ``core_t_co2_per_tce``,
        ``core_limit_t_co2_per_tce``, ``core_grade`` and ``guiding_met`` ("2/4": guiding
        thresholds met of those entered).

    Raises
    ------
    SchemaError
        A missing code or year column, a code that is no park, a park-year given twice, a cell
        that is not a number, or a negative energy use.
    """
    name = table.attrs.get("source", source)
    code_c = find_column(table.columns, CODE_COLUMNS, what="park code", source=name)
    year_c = find_column(table.columns, ("year", "年份"), what="year", source=name)
    assert code_c is not None and year_c is not None
    t = pd.DataFrame({"park_code": table[code_c].astype(str).str.strip()})
    t["year"] = parse_numbers(table[[year_c]], [year_c], source=name, required=True)[year_c].astype(int)
    for col, names in HISTORY_COLUMNS.items():
        c = find_column(table.columns, names, what=col, source=name, required=False, quiet=True)
        t[col] = parse_numbers(table[[c]], [c], source=name)[c] if c is not None else np.nan
    stray = sorted(set(t["park_code"]) - codes)
    if stray:
        msg = f"{name}: park codes {stray[:5]} are no park of the boundaries; fix the codes"
        raise SchemaError(msg)
    dup = t.duplicated(["park_code", "year"])
    if dup.any():
        r = t.loc[dup].iloc[0]
        msg = f"{name}: park {r['park_code']!r} year {r['year']} given twice"
        raise SchemaError(msg)
    if (t["energy_tce"] < 0).any():
        msg = f"{name}: a negative energy_tce; energy use is in tce, >= 0"
        raise SchemaError(msg)
    return grade(t.sort_values(["park_code", "year"]).reset_index(drop=True))


def core_limit(energy_tce: pd.Series) -> np.ndarray:
    """The core indicator's limit for each park-year's energy use (:data:`CORE_THRESHOLDS`)."""
    e = energy_tce.to_numpy(float)
    limits = np.full(len(e), np.nan)
    for upto, limit in reversed(CORE_THRESHOLDS):
        limits = np.where(np.isfinite(e) & (e <= upto), limit, limits)
    return limits


def grade(history: pd.DataFrame) -> pd.DataFrame:
    """Add ``core_t_co2_per_tce`` (CO₂ / energy), its limit, ``core_grade`` and ``guiding_met``.

    Parameters
    ----------
    history : pandas.DataFrame
        With ``energy_tce``, ``co2_t`` and the guiding columns (NaN where not entered).

    Returns
    -------
    pandas.DataFrame
    """
    h = history.copy()
    e = h["energy_tce"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        core = np.where(e > 0, h["co2_t"].to_numpy(float) / e, np.nan)
    h["core_t_co2_per_tce"] = np.round(core, 4)
    h["core_limit_t_co2_per_tce"] = core_limit(h["energy_tce"])
    ok = np.isfinite(core) & np.isfinite(h["core_limit_t_co2_per_tce"].to_numpy(float))
    h["core_grade"] = np.where(
        ok,
        np.where(core <= h["core_limit_t_co2_per_tce"].to_numpy(float) + 1e-12, "meets", "above"),
        "no_data",
    )
    given = np.zeros(len(h), dtype=int)
    met = np.zeros(len(h), dtype=int)
    for col, limit in GUIDING_THRESHOLDS.items():
        v = h[col].to_numpy(float)
        given += np.isfinite(v)
        met += np.isfinite(v) & (v >= limit)
    h["guiding_met"] = [f"{m}/{g}" for m, g in zip(met, given, strict=True)]
    return h


def latest(history: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """Each park's row of *year*, else its latest before it (all years when *year* is None).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``park_code``; ``year`` renamed ``data_year``.
    """
    h = history if year is None else history[history["year"] <= year]
    last = h.sort_values(["park_code", "year"]).groupby("park_code").tail(1)
    return last.rename(columns={"year": "data_year"}).set_index("park_code")


LABELS_ZH = {
    "park_code": "园区代码",
    "park_name": "园区名称",
    "level": "级别",
    "parent_code": "所属园区(园中园)",
    "unit_code": "所属县区代码",
    "area_km2": "面积(km²)",
    "lon": "经度(园区内一点)",
    "lat": "纬度(园区内一点)",
    "roofs": "屋顶数",
    "pv_capacity_mwp": "屋顶光伏可装机(MWp)",
    "pv_generation_mwh": "屋顶光伏年发电量(MWh)",
    "data_year": "数据年份",
    "electricity_mwh": "用电量(MWh)",
    "pv_supply_share_pct": "屋顶光伏可供用电比例(%)",
    "energy_tce": "综合能耗(tce)",
    "co2_t": "CO₂排放(t)",
    "clean_energy_share_pct": "清洁能源消费占比(%)",
    "product_energy_intensity": "单位产品能耗",
    "solid_waste_reuse_pct": "工业固废综合利用率(%)",
    "waste_heat_reuse_pct": "余热余压利用率(%)",
    "water_reuse_pct": "工业用水重复利用率(%)",
    "core_t_co2_per_tce": "单位能耗碳排放(tCO₂/tce)",
    "core_limit_t_co2_per_tce": "核心指标限值(tCO₂/tce,待核实)",
    "core_grade": "核心指标评价",
    "guiding_met": "引导指标达标数",
    "carbon_stock_tc": "地类碳储量(tC)",
    "carbon_total_tc": "含土壤碳储量(tC)",
    "built_up_km2": "建成区面积(km²)",
    "sponge_compliant_km2": "海绵达标面积(km²)",
    "sponge_coverage_pct": "海绵城市达标比例(%)",
}
"""Chinese labels of the park tables."""


__all__ = [
    "CORE_THRESHOLDS",
    "GRADES",
    "GUIDING_THRESHOLDS",
    "HISTORY_COLUMNS",
    "LABELS_ZH",
    "core_limit",
    "grade",
    "latest",
    "park_units",
    "pv_by_park",
    "read_boundaries",
    "read_history",
    "roof_park_pairs",
    "sponge_by_park",
]
