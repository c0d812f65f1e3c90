"""The project file, one pipeline per capability, per-unit tables, zones a planner brings.

The files here are made the way a planner's tools make them (QGIS MultiPolygon GeoPackages, a
county Shapefile with only a code and a name), not the demo layers.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from sxgeo.admin import load_counties, load_targets, load_zones, unit_target
from sxgeo.cli import app
from sxgeo.errors import ProjectError, SchemaError
from sxgeo.project import KEYS, load_project, parse, template
from sxgeo.unit_table import UNASSIGNED_ZH, add_ratio, unit_rows

ROWS = ["330602", "330603", "330604", "330681", "330683", "330624", "330600-urban", "330600", "unassigned"]
runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _square(x: float, y: float, side: float) -> shapely.Polygon:
    return shapely.box(x, y, x + side, y + side)


@pytest.fixture(scope="module")
def user_files(tmp_path_factory):
    """A planner's own files: counties as a Shapefile with a PAC code only, MultiPolygon projects."""
    d = tmp_path_factory.mktemp("planner")
    shipped = load_counties()
    cty = gpd.GeoDataFrame(
        {"PAC": shipped["adcode"].astype(int), "名称": shipped["name_zh"]}, geometry=shipped.geometry
    )
    cty.to_file(d / "县区.shp", encoding="utf-8")
    cty.rename(columns={"PAC": "行政区划代码"}).to_file(d / "县区.geojson")
    metric = shipped.to_crs(4549)
    yc = metric.geometry[metric["adcode"] == "330602"].iloc[0].representative_point()
    xc = metric.geometry[metric["adcode"] == "330624"].iloc[0].representative_point()
    # built-up: 2 km x 2 km in 越城, 1 km x 1 km in 新昌 (4 and 1 km2)
    bu = gpd.GeoDataFrame(
        {"名称": ["越城建成区", "新昌建成区"]},
        geometry=[_square(yc.x, yc.y, 2000), _square(xc.x, xc.y, 1000)],
        crs=4549,
    )
    bu.to_file(d / "建成区.gpkg", driver="GPKG")
    # projects as QGIS writes them: single-part MultiPolygons; one two-part project; overlap counted once
    parts = [
        shapely.MultiPolygon([_square(yc.x, yc.y, 1000)]),  # 1 km2
        shapely.MultiPolygon([_square(yc.x + 500, yc.y, 1000)]),  # overlaps the first by 0.5 km2
        shapely.MultiPolygon([_square(xc.x, xc.y, 500), _square(xc.x + 500, xc.y + 500, 500)]),  # 0.5 km2
    ]
    projects = gpd.GeoDataFrame(
        {"status": ["accepted", "completed", "已验收"], "completion_year": [2021, 2024, 2023]},
        geometry=parts,
        crs=4549,
    ).to_crs(4326)
    projects.to_file(d / "项目.gpkg", driver="GPKG")
    return d


def test_template_names_every_key_and_parses(tmp_path):
    text = template()
    for key in KEYS:
        assert f"# {key.name} = " in text
    out = _run("init", str(tmp_path))
    assert "sxgeo.toml" in out
    project = load_project(tmp_path / "sxgeo.toml")  # every key commented out: an empty project
    assert project.values == {"project": {}, "layers": {}, "sponge": {}, "carbon": {}, "pv": {}} or not any(
        project.values.values()
    )
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 1 and "exists" in str(result.exception)


def test_project_errors_name_key_and_file(tmp_path):
    with pytest.raises(ProjectError, match=r"p.toml: unknown key sponge.builtup"):
        parse({"sponge": {"builtup": "x.shp"}}, base=tmp_path, where="p.toml")
    with pytest.raises(ProjectError, match=r"p.toml: sponge.built_up = 'nope.shp': no such file"):
        parse({"sponge": {"built_up": "nope.shp"}}, base=tmp_path, where="p.toml")
    with pytest.raises(ProjectError, match=r"p.toml: project.year = '2025' must be a int"):
        parse({"project": {"year": "2025"}}, base=tmp_path, where="p.toml")
    with pytest.raises(ProjectError, match=r"unknown section \[spong\]"):
        parse({"spong": {}}, base=tmp_path, where="p.toml")
    (tmp_path / "sxgeo.toml").write_text('[sponge]\nbuilt_up = "missing.gpkg"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["build", "--project", str(tmp_path / "sxgeo.toml"), "-o", str(out), "--no-pdf"]
    )
    assert result.exit_code == 1
    assert "sponge.built_up" in str(result.exception) and not out.exists()


