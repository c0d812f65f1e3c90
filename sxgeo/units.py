"""Unit conversions used across sxgeo (plain constants and functions, no state)."""

from __future__ import annotations

M2_PER_KM2 = 1_000_000.0
"""Square metres in a square kilometre."""
M2_PER_HA = 10_000.0
"""Square metres in a hectare."""
M2_PER_MU = 10_000.0 / 15.0
"""Square metres in a mu (亩), 1/15 ha = 666.67 m2 (the statutory municipal mu)."""
CO2_PER_C = 44.0 / 12.0
"""Tonnes of CO2 per tonne of carbon (molar masses 44.01 / 12.01, taken as 44/12 by IPCC)."""
WAN = 10_000.0
"""万 (ten thousand), the unit of most figures in Chinese plans."""


def m2_to_km2(area_m2: float) -> float:
    """Convert square metres to square kilometres.

    Parameters
    ----------
    area_m2 : float
        Area [m2].

    Returns
    -------
    float
        Area [km2].
    """
    return area_m2 / M2_PER_KM2


def m2_to_ha(area_m2: float) -> float:
    """Convert square metres to hectares.

    Parameters
    ----------
    area_m2 : float
        Area [m2].

    Returns
    -------
    float
        Area [ha].
    """
    return area_m2 / M2_PER_HA


def m2_to_mu(area_m2: float) -> float:
    """Convert square metres to mu (亩).

    Parameters
    ----------
    area_m2 : float
        Area [m2].

    Returns
    -------
    float
        Area [mu].
    """
    return area_m2 / M2_PER_MU


def c_to_co2(tonnes_c: float) -> float:
    """Convert tonnes of carbon to tonnes of CO2 (x 44/12).

    Parameters
    ----------
    tonnes_c : float
        Mass of carbon [t C].

    Returns
    -------
    float
        Mass of CO2 [t CO2].
    """
    return tonnes_c * CO2_PER_C
