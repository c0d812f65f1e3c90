"""sxgeo inside QGIS, for real: Debian's QGIS (python3-qgis) runs the provider headless.

``python3-qgis`` is built for Debian's system Python (``/usr/bin/python3``, 3.11 on Debian 12),
not for the project's venv. These tests run :mod:`tests.qgis_driver` under that interpreter with
``PYTHONPATH`` = this checkout + the running venv's site-packages: the same sxgeo and the same
wheels (numpy, geopandas, pyogrio...) as the CLI, with nothing installed. That needs the two
interpreters to share the minor version (CPython's ABI); otherwise, or without QGIS, the tests are
skipped with the reason (``SXGEO_REQUIRE_QGIS=1``, set by ``.ci/run``, turns the skip into a failure).
The numbers the provider gives are compared with the CLI's on the same small hand-made files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from sxgeo import crs as sxcrs
from sxgeo.io import write_table
from sxgeo.sponge.view import COVERAGE_LAYER

from ..conftest import _once_per_run

pytestmark = pytest.mark.slow  # one QGIS session and three CLI runs, about 30 s

ROOT = Path(__file__).resolve().parents[2]
QGIS_PYTHON = os.environ.get("SXGEO_QGIS_PYTHON", "/usr/bin/python3")
ALGORITHMS = [
    "sxgeo:build_project", "sxgeo:carbon_landcover", "sxgeo:carbon_stands", "sxgeo:carbon_wetlands",
    "sxgeo:check_layer", "sxgeo:pilots_match", "sxgeo:pilots_select", "sxgeo:pv", "sxgeo:sponge_coverage",
    "sxgeo:sponge_zones",
]  # fmt: skip


def _qgis_env() -> dict[str, str]:
    """The environment of the QGIS interpreter, or skip (fail under SXGEO_REQUIRE_QGIS) saying why not."""
    why = None
    if not Path(QGIS_PYTHON).is_file():
        why = f"{QGIS_PYTHON} not found"
    else:
        probe = subprocess.run(
            [QGIS_PYTHON, "-c", "import sys, qgis.core; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        mine = "{}.{}".format(*sys.version_info[:2])
        if probe.returncode != 0:
            why = (
                f"qgis is not importable for {QGIS_PYTHON} (apt-get install qgis python3-qgis qgis-providers)"
            )
        elif probe.stdout.strip() != mine:
            why = (
                f"{QGIS_PYTHON} is Python {probe.stdout.strip()}, this venv {mine}: the wheels would not load"
            )
    if why is not None:
        if os.environ.get("SXGEO_REQUIRE_QGIS"):
            pytest.fail(f"SXGEO_REQUIRE_QGIS is set but {why}")
        pytest.skip(why)
    paths = dict.fromkeys([str(ROOT), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    return os.environ | {
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join(paths),
        "XDG_RUNTIME_DIR": os.environ.get("XDG_RUNTIME_DIR", "/tmp"),
    }


def _yuecheng() -> tuple[float, float]:
    """A point in central 越城 (330602), EPSG:4549 metres."""
    centre = gpd.GeoSeries([shapely.Point(120.58, 30.0)], crs=4326).to_crs(sxcrs.METRIC)[0]
    return round(centre.x), round(centre.y)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sxgeo", *args], capture_output=True, text=True, check=False,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )  # fmt: skip


def _make_run(d: Path, env: dict[str, str]) -> None:
    """Make the inputs in *d*, run the CLI and one headless QGIS session on them (d/result.json)."""
    x, y = _yuecheng()
    # 2 km x 2 km built-up, 1 km² of it covered by a completed project: 25 % by hand
    gpd.GeoDataFrame(
        {"name": ["bu"]}, geometry=[shapely.box(x - 1000, y - 1000, x + 1000, y + 1000)], crs=sxcrs.METRIC
    ).to_file(d / "inputs.gpkg", layer="built_up")
    gpd.GeoDataFrame(
        {"name": ["A"], "status": ["已完成"], "completed_on": ["2020-05-01"]},
        geometry=[shapely.box(x - 1000, y - 1000, x, y)],
        crs=sxcrs.METRIC,
    ).to_file(d / "projects.gpkg")
    # three flat roofs of 20, 30 and 40 m: 2,900 m² of footprint
    gpd.GeoDataFrame(
        {"bldg_id": ["r1", "r2", "r3"]},
        geometry=[shapely.box(x + 100 * i, y, x + 100 * i + s, y + s) for i, s in enumerate((20, 30, 40))],
        crs=sxcrs.METRIC,
    ).to_file(d / "roofs.gpkg", layer="roofs")
    # a built-up area in Beijing: sxgeo refuses it with a one-line message
    gpd.GeoDataFrame({"name": ["far"]}, geometry=[shapely.box(116.3, 39.8, 116.4, 39.9)], crs=4326).to_file(
        d / "beijing.gpkg"
    )
    # a GeoPackage written by sxgeo's writer: its style is in layer_styles
    zones = gpd.GeoDataFrame(
        {"zone_id": ["z1", "z2"], "passes": [True, False]},
        geometry=[shapely.box(x, y, x + 500, y + 500), shapely.box(x + 500, y, x + 1000, y + 500)],
        crs=sxcrs.METRIC,
    )
    write_table(zones, d / "styled.gpkg", sheet="sponge_zones")
    cli = {
        "sponge": _cli("sponge", "coverage", "--built-up", str(d / "inputs.gpkg"), "--compliant",
                       str(d / "projects.gpkg"), "--year", "2021", "--basemap", "none",
                       "-o", str(d / "cli_sponge")),
        "pv": _cli("pv", "--buildings", str(d / "roofs.gpkg"), "--basemap", "none", "-o", str(d / "cli_pv")),
        "bad": _cli("sponge", "coverage", "--built-up", str(d / "beijing.gpkg"), "--compliant",
                    str(d / "projects.gpkg"), "-o", str(d / "cli_bad")),
    }  # fmt: skip
    spec = {
        "plugin_dir": str(ROOT / "qgis"),
        "runs": [
            {"alg": "sxgeo:sponge_coverage", "params": {
                "BUILT_UP": f"{d / 'inputs.gpkg'}|layername=built_up", "COMPLIANT": str(d / "projects.gpkg"),
                "YEAR": 2021, "OUTPUT": str(d / "qgis_sponge")}},
            {"alg": "sxgeo:pv", "params": {"BUILDINGS": f"{d / 'roofs.gpkg'}|layername=roofs",
                                           "OUTPUT": str(d / "qgis_pv")}},
            {"alg": "sxgeo:sponge_coverage", "params": {
                "BUILT_UP": str(d / "beijing.gpkg"), "COMPLIANT": str(d / "projects.gpkg"),
                "OUTPUT": str(d / "qgis_bad")}},
        ],
        "layers": [f"{d / 'styled.gpkg'}|layername=sponge_zones"],
        "projects": [str(d / "qgis_sponge" / "sxgeo.qgs")],
        "screenshots": {"folder": str(d / "screenshots"), "dialog": "sxgeo:sponge_coverage",
                        "project": str(d / "qgis_sponge" / "sxgeo.qgs")},
    }  # fmt: skip
    (d / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    proc = subprocess.run(
        [QGIS_PYTHON, str(ROOT / "tests" / "qgis_driver.py"), str(d / "spec.json"), str(d / "qgis.json")],
        capture_output=True, text=True, env=env, check=False, timeout=600,
    )  # fmt: skip
    result = json.loads((d / "qgis.json").read_text(encoding="utf-8")) if proc.returncode == 0 else {}
    result |= {
        "driver": {"returncode": proc.returncode, "stderr": proc.stderr[-3000:]},
        "cli": {k: {"returncode": p.returncode, "stderr": p.stderr} for k, p in cli.items()},
    }
    (d / "result.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def qgis_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One headless QGIS session per test run (shared by pytest-xdist workers): its figures and the CLI's."""
    env = _qgis_env()
    d = _once_per_run(tmp_path_factory, "qgis", lambda out: _make_run(out, env))
    result = json.loads((d / "result.json").read_text(encoding="utf-8"))
    assert result["driver"]["returncode"] == 0, result["driver"]["stderr"]
    return {"dir": d, **result}


