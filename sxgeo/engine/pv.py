"""Rooftop PV on Dask: :func:`sxgeo.pv.building_potential` mapped over spatial partitions, sums reduced.

How each roof is counted once, exactly as in memory
---------------------------------------------------
* Every roof belongs to exactly one partition (the file it is stored in). A task computes the
  potential of its partition's own roofs, assigns each to a unit by its point on the surface
  (:func:`sxgeo.pv.aggregate.assign_points`, the in-memory rule: a roof across a county line
  counts whole, in one county), and returns additive sums per unit code. The sums of all tasks
  are added and laid out by :func:`sxgeo.unit_table.unit_rows`, as :func:`sxgeo.pv.by_county` does.
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
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.engine import compute, quiet_dask, require_dask
from sxgeo.pv.aggregate import SUM_COLUMNS, _finish, _sum_by, assign_points
from sxgeo.pv.capacity import _heights, building_potential, horizon_angles
from sxgeo.unit_table import id_columns, unit_rows
from sxgeo.zonal import UNASSIGNED

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
        ``units`` (a :func:`unit_rows` table), ``polygon`` (parks) or ``nearest`` (villages).
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
    h = _heights(m)
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
        from sxgeo.io import sample_raster

        args["ghi_scale"] = sample_raster(ghi_raster, both) / ghi_kwh_m2
    out = building_potential(both, **args)
    return out.iloc[:n]


def _codes(result: gpd.GeoDataFrame, agg: Aggregation) -> np.ndarray:
    pts = shapely.point_on_surface(np.asarray(result.geometry.values, dtype=object))
    if agg.kind == "nearest":
        tree = shapely.STRtree(np.asarray(agg.layer.geometry.values, dtype=object))
        bi, vi = tree.query_nearest(pts, max_distance=agg.max_distance_m, all_matches=False)
        code = np.full(len(pts), "", dtype=object)
        code[bi] = agg.layer[agg.code_col].astype(str).to_numpy()[vi]
        return code
    return assign_points(pts, agg.layer, agg.code_col)


def _sums_by_code(result: gpd.GeoDataFrame, codes: np.ndarray) -> pd.DataFrame:
    """:func:`_sum_by` grouped on integer codes, the unit codes put back as the index afterwards.

    Grouping on the string codes would have pandas 3 factorize them with pyarrow inside a worker
    thread; a threaded worker reading GeoParquet with pyarrow at the same moment once aborted the
    process. Integer keys keep the groupby in numpy.
    """
    names, inverse = np.unique(np.asarray(codes, dtype=str), return_inverse=True)
    sums = _sum_by(result, inverse.ravel().astype(np.int64))
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
        ``part.<index>.parquet`` there) and ``roof_columns`` (constant columns added to them).
    index : int
        The partition's number (names its per-roof file).

    Returns
    -------
    dict
        ``sums`` (table name -> sums by code), ``rows``, ``unsuitable``.
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
    return {"sums": sums, "rows": len(result), "unsuitable": int((~result["suitable"]).sum())}


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
) -> dict[str, Any]:
    """Map :func:`partition_sums` over the partitions of *ddf* and add the sums.

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        Footprints (:func:`sxgeo.engine.partition.read_partitioned`).
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

    Returns
    -------
    dict
        ``sums`` (table name -> summed frame by code), ``rows``, ``unsuitable``, ``partitions``,
        ``halo_m`` and ``halo_rows_read`` (how many partitions were read as neighbours).
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
    return {
        "sums": summed,
        "rows": sum(r["rows"] for r in results),
        "unsuitable": sum(r["unsuitable"] for r in results),
        "partitions": len(parts),
        "halo_m": width,
    }


def units_table(sums: pd.DataFrame, units: gpd.GeoDataFrame, target_mw: float) -> pd.DataFrame:
    """The per-unit table of :func:`sxgeo.pv.by_county` from summed sums (same rows and columns).

    Parameters
    ----------
    sums : pandas.DataFrame
        Sums by unit code ('' for roofs outside every unit).
    units : geopandas.GeoDataFrame
        Counties or zones.
    target_mw : float
        The plan's new-PV target [MW].

    Returns
    -------
    pandas.DataFrame
    """
    from sxgeo.pv.aggregate import TABLE_MEASURES

    t = _finish(unit_rows(sums.rename(index={"": UNASSIGNED}), units), target_mw)
    t["buildings"] = t["buildings"].astype(int)
    return t[[*id_columns(t), "buildings", *TABLE_MEASURES]]


