"""The synthetic generator: real counts, labels, determinism, exact coverage."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely

from sxgeo import crs as sxcrs
from sxgeo import demo
from sxgeo.io import read_layer

from ..conftest import LAYERS


@pytest.fixture(scope="module")
def towns(demo_dir):
    return read_layer(demo_dir / "demo_towns.geojson")[0]


@pytest.fixture(scope="module")
def villages(demo_dir):
    return read_layer(demo_dir / "demo_villages.geojson")[0]


@pytest.fixture(scope="module")
def built_up(demo_dir):
    return read_layer(demo_dir / "demo_built_up.geojson")[0]


def test_every_feature_is_labelled_synthetic(demo_dir, towns, villages, built_up):
    for gdf in (towns, villages, built_up):
        assert gdf["synthetic"].all()
        assert gdf["geometry_source"].str.startswith("synthetic").all()
    manifest = json.loads((demo_dir / "manifest.json").read_text(encoding="utf-8"))
    assert all(layer["synthetic"] and layer["file"].startswith("demo_") for layer in manifest["layers"])
    for layer in manifest["layers"]:
        assert layer["sha256"] == hashlib.sha256((demo_dir / layer["file"]).read_bytes()).hexdigest()


def test_towns_use_real_codes_and_counts(towns, divisions):
    real = divisions[divisions["level"] == "town"]
    assert sorted(towns["code"]) == sorted(real["code"])
    assert towns.groupby("county_adcode").size().to_dict() == real.groupby("county_adcode").size().to_dict()


def test_towns_tile_each_county_exactly(towns, counties):
    t = sxcrs.to_metric(towns)
    c = sxcrs.to_metric(counties)
    assert shapely.coverage_is_valid(np.asarray(t.geometry.values), gap_width=1.0)
    for code, county in zip(c["adcode"], c.geometry, strict=True):
        cells = shapely.union_all(np.asarray(t.loc[t["county_adcode"] == code].geometry.values))
        assert cells.symmetric_difference(county).area < 1.0, code


def test_villages_lie_in_their_town(villages, towns, divisions):
    real = divisions[divisions["level"] == "village"]
    assert sorted(villages["code"]) == sorted(real["code"])
    joined = villages.sjoin(towns[["code", "geometry"]], predicate="within", lsuffix="v", rsuffix="t")
    assert len(joined) == len(villages)
    assert (joined["town_code"] == joined["code_t"]).all()
    pilot = villages.loc[villages["code"] == "330602002053"]
    assert pilot["name"].iloc[0] == "西小路社区"


def test_demo_calibrated_built_up_areas_are_sized_and_inside_their_county(built_up, counties):
    b = sxcrs.to_metric(built_up)
    area_km2 = dict(zip(b["adcode"], sxcrs.area_m2(b) / 1e6, strict=True))
    for code, target in demo.BUILT_UP_KM2.items():
        assert area_km2[code] == pytest.approx(target, rel=2e-3)
    c = sxcrs.to_metric(counties).set_index("adcode")
    for code, geom in zip(b["adcode"], b.geometry, strict=True):
        assert geom.difference(c.loc[code, "geometry"]).area < 1.0
        seat = shapely.Point(*demo._seats_metric()[code])
        assert geom.contains(seat), code


def test_same_seed_same_files_other_seed_other_files(demo_dir, tmp_path):
    """``sxgeo demo-data`` writes the very bytes of the session's demo; another seed moves the towns."""
    from typer.testing import CliRunner

    from sxgeo.cli import app

    result = CliRunner().invoke(app, ["demo-data", "--out", str(tmp_path / "again"), "--layers", str(LAYERS)])
    assert result.exit_code == 0, result.output
    listed = json.loads((demo_dir / "manifest.json").read_text(encoding="utf-8"))["layers"]
    for name in [e["file"] for e in listed] + ["manifest.json", "sxgeo.toml"]:
        assert (tmp_path / "again" / name).read_bytes() == (demo_dir / name).read_bytes(), name
    other = demo.build_layers(seed=1, layers=LAYERS)["demo_towns.geojson"]
    same = read_layer(demo_dir / "demo_towns.geojson")[0].to_crs(other.crs)
    assert not shapely.equals_exact(other.geometry.values, same.geometry.values, tolerance=1.0).all()


