"""``sxgeo carbon``: forest stands, land-cover rasters (InVEST-compatible) and wetlands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sxgeo.cli._common import echo_outputs, is_synthetic

app = typer.Typer(
    help="Carbon sinks: forest and wetland stocks and yearly sinks per county.", no_args_is_help=True
)

OUT_HELP = "Table file (.csv/.xlsx/.gpkg/.parquet) or a folder for every table and map."
BASEMAP_HELP = "Basemap: none, osm, tianditu-vec, tianditu-img, tianditu-en, amap (GCJ-02), xyz:<template>."


@app.command("stands")
def stands_command(
    stands: Annotated[Path, typer.Option(help="Forest stands (小班): forest_type, area_ha, volume_m3 ...")],
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
    previous: Annotated[Path | None, typer.Option(help="An earlier inventory, for the yearly sink.")] = None,
    years: Annotated[float | None, typer.Option(help="Years between --previous and --stands.")] = None,
    factors: Annotated[
        Path | None, typer.Option(help="Factor table (CSV) replacing the shipped one.")
    ] = None,
    method: Annotated[str, typer.Option(help="fang (continuous BEF) or chain (constant factors).")] = "fang",
    counties: Annotated[Path | None, typer.Option(help="County polygons (default: shipped layer).")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of inputs that carry none.")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Also write the map here (.html).")] = None,
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    lang: Annotated[str, typer.Option(help="Map language: zh or en.")] = "zh",
) -> None:
    """Forest area, cover, stock volume and carbon per county (with a 95% range), and the yearly sink."""
    from sxgeo.admin import load_counties
    from sxgeo.carbon import stands as st
    from sxgeo.io import read_layer, read_table
    from sxgeo.maps.views import carbon_map
    from sxgeo.outputs import Outputs

    if previous is not None and not years:
        raise typer.BadParameter("--previous needs --years (years between the two inventories)")
    table_f = read_table(factors) if factors is not None else None
    s, _ = read_layer(stands, crs=crs, geometry_type="polygon")
    cty = load_counties(counties)
    carbon = st.stand_carbon(s, factors=table_f, method=method)
    summary, by_type = st.county_summary(carbon, cty, factors=table_f)
    tables = {
        "carbon_forest": summary,
        "carbon_forest_plan": st.plan_check(summary),
        "carbon_forest_types": by_type,
    }
    layers = [s]
    if previous is not None:
        p, _ = read_layer(previous, crs=crs, geometry_type="polygon")
        layers.append(p)
        tables["carbon_forest_sink"] = st.yearly_sink(
            st.stand_carbon(p, factors=table_f, method=method), carbon, cty, years=float(years)
        )
    model = "Fang continuous BEF, CF 0.50" if method == "fang" else "the constant-factor chain"
    source = "sxgeo/data/carbon_forest_types.csv (verify flags)" if factors is None else str(factors)
    notes = [
        f"stand carbon by {model}; factors: {source}",
        "vegetation = tree layer + understory; stock = vegetation + dead wood/litter; soil reported apart",
        "95% range: seeded Monte Carlo, CF ±5%, BEF a/b ±15%, per-area densities ±15% (1 sigma)",
        "sink: stock difference of the two inventories / years; positive = removal",
    ]
    output = Outputs("carbon_forest", tables, st.LABELS_ZH, notes, synthetic=is_synthetic(*layers))
    output.maps["carbon_forest.html"] = carbon_map(
        cty, forest=summary, stands=carbon, lang=lang, basemap=basemap
    )
    echo_outputs(output.write(out, map_path=map_path), notes)


@app.command("landcover")
def landcover_command(
    raster: Annotated[Path, typer.Option(help="Land-cover class raster (uint8, projected CRS).")],
    pools: Annotated[
        Path, typer.Option(help="InVEST carbon pools CSV: lucode, c_above, c_below, c_soil, c_dead.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
    raster_after: Annotated[
        Path | None, typer.Option(help="A later map on the same grid, for the change.")
    ] = None,
    years: Annotated[float | None, typer.Option(help="Years between the two maps.")] = None,
    counties: Annotated[Path | None, typer.Option(help="County polygons (default: shipped layer).")] = None,
    window_rows: Annotated[
        int | None, typer.Option(help="Rows read at a time (default: ~8 Mpx windows).")
    ] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Also write the map here (.html).")] = None,
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    lang: Annotated[str, typer.Option(help="Map language: zh or en.")] = "zh",
) -> None:
    """Class areas and carbon per county from a land-cover raster (InVEST's pixel rule), and the change."""
    from sxgeo.admin import load_counties
    from sxgeo.carbon import landcover as lcm
    from sxgeo.io import open_raster, read_table
    from sxgeo.maps.views import carbon_map
    from sxgeo.outputs import Outputs
    from sxgeo.zonal import raster_zone_counts

    if raster_after is not None and not years:
        raise typer.BadParameter("--raster-after needs --years")
    pool_table = lcm.check_pools(read_table(pools))
    cty = load_counties(counties)
    with open_raster(raster) as src:
        counts = raster_zone_counts(src, cty, window_rows=window_rows)
        per, by_class = lcm.stock_by_county(counts, pool_table)
        tables = {"carbon_landcover": per, "carbon_landcover_classes": by_class}
        if raster_after is not None:
            with open_raster(raster_after) as after:
                pairs = raster_zone_counts(src, cty, window_rows=window_rows, other=after)
            change, matrix = lcm.change_by_county(pairs, pool_table, years=float(years))
            tables["carbon_landcover_change"] = change
            tables["carbon_landcover_transitions"] = matrix
        m = carbon_map(cty, landcover=per, raster=src, pools=pool_table, lang=lang, basemap=basemap)
    notes = [
        "per pixel: C = Σ pools[class] × pixel area (InVEST Carbon), pixel-centre rule per county",
        "stock_tc = c_above + c_below + c_dead; total_tc adds c_soil (InVEST's total)",
        "change: stock difference pixel by pixel; loss_to_built_tc = losses into classes of kind 'built'",
    ]
    with open_raster(raster) as src:
        synthetic = src.tags().get("synthetic") == "true"
    output = Outputs(
        "carbon_landcover",
        tables,
        {
            "area_ha": "面积(ha)",
            "stock_tc": "碳储量(不含土壤)(tC)",
            "soil_tc": "土壤碳(tC)",
            "total_tc": "总碳储量(tC)",
        },
        notes,
        synthetic=synthetic,
    )
    output.maps["carbon_landcover.html"] = m
    echo_outputs(output.write(out, map_path=map_path), notes)


@app.command("wetlands")
def wetlands_command(
    wetlands: Annotated[Path, typer.Option(help="Wetland polygons with wetland_type (and protected).")],
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
    protected: Annotated[
        Path | None, typer.Option(help="Protected areas to overlay instead of a flag.")
    ] = None,
    counties: Annotated[Path | None, typer.Option(help="County polygons (default: shipped layer).")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of inputs that carry none.")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Also write the map here (.html).")] = None,
    basemap: Annotated[str | None, typer.Option(help=BASEMAP_HELP)] = None,
    lang: Annotated[str, typer.Option(help="Map language: zh or en.")] = "zh",
) -> None:
    """Wetland area and protection rate per county against 60.6%, carbon stock, burial, methane apart."""
    from sxgeo.admin import load_counties
    from sxgeo.carbon import wetlands as wl
    from sxgeo.io import read_layer
    from sxgeo.maps.views import carbon_map
    from sxgeo.outputs import Outputs

    w, _ = read_layer(wetlands, crs=crs, geometry_type="polygon")
    prot = read_layer(protected, crs=crs)[0] if protected is not None else None
    cty = load_counties(counties)
    per, by_type = wl.wetland_summary(w, cty, protected=prot)
    notes = [
        "protection rate = protected / wetland base (paddy is cropland, not in the base); target 60.6%",
        "burial from sxgeo/data/carbon_wetland_types.csv; methane reported apart (GWP100 27), never netted",
    ]
    output = Outputs(
        "carbon_wetlands",
        {"carbon_wetlands": per, "carbon_wetland_types": by_type},
        {"wetland_area_ha": "湿地面积(ha)", "protection_rate_pct": "湿地保护率(%)"},
        notes,
        synthetic=is_synthetic(w),
    )
    output.maps["carbon_wetlands.html"] = carbon_map(
        cty, wetlands_table=per, wetlands=w, lang=lang, basemap=basemap
    )
    echo_outputs(output.write(out, map_path=map_path), notes)
