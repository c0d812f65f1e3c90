"""Re-export shim for one release: ``sxgeo.pipelines.overview`` moved to :mod:`sxgeo.overview.pipeline`."""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    """Every name of :mod:`sxgeo.overview.pipeline`, found there."""
    return getattr(importlib.import_module("sxgeo.overview.pipeline"), name)
