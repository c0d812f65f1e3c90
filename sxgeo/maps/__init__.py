"""Interactive HTML maps: with the capabilities' ``view.py``, the only part of sxgeo that imports folium.

Maps are a rendering of results. :class:`~sxgeo.maps.page.WebMap` builds one self-contained
page (Leaflet inlined, no CDN) from GeoDataFrames in any CRS, reprojecting them to EPSG:4326
at this boundary; :mod:`~sxgeo.maps.styles` makes styles with their legends;
:mod:`~sxgeo.maps.basemaps` knows the tile services; :mod:`~sxgeo.maps.views` holds what the
capabilities' maps (``sxgeo/<capability>/view.py``) share; :func:`~sxgeo.maps.export.render_png`
prints a page to PNG with headless Chromium.
"""

from __future__ import annotations

import importlib
from typing import Any

from sxgeo.maps import styles
from sxgeo.maps.export import render_png
from sxgeo.maps.page import MapSizeError, WebMap
from sxgeo.maps.views import counties_map, quicklook_map


def __getattr__(name: str) -> Any:
    """``demo_overview_map``, which moved to :mod:`sxgeo.overview.view` (re-exported for one release)."""
    if name == "demo_overview_map":
        return importlib.import_module("sxgeo.overview.view").demo_overview_map
    msg = f"module 'sxgeo.maps' has no attribute {name!r}"
    raise AttributeError(msg)


__all__ = [
    "MapSizeError",
    "WebMap",
    "counties_map",
    "quicklook_map",
    "render_png",
    "styles",
]
