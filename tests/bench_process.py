"""Whole-process speed, as a planner runs it: ``sxgeo carbon landcover ... -o out.csv`` against the peers.

Run: ``.venv/bin/python tests/bench_process.py [--runs N]`` (needs ``sxgeo demo-data``; the peers come with
``pip install -e '.[bench]'``: exactextract, rasterstats). At 10 m (the 30 m demo land cover resampled, about
83 Mpx inside the city, as in ``bench_carbon.py``) and at 30 m (the demo raster itself, about 9 Mpx inside).
Each side is a whole new process, imports included: sxgeo's command writes the per-county CSV (no
map, since ``-o`` names a table); a peer's process reads the counties with geopandas, reprojects them to
the raster's CRS, and writes the area of each class per county (JSON). Runs are interleaved (sxgeo,
exactextract, rasterstats, sxgeo, ...); prints the median wall time and the median CPU time (user +
system of the process and its threads) of each, and the ratios. Also prints ``sxgeo --version``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_carbon import make_10m  # noqa: E402

EXACTEXTRACT = """
import json, sys
import geopandas
import rasterio
from exactextract import exact_extract
counties = geopandas.read_file(sys.argv[2])
with rasterio.open(sys.argv[1]) as src:
    counties = counties.to_crs(src.crs)
    pixel_ha = abs(src.transform.a * src.transform.e) / 1e4
ops = ["unique", "frac", "count"]
df = exact_extract(sys.argv[1], counties, ops, include_cols=["adcode"], output="pandas")
areas = {}
for code, unique, frac, count in zip(df["adcode"], df["unique"], df["frac"], df["count"]):
    for cls, share in zip(unique, frac):
        if int(cls) != 0:
            areas[f"{code}:{int(cls)}"] = float(share) * float(count) * pixel_ha
with open(sys.argv[3], "w") as f:
    json.dump(areas, f)
"""

RASTERSTATS = """
import json, sys
import geopandas
import rasterio
from rasterstats import zonal_stats
counties = geopandas.read_file(sys.argv[2])
with rasterio.open(sys.argv[1]) as src:
    counties = counties.to_crs(src.crs)
    pixel_ha = abs(src.transform.a * src.transform.e) / 1e4
stats = zonal_stats(counties, sys.argv[1], categorical=True, nodata=0)
areas = {f"{code}:{int(c)}": n * pixel_ha for code, s in zip(counties["adcode"], stats) for c, n in s.items()}
with open(sys.argv[3], "w") as f:
    json.dump(areas, f)
"""


def run_process(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child and its threads) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def load() -> str:
    """The machine's load averages (1, 5, 15 min) and its cores, for the record."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def compare(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) of each command over *runs* interleaved rounds; a peer that fails is left out."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    failed: set[str] = set()
    for _ in range(runs):
        for name, cmd in commands.items():
            if name in failed:
                continue
            try:
                times[name].append(run_process(cmd))
            except subprocess.CalledProcessError as exc:
                print(f"  {name}: not run ({exc.stderr.decode().strip().splitlines()[-1][:120]})")
                failed.add(name)
    return {
        name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
        for name, t in times.items()
        if t and name not in failed
    }


def whole_process(raster: Path, label: str, tmp: Path, runs: int) -> dict[str, tuple[float, float]]:
    """Print and return sxgeo's command against exactextract and rasterstats on one raster."""
    demo = ROOT / "layers" / "demo"
    sxgeo = str(Path(sys.executable).with_name("sxgeo"))
    counties = str(ROOT / "layers" / "counties.geojson")
    commands = {
        "sxgeo carbon landcover": [
            sxgeo, "-q", "carbon", "landcover", "--raster", str(raster), "--pools",
            str(demo / "demo_carbon_pools.csv"), "-o", str(tmp / "sxgeo.csv"),
        ],
        "exactextract": [
            sys.executable, "-c", EXACTEXTRACT, str(raster), counties, str(tmp / "exactextract.json"),
        ],
        "rasterstats": [
            sys.executable, "-c", RASTERSTATS, str(raster), counties, str(tmp / "rasterstats.json"),
        ],
    }  # fmt: skip
    print(f"whole process, {label}: median of {runs} interleaved runs ({load()})")
    got = compare(commands, runs)
    ours = got["sxgeo carbon landcover"]
    print(f"  {'':26s} {'wall s':>7s} {'CPU s':>7s} {'wall x sxgeo':>13s} {'CPU x sxgeo':>12s}")
    for name, (wall, cpu) in got.items():
        print(f"  {name:26s} {wall:7.2f} {cpu:7.2f} {wall / ours[0]:13.2f} {cpu / ours[1]:12.2f}")
    return got


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="whole-process carbon by county: sxgeo against its peers")
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds (default 3)")
    args = parser.parse_args(argv)
    sxgeo = str(Path(sys.executable).with_name("sxgeo"))
    version = statistics.median(run_process([sxgeo, "--version"])[0] for _ in range(3))
    print(f"sxgeo --version: {version:.2f} s (median of 3)")
    demo = ROOT / "layers" / "demo"
    with tempfile.TemporaryDirectory() as tmp:
        raster = Path(tmp) / "landcover_10m.tif"
        w, h = make_10m(demo / "demo_landcover_2020.tif", raster)
        whole_process(
            raster, f"10 m raster {w} x {h} = {w * h / 1e6:.0f} Mpx (83 Mpx inside)", Path(tmp), args.runs
        )
        whole_process(
            demo / "demo_landcover_2020.tif",
            f"30 m raster {w // 3} x {h // 3} (9 Mpx inside)",
            Path(tmp),
            args.runs,
        )


if __name__ == "__main__":
    main()
