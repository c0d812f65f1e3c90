"""Synthetic sponge-city layers: projects, drainage sub-zones, land cover, LID facilities, rainfall.

Calibrated so the demo tells the plan's story (every feature ``synthetic = True``):

* **projects**: accepted sponge project parcels inside the synthetic built-up areas, completed
  2015-2025, so coverage is near 20% in 2020 and grows unevenly to 2025: most counties pass
  their target, 上虞区 stays behind (about 38% against 50%), 新昌县 passes its 30%. A few
  planned and in-construction parcels test the status filter.
* **sub-zones**: Voronoi drainage sub-zones tiling each built-up area exactly (about 3 km² each),
  with compliance flags (mostly true, some false, some unknown) and an evidence level.
* **land cover**: each sub-zone split into cells of roof, paving, green, permeable paving, water.
* **facilities**: LID facilities whose storage is drawn around what each sub-zone needs for a
  75% capture ratio, so some sub-zones pass, some fail narrowly and some fail widely.
* **rainfall**: 1991-2020 daily series from a seeded two-state Markov chain (wet/dry, monthly
  persistence) with gamma amounts; monthly shape with peaks in June (梅雨) and August; mean annual
  total and rain days calibrated to the plan's 2020 figures (1,566.5 mm, 161 days ≥ 0.1 mm), and
  the year 2020 adjusted to match them exactly (reference/sponge.md, addendum).
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.demo.base import _label, _partition, _sample_in, _spread_seeds
from sxgeo.sponge.rainfall import curve_from_daily
from sxgeo.sponge.zones import runoff_coefficients

log = logging.getLogger(__name__)

# coverage share of the built-up area by completed projects: (2020, 2025) per county
COVERAGE_PATH = {
    "330602": (0.22, 0.56),
    "330603": (0.20, 0.53),
    "330604": (0.18, 0.38),  # behind
    "330681": (0.21, 0.52),
    "330683": (0.19, 0.51),
    "330624": (0.17, 0.35),  # target 30%
}
PLAN_2020_TOTAL_MM = 1566.5
PLAN_2020_RAIN_DAYS = 161
# monthly shares of the annual total and of the rain days (Shaoxing-like: peaks in June and August)
MONTH_TOTAL = np.array([75, 85, 130, 125, 135, 245, 150, 190, 150, 75, 70, 55], dtype=float)
MONTH_DAYS = np.array([12, 12, 15, 15, 15, 17, 13, 15, 13, 9, 10, 10], dtype=float)
COVER_SHARES = {
    "roof_hard": 0.28,
    "paved": 0.26,
    "green": 0.22,
    "block_paved": 0.05,
    "permeable": 0.06,
    "roof_green": 0.04,
    "water": 0.05,
    "dirt": 0.04,
}


def make_rainfall(*, seed: int, first_year: int = 1991, last_year: int = 2020) -> pd.DataFrame:
    """A synthetic daily rainfall series calibrated to the plan's 2020 figures.

    Parameters
    ----------
    seed : int
        Random seed.
    first_year, last_year : int
        Years of the series (30 years by default, as the H-alpha method asks).

    Returns
    -------
    pandas.DataFrame
        Columns ``date, precip_mm, station_id`` (``SYNTHETIC-DEMO``).
    """
    rng = np.random.default_rng(seed + 10)
    dates = pd.date_range(f"{first_year}-01-01", f"{last_year}-12-31", freq="D")
    month = dates.month.to_numpy() - 1
    days_in_month = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    wet_days = MONTH_DAYS * PLAN_2020_RAIN_DAYS / MONTH_DAYS.sum()
    pi = wet_days / days_in_month  # stationary wet probability per month
    p11 = 0.62  # wet-after-wet persistence
    p01 = pi * (1 - p11) / (1 - pi)
    mean_wet = MONTH_TOTAL / MONTH_TOTAL.sum() * PLAN_2020_TOTAL_MM / wet_days  # mm per wet day
    shape = 0.6  # heavy right tail: a few days carry much of the year's rain
    wet = np.zeros(len(dates), dtype=bool)
    u = rng.random(len(dates))
    for i in range(1, len(dates)):
        p = p11 if wet[i - 1] else p01[month[i]]
        wet[i] = u[i] < p
    amount = rng.gamma(shape, mean_wet[month] / shape)
    precip = np.where(wet, np.maximum(amount, 0.1), 0.0)
    # calibrate the climate to the plan's 2020 figures: thin wet days to 161 a year on average,
    # then scale the amounts to 1,566.5 mm a year on average
    n_years = last_year - first_year + 1
    wet_idx = np.flatnonzero(precip > 0)
    excess = len(wet_idx) - PLAN_2020_RAIN_DAYS * n_years
    if excess > 0:
        precip[rng.choice(wet_idx, excess, replace=False)] = 0.0
    # each calendar month gets its climatological share of the total (peaks in June and August)
    target = MONTH_TOTAL / MONTH_TOTAL.sum() * PLAN_2020_TOTAL_MM * n_years
    for m in range(12):
        in_month = month == m
        precip[in_month] *= target[m] / precip[in_month].sum()
    precip = np.where(precip > 0, np.maximum(precip, 0.1), 0.0)
    frame = pd.DataFrame({"date": dates, "precip_mm": precip})
    # the year 2020 exactly as the plan reports it: 161 rain days, 1,566.5 mm
    y = (frame["date"].dt.year == 2020).to_numpy()
    if y.any():
        idx = np.flatnonzero(y)
        vals = frame.loc[y, "precip_mm"].to_numpy().copy()
        wet_idx = np.flatnonzero(vals > 0)
        if len(wet_idx) > PLAN_2020_RAIN_DAYS:
            drop = wet_idx[np.argsort(vals[wet_idx], kind="stable")[: len(wet_idx) - PLAN_2020_RAIN_DAYS]]
            vals[drop] = 0.0
        elif len(wet_idx) < PLAN_2020_RAIN_DAYS:
            dry = np.flatnonzero(vals == 0)
            add = rng.choice(dry, PLAN_2020_RAIN_DAYS - len(wet_idx), replace=False)
            vals[add] = rng.uniform(0.2, 3.0, len(add))
        vals *= PLAN_2020_TOTAL_MM / vals.sum()
        vals = np.where(vals > 0, np.maximum(vals, 0.1), 0.0)
        vals *= PLAN_2020_TOTAL_MM / vals.sum()
        frame.loc[idx, "precip_mm"] = vals
    frame["precip_mm"] = frame["precip_mm"].round(2)
    # rounding may move the 2020 total by hundredths: put the remainder on the wettest day
    if y.any():
        rest = round(PLAN_2020_TOTAL_MM - frame.loc[y, "precip_mm"].sum(), 2)
        top = frame.loc[y, "precip_mm"].idxmax()
        frame.loc[top, "precip_mm"] = round(frame.loc[top, "precip_mm"] + rest, 2)
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    frame["station_id"] = "SYNTHETIC-DEMO"
    return frame


def _parcel(rng: np.random.Generator, x: float, y: float) -> shapely.Polygon:
    w, h = rng.uniform(150, 650), rng.uniform(120, 450)
    box = shapely.box(-w / 2, -h / 2, w / 2, h / 2)
    return shapely.affinity.translate(shapely.affinity.rotate(box, rng.uniform(0, 90)), x, y)


class _CoveredArea:
    """Area [m2] of the union of the parcels added so far, within a built-up area, kept up to date.

    Each parcel adds its area inside the built-up area less what earlier parcels already cover there
    (the union of the few earlier pieces whose boxes meet it), so no union of all the parcels is ever
    formed: the same area as ``area(union(parcels) ∩ built_up)`` to rounding, at a cost per parcel
    that does not grow with the number of parcels.
    """

    def __init__(self, within: shapely.Geometry) -> None:
        self.within = within
        self.m2 = 0.0
        self.pieces: list[shapely.Geometry] = []
        self.boxes = np.empty((0, 4))

    def add(self, parcel: shapely.Geometry) -> None:
        """Add *parcel* (EPSG:4549) to the union."""
        piece = shapely.intersection(parcel, self.within)
        if shapely.is_empty(piece):
            return
        x0, y0, x1, y1 = shapely.bounds(piece)
        b = self.boxes
        near = np.flatnonzero((b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0))
        added = shapely.area(piece)
        if len(near):
            before = shapely.union_all([self.pieces[i] for i in near])
            added -= shapely.area(shapely.intersection(piece, before))
        self.m2 += added
        self.pieces.append(piece)
        self.boxes = np.vstack([b, [x0, y0, x1, y1]])


def make_projects(built_up: gpd.GeoDataFrame, *, seed: int) -> gpd.GeoDataFrame:
    """Sponge project parcels whose completed area follows :data:`COVERAGE_PATH`.

    Parameters
    ----------
    built_up : geopandas.GeoDataFrame
        Synthetic built-up areas (``adcode``).
    seed : int
        Random seed.

    Returns
    -------
    geopandas.GeoDataFrame
        ``project_id, name, county_adcode, status, completed_on, category, build_type`` in EPSG:4326.
    """
    rng = np.random.default_rng(seed + 20)
    bu = sxcrs.to_metric(built_up, what="built-up")
    records = []
    for adcode, geom in zip(bu["adcode"].astype(str), bu.geometry, strict=True):
        c20, c25 = COVERAGE_PATH.get(adcode, (0.2, 0.5))
        total = geom.area
        shapely.prepare(geom)
        covered = _CoveredArea(geom)
        n = 0
        for year in range(2015, 2026):
            share = (
                0.05 + (c20 - 0.05) * (year - 2015) / 5
                if year <= 2020
                else c20 + (c25 - c20) * (year - 2020) / 5
            )
            while covered.m2 < share * total:
                x, y = _sample_in(geom, 1, rng)[0]
                parcel = _parcel(rng, x, y)
                covered.add(parcel)
                n += 1
                day = pd.Timestamp(year=year, month=1, day=1) + pd.Timedelta(days=int(rng.integers(0, 365)))
                status = "accepted" if rng.random() < 0.8 else "completed"
                records.append((adcode, n, status, day.strftime("%Y-%m-%d"), parcel))
        for extra, status in ((6, "building"), (6, "planned")):
            for _ in range(extra):
                x, y = _sample_in(geom, 1, rng)[0]
                n += 1
                year = 2025 if status == "building" else 2027
                records.append((adcode, n, status, f"{year}-12-31", _parcel(rng, x, y)))
    cats = np.array(["plot", "road", "park", "water"])
    out = gpd.GeoDataFrame(
        {
            "project_id": [f"SP-{a}-{i:04d}" for a, i, *_ in records],
            "name": [f"海绵项目(合成) {a}-{i:04d}" for a, i, *_ in records],
            "county_adcode": [r[0] for r in records],
            "status": [r[2] for r in records],
            "completed_on": [r[3] for r in records],
            "category": rng.choice(cats, len(records), p=[0.5, 0.25, 0.2, 0.05]),
            "build_type": rng.choice(["new", "retrofit"], len(records), p=[0.4, 0.6]),
        },
        geometry=[r[4] for r in records],
        crs=bu.crs,
    )
    return _label(sxcrs.to_lonlat(out, what="demo sponge projects"), seed)


def make_subzones(built_up: gpd.GeoDataFrame, *, seed: int, zone_km2: float = 3.0) -> gpd.GeoDataFrame:
    """Drainage sub-zones tiling the built-up areas exactly, with compliance flags.

    Parameters
    ----------
    built_up : geopandas.GeoDataFrame
        Synthetic built-up areas.
    seed : int
        Random seed.
    zone_km2 : float
        Mean sub-zone size [km2].

    Returns
    -------
    geopandas.GeoDataFrame
        ``zone_id, name, level, ponding_ok, waterlogging_ok, water_quality_ok,
        no_dry_discharge, shoreline_ok, evidence`` in EPSG:4326.
    """
    rng = np.random.default_rng(seed + 30)
    bu = sxcrs.to_metric(built_up, what="built-up")
    regions = np.asarray(bu.geometry.values, dtype=object)
    seeds = [_spread_seeds(g, max(2, round(g.area / 1e6 / zone_km2)), rng, iters=8) for g in regions]
    cells = _partition(regions, seeds)
    rows = []
    for adcode, name, zone_cells in zip(bu["adcode"].astype(str), bu["name_zh"], cells, strict=True):
        for k, cell in enumerate(zone_cells, start=1):
            flags = {}
            for flag in (
                "ponding_ok",
                "waterlogging_ok",
                "water_quality_ok",
                "no_dry_discharge",
                "shoreline_ok",
            ):
                r = rng.random()
                flags[flag] = None if r < 0.06 else bool(r > 0.10)
            rows.append(
                {
                    "zone_id": f"SZ-{adcode}-{k:02d}",
                    "name": f"{name}排水分区{k:02d}(合成)",
                    "level": "drainage",
                    **flags,
                    "evidence": str(rng.choice(["monitored", "modelled", "design"], p=[0.3, 0.5, 0.2])),
                    "geometry": cell,
                }
            )
    out = gpd.GeoDataFrame(rows, crs=bu.crs)
    return _label(sxcrs.to_lonlat(out, what="demo sub-zones"), seed)


def make_landcover(subzones: gpd.GeoDataFrame, *, seed: int, cells_per_zone: int = 10) -> gpd.GeoDataFrame:
    """Land-cover polygons tiling each sub-zone (codes of the runoff-coefficient table).

    Parameters
    ----------
    subzones : geopandas.GeoDataFrame
        From :func:`make_subzones`.
    seed : int
        Random seed.
    cells_per_zone : int
        Land-cover polygons per sub-zone.

    Returns
    -------
    geopandas.GeoDataFrame
        ``cover, zone_id`` in EPSG:4326.
    """
    rng = np.random.default_rng(seed + 40)
    z = sxcrs.to_metric(subzones, what="sub-zones")
    regions = np.asarray(z.geometry.values, dtype=object)
    seeds = [_sample_in(g, cells_per_zone, rng) for g in regions]
    cells = _partition(regions, seeds)
    codes = np.array(list(COVER_SHARES))
    p = np.array(list(COVER_SHARES.values()))
    rows = []
    for zone_id, zone_cells in zip(z["zone_id"], cells, strict=True):
        # each sub-zone has its own mix: some greener, some more paved
        mix = rng.dirichlet(p * 25)
        for cell in zone_cells:
            rows.append({"cover": str(rng.choice(codes, p=mix)), "zone_id": zone_id, "geometry": cell})
    out = gpd.GeoDataFrame(rows, crs=z.crs)
    return _label(sxcrs.to_lonlat(out, what="demo land cover"), seed)


def make_facilities(
    subzones: gpd.GeoDataFrame,
    landcover: gpd.GeoDataFrame,
    rainfall: pd.DataFrame,
    projects: gpd.GeoDataFrame,
    *,
    seed: int,
) -> gpd.GeoDataFrame:
    """LID facilities sized around what each sub-zone needs for a 75% capture ratio.

    Sub-zones with more completed sponge projects get more storage, so Tier B roughly follows
    Tier A.

    Parameters
    ----------
    subzones, landcover : geopandas.GeoDataFrame
        From :func:`make_subzones` and :func:`make_landcover`.
    projects : geopandas.GeoDataFrame
        From :func:`make_projects`.
    rainfall : pandas.DataFrame
        From :func:`make_rainfall` (to size facilities against the same curve).
    seed : int
        Random seed.

    Returns
    -------
    geopandas.GeoDataFrame
        Points: ``fac_id, type, area_m2, volume_m3, status, completed_on, zone_id`` in EPSG:4326.
    """
    rng = np.random.default_rng(seed + 50)
    curve = curve_from_daily(rainfall["precip_mm"])
    h75 = float(curve.depth_for(0.75))
    z = sxcrs.to_metric(subzones, what="sub-zones")
    lc = sxcrs.to_metric(landcover, what="land cover")
    psi_of = runoff_coefficients()
    lc = lc[lc["cover"] != "water"]
    lc_area = shapely.area(np.asarray(lc.geometry.values))
    stats = pd.DataFrame({"zone_id": lc["zone_id"], "a": lc_area, "pa": lc_area * lc["cover"].map(psi_of)})
    grouped = stats.groupby("zone_id").sum()
    done = projects[projects["status"].isin(["accepted", "completed"])]
    union = shapely.union_all(np.asarray(sxcrs.to_metric(done, what="projects").geometry.values))
    share = shapely.area(shapely.intersection(np.asarray(z.geometry.values), union)) / shapely.area(
        np.asarray(z.geometry.values)
    )
    rows = []
    for zone_id, geom, covered in zip(z["zone_id"], z.geometry, share, strict=True):
        a, pa = grouped.loc[zone_id, "a"], grouped.loc[zone_id, "pa"]
        psi = pa / a
        need = 10 * h75 * psi * a / 10_000  # m3 for alpha = 75%
        # storage grows with the share of the zone under completed projects, with some noise
        ratio = max(0.2, 0.40 + 1.5 * covered + rng.normal(0, 0.15))
        target = ratio * need
        # about a fifth of the storage in gardens and sunken greens, the rest in storage tanks and
        # modules: the volumes that count (技术指南 2014 附录1). Detention ponds and conveyance swales
        # come on top (regulating / conveyance storage, counted only with --include-regulating), so
        # the default shows the same mix of passing and failing sub-zones as the sizing above.
        small = []
        budget = 0.2 * target
        while budget > 0:
            kind = str(rng.choice(["bioretention", "sunken_green"]))
            area = float(rng.uniform(600, 3000))
            depth = {"bioretention": 250, "sunken_green": 150}[kind]
            vol = area * depth / 1000 + 1e-6 * area * 7200
            small.append((kind, round(area, 1), np.nan))
            budget -= vol
        rest = 0.8 * target
        big = []
        while rest > 0:
            vol = float(min(rest, rng.uniform(500, 6000)))
            big.append(("tank", np.nan, round(max(vol, 50.0), 1)))
            rest -= vol
        for _ in range(int(rng.integers(0, 3))):
            big.append(("swale", round(float(rng.uniform(300, 1500)), 1), np.nan))
        if rng.random() < 0.5:
            big.append(("detention_pond", np.nan, round(float(rng.uniform(0.1, 0.4)) * need, 1)))
        pts = _sample_in(geom, len(small) + len(big), rng)
        for (kind, area, vol), (x, y) in zip(small + big, pts, strict=True):
            year = int(rng.integers(2015, 2026))
            status = "accepted" if year <= 2024 else str(rng.choice(["completed", "building"]))
            rows.append(
                {
                    "type": kind,
                    "area_m2": area,
                    "volume_m3": vol,
                    "status": status,
                    "completed_on": f"{year}-{int(rng.integers(1, 13)):02d}-15",
                    "zone_id": zone_id,
                    "geometry": shapely.Point(x, y),
                }
            )
        if rng.random() < 0.3:  # a planned facility for the what-if
            x, y = _sample_in(geom, 1, rng)[0]
            rows.append(
                {
                    "type": "tank",
                    "area_m2": np.nan,
                    "volume_m3": round(0.4 * need, 1),
                    "status": "planned",
                    "completed_on": "2027-06-30",
                    "zone_id": zone_id,
                    "geometry": shapely.Point(x, y),
                }
            )
    out = gpd.GeoDataFrame(rows, crs=z.crs)
    out.insert(0, "fac_id", [f"LID-{i:05d}" for i in range(1, len(out) + 1)])
    return _label(sxcrs.to_lonlat(out, what="demo facilities"), seed)
