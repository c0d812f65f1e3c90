r"""WebMap: one self-contained, offline-first HTML map built on folium.

A :class:`WebMap` collects layers (GeoDataFrames in any CRS, rasters), reprojects them to
EPSG:4326 at this boundary (logged), keeps only the attributes it shows, rounds coordinates,
and writes one HTML file with Leaflet and sxgeo's runtime inlined: with basemap ``none`` the
page makes no network request. The folium map underneath (:meth:`WebMap.to_folium`) is an
ordinary ``folium.Map``, so folium elements can still be added to it.

Data reach the page as JSON inside a ``<script>``: ``<``, ``>`` and ``&`` are written as
``\\u003c`` etc., so no attribute value can close the script, and the runtime inserts every
value as text, so no attribute value becomes markup.
"""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pypinyin
import shapely
from branca.element import MacroElement
from jinja2 import Template

from sxgeo import crs as sxcrs
from sxgeo import labels as sxlabels
from sxgeo.errors import MapSizeError, SxgeoError
from sxgeo.io.writers import write_text
from sxgeo.maps import assets
from sxgeo.maps.basemaps import resolve
from sxgeo.maps.raster import raster_png
from sxgeo.maps.styles import Symbology, single

log = logging.getLogger(__name__)

WARN_BYTES = 8 * 1024 * 1024
"""Page size above which a warning is logged [bytes]."""
MAX_BYTES = 20 * 1024 * 1024
"""Page size above which saving is refused unless forced [bytes]."""
CANVAS_ABOVE = 2000
"""Features above which a vector layer is drawn on canvas instead of SVG."""
CLUSTER_ABOVE = 200
"""Points above which a point layer is clustered."""

GROUPS = {
    "boundaries": ("边界", "Boundaries"),
    "indicators": ("指标", "Indicators"),
    "pilots": ("试点", "Pilots"),
    "rasters": ("栅格", "Rasters"),
    "buildings": ("建筑", "Buildings"),
    "other": ("其他", "Other"),
}
"""Overlay groups of the layer switcher, in order: id -> (zh, en)."""

I18N = {
    "zh": {
        "layers": "图层 Layers",
        "basemaps": "底图 Basemap",
        "search": "搜索地名…",
        "measure": "测量",
        "measureHint": "在地图上单击添加点",
        "distance": "距离",
        "area": "面积",
        "fullscreen": "全屏",
        "opacity": "透明度",
        "yes": "是",
        "no": "否",
        "noMatch": "无匹配:",
        "basemapOffline": "底图需联网，无法加载，已改为无底图 · the basemap needs a network",
        "synthetic": "含合成示例数据，仅供演示 · contains SYNTHETIC demo data",
        "crs": "坐标: WGS84/CGCS2000 · 边界仅供规划参考，非公开出版地图(无审图号)",
        "gcj": "GCJ-02 显示: 图层已偏移至高德坐标，勿用于量算 · GCJ-02 display",
    },
    "en": {
        "layers": "Layers 图层",
        "basemaps": "Basemap 底图",
        "search": "Search a place…",
        "measure": "Measure",
        "measureHint": "Click on the map to add points",
        "distance": "Distance",
        "area": "Area",
        "fullscreen": "Fullscreen",
        "opacity": "Opacity",
        "yes": "yes",
        "no": "no",
        "noMatch": "No match:",
        "basemapOffline": "The basemap needs a network and could not load: shown without one · 底图需联网",
        "synthetic": "Contains SYNTHETIC demo data, illustrative only · 含合成示例数据",
        "crs": "Coordinates: WGS84/CGCS2000 · boundaries for planning use, not for publication (no 审图号)",
        "gcj": "GCJ-02 display: overlays shifted to AMap coordinates; do not measure · GCJ-02 显示",
    },
}


def _safe_json(obj: Any) -> str:
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def _clean_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and not np.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


