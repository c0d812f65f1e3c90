"""Re-export shim for one release: ``sxgeo.engine.sponge`` moved to :mod:`sxgeo.sponge.dask`."""

from __future__ import annotations

from sxgeo._lazy import attribute_loader

__getattr__ = attribute_loader(__name__, {}, forward="sxgeo.sponge.dask")
