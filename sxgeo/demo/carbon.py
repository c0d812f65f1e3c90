"""Synthetic carbon layers: a 30 m land-cover raster, forest stands (2020 and 2025), wetlands.

* **land cover** (GeoTIFF, EPSG:4549, 30 m, uint8, 0 = outside the city): 1 conifer forest,
  2 broadleaf forest, 3 bamboo, 4 tea/shrub, 5 paddy/cropland, 6 water, 7 built-up (the synthetic
  built-up areas), 8 tidal marsh. Forest lies mostly in the southern hills (a south-north
  gradient plus smooth noise), forest cover about 55%. Smooth fields are drawn on a 1 km grid and
  resampled bilinearly, window by window, so memory stays small.
* **stands** (小班): one per 990 m cell (33 × 33 pixels) holding forest pixels, typed by its
  dominant forest class, area = its forest pixels; stock volumes drawn per stand and scaled so
  the city totals are the plan's 2,260万 m3 (2020) and 2,680万 m3 (2025).
* **wetlands**: lakes and reservoirs, river corridors, tidal marsh and mudflat on the northern
  shore, paddy; protected flags so the protected share of the wetland base is about 60.6%.
* **pools**: an InVEST carbon-pools table for the raster classes (tree layer from Li 2016 via
  reference/carbon.md §6, split above/below with R = 0.22; soils as in the factor table).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio import features, windows
from rasterio.transform import from_origin
from rasterio.warp import Resampling, reproject

from sxgeo import crs as sxcrs
from sxgeo.demo.base import _label

PIXEL_M = 30.0
CELL_PIXELS = 33
COARSE_M = PIXEL_M * CELL_PIXELS  # 990 m: stands are 990 m cells
NORTH_BAND_M = 6 * COARSE_M  # tidal marsh is drawn only in the northernmost 5.94 km
CLASSES = {
    1: ("conifer_forest", "针叶林", "forest"),
    2: ("broadleaf_forest", "阔叶林", "forest"),
    3: ("bamboo", "竹林", "forest"),
    4: ("tea_shrub", "茶园/灌木", "forest"),
    5: ("paddy_crop", "水田/耕地", "crop"),
    6: ("water", "水体", "water"),
    7: ("built_up", "建成区", "built"),
    8: ("tidal_marsh", "滩涂/盐沼", "wetland"),
}
CLASS_COLOURS = {1: "#1b7837", 2: "#5aae61", 3: "#a6dba0", 4: "#d9f0d3", 5: "#fee08b", 6: "#4393c3",
                 7: "#d73027", 8: "#9970ab"}  # fmt: skip
STOCK_2020_M3 = 2260e4
STOCK_2025_M3 = 2680e4


def pools_table() -> pd.DataFrame:
    """InVEST carbon-pools table for the demo classes [t C/ha] (sources in the module docstring).

    Returns
    -------
    pandas.DataFrame
        ``lucode, lulc_name, lulc_name_zh, kind, c_above, c_below, c_soil, c_dead``.
    """
    tree = {1: 21.7, 2: 25.1, 3: 23.78, 4: 9.1, 5: 3.0, 6: 0.0, 7: 1.0, 8: 0.0}
    soil = {1: 90.0, 2: 106.24, 3: 71.63, 4: 60.0, 5: 44.0, 6: 0.0, 7: 20.0, 8: 255.0}
    dead = {1: 2.5, 2: 2.88, 3: 0.63, 4: 0.0, 5: 0.0, 6: 0.0, 7: 0.0, 8: 0.0}
    rows = []
    for code, (name, zh, kind) in CLASSES.items():
        above = tree[code] / 1.22 if kind == "forest" else tree[code]
        rows.append(
            {
                "lucode": code,
                "lulc_name": name,
                "lulc_name_zh": zh,
                "kind": kind,
                "c_above": round(above, 3),
                "c_below": round(tree[code] - above, 3),
                "c_soil": soil[code],
                "c_dead": dead[code],
                "color": CLASS_COLOURS[code],
            }
        )
    return pd.DataFrame(rows)


def _coarse_noise(rng: np.random.Generator, shape: tuple[int, int], smooth: int) -> np.ndarray:
    """Smooth noise in [0, 1]: white noise box-blurred *smooth* times."""
    a = rng.random(shape)
    for _ in range(smooth):
        a = (a + np.roll(a, 1, 0) + np.roll(a, -1, 0) + np.roll(a, 1, 1) + np.roll(a, -1, 1)) / 5
    a -= a.min()
    return a / a.max()


def make_landcover(
    counties: gpd.GeoDataFrame,
    built_up: gpd.GeoDataFrame,
    path: Path,
    *,
    seed: int,
    pixel_m: float = PIXEL_M,
    cell_pixels: int = CELL_PIXELS,
) -> tuple[Path, pd.DataFrame]:
    """Write the synthetic 30 m land-cover GeoTIFF; return its path and per-cell class counts.

    Parameters
    ----------
    counties, built_up : geopandas.GeoDataFrame
        The real counties and the synthetic built-up areas.
    path : pathlib.Path
        Output GeoTIFF.
    seed : int
        Random seed.
    pixel_m : float
        Pixel size [m] (30 for the full demo).
    cell_pixels : int
        Pixels per side of a stand cell; the smooth fields are drawn on this coarse grid.

    Returns
    -------
    tuple
        The path, and a table of pixel counts per stand cell (990 m in the full demo) and class
        (``cell_row, cell_col, class, pixels``) from which the stands are made.
    """
    rng = np.random.default_rng(seed + 80)
    c = sxcrs.to_metric(counties, what="counties")
    coarse_m = pixel_m * cell_pixels
    x0, y0, x1, y1 = c.total_bounds
    x0, y1 = np.floor(x0 / coarse_m) * coarse_m, np.ceil(y1 / coarse_m) * coarse_m
    ncol_c = int(np.ceil((x1 - x0) / coarse_m))
    nrow_c = int(np.ceil((y1 - y0) / coarse_m))
    width, height = ncol_c * cell_pixels, nrow_c * cell_pixels
    fine = from_origin(x0, y1, pixel_m, pixel_m)
    coarse = from_origin(x0, y1, coarse_m, coarse_m)
    rows = np.arange(nrow_c)[:, None] / nrow_c
    # hills rise to the south; smooth noise makes valleys and ridges
    hill = 0.55 * rows + 0.45 * _coarse_noise(rng, (nrow_c, ncol_c), 6)
    kind = _coarse_noise(rng, (nrow_c, ncol_c), 4)
    wet = _coarse_noise(rng, (nrow_c, ncol_c), 3)
    city = shapely.union_all(np.asarray(c.geometry.values))
    inside_c = features.rasterize([(city, 1)], out_shape=(nrow_c, ncol_c), transform=coarse, fill=0)
    threshold = np.quantile(hill[inside_c == 1], 1 - 0.585)  # built-up and water take some forest back
    wet_thr = np.quantile(wet[inside_c == 1], 0.94)
    north_y = y1 - NORTH_BAND_M
    bu = sxcrs.to_metric(built_up, what="built-up")
    profile = {
        "driver": "GTiff", "width": width, "height": height, "count": 1, "dtype": "uint8", "crs": c.crs,
        "transform": fine, "nodata": 0, "tiled": True, "blockxsize": 256, "blockysize": 256,
        "compress": "deflate",
    }  # fmt: skip
    counts = np.zeros((nrow_c * ncol_c, 9), dtype=np.int64)
    speckle = np.random.default_rng(seed + 81)
    path.parent.mkdir(parents=True, exist_ok=True)
    # the 30 m raster is small (about 17 MB in memory): build it whole, write it once, so the file's bytes do
    # not depend on GDAL's shared block cache (tile order), and the same seed gives the same file
    full = np.zeros((height, width), dtype=np.uint8)
    cp = cell_pixels
    for crow0 in range(0, nrow_c, 8):  # 8 coarse rows = 264 fine rows per window (full demo)
        nrc = min(8, nrow_c - crow0)
        win = windows.Window(0, crow0 * cp, width, nrc * cp)
        wt = windows.transform(win, fine)
        fields = {}
        for name, arr in (("hill", hill), ("kind", kind), ("wet", wet)):
            out = np.empty((nrc * cp, width), dtype="float32")
            reproject(arr.astype("float32"), out, src_transform=coarse, src_crs=c.crs, dst_transform=wt,
                      dst_crs=c.crs, resampling=Resampling.bilinear)  # fmt: skip
            fields[name] = out
        h, k, w = fields["hill"], fields["kind"], fields["wet"]
        h = h + speckle.normal(0, 0.02, h.shape).astype("float32")
        cls = np.full(h.shape, 5, dtype=np.uint8)
        forest = h > threshold
        cls[forest & (k < 0.45)] = 1
        cls[forest & (k >= 0.45) & (k < 0.8)] = 2
        cls[forest & (k >= 0.8) & (k < 0.9)] = 3
        cls[forest & (k >= 0.9)] = 4
        cls[~forest & (w > wet_thr)] = 6
        ys = y1 - (crow0 * cp + np.arange(nrc * cp)[:, None] + 0.5) * pixel_m
        cls[~forest & (w > wet_thr * 0.9) & (ys > north_y)] = 8
        shapes = [(g, 7) for g in bu.geometry.values]
        built = features.rasterize(shapes, out_shape=h.shape, transform=wt, fill=0, dtype="uint8")
        cls[built == 7] = 7
        inside = features.rasterize([(city, 1)], out_shape=h.shape, transform=wt, fill=0, dtype="uint8")
        cls[inside == 0] = 0
        full[crow0 * cp : crow0 * cp + nrc * cp] = cls
        cell = (crow0 + np.arange(nrc * cp)[:, None] // cp) * ncol_c + np.arange(width)[None, :] // cp
        counts += np.bincount((cell * 9 + cls).ravel(), minlength=nrow_c * ncol_c * 9).reshape(-1, 9)
    with rasterio.open(path, "w", **profile) as dst:
        dst.update_tags(
            synthetic="true",
            note="SYNTHETIC demo data, illustrative only",
            generator=f"sxgeo.demo seed={seed}",
        )
        dst.write(full, 1)
    nz = np.argwhere(counts > 0)
    table = pd.DataFrame(
        {
            "cell_row": nz[:, 0] // ncol_c,
            "cell_col": nz[:, 0] % ncol_c,
            "class": nz[:, 1],
            "pixels": counts[nz[:, 0], nz[:, 1]],
        }
    )
    table.attrs.update(x0=x0, y1=y1, crs=c.crs, city=city, pixel_m=pixel_m, cell_m=coarse_m)
    return path, table


def make_stands(cells: pd.DataFrame, *, seed: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Forest stands for 2020 and 2025 from the land-cover cell counts.

    Parameters
    ----------
    cells : pandas.DataFrame
        Second value of :func:`make_landcover`.
    seed : int
        Random seed.

    Returns
    -------
    tuple of geopandas.GeoDataFrame
        2020 and 2025 stands: ``stand_id, forest_type, area_ha, volume_m3`` (EPSG:4549).
    """
    rng = np.random.default_rng(seed + 90)
    forest = cells[cells["class"].between(1, 4)]
    piv = forest.pivot_table(index=["cell_row", "cell_col"], columns="class", values="pixels", fill_value=0)
    dominant = piv.idxmax(axis=1).to_numpy()
    pixel_m, cell_m = cells.attrs.get("pixel_m", PIXEL_M), cells.attrs.get("cell_m", COARSE_M)
    area_ha = piv.sum(axis=1).to_numpy() * pixel_m * pixel_m / 1e4
    n = len(piv)
    choices = {
        1: (["chinese_fir", "masson_pine", "other_conifer"], [0.55, 0.35, 0.10]),
        2: (["broadleaf_mix", "conif_broad_mix", "hardwood"], [0.5, 0.35, 0.15]),
        3: (["moso_bamboo"], [1.0]),
        4: (["tea", "shrub"], [0.6, 0.4]),
    }
    ftype = np.empty(n, dtype=object)
    for cls, (names, p) in choices.items():
        m = dominant == cls
        ftype[m] = rng.choice(names, int(m.sum()), p=p)
    trees = np.isin(dominant, [1, 2])
    v_ha = rng.gamma(4.0, 18.0, n) * trees
    v2020 = v_ha * area_ha
    v2020 *= STOCK_2020_M3 / v2020.sum()
    growth = rng.normal(1.0, 0.08, n).clip(0.7, 1.4) * trees
    v2025 = v2020 * (1 + 0.2 * growth)
    v2025 *= STOCK_2025_M3 / v2025.sum()
    x0, y1 = cells.attrs["x0"], cells.attrs["y1"]
    r = piv.index.get_level_values(0).to_numpy()
    c = piv.index.get_level_values(1).to_numpy()
    geoms = shapely.box(x0 + c * cell_m, y1 - (r + 1) * cell_m, x0 + (c + 1) * cell_m, y1 - r * cell_m)
    # forest pixels lie inside the city: so must the stands (else their outside share is lost)
    geoms = shapely.intersection(geoms, cells.attrs["city"])
    base = {
        "stand_id": [f"XB-{i:05d}" for i in range(1, n + 1)],
        "forest_type": ftype,
        "area_ha": np.round(area_ha, 2),
    }
    s20 = gpd.GeoDataFrame(
        {**base, "volume_m3": np.round(v2020, 1), "year": 2020}, geometry=geoms, crs=cells.attrs["crs"]
    )
    s25 = gpd.GeoDataFrame(
        {**base, "volume_m3": np.round(v2025, 1), "year": 2025}, geometry=geoms, crs=cells.attrs["crs"]
    )
    return _label(s20, seed), _label(s25, seed)


