"""Cross-check sxgeo's land-cover carbon against InVEST's Carbon model (natcap.invest), where installed.

Run: ``.venv/bin/python tests/compare_invest.py [RASTER] [POOLS]`` (defaults: the demo 2020 land cover and
pools). natcap.invest is never an sxgeo dependency (its build needs GDAL headers and pinned tools; see
reference/carbon.md §4). The script runs InVEST's ``carbon.execute`` on the same raster and pools table,
reads its ``c_storage_bas.tif`` (t C/ha per pixel) and sums it × pixel area, and compares the total
with sxgeo's ``total_tc`` over every pixel of the raster (one zone covering the raster). They use the
same rule (every pixel's pools × its area), so they must agree to float precision.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely

from sxgeo.carbon import landcover
from sxgeo.zonal import raster_zone_counts

ROOT = Path(__file__).resolve().parent.parent


def sxgeo_total(raster: Path, pools: pd.DataFrame) -> float:
    with rasterio.open(raster) as src:
        frame = gpd.GeoDataFrame({"adcode": ["330600"]}, geometry=[shapely.box(*src.bounds)], crs=src.crs)
        counts = raster_zone_counts(src, frame)
    per, _ = landcover.stock_by_county(counts[counts["class"] != 0], landcover.check_pools(pools))
    return float(per.set_index("unit_code").loc["330600", "total_tc"])


def invest_total(raster: Path, pools_csv: Path) -> float:
    from natcap.invest import carbon

    with tempfile.TemporaryDirectory() as work:
        carbon.execute(
            {
                "workspace_dir": work,
                "results_suffix": "",
                "n_workers": -1,
                "lulc_bas_path": str(raster),
                "carbon_pools_path": str(pools_csv),
                "calc_sequestration": False,
                "do_valuation": False,
            }
        )
        out = next(Path(work).rglob("c_storage_bas*.tif"))
        with rasterio.open(out) as src:
            density = src.read(1, masked=True)
            pixel_ha = abs(src.transform.a * src.transform.e) / 1e4
    return float(np.ma.sum(density) * pixel_ha)


def main() -> None:
    raster = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "layers" / "demo" / "demo_landcover_2020.tif"
    pools_csv = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "layers" / "demo" / "demo_carbon_pools.csv"
    pools = pd.read_csv(pools_csv)
    ours = sxgeo_total(raster, pools)
    print(f"sxgeo total carbon (all four pools): {ours:,.1f} t C")
    try:
        theirs = invest_total(raster, pools_csv)
    except ImportError:
        print(
            "natcap.invest is not installed: nothing to compare (see reference/carbon.md §4 for the recipe)"
        )
        return
    rel = abs(ours - theirs) / theirs
    print(f"InVEST c_storage_bas total:          {theirs:,.1f} t C; relative difference {rel:.2e}")


if __name__ == "__main__":
    main()
