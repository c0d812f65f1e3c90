"""Carbon sinks (碳汇): forest stands, land-cover rasters (InVEST-compatible) and wetlands.

* :mod:`sxgeo.carbon.stands`: stock per stand by Fang's continuous BEF (or the constant-factor
  chain), per county and type with a Monte-Carlo 95% range, forest cover, stock volume, the
  plan check, and the yearly sink by stock difference.
* :mod:`sxgeo.carbon.landcover`: class areas and carbon per county from a class raster and an
  InVEST pools table, and the change between two maps with a transition matrix.
* :mod:`sxgeo.carbon.wetlands`: wetland area, protection rate against 60.6%, carbon stock,
  yearly burial, and methane reported apart.

Method, factors and validation cases: ``reference/carbon.md`` in the development tree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sxgeo._lazy import attribute_loader

if TYPE_CHECKING:
    from sxgeo.carbon import landcover, stands, wetlands

__all__ = ["landcover", "stands", "wetlands"]


_LAZY: dict[str, str] = {}
"""Name -> the module it lives in: loaded on first use, so that reading the capability's spec
(``sxgeo.carbon.spec``, for the project file and ``--help``) imports nothing heavy."""

_SUBMODULES = frozenset({"landcover", "stands", "wetlands"})


__getattr__ = attribute_loader(__name__, _LAZY, submodules=_SUBMODULES)
