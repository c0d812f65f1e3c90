"""The county dashboard: a project without sub-zones shows each county's sponge km² gap, and the
computed counts (pilots selected + existing, rooftop PV potential) fill the rows sxgeo can compute."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from sxgeo import build
from sxgeo.project import load_project

TINY = Path(__file__).parents[1] / "datasets" / "tiny"
SPONGE_ONLY = """
[project]
name = "无排水分区的小项目 (sponge only, SYNTHETIC)"
year = 2025

[sponge]
built_up = "demo_built_up.geojson"
compliant = "demo_sponge_projects.geojson"
"""


@pytest.fixture(scope="module")
def sponge_only(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sponge_only")
    for name in ("demo_built_up.geojson", "demo_sponge_projects.geojson"):
        shutil.copy(TINY / name, folder / name)
    (folder / "sxgeo.toml").write_text(SPONGE_ONLY, encoding="utf-8")
    out = folder / "out"
    build.run(load_project(folder / "sxgeo.toml"), out, pdf=False)
    return folder, out


def _cell(html: str, unit: str, field: str) -> str:
    row = re.search(rf'<tr data-unit="{re.escape(unit)}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, unit
    cell = re.search(rf'data-field="{field}" data-value="([^"]*)"', row.group(1))
    assert cell, (unit, field)
    return cell.group(1)


def test_project_without_subzones_has_the_sponge_gap_in_the_report(sponge_only):
    folder, out = sponge_only
    html = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert 'id="dashboard"' in html
    # by hand, independently of sxgeo (shapely areas, EPSG:4549): the county's built-up polygon x its own
    # 50% target - the union of the accepted or completed projects finished by the end of 2025 inside it
    built = gpd.read_file(folder / "demo_built_up.geojson").to_crs(4549)
    projects = gpd.read_file(folder / "demo_sponge_projects.geojson").to_crs(4549)
    done = projects[
        projects["status"].isin(["accepted", "completed"])
        & (pd.to_datetime(projects["completed_on"]) <= "2025-12-31")
    ]
    shangyu = built[built["adcode"].astype(str) == "330604"].geometry.union_all()
    b = shangyu.area / 1e6
    c = done.geometry.union_all().intersection(shangyu).area / 1e6
    expected = max(b * 0.5 - c, 0.0)
    assert expected > 0.05  # 上虞区 is behind its 50% in the tiny data
    shown = float(_cell(html, "330604", "sponge_gap_km2"))
    assert shown == pytest.approx(expected, abs=0.01)
    table = pd.read_csv(next(out.glob("*sponge_coverage.csv")), dtype={"unit_code": str})
    assert shown == pytest.approx(float(table.set_index("unit_code").loc["330604", "gap_km2"]), abs=1e-6)
    assert "差 " in html and "km²" in html


def test_dashboard_figures_are_the_capability_tables(tiny_build):
    out = tiny_build.out
    html = (out / "report" / "index.html").read_text(encoding="utf-8")
    pv = pd.read_csv(next(out.glob("*pv_counties.csv")), dtype={"unit_code": str}).set_index("unit_code")
    villages = pd.read_csv(next(out.glob("*pilots_villages.csv")), dtype={"county_adcode": str})
    chosen = villages[villages["selected"].astype(str).str.lower() == "true"]
    for code in ("330602", "330681", "330600"):
        assert float(_cell(html, code, "pv_mwp")) == pytest.approx(pv.loc[code, "capacity_mwp"], rel=1e-5)
    assert int(float(_cell(html, "330600", "pilot_villages"))) == len(chosen)
    assert int(float(_cell(html, "330681", "pilot_villages"))) == int(
        (chosen["county_adcode"] == "330681").sum()
    )
    # the status rows sxgeo can compute no longer say 无法评估
    status = pd.read_excel(next((out / "report").glob("*report.xlsx")), sheet_name="status English")
    city = status[status["unit_code"].astype(str) == "330600"].set_index("indicator")
    for ind in ("pilot_villages", "pilot_towns", "pilot_counties", "pv_installed_capacity"):
        assert city.loc[ind, "status"] != "no_data", ind
    assert city.loc["pilot_villages", "value"] == len(chosen)
    assert city.loc["pv_installed_capacity", "value"] == pytest.approx(pv.loc["330600", "capacity_mwp"])
