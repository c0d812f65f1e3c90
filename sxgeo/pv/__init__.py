"""Rooftop PV potential (屋顶光伏): capacity and yearly generation of every roof, and their sums.

* :mod:`sxgeo.pv.energy`: specific yield by tilt/azimuth bin with pvlib, fully offline.
* :mod:`sxgeo.pv.capacity`: capacity, generation and the NEA policy scenario per building.
* :mod:`sxgeo.pv.aggregate`: per county, park, village and grid cell, against +1,000 MW.

Method, defaults and validation cases: ``reference/pv.md`` in the development tree.
"""

from __future__ import annotations

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
