"""QGIS styles without QGIS: the QML/SLD sxgeo writes, the layer_styles table, the project file.

The same styles are opened by QGIS itself in tests/e2e/test_qgis.py (skipped where QGIS is missing);
here they are checked against the HTML maps' symbology and the layout QGIS's OGR provider uses
(``QgsOgrProviderMetadata::saveStyle``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from xml.etree import ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from sxgeo import crs as sxcrs
from sxgeo.errors import LayerError
from sxgeo.io import qgis_style as qml
from sxgeo.io import write_table
from sxgeo.maps import styles
from sxgeo.maps.qgis_project import GROUPS, LAYERS_NAME, indicator_layers, write_qgis_project
from sxgeo.pv.view import pv_map
from sxgeo.sponge.view import sponge_map

QGIS_COLUMNS = [
    "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName", "styleQML",
    "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time",
]  # fmt: skip


def _zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_id": ["z1", "z2", "z3"], "passes": [True, False, True]},
        geometry=[shapely.box(500_000 + 100 * i, 3_320_000, 500_100 + 100 * i, 3_320_100) for i in range(3)],
        crs=sxcrs.METRIC,
    )


def _full(table: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """A per-county table with the columns the HTML map's tooltips read (zeros where not given)."""
    return table.assign(**{c: 0.0 for c in columns if c not in table.columns})


def _renderer(text: str) -> ET.Element:
    root = ET.fromstring(text.split("\n", 1)[1])  # after the DOCTYPE line
    renderer = root.find("renderer-v2")
    assert renderer is not None
    return renderer


def test_layer_styles_has_qgis_layout_and_one_default_per_layer(tmp_path):
    path = tmp_path / "t.gpkg"
    write_table(_zones(), path, sheet="sponge_zones")
    write_table(_zones(), path, sheet="other")
    write_table(_zones(), path, sheet="sponge_zones")  # rewritten: its style replaced, not doubled
    info = pyogrio.read_info(path, layer="layer_styles")
    assert list(info["fields"]) == QGIS_COLUMNS
    assert (
        info["fid_column"] == "id"
        and info["ogr_subtypes"][QGIS_COLUMNS.index("useAsDefault")] == "OFSTBoolean"
    )
    rows = (
        sqlite3.connect(path)
        .execute(
            "select f_table_name, f_geometry_column, styleName, useAsDefault, update_time from layer_styles"
        )
        .fetchall()
    )
    assert sorted(r[0] for r in rows) == ["other", "sponge_zones"]
    assert {r[1:4] for r in rows} == {("geom", "sxgeo", 1)}
    # GeoPackage DATETIME: ISO 8601 in UTC with milliseconds and Z
    assert all(len(r[4]) == 24 and r[4].endswith("Z") for r in rows)


def test_a_planners_own_style_is_kept_but_no_longer_default(tmp_path):
    path = tmp_path / "t.gpkg"
    write_table(_zones(), path, sheet="sponge_zones")
    con = sqlite3.connect(path)
    con.execute("update layer_styles set styleName = 'mine'")
    con.commit()
    con.close()
    write_table(_zones(), path, sheet="sponge_zones")
    rows = sorted(
        sqlite3.connect(path).execute("select styleName, useAsDefault from layer_styles").fetchall()
    )
    assert rows == [("mine", 0), ("sxgeo", 1)]


def test_sponge_zones_are_categorised_pass_fail_as_on_the_html_map():
    style = qml.layer_style("demo_sponge_zones", _zones())
    renderer = _renderer(qml.to_qml(style))
    assert renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == "if(\"passes\", 'pass', 'fail')"
    cats = [(c.get("value"), c.get("label")) for c in renderer.iter("category")]
    assert cats == [("pass", "达标 pass"), ("fail", "未达标 fail")]
    colours = [o.get("value") for o in renderer.iter("Option") if o.get("name") == "color"]
    # #1a9641 / #d7191c at the map's fillOpacity 0.45 (alpha round(0.45 * 255) = 115)
    assert colours == ["26,150,65,115", "215,25,28,115"]
    # the same colours the HTML map's sub-zone layer uses
    zones = _full(_zones(), "name", "alpha_pct", "alpha_target_pct", "psi", "failed_flags", "unknown_flags",
                  "extra_storage_m3")  # fmt: skip
    m = sponge_map(None, _counties(), zones=zones)
    layer = next(x for x in m.layers if x["name"] == "排水分区达标 Sub-zones pass/fail")
    assert layer["style"] == style.style  # colours, field, paint: the map's own
    assert layer["legend"]["items"] == [{**i, "count": i["count"]} for i in style.legend["items"]]


def _counties() -> gpd.GeoDataFrame:
    from sxgeo import admin

    return admin.load_counties()


