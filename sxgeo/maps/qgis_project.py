"""A QGIS project (``sxgeo.qgs``) over a build's output folder, and the per-county indicator layers.

:func:`indicator_layers` joins the per-county tables of a run (sponge coverage, PV capacity,
forest cover, carbon density, wetland protection) to the county polygons and styles them as the
HTML maps do: the sponge and carbon styles are taken from the maps the capabilities' views make
(so the classes and the plan's target breaks cannot differ), the PV style is the same
``styles.classes`` call as :func:`sxgeo.pv.view.pv_map`. :func:`write_qgis_project` writes
them into ``sxgeo_qgis.gpkg`` (styles in its ``layer_styles`` table) and writes ``sxgeo.qgs``:
every output layer of the folder (GeoPackage layers, GeoParquet files), grouped by capability,
over the county layer, with relative paths so the folder can be copied as a whole.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from xml.etree import ElementTree as ET

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
from pyproj import CRS

from sxgeo import admin
from sxgeo.carbon.view import carbon_map
from sxgeo.errors import SxgeoError
from sxgeo.io.qgis_style import (
    QGIS_VERSION,
    LayerStyle,
    family_of,
    layer_style,
    read_stored_styles,
    store_style,
    to_qml,
)
from sxgeo.io.writers import atomic_path, write_text
from sxgeo.maps import styles
from sxgeo.maps.views import counties_map
from sxgeo.sponge.view import COVERAGE_LAYER, sponge_map, status_classes

log = logging.getLogger(__name__)

PROJECT_NAME = "sxgeo.qgs"
LAYERS_NAME = "sxgeo_qgis.gpkg"
"""The GeoPackage :func:`write_qgis_project` writes: the counties and the per-county indicators."""
PROJECT_CRS = 4549
"""CGCS2000 / 3-degree Gauss-Kruger CM 120E, sxgeo's metric CRS (areas, distances)."""
GROUPS: dict[str, str] = {
    "sponge": "海绵城市 Sponge city",
    "carbon": "碳汇 Carbon sinks",
    "pv": "屋顶光伏 Rooftop PV",
    "pilots": "低(零)碳试点 Pilot siting",
    "other": "其他 Other",
    "counties": "县(市、区) Counties",
}
"""Layer-tree groups of the project by capability (file-name stem), top to bottom."""


@dataclass
class QgisLayer:
    """One layer of the project.

    Attributes
    ----------
    source : str
        OGR data source relative to the project (``./x.gpkg|layername=y``).
    name : str
        Name in the layer tree.
    group : str
        A key of :data:`GROUPS`.
    qml : str
        Its style (QML), embedded in the project.
    family : str
        ``point``, ``line`` or ``polygon``.
    crs : pyproj.CRS or None
        Its CRS.
    """

    source: str
    name: str
    group: str
    qml: str
    family: str
    crs: CRS | None


def _table(folder: Path, stem: str) -> pd.DataFrame | None:
    """A run's per-unit CSV table (``demo_`` prefixed or not), codes as text; None when absent."""
    for name in (f"{stem}.csv", f"demo_{stem}.csv"):
        path = folder / name
        if path.is_file():
            return pd.read_csv(path, encoding="utf-8-sig", dtype={"unit_code": str})
    return None


def _map_layer(m: Any, name: str) -> LayerStyle | None:
    """The style of the layer *name* of a :class:`~sxgeo.maps.page.WebMap` as a :class:`LayerStyle`."""
    for layer in m.layers:
        if layer["name"] == name:
            return LayerStyle(layer["style"], layer["legend"], layer["geomType"], name)
    return None


def _view(make: Any, *args: Any, **kwargs: Any) -> Any:
    """A capability's HTML map, for its styles; a table it cannot draw gives no layer (logged)."""
    try:
        return make(*args, **kwargs)
    except SxgeoError as exc:
        log.warning("QGIS project: %s gives no styled layer (%s)", make.__name__, exc)
        return SimpleNamespace(layers=[])


