"""CRS policy: the one place that decides projections and converts Chinese web-map coordinates.

* Areas and lengths are measured only in a projected CRS. The default is :data:`METRIC`,
  EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E), whose central meridian runs through
  Shaoxing (119.9-121.3 E), so its scale error there is below 1e-4.
* Any area or length asked of a geographic CRS raises :class:`~sxgeo.errors.CRSError`.
* Web maps take :data:`WGS84` (EPSG:4326). CGCS2000 and WGS84 differ by centimetres, far below
  anything sxgeo measures, so the two are used interchangeably for lon/lat.
* GCJ-02 (the offset "Mars" coordinates of AMap/Gaode, Tencent and most Chinese web maps) and
  BD-09 (Baidu) are *not* CRSs that PROJ knows. They are obfuscations of WGS84 by a published
  formula, about 500 m in Shaoxing. The formulas (forward, and an iterative inverse, vectorised
  with numpy) live in :mod:`sxgeo.crs._offsets` and are re-exported here; this module applies
  them to GeoDataFrames (:func:`from_offset_lonlat`, :func:`to_offset_lonlat`).
* The true ground area of raster pixels (:func:`pixel_areas`, :func:`pixel_row_areas`) is decided
  here too: which CRS measures a pixel is a CRS decision.

Every reprojection done here is logged at INFO, so none is silent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyproj
import shapely
from pyproj import CRS, Geod, Transformer
from pyproj.exceptions import CRSError as _ProjCRSError

from sxgeo.crs._offsets import BD09 as BD09
from sxgeo.crs._offsets import GCJ02 as GCJ02
from sxgeo.crs._offsets import OFFSET_CRS_NAMES as OFFSET_CRS_NAMES
from sxgeo.crs._offsets import bd09_to_gcj02 as bd09_to_gcj02
from sxgeo.crs._offsets import bd09_to_wgs84 as bd09_to_wgs84
from sxgeo.crs._offsets import gcj02_to_bd09 as gcj02_to_bd09
from sxgeo.crs._offsets import gcj02_to_wgs84 as gcj02_to_wgs84
from sxgeo.crs._offsets import offset_crs_name as offset_crs_name
from sxgeo.crs._offsets import transform_geometries as transform_geometries
from sxgeo.crs._offsets import wgs84_to_bd09 as wgs84_to_bd09
from sxgeo.crs._offsets import wgs84_to_gcj02 as wgs84_to_gcj02
from sxgeo.errors import CRSError

if TYPE_CHECKING:
    import geopandas as gpd
    from numpy.typing import ArrayLike, NDArray

log = logging.getLogger(__name__)

CGCS2000 = "EPSG:4490"
"""CGCS2000 geographic lon/lat, China's official datum."""
METRIC = "EPSG:4549"
"""Default CRS for areas and distances: CGCS2000 / 3-degree Gauss-Kruger CM 120E [m]."""
WGS84 = "EPSG:4326"
"""WGS84 lon/lat, what web maps take."""
WEB_MERCATOR = "EPSG:3857"
"""Web Mercator, the tiling of web basemaps (never for measuring)."""

SHAOXING_BOUNDS_LONLAT = (119.88, 29.22, 121.23, 30.30)
"""Approximate lon/lat bounds of Shaoxing city (min lon, min lat, max lon, max lat) [deg]."""


def parse_crs(crs: Any) -> CRS:
    """Turn an EPSG code, authority string, WKT or :class:`pyproj.CRS` into a :class:`pyproj.CRS`.

    Parameters
    ----------
    crs : int, str or pyproj.CRS
        For example ``4549``, ``"EPSG:4549"`` or ``"4549"``.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    CRSError
        When *crs* is not a CRS PROJ knows, or names GCJ-02/BD-09 (which PROJ cannot use).
    """
    if isinstance(crs, CRS):
        return crs
    if offset_crs_name(crs):
        msg = (
            f"{crs!r} is an offset coordinate system, not a CRS PROJ can use; "
            "convert it with sxgeo.crs.from_offset_lonlat() (read_layer(..., crs='gcj02') does)"
        )
        raise CRSError(msg)
    if isinstance(crs, str) and crs.strip().isdigit():
        crs = int(crs.strip())
    try:
        return CRS.from_user_input(crs)
    except _ProjCRSError as exc:
        msg = f"{crs!r} is not a CRS PROJ knows ({exc}); give an EPSG code such as 4549 or 4326"
        raise CRSError(msg) from exc


