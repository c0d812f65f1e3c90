"""Dask vs in-memory benchmark: synthetic footprints -> PV per county; a 1 Gpx land-cover raster by county.

Run: ``PYTHONPATH=. .venv/bin/python tests/bench_dask.py [1000000 3000000 10000000] [--memory-limit-gb 8]
[--memory-max 3000000] [--worker-memory-gb 2.5] [--raster 32768] [--keep /tmp/sxgeo_bench]
[--engines memory,dask]`` (``--raster 0``: no raster; sizes ``0``: no footprints; ``--keep``: the
generated footprints stay in that folder and the next run reuses them).

For each size the footprints are written once as partitioned GeoParquet (200,000 a part, each part
a patch of ground, as ``sxgeo partition`` makes them) and as one GeoParquet file. Then, each in a
fresh child process whose resident memory (with all its children: the Dask workers) is sampled
every 0.2 s:

* memory: read the file, :func:`sxgeo.pv.building_potential` with shading, :func:`sxgeo.pv.by_county`;
  run under an address-space limit (``--memory-limit-gb``) so it fails cleanly, never into the
  OOM killer, and skipped above ``--memory-max`` footprints (extrapolated instead);
* dask: a LocalCluster of 2 worker processes (1 thread each, each under ``--worker-memory-gb``)
  on the parts, :mod:`sxgeo.pv.dask`.

Sizes above ``--memory-max`` are generated part by part and never held whole (no single file is
written for them). The raster benchmark writes a synthetic ``N × N`` uint8 tiled, DEFLATE GeoTIFF
over Shaoxing in EPSG:4549 (8 classes in patches, written strip by strip) and counts class areas per
county in memory (:func:`sxgeo.zonal.raster_zone_counts`, windowed) and on Dask
(:func:`sxgeo.carbon.dask.raster_zone_areas`, one task per window).

Prints wall time, peak memory of the whole process tree, time per million footprints (or per Gpx),
and checks that the two engines agree. The figures are synthetic, labelled so.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
PART = 200_000


def make_parts(n: int, folder: Path, seed: int = 0, *, whole_file: bool = True) -> tuple[Path, Path | None]:
    """*n* synthetic footprints (8-25 m rectangles, 3-30 m tall) over Shaoxing, as parts (and one file)."""
    from sxgeo import admin
    from sxgeo import crs as sxcrs

    counties = sxcrs.to_metric(admin.load_counties(ROOT / "layers"))
    x0, y0, x1, y1 = counties.total_bounds
    parts = folder / f"parts_{n}"
    parts.mkdir(parents=True, exist_ok=True)
    k = max(1, n // PART)
    cols = int(np.ceil(np.sqrt(k)))
    rows = int(np.ceil(k / cols))
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(k):
        m = n // k + (1 if i < n % k else 0)
        cx0 = x0 + (i % cols) * (x1 - x0) / cols
        cy0 = y0 + (i // cols) * (y1 - y0) / rows
        x = rng.uniform(cx0, cx0 + (x1 - x0) / cols, m)
        y = rng.uniform(cy0, cy0 + (y1 - y0) / rows, m)
        w, h = rng.uniform(8, 25, m), rng.uniform(8, 25, m)
        g = gpd.GeoDataFrame(
            {
                "use": rng.choice(["residential", "industrial", "public", "commercial"], m),
                "height_m": rng.uniform(3, 30, m).round(1),
                "synthetic": True,
            },
            geometry=shapely.box(x, y, x + w, y + h),
            crs=sxcrs.METRIC,
        )
        g.to_parquet(parts / f"part.{i}.parquet", write_covering_bbox=False)
        if whole_file:
            frames.append(g)
    if not whole_file:
        return parts, None
    whole = folder / f"whole_{n}.parquet"
    gpd.GeoDataFrame(gpd.pd.concat(frames, ignore_index=True), crs=frames[0].crs).to_parquet(whole)
    return parts, whole


# both children: arguments, the address-space limit of the in-memory engine, CPU of the process tree
PRELUDE = r"""
import json, resource, sys, time
import psutil
engine, path, limit, worker_gb = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
if engine == "memory" and limit > 0:
    resource.setrlimit(resource.RLIMIT_AS, (int(limit * 2**30), int(limit * 2**30)))
