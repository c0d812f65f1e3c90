"""Land eligible for carbon-credit afforestation under CCER-14-001-V01 (造林碳汇), per patch and county.

The methodology 《温室气体自愿减排项目方法学 造林碳汇》 (CCER-14-001-V01, MEE, in force 24 Oct 2023;
reference/rules-2026.md §2) admits land that:

1. has not been forest for at least 3 years before the project starts: read here from two or more
   land-cover maps (e.g. annual CLCD), each given by how many years it lies before the latest;
   every map less than 3 years old, and the newest map at least 3 years old, must show non-forest
   (:func:`pixel_status`); with no map that old the land cannot be shown eligible;
2. is at least 400 m² per parcel (:data:`MIN_PARCEL_M2`);
3. is not wetland, not cropland, not 城镇村及工矿用地 nor roads: from the land-cover classes' ``kind``
   (pools table) and, when given, a 三调/变更调查 layer coded by DLBM (:data:`DLBM_EXCLUDED`);
4. optionally lies outside the 城镇开发边界 (urban development boundary).

Candidate land is the current map's classes that are neither forest (forest already) nor excluded by
kind (their areas are in ``carbon_landcover_classes``): every patch of it is listed with the first rule
it fails (``reason``: the maps' history, a DLBM exclusion, the urban boundary, the 400 m² floor), or as
eligible.

The DLBM code lists follow 《第三次全国国土调查工作分类》 (GB/T 21010-2017 based); the wetland list is
the issue's (0303, 0304, 0306, 0402, 1105, 1106, 1108) and all lists are marked verify.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rasterio import features, windows

from sxgeo import crs as sxcrs
from sxgeo.errors import SchemaError
from sxgeo.io.columns import find_column
from sxgeo.unit_table import unit_rows
from sxgeo.units import M2_PER_HA
from sxgeo.zonal import UNASSIGNED, dissolve_parts, intersection_pieces

if TYPE_CHECKING:
    from rasterio.io import DatasetReader

log = logging.getLogger(__name__)

MIN_PARCEL_M2 = 400.0
"""Smallest eligible parcel (CCER-14-001-V01: 不小于400平方米) [m²]."""
MIN_NON_FOREST_YEARS = 3.0
"""Years the land must have been non-forest before the project starts."""

FOREST_KINDS = ("forest",)
"""Pools-table kinds that are forest."""
KIND_REASONS = {
    "wetland": "wetland",
    "crop": "cropland",
    "cropland": "cropland",
    "built": "built_or_road",
    "road": "built_or_road",
    "water": "water",
}
"""Pools-table kinds excluded, and the reason written (built covers 城镇村及工矿用地 and roads: land cover
does not tell them apart). Water is not afforestable land either."""

ELIGIBLE = "eligible"
REASONS = (
    "wetland",
    "cropland",
    "built_or_road",
    "water",
    "forest_within_3_years",
    "forest_in_map_3_years_before",
    "no_map_3_years_before",
    "dlbm_wetland",
    "dlbm_cropland",
    "dlbm_built",
    "dlbm_road",
    "dlbm_forest",
    "inside_urban_boundary",
    "under_400_m2",
)
"""Why a patch is not eligible, in the order the rules are applied."""

# status codes of the pixel raster (0: forest now, no candidate)
_CODES = {
    1: ELIGIBLE,
    2: "wetland",
    3: "cropland",
    4: "built_or_road",
    5: "water",
    6: "forest_within_3_years",
    7: "no_map_3_years_before",
    8: "forest_in_map_3_years_before",
}
_BY_REASON = {v: k for k, v in _CODES.items()}
CANDIDATE_CODES = (1, 6, 7, 8)
"""Statuses polygonised: eligible by class, or failing only on the maps' history. Land excluded by its class
(wetland, cropland, built, water) is the land-cover table's, not listed patch by patch (a city's fields)."""

DLBM_EXCLUDED = {
    "dlbm_wetland": ("0303", "0304", "0306", "0402", "1105", "1106", "1108"),
    "dlbm_cropland": ("0101", "0102", "0103"),
    "dlbm_built": ("05", "06", "07", "08", "09", "201", "202", "203", "204", "205"),
    "dlbm_road": ("10",),
    "dlbm_forest": ("0301", "0302", "0305", "0307"),
}
"""三调 DLBM codes (or code prefixes) excluded, by reason [verify]: wetland (红树林地, 森林沼泽, 灌丛沼泽,
沼泽草地, 沿海滩涂, 内陆滩涂, 沼泽地), cropland (水田, 水浇地, 旱地), built (商服, 工矿, 住宅, 公共管理与
公共服务, 特殊用地; 城市, 建制镇, 村庄, 采矿, 风景名胜及特殊用地), roads (交通运输用地 10xx), forest
already (乔木林地, 竹林地, 灌木林地, 其他林地)."""
DLBM_COLUMNS = ("DLBM", "dlbm", "地类编码")


def kind_of(pools: pd.DataFrame) -> dict[int, str]:
    """Class code -> lower-case kind of the pools table ('' when it has no kind column)."""
    if "kind" not in pools.columns:
        return {int(c): "" for c in pools.index}
    return {int(c): str(k).strip().lower() for c, k in zip(pools.index, pools["kind"], strict=True)}


def pixel_status(maps: Sequence[tuple[float, np.ndarray]], pools: pd.DataFrame) -> np.ndarray:
    """Status of each pixel (0 forest now, 1 eligible, 2-8 a reason of :data:`_CODES`).

    Parameters
    ----------
    maps : sequence of (years before the latest, class array)
        Land-cover maps on one grid; the latest has 0 years.
    pools : pandas.DataFrame
        :func:`sxgeo.carbon.landcover.check_pools` with ``kind``.

    Returns
    -------
    numpy.ndarray of uint8

    Raises
    ------
    SchemaError
        When no map has 0 years (the current one), or the pools table has no forest kind.
    """
    ordered = sorted(maps, key=lambda m: m[0])
    if not ordered or ordered[0][0] != 0:
        msg = "afforestation: the latest land-cover map must be 0 years before (the current one)"
        raise SchemaError(msg)
    kinds = kind_of(pools)
    forest = [c for c, k in kinds.items() if k in FOREST_KINDS]
    if not forest:
        msg = (
            "afforestation: the pools table names no class of kind 'forest' (a kind column: forest, crop...)"
        )
        raise SchemaError(msg)
    current = ordered[0][1]
    # the status a pixel gets from its current class alone (the first kind that excludes it), per class
    by_class = dict.fromkeys(kinds, 1)
    for kind, reason in KIND_REASONS.items():
        for c, k in kinds.items():
            if k == kind and by_class[c] == 1:
                by_class[c] = _BY_REASON[reason]
    status = _lookup(current, by_class, default=1)
    recent = [a for years, a in ordered if years < MIN_NON_FOREST_YEARS]
    for a in recent[1:]:  # maps of the last 3 years before the current one
        status[(status == 1) & _member(a, forest)] = _BY_REASON["forest_within_3_years"]
    anchor = [a for years, a in ordered if years >= MIN_NON_FOREST_YEARS]
    if not anchor:
        status[status == 1] = _BY_REASON["no_map_3_years_before"]
    else:
        # the newest map at least 3 years old: forest there, the land is not shown non-forest 3 years
        status[(status == 1) & _member(anchor[0], forest)] = _BY_REASON["forest_in_map_3_years_before"]
    status[_member(current, forest)] = 0
    return status


def _small_ints(a: np.ndarray) -> bool:
    """Whether *a* holds integers of at most 16 bits (indexable through a table of every value)."""
    return a.dtype.kind in "ui" and a.dtype.itemsize <= 2


def _present_classes(a: np.ndarray) -> np.ndarray:
    """The values an 8- or 16-bit integer array holds (a count of every value, in slices of a million)."""
    info = np.iinfo(a.dtype)
    size = int(info.max) - int(info.min) + 1
    flat = a.ravel()
    if a.dtype == np.uint8 and flat.size % 2 == 0:
        # two pixels a word: a word's low and high bytes are both present (half the work of the bytes)
        seen = np.zeros(1 << 16, dtype=bool)
        words = flat.view(np.uint16)
        for i in range(0, words.size, 1 << 20):
            seen |= np.bincount(words[i : i + (1 << 20)], minlength=1 << 16) > 0
        grid = seen.reshape(256, 256)
        return np.flatnonzero(grid.any(axis=0) | grid.any(axis=1))
    counts = np.zeros(size, dtype=np.int64)
    for i in range(0, flat.size, 1 << 20):
        piece = flat[i : i + (1 << 20)]
        counts += np.bincount(
            piece if info.min == 0 else piece.astype(np.int32) - int(info.min), minlength=size
        )
    return np.flatnonzero(counts) + int(info.min)


def _member(a: np.ndarray, classes: Sequence[int]) -> np.ndarray:
    """``numpy.isin(a, classes)``, through a table of every value for 8- and 16-bit rasters (~20x faster)."""
    if not _small_ints(a):
        return np.isin(a, classes)
    return _lookup(a, dict.fromkeys(classes, 1), default=0).astype(bool)


def _lookup(a: np.ndarray, values: dict[int, int], *, default: int) -> np.ndarray:
    """uint8 *values* of each element of *a* by its value, *default* for the others."""
    if not _small_ints(a):
        out = np.full(a.shape, default, dtype=np.uint8)
        for code in sorted(set(values.values()) - {default}):
            out[np.isin(a, [c for c, v in values.items() if v == code])] = code
        return out
    info = np.iinfo(a.dtype)
    table = np.full(int(info.max) - int(info.min) + 1, default, dtype=np.uint8)
    for c, v in values.items():
        if info.min <= c <= info.max:
            table[c - int(info.min)] = v
    index = a if info.min == 0 else a.astype(np.int32) - int(info.min)
    return table[index]


def status_patches(
    sources: Sequence[tuple[float, DatasetReader]],
    pools: pd.DataFrame,
    *,
    window_rows: int | None = None,
    values: frozenset[int] | None = None,
) -> gpd.GeoDataFrame:
    """Patches of equal status (4-neighbour) from rasters on one grid, window by window, in EPSG:4549.

    Parameters
    ----------
    sources : sequence of (years before the latest, open raster)
        The land-cover maps (same grid).
    pools : pandas.DataFrame
        With ``kind``.
    window_rows : int, optional
        Rows read at a time (default about 67 Mpx a window). A patch across two windows becomes
        two patches (each measured on its own; merge by dissolving when it matters).
    values : frozenset of int, optional
        The values the current map (0 years) holds, when known
        (:func:`sxgeo.carbon.landcover.raster_values`): with no candidate class among them, no
        raster is read.

    Returns
    -------
    geopandas.GeoDataFrame
        ``reason`` (``eligible`` or a reason of the maps' history),
        ``lucode`` (current class) and the geometry; only land whose current class is neither
        forest nor excluded by kind (:data:`CANDIDATE_CODES`).

    Raises
    ------
    SchemaError
        Rasters on different grids.
    """
    first = sources[0][1]
    for _, src in sources[1:]:
        if (src.width, src.height) != (first.width, first.height) or src.transform != first.transform:
            msg = f"afforestation: {src.name} is not on the grid of {first.name}; resample to one grid first"
            raise SchemaError(msg)
    current = next(s for y, s in sources if y == 0) if any(y == 0 for y, _ in sources) else first
    rows = window_rows or max(1, (1 << 26) // max(first.width, 1))
    geoms: list[object] = []
    codes: list[int] = []
    classes: list[int] = []
    # whether a pixel is a candidate (CANDIDATE_CODES) depends on its current class alone: the maps'
    # history only moves an eligible pixel to another candidate status; a window without one is skipped
    kinds = kind_of(pools)
    excluded = {c: 0 for c, k in kinds.items() if k in KIND_REASONS or k in FOREST_KINDS}
    spans = range(0, first.height, rows)
    if values is not None and not values - set(excluded) - _nodata_values(current):
        spans = range(0)  # no candidate class anywhere in the current map
    for row0 in spans:
        win = windows.Window(0, row0, first.width, min(rows, first.height - row0))
        now = current.read(1, window=win)
        if _small_ints(now):
            present = set(_present_classes(now).tolist()) - set(excluded)
            if current.nodata is not None:
                present.discard(int(current.nodata))
            if not present:
                continue
        arrays = [(y, s.read(1, window=win)) for y, s in sources]
        status = pixel_status(arrays, pools)
        cur = current.read(1, window=win).astype(np.int32)
        mask = _member(status, CANDIDATE_CODES)  # land a class could plant; class exclusions are counted
        if current.nodata is not None:
            mask &= cur != int(current.nodata)
        if not mask.any():
            continue
        combo = status.astype(np.int32) * 65536 + cur  # one patch per status and class
        for geom, value in features.shapes(combo, mask=mask, transform=first.window_transform(win)):
            geoms.append(shapely.geometry.shape(geom))
            codes.append(int(value) // 65536)
            classes.append(int(value) % 65536)
    out = gpd.GeoDataFrame(
        {"reason": [_CODES[c] for c in codes], "lucode": np.asarray(classes, dtype=int)},
        geometry=geoms,
        crs=first.crs,
    )
    return sxcrs.to_metric(out, what="land-cover patches")


def _nodata_values(src: DatasetReader) -> set[int]:
    """The raster's nodata value as a class code to leave out (none when untagged)."""
    return set() if src.nodata is None else {int(src.nodata)}


def dlbm_groups(layer: gpd.GeoDataFrame, *, source: str = "DLBM layer") -> dict[str, gpd.GeoSeries]:
    """The excluded polygons of a 三调/变更调查 layer by reason (:data:`DLBM_EXCLUDED`), dissolved.

    Raises
    ------
    SchemaError
        No DLBM column.
    """
    col = find_column(layer.columns, DLBM_COLUMNS, what="land-use code (DLBM)", source=source)
    assert col is not None
    m = sxcrs.to_metric(layer, what=source)
    code = m[col].astype(str).str.strip()
    out = {}
    for reason, prefixes in DLBM_EXCLUDED.items():
        hit = code.str.startswith(tuple(prefixes))
        if hit.any():
            out[reason] = dissolve_parts(m.loc[hit])
    return out


def _cut(
    parts: gpd.GeoDataFrame, mask: gpd.GeoSeries, reason: str
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Split the eligible *parts* by *mask*: (what stays eligible, what *mask* excludes, with *reason*)."""
    if not len(mask) or not len(parts):
        return parts, parts.iloc[0:0]
    m = np.asarray(mask.values, dtype=object)
    g = np.asarray(parts.geometry.values, dtype=object)
    _, gi, pieces = intersection_pieces(m, g)
    if not len(gi):
        return parts, parts.iloc[0:0]
    cut = parts.iloc[gi].copy()
    cut = cut.set_geometry(pieces).assign(reason=reason)
    union = shapely.union_all(m)
    kept = parts.copy()
    kept = kept.set_geometry(shapely.difference(g, union))
    kept = kept[~shapely.is_empty(np.asarray(kept.geometry.values, dtype=object))]
    return kept, cut


def _merge(parts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """What stays eligible, as parcels: touching pieces of one county merged.

    Pieces merge across classes and raster windows; each parcel takes the class at a point on its surface.
    """
    rows = []
    for code, sub in parts.groupby("unit_code", sort=True):
        g = np.asarray(sub.geometry.values, dtype=object)
        merged = shapely.get_parts(shapely.union_all(g))
        merged = merged[shapely.get_type_id(merged) == shapely.GeometryType.POLYGON]
        pts = shapely.point_on_surface(merged)
        pi, gi = shapely.STRtree(g).query(pts, predicate="intersects")
        lucode = np.full(len(merged), -1, dtype=int)
        lucode[pi[::-1]] = sub["lucode"].to_numpy()[gi[::-1]]  # the first piece holding the point
        rows.append(gpd.GeoDataFrame({"unit_code": code, "lucode": lucode}, geometry=merged, crs=parts.crs))
    if not rows:
        return parts.iloc[0:0]
    return gpd.GeoDataFrame(pd.concat(rows, ignore_index=True), geometry="geometry", crs=parts.crs)


def eligible_parcels(
    patches: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    *,
    dlbm: gpd.GeoDataFrame | None = None,
    urban_boundary: gpd.GeoDataFrame | None = None,
    min_m2: float = MIN_PARCEL_M2,
) -> gpd.GeoDataFrame:
    """Every candidate patch cut by counties, DLBM exclusions and the urban boundary, eligible or why not.

    Parameters
    ----------
    patches : geopandas.GeoDataFrame
        :func:`status_patches` (EPSG:4549).
    units : geopandas.GeoDataFrame
        Counties (``adcode``): a patch across a line gives a parcel per county; parts outside every
        county get ``unassigned``.
    dlbm : geopandas.GeoDataFrame, optional
        三调/变更调查 polygons with DLBM codes.
    urban_boundary : geopandas.GeoDataFrame, optional
        城镇开发边界 polygons: eligible land inside is cut off.
    min_m2 : float
        Smallest parcel [m²] (each connected part of what stays eligible).

    Returns
    -------
    geopandas.GeoDataFrame
        ``patch_id, unit_code, lucode, eligible, reason, area_m2, area_ha`` + geometry (EPSG:4549),
        largest first.
    """
    c = sxcrs.to_metric(units, what="counties")
    g = np.asarray(patches.geometry.values, dtype=object)
    ci, gi, pieces = intersection_pieces(np.asarray(c.geometry.values, dtype=object), g)
    parts = gpd.GeoDataFrame(
        {
            "unit_code": c["adcode"].astype(str).to_numpy()[ci],
            "lucode": patches["lucode"].to_numpy()[gi],
            "reason": patches["reason"].to_numpy()[gi],
        },
        geometry=pieces,
        crs=c.crs,
    )
    outside = shapely.difference(g, shapely.union_all(np.asarray(c.geometry.values, dtype=object)))
    keep_out = ~shapely.is_empty(outside) & (shapely.area(outside) > 0)
    if keep_out.any():
        parts = pd.concat(
            [
                parts,
                gpd.GeoDataFrame(
                    {
                        "unit_code": UNASSIGNED,
                        "lucode": patches["lucode"].to_numpy()[keep_out],
                        "reason": patches["reason"].to_numpy()[keep_out],
                    },
                    geometry=outside[keep_out],
                    crs=c.crs,
                ),
            ],
            ignore_index=True,
        )
    ok = parts[parts["reason"] == ELIGIBLE]
    done = [parts[parts["reason"] != ELIGIBLE]]
    masks: list[tuple[str, gpd.GeoSeries]] = []
    if dlbm is not None and len(dlbm):
        masks += list(dlbm_groups(dlbm).items())
    if urban_boundary is not None and len(urban_boundary):
        masks.append(
            ("inside_urban_boundary", dissolve_parts(sxcrs.to_metric(urban_boundary, what="城镇开发边界")))
        )
    for reason, mask in masks:
        ok, cut = _cut(ok, mask, reason)
        done.append(cut)
    ok = _merge(ok)
    small = shapely.area(np.asarray(ok.geometry.values, dtype=object)) < min_m2
    ok = ok.assign(
        reason=np.where(small, "under_400_m2" if min_m2 == MIN_PARCEL_M2 else "too_small", ELIGIBLE)
    )
    out = pd.concat([ok, *done], ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=c.crs)
    area = shapely.area(np.asarray(out.geometry.values, dtype=object))
    out = out.assign(
        eligible=out["reason"] == ELIGIBLE, area_m2=np.round(area, 2), area_ha=np.round(area / M2_PER_HA, 6)
    )
    out = out[out["area_m2"] > 0]
    out = out.sort_values(["eligible", "area_m2", "unit_code"], ascending=[False, False, True], kind="stable")
    out = out.reset_index(drop=True)
    out.insert(0, "patch_id", [f"AF{i:07d}" for i in range(1, len(out) + 1)])
    return out[["patch_id", "unit_code", "lucode", "eligible", "reason", "area_m2", "area_ha", "geometry"]]


def by_county(parcels: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> pd.DataFrame:
    """``carbon_afforestation``: eligible hectares per county, and the hectares excluded by each reason.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        :func:`eligible_parcels`.
    units : geopandas.GeoDataFrame
        The county layer.

    Returns
    -------
    pandas.DataFrame
        ``unit_code, unit_name, unit_name_en, eligible_parcels, eligible_ha, excluded_ha`` and
        ``<reason>_ha`` for every reason that occurs.
    """
    f = pd.DataFrame(
        {
            "unit_code": parcels["unit_code"].astype(str),
            "eligible_parcels": parcels["eligible"].astype(int),
            "eligible_ha": np.where(parcels["eligible"], parcels["area_ha"], 0.0),
            "excluded_ha": np.where(parcels["eligible"], 0.0, parcels["area_ha"]),
        }
    )
    reasons = [r for r in REASONS if (parcels["reason"] == r).any()]
    for r in reasons:
        f[f"{r}_ha"] = np.where(parcels["reason"] == r, parcels["area_ha"], 0.0)
    cols = ["eligible_parcels", "eligible_ha", "excluded_ha", *[f"{r}_ha" for r in reasons]]
    t = unit_rows(f.groupby("unit_code")[cols].sum(), units)
    t["eligible_parcels"] = t["eligible_parcels"].astype(int)
    for col in cols[1:]:
        t[col] = t[col].round(4)
    return t


LABELS_ZH = {
    "patch_id": "图斑编号",
    "eligible": "符合造林碳汇条件",
    "reason": "不符合原因",
    "area_m2": "面积(m²)",
    "eligible_parcels": "符合条件图斑数",
    "eligible_ha": "符合CCER造林条件面积(ha)",
    "excluded_ha": "排除面积(ha)",
}
"""Chinese labels of the afforestation tables."""


__all__ = [
    "DLBM_EXCLUDED",
    "ELIGIBLE",
    "LABELS_ZH",
    "MIN_PARCEL_M2",
    "REASONS",
    "by_county",
    "dlbm_groups",
    "eligible_parcels",
    "pixel_status",
    "status_patches",
]
