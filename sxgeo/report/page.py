"""The report as one self-contained HTML page (no script, no external request; inline SVG charts and maps).

The same page prints to A4 (:mod:`sxgeo.report.pdf`): a summary, then one page per indicator
group and one per county, with page numbers and the data date in the footer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo import labels as sxlabels
from sxgeo.admin import CITY_CODE, URBAN_CODE
from sxgeo.plan import KIND_ZH
from sxgeo.report.dashboard import render_dashboard
from sxgeo.report.final import five_year_period, period_name
from sxgeo.report.history import indicator_series
from sxgeo.report.status import CATEGORIES

if TYPE_CHECKING:
    import geopandas as gpd

    from sxgeo.plan import Indicator
    from sxgeo.report.model import ReportData

PILOT_IDS = ("pilot_villages", "pilot_towns", "pilot_counties")
"""The pilot-count indicators (the dashboard sets the city's count against each)."""

FONTS = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "PingFang SC", '
    '"Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK JP", "Droid Sans Fallback", sans-serif'
)
"""Font list with CJK fallbacks, used everywhere (HTML, SVG text, PDF): see anchors.md §3.2."""

CSS = """
@page { size: A4; margin: 16mm 12mm 18mm 12mm;
  @bottom-left { content: "%(footer)s"; font-family: %(fonts)s; font-size: 8pt; color: #57606a; }
  @bottom-right { content: "第 " counter(page) " / " counter(pages) " 页 · page " counter(page);
    font-family: %(fonts)s; font-size: 8pt; color: #57606a; } }
* { font-family: %(fonts)s; }
body { margin: 0 auto; max-width: 1180px; padding: 12px; color: #1f2328; font-size: 13px; }
h1 { font-size: 22px; margin: 4px 0; }
h2 { font-size: 18px; margin: 18px 0 6px; border-bottom: 2px solid #d0d7de; }
h3 { font-size: 15px; margin: 14px 0 4px; }
.en { color: #57606a; font-size: 0.85em; }
.banner { background: #fff8c5; border: 1px solid #d4a72c; padding: 6px 10px; margin: 6px 0;
  font-weight: bold; }
table { border-collapse: collapse; margin: 6px 0; font-size: 12px; }
th, td { border: 1px solid #d0d7de; padding: 3px 5px; vertical-align: top; }
th { background: #f6f8fa; text-align: left; }
td.num { text-align: right; white-space: nowrap; }
td.cell { min-width: 74px; border-left-width: 5px; }
.label { font-weight: bold; display: block; }
.muted { color: #57606a; font-size: 11px; }
.legend span { display: inline-block; margin-right: 10px; padding: 1px 6px; border-left: 5px solid; }
.chart { margin: 4px 0 10px; }
.county { break-before: page; }
#dashboard { break-after: page; }
table.dashboard { font-size: 12px; } table.dashboard td .label { font-weight: normal; font-size: 10px; }
table.dashboard tr.city th, table.dashboard tr.city td { font-weight: bold; background: #f6f8fa; }
.parks ol { margin: 2px 0 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 18px;
  list-style-position: inside; } .parks { font-size: 12px; }
@media print { table.dashboard { font-size: 10px; }
  table.dashboard td, table.dashboard th { padding: 2px 4px; } }
#front { page: wide; }
#gaps { page: wide; } #gaps table { font-size: 10px; } #gaps td { white-space: nowrap; }
@page wide { size: A4 landscape; }
@media print { .summary td.cell .en, .summary th .muted { display: none; } .summary { font-size: 9px; } }
.indicator { break-inside: avoid; }
.banner.draft { background: #ddf4ff; border-color: #54aeff; }
.verify { color: #9a6700; font-size: 10px; border: 1px solid #d4a72c; padding: 0 3px; white-space: nowrap; }
#final table { font-size: 11px; } #final td.verdict { white-space: nowrap; }
#final tr.ind th { background: #eaeef2; }
#final ul.conclusions { margin: 4px 0 10px 18px; padding: 0; }
.summary td.cell { font-size: 11px; }
a { color: #0969da; }
@media print { body { max-width: none; padding: 0; } a { color: inherit; text-decoration: none; }
  .en { display: none !important; } }
"""


