"""What every pipeline shares: reading named inputs (the run context lives in :mod:`sxgeo._pipeline`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sxgeo._pipeline import YEAR_RANGE, Context, check_option, check_share, check_year
from sxgeo.engine.partition import dask_frame, is_partitioned, merge_reports, repair_notes

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)

__all__ = ["YEAR_RANGE", "Context", "check_option", "check_share", "check_year"]


def read(source: Any, ctx: Context, *, geometry_type: str | None = None) -> gpd.GeoDataFrame:
    """Read a named input: a project :class:`~sxgeo.project.Input`, a path, or a frame (returned as is).

    Parameters
    ----------
    source : Input, str, pathlib.Path or geopandas.GeoDataFrame
        The input.
    ctx : Context
        For the default CRS.
    geometry_type : str, optional
        Passed to :func:`sxgeo.io.read_layer`.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return source
    from sxgeo.io import read_layer

    path, options = as_path(source)
    options.setdefault("crs", ctx.crs)
    options.pop("code_col", None)
    options.pop("name_col", None)
    if geometry_type is not None:
        options["geometry_type"] = geometry_type
    gdf, report = read_layer(path, **options)
    # what changed the count of features goes into the outputs' notes, not only the log
    for warning in report.warnings:
        if "duplicate" in warning or "area changed" in warning or "mixes encodings" in warning:
            note = f"{path.name}: {warning}"
            if note not in ctx.notes:
                ctx.notes.append(note)
    ctx.inputs_read[str(path)] = {
        "rows": len(gdf),
        "crs": gdf.crs.to_string() if gdf.crs is not None else None,
    }
    return gdf


def read_dask(
    source: Any,
    ctx: Context,
    *,
    npartitions: int | None = None,
    what: str = "layer",
    geometry_type: str = "polygon",
) -> Any:
    """A named input as a ``dask_geopandas.GeoDataFrame`` (:func:`sxgeo.engine.partition.dask_frame`).

    Partitioned GeoParquet (a folder, glob or ``.parquet`` file) is handed to the engine as a
    path and recorded in ``ctx.inputs_read``; any other input is read here like every input
    (:func:`read`: the default CRS, the notes on what changed the count of features) and the
    frame is spread over partitions.

    Parameters
    ----------
    source : Input, str, pathlib.Path or geopandas.GeoDataFrame
        The input.
    ctx : Context
        For the default CRS and the record of inputs read.
    npartitions : int, optional
        Partitions of an input read in memory (``dask_frame``'s default when None).
    what : str
        How to name the layer in messages.
    geometry_type : str
        Geometry type :func:`read` checks.

    Returns
    -------
    dask_geopandas.GeoDataFrame
    """
    if not hasattr(source, "columns"):
        path, options = as_path(source)
        if is_partitioned(path):
            # every part read through read_layer (the in-memory repairs), and its report kept
            reports: list[Any] = []
            crs = options.get("crs", ctx.crs)
            ddf = dask_frame(
                path, npartitions=npartitions, what=what, read_options={"crs": crs}, reports=reports
            )
            report = merge_reports(str(path), reports)
            for note in repair_notes(path, report):
                if note not in ctx.notes:
                    ctx.notes.append(note)
            ctx.inputs_read[str(path)] = {
                "rows": report.features,
                "crs": ddf.crs.to_string(),
                "partitions": ddf.npartitions,
                "repaired": len(report.repaired),
                "excluded": len(report.excluded),
            }
            return ddf
    return dask_frame(read(source, ctx, geometry_type=geometry_type), npartitions=npartitions, what=what)


def as_path(source: Any) -> tuple[Path, dict[str, Any]]:
    """The path of an input and its read options (a copy)."""
    from sxgeo.project import Input

    if isinstance(source, Input):
        return source.path, dict(source.options)
    return Path(source), {}


def input_key(source: Any) -> tuple[Any, ...] | None:
    """What identifies an input's content within a run: its path, size, mtime and read options.

    Parameters
    ----------
    source : path, Input, frame or None
        An input as a pipeline takes it.

    Returns
    -------
    tuple or None
        ``("none",)`` for an absent input; None for a frame given in code or a file that cannot be
        read (nothing keyed on it is reused).
    """
    import pandas as pd

    if source is None:
        return ("none",)
    if isinstance(source, pd.DataFrame):
        return None
    path, options = as_path(source)
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, repr(sorted(options.items())))


def name_of(source: Any) -> str:
    """File name of an input, for notes (``'frame'`` for a frame given in code)."""
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return "frame"
    return as_path(source)[0].name


def is_synthetic(*layers: Any) -> bool:
    """Whether any input layer carries a true ``synthetic`` column (demo data)."""
    return any(
        hasattr(x, "columns") and "synthetic" in x.columns and x["synthetic"].fillna(False).astype(bool).any()
        for x in layers
        if x is not None
    )


def unit_sets(ctx: Context) -> list[tuple[str, gpd.GeoDataFrame]]:
    """The unit layers a per-unit table is made for: ``("", counties)`` and ``("_zones", zones)``."""
    sets = [("", ctx.units)]
    if ctx.zones is not None:
        sets.append(("_zones", ctx.zones))
    return sets
