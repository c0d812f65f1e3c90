"""Re-export shim for one release: ``sxgeo.pipelines.pv`` moved to :mod:`sxgeo.pv.pipeline`."""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    """Every name of :mod:`sxgeo.pv.pipeline`, found there."""
    return getattr(importlib.import_module("sxgeo.pv.pipeline"), name)