def fmt(value: float | None) -> str:
    """A value for people: thousands separators, 0-2 decimals by size; ``—`` for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    v = float(value)
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:,.1f}"
    return f"{v:,.2f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v)}"


def _tint(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c + (255 - c) * 0.82) for c in (r, g, b)))


def status_cell(row: pd.Series) -> str:
    """A summary cell: value / target and the status label, coloured (colour and text)."""
    colour = str(row["colour"])
    value = fmt(row["value"])
    target = fmt(row["target"])
    return (
        f'<td class="cell status-{row["status"]}" data-indicator="{escape(str(row["indicator"]))}" '
        f'data-unit="{escape(str(row["unit_code"]))}" data-status="{row["status"]}" data-colour="{colour}" '
        f'style="background:{_tint(colour)};border-left-color:{colour}">'
        f'<span class="value">{value}</span> / <span class="target">{target}</span>'
        f'<span class="label">{escape(str(row["label_zh"]))}</span>'
        f'<span class="en">{escape(str(row["label_en"]))}</span></td>'
    )


def _svg_text(
    x: float, y: float, text: str, *, size: int = 11, anchor: str = "start", fill: str = "#1f2328"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f"font-family='{FONTS.replace(chr(34), '')}'>{escape(text)}</text>"
    )


def text_width(text: str, size: float) -> float:
    """Width of *text* in px at font *size*: a CJK character is one em, others about 0.6 em.

    A conservative measure (Noto Sans CJK SC: ideographs are full-width, Latin digits ~0.55 em).
    """
    return sum(size if ord(ch) > 0x2E80 else 0.6 * size for ch in text)


def place_labels(
    labels: list[tuple[float, float, str, int]],
    *,
    taken: list[tuple[float, float, float, float]] | None = None,
) -> list[tuple[float, float, str, int]]:
    """Place centred labels so that none overlaps another: each tries its spot, then lower rows; else dropped.

    Parameters
    ----------
    labels : list of (x, y, text, size)
        Wanted centre x and baseline y, in order of importance.
    taken : list of (x0, y0, x1, y1), optional
        Boxes already drawn (other labels).

    Returns
    -------
    list of (x, y, text, size)
        The labels kept, at the baseline they got.
    """
    boxes = list(taken or [])
    out = []
    for x, y, text, size in labels:
        w = text_width(text, size)
        for dy in (0, size + 3, 2 * (size + 3), -(size + 3)):
            box = (x - w / 2, y + dy - size, x + w / 2, y + dy + 2)
            if all(box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3] for b in boxes):
                boxes.append(box)
                out.append((x, y + dy, text, size))
                break
    return out


def bar_chart(ind: Indicator, rows: pd.DataFrame) -> str:
    """Inline SVG: one bar per unit against its target tick, the city target and the baseline lines.

    Parameters
    ----------
    ind : Indicator
        The indicator.
    rows : pandas.DataFrame
        Its status rows (city, 绍兴市区, counties).

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    width, bar_h, left, right, top = 640, 20, 120, 60, 22
    height = top + len(rows) * (bar_h + 6) + 24
    values = [float(v) for v in rows["value"].dropna()]
    paths: list[float] = list(rows["path_value"].dropna()) if "path_value" in rows else []
    refs = [float(x) for x in (*rows["target"].dropna(), *paths, ind.baseline or 0, ind.target or 0)]
    top_value = max([*values, *refs, 1e-9]) * 1.1
    scale = (width - left - right) / top_value
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(ind.name_zh)}">'
    ]
    parts.append(_svg_text(left, 14, f"{ind.unit}", size=10, fill="#57606a"))
    for i, (_, r) in enumerate(rows.iterrows()):
        y = top + i * (bar_h + 6)
        parts.append(_svg_text(left - 6, y + bar_h - 6, str(r["unit_name"]), anchor="end"))
        if pd.notna(r["value"]):
            w = max(float(r["value"]) * scale, 0.5)
            parts.append(
                f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{r["colour"]}">'
                f"<title>{escape(str(r['unit_name']))}: {fmt(r['value'])}</title></rect>"
            )
            lx = left + w + 4
            path = r.get("path_value")
            if path is not None and pd.notna(path):
                px = left + float(path) * scale
                if lx - 6 <= px <= lx + text_width(fmt(r["value"]), 10) + 6:
                    lx = px + 8  # the value's label after the path mark, not under it
            parts.append(_svg_text(lx, y + bar_h - 6, fmt(r["value"]), size=10))
        else:
            parts.append(_svg_text(left + 4, y + bar_h - 6, "无数据 no value", size=10, fill="#57606a"))
        if pd.notna(r["target"]):
            x = left + float(r["target"]) * scale
            parts.append(
                f'<line x1="{x:.1f}" y1="{y - 2}" x2="{x:.1f}" y2="{y + bar_h + 2}" '
                'stroke="#1f2328" stroke-width="2"/>'
            )
        parts.append(_path_mark(r, left, scale, y + bar_h / 2))
    bottom = top + len(rows) * (bar_h + 6)
    lines = [(ind.target, "6 3", "目标"), (ind.baseline, "2 3", f"{ind.baseline_year} 基期")]
    if ind.target is not None and ind.baseline == ind.target:
        lines = [(ind.target, "6 3", f"{ind.baseline_year} 基期 = 目标")]
    wanted: list[tuple[float, float, str, int]] = []
    for value, dash, label in lines:
        if value is None:
            continue
        x = left + float(value) * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{bottom}" '
            f'stroke="#57606a" stroke-dasharray="{dash}"/>'
        )
        wanted.append((x, float(bottom + 14), f"{label} {fmt(value)}", 10))
    placed = place_labels(wanted)
    for lx, ly, text, size in placed:
        parts.append(_svg_text(lx, ly, text, size=size, anchor="middle", fill="#57606a"))
    low = max([bottom + 24, *[ly + 6 for _, ly, _, _ in placed]])
    if "path_value" in rows and rows["path_value"].notna().any():
        # the legend of the path marks: a row of its own under the lines' labels (never overlapping them)
        parts.append(_svg_text(left, low + 8, "◇ 按规划进度应达 on the plan's path", size=9, fill="#57606a"))
        low += 16
    parts[0] = (
        parts[0]
        .replace(f'height="{height}"', f'height="{low}"')
        .replace(f"0 0 {width} {height}", f"0 0 {width} {low}")
    )
    parts.append("</svg>")
    return "".join(parts)


