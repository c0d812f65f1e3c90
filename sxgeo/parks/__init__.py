"""Zero-carbon parks (零碳园区): park units (四至, 园中园) and what lies inside them.

* :mod:`sxgeo.parks.tables`: the formulas (boundaries, roofs' PV, carbon and sponge per park, the core
  indicator 单位能耗碳排放 and its grade, 发改环资〔2025〕910号).
* :mod:`sxgeo.parks.pipeline`: the build step; :mod:`sxgeo.parks.spec`: its declaration.

Names are loaded on first use, so reading the spec (the project file, ``--help``) imports nothing heavy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sxgeo.parks.tables import (
        CORE_THRESHOLDS,
        GRADES,
        GUIDING_THRESHOLDS,
        HISTORY_COLUMNS,
        LABELS_ZH,
        core_limit,
        grade,
        latest,
        park_units,
        pv_by_park,
        read_boundaries,
        read_history,
        roof_park_pairs,
        sponge_by_park,
    )

__all__ = [
    "CORE_THRESHOLDS",
    "GRADES",
    "GUIDING_THRESHOLDS",
    "HISTORY_COLUMNS",
    "LABELS_ZH",
    "core_limit",
    "grade",
    "latest",
    "park_units",
    "pv_by_park",
    "read_boundaries",
    "read_history",
    "roof_park_pairs",
    "sponge_by_park",
]


def __getattr__(name: str) -> Any:
    """The formulas' names, imported from :mod:`sxgeo.parks.tables` on first use."""
    if name in __all__:
        return getattr(importlib.import_module("sxgeo.parks.tables"), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
