"""Wetlands: area and protection rate per county against the plan, carbon stock and yearly burial.

Methane is reported in its own columns (t CH4 and t CO2e with GWP100 = 27, IPCC AR6 for
non-fossil methane) and is never netted against burial: a lake emitting 3.1 mg CH4/m2/h gives
about 7.5 t CO2e/ha/yr, far more than its 0.8 t CO2/ha/yr of burial (reference/carbon.md §3).
Factors: ``sxgeo/data/carbon_wetland_types.csv`` (cited, ``verify`` flags).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.data import read_param_table
from sxgeo.errors import SchemaError
from sxgeo.params import parse_flags, parse_numbers, source_of
from sxgeo.plan import TargetsLike
from sxgeo.unit_table import add_ratio, attach_targets, unit_rows, unit_rows_by
from sxgeo.units import CO2_PER_C, M2_PER_HA
from sxgeo.zonal import UNASSIGNED, dissolve_parts, intersection_pieces

GWP100_CH4 = 27.0
"""Global warming potential of (non-fossil) methane over 100 years (IPCC AR6 WG1 Table 7.15)."""
HOURS_PER_YEAR = 8760.0


DLBM_WETLAND_TYPES = {
    "0303": "mangrove",
    "0304": "marsh",
    "0306": "marsh",
    "0402": "marsh",
    "1105": "mudflat",
    "1106": "mudflat",
    "1108": "marsh",
}
"""三调/变更调查 DLBM wetland classes and the wetland type each is counted as [verify: the code list]:
红树林地, 森林沼泽, 灌丛沼泽, 沼泽草地, 沿海滩涂, 内陆滩涂, 沼泽地; rivers, lakes and reservoirs (1101-1104)
are 水域, not in it."""


def wetlands_from_dlbm(layer: gpd.GeoDataFrame, *, source: str = "DLBM layer") -> gpd.GeoDataFrame:
    """The wetland polygons of a 三调/变更调查 layer (:data:`DLBM_WETLAND_TYPES`), as a wetlands layer.

    Parameters
    ----------
    layer : geopandas.GeoDataFrame
        Land-use polygons with a ``DLBM`` (or ``地类编码``) column; a ``protected`` column is kept.
    source : str
        File name for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        ``dlbm, wetland_type`` (+ ``protected``) and the geometry.

    Raises
    ------
    SchemaError
        No DLBM column, or no wetland class in the layer.
    """
    col = next((c for c in ("DLBM", "dlbm", "地类编码") if c in layer.columns), None)
    if col is None:
        msg = f"{source}: no DLBM column (DLBM, 地类编码); headers: {', '.join(map(str, layer.columns))}"
        raise SchemaError(msg)
    code = layer[col].astype(str).str.strip()
    hit = code.isin(list(DLBM_WETLAND_TYPES))
    if not hit.any():
        msg = f"{source}: no wetland class ({', '.join(DLBM_WETLAND_TYPES)}) in column {col}"
        raise SchemaError(msg)
    keep = ["protected"] if "protected" in layer.columns else []
    out = layer.loc[hit, [*keep, layer.geometry.name]].copy()
    out.insert(0, "wetland_type", code[hit].map(DLBM_WETLAND_TYPES).to_numpy())
    out.insert(0, "dlbm", code[hit].to_numpy())
    out.attrs = dict(layer.attrs)
    return out.reset_index(drop=True)


def wetland_factors(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Wetland-type factors (soil stock, burial, CH4), cited.

    Parameters
    ----------
    table : pandas.DataFrame, optional
        A user table with the same columns.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``wetland_type``.
    """
    if table is None:
        table = read_param_table("carbon_wetland_types.csv")
    source = source_of(table, "wetland factor table")
    t = parse_numbers(
        table, ("veg_tc_ha", "soil_tc_ha", "burial_tc_ha_yr", "ch4_mg_m2_h"), source=source, blank=0.0
    )
    t = parse_numbers(t, ("burial_low", "burial_high"), source=source)
    for col in ("counts_as_sink", "in_protection_base"):
        if col in t.columns:
            t[col] = parse_flags(t[col], source=source, column=col)
    return t.set_index("wetland_type")


ID_COLUMNS = ("wetland_id", "id", "fid", "code")
"""Columns that name a wetland, in order of preference (else its 1-based feature number)."""
FEATURE_COLUMNS = (
    "wetland_id",
    "name",
    "unit_code",
    "wetland_type",
    "wetland_area_ha",
    "paddy_area_ha",
    "base_area_ha",
    "protected_area_ha",
    "unprotected_ha",
    "protected",
)
"""Columns of :func:`wetland_features`."""