def tree_cpu():
    me = psutil.Process()
    total = 0.0
    for p in [me, *me.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total
"""

CHILD = (
    PRELUDE
    + r"""
from sxgeo import admin, pv
from sxgeo.pv import energy
counties = admin.load_counties("layers")
kernel = dict(fixed_yield_kwh_kwp=950.0, horizon_loss=energy.horizon_loss_table())
t0, c0 = time.perf_counter(), tree_cpu()
if engine == "memory":
    import geopandas as gpd
    b = gpd.read_parquet(path)
    t = pv.by_county(pv.building_potential(b, **kernel), counties).set_index("unit_code")
    city = float(t.loc["330600", "capacity_mwp"])
else:
    import distributed
    from sxgeo.engine import quiet_dask
    from sxgeo.engine.partition import read_partitioned
    from sxgeo.pv import dask as dpv
    from sxgeo.pv.aggregate import table_from_sums
    from sxgeo import crs as sxcrs
    quiet_dask()
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, memory_limit=f"{worker_gb}GiB",
                                       dashboard_address=None)
    with distributed.Client(cluster) as client:
        client.run(quiet_dask)
        t0, c0 = time.perf_counter(), tree_cpu()  # the cluster's start (~10 s here) is not counted
        agg = [dpv.Aggregation("c", sxcrs.to_metric(counties))]
        done = dpv.compute_sums(read_partitioned(path), kernel, agg)
        seconds, cpu = time.perf_counter() - t0, tree_cpu() - c0  # before the workers are stopped
    cluster.close()
    t = table_from_sums(done["sums"]["c"], counties, 1000.0).set_index("unit_code")
    city = float(t.loc["330600", "capacity_mwp"])
if engine == "memory":
    seconds, cpu = time.perf_counter() - t0, tree_cpu() - c0
print(json.dumps({"seconds": seconds, "cpu_s": cpu, "city_mwp": city}))
"""
)


RASTER_CHILD = (
    PRELUDE
    + r"""
import rasterio
from sxgeo import admin
counties = admin.load_counties("layers")
t0 = time.perf_counter()
if engine == "memory":
    from sxgeo.zonal import raster_zone_counts
    with rasterio.open(path) as src:
        counts = raster_zone_counts(src, counties)
else:
    import distributed
    from sxgeo.engine import quiet_dask
    from sxgeo.carbon.dask import raster_zone_areas
    quiet_dask()
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, memory_limit=f"{worker_gb}GiB",
                                       dashboard_address=None)
    with distributed.Client(cluster) as client:
        client.run(quiet_dask)
        t0 = time.perf_counter()  # the cluster's start is not counted
        counts = raster_zone_areas(path, counties)
    cluster.close()
inside = counts[counts["zone"] != ""]
print(json.dumps({"seconds": time.perf_counter() - t0, "km2": float(inside["area_ha"].sum() / 100),
                  "pixels": int(inside["pixels"].sum())}))