def test_county_layer_with_only_a_code_column(user_files):
    c = load_counties(user_files / "县区.shp")
    assert c.attrs["code_col"] == "PAC"
    assert load_counties(user_files / "县区.geojson").attrs["code_col"] == "行政区划代码"
    assert list(c["adcode"]) == ROWS[:6]
    assert list(c["target_group"]) == ["urban"] * 3 + ["330681", "330683", "330624"]
    assert c["land_area_km2"].sum() == pytest.approx(8280.54, abs=0.5)


def test_build_equals_commands_on_planner_files(user_files, tmp_path):
    """Build from a project on a planner's files gives the per-capability command's numbers."""
    (user_files / "sxgeo.toml").write_text(
        "[project]\nyear = 2025\n[layers]\n"
        'counties = "县区.shp"\n[sponge]\nbuilt_up = "建成区.gpkg"\ncompliant = "项目.gpkg"\n',
        encoding="utf-8",
    )
    _run("build", "--project", str(user_files / "sxgeo.toml"), "-o", str(tmp_path / "b"), "--no-pdf")
    _run(
        "sponge",
        "coverage",
        "--built-up",
        str(user_files / "建成区.gpkg"),
        "--compliant",
        str(user_files / "项目.gpkg"),
        "--counties",
        str(user_files / "县区.shp"),
        "--year",
        "2025",
        "-o",
        str(tmp_path / "c.csv"),
    )
    built = pd.read_csv(tmp_path / "b" / "sponge_coverage.csv", dtype={"unit_code": str}).set_index(
        "unit_code"
    )
    cmd = pd.read_csv(tmp_path / "c.csv", dtype={"unit_code": str}).set_index("unit_code")
    pd.testing.assert_frame_equal(built, cmd)
    assert list(built.index) == ROWS
    # by hand: 越城 1.5 of 4 km2 (overlap once), 新昌 0.5 of 1 km2 (both parts of the MultiPolygon)
    assert built.loc["330602", "compliant_km2"] == pytest.approx(1.5, abs=1e-4)
    assert built.loc["330602", "coverage_pct"] == pytest.approx(37.5, abs=0.01)
    assert built.loc["330624", "compliant_km2"] == pytest.approx(0.5, abs=1e-4)
    assert built.loc["330624", "target_pct"] == 30
    assert built.loc["330624", "status"] == "met"
    assert built.loc["330600", "coverage_pct"] == pytest.approx(40.0, abs=0.01)
    assert built.loc["unassigned", "built_up_km2"] == 0
    assert built.loc["unassigned", "unit_name"] == UNASSIGNED_ZH
    assert (tmp_path / "b" / "counties.csv").exists() and (tmp_path / "b" / "sponge.html").exists()
    # no demo_ prefix on real data; nothing left in staging
    assert not any(p.name.startswith((".sxgeo-build", "demo_")) for p in (tmp_path / "b").iterdir())


def test_build_says_what_it_skipped(user_files, tmp_path):
    (tmp_path / "sxgeo.toml").write_text("[project]\nyear = 2025\n", encoding="utf-8")
    result = runner.invoke(
        app, ["build", "--project", str(tmp_path / "sxgeo.toml"), "-o", str(tmp_path / "o"), "--no-pdf"]
    )
    assert result.exit_code == 0
    assert "rooftop PV: skipped, needs [pv] buildings" in result.output
    assert "sponge city: skipped, needs [sponge] built_up, [sponge] compliant" in result.output


def test_unit_rows_pools_sums_and_keeps_unassigned():
    units = load_counties()
    sums = pd.DataFrame({"a": [1.0, 2.0, 4.0, 8.0]}, index=["330602", "330603", "330624", "unassigned"])
    t = unit_rows(sums, units).set_index("unit_code")
    assert list(t.index) == ROWS
    assert t.loc["330600-urban", "a"] == 3 and t.loc["330600", "a"] == 7 and t.loc["unassigned", "a"] == 8
    assert t.loc["330604", "a"] == 0
    with pytest.raises(ValueError, match="no unit"):
        unit_rows(pd.DataFrame({"a": [1.0]}, index=["110101"]), units)
    empty = unit_rows(pd.DataFrame({"a": [1.0]}, index=["330602"]), units).set_index("unit_code")
    assert empty.loc["unassigned", "a"] == 0


