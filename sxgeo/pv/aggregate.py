"""Per-county, per-park, per-village and per-cell sums of rooftop PV, and the plan's +1,000 MW.

Each building is assigned once, by a point on its surface (``shapely.point_on_surface``): a
building across a county line counts in one county only, with its whole roof. Polygon
containment uses an STRtree over the points queried with the few prepared polygons, which is the
fast direction for a million roofs (reference/perf.md §2).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.admin import CITY_CODE
from sxgeo.parallel import chunked
from sxgeo.plan import TargetsLike, unit_target
from sxgeo.unit_table import id_columns, unit_rows
from sxgeo.zonal import UNASSIGNED

TABLE_MEASURES = (
    "footprint_m2",
    "usable_m2",
    "capacity_mwp",
    "policy_mwp",
    "generation_gwh",
    "co2_avoided_t",
    "share_of_target_pct",
    "policy_share_of_target_pct",
)
SUM_COLUMNS = ("footprint_m2", "usable_m2", "capacity_kwp", "policy_kwp", "generation_mwh", "co2_avoided_t")

LABELS_ZH = {
    "unit_code": "单元代码",
    "unit_name": "名称",
    "buildings": "建筑数",
    "footprint_m2": "屋顶投影面积(m²)",
    "usable_m2": "可用面积(m²)",
    "capacity_mwp": "技术可装机容量(MWp)",
    "policy_mwp": "政策情景容量(MWp)",
    "generation_gwh": "年发电量(GWh)",
    "co2_avoided_t": "减排CO₂(t)",
    "share_of_target_pct": "占规划新增光伏目标(%)",
    "policy_share_of_target_pct": "政策情景占目标(%)",
    "park_id": "园区编号",
    "village_code": "村代码",
}


def surface_points(buildings: gpd.GeoDataFrame) -> np.ndarray:
    """The point each building is assigned by: ``shapely.point_on_surface`` of its footprint.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        Footprints.

    Returns
    -------
    numpy.ndarray of shapely.Point
        In the CRS of *buildings*.
    """
    return chunked(shapely.point_on_surface, np.asarray(buildings.geometry.values, dtype=object))


def assign_points(points: np.ndarray, polygons: gpd.GeoDataFrame, code_col: str) -> np.ndarray:
    """Code of the polygon holding each point ('' where none).

    Parameters
    ----------
    points : numpy.ndarray of shapely.Point
        In the CRS of *polygons*.
    polygons : geopandas.GeoDataFrame
        Non-overlapping polygons with *code_col*.
    code_col : str
        Column with the codes.

    Returns
    -------
    numpy.ndarray of str
    """
    pg = np.asarray(polygons.geometry.values, dtype=object)
    values = polygons[code_col].astype(str).to_numpy()
    codes = np.full(len(points), "", dtype=object)
    if len(points) == 0 or len(pg) == 0:
        return codes
    shapely.prepare(pg)
    xy = shapely.get_coordinates(points)
    if len(xy) != len(points) or len(points) < GRID_MIN_POINTS:
        return _assign_exact(points, np.arange(len(points)), pg, values, codes)
    # a grid over the points: a cell that one polygon contains properly and no other polygon touches
    # gives all its points to that polygon (every point of the closed cell is inside it, none on its
    # border); only the points of the other cells are tested one by one
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    side = max(x1 - x0, y1 - y0, 1.0) / GRID_CELLS
    nx = int((x1 - x0) / side) + 1
    ny = int((y1 - y0) / side) + 1
    col = np.minimum(((xy[:, 0] - x0) / side).astype(np.int64), nx - 1)
    row = np.minimum(((xy[:, 1] - y0) / side).astype(np.int64), ny - 1)
    # the sorted distinct cells (np.unique's counting path: the plain form hashes, ~8x slower in numpy 2.4)
    occupied = np.unique(col * ny + row, return_counts=True)[0]
    oc, orow = occupied // ny, occupied % ny
    cells = shapely.box(x0 + oc * side, y0 + orow * side, x0 + (oc + 1) * side, y0 + (orow + 1) * side)
    cell_tree = shapely.STRtree(cells)
    touched = np.bincount(cell_tree.query(pg, predicate="intersects")[1], minlength=len(cells))
    zi, ci = cell_tree.query(pg, predicate="contains_properly")
    sole = touched[ci] == 1
    owner = np.full(len(cells), -1, dtype=np.int64)
    owner[ci[sole]] = zi[sole]
    point_owner = owner[np.searchsorted(occupied, col * ny + row)]
    inside = point_owner >= 0
    codes[inside] = values[point_owner[inside]]
    return _assign_exact(points, np.flatnonzero(~inside), pg, values, codes)


GRID_CELLS = 256
"""Cells along the longer side of the grid :func:`assign_points` sorts the points into."""
GRID_MIN_POINTS = 50_000
"""Fewer points than this are tested one by one (the grid does not pay)."""


def _assign_exact(
    points: np.ndarray, which: np.ndarray, pg: np.ndarray, values: np.ndarray, codes: np.ndarray
) -> np.ndarray:
    """Codes of the polygons (prepared) containing ``points[which]``, written into *codes*."""
    if len(which):
        tree = shapely.STRtree(points[which])
        zi, pi = tree.query(pg, predicate="contains")
        codes[which[pi]] = values[zi]
    return codes


def nearest_codes(
    points: np.ndarray, targets: gpd.GeoDataFrame, code_col: str, max_distance_m: float
) -> np.ndarray:
    """Code of the nearest of *targets* to each point within *max_distance_m* ('' where none).

    Parameters
    ----------
    points : numpy.ndarray of shapely.Point
        In the CRS of *targets* (metres).
    targets : geopandas.GeoDataFrame
        Village points with *code_col*.
    code_col : str
        Column with the codes.
    max_distance_m : float
        Points farther than this from every target get '' [m].

    Returns
    -------
    numpy.ndarray of str
    """
    tree = shapely.STRtree(np.asarray(targets.geometry.values, dtype=object))
    bi, vi = tree.query_nearest(points, max_distance=max_distance_m, all_matches=False)
    code = np.full(len(points), "", dtype=object)
    code[bi] = targets[code_col].astype(str).to_numpy()[vi]
    return code


def sum_by(frame: pd.DataFrame, key: np.ndarray) -> pd.DataFrame:
    """The additive sums of :data:`SUM_COLUMNS` and the roofs with potential (``buildings``) per key.

    Parameters
    ----------
    frame : pandas.DataFrame
        Per-roof results (:func:`sxgeo.pv.capacity.building_potential`).
    key : numpy.ndarray
        One group key per roof (a unit code, '' for none).

    Returns
    -------
    pandas.DataFrame
        Indexed by key; sums of partitions can be added and laid out by :func:`table_from_sums`.
    """
    data = frame[list(SUM_COLUMNS)].assign(_key=key, buildings=(frame["capacity_kwp"] > 0).astype(int))
    return data.groupby("_key").sum()


def _finish(t: pd.DataFrame, target_mw: float | None) -> pd.DataFrame:
    t["capacity_mwp"] = t["capacity_kwp"] / 1000
    t["policy_mwp"] = t["policy_kwp"] / 1000
    t["generation_gwh"] = t["generation_mwh"] / 1000
    # a plan without a new-PV figure (the 15th draft) leaves the shares empty
    per_mw = 100 / target_mw if target_mw else float("nan")
    t["share_of_target_pct"] = t["capacity_mwp"] * per_mw
    t["policy_share_of_target_pct"] = t["policy_mwp"] * per_mw
    for col in ("footprint_m2", "usable_m2", "co2_avoided_t"):
        t[col] = t[col].round(0)
    for col in (
        "capacity_mwp",
        "policy_mwp",
        "generation_gwh",
        "share_of_target_pct",
        "policy_share_of_target_pct",
    ):
        t[col] = t[col].round(3)
    return t


TABLE_KINDS = ("units", "polygon", "nearest")
"""How a per-unit table is laid out: units (counties, zones), polygons (parks), nearest points (villages)."""


def table_from_sums(
    sums: pd.DataFrame,
    layer: gpd.GeoDataFrame,
    target_mw: float | None,
    *,
    kind: str = "units",
    code_col: str = "adcode",
) -> pd.DataFrame:
    """Lay out summed roofs (:func:`sum_by`) as a PV table: the one layout of both engines.

    Parameters
    ----------
    sums : pandas.DataFrame
        Sums by code ('' for roofs outside every unit, park or village reach).
    layer : geopandas.GeoDataFrame
        The counties or zones (``units``), parks (``polygon``) or village points (``nearest``).
    target_mw : float or None
        The plan's new-PV target [MW] (None: the plan gives none; the shares are empty).
    kind : str
        ``units``: a :func:`sxgeo.unit_table.unit_rows` table (counties, 绍兴市区, the city,
        unassigned); ``polygon``: one row per polygon, zeros where no roof; ``nearest``: one row
        per point with any roof.
    code_col : str
        The layer's code column (``polygon`` and ``nearest``).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`by_county`, or for ``polygon``/``nearest`` the layer's attributes
        and the same measures.

    Raises
    ------
    ValueError
        For an unknown *kind*.
    """
    if kind == "units":
        t = _finish(unit_rows(sums.rename(index={"": UNASSIGNED}), layer), target_mw)
        t["buildings"] = t["buildings"].astype(int)
        return t[[*id_columns(t), "buildings", *TABLE_MEASURES]]
    if kind == "nearest":
        s = sums[sums.index != ""]
        drop: tuple[str, ...] = (code_col, layer.geometry.name, "geometry_source", "synthetic")
    elif kind == "polygon":
        s = sums.reindex(layer[code_col].astype(str)).fillna(0)
        drop = (code_col, layer.geometry.name)
    else:
        msg = f"unknown PV table kind {kind!r}: use one of {', '.join(TABLE_KINDS)}"
        raise ValueError(msg)
    t = _finish(s.copy(), target_mw)
    t.index.name = code_col
    t = t.reset_index()
    t["buildings"] = t["buildings"].astype(int)
    extra = [c for c in layer.columns if c not in drop]
    t = layer[[code_col, *extra]].assign(**{code_col: layer[code_col].astype(str)}).merge(t, on=code_col)
    return t.drop(columns=["capacity_kwp", "policy_kwp", "generation_mwh"])


def by_county(
    buildings: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    *,
    targets: TargetsLike = None,
    points: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per-unit table (counties, 绍兴市区, the city, unassigned; or zones), against the plan's +1,000 MW.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        From :func:`sxgeo.pv.capacity.building_potential`.
    counties : geopandas.GeoDataFrame
        County polygons (``adcode``), or zones (:func:`sxgeo.admin.load_zones`).
    targets : pandas.DataFrame, optional
        The targets table (:func:`sxgeo.plan.load_plan_targets`); default the shipped one.
    points : numpy.ndarray of shapely.Point, optional
        ``shapely.point_on_surface`` of the buildings, when already computed (one per building,
        in the CRS of *buildings*).

    Returns
    -------
    pandas.DataFrame
        ``unit_code, unit_name, unit_name_en, buildings, footprint_m2, usable_m2, capacity_mwp,
        policy_mwp, generation_gwh, co2_avoided_t, share_of_target_pct,
        policy_share_of_target_pct``. ``buildings`` counts roofs with some potential; the
        ``unassigned`` row holds roofs outside every unit.

    Raises
    ------
    SchemaError
        Not for a missing ``pv_new_capacity`` figure: the shares of the target are then empty.
    """
    target = unit_target("pv_new_capacity", CITY_CODE, targets=targets)
    c = sxcrs.to_metric(counties, what="counties")
    pts = surface_points(buildings) if points is None else points
    code = assign_points(pts, c, "adcode")
    return table_from_sums(sum_by(buildings, code), counties, target)


