"""The county overview: what the foundation knows about each county, as plan-style tables.

The formulas are in :mod:`sxgeo.overview.tables`; this package loads them on first use, so that
reading the capability"s spec (:mod:`sxgeo.overview.spec`) imports nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sxgeo._lazy import attribute_loader

if TYPE_CHECKING:
    from sxgeo.overview.tables import LABELS_ZH, built_up_table, county_table

__all__ = ["LABELS_ZH", "built_up_table", "county_table"]

_LAZY: dict[str, str] = {
    "LABELS_ZH": "sxgeo.overview.tables",
    "built_up_table": "sxgeo.overview.tables",
    "county_table": "sxgeo.overview.tables",
}
"""Name -> the module it lives in, loaded on first use."""


__getattr__ = attribute_loader(__name__, _LAZY)
