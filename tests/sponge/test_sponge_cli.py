"""sxgeo sponge on the synthetic layers: outputs, conventions, calibration, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sxgeo import sponge
from sxgeo.cli import app
from sxgeo.errors import LayerError
from sxgeo.io import read_layer, read_rainfall

runner = CliRunner()


def _run(*args: str):
    result = runner.invoke(app, ["-q", *args])
    assert result.exit_code == 0, result.output
    return result


def test_demo_calibrated_coverage_csv_and_map(tmp_path, demo_dir):
    out = tmp_path / "cov.csv"
    _run(
        "sponge", "coverage",
        "--built-up", str(demo_dir / "demo_built_up.geojson"),
        "--compliant", str(demo_dir / "demo_sponge_projects.geojson"),
        "--year", "2020", "-o", str(out), "--map", str(tmp_path / "cov.html"), "--basemap", "none",
    )  # fmt: skip
    t = pd.read_csv(out, dtype={"unit_code": str}).set_index("unit_code")
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
    assert t.loc["unassigned", "built_up_km2"] == 0
    assert t.columns[-1] == "data_note" and t["data_note"].str.contains("SYNTHETIC").all()
    # the demo is calibrated to the plan's 2020 baseline: about 20% of the built-up area
    assert 17 <= t.loc["330600", "coverage_pct"] <= 23
    assert (tmp_path / "cov.html").stat().st_size > 10_000


def test_demo_calibrated_2025_one_county_behind(demo_dir, counties):
    bu, _ = read_layer(demo_dir / "demo_built_up.geojson")
    projects, _ = read_layer(demo_dir / "demo_sponge_projects.geojson")
    t = sponge.coverage(bu, projects, counties=counties, year=2025).set_index("unit_code")
    behind = t.iloc[:6].index[t.iloc[:6]["status"] == "behind"].tolist()
    assert behind == ["330604"]  # 上虞区
    assert t.loc["330624", "target_pct"] == 30 and t.loc["330624", "status"] == "met"


def test_zones_folder_output_and_what_if(tmp_path, tiny_dir):
    args = [
        "sponge", "zones",
        "--zones", str(tiny_dir / "demo_sponge_subzones.geojson"),
        "--landcover", str(tiny_dir / "demo_sponge_landcover.geojson"),
        "--facilities", str(tiny_dir / "demo_sponge_facilities.geojson"),
        "--rainfall", str(tiny_dir / "demo_rainfall_daily.csv"),
        "--built-up", str(tiny_dir / "demo_built_up.geojson"),
        "--basemap", "none",
    ]  # fmt: skip
    _run(*args, "-o", str(tmp_path / "now"))
    _run(*args, "--include-planned", "-o", str(tmp_path / "plan"))
    for name in ("sponge_zones.csv", "sponge_closest.csv", "sponge_zone_coverage.csv", "sponge_zones.html",
                 "sponge_zones.xlsx", "sponge_zones.gpkg"):  # fmt: skip
        assert (tmp_path / "now" / f"demo_{name}").exists(), name
    now = pd.read_csv(tmp_path / "now" / "demo_sponge_zones.csv")
    plan = pd.read_csv(tmp_path / "plan" / "demo_sponge_zones.csv")
    zones, _ = read_layer(tiny_dir / "demo_sponge_subzones.geojson")
    assert len(now) == len(zones) and now["zone_id"].is_unique
    assert plan["v_controlled_m3"].sum() > now["v_controlled_m3"].sum()
    assert plan["passes"].sum() >= now["passes"].sum()
    closest = pd.read_csv(tmp_path / "now" / "demo_sponge_closest.csv")
    assert len(closest) == (~now["passes"]).sum()
    assert closest["extra_storage_m3"].is_monotonic_increasing
    notes = (tmp_path / "now" / "demo_sponge_zones.notes.txt").read_text(encoding="utf-8")
    assert "placeholder 75%" in notes and "derived, not adopted" in notes and "SYNTHETIC" in notes
    sheets = pd.read_excel(tmp_path / "now" / "demo_sponge_zones.xlsx", sheet_name=None)
    assert "sponge_zones 中文" in sheets and "年径流总量控制率(%)" in sheets["sponge_zones 中文"].columns


def test_strict_mode_passes_fewer(tiny_dir, counties):
    z, _ = read_layer(tiny_dir / "demo_sponge_subzones.geojson")
    lc, _ = read_layer(tiny_dir / "demo_sponge_landcover.geojson")
    fac, _ = read_layer(tiny_dir / "demo_sponge_facilities.geojson")
    daily, _ = read_rainfall(tiny_dir / "demo_rainfall_daily.csv")
    curve = sponge.curve_from_daily(daily)
    lenient = sponge.assess_zones(z, lc, fac, curve).zones
    strict = sponge.assess_zones(z, lc, fac, curve, strict=True).zones
    unknown = lenient["unknown_flags"] != ""
    assert unknown.any()
    assert strict["passes"].sum() == (lenient["passes"] & ~unknown).sum()


def test_demo_calibrated_curve_command(tmp_path, demo_dir):
    _run(
        "sponge", "curve", "--rainfall", str(demo_dir / "demo_rainfall_daily.csv"), "-o", str(tmp_path / "c")
    )
    years = pd.read_csv(tmp_path / "c" / "demo_rainfall_years.csv").set_index("year")
    assert len(years) == 30
    assert years.loc[2020, "total_mm"] == pytest.approx(1566.5, abs=0.05)  # the plan's 2020 figures
    assert years.loc[2020, "rain_days"] == 161
    assert years["data_note"].str.contains("SYNTHETIC").all()  # the demo station says so
    assert 1450 <= years["total_mm"].mean() <= 1650
    assert 150 <= years["rain_days"].mean() <= 170
    curve = pd.read_csv(tmp_path / "c" / "demo_sponge_curve.csv").set_index("alpha_pct")
    assert curve["depth_mm"].is_monotonic_increasing
    daily, _ = read_rainfall(demo_dir / "demo_rainfall_daily.csv")
    monthly = daily.groupby(daily.index.month).sum()
    assert monthly.idxmax() == 6 and monthly.loc[8] > monthly.loc[[7, 9]].max()  # June and August peaks


def test_read_rainfall_synthetic_flag(tmp_path):
    days = pd.date_range("2020-01-01", periods=3).strftime("%Y-%m-%d")
    real = tmp_path / "real.csv"
    pd.DataFrame({"station_id": "58453", "date": days, "precip_mm": [0.0, 5.0, 12.5]}).to_csv(
        real, index=False
    )
    series, _ = read_rainfall(real)
    assert series.attrs["synthetic"] is False and series.sum() == pytest.approx(17.5)
    fake = tmp_path / "fake.csv"
    pd.DataFrame({"station_id": "SYNTHETIC-01", "date": days, "precip_mm": [1.0] * 3}).to_csv(
        fake, index=False
    )
    assert read_rainfall(fake)[0].attrs["synthetic"] is True


def test_read_rainfall_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"日期": ["2020-01-01", "not a date"], "降水量": [1.0, 2.0]}).to_csv(bad, index=False)
    with pytest.raises(LayerError, match="cannot be read"):
        read_rainfall(bad)
    neg = tmp_path / "neg.csv"
    pd.DataFrame({"date": ["2020-01-01", "2020-01-02"], "precip_mm": [1.0, -2.0]}).to_csv(neg, index=False)
    with pytest.raises(LayerError, match="negative"):
        read_rainfall(neg)
    ok = tmp_path / "ok.csv"
    dates = pd.date_range("2019-01-01", periods=4)
    pd.DataFrame({"date": dates, "precip_mm": [1.0, np.nan, 5.0, 12.0], "is_snow": [0, 0, 1, 0]}).to_csv(
        ok, index=False
    )
    series, notes = read_rainfall(ok)
    assert series.tolist() == [1.0, 12.0]
    assert any("snow" in n for n in notes) and any("30" in n for n in notes)


def test_zones_without_crs_fails_in_one_line(tmp_path, tiny_dir):
    from tests.cli.test_cli import run_cli

    csv = tmp_path / "fac.csv"
    pd.DataFrame({"type": ["tank"], "volume_m3": [10], "lon": [120.58], "lat": [30.0]}).to_csv(
        csv, index=False
    )
    proc = run_cli(
        "sponge", "zones", "--zones", str(tiny_dir / "demo_sponge_subzones.geojson"),
        "--landcover", str(tiny_dir / "demo_sponge_landcover.geojson"), "--facilities", str(csv),
        "--rainfall", str(tiny_dir / "demo_rainfall_daily.csv"), "-o", str(tmp_path / "x.csv"),
    )  # fmt: skip
    assert proc.returncode == 1
    assert "fac.csv has no CRS" in proc.stderr and "Traceback" not in proc.stderr


def test_alpha_target_from_config(tmp_path, monkeypatch):
    from sxgeo.cli.sponge import _alpha_target

    monkeypatch.setenv("SXGEO_CONFIG", str(tmp_path / "absent.toml"))
    assert _alpha_target(None, None) == (0.75, "placeholder 75% (Shaoxing's adopted value not configured)")
    cfg = tmp_path / "config.toml"
    cfg.write_text('[sponge]\nalpha_target = 0.7\nalpha_target_source = "专项规划 表3"\n', encoding="utf-8")
    monkeypatch.setenv("SXGEO_CONFIG", str(cfg))
    assert _alpha_target(None, None) == (0.7, "专项规划 表3")
    assert _alpha_target(0.8, None) == (0.8, "--alpha-target")


def _chengdu_files(folder):
    """The Chengdu 5 ha zone (psi 0.45) with no facility, and a five-day station (curve of case 6.3)."""
    import geopandas as gpd
    import shapely

    from sxgeo import crs as sxcrs

    x0, y0 = 500_000.0, 3_300_000.0
    zone = gpd.GeoDataFrame(
        {"zone_id": ["chengdu"]}, geometry=[shapely.box(x0, y0, x0 + 500, y0 + 100)], crs=sxcrs.METRIC
    )
    cover = gpd.GeoDataFrame(
        {"cover": ["green", "paved", "permeable"], "psi": [0.15, 0.9, 0.25]},
        geometry=[shapely.box(x0, y0, x0 + 170, y0 + 100), shapely.box(x0 + 170, y0, x0 + 350, y0 + 100),
                  shapely.box(x0 + 350, y0, x0 + 500, y0 + 100)],
        crs=sxcrs.METRIC,
    )  # fmt: skip
    fac = gpd.GeoDataFrame(
        {"type": ["tank"], "volume_m3": [0.0], "status": ["completed"]},
        geometry=[shapely.Point(x0 + 10, y0 + 10)],
        crs=sxcrs.METRIC,
    )
    zone.to_file(folder / "z.gpkg")
    cover.to_file(folder / "lc.gpkg")
    fac.to_file(folder / "fac.gpkg")
    pd.DataFrame({"date": pd.date_range("2020-06-01", periods=5), "precip_mm": [3, 5, 10, 20, 40]}).to_csv(
        folder / "rain.csv", index=False
    )
    return ["--zones", str(folder / "z.gpkg"), "--landcover", str(folder / "lc.gpkg"),
            "--facilities", str(folder / "fac.gpkg"), "--rainfall", str(folder / "rain.csv")]  # fmt: skip


def test_baseline_credit_from_the_cli_and_the_project_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SXGEO_CONFIG", str(tmp_path / "absent.toml"))
    args = _chengdu_files(tmp_path)
    _run("sponge", "zones", *args, "-o", str(tmp_path / "off.csv"))
    _run("sponge", "zones", *args, "--baseline-credit", "-o", str(tmp_path / "on.csv"))
    assert pd.read_csv(tmp_path / "off.csv")["alpha_pct"].iloc[0] == 0  # the standard's volume method
    assert pd.read_csv(tmp_path / "on.csv")["alpha_pct"].iloc[0] == pytest.approx(55.0)  # 1 - 0.45
    (tmp_path / "sxgeo.toml").write_text(
        '[sponge]\nsubzones = "z.gpkg"\nlandcover = "lc.gpkg"\nfacilities = "fac.gpkg"\n'
        'rainfall = "rain.csv"\nbaseline_credit = true\n',
        encoding="utf-8",
    )
    _run(
        "build",
        "--project",
        str(tmp_path / "sxgeo.toml"),
        "-o",
        str(tmp_path / "b"),
        "--basemap",
        "none",
        "--no-pdf",
    )
    built = pd.read_csv(tmp_path / "b" / "sponge_zones.csv")
    assert built["alpha_pct"].iloc[0] == pytest.approx(55.0)
    notes = (tmp_path / "b" / "sponge_zones.notes.txt").read_text(encoding="utf-8")
    assert "alpha floored at 1 - psi" in notes and "volume rule" in notes


# ---- issue 20 (branch issue-20-inputs): bad project lists
def _yuecheng_built_up(folder, crs=None):
    """A 2 km x 2 km built-up square in central 越城 (EPSG:4549, or *crs*), as a GeoPackage."""
    import geopandas as gpd
    import shapely

    from sxgeo import crs as sxcrs

    centre = gpd.GeoSeries([shapely.Point(120.58, 30.0)], crs=4326).to_crs(sxcrs.METRIC)[0]
    x, y = round(centre.x), round(centre.y)
    bu = gpd.GeoDataFrame({"name": ["bu"]}, geometry=[shapely.box(x - 1000, y - 1000, x + 1000, y + 1000)],
                          crs=sxcrs.METRIC)  # fmt: skip
    (bu if crs is None else bu.to_crs(crs)).to_file(folder / "bu.gpkg")
    return x, y


def test_points_where_areas_are_needed_are_refused_and_check_says_it(tmp_path):
    import openpyxl

    from tests.cli.test_cli import run_cli

    _yuecheng_built_up(tmp_path, crs=4326)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目名称", "经度", "纬度", "状态"])
    sheet.append(["A", 120.580, 30.000, "已完成"])
    sheet.append(["B", 120.585, 30.002, "已完成"])
    book.save(tmp_path / "projects.xlsx")
    proc = run_cli("sponge", "coverage", "--built-up", str(tmp_path / "bu.gpkg"),
                   "--compliant", str(tmp_path / "projects.xlsx"), "--crs", "4326",
                   "-o", str(tmp_path / "cov.csv"))  # fmt: skip
    assert proc.returncode == 1
    assert "projects.xlsx: areas (polygons) are needed here, the file has 2 Point" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "cov.csv").exists()
    check = runner.invoke(app, ["check", str(tmp_path / "projects.xlsx"), "--crs", "4326"])
    assert check.exit_code == 0 and "usable: as points only" in check.output
    assert "usable: yes" not in check.output


def test_a_wkt_column_gives_the_project_areas(tmp_path):
    import geopandas as gpd
    import openpyxl
    import shapely

    x, y = _yuecheng_built_up(tmp_path)
    a = shapely.box(x - 1000, y - 1000, x, y)  # 1 km², completed
    b = shapely.box(x, y, x + 500, y + 1000)  # 0.5 km², under construction
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目名称", "WKT", "状态", "完工日期"])
    sheet.append(["A", a.wkt, "已完成", "2020-05-01"])
    sheet.append(["B", b.wkt, "在建", None])
    book.save(tmp_path / "projects.xlsx")
    result = runner.invoke(app, ["sponge", "coverage", "--built-up", str(tmp_path / "bu.gpkg"),
                                 "--compliant", str(tmp_path / "projects.xlsx"), "--crs", "4549",
                                 "--year", "2021", "-o", str(tmp_path / "cov.csv")])  # fmt: skip
    assert result.exit_code == 0, result.output
    t = pd.read_csv(tmp_path / "cov.csv", dtype={"unit_code": str}).set_index("unit_code")
    bu = gpd.read_file(tmp_path / "bu.gpkg").geometry[0]
    assert t.loc["330602", "coverage_pct"] == pytest.approx(100 * a.intersection(bu).area / bu.area, abs=0.01)
    # the note lines: Chinese, then the English (sxgeo.messages)
    assert "说明 note: 项目状态取自 '状态' 列 · project status read from column '状态'" in result.output
    assert "说明 note: 竣工年份取自 '完工日期' 列 · completion year read from column '完工日期'" in (
        result.output
    )