def _path_mark(row: pd.Series, left: float, scale: float, cy: float) -> str:
    """A hollow diamond at the unit's value on the plan's path in the reporting year (none without one)."""
    value = row.get("path_value")
    if value is None or pd.isna(value):
        return ""
    x = left + float(value) * scale
    return (
        f'<path class="path-mark" d="M{x:.1f},{cy - 5:.1f} L{x + 5:.1f},{cy:.1f} L{x:.1f},{cy + 5:.1f} '
        f'L{x - 5:.1f},{cy:.1f} Z" fill="#ffffff" stroke="#1f2328" stroke-width="1.2">'
        f"<title>{escape(str(row['unit_name']))}: 按规划进度应达 on the path {fmt(value)}</title></path>"
    )


def plan_marks(ind: Indicator, previous: Indicator | None = None) -> list[tuple[int, float, str]]:
    """The targets a trend chart marks: the previous plan's (the indicator continues it), then this one's.

    Parameters
    ----------
    ind : Indicator
        The indicator of the reported plan.
    previous : Indicator, optional
        The same indicator in the plan before (its ``continues`` id, else the same id).

    Returns
    -------
    list of (year, value, label)
        Label ``十四五目标`` / ``十五五目标`` when the target year is a Five-Year period's end, else ``目标``.
    """
    marks = []
    for one in (previous, ind):
        if one is None or one.target is None:
            continue
        period = five_year_period(one.target_year - 5, one.target_year)
        marks.append((one.target_year, float(one.target), f"{period}目标" if period else "目标"))
    return marks


def trend_chart(
    ind: Indicator,
    points: list[tuple[int, float]],
    marks: list[tuple[int, float, str]] | None = None,
) -> str:
    """Inline SVG line of the city's values by year, with the targets marked and the plan's path dashed.

    Parameters
    ----------
    ind : Indicator
        The indicator (its baseline is added when the series lacks the baseline year).
    points : list of (int, float)
        The city's values, one series across plans (:func:`sxgeo.report.history.indicator_series`).
    marks : list of (year, value, label), optional
        Targets to mark (:func:`plan_marks`: both plans' targets); default this plan's target.

    Returns
    -------
    str
        An ``<svg>`` element, or "" with fewer than two points.
    """
    if ind.baseline is not None and not any(y == ind.baseline_year for y, _ in points):
        points = sorted([(ind.baseline_year, float(ind.baseline)), *points])
    if len(points) < 2:
        return ""
    if marks is None:
        marks = [(ind.target_year, float(ind.target), "目标")] if ind.target is not None else []
    years = [p[0] for p in points] + [m[0] for m in marks]
    width, height, pad = (360 if max(years) - min(years) <= 6 else 460), 130, 34
    vals = [p[1] for p in points] + [m[1] for m in marks]
    y0, y1 = min(years), max(years)
    v0, v1 = min(vals), max(vals)
    span = (v1 - v0) or abs(v1) or 1.0
    v0, v1 = v0 - span * 0.1, v1 + span * 0.1

    def xy(year: float, value: float) -> tuple[float, float]:
        x = pad + (year - y0) / max(y1 - y0, 1) * (width - 2 * pad)
        y = height - pad + 10 - (value - v0) / (v1 - v0) * (height - pad - 10)
        return x, y

    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(*p) for p in points))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart trend" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="trend">',
        f'<polyline points="{line}" fill="none" stroke="#0969da" stroke-width="2"/>',
    ]
    start = dict(points).get(ind.baseline_year)
    if start is not None and ind.target is not None and ind.direction != "maintain":
        # the plan's path: baseline-year value to the target, the straight line of the linear time share
        (ax, ay), (bx, by) = xy(ind.baseline_year, start), xy(ind.target_year, ind.target)
        parts.append(
            f'<line class="path" x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}" '
            'stroke="#cf222e" stroke-width="1" stroke-dasharray="4 3"/>'
        )
    wanted: list[tuple[float, float, str, int]] = []
    for year, value in points:
        x, y = xy(year, value)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#0969da"/>')
        wanted.append((x, y - 6, fmt(value), 9))
    # one year label per year (a point and a target of the same year share it), placed first
    axis = place_labels([(xy(yr, v0)[0], height - 6, str(yr), 9) for yr in sorted(set(years))])
    parts.extend(_svg_text(x, y, text, size=9, anchor="middle", fill="#57606a") for x, y, text, _ in axis)
    target_labels = []
    taken = [(x - 4, y - 4, x + 4, y + 4) for x, y in (xy(*p) for p in points)]
    taken += [(x - text_width(t, 9) / 2, y - 9, x + text_width(t, 9) / 2, y + 2) for x, y, t, _ in axis]
    for year, value, label in marks:
        x, y = xy(year, value)
        parts.append(
            f'<rect class="target-mark" x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" '
            'fill="none" stroke="#cf222e" stroke-width="2"/>'
        )
        target_labels.append((x, y - 8, f"{label} {fmt(value)}", 9))
        taken.append((x - 5, y - 5, x + 5, y + 5))
    # the targets' labels first, then the values: a label that finds no free place is left out
    placed = place_labels([*target_labels, *wanted], taken=taken)
    red = {t[2] for t in target_labels}
    for x, y, text, size in placed:
        parts.append(
            _svg_text(x, y, text, size=size, anchor="middle", fill="#cf222e" if text in red else "#1f2328")
        )
    parts.append("</svg>")
    return "".join(parts)


