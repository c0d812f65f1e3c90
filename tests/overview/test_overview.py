"""County overview tables: totals are sums, units are right."""

from __future__ import annotations

import pytest

from sxgeo.io import read_layer
from sxgeo.overview import built_up_table, county_table


def test_county_table_rows_and_totals(counties, divisions):
    t = county_table(counties, divisions).set_index("unit_code")
    assert list(t.index) == [
        "330602",
        "330603",
        "330604",
        "330681",
        "330683",
        "330624",
        "330600-urban",
        "330600",
        "unassigned",
    ]
    assert t.loc["unassigned", "land_area_km2"] == 0 and t.loc["unassigned", "villages"] == 0
    assert t.loc["330600", "towns"] == 103 and t.loc["330600", "villages"] == 2168
    assert t.loc["330600-urban", "towns"] == 17 + 16 + 20
    counties_only = t.iloc[:6]
    assert t.loc["330600", "land_area_km2"] == pytest.approx(counties_only["land_area_km2"].sum(), abs=0.01)
    urban = counties_only.loc[["330602", "330603", "330604"], "land_area_km2"].sum()
    assert t.loc["330600-urban", "land_area_km2"] == pytest.approx(urban, abs=0.01)
    assert t.loc["330600", "unit_name"] == "绍兴市"
    # planar (EPSG:4549) and geodesic agree within 0.1%
    areas = t.drop(index="unassigned")
    assert (abs(areas["land_area_km2"] / areas["geodesic_area_km2"] - 1) < 1e-3).all()


def test_demo_calibrated_built_up_table(demo_dir, counties):
    built_up, _ = read_layer(demo_dir / "demo_built_up.geojson")
    t = built_up_table(built_up, counties).set_index("unit_code")
    assert t.loc["330600-urban", "built_up_km2"] == pytest.approx(95 + 85 + 60, rel=2e-3)
    assert t.loc["330600", "built_up_km2"] == pytest.approx(364, rel=2e-3)
    # a pooled share is the ratio of sums, never the mean of shares
    share = 100 * t.loc["330600", "built_up_km2"] / t.loc["330600", "land_area_km2"]
    assert t.loc["330600", "built_up_share_pct"] == pytest.approx(share, abs=1e-3)
    assert t.loc["unassigned", "built_up_km2"] == 0  # always present, 0 when nothing lies outside
