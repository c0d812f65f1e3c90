"""Moved: the rooftop-PV Dask kernels are :mod:`sxgeo.pv.dask`, the table layout :mod:`sxgeo.pv.aggregate`.

This module keeps the old names for one release. Reading one of them warns
(:class:`DeprecationWarning`) and gives the object from its new home:

* ``Aggregation``, ``REACH``, ``partition_stats``, ``halo_width``, ``halo_rows``,
  ``potential_with_halo``, ``partition_sums``, ``compute_sums``: :mod:`sxgeo.pv.dask`;
* ``units_table(sums, units, target_mw)`` and ``polygon_table(sums, layer, code_col, target_mw,
  nearest=...)``: :func:`sxgeo.pv.aggregate.table_from_sums` with ``kind="units"``,
  ``"polygon"`` or ``"nearest"``;
* ``buildings_frame``: :func:`sxgeo.engine.partition.dask_frame` (a path or frame), or
  :func:`sxgeo.pipelines.base.read_dask` (a named input and its context).

``run_dask``, the second PV pipeline, is gone: :func:`run_dask` raises and says what to call.
"""

from __future__ import annotations

import warnings
from typing import Any

import geopandas as gpd
import pandas as pd

from sxgeo.engine.partition import dask_frame
from sxgeo.errors import SxgeoError
from sxgeo.pv import dask as pvdask
from sxgeo.pv.aggregate import table_from_sums

MOVED = dict.fromkeys(
    (
        "Aggregation",
        "REACH",
        "compute_sums",
        "halo_rows",
        "halo_width",
        "partition_stats",
        "partition_sums",
        "potential_with_halo",
    ),
    "sxgeo.pv.dask",
)
"""Old name -> the module it now lives in."""

RUN_DASK_GONE = (
    "sxgeo.engine.pv.run_dask was removed: the one PV pipeline runs on Dask with "
    "sxgeo.pipelines.pv.run(ctx, inputs, options=PVOptions(engine='dask')); "
    "its kernels are sxgeo.pv.dask.compute_sums and sxgeo.pv.aggregate.table_from_sums"
)
"""The pointer :func:`run_dask` raises with."""


def _moved(old: str, new: str) -> None:
    warnings.warn(
        f"sxgeo.engine.pv.{old} is deprecated: use {new} (the old name goes in the next release)",
        DeprecationWarning,
        stacklevel=3,
    )


def __getattr__(name: str) -> Any:
    """The kernels of :mod:`sxgeo.pv.dask` under their old names, with a :class:`DeprecationWarning`."""
    if name in MOVED:
        _moved(name, f"{MOVED[name]}.{name}")
        return getattr(pvdask, name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def units_table(sums: pd.DataFrame, units: gpd.GeoDataFrame, target_mw: float) -> pd.DataFrame:
    """Deprecated: :func:`sxgeo.pv.aggregate.table_from_sums` (``kind="units"``)."""
    _moved("units_table", "sxgeo.pv.aggregate.table_from_sums(sums, units, target_mw)")
    return table_from_sums(sums, units, target_mw)


def polygon_table(
    sums: pd.DataFrame, layer: gpd.GeoDataFrame, code_col: str, target_mw: float, *, nearest: bool = False
) -> pd.DataFrame:
    """Deprecated: :func:`sxgeo.pv.aggregate.table_from_sums` (``kind="polygon"`` or ``"nearest"``)."""
    kind = "nearest" if nearest else "polygon"
    _moved("polygon_table", f"sxgeo.pv.aggregate.table_from_sums(..., kind={kind!r}, code_col=...)")
    return table_from_sums(sums, layer, target_mw, kind=kind, code_col=code_col)


def buildings_frame(source: Any, ctx: Any = None, npartitions: int | None = None) -> Any:
    """Deprecated: :func:`sxgeo.engine.partition.dask_frame` of a path or frame.

    A named input with its read options is for the pipeline to resolve
    (:func:`sxgeo.pipelines.base.read_dask`); here a project input's ``path`` and ``options``
    and the context's default ``crs`` are passed on as read options.
    """
    _moved("buildings_frame", "sxgeo.engine.partition.dask_frame or sxgeo.pipelines.base.read_dask")
    options: dict[str, Any] = {"geometry_type": "polygon"}
    if getattr(ctx, "crs", None) is not None:
        options["crs"] = ctx.crs
    if hasattr(source, "path") and hasattr(source, "options"):
        options.update({k: v for k, v in source.options.items() if k not in ("code_col", "name_col")})
        source = source.path
    return dask_frame(source, npartitions=npartitions, what="buildings", read_options=options)


def run_dask(*_args: Any, **_kwargs: Any) -> Any:
    """Removed (the second PV pipeline): raises :class:`~sxgeo.errors.SxgeoError` naming what to call.

    Raises
    ------
    SxgeoError
        Always.
    """
    raise SxgeoError(RUN_DASK_GONE)
