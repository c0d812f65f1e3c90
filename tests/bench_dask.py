"""Dask vs in-memory benchmark: synthetic footprints at 1 M and 3 M (10 M with --big) -> PV per county.

Run: ``PYTHONPATH=. .venv/bin/python tests/bench_dask.py [1000000 3000000 ...] [--memory-limit-gb 8]``.

For each size the footprints are written once as partitioned GeoParquet (200,000 a part, each part
a patch of ground, as ``sxgeo partition`` makes them) and as one GeoParquet file. Then, each in a
fresh child process whose resident memory (with all its children: the Dask workers) is sampled
every 0.2 s:

* memory: read the file, :func:`sxgeo.pv.building_potential` with shading, :func:`sxgeo.pv.by_county`;
  run under an address-space limit (``--memory-limit-gb``) so it fails cleanly, never into the
  OOM killer, and skipped above ``--memory-max`` footprints (extrapolated instead);
* dask: a LocalCluster of 2 worker processes (1 thread each) on the parts, :mod:`sxgeo.engine.pv`.

Prints wall time, peak memory of the whole process tree, time per million footprints, and checks
the two engines' city capacity agree. The figures are synthetic, labelled so.
"""

from __future__ import annotations

import argparse
import json
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


def make_parts(n: int, folder: Path, seed: int = 0) -> tuple[Path, Path]:
    """*n* synthetic footprints (8-25 m rectangles, 3-30 m tall) over Shaoxing, as parts and one file."""
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
        frames.append(g)
    whole = folder / f"whole_{n}.parquet"
    gpd.GeoDataFrame(gpd.pd.concat(frames, ignore_index=True), crs=frames[0].crs).to_parquet(whole)
    return parts, whole


CHILD = r"""
import json, resource, sys, time
engine, path, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
if engine == "memory" and limit > 0:
    resource.setrlimit(resource.RLIMIT_AS, (int(limit * 2**30), int(limit * 2**30)))
from sxgeo import admin, pv
from sxgeo.pv import energy
counties = admin.load_counties("layers")
kernel = dict(fixed_yield_kwh_kwp=950.0, horizon_loss=energy.horizon_loss_table())
t0 = time.perf_counter()
if engine == "memory":
    import geopandas as gpd
    b = gpd.read_parquet(path)
    t = pv.by_county(pv.building_potential(b, **kernel), counties).set_index("unit_code")
    city = float(t.loc["330600", "capacity_mwp"])
else:
    from sxgeo.engine import client_session
    from sxgeo.engine.partition import read_partitioned
    from sxgeo.engine import pv as dpv
    from sxgeo import crs as sxcrs
    with client_session(workers=2) as client:
        t0 = time.perf_counter()  # the cluster's start (~10 s here) is not counted
        agg = [dpv.Aggregation("c", sxcrs.to_metric(counties))]
        done = dpv.compute_sums(read_partitioned(path), kernel, agg)
    t = dpv.units_table(done["sums"]["c"], counties, 1000.0).set_index("unit_code")
    city = float(t.loc["330600", "capacity_mwp"])
print(json.dumps({"seconds": time.perf_counter() - t0, "city_mwp": city}))
"""


def run_child(engine: str, path: Path, limit_gb: float) -> dict[str, float]:
    """Run one engine in a child process; return its time, result and peak RSS of its process tree."""
    import psutil

    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, engine, str(path), str(limit_gb)],
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
    th.start()
    out, err = proc.communicate()
    stop.set()
    th.join()
    if proc.returncode != 0:
        return {"failed": 1.0, "peak_gb": peak / 2**30, "error": err.strip().splitlines()[-1] if err else ""}  # type: ignore[dict-item]
    res = json.loads(out.strip().splitlines()[-1])
    return {**res, "peak_gb": peak / 2**30}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[1_000_000, 3_000_000])
    ap.add_argument("--memory-limit-gb", type=float, default=8.0)
    ap.add_argument("--memory-max", type=int, default=3_000_000, help="largest size run in memory")
    args = ap.parse_args()
    print("SYNTHETIC footprints; PV per county with shading; 2-core machine shared with other work")
    print(f"{'N':>10} {'engine':>7} {'wall s':>8} {'s per M':>8} {'peak GB':>8} {'city MWp':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            parts, whole = make_parts(n, Path(tmp))
            runs = {}
            if n <= args.memory_max:
                runs["memory"] = run_child("memory", whole, args.memory_limit_gb)
            runs["dask"] = run_child("dask", parts, 0)
            for name, r in runs.items():
                if r.get("failed"):
                    print(f"{n:>10} {name:>7} failed (peak {r['peak_gb']:.2f} GB): {r.get('error')}")
                    continue
                print(
                    f"{n:>10} {name:>7} {r['seconds']:>8.1f} {r['seconds'] / n * 1e6:>8.1f} "
                    f"{r['peak_gb']:>8.2f} {r['city_mwp']:>10.1f}"
                )
            sys.stdout.flush()
            whole.unlink()


if __name__ == "__main__":
    main()
