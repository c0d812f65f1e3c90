"""The one label table (zh, en) of what a planner reads: statuses, classes, criteria, reasons, headers.

Every page a planner reads takes its words from here: the maps' tooltips, popups and legends
(:mod:`sxgeo.maps`, the capabilities' ``view.py``), the ``中文`` sheets of every XLSX
(:func:`sxgeo.io.write_workbook` through :func:`zh_frame`), the report and its PDF
(:mod:`sxgeo.report`). A value without an entry is shown as it is (never dropped).

The tables:

* :data:`STATUS`: the report's categories (:data:`sxgeo.report.status.CATEGORIES`, the words of the
  14th plan's mid-term review) and the per-unit tables' ``status`` values (``met`` / ``behind`` /
  ``no data``, :func:`sxgeo.unit_table.add_status`);
* :data:`WETLAND_TYPES`, :data:`FOREST_TYPES` (the names of ``sxgeo/data/carbon_wetland_types.csv``
  and ``carbon_forest_types.csv``, checked equal by the tests) and :data:`LANDCOVER_CLASSES`
  (the demo pools table's classes);
* :data:`PILOT_CRITERIA` (the shipped ``sxgeo/data/pilot_criteria.yaml``), :data:`PILOT_LABELS`
  (robustness) and :func:`reason` (the selection's reasons, :func:`sxgeo.pilots.explain.reasons`);
* :data:`BOOLEAN` (是/否) and :data:`COLUMNS`, the column headers of the gap and report tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

Pair = tuple[str, str]

STATUS: dict[str, Pair] = {
    # the report's categories (sxgeo.report.status.CATEGORIES)
    "achieved": ("提前实现", "achieved early"),
    "met": ("已实现", "target met"),
    "not_met": ("未实现", "target not met"),  # the final assessment's verdict (status.final_status)
    "kept": ("保持", "level kept"),
    "faster": ("快于预期", "faster than expected"),
    "on_track": ("基本符合预期", "roughly on schedule"),
    "lagging": ("滞后", "lagging"),
    "no_target": ("无县级目标", "no county target"),
    "no_figure": ("无量化目标", "no numeric target"),
    "no_data": ("无法评估", "unable to assess"),
    "pending": ("待定", "pending: no target yet"),  # a draft plan's target: null row (not graded)
    # computed stand-ins for entered indicators (sxgeo.report.dashboard.computed_counts)
    "sited_enough": ("选址已足", "siting reaches the target"),
    "sited_short": ("选址不足", "siting short of the target"),
    "potential": ("屋顶潜力（非装机）", "rooftop potential, not installed"),
    # the per-unit tables' status column (sxgeo.unit_table.add_status, carbon.stands)
    "behind": ("未达标", "behind"),
    "no data": ("无数据", "no data"),
    "on schedule": ("基本符合预期", "on schedule"),
    "reference": ("参照全市目标", "against the city target"),
}
"""Status code -> (zh, en)."""

TABLE_STATUS: dict[str, Pair] = {
    "met": ("已达标", "met"),
    "behind": ("未达标", "behind"),
    "no data": ("无数据", "no data"),
}
"""The ``status`` column of a per-unit table (met / behind / no data) -> (zh, en)."""

WETLAND_TYPES: dict[str, Pair] = {
    "lake_reservoir": ("湖泊/水库", "lake or reservoir"),
    "river_canal": ("河流/运河", "river or canal"),
    "tidal_marsh": ("潮间带盐沼", "tidal marsh"),
    "mudflat": ("滩涂(裸滩)", "mudflat"),
    "paddy": ("水田", "paddy"),
    "marsh": ("沼泽(沼泽地/沼泽草地/森林沼泽/灌丛沼泽)", "marsh"),
    "mangrove": ("红树林地", "mangrove"),
}
"""Wetland type -> (zh, en); the zh names are those of ``sxgeo/data/carbon_wetland_types.csv``."""

FOREST_TYPES: dict[str, Pair] = {
    "chinese_fir": ("杉木", "Chinese fir"),
    "masson_pine": ("马尾松", "Masson pine"),
    "other_conifer": ("其他松类/针叶", "other pines and conifers"),
    "cryptomeria": ("柳杉/水杉", "Cryptomeria / Metasequoia"),
    "cypress": ("柏木", "cypress"),
    "oak": ("栎类", "oak"),
    "schima_camphor": ("木荷/樟", "Schima / camphor"),
    "hardwood": ("硬阔", "hardwood broadleaf"),
    "softwood": ("软阔", "softwood broadleaf"),
    "mixed_conifer": ("针叶混", "mixed conifer"),
    "broadleaf_mix": ("阔叶混", "mixed broadleaf"),
    "conif_broad_mix": ("针阔混", "mixed conifer-broadleaf"),
    "moso_bamboo": ("毛竹", "moso bamboo"),
    "tea": ("茶园", "tea garden"),
    "shrub": ("灌木林", "shrubland"),
    "special_shrub": ("国家特别规定灌木林", "state-designated shrubland"),
}
"""Forest type -> (zh, en); the zh names are those of ``sxgeo/data/carbon_forest_types.csv``."""

LANDCOVER_CLASSES: dict[str, Pair] = {
    "conifer_forest": ("针叶林", "conifer forest"),
    "broadleaf_forest": ("阔叶林", "broadleaf forest"),
    "bamboo": ("竹林", "bamboo"),
    "tea_shrub": ("茶园/灌木", "tea and shrub"),
    "paddy_crop": ("水田/耕地", "paddy and cropland"),
    "water": ("水体", "water"),
    "built_up": ("建成区", "built-up"),
    "tidal_marsh": ("滩涂/盐沼", "tidal flat and marsh"),
    "forest": ("林地", "forest"),
    "crop": ("耕地", "cropland"),
    "built": ("建设用地", "built"),
    "wetland": ("湿地", "wetland"),
}
"""Land-cover class name (``lulc_name``, ``kind``) -> (zh, en): the demo pools table's classes; a
project's own pools table names its classes in ``lulc_name_zh``."""

