"""Rooftop-PV benchmark: 1,000,000 footprints from GeoParquet to per-county and per-park sums.

Run: ``.venv/bin/python tests/bench_pv.py [N] [--full-overlay]`` (needs ``make demo`` for the parks).
Prints the time of each step of the sxgeo route (read, capacity + generation, county and park
sums) and of ``geopandas.overlay`` doing the county assignment. Without ``--full-overlay`` the
overlay runs on a 100,000-footprint sample and its 1M time is extrapolated (and labelled so):
on 1M it takes minutes (reference/perf.md §2).

``--horizon`` instead times the shading-neighbour search alone (``sxgeo.pv.capacity.horizon_angles``) on the
N footprints with seeded heights (3-100 m: 30% 3 m, 30% 6 m, 15% 9 m, 10% 12 m, 7% 18 m, 5% 30 m, 2% 60 m,
1% 100 m), wall and CPU seconds.

``--process`` instead times ``sxgeo pv --buildings roofs.parquet -o out.csv`` as a planner runs it (a new
process, imports, reading, shading, the 2025 project types and writing included), three runs: the N
footprints with heights of 1-33 storeys x 3 m, uniform (seed 7: more tall neighbours than a real city, so
more shading pairs), wall and CPU seconds (user + system) and the peak resident memory of each run.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from sxgeo import admin, pv
from sxgeo import crs as sxcrs
from sxgeo.pv import energy

ROOT = Path(__file__).resolve().parent.parent


def footprints(counties: gpd.GeoDataFrame, n: int, seed: int = 0) -> gpd.GeoDataFrame:
    """*n* rotated-rectangle footprints (10-80 m sides) uniform over the counties, with uses."""
    rng = np.random.default_rng(seed)
    m = sxcrs.to_metric(counties)
    union = shapely.union_all(m.geometry.values)
    shapely.prepare(union)
    x0, y0, x1, y1 = union.bounds
    xs, ys = [], []
    while sum(len(v) for v in xs) < n:
        x, y = rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)
        keep = shapely.contains_xy(union, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
    x, y = np.concatenate(xs)[:n], np.concatenate(ys)[:n]
    w, h = rng.uniform(10, 80, n), rng.uniform(10, 80, n)
    uses = rng.choice(["residential", "rural_residential", "industrial", "public", "commercial"], n,
                      p=[0.35, 0.5, 0.05, 0.04, 0.06])  # fmt: skip
    return gpd.GeoDataFrame(
        {"use": uses, "roof_type": rng.choice(["flat", "pitched"], n)},
        geometry=shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2),
        crs=m.crs,
    )


def overlay_route(b: gpd.GeoDataFrame, counties: gpd.GeoDataFrame):
    """Capacity per county [MWp] the overlay way: split roofs at county lines, share by area."""
    pieces = gpd.overlay(b[["capacity_kwp", "footprint_m2", "geometry"]], counties[["adcode", "geometry"]])
    share = pieces.area / pieces["footprint_m2"]
    return (pieces["capacity_kwp"] * share).groupby(pieces["adcode"]).sum() / 1000


def horizon(counties: gpd.GeoDataFrame, n: int) -> None:
    """The shading-neighbour search alone on *n* footprints with seeded heights."""
    from sxgeo.pv.capacity import horizon_angles

    geoms = np.asarray(footprints(counties, n).geometry.values)
    rng = np.random.default_rng(1)
    levels = [3.0, 6.0, 9.0, 12.0, 18.0, 30.0, 60.0, 100.0]
    h = rng.choice(levels, n, p=[0.3, 0.3, 0.15, 0.1, 0.07, 0.05, 0.02, 0.01])
    t0, c0 = time.perf_counter(), time.process_time()
    angles = horizon_angles(geoms, h)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    shaded = (angles > 0).mean()
    print(f"{n:,} footprints: horizon_angles {wall:.2f} s wall, {cpu:.2f} s CPU; {shaded:.1%} shaded")


def process(counties: gpd.GeoDataFrame, n: int, runs: int = 3) -> None:
    """``sxgeo pv`` on *n* footprints with seeded heights, as new processes: wall, CPU and peak memory."""
    b = footprints(counties, n)
    b["height_m"] = np.clip(np.random.default_rng(7).integers(1, 34, n) * 3.0, 3, 100)
    sxgeo = str(Path(sys.executable).with_name("sxgeo"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roofs.parquet"
        b.to_parquet(path)
        print(f"sxgeo pv, {n:,} footprints with heights (shading on), {runs} runs as new processes")
        walls, cpus = [], []
        for k in range(runs):
            out = Path(tmp) / f"out{k}.csv"
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run([sxgeo, "-q", "pv", "--buildings", str(path), "-o", str(out)], check=True,
                           capture_output=True)  # fmt: skip
            walls.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
            cpus.append(user + system)
            # ru_maxrss of the children is the largest so far (KB on Linux)
            print(f"  run {k + 1}: {walls[-1]:.2f} s wall, {user:.2f} user + {system:.2f} sys, "
                  f"peak {after.ru_maxrss / 2**20:.2f} GB so far", flush=True)  # fmt: skip
        print(f"  median {statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 1_000_000
    if "--process" in sys.argv:
        process(sxcrs.to_metric(admin.load_counties(ROOT / "layers")), n)
        return
    if "--horizon" in sys.argv:
        horizon(sxcrs.to_metric(admin.load_counties(ROOT / "layers")), n)
        return
    full = "--full-overlay" in sys.argv
    counties = sxcrs.to_metric(admin.load_counties(ROOT / "layers"))
    parks = gpd.read_file(ROOT / "layers" / "demo" / "demo_parks.geojson")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "footprints.parquet"
        footprints(counties, n).to_parquet(path)
        size_mb = path.stat().st_size / 2**20
        t = {}
        t0 = time.perf_counter()
        yields = energy.yield_table()
        t["yield table (72 bins, pvlib)"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        b = gpd.read_parquet(path)
        t["read GeoParquet"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        r = pv.building_potential(b, yields)
        t["capacity + generation"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        by_c = pv.by_county(r, counties)
        t["per-county sums"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        pv.by_polygon(r, parks, "park_id")
        t["per-park sums"] = time.perf_counter() - t0
        total = sum(t.values())
        sample = r if full else r.sample(min(len(r), 100_000), random_state=0)
        t0 = time.perf_counter()
        overlay_kwp = overlay_route(sample, counties)
        overlay_s = time.perf_counter() - t0
    scale = len(r) / len(sample)
    sx_sample = pv.by_county(sample, counties).set_index("unit_code")["capacity_mwp"]
    print(f"{len(r):,} footprints, GeoParquet {size_mb:.0f} MB")
    for step, s in t.items():
        print(f"  {step:30s} {s:6.2f} s")
    print(f"  {'sxgeo end to end':30s} {total:6.2f} s")
    county_s = t["per-county sums"]
    label = "measured" if full else f"extrapolated x{scale:.0f} from {len(sample):,}"
    print(f"geopandas.overlay county assignment: {overlay_s * scale:6.1f} s ({label})")
    print(f"sxgeo county assignment: {county_s:.2f} s, {overlay_s * scale / county_s:.0f}x faster")
    codes = list(overlay_kwp.index)
    diff = (sx_sample[codes] - overlay_kwp[codes]).abs() / overlay_kwp[codes]
    print(
        f"same {len(sample):,} roofs, city capacity: sxgeo {sx_sample['330600']:,.3f} MWp (+ "
        f"{sx_sample.get('unassigned', 0.0):,.3f} outside), overlay {overlay_kwp.sum():,.3f} MWp"
    )
    print(
        f"largest per-county difference {diff.max():.2e} (a roof across a line: whole in one county vs split)"
    )
    city = by_c.set_index("unit_code").loc["330600", "capacity_mwp"]
    print(f"city capacity of all {len(r):,} roofs: {city:,.1f} MWp")


if __name__ == "__main__":
    main()