def county_paths(
    proj: gpd.GeoDataFrame, *, width: int, height: int
) -> tuple[list[tuple[int, str]], Callable[[float, float], tuple[float, float]]]:
    """SVG path data of polygons in metres (simplified 150 m), fitted into *width* × *height* px.

    Parameters
    ----------
    proj : geopandas.GeoDataFrame
        Polygons in a projected CRS [m] (EPSG:4549 for the counties).
    width, height : int
        Size of the drawing [px]; a 4 px margin is kept.

    Returns
    -------
    paths : list of (int, str)
        The row position and the ``d`` attribute of each non-empty polygon row.
    xy : callable
        Maps a point in metres to pixel coordinates on the same drawing.
    """
    geoms = shapely.simplify(np.asarray(proj.geometry.values, dtype=object), 150)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    s = min((width - 8) / max(maxx - minx, 1), (height - 8) / max(maxy - miny, 1))

    def xy(x: float, y: float) -> tuple[float, float]:
        return (x - minx) * s + 4, (maxy - y) * s + 4

    def ring(coords: np.ndarray) -> str:
        pts = " L".join("{:.1f},{:.1f}".format(*xy(x, y)) for x, y in coords[:, :2])
        return f"M{pts} Z"

    paths = []
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        d = " ".join(
            ring(np.asarray(p.exterior.coords))
            + " "
            + " ".join(ring(np.asarray(r.coords)) for r in p.interiors)
            for p in getattr(geom, "geoms", [geom])
            if p.geom_type == "Polygon"
        )
        paths.append((i, d))
    return paths, xy


def county_map(units: gpd.GeoDataFrame, code: str, *, width: int = 220, height: int = 190) -> str:
    """A small static SVG map: all counties in grey, *code* highlighted (EPSG:4549, simplified 150 m)."""
    proj = units.to_crs(sxcrs.METRIC) if units.crs is not None else units
    paths, _ = county_paths(proj, width=width, height=height)
    codes = proj["adcode"].astype(str).to_numpy()
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="map {escape(code)}">'
    ]
    for i, d in paths:
        adcode = codes[i]
        fill = (
            "#0969da"
            if adcode == code or (code == URBAN_CODE and adcode in ("330602", "330603", "330604"))
            else "#d0d7de"
        )
        parts.append(f'<path d="{d}" fill="{fill}" fill-rule="evenodd" stroke="#ffffff" stroke-width="1"/>')
    parts.append("</svg>")
    return "".join(parts)


