"""Styles and the legends that go with them: one call returns both, so they cannot disagree.

Each builder returns a :class:`Symbology` whose ``style`` the page runtime uses to colour
features and whose ``legend`` it shows, bound to the layer (the legend shows and hides with it).
Palettes are ColorBrewer schemes (Cynthia Brewer, colorbrewer2.org, Apache-2.0 licence).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sxgeo.errors import MissingDependencyError, StyleError

PALETTES: dict[str, list[str]] = {
    "YlGn": ["#ffffcc", "#c2e699", "#78c679", "#31a354", "#006837"],
    "YlOrRd": ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
    "Blues": ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
    "Greens": ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"],
    "RdYlGn": ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"],
    "Set2": ["#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3"],
    "Dark2": ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"],
}


@dataclass
class Symbology:
    """How a layer is drawn and explained.

    Attributes
    ----------
    style : dict
        For the runtime: ``kind`` (single/categorical/classes/continuous), ``field`` and colours.
    legend : dict or None
        For the runtime: ``title``, ``unit``, ``kind`` and ``items`` (colour, label, count) or a ramp.
    """

    style: dict[str, Any]
    legend: dict[str, Any] | None


def _paint(style: dict[str, Any], **paint: Any) -> dict[str, Any]:
    return style | {k: v for k, v in paint.items() if v is not None}


def single(
    color: str = "#3182bd", *, title: str | None = None, shape: str | None = None, **paint: Any
) -> Symbology:
    """One colour for every feature; a one-item legend when *title* is given.

    Parameters
    ----------
    color : str
        Fill (and point) colour.
    title : str, optional
        Legend title; no legend without it.
    shape : {'point', None}
        Legend swatch shape.
    **paint
        ``weight``, ``opacity``, ``fillOpacity``, ``stroke``, ``radius``, ``dashArray``.

    Returns
    -------
    Symbology
    """
    legend = {
        "title": title,
        "kind": "categorical",
        "items": [{"color": color, "label": title}],
        "shape": shape,
    }
    return Symbology(_paint({"kind": "single", "color": color}, **paint), legend if title else None)


def categorical(
    values: pd.Series,
    *,
    title: str,
    colors: Mapping[Any, str] | None = None,
    labels: Mapping[Any, str] | None = None,
    palette: str = "Set2",
    shape: str | None = None,
    **paint: Any,
) -> Symbology:
    """A colour per category (land cover, county, pilot type), with counts in the legend.

    Parameters
    ----------
    values : pandas.Series
        The category of each feature (the column the style reads is ``values.name``).
    title : str
        Legend title.
    colors : mapping, optional
        Category -> colour; default from *palette* in order of first appearance.
    labels : mapping, optional
        Category -> legend label; default the category itself.
    palette : str
        A key of :data:`PALETTES`, used when *colors* is not given.
    shape : {'point', None}
        Legend swatch shape.
    **paint
        Stroke options as in :func:`single`.

    Returns
    -------
    Symbology
    """
    cats = list(pd.unique(values.dropna()))
    if colors is None:
        pal = PALETTES[palette]
        colors = {c: pal[i % len(pal)] for i, c in enumerate(cats)}
    counts = values.value_counts()
    items = [
        {"color": colors[c], "label": str((labels or {}).get(c, c)), "count": int(counts.get(c, 0))}
        for c in colors
        if c in counts.index
    ]
    style = {
        "kind": "categorical",
        "field": str(values.name),
        "categories": {str(k): v for k, v in colors.items()},
    }
    return Symbology(
        _paint(style, **paint), {"title": title, "kind": "categorical", "items": items, "shape": shape}
    )


def _breaks(values: np.ndarray, scheme: str, k: int) -> np.ndarray:
    if scheme == "quantiles":
        return np.unique(np.quantile(values, np.linspace(0, 1, k + 1)))
    if scheme == "equal_interval":
        return np.linspace(values.min(), values.max(), k + 1)
    if scheme == "natural_breaks":
        try:
            import mapclassify  # noqa: PLC0415 - optional (the classify extra)
        except ImportError as exc:
            msg = "natural breaks need mapclassify: pip install 'sxgeo[classify]' (or use scheme='quantiles')"
            raise MissingDependencyError(msg) from exc
        fj = mapclassify.FisherJenks(values, k=min(k, len(np.unique(values))))
        return np.concatenate([[values.min()], fj.bins])
    msg = f"unknown classification scheme {scheme!r}; use quantiles, equal_interval or natural_breaks"
    raise StyleError(msg)


def classes(
    values: pd.Series,
    *,
    title: str,
    unit: str | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    palette: str | Sequence[str] = "YlGn",
    digits: int = 1,
    breaks: Sequence[float] | None = None,
    **paint: Any,
) -> Symbology:
    """Class breaks (quantiles, equal interval, natural breaks or given) with feature counts per class.

    Parameters
    ----------
    values : pandas.Series
        Numeric values (the column the style reads is ``values.name``).
    title : str
        Legend title.
    unit : str, optional
        Unit shown in the legend title.
    scheme : {'quantiles', 'equal_interval', 'natural_breaks'}
        Classification; natural breaks (Fisher-Jenks) need mapclassify.
    k : int
        Number of classes (fewer when values repeat).
    palette : str or sequence of str
        A key of :data:`PALETTES` or explicit colours (at least *k*).
    digits : int
        Decimals in the legend labels.
    breaks : sequence of float, optional
        Explicit class edges (e.g. policy thresholds 0, 20, 30, 50, 100); overrides *scheme*.
    **paint
        Stroke options as in :func:`single`.

    Returns
    -------
    Symbology
    """
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    finite = v[np.isfinite(v)]
    if finite.size == 0:
        msg = f"{values.name}: no numeric values to classify"
        raise StyleError(msg)
    if breaks is not None:
        edges = np.asarray(breaks, dtype=float)
        scheme = "breaks " + ", ".join(f"{b:g}" for b in edges)
    else:
        edges = _breaks(finite, scheme, k)
    if edges.size < 2:
        edges = np.array([finite.min(), finite.max()])
    n = edges.size - 1
    pal = list(PALETTES[palette]) if isinstance(palette, str) else list(palette)
    cols = [pal[round(i * (len(pal) - 1) / max(n - 1, 1))] for i in range(n)]
    idx = np.clip(np.searchsorted(edges, finite, side="left") - 1, 0, n - 1)
    counts = np.bincount(idx, minlength=n)
    items = [
        {
            "color": cols[i],
            "label": f"{edges[i]:,.{digits}f} – {edges[i + 1]:,.{digits}f}",
            "count": int(counts[i]),
        }
        for i in range(n)
    ]
    missing = int((~np.isfinite(v)).sum())
    if missing:
        items.append({"color": "#cccccc", "label": "无数据 no data", "count": missing})
    style = {"kind": "classes", "field": str(values.name), "breaks": edges.tolist(), "colors": cols}
    legend = {"title": title, "unit": unit, "kind": "classes", "items": items, "note": scheme}
    return Symbology(_paint(style, **paint), legend)


def continuous(
    values: pd.Series,
    *,
    title: str,
    unit: str | None = None,
    palette: str | Sequence[str] = "YlGn",
    vmin: float | None = None,
    vmax: float | None = None,
    digits: int = 1,
    **paint: Any,
) -> Symbology:
    """A continuous colour ramp between *vmin* and *vmax* (default the data range).

    Parameters
    ----------
    values : pandas.Series
        Numeric values (the column the style reads is ``values.name``).
    title : str
        Legend title.
    unit : str, optional
        Unit shown in the legend title.
    palette : str or sequence of str
        Ramp stops.
    vmin, vmax : float, optional
        Ends of the ramp.
    digits : int
        Decimals of the legend's end labels.
    **paint
        Stroke options as in :func:`single`.

    Returns
    -------
    Symbology
    """
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    finite = v[np.isfinite(v)]
    # no finite value (a raster all nodata, a zone without a pixel): an empty ramp at 0, drawn grey;
    # NaN ends would make the page's JSON invalid
    lo = (float(finite.min()) if finite.size else 0.0) if vmin is None else vmin
    hi = (float(finite.max()) if finite.size else 0.0) if vmax is None else vmax
    cols = list(PALETTES[palette]) if isinstance(palette, str) else list(palette)
    style = {"kind": "continuous", "field": str(values.name), "colors": cols, "vmin": lo, "vmax": hi}
    legend = {
        "title": title,
        "unit": unit,
        "kind": "continuous",
        "colors": cols,
        "vmin": lo,
        "vmax": hi,
        "digits": digits,
    }
    return Symbology(_paint(style, **paint), legend)
