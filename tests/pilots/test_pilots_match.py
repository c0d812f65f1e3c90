"""Matching planners' lists to the 2023 division codes: a hand-made sheet, one expected answer per row."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from sxgeo.cli import app
from sxgeo.pilots.match import Gazetteer, MatchOptions, load_aliases, match_list, normalise, split_name

runner = CliRunner()

# name, county, town, expected code (None: no code), expected status
SHEET = [
    ("西小路社区", "越城区", None, "330602002053", "exact"),  # the existing pilot, as written in the table
    (
        "塔山村",
        "越城区",
        "塔山街道",
        "330602001200",
        "normalised",
    ),  # 村 = 村委会; 塔山社区 is in the same town
    (
        "塔山社区居委会",
        "越城区",
        None,
        "330602001011",
        "normalised",
    ),  # community type: 塔山社区, not 塔山村委会
    (
        "東浦村",
        "越城區",
        "東浦街道",
        "330602010200",
        "normalised",
    ),  # traditional; 东浦居委会 is in the same town
    ("胜利村", "绍兴县", None, "330603006253", "normalised"),  # old county name -> 柯桥区
    ("龙山社区", "330682", None, "330604001001", "exact"),  # name as written; old code of 上虞市 -> 上虞区
    ("胜利", "越城区", None, None, "ambiguous"),  # core only: 胜利社区 (北海) and 胜利村委会 (皋埠)
    ("浦口社区居委会", "嵊州市", "330683005", None, "ambiguous"),  # 浦口居委会 and 浦口社区, same town
    ("火星村", "越城区", None, None, "unmatched"),  # no such village
    ("⻄小路社区", None, None, "330602002053", "normalised"),  # CJK radical ⻄ (U+2EC4), city-wide
    ("西小路　社区", "越城", None, "330602002053", "normalised"),  # ideographic space, short county name
    ("胜利村", None, None, None, "ambiguous"),  # city-wide: 越城 and 柯桥 both have a 胜利村委会
    ("西小落社区", "越城区", None, "330602002053", "fuzzy"),  # one wrong character, within the county
    ("新昌县小将镇", None, None, "330624107", "normalised"),  # the existing town pilot, county in the name
    (None, "越城区", None, None, "unmatched"),  # empty name: kept, not dropped
    ("塔山村", "杭州市", None, None, "ambiguous"),  # unknown county: city-wide, two 塔山村委会
]


@pytest.fixture(scope="module")
def gaz(divisions):
    return Gazetteer(divisions)


def sheet_frame() -> pd.DataFrame:
    return pd.DataFrame([r[:3] for r in SHEET], columns=["名称", "县区", "乡镇"])


def test_normalise_and_split():
    assert normalise(" 紹興市⻄小路社區（试点） ") == "绍兴市西小路社区"
    assert normalise("ＡＢ１") == "AB1"
    assert split_name("塔山村民委员会") == ("塔山", "village", "村民委员会")
    assert split_name("塔山社区居民委员会") == ("塔山", "community", "社区居民委员会")
    assert split_name("府山街道") == ("府山", "town", "街道")
    assert split_name("村") == ("村", None, "")  # a suffix alone is a name, not an empty core


def test_sheet_every_row(gaz):
    out = match_list(sheet_frame(), gaz)
    assert len(out) == len(SHEET)
    assert out["row"].tolist() == list(range(1, len(SHEET) + 1))
    for (_, got), (name, county, _, code, status) in zip(out.iterrows(), SHEET, strict=True):
        assert got["status"] == status, (name, county, got.to_dict())
        assert (got["code"] if pd.notna(got["code"]) else None) == code, (name, county, got.to_dict())


def test_ambiguous_rows_list_every_candidate(gaz):
    out = match_list(sheet_frame(), gaz).set_index("row")
    assert out.loc[7, "candidates"].count(";") == 1
    assert "330602004018 胜利社区" in out.loc[7, "candidates"]
    assert "330602013218 胜利村委会" in out.loc[7, "candidates"]
    assert "330683005001 浦口居委会" in out.loc[8, "candidates"]
    assert "330683005002 浦口社区" in out.loc[8, "candidates"]
    assert "杭州市 unknown" in out.loc[16, "note"]
    assert "old name 绍兴县" in out.loc[5, "note"]
    assert "old code 330682" in out.loc[6, "note"]
    assert "fuzzy matching needs a county" not in out.loc[9, "note"]


def test_fuzzy_needs_county_and_lead(gaz):
    r = gaz.match("西小落社区")  # city-wide: no fuzzy matching
    assert r["status"] == "unmatched"
    assert "needs a county" in r["note"]
    assert r["candidates"].startswith("330602002053 西小路社区")
    strict = gaz.match("西小落社区", county="330602", options=MatchOptions(lead=20))
    assert strict["status"] == "ambiguous"  # 80 vs 67: a lead of 13 < 20


def test_overrides_rename_and_add(divisions):
    from sxgeo.pilots.match import apply_overrides

    ov = pd.DataFrame(
        {
            "code": ["330602002053", "330602002999"],
            "name": ["西小路未来社区", "新星社区"],
            "level": [None, "village"],
            "parent_code": [None, "330602002"],
            "county_adcode": [None, "330602"],
        }
    )
    d, renamed = apply_overrides(divisions, ov)
    assert len(d) == len(divisions) + 1
    g = Gazetteer(d, load_aliases(renamed))
    assert g.match("西小路未来社区")["code"] == "330602002053"
    old = g.match("西小路社区", county="330602")
    assert (old["code"], old["status"]) == ("330602002053", "normalised")
    assert "alias" in old["rule"]
    assert g.match("新星社区", county="330602")["code"] == "330602002999"


def test_cli_match_xlsx(tmp_path):
    src = tmp_path / "试点名单.xlsx"
    with pd.ExcelWriter(src) as xl:
        pd.DataFrame({"说明": ["x"]}).to_excel(xl, sheet_name="说明", index=False)
        sheet_frame().to_excel(xl, sheet_name="村", index=False)
    out = tmp_path / "matched.csv"
    res = runner.invoke(app, ["pilots", "match", "--list", str(src), "--sheet", "村", "-o", str(out)])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out, dtype=str)
    assert len(got) == len(SHEET)
    assert got["status"].tolist() == [r[4] for r in SHEET]
    for col in (
        "row",
        "input_name",
        "input_county",
        "code",
        "matched_name",
        "level",
        "county_adcode",
        "status",
        "score",
        "candidates",
        "rule",
    ):
        assert col in got.columns
    bad = runner.invoke(app, ["pilots", "match", "--list", str(src), "--sheet", "无", "-o", str(out)])
    assert bad.exit_code == 1
    assert "no sheet '无'" in str(bad.exception)


def test_cli_csv_without_county_within_county(tmp_path):
    src = tmp_path / "list.csv"
    pd.DataFrame({"name": ["胜利村", "塔山村"]}).to_csv(src, index=False, encoding="gbk")
    out = tmp_path / "m.csv"
    res = runner.invoke(app, ["pilots", "match", "--list", str(src), "--county", "柯桥区", "-o", str(out)])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out, dtype=str)
    assert got["code"].tolist()[0] == "330603006253"
    assert got["status"].tolist() == ["normalised", "unmatched"]  # no 塔山 in 柯桥区


def test_rows_with_coordinates_are_placed_and_checked(gaz, counties):
    from sxgeo.crs import wgs84_to_gcj02
    from sxgeo.pilots.match import check_coordinates

    lon = [120.582, 120.240, 120.582, None]  # 越城 seat, 诸暨 seat, 越城 seat, none
    lat = [30.000, 29.712, 30.000, None]
    t = pd.DataFrame(
        {"名称": ["西小路社区", "塔山村", "火星村", "胜利"], "县区": ["越城区"] * 4, "经度": lon, "纬度": lat}
    )
    m = check_coordinates(t, match_list(t, gaz), counties)
    assert m["point_county"].tolist()[:3] == ["330602", "330681", "330602"]
    assert m.loc[0, "note"] == ""
    assert "coordinates lie in county 330681, the matched code in 330602" in m.loc[1, "note"]
    assert "placed by its coordinates in county 330602" in m.loc[2, "note"]
    assert pd.isna(m.loc[3, "lon"]) and m.loc[3, "status"] == "ambiguous"
    # AMap (GCJ-02) coordinates are converted back to WGS84 first
    gx, gy = wgs84_to_gcj02([120.582], [30.000])
    g = pd.DataFrame({"name": ["西小路社区"], "lng": gx, "lat": gy})
    mg = check_coordinates(g, match_list(g, gaz), counties, crs="gcj02")
    assert mg.loc[0, "lon"] == pytest.approx(120.582, abs=1e-7)
    assert mg.loc[0, "lat"] == pytest.approx(30.000, abs=1e-7)


def test_old_county_names_and_codes_and_the_part_of_shaoxing_county_now_in_yuecheng():
    """嵊县 330623, 诸暨县 330625, 上虞县 330622 (checked against the county code lists); 绍兴县's 孙端, 陶堰
    and 富盛 went to 越城区 in 2013 (国函〔2013〕112号): a row under 绍兴县 not in 柯桥区 is found there."""
    from sxgeo.pilots.pipeline import gazetteer

    g = gazetteer({})
    assert g.county("330623")[0] == "330683" and g.county("嵊县")[0] == "330683"
    assert g.county("330625")[0] == "330681" and g.county("330622")[0] == "330604"
    t = pd.DataFrame({"名称": ["孙端村", "平水镇", "火星村"], "县区": ["绍兴县", "330621", "绍兴县"]})
    m = match_list(t, g)
    assert m["code"].tolist()[:2] == ["330602015200", "330603105"]
    assert "part of old 绍兴县 now in 越城区" in m["note"].iloc[0]
    assert m["status"].iloc[2] == "unmatched"


# ---- issue-20-tables: common headers, old town in front, every guess said ------------------------


def test_common_headers_are_recognised_and_said(gaz, caplog):
    t = pd.DataFrame({"所属县(市、区)": ["上虞区"], "所属乡镇(街道)": ["崧厦街道"], "行政村名称": ["祝温村"]})
    t.attrs["source"] = "名单.xlsx"
    with caplog.at_level("INFO"):
        out = match_list(t, gaz)
    # divisions.csv line for 祝温村委会: 330604007314, in town 330604007 崧厦街道
    assert out["code"].tolist() == ["330604007314"]
    said = caplog.text
    assert "county read from column '所属县(市、区)'" in said
    assert "town read from column '所属乡镇(街道)'" in said
    assert "name read from column '行政村名称'" in said


def test_no_name_column_lists_the_headers_seen(gaz):
    t = pd.DataFrame({"序号": [1], "备注": ["x"]})
    with pytest.raises(Exception, match=r"headers are \['序号', '备注'\]"):
        match_list(t, gaz)


def test_village_with_its_old_town_in_front_matches(gaz):
    # 崧厦镇 became 崧厦街道 (330604007); its village 祝温村委会 is 330604007314 in divisions.csv
    t = pd.DataFrame({"name": ["崧厦镇祝温村"], "county": ["上虞区"]})
    out = match_list(t, gaz)
    assert out["code"].tolist() == ["330604007314"]
    assert out["town_code"].tolist() == ["330604007"]


def test_swapped_lon_lat_rows_in_a_list_are_swapped_and_said(gaz, counties, caplog):
    from sxgeo.pilots.match import check_coordinates

    # row 2 typed right (越城 seat 120.582 E, 30.000 N), row 3 with 经度/纬度 the wrong way round
    t = pd.DataFrame(
        {
            "名称": ["西小路社区", "西小路社区"],
            "县区": ["越城区"] * 2,
            "经度": [120.582, 30.0],
            "纬度": [30.0, 120.582],
        }
    )
    with caplog.at_level("WARNING"):
        m = check_coordinates(t, match_list(t, gaz), counties)
    assert m["lon"].tolist() == [120.582, 120.582] and m["lat"].tolist() == [30.0, 30.0]
    assert m["point_county"].tolist() == ["330602", "330602"]
    assert m.loc[0, "note"] == ""
    assert "经度/纬度 swapped (read as 120.58200 E, 30.00000 N)" in m.loc[1, "note"]
    assert "rows 3 give 经度 and 纬度 the wrong way round" in caplog.text
