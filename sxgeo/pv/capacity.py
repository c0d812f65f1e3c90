"""Rooftop PV capacity and generation of every building, vectorised (no loop over buildings).

Per building (reference/pv.md §5.1)::

    A_fp     footprint area in EPSG:4549 [m2]; below the category minimum -> 0
    A_eff    = A_fp × u × s_nn / cos(pitch)     s_nn: share of roof planes not facing north
    P_kWp    = A_eff × c × ρ / 1000
    E_MWh    = P_kWp × Y(tilt, azimuth) × (1 − L_shade) / 1000
    P_policy = P_kWp × s_cat                    NEA whole-county pilot floor of the category

Categories and their factors come from ``sxgeo/data/pv_roof_params.csv`` (cited, overridable).
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import crs as sxcrs
from sxgeo.data import read_param_table
from sxgeo.errors import SchemaError, SxgeoError
from sxgeo.parallel import chunked
from sxgeo.params import parse_numbers, source_of
from sxgeo.pv.energy import lookup_yield

log = logging.getLogger(__name__)

NORTH_SECTOR_DEG = 45.0
"""A plane whose azimuth is within this of north counts as north-facing and hosts nothing [deg]."""
SHADE_LIMIT = 0.30
"""Roofs losing more than this to shading are unsuitable (NREL rule, reference/pv.md §1.1)."""
FLOOR_HEIGHT_M = 3.0
"""Storey height used when only ``floors`` is known [m]."""

USE_ALIASES = {
    "industrial": "industrial",
    "industry": "industrial",
    "warehouse": "industrial",
    "factory": "industrial",
    "工业": "industrial",
    "厂房": "industrial",
    "仓储": "industrial",
    "public": "public",
    "school": "public",
    "hospital": "public",
    "公共": "public",
    "学校": "public",
    "医院": "public",
    "government": "government",
    "office_gov": "government",
    "机关": "government",
    "commercial": "commercial",
    "商业": "commercial",
    "office": "commercial",
    "residential": "residential",
    "住宅": "residential",
    "rural_residential": "rural_residential",
    "农村住宅": "rural_residential",
    "农房": "rural_residential",
}


def roof_params(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Roof-category parameters (u, share of non-north planes, pitch, c, ρ, minimum footprint, policy share).

    Parameters
    ----------
    table : pandas.DataFrame, optional
        A user table with the columns of ``sxgeo/data/pv_roof_params.csv``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``category``.
    """
    if table is None:
        table = read_param_table("pv_roof_params.csv")
    need = {"category", "u", "non_north_share", "pitch_deg", "c", "rho_w_m2", "min_footprint_m2",
            "mount_tilt_deg", "policy_share", "roof"}  # fmt: skip
    missing = need - set(table.columns)
    if missing:
        msg = f"PV parameter table lacks columns {sorted(missing)}"
        raise SchemaError(msg)
    numbers = ("u", "non_north_share", "pitch_deg", "c", "rho_w_m2", "min_footprint_m2", "mount_tilt_deg",
               "policy_share")  # fmt: skip
    table = parse_numbers(table, numbers, source=source_of(table, "PV parameter table"), required=True)
    return table.set_index("category")


