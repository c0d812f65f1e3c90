"""Administrative units of Shaoxing: counties, divisions, target groups, and where layers live.

The six county-level units and their plan groups are facts of the plan (see
``../shared/plan/targets.md`` in the development tree); the geometry comes from
``layers/counties.geojson`` and the town/village lists from ``layers/divisions.csv``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.errors import LayerError, SchemaError
from sxgeo.io._paths import require_file

log = logging.getLogger(__name__)

CITY_CODE = "330600"
"""Adcode of Shaoxing city (绍兴市)."""
URBAN_CODE = "330600-urban"
"""Unit code of 绍兴市区 (越城+柯桥+上虞 pooled), the unit of some plan targets."""


@dataclass(frozen=True)
class County:
    """A county-level unit of Shaoxing.

    Attributes
    ----------
    adcode : str
        6-digit administrative code.
    name_zh, name_en : str
        Names.
    target_group : str
        ``"urban"`` for the three districts of 绍兴市区, else the county's own adcode.
    """

    adcode: str
    name_zh: str
    name_en: str
    target_group: str


COUNTIES: tuple[County, ...] = (
    County("330602", "越城区", "Yuecheng District", "urban"),
    County("330603", "柯桥区", "Keqiao District", "urban"),
    County("330604", "上虞区", "Shangyu District", "urban"),
    County("330681", "诸暨市", "Zhuji City", "330681"),
    County("330683", "嵊州市", "Shengzhou City", "330683"),
    County("330624", "新昌县", "Xinchang County", "330624"),
)
"""The six counties, in the order of the plan's tables."""

COUNTY_BY_CODE = {c.adcode: c for c in COUNTIES}

UNIT_NAMES_ZH = {c.adcode: c.name_zh for c in COUNTIES} | {CITY_CODE: "绍兴市", URBAN_CODE: "绍兴市区"}
UNIT_NAMES_EN = {c.adcode: c.name_en for c in COUNTIES} | {
    CITY_CODE: "Shaoxing City",
    URBAN_CODE: "Shaoxing urban districts",
}

LAYERS_ENV = "SXGEO_LAYERS"


def layers_dir(path: str | Path | None = None) -> Path:
    """Find the folder of shipped layers.

    Order: *path*; the ``SXGEO_LAYERS`` environment variable; ``./layers``; the ``layers``
    folder beside the installed package (a source checkout).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        An explicit folder.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    LayerError
        When none of these holds ``counties.geojson``.
    """
    candidates = [Path(path)] if path is not None else []
    if os.environ.get(LAYERS_ENV):
        candidates.append(Path(os.environ[LAYERS_ENV]))
    candidates += [Path.cwd() / "layers", Path(__file__).resolve().parent.parent / "layers"]
    for cand in candidates:
        if (cand / "counties.geojson").exists():
            return cand
    msg = (
        f"cannot find the layers folder (tried {', '.join(str(c) for c in candidates)}); "
        f"pass --layers DIR or set {LAYERS_ENV}"
    )
    raise LayerError(msg)


def load_counties(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Read the county layer (EPSG:4326) with its attributes, in plan order.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A ``counties.geojson`` file or the folder holding it; default :func:`layers_dir`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``adcode, name_zh, name_en, target_group, land_area_km2, geometry``.
    """
    from sxgeo.io import read_layer

    p = Path(path) if path is not None else layers_dir()
    if p.is_dir():
        p = p / "counties.geojson"
    gdf, _ = read_layer(p)
    missing = {"adcode", "name_zh", "name_en", "target_group", "land_area_km2"} - set(gdf.columns)
    if missing:
        msg = f"{p.name}: county layer lacks columns {sorted(missing)}"
        raise SchemaError(msg)
    gdf["adcode"] = gdf["adcode"].astype(str)
    order = {c.adcode: i for i, c in enumerate(COUNTIES)}
    return gdf.sort_values("adcode", key=lambda s: s.map(order)).reset_index(drop=True)


def load_divisions(path: str | Path | None = None) -> pd.DataFrame:
    """Read the town and village list (2023 statistical division codes).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A ``divisions.csv`` file or the folder holding it; default :func:`layers_dir`.

    Returns
    -------
    pandas.DataFrame
        Columns ``code, name, level, parent_code, county_adcode`` as strings;
        ``level`` is ``town`` or ``village``.
    """
    p = Path(path) if path is not None else layers_dir()
    if p.is_dir():
        p = p / "divisions.csv"
    require_file(p, hint="rebuild it with python tools/build_divisions.py")
    return pd.read_csv(p, dtype=str, encoding="utf-8")


def counties_touched(gdf: gpd.GeoDataFrame, counties: gpd.GeoDataFrame | None = None) -> list[str]:
    """Adcodes of the counties that any feature of *gdf* intersects.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any layer with a CRS.
    counties : geopandas.GeoDataFrame, optional
        The county layer; default :func:`load_counties`.

    Returns
    -------
    list of str
        Adcodes in plan order.
    """
    counties = load_counties() if counties is None else counties
    sxcrs.require_crs(gdf)
    other = gdf.to_crs(counties.crs) if not gdf.crs.equals(counties.crs) else gdf
    tree = shapely.STRtree(np.asarray(other.geometry.values))
    hit = [bool(tree.query(g, predicate="intersects").size) for g in counties.geometry.values]
    return [code for code, h in zip(counties["adcode"], hit, strict=True) if h]


def unit_name(code: str, *, lang: str = "zh") -> str:
    """Name of a county, ``330600`` (city) or ``330600-urban`` (绍兴市区).

    Parameters
    ----------
    code : str
        Unit code.
    lang : {'zh', 'en'}
        Language.

    Returns
    -------
    str
    """
    names = UNIT_NAMES_ZH if lang == "zh" else UNIT_NAMES_EN
    return names.get(code, code)


def plan_targets(indicator: str) -> pd.DataFrame:
    """The plan's figures for one indicator, from the cited table ``sxgeo/data/plan_targets.csv``.

    Parameters
    ----------
    indicator : str
        For example ``"sponge_coverage"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator, unit_code, year, value, unit, kind, source``.
    """
    from sxgeo.data import read_param_table

    table = read_param_table("plan_targets.csv", dtype={"unit_code": str})
    rows = table[table["indicator"] == indicator]
    if rows.empty:
        msg = f"no plan figures for {indicator!r}; known: {sorted(table['indicator'].unique())}"
        raise SchemaError(msg)
    return rows.reset_index(drop=True)


def unit_target(indicator: str, unit_code: str, *, kind: str = "expected") -> float | None:
    """The plan's figure for a unit, falling back from a county to its target group, then the city.

    Parameters
    ----------
    indicator : str
        For example ``"sponge_coverage"``.
    unit_code : str
        A county adcode, ``330600-urban`` or ``330600``.
    kind : {'expected', 'binding', 'baseline'}
        Which figure.

    Returns
    -------
    float or None
        The value, or ``None`` when the plan gives none.
    """
    rows = plan_targets(indicator)
    rows = rows[rows["kind"] == kind]
    county = COUNTY_BY_CODE.get(unit_code)
    chain = [unit_code]
    if county is not None and county.target_group == "urban":
        chain.append(URBAN_CODE)
    if kind == "baseline" or unit_code != CITY_CODE:
        chain.append(CITY_CODE)
    for code in chain:
        hit = rows[rows["unit_code"] == code]
        if not hit.empty:
            return float(hit["value"].iloc[0])
    return None
