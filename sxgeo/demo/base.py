"""Seeded, deterministic synthetic layers for demos and tests, clearly labelled as such.

Shaoxing has no open town boundaries, village coordinates or built-up-area polygons that an
open-source toolkit may ship (see ``layers/README.md``). So that every capability can be shown
end to end, this module makes plausible stand-ins on top of the real county layer and the real
town/village list:

* **towns**: one Voronoi cell per real town code, clipped to its real county, so each county
  has its real number of towns (17/16/20/12/23/15). Seeds are spread by a few k-means
  (Lloyd) iterations; 街道 (streets, codes xxx0xx) take the cells nearest the county seat.
* **villages**: one point per real village code, uniformly inside its synthetic town.
* **built-up areas (建成区)**: one irregular blob per county around the real county seat,
  clipped to the county, sized to plausible magnitudes (table :data:`BUILT_UP_KM2`).

Every feature carries ``synthetic = True`` and ``geometry_source``; file names start with
``demo_``. Later capabilities add their own generator modules beside this one. Nothing in the analysis code
depends on these layers: a planner points a command at real data instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.errors import OptionError

log = logging.getLogger(__name__)

DEFAULT_SEED = 20211201
"""Default seed: the plan's publication date."""

SYNTHETIC_NOTE = "SYNTHETIC demo data, illustrative only / 合成示例数据，仅供演示"

COUNTY_SEATS_LONLAT = {
    "330602": (120.582, 30.000),  # 府山/塔山街道
    "330603": (120.493, 30.082),  # 柯桥街道
    "330604": (120.870, 30.032),  # 百官街道
    "330681": (120.240, 29.712),  # 暨阳街道
    "330683": (120.823, 29.588),  # 剡湖街道
    "330624": (120.903, 29.500),  # 七星/南明街道
}
"""Approximate WGS84 positions of the county seats (public knowledge, not surveyed) [deg]."""

BUILT_UP_KM2 = {
    "330602": 95.0,
    "330603": 85.0,
    "330604": 60.0,
    "330681": 62.0,
    "330683": 36.0,
    "330624": 26.0,
}
"""Synthetic built-up area per county [km2]: plausible magnitudes (绍兴市区 about 240 km2
around 2020), chosen for the demo, not official statistics."""


@dataclass(frozen=True)
class DemoSize:
    """How big a synthetic demo is: the knobs :func:`sxgeo.demo.generate` turns for ``--size``.

    ``full`` (the defaults) is the demo of ``make demo`` and the end-to-end tests; ``tiny`` keeps the
    real counties and real division codes but makes a few hundred features per layer, for the
    bundled test dataset (``tests/datasets/tiny``).

    Attributes
    ----------
    name : str
        ``full`` or ``tiny``.
    built_up_scale : float
        Factor on :data:`BUILT_UP_KM2` (the sponge projects, sub-zones, facilities and urban
        buildings all scale with the built-up area).
    built_up_vertices : int
        Vertices of each built-up blob before it is clipped to its county.
    zone_km2 : float
        Mean drainage sub-zone size [km2].
    cells_per_zone : int
        Land-cover polygons per sub-zone.
    park_km2 : tuple of float
        Range of the industrial parks' areas [km2].
    urban_buildings : int
        Buildings in the built-up areas outside the parks.
    per_village : int
        Mean rural homes per village.
    village_every : int
        Keep every n-th village (in code order; the existing pilots always kept).
    town_simplify_m : float
        Tolerance of a coverage-preserving simplification of the town polygons [m] (0: none).
    pixel_m : float
        Land-cover pixel size [m].
    cell_pixels : int
        Pixels per side of a forest-stand cell (the stands are ``pixel_m * cell_pixels`` squares).
    rain_years : tuple of int
        First and last year of the daily rainfall series.
    rain_wet_days_only : bool
        Write only the days with rain (the H-alpha curve drops dry days anyway).
    wetlands : tuple of int
        Lakes, river corridors and paddy patches drawn.
    """

    name: str = "full"
    built_up_scale: float = 1.0
    built_up_vertices: int = 180
    zone_km2: float = 3.0
    cells_per_zone: int = 10
    park_km2: tuple[float, float] = (3.0, 8.0)
    urban_buildings: int = 90_000
    per_village: int = 95
    village_every: int = 1
    town_simplify_m: float = 0.0
    pixel_m: float = 30.0
    cell_pixels: int = 33
    rain_years: tuple[int, int] = (1991, 2020)
    rain_wet_days_only: bool = False
    wetlands: tuple[int, int, int] = (45, 10, 20)