def test_ratio_of_a_float_sliver_is_nan():
    # 1.25e-6 km² "covered" over 1e-6 km² of built-up area (an overlay sliver in `unassigned`)
    t = pd.DataFrame({"covered_km2": [50.0, 1.25e-6, 0.0], "builtup_km2": [100.0, 1e-6, 0.0]})
    pct = add_ratio(t, "pct", "covered_km2", "builtup_km2")["pct"]
    assert pct.iloc[0] == 50.0
    assert np.isnan(pct.iloc[1]) and np.isnan(pct.iloc[2])
    # a small but real denominator keeps its ratio: 1e-4 km² (100 m²) against 100 km²
    t.loc[1] = [5e-5, 1e-4]
    assert add_ratio(t, "pct", "covered_km2", "builtup_km2")["pct"].iloc[1] == pytest.approx(50.0)


def test_targets_override_and_missing_target(tmp_path):
    csv = tmp_path / "targets.csv"
    csv.write_text("indicator,unit_code,year,value,unit,kind\nsponge_coverage,330624,2025,40,%,expected\n")
    t = load_targets(csv)
    assert unit_target("sponge_coverage", "330624", targets=t) == 40
    assert unit_target("sponge_coverage", "330681", targets=t) == 50
    no_pv = load_targets()[lambda d: d["indicator"] != "pv_new_capacity"]
    with pytest.raises(SchemaError, match="pv_new_capacity"):
        unit_target("pv_new_capacity", "330600", targets=no_pv, required=True)
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,unit_code,year,value,unit,kind\nsponge_coverage,330624,2025,约40,%,expected\n")
    with pytest.raises(SchemaError, match="row 2 column value"):
        load_targets(bad)


@pytest.fixture(scope="module")
def tiny_built(tiny_build):
    """The tiny project's build folder (built once per session, conftest.py)."""
    return tiny_build.out


@pytest.mark.parametrize(
    ("table", "args"),
    [
        (
            "demo_pv_counties",
            ["pv", "--buildings", "demo_buildings.parquet", "--parks", "demo_parks.geojson"],
        ),
        ("demo_carbon_forest", ["carbon", "stands", "--stands", "demo_forest_stands_2025.gpkg"]),
        ("demo_carbon_wetlands", ["carbon", "wetlands", "--wetlands", "demo_wetlands.geojson"]),
        (
            "demo_carbon_landcover_change",
            [
                "carbon",
                "landcover",
                "--raster",
                "demo_landcover_2020.tif",
                "--pools",
                "demo_carbon_pools.csv",
                "--raster-after",
                "demo_landcover_2025.tif",
                "--years",
                "5",
            ],
        ),
        (
            "demo_pilots_towns",
            [
                "pilots",
                "select",
                "--level",
                "town",
                "--candidates",
                "demo_towns.geojson",
                "--values",
                "demo_pilot_criteria.csv",
                "--criteria",
                "demo_pilot_criteria.yaml",
                "--buildings",
                "demo_buildings.parquet",
                "--landcover",
                "demo_landcover_2020.tif",
                "--pools",
                "demo_carbon_pools.csv",
                "--built-up",
                "demo_built_up.geojson",
                "--compliant",
                "demo_sponge_projects.geojson",
                "--year",
                "2025",
                "--n",
                "5",
                "--draws",
                "200",
                "--selection-draws",
                "20",
            ],
        ),
        (
            "demo_sponge_zone_coverage",
            [
                "sponge",
                "zones",
                "--zones",
                "demo_sponge_subzones.geojson",
                "--landcover",
                "demo_sponge_landcover.geojson",
                "--facilities",
                "demo_sponge_facilities.geojson",
                "--rainfall",
                "demo_rainfall_daily.csv",
                "--built-up",
                "demo_built_up.geojson",
                "--year",
                "2025",
            ],
        ),
    ],
)
def test_demo_project_equals_the_commands(tiny_dir, tiny_built, tmp_path, table, args):
    """The (tiny) demo project gives the per-capability commands' numbers on the same files."""
    files = {a for a in args if "." in a}
    argv = [str(tiny_dir / a) if a in files else a for a in args]
    _run("-q", *argv, "--basemap", "none", "-o", str(tmp_path / "c"))
    dtype = {"unit_code": str}
    built = pd.read_csv(tiny_built / f"{table}.csv", dtype=dtype)
    cmd = pd.read_csv(tmp_path / "c" / f"{table}.csv", dtype=dtype)
    pd.testing.assert_frame_equal(built, cmd)


