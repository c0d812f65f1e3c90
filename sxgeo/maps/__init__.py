"""Interactive HTML maps: the only part of sxgeo that imports folium.

Maps are a rendering of results: data arrive as GeoDataFrames in any CRS and are reprojected
to EPSG:4326 here, at the boundary (logged). Every attribute shown in a tooltip is
HTML-escaped, and any map holding a synthetic layer says so in a banner.
"""

from __future__ import annotations

from sxgeo.maps.overview import county_overview_map, escape_tooltips

__all__ = ["county_overview_map", "escape_tooltips"]
