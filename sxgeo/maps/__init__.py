"""Interactive HTML maps: the only part of sxgeo that imports folium.

Maps are a rendering of results. :class:`~sxgeo.maps.page.WebMap` builds one self-contained
page (Leaflet inlined, no CDN) from GeoDataFrames in any CRS, reprojecting them to EPSG:4326
at this boundary; :mod:`~sxgeo.maps.styles` makes styles with their legends;
:mod:`~sxgeo.maps.basemaps` knows the tile services; :mod:`~sxgeo.maps.views` holds ready-made
maps; :func:`~sxgeo.maps.export.render_png` prints a page to PNG with headless Chromium.
"""

from __future__ import annotations

from sxgeo.maps import styles
from sxgeo.maps.export import render_png
from sxgeo.maps.page import MapSizeError, WebMap
from sxgeo.maps.views import counties_map, demo_overview_map, quicklook_map

__all__ = [
    "MapSizeError",
    "WebMap",
    "counties_map",
    "demo_overview_map",
    "quicklook_map",
    "render_png",
    "styles",
]
