"""Install as on an intranet: a wheelhouse, then ``pip install --no-index`` (no extras) in a fresh venv.

The wheelhouse is built for this platform by ``tools/wheelhouse.py`` (needs PyPI or a pip cache); the
install then reaches no index. The installed sxgeo runs rooftop PV on a small GeoParquet away from the
source tree: this catches a capability whose engine sits in an extra and a shipped layer that the wheel
does not carry. Takes a minute or two.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheelhouse_install_runs_pv(tmp_path):
    wheelhouse = tmp_path / "wheelhouse"
    built = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "wheelhouse.py"), "-o", str(wheelhouse)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    assert any(p.name.startswith("sxgeo-") for p in wheelhouse.glob("*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    py = bindir / ("python.exe" if os.name == "nt" else "python")
    # nothing of this checkout on the path: with PYTHONPATH on it, pip would take the source tree's
    # sxgeo.egg-info for an installed sxgeo and install nothing
    env = {k: v for k, v in os.environ.items() if k not in ("SXGEO_LAYERS", "PYTHONPATH")}
    pip = subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index",
         "--find-links", str(wheelhouse), "sxgeo"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr[-2000:]
    # a 100 m x 100 m steel roof in 越城区, away from the source tree (no ./layers to fall back on)
    work = tmp_path / "work"
    work.mkdir()
    roof = shapely.box(553000, 3319000, 553100, 3319100)
    gpd.GeoDataFrame({"use": ["industrial"], "roof_type": ["steel"]}, geometry=[roof], crs=4549).to_parquet(
        work / "roofs.parquet"
    )
    run = subprocess.run(
        [str(bindir / "sxgeo"), "-q", "pv", "--buildings", "roofs.parquet", "-o", "pv.csv"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    t = pd.read_csv(work / "pv.csv", dtype={"unit_code": str}).set_index("unit_code")
    # the steel-roof hand check of the PV tests: 10,000 m2 -> 1,445.5 kWp (1,440 / cos 5 degrees)
    assert t.loc["330602", "capacity_mwp"] == pytest.approx(1.4455, abs=0.001)
    assert t.loc["330600", "capacity_mwp"] == t.loc["330602", "capacity_mwp"]
    # the installed copy ran, not this checkout
    assert (
        "site-packages"
        in subprocess.run(
            [str(py), "-c", "import sxgeo; print(sxgeo.__file__)"],
            capture_output=True,
            text=True,
            check=True,
            cwd=work,
            env=env,
        ).stdout
    )
    # pilot siting is core: its dependencies and shipped files (criteria YAML, alias table) are installed
    (work / "list.csv").write_text("名称,县区\n紹興縣胜利村,\n西小路社区,越城区\n", encoding="utf-8")
    pilots = subprocess.run(
        [str(bindir / "sxgeo"), "-q", "pilots", "match", "--list", "list.csv", "-o", "m.csv"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert pilots.returncode == 0, pilots.stderr
    m = pd.read_csv(work / "m.csv", dtype=str)
    assert m["code"].tolist() == [
        "330603006253",
        "330602002053",
    ]  # 紹興縣 (old 绍兴县, traditional) -> 柯桥区
    crit = subprocess.run(
        [str(py), "-c", "from sxgeo.pilots.score import load_criteria; print(len(load_criteria().ids))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=work,
    )
    assert crit.stdout.strip() == "6"