PILOT_CRITERIA: dict[str, Pair] = {
    "pv": ("屋顶光伏潜力", "rooftop PV potential"),
    "forest": ("森林覆盖率", "forest cover"),
    "energy": ("人均用电量", "electricity use per person"),
    "sponge": ("所在乡镇海绵城市达标率", "sponge coverage of its town"),
    "population": ("常住人口", "resident population"),
    "spread": ("距已有试点距离", "distance to an existing pilot"),
    "builtup": ("建成区占比", "built-up share"),
    "ledger": ("已建立碳排放统计台账", "carbon accounting ledger in place"),
    # the parks: block (zero-carbon park candidates)
    "core": ("单位能耗碳排放", "CO2 per unit of energy use"),
    "clean_energy": ("清洁能源消费占比", "clean-energy share"),
    "pv_share": ("屋顶光伏可供用电比例", "share of electricity use its roofs could supply"),
    "solid_waste": ("工业固废综合利用率", "industrial solid-waste reuse"),
    "water_reuse": ("工业用水重复利用率", "industrial water reuse"),
    "zone_eligible": (
        "省级及以上开发区或其园中园",
        "provincial-or-higher development zone, or a park inside one",
    ),
}
"""Pilot criterion id -> (zh, en): those of the shipped ``sxgeo/data/pilot_criteria.yaml`` (a project's
own criteria carry their names in its criteria file)."""

PILOT_LABELS: dict[str, Pair] = {
    "robust": ("稳健入选", "robust"),
    "weight-dependent": ("取决于权重", "weight-dependent"),
    "unlikely": ("不太可能入选", "unlikely"),
    "fixed": ("既有试点", "existing pilot"),
    "selected": ("入选", "selected"),
}
"""Robustness label of a pilot candidate (:mod:`sxgeo.pilots.explain`) -> (zh, en)."""

