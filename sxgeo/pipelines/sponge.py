"""Re-export shim for one release: ``sxgeo.pipelines.sponge`` moved to :mod:`sxgeo.sponge.pipeline`."""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    """Every name of :mod:`sxgeo.sponge.pipeline`, found there."""
    return getattr(importlib.import_module("sxgeo.sponge.pipeline"), name)