def polygon_table(
    sums: pd.DataFrame, layer: gpd.GeoDataFrame, code_col: str, target_mw: float, *, nearest: bool = False
) -> pd.DataFrame:
    """The table of :func:`sxgeo.pv.by_polygon` (or ``by_nearest_point``) from summed sums.

    Parameters
    ----------
    sums : pandas.DataFrame
        Sums by code.
    layer : geopandas.GeoDataFrame
        Parks (polygons) or villages (points).
    code_col : str
        Their code column.
    target_mw : float
        The plan's new-PV target [MW].
    nearest : bool
        Villages: only points with roofs, as ``by_nearest_point``.

    Returns
    -------
    pandas.DataFrame
    """
    if nearest:
        s = sums[sums.index != ""]
        drop: tuple[str, ...] = (code_col, layer.geometry.name, "geometry_source", "synthetic")
    else:
        s = sums.reindex(layer[code_col].astype(str)).fillna(0)
        drop = (code_col, layer.geometry.name)
    t = _finish(s.copy(), target_mw)
    t.index.name = code_col
    t = t.reset_index()
    t["buildings"] = t["buildings"].astype(int)
    extra = [c for c in layer.columns if c not in drop]
    t = layer[[code_col, *extra]].assign(**{code_col: layer[code_col].astype(str)}).merge(t, on=code_col)
    return t.drop(columns=["capacity_kwp", "policy_kwp", "generation_mwh"])


def buildings_frame(source: Any, ctx: Any, npartitions: int | None = None) -> Any:
    """Footprints as a ``dask_geopandas.GeoDataFrame``: :func:`sxgeo.engine.partition.dask_frame`.

    Parameters
    ----------
    source : path, Input or geopandas.GeoDataFrame
        The buildings input.
    ctx : sxgeo.pipelines.base.Context
        For the default CRS and the record of inputs read.
    npartitions : int, optional
        Partitions of a layer read in memory (``dask_frame``'s default when None).

    Returns
    -------
    dask_geopandas.GeoDataFrame
    """
    from sxgeo.engine.partition import dask_frame

    return dask_frame(source, ctx, npartitions=npartitions, what="buildings")


def _roofs_folder(options: Any, synthetic: bool) -> tuple[Path, Path] | None:
    """Final and staging folder of the per-roof GeoParquet parts, when the output is a folder."""
    out = getattr(options, "roofs_dir", None)
    if out is None:
        return None
    from sxgeo.io.writers import make_folder
    from sxgeo.outputs import SYNTHETIC_PREFIX

    folder = make_folder(out)
    final = folder / ((SYNTHETIC_PREFIX if synthetic else "") + "pv_buildings.parquet")
    partial = folder / f".{final.name}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir()
    return final, partial