def make_wetlands(
    counties: gpd.GeoDataFrame,
    built_up: gpd.GeoDataFrame,
    *,
    seed: int,
    protected_share: float = 0.606,
    counts: tuple[int, int, int] = (45, 10, 20),
) -> gpd.GeoDataFrame:
    """Synthetic wetlands: lakes, rivers, northern tidal marsh and mudflat, paddy; protected flags.

    Parameters
    ----------
    counties, built_up : geopandas.GeoDataFrame
        The real counties and the synthetic built-up areas.
    seed : int
        Random seed.
    protected_share : float
        Target protected share of the wetland base (paddy excluded).
    counts : tuple of int
        Lakes, river corridors and paddy patches drawn (some may fall outside the city).

    Returns
    -------
    geopandas.GeoDataFrame
        ``wetland_id, name, wetland_type, protected`` in EPSG:4326.
    """
    rng = np.random.default_rng(seed + 100)
    c = sxcrs.to_metric(counties, what="counties")
    city = shapely.union_all(np.asarray(c.geometry.values))
    x0, y0, x1, y1 = city.bounds
    north = shapely.intersection(city, shapely.box(x0, y1 - 8000, x1, y1))
    rows = []

    def add(kind: str, geom: shapely.Geometry, name: str) -> None:
        geom = shapely.intersection(geom, city)
        if not geom.is_empty and geom.area > 1000:
            rows.append({"wetland_type": kind, "name": name, "geometry": geom})

    plain = shapely.intersection(city, shapely.box(x0, (y0 + y1) / 2, x1, y1))
    n_lakes, n_rivers, n_paddy = counts
    for i in range(n_lakes):
        px, py = rng.uniform(*plain.bounds[::2]), rng.uniform(*plain.bounds[1::2])
        add(
            "lake_reservoir",
            shapely.Point(px, py).buffer(np.sqrt(rng.uniform(0.1, 4.0) * 1e6 / np.pi)),
            f"湖泊{i + 1:02d}(合成)",
        )
    for i in range(n_rivers):
        start = np.array([rng.uniform(x0, x1), rng.uniform(y0, y1)])
        pts = np.cumsum(rng.normal(0, 1500, (12, 2)), axis=0) + start
        add("river_canal", shapely.LineString(pts).buffer(rng.uniform(40, 120)), f"河道{i + 1:02d}(合成)")
    shore = shapely.intersection(north, shapely.box(x0, y1 - 3000, x1, y1))
    add(
        "tidal_marsh",
        shapely.intersection(shore, shapely.box(x0, y1 - 3000, (x0 + x1) / 2 + 10000, y1)),
        "北部盐沼(合成)",
    )
    add(
        "mudflat",
        shapely.intersection(shore, shapely.box((x0 + x1) / 2 + 10000, y1 - 3000, x1, y1)),
        "北部滩涂(合成)",
    )
    for i in range(n_paddy):
        px, py = rng.uniform(*plain.bounds[::2]), rng.uniform(*plain.bounds[1::2])
        add(
            "paddy",
            shapely.Point(px, py).buffer(np.sqrt(rng.uniform(2, 10) * 1e6 / np.pi)),
            f"水田片区{i + 1:02d}(合成)",
        )
    out = gpd.GeoDataFrame(rows, crs=c.crs)
    built = shapely.union_all(np.asarray(sxcrs.to_metric(built_up).geometry.values))
    out.geometry = shapely.difference(np.asarray(out.geometry.values), built)
    # protect the largest lakes and the marsh first, until the base's protected share reaches the target
    base = out["wetland_type"] != "paddy"
    order = out[base].assign(
        a=out.area, prio=out["wetland_type"].map({"tidal_marsh": 0, "lake_reservoir": 1}).fillna(2)
    )
    order = order.sort_values(["prio", "a"], ascending=[True, False])
    target = protected_share * out.loc[base].area.sum()
    chosen, total = [], 0.0
    for idx, a in zip(order.index, order["a"], strict=True):
        if total + a <= target * 1.01 or total < target * 0.9:
            chosen.append(idx)
            total += a
        if total >= target:
            break
    out["protected"] = out.index.isin(chosen)
    out.insert(0, "wetland_id", [f"WL-{i:03d}" for i in range(1, len(out) + 1)])
    return _label(sxcrs.to_lonlat(out, what="demo wetlands"), seed)


