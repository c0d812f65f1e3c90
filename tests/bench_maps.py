"""Map budget benchmark: prints page sizes, load times and pan times (not a test; nothing asserted).

Run: ``.venv/bin/python tests/bench_maps.py`` (needs the demo layers: ``make demo`` first, and
Debian's chromium). Budget (issue 3 / reference/maps.md): a county/village map <= 2 MB and <= 2 s
to the load event on a 2-core machine; 20,000 polygons on canvas stay usable (smooth pan).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from playwright.sync_api import sync_playwright

from sxgeo import admin
from sxgeo import crs as sxcrs
from sxgeo.io import read_layer
from sxgeo.maps import styles
from sxgeo.maps.export import CHROMIUM_FLAGS, find_chromium
from sxgeo.maps.page import WebMap
from sxgeo.maps.views import counties_map
from sxgeo.overview.view import demo_overview_map

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


def _maps(tmp: Path) -> dict[str, Path]:
    counties = admin.load_counties(ROOT / "layers")
    demo = ROOT / "layers" / "demo"
    towns, villages, built_up = (
        read_layer(demo / f"demo_{n}.geojson")[0] for n in ("towns", "villages", "built_up")
    )
    out = {"counties": counties_map(counties, basemap="none").save(tmp / "counties.html")}
    overview = demo_overview_map(counties, towns, villages, built_up, basemap="none")
    overview.layers[-1]["show"] = True  # all 2,168 villages on
    out["counties+towns+villages"] = overview.save(tmp / "villages.html")
    rng = np.random.default_rng(0)
    n = 20_000
    x, y = rng.uniform(510_000, 590_000, n), rng.uniform(3_260_000, 3_340_000, n)
    gdf = gpd.GeoDataFrame(
        {"v": rng.uniform(0, 100, n)}, geometry=shapely.box(x, y, x + 150, y + 150), crs=sxcrs.METRIC
    )
    m = WebMap("20k", basemap="none").add_vector(
        gdf, "20k", symbology=styles.classes(gdf["v"], title="v"), tooltip=["v"]
    )
    out["20,000 polygons (canvas)"] = m.save(tmp / "20k.html")
    return out


def _measure(browser, path: Path) -> tuple[float, float]:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(path.as_uri(), wait_until="load")
    load = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000
    page.wait_for_function("window.sxgeo && sxgeo.ready === true")
    t0 = time.perf_counter()
    page.mouse.move(600, 450)
    page.mouse.down()
    for i in range(10):
        page.mouse.move(600 - 30 * (i + 1), 450 - 20 * (i + 1))
        page.evaluate("new Promise(r => requestAnimationFrame(() => r()))")
    page.mouse.up()
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))")
    pan = time.perf_counter() - t0
    page.close()
    return load, pan


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        t0 = time.perf_counter()
        maps = _maps(Path(tmp))
        build_s = time.perf_counter() - t0
        browser = p.chromium.launch(
            executable_path=find_chromium(), args=[f for f in CHROMIUM_FLAGS if f != "--headless"]
        )
        print(f"building the three pages took {build_s:.1f} s")
        print(f"{'map':28s} {'HTML MB':>8s} {'load s (median of 3)':>21s} {'pan 10 steps s':>15s}")
        for name, path in maps.items():
            runs = [_measure(browser, path) for _ in range(RUNS)]
            load = statistics.median(r[0] for r in runs)
            pan = statistics.median(r[1] for r in runs)
            print(f"{name:28s} {path.stat().st_size / 2**20:8.2f} {load:21.2f} {pan:15.2f}")
        browser.close()


if __name__ == "__main__":
    main()
