"""Rooftop PV on Dask: :func:`sxgeo.pv.building_potential` mapped over spatial partitions, sums reduced.

These are the kernels the one PV pipeline (:func:`sxgeo.pv.pipeline.run`) calls with
``engine="dask"``: it prepares yields, emission factor and notes, then calls :func:`compute_sums`
and lays the sums out with :func:`sxgeo.pv.aggregate.table_from_sums`, as in memory.

How each roof is counted once, exactly as in memory
---------------------------------------------------
* Every roof belongs to exactly one partition (the file it is stored in). A task computes the
  potential of its partition's own roofs, assigns each to a unit by its point on the surface
  (:func:`sxgeo.pv.aggregate.assign_points`, the in-memory rule: a roof across a county line
  counts whole, in one county), and returns additive sums per unit code. The sums of all tasks
  are added and laid out by :func:`sxgeo.pv.aggregate.table_from_sums`, as in memory.
* Shading looks beyond one roof: :func:`sxgeo.pv.capacity.horizon_angles` lets a roof be shaded
  by a taller neighbour to its south whose centroid lies within ``reach × Δh + r_i + r_j`` (the
  equivalent radii). Before the map, one pass collects each partition's centroid box, tallest
  roof and largest radius; the halo width is ``reach × H_max + 2 r_max + 1 m`` over the whole
  layer, which bounds every distance at which shading can count. Each task then adds to its own
  roofs the roofs of other partitions whose centroids lie in its box widened by the halo to the
  west, east and south (the sun's side), runs the kernel on the union and keeps only its own
  roofs' results. A roof's horizon is thus computed from the same neighbours as in memory.
* The unit layers (counties, zones, parks, village points) are small: they are put in the task
  graph once and shared by every task (a broadcast).
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.engine import compute, quiet_dask, require_dask
from sxgeo.io import sample_raster
from sxgeo.pv.aggregate import SUM_COLUMNS, assign_points, nearest_codes, sum_by
from sxgeo.pv.capacity import building_potential, horizon_angles, roof_heights

log = logging.getLogger(__name__)

REACH = float(inspect.signature(horizon_angles).parameters["reach"].default)
"""The shading reach used by :func:`building_potential` (``horizon_angles``' default)."""


@dataclass(frozen=True)
class Aggregation:
    """One per-unit table to sum: units by polygon (counties, zones, parks) or by nearest point.

    Attributes
    ----------
    name : str
        Table name (``pv_counties``).
    layer : geopandas.GeoDataFrame
        The polygons or points, in EPSG:4549.
    code_col : str
        Their code column.
    kind : str
        ``units`` (a :func:`sxgeo.unit_table.unit_rows` table), ``polygon`` (parks) or ``nearest``
        (villages): the *kind* of :func:`sxgeo.pv.aggregate.table_from_sums`.
    max_distance_m : float
        For ``nearest``: roofs farther than this from every point are left out.
    """

    name: str
    layer: gpd.GeoDataFrame
    code_col: str = "adcode"
    kind: str = "units"
    max_distance_m: float = 3000.0


def _metric(part: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return sxcrs.to_metric(part, what="buildings")


def partition_stats(part: gpd.GeoDataFrame) -> dict[str, Any]:
    """Centroid box, tallest roof [m] and largest equivalent radius [m] of one partition.

    Parameters
    ----------
    part : geopandas.GeoDataFrame
        One partition of footprints.

    Returns
    -------
    dict
        ``rows``, ``box`` (minx, miny, maxx, maxy of the centroids, or None when empty),
        ``hmax``, ``rmax`` and ``xy`` (the centroids, kept on the worker for the halo).
    """
    if len(part) == 0:
        return {"rows": 0, "box": None, "hmax": 0.0, "rmax": 0.0, "xy": np.empty((0, 2))}
    m = _metric(part)
    geoms = np.asarray(m.geometry.values, dtype=object)
    xy = shapely.get_coordinates(shapely.centroid(geoms))
    h = roof_heights(m)
    hmax = float(np.nanmax(h)) if h is not None and np.isfinite(h).any() else 0.0
    rmax = float(np.sqrt(shapely.area(geoms).max() / np.pi))
    box = (float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()), float(xy[:, 1].max()))
    return {"rows": len(part), "box": box, "hmax": max(hmax, 0.0), "rmax": rmax, "xy": xy}


def _without_xy(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stats.items() if k != "xy"}


def _xy(stats: dict[str, Any]) -> np.ndarray:
    return stats["xy"]


def halo_width(stats: list[dict[str, Any]]) -> float:
    """Widest distance at which a roof can shade another [m] (see the module docstring)."""
    hmax = max((s["hmax"] for s in stats), default=0.0)
    rmax = max((s["rmax"] for s in stats), default=0.0)
    return REACH * hmax + 2 * rmax + 1.0


def _halo_box(box: tuple[float, float, float, float], width: float) -> tuple[float, float, float, float]:
    """The box whose roofs can shade a roof of *box*: widened west, east and south (not north)."""
    minx, miny, maxx, maxy = box
    return (minx - width, miny - width, maxx + width, maxy)


def _overlaps(a: tuple[float, ...] | None, b: tuple[float, ...] | None) -> bool:
    if a is None or b is None:
        return False
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def halo_rows(
    neighbours: list[gpd.GeoDataFrame],
    box: tuple[float, float, float, float],
    width: float,
    centroids: list[np.ndarray] | None = None,
) -> gpd.GeoDataFrame | None:
    """Roofs of other partitions whose centroids lie in the halo of *box* (None when none).

    Parameters
    ----------
    neighbours : list of geopandas.GeoDataFrame
        Partitions whose boxes touch the halo.
    box : tuple
        Centroid box of the partition.
    width : float
        Halo width [m] (:func:`halo_width`).
    centroids : list of numpy.ndarray, optional
        The neighbours' centroid coordinates when already known (:func:`partition_stats`).

    Returns
    -------
    geopandas.GeoDataFrame or None
    """
    minx, miny, maxx, maxy = _halo_box(box, width)
    picked = []
    for k, n in enumerate(neighbours):
        if len(n) == 0:
            continue
        m = _metric(n)
        xy = (
            centroids[k]
            if centroids is not None
            else shapely.get_coordinates(shapely.centroid(np.asarray(m.geometry.values, dtype=object)))
        )
        inside = (xy[:, 0] >= minx) & (xy[:, 0] <= maxx) & (xy[:, 1] >= miny) & (xy[:, 1] <= maxy)
        if inside.any():
            picked.append(m[inside])
    if not picked:
        return None
    return pd.concat(picked, ignore_index=True)


def potential_with_halo(
    own: gpd.GeoDataFrame,
    halo: gpd.GeoDataFrame | None,
    kernel: dict[str, Any],
) -> gpd.GeoDataFrame:
    """:func:`building_potential` of *own*'s roofs, shaded also by the *halo* roofs.

    Parameters
    ----------
    own : geopandas.GeoDataFrame
        The partition's roofs.
    halo : geopandas.GeoDataFrame or None
        Roofs of other partitions that may shade them (:func:`halo_rows`).
    kernel : dict
        Keyword arguments of :func:`building_potential` (``yields``, ``horizon_loss`` ...);
        ``ghi_raster`` (a path) is sampled at each roof here.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per roof of *own*, in its order (EPSG:4549).
    """
    args = dict(kernel)
    ghi_raster = args.pop("ghi_raster", None)
    ghi_kwh_m2 = args.pop("ghi_kwh_m2", None)
    m = _metric(own)
    n = len(m)
    both = m if halo is None or len(halo) == 0 else pd.concat([m, halo], ignore_index=True)
    if ghi_raster is not None:
        args["ghi_scale"] = sample_raster(ghi_raster, both) / ghi_kwh_m2
    out = building_potential(both, **args)
    return out.iloc[:n]


def _codes(result: gpd.GeoDataFrame, agg: Aggregation) -> np.ndarray:
    pts = shapely.point_on_surface(np.asarray(result.geometry.values, dtype=object))
    if agg.kind == "nearest":
        return nearest_codes(pts, agg.layer, agg.code_col, agg.max_distance_m)
    return assign_points(pts, agg.layer, agg.code_col)


def _sums_by_code(result: gpd.GeoDataFrame, codes: np.ndarray) -> pd.DataFrame:
    """:func:`sxgeo.pv.aggregate.sum_by` grouped on integer codes, the unit codes put back as the index.

    Grouping on the string codes would have pandas 3 factorize them with pyarrow inside a worker
    thread; a threaded worker reading GeoParquet with pyarrow at the same moment once aborted the
    process. Integer keys keep the groupby in numpy.
    """
    names, inverse = np.unique(np.asarray(codes, dtype=str), return_inverse=True)
    sums = sum_by(result, inverse.ravel().astype(np.int64))
    sums.index = pd.Index(names[sums.index.to_numpy()].astype(object), dtype=object)
    return sums


def partition_sums(
    own: gpd.GeoDataFrame,
    halos: list[gpd.GeoDataFrame | None],
    setup: dict[str, Any],
    index: int = 0,
) -> dict[str, Any]:
    """One task: the potential of a partition's roofs and their additive sums per unit code.

    Parameters
    ----------
    own : geopandas.GeoDataFrame
        The partition.
    halos : list of geopandas.GeoDataFrame or None
        The roofs of other partitions in its shading halo (:func:`halo_rows`, one task per
        neighbour, so only these strips travel between workers).
    setup : dict
        ``kernel`` (keywords of :func:`building_potential`) and ``aggregations``; optionally
        ``roofs_dir`` (a folder every worker can write: the partition's per-roof results go to
        ``part.<index>.parquet`` there) and ``roof_columns`` (constant columns added to them);
        ``roof_points`` (true: also return every roof's result as a point, :func:`roof_points`).
    index : int
        The partition's number (names its per-roof file).

    Returns
    -------
    dict
        ``sums`` (table name -> sums by code), ``rows``, ``unsuitable``; ``points`` with
        ``roof_points``.
    """
    quiet_dask()
    aggs: list[Aggregation] = setup["aggregations"]
    if len(own) == 0:
        return {"sums": {}, "rows": 0, "unsuitable": 0}
    strips = [h for h in halos if h is not None and len(h)]
    halo = pd.concat(strips, ignore_index=True) if strips else None
    result = potential_with_halo(own, halo, setup["kernel"])
    if setup.get("roofs_dir"):
        roofs = result.assign(**setup.get("roof_columns", {}))
        roofs.to_parquet(Path(setup["roofs_dir"]) / f"part.{index:05d}.parquet", index=False)
    sums = {a.name: _sums_by_code(result, _codes(result, a)) for a in aggs}
    out = {"sums": sums, "rows": len(result), "unsuitable": int((~result["suitable"]).sum())}
    if setup.get("roof_points"):
        out["points"] = roof_points(result)
    return out


def roof_points(result: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every roof's result with a point on its surface instead of its polygon (what the client gathers).

    The NEA 2025 project types group roofs by parcel or owner, and a project's roofs may lie in
    several partitions: the client groups them from these rows (attributes and a point a roof, a
    fraction of the polygons). The point is the one every table assigns the roof by
    (``shapely.point_on_surface``), so the parcel and county of a roof are those of the in-memory engine.
    """
    pts = shapely.point_on_surface(np.asarray(result.geometry.values, dtype=object))
    return gpd.GeoDataFrame(
        pd.DataFrame(result.drop(columns=result.geometry.name)), geometry=pts, crs=result.crs
    )


def _plan(ddf: Any, shading: bool) -> tuple[list[Any], list[dict[str, Any]], float, list[list[int]]]:
    """Partitions, their stats, the halo width and each partition's neighbours."""
    import dask

    parts = ddf.to_delayed()
    # the full stats (with centroids) stay on the workers; only the small fields come back
    full = dask.persist(*[dask.delayed(partition_stats)(p) for p in parts])
    small = dask.compute(*[dask.delayed(_without_xy)(f) for f in full])
    stats = [{**s, "full": f} for s, f in zip(small, full, strict=True)]
    width = halo_width(stats) if shading else 0.0
    neigh: list[list[int]] = []
    for i, s in enumerate(stats):
        if not shading or s["box"] is None:
            neigh.append([])
            continue
        grown = _halo_box(s["box"], width)
        neigh.append([j for j, t in enumerate(stats) if j != i and _overlaps(grown, t["box"])])
    return parts, stats, width, neigh


def compute_sums(
    ddf: Any,
    kernel: dict[str, Any],
    aggregations: list[Aggregation],
    *,
    halo: bool = True,
    roofs_dir: str | Path | None = None,
    roof_columns: dict[str, Any] | None = None,
    points: bool = False,
) -> dict[str, Any]:
    """Map :func:`partition_sums` over the partitions of *ddf* and add the sums.

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        Footprints (:func:`sxgeo.engine.partition.dask_frame`).
    kernel : dict
        Keywords of :func:`building_potential`.
    aggregations : list of Aggregation
        The tables to sum.
    halo : bool
        Add the shading halo (default; False only to show what it changes).
    roofs_dir : str or pathlib.Path, optional
        Also write every roof's result there, one GeoParquet file per partition (the folder
        must exist and be writable by every worker).
    roof_columns : dict, optional
        Constant columns added to the per-roof files (``co2_factor``).
    points : bool
        Also gather every roof's result as a point (:func:`roof_points`), in partition order.

    Returns
    -------
    dict
        ``sums`` (table name -> summed frame by code), ``rows``, ``unsuitable``, ``partitions``,
        ``halo_m`` and ``halo_rows_read`` (how many partitions were read as neighbours); ``points``
        (a GeoDataFrame, or None without *points*).
    """
    require_dask()
    import dask

    quiet_dask()
    shading = halo and kernel.get("horizon_loss") is not None
    parts, stats, width, neigh = _plan(ddf, shading)
    setup = dask.delayed(
        {
            "kernel": kernel,
            "aggregations": aggregations,
            "roofs_dir": None if roofs_dir is None else str(roofs_dir),
            "roof_columns": roof_columns or {},
            "roof_points": points,
        },
        pure=True,
    )
    tasks = []
    for i, p in enumerate(parts):
        box = stats[i]["box"]
        halos = [
            dask.delayed(halo_rows)([parts[j]], box, width, [dask.delayed(_xy)(stats[j]["full"])])
            for j in neigh[i]
        ]
        tasks.append(dask.delayed(partition_sums)(p, halos, setup, i))
    results = compute(*tasks, label="rooftop PV")
    summed: dict[str, pd.DataFrame] = {}
    for a in aggregations:
        frames = [r["sums"][a.name] for r in results if a.name in r["sums"]]
        if frames:
            summed[a.name] = pd.concat(frames).groupby(level=0).sum()
        else:
            summed[a.name] = pd.DataFrame(columns=[*SUM_COLUMNS, "buildings"], dtype=float)
    log.info(
        "%d roofs in %d partitions; shading halo %.0f m, %d neighbour partitions read",
        sum(r["rows"] for r in results),
        len(parts),
        width,
        sum(len(n) for n in neigh),
    )
    gathered = [r["points"] for r in results if "points" in r]
    return {
        "sums": summed,
        "points": pd.concat(gathered, ignore_index=True) if points and gathered else None,
        "rows": sum(r["rows"] for r in results),
        "unsuitable": sum(r["unsuitable"] for r in results),
        "partitions": len(parts),
        "halo_m": width,
    }
