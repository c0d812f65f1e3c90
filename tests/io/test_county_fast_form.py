"""The county layer's fast form (sxgeo/data/layers/counties.parquet) is the GeoJSON, never a stale copy."""

from __future__ import annotations

import hashlib
import json
import shutil

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import shapely

from sxgeo import admin

from ..conftest import LAYERS

REBUILD = "rebuild it: python tools/build_county_fast_form.py"


def test_the_fast_form_was_made_from_the_shipped_geojson():
    made = json.loads(pq.read_schema(admin.fast_form_path()).metadata[admin.FAST_FORM_KEY])
    sha = hashlib.sha256((LAYERS / "counties.geojson").read_bytes()).hexdigest()
    assert made["sha256"] == sha, f"counties.parquet is stale; {REBUILD}"


def test_the_fast_form_holds_the_geojson_and_its_reprojection():
    geojson = gpd.read_file(LAYERS / "counties.geojson")
    fast = gpd.read_parquet(admin.fast_form_path())
    by_code = geojson.set_index(geojson["adcode"].astype(str)).loc[fast["adcode"]]
    assert fast["adcode"].tolist() == [c.adcode for c in admin.COUNTIES]
    assert fast["name_zh"].tolist() == by_code["name_zh"].tolist()
    assert fast["name_en"].tolist() == by_code["name_en"].tolist()
    assert fast.crs.to_epsg() == 4326 and fast["geometry_4549"].crs.to_epsg() == 4549
    # the EPSG:4326 geometry is the GeoJSON's, vertex for vertex; the EPSG:4549 one its reprojection
    assert shapely.equals_exact(fast.geometry.values, by_code.geometry.values, tolerance=0).all()
    metric = by_code.to_crs(4549).geometry.values
    assert shapely.equals_exact(fast["geometry_4549"].values, metric, tolerance=1e-6).all()
    assert (shapely.area(metric) / 1e6 == fast["land_area_km2"].to_numpy()).all()


def test_load_counties_reads_the_fast_form_as_the_geojson_would_be_read():
    fast = admin.load_counties()
    slow = admin._load_counties_file(LAYERS / "counties.geojson")
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert shapely.equals_exact(fast.geometry.values, slow.geometry.values, tolerance=0).all()
    assert fast.crs == slow.crs and fast.attrs == slow.attrs


def test_another_county_file_is_read_as_it_is(tmp_path, caplog):
    own = tmp_path / "counties.geojson"
    gdf = gpd.read_file(LAYERS / "counties.geojson")
    gdf["geometry"] = gdf.geometry.translate(0.001, 0.0)  # a planner's own edition: about 100 m east
    gdf.to_file(own, driver="GeoJSON")
    got = admin.load_counties(tmp_path)
    shipped = admin.load_counties()
    assert got.attrs["source"] == str(own)
    moved = (
        shapely.get_coordinates(got.geometry.values)[:, 0]
        - shapely.get_coordinates(shipped.geometry.values)[:, 0]
    )
    assert abs(moved.mean() - 0.001) < 1e-9
    # the same bytes elsewhere are the shipped layer: read from the fast form, named by their own path
    same = tmp_path / "copy"
    same.mkdir()
    shutil.copy(LAYERS / "counties.geojson", same / "counties.geojson")
    again = admin.load_counties(same)
    assert again.attrs["source"] == str(same / "counties.geojson")
    pd.testing.assert_frame_equal(again, shipped, check_exact=True)