SIZES = {
    "full": DemoSize(),
    "tiny": DemoSize(
        name="tiny",
        built_up_scale=0.06,
        built_up_vertices=60,
        zone_km2=1.0,
        cells_per_zone=4,
        park_km2=(0.3, 0.8),
        urban_buildings=200,
        per_village=1,
        village_every=15,
        town_simplify_m=800.0,
        pixel_m=300.0,
        cell_pixels=20,
        rain_years=(2016, 2020),
        rain_wet_days_only=True,
        wetlands=(8, 3, 4),
    ),
}
"""The demo sizes by name: ``full`` (about 300,000 buildings, 30 m land cover) and ``tiny``."""


def demo_size(name: str) -> DemoSize:
    """The :class:`DemoSize` called *name*.

    Raises
    ------
    OptionError
        An unknown name (the message lists the sizes).
    """
    try:
        return SIZES[name]
    except KeyError:
        msg = f"--size must be one of {', '.join(SIZES)}, got {name!r}"
        raise OptionError(msg) from None


@dataclass(frozen=True)
class DemoLayer:
    """A synthetic layer the generator writes.

    Attributes
    ----------
    name : str
        File name (starts with ``demo_``).
    title : str
        What it is.
    """

    name: str
    title: str


DEMO_LAYERS = (
    DemoLayer("demo_towns.geojson", "Synthetic town/street polygons (real codes and names)"),
    DemoLayer("demo_villages.geojson", "Synthetic village/community points (real codes and names)"),
    DemoLayer("demo_built_up.geojson", "Synthetic built-up areas (建成区) around the county seats"),
    DemoLayer("demo_sponge_projects.geojson", "Synthetic sponge-city projects, completed 2015-2025"),
    DemoLayer(
        "demo_sponge_subzones.geojson", "Synthetic drainage sub-zones tiling the built-up areas, with flags"
    ),
    DemoLayer(
        "demo_sponge_landcover.geojson", "Synthetic land cover (runoff-coefficient codes) per sub-zone"
    ),
    DemoLayer("demo_sponge_facilities.geojson", "Synthetic LID facilities (points) with status and dates"),
    DemoLayer(
        "demo_rainfall_daily.csv", "Synthetic daily rainfall 1991-2020 calibrated to the plan's 2020 figures"
    ),
    DemoLayer("demo_parks.geojson", "Synthetic industrial parks, one per county"),
    DemoLayer(
        "demo_buildings.parquet", "Synthetic building footprints (about 300,000; GeoParquet, EPSG:4549)"
    ),
    DemoLayer("demo_landcover_2020.tif", "Synthetic 30 m land-cover raster of the city, 2020 (EPSG:4549)"),
    DemoLayer(
        "demo_landcover_2025.tif", "Synthetic 30 m land-cover raster, 2025 (built-up growth, afforestation)"
    ),
    DemoLayer("demo_carbon_pools.csv", "InVEST carbon-pools table for the demo land-cover classes"),
    DemoLayer(
        "demo_forest_stands_2020.gpkg", "Synthetic forest stands (990 m cells), 2020: 2,260万 m3 in total"
    ),
    DemoLayer("demo_forest_stands_2025.gpkg", "Synthetic forest stands, 2025: 2,680万 m3 in total"),
    DemoLayer(
        "demo_wetlands.geojson", "Synthetic wetlands with protected flags (about 60.6% of the wetland base)"
    ),
    DemoLayer(
        "demo_pilot_criteria.csv", "Synthetic pilot-siting criteria for every village, town and county"
    ),
)