def make_landcover_2025(path_2020: Path, built_up: gpd.GeoDataFrame, path: Path, *, seed: int) -> Path:
    """The 2025 map: built-up grows by a 300 m ring into forest and paddy; some paddy is afforested.

    Parameters
    ----------
    path_2020 : pathlib.Path
        The 2020 GeoTIFF from :func:`make_landcover`.
    built_up : geopandas.GeoDataFrame
        Synthetic built-up areas (grown by 300 m).
    path : pathlib.Path
        Output GeoTIFF (same grid).
    seed : int
        Random seed.

    Returns
    -------
    pathlib.Path
    """
    rng = np.random.default_rng(seed + 110)
    with rasterio.open(path_2020) as src:
        profile = src.profile
        tags = src.tags()
        cls = src.read(1)
        transform, crs = src.transform, src.crs
    bu = sxcrs.to_metric(built_up, crs, what="built-up")
    ring = [(g, 1) for g in shapely.buffer(np.asarray(bu.geometry.values), 300)]
    grown = features.rasterize(ring, out_shape=cls.shape, transform=transform, fill=0, dtype="uint8")
    cls = np.where((grown == 1) & np.isin(cls, [1, 2, 5]), 7, cls).astype(np.uint8)
    afforest = (cls == 5) & (rng.random(cls.shape) < 0.015)
    cls[afforest] = 1
    with rasterio.open(path, "w", **profile) as dst:
        dst.update_tags(**tags)
        dst.write(cls, 1)
    return path
