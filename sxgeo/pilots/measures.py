"""Criteria sxgeo computes from the project's layers (``measure:`` in the criteria file).

Each candidate has an *area*: a town's (or county's) polygon, or the disc of radius ``r`` around a
village point (``radius_km:`` of the criterion, default :data:`DEFAULT_RADIUS_KM`; a village layer of
polygons uses its polygons). All distances and areas are in EPSG:4549.

========================  ==========================================  ==================================
measure                   what                                        from (the pipeline it reuses)
========================  ==========================================  ==================================
``pv_potential_kw``       rooftop PV capacity [kWp] of the roofs      the rooftop-PV kernel's per-roof
                          whose representative point lies in the      ``capacity_kwp`` (``sxgeo pv``'s
                          area (within r of a village point)          ``pv_buildings.parquet``)
``forest_cover_pct``      forest pixels / classed pixels in the       land-cover raster + carbon pools
                          area [%] (pixel-centre rule)                table: classes of ``kind`` forest
``carbon_density_tc_ha``  carbon stock per hectare of the area        the same counts × the pools
                          [t C/ha] (all pools, all classes)           (``sxgeo carbon landcover``'s rule)
``builtup_share_pct``     built-up area / the area's area [%]         the built-up polygons (dissolved)
``sponge_coverage_pct``   sponge coverage of the candidate's town     built-up + compliant projects, as
                          [%] (a village: the town it lies in)        ``sxgeo sponge coverage`` per zone
``distance_to_pilot_km``  distance to the nearest existing pilot      the candidates' points
========================  ==========================================  ==================================

A measure whose layer is missing stops with one line naming the criterion, the layer (the
project key and the command-line option) and the way out: take the value from the criteria table
with ``column:`` instead.
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from numpy.typing import NDArray

from sxgeo import crs as sxcrs
from sxgeo.carbon.landcover import POOLS, check_pools, nodata_classes
from sxgeo.errors import SchemaError
from sxgeo.sponge.coverage import select_counted
from sxgeo.zonal import area_by_zone, clip_to, dissolve_parts, intersection_pieces, raster_zone_counts

log = logging.getLogger(__name__)

DEFAULT_RADIUS_KM = 1.0
"""Radius of a village's area when the criterion gives no ``radius_km`` [km]."""

NEEDS: dict[str, tuple[str, ...]] = {
    "distance_to_pilot_km": (),
    "pv_potential_kw": ("buildings",),
    "forest_cover_pct": ("landcover", "pools"),
    "carbon_density_tc_ha": ("landcover", "pools"),
    "builtup_share_pct": ("built_up",),
    "sponge_coverage_pct": ("built_up", "compliant"),
}
"""Each measure and the inputs it needs (villages also need ``towns`` for the sponge coverage)."""

WHERE: dict[str, tuple[str, str, str]] = {
    "buildings": ("building footprints", "[pv] buildings", "--buildings"),
    "landcover": ("the land-cover raster", "[carbon] landcover", "--landcover"),
    "pools": ("the carbon pools table (with a kind column)", "[carbon] pools", "--pools"),
    "built_up": ("the built-up area", "[sponge] built_up", "--built-up"),
    "compliant": ("the sponge projects", "[sponge] compliant", "--compliant"),
    "towns": ("the town polygons", "[layers] towns", "--towns"),
}
"""Input key -> (what, project key, command-line option), for messages."""

UNITS = {
    "distance_to_pilot_km": "km",
    "pv_potential_kw": "kWp",
    "forest_cover_pct": "%",
    "carbon_density_tc_ha": "t C/ha",
    "builtup_share_pct": "%",
    "sponge_coverage_pct": "%",
}


def missing_layer(criterion: str, measure: str, key: str) -> SchemaError:
    """The one-line error of a measure whose layer the run does not have."""
    what, project_key, option = WHERE[key]
    msg = (
        f"criterion {criterion}: measure {measure} needs {what} ({project_key} in the project file, "
        f"{option} on the command line); or take the values from the criteria table with "
        f"'column: {measure}' instead of 'measure:'"
    )
    return SchemaError(msg)


def candidate_areas(layer: gpd.GeoDataFrame, radius_m: float) -> NDArray[Any]:
    """Each candidate's area in EPSG:4549: its polygon, or the disc of *radius_m* around its point.

    Parameters
    ----------
    layer : geopandas.GeoDataFrame
        Candidates (points or polygons) with a CRS.
    radius_m : float
        Disc radius for point candidates [m].

    Returns
    -------
    numpy.ndarray of shapely.Geometry
    """
    m = sxcrs.to_metric(layer, what="candidates")
    g = np.asarray(m.geometry.values, dtype=object)
    points = shapely.get_type_id(g) == 0
    out = g.copy()
    if points.any():
        out[points] = shapely.buffer(g[points], radius_m, quad_segs=32)
    return out