@dataclass
class Field:
    """A tooltip field.

    Attributes
    ----------
    name : str
        Column name.
    label : str
        Label shown (zh/en alias).
    digits : int or None
        Decimals for numbers (``None``: 0 for integers, 2 otherwise).
    unit : str or None
        Unit appended to the value.
    """

    name: str
    label: str
    digits: int | None = None
    unit: str | None = None


def _fields(tooltip: Any, gdf: gpd.GeoDataFrame) -> list[Field]:
    if tooltip is None:
        cols = [c for c in gdf.columns if c != gdf.geometry.name][:12]
        return [Field(c, c) for c in cols]
    out = []
    for item in tooltip:
        if isinstance(item, Field):
            out.append(item)
        elif isinstance(item, str):
            out.append(Field(item, item))
        else:
            out.append(Field(*item))
    missing = [f.name for f in out if f.name not in gdf.columns]
    if missing:
        msg = f"tooltip fields {missing} are not columns of the layer ({list(gdf.columns)})"
        raise SxgeoError(msg)
    return out


def _labelled(
    fields: list[Field], props: pd.DataFrame, raw: set[Any], lang: str
) -> tuple[list[Field], list[dict[str, Any]]]:
    """The tooltip values for people (:func:`sxgeo.labels.value`: 是/否, statuses, classes, reasons).

    A column the style or the search reads (*raw*) keeps its values; its tooltip shows a
    labelled copy (``<column>__label``) instead.
    """
    records: list[dict[str, Any]] = [{str(k): v for k, v in r.items()} for r in props.to_dict("records")]
    shown = []
    for f in fields:
        labelled = [sxlabels.value(f.name, rec.get(f.name), lang) for rec in records]
        same = all(
            a is b or (type(a) is type(b) and a == b)
            for a, b in zip(labelled, (rec.get(f.name) for rec in records), strict=True)
        )
        target = f"{f.name}__label" if f.name in raw and not same else f.name
        for rec, v in zip(records, labelled, strict=True):
            rec[target] = v
        shown.append(Field(target, f.label, f.digits, f.unit))
    return shown, records


def search_pinyin(values: pd.Series) -> dict[str, str]:
    """Search keys -> their pinyin, initials and whole, lower case (西小路社区 -> ``xxlsq xixiaolushequ``).

    Keys without Chinese characters are left out (their name is what is typed).
    """
    out = {}
    for key in dict.fromkeys(str(v) for v in values.dropna()):
        if not any("\u4e00" <= ch <= "\u9fff" for ch in key):
            continue
        initials = "".join(pypinyin.lazy_pinyin(key, style=pypinyin.Style.FIRST_LETTER))
        whole = "".join(pypinyin.lazy_pinyin(key))
        out[key] = f"{initials} {whole}".lower()
    return out


def _family(gdf: gpd.GeoDataFrame) -> str:
    types = set(gdf.geom_type.dropna())
    if types <= {"Point", "MultiPoint"}:
        return "point"
    if types <= {"LineString", "MultiLineString"}:
        return "line"
    return "polygon"