def _table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"unit_code": str}).set_index("unit_code")


def test_the_provider_lists_one_algorithm_per_capability_with_chinese_and_english_help(qgis_run):
    assert qgis_run["qgis"].startswith("3.")
    assert qgis_run["algorithms"] == ALGORITHMS
    for alg, text in qgis_run["help"].items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), alg  # Chinese
        assert re.search(r"<p>[A-Z][\x20-\x7e]{30,}", text), alg  # an English paragraph


def test_sponge_coverage_in_qgis_gives_the_clis_numbers(qgis_run):
    d = qgis_run["dir"]
    run = qgis_run["runs"][0]
    assert "error" not in run, run.get("error")
    assert qgis_run["cli"]["sponge"]["returncode"] == 0, qgis_run["cli"]["sponge"]["stderr"]
    mine = _table(Path(run["results"]["TABLE"]))
    cli = _table(d / "cli_sponge" / "sponge_coverage.csv")
    assert mine.loc["330602", "coverage_pct"] == pytest.approx(25.0, abs=0.01)  # 1 km² of 4 km², by hand
    pd.testing.assert_frame_equal(mine, cli)
    # loaded styled as the HTML map: status against each unit's own target, Yuecheng 25 % of 50 % behind (red)
    layer = run["loaded"][COVERAGE_LAYER]
    assert layer["type"] == "categorizedSymbol" and layer["attr"] == "status_class"
    assert {c[0] for c in layer["classes"]} >= {"behind"}
    assert "#d73027" in layer["feature_colours"]