def _points_in(
    areas: NDArray[Any], points: NDArray[Any], centres: NDArray[Any] | None, radius_m: float
) -> Any:
    """Pairs (area index, point index): the point within *radius_m* of a centre, or inside the polygon."""
    tree = shapely.STRtree(points)
    ai_list, pi_list = [], []
    is_disc = np.zeros(len(areas), dtype=bool) if centres is None else shapely.get_type_id(centres) == 0
    if is_disc.any():
        assert centres is not None
        idx = np.flatnonzero(is_disc)
        a, p = tree.query(centres[idx], predicate="dwithin", distance=radius_m)
        ai_list.append(idx[a])
        pi_list.append(p)
    if (~is_disc).any():
        idx = np.flatnonzero(~is_disc)
        a, p = tree.query(areas[idx], predicate="intersects")
        ai_list.append(idx[a])
        pi_list.append(p)
    return np.concatenate(ai_list), np.concatenate(pi_list)


def roof_capacity(layer: gpd.GeoDataFrame, roofs: gpd.GeoDataFrame, radius_m: float) -> NDArray[np.float64]:
    """Rooftop-PV capacity [kWp] of the roofs in each candidate's area.

    A roof counts when its representative point lies within *radius_m* of a village point
    (exact distance, not a polygonised disc) or inside a town's polygon.

    Parameters
    ----------
    layer : geopandas.GeoDataFrame
        Candidates.
    roofs : geopandas.GeoDataFrame
        The PV kernel's per-roof results (:func:`sxgeo.pv.building_potential`, ``capacity_kwp``).
    radius_m : float
        Radius around village points [m].

    Returns
    -------
    numpy.ndarray
        One sum per candidate (0 where no roof).
    """
    if "capacity_kwp" not in roofs.columns:
        msg = (
            "the roofs carry no capacity_kwp: give the building footprints or sxgeo pv's pv_buildings.parquet"
        )
        raise SchemaError(msg)
    m = sxcrs.to_metric(layer, what="candidates")
    centres = np.asarray(m.geometry.values, dtype=object)
    areas = candidate_areas(layer, radius_m)
    r = sxcrs.to_metric(roofs, what="roofs")
    pts = np.asarray(shapely.point_on_surface(np.asarray(r.geometry.values, dtype=object)), dtype=object)
    cap = pd.to_numeric(r["capacity_kwp"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    ai, pi = _points_in(areas, pts, centres, radius_m)
    return np.bincount(ai, weights=cap[pi], minlength=len(layer)).astype(float)


def _colour_groups(areas: NDArray[Any]) -> list[NDArray[np.int64]]:
    """Groups of areas whose interiors do not overlap (greedy colouring), so each is one zone layer."""
    tree = shapely.STRtree(areas)
    a, b = tree.query(areas, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if len(a):
        real = ~shapely.touches(areas[a], areas[b])
        a, b = a[real], b[real]
    neighbours: dict[int, list[int]] = {}
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        neighbours.setdefault(i, []).append(j)
        neighbours.setdefault(j, []).append(i)
    colour = np.full(len(areas), -1, dtype=np.int64)
    for i in range(len(areas)):
        used = {int(colour[j]) for j in neighbours.get(i, ())}
        c = 0
        while c in used:
            c += 1
        colour[i] = c
    return [np.flatnonzero(colour == c) for c in range(int(colour.max()) + 1)] if len(areas) else []


def class_areas(areas: NDArray[Any], raster: Any) -> pd.DataFrame:
    """Class areas [ha] in each area, by :func:`sxgeo.zonal.raster_zone_counts` (pixel-centre rule).

    Overlapping areas (discs around nearby villages) are counted in as many passes as needed so
    that no pixel is taken from one disc by another.

    Parameters
    ----------
    areas : numpy.ndarray of shapely.Geometry
        In EPSG:4549.
    raster : str or pathlib.Path
        Land-cover raster in a projected CRS.

    Returns
    -------
    pandas.DataFrame
        ``area`` (index into *areas*), ``class``, ``area_ha``.
    """
    parts = []
    with rasterio.open(raster) as src:
        for group in _colour_groups(areas):
            zones = gpd.GeoDataFrame({"i": group.astype(str)}, geometry=list(areas[group]), crs=sxcrs.METRIC)
            c = raster_zone_counts(src, zones, zone_col="i")
            c = c[c["zone"] != ""]
            parts.append(
                pd.DataFrame({"area": c["zone"].astype(int), "class": c["class"], "area_ha": c["area_ha"]})
            )
    if not parts:
        return pd.DataFrame({"area": [], "class": [], "area_ha": []})
    return pd.concat(parts, ignore_index=True)


def forest_and_carbon(
    areas: NDArray[Any], raster: Any, pools: pd.DataFrame
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Forest cover [%] and carbon density [t C/ha] of each area.

    Parameters
    ----------
    areas : numpy.ndarray of shapely.Geometry
        In EPSG:4549.
    raster : str or pathlib.Path
        Land-cover raster.
    pools : pandas.DataFrame
        InVEST carbon-pools table with a ``kind`` column (``forest`` marks the forest classes);
        checked by :func:`sxgeo.carbon.landcover.check_pools`, no-data classes as
        :func:`~sxgeo.carbon.landcover.nodata_classes` says.

    Returns
    -------
    tuple of numpy.ndarray
        Forest share of the classed pixels [%] and stock per classed hectare (``c_above + c_below
        + c_soil + c_dead``); NaN for an area with no classed pixel.
    """
    p = check_pools(pools)
    if "kind" not in p.columns:
        source = p.attrs.get("source", "carbon pools table")
        msg = f"{source}: needs a kind column marking the forest classes (kind = forest)"
        raise SchemaError(msg)
    c = class_areas(areas, raster)
    c = c[~c["class"].isin(nodata_classes(p))]
    unknown = sorted(set(c["class"]) - set(p.index))
    if unknown:
        msg = f"land-cover classes {unknown[:5]} have no row in the carbon pools table; add them (lucode)"
        raise SchemaError(msg)
    forest = p["kind"].astype(str).str.strip().str.lower().eq("forest")
    stock = p[list(POOLS)].sum(axis=1)
    valid = np.bincount(c["area"], weights=c["area_ha"], minlength=len(areas))
    fha = np.bincount(
        c["area"], weights=c["area_ha"] * c["class"].map(forest).astype(float), minlength=len(areas)
    )
    tc = np.bincount(
        c["area"], weights=c["area_ha"] * c["class"].map(stock).astype(float), minlength=len(areas)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return (
            np.where(valid > 0, 100.0 * fha / valid, np.nan),
            np.where(valid > 0, tc / valid, np.nan),
        )


def builtup_share(areas: NDArray[Any], built_up: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """Built-up share of each area [%]: dissolved built-up area inside it / its area (EPSG:4549).

    Parameters
    ----------
    areas : numpy.ndarray of shapely.Geometry
        In EPSG:4549.
    built_up : geopandas.GeoDataFrame
        Built-up polygons (overlaps count once).

    Returns
    -------
    numpy.ndarray
    """
    parts = np.asarray(dissolve_parts(built_up).values, dtype=object)
    total = shapely.area(areas)
    if not len(parts):
        return np.zeros(len(areas))
    zi, _, pieces = intersection_pieces(areas, parts)
    inside = np.bincount(zi, weights=shapely.area(pieces), minlength=len(areas))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, np.minimum(100.0 * inside / total, 100.0), np.nan)


def town_sponge_coverage(
    towns: gpd.GeoDataFrame,
    built_up: gpd.GeoDataFrame,
    compliant: gpd.GeoDataFrame,
    *,
    year: int | None = None,
) -> pd.Series:
    """Sponge coverage of each town [%], as ``sxgeo sponge coverage`` computes it per zone.

    The compliant projects counted by :func:`sxgeo.sponge.coverage.select_counted` (status, completed
    by *year*), dissolved and clipped to the dissolved built-up area; the share of each town's
    built-up area they cover. A town without built-up area has no coverage (NaN).

    Parameters
    ----------
    towns : geopandas.GeoDataFrame
        Town polygons with ``code``.
    built_up, compliant : geopandas.GeoDataFrame
        The sponge Tier A layers.
    year : int, optional
        Reporting year.

    Returns
    -------
    pandas.Series
        Coverage [%] by town code.
    """
    if year is not None and "year" in built_up.columns and (built_up["year"] == year).any():
        built_up = built_up[built_up["year"] == year]
    counted, _ = select_counted(compliant, year=year)
    base = dissolve_parts(built_up)
    z = towns[["code", "geometry"]].assign(code=towns["code"].astype(str))
    denom = area_by_zone(base, z, zone_col="code").drop("unassigned")
    if len(counted):
        good = clip_to(dissolve_parts(counted), base)
        numer = area_by_zone(good, z, zone_col="code").drop("unassigned")
    else:
        numer = denom * 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.Series(np.where(denom > 0, 100.0 * numer / denom, np.nan), index=denom.index)


def town_of(layer: gpd.GeoDataFrame, towns: gpd.GeoDataFrame) -> pd.Series:
    """The town code of each candidate: its ``town_code`` column, else the town polygon holding its point."""
    if "town_code" in layer.columns:
        return layer["town_code"].astype(str).str.replace(r"\.0$", "", regex=True).reset_index(drop=True)
    m = sxcrs.to_metric(layer, what="candidates")
    pts = np.asarray(m.geometry.representative_point().values, dtype=object)
    t = sxcrs.to_metric(towns, what="towns")
    tree = shapely.STRtree(np.asarray(t.geometry.values, dtype=object))
    pi, ti = tree.query(pts, predicate="intersects")
    out = pd.Series([None] * len(layer), dtype=object)
    first = pd.Series(ti, index=pi).groupby(level=0).min()
    out.iloc[first.index.to_numpy()] = t["code"].astype(str).to_numpy()[first.to_numpy()]
    return out
