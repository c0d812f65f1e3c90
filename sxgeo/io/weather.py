"""Climate inputs: daily station rainfall tables and hourly weather files (EPW, TMY3, PVGIS TMY)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from sxgeo.errors import LayerError, MissingDependencyError
from sxgeo.io import columns
from sxgeo.io._paths import require_file
from sxgeo.io.tables import _find_column, _read_csv_or_excel
from sxgeo.params import parse_flags, parse_numbers

DATE_NAMES = columns.RAIN_DATE
"""Headers of the date column (:data:`sxgeo.io.columns.RAIN_DATE`; this name kept for one release)."""
log = logging.getLogger(__name__)

MIDDAY_TOLERANCE_MIN = 30
"""Warn when a weather file's irradiance-weighted midday is further than this from solar noon [min]."""

PRECIP_NAMES = columns.PRECIP
"""Headers of the precipitation column (:data:`sxgeo.io.columns.PRECIP`; this name kept for one release)."""


def read_rainfall(path: str | Path) -> tuple[pd.Series, list[str]]:
    """Read a daily station rainfall table (CSV or XLSX: ``date, precip_mm[, is_snow]``).

    Parameters
    ----------
    path : str or pathlib.Path
        The table. Column names are recognised in English or Chinese (日期, 降水量).

    Returns
    -------
    tuple
        Daily precipitation [mm] indexed by date (snow days removed), and notes on what was
        dropped. ``series.attrs["synthetic"]`` is True when a ``station_id`` says SYNTHETIC.

    Raises
    ------
    LayerError
        Unreadable file, missing columns, unparseable dates or negative values (rows named).
    """
    path = require_file(path)
    df = _read_csv_or_excel(path, sep=None, engine="python")
    df.columns = [str(c).strip() for c in df.columns]
    date_col = _find_column(list(df.columns), DATE_NAMES, None, "date", path)
    rain_col = _find_column(list(df.columns), PRECIP_NAMES, None, "precipitation (mm)", path)
    dates = pd.to_datetime(df[date_col], errors="coerce")
    bad = dates.isna()
    if bad.any():
        rows = ", ".join(str(i) for i in np.flatnonzero(bad)[:10])
        msg = f"{path.name}: {int(bad.sum())} dates cannot be read (rows {rows}); write them as YYYY-MM-DD"
        raise LayerError(msg)
    rain = parse_numbers(df, [rain_col], source=path.name)[rain_col]
    if (rain < 0).any():
        rows = ", ".join(str(i) for i in np.flatnonzero(rain < 0)[:10])
        msg = f"{path.name}: negative precipitation in rows {rows}"
        raise LayerError(msg)
    notes = []
    if rain.isna().any():
        notes.append(f"{int(rain.isna().sum())} days without a value (left out)")
    series = pd.Series(rain.to_numpy(), index=pd.DatetimeIndex(dates), name="precip_mm")
    if "is_snow" in df.columns:
        snow = parse_flags(df["is_snow"], source=path.name, column="is_snow")
        notes.append(f"{int(snow.sum())} snow days left out")
        series = series[~snow]
    if series.index.has_duplicates:
        first = series.index[series.index.duplicated()][0].date()
        msg = f"{path.name}: dates repeat ({first}); one row per day"
        raise LayerError(msg)
    years = cast("pd.DatetimeIndex", series.index).year.nunique()
    if years < 30:
        notes.append(f"only {years} years of data; the H-alpha method asks for at least 30")
    out = series.dropna().sort_index()
    # The demo station marks itself in ``station_id``; outputs made from it must say so.
    station = df.get("station_id")
    out.attrs["synthetic"] = bool(
        station is not None and station.astype(str).str.upper().str.contains("SYNTHETIC").any()
    )
    return out, notes


