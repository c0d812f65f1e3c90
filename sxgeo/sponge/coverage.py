"""Sponge-city coverage: the share of the built-up area that meets the requirements, per county.

Tier A (proxy): compliant = accepted sponge project areas. Tier B (the standard): compliant =
the drainage sub-zones that pass (:mod:`sxgeo.sponge.zones`). Both use :func:`coverage_table`,
so their numbers are comparable. Formulas (reference/sponge.md §5)::

    A_c   = area( union(compliant) ∩ built-up ∩ county_c )      overlaps count once
    cov_c = A_c / area( built-up ∩ county_c )
    gap_c = max(0, target_c · denominator_c − A_c)

Pooled units (绍兴市区 = 越城 + 柯桥 + 上虞, and the city) sum numerators and denominators;
percentages are never averaged. All areas in EPSG:4549.
"""

from __future__ import annotations

import logging
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.admin import load_counties
from sxgeo.geom_union import dissolve_tiled, tiled_union_by_label
from sxgeo.io import columns
from sxgeo.plan import TargetsLike
from sxgeo.unit_table import add_ratio, attach_targets, id_columns, unit_rows
from sxgeo.units import M2_PER_KM2
from sxgeo.zonal import UNASSIGNED, area_by_zone, clip_to, dissolve_parts, intersection_pieces, overlap_groups

log = logging.getLogger(__name__)

COUNTED_STATUSES = frozenset(
    {
        "completed",
        "accepted",
        "built",
        "done",
        "已完工",
        "已验收",
        "完工",
        "验收",
        "已完成",
        "完成",
        "已竣工",
        "竣工",
        "已建成",
        "建成",
        "通过验收",
    }
)
"""Project statuses that count as built (case-insensitive)."""
NOT_COUNTED_STATUSES = frozenset(
    {
        "planned",
        "proposed",
        "under construction",
        "ongoing",
        "在建",
        "建设中",
        "施工中",
        "规划",
        "规划中",
        "拟建",
        "计划",
        "未开工",
        "前期",
        "待建",
        "筹建",
    }
)
"""Statuses recognised as not (yet) built: not counted, and not reported as unknown values."""
STATUS_COLUMNS = columns.PROJECT_STATUS
"""Columns searched, in order, for a project's status (case-insensitive, spaces ignored):
:data:`sxgeo.io.columns.PROJECT_STATUS`, this name kept for one release."""
DATE_COLUMNS = columns.COMPLETION_DATE
"""Columns searched, in order, for when a project was completed (case-insensitive, spaces ignored):
:data:`sxgeo.io.columns.COMPLETION_DATE`, this name kept for one release."""
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")

LABELS_ZH = {
    "unit_code": "行政区划代码",
    "unit_name": "名称",
    "built_up_km2": "建成区面积(km²)",
    "compliant_km2": "达标面积(km²)",
    "coverage_pct": "达标比例(%)",
    "target_pct": "规划目标(%)",
    "baseline_pct": "2020年基数(%)",
    "gap_km2": "距目标缺口(km²)",
    "status": "状态",
}


def completion_year(projects: pd.DataFrame) -> pd.Series | None:
    """Year each project was completed, from the first date column present (else ``None``).

    Parameters
    ----------
    projects : pandas.DataFrame
        Project attributes.

    Returns
    -------
    pandas.Series or None
        Integer-like years (NaN where unknown).
    """
    col = _project_column(projects, DATE_COLUMNS, "completion date")
    if col is None:
        return None
    values = projects[col]
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.year.astype(float)
    # text: a date (2021-06-30, 2021/6/30) or a year written as 2021 / 2021年 / 2021.06
    text = values.astype("string").str.strip()
    years = text.str.extract(_YEAR, expand=False).astype(float)
    return years.where(values.notna())