def test_demo_layers_reuses_only_a_complete_folder(demo_dir, tiny_dir, tmp_path, monkeypatch):
    monkeypatch.setenv(demo.DEMO_DIR_ENV, str(demo_dir))
    assert demo.demo_layers() == demo_dir
    # a folder missing a listed file, or made with another seed, is not used: the layers are generated afresh
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "manifest.json").write_bytes((demo_dir / "manifest.json").read_bytes())
    calls: list[Path] = []
    monkeypatch.setattr(demo, "generate", lambda out, **kw: calls.append(Path(out)))
    monkeypatch.setenv(demo.DEMO_DIR_ENV, str(partial))
    assert demo.demo_layers() != partial and len(calls) == 1
    monkeypatch.setenv(demo.DEMO_DIR_ENV, str(demo_dir))
    assert demo.demo_layers(seed=1) != demo_dir and len(calls) == 2
    # nor is the tiny demo (complete, same seed, but not the demo the notebooks describe)
    monkeypatch.setenv(demo.DEMO_DIR_ENV, str(tiny_dir))
    assert demo.demo_layers() != tiny_dir and len(calls) == 3


# --- the tiny demo (sxgeo demo-data --size tiny) and the shipped tests/datasets/tiny ---


def test_tiny_dataset_is_what_the_generator_writes(tiny_dir, tmp_path):
    """``sxgeo demo-data --size tiny`` writes the shipped tests/datasets/tiny byte for byte."""
    from typer.testing import CliRunner

    from sxgeo.cli import app

    out = tmp_path / "tiny"
    result = CliRunner().invoke(
        app, ["demo-data", "--size", "tiny", "--out", str(out), "--layers", str(LAYERS)]
    )
    assert result.exit_code == 0, result.output
    made = sorted(p.name for p in out.iterdir())
    assert sorted(p.name for p in tiny_dir.iterdir()) == sorted([*made, "README.md"])
    for name in made:
        assert (out / name).read_bytes() == (tiny_dir / name).read_bytes(), name
    assert sum(p.stat().st_size for p in tiny_dir.iterdir()) < 1_000_000


def test_tiny_dataset_is_labelled_synthetic_and_small(tiny_dir):
    manifest = json.loads((tiny_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["size"] == "tiny" and "--size tiny" in manifest["generator"]
    for layer in manifest["layers"]:
        path = tiny_dir / layer["file"]
        assert layer["synthetic"] and path.name.startswith("demo_")
        assert layer["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        if path.suffix == ".tif":
            with rasterio.open(path) as src:
                assert src.tags()["synthetic"] == "true" and src.res == (300.0, 300.0)
        elif path.suffix in (".geojson", ".gpkg", ".parquet"):
            gdf = read_layer(path)[0]
            assert gdf["synthetic"].all() and gdf["geometry_source"].str.startswith("synthetic").all()
            assert 1 <= len(gdf) <= 600, path.name  # a few hundred at most
    rain = pd.read_csv(tiny_dir / "demo_rainfall_daily.csv")
    assert (rain["station_id"] == "SYNTHETIC-DEMO").all()
    # rain days only; the year 2020 still the plan's figures (161 rain days, 1,566.5 mm)
    assert (rain["precip_mm"] > 0).all()
    y2020 = rain[rain["date"].str.startswith("2020")]
    assert len(y2020) == 161 and y2020["precip_mm"].sum() == pytest.approx(1566.5, abs=0.01)
    villages = read_layer(tiny_dir / "demo_villages.geojson")[0]
    assert "330602002053" in set(villages["code"])  # the existing pilot 西小路社区 is kept


def test_tiny_project_names_the_layers_as_the_demo_does(tiny_dir):
    """Same sections, keys and file names as the full demo's project; only pilot counts and draws differ.

    The tiny project is the demo's with checked edits (sxgeo.demo._TINY_EDITS).
    """
    tiny = tomllib.loads((tiny_dir / "sxgeo.toml").read_text(encoding="utf-8"))
    full = tomllib.loads(demo.DEMO_PROJECT + demo.parks.PROJECT_SECTION)  # as generate() writes it
    assert tiny.keys() == full.keys()
    for section in ("layers", "sponge", "carbon", "pv", "parks"):
        assert tiny[section] == full[section], section
    assert {
        k: v for k, v in tiny["pilots"].items() if k not in ("villages", "towns", "draws", "selection_draws")
    } == ({k: v for k, v in full["pilots"].items() if k not in ("draws", "selection_draws")})
    assert (tiny["pilots"]["villages"], tiny["pilots"]["towns"]) == (20, 5)


def test_unknown_size_is_one_line(tmp_path):
    from sxgeo.errors import OptionError

    with pytest.raises(OptionError, match="--size must be one of full, tiny, got 'small'"):
        demo.generate(tmp_path / "x", size="small")
    assert not (tmp_path / "x").exists()
