"""Re-export shim for one release: ``sxgeo.pipelines.carbon`` moved to :mod:`sxgeo.carbon.pipeline`."""

from __future__ import annotations

from sxgeo._lazy import attribute_loader

__getattr__ = attribute_loader(__name__, {}, forward="sxgeo.carbon.pipeline")
