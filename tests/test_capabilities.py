"""The capability registry: each spec's code loads, the plan is checked against declared tables,
and a new capability written by the recipe of docs/development.md runs in ``run_steps``."""

from __future__ import annotations

import inspect
import subprocess
import sys
from importlib import resources

import geopandas as gpd
import pytest
from shapely.geometry import box

from sxgeo import crs as sxcrs
from sxgeo._pipeline import Context
from sxgeo.admin import load_counties
from sxgeo.build import run_steps
from sxgeo.capabilities import CAPABILITIES, check_computed, check_plan, declared_tables
from sxgeo.capability import load
from sxgeo.errors import ProjectError, SchemaError
from sxgeo.overview.spec import CAPABILITY as OVERVIEW
from sxgeo.plan import load_plan
from sxgeo.project import KEYS, load_project
from tests.capfixture.greenspace.spec import CAPABILITY as GREENSPACE


@pytest.mark.parametrize("cap", CAPABILITIES, ids=lambda c: c.name)
def test_every_capability_names_code_that_loads(cap):
    """run(ctx, project), gap(data, tables, settings) and the view are importable callables."""
    assert list(inspect.signature(load(cap.run)).parameters) == ["ctx", "project"]
    if cap.gap is not None:
        assert list(inspect.signature(load(cap.gap)).parameters) == ["data", "tables", "settings"]
    if cap.view is not None:
        load(cap.view)
    assert all(k.section == cap.section for k in cap.keys)
    assert (
        all(n in {k.name for k in cap.keys} for needs in cap.needs for n in needs) or cap.section == "layers"
    )


def test_the_project_keys_are_the_capabilities_keys():
    """KEYS = [project] + [layers] + every capability's keys + [engine], each (section, name) once."""
    names = [(k.section, k.name) for k in KEYS]
    assert len(names) == len(set(names))
    for cap in CAPABILITIES:
        assert set(cap.keys) <= set(KEYS)
    owned = [c.section for c in CAPABILITIES if c.keys]  # in the registry's order
    assert list(dict.fromkeys(k.section for k in KEYS)) == ["project", "layers", *owned, "engine"]


def test_the_shipped_plan_names_declared_tables_and_a_wrong_column_is_refused(tmp_path):
    check_plan(load_plan())  # the 14th plan's computed_by tables are all declared
    tables = declared_tables()
    assert tables["sponge_coverage"].per_unit and "coverage_pct" in tables["sponge_coverage"].columns
    broken = tmp_path / "plan.yaml"
    source = resources.files("sxgeo.data").joinpath("plans", "shaoxing_14th.yaml").read_text(encoding="utf-8")
    broken.write_text(source.replace("column: coverage_pct", "column: coverage_percent"), encoding="utf-8")
    with pytest.raises(SchemaError, match="coverage_percent.*not in sponge_coverage"):
        check_plan(load_plan(broken))


def _squares(counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """1 km² in 越城区, and in 柯桥区 1 km² drawn twice, overlapping by half (EPSG:4549 metres)."""
    metric = sxcrs.to_metric(counties)
    yue = metric.loc[metric["adcode"] == "330602"].geometry.iloc[0].representative_point()
    ke = metric.loc[metric["adcode"] == "330603"].geometry.iloc[0].representative_point()
    geoms = [
        box(yue.x - 500, yue.y - 500, yue.x + 500, yue.y + 500),
        box(ke.x - 1000, ke.y - 250, ke.x + 1000, ke.y + 250),
        box(ke.x - 1000, ke.y - 250, ke.x, ke.y + 250),
    ]
    squares = gpd.GeoDataFrame({"name": ["a", "b", "b-half"]}, geometry=geoms, crs=metric.crs)
    for geom, code in zip(geoms, ["330602", "330603", "330603"], strict=True):
        assert metric.loc[metric["adcode"] == code].geometry.iloc[0].contains(geom)
    return squares


def test_a_capability_written_by_the_recipe_runs_in_the_build_loop(tmp_path):
    """tests/capfixture/greenspace: 4 files + this test (+ one registry line and a plan row when shipped)."""
    counties = load_counties()
    _squares(counties).to_crs(4326).to_file(tmp_path / "parks.gpkg")
    (tmp_path / "sxgeo.toml").write_text('[greenspace]\nparks = "parks.gpkg"\n', encoding="utf-8")
    with pytest.raises(ProjectError, match=r"unknown section \[greenspace\]"):
        load_project(tmp_path)  # not in the registry: refused, naming the known sections
    project = load_project(tmp_path, keys=(*KEYS, *GREENSPACE.keys))
    ctx = Context.from_project(project, maps=False)
    run = run_steps(ctx, project, capabilities=(OVERVIEW, GREENSPACE))
    assert run.skipped == []
    # each step that ran has its wall time, logged too (make demo's breakdown, docs/performance.md)
    assert list(run.seconds) == [OVERVIEW.step, GREENSPACE.step]
    assert all(s >= 0 for s in run.seconds.values())
    table = run.tables["greenspace_counties"].set_index("unit_code")
    land_km2 = sxcrs.to_metric(counties).set_index("adcode").area / 1e6  # shapely, EPSG:4549
    assert table.loc["330602", "greenspace_km2"] == pytest.approx(1.0, abs=1e-9)
    assert table.loc["330603", "greenspace_km2"] == pytest.approx(1.0, abs=1e-9)  # the overlap counted once
    assert table.loc["330600", "greenspace_km2"] == pytest.approx(2.0, abs=1e-9)
    assert table.loc["330602", "greenspace_share_pct"] == pytest.approx(100 / land_km2["330602"], rel=1e-6)
    assert table.loc["330604", "greenspace_km2"] == 0
    # a plan row may name its table once the capability is registered, not before
    row = [("greenspace_share", "greenspace_counties", "greenspace_share_pct")]
    assert check_computed(row, (*CAPABILITIES, GREENSPACE)) == []
    assert "not a table sxgeo writes" in check_computed(row)[0]


def test_reading_the_specs_imports_nothing_heavy():
    """The project file's keys come from the specs without loading a formula, pipeline or map."""
    code = (
        "import sys, sxgeo.project, sxgeo.capabilities\n"
        "names = ('geopandas', 'pandas', 'shapely', 'rasterio', 'folium', 'pyogrio')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "mods = [m for m in sys.modules if m.endswith(('.pipeline', '.view', '.gaps'))]\n"
        "print(heavy, mods)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] []", out.stdout + out.stderr
