"""Seeded, deterministic synthetic layers for demos and tests, clearly labelled as such.

:mod:`sxgeo.demo.base` makes the base geography (towns, villages, built-up areas) on the real
counties; :mod:`sxgeo.demo.sponge` the sponge-city layers. :func:`generate` writes them all
(``sxgeo demo-data``). Nothing in the analysis code imports this package.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from sxgeo.admin import load_counties, load_divisions
from sxgeo.demo import carbon, parks, pilots, pv, sponge
from sxgeo.demo.base import (
    BUILT_UP_KM2,
    COUNTY_SEATS_LONLAT,
    DEFAULT_SEED,
    DEMO_LAYERS,
    SYNTHETIC_NOTE,
    _seats_metric,
    make_built_up,
    make_towns,
    make_villages,
)

log = logging.getLogger(__name__)


def _crs_of(name: str, frames: dict, written: dict) -> str | None:
    if name.endswith(".csv"):
        return None
    if name.endswith(".tif"):
        import rasterio

        with rasterio.open(written[name]) as src:
            return src.crs.to_string()
    return frames[name].crs.to_string()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_layers(
    *, seed: int = DEFAULT_SEED, layers: str | Path | None = None
) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """Make every synthetic layer in memory.

    Parameters
    ----------
    seed : int
        Random seed.
    layers : str or pathlib.Path, optional
        Folder of the real layers (counties, divisions).

    Returns
    -------
    dict
        File name -> GeoDataFrame (or DataFrame for the rainfall table).
    """
    counties = load_counties(layers)
    divisions = load_divisions(layers)
    towns = make_towns(counties, divisions, seed=seed)
    villages = make_villages(towns, divisions, seed=seed)
    built_up = make_built_up(counties, seed=seed)
    rainfall = sponge.make_rainfall(seed=seed)
    subzones = sponge.make_subzones(built_up, seed=seed)
    landcover = sponge.make_landcover(subzones, seed=seed)
    projects = sponge.make_projects(built_up, seed=seed)
    parks = pv.make_parks(built_up, seed=seed)
    return {
        "demo_towns.geojson": towns,
        "demo_villages.geojson": villages,
        "demo_built_up.geojson": built_up,
        "demo_sponge_projects.geojson": projects,
        "demo_sponge_subzones.geojson": subzones,
        "demo_sponge_landcover.geojson": landcover,
        "demo_sponge_facilities.geojson": sponge.make_facilities(
            subzones, landcover, rainfall, projects, seed=seed
        ),
        "demo_rainfall_daily.csv": rainfall,
        "demo_parks.geojson": parks,
        "demo_buildings.parquet": pv.make_buildings(built_up, parks, villages, seed=seed),
        "demo_pilot_criteria.csv": pilots.make_criteria(villages, towns, built_up, seed=seed),
    }


DEMO_PROJECT = """\
# The demo as a planner's project: every input is a SYNTHETIC demo layer in this folder.
# sxgeo build --project layers/demo/sxgeo.toml -o maps
[project]
name = "绍兴市示例项目 (SYNTHETIC demo)"
year = 2025

[layers]
# counties: the shipped layer (layers/counties.geojson)
towns = "demo_towns.geojson"
villages = "demo_villages.geojson"

[sponge]
built_up = "demo_built_up.geojson"
compliant = "demo_sponge_projects.geojson"
subzones = "demo_sponge_subzones.geojson"
landcover = "demo_sponge_landcover.geojson"
facilities = "demo_sponge_facilities.geojson"
rainfall = "demo_rainfall_daily.csv"

[carbon]
landcover = "demo_landcover_2020.tif"
landcover_after = "demo_landcover_2025.tif"
years = 5
pools = "demo_carbon_pools.csv"
stands = "demo_forest_stands_2025.gpkg"
stands_before = "demo_forest_stands_2020.gpkg"
stands_years = 5
wetlands = "demo_wetlands.geojson"

[pv]
buildings = "demo_buildings.parquet"
parks = "demo_parks.geojson"