def test_sponge_coverage_by_county_has_the_maps_status_classes_colours_and_labels(tmp_path):
    """Coloured by status against each unit's own target, as the HTML map (25 % of 50 % behind, 60 % met)."""
    table = pd.DataFrame(
        {
            "unit_code": ["330602", "330603"],
            "coverage_pct": [25.0, 60.0],
            "target_pct": [50.0, 50.0],
            "gap_km2": [1.0, 0.0],
        }
    )
    table = _full(table, "built_up_km2", "compliant_km2", "status")
    table.to_csv(tmp_path / "demo_sponge_coverage.csv", index=False, encoding="utf-8-sig")
    layers = indicator_layers(tmp_path, _counties())
    group, gdf, style = layers["sponge_coverage_by_county"]
    assert group == "sponge" and len(gdf) == 6
    by_code = dict(zip(gdf["adcode"], gdf["status_class"], strict=True))
    assert (by_code["330602"], by_code["330603"], by_code["330604"]) == ("behind", "met", "no_data")
    renderer = _renderer(qml.to_qml(style))
    assert renderer.get("type") == "categorizedSymbol"
    cats = {c.get("value"): c.get("label") for c in renderer.iter("category")}
    assert cats["behind"].startswith("未达标") and cats["met"].startswith("已达标")


def test_pv_style_is_the_pv_maps(tmp_path):
    table = pd.DataFrame(
        {"unit_code": ["330602", "330603", "330604", "330681"], "capacity_mwp": [1.0, 5.0, 9.0, 20.0]}
    )
    table = _full(table, "policy_mwp", "generation_gwh", "share_of_target_pct", "buildings")
    table.to_csv(tmp_path / "pv_counties.csv", index=False)
    counties = _counties()
    _, _, style = indicator_layers(tmp_path, counties)["pv_capacity_by_county"]
    roofs = gpd.GeoDataFrame(
        {"capacity_kwp": [10.0], "footprint_m2": [100.0], "generation_mwh": [1.0], "shade_loss": [0.0]},
        geometry=[shapely.box(500_000, 3_320_000, 500_010, 3_320_010)],
        crs=sxcrs.METRIC,
    )
    m = pv_map(table, counties, roofs)
    layer = next(x for x in m.layers if x["name"] == "县区可装机容量 Capacity by county (MWp)")
    assert style.style == layer["style"]
    assert style.legend == layer["legend"]


def test_continuous_ramps_become_equal_steps_between_the_ends():
    sym = styles.continuous(
        pd.Series([0.0, 10.0], name="density_tc_ha"), title="t", palette="Greens", digits=0
    )
    ranges = list(_renderer(qml.to_qml(qml.LayerStyle(sym.style, sym.legend, "polygon", "t"))).iter("range"))
    assert [float(r.get("lower")) for r in ranges] == [0, 2, 4, 6, 8]
    assert [r.get("label") for r in ranges][-1] == "8 – 10"


def test_sld_has_one_rule_per_class_with_its_filter():
    sym = styles.classes(
        pd.Series([5.0, 25.0, 90.0], name="coverage_pct"),
        title="t",
        breaks=[0, 20, 30, 50, 80, 100],
        palette="RdYlGn",
    )
    sld = ET.fromstring(
        qml.to_sld(qml.LayerStyle(sym.style, sym.legend, "polygon", "t"), "layer").split("\n", 1)[1]
    )
    se, ogc = "{http://www.opengis.net/se}", "{http://www.opengis.net/ogc}"
    rules = sld.findall(f".//{se}Rule")
    assert len(rules) == 5
    literals = [float(x.text) for x in rules[1].iter(f"{ogc}Literal")]
    assert literals == [20, 30]
    fills = [p.text for p in sld.iter(f"{se}SvgParameter") if p.get("name") == "fill"]
    assert fills == styles.PALETTES["RdYlGn"]  # 5 classes: the palette's 5 colours in order


def test_geoparquet_gets_a_qml_beside_it_and_a_plain_table_none(tmp_path):
    roofs = gpd.GeoDataFrame(
        {"capacity_kwp": np.arange(1.0, 11.0)},
        geometry=[shapely.box(500_000 + 20 * i, 3_320_000, 500_010 + 20 * i, 3_320_010) for i in range(10)],
        crs=sxcrs.METRIC,
    )
    write_table(roofs, tmp_path / "demo_pv_buildings.parquet")
    write_table(pd.DataFrame({"a": [1]}), tmp_path / "plain.parquet")
    assert (tmp_path / "demo_pv_buildings.qml").is_file()
    assert not (tmp_path / "plain.qml").exists()
    renderer = _renderer((tmp_path / "demo_pv_buildings.qml").read_text(encoding="utf-8"))
    assert renderer.get("type") == "graduatedSymbol" and renderer.get("attr") == "capacity_kwp"


