"""Tier A benchmark: 100,000 project polygons x built-up x six counties, sxgeo vs geopandas.overlay.

Run: ``.venv/bin/python tests/bench_sponge.py [N ...] [--runs 3] [--no-overlay]`` (needs the demo layers:
``make demo``; default N = 100000 300000). Prints, for each N, the time of each pipeline (median of
``--runs``, wall and CPU seconds) and the largest difference in compliant area per county, then the time
ratio of the largest N to the smallest. The overlay pipeline is the usual geopandas way (dissolve,
explode, overlay with the built-up area, overlay with the counties); sxgeo unions the projects per tile
(:mod:`sxgeo.geom_union`) and cuts only the parts that cross a border; "groups" is the former sxgeo way
(:func:`sxgeo.zonal.dissolve_parts`: one union per connected group of overlapping projects). All count
overlaps once. The projects all fall in and around the demo built-up area, so 3x the projects is 3x the
overlap density. ``--density 300`` instead times the union alone of N boxes at a constant density (the
square grows with N), per tile and per group.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import admin
from sxgeo import crs as sxcrs
from sxgeo.geom_union import dissolve_tiled
from sxgeo.io import read_layer
from sxgeo.sponge.coverage import coverage_areas, coverage_from_areas
from sxgeo.zonal import area_by_zone, clip_to, dissolve_parts

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
    """sxgeo's coverage table (what ``coverage_table`` does); the compliant km2 per county unrounded."""
    denom, numer = coverage_areas(built_up, proj, counties)
    coverage_from_areas(denom, numer, counties)
    return numer.iloc[:6] / 1e6


def with_groups(built_up: gpd.GeoDataFrame, proj: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> pd.Series:
    """The former sxgeo way: one union per connected group of overlapping projects."""
    base = dissolve_parts(built_up)
    numer = area_by_zone(clip_to(dissolve_parts(proj), base), counties)
    return numer.iloc[:6] / 1e6


def timed(fn, *args, runs: int) -> tuple[float, float, pd.Series]:
    """Median wall and CPU seconds of *runs* calls, and the last result."""
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn(*args)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), out


def boxes(n: int, per_km2: float, seed: int = 0) -> gpd.GeoSeries:
    """*n* boxes (20-60 m sides) uniform over a square holding *per_km2* of them per km2 (EPSG:4549)."""
    rng = np.random.default_rng(seed)
    side_m = np.sqrt(n / per_km2) * 1000
    x, y = 500_000 + rng.uniform(0, side_m, n), 3_300_000 + rng.uniform(0, side_m, n)
    w, h = rng.uniform(20, 60, n), rng.uniform(20, 60, n)
    return gpd.GeoSeries(shapely.box(x, y, x + w, y + h), crs=sxcrs.METRIC)


def constant_density(sizes: list[int], per_km2: float, runs: int) -> None:
    """The union alone (per tile, and per overlapping group as before) at a constant density."""
    print(f"union alone, {per_km2:g} boxes per km2; median of {runs} (wall s / CPU s)")
    print("boxes | per tile | per group (former) | area difference")
    for n in sizes:
        g = boxes(n, per_km2)
        tw, tc, tiled = timed(dissolve_tiled, g, runs=runs)
        gw, gc, grouped = timed(dissolve_parts, g, runs=runs)
        diff = abs(tiled.area.sum() - grouped.area.sum())
        print(f"{n:,} | {tw:.2f} / {tc:.2f} | {gw:.2f} / {gc:.2f} | {diff:.1e} m2", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[100_000, 300_000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-overlay", action="store_true", help="skip the geopandas overlay pipeline")
    ap.add_argument("--no-groups", action="store_true", help="skip the former dissolve_parts pipeline")
    ap.add_argument(
        "--density",
        type=float,
        default=0.0,
        help="instead: the union alone of N boxes at this many per km2 (the square grows with N)",
    )
    args = ap.parse_args()
    if args.density:
        constant_density(args.sizes, args.density, args.runs)
        return
    counties = admin.load_counties(ROOT / "layers")
    built_up, _ = read_layer(ROOT / "layers" / "demo" / "demo_built_up.geojson")
    built_up = sxcrs.to_metric(built_up)
    print(f"6 counties, built-up {built_up.area.sum() / 1e6:.1f} km2; median of {args.runs} (wall s / CPU s)")
    print(
        "projects | sxgeo tiles | union alone | groups (former) | geopandas overlay | overlay / sxgeo "
        "| max diff"
    )
    walls: dict[int, float] = {}
    for n in args.sizes:
        proj = projects(built_up, n)
        sx_w, sx_c, sx = timed(with_sxgeo, built_up, proj, counties, runs=args.runs)
        walls[n] = sx_w
        un_w, un_c, _ = timed(dissolve_tiled, proj, runs=args.runs)
        cells = [f"{n:,}", f"{sx_w:.2f} / {sx_c:.2f}", f"{un_w:.2f} / {un_c:.2f}"]
        diffs = []
        if args.no_groups:
            cells.append("-")
        else:
            gr_w, gr_c, gr = timed(with_groups, built_up, proj, counties, runs=args.runs)
            cells.append(f"{gr_w:.2f} / {gr_c:.2f}")
            diffs.append((sx - gr.reindex(sx.index)).abs().max())
        if args.no_overlay:
            cells += ["-", "-"]
        else:
            ov_w, ov_c, ov = timed(with_overlay, built_up, proj, counties, runs=args.runs)
            cells += [f"{ov_w:.2f} / {ov_c:.2f}", f"{ov_w / sx_w:.1f}x"]
            diffs.append((sx - ov.reindex(sx.index).fillna(0.0)).abs().max())
        cells.append(f"{max(diffs):.1e} km2" if diffs else "-")
        print(" | ".join(cells), flush=True)
    if len(walls) > 1:
        lo, hi = min(walls), max(walls)
        ratio = walls[hi] / walls[lo]
        print(f"sxgeo {hi:,} / {lo:,} projects: {ratio:.2f}x the time for {hi / lo:.1f}x the data")


if __name__ == "__main__":
    main()
