"""Shared fixtures: the shipped layers, and a folder for files the tests make from scratch."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from sxgeo import admin

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ROOT / "layers"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def counties() -> gpd.GeoDataFrame:
    return admin.load_counties(LAYERS)


@pytest.fixture(scope="session")
def divisions() -> pd.DataFrame:
    return admin.load_divisions(LAYERS)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic layers generated once per test session (never the committed tree)."""
    from sxgeo import demo

    out = tmp_path_factory.mktemp("demo")
    demo.generate(out, layers=LAYERS)
    return out
