"""Rooftop PV potential (屋顶光伏): capacity and yearly generation of every roof, and their sums.

* :mod:`sxgeo.pv.energy`: specific yield by tilt/azimuth bin with pvlib, fully offline.
* :mod:`sxgeo.pv.capacity`: capacity, generation and the NEA policy scenario per building.
* :mod:`sxgeo.pv.aggregate`: per county, park, village and grid cell, against +1,000 MW.

Method, defaults and validation cases: ``reference/pv.md`` in the development tree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sxgeo._lazy import attribute_loader

if TYPE_CHECKING:
    from sxgeo.pv import aggregate, capacity, energy
    from sxgeo.pv.aggregate import by_county, by_nearest_point, by_polygon
    from sxgeo.pv.capacity import building_potential, emission_factor, roof_params

__all__ = [
    "aggregate",
    "building_potential",
    "by_county",
    "by_nearest_point",
    "by_polygon",
    "capacity",
    "emission_factor",
    "energy",
    "roof_params",
]


_LAZY: dict[str, str] = {
    "building_potential": "sxgeo.pv.capacity",
    "by_county": "sxgeo.pv.aggregate",
    "by_nearest_point": "sxgeo.pv.aggregate",
    "by_polygon": "sxgeo.pv.aggregate",
    "emission_factor": "sxgeo.pv.capacity",
    "roof_params": "sxgeo.pv.capacity",
}
"""Name -> the module it lives in: loaded on first use, so that reading the capability's spec
(``sxgeo.pv.spec``, for the project file and ``--help``) imports nothing heavy."""

_SUBMODULES = frozenset({"aggregate", "capacity", "energy"})


__getattr__ = attribute_loader(__name__, _LAZY, submodules=_SUBMODULES)
