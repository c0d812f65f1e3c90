"""GCJ-02 and BD-09, the offset lon/lat of Chinese web maps: names, formulas, and vertex transforms.

GCJ-02 (the offset "Mars" coordinates of AMap/Gaode, Tencent and most Chinese web maps) and
BD-09 (Baidu) are *not* CRSs that PROJ knows. They are obfuscations of WGS84 by a published
formula, about 500 m in Shaoxing. This module holds the forward formula and an iterative
inverse, vectorised with numpy, on lon/lat arrays and shapely geometries; it knows nothing of
CRS objects or GeoDataFrames. :mod:`sxgeo.crs` re-exports every public name, and applies them to
GeoDataFrames (:func:`sxgeo.crs.from_offset_lonlat`, :func:`sxgeo.crs.to_offset_lonlat`) and
measures their displacement in EPSG:4549 (:func:`sxgeo.crs.offset_m`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from sxgeo.errors import CRSError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

GCJ02 = "GCJ-02"
"""Name of the GCJ-02 offset coordinates (AMap/Gaode, Tencent). Not a PROJ CRS."""
BD09 = "BD-09"
"""Name of the BD-09 offset coordinates (Baidu). Not a PROJ CRS."""

OFFSET_CRS_NAMES = {
    "gcj02": GCJ02,
    "gcj-02": GCJ02,
    "gcj": GCJ02,
    "mars": GCJ02,
    "amap": GCJ02,
    "gaode": GCJ02,
    "bd09": BD09,
    "bd-09": BD09,
    "baidu": BD09,
}


def offset_crs_name(crs: Any) -> str | None:
    """Return ``"GCJ-02"`` or ``"BD-09"`` when *crs* names one of them, else ``None``.

    Parameters
    ----------
    crs : Any
        What a caller passed as a CRS (a string such as ``"gcj02"``, an EPSG code, ...).

    Returns
    -------
    str or None
        The canonical offset-system name, or ``None`` for anything else.
    """
    if isinstance(crs, str):
        return OFFSET_CRS_NAMES.get(crs.strip().lower())
    return None


# --------------------------------------------------------------------------------------------
# GCJ-02 and BD-09
#
# The forward GCJ-02 formula is the one published in many places since 2011 (commonly called
# "eviltransform"); it uses the Krasovsky 1940 ellipsoid (a = 6378245 m, e2 = 0.00669342162296594323).
# It is an obfuscation of WGS84 with smooth offsets of a few hundred metres; the inverse has no
# closed form and is found here by fixed-point iteration, which converges because the offset's
# derivative is tiny (|d offset / d x| < 1e-2). BD-09 adds a further rotation/scale on GCJ-02
# (Baidu's published constants x_pi = pi * 3000 / 180, 0.00002, 0.000003, 0.0065, 0.006).
# --------------------------------------------------------------------------------------------

_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
_BD_X_PI = np.pi * 3000.0 / 180.0


def _in_china(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    # The published formula leaves points outside this box unchanged.
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _gcj_offset(
    lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """GCJ-02 minus WGS84 at WGS84 points [deg]."""
    x = lon - 105.0
    y = lat - 35.0
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat = dlat + common
    dlat = dlat + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat = dlat + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon = dlon + common
    dlon = dlon + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon = dlon + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * pi
    magic = 1.0 - _KRASOVSKY_EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_KRASOVSKY_A / sqrtmagic * np.cos(radlat) * pi)
    inside = _in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    if lon_a.shape != lat_a.shape:
        msg = f"lon and lat must have the same shape, got {lon_a.shape} and {lat_a.shape}"
        raise ValueError(msg)
    return lon_a, lat_a


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Forward GCJ-02 transform of WGS84 lon/lat [deg].

    Parameters
    ----------
    lon, lat : array_like
        WGS84 longitude and latitude [deg].

    Returns
    -------
    tuple of numpy.ndarray
        GCJ-02 longitude and latitude [deg]. Points outside China are returned unchanged.
    """
    lon_a, lat_a = _as_arrays(lon, lat)
    dlon, dlat = _gcj_offset(lon_a, lat_a)
    return lon_a + dlon, lat_a + dlat