def is_geographic(crs: Any) -> bool:
    """Whether *crs* has angular (degree) coordinates.

    Parameters
    ----------
    crs : Any
        Anything :func:`parse_crs` accepts.

    Returns
    -------
    bool
    """
    return bool(parse_crs(crs).is_geographic)


def require_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, what: str = "layer") -> CRS:
    """Return the CRS of *gdf*, or raise when it has none.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame or geopandas.GeoSeries
        The data to check.
    what : str
        How to name the data in the message (a file name, a parameter name).

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    CRSError
        When the CRS is missing.
    """
    if gdf.crs is None:
        msg = (
            f"{what} has no CRS; set it when reading (read_layer(path, crs=4326)) "
            "or with gdf.set_crs(...) if you know it"
        )
        raise CRSError(msg)
    return gdf.crs


def require_projected(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, what: str = "layer") -> CRS:
    """Return the CRS of *gdf* if it is projected; raise for a missing or geographic CRS.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame or geopandas.GeoSeries
        The data to check.
    what : str
        How to name the data in the message.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    CRSError
        When the CRS is missing or geographic (degrees cannot measure areas or lengths).
    """
    crs = require_crs(gdf, what=what)
    if crs.is_geographic:
        msg = (
            f"{what} is in geographic {crs.to_string()} (degrees); areas and lengths need a "
            f"projected CRS: use sxgeo.crs.to_metric(gdf) (default {METRIC})"
        )
        raise CRSError(msg)
    return crs


def to_metric(
    gdf: gpd.GeoDataFrame,
    crs: Any = METRIC,
    *,
    what: str = "layer",
) -> gpd.GeoDataFrame:
    """Return *gdf* in a projected CRS for measuring (EPSG:4549 by default), logging any reprojection.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Data with a CRS.
    crs : Any
        Target projected CRS; default :data:`METRIC` (EPSG:4549).
    what : str
        How to name the data in logs and messages.

    Returns
    -------
    geopandas.GeoDataFrame
        *gdf* itself when it is already in *crs*, else a reprojected copy.

    Raises
    ------
    CRSError
        When *gdf* has no CRS, or *crs* is geographic.
    """
    src = require_crs(gdf, what=what)
    dst = parse_crs(crs)
    if dst.is_geographic:
        msg = f"to_metric() needs a projected target CRS, got geographic {dst.to_string()}"
        raise CRSError(msg)
    if src.equals(dst):
        return gdf
    metric = parse_crs(METRIC)
    if dst.equals(metric):
        # EPSG:4549 by another description (a GeoTIFF's WKT): one target, so geopandas' cached transformer
        # serves both (PROJ takes 40-80 ms to find the WGS 84 -> CGCS2000 operation for each new pair)
        dst = metric
    log.info("reprojecting %s from %s to %s", what, src.to_string(), dst.to_string())
    return _reproject(gdf, src, dst)


def to_lonlat(gdf: gpd.GeoDataFrame, *, what: str = "layer") -> gpd.GeoDataFrame:
    """Return *gdf* in WGS84 lon/lat (EPSG:4326), for web maps, logging any reprojection.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Data with a CRS.
    what : str
        How to name the data in logs and messages.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    src = require_crs(gdf, what=what)
    dst = parse_crs(WGS84)
    if src.equals(dst):
        return gdf
    log.info("reprojecting %s from %s to %s", what, src.to_string(), WGS84)
    return _reproject(gdf, src, dst)


_GK120 = "+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80"
_DEG_TO_RAD = "+proj=unitconvert +xy_in=deg +xy_out=rad"
_RAD_TO_DEG = "+proj=unitconvert +xy_in=rad +xy_out=deg"
_PIPELINES = (
    ("EPSG:4326", METRIC, f"+proj=pipeline +step {_DEG_TO_RAD} +step {_GK120}"),
    ("EPSG:4490", METRIC, f"+proj=pipeline +step {_DEG_TO_RAD} +step {_GK120}"),
    (METRIC, "EPSG:4326", f"+proj=pipeline +step +inv {_GK120} +step {_RAD_TO_DEG}"),
    (METRIC, "EPSG:4490", f"+proj=pipeline +step +inv {_GK120} +step {_RAD_TO_DEG}"),
)
"""The operations PROJ chooses between lon/lat (WGS 84, CGCS2000) and EPSG:4549, written out.

