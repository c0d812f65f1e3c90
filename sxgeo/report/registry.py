"""Re-export shim for one release: the plan's registry moved to :mod:`sxgeo.plan`."""

from __future__ import annotations

from sxgeo.plan import (
    DEFAULT_PLAN,
    DIRECTIONS,
    KIND_ZH,
    KINDS,
    METHODS,
    Computed,
    Indicator,
    Plan,
    load_plan,
    targets_table,
)

__all__ = [
    "DEFAULT_PLAN",
    "DIRECTIONS",
    "KINDS",
    "KIND_ZH",
    "METHODS",
    "Computed",
    "Indicator",
    "Plan",
    "load_plan",
    "targets_table",
]