def _sample_in(geom: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """*n* uniform random points inside a polygon, by vectorised rejection sampling [m]."""
    x0, y0, x1, y1 = shapely.bounds(geom)
    shapely.prepare(geom)
    out = np.empty((0, 2))
    while len(out) < n:
        need = max(2 * (n - len(out)), 64)
        xy = np.column_stack([rng.uniform(x0, x1, need), rng.uniform(y0, y1, need)])
        out = np.vstack([out, xy[shapely.contains_xy(geom, xy[:, 0], xy[:, 1])]])
    return out[:n]


def _spread_seeds(geom: shapely.Geometry, k: int, rng: np.random.Generator, *, iters: int = 12) -> np.ndarray:
    """*k* well-spread points in a polygon: Lloyd iterations over a dense uniform sample [m]."""
    cloud = _sample_in(geom, 4000, rng)
    centres = cloud[rng.choice(len(cloud), k, replace=False)]
    for _ in range(iters):
        d = ((cloud[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        nearest = d.argmin(axis=1)
        for j in range(k):
            members = cloud[nearest == j]
            if len(members):
                centres[j] = members.mean(axis=0)
    return centres


def _partition(regions: np.ndarray, seeds: list[np.ndarray]) -> list[np.ndarray]:
    """Voronoi cells of each region's seeds inside the region, all as one exact coverage.

    Clipping each cell separately leaves slivers of a few m2 where cell edges cross a border,
    and vertices added on one side of a shared border only. Instead all region borders and all
    Voronoi edges are noded together and polygonized once; each face goes to its region and
    there to the nearest seed, which is the definition of a Voronoi cell.

    Parameters
    ----------
    regions : numpy.ndarray of shapely.Polygon
        Non-overlapping regions (the counties) [m].
    seeds : list of numpy.ndarray
        Seed coordinates per region, shape (k, 2) [m].

    Returns
    -------
    list of numpy.ndarray
        Per region, the cell of each seed, in seed order.
    """
    lines = [shapely.boundary(regions)]
    for region, pts in zip(regions, seeds, strict=True):
        cells = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=region.envelope)
        lines.append(shapely.boundary(shapely.intersection(shapely.get_parts(cells), region.envelope)))
    linework = shapely.union_all(np.concatenate([np.atleast_1d(x) for x in lines]))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(linework)))
    reps = shapely.point_on_surface(faces)
    out = []
    for region, pts in zip(regions, seeds, strict=True):
        shapely.prepare(region)
        inside = shapely.contains(region, reps)
        f = faces[inside]
        rxy = shapely.get_coordinates(reps[inside])
        owner = ((rxy[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        out.append(
            np.array([shapely.coverage_union_all(f[owner == j]) for j in range(len(pts))], dtype=object)
        )
    return out


def make_towns(
    counties: gpd.GeoDataFrame,
    divisions: pd.DataFrame,
    *,
    seed: int = DEFAULT_SEED,
    simplify_m: float = 0.0,
) -> gpd.GeoDataFrame:
    """Synthetic town polygons: Voronoi cells clipped to each county, one per real town code.

    Parameters
    ----------
    counties : geopandas.GeoDataFrame
        The county layer (any CRS).
    divisions : pandas.DataFrame
        The division list (:func:`sxgeo.admin.load_divisions`).
    seed : int
        Random seed.
    simplify_m : float
        When above 0, simplify the cells as one coverage (no gaps or overlaps between towns, but
        their outer edge no longer follows the county border exactly) [m].

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code, name, county_adcode, kind, synthetic, geometry_source`` in EPSG:4326.
    """
    rng = np.random.default_rng(seed)
    metric = sxcrs.to_metric(counties, what="counties")
    seats = _seats_metric()
    towns = divisions[divisions["level"] == "town"]
    records = []
    regions = np.asarray(metric.geometry.values, dtype=object)
    codes_by_county = [towns[towns["county_adcode"] == a].sort_values("code") for a in metric["adcode"]]
    all_seeds = [_spread_seeds(g, len(c), rng) for g, c in zip(regions, codes_by_county, strict=True)]
    all_cells = _partition(regions, all_seeds)
    for adcode, codes, seeds, cells in zip(
        metric["adcode"], codes_by_county, all_seeds, all_cells, strict=True
    ):
        # 街道 (street offices, third code group 0xx) take the cells nearest the seat
        dist = np.hypot(seeds[:, 0] - seats[adcode][0], seeds[:, 1] - seats[adcode][1])
        streets_first = sorted(codes.itertuples(index=False), key=lambda r: (int(r.code[6:9]) >= 100, r.code))
        for row, cell_idx in zip(streets_first, np.argsort(dist, kind="stable"), strict=True):
            records.append(
                {
                    "code": row.code,
                    "name": row.name,
                    "county_adcode": adcode,
                    "kind": _town_kind(row.name),
                    "geometry": cells[cell_idx],
                }
            )
    out = gpd.GeoDataFrame(records, crs=metric.crs).sort_values("code").reset_index(drop=True)
    if simplify_m > 0:
        out.geometry = shapely.coverage_simplify(np.asarray(out.geometry.values), simplify_m)
    return _label(sxcrs.to_lonlat(out, what="demo towns"), seed)


def _town_kind(name: str) -> str:
    for suffix, kind in (("街道", "street"), ("镇", "town"), ("乡", "township")):
        if name.endswith(suffix):
            return kind
    return "other"


def make_villages(
    towns: gpd.GeoDataFrame, divisions: pd.DataFrame, *, seed: int = DEFAULT_SEED
) -> gpd.GeoDataFrame:
    """Synthetic village points, uniformly inside their (synthetic) town, one per real village code.

    Parameters
    ----------
    towns : geopandas.GeoDataFrame
        Output of :func:`make_towns`.
    divisions : pandas.DataFrame
        The division list.
    seed : int
        Random seed.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code, name, town_code, county_adcode, synthetic, geometry_source``, EPSG:4326.
    """
    rng = np.random.default_rng(seed + 1)
    metric = sxcrs.to_metric(towns, what="demo towns")
    villages = divisions[divisions["level"] == "village"].sort_values("code")
    frames = []
    for town_code, town_geom in zip(metric["code"], metric.geometry, strict=True):
        rows = villages[villages["parent_code"] == town_code]
        if rows.empty:
            continue
        xy = _sample_in(town_geom, len(rows), rng)
        frames.append(
            gpd.GeoDataFrame(
                {
                    "code": rows["code"].to_numpy(),
                    "name": rows["name"].to_numpy(),
                    "town_code": town_code,
                    "county_adcode": rows["county_adcode"].to_numpy(),
                },
                geometry=shapely.points(xy),
                crs=metric.crs,
            )
        )
    out = pd.concat(frames, ignore_index=True).sort_values("code").reset_index(drop=True)
    return _label(sxcrs.to_lonlat(gpd.GeoDataFrame(out, crs=metric.crs), what="demo villages"), seed)


def _seats_metric() -> dict[str, tuple[float, float]]:
    lon, lat = zip(*COUNTY_SEATS_LONLAT.values(), strict=True)
    x, y = sxcrs.lonlat_to_metric(lon, lat)
    return {code: (float(xi), float(yi)) for code, xi, yi in zip(COUNTY_SEATS_LONLAT, x, y, strict=True)}


def _blob(
    cx: float, cy: float, radius_m: float, rng: np.random.Generator, *, n: int = 180
) -> shapely.Polygon:
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 7):
        r += rng.uniform(0.02, 0.12) / (k - 1) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    return shapely.Polygon(
        np.column_stack([cx + radius_m * r * np.cos(theta), cy + radius_m * r * np.sin(theta)])
    )


def make_built_up(
    counties: gpd.GeoDataFrame,
    *,
    seed: int = DEFAULT_SEED,
    area_km2: dict[str, float] | None = None,
    vertices: int = 180,
) -> gpd.GeoDataFrame:
    """Synthetic built-up areas: one irregular blob per county around its seat, clipped to it.

    The blob is scaled until its clipped area is within 0.1% of the target.

    Parameters
    ----------
    counties : geopandas.GeoDataFrame
        The county layer (any CRS).
    seed : int
        Random seed.
    area_km2 : dict, optional
        Target area per adcode [km2]; default :data:`BUILT_UP_KM2`.
    vertices : int
        Vertices of the blob (its shape is drawn from the same random numbers whatever this is).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``adcode, name_zh, area_km2, synthetic, geometry_source`` in EPSG:4326.
    """
    rng = np.random.default_rng(seed + 2)
    targets = area_km2 or BUILT_UP_KM2
    metric = sxcrs.to_metric(counties, what="counties")
    seats = _seats_metric()
    records = []
    for adcode, name, county_geom in zip(metric["adcode"], metric["name_zh"], metric.geometry, strict=True):
        target_m2 = targets[adcode] * 1e6
        shape = _blob(0.0, 0.0, 1.0, rng, n=vertices)
        cx, cy = seats[adcode]
        scale = np.sqrt(target_m2 / shape.area)
        geom = county_geom
        for _ in range(20):
            geom = shapely.intersection(
                shapely.affinity.affine_transform(shape, [scale, 0, 0, scale, cx, cy]), county_geom
            )
            ratio = target_m2 / geom.area
            if abs(ratio - 1) < 1e-3:
                break
            scale *= np.sqrt(ratio)
        records.append(
            {"adcode": adcode, "name_zh": name, "area_km2": round(geom.area / 1e6, 3), "geometry": geom}
        )
    out = gpd.GeoDataFrame(records, crs=metric.crs)
    return _label(sxcrs.to_lonlat(out, what="demo built-up"), seed)


def _label(gdf: gpd.GeoDataFrame, seed: int) -> gpd.GeoDataFrame:
    gdf = gdf.copy()
    gdf["synthetic"] = True
    gdf["geometry_source"] = f"synthetic (sxgeo.demo, seed={seed})"
    return gdf


__all__ = [
    "BUILT_UP_KM2",
    "DEFAULT_SEED",
    "SYNTHETIC_NOTE",
    "make_built_up",
    "make_towns",
    "make_villages",
]
