"""The plan registries sxgeo ships (``sxgeo/data/plans/<id>.yaml``): their ids and files.

Kept apart from :mod:`sxgeo.plan` (which reads them with pandas) so that the project file can
resolve ``[project] plan = "shaoxing_15th"`` without loading anything heavy.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SHIPPED_PLANS = ("shaoxing_14th", "shaoxing_15th")
"""Ids of the shipped plans (``sxgeo/data/plans/<id>.yaml``), as ``[project] plan`` takes them."""


def shipped_plan_path(plan_id: str) -> Path | None:
    """The file of a shipped plan id (``shaoxing_15th``), or None when *plan_id* is not one.

    Parameters
    ----------
    plan_id : str
        A plan id of :data:`SHIPPED_PLANS` (``.yaml`` may be added).

    Returns
    -------
    pathlib.Path or None
    """
    stem = plan_id.removesuffix(".yaml")
    if stem not in SHIPPED_PLANS:
        return None
    return Path(str(resources.files("sxgeo.data").joinpath("plans", f"{stem}.yaml")))
