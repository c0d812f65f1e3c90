"""Basemap registry: which tile services a map offers, and in which coordinate system.

* ``none``: no tiles; the page makes no network request at all (intranets).
* ``tianditu-vec`` / ``tianditu-img`` / ``tianditu-en``: 天地图 vector + Chinese labels, imagery +
  labels, vector + English labels (the ``_w`` Web-Mercator sets; CGCS2000 = WGS84 at map scale).
  They need a key (``tk``): from the caller, the ``SXGEO_TIANDITU_KEY`` environment variable or
  the user config (:mod:`sxgeo.settings`, ``[tianditu] key = "..."``); never hard-coded. Without a key
  the map falls back to ``none`` and says so.
* ``osm``: OpenStreetMap standard tiles.
* ``xyz:<template>``: a user tile server, e.g. an intranet ``https://tiles.example/{z}/{x}/{y}.png``.
* ``amap``: 高德 AMap, **GCJ-02**. Opt-in only: every vector overlay is then shifted to GCJ-02 at
  render time and the map says "GCJ-02 display"; no WGS84 basemap is offered beside it.

The default is Tianditu vector when a key is configured, else OpenStreetMap.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

from sxgeo.errors import BasemapError
from sxgeo.settings import setting

log = logging.getLogger(__name__)

TIANDITU_ENV = "SXGEO_TIANDITU_KEY"


@dataclass(frozen=True)
class Basemap:
    """A basemap: one or more stacked tile layers.

    Attributes
    ----------
    id : str
        Registry name (``--basemap`` value).
    name_zh, name_en : str
        Label in the layer switcher.
    tiles : list of dict
        ``{"url": template, "options": {...}}`` for ``L.tileLayer``, bottom first.
    display_crs : str
        ``"WGS84"`` or ``"GCJ-02"``: the coordinates the overlays must be drawn in.
    """

    id: str
    name_zh: str
    name_en: str
    tiles: list[dict[str, Any]] = field(default_factory=list)
    display_crs: str = "WGS84"

    def label(self, lang: str) -> str:
        """Switcher label in *lang* (``zh`` or ``en``)."""
        return self.name_zh if lang == "zh" else self.name_en


_TDT_ATTR = '© <a href="https://www.tianditu.gov.cn">天地图 Tianditu</a>'
_OSM_ATTR = '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


def _tianditu(layer: str, key: str) -> dict[str, Any]:
    return {
        "url": f"https://t{{s}}.tianditu.gov.cn/DataServer?T={layer}_w&x={{x}}&y={{y}}&l={{z}}&tk={key}",
        "options": {"subdomains": "01234567", "maxZoom": 18, "attribution": _TDT_ATTR},
    }


def configured_tianditu_key(key: str | None = None) -> str | None:
    """The Tianditu key: *key*, else ``SXGEO_TIANDITU_KEY``, else the user config file.

    Parameters
    ----------
    key : str, optional
        An explicit key.

    Returns
    -------
    str or None
    """
    if key:
        return key
    if os.environ.get(TIANDITU_ENV):
        return os.environ[TIANDITU_ENV]

    return setting("tianditu", "key")


NONE = Basemap("none", "无底图", "No basemap")
OSM = Basemap(
    "osm",
    "OpenStreetMap",
    "OpenStreetMap",
    [
        {
            "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "options": {"maxZoom": 19, "attribution": _OSM_ATTR},
        }
    ],
)


def tianditu(kind: str, key: str) -> Basemap:
    """A Tianditu basemap: ``vec`` (+ Chinese labels), ``img`` (+ labels) or ``en`` (vector + English labels).

    Parameters
    ----------
    kind : {'vec', 'img', 'en'}
        Which pair of tile sets.
    key : str
        The Tianditu browser key.

    Returns
    -------
    Basemap
    """
    pairs = {
        "vec": ("vec", "cva", "天地图 矢量", "Tianditu vector"),
        "img": ("img", "cia", "天地图 影像", "Tianditu imagery"),
        "en": ("vec", "eva", "天地图 矢量(英文注记)", "Tianditu vector, English labels"),
    }
    base, labels, zh, en = pairs[kind]
    return Basemap(f"tianditu-{kind}", zh, en, [_tianditu(base, key), _tianditu(labels, key)])


AMAP = Basemap(
    "amap",
    "高德地图 (GCJ-02)",
    "AMap (GCJ-02)",
    [
        {
            "url": "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
            "options": {"subdomains": "1234", "maxZoom": 18, "attribution": "© 高德 AMap"},
        }
    ],
    display_crs="GCJ-02",
)


def xyz(template: str) -> Basemap:
    """A user tile server from an XYZ template with ``{z}``, ``{x}`` and ``{y}``.

    Parameters
    ----------
    template : str
        For example ``https://intranet.example/tiles/{z}/{x}/{y}.png``.

    Returns
    -------
    Basemap
    """
    if not all(p in template for p in ("{z}", "{x}", "{y}")):
        msg = f"tile template {template!r} needs {{z}}, {{x}} and {{y}}"
        raise BasemapError(msg)
    return Basemap("xyz", "自定义瓦片", "Custom tiles", [{"url": template, "options": {"maxZoom": 20}}])


NAMES = ("none", "osm", "tianditu-vec", "tianditu-img", "tianditu-en", "amap", "xyz:<template>")


@dataclass
class BasemapChoice:
    """The basemaps a page offers and the one it opens with.

    Attributes
    ----------
    selected : Basemap
        Shown when the page opens.
    offered : list of Basemap
        Radio buttons (all in the selected basemap's coordinate system).
    notes : list of str
        Fallbacks the planner should know about.
    """

    selected: Basemap
    offered: list[Basemap]
    notes: list[str] = field(default_factory=list)


def resolve(name: str | None = None, *, key: str | None = None, lang: str = "zh") -> BasemapChoice:
    """Pick the basemap for *name* (``None`` = default) and the alternatives to offer.

    Parameters
    ----------
    name : str, optional
        A name from :data:`NAMES`; default Tianditu vector with a key, else ``osm``.
    key : str, optional
        Tianditu key (else from the environment or config).
    lang : {'zh', 'en'}
        Language of the notes.

    Returns
    -------
    BasemapChoice

    Raises
    ------
    BasemapError
        For an unknown name.
    """
    key = configured_tianditu_key(key)
    notes: list[str] = []
    if name is None:
        name = "tianditu-vec" if key else "osm"
    if name == "amap":
        return BasemapChoice(AMAP, [AMAP, NONE])
    user = None
    if name.startswith("xyz:"):
        user = xyz(name[4:])
        name = "xyz"
    wgs84: list[Basemap] = [NONE]
    if key:
        wgs84 += [tianditu("vec", key), tianditu("img", key), tianditu("en", key)]
    wgs84.append(OSM)
    if user is not None:
        wgs84.append(user)
    by_id = {b.id: b for b in wgs84}
    if name.startswith("tianditu-") and name not in by_id:
        if name not in ("tianditu-vec", "tianditu-img", "tianditu-en"):
            msg = f"unknown basemap {name!r}; choose one of {', '.join(NAMES)}"
            raise BasemapError(msg)
        note = (
            f"未配置天地图密钥({TIANDITU_ENV})，已改为无底图"
            if lang == "zh"
            else f"no Tianditu key ({TIANDITU_ENV}); showing no basemap"
        )
        log.warning("no Tianditu key (set %s); the map opens with no basemap", TIANDITU_ENV)
        notes.append(note)
        name = "none"
    if name not in by_id:
        msg = f"unknown basemap {name!r}; choose one of {', '.join(NAMES)}"
        raise BasemapError(msg)
    return BasemapChoice(by_id[name], wgs84, notes)