def test_the_project_loads_every_output_layer_grouped_over_the_counties(tmp_path):
    write_table(_zones(), tmp_path / "demo_sponge.gpkg", sheet="sponge_zones")
    forest = pd.DataFrame({"unit_code": ["330602"], "forest_cover_pct": [40.0]})
    _full(forest, "stock_volume_wan_m3", "vegetation_tc", "density_tc_ha").to_csv(
        tmp_path / "demo_carbon_forest.csv", index=False
    )
    path = write_qgis_project(tmp_path)
    root = ET.fromstring(path.read_text(encoding="utf-8").split("\n", 1)[1])
    groups = [g.get("name") for g in root.find("layer-tree-group").findall("layer-tree-group")]
    assert groups == [GROUPS["sponge"], GROUPS["carbon"], GROUPS["counties"]]
    sources = [m.findtext("datasource") for m in root.iter("maplayer")]
    assert sources == [
        "./demo_sponge.gpkg|layername=sponge_zones",
        f"./{LAYERS_NAME}|layername=carbon_forest_cover_by_county",
        f"./{LAYERS_NAME}|layername=counties",
    ]
    assert all(m.find("renderer-v2") is not None for m in root.iter("maplayer"))  # styles embedded
    layers = sorted(pyogrio.list_layers(tmp_path / LAYERS_NAME)[:, 0])
    assert layers == ["carbon_forest_cover_by_county", "counties", "layer_styles"]
    assert root.find("properties/SpatialRefSys/ProjectCrs").text == "EPSG:4549"


@pytest.mark.parametrize(
    "colour, alpha, expected", [("#1a9641", 1.0, "26,150,65,255"), ("#abc", 0.0, "170,187,204,0")]
)
def test_colours_in_qgis_form(colour, alpha, expected):
    assert qml._rgba(colour, alpha) == expected


def test_qml_files_are_read_from_paths(tmp_path):
    assert qml.qml_path(Path("a/b.shp")) == Path("a/b.qml")


PLUGIN = Path(__file__).resolve().parents[2] / "qgis" / "sxgeo_processing"


def test_plugin_metadata_declares_the_provider_and_the_qgis_range():
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(PLUGIN / "metadata.txt", encoding="utf-8")
    general = cfg["general"]
    for key in (
        "name",
        "qgisMinimumVersion",
        "description",
        "about",
        "version",
        "author",
        "email",
        "repository",
    ):
        assert general.get(key), key  # the keys plugins.qgis.org requires
    assert general["hasProcessingProvider"] == "yes"
    assert (general["qgisMinimumVersion"], general["qgisMaximumVersion"]) == ("3.22", "3.99")
    assert (PLUGIN / general["icon"]).is_file()


def test_plugin_imports_qt_only_through_qgis_pyqt_and_sxgeo_only_when_running():
    import ast

    for path in PLUGIN.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )  # fmt: skip
            assert not any(n.split(".")[0] in ("PyQt5", "PyQt6") for n in names), path.name  # Qt5/Qt6 neutral
        top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        modules = [a.name for n in top if isinstance(n, ast.Import) for a in n.names]
        modules += [n.module or "" for n in top if isinstance(n, ast.ImportFrom)]
        # the plugin loads without sxgeo (and then says how to install it)
        assert not any(m.split(".")[0] == "sxgeo" for m in modules), path.name


def test_a_styled_geopackage_reads_back_as_its_one_layer(tmp_path):
    from sxgeo.io import read_layer

    path = tmp_path / "t.gpkg"
    write_table(_zones(), path, sheet="sponge_zones")
    write_table(_zones().iloc[:2], path, sheet="sponge_zones")  # rewritten
    assert sorted(pyogrio.list_layers(path)[:, 0]) == ["layer_styles", "sponge_zones"]
    gdf, report = read_layer(path)
    assert report.layer == "sponge_zones"
    assert len(gdf) == 2 and list(gdf["zone_id"]) == ["z1", "z2"]
    write_table(_zones(), path, sheet="other")
    with pytest.raises(LayerError, match=r"has 2 layers \['sponge_zones', 'other'\]"):
        read_layer(path)


def test_roof_classes_are_the_maps_quantile_classes():
    roofs = gpd.GeoDataFrame(
        {"capacity_kwp": [3.0, 8.0, 8.0, 15.0, 40.0, 41.5, 90.0, 250.0]},
        geometry=[shapely.box(500_000 + 20 * i, 3_320_000, 500_010 + 20 * i, 3_320_010) for i in range(8)],
        crs=sxcrs.METRIC,
    )
    style = qml.layer_style("pv_buildings", roofs)
    sym = styles.classes(roofs["capacity_kwp"], title="t", k=5, palette="YlOrRd", digits=0)
    assert style.style["breaks"] == sym.style["breaks"] and style.style["colors"] == sym.style["colors"]
    assert [i["label"] for i in style.legend["items"]] == [i["label"] for i in sym.legend["items"]]
    assert styles.PALETTES["YlOrRd"] == qml.YLORRD and styles.PALETTES["Dark2"][0] == qml.ONE_COLOUR
