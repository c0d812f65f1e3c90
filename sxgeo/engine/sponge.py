"""Re-export shim for one release: ``sxgeo.engine.sponge`` moved to :mod:`sxgeo.sponge.dask`."""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    """Every name of :mod:`sxgeo.sponge.dask`, found there."""
    return getattr(importlib.import_module("sxgeo.sponge.dask"), name)
