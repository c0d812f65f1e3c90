"""The progress report: plan registry, history, status methods, HTML/XLSX/PDF."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from sxgeo.admin import load_targets, unit_target
from sxgeo.errors import SchemaError
from sxgeo.report.registry import load_plan

PLAN_15 = """
plan:
  id: shaoxing_15th
  name_zh: 绍兴市应对气候变化"十五五"规划(示例)
  name_en: Shaoxing 15th plan (example)
  start_year: 2025
  target_year: 2030
indicators:
  - id: sponge_coverage
    name_zh: 海绵城市达标面积比例
    name_en: Sponge-city share
    unit: "%"
    kind: expected
    baseline: {year: 2025, value: 50}
    target: {year: 2030, value: 80}
    unit_targets: {"330624": 60}
    computed_by: {table: sponge_coverage, column: coverage_pct, section: sponge}
  - id: pilot_villages
    name_zh: 零碳示范村
    name_en: Zero-carbon villages
    unit: 个
    kind: binding
    baseline: {year: 2025, value: 100}
    target: {year: 2030, value: 200}
"""


def test_registry_carries_every_figure_of_the_former_targets_table():
    # the rows of the former sxgeo/data/plan_targets.csv, copied from plan Table 1 and sections 3.2/3.7/4.2
    former = [
        ("sponge_coverage", "330600-urban", 2025, 50, "expected"),
        ("sponge_coverage", "330681", 2025, 50, "expected"),
        ("sponge_coverage", "330683", 2025, 50, "expected"),
        ("sponge_coverage", "330624", 2025, 30, "expected"),
        ("sponge_coverage", "330600", 2025, 50, "expected"),
        ("sponge_coverage", "330600", 2020, 20, "baseline"),
        ("pv_new_capacity", "330600", 2025, 1000, "expected"),
        ("pv_installed_capacity", "330600", 2020, 1066, "baseline"),
        ("forest_cover", "330600", 2025, 55.16, "expected"),
        ("forest_stock_volume", "330600", 2025, 2680, "binding"),
        ("forest_stock_volume", "330600", 2020, 2260, "baseline"),
        ("forest_vegetation_carbon", "330600", 2025, 2450, "expected"),
        ("wetland_protection_rate", "330600", 2025, 60.6, "expected"),
        ("wetland_protection_rate", "330600", 2020, 60.6, "baseline"),
    ]
    t = load_targets()
    assert list(t.columns) == ["indicator", "unit_code", "year", "value", "unit", "kind", "source"]
    for ind, code, year, value, kind in former:
        hit = t[(t.indicator == ind) & (t.unit_code == code) & (t.kind == kind)]
        assert len(hit) == 1, (ind, code, kind)
        assert hit["year"].iloc[0] == year
        assert hit["value"].iloc[0] == pytest.approx(value)
    # the fallbacks callers rely on: 越城区 -> 绍兴市区, a county without its own -> the city
    assert unit_target("sponge_coverage", "330602", targets=t) == 50
    assert unit_target("wetland_protection_rate", "330681", targets=t) == 60.6


def test_registry_marks_entered_and_computed():
    plan = load_plan()
    entered = {i.id for i in plan.indicators if i.entered}
    computed = {i.id for i in plan.indicators if not i.entered}
    assert computed == {
        "sponge_coverage",
        "forest_cover",
        "forest_stock_volume",
        "forest_vegetation_carbon",
        "wetland_protection_rate",
    }
    assert {"pv_installed_capacity", "pilot_counties", "pilot_towns", "pilot_villages"} <= entered
    pv = plan.get("pv_installed_capacity")
    assert pv is not None and pv.baseline == 1066 and pv.target == 1066 + 1000
    assert [
        (plan.get(f"pilot_{k}").baseline, plan.get(f"pilot_{k}").target)
        for k in ("counties", "towns", "villages")
    ] == [
        (0, 3),
        (1, 10),
        (1, 100),
    ]
    assert plan.get("forest_stock_volume").kind == "binding"
    assert all(i.source for i in plan.indicators)


def test_another_plan_file(tmp_path):
    path = tmp_path / "plan15.yaml"
    path.write_text(PLAN_15, encoding="utf-8")
    t = load_targets(plan=path)
    assert unit_target("sponge_coverage", "330624", targets=t) == 60
    assert unit_target("sponge_coverage", "330681", targets=t) == 80
    assert unit_target("sponge_coverage", "330600", kind="baseline", targets=t) == 50
    assert set(t["year"]) == {2025, 2030}
    assert load_plan(path).get("pilot_villages").entered


def test_bad_registry_names_file_and_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(PLAN_15.replace("kind: binding", "kind: mandatory"), encoding="utf-8")
    with pytest.raises(SchemaError, match=r"bad.yaml: indicator pilot_villages: kind 'mandatory'"):
        load_plan(path)
    path.write_text(PLAN_15.replace("value: 80", "value: eighty"), encoding="utf-8")
    with pytest.raises(
        SchemaError, match=r"bad.yaml: indicator sponge_coverage target: 'eighty' is not a number"
    ):
        load_plan(path)