def _pieces(
    wetlands: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    *,
    protected: gpd.GeoDataFrame | None = None,
    factors: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per wetland x county piece: areas, protected area, carbon and methane; ``feature`` = row."""
    f = wetland_factors(factors)
    w = sxcrs.to_metric(wetlands, what="wetlands").reset_index(drop=True)
    if "wetland_type" not in w.columns:
        msg = f"wetlands need a 'wetland_type' column ({', '.join(f.index)})"
        raise SchemaError(msg)
    types = w["wetland_type"].astype(str).to_numpy()
    unknown = sorted(set(types) - set(f.index))
    if unknown:
        msg = f"unknown wetland types {unknown}; use {sorted(f.index)}"
        raise SchemaError(msg)
    geoms = np.asarray(w.geometry.values, dtype=object)
    if protected is not None:
        mask = dissolve_parts(protected)
        _, wi, pieces = intersection_pieces(np.asarray(mask.values, dtype=object), geoms)
        prot_m2 = np.bincount(wi, weights=shapely.area(pieces), minlength=len(w))
    elif "protected" in w.columns:
        flag = parse_flags(
            w["protected"], source=source_of(wetlands, "wetlands"), column="protected", features=True
        )
        prot_m2 = np.where(flag, shapely.area(geoms), 0.0)
    else:
        msg = "say which wetlands are protected: a 'protected' column or a protected-area layer"
        raise SchemaError(msg)
    c = sxcrs.to_metric(counties, what="counties")
    ci, wi, pieces = intersection_pieces(np.asarray(c.geometry.values, dtype=object), geoms)
    piece_m2 = shapely.area(pieces)
    # what lies outside every unit stays in the table as 'unassigned' (never dropped)
    outside_m2 = shapely.area(geoms) - np.bincount(wi, weights=piece_m2, minlength=len(geoms))
    out_i = np.flatnonzero(outside_m2 > 1e-6 * np.maximum(shapely.area(geoms), 1.0))
    unit = np.concatenate(
        [c["adcode"].astype(str).to_numpy()[ci], np.full(len(out_i), UNASSIGNED, dtype=object)]
    )
    wi = np.concatenate([wi, out_i])
    piece_m2 = np.concatenate([piece_m2, outside_m2[out_i]])
    share = piece_m2 / np.maximum(shapely.area(geoms[wi]), 1e-9)
    area_ha = piece_m2 / M2_PER_HA
    row = f.loc[types[wi]]
    # a type outside the protection base (paddy: cropland in the land survey) is kept out of the
    # wetland totals too, area and soil stock, and reported in its own paddy_* columns
    in_base = row["in_protection_base"].to_numpy(dtype=bool)
    soil = area_ha * row["soil_tc_ha"].to_numpy()
    return pd.DataFrame(
        {
            "feature": wi,
            "unit_code": unit,
            "wetland_type": types[wi],
            "wetland_area_ha": np.where(in_base, area_ha, 0.0),
            "paddy_area_ha": np.where(in_base, 0.0, area_ha),
            "base_area_ha": np.where(in_base, area_ha, 0.0),
            "protected_area_ha": np.where(
                row["in_protection_base"].to_numpy(dtype=bool), prot_m2[wi] * share / M2_PER_HA, 0.0
            ),
            "soil_tc": np.where(in_base, soil, 0.0),
            "paddy_soil_tc": np.where(in_base, 0.0, soil),
            "burial_tc_yr": area_ha
            * np.where(row["counts_as_sink"].to_numpy(dtype=bool), row["burial_tc_ha_yr"], 0.0),
            "ch4_t_yr": area_ha * M2_PER_HA * row["ch4_mg_m2_h"].to_numpy() * HOURS_PER_YEAR / 1e9,
        }
    )


def wetland_features(
    wetlands: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    *,
    protected: gpd.GeoDataFrame | None = None,
    factors: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per wetland and county: area, the part in the protection rate's base, protected and unprotected area.

    A wetland crossing a county boundary has one row per county (its pieces); the rows of a county
    add up to that county's row of :func:`wetland_summary`.

    Parameters
    ----------
    wetlands, counties, protected, factors
        As :func:`wetland_summary`.

    Returns
    -------
    pandas.DataFrame
        :data:`FEATURE_COLUMNS`: ``wetland_id`` (the first of :data:`ID_COLUMNS` the layer has, else
        the 1-based feature number), ``name`` (blank without a ``name`` column), ``unit_code``,
        ``wetland_type``, ``wetland_area_ha``, ``base_area_ha`` (0 for types outside the base, such
        as paddy), ``protected_area_ha``, ``unprotected_ha`` (base minus protected) and
        ``protected`` (the whole base part is protected).
    """
    frame = _pieces(wetlands, counties, protected=protected, factors=factors)
    return _feature_table(frame, wetlands)


def _feature_table(frame: pd.DataFrame, wetlands: pd.DataFrame) -> pd.DataFrame:
    id_col = next((col for col in ID_COLUMNS if col in wetlands.columns), None)
    ids = (
        wetlands[id_col].astype(str).to_numpy()
        if id_col is not None
        else np.arange(1, len(wetlands) + 1).astype(str)
    )
    names = wetlands["name"].fillna("").astype(str).to_numpy() if "name" in wetlands.columns else None
    feature = frame["feature"].to_numpy(dtype=int)
    unprotected = (frame["base_area_ha"] - frame["protected_area_ha"]).clip(lower=0.0)
    out = pd.DataFrame(
        {
            "wetland_id": ids[feature],
            "name": names[feature] if names is not None else "",
            "unit_code": frame["unit_code"].to_numpy(),
            "wetland_type": frame["wetland_type"].to_numpy(),
            "wetland_area_ha": frame["wetland_area_ha"].to_numpy(),
            "paddy_area_ha": frame["paddy_area_ha"].to_numpy(),
            "base_area_ha": frame["base_area_ha"].to_numpy(),
            "protected_area_ha": frame["protected_area_ha"].to_numpy(),
            "unprotected_ha": unprotected.to_numpy(),
        }
    )
    out["protected"] = (out["base_area_ha"] > 0) & (out["unprotected_ha"] <= 1e-6 * out["base_area_ha"])
    out = out.assign(_f=feature).sort_values(["_f", "unit_code"], kind="stable").drop(columns="_f")
    return out.round(4).reset_index(drop=True)[list(FEATURE_COLUMNS)]


def wetland_summary(
    wetlands: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    *,
    protected: gpd.GeoDataFrame | None = None,
    factors: pd.DataFrame | None = None,
    targets: TargetsLike = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-county wetland area, protection rate, carbon and methane.

    Parameters
    ----------
    wetlands : geopandas.GeoDataFrame
        Polygons with ``wetland_type`` and, unless *protected* is given, a ``protected`` flag.
    counties : geopandas.GeoDataFrame
        County polygons.
    protected : geopandas.GeoDataFrame, optional
        Protected areas (nature reserves, wetland parks): the protected wetland is the
        wetland inside them (overlaps counted once).
    factors : pandas.DataFrame, optional
        Replaces the shipped factor table.
    targets : pandas.DataFrame, optional
        The targets table (:func:`sxgeo.plan.load_plan_targets`); default the shipped one.

    Returns
    -------
    tuple of pandas.DataFrame
        Per county (+ ``330600``): ``wetland_area_ha, base_area_ha`` (the protection rate's base;
        both without paddy), ``protected_area_ha, protection_rate_pct, target_pct, status,
        soil_tc, burial_tc_yr, burial_tco2_yr, ch4_t_yr, ch4_tco2e_yr`` (wetlands only) and
        ``paddy_area_ha, paddy_soil_tc`` (paddy apart: cropland in the land survey, out of the
        rate, the sink and the wetland totals); and per county × type.
    """
    per, by_type, _ = wetland_tables(
        wetlands, counties, protected=protected, factors=factors, targets=targets
    )
    return per, by_type


def wetland_tables(
    wetlands: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    *,
    protected: gpd.GeoDataFrame | None = None,
    factors: pd.DataFrame | None = None,
    targets: TargetsLike = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """:func:`wetland_summary`'s two tables and :func:`wetland_features`, from one overlay.

    Parameters
    ----------
    wetlands, counties, protected, factors, targets
        As :func:`wetland_summary`.

    Returns
    -------
    tuple of pandas.DataFrame
        Per county, per county × type, per wetland and county.
    """
    frame = _pieces(wetlands, counties, protected=protected, factors=factors)
    cols = [
        "wetland_area_ha",
        "base_area_ha",
        "protected_area_ha",
        "soil_tc",
        "burial_tc_yr",
        "ch4_t_yr",
        "paddy_area_ha",
        "paddy_soil_tc",
    ]
    by_type = unit_rows_by(frame, counties, "wetland_type", cols)
    per = unit_rows(frame.groupby("unit_code")[cols].sum(), counties)
    # the rate's base: wetland types in the land-survey wetland classes (paddy is cropland)
    per = add_ratio(per, "protection_rate_pct", "protected_area_ha", "base_area_ha")
    per = attach_targets(
        per, "wetland_protection_rate", "protection_rate_pct", targets=targets, baseline_col=None
    )
    per["burial_tco2_yr"] = per["burial_tc_yr"] * CO2_PER_C
    per["ch4_tco2e_yr"] = per["ch4_t_yr"] * GWP100_CH4
    by_type["burial_tco2_yr"] = by_type["burial_tc_yr"] * CO2_PER_C
    by_type["ch4_tco2e_yr"] = by_type["ch4_t_yr"] * GWP100_CH4
    return per.round(2), by_type.round(2), _feature_table(frame, wetlands)
