"""Sponge city (海绵城市): coverage of the built-up area per county against the plan's 2025 targets.

* :func:`coverage` (Tier A, a proxy): accepted sponge project areas, dissolved, ∩ built-up area.
* :func:`assess_zones` + :func:`zone_coverage` (Tier B, the standard's method): drainage
  sub-zones pass or fail by the volume method and the compliance flags.
* :func:`curve_from_daily` / :func:`curve_from_table`: the H-alpha curve.

Method, defaults and validation cases: ``reference/sponge.md`` in the development tree.
"""

from __future__ import annotations

from sxgeo.sponge.coverage import coverage, coverage_labels, coverage_table, select_counted
from sxgeo.sponge.rainfall import (
    CHENGDU_2015,
    CaptureCurve,
    annual_summary,
    curve_from_daily,
    curve_from_table,
)
from sxgeo.sponge.zones import (
    DEFAULT_ALPHA_TARGET,
    ZoneAssessment,
    assess_zones,
    closest_to_passing,
    facility_defaults,
    runoff_coefficients,
    zone_built_up,
    zone_coverage,
    zone_labels,
)

__all__ = [
    "CHENGDU_2015",
    "DEFAULT_ALPHA_TARGET",
    "CaptureCurve",
    "ZoneAssessment",
    "annual_summary",
    "assess_zones",
    "closest_to_passing",
    "coverage",
    "coverage_labels",
    "coverage_table",
    "curve_from_daily",
    "curve_from_table",
    "facility_defaults",
    "runoff_coefficients",
    "select_counted",
    "zone_built_up",
    "zone_coverage",
    "zone_labels",
]
