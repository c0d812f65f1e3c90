"""Synthetic buildings and industrial parks for the rooftop-PV demo (every feature ``synthetic``).

* **parks**: one industrial park per county (6), a rounded rectangle of 3-8 km² at the edge of
  the county's built-up area.
* **buildings** (about 300,000 footprints, rotated rectangles, written as GeoParquet):
  large colour-steel roofs inside the parks (2,000-40,000 m²), public and commercial buildings
  (600-8,000 m²) and urban homes (150-1,500 m², flat or pitched) inside the built-up areas, and
  rural homes (80-260 m², mostly pitched) around the village points. Heights from floors × 3 m.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from sxgeo import crs as sxcrs
from sxgeo.demo.base import _label, _sample_in


def make_parks(
    built_up: gpd.GeoDataFrame, *, seed: int, area_km2: tuple[float, float] = (3.0, 8.0)
) -> gpd.GeoDataFrame:
    """One synthetic industrial park per county, on the edge of its built-up area.

    Parameters
    ----------
    built_up : geopandas.GeoDataFrame
        Synthetic built-up areas (``adcode``, ``name_zh``).
    seed : int
        Random seed.
    area_km2 : tuple of float
        Range of the parks' areas (drawn uniformly) [km2].

    Returns
    -------
    geopandas.GeoDataFrame
        ``park_id, name, county_adcode, area_km2`` in EPSG:4326.
    """
    rng = np.random.default_rng(seed + 60)
    bu = sxcrs.to_metric(built_up, what="built-up")
    rows = []
    for adcode, name, geom in zip(bu["adcode"], bu["name_zh"], bu.geometry, strict=True):
        ring = shapely.get_exterior_ring(geom)
        anchor = shapely.line_interpolate_point(ring, float(rng.uniform(0, 1)), normalized=True)
        area = rng.uniform(*area_km2) * 1e6
        w = np.sqrt(area * rng.uniform(1.2, 2.0))
        h = area / w
        box = shapely.box(-w / 2, -h / 2, w / 2, h / 2).buffer(150, join_style="round")
        park = shapely.affinity.translate(
            shapely.affinity.rotate(box, rng.uniform(0, 90)), anchor.x, anchor.y
        )
        rows.append(
            {
                "park_id": f"PARK-{adcode}",
                "name": f"{name}产业园(合成)",
                "county_adcode": adcode,
                "area_km2": round(park.area / 1e6, 3),
                "geometry": park,
            }
        )
    out = gpd.GeoDataFrame(rows, crs=bu.crs)
    return _label(sxcrs.to_lonlat(out, what="demo parks"), seed)


def _rects(rng: np.random.Generator, xy: np.ndarray, area_lo: float, area_hi: float) -> np.ndarray:
    n = len(xy)
    area = np.exp(rng.uniform(np.log(area_lo), np.log(area_hi), n))
    ratio = rng.uniform(1.0, 2.5, n)
    w, h = np.sqrt(area * ratio), np.sqrt(area / ratio)
    theta = rng.uniform(0, np.pi / 2, n)
    c, s = np.cos(theta), np.sin(theta)
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5]])
    x = (
        xy[:, 0, None]
        + corners[None, :, 0] * w[:, None] * c[:, None]
        - corners[None, :, 1] * h[:, None] * s[:, None]
    )
    y = (
        xy[:, 1, None]
        + corners[None, :, 0] * w[:, None] * s[:, None]
        + corners[None, :, 1] * h[:, None] * c[:, None]
    )
    return np.asarray(shapely.polygons(np.stack([x, y], axis=2)), dtype=object)


def make_buildings(
    built_up: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
    villages: gpd.GeoDataFrame,
    *,
    seed: int,
    urban: int = 90_000,
    per_village: int = 95,
) -> gpd.GeoDataFrame:
    """About 300,000 synthetic building footprints with use, roof type and floors.

    Parameters
    ----------
    built_up, parks, villages : geopandas.GeoDataFrame
        Synthetic built-up areas, parks and village points.
    seed : int
        Random seed.
    urban : int
        Buildings inside the built-up areas (outside parks).
    per_village : int
        Mean rural homes per village.

    Returns
    -------
    geopandas.GeoDataFrame
        ``bldg_id, use, roof_type, floors`` in EPSG:4549.
    """
    rng = np.random.default_rng(seed + 70)
    bu = sxcrs.to_metric(built_up, what="built-up")
    pk = sxcrs.to_metric(parks, what="parks")
    vg = sxcrs.to_metric(villages, what="villages")
    parts: list[tuple[np.ndarray, Any, Any, np.ndarray]] = []
    for geom in pk.geometry:  # steel roofs in the parks
        # about 45% of the park under roofs (mean log-uniform roof 12,700 m2)
        n = int(geom.area * 0.45 / 12_700)
        parts.append(
            (
                _rects(rng, _sample_in(geom, n, rng), 2_000, 40_000),
                "industrial",
                "steel",
                rng.integers(1, 3, n),
            )
        )
    city = shapely.union_all(np.asarray(bu.geometry.values))
    parks_union = shapely.union_all(np.asarray(pk.geometry.values))
    urban_area = shapely.difference(city, parks_union)
    xy = _sample_in(urban_area, urban, rng)
    kind = rng.choice(["public", "commercial", "residential"], urban, p=[0.04, 0.08, 0.88])
    geoms = np.empty(urban, dtype=object)
    for k, lo, hi in (("public", 600, 8_000), ("commercial", 600, 8_000), ("residential", 150, 1_500)):
        m = kind == k
        geoms[m] = _rects(rng, xy[m], lo, hi)
    floors = np.where(kind == "residential", rng.integers(2, 19, urban), rng.integers(2, 8, urban))
    roof = np.where(kind == "residential", rng.choice(["flat", "pitched"], urban, p=[0.7, 0.3]), "flat")
    parts.append((geoms, kind, roof, floors))
    counts = rng.poisson(per_village, len(vg))
    centre = np.repeat(shapely.get_coordinates(np.asarray(vg.geometry.values)), counts, axis=0)
    r = 350 * np.sqrt(rng.uniform(0, 1, len(centre)))
    a = rng.uniform(0, 2 * np.pi, len(centre))
    rural_xy = centre + np.column_stack([r * np.cos(a), r * np.sin(a)])
    n = len(rural_xy)
    rural_roof = rng.choice(["pitched", "flat"], n, p=[0.75, 0.25])
    parts.append((_rects(rng, rural_xy, 80, 260), "rural_residential", rural_roof, rng.integers(2, 5, n)))
    geoms = np.concatenate([p[0] for p in parts])
    use = np.concatenate([np.broadcast_to(p[1], len(p[0])) for p in parts]).astype(object)
    roof = np.concatenate([np.broadcast_to(p[2], len(p[0])) for p in parts]).astype(object)
    floors = np.concatenate([p[3] for p in parts]).astype(int)
    out = gpd.GeoDataFrame(
        {
            "bldg_id": [f"B{i:07d}" for i in range(1, len(geoms) + 1)],
            "use": use,
            "roof_type": roof,
            "floors": floors,
        },
        geometry=geoms,
        crs=bu.crs,
    )
    return _label(out, seed)
