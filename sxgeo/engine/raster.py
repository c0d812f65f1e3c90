"""Re-export shim for one release: ``sxgeo.engine.raster`` moved to :mod:`sxgeo.carbon.dask`."""

from __future__ import annotations

from sxgeo._lazy import attribute_loader

__getattr__ = attribute_loader(__name__, {}, forward="sxgeo.carbon.dask")
