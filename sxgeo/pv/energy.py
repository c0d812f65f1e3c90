"""Specific yield of PV arrays (kWh per kWp per year), fully offline with pvlib.

Three sources of weather, in order of preference (reference/pv.md §3):

1. a user weather file (EPW, TMY3, PVGIS TMY): the full hourly chain;
2. a monthly GHI table (default: Hangzhou CSWD typical year, 1,202 kWh/m2,
   ``sxgeo/data/ghi_monthly_hangzhou_cswd.csv``): an hourly year is built as Ineichen clear-sky
   GHI (Linke turbidity from pvlib's bundled climatology) times a per-day factor, with clear days
   (factor 1) and overcast days (factor 0.25) mixed so each month's total matches the table (the
   "two-state" variant, which keeps the gain from tilting that uniform scaling loses);
3. a GHI raster: the yield of (1) or (2) scaled by GHI_pixel / GHI_table at each building.

The chain: solar position → Erbs decomposition (when DNI/DHI are absent) → Perez transposition →
physical IAM on the beam → Faiman cell temperature → PVWatts DC (γ = −0.35 %/°C) → PVWatts
system losses 14.08% (pvlib defaults) → PVWatts inverter, η_nom = 0.96. Yields are computed per
(mount, tilt, azimuth) bin, never per building. The mount sets Faiman's heat-loss factors: free
rack (u0 25.0, u1 6.84, Faiman 2008) for rows on flat roofs, close mount (u0 28.1, u1 0: PVsyst
semi-integrated Uc 20 / (α 0.9 × (1 − η 0.21)), η the module efficiency of the roof table) for
modules laid flush on steel and tile roofs
(``sxgeo/data/pv_roof_params.csv``, columns ``mount, faiman_u0, faiman_u1, thermal_source``).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sxgeo.data import param_file_sha256, read_param_json, read_param_table
from sxgeo.errors import MissingDependencyError, SxgeoError

log = logging.getLogger(__name__)

GAMMA_PDC = -0.0035
"""Power temperature coefficient [1/°C] (mono PERC, reference/pv.md §5.2, assumption)."""
INVERTER_ETA = 0.96
"""Nominal inverter efficiency (PVWatts default)."""
OVERCAST_FACTOR = 0.25
"""Share of clear-sky GHI on an overcast day in the two-state synthetic year."""
WIND_SPEED = 1.5
"""Wind speed for the Faiman model when the weather has none [m/s]."""
FREE_RACK = (25.0, 6.84)
"""Faiman u0 [W/m2K], u1 [W s/m3K] of a free-standing rack (Faiman 2008; pvlib's defaults)."""
DEFAULT_MOUNT = "open_rack"
"""The mount a yield lookup uses when none is named."""


def thermal_mounts(params: pd.DataFrame | None = None) -> dict[str, tuple[float, float]]:
    """Faiman (u0, u1) of each mount named in the roof-parameter table.

    Parameters
    ----------
    params : pandas.DataFrame, optional
        Roof parameters with ``mount, faiman_u0, faiman_u1`` (default the shipped table); a table
        without them gives the free rack only.

    Returns
    -------
    dict
        Mount name -> (u0, u1).
    """
    t = read_param_table("pv_roof_params.csv") if params is None else params.reset_index()
    if not {"mount", "faiman_u0", "faiman_u1"} <= set(t.columns):
        return {DEFAULT_MOUNT: FREE_RACK}
    rows = t.drop_duplicates("mount")
    return {
        str(m): (float(u0), float(u1))
        for m, u0, u1 in zip(rows["mount"], rows["faiman_u0"], rows["faiman_u1"], strict=True)
    }


@dataclass(frozen=True)
class Site:
    """Where the arrays are.

    Attributes
    ----------
    lat, lon : float
        Latitude and longitude [deg].
    tz : str
        Time zone of the weather data.
    name : str
        Label.
    """

    lat: float = 30.00
    lon: float = 120.58
    tz: str = "Asia/Shanghai"
    name: str = "Shaoxing"


SHAOXING = Site()


def _pvlib() -> Any:
    try:
        import pvlib
    except ImportError as exc:
        msg = "the PV yield engine needs pvlib: pip install 'sxgeo[pv]' (or give a fixed yield)"
        raise MissingDependencyError(msg) from exc
    return pvlib


def losses_pct() -> float:
    """PVWatts system losses with pvlib's defaults [%] (14.08).

    Returns
    -------
    float
    """
    return float(_pvlib().pvsystem.pvwatts_losses())


GHI_TABLE = "ghi_monthly_hangzhou_cswd.csv"
"""The shipped monthly GHI/temperature table (``sxgeo/data``)."""


def monthly_table(scenario: str = "default") -> pd.DataFrame:
    """The cited monthly GHI/temperature table, optionally scaled to a scenario.

    Parameters
    ----------
    scenario : {'default', 'low'}
        ``default``: Hangzhou CSWD typical year (1,202 kWh/m2). ``low``: scaled to the 1981-2010
        Hangzhou station mean, 4,196.41 MJ/m2 = 1,165.7 kWh/m2 (《科技通报》 2012(5)).

    Returns
    -------
    pandas.DataFrame
        ``month, ghi_kwh_m2, t_mean_c``.
    """
    table = read_param_table(GHI_TABLE)
    if scenario == "low":
        table["ghi_kwh_m2"] *= (4196.41 / 3.6) / table["ghi_kwh_m2"].sum()
    elif scenario != "default":
        msg = f"GHI scenario must be 'default' or 'low', got {scenario!r}"
        raise SxgeoError(msg)
    return table[["month", "ghi_kwh_m2", "t_mean_c"]]


def synthetic_year(
    monthly: pd.DataFrame,
    site: Site = SHAOXING,
    *,
    year: int = 2019,
    overcast_factor: float = OVERCAST_FACTOR,
) -> pd.DataFrame:
    """An hourly weather year whose monthly GHI equals the table (two-state clear/overcast days).

    Parameters
    ----------
    monthly : pandas.DataFrame
        ``month, ghi_kwh_m2, t_mean_c`` (12 rows).
    site : Site
        Location.
    year : int
        A non-leap year to lay the hours on.
    overcast_factor : float
        GHI share of clear sky on overcast days.

    Returns
    -------
    pandas.DataFrame
        Hourly ``ghi, temp_air, wind_speed`` [W/m2, °C, m/s], indexed by hour centres.
    """
    pvlib = _pvlib()
    times = pd.date_range(f"{year}-01-01 00:30", periods=8760, freq="h", tz=site.tz)
    loc = pvlib.location.Location(site.lat, site.lon, tz=site.tz)
    with warnings.catch_warnings():
        # pvlib 0.16 calls DatetimeIndex.dayofyear, deprecated in pandas 3: not ours to fix
        warnings.filterwarnings("ignore", message="DatetimeIndex.dayofyear is deprecated")
        linke = pvlib.clearsky.lookup_linke_turbidity(times, site.lat, site.lon)
    cs = loc.get_clearsky(times, model="ineichen", linke_turbidity=linke)["ghi"].to_numpy()
    ghi = np.zeros(len(times))
    months = times.month.to_numpy()
    days = times.day_of_year.to_numpy()
    table = monthly.set_index("month")
    month_ghi_kwh_m2 = table["ghi_kwh_m2"].astype(float)
    for m in range(1, 13):
        in_month = months == m
        clear_kwh = cs[in_month].sum() / 1000
        k = float(month_ghi_kwh_m2[m]) / clear_kwh
        month_days = np.unique(days[in_month])
        # share f of clear days: f + (1 - f) * overcast = k; clear days spread evenly in the month
        f = np.clip((k - overcast_factor) / (1 - overcast_factor), 0, 1)
        n_clear = round(f * len(month_days))
        clear = (
            set(month_days[np.round(np.linspace(0, len(month_days) - 1, n_clear)).astype(int)])
            if n_clear
            else set()
        )
        factor = np.where(np.isin(days[in_month], list(clear)), 1.0, overcast_factor)
        month_ghi = cs[in_month] * factor
        ghi[in_month] = month_ghi * float(month_ghi_kwh_m2[m]) * 1000 / month_ghi.sum()
    hour = times.hour.to_numpy() + 0.5
    temp = table.loc[months, "t_mean_c"].to_numpy() + 4.0 * np.sin((hour - 9) / 24 * 2 * np.pi)  # daily swing
    return pd.DataFrame({"ghi": ghi, "temp_air": temp, "wind_speed": WIND_SPEED}, index=times)


def _prepare(weather: pd.DataFrame, site: Site) -> pd.DataFrame:
    """Solar position, DNI/DHI (Erbs when missing), extraterrestrial DNI and airmass."""
    pvlib = _pvlib()
    w = weather.copy()
    sp = pvlib.solarposition.get_solarposition(w.index, site.lat, site.lon)
    w["zenith"] = sp["apparent_zenith"].to_numpy()
    w["azimuth"] = sp["azimuth"].to_numpy()
    if "dni" not in w.columns or "dhi" not in w.columns:
        erbs = pvlib.irradiance.erbs(w["ghi"], sp["zenith"], w.index)
        w["dni"], w["dhi"] = erbs["dni"].to_numpy(), erbs["dhi"].to_numpy()
    w["dni_extra"] = pvlib.irradiance.get_extra_radiation(w.index).to_numpy()
    w["airmass"] = pvlib.atmosphere.get_relative_airmass(w["zenith"]).to_numpy()
    if "wind_speed" not in w.columns:
        w["wind_speed"] = WIND_SPEED
    return w


def _array_energy(
    w: pd.DataFrame,
    tilt: float,
    azimuth: float,
    *,
    horizon_deg: float = 0.0,
    thermal: tuple[float, float] = FREE_RACK,
) -> tuple[float, float]:
    """Yield [kWh/kWp] and plane-of-array irradiation [kWh/m2] of one orientation."""
    return _energy(w, _irradiance(w, tilt, azimuth), horizon_deg=horizon_deg, thermal=thermal)


def _irradiance(w: pd.DataFrame, tilt: float, azimuth: float) -> tuple[np.ndarray, ...]:
    """Hourly beam, sky and ground plane-of-array irradiance [W/m2] and the beam's IAM of one orientation.

    Computed once per orientation and shared by every mount and horizon of :func:`_energy`.
    """
    pvlib = _pvlib()
    poa = pvlib.irradiance.get_total_irradiance(
        tilt, azimuth, w["zenith"], w["azimuth"], w["dni"], w["ghi"], w["dhi"],
        dni_extra=w["dni_extra"], airmass=w["airmass"], model="perez",
    )  # fmt: skip
    aoi = pvlib.irradiance.aoi(tilt, azimuth, w["zenith"], w["azimuth"])
    beam = poa["poa_direct"].fillna(0).to_numpy()
    sky = poa["poa_sky_diffuse"].fillna(0).to_numpy()
    ground = poa["poa_ground_diffuse"].fillna(0).to_numpy()
    iam = pvlib.iam.physical(aoi).fillna(0).to_numpy()
    return beam, sky, ground, iam


def _energy(
    w: pd.DataFrame,
    irradiance: tuple[np.ndarray, ...],
    *,
    horizon_deg: float = 0.0,
    thermal: tuple[float, float] = FREE_RACK,
) -> tuple[float, float]:
    """Yield [kWh/kWp] and plane-of-array irradiation [kWh/m2] from :func:`_irradiance`."""
    pvlib = _pvlib()
    beam, sky, ground, iam = irradiance
    if horizon_deg > 0:
        # obstacles all round at this elevation: no beam below it, sky diffuse reduced (Passias)
        beam = np.where(90 - w["zenith"].to_numpy() < horizon_deg, 0.0, beam)
        sky = sky * (1 - float(pvlib.shading.sky_diffuse_passias(horizon_deg)))
    effective = beam * iam + sky + ground
    t_cell = pvlib.temperature.faiman(
        effective, w["temp_air"].to_numpy(), w["wind_speed"].to_numpy(), u0=thermal[0], u1=thermal[1]
    )
    pdc = pvlib.pvsystem.pvwatts_dc(effective, t_cell, pdc0=1.0, gamma_pdc=GAMMA_PDC)
    pdc = np.clip(pdc, 0, None) * (1 - losses_pct() / 100)
    pac = pvlib.inverter.pvwatts(pdc, pdc0=1.0 / INVERTER_ETA, eta_inv_nom=INVERTER_ETA)
    hours = 1.0  # hourly data
    return float(np.clip(pac, 0, None).sum() * hours), float((beam + sky + ground).sum() / 1000 * hours)


def specific_yield(
    weather: pd.DataFrame,
    tilt: float,
    azimuth: float,
    *,
    site: Site = SHAOXING,
    thermal: tuple[float, float] = FREE_RACK,
) -> dict[str, float]:
    """Yearly yield of one orientation from hourly weather.

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly ``ghi`` (and optionally ``dni, dhi``), ``temp_air`` [°C], ``wind_speed`` [m/s],
        with a time-zone-aware DatetimeIndex at hour centres.
    tilt, azimuth : float
        Array tilt from horizontal and azimuth clockwise from north [deg].
    site : Site
        Location.
    thermal : tuple of float
        Faiman (u0, u1) of the mount (default free rack).

    Returns
    -------
    dict
        ``yield_kwh_kwp`` [kWh/kWp/yr], ``poa_kwh_m2`` [kWh/m2/yr], ``ghi_kwh_m2``, ``pr``.
    """
    w = _prepare(weather, site)
    y, poa = _array_energy(w, tilt, azimuth, thermal=thermal)
    ghi = float(w["ghi"].sum() / 1000)
    return {"yield_kwh_kwp": y, "poa_kwh_m2": poa, "ghi_kwh_m2": ghi, "pr": y / poa if poa else np.nan}


TILTS = (0, 5, 10, 15, 20, 25, 30, 35, 40)
"""Tilt bins of :func:`yield_table` [deg]."""
AZIMUTHS = (0, 45, 90, 135, 180, 225, 270, 315)
"""Azimuth bins of :func:`yield_table` [deg]."""
HORIZONS = tuple(range(0, 65, 5))
"""Horizon elevations of :func:`horizon_loss_table` [deg]."""
PRECOMPUTED = "pv_yield_precomputed.json"
"""The default tables as computed (``sxgeo/data``; rewritten by ``tools/pv_precompute.py``)."""


def yield_table(
    weather: pd.DataFrame | None = None,
    *,
    site: Site = SHAOXING,
    scenario: str = "default",
    tilts: tuple[float, ...] = TILTS,
    azimuths: tuple[float, ...] = AZIMUTHS,
    mounts: dict[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """Specific yield for every (mount, tilt, azimuth) bin, from a weather year or the monthly table.

    The default year (no *weather*, Shaoxing, the default bins and the shipped table's mounts) gives
    the same table every run: it is read as computed (:data:`PRECOMPUTED`, the same numbers to the last
    bit, checked by the tests), which spares about 2 s of pvlib per run; anything else is computed.

    Parameters
    ----------
    weather : pandas.DataFrame, optional
        Hourly weather (see :func:`specific_yield`); default the synthetic year of the monthly
        table.
    site : Site
        Location.
    scenario : {'default', 'low'}
        Monthly table scenario when *weather* is not given.
    tilts, azimuths : tuple of float
        Bin centres [deg].
    mounts : dict, optional
        Mount name -> Faiman (u0, u1); default :func:`thermal_mounts` of the shipped roof table.

    Returns
    -------
    pandas.DataFrame
        ``mount, tilt_deg, azimuth_deg, yield_kwh_kwp, poa_kwh_m2``; ``attrs["source"]`` says
        which weather.
    """
    mounts = mounts or thermal_mounts()
    if weather is None and site == SHAOXING and tuple(tilts) == TILTS and tuple(azimuths) == AZIMUTHS:
        stored = _precomputed().get("yield", {}).get(scenario)
        if stored is not None and _same_mounts(stored["mounts"], mounts):
            table = pd.DataFrame(stored["rows"], columns=stored["columns"])
            table.attrs.update(stored["attrs"])
            log.info(
                "yield table: %d bins, %s (as computed: %s)", len(table), table.attrs["source"], PRECOMPUTED
            )
            return table
    return _computed_yield_table(
        weather, site=site, scenario=scenario, tilts=tilts, azimuths=azimuths, mounts=mounts
    )


def horizon_loss_table(
    weather: pd.DataFrame | None = None,
    *,
    site: Site = SHAOXING,
    tilt: float = 15,
    azimuth: float = 180,
    horizons: tuple[float, ...] = HORIZONS,
) -> pd.DataFrame:
    """Yearly energy lost to an all-round horizon of a given elevation (neighbouring buildings).

    The default year and reference array read the table as computed (:data:`PRECOMPUTED`), like
    :func:`yield_table`.

    Parameters
    ----------
    weather : pandas.DataFrame, optional
        Hourly weather; default the synthetic year of the monthly table.
    site : Site
        Location.
    tilt, azimuth : float
        Reference array [deg].
    horizons : tuple of float
        Horizon elevations [deg].

    Returns
    -------
    pandas.DataFrame
        ``horizon_deg, loss`` (0-1).
    """
    if weather is None and site == SHAOXING and (tilt, azimuth) == (15, 180) and tuple(horizons) == HORIZONS:
        stored = _precomputed().get("horizon")
        if stored is not None:
            return pd.DataFrame(stored["rows"], columns=stored["columns"])
    return _computed_horizon_loss_table(weather, site=site, tilt=tilt, azimuth=azimuth, horizons=horizons)


def _same_mounts(stored: dict[str, list[float]], mounts: dict[str, tuple[float, float]]) -> bool:
    return {k: tuple(v) for k, v in stored.items()} == {k: tuple(map(float, v)) for k, v in mounts.items()}


def _precomputed() -> dict[str, Any]:
    """The stored tables, or ``{}`` when the monthly GHI table they were computed from has changed."""
    stored: dict[str, Any] = read_param_json(PRECOMPUTED)
    return stored if stored.get("ghi_table_sha256") == ghi_table_sha256() else {}


def ghi_table_sha256() -> str:
    """sha256 of the shipped monthly GHI table (the input of the default year)."""
    return param_file_sha256(GHI_TABLE)


def precomputed_tables() -> dict[str, Any]:
    """:data:`PRECOMPUTED`'s content, computed now (``tools/pv_precompute.py`` writes it)."""
    mounts = thermal_mounts()
    out: dict[str, Any] = {"ghi_table_sha256": ghi_table_sha256(), "yield": {}}
    for scenario in ("default", "low"):
        t = _computed_yield_table(scenario=scenario, mounts=mounts)
        out["yield"][scenario] = {
            "mounts": {k: list(v) for k, v in mounts.items()},
            "columns": list(t.columns),
            "rows": t.to_numpy(dtype=object).tolist(),
            "attrs": dict(t.attrs),
        }
    h = _computed_horizon_loss_table()
    out["horizon"] = {"columns": list(h.columns), "rows": h.to_numpy(dtype=object).tolist()}
    return out


def _computed_yield_table(
    weather: pd.DataFrame | None = None,
    *,
    site: Site = SHAOXING,
    scenario: str = "default",
    tilts: tuple[float, ...] = TILTS,
    azimuths: tuple[float, ...] = AZIMUTHS,
    mounts: dict[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """:func:`yield_table` computed (pvlib), whatever is stored."""
    source = "user weather file"
    if weather is None:
        weather = synthetic_year(monthly_table(scenario), site)
        source = f"monthly GHI table ({scenario}): Hangzhou CSWD typical year, two-state synthetic year"
    w = _prepare(weather, site)
    rows = []
    orientations = [(tilt, az) for tilt in tilts for az in (azimuths if tilt > 0 else (180,))]
    irradiance = {o: _irradiance(w, *o) for o in orientations}  # the same for every mount
    for mount, thermal in (mounts or thermal_mounts()).items():
        for tilt in tilts:
            for az in azimuths if tilt > 0 else (180,):
                y, poa = _energy(w, irradiance[tilt, az], thermal=thermal)
                if tilt == 0:
                    rows += [(mount, 0.0, float(a), y, poa) for a in azimuths]
                else:
                    rows.append((mount, float(tilt), float(az), y, poa))
    table = pd.DataFrame(rows, columns=["mount", "tilt_deg", "azimuth_deg", "yield_kwh_kwp", "poa_kwh_m2"])
    table.attrs["source"] = source
    table.attrs["ghi_kwh_m2"] = float(w["ghi"].sum() / 1000)
    log.info("yield table: %d bins, %s", len(table), source)
    return table


def lookup_yield(
    table: pd.DataFrame, tilt: np.ndarray, azimuth: np.ndarray, mount: np.ndarray | None = None
) -> np.ndarray:
    """Yield of each building's array from the nearest (mount, tilt, azimuth) bin [kWh/kWp].

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`yield_table` (a table without ``mount`` is one mount).
    tilt, azimuth : numpy.ndarray
        Per-building tilt and azimuth [deg].
    mount : numpy.ndarray, optional
        Per-building mount (default :data:`DEFAULT_MOUNT`, else the table's first).

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    SxgeoError
        A mount the table was not computed for.
    """
    if "mount" in table.columns:
        known = list(dict.fromkeys(table["mount"].astype(str)))
        if mount is None:
            mount = np.full(len(np.atleast_1d(tilt)), DEFAULT_MOUNT if DEFAULT_MOUNT in known else known[0])
        mount = np.asarray(mount, dtype=object).astype(str)
        missing = sorted(set(mount) - set(known))
        if missing:
            msg = f"the yield table has no mount {missing}; it was computed for {known}"
            raise SxgeoError(msg)
        out = np.full(len(mount), np.nan)
        for m in known:
            sel = mount == m
            if sel.any():
                sub = table[table["mount"].astype(str) == m]
                ti, ai = np.asarray(tilt)[sel], np.asarray(azimuth)[sel]
                out[sel] = lookup_yield(sub.drop(columns="mount"), ti, ai)
        return out
    tilts = np.sort(table["tilt_deg"].unique())
    azs = np.sort(table["azimuth_deg"].unique())
    ti = tilts[np.abs(np.asarray(tilt, float)[:, None] - tilts[None, :]).argmin(axis=1)]
    diff = np.abs(((np.asarray(azimuth, float)[:, None] - azs[None, :]) + 180) % 360 - 180)
    ai = azs[diff.argmin(axis=1)]
    lut = table.set_index(["tilt_deg", "azimuth_deg"])["yield_kwh_kwp"]
    return lut.reindex(pd.MultiIndex.from_arrays([ti, ai])).to_numpy()


def _computed_horizon_loss_table(
    weather: pd.DataFrame | None = None,
    *,
    site: Site = SHAOXING,
    tilt: float = 15,
    azimuth: float = 180,
    horizons: tuple[float, ...] = HORIZONS,
) -> pd.DataFrame:
    """:func:`horizon_loss_table` computed (pvlib), whatever is stored."""
    weather = synthetic_year(monthly_table(), site) if weather is None else weather
    w = _prepare(weather, site)
    irradiance = _irradiance(w, tilt, azimuth)  # the same for every horizon
    base, _ = _energy(w, irradiance)
    losses = [1 - _energy(w, irradiance, horizon_deg=h)[0] / base for h in horizons]
    return pd.DataFrame({"horizon_deg": np.asarray(horizons, float), "loss": losses})
