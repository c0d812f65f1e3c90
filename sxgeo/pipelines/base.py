"""What every pipeline shares: the run context and the reading of named inputs."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

log = logging.getLogger(__name__)


@dataclass
class Context:
    """What a pipeline needs besides its own inputs.

    Attributes
    ----------
    units : geopandas.GeoDataFrame
        The county layer (:func:`sxgeo.admin.load_counties`).
    zones : geopandas.GeoDataFrame or None
        Reporting zones (:func:`sxgeo.admin.load_zones`): per-zone tables beside the county ones.
    year : int or None
        Reporting year.
    targets : pandas.DataFrame or None
        The targets table (:func:`sxgeo.admin.load_targets`); None: the shipped one.
    maps : bool
        Make maps (only when they will be written: a folder output or ``--map``).
    lang, basemap : str
        Map language and basemap.
    crs : str or None
        CRS of inputs that carry none (the CLI's ``--crs``), unless an input names its own.
    notes : list of str
        Provenance lines added to every output.
    params : dict
        Settings used and where each came from (``{"sponge.alpha_target": {"value", "source"}}``).
    inputs_read : dict
        Path -> ``{"rows", "crs"}`` of every vector input as read (for ``run.json``).
    """

    units: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame | None = None
    year: int | None = None
    targets: pd.DataFrame | None = None
    maps: bool = True
    lang: str = "zh"
    basemap: str | None = None
    crs: str | None = None
    notes: list[str] = field(default_factory=list)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    inputs_read: dict[str, dict[str, Any]] = field(default_factory=dict)


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
    gdf, _ = read_layer(path, **options)
    ctx.inputs_read[str(path)] = {
        "rows": len(gdf),
        "crs": gdf.crs.to_string() if gdf.crs is not None else None,
    }
    return gdf


def as_path(source: Any) -> tuple[Path, dict[str, Any]]:
    """The path of an input and its read options (a copy)."""
    from sxgeo.project import Input

    if isinstance(source, Input):
        return source.path, dict(source.options)
    return Path(source), {}


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