def titles(data: ReportData) -> tuple[str, str]:
    """The page's title (zh, en): a progress report, or the plan's final assessment (总结评估).

    The final assessment is titled by the plan's period, ``十四五规划实施情况总结评估`` (the period
    from :func:`sxgeo.report.final.period_name`; the plan's name where it is not a Five-Year period).
    """
    plan = data.plan
    if data.is_final:
        period = period_name(plan)
        zh = f"{period}规划实施情况总结评估" if period else f"{plan.name_zh} 实施情况总结评估"
        en = f"{plan.name_en}: final assessment {plan.start_year}-{plan.target_year}"
        return zh, en
    return f"{plan.name_zh} 实施进展评估 {data.year}", f"{plan.name_en}: progress in {data.year}"


def draft_banner(data: ReportData) -> str:
    """The header's banner of a draft plan: targets marked pending (待定) are not graded."""
    if not data.plan.draft:
        return ""
    pending = data.status.loc[data.status["status"] == "pending", "name_zh"].drop_duplicates()
    names = "、".join(escape(str(n)) for n in pending)
    return (
        '<div class="banner draft" id="draft">规划草案 DRAFT：目标尚未全部发布，标为“待定”的指标不评估'
        f"{'（' + names + '）' if names else ''}；标“待核实”的目标取自二手来源，须与原文核对 · "
        "draft plan: targets marked pending are not graded; targets marked verify come from a "
        "secondary source</div>"
    )


def _head(data: ReportData, lang: str) -> str:
    plan = data.plan
    title_zh, title_en = titles(data)
    if data.is_final:
        title_zh = f"{title_zh} {plan.start_year}-{plan.target_year}"
    first, second = (title_zh, title_en) if lang == "zh" else (title_en, title_zh)
    footer = f"{plan.name_zh} · 数据日期 data date {data.data_date} · {data.title}".replace('"', "'")
    css = CSS % {"fonts": FONTS, "footer": footer.replace("\\", "").replace("<", "")}
    banner = (
        '<div class="banner">合成示例数据，仅供演示 · SYNTHETIC demo data, illustrative only</div>'
        if data.synthetic
        else ""
    )
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(first)}</title><style>{css}</style></head><body><div id="front">'
        f'<h1>{escape(first)}</h1><div class="en">{escape(second)}</div>{banner}{draft_banner(data)}'
        f'<p class="muted">{escape(data.title)} · 评估年份 year {data.year} · '
        f"数据日期 data date {data.data_date} · "
        f"生成 made {data.made} · 规划 plan: {escape(plan.source or plan.name_zh)} ({escape(plan.path)})</p>"
    )


def _legend() -> str:
    items = "".join(
        f'<span style="border-left-color:{c};background:{_tint(c)}">{zh} <span class="en">{en}</span></span>'
        for zh, en, c in CATEGORIES.values()
    )
    return f'<p class="legend">{items}</p>'


def verify_mark(ind: Indicator) -> str:
    """``待核实 verify`` beside an indicator whose target comes from a secondary source ("" otherwise)."""
    if not ind.verify:
        return ""
    return (
        ' <span class="verify" title="目标取自二手来源，须与原文核对 · from a secondary source">'
        "待核实 verify</span>"
    )


def period_line(ind: Indicator, city: pd.Series) -> str:
    """``基期 2025 52 → 目标 2030 80``: the city's baseline (else the history's) and target."""
    target = "待定 pending" if str(city["status"]) == "pending" else fmt(city["target"])
    return (
        f'<span class="muted period" data-baseline="{fmt(city["baseline"])}" data-target="{target}">'
        f"基期 {ind.baseline_year} {fmt(city['baseline'])} → 目标 {ind.target_year} {target}</span>"
    )


def summary(data: ReportData) -> str:
    """The summary table: indicators x (city, 绍兴市区, counties), value / target and status in each cell."""
    codes = data.unit_codes
    st = data.status.set_index(["indicator", "unit_code"], drop=False)
    head = "".join(
        f"<th>{escape(str(st.xs(c, level='unit_code')['unit_name'].iloc[0]))}<br>"
        f'<span class="en">{escape(str(st.xs(c, level="unit_code")["unit_name_en"].iloc[0]))}</span></th>'
        for c in codes
    )
    rows = []
    for ind in data.plan.indicators:
        if not ind.show:
            continue
        kind = f"{KIND_ZH[ind.kind]} {ind.kind}"
        origin = "填报 entered" if ind.entered else "计算 computed"
        cells = "".join(status_cell(st.loc[(ind.id, c)]) for c in codes)  # type: ignore[arg-type]
        city = st.loc[(ind.id, CITY_CODE)]
        rows.append(
            f'<tr data-indicator="{ind.id}"><th><a href="#ind-{ind.id}">{escape(ind.name_zh)}</a>'
            f"{verify_mark(ind)}<br>"
            f'<span class="en">{escape(ind.name_en)} ({escape(ind.unit)})</span><br>'
            f'<span class="muted">{kind} · {origin}</span><br>{period_line(ind, city)}'  # type: ignore[arg-type]
            f"</th>{cells}</tr>"
        )
    return (
        '<section id="summary"><h2>总览 <span class="en">Summary</span></h2>'
        '<p class="muted">每格：数值 / 目标，状态 · each cell: value / target, status. '
        "只有全市目标的指标，县区只列数值（无县级目标） · where the plan gives only a city target, "
        "counties show their value without a status.</p>"
        f'{_legend()}<table class="summary"><thead><tr><th>指标 indicator</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section></div>"
    )


