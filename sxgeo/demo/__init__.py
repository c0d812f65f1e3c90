"""Seeded, deterministic synthetic layers for demos and tests, clearly labelled as such.

:mod:`sxgeo.demo.base` makes the base geography (towns, villages, built-up areas) on the real
counties; :mod:`sxgeo.demo.sponge` the sponge-city layers. :func:`generate` writes them all
(``sxgeo demo-data``). Nothing in the analysis code imports this package.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import rasterio

from sxgeo.admin import load_counties, load_divisions
from sxgeo.demo import carbon, parks, pilots, pv, sponge
from sxgeo.demo.base import (
    BUILT_UP_KM2,
    COUNTY_SEATS_LONLAT,
    DEFAULT_SEED,
    DEMO_LAYERS,
    SIZES,
    SYNTHETIC_NOTE,
    DemoSize,
    _seats_metric,
    demo_size,
    make_built_up,
    make_towns,
    make_villages,
)
from sxgeo.errors import OptionError
from sxgeo.pilots import EXISTING_PILOTS

log = logging.getLogger(__name__)


def _crs_of(name: str, frames: dict, written: dict) -> str | None:
    if name.endswith(".csv"):
        return None
    if name.endswith(".tif"):
        with rasterio.open(written[name]) as src:
            return src.crs.to_string()
    return frames[name].crs.to_string()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _keep_villages(villages: gpd.GeoDataFrame, every: int) -> gpd.GeoDataFrame:
    """Every *every*-th village in code order, and the existing pilot villages."""
    if every <= 1:
        return villages
    keep = (pd.RangeIndex(len(villages)) % every == 0) | villages["code"].isin(list(EXISTING_PILOTS))
    return villages[keep].reset_index(drop=True)


def build_layers(
    *, seed: int = DEFAULT_SEED, layers: str | Path | None = None, size: str = "full"
) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """Make every synthetic layer in memory.

    Parameters
    ----------
    seed : int
        Random seed.
    layers : str or pathlib.Path, optional
        Folder of the real layers (counties, divisions).
    size : {'full', 'tiny'}
        How big (:data:`sxgeo.demo.base.SIZES`).

    Returns
    -------
    dict
        File name -> GeoDataFrame (or DataFrame for the rainfall table).
    """
    spec = demo_size(size)
    counties = load_counties(layers)
    divisions = load_divisions(layers)
    towns = make_towns(counties, divisions, seed=seed, simplify_m=spec.town_simplify_m)
    villages = _keep_villages(make_villages(towns, divisions, seed=seed), spec.village_every)
    built_up = make_built_up(
        counties,
        seed=seed,
        vertices=spec.built_up_vertices,
        area_km2=(
            None
            if spec.built_up_scale == 1.0
            else {code: km2 * spec.built_up_scale for code, km2 in BUILT_UP_KM2.items()}
        ),
    )
    first_year, last_year = spec.rain_years
    rainfall = sponge.make_rainfall(seed=seed, first_year=first_year, last_year=last_year)
    subzones = sponge.make_subzones(built_up, seed=seed, zone_km2=spec.zone_km2)
    landcover = sponge.make_landcover(subzones, seed=seed, cells_per_zone=spec.cells_per_zone)
    projects = sponge.make_projects(built_up, seed=seed)
    parks = pv.make_parks(built_up, seed=seed, area_km2=spec.park_km2)
    buildings = pv.make_buildings(
        built_up, parks, villages, seed=seed, urban=spec.urban_buildings, per_village=spec.per_village
    )
    facilities = sponge.make_facilities(subzones, landcover, rainfall, projects, seed=seed)
    if spec.rain_wet_days_only:  # after the facilities: they are sized on the same curve either way
        rainfall = rainfall[rainfall["precip_mm"] > 0].reset_index(drop=True)
    return {
        "demo_towns.geojson": towns,
        "demo_villages.geojson": villages,
        "demo_built_up.geojson": built_up,
        "demo_sponge_projects.geojson": projects,
        "demo_sponge_subzones.geojson": subzones,
        "demo_sponge_landcover.geojson": landcover,
        "demo_sponge_facilities.geojson": facilities,
        "demo_rainfall_daily.csv": rainfall,
        "demo_parks.geojson": parks,
        "demo_buildings.parquet": buildings,
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

_TINY_EDITS = (
    (
        "# The demo as a planner's project: every input is a SYNTHETIC demo layer in this folder.\n"
        "# sxgeo build --project layers/demo/sxgeo.toml -o maps\n",
        "# The TINY demo (sxgeo demo-data --size tiny): every input is a SYNTHETIC layer in this folder,\n"
        "# a few hundred features each; the counties are the shipped real layer.\n"
        "# sxgeo build --project tests/datasets/tiny/sxgeo.toml -o maps\n",
    ),
    ('name = "绍兴市示例项目 (SYNTHETIC demo)"', 'name = "绍兴市微型示例 (SYNTHETIC tiny demo)"'),
    (
        "# the plan's 100 villages, 10 towns and 1 county; "
        "candidates are the demo villages and towns above\n",
        "# 20 villages, 5 towns and 1 county: the plan's 100/10/1 are too many for the tiny demo's\n"
        "# 146 villages (every 15th village code, with the existing pilots)\n"
        "villages = 20\ntowns = 5\n",
    ),
    ("draws = 1000\n", "draws = 200\n"),
    (
        "# P(selected) re-runs the whole selection per draw (~0.2-0.5 s each for the villages): "
        "the demo uses\n"
        "# 50 to keep `make demo` short; use 200 or more (the default) for the plan's runs\n"
        "selection_draws = 50\n",
        "# P(selected) re-runs the whole selection per draw: 20 keep the test build short\n"
        "selection_draws = 20\n",
    ),
)


def _tiny_project() -> str:
    """:data:`DEMO_PROJECT` with the tiny demo's header and smaller pilot counts (same keys and files)."""
    text = DEMO_PROJECT
    for old, new in _TINY_EDITS:
        if old not in text:  # DEMO_PROJECT was edited: edit _TINY_EDITS with it
            msg = f"sxgeo.demo: the tiny project's edit no longer applies: {old!r}"
            raise RuntimeError(msg)
        text = text.replace(old, new)
    return text