LEVELS: dict[str, Pair] = {
    "counties": ("县（市、区）", "counties"),
    "towns": ("乡镇（街道）", "towns"),
    "villages": ("村（社区）", "villages"),
    "county": ("县（市、区）", "county"),
    "town": ("乡镇（街道）", "town"),
    "village": ("村（社区）", "village"),
    "parks": ("园区", "parks"),
    "park": ("园区", "park"),
    # a park's development-zone level (sxgeo.parks.tables.LEVELS, 《中国开发区审核公告目录》)
    "national": ("国家级", "national"),
    "provincial": ("省级", "provincial"),
}
"""Pilot level, and a park's development-zone level -> (zh, en)."""

CORE_GRADES: dict[str, Pair] = {
    "meets": ("达到限值", "meets the limit"),
    "above": ("高于限值", "above the limit"),
    "no_data": ("无填报", "no data"),
}
"""Grade of a park's core indicator 单位能耗碳排放 (:data:`sxgeo.parks.tables.GRADES`) -> (zh, en); the
limits are from a secondary source until the notice's annex is read: the header says 待核实 (verify)."""

TOWN_KINDS: dict[str, Pair] = {
    "town": ("镇", "town"),
    "township": ("乡", "township"),
    "street": ("街道", "street"),
}
"""Kind of a town-level division (the towns layer's ``kind``) -> (zh, en)."""

DIRECTIONS: dict[str, Pair] = {
    "benefit": ("越大越好", "benefit"),
    "cost": ("越小越好", "cost"),
    "increase": ("提高", "increase"),
    "decrease": ("降低", "decrease"),
    "maintain": ("保持不低于", "maintain"),
}
"""Which way is better: a pilot criterion's (benefit/cost) and an indicator's (increase/decrease/maintain)."""

SPONGE_RESULT: dict[str, Pair] = {"pass": ("达标", "pass"), "fail": ("未达标", "fail")}
"""Sub-zone result -> (zh, en)."""

BOOLEAN: dict[bool, Pair] = {True: ("是", "yes"), False: ("否", "no")}
"""A true/false cell -> (zh, en)."""

