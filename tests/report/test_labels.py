"""The one label table: its names match the shipped tables, and it turns raw values into Chinese."""

from __future__ import annotations

from importlib import resources

import pandas as pd
import yaml

from sxgeo import labels


def _shipped(name: str) -> pd.DataFrame:
    return pd.read_csv(resources.files("sxgeo.data") / name)


def test_wetland_and_forest_names_are_the_shipped_tables():
    for name, table, key in (
        ("carbon_wetland_types.csv", labels.WETLAND_TYPES, "wetland_type"),
        ("carbon_forest_types.csv", labels.FOREST_TYPES, "forest_type"),
    ):
        df = _shipped(name)
        assert {k: v[0] for k, v in table.items()} == dict(zip(df[key], df["name_zh"], strict=True))


def test_pilot_criteria_are_the_shipped_ones():
    spec = yaml.safe_load((resources.files("sxgeo.data") / "pilot_criteria.yaml").read_text(encoding="utf-8"))
    for c in spec["criteria"]:
        assert labels.PILOT_CRITERIA[c["id"]][0] == c["name_zh"]


def test_zh_frame_translates_values_and_keeps_shape():
    df = pd.DataFrame(
        {
            "status": ["met", "behind", "no data"],
            "wetland_type": ["lake_reservoir", "river_canal", "mudflat"],
            "selected": [True, False, True],
            "name_en": ["met", "behind", "x"],
            "area_km2": [1.0, 2.0, 3.0],
        }
    )
    out = labels.zh_frame(df)
    assert out.shape == df.shape and list(out.columns) == list(df.columns)
    assert out["status"].tolist() == ["已达标", "未达标", "无数据"]
    assert out["wetland_type"].tolist() == ["湖泊/水库", "河流/运河", "滩涂(裸滩)"]
    assert out["selected"].tolist() == ["是", "否", "是"]
    assert out["name_en"].tolist() == ["met", "behind", "x"]  # an English column stays English
    assert out["area_km2"].tolist() == [1.0, 2.0, 3.0]


def test_reasons_in_chinese():
    assert labels.reason("selected") == "入选"
    assert labels.reason("existing pilot (fixed in)") == "既有试点（直接纳入）"
    assert labels.reason("score: 12.6 below the lowest selected (40.0)") == "得分 12.6 低于入选最低分 40.0"
    both = labels.reason(
        "score: 14.1 below the lowest selected (40.0); also spacing: 1.0 km from selected "
        "330602002053 西小路社区 (score 11.1), closer than 3 km"
    )
    assert both == (
        "得分 14.1 低于入选最低分 40.0；另：距已入选的 330602002053 西小路社区（得分 11.1）"
        "1.0 千米，近于最小间距 3 千米"
    )
    gate = labels.reason("gate ledger (已建立碳排放统计台账(合成)): carbon_ledger == 1 (is 0)")
    assert gate == "门槛未通过：已建立碳排放统计台账(合成)（carbon_ledger == 1，实际 0）"
    assert labels.reason("quota: county 330624 is at its maximum of 5") == "配额：330624 已达上限 5 个"
    assert labels.reason("something new") == "something new"  # never dropped


def test_report_categories_take_the_label_table():
    from sxgeo.report.status import CATEGORIES

    assert {k: v[:2] for k, v in CATEGORIES.items()} == {k: labels.STATUS[k] for k in CATEGORIES}