class _PageScript(MacroElement):
    """The one script that hands the page spec to the sxgeo runtime."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "sxgeo.render({{ this._parent.get_name() }}, {{ this.spec }});"
        "{% endmacro %}"
    )

    def __init__(self, spec: str) -> None:
        super().__init__()
        self._name = "SxgeoPage"
        self.spec = spec


class _OfflineMap(folium.Map):
    """A folium.Map that links no CDN: sxgeo inlines Leaflet itself."""

    default_js: list[tuple[str, str]] = []  # noqa: RUF012 (folium's own class attribute)
    default_css: list[tuple[str, str]] = []  # noqa: RUF012


@dataclass
class WebMap:
    """An interactive map page under construction.

    Parameters
    ----------
    title : str
        Title shown on the map and in the browser tab.
    lang : {'zh', 'en'}
        Language of the interface.
    basemap : str, optional
        A basemap name (see :mod:`sxgeo.maps.basemaps`); default Tianditu with a key, else OSM.
    tianditu_key : str, optional
        Tianditu key (else ``SXGEO_TIANDITU_KEY`` or the user config).
    tools : bool
        Scale bar, fullscreen, measure and search tools.
    """

    title: str
    lang: str = "zh"
    basemap: str | None = None
    tianditu_key: str | None = None
    tools: bool = True
    layers: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    synthetic: bool = False
    _bounds: list[float] | None = None

    def __post_init__(self) -> None:
        if self.lang not in I18N:
            msg = f"lang must be 'zh' or 'en', got {self.lang!r}"
            raise SxgeoError(msg)
        self.choice = resolve(self.basemap, key=self.tianditu_key, lang=self.lang)
        self.notes.extend(self.choice.notes)
        self.gcj = self.choice.selected.display_crs == "GCJ-02"

    # ------------------------------------------------------------------ layers
    def add_vector(
        self,
        gdf: gpd.GeoDataFrame,
        name: str,
        *,
        group: str = "indicators",
        symbology: Symbology | None = None,
        tooltip: list[Any] | None = None,
        show: bool | None = None,
        search: str | None = None,
        precision: int = 6,
        simplify_m: float | None = None,
        cluster: bool | None = None,
        fit: bool = False,
        label: str | None = None,
    ) -> WebMap:
        """Add a vector layer.

        Parameters
        ----------
        gdf : geopandas.GeoDataFrame
            Features with a CRS (reprojected to EPSG:4326 here).
        name : str
            Layer name, ideally bilingual ("海绵城市覆盖率 Sponge-city coverage (%)").
        group : str
            A key of :data:`GROUPS`.
        symbology : Symbology, optional
            From :mod:`sxgeo.maps.styles`; default one colour.
        tooltip : list, optional
            Column names, ``(column, label[, digits[, unit]])`` tuples or :class:`Field`;
            default the first 12 columns.
        show : bool, optional
            Switched on when the page opens; default yes, except for heavy layers (more than
            :data:`CANVAS_ABOVE` features), which start off.
        search : str, optional
            Column whose values the search box finds.
        precision : int
            Decimals of the coordinates (6 is about 0.1 m, 5 about 1 m).
        simplify_m : float, optional
            Simplification tolerance [m], coverage-preserving for polygon coverages.
        cluster : bool, optional
            Cluster points; default when more than :data:`CLUSTER_ABOVE`.
        fit : bool
            Fit the opening view to this layer.
        label : str, optional
            Column written on the map at each feature (a point on its surface), shown with the layer.

        Returns
        -------
        WebMap
            ``self``, for chaining.
        """
        if group not in GROUPS:
            msg = f"group must be one of {list(GROUPS)}, got {group!r}"
            raise SxgeoError(msg)
        sxcrs.require_crs(gdf, what=name)
        if len(gdf) == 0:
            msg = f"layer {name!r} has no features"
            raise SxgeoError(msg)
        symbology = symbology or single()
        fields = _fields(tooltip, gdf)
        family = _family(gdf)
        if "synthetic" in gdf.columns and gdf["synthetic"].fillna(False).astype(bool).any():
            self.synthetic = True
        geoms = gdf.geometry
        if simplify_m:
            geoms = self._simplify(gdf, simplify_m, name)
        web = sxcrs.to_lonlat(gpd.GeoDataFrame(geometry=geoms), what=name)
        if self.gcj:
            web = sxcrs.to_offset_lonlat(web, "GCJ-02", what=name)
        arr = np.asarray(web.geometry.values, dtype=object)
        arr = shapely.transform(arr, lambda c: np.round(c, precision))
        keep = {f.name for f in fields}
        for extra in (symbology.style.get("field"), search):
            if extra:
                keep.add(extra)
        props = gdf[[c for c in gdf.columns if c in keep]]
        fields, records = _labelled(fields, props, {symbology.style.get("field"), search}, self.lang)
        features = [
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(g)) if g is not None else None,
                "properties": {k: _clean_value(v) for k, v in rec.items()},
            }
            for g, rec in zip(arr, records, strict=True)
        ]
        n = len(features)
        if cluster is None:
            cluster = family == "point" and n > CLUSTER_ABOVE
        renderer = "canvas" if n > CANVAS_ABOVE and not cluster else "svg"
        if show is None:
            show = n <= CANVAS_ABOVE
        labels = []
        if label is not None and label in gdf.columns:
            spots = shapely.point_on_surface(arr)
            labels = [
                {"lat": round(float(p.y), 5), "lon": round(float(p.x), 5), "text": str(t)}
                for p, t in zip(spots, gdf[label], strict=True)
                if p is not None and not p.is_empty and t is not None and str(t) not in ("", "nan")
            ]
        x0, y0, x1, y1 = shapely.total_bounds(arr)
        if fit or self._bounds is None:
            self._bounds = [float(y0), float(x0), float(y1), float(x1)]
        self.layers.append(
            {
                "kind": "vector",
                "name": name,
                "group": group,
                "geomType": family,
                "data": {"type": "FeatureCollection", "features": features},
                "style": symbology.style,
                "legend": symbology.legend,
                "tooltip": [f.__dict__ for f in fields],
                "show": show,
                "search": search,
                "searchPinyin": search_pinyin(gdf[search]) if search and search in gdf.columns else {},
                "labels": labels,
                "cluster": bool(cluster),
                "renderer": renderer,
            }
        )
        log.info(
            "map layer %r: %d %s features (%s%s)", name, n, family, renderer, ", clustered" if cluster else ""
        )
        return self

    def _simplify(self, gdf: gpd.GeoDataFrame, tolerance_m: float, name: str) -> gpd.GeoSeries:
        metric = sxcrs.to_metric(gdf, what=name)
        arr = np.asarray(metric.geometry.values, dtype=object)
        polygonal = _family(gdf) == "polygon"
        if polygonal and shapely.coverage_is_valid(arr):
            out = shapely.coverage_simplify(arr, tolerance_m, simplify_boundary=True)
            log.info("%s: coverage-preserving simplification at %.0f m", name, tolerance_m)
        else:
            out = shapely.simplify(arr, tolerance_m, preserve_topology=True)
        return gpd.GeoSeries(out, crs=metric.crs, index=gdf.index)

    def add_raster(
        self,
        array: np.ndarray,
        transform: Any,
        crs: Any,
        name: str,
        *,
        symbology: Symbology,
        nodata: float | None = None,
        opacity: float = 0.7,
        show: bool = False,
        group: str = "rasters",
        max_size: int = 2048,
    ) -> WebMap:
        """Add a raster overlay (reprojected to EPSG:3857, long side capped, PNG inlined).

        Parameters
        ----------
        array : numpy.ndarray
            2-D raster values.
        transform : affine.Affine
            Its geotransform.
        crs : Any
            Its CRS.
        name : str
            Layer name.
        symbology : Symbology
            :func:`~sxgeo.maps.styles.categorical` (class codes) or
            :func:`~sxgeo.maps.styles.continuous`; its legend is shown.
        nodata : float, optional
            Transparent value.
        opacity : float
            Overlay opacity, 0-1.
        show : bool
            Switched on when the page opens.
        group : str
            A key of :data:`GROUPS`.
        max_size : int
            Longest side of the inlined image [px].

        Returns
        -------
        WebMap
        """
        if self.gcj:
            msg = "raster overlays cannot be shifted to GCJ-02 exactly; use a WGS84 basemap (tianditu, osm)"
            raise SxgeoError(msg)
        uri, bounds = raster_png(array, transform, crs, symbology.style, nodata=nodata, max_size=max_size)
        self.layers.append(
            {
                "kind": "raster",
                "name": name,
                "group": group,
                "image": uri,
                "bounds": bounds,
                "opacity": opacity,
                "legend": symbology.legend,
                "show": show,
            }
        )
        return self

    def add_note(self, text: str) -> WebMap:
        """Add a line under the title (source, date, caveat).

        Parameters
        ----------
        text : str
            The note.

        Returns
        -------
        WebMap
        """
        self.notes.append(text)
        return self

    # ------------------------------------------------------------------ output
    def spec(self) -> dict[str, Any]:
        """The page description handed to the runtime (also what tests inspect).

        Returns
        -------
        dict
        """
        i18n = I18N[self.lang]
        notes = [i18n["gcj"] if self.gcj else i18n["crs"], *self.notes]
        return {
            "lang": self.lang,
            "title": self.title,
            "banner": i18n["synthetic"] if self.synthetic else None,
            "notes": notes,
            # only the runtime's own strings; banner and notes are filled in above
            "i18n": {k: v for k, v in i18n.items() if k not in ("synthetic", "crs", "gcj")},
            "basemap": self.choice.selected.id,
            "basemaps": [
                {"id": b.id, "name": b.label(self.lang), "tiles": b.tiles} for b in self.choice.offered
            ],
            "groups": [{"id": k, "name": f"{zh} {en}"} for k, (zh, en) in GROUPS.items()],
            "layers": self.layers,
            "tools": {
                "scale": self.tools,
                "fullscreen": self.tools,
                "measure": self.tools,
                "search": self.tools,
            },
            "bounds": [[self._bounds[0], self._bounds[1]], [self._bounds[2], self._bounds[3]]]
            if self._bounds
            else None,
        }

    def to_folium(self) -> folium.Map:
        """Build the folium map: assets inlined, one runtime call with the page spec.

        Returns
        -------
        folium.Map
        """
        b = self._bounds or [29.22, 119.88, 30.30, 121.23]
        fmap = _OfflineMap(
            location=[(b[0] + b[2]) / 2, (b[1] + b[3]) / 2],
            zoom_start=9,
            tiles=None,
            prefer_canvas=False,
        )
        bundles = (
            ("leaflet", "markercluster", "sxgeo")
            if any(layer.get("cluster") for layer in self.layers)
            else ("leaflet", "sxgeo")
        )
        root = fmap.get_root()
        root.header.add_child(  # type: ignore[attr-defined]  # folium: the root Figure has a header
            folium.Element(f"<title>{html.escape(self.title)}</title>"), name="sxgeo_title"
        )
        root.header.add_child(folium.Element(assets.inline(bundles)), name="sxgeo_assets")  # type: ignore[attr-defined]
        fmap.add_child(_PageScript(_safe_json(self.spec())))
        return fmap

    def html(self) -> str:
        """The whole page as one HTML string.

        Returns
        -------
        str
        """
        return self.to_folium().get_root().render()

    def save(self, path: str | Path, *, force: bool = False) -> Path:
        """Write the page, enforcing the size guard.

        Parameters
        ----------
        path : str or pathlib.Path
            Output ``.html`` file.
        force : bool
            Write even above :data:`MAX_BYTES`.

        Returns
        -------
        pathlib.Path

        Raises
        ------
        MapSizeError
            Above 20 MB without *force*.
        """
        text = self.html()
        size = len(text.encode("utf-8"))
        path = Path(path)
        if size > MAX_BYTES and not force:
            msg = (
                f"{path.name} would be {size / 2**20:.1f} MB (limit {MAX_BYTES / 2**20:.0f} MB); "
                "aggregate the "
                "large layer (sxgeo.zonal.grid_counts), simplify it, or pass force=True / --force"
            )
            raise MapSizeError(msg)
        if size > WARN_BYTES:
            log.warning("%s is %.1f MB: it will open slowly; consider aggregating", path.name, size / 2**20)

        write_text(path, text)
        log.info("wrote %s (%.0f KB)", path, size / 1024)
        return path