def _joined(counties: gpd.GeoDataFrame, table: pd.DataFrame, *, how: str = "inner") -> gpd.GeoDataFrame:
    """Counties joined with a per-unit table as its map joins them (sponge: all counties; others: inner)."""
    base = counties[["adcode", "name_zh", "name_en", "geometry"]]
    return base.merge(table, left_on="adcode", right_on="unit_code", how=how)


def county_style(counties: gpd.GeoDataFrame) -> LayerStyle:
    """The county layer as :func:`sxgeo.maps.views.add_counties` colours it (one colour a county).

    Parameters
    ----------
    counties : geopandas.GeoDataFrame
        County polygons (``adcode``, ``name_zh``, ``name_en``).

    Returns
    -------
    LayerStyle
    """
    m = counties_map(counties)
    return _map_layer(m, "县(市、区) Counties") or layer_style("counties", counties)


def indicator_layers(
    folder: str | Path, counties: gpd.GeoDataFrame
) -> dict[str, tuple[str, gpd.GeoDataFrame, LayerStyle]]:
    """The per-county indicator layers of a run's tables in *folder*, styled as the HTML maps.

    Parameters
    ----------
    folder : str or pathlib.Path
        An output folder (``sxgeo build``, or a command's ``-o`` folder).
    counties : geopandas.GeoDataFrame
        County polygons (``adcode``, ``name_zh``, ``name_en``).

    Returns
    -------
    dict
        Layer name -> (group, county polygons joined with the table, style); only the tables present.
    """
    folder = Path(folder)
    out: dict[str, tuple[str, gpd.GeoDataFrame, LayerStyle]] = {}
    sponge = _table(folder, "sponge_coverage")
    if sponge is not None:
        style = _map_layer(_view(sponge_map, sponge, counties), COVERAGE_LAYER)
        if style is not None:
            joined = _joined(counties, sponge, how="left")
            joined["status_class"] = status_classes(joined)  # the field the map's categories read
            out["sponge_coverage_by_county"] = ("sponge", joined, style)
    pv = _table(folder, "pv_counties")
    if pv is not None:
        joined = _joined(counties, pv)
        name = "县区可装机容量 Capacity by county (MWp)"
        # the same call as sxgeo.pv.view.pv_map (tests/maps/test_qgis_style.py compares the two)
        sym = styles.classes(
            joined["capacity_mwp"], title=name, k=4, palette="YlOrRd", digits=0, fillOpacity=0.5
        )
        out["pv_capacity_by_county"] = ("pv", joined, LayerStyle(sym.style, sym.legend, "polygon", name))
    forest, landcover, wetlands = (
        _table(folder, s) for s in ("carbon_forest", "carbon_landcover", "carbon_wetlands")
    )
    if forest is not None or landcover is not None or wetlands is not None:
        m = _view(carbon_map, counties, forest=forest, landcover=landcover, wetlands_table=wetlands)
        for key, table, name in (
            ("carbon_forest_cover_by_county", forest, "森林覆盖率 Forest cover (%)"),
            ("carbon_density_by_county", landcover, "碳密度 Carbon density (t C/ha)"),
            ("carbon_wetland_protection_by_county", wetlands, "湿地保护率 Wetland protection (%)"),
        ):
            style = _map_layer(m, name)
            if table is not None and style is not None:
                out[key] = ("carbon", _joined(counties, table), style)
    return out


def _group_of(stem: str) -> str:
    key = stem.removeprefix("demo_")
    return next((g for g in GROUPS if key.startswith(g)), "other")


