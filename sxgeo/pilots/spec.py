"""Low/zero-carbon pilots: match planners' lists, score and select villages, towns and counties.

The capability's declaration (:class:`sxgeo.capability.Capability`): its project-file keys, the
inputs it needs, the tables it writes, its gap hook and its map view. Nothing heavy is imported
here: ``run``, ``gap`` and ``view`` are loaded when the capability runs.
"""

from __future__ import annotations

from sxgeo.capability import Capability, Key, Table

KEYS: tuple[Key, ...] = (
    Key(
        "pilots",
        "values",
        "input",
        "criteria values per candidate: a table with a code column (villages, towns, counties)",
        "候选指标值表(含区划代码列)",
        '"试点/指标.xlsx"',
    ),
    Key(
        "pilots",
        "criteria",
        "input",
        "criteria file (YAML); default sxgeo/data/pilot_criteria.yaml",
        "评分指标与权重(YAML)",
        '"试点/指标权重.yaml"',
    ),
    Key(
        "pilots",
        "list",
        "input",
        "the planners' list of pilots or candidates (name, county, town), matched to codes",
        "试点/候选名单(名称、县区、乡镇)",
        '"试点/名单.xlsx"',
    ),
    Key(
        "pilots",
        "fixed",
        "input",
        "codes fixed in (default: the existing pilots 小将镇, 西小路社区)",
        "已有试点代码(缺省:小将镇、西小路社区)",
        '"试点/已有试点.csv"',
    ),
    Key(
        "pilots",
        "quota",
        "input",
        "county quotas: county_adcode, min, max (default: proportional)",
        "各县区名额(county_adcode, min, max)",
        '"试点/名额.csv"',
    ),
    Key("pilots", "villages", "int", "villages to select", "村(社区)试点数", "100"),
    Key("pilots", "towns", "int", "towns (streets) to select", "乡镇(街道)试点数", "10"),
    Key("pilots", "counties", "int", "counties to select", "县(市、区)试点数", "1"),
    Key(
        "pilots",
        "parks",
        "int",
        "zero-carbon parks to rank for the provincial list (needs [parks] boundaries; 0: none)",
        "拟推荐省级零碳园区数(需 [parks] boundaries;0 为不遴选)",
        "2",
    ),
    Key(
        "pilots",
        "min_spacing_km",
        "float",
        "minimum distance between selected villages [km]",
        "入选村之间最小间距(km)",
        "3",
    ),
    Key(
        "pilots",
        "fixed_on_top",
        "bool",
        "existing pilots on top of the numbers above (default: inside them)",
        "已有试点另计(缺省计入)",
        "false",
    ),
    Key(
        "pilots",
        "draws",
        "int",
        "Monte-Carlo weight draws, ranking only (>= 1000)",
        "权重蒙特卡洛抽样次数",
        "1000",
    ),
    Key(
        "pilots",
        "selection_draws",
        "int",
        "Monte-Carlo draws re-running the full selection (>= 200)",
        "完整选址重算次数",
        "200",
    ),
    Key("pilots", "seed", "int", "random seed of the Monte-Carlo", "随机种子", "20211201"),
    Key(
        "pilots",
        "town_bonus",
        "float",
        "score points a village gains when its town is selected too (villages and towns selected jointly)",
        "所在乡镇同时入选时村(社区)的加分(村、乡镇联合遴选)",
        "5",
    ),
)
"""The ``[pilots]`` keys of the project file."""

TABLES: tuple[Table, ...] = (
    Table("pilots_villages", "village candidates: scores, ranks, selection", "村(社区)候选与遴选结果"),
    Table(
        "pilots_villages_counties",
        "selected villages per county and their quotas",
        "各县入选村数",
        per_unit=True,
        columns=("candidates", "gated_out", "selected", "fixed"),
    ),
    Table("pilots_villages_weights", "criteria weights of the village selection", "村遴选指标权重"),
    Table(
        "pilots_villages_sensitivity", "how often each village is selected as weights vary", "村遴选敏感性"
    ),
    Table("pilots_towns", "town candidates: scores, ranks, selection", "乡镇(街道)候选与遴选结果"),
    Table(
        "pilots_towns_counties",
        "selected towns per county",
        "各县入选乡镇数",
        per_unit=True,
        columns=("candidates", "gated_out", "selected", "fixed"),
    ),
    Table("pilots_towns_weights", "criteria weights of the town selection", "乡镇遴选指标权重"),
    Table("pilots_towns_sensitivity", "how often each town is selected as weights vary", "乡镇遴选敏感性"),
    Table("pilots_counties", "county candidates: scores, ranks, selection", "县(市、区)候选与遴选结果"),
    Table(
        "pilots_counties_counties",
        "the selected county",
        "入选县",
        per_unit=True,
        columns=("candidates", "gated_out", "selected", "fixed"),
    ),
    Table("pilots_counties_weights", "criteria weights of the county selection", "县遴选指标权重"),
    Table("pilots_counties_sensitivity", "how often each county is selected as weights vary", "县遴选敏感性"),
    Table(
        "pilots_parks",
        "zero-carbon park candidates for the provincial list: scores, ranks, selection",
        "零碳园区候选与遴选结果",
    ),
    Table(
        "pilots_parks_counties",
        "selected parks per county",
        "各县入选园区数",
        per_unit=True,
        columns=("candidates", "gated_out", "selected", "fixed"),
    ),
    Table("pilots_parks_weights", "criteria weights of the park ranking", "园区遴选指标权重"),
    Table("pilots_parks_sensitivity", "how often each park is selected as weights vary", "园区遴选敏感性"),
    Table("pilots_match", "a planner's list matched to the gazetteer", "名单匹配结果"),
)
"""The tables it writes."""

CAPABILITY = Capability(
    name="pilots",
    step="pilot siting",
    section="pilots",
    title_en="low/zero-carbon pilot siting",
    title_zh="低(零)碳试点选址",
    run="sxgeo.pilots.pipeline:run_project",
    keys=KEYS,
    needs=(("values",), ("criteria",)),
    tables=TABLES,
    gap="sxgeo.pilots.gaps:gap_tables",
    view="sxgeo.pilots.view:pilots_map",
    depends=("sponge", "carbon", "pv", "parks"),
)
