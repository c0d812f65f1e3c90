"""The zero-carbon parks section of the report: one row per park, beside a link to the parks map.

The capability's ``report_section`` hook (:attr:`sxgeo.capability.Capability.report_section`): the
``zero_carbon_parks`` table of the run, its figures as they are in the CSV (each cell keeps the
table's value in ``data-value``; the text shows it rounded), Chinese headers from
:data:`sxgeo.labels.COLUMNS`, the grade marked 待核实 (verify: the core indicator's limits come from a
secondary source until the annex of 发改环资〔2025〕910号 is read,
:data:`sxgeo.parks.tables.CORE_THRESHOLDS`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from sxgeo import crs as sxcrs
from sxgeo import labels as sxlabels
from sxgeo.admin import unit_name
from sxgeo.capability import ReportSection
from sxgeo.pv.nea2025 import NEA_TYPES
from sxgeo.report.page import county_paths

TABLE = "zero_carbon_parks"
"""The run's table the section shows."""

MAP_FILES = ("parks.html", "demo_parks.html")
"""File names of the parks map (:func:`sxgeo.parks.view.parks_map`) beside the report folder."""

COLUMNS: tuple[tuple[str, int], ...] = (
    ("park_name", -1),
    ("county_name", -1),
    ("park_level", -1),
    *((f"pv_{t}_mwp", 2) for t in NEA_TYPES),
    ("pv_capacity_mwp", 2),
    ("pv_supply_share_pct", 2),
    ("core_t_co2_per_tce", 4),
    ("core_limit_t_co2_per_tce", 2),
    ("core_grade", -1),
)
"""The section's columns and the decimals each is shown with (-1: text)."""

SHEET = "parks"
"""Sheet of ``report.xlsx`` holding the section's table."""


def section_table(parks: pd.DataFrame) -> pd.DataFrame:
    """The columns of :data:`COLUMNS` that *parks* has, one row per park, in the table's order.

    Parameters
    ----------
    parks : pandas.DataFrame
        ``zero_carbon_parks`` (:func:`sxgeo.parks.pipeline.run`).

    Returns
    -------
    pandas.DataFrame
        ``park_code`` and the shown columns; ``county_name`` from ``unit_code``. No row is dropped.
    """
    t = parks.copy()
    t["park_level"] = t["level"] if "level" in t.columns else ""
    t["county_name"] = [unit_name(str(c)) if str(c) not in ("", "nan") else "" for c in t["unit_code"]]
    cols = ["park_code", *(c for c, _ in COLUMNS if c in t.columns)]
    return t[cols].reset_index(drop=True)


GRADE_COLOURS = {"meets": "#1a9850", "above": "#d73027", "no_data": "#969696"}
"""Dot colour of each core-indicator grade (those of the parks map, :mod:`sxgeo.parks.view`)."""