TINY_PROJECT = _tiny_project()
"""The project file of the tiny demo (``tests/datasets/tiny/sxgeo.toml``): the same keys and file names."""

TINY_TITLES = {
    "demo_rainfall_daily.csv": (
        "Synthetic daily rainfall 2016-2020, rain days only, calibrated to the plan's 2020 figures"
    ),
    "demo_buildings.parquet": "Synthetic building footprints (a few hundred; GeoParquet, EPSG:4549)",
    "demo_landcover_2020.tif": "Synthetic 300 m land-cover raster of the city, 2020 (EPSG:4549)",
    "demo_landcover_2025.tif": "Synthetic 300 m land-cover raster, 2025 (built-up growth, afforestation)",
    "demo_forest_stands_2020.gpkg": "Synthetic forest stands (6 km cells), 2020: 2,260万 m3 in total",
}
"""Layer titles of the tiny demo where the full demo's would be wrong."""


def generate(
    out_dir: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    layers: str | Path | None = None,
    size: str = "full",
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
    size : {'full', 'tiny'}
        ``full``: the demo of ``make demo`` (about 300,000 buildings, 30 m land cover); ``tiny``:
        a few hundred features per layer, 300 m land cover (``tests/datasets/tiny``; see
        :data:`sxgeo.demo.base.SIZES`).

    Returns
    -------
    dict
        File name -> path written.
    """
    spec = demo_size(size)
    if not 0 <= seed < 2**32:
        msg = f"--seed must be a whole number 0 to {2**32 - 1}, got {seed}"
        raise OptionError(msg)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frames = build_layers(seed=seed, layers=layers, size=size)
    counties = load_counties(layers)
    built_up = frames["demo_built_up.geojson"]
    tif, cells = carbon.make_landcover(
        counties,
        built_up,
        out / "demo_landcover_2020.tif",
        seed=seed,
        pixel_m=spec.pixel_m,
        cell_pixels=spec.cell_pixels,
    )
    carbon.make_landcover_2025(tif, built_up, out / "demo_landcover_2025.tif", seed=seed)
    frames["demo_carbon_pools.csv"] = carbon.pools_table()
    stands_2020, stands_2025 = carbon.make_stands(cells, seed=seed)
    frames["demo_forest_stands_2020.gpkg"] = stands_2020
    frames["demo_forest_stands_2025.gpkg"] = stands_2025
    frames["demo_wetlands.geojson"] = carbon.make_wetlands(
        counties, built_up, seed=seed, counts=spec.wetlands
    )
    tiny = spec.name != "full"
    titles = TINY_TITLES if tiny else {}
    written: dict[str, Path] = {}
    for layer in DEMO_LAYERS:
        path = out / layer.name
        if layer.name.endswith(".tif"):  # written above, window by window
            written[layer.name] = path
            continue
        path.unlink(missing_ok=True)
        frame: Any = frames[layer.name]  # a GeoDataFrame, or a DataFrame for .csv/.parquet
        if layer.name.endswith(".gpkg"):
            # GeoPackages record when they were written: fix it so the same seed gives the same bytes
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2021-12-01T00:00:00Z"})
            try:  # the tiny demo leaves out the spatial index (a quarter of its small files)
                frame.to_file(path, driver="GPKG", **({"SPATIAL_INDEX": "NO"} if tiny else {}))
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
        "generator": f"sxgeo demo-data --size {spec.name} --seed {seed}"
        if tiny
        else f"sxgeo demo-data --seed {seed}",
        **({"size": spec.name} if tiny else {}),
        "seed": seed,
        "layers": [
            {
                "file": layer.name,
                "title": titles.get(layer.name, layer.title),
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
    (out / "sxgeo.toml").write_text(
        (TINY_PROJECT if tiny else DEMO_PROJECT) + parks.PROJECT_SECTION, encoding="utf-8"
    )
    written["sxgeo.toml"] = out / "sxgeo.toml"
    (out / "demo_pilot_criteria.yaml").write_text(pilots.DEMO_CRITERIA_YAML, encoding="utf-8")
    written["demo_pilot_criteria.yaml"] = out / "demo_pilot_criteria.yaml"
    log.info("wrote %d synthetic %s layers to %s (seed %d)", len(written), spec.name, out, seed)
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
    given = os.environ.get(DEMO_DIR_ENV)
    if given:
        folder = Path(given)
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
        files = [entry["file"] for entry in manifest.get("layers", [])]
        full = manifest.get("size", "full") == "full"  # a tiny demo is not the notebooks' demo
        if manifest.get("seed") == seed and full and files and all((folder / f).exists() for f in files):
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
    "SIZES",
    "SYNTHETIC_NOTE",
    "TINY_PROJECT",
    "DemoSize",
    "_seats_metric",
    "build_layers",
    "carbon",
    "demo_layers",
    "demo_size",
    "generate",
    "make_built_up",
    "make_towns",
    "make_villages",
    "pilots",
    "pv",
    "sponge",
]