COLUMNS: dict[str, Pair] = {
    "indicator": ("指标代码", "indicator"),
    "name_zh": ("指标", "name (zh)"),
    "direction": ("方向", "direction"),
    "name_en": ("指标(英文)", "name (en)"),
    "unit": ("单位", "unit"),
    "kind": ("指标性质", "kind"),
    "origin": ("来源类型", "origin"),
    "unit_code": ("区划代码", "unit code"),
    "unit_name": ("区划", "unit"),
    "unit_name_en": ("区划(英文)", "unit (en)"),
    "year": ("年份", "year"),
    "value": ("数值", "value"),
    "baseline": ("基期值", "baseline"),
    "target": ("目标值", "target"),
    "status": ("状态", "status"),
    "label_zh": ("状态", "status (zh)"),
    "label_en": ("状态(英文)", "status (en)"),
    "colour": ("颜色", "colour"),
    "method": ("评估方法", "method"),
    "note": ("说明(英文)", "note"),
    "source": ("数据来源", "source"),
    "data_date": ("数据日期", "data date"),
    "path_value": ("按进度应达值", "value on the plan's path"),
    "verify": ("目标待核实", "target to verify"),
    "baseline_year": ("基期年份", "baseline year"),
    "final_year": ("终期数值年份", "year of the final value"),
    "final_value": ("终期值", "final value"),
    "target_year": ("目标年份", "target year"),
    "change": ("期内变化", "change over the period"),
    "progress": ("完成规划变化比例", "share of the planned change"),
    "years_with_data": ("有数据年数", "years with data"),
    "assessed": ("可评估指标数", "indicators assessed"),
    "met_count": ("实现目标数", "targets met"),
    "not_met_count": ("未实现数", "targets not met"),
    "not_met_names": ("未实现指标", "indicators not met"),
    "unassessed_count": ("未评估数", "not assessed"),
    "conclusion_zh": ("结论", "conclusion (zh)"),
    "conclusion_en": ("结论(英文)", "conclusion (en)"),
    "county": ("县区代码", "county code"),
    "county_name": ("县区", "county"),
    "county_adcode": ("县区代码", "county code"),
    "gap_km2": ("差距(km²)", "gap (km²)"),
    "order": ("排序方式", "order"),
    "rank": ("序号", "rank"),
    "zone_id": ("分区编号", "sub-zone"),
    "name": ("名称", "name"),
    "area_km2": ("面积(km²)", "area (km²)"),
    "built_up_km2": ("建成区面积(km²)", "built-up (km²)"),
    "cumulative_km2": ("累计面积(km²)", "cumulative (km²)"),
    "extra_storage_m3": ("需增调蓄容积(m³)", "extra storage (m³)"),
    "m3_per_km2": ("每km²调蓄容积(m³/km²)", "storage per km² (m³/km²)"),
    "closes_gap": ("补足差距", "closes the gap"),
    "roofs": ("屋顶数", "roofs"),
    "mwp": ("装机(MWp)", "capacity (MWp)"),
    "capacity_mwp": ("装机潜力(MWp)", "capacity (MWp)"),
    "rate_pct": ("现保护率(%)", "protection rate (%)"),
    "target_pct": ("目标(%)", "target (%)"),
    "target_of": ("目标来源", "target of"),
    "gap_ha": ("差距(ha)", "gap (ha)"),
    "wetland_id": ("湿地编号", "wetland"),
    "wetland_type": ("湿地类型", "wetland type"),
    "unprotected_ha": ("未保护面积(ha)", "unprotected (ha)"),
    "cumulative_ha": ("累计面积(ha)", "cumulative (ha)"),
    "rate_after_pct": ("保护后保护率(%)", "rate after (%)"),
    "gap": ("差距(个)", "gap (count)"),
    "rank_in_list": ("顺序", "order in list"),
    "code": ("区划代码", "code"),
    "score": ("得分", "score"),
    "selected": ("已入选", "selected"),
    "fixed": ("既有试点", "existing pilot"),
    "count_after": ("累计数量", "count after"),
    "pilot_rank": ("选址排名", "siting rank"),
    "cover_pct": ("现森林覆盖率(%)", "forest cover (%)"),
    "parcel_id": ("地块编号", "parcel"),
    "lulc_name": ("地类", "land cover"),
    "area_ha": ("面积(ha)", "area (ha)"),
    "cover_after_pct": ("造林后覆盖率(%)", "cover after (%)"),
    "reason": ("入选/未入选原因", "reason"),
    "label": ("稳健性", "robustness"),
    "level": ("层级", "level"),
    "passes": ("是否达标", "passes"),
    "protected": ("是否保护", "protected"),
    "suitable": ("是否适宜", "suitable"),
    "synthetic": ("合成数据", "synthetic"),
    "data_note": ("数据说明", "data note"),
    # zero-carbon parks (sxgeo.parks, the report's parks section)
    "park_code": ("园区代码", "park code"),
    "park_name": ("园区", "park"),
    "park_level": ("园区级别", "zone level"),
    "pv_capacity_mwp": ("屋顶光伏可装机(MWp)", "rooftop PV (MWp)"),
    "pv_natural_person_household_mwp": ("自然人户用(MWp)", "natural-person household (MWp)"),
    "pv_non_natural_person_household_mwp": ("非自然人户用(MWp)", "non-natural-person household (MWp)"),
    "pv_general_ci_mwp": ("一般工商业(MWp)", "general C&I (MWp)"),
    "pv_large_ci_mwp": ("大型工商业(MWp)", "large C&I (MWp)"),
    "pv_generation_mwh": ("屋顶光伏年发电量(MWh)", "rooftop PV yield (MWh)"),
    "electricity_mwh": ("用电量(MWh)", "electricity use (MWh)"),
    "pv_supply_share_pct": ("屋顶光伏可供用电比例(%)", "share of use its roofs could supply (%)"),
    "clean_energy_share_pct": ("清洁能源消费占比(%)", "clean-energy share (%)"),
    "core_t_co2_per_tce": ("单位能耗碳排放(tCO₂/tce)", "CO₂ per unit of energy (t CO₂/tce)"),
    "core_limit_t_co2_per_tce": ("限值(tCO₂/tce,待核实)", "limit (t CO₂/tce, verify)"),
    "core_grade": ("核心指标评价(待核实)", "core-indicator grade (verify)"),
    "data_year": ("数据年份", "data year"),
    # CCER afforestation beside the forest-cover gap (sxgeo.carbon.report)
    "forest_gap_ha": ("森林覆盖率差距(ha)", "forest-cover gap (ha)"),
    "eligible_parcels": ("符合条件图斑数", "eligible patches"),
    "eligible_ha": ("符合CCER造林条件面积(ha)", "CCER-eligible land (ha)"),
    "excluded_ha": ("排除面积(ha)", "excluded (ha)"),
    "eligible_of_gap_pct": ("可造林碳汇用地占差距(%)", "eligible land / gap (%)"),
}
"""Column name -> (zh header, en header): the gap tables, the report's tables and shared columns."""

