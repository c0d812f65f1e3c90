"""The report's static SVG outlines: one drawer for the county pages and the parks thumbnail."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Polygon, box

from sxgeo.report.page import county_paths


def test_a_square_fills_the_drawing_inside_its_margin() -> None:
    # a 1,000 m square drawn at 108 x 108 px: scale (108 - 8) / 1,000 m = 0.1 px/m, 4 px margin,
    # so its corners fall on 4 and 104 px, north up (y grows downwards)
    sq = gpd.GeoDataFrame(geometry=[box(500_000, 3_300_000, 501_000, 3_301_000)], crs=4549)
    paths, xy = county_paths(sq, width=108, height=108)
    assert [i for i, _ in paths] == [0]
    d = paths[0][1]
    for corner in ("4.0,104.0", "104.0,104.0", "104.0,4.0", "4.0,4.0"):
        assert corner in d
    assert xy(500_500, 3_300_500) == (54.0, 54.0)


def test_holes_are_drawn_and_empty_rows_skipped() -> None:
    # 10 km square with a 4 km hole (well above the 150 m simplification): 0.01 px/m
    ring = [(0, 0), (10_000, 0), (10_000, 10_000), (0, 10_000)]
    hole = [(3000, 3000), (7000, 3000), (7000, 7000), (3000, 7000)]
    gdf = gpd.GeoDataFrame(geometry=[Polygon(), Polygon(ring, [hole])], crs=4549)
    paths, _ = county_paths(gdf, width=108, height=108)
    assert [i for i, _ in paths] == [1]  # the empty first row has no path, the second keeps its position
    assert paths[0][1].count("M") == 2  # the outline and the hole (drawn with fill-rule evenodd)
    assert "34.0,74.0" in paths[0][1]  # the hole's corner (3 km, 3 km): x 4 + 30 px, y 4 + (10 - 3) km x 0.01
