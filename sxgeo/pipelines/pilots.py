"""Re-export shim for one release: ``sxgeo.pipelines.pilots`` moved to :mod:`sxgeo.pilots.pipeline`."""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    """Every name of :mod:`sxgeo.pilots.pipeline`, found there."""
    return getattr(importlib.import_module("sxgeo.pilots.pipeline"), name)
