"""Re-export shim for one release: ``sxgeo.pipelines.pv`` moved to :mod:`sxgeo.pv.pipeline`."""

from __future__ import annotations

from sxgeo._lazy import attribute_loader

__getattr__ = attribute_loader(__name__, {}, forward="sxgeo.pv.pipeline")
