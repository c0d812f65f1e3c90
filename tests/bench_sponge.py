"""Tier A benchmark: 100,000 project polygons x built-up x six counties, sxgeo vs geopandas.overlay.

Run: ``.venv/bin/python tests/bench_sponge.py [N]`` (needs the demo layers: ``make demo``). Prints the
time of each pipeline (median of 3) and the largest difference in compliant area per county.
The overlay pipeline is the usual geopandas way (dissolve, explode, overlay with the built-up area,
overlay with the counties); sxgeo unions only overlapping groups and cuts only the parts that
cross a border. Both count overlaps once.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import admin
from sxgeo import crs as sxcrs
from sxgeo.io import read_layer
from sxgeo.sponge import coverage_table
from sxgeo.zonal import dissolve_parts

ROOT = Path(__file__).resolve().parent.parent


def projects(built_up: gpd.GeoDataFrame, n: int, seed: int = 0) -> gpd.GeoDataFrame:
    """*n* random parcels (20-60 m sides) in and around the built-up areas; some overlap, some lie outside."""
    rng = np.random.default_rng(seed)
    m = sxcrs.to_metric(built_up)
    x0, y0, x1, y1 = m.total_bounds
    near_area = shapely.union_all(m.buffer(300).values)
    shapely.prepare(near_area)
    xs, ys = [], []
    while sum(len(v) for v in xs) < n:
        x, y = rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)
        hit = shapely.contains_xy(near_area, x, y)
        xs.append(x[hit])
        ys.append(y[hit])
    x, y = np.concatenate(xs)[:n], np.concatenate(ys)[:n]
    w, h = rng.uniform(20, 60, n), rng.uniform(20, 60, n)
    return gpd.GeoDataFrame(geometry=shapely.box(x, y, x + w, y + h), crs=m.crs)


def with_overlay(built_up: gpd.GeoDataFrame, proj: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> pd.Series:
    """The usual geopandas way: dissolve everything, explode, overlay twice, sum areas."""
    parts = proj[["geometry"]].dissolve().explode(index_parts=False)
    base = built_up[["geometry"]].dissolve().explode(index_parts=False)
    inside = gpd.overlay(parts, base, how="intersection", keep_geom_type=True)
    by_county = gpd.overlay(inside, sxcrs.to_metric(counties)[["adcode", "geometry"]], how="intersection")
    return by_county.area.groupby(by_county["adcode"]).sum() / 1e6


def with_sxgeo(built_up: gpd.GeoDataFrame, proj: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> pd.Series:
    t = coverage_table(built_up, proj, counties)
    return t.set_index("unit_code")["compliant_km2"].iloc[:6]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    counties = admin.load_counties(ROOT / "layers")
    built_up, _ = read_layer(ROOT / "layers" / "demo" / "demo_built_up.geojson")
    built_up = sxcrs.to_metric(built_up)
    proj = projects(built_up, n)
    t0 = time.perf_counter()
    dissolve_parts(proj)
    dissolve_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    union_all_area = shapely.union_all(proj.geometry.values).area
    union_s = time.perf_counter() - t0
    times: dict[str, list[float]] = {"sxgeo": [], "overlay": []}
    results = {}
    for _ in range(3):
        for name, fn in (("sxgeo", with_sxgeo), ("overlay", with_overlay)):
            t0 = time.perf_counter()
            results[name] = fn(built_up, proj, counties)
            times[name].append(time.perf_counter() - t0)
    a, b = results["sxgeo"], results["overlay"].reindex(results["sxgeo"].index)
    rel = ((a - b).abs() / b).max()
    sx, ov = statistics.median(times["sxgeo"]), statistics.median(times["overlay"])
    print(f"{len(proj):,} project polygons, 6 counties, built-up {built_up.area.sum() / 1e6:.1f} km2")
    print(f"dissolve: sxgeo dissolve_parts {dissolve_s:.2f} s, shapely.union_all {union_s:.2f} s")
    dissolved_km2 = dissolve_parts(proj).area.sum() / 1e6
    print(f"dissolved area: {dissolved_km2:.4f} km2 vs union_all {union_all_area / 1e6:.4f} km2")
    print(f"sxgeo coverage_table      : {sx:6.2f} s (median of 3)")
    print(f"geopandas.overlay pipeline: {ov:6.2f} s (median of 3)")
    print(f"speed-up: {ov / sx:.1f}x; largest per-county difference in compliant area: {rel:.2e} (relative)")
    print(pd.DataFrame({"sxgeo_km2": a.round(4), "overlay_km2": b.round(4)}).to_string())


if __name__ == "__main__":
    main()