def by_polygon(
    buildings: gpd.GeoDataFrame,
    polygons: gpd.GeoDataFrame,
    code_col: str,
    *,
    targets: TargetsLike = None,
    points: np.ndarray | None = None,
) -> pd.DataFrame:
    """Sums per polygon (industrial parks, towns), with the polygon's other attributes.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        From :func:`sxgeo.pv.capacity.building_potential`.
    polygons : geopandas.GeoDataFrame
        Parks or towns with *code_col*.
    code_col : str
        Identifier column.
    targets : pandas.DataFrame, optional
        The targets table; default the shipped one.
    points : numpy.ndarray of shapely.Point, optional
        ``shapely.point_on_surface`` of the buildings, when already computed (one per building,
        in the CRS of *buildings*).

    Returns
    -------
    pandas.DataFrame
        One row per polygon (zeros where no building), same measures as :func:`by_county`.
    """
    target = unit_target("pv_new_capacity", CITY_CODE, targets=targets)
    p = sxcrs.to_metric(polygons, what="polygons")
    pts = surface_points(buildings) if points is None else points
    code = assign_points(pts, p, code_col)
    return table_from_sums(sum_by(buildings, code), p, target, kind="polygon", code_col=code_col)


def by_nearest_point(
    buildings: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    code_col: str,
    *,
    max_distance_m: float = 3000,
    targets: TargetsLike = None,
) -> pd.DataFrame:
    """Sums per nearest point (villages), within *max_distance_m*.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        From :func:`sxgeo.pv.capacity.building_potential`.
    points : geopandas.GeoDataFrame
        Village points with *code_col*.
    code_col : str
        Identifier column.
    max_distance_m : float
        Roofs farther than this from every point are left out [m].
    targets : pandas.DataFrame, optional
        The targets table; default the shipped one.

    Returns
    -------
    pandas.DataFrame
        One row per point with any roof, same measures as :func:`by_county`.
    """
    target = unit_target("pv_new_capacity", CITY_CODE, targets=targets)
    pm = sxcrs.to_metric(points, what="points")
    pts = chunked(shapely.point_on_surface, np.asarray(buildings.geometry.values, dtype=object))
    code = nearest_codes(pts, pm, code_col, max_distance_m)
    return table_from_sums(sum_by(buildings, code), pm, target, kind="nearest", code_col=code_col)