"""
)


def make_raster(size: int, folder: Path, seed: int = 0) -> Path:
    """A synthetic *size* × *size* uint8 land-cover GeoTIFF over Shaoxing (EPSG:4549), written strip by strip.

    Eight classes in patches (a coarse random field, 64 pixels a cell, repeated to full resolution)
    with 1% speckle; tiled 512 × 512, DEFLATE. Memory stays at one 1024-row strip.
    """
    import rasterio
    from rasterio.transform import from_origin

    from sxgeo import admin
    from sxgeo import crs as sxcrs

    x0, y0, x1, y1 = sxcrs.to_metric(admin.load_counties(ROOT / "layers")).total_bounds
    px = max(x1 - x0, y1 - y0) / size
    rng = np.random.default_rng(seed)
    cell = 64
    coarse = rng.choice(np.arange(1, 9, dtype=np.uint8), size=(size // cell + 1, size // cell + 1),
                        p=[0.24, 0.34, 0.07, 0.04, 0.05, 0.10, 0.15, 0.01])  # fmt: skip
    path = folder / f"landcover_{size}.tif"
    profile = {"driver": "GTiff", "width": size, "height": size, "count": 1, "dtype": "uint8",
               "crs": sxcrs.METRIC, "transform": from_origin(x0, y1, px, px), "tiled": True,
               "blockxsize": 512, "blockysize": 512, "compress": "deflate", "BIGTIFF": "YES"}  # fmt: skip
    strip = 1024
    with rasterio.open(path, "w", **profile) as dst:
        dst.update_tags(synthetic="true")
        for r0 in range(0, size, strip):
            rows = min(strip, size - r0)
            block = np.repeat(
                np.repeat(coarse[r0 // cell : (r0 + rows - 1) // cell + 1], cell, axis=0), cell, axis=1
            )
            off = r0 % cell
            block = block[off : off + rows, :size]
            speckle = rng.random(block.shape) < 0.01
            block = np.where(speckle, rng.integers(1, 9, block.shape, dtype=np.uint8), block)
            dst.write(block, 1, window=rasterio.windows.Window(0, r0, size, rows))
    return path


def run_child(
    engine: str, path: Path, limit_gb: float, worker_gb: float = 2.5, script: str = CHILD
) -> dict[str, float]:
    """Run one engine in a child process; return its time, result and peak RSS of its process tree."""
    import psutil

    proc = subprocess.Popen(
        [sys.executable, "-c", script, engine, str(path), str(limit_gb), str(worker_gb)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        p = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                rss = p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.2)

    th = threading.Thread(target=sample, daemon=True)
    load0 = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    th.start()
    out, err = proc.communicate()
    stop.set()
    th.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # the whole tree: the child and its workers, once they are reaped (imports and cluster start included)
    tree_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    load = max(load0, os.getloadavg()[0])
    if proc.returncode != 0:
        return {"failed": 1.0, "peak_gb": peak / 2**30, "error": err.strip().splitlines()[-1] if err else ""}  # type: ignore[dict-item]
    res = json.loads(out.strip().splitlines()[-1])
    return {**res, "peak_gb": peak / 2**30, "process_cpu_s": tree_cpu, "load": load}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[1_000_000, 3_000_000])
    ap.add_argument("--memory-limit-gb", type=float, default=8.0)
    ap.add_argument("--memory-max", type=int, default=3_000_000, help="largest size run in memory")
    ap.add_argument("--worker-memory-gb", type=float, default=2.5, help="memory limit of each Dask worker")
    ap.add_argument(
        "--raster", type=int, default=0, help="side of the synthetic raster in pixels (32768: 1 Gpx)"
    )
    ap.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="keep the generated footprints here and reuse them in the next run (default: temporary)",
    )
    ap.add_argument("--engines", default="memory,dask", help="engines to run, comma-separated")
    args = ap.parse_args()
    engines = {e.strip() for e in args.engines.split(",")}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) if args.keep is None else args.keep
        folder.mkdir(parents=True, exist_ok=True)
        sizes = [n for n in args.sizes if n > 0]
        if sizes:
            print("SYNTHETIC footprints; PV per county with shading; 2-core machine shared with other work")
            print("# cpu s: the timed work, child and workers; tree cpu s: the whole process tree,")
            print("# imports and cluster start included; load: 1-min load average, larger of start and end")
            head = f"{'N':>10} {'engine':>7} {'wall s':>8} {'s per M':>8} {'cpu s':>8} {'tree cpu s':>10}"
            print(f"{head} {'peak GB':>8} {'load':>5} {'city MWp':>10}")
        for n in sizes:
            t = time.perf_counter()
            in_memory = n <= args.memory_max and "memory" in engines
            parts, whole = _kept_parts(n, folder, in_memory) if args.keep else (None, None)
            if parts is None:
                parts, whole = make_parts(n, folder, whole_file=in_memory)
                print(f"# {n} footprints generated in {time.perf_counter() - t:.0f} s", flush=True)
            else:
                print(f"# {n} footprints reused from {parts}", flush=True)
            runs = {}
            if whole is not None:
                runs["memory"] = run_child("memory", whole, args.memory_limit_gb)
            if "dask" in engines:
                runs["dask"] = run_child("dask", parts, 0, args.worker_memory_gb)
            for name, r in runs.items():
                if r.get("failed"):
                    print(f"{n:>10} {name:>7} failed (peak {r['peak_gb']:.2f} GB): {r.get('error')}")
                    continue
                print(
                    f"{n:>10} {name:>7} {r['seconds']:>8.1f} {r['seconds'] / n * 1e6:>8.1f} "
                    f"{r['cpu_s']:>8.1f} {r['process_cpu_s']:>10.1f} {r['peak_gb']:>8.2f} {r['load']:>5.1f} "
                    f"{r['city_mwp']:>10.1f}"
                )
            sys.stdout.flush()
            if args.keep is None:
                if whole is not None:
                    whole.unlink()
                for f in parts.iterdir():
                    f.unlink()
        if args.raster:
            raster_bench(args.raster, Path(tmp), args.memory_limit_gb, args.worker_memory_gb)


def _kept_parts(n: int, folder: Path, whole_file: bool) -> tuple[Path | None, Path | None]:
    """The parts (and whole file) of an earlier run with ``--keep``, or None when they must be made."""
    parts, whole = folder / f"parts_{n}", folder / f"whole_{n}.parquet"
    expected = max(1, n // PART)
    if not parts.is_dir() or len(list(parts.glob("part.*.parquet"))) != expected:
        return None, None
    if whole_file and not whole.is_file():
        return None, None
    return parts, whole if whole_file else None


def raster_bench(size: int, folder: Path, limit_gb: float, worker_gb: float) -> None:
    """Class areas per county of a synthetic ``size × size`` raster, in memory (windowed) and on Dask."""
    t = time.perf_counter()
    path = make_raster(size, folder)
    mpx = size * size / 1e6
    mb = path.stat().st_size / 2**20
    took = time.perf_counter() - t
    print(
        f"# SYNTHETIC raster {size} x {size} ({mpx:,.0f} Mpx, {mb:.0f} MB on disk), written in {took:.0f} s"
    )
    head = f"{'Mpx':>10} {'engine':>7} {'wall s':>8} {'s per Gpx':>9} {'peak GB':>8}"
    print(f"{head} {'county km2':>11} {'pixels':>14}")
    for engine in ("memory", "dask"):
        r = run_child(engine, path, limit_gb, worker_gb, script=RASTER_CHILD)
        if r.get("failed"):
            print(f"{mpx:>10,.0f} {engine:>7} failed (peak {r['peak_gb']:.2f} GB): {r.get('error')}")
            continue
        print(
            f"{mpx:>10,.0f} {engine:>7} {r['seconds']:>8.1f} {r['seconds'] / mpx * 1e3:>9.1f} "
            f"{r['peak_gb']:>8.2f} {r['km2']:>11.1f} {int(r['pixels']):>14,}",
            flush=True,
        )
    path.unlink()


if __name__ == "__main__":
    main()
