"""The one-page county dashboard at the top of the report, and the computed counts the status rows take.

Per county, 绍兴市区 and the city, from the build's own tables (the same ones the capability steps
wrote, so the page and the CSV never disagree):

* sponge coverage and its km² gap to the unit's own target, from the Tier A ``sponge_coverage``
  the plan's row is judged from (so a project without drainage sub-zones has it too, and the
  figure and its status never disagree);
* rooftop PV potential, MWp (``pv_counties.capacity_mwp``), and the parks with the most;
* pilots selected + existing (``pilots_<level>``: ``selected`` counts the existing pilots fixed in),
  the city against the plan's 100 villages / 10 towns / 3 counties;
* forest cover and wetland protection rate, each beside the *city* target, labelled 参照全市目标:
  a county the plan gives no target is not graded, but its distance from the city figure is shown.

:func:`computed_counts` gives the status table the counts sxgeo computes for an indicator the
planner enters (pilots: the siting's selected + existing; PV: the rooftop potential), so no row
sxgeo can compute says 无法评估; the row says what the number is (选址结果 / 屋顶潜力).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sxgeo import labels as sxlabels
from sxgeo.admin import CITY_CODE, URBAN_CODE, unit_name

if TYPE_CHECKING:
    from sxgeo.report.model import ReportData

URBAN_DISTRICTS = ("330602", "330603", "330604")
"""The districts of 绍兴市区 (越城, 柯桥, 上虞)."""

PILOT_LEVELS = ("villages", "towns", "counties")
"""Pilot levels, as ``pilots_<level>`` tables and ``pilot_<level>`` indicators."""

COLUMNS = (
    "unit_code",
    "unit_name",
    "sponge_pct",
    "sponge_target_pct",
    "sponge_gap_km2",
    "sponge_status",
    "pv_mwp",
    "pilot_villages",
    "pilot_towns",
    "pilot_counties",
    "forest_pct",
    "forest_vs_city_pct",
    "wetland_pct",
    "wetland_vs_city_pct",
)
"""Columns of the dashboard table (one row per county, 绍兴市区 and the city)."""

OK, BEHIND, GREY, REF_LOW = "#1a7f37", "#cf222e", "#6e7781", "#bc4c00"
"""Colours: met, behind, no figure, below the city reference."""
ON_SCHEDULE = "#bf8700"
"""Colour of a unit short of its target but on the plan's path (基本符合预期; the report's on_track)."""
SCHEDULE_CATEGORIES = ("on_track", "faster")
"""Report categories of a unit short of its target that count as on schedule (the sponge map's too)."""


def _is_true(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip().str.lower().isin(["true", "1", "yes"])


def _unit_value(table: pd.DataFrame | None, column: str, code: str) -> float | None:
    if table is None or column not in table.columns or "unit_code" not in table.columns:
        return None
    hit = table.loc[table["unit_code"].astype(str) == code, column]
    hit = pd.to_numeric(hit, errors="coerce").dropna()
    return float(hit.iloc[0]) if len(hit) else None


def pilot_counts(tables: Mapping[str, pd.DataFrame], level: str) -> dict[str, int] | None:
    """Selected + existing pilots of *level* per county, 绍兴市区 and the city (None without the table).

    ``selected`` is true for the existing pilots fixed in as well (:mod:`sxgeo.pilots.pipeline`).
    """
    table = tables.get(f"pilots_{level}")
    if table is None or "selected" not in table.columns:
        return None
    chosen = table[_is_true(table["selected"])]
    county = (
        chosen["county_adcode"].astype(str) if "county_adcode" in chosen.columns else pd.Series(dtype=str)
    )
    per = county.value_counts()
    out = {str(k): int(v) for k, v in per.items()}
    out[URBAN_CODE] = int(sum(out.get(c, 0) for c in URBAN_DISTRICTS))
    out[CITY_CODE] = len(chosen)
    return out


def pv_potential(tables: Mapping[str, pd.DataFrame]) -> dict[str, float] | None:
    """Rooftop PV potential (MWp) per unit from ``pv_counties.capacity_mwp`` (None without it)."""
    table = tables.get("pv_counties")
    if table is None or "capacity_mwp" not in table.columns:
        return None
    vals = pd.to_numeric(table["capacity_mwp"], errors="coerce")
    return {
        str(c): float(v) for c, v in zip(table["unit_code"].astype(str), vals, strict=True) if pd.notna(v)
    }


def computed_counts(tables: Mapping[str, pd.DataFrame]) -> dict[str, tuple[dict[str, float], str, str]]:
    """What sxgeo computes for the indicators a planner enters: id -> (values by unit, category, note).

    Parameters
    ----------
    tables : mapping
        The build's tables.

    Returns
    -------
    dict
        ``pilot_<level>``: selected + existing sites (category ``sited``); ``pv_installed_capacity``:
        the rooftop potential (category ``potential``).
    """
    out: dict[str, tuple[dict[str, float], str, str]] = {}
    for level in PILOT_LEVELS:
        counts = pilot_counts(tables, level)
        if counts is not None:
            note = "选址结果：入选 + 既有试点（非已命名数量） · siting: selected + existing, not yet named"
            out[f"pilot_{level}"] = ({k: float(v) for k, v in counts.items()}, "sited", note)
    pv = pv_potential(tables)
    if pv is not None:
        note = "屋顶光伏可装潜力（非已装机，已装机请填报） · rooftop potential, not installed capacity"
        out["pv_installed_capacity"] = (pv, "potential", note)
    return out


def top_parks(tables: Mapping[str, pd.DataFrame], n: int = 5) -> pd.DataFrame:
    """The *n* parks with the most rooftop PV potential (``pv_parks``): name, county, MWp."""
    parks = tables.get("pv_parks")
    if parks is None or "capacity_mwp" not in parks.columns:
        return pd.DataFrame(columns=["name", "county_name", "capacity_mwp"])
    p = parks.assign(capacity_mwp=pd.to_numeric(parks["capacity_mwp"], errors="coerce"))
    p = p.sort_values("capacity_mwp", ascending=False, kind="stable").head(n)
    county = p["county_adcode"].astype(str) if "county_adcode" in p.columns else pd.Series("", index=p.index)
    return pd.DataFrame(
        {
            "name": p["name"].astype(str) if "name" in p.columns else p.index.astype(str),
            "county_name": [unit_name(c) if c else "" for c in county],
            "capacity_mwp": p["capacity_mwp"].round(2).to_numpy(),
        }
    )


def dashboard_table(
    data: ReportData, tables: Mapping[str, pd.DataFrame], *, city_targets: Mapping[str, float | None]
) -> pd.DataFrame:
    """One row per county, 绍兴市区 and the city: the figures of the dashboard (:data:`COLUMNS`).

    Parameters
    ----------
    data : ReportData
        Its counties and status rows (the sponge status of each unit, judged against its own target).
    tables : mapping
        The build's tables.
    city_targets : mapping
        ``forest_cover`` and ``wetland_protection_rate`` city targets (the reference of every county).

    Returns
    -------
    pandas.DataFrame
    """
    # the table the plan's sponge_coverage row is judged from (Tier A), so figure and status agree
    sponge = tables.get("sponge_coverage", tables.get("sponge_zone_coverage"))
    forest, wetlands = tables.get("carbon_forest"), tables.get("carbon_wetlands")
    pv = pv_potential(tables) or {}
    pilots = {level: pilot_counts(tables, level) for level in PILOT_LEVELS}
    st = data.status
    codes = [*[str(c) for c in data.units["adcode"]], URBAN_CODE, CITY_CODE]
    rows = []
    for code in codes:
        own = st[(st["indicator"] == "sponge_coverage") & (st["unit_code"].astype(str) == code)]
        forest_pct = _unit_value(forest, "forest_cover_pct", code)
        wetland_pct = _unit_value(wetlands, "protection_rate_pct", code)
        f_ref, w_ref = city_targets.get("forest_cover"), city_targets.get("wetland_protection_rate")
        target = _unit_value(sponge, "target_pct", code)
        if target is None and len(own) and pd.notna(own["target"].iloc[0]):
            target = float(own["target"].iloc[0])
        rows.append(
            {
                "unit_code": code,
                "unit_name": unit_name(code),
                "sponge_pct": _unit_value(sponge, "coverage_pct", code),
                "sponge_target_pct": target,
                "sponge_gap_km2": _unit_value(sponge, "gap_km2", code),
                "sponge_status": str(own["status"].iloc[0]) if len(own) else "no_data",
                "pv_mwp": pv.get(code),
                **{
                    f"pilot_{level}": (counts.get(code, 0) if counts is not None else None)
                    for level, counts in pilots.items()
                },
                "forest_pct": forest_pct,
                "forest_vs_city_pct": (forest_pct - f_ref) if forest_pct is not None and f_ref else None,
                "wetland_pct": wetland_pct,
                "wetland_vs_city_pct": (wetland_pct - w_ref) if wetland_pct is not None and w_ref else None,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _num(v: Any, digits: int = 1) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "—"
    return f"{float(v):,.{digits}f}"


def _cell(field: str, value: Any, text: str, colour: str | None = None, label: str = "") -> str:
    raw = "" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{float(value):.6g}"
    style = f' style="border-left:5px solid {colour}"' if colour else ""
    lab = f'<span class="label">{escape(label)}</span>' if label else ""
    return (
        f'<td class="num" data-field="{field}" data-value="{raw}"{style}>'
        f'<span class="v">{escape(text)}</span>{lab}</td>'
    )


def _sponge_cell(r: pd.Series) -> str:
    gap = r["sponge_gap_km2"]
    status = str(r["sponge_status"])
    if r["sponge_pct"] is None or pd.isna(r["sponge_pct"]):
        return _cell("sponge_pct", None, "—", GREY, sxlabels.status("no_data")) + _cell(
            "sponge_gap_km2", None, "—"
        )
    met = gap is not None and not pd.isna(gap) and float(gap) <= 1e-9
    on_path = not met and status in SCHEDULE_CATEGORIES
    colour = OK if met else ON_SCHEDULE if on_path else BEHIND
    label = (
        sxlabels.status(status) if status not in ("no_target", "no_data") else ("已达标" if met else "未达标")
    )
    target = r["sponge_target_pct"]
    text = (
        f"{_num(r['sponge_pct'])}% / {_num(target, 0)}%"
        if target is not None and pd.notna(target)
        else (f"{_num(r['sponge_pct'])}%")
    )
    gap_text = "0（已达标）" if met else f"差 {_num(gap, 2)} km²"  # on schedule: still the km² it lacks
    return _cell("sponge_pct", r["sponge_pct"], text, colour, label) + _cell(
        "sponge_gap_km2", gap, gap_text, colour
    )


def _reference_cell(field: str, value: Any, diff: Any) -> str:
    if value is None or pd.isna(value):
        return _cell(field, None, "—")
    if diff is None or pd.isna(diff):
        return _cell(field, value, f"{_num(value)}%")
    colour = OK if float(diff) >= -1e-9 else REF_LOW
    sign = "+" if float(diff) >= 0 else "−"
    return _cell(
        field, value, f"{_num(value)}%", colour, f"{sign}{abs(float(diff)):.1f} 个百分点 · 参照全市目标"
    )


def render_dashboard(
    table: pd.DataFrame,
    parks: pd.DataFrame,
    *,
    pilot_targets: Mapping[str, float | None],
    city_targets: Mapping[str, float | None],
) -> str:
    """The dashboard section (HTML): one table, a parks list, a legend of its colours.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`dashboard_table`.
    parks : pandas.DataFrame
        :func:`top_parks`.
    pilot_targets : mapping
        ``pilot_<level>`` -> the plan's city count.
    city_targets : mapping
        ``forest_cover``, ``wetland_protection_rate`` -> the city target (the reference line).

    Returns
    -------
    str
    """
    if table.empty:
        return ""
    f_ref, w_ref = city_targets.get("forest_cover"), city_targets.get("wetland_protection_rate")
    body = []
    for _, r in table.iterrows():
        is_city = r["unit_code"] == CITY_CODE
        pilots = []
        for level in PILOT_LEVELS:
            v = r[f"pilot_{level}"]
            target = pilot_targets.get(f"pilot_{level}")
            if is_city and target is not None and v is not None and pd.notna(v):
                colour = OK if float(v) >= float(target) - 1e-9 else BEHIND
                label = "选址已足" if colour == OK else "选址不足"
                pilots.append(_cell(f"pilot_{level}", v, f"{int(v)} / {target:g}", colour, label))
            else:
                pilots.append(_cell(f"pilot_{level}", v, "—" if v is None or pd.isna(v) else f"{int(v)}"))
        cls = ' class="city"' if is_city else ""
        body.append(
            f'<tr data-unit="{escape(str(r["unit_code"]))}"{cls}><th>{escape(str(r["unit_name"]))}</th>'
            + _sponge_cell(r)
            + _cell("pv_mwp", r["pv_mwp"], _num(r["pv_mwp"], 1))
            + "".join(pilots)
            + _reference_cell("forest_pct", r["forest_pct"], r["forest_vs_city_pct"])
            + _reference_cell("wetland_pct", r["wetland_pct"], r["wetland_vs_city_pct"])
            + "</tr>"
        )
    ref = (
        f"森林覆盖率、湿地保护率规划只给全市目标（{_num(f_ref, 2)}%、{_num(w_ref, 1)}%）：县区不评级，"
        "只列与全市目标的差（参照全市目标）"
    )
    park_rows = "".join(
        f"<li>{escape(str(p['name']))}（{escape(str(p['county_name']))}）"
        f"{_num(p['capacity_mwp'], 1)} MWp</li>"
        for _, p in parks.iterrows()
    )
    parks_html = (
        f'<div class="parks"><b>屋顶光伏潜力最大的园区</b><ol>{park_rows}</ol></div>' if park_rows else ""
    )
    return (
        '<section id="dashboard"><h2>县区一览 <span class="en">County dashboard</span></h2>'
        '<table class="dashboard"><thead><tr><th rowspan="2">县区</th>'
        '<th colspan="2">海绵城市达标率（本级目标）</th><th rowspan="2">屋顶光伏潜力 (MWp)</th>'
        '<th colspan="3">低（零）碳试点：入选 + 既有</th>'
        f'<th rowspan="2">森林覆盖率<br><span class="muted">全市目标 {_num(f_ref, 2)}%</span></th>'
        f'<th rowspan="2">湿地保护率<br><span class="muted">全市目标 {_num(w_ref, 1)}%</span></th></tr>'
        "<tr><th>达标率 / 目标</th><th>差距 (km²)</th><th>村（社区）</th><th>乡镇（街道）</th>"
        "<th>县（市、区）</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        f'<p class="muted">{escape(ref)}；试点数为选址结果（入选 + 既有），全市一行对照规划目标。'
        "颜色：绿 已达标 · 黄 基本符合预期（未达标但进度符合规划） · 红 未达标（滞后） · "
        "橙 低于全市目标 · 灰 无数据</p>"
        f"{parks_html}</section>"
    )
