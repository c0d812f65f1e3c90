"""Zero-carbon parks: park units (四至, 园中园), roofs' PV by NEA-2025 type, carbon, sponge, core indicator.

The capability's declaration (:class:`sxgeo.capability.Capability`). It reads the roofs, land cover
and sponge layers the other sections name; nothing heavy is imported here.
"""

from __future__ import annotations

from sxgeo.capability import Capability, Key, Table

KEYS: tuple[Key, ...] = (
    Key(
        "parks",
        "boundaries",
        "input",
        "park boundaries (四至): park_code, park_name, level (national/provincial), parent_code for a 园中园",
        "园区边界(四至;代码、名称、级别,园中园填所属园区代码)",
        '"园区/零碳园区.shp"',
    ),
    Key(
        "parks",
        "history",
        "input",
        "entered values per park and year: park_code, year, energy_tce, co2_t, electricity_mwh, "
        "clean_energy_share_pct and the guiding indicators",
        "园区逐年填报值(综合能耗、CO2排放、用电量、清洁能源占比及引导指标)",
        '"园区/填报.csv"',
    ),
    Key(
        "parks", "year", "int", "data year of the history (default the project year)", "填报数据年份", "2025"
    ),
)
"""The ``[parks]`` keys of the project file."""

TABLES: tuple[Table, ...] = (
    Table(
        "zero_carbon_parks",
        "one row per park: roofs and PV by NEA 2025 type, PV share of electricity use, carbon, sponge, "
        "core indicator and its grade",
        "零碳园区评估",
        columns=(
            "park_code",
            "park_name",
            "unit_code",
            "pv_capacity_mwp",
            "pv_supply_share_pct",
            "core_t_co2_per_tce",
            "core_grade",
        ),
    ),
    Table("zero_carbon_parks_history", "the entered history per park and year, graded", "零碳园区历年指标"),
)
"""The tables it writes."""

CAPABILITY = Capability(
    name="parks",
    step="zero-carbon parks",
    section="parks",
    title_en="zero-carbon parks",
    title_zh="零碳园区",
    run="sxgeo.parks.pipeline:run_project",
    keys=KEYS,
    needs=(("boundaries",),),
    tables=TABLES,
    view="sxgeo.parks.view:parks_map",
    report_section="sxgeo.parks.report:report_section",
    depends=("pv", "carbon", "sponge"),
)
