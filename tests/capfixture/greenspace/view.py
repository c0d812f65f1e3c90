"""Map of the fixture capability: green-space share per county."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from sxgeo.maps.page import WebMap
from sxgeo.maps.views import add_counties, lang_title


def greenspace_map(counties: gpd.GeoDataFrame, table: pd.DataFrame, *, lang: str = "zh") -> WebMap:
    """The counties, titled with the city's green-space share."""
    city = table.loc[table["unit_code"] == "330600", "greenspace_share_pct"]
    share = float(city.iloc[0]) if len(city) else float("nan")
    m = WebMap(title=lang_title(lang, f"绿地占比 {share:.2f}%", f"green space {share:.2f}%"), basemap="none")
    return add_counties(m, counties)