def categorise(buildings: pd.DataFrame, params: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Roof category of each building from ``use`` and ``roof_type`` (defaults: pitched residential).

    Parameters
    ----------
    buildings : pandas.DataFrame
        With optional ``use`` and ``roof_type`` (flat / pitched / steel / mono).
    params : pandas.DataFrame
        From :func:`roof_params`.

    Returns
    -------
    tuple
        Category per building, and how many were assumed (no usable ``use``).
    """
    codes, names, assumed = _category_codes(buildings, params)
    return names[codes], assumed


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Code of each value into the distinct values (missing: the last code), and those values.

    The distinct values come back as a Series of the column's dtype with one missing value
    appended, so a text rule applied to them and spread back by the codes equals the rule applied
    to every row (a million roofs hold a handful of distinct ``use`` and ``roof_type`` values).
    """
    codes, uniques = pd.factorize(values)
    distinct = pd.concat([pd.Series(uniques), values.iloc[:0].reindex([0])], ignore_index=True)
    return np.where(codes < 0, len(uniques), codes), distinct


def _category_codes(buildings: pd.DataFrame, params: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int]:
    """:func:`categorise` as codes: each building's index into the category names, the names, the assumed.

    The rules of :func:`categorise` run on the distinct ``use`` and ``roof_type`` values, and the
    categories are spread back to the buildings by code (no text work per building).
    """
    n = len(buildings)
    if "use" in buildings.columns:
        use_code, use_values = _distinct(buildings["use"])
        use = use_values.astype(str).str.strip().str.lower().map(USE_ALIASES)
    else:
        use_code, use = np.zeros(n, dtype=np.int64), pd.Series([None])
    known = use.notna().to_numpy()
    assumed = int(n - np.bincount(use_code, minlength=len(known))[known].sum())
    cat = use.fillna("residential").to_numpy(dtype=object)
    if "roof_type" in buildings.columns:
        flat_code, roof_values = _distinct(buildings["roof_type"])
        flat = roof_values.astype(str).str.lower().isin(["flat", "平", "平屋面"]).to_numpy()
    else:
        flat_code, flat = np.zeros(n, dtype=np.int64), np.zeros(1, dtype=bool)
    # every (use, roof) pair: its category (the flat variant of the two residential categories)
    pair_use = np.repeat(np.arange(len(cat)), len(flat))
    pair_flat = np.tile(flat, len(cat))
    pair_cat = cat[pair_use]
    for base in ("residential", "rural_residential"):
        pair_cat = np.where(pair_flat & (pair_cat == base), f"{base}_flat", pair_cat)
    pair = use_code * len(flat) + flat_code
    present = np.zeros(len(pair_cat), dtype=bool)
    present[pair] = True
    unknown = sorted(set(pair_cat[present]) - set(params.index))
    if unknown:
        msg = f"no PV parameters for categories {unknown}; add them to the parameter table"
        raise SxgeoError(msg)
    names, pair_code = np.unique(pair_cat.astype(str), return_inverse=True)
    return pair_code[pair], names.astype(object), assumed


MAX_HEIGHT_BANDS = 16
"""Height bands of :func:`horizon_angles` are the distinct heights when there are at most this many."""


def roof_heights(buildings: pd.DataFrame) -> np.ndarray | None:
    """Building heights [m]: ``height_m``, else ``floors`` × :data:`FLOOR_HEIGHT_M` (None: neither).

    A number column is read as it is (empty cells: unknown height, no shading cast or received); a
    text column (a shapefile or spreadsheet's) goes through :func:`sxgeo.params.parse_numbers`, so a
    cell such as ``12米`` or ``n/a`` is refused naming the feature, not read as an unknown height.

    Raises
    ------
    SchemaError
        A height or floor cell that is not a number.
    """
    for col, factor in (("height_m", 1.0), ("floors", FLOOR_HEIGHT_M)):
        if col not in buildings.columns:
            continue
        values = buildings[col]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            frame = pd.DataFrame({col: values.to_numpy(dtype=object)}, index=buildings.index)
            parsed = parse_numbers(frame, [col], source=source_of(buildings), features=True)
            return parsed[col].to_numpy(dtype=float) * factor
        return values.to_numpy(dtype=float) * factor
    return None


def horizon_angles(
    geoms: np.ndarray, heights: np.ndarray, *, reach: float = 3.0, areas: np.ndarray | None = None
) -> np.ndarray:
    """Highest elevation angle of taller neighbours to the south of each roof [deg].

    A neighbour counts when it lies south of the roof (east through south to west: the sun's
    side at 30°N), is taller, and is within *reach* times the height difference. Distances are
    between centroids less the two equivalent radii (sqrt(area/π)), an estimate good enough
    for a horizon angle and fast for a city's worth of roofs.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely.Polygon
        Footprints in a projected CRS [m].
    heights : numpy.ndarray
        Building heights [m] (NaN: unknown, no shading cast or received).
    reach : float
        Neighbours farther than reach × height difference are ignored.
    areas : numpy.ndarray, optional
        ``shapely.area`` of *geoms* when already computed [m2].

    Returns
    -------
    numpy.ndarray
    """
    h = np.nan_to_num(np.asarray(heights, dtype=float), nan=0.0)
    out = np.zeros(len(geoms))
    if len(geoms) == 0 or h.max() <= 0:
        return out
    xy = shapely.get_coordinates(chunked(shapely.centroid, geoms))
    radius = np.sqrt((shapely.area(geoms) if areas is None else areas) / np.pi)
    # the roofs in spatial order (rows of SORT_CELL_M cells): the gathers of the pairs below then read
    # nearby memory (in file order they miss the cache: ~2x the time); the angles do not depend on it
    cell = np.floor((xy - xy.min(axis=0)) / SORT_CELL_M).astype(np.int64)
    order = np.lexsort((cell[:, 0], cell[:, 1]))
    out[order] = _horizon_sorted(xy[order], radius[order], h[order], reach)
    return out


SORT_CELL_M = 250.0
"""Cell side [m] of the spatial order :func:`horizon_angles` puts the roofs in before pairing them."""


def _horizon_sorted(xy: np.ndarray, radius: np.ndarray, h: np.ndarray, reach: float) -> np.ndarray:
    """:func:`horizon_angles` of roofs given by centroid, equivalent radius and height [m]."""
    out = np.zeros(len(h))
    # the casters in height bands (each distinct height when there are at most MAX_HEIGHT_BANDS of them,
    # else up to 8 quantile bands), each band searched with the radius its own tallest caster needs, not
    # the city's tallest: a 3 m roof looks 3 x 97 m around it only for the few 100 m towers. Every pair
    # that counts is found (its caster's band radius covers it), so the angles are those of one search
    # with the city-wide radius.
    known = h[h > 0]
    levels = np.unique(known, return_counts=True)[0]  # sorted (the counting path; the plain one hashes)
    edges = (
        levels if len(levels) <= MAX_HEIGHT_BANDS else np.unique(np.quantile(known, np.linspace(0.0, 1.0, 9)))
    )
    origin = xy.min(axis=0)
    x, y = np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])
    # band k holds the heights in (edges[k-1], edges[k]]; unknown heights (0) fall in band 0 as targets
    member = np.searchsorted(edges, h, side="left")
    by_band = np.argsort(member, kind="stable")
    starts = np.searchsorted(member[by_band], np.arange(len(edges) + 1))
    for k, high in enumerate(edges.tolist()):
        band = by_band[starts[k] : starts[k + 1]]
        band = band[h[band] > 0]
        if len(band) == 0:
            continue
        r_casters = float(radius[band].max())
        # the targets band by band too: each target band is searched with the radius its own lowest
        # roof needs against this caster band's tallest, so a 90 m roof does not look 3 x 97 m around
        for t in range(k + 1):
            targets = by_band[starts[t] : starts[t + 1]]
            if t == k:
                targets = targets[h[targets] < high]
            if len(targets) == 0:
                continue
            side = reach * (high - h[targets].min()) + float(radius[targets].max()) + r_casters
            i, j = _south_candidates(xy, band, targets, max(float(side), 1.0), origin)
            # a caster of a higher band is always the taller: only the band's own roofs compare heights
            _cast_shade(out, i, j, (x, y, radius, h), reach, compare_heights=t == k)
    return out