def thumbnail(units: Any, parks: pd.DataFrame, *, width: int = 300, height: int = 240) -> str:
    """A small static SVG: the counties in grey, each park a dot at its ``lon``/``lat``, coloured by grade.

    Parameters
    ----------
    units : geopandas.GeoDataFrame
        County polygons.
    parks : pandas.DataFrame
        ``zero_carbon_parks`` with ``lon``, ``lat`` (a point inside each park) and ``core_grade``.

    Returns
    -------
    str
        An ``<svg>`` element; empty when the table has no points or there are no counties.
    """
    if units is None or len(units) == 0 or not {"lon", "lat"} <= set(parks.columns):
        return ""
    proj = sxcrs.to_metric(units, what="counties")
    paths, xy = county_paths(proj, width=width, height=height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map parks-thumbnail" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="parks map">'
    ]
    for _, d in paths:
        parts.append(f'<path d="{d}" fill="#eaeef2" fill-rule="evenodd" stroke="#ffffff" stroke-width="1"/>')
    lon = pd.to_numeric(parks["lon"], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(parks["lat"], errors="coerce").to_numpy(float)
    xs, ys = sxcrs.lonlat_to_metric(lon, lat)
    grades = parks["core_grade"] if "core_grade" in parks.columns else pd.Series("no_data", index=parks.index)
    for x, y, g, name in zip(xs, ys, grades.astype(str), parks["park_name"].astype(str), strict=True):
        if not (np.isfinite(x) and np.isfinite(y)):
            continue
        px, py = xy(x, y)
        parts.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{GRADE_COLOURS.get(g, "#969696")}" '
            f'stroke="#1f2328" stroke-width="0.6"><title>{escape(name)}</title></circle>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _cell(column: str, value: Any, digits: int) -> str:
    if digits < 0:
        text = sxlabels.value(column, value)
        shown = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
        wrap = ' style="min-width:7em"' if column == "park_name" else ' style="white-space:nowrap"'
        return f'<td data-column="{column}"{wrap}>{escape(shown)}</td>'
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    if pd.isna(number):
        return f'<td class="num" data-column="{column}" data-value="">—</td>'
    return (
        f'<td class="num" data-column="{column}" data-value="{float(number)!r}">'
        f"{float(number):,.{digits}f}</td>"
    )


def parks_html(table: pd.DataFrame, map_file: str | None, figure: str = "") -> str:
    """The parks section: the table (Chinese headers, English beneath), the map link and thumbnail.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`section_table`.
    map_file : str or None
        The parks map's file name beside the report folder (linked as ``../<name>``).
    figure : str
        The thumbnail (:func:`thumbnail`), linked to the map when there is one.

    Returns
    -------
    str
        A ``<section id="parks-section">`` element.
    """
    digits = dict(COLUMNS)
    shown = [c for c in table.columns if c in digits]
    head = "".join(
        f'<th>{escape(sxlabels.column(c))}<br><span class="en">{escape(sxlabels.column(c, "en"))}</span></th>'
        for c in shown
    )
    body = "".join(
        f'<tr data-park="{escape(str(r["park_code"]))}">'
        + "".join(_cell(c, r[c], digits[c]) for c in shown)
        + "</tr>"
        for _, r in table.iterrows()
    )
    if figure:
        legend = " · ".join(
            f'<span style="color:{c}">●</span> {escape(sxlabels.value("core_grade", g))}'
            for g, c in GRADE_COLOURS.items()
        )
        shown_fig = f'<a href="../{escape(map_file)}">{figure}</a>' if map_file else figure
        figure = f'<div class="parks-figure">{shown_fig}<p class="muted">{legend}</p></div>'
    link = (
        f'<p>交互地图 interactive map: <a href="../{escape(map_file)}">{escape(map_file)}</a> '
        '<span class="muted">（园区按核心指标评价着色 · parks coloured by the core-indicator grade）'
        "</span></p>"
        if map_file
        else ""
    )
    return (
        '<section id="parks-section" class="county">'
        '<h2>零碳园区 <span class="en">Zero-carbon parks</span></h2>'
        '<p class="muted">屋顶光伏按《分布式光伏发电开发建设管理办法》(国能发新能规〔2025〕7号)项目类型分列；'
        "可供用电比例 = 园区屋顶年发电量 / 填报年用电量（年度比值，非逐时匹配）；核心指标 单位能耗碳排放 = "
        "CO₂ 排放 / 综合能耗（发改环资〔2025〕910号），限值 0.20 / 0.30 tCO₂/tce 取自二手资料，待核实。 · "
        "Rooftop PV by the NEA 2025 project types; the share of the entered electricity use the roofs could "
        "supply (a yearly ratio); core indicator CO₂ / energy use, limits 0.20 / 0.30 t CO₂/tce from a "
        "secondary source (verify).</p>"
        f"{link}{figure}"
        f'<table class="parks-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>'
    )


def report_section(
    data: Any,
    tables: Mapping[str, pd.DataFrame],
    settings: Mapping[str, Any],  # noqa: ARG001 - the hook signature of Capability.report_section
) -> list[ReportSection]:
    """The parks section when the run made ``zero_carbon_parks`` (else none).

    Parameters
    ----------
    data : sxgeo.report.model.ReportData
        Its ``links`` (the interactive maps beside the report folder).
    tables : mapping
        The run's tables.
    settings : mapping
        Unused.

    Returns
    -------
    list of ReportSection
        One section with the ``parks`` sheet, or none.
    """
    parks = tables.get(TABLE)
    if parks is None or "park_code" not in parks.columns:
        return []
    table = section_table(parks)
    links = list(getattr(data, "links", []) or [])
    map_file = next((name for name in links if name in MAP_FILES), None)
    figure = thumbnail(getattr(data, "units", None), parks)
    html = parks_html(table, map_file, figure)
    return [ReportSection("parks-section", "零碳园区", "Zero-carbon parks", html, {SHEET: table})]
