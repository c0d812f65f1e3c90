"""Declaration of the fixture capability 'green space' (keys, needs, tables, view)."""

from __future__ import annotations

from sxgeo.capability import Capability, Key, Table

KEYS = (Key("greenspace", "parks", "input", "public green-space polygons", "公园绿地", '"绿地/公园.shp"'),)

CAPABILITY = Capability(
    name="greenspace",
    step="green space",
    section="greenspace",
    title_en="green space",
    title_zh="公园绿地",
    run="tests.capfixture.greenspace.pipeline:run_project",
    keys=KEYS,
    needs=(("parks",),),
    tables=(
        Table(
            "greenspace_counties",
            "public green space per county",
            "公园绿地面积",
            per_unit=True,
            columns=("greenspace_km2", "greenspace_share_pct"),
        ),
    ),
    view="tests.capfixture.greenspace.view:greenspace_map",
)