def indicator_sections(data: ReportData) -> str:
    """Per indicator: bar chart of units vs target and baseline, trend, source and date."""
    out = ['<section id="indicators"><h2>分指标 <span class="en">By indicator</span></h2>']
    for ind in data.plan.indicators:
        if not ind.show:
            continue
        rows = data.status[data.status["indicator"] == ind.id]
        # one series across plans (the 14th plan's years joined to the 15th's), up to the reporting year
        points = [p for p in indicator_series(data.history, ind, CITY_CODE) if p[0] <= data.year]
        before = data.previous.get(ind.history_id) if data.previous is not None else None
        city = rows[rows["unit_code"] == CITY_CODE].iloc[0]
        origin = (
            "由规划专员填报，非 sxgeo 计算 · entered by the planner, not computed"
            if ind.entered
            else f"sxgeo 计算 · computed from {ind.computed_by.table}.{ind.computed_by.column}"  # type: ignore[union-attr]
        )
        method = {
            "linear_time_share": "线性时间进度（时间过半、任务过半） linear time share",
            "growth_rate_ratio": "增长率比（SDG 方法） growth-rate ratio",
            "trend_projection": "趋势外推 trend projection",
        }[ind.method]
        values = rows[rows["value"].notna()]
        chart = (
            bar_chart(ind, rows)
            if len(values)
            else '<p class="muted">尚无数值 no value yet: enter it in indicator_history.csv</p>'
        )
        out.append(
            f'<div class="indicator" id="ind-{ind.id}"><h3>{escape(ind.name_zh)} '
            f'<span class="en">{escape(ind.name_en)}</span>{verify_mark(ind)}</h3>'
            f"<p>{KIND_ZH[ind.kind]} {ind.kind} · {escape(ind.unit)} · "
            f"基期 baseline {ind.baseline_year}: {fmt(ind.baseline)} · "
            f"目标 target {ind.target_year}: "
            f"{'待定 pending' if city['status'] == 'pending' else fmt(ind.target)} · 方法 method: {method} · "
            f'全市状态 city: <b style="color:{city["colour"]}">{escape(str(city["label_zh"]))}</b> '
            f'<span class="en">{escape(str(city["label_en"]))}; {escape(str(city["note"]))}</span></p>'
            f"{chart}{trend_chart(ind, points, plan_marks(ind, before))}{notes_list(ind)}"
            f'<p class="muted">规划依据 plan source: {escape(ind.source)}<br>数据来源 data: {escape(origin)}'
            f"{'; ' + escape(str(city['source'])) if city['source'] else ''}"
            f"{' · 数据日期 data date ' + escape(str(city['data_date'])) if city['data_date'] else ''}"
            "</p></div>"
        )
    out.append("</section>")
    return "".join(out)


def notes_list(ind: Indicator) -> str:
    """The indicator's notes (national / provincial anchors, each cited), as a small list."""
    if not ind.notes:
        return ""
    items = "".join(f"<li>{escape(n)}</li>" for n in ind.notes)
    return f'<ul class="muted notes">{items}</ul>'


def county_sections(data: ReportData) -> str:
    """Per county: small map, its indicators (value, target, status, note), links to the interactive maps."""
    out = []
    links = " · ".join(f'<a href="../{escape(name)}">{escape(name)}</a>' for name in data.links)
    for code in data.unit_codes[2:]:
        rows = data.status[data.status["unit_code"] == code]
        first = rows.iloc[0]
        body = "".join(
            f'<tr data-indicator="{r["indicator"]}"><td>{escape(str(r["name_zh"]))}<br>'
            f'<span class="en">{escape(str(r["name_en"]))}</span></td>'
            f'<td class="num value">{fmt(r["value"])}</td><td class="num">{fmt(r["target"])}</td>'
            f'<td class="num path">{fmt(r.get("path_value"))}</td>'
            f"<td>{escape(str(r['unit']))}</td>"
            f'<td style="border-left:5px solid {r["colour"]};background:{_tint(str(r["colour"]))}">'
            f'<b>{escape(str(r["label_zh"]))}</b> <span class="en">{escape(str(r["label_en"]))}</span></td>'
            f'<td class="muted en">{escape(str(r["note"]))}</td></tr>'
            for _, r in rows.iterrows()
        )
        out.append(
            f'<section class="county" id="county-{code}" data-unit="{code}">'
            f"<h2>{escape(str(first['unit_name']))} "
            f'<span class="en">{escape(str(first["unit_name_en"]))} ({code})</span></h2>'
            f"{county_map(data.units, code)}{county_conclusion(data, code)}"
            "<table><thead><tr><th>指标 indicator</th><th>数值 value</th><th>目标 target</th>"
            f"<th>按进度应达 on the path {min(data.year, data.plan.target_year)}</th><th>单位 unit</th>"
            f"<th>状态 status</th><th>说明 note</th></tr></thead><tbody>{body}</tbody></table>"
            + (f'<p class="muted">交互地图 interactive maps: {links}</p>' if links else "")
            + "</section>"
        )
    return "".join(out)


