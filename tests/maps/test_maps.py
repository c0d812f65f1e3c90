"""The map engine at the Python level: page spec, assets, basemaps, styles, guards, rasters."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from rasterio.transform import from_origin

from sxgeo import crs as sxcrs
from sxgeo.maps import assets, basemaps, styles
from sxgeo.maps.page import MapSizeError, WebMap, _safe_json
from sxgeo.maps.views import counties_map
from sxgeo.zonal import grid_counts

# elements that load a resource when the page opens (an <a href> loads nothing until clicked)
URL = re.compile(
    r"""<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I
)


def _spec(m: WebMap) -> dict:
    return m.spec()


def test_page_links_no_external_resource(counties):
    html = counties_map(counties, basemap="none").html()
    assert not URL.search(html), "a <script src>, <link href> or <img src> on a host"
    assert "cdn.jsdelivr" not in html and "bootstrap" not in html.lower() and "jquery" not in html.lower()
    assert "sourceMappingURL" not in html
    assert "L.version" in html or "1.9.4" in html  # Leaflet is inlined


def test_assets_are_pinned_and_licensed():
    versions = json.loads(assets.read_asset("VERSIONS.json"))
    assert versions["leaflet.js"]["npm"] == "leaflet@1.9.4"
    assert "BSD 2-Clause" in assets.read_asset("leaflet.LICENSE.txt")
    assert "url(images/" not in assets.read_asset("leaflet.css")  # images inlined as data URIs


def test_counties_map_spec(counties):
    spec = _spec(counties_map(counties, basemap="none"))
    layer = spec["layers"][0]
    assert layer["name"] == "县(市、区) Counties"
    assert len(layer["data"]["features"]) == 6
    assert layer["legend"]["items"][0]["label"] == "越城区 Yuecheng District"
    assert [i["count"] for i in layer["legend"]["items"]] == [1] * 6
    assert spec["banner"] is None  # real data only
    assert spec["basemap"] == "none"
    # only the shown attributes travel to the page
    props = layer["data"]["features"][0]["properties"]
    assert set(props) == {"name_zh", "name_en", "adcode", "land_area_km2"}


def test_coordinates_are_rounded(counties):
    layer = _spec(counties_map(counties, basemap="none"))["layers"][0]
    ring = layer["data"]["features"][0]["geometry"]["coordinates"][0][0]
    assert all(round(x, 6) == x for pt in ring for x in pt)


def test_script_breakout_is_impossible():
    payload = '</script><img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    text = _safe_json({"name": payload})
    assert "</script>" not in text and "<img" not in text
    assert json.loads(text)["name"] == payload


def test_synthetic_layers_put_a_banner(counties, demo_dir):
    villages = gpd.read_file(demo_dir / "demo_villages.geojson")
    m = WebMap("t", basemap="none").add_vector(villages, "v", group="pilots")
    spec = _spec(m)
    assert "SYNTHETIC" in spec["banner"]
    assert spec["layers"][0]["cluster"] is True  # 2,168 points > 200


def test_canvas_above_2000_features():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(500_000, 560_000, 2500), rng.uniform(3_300_000, 3_350_000, 2500)
    gdf = gpd.GeoDataFrame(
        {"v": np.arange(2500)}, geometry=shapely.box(x, y, x + 50, y + 50), crs=sxcrs.METRIC
    )
    layer = _spec(WebMap("t", basemap="none").add_vector(gdf, "many"))["layers"][0]
    assert layer["renderer"] == "canvas"
    small = _spec(WebMap("t", basemap="none").add_vector(gdf.iloc[:100], "few"))["layers"][0]
    assert small["renderer"] == "svg"


def test_size_guard(tmp_path, monkeypatch):
    from sxgeo.maps import page

    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(120.58, 30.0)], crs=4326)
    monkeypatch.setattr(page, "MAX_BYTES", 1000)
    m = WebMap("t", basemap="none").add_vector(gdf, "p")
    with pytest.raises(MapSizeError, match="limit"):
        m.save(tmp_path / "big.html")
    assert m.save(tmp_path / "big.html", force=True).exists()


def test_geographic_input_without_crs_is_refused():
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(120.58, 30.0)])
    with pytest.raises(ValueError, match="no CRS"):
        WebMap("t", basemap="none").add_vector(gdf, "p")


def test_gcj_display_shifts_overlays_and_says_so():
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(120.582, 30.0)], crs=4326)
    spec = _spec(WebMap("t", basemap="amap").add_vector(gdf, "p"))
    lon, lat = spec["layers"][0]["data"]["features"][0]["geometry"]["coordinates"]
    glon, glat = sxcrs.wgs84_to_gcj02([120.582], [30.0])
    assert lon == pytest.approx(glon[0], abs=1e-6) and lat == pytest.approx(glat[0], abs=1e-6)
    assert "GCJ-02" in spec["notes"][0]
    assert [b["id"] for b in spec["basemaps"]] == ["amap", "none"]  # never beside a WGS84 basemap


