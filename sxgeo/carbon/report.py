"""The afforestation section of the report: CCER-eligible land per county beside the forest-cover gap.

The carbon capability's ``report_section`` hook (:attr:`sxgeo.capability.Capability.report_section`).
Per unit of ``carbon_afforestation`` (CCER-14-001-V01 eligibility, :mod:`sxgeo.carbon.afforestation`):
the eligible hectares, and the hectares the unit is short of its forest-cover target (the gap of
:func:`sxgeo.carbon.gaps.forest_gap`: ``target % × land area − forest area``), as a figure (two bars
a unit) and a table. Eligible land is what a carbon-credit afforestation project could use; it is
not the plantable land of the gap list (that one also counts land the methodology excludes).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import pandas as pd

from sxgeo import labels as sxlabels
from sxgeo.admin import unit_name
from sxgeo.capability import ReportSection
from sxgeo.carbon.gaps import forest_gap
from sxgeo.report.model import unit_target_of
from sxgeo.report.page import FONTS, fmt
from sxgeo.zonal import UNASSIGNED

TABLE = "carbon_afforestation"
"""The run's table of eligible land per unit."""

SHEET = "afforestation"
"""Sheet of ``report.xlsx`` holding the section's table."""

GAP_COLOUR, ELIGIBLE_COLOUR = "#8c959f", "#1a7f37"
"""Bar colours: the forest-cover gap, the CCER-eligible land."""


