"""Shared fixtures: the shipped layers, and a folder for files the tests make from scratch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from filelock import FileLock

from sxgeo import admin

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ROOT / "layers"
DATA = Path(__file__).resolve().parent / "data"
TINY = Path(__file__).resolve().parent / "datasets" / "tiny"
"""The tiny sample project (``sxgeo demo-data --size tiny``; synthetic except the shipped counties)."""


@pytest.fixture(scope="session")
def counties() -> gpd.GeoDataFrame:
    return admin.load_counties(LAYERS)


@pytest.fixture(scope="session")
def divisions() -> pd.DataFrame:
    return admin.load_divisions(LAYERS)


def _once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder made by ``make(folder)`` once per ``pytest`` run, even across pytest-xdist workers.

    Without xdist this is ``tmp_path_factory.mktemp(name)``. Under xdist every worker has its own
    base temp folder; their common parent holds the folder, and a file lock lets the first worker
    make it while the others wait (the pattern of pytest-xdist's docs, "Making session-scoped
    fixtures execute only once"). A ``<name>.done`` marker beside it tells a finished folder
    from a half-made one.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        out = tmp_path_factory.mktemp(name)
        make(out)
        return out
    root = tmp_path_factory.getbasetemp().parent
    out = root / name
    done = root / f"{name}.done"
    with FileLock(str(root / f"{name}.lock")):
        if not done.exists():
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            make(out)
            done.touch()
    return out


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic layers generated once per test run (never the committed tree)."""
    from sxgeo import demo

    def make(out: Path) -> None:
        demo.generate(out, layers=LAYERS)

    return _once_per_run(tmp_path_factory, "demo", make)


@pytest.fixture(scope="session")
def tiny_dir() -> Path:
    """The shipped tiny sample project, tests/datasets/tiny (a few hundred features per layer; read only).

    For tests of structure and consistency; the demo's calibrated figures need ``demo_dir``.
    """
    return TINY


@dataclass(frozen=True)
class TinyBuild:
    """The tiny project built once: its output folder and what the command printed."""

    out: Path
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory: pytest.TempPathFactory) -> TinyBuild:
    """``sxgeo build --project tests/datasets/tiny/sxgeo.toml --no-pdf``, in process, once per session."""
    from typer.testing import CliRunner

    from sxgeo.cli import app

    def make(work: Path) -> None:
        result = CliRunner().invoke(
            app,
            [
                "build",
                "--project",
                str(TINY / "sxgeo.toml"),
                "-o",
                str(work / "out"),
                "--basemap",
                "none",
                "--no-pdf",
            ],
        )
        (work / "command.json").write_text(
            json.dumps(
                {
                    "returncode": result.exit_code,
                    "stdout": result.stdout,
                    "stderr": result.stderr,
                    "exception": repr(result.exception) if result.exit_code else None,
                }
            ),
            encoding="utf-8",
        )

    work = _once_per_run(tmp_path_factory, "tiny_build", make)
    ran = json.loads((work / "command.json").read_text(encoding="utf-8"))
    assert ran["returncode"] == 0, (ran["stderr"], ran["exception"])
    return TinyBuild(work / "out", ran["stdout"], ran["stderr"])


@dataclass(frozen=True)
class DemoBuild:
    """The demo project built once: its output folder and what the command printed."""

    out: Path
    stdout: str
    stderr: str


DEMO_BUILD_ARGS = ("build", "--project", "layers/demo/sxgeo.toml", "-o", "结果")
"""The demo build as docs/使用指南.md writes it (tests/test_guide.py checks the guide still says so)."""


@pytest.fixture(scope="session")
def demo_build(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    """The guide's ``sxgeo build`` of the demo project, once per test session (tests only read it).

    Run in a folder whose ``layers/demo`` is the session's demo layers, into ``结果`` (a Chinese
    path). Its history holds one entered row (1,850 MW of installed PV in 2024), as a planner would
    add, so the report has an entered indicator to place; the PDF is left to the report's own tests.
    """

    def make(work: Path) -> None:
        (work / "layers").mkdir()
        (work / "layers" / "demo").symlink_to(demo_dir)
        out = work / DEMO_BUILD_ARGS[-1]
        out.mkdir()
        (out / "indicator_history.csv").write_text(
            "indicator,unit_code,year,value,unit,origin,source\n"
            "pv_installed_capacity,330600,2024,1850,MW,entered,示例 example\n",
            encoding="utf-8",
        )
        proc = subprocess.run(
            [sys.executable, "-m", "sxgeo", "-q", *DEMO_BUILD_ARGS, "--no-pdf"],
            cwd=work,
            capture_output=True,
            encoding=os.environ.get("PYTHONIOENCODING") or "utf-8",  # GBK under make test-gbk
            check=False,
        )
        (work / "command.json").write_text(
            json.dumps({"returncode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}),
            encoding="utf-8",
        )

    work = _once_per_run(tmp_path_factory, "demo_build", make)
    ran = json.loads((work / "command.json").read_text(encoding="utf-8"))
    assert ran["returncode"] == 0, ran["stderr"]
    assert "Traceback" not in ran["stderr"]
    return DemoBuild(work / DEMO_BUILD_ARGS[-1], ran["stdout"], ran["stderr"])


REQUIRE_BROWSER = os.environ.get("SXGEO_REQUIRE_BROWSER") == "1"


def _browser_unavailable(reason: str) -> None:
    """Skip a browser test, or fail it when ``SXGEO_REQUIRE_BROWSER=1`` (set by ``.ci/run``)."""
    if REQUIRE_BROWSER:
        pytest.fail(f"browser tests required (SXGEO_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright (one per test module)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("playwright is not installed (pip install -e '.[test]')")
    from sxgeo.maps.export import CHROMIUM_FLAGS

    exe = os.environ.get("SXGEO_CHROMIUM") or shutil.which("chromium")
    if not exe:
        _browser_unavailable("no chromium (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        yield b
        b.close()


DEMO_FIXTURES = frozenset({"demo_dir", "demo_build"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``e2e`` every test that needs the full demo (or its build) and every test under ``tests/e2e/``
    (browser, notebooks, install, QGIS): ``make test-fast`` leaves them out."""
    e2e = Path(__file__).resolve().parent / "e2e"
    for item in items:
        if DEMO_FIXTURES & set(getattr(item, "fixturenames", ())) or Path(str(item.path)).is_relative_to(e2e):
            item.add_marker(pytest.mark.e2e)