def county_conclusion(data: ReportData, code: str) -> str:
    """The final assessment's one-sentence conclusion of a unit ("" in a progress report)."""
    if data.conclusions.empty:
        return ""
    hit = data.conclusions[data.conclusions["unit_code"].astype(str) == code]
    if hit.empty:
        return ""
    r = hit.iloc[0]
    return (
        f'<p class="conclusion" data-unit="{escape(code)}"><b>总结评估 final:</b> '
        f'{escape(str(r["conclusion_zh"]))} <span class="en">{escape(str(r["conclusion_en"]))}</span></p>'
    )


def _final_cell(r: pd.Series) -> str:
    colour = CATEGORIES[str(r["status"])][2]
    return (
        f'<td class="verdict status-{r["status"]}" data-status="{r["status"]}" '
        f'style="border-left:5px solid {colour};background:{_tint(colour)}">'
        f'<b>{escape(str(r["label_zh"]))}</b> <span class="en">{escape(str(r["label_en"]))}</span></td>'
    )


def final_section(data: ReportData) -> str:
    """The final assessment (总结评估): per indicator and unit baseline -> each year -> final value, verdict.

    Binding (约束性) indicators first (:func:`sxgeo.report.final.final_table`), then one conclusion
    per unit (n of m indicators met, which not). "" in a progress report.
    """
    if not data.is_final:
        return ""
    table = data.final
    plan = data.plan
    years = [int(str(c).removeprefix("value_")) for c in table.columns if str(c).startswith("value_")]
    head = (
        "<tr><th>区划 unit</th><th>基期 baseline</th>"
        + "".join(f"<th>{y}</th>" for y in years)
        + "<th>终期值 final</th><th>目标 target</th><th>结论 verdict</th><th>期内变化 change</th>"
        "<th>有数据年数 years with data</th></tr>"
    )
    body = []
    for ind_id in dict.fromkeys(table["indicator"]):
        rows = table[table["indicator"] == ind_id]
        first = rows.iloc[0]
        ind = plan.get(str(ind_id))
        mark = verify_mark(ind) if ind is not None else ""
        body.append(
            f'<tr class="ind" data-indicator="{escape(str(ind_id))}"><th colspan="{len(years) + 7}">'
            f"{escape(str(first['name_zh']))} · {KIND_ZH.get(str(first['kind']), '')} · "
            f"{escape(str(first['unit']))}{mark} "
            f'<span class="en">{escape(str(first["name_en"]))}</span></th></tr>'
        )
        for _, r in rows.iterrows():
            late = (
                f' <span class="muted">({int(r["final_year"])})</span>'
                if pd.notna(r["final_year"]) and int(r["final_year"]) != int(r["target_year"])
                else ""
            )
            target = "待定" if r["status"] == "pending" else fmt(r["target"])
            change = fmt(r["change"])
            if pd.notna(r["change"]) and float(r["change"]) > 0:
                change = f"+{change}"
            body.append(
                f'<tr data-indicator="{escape(str(ind_id))}" data-unit="{escape(str(r["unit_code"]))}">'
                f'<td>{escape(str(r["unit_name"]))}</td><td class="num">{fmt(r["baseline"])}</td>'
                + "".join(f'<td class="num">{fmt(r[f"value_{y}"])}</td>' for y in years)
                + f'<td class="num final">{fmt(r["final_value"])}{late}</td><td class="num">{target}</td>'
                + _final_cell(r)
                + f'<td class="num">{change}</td><td class="num">{int(r["years_with_data"])}</td></tr>'
            )
    conclusions = "".join(
        f'<li data-unit="{escape(str(r["unit_code"]))}">{escape(str(r["conclusion_zh"]))} '
        f'<span class="en">{escape(str(r["conclusion_en"]))}</span></li>'
        for _, r in data.conclusions.iterrows()
    )
    return (
        f'<section id="final"><h2>总结评估 <span class="en">Final assessment '
        f"{plan.start_year}-{plan.target_year}</span></h2>"
        f'<p class="muted">各指标 {plan.target_year} 年数值对照规划目标（约束性指标在前）；'
        f"无 {plan.target_year} 年数值时取此前最近一年并注明年份 · each indicator's "
        f"{plan.target_year} value against its target, binding indicators first; without a "
        f"{plan.target_year} value the latest earlier one, its year in brackets. "
        "完整表格见 final_assessment.csv · the whole table is in final_assessment.csv</p>"
        f'<h3>结论 <span class="en">Conclusions</span></h3><ul class="conclusions">{conclusions}</ul>'
        f"<table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table></section>"
    )


