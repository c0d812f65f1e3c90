"""sxgeo carbon on the synthetic layers: outputs, calibration to the plan, conventions."""

from __future__ import annotations

import pandas as pd
import pytest
import rasterio
from typer.testing import CliRunner

from sxgeo.cli import app

runner = CliRunner()


def _run(*args: str):
    result = runner.invoke(app, ["-q", *args])
    assert result.exit_code == 0, result.output
    return result


def test_demo_calibrated_stands_command_meets_the_plan_volumes(tmp_path, demo_dir):
    _run(
        "carbon",
        "stands",
        "--stands",
        str(demo_dir / "demo_forest_stands_2025.gpkg"),
        "--previous",
        str(demo_dir / "demo_forest_stands_2020.gpkg"),
        "--years",
        "5",
        "-o",
        str(tmp_path),
        "--basemap",
        "none",
    )
    t = pd.read_csv(tmp_path / "demo_carbon_forest.csv", dtype={"unit_code": str}).set_index("unit_code")
    assert (
        t.loc["330600", "stock_volume_wan_m3"] == 2680.0
    )  # the demo is calibrated to the plan's 2025 figure
    assert 54 <= t.loc["330600", "forest_cover_pct"] <= 60
    assert t["data_note"].str.contains("SYNTHETIC").all()
    plan = pd.read_csv(tmp_path / "demo_carbon_forest_plan.csv").set_index("indicator")
    assert plan.loc["forest_stock_volume", "status"] == "met"
    # the plan's figures (plan Table 1 row 11 and section 3.7)
    assert plan["target"].to_dict() == {
        "forest_cover": 55.16,
        "forest_stock_volume": 2680.0,
        "forest_vegetation_carbon": 2450.0,
    }
    sink = pd.read_csv(tmp_path / "demo_carbon_forest_sink.csv", dtype={"unit_code": str})
    city = sink[sink["unit_code"] == "330600"]
    assert city["volume_change_m3_yr"].sum() == pytest.approx((2680 - 2260) * 1e4 / 5, rel=1e-4)
    assert (city["sink_tco2_yr"] - city["sink_tc_yr"] * 44 / 12).abs().max() < 0.1
    sheets = pd.read_excel(tmp_path / "demo_carbon_forest.xlsx", sheet_name=None)
    assert "carbon_forest 中文" in sheets and "森林覆盖率(%)" in sheets["carbon_forest 中文"].columns


def test_landcover_command_and_change(tmp_path, tiny_dir):
    _run(
        "carbon",
        "landcover",
        "--raster",
        str(tiny_dir / "demo_landcover_2020.tif"),
        "--raster-after",
        str(tiny_dir / "demo_landcover_2025.tif"),
        "--years",
        "5",
        "--pools",
        str(tiny_dir / "demo_carbon_pools.csv"),
        "-o",
        str(tmp_path),
        "--basemap",
        "none",
    )
    per = pd.read_csv(tmp_path / "demo_carbon_landcover.csv", dtype={"unit_code": str}).set_index("unit_code")
    with rasterio.open(tiny_dir / "demo_landcover_2020.tif") as src:
        inside = (src.read(1) > 0).sum() * src.res[0] * src.res[1] / 1e4  # [ha]
        assert src.tags()["synthetic"] == "true"
    assert per.loc["330600", "area_ha"] == pytest.approx(inside, rel=1e-4)  # every city pixel counted once
    change = pd.read_csv(tmp_path / "demo_carbon_landcover_change.csv", dtype={"unit_code": str}).set_index(
        "unit_code"
    )
    assert change.loc["330600", "loss_to_built_tc"] > 0  # the 2025 map grows built-up into forest
    assert change.loc["330600", "change_tc"] == pytest.approx(
        change.loc["330600", "gain_tc"] - change.loc["330600", "loss_tc"], rel=1e-4
    )
    assert "data_note" in per.columns


def test_demo_calibrated_wetlands_command(tmp_path, demo_dir):
    _run(
        "carbon",
        "wetlands",
        "--wetlands",
        str(demo_dir / "demo_wetlands.geojson"),
        "-o",
        str(tmp_path / "w.csv"),
    )
    t = pd.read_csv(tmp_path / "w.csv", dtype={"unit_code": str}).set_index("unit_code")
    assert abs(t.loc["330600", "protection_rate_pct"] - 60.6) < 2.0  # calibrated near the plan's 60.6%
    assert t.loc["330600", "target_pct"] == 60.6
    assert t.loc["330600", "ch4_tco2e_yr"] > 0 and t.loc["330600", "burial_tco2_yr"] > 0  # both, apart


def test_landcover_without_years_is_refused(tmp_path, tiny_dir):
    result = runner.invoke(
        app,
        [
            "carbon",
            "landcover",
            "--raster",
            str(tiny_dir / "demo_landcover_2020.tif"),
            "--raster-after",
            str(tiny_dir / "demo_landcover_2025.tif"),
            "--pools",
            str(tiny_dir / "demo_carbon_pools.csv"),
            "-o",
            str(tmp_path / "x.csv"),
        ],
    )
    assert result.exit_code == 2 and "--years" in result.output
