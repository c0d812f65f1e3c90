"""Synthetic zero-carbon parks for the demo: boundaries (one 园中园) and an entered history, labelled.

The boundaries are the demo's industrial parks (:func:`sxgeo.demo.pv.make_parks`), so the demo roofs
lie in them, with a 园中园 in the middle of the first; the history (2023-2025) has energy use, CO₂,
electricity use, a clean-energy share and the guiding indicators drawn around the notice's thresholds,
so the demo shows both grades. Every figure is synthetic.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.demo.base import SYNTHETIC_NOTE, _label

BOUNDARIES = "demo_zero_carbon_parks.geojson"
HISTORY = "demo_park_history.csv"
TITLES = {
    BOUNDARIES: "Synthetic zero-carbon park boundaries (四至), one 园中园",
    HISTORY: "Synthetic entered park history 2023-2025 (energy, CO2, electricity, guiding indicators)",
}

PROJECT_SECTION = f"""
[parks]
# zero-carbon parks: SYNTHETIC boundaries (the demo industrial parks and one 园中园) and entered history
boundaries = "{BOUNDARIES}"
history = "{HISTORY}"
"""
"""The ``[parks]`` section appended to the demo project file."""


def make_boundaries(parks: gpd.GeoDataFrame, *, seed: int) -> gpd.GeoDataFrame:
    """Park boundaries from the demo industrial parks, plus a 园中园 (a third of the first, at its centre).

    Parameters
    ----------
    parks : geopandas.GeoDataFrame
        :func:`sxgeo.demo.pv.make_parks` (``park_id``, ``name``).
    seed : int
        Random seed (the levels).

    Returns
    -------
    geopandas.GeoDataFrame
        ``park_code, park_name, level, parent_code`` in EPSG:4326, labelled synthetic.
    """
    rng = np.random.default_rng(seed + 240)
    m = sxcrs.to_metric(parks, what="demo parks").reset_index(drop=True)
    rows: list[dict[str, Any]] = []
    for pid, name, geom in zip(m["park_id"], m["name"], m.geometry, strict=True):
        rows.append(
            {
                "park_code": f"Z{pid}",
                "park_name": str(name).replace("产业园", "零碳园区"),
                "level": "省级" if rng.uniform() < 0.7 else "国家级",
                "parent_code": "",
                "geometry": geom,
            }
        )
    first = rows[0]["geometry"]
    inner = shapely.affinity.scale(first, xfact=0.33, yfact=0.33, origin=first.centroid)
    rows.append(
        {
            "park_code": f"{rows[0]['park_code']}-A",
            "park_name": f"{rows[0]['park_name']}园中园(合成)",
            "level": "",
            "parent_code": rows[0]["park_code"],
            "geometry": inner,
        }
    )
    out = gpd.GeoDataFrame(rows, crs=m.crs)
    return _label(sxcrs.to_lonlat(out, what="demo zero-carbon parks"), seed)


def make_history(boundaries: gpd.GeoDataFrame, *, seed: int) -> pd.DataFrame:
    """Entered values per park for 2023-2025 (synthetic), the core indicator falling a little each year.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        :func:`make_boundaries`.
    seed : int
        Random seed.

    Returns
    -------
    pandas.DataFrame
        ``park_code, year, energy_tce, co2_t, electricity_mwh, clean_energy_share_pct,
        product_energy_intensity, solid_waste_reuse_pct, waste_heat_reuse_pct, water_reuse_pct,
        data_note``.
    """
    rng = np.random.default_rng(seed + 241)
    rows = []
    for code in boundaries["park_code"]:
        energy = float(rng.choice([rng.uniform(3e4, 9e5), rng.uniform(1.1e6, 1.6e6)], p=[0.8, 0.2]))
        core = float(rng.uniform(0.15, 0.40))
        for k, year in enumerate((2023, 2024, 2025)):
            e = energy * (1 + 0.03 * k)
            c = core * (1 - 0.06 * k)
            rows.append(
                {
                    "park_code": code,
                    "year": year,
                    "energy_tce": round(e),
                    "co2_t": round(e * c),
                    "electricity_mwh": round(
                        e * rng.uniform(5.5, 7.0)
                    ),  # 68-86% of 8.14 MWh/tce (0.1229 kgce/kWh)
                    "clean_energy_share_pct": round(float(rng.uniform(40, 95)), 1),
                    "product_energy_intensity": round(float(rng.uniform(0.2, 0.9)), 3),
                    "solid_waste_reuse_pct": round(float(rng.uniform(60, 98)), 1),
                    "waste_heat_reuse_pct": round(float(rng.uniform(20, 70)), 1),
                    "water_reuse_pct": round(float(rng.uniform(60, 95)), 1),
                    "data_note": SYNTHETIC_NOTE,
                }
            )
    return pd.DataFrame(rows)


def write(out: Path, parks: gpd.GeoDataFrame, *, seed: int) -> dict[str, Path]:
    """Write the park boundaries and history into *out* (the demo folder).

    Parameters
    ----------
    out : pathlib.Path
        The demo folder.
    parks : geopandas.GeoDataFrame
        The demo industrial parks.
    seed : int
        Random seed.

    Returns
    -------
    dict
        File name -> path.
    """
    b = make_boundaries(parks, seed=seed)
    h = make_history(b, seed=seed)
    (out / BOUNDARIES).unlink(missing_ok=True)
    b.to_file(out / BOUNDARIES, driver="GeoJSON", COORDINATE_PRECISION=9, WRITE_BBOX="NO")
    h.to_csv(out / HISTORY, index=False, encoding="utf-8")
    return {BOUNDARIES: out / BOUNDARIES, HISTORY: out / HISTORY}


def manifest(written: dict[str, Path]) -> list[dict[str, Any]]:
    """The manifest entries of the files :func:`write` wrote."""
    entries = []
    for name, title in TITLES.items():
        path = written[name]
        entries.append(
            {
                "file": name,
                "title": title,
                "synthetic": True,
                "crs": None if name.endswith(".csv") else "EPSG:4326",
                "features": len(pd.read_csv(path)) if name.endswith(".csv") else len(gpd.read_file(path)),
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            }
        )
    return entries