GAP_ROWS = 12
"""Rows of a gap table shown in the report; the whole list is in the XLSX (``gap_<n>`` sheets)."""


def _gap_cell(column: str, value: object) -> str:
    shown = sxlabels.value(column, value)
    if isinstance(shown, float):
        text = fmt(shown)
    elif shown is None or (isinstance(shown, float) and math.isnan(shown)):
        text = "—"
    else:
        text = str(shown)
    cls = ' class="num"' if isinstance(value, (int, float, np.number)) and not isinstance(value, bool) else ""
    return f"<td{cls}>{escape(text)}</td>"


def gap_table_html(table: pd.DataFrame, sheet: str, *, rows: int = GAP_ROWS) -> str:
    """A gap table for people: Chinese headers with units, 是/否, labels; long lists cut with a total line.

    Parameters
    ----------
    table : pandas.DataFrame
        One gap table (its rows are the first that close the gap, in order).
    sheet : str
        The XLSX sheet that holds the whole list.
    rows : int
        Rows shown.

    Returns
    -------
    str
    """
    head = "".join(f"<th>{escape(sxlabels.column(str(c)))}</th>" for c in table.columns)
    shown = table.head(rows)
    body = "".join(
        "<tr>" + "".join(_gap_cell(str(c), v) for c, v in zip(table.columns, row, strict=True)) + "</tr>"
        for row in shown.itertuples(index=False)
    )
    more = ""
    if len(table) > rows:
        totals = [
            f"{sxlabels.column(c)} {fmt(float(table[c].iloc[-1]))}"
            for c in ("cumulative_km2", "cumulative_ha", "count_after")
            if c in table.columns
        ]
        if "mwp" in table.columns:
            totals.append(f"合计装机 {fmt(float(pd.to_numeric(table['mwp'], errors='coerce').sum()))} MWp")
        more = (
            f'<p class="muted more">仅列前 {rows} 行，共 {len(table)} 行'
            f"{('；' + '，'.join(totals)) if totals else ''}；"
            f"完整列表见 report.xlsx「{escape(sheet)} 中文」工作表 · "
            f"first {rows} of {len(table)} rows; the whole list is in the XLSX</p>"
        )
    return f'<table class="gap"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}'


def gap_sections(data: ReportData) -> str:
    """'What would close the gap' tables, one per capability that has one."""
    if not data.gaps:
        return ""
    out = [
        '<section id="gaps" class="county"><h2>缩小差距 <span class="en">What would close the gap</span></h2>'
    ]
    for i, (title, table) in enumerate(data.gaps.items(), start=1):
        out.append(f"<h3>{escape(title)}</h3>{gap_table_html(table, f'gap_{i}')}")
    out.append("</section>")
    return "".join(out)


def dashboard(data: ReportData) -> str:
    """The county dashboard (:mod:`sxgeo.report.dashboard`), the first thing on the page."""
    if data.dashboard.empty:
        return ""
    st = data.status
    city = st[st["unit_code"] == CITY_CODE].set_index("indicator")["target"]
    pilots = {k: (float(city[k]) if k in city.index and pd.notna(city[k]) else None) for k in PILOT_IDS}
    refs = {
        k: (float(city[k]) if k in city.index and pd.notna(city[k]) else None)
        for k in ("forest_cover", "wetland_protection_rate")
    }
    return render_dashboard(data.dashboard, data.parks, pilot_targets=pilots, city_targets=refs)


def render_html(data: ReportData, *, lang: str = "zh") -> str:
    """The whole report page.

    Parameters
    ----------
    data : ReportData
        What to show.
    lang : {'zh', 'en'}
        Which language leads (the other follows in grey).

    Returns
    -------
    str
        A self-contained HTML document: inline CSS and SVG, no script, no external reference.
    """
    return (
        _head(data, lang)
        + dashboard(data)
        + final_section(data)
        + summary(data)
        + indicator_sections(data)
        + county_sections(data)
        + gap_sections(data)
        + "".join(s.html for s in data.sections)  # the capabilities' own (parks, afforestation)
        + "</body></html>"
    )
