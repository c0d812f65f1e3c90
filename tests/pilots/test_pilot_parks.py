"""Zero-carbon parks as pilot candidates (the ``park`` level, issue 24): scored from zero_carbon_parks.

Hand-checked on four parks. The shipped ``parks:`` criteria (sxgeo/data/pilot_criteria.yaml): core
indicator (cost) 0.35, clean-energy share 0.20, PV share 0.25, solid-waste reuse 0.10, water reuse 0.10;
min-max over the parks that pass the gate (a provincial-or-higher zone, or a 园中园).

===== ====== ===== ===== ====== ====== ============================================
park   core  clean  pv   solid  water   normalised (core, clean, pv, solid, water)
===== ====== ===== ===== ====== ====== ============================================
P1     0.10    90    10     80     80   1, 1, 1, 1, 1          -> 100
P2     0.20    80     0     60     60   0.5, 0.5, 0, 0, 0      -> 17.5 + 10 = 27.5
P3     0.30    70     5     70     70   0, 0, 0.5, 0.5, 0.5    -> 12.5 + 5 + 5 = 22.5
P4     0.05    95    20     90     90   gated out (no zone level, no parent)
===== ====== ===== ===== ====== ====== ============================================

Score = 100 × Σ weight × normalised; P2 = 100 × (0.35 × 0.5 + 0.20 × 0.5) = 27.5.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from sxgeo import crs as sxcrs
from sxgeo._pipeline import Context
from sxgeo.pilots import pipeline as pp
from sxgeo.pilots.score import load_criteria

VALUES = {
    "P1": (0.10, 90, 10, 80, 80),
    "P2": (0.20, 80, 0, 60, 60),
    "P3": (0.30, 70, 5, 70, 70),
    "P4": (0.05, 95, 20, 90, 90),
}
COUNTY = {"P1": "330602", "P2": "330681", "P3": "330683", "P4": "330624"}
LEVEL = {"P1": "national", "P2": "provincial", "P3": "provincial", "P4": ""}


@pytest.fixture
def parks(tmp_path, counties):
    c = sxcrs.to_metric(counties).set_index("adcode")
    geoms = []
    for code in VALUES:
        p = c.geometry.loc[COUNTY[code]].representative_point()
        geoms.append(shapely.box(p.x - 300, p.y - 300, p.x + 300, p.y + 300))
    layer = gpd.GeoDataFrame(
        {
            "park_code": list(VALUES),
            "park_name": [f"园区{k}" for k in VALUES],
            "level": [LEVEL[k] for k in VALUES],
        },
        geometry=geoms,
        crs=sxcrs.METRIC,
    )
    path = tmp_path / "parks.geojson"
    layer.to_crs(4326).to_file(path)
    cols = ["core_t_co2_per_tce", "clean_energy_share_pct", "pv_supply_share_pct"]
    cols += ["solid_waste_reuse_pct", "water_reuse_pct"]
    table = pd.DataFrame([dict(zip(cols, v, strict=True)) for v in VALUES.values()])
    table.insert(0, "park_code", list(VALUES))
    table.insert(1, "unit_code", [COUNTY[k] for k in VALUES])
    table["park_name"] = [f"园区{k}" for k in VALUES]
    table["level"] = [LEVEL[k] for k in VALUES]
    table["parent_code"] = ""
    return path, table


def test_shipped_park_criteria_are_the_parks_block():
    c = load_criteria(level="park")
    assert c.ids == ["core", "clean_energy", "pv_share", "solid_waste", "water_reuse"]
    assert [x.direction for x in c.criteria] == ["cost", "benefit", "benefit", "benefit", "benefit"]
    assert [x.weight for x in c.criteria] == [0.35, 0.20, 0.25, 0.10, 0.10]
    assert [g.column for g in c.gates] == ["zone_eligible"]
    # the villages' criteria are untouched
    assert "core" not in load_criteria().ids


def test_a_planner_file_without_a_parks_block_takes_the_shipped_one(tmp_path):
    own = tmp_path / "mine.yaml"
    own.write_text(
        "criteria:\n  - {id: pv, column: pv_potential_kw, direction: benefit, weight: 1}\n", encoding="utf-8"
    )
    assert load_criteria(own, level="park").ids[0] == "core"
    own.write_text(
        "criteria:\n  - {id: pv, column: pv_potential_kw, direction: benefit, weight: 1}\n"
        "parks:\n  criteria:\n    - {id: core, column: core_t_co2_per_tce, direction: cost, weight: 1}\n",
        encoding="utf-8",
    )
    assert load_criteria(own, level="park").ids == ["core"]


def test_parks_ranked_by_hand(parks, counties):
    path, table = parks
    ctx = Context(units=counties, maps=False)
    opts = pp.PilotOptions(level="park", n=1, draws=50, selection_draws=5, irreplaceability=False)
    out = pp.run_select(ctx, {"park_boundaries": path, "park_table": table}, options=opts)[0]
    t = out.tables["pilots_parks"].set_index("code")
    assert t.loc["P1", "score"] == pytest.approx(100.0)
    assert t.loc["P2", "score"] == pytest.approx(27.5)
    assert t.loc["P3", "score"] == pytest.approx(22.5)
    assert [t.loc[k, "rank"] for k in ("P1", "P2", "P3")] == [1, 2, 3]
    assert pd.isna(t.loc["P4", "score"]) and t.loc["P4", "gate"].startswith("gate zone_eligible")
    assert t["selected"].tolist().count(True) == 1 and bool(t.loc["P1", "selected"])
    assert t.loc["P1", "county_adcode"] == "330602"
    per = out.tables["pilots_parks_counties"].set_index("unit_code")
    assert per.loc["330602", "selected"] == 1 and per.loc["330624", "gated_out"] == 1
    assert per.loc["330600", "candidates"] == 4


def test_a_park_inside_a_park_is_eligible_without_a_level():
    bounds = gpd.GeoDataFrame(
        {
            "park_code": ["A", "A-1", "B"],
            "park_name": ["甲", "甲中园", "乙"],
            "level": ["provincial", "", "county"],
            "parent_code": ["", "A", ""],
        },
        geometry=[shapely.box(0, 0, 10, 10), shapely.box(1, 1, 2, 2), shapely.box(20, 0, 30, 10)],
        crs=sxcrs.METRIC,
    )
    table = pd.DataFrame({"park_code": ["A", "A-1", "B"], "unit_code": ["330602", "330602", ""]})
    c = pp.park_candidates(bounds, table).set_index("code")
    assert c["zone_eligible"].to_dict() == {"A": 1, "A-1": 1, "B": 0}
    assert c.loc["B", "county_adcode"] == "unassigned"
    assert c.loc["A", "zone_level"] == "provincial"


def test_tiny_build_ranks_its_parks(tiny_build):
    t = pd.read_csv(next(tiny_build.out.glob("*pilots_parks.csv")), dtype={"code": str})
    parks = pd.read_csv(next(tiny_build.out.glob("*zero_carbon_parks.csv")), dtype={"park_code": str})
    assert set(t["code"]) == set(parks["park_code"])  # every park a candidate, none doubled
    assert int(t["selected"].astype(str).str.lower().eq("true").sum()) == 2  # the default [pilots] parks
    ranked = t.dropna(subset=["score"]).sort_values("rank")
    assert ranked["score"].is_monotonic_decreasing
    # the core indicator is the table's (the criterion's raw column)
    core = parks.set_index("park_code")["core_t_co2_per_tce"]
    assert t.set_index("code")["core"].to_dict() == pytest.approx(core.to_dict())
    assert (tiny_build.out / next(tiny_build.out.glob("*pilots_parks.html")).name).is_file()
