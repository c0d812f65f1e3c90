"""Carbon stock from a land-cover raster, InVEST-compatible, per county; change between two maps.

Per pixel (the InVEST Carbon model's rule, natcap.invest ``carbon``): C = Σ pools[class] [t C/ha] ×
pixel area; the change between two maps is C_after − C_before pixel by pixel (an unchanged pixel
has zero change). Totals per county come from :func:`sxgeo.zonal.raster_zone_counts`
(pixel-centre rule), so they equal InVEST's totals over the same pixels. The pools table has
InVEST's columns ``lucode, c_above, c_below, c_soil, c_dead`` [t C/ha], optionally ``lulc_name``
and ``kind`` (forest / built / water / ...), used to show forest lost to built-up apart.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rasterio import features, windows

from sxgeo import crs as sxcrs
from sxgeo.admin import load_counties
from sxgeo.errors import SchemaError
from sxgeo.params import parse_flags, parse_numbers, source_of
from sxgeo.unit_table import unit_rows
from sxgeo.units import CO2_PER_C, M2_PER_HA
from sxgeo.zonal import NODATA_CLASS, UNASSIGNED, dissolve_parts, intersection_pieces

if TYPE_CHECKING:
    from rasterio.io import DatasetReader

log = logging.getLogger(__name__)

POOLS = ("c_above", "c_below", "c_soil", "c_dead")
MAX_CLASS = 65535
VALID_WARN_PCT = 99.0
"""Below this share of a unit covered by valid pixels, a warning names the unit."""
"""Largest class code: rasters up to uint16 (ESA WorldCover, CLCD and GlobeLand30 fit in uint8)."""


def check_pools(pools: pd.DataFrame) -> pd.DataFrame:
    """Validate an InVEST carbon-pools table and index it by ``lucode``.

    Parameters
    ----------
    pools : pandas.DataFrame
        ``lucode, c_above, c_below, c_soil, c_dead`` [t C/ha].

    Returns
    -------
    pandas.DataFrame
    """
    # headers compared case-insensitively, as InVEST reads its tables (its sample uses LULC, C_above...)
    lowered = {c: str(c).strip().lower() for c in pools.columns}
    if list(lowered.values()) != list(pools.columns) and len(set(lowered.values())) == len(lowered):
        attrs = dict(pools.attrs)
        pools = pools.rename(columns=lowered)
        pools.attrs.update(attrs)
    if "lucode" not in pools.columns and "lulc" in pools.columns:
        pools = pools.rename(columns={"lulc": "lucode"})
    missing = {"lucode", *POOLS} - set(pools.columns)
    if missing:
        msg = f"carbon pools table lacks {sorted(missing)}; InVEST's columns: lucode, c_above/below/soil/dead"
        raise SchemaError(msg)
    source = source_of(pools, "carbon pools table")
    t = parse_numbers(pools, ["lucode"], source=source, required=True)
    codes = t["lucode"].to_numpy()
    if (codes != np.round(codes)).any() or (codes < 0).any() or (codes > MAX_CLASS).any():
        i = int(np.flatnonzero((codes != np.round(codes)) | (codes < 0) | (codes > MAX_CLASS))[0])
        bad = pools["lucode"].tolist()[i]  # a plain value in the message, not np.float64(...)
        msg = f"{source}: row {i + 2} column lucode: {bad!r} is not a class code 0-{MAX_CLASS}"
        raise SchemaError(msg)
    t["lucode"] = codes.astype(np.int64)
    if t["lucode"].duplicated().any():
        dup = sorted(set(t.loc[t["lucode"].duplicated(), "lucode"].tolist()))
        msg = f"{source}: class codes {dup} appear on more than one row; one row per lucode"
        raise SchemaError(msg)
    t = parse_numbers(t, POOLS, source=source, blank=0.0)
    out = t.set_index("lucode")
    out.attrs["source"] = source
    return out


def nodata_classes(pools: pd.DataFrame) -> set[int]:
    """Class codes that are no data.

    The raster's nodata tag (-1 in the counts), and class 0 when the pools table has no row for
    it (an untagged fill value; a class 0 with pools is land).
    """
    out = {NODATA_CLASS}
    if 0 not in pools.index:
        out.add(0)
    return out


def nodata_class_note(nodata: float | None, pools: pd.DataFrame, *, name: str = "the raster") -> str | None:
    """A warning when the raster's nodata value is also a class of the pools table (None otherwise).

    The pixels holding that value are counted as no data (as GDAL and InVEST read the tag), so
    the class's land is left out of every total: either the tag or the table is wrong.

    Parameters
    ----------
    nodata : float or None
        The raster's nodata tag.
    pools : pandas.DataFrame
        :func:`check_pools` (indexed by ``lucode``).
    name : str
        The raster, for the message.

    Returns
    -------
    str or None
    """
    if nodata is None or not np.isfinite(nodata) or not float(nodata).is_integer():
        return None
    code = int(nodata)
    if code not in pools.index:
        return None
    label = f" ({pools.loc[code, 'lulc_name']!s})" if "lulc_name" in pools.columns else ""
    msg = (
        f"{name}: the nodata value {code} is also class {code}{label} of the pools table; its pixels "
        "are counted as no data, not as that class (fix the raster's nodata tag with gdal_edit.py "
        "-a_nodata, or the table)"
    )
    log.warning("%s", msg)
    return msg


def raster_values(
    counts: pd.DataFrame, src: DatasetReader, *, column: str = "class"
) -> frozenset[int] | None:
    """The values an integer raster holds, read off its zone counts (None when they cannot tell).

    :func:`sxgeo.zonal.raster_zone_counts` counts every pixel of the raster at least once (zone ``''``:
    outside every zone), so its classes are the raster's values, its nodata value shown as
    :data:`NODATA_CLASS`. Later steps that only look for some classes (:func:`plantable_parcels`,
    :func:`sxgeo.carbon.afforestation.status_patches`) need not read the raster again when none is there.

    Parameters
    ----------
    counts : pandas.DataFrame
        :func:`sxgeo.zonal.raster_zone_counts` of *src* (or of a class pair, *column* naming *src*'s).
    src : rasterio.io.DatasetReader
        The raster counted.
    column : str
        ``class``, or ``class_before`` / ``class_after`` of a class-pair count.

    Returns
    -------
    frozenset of int or None
        None for a raster that is not of integers, or whose nodata tag is not a whole number.
    """
    nodata = src.nodata
    if np.dtype(src.dtypes[0]).kind not in "ui" or (nodata is not None and not float(nodata).is_integer()):
        return None
    values = set(counts[column].astype(int).tolist())
    if NODATA_CLASS in values:
        values.discard(NODATA_CLASS)
        if nodata is not None:
            values.add(int(nodata))
    return frozenset(values)


def _zone_codes(counts: pd.DataFrame) -> pd.DataFrame:
    """Pixels outside every unit go to ``unassigned``."""
    c = counts.copy()
    c.loc[c["zone"] == "", "zone"] = UNASSIGNED
    return c


def _unit_area_ha(units: gpd.GeoDataFrame) -> pd.Series:
    """Polygon area of each unit [ha] (EPSG:4549), indexed by unit code."""
    return pd.Series(
        sxcrs.area_m2(sxcrs.to_metric(units, what="units")) / 1e4,
        index=units["adcode"].astype(str).to_numpy(),
    )


def valid_share(per: pd.DataFrame, valid_ha: pd.Series, units: gpd.GeoDataFrame) -> pd.Series:
    """Share of each unit's area covered by valid pixels [%] (NaN for ``unassigned``); warn under 99%.

    Parameters
    ----------
    per : pandas.DataFrame
        A per-unit table (``unit_code`` column, rows of :func:`sxgeo.unit_table.unit_rows`).
    valid_ha : pandas.Series
        Valid-pixel area [ha] per unit code of *per*.
    units : geopandas.GeoDataFrame
        The unit layer.

    Returns
    -------
    pandas.Series
        Aligned with *per*.
    """
    area = unit_rows(_unit_area_ha(units).to_frame("unit_ha"), units).set_index("unit_code")["unit_ha"]
    codes = per["unit_code"].astype(str)
    total = codes.map(area).astype(float).to_numpy()
    got = valid_ha.reindex(codes).fillna(0.0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, np.minimum(got / total * 100.0, 100.0), np.nan)
    share[(codes == UNASSIGNED).to_numpy()] = np.nan
    low = [
        f"{c} {v:.1f}%" for c, v in zip(codes, share, strict=True) if np.isfinite(v) and v < VALID_WARN_PCT
    ]
    if low:
        log.warning(
            "the land-cover raster covers only part of: %s (valid pixels / unit area); "
            "their totals are for the covered part only",
            ", ".join(low),
        )
    return pd.Series(share, index=per.index)


def stock_by_county(
    counts: pd.DataFrame, pools: pd.DataFrame, units: gpd.GeoDataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Class areas and carbon stock per county and city from pixel counts.

    Parameters
    ----------
    counts : pandas.DataFrame
        :func:`sxgeo.zonal.raster_zone_counts` of one raster.
    pools : pandas.DataFrame
        From :func:`check_pools`.
    units : geopandas.GeoDataFrame, optional
        The unit layer the counts were made with (default the shipped counties): it sets the
        rows (:func:`sxgeo.unit_table.unit_rows`).

    Returns
    -------
    tuple of pandas.DataFrame
        Per unit (counties, ``330600-urban``, ``330600``, ``unassigned``: valid pixels of the
        raster outside every unit): ``area_ha`` (valid pixels only), ``stock_tc`` (above +
        below + dead), ``soil_tc``, ``total_tc`` (InVEST's total, all four pools),
        ``stock_tco2``, ``density_tc_ha``, ``valid_share_pct`` (share of the unit's polygon area
        covered by valid pixels; a warning is logged under 99%); and per county × class.
        Nodata pixels (the raster's tag; class 0 when the pools table has no row 0) are no class.
    """
    units = _default_units(units)
    c = _zone_codes(counts)
    c = c[~c["class"].isin(nodata_classes(pools))].copy()
    unknown = sorted(set(c["class"]) - set(pools.index))
    if unknown:
        msg = f"raster classes {unknown} have no row in the pools table (counted as zero carbon otherwise)"
        raise SchemaError(msg)
    p = pools[list(POOLS)].reindex(c["class"]).fillna(0.0)
    for col in POOLS:
        c[col + "_tc"] = c["area_ha"].to_numpy() * p[col].to_numpy()
    c["stock_tc"] = c["c_above_tc"] + c["c_below_tc"] + c["c_dead_tc"]
    c["soil_tc"] = c["c_soil_tc"]
    c["total_tc"] = c["stock_tc"] + c["soil_tc"]
    if "lulc_name" in pools.columns:
        c["lulc_name"] = pools["lulc_name"].reindex(c["class"]).to_numpy()
    by_class = c.rename(columns={"zone": "unit_code"})
    per = unit_rows(
        by_class.groupby("unit_code")[["area_ha", "stock_tc", "soil_tc", "total_tc"]].sum(), units
    )
    per["stock_tco2"] = per["stock_tc"] * CO2_PER_C
    per["density_tc_ha"] = per["stock_tc"] / per["area_ha"]
    per["valid_share_pct"] = valid_share(per, per.set_index("unit_code")["area_ha"], units)
    return per.round(2), by_class.round(3)


def change_by_county(
    pairs: pd.DataFrame, pools: pd.DataFrame, units: gpd.GeoDataFrame | None = None, *, years: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Carbon change between two maps per county, with gains and losses apart, and the transition matrix.

    Parameters
    ----------
    pairs : pandas.DataFrame
        :func:`sxgeo.zonal.raster_zone_counts` with ``other`` (class pairs).
    pools : pandas.DataFrame
        From :func:`check_pools`.
    units : geopandas.GeoDataFrame, optional
        The unit layer the counts were made with (default the shipped counties).
    years : float
        Years between the maps.

    Returns
    -------
    tuple of pandas.DataFrame
        Per county (+ city): ``change_tc, gain_tc, loss_tc, loss_to_built_tc, sink_tc_yr,
        sink_tco2_yr`` (stock without soil), ``soil_change_tc``, ``total_change_tc`` (all four
        pools: InVEST's ``c_change``), ``valid_share_pct`` (pixels valid in both maps / unit
        area); and the transition matrix rows ``unit_code, class_before, class_after, area_ha,
        change_tc``. A pixel that is nodata in either map has no change (as in InVEST); a class
        0 that has a pools row is land and changes like any other.
    """
    units = _default_units(units)
    c = _zone_codes(pairs)
    nodata = nodata_classes(pools)
    c = c[~c["class_before"].isin(nodata) & ~c["class_after"].isin(nodata)].copy()
    unknown = sorted((set(c["class_before"]) | set(c["class_after"])) - set(pools.index))
    if unknown:
        msg = f"raster classes {unknown} have no row in the pools table (counted as zero carbon otherwise)"
        raise SchemaError(msg)
    stock = pools["c_above"] + pools["c_below"] + pools["c_dead"]
    before = stock.reindex(c["class_before"]).fillna(0).to_numpy()
    after = stock.reindex(c["class_after"]).fillna(0).to_numpy()
    soil_b = pools["c_soil"].reindex(c["class_before"]).fillna(0).to_numpy()
    soil_a = pools["c_soil"].reindex(c["class_after"]).fillna(0).to_numpy()
    c["change_tc"] = c["area_ha"].to_numpy() * (after - before)
    c["soil_change_tc"] = c["area_ha"].to_numpy() * (soil_a - soil_b)
    c["total_change_tc"] = c["change_tc"] + c["soil_change_tc"]
    kinds = pools["kind"] if "kind" in pools.columns else pd.Series("", index=pools.index)
    to_built = (kinds.reindex(c["class_after"]).to_numpy() == "built") & (
        c["class_before"] != c["class_after"]
    ).to_numpy()
    c["gain_tc"] = c["change_tc"].clip(lower=0)
    c["loss_tc"] = (-c["change_tc"]).clip(lower=0)
    c["loss_to_built_tc"] = c["loss_tc"].where(to_built, 0.0)
    matrix = c.rename(columns={"zone": "unit_code"})
    sums = unit_rows(
        matrix.groupby("unit_code")[
            ["change_tc", "gain_tc", "loss_tc", "loss_to_built_tc", "soil_change_tc", "total_change_tc"]
        ].sum(),
        units,
    )
    sums["sink_tc_yr"] = sums["change_tc"] / years
    sums["sink_tco2_yr"] = sums["sink_tc_yr"] * CO2_PER_C
    valid_ha = matrix.groupby("unit_code")["area_ha"].sum()
    valid_ha = unit_rows(valid_ha.to_frame("area_ha"), units).set_index("unit_code")["area_ha"]
    sums["valid_share_pct"] = valid_share(sums, valid_ha, units)
    cols = ["unit_code", "class_before", "class_after", "area_ha", "change_tc"]
    return sums.round(2), matrix[cols].round(3)


def _default_units(units: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    if units is not None:
        return units

    return load_counties()


PLANTABLE_KINDS = ("shrub", "grass", "grassland", "barren", "bare", "unused")
"""Pools-table ``kind`` values whose land may be planted to raise forest cover, when the table has
no ``plantable`` column: shrubland, grassland and barren or unused land. Cropland, water,
wetland and built-up land are never candidates by default: 国务院办公厅《关于科学绿化的指导意见》
(国办发〔2021〕19号, 2021-06) puts afforestation on 宜林荒山荒地荒滩, damaged hills and degraded forest
and grassland, and forbids occupying cropland (严禁违规占用耕地绿化造林)."""
MIN_PARCEL_HA = 0.0667
"""Smallest parcel listed: 1 mu, the minimum area of forest land (GB/T 26424-2010,
森林资源规划设计调查技术规程)."""
PARCEL_WINDOW_PX = 1 << 26
"""Pixels read at a time when vectorising (a patch crossing a window edge is listed in parts)."""


def plantable_classes(pools: pd.DataFrame) -> list[int]:
    """Class codes of land that may be planted: a ``plantable`` column, else :data:`PLANTABLE_KINDS`.

    Parameters
    ----------
    pools : pandas.DataFrame
        :func:`check_pools` (indexed by ``lucode``).

    Returns
    -------
    list of int
    """
    if "plantable" in pools.columns:
        flags = parse_flags(
            pools["plantable"], source=source_of(pools, "carbon pools table"), column="plantable"
        )
        return [int(c) for c, f in zip(pools.index, flags, strict=True) if f]
    if "kind" not in pools.columns:
        return []
    kinds = pools["kind"].astype(str).str.strip().str.lower()
    return [int(c) for c, k in zip(pools.index, kinds, strict=True) if k in PLANTABLE_KINDS]


def plantable_parcels(
    src: DatasetReader,
    pools: pd.DataFrame,
    units: gpd.GeoDataFrame,
    *,
    stands: gpd.GeoDataFrame | None = None,
    min_ha: float = MIN_PARCEL_HA,
    window_rows: int | None = None,
    values: frozenset[int] | None = None,
) -> gpd.GeoDataFrame:
    """Patches of plantable land-cover classes, outside the forest stands, per county, largest first.

    Candidate land to plant for forest cover: connected pixels (4-neighbour) of the classes of
    :func:`plantable_classes`, minus what the stand inventory already counts as forest, cut by
    the county lines (a patch across a line gives a parcel per county; parts outside every
    county are not candidates), at least *min_ha*.

    Parameters
    ----------
    src : rasterio.io.DatasetReader
        The land-cover raster.
    pools : pandas.DataFrame
        :func:`check_pools`.
    units : geopandas.GeoDataFrame
        Counties (``adcode``).
    stands : geopandas.GeoDataFrame, optional
        Forest stands: their area is not a candidate.
    min_ha : float
        Smallest parcel.
    window_rows : int, optional
        Raster rows read at a time (default :data:`PARCEL_WINDOW_PX` pixels).
    values : frozenset of int, optional
        The values *src* holds, when known (:func:`raster_values`): with no plantable class among
        them, the raster is not read.

    Returns
    -------
    geopandas.GeoDataFrame
        ``parcel_id, unit_code, lucode, lulc_name, area_ha, lon, lat`` and the geometry (EPSG:4549),
        largest first.
    """
    columns = ["parcel_id", "unit_code", "lucode", "lulc_name", "area_ha", "lon", "lat"]
    classes = plantable_classes(pools)
    empty = gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=sxcrs.METRIC)
    if not classes or (values is not None and values.isdisjoint(classes)):
        return empty
    rows = window_rows or max(1, PARCEL_WINDOW_PX // max(src.width, 1))
    geoms: list[object] = []
    codes: list[int] = []
    for row0 in range(0, src.height, rows):
        win = windows.Window(0, row0, src.width, min(rows, src.height - row0))
        data = src.read(1, window=win)
        mask = np.isin(data, classes)
        if not mask.any():
            continue
        values = data if data.dtype in (np.uint8, np.uint16, np.int16, np.int32) else data.astype(np.int32)
        for geom, value in features.shapes(values, mask=mask, transform=src.window_transform(win)):
            geoms.append(shapely.geometry.shape(geom))
            codes.append(int(value))
    if not geoms:
        return empty
    patches = sxcrs.to_metric(
        gpd.GeoDataFrame({"lucode": codes}, geometry=geoms, crs=src.crs), what="land-cover patches"
    )
    g = np.asarray(patches.geometry.values, dtype=object)
    if stands is not None and len(stands):
        parts = np.asarray(dissolve_parts(stands).values, dtype=object)
        _, pi, pieces = intersection_pieces(parts, g)
        if len(pi):
            order = np.argsort(pi, kind="stable")
            bounds = np.flatnonzero(np.diff(pi[order])) + 1
            for idx in np.split(order, bounds):
                k = pi[idx[0]]
                g[k] = shapely.difference(g[k], shapely.union_all(pieces[idx]))
    c = sxcrs.to_metric(units, what="counties")
    ci, gi, pieces = intersection_pieces(np.asarray(c.geometry.values, dtype=object), g)
    area_ha = shapely.area(pieces) / M2_PER_HA
    keep = area_ha >= min_ha
    ci, gi, pieces, area_ha = ci[keep], gi[keep], pieces[keep], area_ha[keep]
    lucode = patches["lucode"].to_numpy()[gi]
    names = pools["lulc_name"].astype(str) if "lulc_name" in pools.columns else None
    out = gpd.GeoDataFrame(
        {
            "unit_code": c["adcode"].astype(str).to_numpy()[ci],
            "lucode": lucode,
            "lulc_name": [names.get(k, "") if names is not None else "" for k in lucode],
            "area_ha": np.round(area_ha, 4),
        },
        geometry=pieces,
        crs=c.crs,
    )
    out = out.sort_values(["area_ha", "unit_code"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )
    out.insert(0, "parcel_id", [f"LP{i:06d}" for i in range(1, len(out) + 1)])
    pts = sxcrs.to_lonlat(
        gpd.GeoDataFrame(geometry=out.geometry.representative_point(), crs=out.crs), what="parcels"
    )
    out["lon"] = np.round(pts.geometry.x.to_numpy(), 6)
    out["lat"] = np.round(pts.geometry.y.to_numpy(), 6)
    return out[[*columns, "geometry"]]