def find_column(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    """The first column of *frame* whose name is one of *names* (case and spaces ignored), else ``None``.

    Kept for one release: the rule is :func:`sxgeo.io.columns.find_column` with ``match="spaces"``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    names : tuple of str
        Accepted names, in order of preference.

    Returns
    -------
    str or None
        The column's name as written in the file.
    """
    return _project_column(frame, names, "column")


def _project_column(frame: pd.DataFrame, names: tuple[str, ...], what: str) -> str | None:
    """The first column of a project list named one of *names*, case and whitespace ignored (else None)."""
    return columns.find_column(frame.columns, names, what=what, match="spaces", required=False, quiet=True)


def _headers(frame: pd.DataFrame) -> str:
    cols = [str(c) for c in frame.columns if c != getattr(frame, "_geometry_column_name", "geometry")]
    return ", ".join(cols) if cols else "none"


def select_counted(
    projects: gpd.GeoDataFrame,
    *,
    year: int | None = None,
    statuses: frozenset[str] = COUNTED_STATUSES,
    what: str = "sponge projects",
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Projects that count: status completed/accepted (when a status column exists), done by *year*.

    Parameters
    ----------
    projects : geopandas.GeoDataFrame
        Project polygons.
    year : int, optional
        Reporting year; projects completed later, or with no date, do not count.
    statuses : frozenset of str
        Statuses that count.
    what : str
        How to name the layer in the log.

    Returns
    -------
    tuple
        The counted projects and notes on what was left out.
    """
    notes: list[str] = []
    keep = pd.Series(True, index=projects.index)
    status_col = _project_column(projects, STATUS_COLUMNS, "project status")
    if status_col is not None:
        log.info("%s: status read from column %r", what, status_col)
        notes.append(f"project status read from column {status_col!r}")
        values = projects[status_col].astype("string").str.strip().str.lower()
        ok = values.isin({s.lower() for s in statuses}).fillna(False).astype(bool)
        if (~ok).any():
            notes.append(f"{int((~ok).sum())} projects not counted: status not completed/accepted")
        known = {s.lower() for s in statuses | NOT_COUNTED_STATUSES}
        odd = sorted({str(v) for v in values[~ok].dropna() if v not in known})
        if odd:
            notes.append(
                f"status values not recognised, not counted: {', '.join(odd[:8])} "
                f"(counted: {', '.join(sorted(statuses))})"
            )
        keep &= ok
    else:
        msg = (
            f"no project status column ({', '.join(STATUS_COLUMNS)}); headers seen: {_headers(projects)}: "
            "every project counted as completed"
        )
        log.warning("%s: %s", what, msg)
        notes.append(msg)
    if year is not None:
        years = completion_year(projects)
        if years is None:
            msg = (
                f"no completion date column ({', '.join(DATE_COLUMNS)}); headers seen: {_headers(projects)}: "
                f"every project counted for {year}"
            )
            log.warning("%s: %s", what, msg)
            notes.append(msg)
        else:
            date_col = _project_column(projects, DATE_COLUMNS, "completion date")
            log.info("%s: completion year read from column %r", what, date_col)
            notes.append(f"completion year read from column {date_col!r}")
            late = years > year
            unknown = years.isna()
            if (keep & late).any():
                notes.append(f"{int((keep & late).sum())} projects completed after {year} not counted")
            if (keep & unknown).any():
                notes.append(f"{int((keep & unknown).sum())} projects without a completion date not counted")
            keep &= ~late & ~unknown
    return projects.loc[keep], notes


def coverage_table(
    built_up: gpd.GeoDataFrame,
    compliant: gpd.GeoDataFrame | gpd.GeoSeries,
    counties: gpd.GeoDataFrame,
    *,
    indicator: str = "sponge_coverage",
    targets: TargetsLike = None,
) -> pd.DataFrame:
    """Compliant share of the built-up area per county, 绍兴市区, the city, and unassigned area.

    Parameters
    ----------
    built_up : geopandas.GeoDataFrame
        Built-up area polygons (dissolved here).
    compliant : geopandas.GeoDataFrame or geopandas.GeoSeries
        Compliant polygons (dissolved here, so overlaps count once).
    counties : geopandas.GeoDataFrame
        County polygons with ``adcode``.
    indicator : str
        Plan indicator whose targets are attached.
    targets : pandas.DataFrame, optional
        The targets table (:func:`sxgeo.plan.load_plan_targets`); default the shipped one.

    Returns
    -------
    pandas.DataFrame
        ``unit_code, unit_name, built_up_km2, compliant_km2, coverage_pct, target_pct,
        baseline_pct, gap_km2, status``; a row ``unassigned`` holds built-up area outside every
        county (in no pooled row).
    """
    denom, numer = coverage_areas(built_up, compliant, counties)
    return coverage_from_areas(denom, numer, counties, indicator=indicator, targets=targets)


def coverage_areas(
    built_up: gpd.GeoDataFrame,
    compliant: gpd.GeoDataFrame | gpd.GeoSeries,
    counties: gpd.GeoDataFrame,
) -> tuple[pd.Series, pd.Series]:
    """Built-up area and compliant built-up area per county [m2], overlaps counted once (EPSG:4549).

    The built-up polygons are dissolved (:func:`sxgeo.zonal.dissolve_parts`); the compliant ones,
    which can number 10^5 and overlap densely, are unioned per tile
    (:func:`sxgeo.geom_union.dissolve_tiled`, linear in their count where one union of each
    overlapping group grows faster), clipped to the built-up parts and summed per county.

    Parameters
    ----------
    built_up : geopandas.GeoDataFrame
        Built-up area polygons.
    compliant : geopandas.GeoDataFrame or geopandas.GeoSeries
        Compliant polygons.
    counties : geopandas.GeoDataFrame
        County polygons with ``adcode``.

    Returns
    -------
    tuple of pandas.Series
        ``(denominator, numerator)`` by county code then :data:`~sxgeo.zonal.UNASSIGNED` [m2].
    """
    base = dissolve_parts(built_up)
    denom = area_by_zone(base, counties)
    if not len(compliant):
        return denom, pd.Series(0.0, index=denom.index)
    units = sxcrs.to_metric(counties, what="counties")
    zg = np.asarray(units.geometry.values, dtype=object)
    if len(overlap_groups(zg)) > 1:
        # overlapping units are each counted whole: the union first, then each unit's share
        good = dissolve_tiled(compliant)
        inside = clip_to(good, base) if len(good) else good
        numer = area_by_zone(inside, counties) if len(inside) else pd.Series(0.0, index=denom.index)
        return denom, numer
    numer_m2 = _clipped_union_areas(np.asarray(base.values, dtype=object), zg, compliant, base.crs)
    return denom, pd.Series(numer_m2, index=denom.index, name=denom.name)


def _clipped_union_areas(
    base: np.ndarray, units: np.ndarray, compliant: gpd.GeoDataFrame | gpd.GeoSeries, crs: object
) -> np.ndarray:
    """Area [m2] of (∪ *compliant*) ∩ built-up in each of the non-overlapping *units*, then outside them.

    The projects are cut to the built-up area of each unit first (most lie wholly inside one and
    stay whole; those outside the built-up area drop out), then unioned per tile and unit
    (:func:`sxgeo.geom_union.tiled_union_by_label`): the union never sees what the coverage does
    not count, and a unit's area is the sum of its parts', with no clip or overlay after.
    ``area((∪P) ∩ Z_u) = area(∪(P ∩ Z_u))`` for each unit's built-up area ``Z_u``.
    """
    bi, zi, cells = intersection_pieces(base, units)  # built-up area of each unit (pieces of base)
    del bi
    cells = np.asarray(cells, dtype=object)
    cell_unit = np.asarray(zi, dtype=np.int64)
    outside = shapely.difference(shapely.union_all(base), shapely.union_all(units))
    if not shapely.is_empty(outside) and shapely.area(outside) > 0:
        cells = np.r_[cells, np.array([outside], dtype=object)]
        cell_unit = np.r_[cell_unit, len(units)]
    good = sxcrs.to_metric(gpd.GeoDataFrame(geometry=compliant.geometry), crs, what="sponge projects")
    ci, _, pieces = intersection_pieces(cells, np.asarray(good.geometry.values, dtype=object), threads=None)
    parts, label = tiled_union_by_label(pieces, cell_unit[ci])
    return np.bincount(label, weights=shapely.area(parts), minlength=len(units) + 1)


def coverage_from_areas(
    denom: pd.Series,
    numer: pd.Series,
    counties: gpd.GeoDataFrame,
    *,
    indicator: str = "sponge_coverage",
    targets: TargetsLike = None,
) -> pd.DataFrame:
    """The table of :func:`coverage_table` from the built-up and compliant areas per unit code [m2].

    Parameters
    ----------
    denom, numer : pandas.Series
        Built-up and compliant built-up area by unit code (:func:`sxgeo.zonal.area_by_zone`).
    counties : geopandas.GeoDataFrame
        The unit layer.
    indicator : str
        Plan indicator whose targets are attached.
    targets : pandas.DataFrame, optional
        The targets table; default the shipped one.

    Returns
    -------
    pandas.DataFrame
        As :func:`coverage_table`.
    """
    if denom.get(UNASSIGNED, 0.0) > 1.0:
        log.warning("%.3f km2 of built-up area lies outside every unit", denom[UNASSIGNED] / M2_PER_KM2)
    sums = pd.DataFrame({"built_up_km2": denom / M2_PER_KM2, "compliant_km2": numer / M2_PER_KM2})
    df = add_ratio(unit_rows(sums, counties), "coverage_pct", "compliant_km2", "built_up_km2")
    df = attach_targets(df, indicator, "coverage_pct", targets=targets)
    need = df["target_pct"] / 100 * df["built_up_km2"] - df["compliant_km2"]
    df["gap_km2"] = need.clip(lower=0)
    cols = [
        *id_columns(df),
        "built_up_km2",
        "compliant_km2",
        "coverage_pct",
        "target_pct",
        "baseline_pct",
    ]
    out = df[[*cols, "gap_km2", "status"]].copy()
    for col in ("built_up_km2", "compliant_km2", "gap_km2"):
        out[col] = out[col].round(4)
    out["coverage_pct"] = out["coverage_pct"].round(2)
    return out


def coverage(
    built_up: gpd.GeoDataFrame,
    compliant: gpd.GeoDataFrame,
    *,
    counties: gpd.GeoDataFrame | None = None,
    year: int | None = None,
    targets: TargetsLike = None,
) -> pd.DataFrame:
    """Tier A: sponge-city coverage of the built-up area from accepted project areas.

    Parameters
    ----------
    built_up : geopandas.GeoDataFrame
        Built-up area polygons (建成区). With a ``year`` column and *year* given, the rows of
        that year are used when present.
    compliant : geopandas.GeoDataFrame
        Sponge project polygons; optional ``status`` and completion date (``completed_on`` or
        ``completion_year``...).
    counties : geopandas.GeoDataFrame, optional
        County polygons; default the shipped county layer.
    year : int, optional
        Reporting year: only projects completed by then count.
    targets : pandas.DataFrame, optional
        The targets table (:func:`sxgeo.plan.load_plan_targets`); default the shipped one.

    Returns
    -------
    pandas.DataFrame
        See :func:`coverage_table`. ``df.attrs["notes"]`` lists what was left out and why.
    """
    counties = load_counties() if counties is None else counties
    sxcrs.require_crs(built_up, what="built-up areas")
    sxcrs.require_crs(compliant, what="sponge projects")
    if year is not None and "year" in built_up.columns and (built_up["year"] == year).any():
        built_up = built_up[built_up["year"] == year]
    counted, notes = select_counted(compliant, year=year)
    table = coverage_table(built_up, counted, counties, targets=targets)
    table.attrs["notes"] = [
        "Tier A proxy: accepted sponge project areas, dissolved, clipped to the built-up area",
        f"projects counted: {len(counted)} of {len(compliant)}" + (f" (completed by {year})" if year else ""),
        *notes,
    ]
    return table


def coverage_labels() -> dict[str, str]:
    """Chinese labels of the coverage table columns (XLSX headers)."""
    return dict(LABELS_ZH)
