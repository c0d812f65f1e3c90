"""The report of two plans: the 14th plan's final assessment (总结评估) and the draft 15th plan to 2030.

Hand-made histories; every figure is worked out in the comment next to its assertion. Registry
figures: 14th sponge 20 % (2020) -> 50 % (2025) city, 30 % for 新昌 330624, 50 % for 诸暨 330681
(plan Table 1 row 12, section 4.2); forest stock 2,260 -> 2,680万 m³ (binding); energy intensity
0.41 -> 0.342 tce/万元 (binding, decrease); wetland protection not below 60.6 %; PV 1,066 -> 2,066 MW.
15th (draft): sponge 80 % by 2030 (国办发〔2015〕75号), CO2 index 100 (2025) -> 83 (2030).
"""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from sxgeo import plan
from sxgeo.admin import CITY_CODE
from sxgeo.cli import app
from sxgeo.report import history as hist
from sxgeo.report import make_report, write_report
from sxgeo.report.final import FINAL_FILE, five_year_period, period_name
from sxgeo.report.page import place_labels, render_html, text_width
from sxgeo.sponge.coverage import coverage_table
from sxgeo.sponge.gaps import sponge_gap
from sxgeo.sponge.zones import zone_built_up

XINCHANG, ZHUJI, SHENGZHOU = "330624", "330681", "330683"
HISTORY = (
    "indicator,unit_code,year,value,origin\n"
    "sponge_coverage,330600,2020,20,computed\n"
    "sponge_coverage,330600,2023,40,computed\n"
    "sponge_coverage,330600,2025,52,computed\n"
    "sponge_coverage,330600,2026,62,computed\n"
    "sponge_coverage,330624,2020,10,computed\n"
    "sponge_coverage,330624,2025,28,computed\n"
    "sponge_coverage,330624,2026,33,computed\n"
    "forest_stock_volume,330600,2025,2700,computed\n"
    "wetland_protection_rate,330600,2025,61,computed\n"
    "pv_installed_capacity,330600,2022,1520,entered\n"
    "pv_installed_capacity,330600,2024,1850,entered\n"
    "energy_intensity,330600,2025,0.35,entered\n"
    "co2_intensity,330600,2026,97,entered\n"
)


@pytest.fixture
def history(tmp_path) -> pd.DataFrame:
    path = tmp_path / hist.HISTORY_FILE
    path.write_text(HISTORY, encoding="utf-8")
    return hist.read_history(path, plan.load_plan("shaoxing_15th"))