[pilots]
# the plan's 100 villages, 10 towns and 1 county; candidates are the demo villages and towns above
# criteria: PV, forest cover, built-up share and sponge coverage computed from the layers above (measures);
# electricity use, population and the ledger gate are synthetic columns of demo_pilot_criteria.csv
criteria = "demo_pilot_criteria.yaml"
values = "demo_pilot_criteria.csv"
# town_bonus = 5   # villages and towns selected together, +5 points for a village in a selected town
min_spacing_km = 3
draws = 1000
# P(selected) re-runs the whole selection per draw (~0.2-0.5 s each for the villages): the demo uses
# 50 to keep `make demo` short; use 200 or more (the default) for the plan's runs
selection_draws = 50
"""
"""The project file of the demo (written beside the layers by :func:`generate`)."""


def generate(
    out_dir: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    layers: str | Path | None = None,
) -> dict[str, Path]:
    """Write every synthetic layer into *out_dir*, with a ``manifest.json`` of checksums.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Output folder (``layers/demo`` by convention).
    seed : int
        Random seed; the same seed and inputs give identical files.
    layers : str or pathlib.Path, optional
        Folder of the real layers (counties, divisions); default :func:`sxgeo.admin.layers_dir`.

    Returns
    -------
    dict
        File name -> path written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not 0 <= seed < 2**32:
        from sxgeo.errors import OptionError

        msg = f"--seed must be a whole number 0 to {2**32 - 1}, got {seed}"
        raise OptionError(msg)
    frames = build_layers(seed=seed, layers=layers)
    counties = load_counties(layers)
    built_up = frames["demo_built_up.geojson"]
    tif, cells = carbon.make_landcover(counties, built_up, out / "demo_landcover_2020.tif", seed=seed)
    carbon.make_landcover_2025(tif, built_up, out / "demo_landcover_2025.tif", seed=seed)
    frames["demo_carbon_pools.csv"] = carbon.pools_table()
    stands_2020, stands_2025 = carbon.make_stands(cells, seed=seed)
    frames["demo_forest_stands_2020.gpkg"] = stands_2020
    frames["demo_forest_stands_2025.gpkg"] = stands_2025
    frames["demo_wetlands.geojson"] = carbon.make_wetlands(counties, built_up, seed=seed)
    written: dict[str, Path] = {}
    for layer in DEMO_LAYERS:
        path = out / layer.name
        if layer.name.endswith(".tif"):  # written above, window by window
            written[layer.name] = path
            continue
        path.unlink(missing_ok=True)
        frame: Any = frames[layer.name]  # a GeoDataFrame, or a DataFrame for .csv/.parquet
        if layer.name.endswith(".gpkg"):
            import pyogrio

            # GeoPackages record when they were written: fix it so the same seed gives the same bytes
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2021-12-01T00:00:00Z"})
            try:
                frame.to_file(path, driver="GPKG")
            finally:
                pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
        elif layer.name.endswith(".csv"):
            frame.to_csv(path, index=False, encoding="utf-8")
        elif layer.name.endswith(".parquet"):
            frame.to_parquet(path, index=False, compression="zstd")
        else:
            # 9 decimals (0.1 mm): vertices added along borders stay on the line, so tilings
            # (towns, sub-zones, land cover) stay closed coverages
            frame.to_file(path, driver="GeoJSON", COORDINATE_PRECISION=9, WRITE_BBOX="NO")
        written[layer.name] = path
    written |= parks.write(out, frames["demo_parks.geojson"], seed=seed)  # zero-carbon parks (issue 24)
    manifest = {
        "note": SYNTHETIC_NOTE,
        "generator": f"sxgeo demo-data --seed {seed}",
        "seed": seed,
        "layers": [
            {
                "file": layer.name,
                "title": layer.title,
                "synthetic": True,
                "crs": _crs_of(layer.name, frames, written),
                "features": len(frames[layer.name]) if layer.name in frames else None,
                "sha256": _sha256(written[layer.name]),
            }
            for layer in DEMO_LAYERS
        ]
        + parks.manifest(written),
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (out / "sxgeo.toml").write_text(DEMO_PROJECT + parks.PROJECT_SECTION, encoding="utf-8")
    written["sxgeo.toml"] = out / "sxgeo.toml"
    (out / "demo_pilot_criteria.yaml").write_text(pilots.DEMO_CRITERIA_YAML, encoding="utf-8")
    written["demo_pilot_criteria.yaml"] = out / "demo_pilot_criteria.yaml"
    log.info("wrote %d synthetic layers to %s (seed %d)", len(written), out, seed)
    return written


DEMO_DIR_ENV = "SXGEO_DEMO_DIR"


def demo_layers(*, seed: int = DEFAULT_SEED, layers: str | Path | None = None) -> Path:
    """A folder holding the synthetic demo layers: ``$SXGEO_DEMO_DIR`` when set, else freshly generated.

    The notebooks start with this. The test session points ``SXGEO_DEMO_DIR`` at the layers it
    generated once, so each notebook does not generate them again; the folder is used only when its
    ``manifest.json`` records the same seed and every file it lists is there.

    Parameters
    ----------
    seed : int
        Random seed of the demo layers.
    layers : str or pathlib.Path, optional
        Folder of the real layers (counties, divisions).

    Returns
    -------
    pathlib.Path
    """
    import os
    import tempfile

    given = os.environ.get(DEMO_DIR_ENV)
    if given:
        folder = Path(given)
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
        files = [entry["file"] for entry in manifest.get("layers", [])]
        if manifest.get("seed") == seed and files and all((folder / f).exists() for f in files):
            log.info("demo layers from %s=%s", DEMO_DIR_ENV, folder)
            return folder
        log.warning("%s=%s holds no complete demo (seed %d): generating afresh", DEMO_DIR_ENV, folder, seed)
    out = Path(tempfile.mkdtemp(prefix="sxgeo-demo-"))
    generate(out, seed=seed, layers=layers)
    return out


__all__ = [
    "BUILT_UP_KM2",
    "COUNTY_SEATS_LONLAT",
    "DEFAULT_SEED",
    "DEMO_DIR_ENV",
    "DEMO_LAYERS",
    "SYNTHETIC_NOTE",
    "_seats_metric",
    "build_layers",
    "carbon",
    "demo_layers",
    "generate",
    "make_built_up",
    "make_towns",
    "make_villages",
    "pilots",
    "pv",
    "sponge",
]