def _folder_layers(folder: Path) -> list[QgisLayer]:
    """Every output layer of *folder* except :data:`LAYERS_NAME`: GeoPackage layers and GeoParquet files."""
    layers: list[QgisLayer] = []
    for path in sorted(folder.glob("*.gpkg")):
        if path.name == LAYERS_NAME or path.name.startswith("."):
            continue
        stored = read_stored_styles(path)
        for name, geom in pyogrio.list_layers(path):
            if geom is None or name == "layer_styles":
                continue
            info = pyogrio.read_info(path, layer=name)
            qml = stored.loc[stored["f_table_name"] == name, "styleQML"]
            if qml.empty:
                gdf = pyogrio.read_dataframe(path, layer=name, max_features=1000)
                text = to_qml(layer_style(str(name), gdf))
            else:
                text = str(qml.iloc[-1])
            layers.append(
                QgisLayer(
                    f"./{path.name}|layername={name}",
                    str(name),
                    _group_of(path.stem),
                    text,
                    _family_of_type(str(geom)),
                    CRS.from_user_input(info["crs"]) if info.get("crs") else None,
                )
            )
    for path in sorted(folder.glob("*.parquet")):
        if path.name.startswith("."):
            continue
        sidecar = path.with_suffix(".qml")
        gdf = gpd.read_parquet(path) if not sidecar.is_file() else None
        text = (
            sidecar.read_text(encoding="utf-8") if sidecar.is_file() else to_qml(layer_style(path.stem, gdf))
        )
        crs = _parquet_crs(path)
        family = _family_of_qml(text)
        layers.append(QgisLayer(f"./{path.name}", path.stem, _group_of(path.stem), text, family, crs))
    return layers


def _parquet_crs(path: Path) -> CRS | None:
    meta = pq.read_schema(path).metadata or {}
    geo = json.loads(meta.get(b"geo", b"{}"))
    col = geo.get("columns", {}).get(geo.get("primary_column", "geometry"), {})
    spec = col.get("crs")
    return CRS.from_json_dict(spec) if isinstance(spec, dict) else CRS.from_epsg(4326)


def _family_of_type(geometry_type: str) -> str:
    if "Point" in geometry_type:
        return "point"
    if "Line" in geometry_type:
        return "line"
    return "polygon"


def _family_of_qml(text: str) -> str:
    for kind, family in (('type="marker"', "point"), ('type="line"', "line")):
        if kind in text:
            return family
    return "polygon"


def _srs(parent: ET.Element, crs: CRS | None) -> None:
    srs = ET.SubElement(
        ET.SubElement(parent, "srs" if parent.tag == "maplayer" else "projectCrs"), "spatialrefsys"
    )
    crs = crs or CRS.from_epsg(PROJECT_CRS)
    ET.SubElement(srs, "wkt").text = crs.to_wkt()
    auth = crs.to_authority()
    ET.SubElement(srs, "authid").text = ":".join(auth) if auth else ""
    ET.SubElement(srs, "description").text = crs.name


def _project_xml(layers: list[QgisLayer], title: str) -> str:
    root = ET.Element("qgis", {"projectname": title, "version": QGIS_VERSION})
    ET.SubElement(root, "title").text = title
    _srs(root, CRS.from_epsg(PROJECT_CRS))
    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    projectlayers = ET.SubElement(root, "projectlayers")
    ids: dict[int, str] = {}
    for group, label in GROUPS.items():
        members = [layer for layer in layers if layer.group == group]
        if not members:
            continue
        node = ET.SubElement(
            tree, "layer-tree-group", {"name": label, "checked": "Qt::Checked", "expanded": "1"}
        )
        ET.SubElement(node, "customproperties")
        for layer in members:
            lid = ids.setdefault(id(layer), f"{Path(layer.name).stem}_{uuid.uuid4().hex[:12]}")
            ET.SubElement(
                node,
                "layer-tree-layer",
                {
                    "id": lid,
                    "name": layer.name,
                    "source": layer.source,
                    "providerKey": "ogr",
                    "checked": "Qt::Checked",
                    "expanded": "1",
                },
            )
            geometry = {"point": "Point", "line": "Line", "polygon": "Polygon"}[layer.family]
            ml = ET.SubElement(projectlayers, "maplayer", {"type": "vector", "geometry": geometry})
            ET.SubElement(ml, "id").text = lid
            ET.SubElement(ml, "datasource").text = layer.source
            ET.SubElement(ml, "layername").text = layer.name
            _srs(ml, layer.crs)
            ET.SubElement(ml, "provider", {"encoding": "UTF-8"}).text = "ogr"
            style = ET.fromstring(
                layer.qml.split("\n", 1)[1] if layer.qml.startswith("<!DOCTYPE") else layer.qml
            )
            for child in style:
                ml.append(child)
    props = ET.SubElement(root, "properties")
    # QgsProject reads <projectCrs> only with ProjectionsEnabled set (QgsProject::readProjectFile)
    srs = ET.SubElement(props, "SpatialRefSys")
    ET.SubElement(srs, "ProjectionsEnabled", {"type": "int"}).text = "1"
    ET.SubElement(srs, "ProjectCrs", {"type": "QString"}).text = f"EPSG:{PROJECT_CRS}"
    paths = ET.SubElement(props, "Paths")
    ET.SubElement(paths, "Absolute", {"type": "bool"}).text = "false"
    ET.indent(root)
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        + ET.tostring(root, encoding="unicode")
        + "\n"
    )


