"""QGIS styles of sxgeo's layers: the HTML map's colours, classes and legend labels as QML and SLD.

A :class:`~sxgeo.maps.styles.Symbology` (what the HTML page draws) becomes a QGIS layer style:
``single`` -> a single-symbol renderer, ``categorical`` -> a categorized renderer, ``classes`` ->
a graduated renderer with the same breaks, colours and labels, ``continuous`` -> a graduated
renderer of equal steps between the ramp's ends (QGIS has no continuous fill renderer for
vectors). The style is stored where QGIS looks for it:

- in a GeoPackage's ``layer_styles`` table, as the layer's default (the table QGIS's OGR provider
  creates and reads, ``QgsOgrProviderMetadata::saveStyle``/``loadStyle`` in
  ``src/core/providers/ogr/qgsogrprovider.cpp``: ``f_table_catalog, f_table_schema,
  f_table_name, f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description,
  owner, ui, update_time``, FID column ``id``);
- in a ``.qml`` file beside a Shapefile or GeoParquet file (QGIS loads ``<name>.qml`` as the
  default style of ``<name>.shp``/``<name>.parquet``).

:func:`layer_style` knows the styles of the tables sxgeo writes with geometry (the same
:mod:`~sxgeo.maps.styles` calls as the HTML maps in :mod:`sxgeo.maps.views`); any other layer
gets one colour. The QML written is the QGIS 3.x document form (``<qgis>``, ``renderer-v2``,
symbol-layer ``Option`` maps), read by QGIS 3.22 to 3.44 and 4.x.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from sxgeo.errors import StyleError

log = logging.getLogger(__name__)

STYLE_NAME = "sxgeo"
"""``styleName`` of the styles sxgeo stores (one per layer; rewriting a layer replaces it)."""
PX_MM = 0.26
"""Millimetres of one CSS pixel at 96 dpi (25.4 / 96 = 0.2646 mm), for widths and marker sizes."""
DEFAULT_STROKE = "#444444"
"""The page's outline colour of polygons without a ``stroke`` (``sxgeo.js`` ``pathStyle``)."""
QGIS_VERSION = "3.22.0-Białowieża"
"""Version the QML documents declare: the oldest QGIS sxgeo supports (newer ones read it)."""
NO_DATA_COLOUR = "#cccccc"


@dataclass
class LayerStyle:
    """A layer's QGIS style: the HTML map's style and legend, and how QGIS reads its field.

    Attributes
    ----------
    style : dict
        The page's style (:attr:`sxgeo.maps.styles.Symbology.style`): ``kind`` (single/categorical/
        classes/continuous), ``field``, colours, breaks, and the paint (``fillOpacity``, ``weight``...).
    legend : dict or None
        The page's legend (:attr:`sxgeo.maps.styles.Symbology.legend`): the labels.
    family : {'polygon', 'line', 'point'}
        Geometry family (the symbol type).
    title : str
        Legend title (``description`` of the stored style).
    expression : str, optional
        A QGIS expression to classify on instead of the style's field (a column the page
        computes, e.g. ``if("passes", 'pass', 'fail')``).
    sld_values : dict
        For categories over *expression*: category -> ``(field, value)`` for the SLD filters.
    """

    style: dict[str, Any]
    legend: dict[str, Any] | None
    family: str
    title: str
    expression: str | None = None
    sld_values: dict[str, tuple[str, Any]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# colours and symbols


def _rgba(colour: str, opacity: float = 1.0) -> str:
    """``#rrggbb`` (or ``#rgb``) and an opacity as QGIS's ``r,g,b,a`` colour string."""
    text = colour.lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    r, g, b = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(max(0.0, min(1.0, opacity)) * 255)}"


def family_of(gdf: gpd.GeoDataFrame) -> str:
    """``point``, ``line`` or ``polygon``: the family of most of a layer's geometries."""
    types = gdf.geometry.geom_type.dropna()
    if types.empty:
        return "polygon"
    top = str(types.mode().iloc[0])
    if "Point" in top:
        return "point"
    if "Line" in top:
        return "line"
    return "polygon"


