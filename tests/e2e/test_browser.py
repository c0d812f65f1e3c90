"""Maps checked as a person sees them: Debian's chromium, headless, driven by Playwright.

No test touches the network: pages use basemap ``none``, or tile requests are answered locally.
Without chromium or playwright these tests skip with a message; with
``SXGEO_REQUIRE_BROWSER=1`` (set by ``.ci/run``) that skip becomes a failure.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from sxgeo import crs as sxcrs
from sxgeo.io import read_layer
from sxgeo.maps import styles
from sxgeo.maps.page import WebMap
from sxgeo.maps.views import counties_map
from sxgeo.overview.view import demo_overview_map

LOCAL = ("file:", "data:", "about:")
WAIT_MS = 60_000
"""How long a condition may take to come true: generous, for a busy 2-core machine (tests wait on the
page's own state, never on a fixed pause, so a quick page still passes quickly)."""


@dataclass
class Opened:
    page: Any
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def registry(self) -> dict:
        return self.page.evaluate(
            "({layers: sxgeo.layers, lang: sxgeo.lang, basemap: sxgeo.basemap, ready: sxgeo.ready})"
        )

    def hover_lonlat(self, lon: float, lat: float) -> str:
        x, y = self.page.evaluate(
            "([lat, lon]) => { const p = sxgeo.map.latLngToContainerPoint([lat, lon]);"
            " const r = sxgeo.map.getContainer().getBoundingClientRect();"
            " return [p.x + r.left, p.y + r.top]; }",
            [lat, lon],
        )
        self.page.mouse.move(1, 1)  # leave the previous feature: its tooltip closes
        self.page.locator(".leaflet-tooltip").first.wait_for(state="detached")
        # Leaflet's canvas renderer handles one hover per 32 ms: pause between moves like a hand would
        self.page.wait_for_timeout(50)
        self.page.mouse.move(x, y)
        self.page.wait_for_timeout(50)
        self.page.mouse.move(x + 1, y + 1)
        tip = self.page.locator(".leaflet-tooltip")
        tip.first.wait_for()
        return tip.first.inner_text()

    def pixel_at(self, lon: float, lat: float) -> tuple[int, int, int]:
        x, y = self.page.evaluate(
            "([lat, lon]) => { const p = sxgeo.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
            [lat, lon],
        )
        img = _png_pixels(self.page.screenshot())
        return tuple(int(v) for v in img[:3, round(y), round(x)])


def _png_pixels(data: bytes) -> np.ndarray:
    from rasterio.errors import NotGeoreferencedWarning
    from rasterio.io import MemoryFile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile(io.BytesIO(data)) as mem, mem.open() as png:
            return png.read()


@pytest.fixture
def open_map(browser, tmp_path):
    pages = []

    def _open(m: WebMap | Path, *, route_tiles: str | None = None, size=(1200, 900)) -> Opened:
        path = m if isinstance(m, Path) else m.save(tmp_path / f"map{len(pages)}.html")
        page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        page.set_default_timeout(WAIT_MS)
        opened = Opened(page)
        page.on("console", lambda msg: msg.type == "error" and opened.errors.append(msg.text))
        page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
        page.on("requestfailed", lambda req: opened.failed.append(req.url))
        page.on("request", lambda req: opened.requests.append(req.url))
        if route_tiles:
            tile = (Path(__file__).parents[1] / "data" / "tile.png").read_bytes()
            page.route(
                route_tiles, lambda route: route.fulfill(status=200, content_type="image/png", body=tile)
            )
        page.goto(path.as_uri())
        page.wait_for_function("window.sxgeo && window.sxgeo.ready === true")
        pages.append(page)
        return opened

    yield _open
    for page in pages:
        page.close()


def _assert_clean(opened: Opened, allowed_host: str | None = None) -> None:
    assert opened.errors == []
    assert opened.failed == []
    foreign = [
        u for u in opened.requests if not u.startswith(LOCAL) and not (allowed_host and allowed_host in u)
    ]
    assert foreign == []


def _blend(hex_colour: str, alpha: float, background: int = 221) -> np.ndarray:
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    return alpha * rgb + (1 - alpha) * background


def test_counties_map_offline(open_map, counties):
    opened = open_map(counties_map(counties, basemap="none"))
    _assert_clean(opened)
    assert opened.requests == [opened.requests[0]] and opened.requests[0].startswith("file:")  # zero requests
    reg = opened.registry()
    assert reg["basemap"] == "none" and reg["lang"] == "zh"
    assert reg["layers"]["县(市、区) Counties"] == {
        "count": 6,
        "group": "boundaries",
        "legend": "县(市、区) Counties",
        "legendItems": 6,
        "visible": True,
    }
    # switcher: 2 basemaps (none, OSM) + 1 overlay
    assert opened.page.locator(".sxgeo-switcher input").count() == 3
    assert opened.page.locator(".sxgeo-legend-item").count() == 6
    # the screenshot shows 越城区 in its fill colour (35% over the grey map background)
    yuecheng = counties.loc[counties["adcode"] == "330602"].geometry.iloc[0]
    yc = yuecheng.representative_point()
    # away from the county's name label, which is written at its representative point
    spot = shapely.Point(yc.x, yc.y - 0.04)
    assert yuecheng.contains(spot)
    got = np.array(opened.pixel_at(spot.x, spot.y), dtype=float)
    assert np.abs(got - _blend("#1b9e77", 0.35)).max() < 8
    text = opened.hover_lonlat(yc.x, yc.y)
    assert "越城区" in text and "Yuecheng District" in text and "646.5 km²" in text
    assert "330602" in text


def test_attribute_markup_is_shown_as_text(open_map):
    payloads = ['<img src=x onerror="window.__xss=1">', "<script>window.__xss=2</script>", "<b>bold</b>"]
    pts = gpd.GeoDataFrame(
        {"name": payloads},
        geometry=[shapely.Point(120.50, 30.00), shapely.Point(120.60, 30.00), shapely.Point(120.70, 30.00)],
        crs=4326,
    )
    m = WebMap("<i>title</i>", basemap="none").add_vector(
        pts, "<img src=y onerror=window.__xss=3>", tooltip=["name"]
    )
    opened = open_map(m)
    for payload, x in zip(payloads, (120.50, 120.60, 120.70), strict=True):
        assert payload in opened.hover_lonlat(x, 30.0)
    assert opened.page.evaluate("window.__xss") is None
    assert opened.page.locator(".leaflet-tooltip b, .leaflet-tooltip img, .sxgeo-control img").count() == 0
    assert "<i>title</i>" in opened.page.locator(".sxgeo-title-main").inner_text()
    _assert_clean(opened)


def test_demo_overview_layers_legends_and_banner(open_map, counties, demo_dir):
    towns, _ = read_layer(demo_dir / "demo_towns.geojson")
    villages, _ = read_layer(demo_dir / "demo_villages.geojson")
    built_up, _ = read_layer(demo_dir / "demo_built_up.geojson")
    opened = open_map(demo_overview_map(counties, towns, villages, built_up, basemap="none"))
    _assert_clean(opened)
    layers = opened.registry()["layers"]
    assert layers["乡镇街道(合成) Towns (synthetic)"]["count"] == 103
    assert layers["村社区(合成) Villages (synthetic)"]["count"] == 2168
    assert layers["村社区(合成) Villages (synthetic)"]["visible"] is False  # heavy layer starts off
    assert layers["建成区(合成) Built-up (synthetic)"]["count"] == 6
    assert "SYNTHETIC" in opened.page.locator(".sxgeo-banner").inner_text()
    page = opened.page
    legend = '.sxgeo-legend[data-layer="建成区(合成) Built-up (synthetic)"]'
    assert page.locator(legend).count() == 1
    page.locator('input[data-layer="建成区(合成) Built-up (synthetic)"]').uncheck()
    assert page.locator(legend).count() == 0
    assert opened.registry()["layers"]["建成区(合成) Built-up (synthetic)"]["visible"] is False
    page.locator('input[data-layer="村社区(合成) Villages (synthetic)"]').check()
    page.locator(".marker-cluster").first.wait_for()  # drawn asynchronously; slow under load
    assert page.locator(".marker-cluster").count() > 0  # clustered above 200 points
    assert page.locator('.sxgeo-legend[data-layer="村社区(合成) Villages (synthetic)"]').count() == 1


def test_search_finds_a_village(open_map, counties, demo_dir):
    towns, _ = read_layer(demo_dir / "demo_towns.geojson")
    villages, _ = read_layer(demo_dir / "demo_villages.geojson")
    built_up, _ = read_layer(demo_dir / "demo_built_up.geojson")
    opened = open_map(demo_overview_map(counties, towns, villages, built_up, basemap="none"))
    zoom0 = opened.page.evaluate("sxgeo.map.getZoom()")
    box = opened.page.locator(".sxgeo-search input")
    box.fill("西小路社区")
    box.dispatch_event("change")
    # the search turns the villages layer on, flies to the village and opens its tooltip: wait for that state
    opened.page.wait_for_function(
        "name => sxgeo.layers['村社区(合成) Villages (synthetic)'].visible === true"
        " && [...document.querySelectorAll('.leaflet-tooltip')].some(t => t.textContent.includes(name))",
        arg="西小路社区",
    )
    assert opened.registry()["layers"]["村社区(合成) Villages (synthetic)"]["visible"] is True
    assert opened.page.evaluate("sxgeo.map.getZoom()") > zoom0


def test_canvas_layer_of_3000_polygons(open_map):
    # 60 x 50 grid of 1 km squares, 200 m apart: each big enough to point at
    i = np.arange(3000)
    x, y = 510_000 + (i % 60) * 1200.0, 3_270_000 + (i // 60) * 1200.0
    gdf = gpd.GeoDataFrame({"v": i * 1.5}, geometry=shapely.box(x, y, x + 1000, y + 1000), crs=sxcrs.METRIC)
    sym = styles.classes(gdf["v"], title="V", unit="t", k=4)
    opened = open_map(
        WebMap("canvas", basemap="none").add_vector(
            gdf, "many", symbology=sym, tooltip=[("v", "值", 1, "t")], show=True
        )
    )
    _assert_clean(opened)
    assert opened.registry()["layers"]["many"]["count"] == 3000
    assert opened.page.locator("path.leaflet-interactive").count() == 0  # drawn on canvas
    assert opened.page.locator("canvas").count() >= 1
    target = gdf.iloc[[1234]].to_crs(4326).geometry.iloc[0].centroid
    text = opened.hover_lonlat(target.x, target.y)
    assert "1,851.0 t" in text  # 1234 * 1.5, formatted


def test_measure_tool_agrees_with_pyproj(open_map, counties):
    opened = open_map(counties_map(counties, basemap="none"))
    page = opened.page
    page.locator(".sxgeo-measure .sxgeo-button").click()
    box = page.evaluate(
        "(() => { const r = sxgeo.map.getContainer().getBoundingClientRect(); return [r.left, r.top]; })()"
    )
    clicks = [(500, 400), (700, 400), (700, 600)]
    lonlat = []
    for cx, cy in clicks:
        page.mouse.click(box[0] + cx, box[1] + cy)
        ll = page.evaluate(
            "([x, y]) => { const l = sxgeo.map.containerPointToLatLng([x, y]); return [l.lng, l.lat]; }",
            [cx, cy],
        )
        lonlat.append(ll)
    text = page.locator(".sxgeo-measure-out").inner_text()
    geod = Geod(a=6371008.8, b=6371008.8)  # the runtime measures on a sphere of the mean radius
    lons, lats = zip(*lonlat, strict=True)
    dist_km = geod.line_length(lons, lats) / 1000
    area_km2 = abs(geod.polygon_area_perimeter(lons, lats)[0]) / 1e6
    numbers = [float(s.replace(",", "")) for s in __import__("re").findall(r"[\d,]+\.\d+", text)]
    assert numbers[0] == pytest.approx(dist_km, rel=5e-3)
    assert numbers[1] == pytest.approx(area_km2, rel=1e-2)


def test_tile_basemap_requests_only_its_host(open_map, counties):
    opened = open_map(counties_map(counties, basemap="osm"), route_tiles="https://tile.openstreetmap.org/**")
    _assert_clean(opened, allowed_host="tile.openstreetmap.org")
    tiles = [u for u in opened.requests if "tile.openstreetmap.org" in u]
    assert tiles, "the OSM basemap requested no tile"
    assert opened.registry()["basemap"] == "osm"
    assert "OpenStreetMap" in opened.page.locator(".leaflet-control-attribution").inner_text()


def test_english_interface(open_map, counties):
    opened = open_map(counties_map(counties, basemap="none", lang="en"))
    assert opened.page.locator(".sxgeo-switcher-head").inner_text().startswith("Layers")
    assert opened.page.locator(".sxgeo-search input").get_attribute("placeholder") == "Search a place…"


def test_png_export(tmp_path, counties, browser):
    from sxgeo.maps.export import render_png

    html = counties_map(counties, basemap="none").save(tmp_path / "c.html")
    png = render_png(html, tmp_path / "c.png", width=800, height=600)
    pixels = _png_pixels(png.read_bytes())
    assert pixels.shape[1:] == (600, 800)
    assert len({tuple(p) for p in pixels[:3].reshape(3, -1).T[::97]}) > 10  # not blank


def test_raster_overlay_legend_and_opacity(open_map):
    from rasterio.transform import from_origin

    arr = np.ones((400, 600), dtype=np.uint8)
    arr[:, 300:] = 2
    sym = styles.categorical(
        __import__("pandas").Series([1, 2], name="lc"),
        title="土地覆盖 Land cover",
        colors={1: "#1a9641", 2: "#2b83ba"},
        labels={1: "森林 forest", 2: "水体 water"},
    )
    m = WebMap("raster", basemap="none").add_raster(
        arr,
        from_origin(520_000, 3_330_000, 30, 30),
        sxcrs.METRIC,
        "土地覆盖 Land cover",
        symbology=sym,
        show=True,
    )
    opened = open_map(m)
    _assert_clean(opened)
    assert opened.registry()["layers"]["土地覆盖 Land cover"]["visible"] is True
    assert opened.page.locator("img.leaflet-image-layer").count() == 1
    assert "森林 forest" in opened.page.locator(".sxgeo-legend").inner_text()
    slider = opened.page.locator('input.sxgeo-opacity[data-layer="土地覆盖 Land cover"]')
    slider.fill("0.3")
    assert opened.page.locator("img.leaflet-image-layer").evaluate("e => e.style.opacity") == "0.3"


def test_popup_on_click(open_map, counties):
    opened = open_map(counties_map(counties, basemap="none"))
    c = counties.loc[counties["adcode"] == "330624"].geometry.iloc[0].representative_point()
    xy = opened.page.evaluate(
        "([lat, lon]) => { const p = sxgeo.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [c.y, c.x],
    )
    opened.page.mouse.click(*xy)
    popup = opened.page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "新昌县" in popup.inner_text() and "1,219.8 km²" in popup.inner_text()


def test_search_by_part_and_pinyin_initials_and_no_match(open_map, counties):
    opened = open_map(counties_map(counties, basemap="none"))
    box = opened.page.locator(".sxgeo-search input")
    msg = opened.page.locator(".sxgeo-search-msg")
    for query, name in (("新昌", "新昌县"), ("xcx", "新昌县"), ("SZ", "嵊州市"), ("kq", "柯桥区")):
        box.fill(query)
        box.dispatch_event("change")
        opened.page.wait_for_function(
            "name => [...document.querySelectorAll('.leaflet-tooltip')]"
            ".some(t => t.textContent.includes(name))",
            arg=name,
        )
        assert opened.page.evaluate("sxgeo.searchResult.matches[0]") == name
        assert not msg.is_visible()
    box.fill("不存在的地方")
    box.dispatch_event("input")
    msg.wait_for(state="visible")
    assert "无匹配" in msg.inner_text() and "不存在的地方" in msg.inner_text()


def test_popup_closes_the_tooltip_and_labels_name_the_counties(open_map, counties):
    opened = open_map(counties_map(counties, basemap="none"))
    labels = opened.page.locator(".sxgeo-label").all_inner_texts()
    assert sorted(labels) == sorted(counties["name_zh"])
    c = counties.loc[counties["adcode"] == "330624"].geometry.iloc[0].representative_point()
    opened.hover_lonlat(c.x, c.y)  # the tooltip is open
    xy = opened.page.evaluate(
        "([lat, lon]) => { const p = sxgeo.map.latLngToContainerPoint([lat, lon]);"
        " const r = sxgeo.map.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }",
        [c.y, c.x],
    )
    opened.page.mouse.click(*xy)
    opened.page.locator(".leaflet-popup-content").wait_for()
    opened.page.mouse.move(xy[0] + 3, xy[1] + 3)  # moving over the feature again opens no tooltip
    opened.page.wait_for_timeout(100)
    tips = opened.page.locator(".leaflet-tooltip")
    assert all(not tips.nth(i).is_visible() for i in range(tips.count()))
    assert opened.page.locator(".leaflet-popup-content").is_visible()
    opened.page.locator(".leaflet-popup-close-button").click()  # closed: hovering shows the tooltip again
    opened.page.locator(".leaflet-popup-content").wait_for(state="detached")
    assert "新昌县" in opened.hover_lonlat(c.x, c.y)