def read_weather(path: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read an hourly weather file for the PV engine: EPW, TMY3 or PVGIS TMY (via pvlib's readers).

    Parameters
    ----------
    path : str or pathlib.Path
        ``.epw`` (EnergyPlus, e.g. the CSWD files), ``.csv`` TMY3, or a PVGIS TMY (``.csv``/``.json``).

    Returns
    -------
    tuple
        Hourly ``ghi, dni, dhi, temp_air, wind_speed`` indexed at hour centres (time-zone aware;
        see :func:`_centre_shift` for each format's convention), and metadata ``latitude,
        longitude, tz, source, midday_offset_min`` (a warning is logged when the irradiance-weighted
        midday is more than 30 min from solar noon).

    Raises
    ------
    LayerError
        Unknown format, or a file pvlib cannot read.
    MissingDependencyError
        pvlib is not installed.
    """
    try:
        from pvlib import iotools
    except ImportError as exc:
        msg = "reading weather files needs pvlib: pip install 'sxgeo[pv]'"
        raise MissingDependencyError(msg) from exc
    path = require_file(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".epw":
            data, meta = iotools.read_epw(path)
            lat, lon, tz_hours = meta["latitude"], meta["longitude"], meta["TZ"]
            kind = "EPW"
        elif suffix == ".json" or "pvgis" in path.name.lower():
            data, meta = iotools.read_pvgis_tmy(path, map_variables=True)[:2]
            loc = meta.get("location", meta.get("inputs", {}).get("location", {}))
            lat, lon, tz_hours = loc["latitude"], loc["longitude"], 0
            kind = "PVGIS TMY"
        elif suffix == ".csv":
            data, meta = iotools.read_tmy3(path, coerce_year=2019, map_variables=True)
            lat, lon, tz_hours = meta["latitude"], meta["longitude"], meta["TZ"]
            kind = "TMY3"
        else:
            msg = f"{path.name}: unknown weather format {suffix!r}; give an EPW, a TMY3 CSV or a PVGIS TMY"
            raise LayerError(msg)
    except (KeyError, ValueError, IndexError) as exc:
        msg = f"{path.name}: pvlib cannot read it as a weather file ({exc})"
        raise LayerError(msg) from exc
    missing = {"ghi", "temp_air"} - set(data.columns)
    if missing:
        msg = f"{path.name}: weather lacks {sorted(missing)}"
        raise LayerError(msg)
    cols = [c for c in ("ghi", "dni", "dhi", "temp_air", "wind_speed") if c in data.columns]
    w = data[cols].astype(float).copy()
    w.index = w.index + _centre_shift(kind, meta)
    tz = f"Etc/GMT{-int(tz_hours):+d}" if tz_hours else "UTC"
    offset = midday_offset_minutes(w["ghi"], float(lon))
    meta_out = {
        "latitude": float(lat),
        "longitude": float(lon),
        "tz": tz,
        "source": f"{kind} {path.name}",
        "midday_offset_min": offset,
    }
    if abs(offset) > MIDDAY_TOLERANCE_MIN:
        log.warning(
            "%s: irradiance-weighted midday is %+.0f min from solar noon (more than %d); "
            "check the file's time stamps and time zone",
            path.name,
            offset,
            MIDDAY_TOLERANCE_MIN,
        )
    return w, meta_out


def _centre_shift(kind: str, meta: dict[str, Any]) -> pd.Timedelta:
    """How far to move each time stamp so that it sits at the centre of the hour it stands for.

    - TMY3 (NSRDB User's Manual): each value is the total over the hour *ending* at the stamp;
      pvlib's ``read_tmy3`` keeps that stamp (its docstring warns so), so the centre is 30 min earlier.
    - EPW: field "hour" n covers (n-1):00 to n:00 (EnergyPlus Auxiliary Programs, weather file
      data dictionary); pvlib's ``read_epw`` stamps it (n-1):00, the *start* of the hour, so the
      centre is 30 min later.
    - PVGIS TMY: the radiation is the satellite value at HH:00 plus the file's "Irradiance Time
      Offset (h)" (about 0.18 h for SARAH, read by pvlib into ``inputs``); moved by that offset,
      none when the file gives none.
    """
    if kind == "TMY3":
        return pd.Timedelta(minutes=-30)
    if kind == "EPW":
        return pd.Timedelta(minutes=30)
    inputs = meta.get("inputs", {}) if isinstance(meta.get("inputs"), dict) else {}
    offset_h = inputs.get("irradiance time offset", meta.get("irradiance time offset"))
    try:
        return pd.Timedelta(hours=float(offset_h)) if offset_h is not None else pd.Timedelta(0)
    except (TypeError, ValueError):
        return pd.Timedelta(0)


def midday_offset_minutes(ghi: pd.Series, longitude: float) -> float:
    """Irradiance-weighted mean time of day relative to solar noon [min].

    Each stamp's hour angle is computed from its UTC time, the longitude and the equation of time
    (Spencer 1971, as in pvlib); the GHI-weighted mean hour angle, 4 min per degree, is how far the
    file's "midday" lies from solar noon. Hours centred correctly give a few minutes at most
    (afternoon clouds); a file read an hour early gives about -60.

    Parameters
    ----------
    ghi : pandas.Series
        Hourly GHI [W/m2] with a time-zone-aware DatetimeIndex.
    longitude : float
        Site longitude [deg east].

    Returns
    -------
    float
        Minutes; positive when the irradiance falls after solar noon. NaN without any sun.
    """
    idx = pd.DatetimeIndex(ghi.index)
    utc = idx.tz_convert("UTC") if idx.tz is not None else idx
    day = utc.dayofyear.to_numpy()
    gamma = 2 * np.pi * (day - 1) / 365
    # equation of time [min] (Spencer 1971)
    eot = 229.18 * (
        0.000075
        + 0.001868 * np.cos(gamma)
        - 0.032077 * np.sin(gamma)
        - 0.014615 * np.cos(2 * gamma)
        - 0.040849 * np.sin(2 * gamma)
    )
    minutes_utc = utc.hour.to_numpy() * 60 + utc.minute.to_numpy() + utc.second.to_numpy() / 60
    solar_min = minutes_utc + 4 * longitude + eot  # true solar time [min]
    from_noon = (solar_min - 720 + 720) % 1440 - 720
    weight = np.clip(ghi.to_numpy(dtype=float), 0, None)
    if not np.nansum(weight):
        return float("nan")
    return float(np.nansum(weight * from_noon) / np.nansum(weight))
