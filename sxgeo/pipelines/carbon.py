"""Re-export shim for one release: ``sxgeo.pipelines.carbon`` moved to :mod:`sxgeo.carbon.pipeline`."""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    """Every name of :mod:`sxgeo.carbon.pipeline`, found there."""
    return getattr(importlib.import_module("sxgeo.carbon.pipeline"), name)