def test_per_unit_tables_share_rows_across_capabilities(tiny_built):
    """Every per-county table of the (tiny) demo project has the same rows and labels."""
    out = tiny_built
    names = [
        "counties",
        "demo_built_up_by_county",
        "demo_sponge_coverage",
        "demo_sponge_zone_coverage",
        "demo_pv_counties",
        "demo_carbon_forest",
        "demo_carbon_landcover",
        "demo_carbon_landcover_change",
        "demo_carbon_wetlands",
        "demo_pilots_villages_counties",
        "demo_pilots_towns_counties",
        "demo_pilots_counties_counties",
    ]
    labels = None
    for name in names:
        t = pd.read_csv(out / f"{name}.csv", dtype={"unit_code": str})
        assert list(t["unit_code"]) == ROWS, name
        these = list(t["unit_name"])
        labels = labels or these
        assert these == labels, name
    sink = pd.read_csv(out / "demo_carbon_forest_sink.csv", dtype={"unit_code": str})
    for _, rows in sink.groupby("forest_type"):
        assert list(rows["unit_code"]) == ROWS


def test_zones_sum_to_counties(tiny_dir, tmp_path):
    """PV per town (the demo towns tile the counties): town sums equal the county rows."""
    towns = load_zones(tiny_dir / "demo_towns.geojson", load_counties())
    assert towns.attrs["unit_kind"] == "zone" and len(towns) == 103
    _run(
        "pv",
        "--buildings",
        str(tiny_dir / "demo_buildings.parquet"),
        "--zones",
        str(tiny_dir / "demo_towns.geojson"),
        "--no-shading",
        "--basemap",
        "none",
        "-o",
        str(tmp_path / "pv"),
    )
    dtype = {"unit_code": str, "county_adcode": str}
    county = pd.read_csv(tmp_path / "pv" / "demo_pv_counties.csv", dtype=dtype).set_index("unit_code")
    zones = pd.read_csv(tmp_path / "pv" / "demo_pv_zones.csv", dtype=dtype)
    per = zones[zones["unit_code"] != "unassigned"].groupby("county_adcode")["capacity_mwp"].sum()
    for code in ROWS[:6]:
        assert per[code] == pytest.approx(county.loc[code, "capacity_mwp"], abs=0.01 * 20)
    total = zones["capacity_mwp"].sum()
    assert total == pytest.approx(
        county.loc["330600", "capacity_mwp"] + county.loc["unassigned", "capacity_mwp"], rel=1e-4
    )
    assert np.isclose(zones["buildings"].sum(), county.loc[["330600", "unassigned"], "buildings"].sum())