def _row(table: pd.DataFrame, indicator: str, code: str) -> pd.Series:
    hit = table[(table["indicator"] == indicator) & (table["unit_code"].astype(str) == code)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_period_names():
    assert period_name(plan.load_plan("shaoxing_14th")) == "十四五"
    assert period_name(plan.load_plan("shaoxing_15th")) == "十五五"
    # from the years when the name does not say: the 3rd plan ended in 1970, each later one 5 years on
    assert five_year_period(2030, 2035) == "十六五"
    assert five_year_period(2015, 2020) == "十三五"
    assert five_year_period(2020, 2024) == "" and five_year_period(2021, 2026) == ""


def test_final_assessment_of_the_14th_plan_in_the_report(tmp_path, history, counties):
    p14 = plan.load_plan("shaoxing_14th")
    data = make_report(p14, history, counties, year=2025)  # the target year: the final assessment
    assert data.is_final
    written = write_report(data, tmp_path / "R", pdf=False)
    assert tmp_path / "R" / FINAL_FILE in written
    table = pd.read_csv(tmp_path / "R" / FINAL_FILE, dtype={"unit_code": str}, encoding="utf-8-sig")
    # binding (约束性) indicators first
    assert list(dict.fromkeys(table["kind"])) == ["binding", "expected"]
    verdicts = {
        # sponge: 52 >= 50 met; +32 since 2020; years 2020, 2023, 2025 (2026's 62 is past the period)
        ("sponge_coverage", CITY_CODE): ("met", 52, 32, 3),
        # 新昌: 28 < its own 30: not met; +18 since its own 2020 value 10
        ("sponge_coverage", XINCHANG): ("not_met", 28, 18, 2),
        # forest stock: 2,700 >= 2,680 met; +440 since 2,260 (the registry's 2020 baseline)
        ("forest_stock_volume", CITY_CODE): ("met", 2700, 440, 1),
        # a level to keep: 61 >= 60.6 is 保持 (kept); 61 - 60.6 = +0.4
        ("wetland_protection_rate", CITY_CODE): ("kept", 61, 0.4, 1),
        # PV: no 2025 value, the latest (2024) is judged: 1,850 < 2,066 not met; +784 since 1,066
        ("pv_installed_capacity", CITY_CODE): ("not_met", 1850, 784, 2),
        # energy intensity falls: 0.35 > 0.342 not met; 0.35 - 0.41 = -0.06
        ("energy_intensity", CITY_CODE): ("not_met", 0.35, -0.06, 1),
    }
    for (ind, code), (status, final, change, years) in verdicts.items():
        r = _row(table, ind, code)
        assert r["status"] == status, (ind, code)
        assert r["final_value"] == pytest.approx(final) and r["change"] == pytest.approx(change)
        assert r["years_with_data"] == years
    assert _row(table, "pv_installed_capacity", CITY_CODE)["final_year"] == 2024
    assert _row(table, "sponge_coverage", ZHUJI)["status"] == "no_data"  # a 50 % target, no value
    # the conclusions: the city 5 assessed, 3 met (sponge, stock, wetland), not met in the table's order
    # (binding first): energy intensity, then PV; 13 shown indicators - 5 = 8 without a verdict
    c = data.conclusions.set_index("unit_code")
    assert c.loc[CITY_CODE, ["assessed", "met_count", "not_met_count", "unassessed_count"]].tolist() == [
        5,
        3,
        2,
        8,
    ]
    assert c.loc[CITY_CODE, "conclusion_zh"] == (
        "绍兴市：5 项可评估指标中 3 项实现目标，未实现：单位GDP综合能耗、光伏发电装机容量；"
        "8 项未评估（无数值或目标待定）。"
    )
    # 新昌: its sponge target is its only own one (the others are city-wide: no county verdict)
    assert c.loc[XINCHANG, "conclusion_zh"].startswith(
        "新昌县：1 项可评估指标中 0 项实现目标，未实现：达到海绵城市"
    )
    assert c.loc[ZHUJI, "conclusion_zh"] == "诸暨市：无可评估的指标；1 项未评估（无数值或目标待定）。"
    html = (tmp_path / "R" / "index.html").read_text(encoding="utf-8")
    assert "<h1>十四五规划实施情况总结评估 2020-2025</h1>" in html and 'id="final"' in html
    final = html.split('<section id="final">')[1].split("</section>")[0]
    order = re.findall(r'<tr class="ind" data-indicator="(\w+)"', final)
    assert order[:3] == ["forest_stock_volume", "energy_intensity", "non_fossil_share"]
    row = final.split('data-indicator="sponge_coverage" data-unit="330624">')[1].split("</tr>")[0]
    assert 'data-status="not_met"' in row and "+18" in row
    assert f'<p class="conclusion" data-unit="{XINCHANG}">' in html  # the county page says it too
    # the XLSX: the final table first, Chinese headers in its 中文 sheet
    book = pd.read_excel(tmp_path / "R" / "report.xlsx", sheet_name=None)
    zh = book["final 中文"]
    assert {"终期值", "期内变化", "有数据年数", "2025年数值", "2020年数值"} <= set(zh.columns)
    assert len(zh) == len(table) and "final_conclusions 中文" in book
    assert "未实现" in set(zh["状态"])
    notes = pd.read_excel(tmp_path / "R" / "report.xlsx", sheet_name="notes", header=None)
    assert any("总结评估 final assessment 2020-2025" in str(v) for v in notes.to_numpy().ravel())


def test_a_progress_report_in_the_target_year_when_asked(tmp_path, history, counties):
    data = make_report(plan.load_plan("shaoxing_14th"), history, counties, year=2025, final=False)
    written = write_report(data, tmp_path, pdf=False)
    assert not data.is_final and not (tmp_path / FINAL_FILE).exists() and len(written) == 2
    assert "实施进展评估 2025" in (tmp_path / "index.html").read_text(encoding="utf-8")
    # before the target year, no final assessment unless asked
    assert not make_report(plan.load_plan("shaoxing_14th"), history, counties, year=2024).is_final
    assert make_report(plan.load_plan("shaoxing_14th"), history, counties, year=2024, final=True).is_final


def test_the_draft_15th_plan_in_2026(history, counties):
    p15 = plan.load_plan("shaoxing_15th")
    data = make_report(p15, history, counties, year=2026)
    assert not data.is_final
    st = data.status.set_index(["indicator", "unit_code"])
    # sponge: baseline 52 (the 2025 value of the history), target 80; (62 - 52) / 28 = 0.357 of the
    # change in 1/5 of the time: >= 0.20 + 0.10, faster; on the path 52 + 28 x 1/5 = 57.6 in 2026
    city = st.loc[("sponge_coverage", CITY_CODE)]
    assert (city["baseline"], city["target"], city["status"]) == (52, 80, "faster")
    assert city["path_value"] == pytest.approx(57.6)
    assert pd.isna(st.loc[("sponge_coverage", XINCHANG), "path_value"])  # no county target yet
    # CO2 index: the compound path 100 x 0.83 ** (1/5) = 96.34 in 2026; 97 is above it (falling is better)
    assert st.loc[("co2_intensity", CITY_CODE), "path_value"] == pytest.approx(100 * 0.83**0.2)
    # the draft's target: null rows are 待定 for every unit, not 无法评估
    for ind in ("forest_cover", "forest_stock_volume", "pilot_villages", "zero_carbon_parks"):
        rows = data.status[data.status["indicator"] == ind]
        assert set(rows["status"]) == {"pending"} and set(rows["label_zh"]) == {"待定"}, ind
    html = render_html(data)
    assert 'id="draft"' in html and "草案" in html and "森林覆盖率" in html.split('id="draft"')[1][:300]
    # the summary: the 2025 baseline from the history, the 2030 target; verify beside secondary figures
    sponge = html.split('<tr data-indicator="sponge_coverage">')[1].split("</tr>")[0]
    assert "基期 2025 52.0 → 目标 2030 80.0" in sponge and "待核实" in sponge
    forest = html.split('<tr data-indicator="forest_cover">')[1].split("</tr>")[0]
    assert "目标 2030 待定 pending" in forest and "无法评估" not in forest
    # the trend: one line 2020-2026 across both plans, the 14th's 2025 target and the 15th's 2030 target
    chart = html.split('id="ind-sponge_coverage"')[1].split('class="chart trend"')[1].split("</svg>")[0]
    assert chart.count('class="target-mark"') == 2
    assert ">十四五目标 50.0<" in chart and ">十五五目标 80.0<" in chart
    assert chart.count("<circle") == 4  # 2020, 2023, 2025, 2026
    assert 'class="path-mark"' in html.split('id="ind-sponge_coverage"')[1].split('class="chart trend"')[0]


def test_final_assessment_of_the_15th_plan_in_2030(tmp_path, counties):
    path = tmp_path / hist.HISTORY_FILE
    path.write_text(
        HISTORY + "sponge_coverage,330600,2030,81,computed\nco2_intensity,330600,2030,85,entered\n",
        encoding="utf-8",
    )
    p15 = plan.load_plan("shaoxing_15th")
    data = make_report(p15, hist.read_history(path, p15), counties, year=2030)
    assert data.is_final
    t = data.final
    # sponge: 81 >= 80 met; baseline 52 (the 14th plan's 2025 value), +29; years 2025, 2026, 2030
    city = _row(t, "sponge_coverage", CITY_CODE)
    assert (city["status"], city["baseline"], city["change"], city["years_with_data"]) == ("met", 52, 29, 3)
    # CO2 index falls: 85 > 83 not met; 85 - 100 = -15 of the planned -17: 15/17 of the change
    co2 = _row(t, "co2_intensity", CITY_CODE)
    assert co2["status"] == "not_met" and co2["change"] == -15 and co2["progress"] == pytest.approx(15 / 17)
    # the draft's pending rows are 待定 in the final table too, and not counted as assessed
    assert set(t.loc[t["indicator"] == "forest_cover", "label_zh"]) == {"待定"}
    c = data.conclusions.set_index("unit_code").loc[CITY_CODE]
    # 12 indicators: sponge met, CO2 not met; non-fossil (no value) and 9 pending: 10 unassessed
    assert (c["assessed"], c["met_count"], c["not_met_names"], c["unassessed_count"]) == (
        2,
        1,
        "单位GDP二氧化碳排放",
        10,
    )
    assert "<h1>十五五规划实施情况总结评估 2025-2030</h1>" in render_html(data)


def _svg_text_boxes(svg: str) -> list[tuple[float, float, float, float]]:
    boxes = []
    for x, y, size, anchor, text in re.findall(
        r'<text x="([\d.]+)" y="([\d.]+)" font-size="(\d+)" text-anchor="(\w+)"[^>]*>([^<]*)</text>', svg
    ):
        w, s = text_width(text, float(size)), float(size)
        x0 = float(x) - w / 2 if anchor == "middle" else float(x) - w if anchor == "end" else float(x)
        boxes.append((x0, float(y) - s, x0 + w, float(y) + 2))
    return boxes


def test_trend_labels_do_not_overlap(history, counties):
    html = render_html(make_report(plan.load_plan("shaoxing_15th"), history, counties, year=2026))
    charts = re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" class="chart trend".*?</svg>', html)
    assert charts
    for svg in charts:
        boxes = _svg_text_boxes(svg)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert len(place_labels([(10, 10, "x", 9), (10, 10, "x", 9)])) == 2  # the second moved down


def _km(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A rectangle in EPSG:4549, corners in km from (500 km, 3,300 km)."""
    return shapely.box(500_000 + x0 * 1000, 3_300_000 + y0 * 1000, 500_000 + x1 * 1000, 3_300_000 + y1 * 1000)


def test_the_sponge_gap_runs_to_the_chosen_plans_target():
    # six 30 km county boxes; built-up 110-124 km x 1 km: 诸暨 (90-120) 10 km², 嵊州 (120-150) 4 km²
    codes = ["330602", "330603", "330604", ZHUJI, SHENGZHOU, XINCHANG]
    counties = gpd.GeoDataFrame(
        {"adcode": codes}, geometry=[_km(30 * i, 0, 30 * i + 30, 30) for i in range(6)], crs=4549
    )
    built = gpd.GeoDataFrame(geometry=[_km(110, 0, 124, 1)], crs=4549)
    geoms = {
        "Z1": _km(110, 0, 113, 2.5),  # 3 km² built-up
        "Z2": _km(113, 0, 115, 1),  # 2
        "Z3": _km(115, 0, 116, 1),  # 1
        "Z4": _km(116, 0, 118, 1),  # 2
        "ZX": _km(118, 0, 122, 1),  # 4: 2 in 诸暨, 2 in 嵊州
        "ZY": _km(122, 0, 124, 1),  # 2
    }
    storage = {"Z1": 100.0, "Z2": 200.0, "Z3": 50.0, "Z4": 1000.0, "ZX": 160.0, "ZY": 10.0}
    zones = pd.DataFrame(
        {
            "zone_id": list(geoms),
            "name": list(geoms),
            "area_km2": [g.area / 1e6 for g in geoms.values()],
            "passes": False,
            "extra_storage_m3": [storage[k] for k in geoms],
        }
    )
    parts = zone_built_up(gpd.GeoDataFrame(zones, geometry=list(geoms.values()), crs=4549), built, counties)
    t15 = plan.load_plan_targets(plan="shaoxing_15th")
    before = coverage_table(built, built.iloc[:0], counties, targets=t15).set_index("unit_code")
    # the 15th plan: 80 % of the city's 14 km² by 2030, nothing compliant yet: 0.8 x 14 - 0 = 11.2 km²
    assert before.loc[CITY_CODE, ["target_pct", "gap_km2"]].tolist() == [80, pytest.approx(11.2)]
    assert before.loc[[ZHUJI, SHENGZHOU], "gap_km2"].isna().all()  # no county target in the draft yet
    table = sponge_gap(before.reset_index(), zones, parts)
    assert set(table["county"]) == {CITY_CODE}
    # whole sub-zones, largest built-up first (ties: least storage): ZX 4, Z1 3, ZY 2, Z2 2, Z4 2
    # -> 4, 7, 9, 11, 13 km²: Z4 is the first to reach 11.2
    assert list(table["zone_id"]) == ["ZX", "Z1", "ZY", "Z2", "Z4"]
    assert list(table["cumulative_km2"]) == [4, 7, 9, 11, 13] and list(table["closes_gap"]) == [False] * 4 + [
        True
    ]
    assert table["zone_id"].iloc[0] == "ZX" and table["county"].iloc[0] == CITY_CODE

    def city_pct(passing: list[str]) -> float:
        ok = gpd.GeoDataFrame(geometry=[geoms[k] for k in passing], crs=4549)
        return float(
            coverage_table(built, ok, counties, targets=t15)
            .set_index("unit_code")
            .loc[CITY_CODE, "coverage_pct"]
        )

    # making them pass: 13 / 14 = 92.9 % >= 80; one fewer: 11 / 14 = 78.6 % < 80
    assert city_pct(list(table["zone_id"])) == pytest.approx(92.86, abs=0.01)
    assert city_pct(list(table["zone_id"])[:-1]) == pytest.approx(78.57, abs=0.01)
    # the 14th plan: the city's 50 % is 7 km² (ZX 4 + Z1 3), 诸暨's 50 % of 10 km² is 5 km²
    t14 = plan.load_plan_targets()
    old = sponge_gap(coverage_table(built, built.iloc[:0], counties, targets=t14), zones, parts)
    assert list(old.loc[old["county"] == CITY_CODE, "zone_id"]) == ["ZX", "Z1"]
    assert old.loc[old["county"] == ZHUJI, "gap_km2"].iloc[0] == pytest.approx(5.0)


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(app, ["report", *args, "--no-pdf"])
    assert result.exit_code == 0, (result.stderr, result.exception)
    return result.stdout


def test_report_command_final_then_the_15th_plan_on_the_tiny_project(tmp_path, tiny_dir):
    project = str(tiny_dir / "sxgeo.toml")
    out = tmp_path / "R"
    # the tiny project's year 2025 is the 14th plan's target year: its final assessment
    _invoke("--project", project, "--year", "2025", "-o", str(out))
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "总结评估" in html and "十四五规划实施情况总结评估" in html
    final = pd.read_csv(out / FINAL_FILE, dtype={"unit_code": str}, encoding="utf-8-sig")
    history = hist.read_history(out / hist.HISTORY_FILE, plan.load_plan("shaoxing_15th"))
    sponge_2025 = history[
        (history["indicator"] == "sponge_coverage")
        & (history["unit_code"] == CITY_CODE)
        & (history["year"] == 2025)
    ]["value"].iloc[0]
    city = _row(final, "sponge_coverage", CITY_CODE)
    assert city["final_value"] == pytest.approx(sponge_2025)
    assert city["status"] == ("met" if sponge_2025 >= 50 else "not_met")
    # then the 15th plan in 2026, into the same folder: its history holds the 14th plan's 2025 values
    _invoke("--project", project, "--plan", "shaoxing_15th", "--year", "2026", "-o", str(out))
    html = (out / "index.html").read_text(encoding="utf-8")
    assert (
        'id="draft"' in html and "总结评估" not in html.split("<body>")[1].split('<section id="summary">')[0]
    )
    row = html.split('<tr data-indicator="sponge_coverage">')[1].split("</tr>")[0]
    from sxgeo.report.page import fmt

    assert f"基期 2025 {fmt(sponge_2025)} → 目标 2030 80.0" in row
    assert 'data-unit="330600" data-status="' in row and '/ <span class="target">80.0</span>' in row
    # offline: nothing to fetch
    assert "<script" not in html and not [
        u for u in re.findall(r"(?:src|href)=\"([^\"]+)\"", html) if not u.startswith(("#", "../"))
    ]