def _cast_shade(
    out: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    roofs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    reach: float,
    *,
    compare_heights: bool,
) -> None:
    """Raise ``out[i]`` to the elevation angle [deg] of caster *j* where it is south, taller and near enough.

    *roofs*: centroid x, y, equivalent radius and height [m] of every roof. A pair counts when the caster
    is south of the target (and taller, checked when *compare_heights*) and its distance less both radii
    (at least 0.5 m) is within *reach* times the height difference.
    """
    x, y, radius, h = roofs
    yi, yj = y[i], y[j]
    keep = yj < yi
    if compare_heights:
        keep &= h[j] > h[i]
    i, j = i[keep], j[keep]
    d = np.hypot(x[j] - x[i], yj[keep] - yi[keep]) - radius[i] - radius[j]
    d = np.maximum(d, 0.5)
    dh = h[j] - h[i]
    near = d <= reach * dh
    angle = np.degrees(np.arctan2(dh[near], d[near]))
    np.maximum.at(out, i[near], angle)


SPLIT = 2
"""Grid cells per search side in :func:`_south_candidates` (2: 3.75 side² searched per target, not 6)."""


def _south_candidates(
    xy: np.ndarray,
    casters: np.ndarray,
    targets: np.ndarray,
    side: float,
    origin: np.ndarray,
    *,
    split: int = SPLIT,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (target, caster) with the caster near the target and south of its grid row (a superset).

    A superset of the pairs whose centres lie within *side* of each other in x and y with the caster to
    the south: the grid's cells have side ``side / split``; the casters are sorted by cell (column-major,
    so a column's ``split + 1`` cells are one run of the order), and each target takes the runs of its own
    and the ``split`` columns either side, its own cell row and the ``split`` below (a table of where each
    cell's run starts: no tree, no Python loop). Finer cells (a larger *split*) search less area
    (``(2 split + 1)(split + 1) / split²`` side², 6 at 1, 3.75 at 2) with more runs per target.
    """
    k = int(split)
    cell_m = side / k
    cx = np.floor((xy[casters, 0] - origin[0]) / cell_m).astype(np.int64)
    cy = np.floor((xy[casters, 1] - origin[1]) / cell_m).astype(np.int64)
    rows = int(cy.max()) + 2 * k + 1  # rows 0 .. max + 2k (shifted by k): no run wraps into the next column
    columns = int(cx.max()) + 2 * k + 2  # targets' columns clipped to max + 1 (shifted), k either side
    key = (cx + k) * rows + (cy + k)
    order = np.argsort(key, kind="stable")
    sorted_casters = casters[order]
    # targets beyond every caster are clipped to the grid: the runs are then a superset, as everywhere
    tx = np.minimum(np.floor((xy[targets, 0] - origin[0]) / cell_m).astype(np.int64), columns - 1 - 2 * k)
    ty = np.minimum(np.floor((xy[targets, 1] - origin[1]) / cell_m).astype(np.int64), rows - 1 - k)
    n_keys = columns * rows
    if n_keys <= DENSE_CELLS_MAX:
        # first[c]: casters in cells before key c (a gather per target, not a binary search)
        first = np.zeros(n_keys + 1, dtype=np.int64)
        np.cumsum(np.bincount(key, minlength=n_keys), out=first[1:])
    else:
        first = None
        sorted_key = key[order]
    found_t, found_c = [], []
    for dx in range(-k, k + 1):
        cell = (tx + dx + k) * rows + ty  # rows ty - k .. ty: keys (cy + k) from ty to ty + k
        if first is not None:
            lo, hi = first[cell], first[cell + k + 1]
        else:
            lo = np.searchsorted(sorted_key, cell, side="left")
            hi = np.searchsorted(sorted_key, cell + k, side="right")
        lens = hi - lo
        owner = np.repeat(np.arange(len(targets)), lens)
        pos = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens - lo, lens)
        found_t.append(targets[owner])
        found_c.append(sorted_casters[pos])
    return np.concatenate(found_t), np.concatenate(found_c)


DENSE_CELLS_MAX = 20_000_000
"""Largest grid (cells) whose run starts :func:`_south_candidates` keeps in one table (else binary search)."""


def building_potential(
    buildings: gpd.GeoDataFrame,
    yields: pd.DataFrame | None = None,
    *,
    params: pd.DataFrame | None = None,
    fixed_yield_kwh_kwp: float | None = None,
    ghi_scale: np.ndarray | None = None,
    horizon_loss: pd.DataFrame | None = None,
    emission_factor_kg_kwh: float = 0.5617,
) -> gpd.GeoDataFrame:
    """Capacity, generation and policy scenario of every building.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        Footprints with a CRS; optional ``use``, ``roof_type``, ``azimuth_deg`` (direction the
        main roof plane faces), ``height_m`` or ``floors``.
    yields : pandas.DataFrame, optional
        From :func:`sxgeo.pv.energy.yield_table`.
    params : pandas.DataFrame, optional
        Roof parameters (default the cited table).
    fixed_yield_kwh_kwp : float, optional
        One yield for every roof instead of *yields* (e.g. 950, for hand checks).
    ghi_scale : numpy.ndarray, optional
        GHI at each building over the table's GHI (a GHI raster sampled at the buildings).
    horizon_loss : pandas.DataFrame, optional
        From :func:`sxgeo.pv.energy.horizon_loss_table`; used when heights are present.
    emission_factor_kg_kwh : float
        Grid CO2 factor [kg CO2/kWh] (default East China 2022, MEE+NBS series).

    Returns
    -------
    geopandas.GeoDataFrame
        The input columns plus ``category, footprint_m2, usable_m2, capacity_kwp, policy_kwp,
        yield_kwh_kwp, shade_loss, suitable, generation_mwh, co2_avoided_t`` (EPSG:4549).
    """
    if yields is None and fixed_yield_kwh_kwp is None:
        msg = "give a yield table (sxgeo.pv.energy.yield_table) or fixed_yield_kwh_kwp"
        raise SxgeoError(msg)
    p = roof_params(params)
    b = sxcrs.to_metric(buildings, what="buildings")  # not changed here: assign below makes the result
    geoms = np.asarray(b.geometry.values, dtype=object)
    codes, names, assumed = _category_codes(b, p)
    if assumed:
        log.info("%d buildings without a known use: treated as pitched residential roofs", assumed)
    rows = p.loc[names]  # one row per category present, spread to the buildings by code

    def per_roof(col: str, dtype: type = float) -> np.ndarray:
        return rows[col].to_numpy(dtype=dtype)[codes]

    area = shapely.area(geoms)
    pitch = per_roof("pitch_deg")
    share = per_roof("non_north_share")
    pitched = (rows["roof"].to_numpy() == "pitched")[codes]
    tilt = np.where(pitched, pitch, per_roof("mount_tilt_deg"))
    az = np.full(len(b), 180.0)
    if "azimuth_deg" in b.columns:
        given = pd.to_numeric(b["azimuth_deg"], errors="coerce").to_numpy(dtype=float)
        has = np.isfinite(given)
        # a pitched roof has planes facing the given azimuth and its opposite: use the sunnier one
        north = lambda a: np.abs(((a + 180) % 360) - 180) <= NORTH_SECTOR_DEG  # noqa: E731
        opp = (given + 180) % 360
        south_side = np.where(np.abs(((given - 180) + 180) % 360 - 180) <= 90, given, opp)
        az = np.where(has, np.where(pitched, south_side, az), az)
        mono = (
            b["roof_type"].astype(str).str.lower().eq("mono").to_numpy()
            if "roof_type" in b.columns
            else False
        )
        az = np.where(has & mono, given, az)
        tilt = np.where(has & mono, np.maximum(pitch, 10), tilt)
        share = np.where(has & mono, np.where(north(given), 0.0, 1.0), share)
        both = has & pitched & ~mono
        share = np.where(both, 0.5 * (~north(given)).astype(float) + 0.5 * (~north(opp)).astype(float), share)
    big_enough = area >= per_roof("min_footprint_m2")
    usable = np.where(big_enough, area * per_roof("u") * share / np.cos(np.radians(pitch)), 0.0)
    cap = usable * per_roof("c") * per_roof("rho_w_m2") / 1000
    if fixed_yield_kwh_kwp is not None:
        y = np.full(len(b), float(fixed_yield_kwh_kwp))
    else:
        assert yields is not None  # checked above: yields or fixed_yield_kwh_kwp
        mount = per_roof("mount", object) if "mount" in rows.columns else None
        y = lookup_yield(yields, tilt, az, mount)
    if ghi_scale is not None:
        y = y * np.nan_to_num(np.asarray(ghi_scale, dtype=float), nan=1.0)
    loss = np.zeros(len(b))
    heights = roof_heights(b)
    if heights is not None and horizon_loss is not None:
        hz = horizon_angles(geoms, heights, areas=area)
        loss = np.interp(hz, horizon_loss["horizon_deg"], horizon_loss["loss"])
    suitable = (cap > 0) & (loss <= SHADE_LIMIT)
    cap = np.where(suitable, cap, 0.0)
    gen = cap * y * (1 - loss) / 1000
    out = b.assign(
        category=pd.Series(pd.Index(names, dtype="str").take(codes), index=b.index),
        footprint_m2=np.round(area, 2),
        usable_m2=np.round(np.where(suitable, usable, 0.0), 2),
        capacity_kwp=np.round(cap, 3),
        policy_kwp=np.round(cap * per_roof("policy_share"), 3),
        yield_kwh_kwp=np.round(y, 1),
        shade_loss=np.round(loss, 4),
        suitable=suitable,
        generation_mwh=np.round(gen, 4),
        co2_avoided_t=np.round(gen * emission_factor_kg_kwh, 4),
    )
    return out


EF_BASES = ("average", "fossil", "baseline_cm")
"""Bases of the avoided-emission factor: grid average (MEE+NBS, a *consumption* factor: it prices
electricity used; the default, as the plan names none), fossil power (national fossil-power factor)
or ``baseline_cm``, the regional grid baseline combined margin (MEE 区域电网基准线排放因子, OM/BM
weighted 0.75/0.25 for wind and solar per the CDM electricity-system tool): the generation a new PV
plant displaces, the basis of CCER-style avoided emissions."""


def emission_factor(
    year: int = 2022, region: str = "east_china", basis: str = "average"
) -> tuple[float, str]:
    """Grid CO2 emission factor from the cited table [kg CO2/kWh], with its description.

    Parameters
    ----------
    year : int
        Data year of the factor.
    region : {'east_china', 'national'}
        Grid region (the fossil-power factor is published for the nation only: used for any region).
    basis : {'average', 'fossil', 'baseline_cm'}
        Grid-average factor (default; East China 2022: 0.5617), the national fossil-power factor
        (2022: 0.8325) or the regional grid baseline combined margin (East China: 0.6960, the latest
        edition in the table not after *year* [verify]).

    Returns
    -------
    tuple
        The factor and a line naming its basis, series, region, year and document.
    """
    if basis not in EF_BASES:
        msg = f"emission-factor basis must be one of {', '.join(EF_BASES)}, got {basis!r}"
        raise SxgeoError(msg)
    t = read_param_table("grid_emission_factors.csv")
    t = t[t["basis"] == basis] if "basis" in t.columns else t
    where = "national" if basis == "fossil" else region
    hit = t[(t["data_year"] == year) & (t["region"] == where)]
    if hit.empty and basis == "baseline_cm":  # published every few years: the latest edition up to *year*
        older = t[(t["data_year"] <= year) & (t["region"] == where)]
        hit = older[older["data_year"] == older["data_year"].max()] if len(older) else older
    if hit.empty:
        known = sorted(zip(t["region"], t["data_year"], strict=True))
        msg = f"no {basis} grid factor for {where} {year}; known: {known}"
        raise SxgeoError(msg)
    r = hit.iloc[0]
    return float(r["kgco2_per_kwh"]), (
        f"{basis} basis, {r['region']} {r['data_year']}: {r['kgco2_per_kwh']} kg CO2/kWh "
        f"({r['series']}; {r['document']})"
    )