def run_dask(ctx: Any, inputs: dict[str, Any], *, name: str, options: Any) -> list[Any]:
    """The rooftop-PV pipeline (:func:`sxgeo.pipelines.pv.run`) on the Dask engine: the same tables.

    Parameters
    ----------
    ctx : sxgeo.pipelines.base.Context
        Units, zones, targets.
    inputs : dict
        As for :func:`sxgeo.pipelines.pv.run`; ``buildings`` may be partitioned GeoParquet.
    name : str
        Output stem.
    options : sxgeo.pipelines.pv.PVOptions
        With ``scheduler`` and ``workers``.

    Returns
    -------
    list of Outputs
        One, with the per-unit, park and village tables. When ``options.roofs_dir`` is a
        folder, every roof's result is written there as ``pv_buildings.parquet``, a folder of
        GeoParquet parts (one per partition, written by the workers); no map (the notes say so).
    """
    require_dask()
    from sxgeo import pv as pvmod
    from sxgeo.admin import CITY_CODE, unit_target
    from sxgeo.engine import client_session
    from sxgeo.io import read_table
    from sxgeo.outputs import Outputs
    from sxgeo.pipelines.base import as_path, is_synthetic, read
    from sxgeo.pipelines.pv import _yields
    from sxgeo.pv import energy

    notes: list[str] = []
    yields, horizon = _yields(inputs, options, notes)
    ef, ef_note = pvmod.emission_factor(options.ef_year, options.ef_region, options.ef_basis)
    params = read_table(as_path(inputs["params"])[0]) if inputs.get("params") is not None else None
    kernel: dict[str, Any] = {
        "yields": yields,
        "params": params,
        "horizon_loss": horizon,
        "emission_factor_kg_kwh": ef,
    }
    if inputs.get("ghi_raster") is not None:
        kernel["ghi_raster"] = str(as_path(inputs["ghi_raster"])[0])
        kernel["ghi_kwh_m2"] = float(yields.attrs["ghi_kwh_m2"])
        notes.append(f"yield scaled by the GHI raster {as_path(inputs['ghi_raster'])[0].name} at each roof")
    aggs = [Aggregation("pv_counties", sxcrs.to_metric(ctx.units, what="counties"))]
    park_gdf = vg = None
    if inputs.get("parks") is not None:
        park_gdf = read(inputs["parks"], ctx)
        if "park_id" not in park_gdf.columns:
            park_gdf["park_id"] = [f"P{i:03d}" for i in range(1, len(park_gdf) + 1)]
        aggs.append(Aggregation("pv_parks", sxcrs.to_metric(park_gdf, what="parks"), "park_id", "polygon"))
    village_code = ""
    if inputs.get("villages") is not None:
        vg = read(inputs["villages"], ctx, geometry_type="point")
        village_code = "code" if "code" in vg.columns else str(vg.columns[0])
        aggs.append(Aggregation("pv_villages", sxcrs.to_metric(vg, what="villages"), village_code, "nearest"))
    if ctx.zones is not None:
        aggs.append(Aggregation("pv_zones", sxcrs.to_metric(ctx.zones, what="zones")))
    with client_session(options.scheduler, options.workers) as client:
        ddf = buildings_frame(inputs["buildings"], ctx, npartitions=2 * max(1, len(client.nthreads())))
        synthetic = bool(
            "synthetic" in ddf.columns and ddf["synthetic"].fillna(False).astype(bool).any().compute()
        )
        from sxgeo.pipelines.pv import co2_factor_label

        roofs_dir = _roofs_folder(options, synthetic)
        columns = {"co2_factor": co2_factor_label(options, ef)}
        if synthetic:
            from sxgeo.outputs import SYNTHETIC_NOTE

            columns["data_note"] = SYNTHETIC_NOTE
        try:
            done = compute_sums(
                ddf, kernel, aggs, roofs_dir=None if roofs_dir is None else roofs_dir[1], roof_columns=columns
            )
        except BaseException:
            if roofs_dir is not None:
                shutil.rmtree(roofs_dir[1], ignore_errors=True)
            raise
    if roofs_dir is not None:
        final, partial = roofs_dir
        if final.exists():
            shutil.rmtree(final)
        partial.rename(final)  # the folder appears whole or not at all
        roofs_note = f"every roof's result: {final} ({done['partitions']} GeoParquet parts, one a partition)"
    else:
        roofs_note = "no per-roof layer here (sxgeo pv --engine dask -o FOLDER writes one: GeoParquet parts)"
    target = unit_target("pv_new_capacity", CITY_CODE, targets=ctx.targets, required=True)
    sums = done["sums"]
    tables: dict[str, pd.DataFrame] = {"pv_counties": units_table(sums["pv_counties"], ctx.units, target)}
    if park_gdf is not None:
        tables["pv_parks"] = polygon_table(sums["pv_parks"], park_gdf, "park_id", target)
    if vg is not None:
        tables["pv_villages"] = polygon_table(sums["pv_villages"], vg, village_code, target, nearest=True)
    if ctx.zones is not None:
        tables["pv_zones"] = units_table(sums["pv_zones"], ctx.zones, target)
    notes += [
        f"losses {energy.losses_pct():.2f}% (PVWatts defaults), inverter {energy.INVERTER_ETA:.0%}",
        f"grid CO2 factor {ef_note}",
        "policy scenario: NEA whole-county pilot floors (government 50%, public 40%, "
        "commercial/industrial 30%, rural homes 20%)",
        "shading from taller neighbours to the south"
        if options.shading and horizon is not None
        else "no shading",
        f"{done['unsuitable']} roofs unsuitable (too small, or shading loss > 30%)",
        f"Dask engine: {done['rows']} roofs in {done['partitions']} partitions, shading halo "
        f"{done['halo_m']:.0f} m; no map on this engine (millions of roofs are no web map: see the tables)",
        roofs_note,
        *ctx.notes,
    ]
    ef_label = co2_factor_label(options, ef)
    tables = {k: t.assign(co2_factor=ef_label) for k, t in tables.items()}
    labels = {**pvmod.aggregate.LABELS_ZH, "co2_factor": "减排因子"}
    out = Outputs(name, tables, labels, notes, synthetic=synthetic or is_synthetic(park_gdf))
    return [out]
