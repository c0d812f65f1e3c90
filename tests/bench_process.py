"""Whole-process speed, as a planner runs it: ``sxgeo carbon landcover ... -o out.csv`` against exactextract.

Run: ``.venv/bin/python tests/bench_process.py`` (needs ``make demo``; ``pip install exactextract`` for the
comparison, it is not an sxgeo dependency). The 30 m demo land cover is resampled to 10 m (about 83 Mpx inside
the city, as in ``bench_carbon.py``). Each side is a whole new process, imports included: sxgeo's command
writes the per-county CSV (no map, since ``-o`` names a table); exactextract's process reads the counties with
geopandas and runs ``exact_extract(raster, counties, ["unique", "frac", "count"])``. Median of three runs
each; prints the times and the ratio. Also prints ``sxgeo --version`` (imports no geopandas or folium).
"""

from __future__ import annotations

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
import sys
import geopandas
import rasterio
from exactextract import exact_extract
counties = geopandas.read_file(sys.argv[2])
with rasterio.open(sys.argv[1]) as src:
    counties = counties.to_crs(src.crs)
exact_extract(sys.argv[1], counties, ["unique", "frac", "count"], include_cols=["adcode"], output="pandas")
"""


def timed(cmd: list[str], runs: int = 3) -> float:
    """Median wall time of *runs* whole processes [s]."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    demo = ROOT / "layers" / "demo"
    sxgeo = str(Path(sys.executable).with_name("sxgeo"))
    print(f"sxgeo --version: {timed([sxgeo, '--version']):.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        raster = Path(tmp) / "landcover_10m.tif"
        w, h = make_10m(demo / "demo_landcover_2020.tif", raster)
        print(f"10 m raster {w} x {h} = {w * h / 1e6:.0f} Mpx")
        ours = timed(
            [sxgeo, "-q", "carbon", "landcover", "--raster", str(raster), "--pools",
             str(demo / "demo_carbon_pools.csv"), "-o", str(Path(tmp) / "out.csv")]
        )  # fmt: skip
        print(f"sxgeo carbon landcover -o out.csv: {ours:.2f} s (whole process, median of 3)")
        try:
            theirs = timed(
                [sys.executable, "-c", EXACTEXTRACT, str(raster), str(ROOT / "layers" / "counties.geojson")]
            )
        except subprocess.CalledProcessError as exc:
            print(f"exactextract: not run ({exc.stderr.decode().strip().splitlines()[-1][:120]})")
            return
        print(
            f"exactextract (geopandas read + exact_extract): {theirs:.2f} s; "
            f"sxgeo is {theirs / ours:.1f}x faster"
        )


if __name__ == "__main__":
    main()