def gcj02_to_wgs84(
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    tol_deg: float = 1e-10,
    max_iter: int = 30,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Inverse GCJ-02 transform to WGS84 lon/lat [deg], by fixed-point iteration.

    Solves ``wgs84_to_gcj02(w) = g`` with ``w_{k+1} = w_k - (wgs84_to_gcj02(w_k) - g)``.
    The default tolerance (1e-10 deg, about 0.01 mm) makes the round trip exact to far below
    0.01 m; it converges in 3-5 iterations in China.

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 longitude and latitude [deg].
    tol_deg : float
        Stop when no point moves more than this between iterations [deg].
    max_iter : int
        Upper bound on iterations.

    Returns
    -------
    tuple of numpy.ndarray
        WGS84 longitude and latitude [deg].
    """
    g_lon, g_lat = _as_arrays(lon, lat)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = f_lon - g_lon, f_lat - g_lat
        w_lon = w_lon - e_lon
        w_lat = w_lat - e_lat
        if e_lon.size == 0 or max(np.nanmax(np.abs(e_lon)), np.nanmax(np.abs(e_lat))) < tol_deg:
            break
    return w_lon, w_lat


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Forward BD-09 transform of GCJ-02 lon/lat [deg].

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 longitude and latitude [deg].

    Returns
    -------
    tuple of numpy.ndarray
        BD-09 longitude and latitude [deg].
    """
    x, y = _as_arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    tol_deg: float = 1e-10,
    max_iter: int = 30,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Inverse BD-09 transform to GCJ-02 lon/lat [deg], by fixed-point iteration.

    Parameters
    ----------
    lon, lat : array_like
        BD-09 longitude and latitude [deg].
    tol_deg : float
        Convergence tolerance [deg].
    max_iter : int
        Upper bound on iterations.

    Returns
    -------
    tuple of numpy.ndarray
        GCJ-02 longitude and latitude [deg].
    """
    b_lon, b_lat = _as_arrays(lon, lat)
    g_lon, g_lat = b_lon - 0.0065, b_lat - 0.006
    for _ in range(max_iter):
        f_lon, f_lat = gcj02_to_bd09(g_lon, g_lat)
        e_lon, e_lat = f_lon - b_lon, f_lat - b_lat
        g_lon, g_lat = g_lon - e_lon, g_lat - e_lat
        if e_lon.size == 0 or max(np.nanmax(np.abs(e_lon)), np.nanmax(np.abs(e_lat))) < tol_deg:
            break
    return g_lon, g_lat


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Forward BD-09 transform of WGS84 lon/lat [deg] (via GCJ-02).

    Parameters
    ----------
    lon, lat : array_like
        WGS84 longitude and latitude [deg].

    Returns
    -------
    tuple of numpy.ndarray
        BD-09 longitude and latitude [deg].
    """
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Inverse BD-09 transform to WGS84 lon/lat [deg] (via GCJ-02).

    Parameters
    ----------
    lon, lat : array_like
        BD-09 longitude and latitude [deg].

    Returns
    -------
    tuple of numpy.ndarray
        WGS84 longitude and latitude [deg].
    """
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TRANSFORMS = {
    (GCJ02, "WGS84"): gcj02_to_wgs84,
    ("WGS84", GCJ02): wgs84_to_gcj02,
    (BD09, "WGS84"): bd09_to_wgs84,
    ("WGS84", BD09): wgs84_to_bd09,
    (BD09, GCJ02): bd09_to_gcj02,
    (GCJ02, BD09): gcj02_to_bd09,
}


def _lonlat_transformer(src: str, dst: str) -> Any:
    key = (OFFSET_CRS_NAMES.get(src.lower(), src.upper()), OFFSET_CRS_NAMES.get(dst.lower(), dst.upper()))
    try:
        return _TRANSFORMS[key]
    except KeyError:
        msg = f"no transform from {src} to {dst}; known: {sorted(_TRANSFORMS)}"
        raise CRSError(msg) from None


def transform_geometries(geoms: ArrayLike, src: str, dst: str) -> NDArray[np.object_]:
    """Apply a GCJ-02 / BD-09 / WGS84 transform to every vertex of shapely geometries.

    Parameters
    ----------
    geoms : array_like of shapely.Geometry
        Geometries in *src* lon/lat [deg].
    src, dst : str
        ``"WGS84"``, ``"GCJ-02"`` or ``"BD-09"`` (case-insensitive; ``"gcj02"`` works too).

    Returns
    -------
    numpy.ndarray of shapely.Geometry
        The same geometries with transformed vertices; topology is kept because shared
        vertices map to identical points.
    """
    func = _lonlat_transformer(src, dst)

    def _apply(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = func(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(np.asarray(geoms, dtype=object), _apply)