def test_build_uses_the_project_file_in_the_working_folder(tmp_path, monkeypatch):
    (tmp_path / "sxgeo.toml").write_text('[project]\nname = "试算"\nyear = 2025\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["build", "-o", "out", "--basemap", "none", "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert "using ./sxgeo.toml" in result.output
    notes = (tmp_path / "out" / "counties.notes.txt").read_text(encoding="utf-8")
    assert "project: 试算 (sxgeo.toml)" in notes


def test_precedence_option_project_user_config_default(tmp_path, monkeypatch):
    from sxgeo.project import Project, resolve

    cfg = tmp_path / "config.toml"
    cfg.write_text("[sponge]\nalpha_target = 0.7\n", encoding="utf-8")
    monkeypatch.setenv("SXGEO_CONFIG", str(cfg))
    project = Project(tmp_path / "sxgeo.toml", {"sponge": {"alpha_target": 0.8}})
    assert resolve(0.9, project, "sponge", "alpha_target", 0.75) == (0.9, "option")
    assert resolve(None, project, "sponge", "alpha_target", 0.75) == (0.8, "project file sxgeo.toml")
    assert resolve(None, Project(None), "sponge", "alpha_target", 0.75)[0] == 0.7
    monkeypatch.setenv("SXGEO_CONFIG", str(tmp_path / "absent.toml"))
    assert resolve(None, None, "sponge", "alpha_target", 0.75) == (0.75, "default")


def test_run_record_traces_inputs_and_repeats(user_files, tmp_path, monkeypatch):
    """run.json lists every input with its checksum; a second build gives the same checksums and numbers."""
    import hashlib
    import json

    monkeypatch.setenv("SXGEO_CONFIG", str(tmp_path / "no-user-config.toml"))
    (user_files / "sxgeo.toml").write_text(
        "[project]\nyear = 2025\n[layers]\n"
        'counties = "县区.shp"\n[sponge]\nbuilt_up = "建成区.gpkg"\ncompliant = "项目.gpkg"\n'
        "alpha_target = 0.8\n",
        encoding="utf-8",
    )
    runs = []
    for name in ("a", "b"):
        _run(
            "-q", "build", "--project", str(user_files / "sxgeo.toml"), "-o", str(tmp_path / name), "--no-pdf"
        )
        runs.append(json.loads((tmp_path / name / "run.json").read_text(encoding="utf-8")))
    first, second = runs
    keys = {r["key"]: r for r in first["inputs"]}
    assert set(keys) == {"layers.counties", "sponge.built_up", "sponge.compliant"}
    built_up = user_files / "建成区.gpkg"
    assert keys["sponge.built_up"]["sha256"] == {
        built_up.name: hashlib.sha256(built_up.read_bytes()).hexdigest()
    }
    assert keys["sponge.built_up"]["rows"] == 2 and keys["sponge.built_up"]["crs"] == "EPSG:4549"
    assert set(keys["layers.counties"]["sha256"]) >= {"县区.shp", "县区.dbf", "县区.prj"}
    assert first["parameters"]["sponge.alpha_target"] == {"value": 0.8, "source": "project file sxgeo.toml"}
    assert first["parameters"]["sponge.psi"] == {"value": "default", "source": "default"}
    assert first["inputs"] == second["inputs"] and "run.json" not in first["outputs"]
    a = pd.read_csv(tmp_path / "a" / "sponge_coverage.csv")
    b = pd.read_csv(tmp_path / "b" / "sponge_coverage.csv")
    pd.testing.assert_frame_equal(a, b)


# ---- issue-20-tables: settings files as Windows editors save them ------------------------------------


def test_project_toml_in_gbk_with_bom_and_tabs(tmp_path):
    (tmp_path / "建成区.gpkg").write_bytes(b"")
    text = '[project]\n\tname = "绍兴市海绵城市评估"\nyear = 2024\n'
    (tmp_path / "sxgeo.toml").write_bytes(text.encode("gbk"))  # WPS/Notepad on Chinese Windows
    assert load_project(tmp_path / "sxgeo.toml").get("project", "name") == "绍兴市海绵城市评估"
    (tmp_path / "sxgeo.toml").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # Notepad's UTF-8
    assert load_project(tmp_path / "sxgeo.toml").get("project", "year") == 2024


def test_criteria_yaml_in_gbk_and_with_tabs(tmp_path):
    from sxgeo.pilots.score import load_criteria

    shipped = (Path(__file__).parents[1] / "sxgeo" / "data" / "pilot_criteria.yaml").read_text(
        encoding="utf-8"
    )
    gbk = tmp_path / "指标.yaml"
    gbk.write_bytes(shipped.encode("gb18030"))
    assert [c.id for c in load_criteria(gbk).criteria] == [c.id for c in load_criteria().criteria]
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbf" + shipped.encode("utf-8"))
    assert len(load_criteria(bom).criteria) == len(load_criteria().criteria)
    tabbed = tmp_path / "tabs.yaml"
    tabbed.write_text("criteria:\n  - id: pv\n\tcolumn: pv_kw\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"tabs.yaml: line 3 is indented with a tab.*spaces"):
        load_criteria(tabbed)


# --- the tiny sample project (tests/datasets/tiny) ---


def test_tiny_project_runs_every_capability(tiny_build):
    """``sxgeo build`` of the tiny project runs every step: no line says a capability was skipped."""
    assert "skipped" not in tiny_build.stderr, tiny_build.stderr
    assert "Traceback" not in tiny_build.stderr
    out = tiny_build.out
    # the tables of every step (test_build_says_what_it_skipped checks the skipped lines appear)
    for table in (
        "counties",
        "demo_built_up_by_county",
        "demo_sponge_coverage",
        "demo_sponge_zone_coverage",
        "demo_carbon_forest",
        "demo_carbon_landcover_change",
        "demo_carbon_wetlands",
        "demo_pv_counties",
        "demo_pilots_villages",
        "demo_pilots_towns",
        "demo_pilots_counties",
    ):
        assert (out / f"{table}.csv").exists(), table


def test_tiny_sponge_coverage_equals_a_geopandas_overlay(tiny_dir, tiny_build):
    """上虞区's 2025 Tier A coverage recomputed by hand: (projects done by 2025 ∩ built-up) / built-up."""
    county = load_counties().to_crs(4549)
    county = county[county["adcode"] == "330604"]
    bu = gpd.read_file(tiny_dir / "demo_built_up.geojson").to_crs(4549)
    bu = gpd.overlay(bu, county[["adcode", "geometry"]].rename(columns={"adcode": "county"}))
    pr = gpd.read_file(tiny_dir / "demo_sponge_projects.geojson").to_crs(4549)
    done = pr[pr["status"].isin(["accepted", "completed"]) & (pr["completed_on"] <= "2025-12-31")]
    assert 0 < len(done) < len(pr)  # building and planned projects left out
    covered = gpd.overlay(gpd.GeoDataFrame(geometry=[done.union_all()], crs=4549), bu)
    builtup_km2 = bu.area.sum() / 1e6
    pct = 100 * covered.area.sum() / 1e6 / builtup_km2
    t = pd.read_csv(tiny_build.out / "demo_sponge_coverage.csv", dtype={"unit_code": str}).set_index(
        "unit_code"
    )
    assert t.loc["330604", "built_up_km2"] == pytest.approx(builtup_km2, abs=0.01)
    assert t.loc["330604", "coverage_pct"] == pytest.approx(pct, abs=0.01)
    assert t.loc["330604", "status"] == "behind"  # the tiny demo keeps the story: 上虞 below its 50%


def test_tiny_pv_counts_every_roof_and_stands_meet_the_plan_volume(tiny_dir, tiny_build):
    """PV: every roof counted or said unsuitable (none dropped silently); stands: 2,680万 m³ in all."""
    import re

    roofs = gpd.read_parquet(tiny_dir / "demo_buildings.parquet")
    t = pd.read_csv(tiny_build.out / "demo_pv_counties.csv", dtype={"unit_code": str}).set_index("unit_code")
    notes = (tiny_build.out / "demo_pv_counties.notes.txt").read_text(encoding="utf-8")
    unsuitable = int(re.search(r"(\d+) roofs unsuitable", notes).group(1))
    counted = t.loc[["330600", "unassigned"], "buildings"].sum()
    assert counted + unsuitable == len(roofs) == 525 and 0 < unsuitable < 100
    assert t.iloc[:6]["buildings"].sum() == t.loc["330600", "buildings"]
    stands = gpd.read_file(tiny_dir / "demo_forest_stands_2025.gpkg")
    forest = pd.read_csv(tiny_build.out / "demo_carbon_forest.csv", dtype={"unit_code": str})
    city = forest.set_index("unit_code").loc["330600", "stock_volume_wan_m3"]
    assert city == pytest.approx(stands["volume_m3"].sum() / 1e4, abs=0.01)
    assert city == pytest.approx(2680, abs=0.01)


def test_fast_yaml_parse_equals_safe_load_and_keeps_its_errors():
    """libyaml's parse of every shipped YAML is safe_load's; a broken file raises safe_load's own error."""
    import yaml

    from sxgeo.configtext import safe_load_fast

    files = sorted((Path(__file__).resolve().parent.parent / "sxgeo" / "data").rglob("*.yaml"))
    assert len(files) >= 3
    for f in files:
        text = Path(f).read_text(encoding="utf-8")
        assert safe_load_fast(text) == yaml.safe_load(text)
    bad = "a: [1, 2\nb: 3\n"
    with pytest.raises(yaml.YAMLError) as fast:
        safe_load_fast(bad)
    with pytest.raises(yaml.YAMLError) as slow:
        yaml.safe_load(bad)
    assert str(fast.value) == str(slow.value)