def afforestation_table(afforestation: pd.DataFrame, gaps: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Eligible land per unit beside its forest-cover gap.

    Parameters
    ----------
    afforestation : pandas.DataFrame
        ``carbon_afforestation`` (``unit_code, eligible_parcels, eligible_ha, excluded_ha``).
    gaps : mapping, optional
        Unit code -> hectares short of its forest-cover target (0 when met); a unit absent has no
        target (its gap is blank).

    Returns
    -------
    pandas.DataFrame
        ``unit_code, unit_name, forest_gap_ha, eligible_parcels, eligible_ha, excluded_ha,
        eligible_of_gap_pct`` (100 × eligible / gap, blank without a gap); every row of the table
        but an ``unassigned`` row with no land.
    """
    t = afforestation.copy()
    t["unit_code"] = t["unit_code"].astype(str)
    empty = (t["unit_code"] == UNASSIGNED) & (
        pd.to_numeric(t["eligible_ha"], errors="coerce").fillna(0)
        + pd.to_numeric(t["excluded_ha"], errors="coerce").fillna(0)
        <= 0
    )
    t = t[~empty].reset_index(drop=True)
    g = gaps or {}
    t["unit_name"] = [unit_name(c) for c in t["unit_code"]]
    t["forest_gap_ha"] = [float(g[c]) if c in g else float("nan") for c in t["unit_code"]]
    eligible = pd.to_numeric(t["eligible_ha"], errors="coerce")
    gap = t["forest_gap_ha"]
    t["eligible_of_gap_pct"] = (100 * eligible / gap).where(gap > 0).round(2)
    cols = [
        "unit_code",
        "unit_name",
        "forest_gap_ha",
        "eligible_parcels",
        "eligible_ha",
        "excluded_ha",
        "eligible_of_gap_pct",
    ]
    return t[cols]


def forest_gaps(data: Any, tables: Mapping[str, pd.DataFrame]) -> dict[str, float]:
    """Unit code -> hectares short of its forest-cover target (0 when met), for the units with a target.

    The city's target is the plan's; a county's is its own (the project's override merged in), none
    otherwise, as in the forest-cover gap list (:func:`sxgeo.carbon.gaps.gap_tables`).
    """
    forest = data.plan.get("forest_cover")
    summary = tables.get("carbon_forest")
    if forest is None or forest.target is None or summary is None:
        return {}
    given = {str(c): unit_target_of(forest, str(c), data.targets) for c in data.units["adcode"]}
    own = {c: t for c, t in given.items() if t is not None}
    short = forest_gap(summary, None, forest.target, own)
    out = dict.fromkeys(("330600", *own), 0.0)
    if len(short):
        out |= {str(c): float(v) for c, v in zip(short["unit_code"], short["gap_ha"], strict=True)}
    return out


def bar_figure(table: pd.DataFrame) -> str:
    """Inline SVG: per unit, a grey bar of the forest-cover gap and a green bar of the eligible land (ha)."""
    rows = table.reset_index(drop=True)
    width, left, right, bar_h, top = 640, 120, 90, 11, 26
    height = top + len(rows) * (2 * bar_h + 8) + 8
    values = [float(v) for v in (*rows["forest_gap_ha"], *pd.to_numeric(rows["eligible_ha"])) if pd.notna(v)]
    scale = (width - left - right) / max([*values, 1e-9])
    font = FONTS.replace('"', "")

    def text(x: float, y: float, s: str, *, anchor: str = "start", fill: str = "#1f2328") -> str:
        return (
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" text-anchor="{anchor}" fill="{fill}" '
            f"font-family='{font}'>{escape(s)}</text>"
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart afforestation" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-label="CCER-eligible land and forest-cover gap">',
        f'<rect x="{left}" y="4" width="10" height="10" fill="{GAP_COLOUR}"/>',
        text(left + 14, 13, "森林覆盖率差距 forest-cover gap (ha)"),
        f'<rect x="{left + 250}" y="4" width="10" height="10" fill="{ELIGIBLE_COLOUR}"/>',
        text(left + 264, 13, "符合CCER造林条件 CCER-eligible (ha)"),
    ]
    for i, r in rows.iterrows():
        y = top + int(str(i)) * (2 * bar_h + 8)
        parts.append(text(left - 6, y + bar_h + 4, str(r["unit_name"]), anchor="end"))
        for j, (col, colour) in enumerate((("forest_gap_ha", GAP_COLOUR), ("eligible_ha", ELIGIBLE_COLOUR))):
            v = pd.to_numeric(pd.Series([r[col]]), errors="coerce").iloc[0]
            yy = y + j * bar_h
            if pd.isna(v):
                parts.append(text(left + 4, yy + bar_h - 2, "无目标 no target", fill="#57606a"))
                continue
            w = max(float(v) * scale, 0.5)
            parts.append(
                f'<rect x="{left}" y="{yy}" width="{w:.1f}" height="{bar_h - 1}" fill="{colour}" '
                f'data-column="{col}" data-unit="{escape(str(r["unit_code"]))}" data-value="{float(v)!r}">'
                f"<title>{escape(str(r['unit_name']))}: {fmt(float(v))} ha</title></rect>"
            )
            parts.append(text(left + w + 4, yy + bar_h - 2, fmt(float(v))))
    parts.append("</svg>")
    return "".join(parts)


def afforestation_html(table: pd.DataFrame) -> str:
    """The section: the figure, then the table (Chinese headers, English beneath)."""
    head = "".join(
        f'<th>{escape(sxlabels.column(c))}<br><span class="en">{escape(sxlabels.column(c, "en"))}</span></th>'
        for c in table.columns
        if c != "unit_code"
    )
    body = "".join(
        f'<tr data-unit="{escape(str(r["unit_code"]))}"><td>{escape(str(r["unit_name"]))}</td>'
        + "".join(
            f'<td class="num" data-column="{c}">{fmt(None if pd.isna(r[c]) else float(r[c]))}</td>'
            for c in table.columns[2:]
        )
        + "</tr>"
        for _, r in table.iterrows()
    )
    return (
        '<section id="afforestation-section"><div style="break-inside:avoid"><h2>造林碳汇可用地 '
        '<span class="en">Land eligible for carbon-credit afforestation</span></h2>'
        '<p class="muted">符合《造林碳汇》方法学 CCER-14-001-V01 条件的土地（至少 3 年非林地、图斑 ≥ 400 m²、'
        "非湿地、非耕地、非城镇村及工矿用地与道路），与森林覆盖率目标差距并列；图斑明细见 "
        "carbon_afforestation_eligible.parquet。 · Land eligible under CCER-14-001-V01 (not forest for 3 "
        "years, patches of at least 400 m², not wetland, cropland, built land or roads) beside the area "
        "short of the forest-cover target.</p>"
        f"{bar_figure(table)}</div>"
        f'<table class="afforestation-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        "</section>"
    )


def report_section(
    data: Any,
    tables: Mapping[str, pd.DataFrame],
    settings: Mapping[str, Any],  # noqa: ARG001 - the hook signature of Capability.report_section
) -> list[ReportSection]:
    """The afforestation section when the run made ``carbon_afforestation`` (else none).

    Parameters
    ----------
    data : sxgeo.report.model.ReportData
        The plan, its targets and the units (the forest-cover gap).
    tables : mapping
        The run's tables (``carbon_afforestation``, ``carbon_forest``).
    settings : mapping
        Unused.

    Returns
    -------
    list of ReportSection
        One section with the ``afforestation`` sheet, or none.
    """
    af = tables.get(TABLE)
    if af is None or "eligible_ha" not in af.columns:
        return []
    table = afforestation_table(af, forest_gaps(data, tables))
    return [
        ReportSection(
            "afforestation-section",
            "造林碳汇可用地",
            "Land eligible for carbon-credit afforestation",
            afforestation_html(table),
            {SHEET: table},
        )
    ]