VOCABULARY: dict[str, Mapping[Any, Pair]] = {
    "status": {**STATUS, **TABLE_STATUS},
    "wetland_type": WETLAND_TYPES,
    "forest_type": FOREST_TYPES,
    "lulc_name": LANDCOVER_CLASSES,
    "kind": {
        **LANDCOVER_CLASSES,
        "binding": ("约束性", "binding"),
        "expected": ("预期性", "expected"),
        **TOWN_KINDS,
    },
    "criterion": PILOT_CRITERIA,
    "direction": DIRECTIONS,
    "label": PILOT_LABELS,
    "level": LEVELS,
    "core_grade": CORE_GRADES,
    "park_level": LEVELS,
    "result": SPONGE_RESULT,
    "missing": PILOT_CRITERIA,
    "origin": {"entered": ("填报", "entered"), "computed": ("计算", "computed")},
    "method": {
        "linear_time_share": ("线性时间进度", "linear time share"),
        "growth_rate_ratio": ("增长率比", "growth-rate ratio"),
        "trend_projection": ("趋势外推", "trend projection"),
        "met": ("已达目标", "target met"),
    },
    "order": {
        "fewest": ("最少分区优先", "fewest first"),
        "storage": ("调蓄容积最小优先", "least storage first"),
    },
    "target_of": {"unit": ("本级目标", "own target"), "city": ("参照全市目标", "city target")},
}
"""Column name -> the vocabulary of its values (the ``中文`` sheets and the pages translate them)."""

EN_SUFFIXES = ("_en",)
"""Columns whose name ends so are English by design (kept as they are in a 中文 sheet)."""


def pick(pair: Pair, lang: str = "zh") -> str:
    """The *lang* half of a (zh, en) pair."""
    return pair[0] if lang == "zh" else pair[1]


def status(code: Any, lang: str = "zh") -> str:
    """A status code (a report category or a table's ``met`` / ``behind`` / ``no data``) for people.

    Parameters
    ----------
    code : str
        The code.
    lang : {'zh', 'en'}
        Language.

    Returns
    -------
    str
        Its label; the code itself when it has none (empty for a blank).
    """
    if code is None or (isinstance(code, float) and np.isnan(code)) or str(code) == "":
        return ""
    pair = TABLE_STATUS.get(str(code)) or STATUS.get(str(code))
    return pick(pair, lang) if pair else str(code)


def column(name: str, lang: str = "zh") -> str:
    """The header of a column (its name when the table has no entry)."""
    pair = COLUMNS.get(str(name))
    return pick(pair, lang) if pair else str(name)


