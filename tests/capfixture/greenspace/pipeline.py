"""Pipeline of the fixture capability: the named green-space layer -> its per-county table (+ map)."""

from __future__ import annotations

from typing import Any

from sxgeo._pipeline import Context, is_synthetic, project_inputs, read
from sxgeo.outputs import Outputs
from sxgeo.project import Project
from tests.capfixture.greenspace import greenspace_table
from tests.capfixture.greenspace.view import greenspace_map

LABELS_ZH = {"greenspace_km2": "绿地面积(km²)", "greenspace_share_pct": "绿地占比(%)"}


def run(ctx: Context, inputs: dict[str, Any]) -> list[Outputs]:
    """The green-space table per county from ``inputs['parks']``."""
    parks = read(inputs["parks"], ctx)
    table = greenspace_table(parks, ctx.units)
    out = Outputs(
        "greenspace",
        {"greenspace_counties": table},
        LABELS_ZH,
        list(ctx.notes),
        synthetic=is_synthetic(parks),
    )
    if ctx.maps:
        out.maps["greenspace.html"] = greenspace_map(ctx.units, table, lang=ctx.lang)
    return [out]


def run_project(ctx: Context, project: Project) -> list[Outputs]:
    """``sxgeo build``'s step: the ``[greenspace]`` inputs, then :func:`run`."""
    return run(ctx, project_inputs_of(project))


def project_inputs_of(project: Project) -> dict[str, Any]:
    """The ``[greenspace]`` inputs (the fixture's keys are not in :data:`sxgeo.project.KEYS`)."""
    known = project_inputs(project, "greenspace")
    return known or {"parks": project.get("greenspace", "parks")}