def test_basemap_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv(basemaps.TIANDITU_ENV, raising=False)
    monkeypatch.setenv("SXGEO_CONFIG", str(tmp_path / "none.toml"))
    assert basemaps.resolve(None).selected.id == "osm"
    fallback = basemaps.resolve("tianditu-img")
    assert fallback.selected.id == "none" and fallback.notes
    monkeypatch.setenv(basemaps.TIANDITU_ENV, "k123")
    choice = basemaps.resolve(None)
    assert choice.selected.id == "tianditu-vec"
    urls = [t["url"] for t in choice.selected.tiles]
    assert "T=vec_w" in urls[0] and "T=cva_w" in urls[1] and urls[0].endswith("tk=k123")
    assert "T=eva_w" in basemaps.resolve("tianditu-en").selected.tiles[1]["url"]
    assert basemaps.resolve("xyz:https://intra/{z}/{x}/{y}.png").selected.id == "xyz"
    with pytest.raises(basemaps.BasemapError):
        basemaps.resolve("google")
    with pytest.raises(basemaps.BasemapError):
        basemaps.resolve("xyz:https://intra/tiles.png")


def test_tianditu_key_from_config(monkeypatch, tmp_path):
    monkeypatch.delenv(basemaps.TIANDITU_ENV, raising=False)
    cfg = tmp_path / "config.toml"
    cfg.write_text('[tianditu]\nkey = "fromfile"\n', encoding="utf-8")
    monkeypatch.setenv("SXGEO_CONFIG", str(cfg))
    assert basemaps.configured_tianditu_key() == "fromfile"


def test_class_breaks_by_hand():
    values = pd.Series([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, np.nan], name="v")
    sym = styles.classes(values, title="V", unit="%", scheme="equal_interval", k=3, digits=0)
    assert sym.style["breaks"] == pytest.approx([1, 4, 7, 10])
    # (1..4], (4..7], (7..10] with the minimum in the first class: 4, 3, 3; plus one no-data
    assert [i["count"] for i in sym.legend["items"]] == [4, 3, 3, 1]
    q = styles.classes(values, title="V", scheme="quantiles", k=2)
    assert q.style["breaks"] == pytest.approx([1, 5.5, 10])


def test_natural_breaks_use_mapclassify():
    pytest.importorskip("mapclassify")
    values = pd.Series([1, 1.1, 1.2, 10, 10.5, 11, 50, 51], name="v")
    sym = styles.classes(values, title="V", scheme="natural_breaks", k=3)
    assert sym.style["breaks"] == pytest.approx([1, 1.2, 11, 51])


def test_categorical_counts_and_continuous_range():
    s = pd.Series(["forest", "water", "forest", "built"], name="lc")
    sym = styles.categorical(
        s, title="LC", colors={"forest": "#00aa00", "water": "#0000ff", "built": "#ff0000"}
    )
    assert {i["label"]: i["count"] for i in sym.legend["items"]} == {"forest": 2, "water": 1, "built": 1}
    c = styles.continuous(pd.Series([2.0, 8.0], name="x"), title="X", unit="t C/ha")
    assert (c.legend["vmin"], c.legend["vmax"]) == (2.0, 8.0)
    with pytest.raises(styles.StyleError):
        styles.classes(pd.Series(["a"], name="s"), title="S")


def test_raster_overlay_is_capped_and_coloured():
    from sxgeo.maps.raster import raster_png

    arr = np.zeros((3000, 1500), dtype=np.uint8)
    arr[:, 750:] = 2
    arr[:10, :10] = 255  # nodata
    transform = from_origin(500_000, 3_340_000, 30, 30)
    sym = styles.categorical(pd.Series([0, 2], name="c"), title="C", colors={0: "#00ff00", 2: "#0000ff"})
    uri, bounds = raster_png(arr, transform, sxcrs.METRIC, sym.style, nodata=255, max_size=512)
    import base64
    import io

    from rasterio.errors import NotGeoreferencedWarning
    from rasterio.io import MemoryFile

    # the data URI holds a bare PNG (its georeferencing is the bounds handed to Leaflet)
    with (
        pytest.warns(NotGeoreferencedWarning),
        MemoryFile(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as mem,
        mem.open() as png,
    ):
        assert max(png.width, png.height) == 512
        rgba = png.read()
    assert rgba[3, 0, 0] == 0  # nodata transparent
    assert tuple(rgba[:3, -1, 2]) == (0, 255, 0) and tuple(rgba[:3, -1, -3]) == (0, 0, 255)
    # the raster spans x 500-545 km, y 3,250-3,340 km in EPSG:4549: its corners in lon/lat
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(sxcrs.METRIC, 4326, always_xy=True).transform(
        [500_000, 545_000, 500_000, 545_000], [3_250_000, 3_250_000, 3_340_000, 3_340_000]
    )
    (s, w), (n, e) = bounds
    assert s == pytest.approx(min(lat), abs=1e-3) and n == pytest.approx(max(lat), abs=1e-3)
    assert w == pytest.approx(min(lon), abs=1e-3) and e == pytest.approx(max(lon), abs=1e-3)


def test_grid_counts_by_hand():
    pts = gpd.GeoDataFrame(
        {"kw": [1.0, 2.0, 4.0]},
        geometry=[
            shapely.Point(500_010, 3_300_010),
            shapely.Point(500_240, 3_300_100),
            shapely.Point(500_260, 3_300_010),
        ],
        crs=sxcrs.METRIC,
    )
    cells = grid_counts(pts, cell_m=250, weight="kw").sort_values("count")
    assert cells["count"].tolist() == [1, 2]
    assert cells["kw_sum"].tolist() == [4.0, 3.0]
    assert cells.area.tolist() == [62_500.0, 62_500.0]
