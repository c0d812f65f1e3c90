"""Land-cover carbon benchmark: the counting kernel against the read floor, whole processes against peers.

Run: ``.venv/bin/python tests/bench_carbon.py [--runs N]`` (needs ``sxgeo demo-data``; the peers come with
``pip install -e '.[bench]'``). The 30 m demo land cover (2020 and 2025) is resampled to 10 m (about 83
million pixels inside the city, 156 Mpx in all, deflate-compressed 256 x 256 tiles). One run prints:

* the kernel (``raster_zone_counts`` of the six counties, plan and reprojection of the counties included)
  against reading the same raster with rasterio, in the kernel's block-aligned windows and block by block
  (the read floor); the land-cover change (two rasters, class pairs) against reading both;
* whole processes (``tests/bench_process.py``): ``sxgeo carbon landcover`` against exactextract and
  rasterstats at 10 m (83 Mpx) and 30 m (9 Mpx), and how far the peers' class areas are from sxgeo's.

Every figure is a median over interleaved runs, each in a new process, as wall time and as CPU time
(user + system of the process and its threads): other work on the machine inflates the wall times more
than the CPU times, so both are printed with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
from rasterio import windows
from rasterio.warp import Resampling, reproject

ROOT = Path(__file__).resolve().parent.parent

KERNEL = """
import json, sys, time
import rasterio
from sxgeo import admin
from sxgeo.zonal import raster_zone_counts
counties = admin.load_counties(sys.argv[2])
paths = sys.argv[1].split(",")
t0, c0 = time.perf_counter(), time.process_time()
with rasterio.open(paths[0]) as src:
    if len(paths) > 1:
        with rasterio.open(paths[1]) as later:
            counts = raster_zone_counts(src, counties, other=later)
    else:
        counts = raster_zone_counts(src, counties)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
inside = counts[counts["zone"] != ""]
areas = {}
if len(paths) == 1:
    areas = {f"{z}:{c}": float(a) for z, c, a in zip(inside["zone"], inside["class"], inside["area_ha"])}
print(json.dumps({"wall": wall, "cpu": cpu, "areas": areas}))
"""

READ = """
import json, sys, time
import rasterio
from rasterio import windows
mode = sys.argv[2]
t0, c0 = time.perf_counter(), time.process_time()
n = 0
for path in sys.argv[1].split(","):
    with rasterio.open(path) as src:
        if mode == "blocks":
            for _, win in src.block_windows(1):
                n += src.read(1, window=win).size
        else:
            # the kernel's windows: about 8 Mpx, in whole rows of blocks
            block = src.block_shapes[0][0]
            step = max(block, ((1 << 23) // src.width) // block * block)
            for row0 in range(0, src.height, step):
                n += src.read(1, window=windows.Window(0, row0, src.width, min(step, src.height - row0))).size
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "pixels": n}))
"""


def make_10m(src_path: Path, dst_path: Path) -> tuple[int, int]:
    """Resample the 30 m demo land cover to 10 m (nearest), window by window."""
    with rasterio.open(src_path) as src:
        profile = src.profile | {
            "width": src.width * 3,
            "height": src.height * 3,
            "transform": src.transform * src.transform.scale(1 / 3, 1 / 3),
        }
        with rasterio.open(dst_path, "w", **profile) as dst:
            for row0 in range(0, dst.height, 1536):
                win = windows.Window(0, row0, dst.width, min(1536, dst.height - row0))
                out = np.zeros((int(win.height), int(win.width)), dtype=np.uint8)
                reproject(
                    rasterio.band(src, 1),
                    out,
                    dst_transform=windows.transform(win, dst.transform),
                    dst_crs=src.crs,
                    resampling=Resampling.nearest,
                )
                dst.write(out, 1, window=win)
        return profile["width"], profile["height"]


def measure(code: str, *args: str) -> dict:
    """One run of a timing script in a new process: its own wall and CPU seconds (and what it prints)."""
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def kernel_against_read(paths: list[Path], runs: int) -> dict:
    """Median wall and CPU of the kernel and of the two reads, interleaved; prints the ratios."""
    arg = ",".join(str(p) for p in paths)
    names = {"kernel": (KERNEL, arg, str(ROOT / "layers")), "read, kernel windows": (READ, arg, "windows"),
             "read, block by block": (READ, arg, "blocks")}  # fmt: skip
    got: dict[str, list[dict]] = {n: [] for n in names}
    for _ in range(runs):
        for name, (code, *args) in names.items():
            got[name].append(measure(code, *args))
    med = {
        n: (statistics.median(r["wall"] for r in v), statistics.median(r["cpu"] for r in v))
        for n, v in got.items()
    }
    floor = med["read, kernel windows"]
    for name, (wall, cpu) in med.items():
        print(
            f"  {name:22s} wall {wall:6.2f} s  CPU {cpu:6.2f} s   x read: wall {wall / floor[0]:5.2f}  "
            f"CPU {cpu / floor[1]:5.2f}"
        )
    return {"median": med, "areas": got["kernel"][0]["areas"]}


def peer_differences(ours: dict[str, float], tmp: Path) -> None:
    """The largest relative difference of the peers' county x class areas from sxgeo's (above 100 ha)."""
    big = {k: v for k, v in ours.items() if v > 100}
    for name, rule in (
        ("rasterstats", "the same pixel-centre rule"),
        ("exactextract", "fractional coverage"),
    ):
        if (tmp / f"{name}.json").exists():
            theirs = json.loads((tmp / f"{name}.json").read_text())
            diff = max(abs(theirs.get(k, 0) - v) / v for k, v in big.items())
            print(
                f"  {name}: largest difference from sxgeo over county x class cells above 100 ha "
                f"{diff:.3%} ({rule})"
            )


def main() -> None:
    from bench_process import load, whole_process

    parser = argparse.ArgumentParser(description="carbon by county: kernel against the read, whole processes")
    parser.add_argument(
        "--runs", type=int, default=5, help="interleaved rounds of the kernel and reads (default 5)"
    )
    parser.add_argument(
        "--process-runs",
        type=int,
        default=3,
        help="interleaved rounds of whole processes (0: the kernel alone)",
    )
    args = parser.parse_args()
    demo = ROOT / "layers" / "demo"
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        before, after = Path(tmp) / "landcover_2020_10m.tif", Path(tmp) / "landcover_2025_10m.tif"
        w, h = make_10m(demo / "demo_landcover_2020.tif", before)
        make_10m(demo / "demo_landcover_2025.tif", after)
        with rasterio.open(before) as r:
            inside = sum(int((r.read(1, window=win) > 0).sum()) for _, win in r.block_windows(1))
        print(
            f"10 m rasters {w} x {h} = {w * h / 1e6:.0f} Mpx, {inside / 1e6:.1f} Mpx inside the city "
            f"(made in {time.perf_counter() - t0:.0f} s)"
        )
        print(f"class areas per county, 10 m: median of {args.runs} interleaved runs ({load()})")
        single = kernel_against_read([before], args.runs)
        print(f"land-cover change 2020 -> 2025 (class pairs), 10 m: median of {args.runs} ({load()})")
        kernel_against_read([before, after], args.runs)
        if args.process_runs < 1:
            return  # the kernel alone
        whole_process(before, f"10 m raster ({w * h / 1e6:.0f} Mpx, 83 inside)", Path(tmp), args.process_runs)
        peer_differences(single["areas"], Path(tmp))
        whole_process(
            demo / "demo_landcover_2020.tif", "30 m raster (17 Mpx, 9 inside)", Path(tmp), args.process_runs
        )


if __name__ == "__main__":
    main()