def boolean(value: Any, lang: str = "zh") -> str:
    """是/否 (yes/no) of a true/false cell; blank for a missing one."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return pick(BOOLEAN[bool(value)], lang)


_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^selected$"), "入选"),
    (re.compile(r"^existing pilot \(fixed in\)$"), "既有试点（直接纳入）"),
    (
        re.compile(r"^score: (?P<s>[-\d.]+) below the lowest selected \((?P<c>[-\d.]+)\)"),
        "得分 {s} 低于入选最低分 {c}",
    ),
    (
        re.compile(
            r"^spacing: (?P<d>[\d.]+) km from selected (?P<who>.+?) \(score (?P<s>[-\d.]+)\), "
            r"closer than (?P<m>[\d.]+) km"
        ),
        "距已入选的 {who}（得分 {s}）{d} 千米，近于最小间距 {m} 千米",
    ),
    (re.compile(r"^quota: county (?P<c>\S+) is at its maximum of (?P<n>\d+)"), "配额：{c} 已达上限 {n} 个"),
    (
        re.compile(
            r"^quota: displaced by county minimums elsewhere \(score (?P<s>[-\d.]+) > "
            r"lowest selected (?P<c>[-\d.]+)\)"
        ),
        "配额：让位于其他县区的最低名额（得分 {s} 高于入选最低分 {c}）",
    ),
    (
        re.compile(r"^gate (?P<id>\S+) \((?P<zh>[^)]*(?:\([^)]*\))?[^)]*)\): (?P<test>.+) \(is (?P<v>.*)\)$"),
        "门槛未通过：{zh}（{test}，实际 {v}）",
    ),
]


def reason(text: Any, lang: str = "zh") -> str:
    """Why a pilot candidate is (not) selected, in Chinese (``lang='en'``: as written).

    Translates each ``; also``-joined part of :func:`sxgeo.pilots.explain.reasons` and the gate
    reasons of :mod:`sxgeo.pilots.score`; an unknown part is kept as written.
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    raw = str(text)
    if lang != "zh":
        return raw
    out = []
    for part in re.split(r"; also ", raw):
        for pattern, template in _REASONS:
            m = pattern.match(part)
            if m:
                groups = m.groupdict()
                if str(groups.get("v", "")).strip().lower() in ("nan", "none", "<na>"):
                    groups["v"] = "无数据"  # a blank value, not the raw nan (issue 21)
                out.append(template.format(**groups))
                break
        else:
            out.append(part)
    return "；另：".join(out)


def criteria(text: Any, names: Mapping[str, str] | None = None) -> str:
    """Comma-separated criterion ids (``missing``) as their Chinese names."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or str(text).strip() == "":
        return ""
    own = names or {}
    ids = [t.strip() for t in str(text).split(",") if t.strip()]
    return "、".join(own.get(i) or pick(PILOT_CRITERIA.get(i, (i, i))) for i in ids)


def value(col: str, v: Any, lang: str = "zh") -> Any:
    """A cell of column *col* for people: its label where the column has a vocabulary, 是/否 for a bool."""
    if isinstance(v, (bool, np.bool_)):
        return boolean(v, lang)
    if col in ("reason", "gate"):
        return reason(v, lang)
    if col == "missing":
        return criteria(v) if lang == "zh" else v
    vocab = VOCABULARY.get(col)
    if vocab is None or v is None or (isinstance(v, float) and np.isnan(v)):
        return v
    if col == "status":
        return status(v, lang)
    pair = vocab.get(str(v))
    return pick(pair, lang) if pair else v


def is_english_column(name: str) -> bool:
    """Whether a column is English by design (``name_en``, ``label_en``...)."""
    return str(name).endswith(EN_SUFFIXES)


def zh_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of *df* with every labelled value in Chinese (是/否, statuses, classes, reasons).

    English columns (:func:`is_english_column`) and unlabelled values are kept; no row or column
    is added or dropped.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.

    Returns
    -------
    pandas.DataFrame
        Same shape and column names.
    """
    out = df.copy()
    for col in out.columns:
        name = str(col)
        if is_english_column(name):
            continue
        s = out[col]
        if s.dtype == bool:
            out[col] = s.map(lambda v: boolean(v)).astype(object)
        elif name in VOCABULARY or name in ("reason", "missing", "gate"):
            key = "reason" if name == "gate" else name
            out[col] = s.map(lambda v, key=key: value(key, v)).astype(object)
        elif s.dtype == object and s.map(lambda v: isinstance(v, (bool, np.bool_))).any():
            out[col] = s.map(lambda v: boolean(v) if isinstance(v, (bool, np.bool_)) else v)
    return out


def headers(columns: list[str], own: Mapping[str, str] | None = None, lang: str = "zh") -> list[str]:
    """Column headers: the table's own Chinese labels first, then :data:`COLUMNS`, else the name."""
    given = own or {}
    if lang == "zh":
        return [given.get(str(c)) or column(str(c), "zh") for c in columns]
    return [column(str(c), "en") if str(c) in COLUMNS else str(c) for c in columns]
