"""Re-export shim for one release: these names live in :mod:`sxgeo._pipeline` now."""

from __future__ import annotations

from sxgeo._pipeline import (
    YEAR_RANGE,
    Context,
    as_path,
    check_option,
    check_share,
    check_year,
    input_key,
    is_synthetic,
    name_of,
    read,
    read_dask,
    unit_sets,
)

__all__ = [
    "YEAR_RANGE",
    "Context",
    "as_path",
    "check_option",
    "check_share",
    "check_year",
    "input_key",
    "is_synthetic",
    "name_of",
    "read",
    "read_dask",
    "unit_sets",
]
