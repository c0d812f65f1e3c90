"""The county overview: areas, division counts and built-up share per county, always built.

The capability's declaration (:class:`sxgeo.capability.Capability`). Its inputs are the shared
``[layers]`` keys (and ``[sponge] built_up`` when named), so it declares no keys of its own.
"""

from __future__ import annotations

from sxgeo.capability import Capability, Table

TABLES: tuple[Table, ...] = (
    Table(
        "counties",
        "areas and division counts per county",
        "县区概况",
        per_unit=True,
        columns=("land_area_km2", "geodesic_area_km2", "towns", "villages"),
    ),
    Table(
        "built_up_by_county",
        "built-up area and its share of the land per county",
        "建成区面积",
        per_unit=True,
        columns=("land_area_km2", "built_up_km2", "built_up_share_pct"),
    ),
)
"""The tables it writes."""

CAPABILITY = Capability(
    name="overview",
    step="counties",
    section="layers",
    title_en="reporting units and shared layers",
    title_zh="统计单元与公共图层",
    run="sxgeo.overview.pipeline:run_project",
    needs=((),),
    tables=TABLES,
    view="sxgeo.overview.view:overview_map",
)