def write_indicator_layers(
    gpkg: str | Path, layers: dict[str, tuple[str, gpd.GeoDataFrame, LayerStyle]], counties: gpd.GeoDataFrame
) -> Path:
    """Write the counties and the indicator layers into one GeoPackage, each with its default style.

    Parameters
    ----------
    gpkg : str or pathlib.Path
        The file (replaced atomically).
    layers : dict
        From :func:`indicator_layers`.
    counties : geopandas.GeoDataFrame
        County polygons (the layer ``counties``).

    Returns
    -------
    pathlib.Path
    """
    with atomic_path(gpkg) as tmp:
        counties.to_file(tmp, layer="counties", driver="GPKG")
        store_style(tmp, "counties", county_style(counties))
        for name, (_, gdf, style) in layers.items():
            gdf.to_file(tmp, layer=name, driver="GPKG")
            store_style(tmp, name, style)
    return Path(gpkg)


def write_qgis_project(
    out_folder: str | Path, *, counties: gpd.GeoDataFrame | None = None, title: str = "sxgeo"
) -> Path:
    """Write ``sxgeo.qgs`` (and ``sxgeo_qgis.gpkg``) into an output folder.

    The project loads every output layer of the folder (GeoPackage layers and GeoParquet files,
    each with its stored style), the per-county indicator layers (:func:`indicator_layers`) and
    the counties, grouped by capability (:data:`GROUPS`), in EPSG:4549, with relative paths.

    Parameters
    ----------
    out_folder : str or pathlib.Path
        The output folder (``sxgeo build -o``).
    counties : geopandas.GeoDataFrame, optional
        County polygons; default the shipped layer (:func:`sxgeo.admin.load_counties`).
    title : str
        Project title.

    Returns
    -------
    pathlib.Path
        The project file.
    """
    folder = Path(out_folder)
    units = counties if counties is not None else admin.load_counties()
    units = units.assign(adcode=units["adcode"].astype(str))
    indicators = indicator_layers(folder, units)
    write_indicator_layers(folder / LAYERS_NAME, indicators, units)
    layers = _folder_layers(folder)
    stored = read_stored_styles(folder / LAYERS_NAME).set_index("f_table_name")["styleQML"]
    for name, (group, gdf, style) in indicators.items():
        source = f"./{LAYERS_NAME}|layername={name}"
        layers.append(QgisLayer(source, style.title, group, str(stored[name]), family_of(gdf), gdf.crs))
    source = f"./{LAYERS_NAME}|layername=counties"
    layers.append(
        QgisLayer(source, GROUPS["counties"], "counties", str(stored["counties"]), "polygon", units.crs)
    )
    path = write_text(folder / PROJECT_NAME, _project_xml(layers, title))
    log.info("wrote %s (%d layers)", path, len(layers))
    return path