def _option(parent: ET.Element, name: str, value: Any) -> None:
    ET.SubElement(parent, "Option", {"name": name, "type": "QString", "value": str(value)})


def _paint(style: dict[str, Any], family: str) -> dict[str, Any]:
    """The page's paint of a layer (``sxgeo.js`` ``pathStyle`` defaults)."""
    weight = float(style.get("weight", 2 if family == "line" else 1))
    return {
        "stroke": style.get("stroke"),
        "weight_mm": round(weight * PX_MM, 3),
        "opacity": float(style.get("opacity", 0.9)),
        "fill_opacity": float(style.get("fillOpacity", 0.6)),
        "size_mm": round(2 * float(style.get("radius", 4)) * PX_MM, 3),
        "dash": bool(style.get("dashArray")),
    }


def _symbol(parent: ET.Element, name: str, colour: str, family: str, paint: dict[str, Any]) -> None:
    """One QGIS symbol (fill, line or marker) of *colour* with the layer's paint."""
    kind = {"polygon": "fill", "line": "line", "point": "marker"}[family]
    sym = ET.SubElement(
        parent,
        "symbol",
        {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"},
    )
    cls = {"fill": "SimpleFill", "line": "SimpleLine", "marker": "SimpleMarker"}[kind]
    layer = ET.SubElement(sym, "layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
    opts = ET.SubElement(layer, "Option", {"type": "Map"})
    stroke = paint["stroke"] or (colour if family == "point" else DEFAULT_STROKE)
    no_outline = paint["weight_mm"] <= 0
    if kind == "fill":
        _option(opts, "color", _rgba(colour, paint["fill_opacity"]))
        _option(opts, "style", "solid" if paint["fill_opacity"] > 0 else "no")
        _option(opts, "outline_color", _rgba(stroke, paint["opacity"]))
        _option(opts, "outline_style", "no" if no_outline else ("dash" if paint["dash"] else "solid"))
        _option(opts, "outline_width", paint["weight_mm"])
        _option(opts, "outline_width_unit", "MM")
    elif kind == "line":
        _option(opts, "line_color", _rgba(colour, paint["opacity"]))
        _option(opts, "line_style", "dash" if paint["dash"] else "solid")
        _option(opts, "line_width", max(paint["weight_mm"], 0.1))
        _option(opts, "line_width_unit", "MM")
    else:
        _option(opts, "name", "circle")
        _option(opts, "color", _rgba(colour, paint["fill_opacity"]))
        _option(opts, "outline_color", _rgba(stroke, paint["opacity"]))
        _option(opts, "outline_style", "no" if no_outline else "solid")
        _option(opts, "outline_width", paint["weight_mm"])
        _option(opts, "outline_width_unit", "MM")
        _option(opts, "size", paint["size_mm"])
        _option(opts, "size_unit", "MM")


# ---------------------------------------------------------------------------------------------
# classes as ranges


@dataclass(frozen=True)
class _Range:
    lower: float
    upper: float
    colour: str
    label: str


def _ranges(sym: LayerStyle) -> list[_Range]:
    """The classes of a ``classes`` or ``continuous`` symbology as QGIS ranges (labels as the legend's)."""
    style, legend = sym.style, sym.legend or {}
    if style["kind"] == "classes":
        edges = [float(b) for b in style["breaks"]]
        items = [i for i in legend.get("items", []) if i.get("color") != NO_DATA_COLOUR]
        labels = [str(i["label"]) for i in items][: len(edges) - 1]
        labels += [f"{edges[i]:g} – {edges[i + 1]:g}" for i in range(len(labels), len(edges) - 1)]
        return [_Range(edges[i], edges[i + 1], style["colors"][i], labels[i]) for i in range(len(edges) - 1)]
    colours = list(style["colors"])
    lo, hi = float(style["vmin"]), float(style["vmax"])
    digits = int(legend.get("digits", 1))
    if hi <= lo:
        return [_Range(lo, hi, colours[-1], f"{lo:,.{digits}f}")]
    steps = np.linspace(lo, hi, len(colours) + 1).tolist()
    return [
        _Range(
            float(steps[i]), float(steps[i + 1]), c, f"{steps[i]:,.{digits}f} – {steps[i + 1]:,.{digits}f}"
        )
        for i, c in enumerate(colours)
    ]


def _categories(sym: LayerStyle) -> list[tuple[str, str, str]]:
    """``(value, colour, label)`` of a categorical symbology, labelled as in its legend.

    The legend lists the categories present, in the order of the style's categories
    (``sxgeo.maps.styles.categorical``); a category absent from the data keeps its value as label.
    """
    items = list((sym.legend or {}).get("items", []))
    out = []
    for value, colour in sym.style["categories"].items():
        label = value
        if items and items[0].get("color") == colour:
            label = str(items.pop(0)["label"])
        out.append((value, colour, label))
    return out


# ---------------------------------------------------------------------------------------------
# QML


def to_qml(style: LayerStyle) -> str:
    """The QGIS style document (``.qml``) of a layer style.

    Parameters
    ----------
    style : LayerStyle
        The symbology and geometry family.

    Returns
    -------
    str
        The QML text.
    """
    sym = style
    kind = sym.style["kind"]
    paint = _paint(sym.style, style.family)
    root = ET.Element("qgis", {"version": QGIS_VERSION, "styleCategories": "Symbology"})
    attr = style.expression or str(sym.style.get("field", ""))
    if kind == "single":
        renderer = ET.SubElement(
            root, "renderer-v2", {"type": "singleSymbol", "symbollevels": "0", "forceraster": "0"}
        )
        symbols = ET.SubElement(renderer, "symbols")
        _symbol(symbols, "0", sym.style.get("color", "#3182bd"), style.family, paint)
    elif kind == "categorical":
        renderer = ET.SubElement(
            root,
            "renderer-v2",
            {"type": "categorizedSymbol", "attr": attr, "symbollevels": "0", "forceraster": "0"},
        )
        cats = ET.SubElement(renderer, "categories")
        symbols = ET.SubElement(renderer, "symbols")
        for i, (value, colour, label) in enumerate(_categories(sym)):
            ET.SubElement(
                cats, "category", {"value": value, "symbol": str(i), "label": label, "render": "true"}
            )
            _symbol(symbols, str(i), colour, style.family, paint)
    else:
        renderer = ET.SubElement(
            root,
            "renderer-v2",
            {
                "type": "graduatedSymbol",
                "attr": attr,
                "graduatedMethod": "GraduatedColor",
                "symbollevels": "0",
                "forceraster": "0",
            },
        )
        ranges = ET.SubElement(renderer, "ranges")
        symbols = ET.SubElement(renderer, "symbols")
        for i, r in enumerate(_ranges(sym)):
            ET.SubElement(
                ranges,
                "range",
                {
                    "lower": repr(r.lower),
                    "upper": repr(r.upper),
                    "symbol": str(i),
                    "label": r.label,
                    "render": "true",
                },
            )
            _symbol(symbols, str(i), r.colour, style.family, paint)
        ET.SubElement(renderer, "mode", {"name": "manual"})
    ET.SubElement(root, "layerOpacity").text = "1"
    ET.indent(root)
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        + ET.tostring(root, encoding="unicode")
        + "\n"
    )


# ---------------------------------------------------------------------------------------------
# SLD (OGC Symbology Encoding 1.1, the dialect QGIS writes beside the QML)

_SLD = "http://www.opengis.net/sld"
_SE = "http://www.opengis.net/se"
_OGC = "http://www.opengis.net/ogc"


def _se(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{_SE}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _sld_symbolizer(rule: ET.Element, colour: str, family: str, paint: dict[str, Any]) -> None:
    stroke = paint["stroke"] or (colour if family == "point" else DEFAULT_STROKE)
    width = f"{paint['weight_mm'] / PX_MM:g}"

    def fill(parent: ET.Element, opacity: float) -> None:
        f = _se(parent, "Fill")
        _se(f, "SvgParameter", colour, name="fill")
        _se(f, "SvgParameter", f"{opacity:g}", name="fill-opacity")

    def line(parent: ET.Element, c: str) -> None:
        s = _se(parent, "Stroke")
        _se(s, "SvgParameter", c, name="stroke")
        _se(s, "SvgParameter", width, name="stroke-width")
        _se(s, "SvgParameter", f"{paint['opacity']:g}", name="stroke-opacity")

    if family == "polygon":
        sym = _se(rule, "PolygonSymbolizer")
        fill(sym, paint["fill_opacity"])
        if paint["weight_mm"] > 0:
            line(sym, stroke)
    elif family == "line":
        line(_se(rule, "LineSymbolizer"), colour)
    else:
        graphic = _se(_se(rule, "PointSymbolizer"), "Graphic")
        mark = _se(graphic, "Mark")
        _se(mark, "WellKnownName", "circle")
        fill(mark, 1.0)
        if paint["weight_mm"] > 0:
            line(mark, stroke)
        _se(graphic, "Size", f"{paint['size_mm'] / PX_MM:g}")


def _ogc(parent: ET.Element, op: str, prop: str, value: Any) -> None:
    el = ET.SubElement(parent, f"{{{_OGC}}}{op}")
    ET.SubElement(el, f"{{{_OGC}}}PropertyName").text = prop
    ET.SubElement(el, f"{{{_OGC}}}Literal").text = str(value)


def to_sld(style: LayerStyle, layer: str) -> str:
    """The layer style as an SLD 1.1 document (for GeoServer and other SLD readers).

    Parameters
    ----------
    style : LayerStyle
        The symbology and geometry family.
    layer : str
        Layer name (``NamedLayer``).

    Returns
    -------
    str
    """
    ET.register_namespace("", _SLD)
    ET.register_namespace("se", _SE)
    ET.register_namespace("ogc", _OGC)
    sym = style
    paint = _paint(sym.style, style.family)
    root = ET.Element(f"{{{_SLD}}}StyledLayerDescriptor", {"version": "1.1.0"})
    named = ET.SubElement(root, f"{{{_SLD}}}NamedLayer")
    _se(named, "Name", layer)
    user = ET.SubElement(named, f"{{{_SLD}}}UserStyle")
    _se(user, "Name", layer)
    fts = _se(user, "FeatureTypeStyle")
    field_name = str(sym.style.get("field", ""))

    def rule(label: str) -> ET.Element:
        r = _se(fts, "Rule")
        _se(r, "Name", label)
        _se(_se(r, "Description"), "Title", label)
        return r

    kind = sym.style["kind"]
    if kind == "single":
        _sld_symbolizer(rule(style.title), sym.style.get("color", "#3182bd"), style.family, paint)
    elif kind == "categorical":
        for value, colour, label in _categories(sym):
            r = rule(label)
            prop, literal = style.sld_values.get(value, (field_name, value))
            _ogc(ET.SubElement(r, f"{{{_OGC}}}Filter"), "PropertyIsEqualTo", prop, literal)
            _sld_symbolizer(r, colour, style.family, paint)
    else:
        for i, rg in enumerate(_ranges(sym)):
            r = rule(rg.label)
            both = ET.SubElement(ET.SubElement(r, f"{{{_OGC}}}Filter"), f"{{{_OGC}}}And")
            _ogc(
                both,
                "PropertyIsGreaterThanOrEqualTo" if i == 0 else "PropertyIsGreaterThan",
                field_name,
                rg.lower,
            )
            _ogc(both, "PropertyIsLessThanOrEqualTo", field_name, rg.upper)
            _sld_symbolizer(r, rg.colour, style.family, paint)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ---------------------------------------------------------------------------------------------
# storing


def store_style(gpkg: str | Path, layer: str, style: LayerStyle) -> None:
    """Store *style* as the default style of *layer* in the GeoPackage's ``layer_styles`` table.

    The table is created as QGIS creates it when missing; sxgeo's earlier style of the layer
    (``styleName`` :data:`STYLE_NAME`) is replaced, other styles (a planner's own) are kept
    but lose ``useAsDefault``.

    Parameters
    ----------
    gpkg : str or pathlib.Path
        The GeoPackage (it holds *layer*).
    layer : str
        Layer name.
    style : LayerStyle
        The style.
    """
    gpkg = Path(gpkg)
    geom_col = pyogrio.read_info(gpkg, layer=layer).get("geometry_name") or "geom"
    row = {
        "f_table_catalog": "",
        "f_table_schema": "",
        "f_table_name": layer,
        "f_geometry_column": geom_col,
        "styleName": STYLE_NAME,
        "styleQML": to_qml(style),
        "styleSLD": to_sld(style, layer),
        "useAsDefault": True,
        "description": style.title,
        "owner": "",
        "ui": "",
        "update_time": pd.Timestamp.now(tz="UTC").floor("ms"),
    }
    table = pd.DataFrame([row])
    if "layer_styles" in {str(n) for n, _ in pyogrio.list_layers(gpkg)}:
        old = pyogrio.read_dataframe(gpkg, layer="layer_styles", read_geometry=False, fid_as_index=False)
        if len(old):
            mine = (old["f_table_name"] == layer) & (old["styleName"] == STYLE_NAME)
            old = old[~mine].copy()
            old.loc[old["f_table_name"] == layer, "useAsDefault"] = False
            table = pd.concat([old[[c for c in row if c in old.columns]], table], ignore_index=True)
    table["useAsDefault"] = table["useAsDefault"].astype(bool)
    # GeoPackage DATETIME is ISO 8601 in UTC with a Z (GeoPackage 1.3 §1.1.1.1.1); naive times are UTC
    times = pd.to_datetime(table["update_time"], errors="coerce")
    table["update_time"] = times.dt.tz_localize("UTC") if times.dt.tz is None else times.dt.tz_convert("UTC")
    pyogrio.write_dataframe(table, gpkg, layer="layer_styles", driver="GPKG", layer_options={"FID": "id"})


def qml_path(path: str | Path) -> Path:
    """The ``.qml`` QGIS reads as the default style of a file layer (``x.shp`` -> ``x.qml``)."""
    return Path(path).with_suffix(".qml")


# ---------------------------------------------------------------------------------------------
# the styles of sxgeo's output layers. The io layer cannot import the maps (the layer contract), so the
# two styles are spelled out here as the maps make them; tests/maps/test_qgis_style.py compares them with
# sxgeo.maps.styles and the capabilities' map views.

YLORRD = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
"""ColorBrewer YlOrRd, 5 classes (``sxgeo.maps.styles.PALETTES["YlOrRd"]``), the PV maps' palette."""
ONE_COLOUR = "#1b9e77"
"""ColorBrewer Dark2's first colour: a layer without a style of its own (the quick-look maps' first)."""


def _sponge_zones(gdf: gpd.GeoDataFrame) -> LayerStyle:
    """Sub-zones pass/fail as ``sxgeo.sponge.view`` draws them (green pass, red fail)."""
    title = "排水分区达标 Sub-zones pass/fail"
    passes = gdf["passes"].fillna(False).astype(bool)
    counts = {"pass": int(passes.sum()), "fail": int((~passes).sum())}
    colours = {"pass": "#1a9641", "fail": "#d7191c"}
    labels = {"pass": "达标 pass", "fail": "未达标 fail"}
    style = {
        "kind": "categorical",
        "field": "result",
        "categories": colours,
        "fillOpacity": 0.45,
        "weight": 0.8,
    }
    items = [{"color": colours[k], "label": labels[k], "count": n} for k, n in counts.items() if n]
    return LayerStyle(
        style,
        {"title": title, "kind": "categorical", "items": items, "shape": None},
        "polygon",
        title,
        expression="if(\"passes\", 'pass', 'fail')",
        sld_values={"pass": ("passes", 1), "fail": ("passes", 0)},
    )


def quantile_classes(
    values: pd.Series, *, k: int, colours: list[str], digits: int
) -> tuple[list[float], list[str], list[str]]:
    """Quantile class edges, colours and labels as ``sxgeo.maps.styles.classes`` (quantiles) makes them.

    Parameters
    ----------
    values : pandas.Series
        Numeric values.
    k : int
        Classes (fewer when values repeat).
    colours : list of str
        Palette.
    digits : int
        Decimals of the labels.

    Returns
    -------
    (edges, colours, labels)

    Raises
    ------
    StyleError
        No numeric value.
    """
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    finite = v[np.isfinite(v)]
    if finite.size == 0:
        msg = f"{values.name}: no numeric values to classify"
        raise StyleError(msg)
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, k + 1)))
    if edges.size < 2:
        edges = np.array([finite.min(), finite.max()])
    n = edges.size - 1
    cols = [colours[round(i * (len(colours) - 1) / max(n - 1, 1))] for i in range(n)]
    labels = [f"{edges[i]:,.{digits}f} – {edges[i + 1]:,.{digits}f}" for i in range(n)]
    return edges.tolist(), cols, labels


