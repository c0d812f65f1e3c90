"""A Chinese Windows console is GBK: every command prints there without a traceback or mojibake."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from sxgeo.cli._console import FALLBACK, can_encode_all


def run_gbk(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}
    return subprocess.run(
        [sys.executable, "-c", "from sxgeo.cli import main; main()", *args],
        capture_output=True,
        env=env,
        cwd=cwd,
        check=False,
    )


def test_fallback_covers_what_gbk_lacks():
    for ch in FALLBACK:
        with pytest.raises(UnicodeEncodeError):
            ch.encode("gbk")
    assert can_encode_all("utf-8") and can_encode_all("GB18030") and not can_encode_all("gbk")


def test_error_names_a_chinese_path_in_gbk(tmp_path):
    folder = tmp_path / "海绵 数据"
    folder.mkdir()
    proc = run_gbk("check", str(folder / "建成区.shp"))
    assert proc.returncode == 1
    err = proc.stderr.decode("gbk")
    assert "Traceback" not in err
    assert "海绵 数据" in err and "建成区.shp" in err and "no such file" in err


def test_notes_with_symbols_gbk_lacks(tmp_path, tiny_dir):
    """Land-cover notes hold Σ and ×; the PV table labels hold ²: all print on a GBK console."""
    proc = run_gbk(
        "carbon", "landcover", "--raster", str(tiny_dir / "demo_landcover_2020.tif"),
        "--pools", str(tiny_dir / "demo_carbon_pools.csv"), "-o", str(tmp_path / "碳汇 结果.csv"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode("gbk", "replace")
    err = proc.stderr.decode("gbk")
    assert "Σ pools[class] × pixel area" in err and "合成示例数据" in err
    assert "碳汇 结果.csv" in proc.stdout.decode("gbk")


def test_check_and_help_in_gbk(tmp_path):
    gdf = gpd.GeoDataFrame({"名称": ["试点村"]}, geometry=[shapely.Point(120.58, 30.0)], crs=4326)
    gdf.to_file(tmp_path / "试点 村.geojson")
    proc = run_gbk("check", str(tmp_path / "试点 村.geojson"))
    assert proc.returncode == 0
    assert "330602" in proc.stdout.decode("gbk")
    for args in (
        ["--help"],
        ["pv", "--help"],
        ["sponge", "coverage", "--help"],
        ["carbon", "landcover", "--help"],
    ):
        proc = run_gbk(*args)
        assert proc.returncode == 0 and b"Traceback" not in proc.stderr, args
