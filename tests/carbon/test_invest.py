"""County by county against InVEST's Carbon model, where natcap.invest is installed (not in CI).

``../shared/tools/install-invest.sh`` installs natcap.invest here (4-15 minutes of compiling).
InVEST's ``c_storage_bas`` (t C/ha per pixel, nodata outside valid pixels) summed per county with
the same pixel-centre rule must equal sxgeo's ``total_tc`` to 1e-9, and its ``c_change`` summed
must equal ``total_change_tc``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio import features

from sxgeo.admin import load_counties
from sxgeo.carbon import landcover
from sxgeo.zonal import raster_zone_counts

pytest.importorskip("natcap.invest")


def _per_county(raster: Path, counties) -> pd.Series:
    with rasterio.open(raster) as src:
        density = src.read(1, masked=True)
        z = counties.to_crs(src.crs)
        zone = features.rasterize(
            [(g, i + 1) for i, g in enumerate(z.geometry)],
            out_shape=src.shape,
            transform=src.transform,
            fill=0,
        )
        pixel_ha = abs(src.transform.a * src.transform.e) / 1e4
    values = np.where(np.ma.getmaskarray(density), 0.0, np.ma.getdata(density)) * pixel_ha
    sums = np.bincount(zone.ravel(), weights=values.ravel(), minlength=len(z) + 1)
    return pd.Series(sums[1:], index=z["adcode"].astype(str).to_numpy())


def test_county_totals_equal_invest(demo_dir):
    from natcap.invest import carbon

    counties = load_counties()
    before, after = demo_dir / "demo_landcover_2020.tif", demo_dir / "demo_landcover_2025.tif"
    pools_csv = demo_dir / "demo_carbon_pools.csv"
    with tempfile.TemporaryDirectory() as work:
        carbon.execute(
            {
                "workspace_dir": work,
                "results_suffix": "",
                "n_workers": -1,
                "lulc_bas_path": str(before),
                "lulc_alt_path": str(after),
                "carbon_pools_path": str(pools_csv),
                "calc_sequestration": True,
                "do_valuation": False,
            }
        )
        stock = _per_county(next(Path(work).rglob("c_storage_bas*.tif")), counties)
        change = _per_county(next(Path(work).rglob("c_change*.tif")), counties)
    pools = landcover.check_pools(pd.read_csv(pools_csv))
    with rasterio.open(before) as a, rasterio.open(after) as b:
        per, _ = landcover.stock_by_county(raster_zone_counts(a, counties), pools, counties)
        sums, _ = landcover.change_by_county(
            raster_zone_counts(a, counties, other=b), pools, counties, years=5
        )
    ours = per.set_index("unit_code")["total_tc"]
    ours_change = sums.set_index("unit_code")["total_change_tc"]
    for code in stock.index:
        assert ours[code] == pytest.approx(stock[code], rel=1e-9, abs=0.01)
        assert ours_change[code] == pytest.approx(change[code], rel=1e-9, abs=0.01)