def _pv_buildings(gdf: gpd.GeoDataFrame) -> LayerStyle:
    """Roofs by capacity: 5 quantile classes of YlOrRd, the PV maps' palette."""
    title = "屋顶可装机容量 Roof capacity (kWp)"
    edges, cols, labels = quantile_classes(gdf["capacity_kwp"], k=5, colours=YLORRD, digits=0)
    style = {
        "kind": "classes", "field": "capacity_kwp", "breaks": edges, "colors": cols,
        "weight": 0.3, "fillOpacity": 0.8, "stroke": "#7f0000",
    }  # fmt: skip
    legend = {
        "title": title,
        "unit": "kWp",
        "kind": "classes",
        "items": [{"color": c, "label": lab} for c, lab in zip(cols, labels, strict=True)],
    }
    return LayerStyle(style, legend, family_of(gdf), title)


TABLE_STYLES: dict[str, tuple[tuple[str, ...], Callable[[gpd.GeoDataFrame], LayerStyle]]] = {
    "sponge_zones": (("passes",), _sponge_zones),
    "pv_buildings": (("capacity_kwp",), _pv_buildings),
}
"""Table (layer) name -> (columns it needs, style maker) for the spatial tables sxgeo writes."""


def layer_style(name: str, gdf: gpd.GeoDataFrame) -> LayerStyle:
    """The QGIS style of an output layer: its own when known, else one colour.

    Parameters
    ----------
    name : str
        Table or file stem (a ``demo_`` prefix and a ``.parquet`` suffix are ignored).
    gdf : geopandas.GeoDataFrame
        The layer (its columns and geometry type).

    Returns
    -------
    LayerStyle
    """
    key = Path(name).stem.removeprefix("demo_")
    known = TABLE_STYLES.get(key)
    if known is not None and all(c in gdf.columns for c in known[0]) and len(gdf):
        try:
            return known[1](gdf)
        except StyleError as exc:  # e.g. no numeric value to classify
            log.info("%s: one colour in QGIS (%s)", name, exc)
    style = {"kind": "single", "color": ONE_COLOUR, "fillOpacity": 0.5}
    legend = {"title": key, "kind": "categorical", "items": [{"color": ONE_COLOUR, "label": key}]}
    return LayerStyle(style, legend, family_of(gdf), key)


