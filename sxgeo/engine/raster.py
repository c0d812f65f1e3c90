"""Re-export shim for one release: ``sxgeo.engine.raster`` moved to :mod:`sxgeo.carbon.dask`."""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    """Every name of :mod:`sxgeo.carbon.dask`, found there."""
    return getattr(importlib.import_module("sxgeo.carbon.dask"), name)
