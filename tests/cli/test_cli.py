"""The sxgeo command: check on every bad-input case, build, demo-data, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from sxgeo import __version__
from sxgeo.cli import app
from tests.io.test_io import BOWTIE, make_gbk_shapefile_without_cpg

from ..conftest import LAYERS

runner = CliRunner()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The real console entry point in a subprocess, to see stderr and the exit code as a shell does.

    Its output is decoded in the console's encoding (``PYTHONIOENCODING``, GBK under ``make test-gbk``).
    """
    return subprocess.run(
        [sys.executable, "-c", "from sxgeo.cli import main; main()", *args],
        capture_output=True,
        encoding=os.environ.get("PYTHONIOENCODING") or "utf-8",
        cwd=LAYERS.parent,
        check=False,
    )


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"sxgeo {__version__}"


def test_check_gbk_shapefile(tmp_path):
    path = make_gbk_shapefile_without_cpg(tmp_path)
    proc = run_cli("check", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "encoding: GB18030 (detected (no .cpg))" in proc.stdout
    assert "counties: 330602, 330603" in proc.stdout
    assert "usable: as points only" in proc.stdout  # a pilots point layer: not an areal input (issue 20)


def test_check_missing_prj_fails_in_one_line(tmp_path):
    path = tmp_path / "noprj.shp"
    pyogrio.write_dataframe(gpd.GeoDataFrame(geometry=[shapely.Point(120.58, 30.0)], crs=4326), path)
    path.with_suffix(".prj").unlink()
    proc = run_cli("check", str(path))
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1
    assert "noprj.shp has no CRS" in proc.stderr and "Traceback" not in proc.stderr
    assert run_cli("check", str(path), "--crs", "4326").returncode == 0


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"lon": [30.0], "lat": [120.58]}), "look swapped"),
        (pd.DataFrame({"lon": [500_000.0], "lat": [3_320_000.0]}), "look like metres"),
        (pd.DataFrame({"lon": [116.4], "lat": [39.9]}), "nowhere near Shaoxing"),
    ],
)
def test_check_impossible_coordinates(tmp_path, frame, message):
    path = tmp_path / "pts.csv"
    frame.to_csv(path, index=False)
    proc = run_cli("check", str(path), "--crs", "4326")
    assert proc.returncode == 1
    assert message in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_check_fix_flags(tmp_path):
    swapped = tmp_path / "swapped.csv"
    pd.DataFrame({"lon": [30.0], "lat": [120.58]}).to_csv(swapped, index=False)
    result = runner.invoke(app, ["check", str(swapped), "--crs", "4326", "--swap-xy"])
    assert result.exit_code == 0 and "counties: 330602" in result.output
    far = tmp_path / "far.csv"
    pd.DataFrame({"lon": [116.4], "lat": [39.9]}).to_csv(far, index=False)
    result = runner.invoke(app, ["check", str(far), "--crs", "4326", "--anywhere"])
    assert result.exit_code == 0 and "counties: none" in result.output


def test_check_bowtie_and_empty(tmp_path):
    good = tmp_path / "bowtie.geojson"
    gpd.GeoDataFrame(geometry=[BOWTIE], crs=4326).to_file(good)
    result = runner.invoke(app, ["check", str(good)])
    assert result.exit_code == 0
    assert "repaired: 1" in result.output and "Self-intersection" in result.output
    empty = tmp_path / "empty.gpkg"
    gpd.GeoDataFrame(geometry=[], crs=4326).to_file(empty)
    proc = run_cli("check", str(empty))
    assert proc.returncode == 1 and "no features" in proc.stderr


def test_check_json(tmp_path):
    path = make_gbk_shapefile_without_cpg(tmp_path)
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 0
    assert '"encoding": "GB18030"' in result.output


def test_build_writes_table_and_map(demo_build):
    out = demo_build.out
    table = pd.read_csv(out / "counties.csv", dtype={"unit_code": str})
    assert table["unit_code"].tolist()[-2:] == ["330600", "unassigned"]
    assert table.loc[table["unit_code"] == "330600", "villages"].item() == 2168
    assert "合成示例数据" not in (out / "counties.html").read_text(encoding="utf-8")
    html = (out / "demo_overview.html").read_text(encoding="utf-8")
    assert "合成示例数据" in html and "SYNTHETIC" in html
    assert "西小路社区" in html
    assert (out / "demo_built_up_by_county.csv").exists()
    assert "SYNTHETIC" in (out / "demo_built_up_by_county.notes.txt").read_text(encoding="utf-8")
    for name in ("demo_sponge.html", "demo_pv.html", "demo_carbon.html", "demo_sponge_coverage_2020.csv"):
        assert (out / name).exists(), name


def test_build_without_project_builds_the_overview_and_says_what_it_skipped(tmp_path):
    layers = tmp_path / "layers"
    layers.mkdir()
    for name in ("counties.geojson", "divisions.csv"):
        (layers / name).write_bytes((LAYERS / name).read_bytes())
    proc = run_cli(
        "build", "--layers", str(layers), "--out", str(tmp_path / "o"), "--basemap", "none", "--no-pdf"
    )
    assert proc.returncode == 0
    assert "no project file" in proc.stderr and "rooftop PV: skipped, needs [pv] buildings" in proc.stderr
    # in Chinese first (issue 21): the step's name and what the project file needs
    assert (
        "没有项目文件" in proc.stderr
        and "屋顶光伏:已跳过,项目文件需填写 [pv] buildings · rooftop PV" in proc.stderr
    )
    assert (tmp_path / "o" / "counties.html").exists()
    assert not (tmp_path / "o" / "demo_overview.html").exists()
    # run.json keeps the skip lines and notes as the user reads them: Chinese, then the English
    record = json.loads((tmp_path / "o" / "run.json").read_text(encoding="utf-8"))
    assert (
        "屋顶光伏:已跳过,项目文件需填写 [pv] buildings · rooftop PV: skipped, needs [pv] buildings"
        in record["skipped"]
    )
    assert any("或" in line and " or " in line for line in record["skipped"])  # alternatives, in both
    assert record["notes"] and all(" · " in n for n in record["notes"])