def store_layer_style(gpkg: str | Path, layer: str, gdf: gpd.GeoDataFrame) -> None:
    """Store an output layer's style (:func:`layer_style`) as its default in the GeoPackage.

    Parameters
    ----------
    gpkg : str or pathlib.Path
        The GeoPackage, changed in place (call this on the temporary file before the rename).
    layer : str
        Layer name.
    gdf : geopandas.GeoDataFrame
        What was written.
    """
    store_style(gpkg, layer, layer_style(layer, gdf))


def qml_for(name: str, gdf: gpd.GeoDataFrame) -> str:
    """The QML text of an output layer (:func:`layer_style`), for a ``.qml`` beside its file."""
    return to_qml(layer_style(name, gdf))


def read_stored_styles(gpkg: str | Path) -> pd.DataFrame:
    """The ``layer_styles`` table of a GeoPackage (empty when it has none).

    Parameters
    ----------
    gpkg : str or pathlib.Path

    Returns
    -------
    pandas.DataFrame
    """
    if "layer_styles" not in {str(n) for n, _ in pyogrio.list_layers(gpkg)}:
        return pd.DataFrame(columns=["f_table_name", "styleName", "styleQML", "styleSLD", "useAsDefault"])
    return pyogrio.read_dataframe(gpkg, layer="layer_styles", read_geometry=False)
