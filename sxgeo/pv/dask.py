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
  roof and largest radius (or bounds of them, from a plain read of GeoParquet parts:
  :func:`bound_stats`); the halo width is ``reach × H_max + 2 r_max + 1 m`` over the whole
  layer, which bounds every distance at which shading can count. Only these small figures come
  back; nothing stays on the workers. Then one small task per partition with neighbours
  (:func:`halo_strips`) cuts from it the strips its neighbours need: its roofs whose centroids
  lie in a neighbour's box widened by the halo to the west, east and south (the sun's side).
  Each partition's task adds those strips to its own roofs, runs the kernel on the union and
  keeps only its own roofs' results. A roof's horizon is thus computed from the same
  neighbours as in memory, and a partition is released once its strips are cut and its own
  roofs computed.
* The unit layers (counties, zones, parks, village points) are small: they are put in the task
  graph once and shared by every task (a broadcast).
"""

from __future__ import annotations

import inspect
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely

from sxgeo import crs as sxcrs
from sxgeo.engine import compute, quiet_dask, require_dask
from sxgeo.engine.partition import part_files, read_part
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
        ``hmax``, ``rmax`` and ``xy`` (the centroids).
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


def _small_stats(part: gpd.GeoDataFrame) -> dict[str, Any]:
    """One task: :func:`partition_stats` without the centroids (only the small fields leave the worker)."""
    return _without_xy(partition_stats(part))


def bound_stats(path: str, crs: str | None = None) -> dict[str, Any]:
    """One task: bounds of a GeoParquet part's :func:`partition_stats`, from a plain read of the file.

    Reading a part the sxgeo way (:func:`sxgeo.engine.partition.read_part`: validation and repairs)
    costs several times a plain read; the halo plan only needs numbers that are never smaller than
    the exact ones. Every repaired roof (``make_valid``, repeated vertices removed, collections
    reduced) lies within the bounding box of the geometry it was read as, so its centroid lies in
    the box of the raw bounds and its area is at most its box's: the box of all the raw bounds,
    ``sqrt(max box area / π)`` and the tallest raw height bound the exact box, ``rmax`` and
    ``hmax`` (rows that the read excludes only make the exact figures smaller). A wider halo only
    brings roofs too far to count (:func:`horizon_angles` keeps the pairs within reach), so the
    results are the same.

    Parameters
    ----------
    path : str
        One GeoParquet part.
    crs : str, optional
        The ``crs=`` it is read with (:func:`sxgeo.engine.partition.read_partitioned`).

    Returns
    -------
    dict
        ``rows``, ``box``, ``hmax`` and ``rmax`` as :func:`partition_stats`. A part that is not
        in EPSG:4549 as stored (or read with an offset or other CRS) is read and measured exactly.
    """
    quiet_dask()
    schema = pq.read_schema(path)
    geo = json.loads((schema.metadata or {}).get(b"geo", b"{}")).get("primary_column", "geometry")
    wanted = [c for c in ("height_m", "floors") if c in schema.names]
    raw = gpd.read_parquet(path, columns=[*wanted, geo])  # the other attributes are not needed here
    stored = raw.crs if crs is None else (None if sxcrs.offset_crs_name(crs) else sxcrs.parse_crs(crs))
    if stored is None or not sxcrs.parse_crs(sxcrs.METRIC).equals(stored):
        return _small_stats(read_part(path, crs)[0])
    b = shapely.bounds(np.asarray(raw.geometry.values, dtype=object))
    ok = np.isfinite(b).all(axis=1)
    if not ok.any():
        return {"rows": 0, "box": None, "hmax": 0.0, "rmax": 0.0}
    b = b[ok]
    box = (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))
    rmax = float(np.sqrt(((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])).max() / np.pi))
    attrs = raw.loc[ok, [c for c in ("height_m", "floors") if c in raw.columns]]
    for col in attrs.columns:  # the read removes NUL bytes from text before heights are parsed
        if not pd.api.types.is_numeric_dtype(attrs[col]):
            attrs[col] = attrs[col].map(lambda v: v.replace("\x00", "") if isinstance(v, str) else v)
    h = roof_heights(attrs)
    hmax = float(np.nanmax(h)) if h is not None and np.isfinite(h).any() else 0.0
    return {"rows": int(ok.sum()), "box": box, "hmax": max(hmax, 0.0), "rmax": rmax}


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
    picked = []
    for k, n in enumerate(neighbours):
        if len(n) == 0:
            continue
        m = _metric(n)
        xy = centroids[k] if centroids is not None else _centroids(m)
        inside = _in_halo(xy, box, width)
        if inside.any():
            picked.append(m[inside])
    if not picked:
        return None
    return pd.concat(picked, ignore_index=True)


def _centroids(m: gpd.GeoDataFrame) -> np.ndarray:
    return shapely.get_coordinates(shapely.centroid(np.asarray(m.geometry.values, dtype=object)))


def _in_halo(xy: np.ndarray, box: tuple[float, float, float, float], width: float) -> np.ndarray:
    """Which centroids lie in the halo of *box* (:func:`_halo_box`)."""
    minx, miny, maxx, maxy = _halo_box(box, width)
    return (xy[:, 0] >= minx) & (xy[:, 0] <= maxx) & (xy[:, 1] >= miny) & (xy[:, 1] <= maxy)


def halo_strips(
    part: gpd.GeoDataFrame, boxes: list[tuple[float, float, float, float]], width: float
) -> list[gpd.GeoDataFrame | None]:
    """One task: the strips of one partition's roofs that lie in the halos of other partitions.

    The partition is read by the task and measured once; each strip is a copy of the few roofs
    whose centroids lie in one box widened by the halo (:func:`halo_rows`' rule), so only the
    strips leave the worker and the partition itself can be released.

    Parameters
    ----------
    part : geopandas.GeoDataFrame
        The partition whose roofs may shade its neighbours.
    boxes : list of tuple
        Centroid boxes of the neighbouring partitions.
    width : float
        Halo width [m] (:func:`halo_width`).

    Returns
    -------
    list of geopandas.GeoDataFrame or None
        One strip per box, in order (None when no roof of *part* lies in that halo).
    """
    quiet_dask()
    if len(part) == 0:
        return [None] * len(boxes)
    m = _metric(part)
    # a centroid lies within its roof's bounds: only roofs whose bounds reach a halo are measured
    b = shapely.bounds(np.asarray(m.geometry.values, dtype=object))
    near = np.zeros(len(m), dtype=bool)
    for box in boxes:
        minx, miny, maxx, maxy = _halo_box(box, width)
        near |= (b[:, 2] >= minx) & (b[:, 0] <= maxx) & (b[:, 3] >= miny) & (b[:, 1] <= maxy)
    rows = np.flatnonzero(near)
    xy = _centroids(m.iloc[rows])
    out: list[gpd.GeoDataFrame | None] = []
    for box in boxes:
        inside = rows[_in_halo(xy, box, width)]
        out.append(m.iloc[inside].reset_index(drop=True) if len(inside) else None)
    return out


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
        The roofs of other partitions in its shading halo (:func:`halo_strips`, one task per
        neighbouring partition, so only these strips travel between workers).
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
    """Partitions, their (bounding) stats, the halo width and each partition's neighbours.

    Only small figures come back from this pass and nothing stays on the workers. Parts read from
    GeoParquet files are measured from a plain read of the files (:func:`bound_stats`); other
    collections by :func:`partition_stats` on their partitions.
    """
    import dask

    parts = ddf.to_delayed()
    if not shading:
        return parts, [{"box": None} for _ in parts], 0.0, [[] for _ in parts]
    files = part_files(ddf)
    if files is not None:
        tasks = [dask.delayed(bound_stats)(f, files[1]) for f in files[0]]
    else:
        tasks = [dask.delayed(_small_stats)(p) for p in parts]
    stats = list(dask.compute(*tasks))
    width = halo_width(stats)
    neigh: list[list[int]] = []
    for i, s in enumerate(stats):
        if s["box"] is None:
            neigh.append([])
            continue
        grown = _halo_box(s["box"], width)
        neigh.append([j for j, t in enumerate(stats) if j != i and _overlaps(grown, t["box"])])
    return parts, stats, width, neigh


def _halo_graph(
    parts: list[Any], stats: list[dict[str, Any]], width: float, neigh: list[list[int]]
) -> list[list[Any]]:
    """For each partition, the delayed strips its neighbours send it (:func:`halo_strips`).

    One strip task per neighbouring partition reads it and cuts the strips of all the
    partitions it borders; each partition's task then takes its strips, in the order of its
    neighbours, so its halo is the one :func:`halo_rows` would cut from them.
    """
    import dask

    wanted: list[list[int]] = [[] for _ in parts]  # j -> the partitions whose halo reaches into j
    for i, js in enumerate(neigh):
        for j in js:
            wanted[j].append(i)
    strips = {
        j: dask.delayed(halo_strips, nout=len(to))(parts[j], [stats[i]["box"] for i in to], width)
        for j, to in enumerate(wanted)
        if to
    }
    return [[strips[j][wanted[j].index(i)] for j in js] for i, js in enumerate(neigh)]


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
        ``halo_m`` and ``halo_strips`` (how many strips were sent between partitions); ``points``
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
    halos = _halo_graph(parts, stats, width, neigh)
    tasks = [dask.delayed(partition_sums)(p, halos[i], setup, i) for i, p in enumerate(parts)]
    results = compute(*tasks, label="rooftop PV")
    del tasks, halos
    summed: dict[str, pd.DataFrame] = {}
    for a in aggregations:
        frames = [r["sums"][a.name] for r in results if a.name in r["sums"]]
        if frames:
            summed[a.name] = pd.concat(frames).groupby(level=0).sum()
        else:
            summed[a.name] = pd.DataFrame(columns=[*SUM_COLUMNS, "buildings"], dtype=float)
    log.info(
        "%d roofs in %d partitions; shading halo %.0f m, %d strips sent between partitions",
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
        "halo_strips": sum(len(n) for n in neigh),
    }