def test_pv_in_qgis_gives_the_clis_numbers(qgis_run):
    d = qgis_run["dir"]
    run = qgis_run["runs"][1]
    assert "error" not in run, run.get("error")
    assert qgis_run["cli"]["pv"]["returncode"] == 0, qgis_run["cli"]["pv"]["stderr"]
    mine = _table(d / "qgis_pv" / "pv_counties.csv")
    cli = _table(d / "cli_pv" / "pv_counties.csv")
    assert mine.loc["330602", "buildings"] == 3
    assert mine.loc["330602", "footprint_m2"] == pytest.approx(20**2 + 30**2 + 40**2)
    assert mine.loc["330602", "capacity_mwp"] > 0
    pd.testing.assert_frame_equal(mine, cli)
    assert run["loaded"]["县区可装机容量 Capacity by county (MWp)"]["type"] == "graduatedSymbol"


def test_bad_input_gives_the_clis_one_line_message_and_no_traceback(qgis_run):
    cli = qgis_run["cli"]["bad"]
    assert cli["returncode"] != 0
    message = cli["stderr"].strip().splitlines()[-1].removeprefix("sxgeo: error: ")
    assert "beijing.gpkg: the layer lies at lon 116.300..116.400" in message  # after its Chinese
    run = qgis_run["runs"][2]
    assert run["error"] == f"QgsProcessingException: {message}"
    assert "Traceback" not in run["error"] and "Traceback" not in run["log"]


def test_a_geopackage_sxgeo_writes_opens_styled_in_qgis(qgis_run):
    (layer,) = qgis_run["layers"].values()
    assert layer["valid"] and layer["type"] == "categorizedSymbol"  # not the single-symbol default
    assert layer["feature_colours"] == ["#1a9641", "#d7191c"]  # pass green, fail red, as the HTML map
    assert [c[1] for c in layer["classes"]] == ["达标 pass", "未达标 fail"]


def test_the_qgis_project_opens_grouped_over_the_counties(qgis_run):
    (project,) = qgis_run["projects"].values()
    assert project["read"] and project["crs"] == "EPSG:4549"
    groups = project["groups"]
    assert list(groups) == ["海绵城市 Sponge city", "县(市、区) Counties"]
    for layers in groups.values():
        for name, valid, renderer in layers:
            assert valid, name
            assert renderer in ("graduatedSymbol", "categorizedSymbol"), name


def test_qgis_process_lists_and_runs_the_provider(qgis_run, tmp_path):
    """``qgis_process`` (the command planners script with) with the plugin installed in a fresh profile."""
    env = _qgis_env() | {"HOME": str(tmp_path)}
    plugins = tmp_path / ".local/share/QGIS/QGIS3/profiles/default/python/plugins"
    plugins.mkdir(parents=True)
    shutil.copytree(ROOT / "qgis" / "sxgeo_processing", plugins / "sxgeo_processing")
    # Debian's /usr/bin/qgis_process wrapper adds --noversioncheck, which 3.22's binary refuses
    exe = shutil.which("qgis_process.bin") or shutil.which("qgis_process")
    assert exe is not None

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([exe, *args], capture_output=True, text=True, env=env, check=False, timeout=300)

    assert run("plugins", "enable", "sxgeo_processing").returncode == 0
    listed = run("list").stdout
    assert [
        line.split()[0] for line in listed.splitlines() if line.strip().startswith("sxgeo:")
    ] == ALGORITHMS
    d = qgis_run["dir"]
    check = run("run", "sxgeo:check_layer", "--", f"INPUT={d / 'roofs.gpkg'}")
    assert check.returncode == 0, check.stderr[-2000:]
    cli = _cli("check", str(d / "roofs.gpkg")).stdout.splitlines()
    assert cli and all(line in check.stdout for line in cli[:3])  # the CLI's report, line for line


def test_screenshots_of_the_toolbox_a_dialog_and_a_styled_result(qgis_run):
    """Taken headless for the guide (``SXGEO_SCREENSHOTS=docs/img`` keeps them there)."""
    shots = qgis_run["screenshots"]
    assert shots["toolbox"] and shots["dialog"] and shots["map"]
    assert shots["map_colours"] >= 4  # white, the counties' colours, Yuecheng's class: not a blank image
    keep = os.environ.get("SXGEO_SCREENSHOTS")
    if keep:
        for name in ("qgis_toolbox.png", "qgis_dialog.png", "qgis_map.png"):
            shutil.copy(qgis_run["dir"] / "screenshots" / name, Path(keep) / name)