def test_map_quicklook_and_png(tmp_path):
    pts = tmp_path / "pilots.csv"
    pd.DataFrame({"名称": ["西小路社区", "小将镇"], "经度": [120.582, 120.95], "纬度": [30.0, 29.43]}).to_csv(
        pts, index=False
    )
    html = tmp_path / "pilots.html"
    proc = run_cli(
        "map", str(pts), "--crs", "4326", "-o", str(html), "--basemap", "none", "--title", "试点 Pilots"
    )
    assert proc.returncode == 0, proc.stderr
    from sxgeo.maps.page import _safe_json

    text = html.read_text(encoding="utf-8")
    assert "西小路社区" in text and _safe_json("试点 Pilots")[1:-1] in text
    assert "县(市、区) Counties" in text  # counties underneath
    proc = run_cli("map", str(pts), "-o", str(tmp_path / "x.html"))
    assert proc.returncode == 1 and "no CRS" in proc.stderr
    proc = run_cli("map", str(pts), "--crs", "4326", "-o", str(tmp_path / "y.html"), "--basemap", "google")
    assert proc.returncode == 1 and "unknown basemap" in proc.stderr
    from sxgeo.errors import BrowserError
    from sxgeo.maps.export import find_chromium

    try:
        find_chromium()
    except BrowserError as exc:
        if os.environ.get("SXGEO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PNG export required (SXGEO_REQUIRE_BROWSER=1) but {exc}")
        pytest.skip(f"PNG export not checked ({exc}); the HTML part above passed")
    png = tmp_path / "pilots.png"
    proc = run_cli("map", "png", str(html), "-o", str(png), "--width", "640", "--height", "480")
    assert proc.returncode == 0, proc.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _bad_inputs(tmp_path):
    """The commonest bad inputs: (name, argv, Chinese part, English part) of the one-line error."""
    noprj = tmp_path / "noprj.shp"
    pyogrio.write_dataframe(gpd.GeoDataFrame(geometry=[shapely.Point(120.58, 30.0)], crs=4326), noprj)
    noprj.with_suffix(".prj").unlink()
    counties = gpd.read_file(LAYERS / "counties.geojson")
    nocode = counties.assign(adcode=[None, *counties["adcode"].astype(str).iloc[1:]])
    nocode.to_file(tmp_path / "nocode.geojson")
    (tmp_path / "sxgeo.toml").write_text('[project]\nname = "x"\n[sponge]\nbogus = 1\n', encoding="utf-8")
    tiny = LAYERS.parent / "tests" / "datasets" / "tiny"
    return [
        ("missing file", ["check", str(tmp_path / "nofile.shp")], "文件不存在", "nofile.shp: no such file"),
        ("no CRS", ["check", str(noprj)], "noprj.shp 没有坐标系", "noprj.shp has no CRS"),
        (
            "missing column",
            [
                "pv",
                "--buildings",
                str(tiny / "demo_buildings.parquet"),
                "--zones",
                str(tiny / "demo_towns.geojson"),
                "--zone-code",
                "nope",
                "-o",
                str(tmp_path / "pv.csv"),
            ],
            "demo_towns.geojson:没有 'nope' 列",
            "demo_towns.geojson: no column 'nope'",
        ),
        (
            "bad code",
            [
                "pv",
                "--buildings",
                str(tiny / "demo_buildings.parquet"),
                "--counties",
                str(tmp_path / "nocode.geojson"),
                "-o",
                str(tmp_path / "pv2.csv"),
            ],
            "'adcode' 列没有代码,请补填",
            "have no code in column 'adcode'",
        ),
        (
            "bad project key",
            ["build", "--project", str(tmp_path / "sxgeo.toml"), "-o", str(tmp_path / "o"), "--no-pdf"],
            "sxgeo.toml:未知的键 sponge.bogus",
            "sxgeo.toml: unknown key sponge.bogus",
        ),
    ]


def test_common_errors_are_one_line_chinese_then_english(tmp_path):
    """Issue 21: the one-line error of a bad input says it in Chinese, then in English (sxgeo.messages)."""
    for name, argv, zh, en in _bad_inputs(tmp_path):
        proc = run_cli(*argv)
        assert proc.returncode == 1, (name, proc.stderr)
        line = proc.stderr.strip().splitlines()[-1]
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, (name, proc.stderr)
        assert line.startswith("sxgeo: error: "), name  # the QGIS plugin takes what follows
        assert zh in line and en in line and line.index(zh) < line.index(" · ") < line.index(en), (name, line)


def test_lang_en_prints_the_english_alone(tmp_path):
    missing = str(tmp_path / "nofile.shp")
    for proc in (
        run_cli("--lang", "en", "check", missing),
        subprocess.run(
            [sys.executable, "-c", "from sxgeo.cli import main; main()", "check", missing],
            capture_output=True,
            encoding=os.environ.get("PYTHONIOENCODING") or "utf-8",
            env={**os.environ, "SXGEO_LANG": "en"},
            check=False,
        ),
    ):
        assert proc.returncode == 1
        assert proc.stderr.strip() == f"sxgeo: error: {missing}: no such file"
    assert run_cli("--lang", "fr", "check", missing).returncode == 2  # a usage error, not a silent default