``Transformer.from_crs`` searches PROJ's database for the operation, 60-90 ms per process and pair
(most of a short command's reprojection); ``Transformer.from_pipeline`` of the same pipeline takes
0.2 ms. EPSG holds no WGS 84 -> CGCS2000 datum shift (they agree to a few cm), so PROJ's choice is
this conversion alone (the Gauss-Kruger 3-degree zone on 120°E, GRS 1980 ellipsoid); tests check
that it still is (``tests/crs/test_crs.py``).
"""


def known_pipeline(src: CRS, dst: CRS) -> str | None:
    """The written-out PROJ pipeline from *src* to *dst* (lon, lat order in), or None (:data:`_PIPELINES`)."""
    for a, b, pipeline in _PIPELINES:
        if src.equals(parse_crs(a), ignore_axis_order=True) and dst.equals(
            parse_crs(b), ignore_axis_order=True
        ):
            return pipeline
    return None


def _reproject(gdf: Any, src: CRS, dst: CRS) -> Any:
    """``gdf.to_crs(dst)``, through :func:`known_pipeline` when there is one (the same coordinates).

    Geometries with Z fall back to geopandas (the written-out pipelines are 2-D).
    """
    pipeline = known_pipeline(src, dst)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    if pipeline is None or shapely.has_z(geoms).any():
        return gdf.to_crs(dst)
    transformer = Transformer.from_pipeline(pipeline)

    def forward(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    moved = shapely.transform(geoms, forward)
    series = type(gdf.geometry)(moved, index=gdf.index, crs=dst, name=gdf.geometry.name)
    return (
        gdf.set_geometry(series) if hasattr(gdf, "set_geometry") else series
    )  # a GeoDataFrame, or a GeoSeries


def area_m2(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, what: str = "layer") -> NDArray[np.float64]:
    """Planar area of each geometry [m2]; refuses geographic CRSs.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame or geopandas.GeoSeries
        Geometries in a projected CRS with metre units.
    what : str
        How to name the data in the message.

    Returns
    -------
    numpy.ndarray
        Area of each geometry [m2].

    Raises
    ------
    CRSError
        When the CRS is missing or geographic.
    """
    require_projected(gdf, what=what)
    geoms = gdf.geometry.values if hasattr(gdf, "geometry") else gdf.values
    return np.asarray(shapely.area(np.asarray(geoms)), dtype=float)


def length_m(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, what: str = "layer") -> NDArray[np.float64]:
    """Planar length (perimeter for polygons) of each geometry [m]; refuses geographic CRSs.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame or geopandas.GeoSeries
        Geometries in a projected CRS with metre units.
    what : str
        How to name the data in the message.

    Returns
    -------
    numpy.ndarray
        Length of each geometry [m].
    """
    require_projected(gdf, what=what)
    geoms = gdf.geometry.values if hasattr(gdf, "geometry") else gdf.values
    return np.asarray(shapely.length(np.asarray(geoms)), dtype=float)


def geodesic_area_m2(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, what: str = "layer") -> NDArray[np.float64]:
    """Area of each geometry on the GRS80 ellipsoid (CGCS2000's) [m2]: a check on the planar area.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame or geopandas.GeoSeries
        Geometries in any CRS; they are taken to lon/lat first.
    what : str
        How to name the data in the message.

    Returns
    -------
    numpy.ndarray
        Unsigned geodesic area of each geometry [m2] (pyproj ``Geod.geometry_area_perimeter``).
    """
    require_crs(gdf, what=what)
    geoms = gdf.to_crs(WGS84).geometry if hasattr(gdf, "geometry") else gdf.to_crs(WGS84)
    geod = Geod(ellps="GRS80")
    return np.array([abs(geod.geometry_area_perimeter(g)[0]) for g in geoms], dtype=float)


def bounds_lonlat(bounds: tuple[float, float, float, float], crs: Any) -> tuple[float, float, float, float]:
    """Bounds ``(xmin, ymin, xmax, ymax)`` in ``crs`` as lon/lat bounds (densified edges).

    Parameters
    ----------
    bounds : tuple of float
        Bounds in the units of ``crs``.
    crs : int, str or pyproj.CRS
        Their CRS.

    Returns
    -------
    tuple of float
        ``(lon_min, lat_min, lon_max, lat_max)`` [degrees, WGS84].
    """
    to_ll = Transformer.from_crs(parse_crs(crs), WGS84, always_xy=True)
    lon0, lat0, lon1, lat1 = to_ll.transform_bounds(*bounds)
    return float(lon0), float(lat0), float(lon1), float(lat1)


def lonlat_to_metric(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Project WGS84 lon/lat [degrees] to :data:`METRIC` easting/northing [m].

    Parameters
    ----------
    lon, lat : array_like
        Longitude and latitude [degrees].

    Returns
    -------
    tuple of numpy.ndarray
        Easting and northing in EPSG:4549 [m].
    """
    t = Transformer.from_crs(WGS84, METRIC, always_xy=True)
    x, y = t.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def from_offset_lonlat(gdf: gpd.GeoDataFrame, src: str, *, what: str = "layer") -> gpd.GeoDataFrame:
    """Convert a GeoDataFrame in GCJ-02 or BD-09 lon/lat to WGS84 (EPSG:4326).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Geometries whose coordinates are GCJ-02 or BD-09 lon/lat [deg], whatever CRS label
        they carry (such files are usually mislabelled WGS84).
    src : str
        ``"GCJ-02"`` or ``"BD-09"``.
    what : str
        How to name the data in the log.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy in EPSG:4326.
    """
    name = offset_crs_name(src)
    if name is None:
        msg = f"from_offset_lonlat() takes 'GCJ-02' or 'BD-09', got {src!r}"
        raise CRSError(msg)
    log.info("converting %s from %s to WGS84 (about 500 m in Shaoxing)", what, name)
    out = gdf.copy()
    out.geometry = transform_geometries(gdf.geometry.values, name, "WGS84")
    return out.set_crs(WGS84, allow_override=True)


def to_offset_lonlat(gdf: gpd.GeoDataFrame, dst: str, *, what: str = "layer") -> gpd.GeoDataFrame:
    """Shift a GeoDataFrame to GCJ-02 or BD-09 lon/lat, for display on a Chinese web basemap only.

    The result keeps the EPSG:4326 label (web maps need it) but its coordinates are offset:
    never measure with it or save it as WGS84.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Data with a CRS.
    dst : str
        ``"GCJ-02"`` or ``"BD-09"``.
    what : str
        How to name the data in the log.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    name = offset_crs_name(dst)
    if name is None:
        msg = f"to_offset_lonlat() takes 'GCJ-02' or 'BD-09', got {dst!r}"
        raise CRSError(msg)
    lonlat = to_lonlat(gdf, what=what)
    log.info("shifting %s from WGS84 to %s for display", what, name)
    out = lonlat.copy()
    out.geometry = transform_geometries(lonlat.geometry.values, "WGS84", name)
    return out


def offset_m(
    lon0: ArrayLike, lat0: ArrayLike, lon1: ArrayLike, lat1: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """East and north displacement from points 0 to points 1, measured in EPSG:4549 [m].

    Parameters
    ----------
    lon0, lat0, lon1, lat1 : array_like
        Lon/lat of the two point sets [deg].

    Returns
    -------
    tuple of numpy.ndarray
        Eastward and northward displacement [m].
    """
    t = Transformer.from_crs(WGS84, METRIC, always_xy=True)
    x0, y0 = t.transform(np.asarray(lon0, float), np.asarray(lat0, float))
    x1, y1 = t.transform(np.asarray(lon1, float), np.asarray(lat1, float))
    return np.asarray(x1) - np.asarray(x0), np.asarray(y1) - np.asarray(y0)


# --- true ground area of raster pixels (moved from sxgeo.zonal: a CRS decision belongs here) ---


def _band_area(phi: np.ndarray, a: float, e2: float) -> np.ndarray:
    """Ellipsoidal area from the equator to latitude *phi* per radian of longitude [m2].

    The area of the zone between the equator and φ on an ellipsoid of revolution is
    ``a²(1−e²)/2 · [sinφ/(1−e²sin²φ) + ln((1+e sinφ)/(1−e sinφ))/(2e)]`` per radian of longitude
    (e.g. Snyder 1987, *Map Projections: A Working Manual*, USGS PP 1395, eq. 3-12 for q).
    """
    e = np.sqrt(e2)
    s = np.sin(phi)
    q = s / (1 - e2 * s * s) + np.log((1 + e * s) / (1 - e * s)) / (2 * e)
    return a * a * (1 - e2) / 2 * q


def pixel_row_areas(transform: Any, height: int, crs: Any) -> np.ndarray:
    """Area of one pixel in each row of a raster [m2].

    Parameters
    ----------
    transform : affine.Affine
        The raster's transform (north-up when geographic).
    height : int
        Rows.
    crs : rasterio.crs.CRS or pyproj.CRS
        Projected (metres: every row ``|a × e|``) or geographic (degrees: the ellipsoidal area
        of the row's quadrangle on the CRS's own ellipsoid; a "10 m" WorldCover pixel of
        1/12,000° is about 74 m² at 30°N, not 100 m²).

    Returns
    -------
    numpy.ndarray
        One area per row.

    Raises
    ------
    CRSError
        When the CRS is missing, or a geographic raster is rotated.
    """
    if crs is None:
        msg = "the raster has no CRS; set one (e.g. gdal_edit.py -a_srs EPSG:4549)"
        raise CRSError(msg)
    pc = pyproj.CRS.from_user_input(crs)
    if not pc.is_geographic:
        return np.full(height, abs(transform.a * transform.e))
    if transform.b != 0 or transform.d != 0:
        msg = "rotated rasters in degrees are not supported; warp to a north-up grid first (gdalwarp)"
        raise CRSError(msg)
    ell = pc.ellipsoid
    if ell is None:
        msg = f"{pc.name}: a geographic CRS without an ellipsoid"
        raise CRSError(msg)
    a = float(ell.semi_major_metre)
    e2 = 1 - (float(ell.semi_minor_metre) / a) ** 2
    edges = np.radians(np.clip(transform.f + transform.e * np.arange(height + 1), -90.0, 90.0))
    band = _band_area(edges, a, e2)
    return np.abs(np.diff(band)) * np.radians(abs(transform.a))


AREA_TOLERANCE = 1e-3
"""Largest relative error of nominal pixel areas accepted before they are corrected: a projected
raster whose pixel ground area stays within 0.1% of its nominal area everywhere on the raster
(equal-area projections; EPSG:4549 Gauss-Kruger over Shaoxing, about 1e-4) keeps nominal areas."""
_AREA_SAMPLE_ROWS = 4097
"""Rows at which the true pixel area is measured (interpolated between them: it varies smoothly)."""
_AREA_SAMPLE_COLS = 65
"""Columns per measured row (the row's area is their mean)."""


@dataclass(frozen=True)
class PixelAreas:
    """How pixels of a raster are weighed: nominal metres, or the true ground area of each row.

    Attributes
    ----------
    row_areas : numpy.ndarray or None
        Mean area of a pixel of each row [m2]; None: every pixel weighs :attr:`nominal_m2`.
    col_factors : numpy.ndarray or None
        When the area also varies along rows by more than :data:`AREA_TOLERANCE` (a Gauss-Kruger
        raster reaching far from its central meridian), each column's factor (mean 1): a pixel
        weighs ``row_areas[r] × col_factors[c]``; None otherwise.
    nominal_m2 : float
        The pixel's nominal area in the CRS's own units, converted to m2.
    scale : tuple of float
        Smallest and largest ratio of true to nominal pixel area over the raster (NaN when it
        could not be measured).
    note : str or None
        What was corrected (or could not be measured), for the outputs' notes; None when nothing.
    """

    row_areas: np.ndarray | None
    nominal_m2: float
    scale: tuple[float, float]
    note: str | None
    col_factors: np.ndarray | None = None


def _cell_area_on_ellipsoid(lon: np.ndarray, lat: np.ndarray, a: float, e2: float) -> np.ndarray:
    """Area of quadrilaterals given by their corners in degrees (last axis: 4 corners) [m2].

    The corners are mapped to (λ, q(φ)) with q the band area of :func:`_band_area`: the
    cylindrical equal-area mapping of the ellipsoid, in which a planar area is an ellipsoid area
    (Snyder 1987, USGS PP 1395, §10); the shoelace formula then gives the cell's area, exact up to
    the curvature of its edges (negligible for a pixel).
    """
    lam = np.radians(lon)
    # relative to the first corner (no cancellation in the products), unwrapped across the antimeridian
    x = (lam - lam[..., :1] + np.pi) % (2 * np.pi) - np.pi
    q = _band_area(np.radians(np.clip(lat, -90.0, 90.0)), a, e2)
    y = q - q[..., :1]
    return 0.5 * np.abs(np.sum(x * np.roll(y, -1, axis=-1) - np.roll(x, -1, axis=-1) * y, axis=-1))


def _area_samples(size: int, n: int) -> np.ndarray:
    """Up to *n* evenly spaced indices in ``0 .. size - 1``, both ends included."""
    return np.unique(np.linspace(0, size - 1, min(size, n)).round().astype(np.int64))


def _sampled_true_areas(
    transform: Any,
    rows_at: np.ndarray,
    cols_at: np.ndarray,
    to_geo: pyproj.Transformer,
    *,
    a: float,
    e2: float,
) -> np.ndarray:
    """True ground area of the pixels at *rows_at* × *cols_at* [m2] (:func:`_cell_area_on_ellipsoid`)."""
    r, c = np.meshgrid(rows_at.astype(float), cols_at.astype(float), indexing="ij")
    dc = np.array([0.0, 1.0, 1.0, 0.0])
    dr = np.array([0.0, 0.0, 1.0, 1.0])
    cc, rr = c[..., None] + dc, r[..., None] + dr
    x = transform.a * cc + transform.b * rr + transform.c
    y = transform.d * cc + transform.e * rr + transform.f
    lon, lat = to_geo.transform(x, y, errcheck=False)
    return _cell_area_on_ellipsoid(np.asarray(lon), np.asarray(lat), a, e2)


def pixel_areas(transform: Any, width: int, height: int, crs: Any, *, name: str = "raster") -> PixelAreas:
    """Decide how to weigh the pixels of a raster, and measure their true ground area when needed.

    Geographic rasters (degrees) get the ellipsoidal area of each row (:func:`pixel_row_areas`).
    A projected raster is measured: the true area of pixels at 65 × 65 rows and columns, then (unless
    they all lie within half the tolerance) at up to 4,097 rows × 65 columns (their
    corners taken to longitude/latitude with pyproj and measured on the CRS's ellipsoid,
    :func:`_cell_area_on_ellipsoid`) against the nominal ``|det(transform)|`` (in metres of the
    CRS's unit). Within :data:`AREA_TOLERANCE` everywhere (equal-area projections, Gauss-Kruger
    zones such as EPSG:4549 over Shaoxing) the nominal area is kept; otherwise (Web Mercator
    EPSG:3857 overstates areas by 1/cos²φ, +34% at 30°N; any conformal or unknown-distortion
    CRS) each row weighs the mean true area of its pixels, interpolated between measured rows.

    Parameters
    ----------
    transform : affine.Affine
        The raster's transform.
    width, height : int
        Raster size.
    crs : rasterio.crs.CRS or pyproj.CRS
        The raster's CRS.
    name : str
        The raster, for the note.

    Returns
    -------
    PixelAreas

    Raises
    ------
    CRSError
        When the CRS is missing, or a geographic raster is rotated.
    """
    if crs is None:
        msg = f"{name}: the raster has no CRS; set one (e.g. gdal_edit.py -a_srs EPSG:4549)"
        raise CRSError(msg)
    pc = pyproj.CRS.from_user_input(crs)
    label = f"{pc.to_string()} ({pc.name})"
    if pc.is_geographic:
        rows = pixel_row_areas(transform, height, pc)
        nominal = float(np.mean(rows)) if len(rows) else 0.0
        return PixelAreas(rows, nominal, (1.0, 1.0), None)
    unit = pc.axis_info[0].unit_conversion_factor if pc.axis_info else 1.0
    nominal = abs(transform.a * transform.e - transform.b * transform.d) * float(unit) ** 2
    geo = pc.geodetic_crs
    ell = geo.ellipsoid if geo is not None else None
    if geo is None or ell is None or width < 1 or height < 1:
        note = (
            f"{name} in {label}: its distortion cannot be measured (no ellipsoid); pixels counted at "
            "their nominal area, check the CRS"
        )
        log.warning("%s", note)
        return PixelAreas(None, nominal, (float("nan"), float("nan")), note)
    to_geo = pyproj.Transformer.from_crs(pc, geo, always_xy=True)
    a = float(ell.semi_major_metre)
    e2 = 1 - (float(ell.semi_minor_metre) / a) ** 2
    # first a coarse look (65 × 65 pixels, the raster's edges included): a pixel's area varies smoothly
    # with the position, so well within the tolerance there means within it everywhere (EPSG:4549 over
    # Shaoxing: within 3.5e-4 of it, against 1e-3), and the nominal area holds without the fine measurement
    rows_at, cols_at = _area_samples(height, _AREA_SAMPLE_COLS), _area_samples(width, _AREA_SAMPLE_COLS)
    true = _sampled_true_areas(transform, rows_at, cols_at, to_geo, a=a, e2=e2)
    ratio = true / nominal if nominal > 0 else true
    if nominal > 0 and np.isfinite(true).all() and np.abs(ratio - 1).max() < AREA_TOLERANCE / 2:
        return PixelAreas(None, nominal, (float(ratio.min()), float(ratio.max())), None)
    rows_at = _area_samples(height, _AREA_SAMPLE_ROWS)
    true = _sampled_true_areas(transform, rows_at, cols_at, to_geo, a=a, e2=e2)
    if not np.isfinite(true).all() or nominal <= 0:
        note = (
            f"{name} in {label}: pixel corners cannot all be taken to longitude/latitude; pixels "
            "counted at their nominal area, check the CRS and the extent"
        )
        log.warning("%s", note)
        return PixelAreas(None, nominal, (float("nan"), float("nan")), note)
    ratio = true / nominal
    scale = (float(ratio.min()), float(ratio.max()))
    if max(abs(scale[0] - 1), abs(scale[1] - 1)) < AREA_TOLERANCE:
        return PixelAreas(None, nominal, scale, None)
    row_mean = true.mean(axis=1)
    row_areas = np.interp(np.arange(height, dtype=float), rows_at.astype(float), row_mean)
    along = float(np.max(true.max(axis=1) / true.min(axis=1)) - 1)
    note = (
        f"{name} in {label} is not equal-area: a pixel's true ground area is {scale[0]:.4f}-{scale[1]:.4f} "
        f"× its nominal {nominal:g} m2 over the raster; each pixel row is weighed by its true area on "
        f"the {ell.name} ellipsoid (nominal metres would be off by {1 / scale[0] - 1:+.1%})"
    )
    col_factors = None
    if along > AREA_TOLERANCE:
        # the area varies along rows too: a factor per column, the mean over rows of the pixel's
        # share of its row's mean (exact when the distortion is a product of row and column terms)
        share = (true / row_mean[:, None]).mean(axis=0)
        col_factors = np.interp(np.arange(width, dtype=float), cols_at.astype(float), share)
        col_factors = col_factors / col_factors.mean()
        note += f"; it varies by {along:.2%} along a row: each column is weighed by its own factor too"
    log.warning("%s", note)
    return PixelAreas(row_areas, nominal, scale, note, col_factors)
