"""Sponge city (海绵城市): coverage of the built-up area per county against the plan's 2025 targets.

* :func:`coverage` (Tier A, a proxy): accepted sponge project areas, dissolved, ∩ built-up area.
* :func:`assess_zones` + :func:`zone_coverage` (Tier B, the standard's method): drainage
  sub-zones pass or fail by the volume method and the compliance flags.
* :func:`curve_from_daily` / :func:`curve_from_table`: the H-alpha curve.

Method, defaults and validation cases: ``reference/sponge.md`` in the development tree.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from sxgeo._lazy import attribute_loader

if TYPE_CHECKING:
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


_LAZY: dict[str, str] = {
    "CHENGDU_2015": "sxgeo.sponge.rainfall",
    "CaptureCurve": "sxgeo.sponge.rainfall",
    "DEFAULT_ALPHA_TARGET": "sxgeo.sponge.zones",
    "ZoneAssessment": "sxgeo.sponge.zones",
    "annual_summary": "sxgeo.sponge.rainfall",
    "assess_zones": "sxgeo.sponge.zones",
    "closest_to_passing": "sxgeo.sponge.zones",
    "coverage": "sxgeo.sponge.coverage",
    "coverage_labels": "sxgeo.sponge.coverage",
    "coverage_table": "sxgeo.sponge.coverage",
    "curve_from_daily": "sxgeo.sponge.rainfall",
    "curve_from_table": "sxgeo.sponge.rainfall",
    "facility_defaults": "sxgeo.sponge.zones",
    "runoff_coefficients": "sxgeo.sponge.zones",
    "select_counted": "sxgeo.sponge.coverage",
    "zone_built_up": "sxgeo.sponge.zones",
    "zone_coverage": "sxgeo.sponge.zones",
    "zone_labels": "sxgeo.sponge.zones",
}
"""Name -> the module it lives in: loaded on first use, so that reading the capability's spec
(``sxgeo.sponge.spec``, for the project file and ``--help``) imports nothing heavy."""

_SUBMODULES = frozenset({"coverage", "rainfall", "zones"})


__getattr__ = attribute_loader(__name__, _LAZY, submodules=_SUBMODULES)


class _Package(types.ModuleType):
    """The package, whose function ``coverage`` keeps its name when the submodule of that name loads.

    Importing ``sxgeo.sponge.coverage`` sets the package's ``coverage`` attribute to the module;
    with the formulas loaded lazily that would hide the function (``sponge.coverage(...)``), so the
    module is not bound over a lazy name (``importlib.import_module`` still returns it).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
