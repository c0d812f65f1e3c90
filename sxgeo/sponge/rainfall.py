"""The rainfall-depth / capture-ratio curve (H-alpha), from daily rainfall or a published table.

Method (national standard appendix A.0.1 as quoted in ``reference/sponge.md`` §2.2; matches
GB/T 51345-2018): take >= 30 years of daily precipitation, drop days <= 2 mm (and snow), and for
a design depth H the annual runoff volume capture ratio is

    alpha(H) = sum(min(X_j, H)) / sum(X_j)

the share of rain *volume* captured when every day is capped at H. It rises with H. (A public
script computes 1 - rank/(n+1) instead, which falls with H: the test of case 6.3 catches that.)
Between sorted daily values alpha is linear in H, so interpolating the points (X_i, alpha(X_i))
is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from sxgeo.errors import SxgeoError

DROP_AT_OR_BELOW_MM = 2.0
"""Daily totals at or below this are not runoff-producing days [mm] (A.0.1)."""


@dataclass(frozen=True)
class CaptureCurve:
    """A monotone H-alpha curve.

    Attributes
    ----------
    depth_mm : numpy.ndarray
        Design rainfall depths, increasing [mm].
    alpha : numpy.ndarray
        Capture ratio at each depth, non-decreasing, 0-1.
    source : str
        Where the curve comes from (station and years, or the table's document).
    complete : bool
        Whether the curve reaches alpha = 1 (a daily-series curve does; a published table
        usually stops at 85%).
    """

    depth_mm: NDArray[np.float64]
    alpha: NDArray[np.float64]
    source: str
    complete: bool

    def alpha_at(self, depth_mm: ArrayLike) -> NDArray[np.float64]:
        """Capture ratio at design depths (0-1); held at the last value beyond the curve.

        Parameters
        ----------
        depth_mm : array_like
            Design depths [mm].

        Returns
        -------
        numpy.ndarray
        """
        h = np.clip(np.asarray(depth_mm, dtype=float), 0, None)
        return np.interp(h, self.depth_mm, self.alpha)

    def depth_for(self, alpha: ArrayLike) -> NDArray[np.float64]:
        """Design depth that reaches a capture ratio [mm] (NaN beyond the curve).

        Parameters
        ----------
        alpha : array_like
            Capture ratios, 0-1.

        Returns
        -------
        numpy.ndarray
        """
        a = np.asarray(alpha, dtype=float)
        # alpha may repeat at the top (days above H_max): take the first depth reaching it
        keep = np.concatenate([[True], np.diff(self.alpha) > 0])
        out = np.interp(a, self.alpha[keep], self.depth_mm[keep])
        return np.where((a < 0) | (a > self.alpha[-1] + 1e-12), np.nan, out)

    @property
    def max_depth_mm(self) -> float:
        """Depth at the top of the curve [mm] (alpha = 1 for a daily-series curve)."""
        return float(self.depth_mm[-1])

    def table(self, alphas: ArrayLike = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)) -> pd.DataFrame:
        """Design depth for the usual target ratios.

        Parameters
        ----------
        alphas : array_like
            Capture ratios, 0-1.

        Returns
        -------
        pandas.DataFrame
            Columns ``alpha_pct, depth_mm``.
        """
        a = np.asarray(alphas, dtype=float)
        return pd.DataFrame({"alpha_pct": np.round(a * 100, 2), "depth_mm": np.round(self.depth_for(a), 2)})


def curve_from_daily(
    precip_mm: ArrayLike,
    *,
    drop_at_or_below_mm: float = DROP_AT_OR_BELOW_MM,
    source: str = "daily series",
) -> CaptureCurve:
    """Build the H-alpha curve from daily precipitation totals.

    Parameters
    ----------
    precip_mm : array_like
        Daily totals [mm] (NaN ignored); snow days should be removed by the caller.
    drop_at_or_below_mm : float
        Days at or below this are dropped [mm].
    source : str
        Description kept with the curve.

    Returns
    -------
    CaptureCurve

    Raises
    ------
    SxgeoError
        When no day is above the threshold, or a value is negative.
    """
    x = np.asarray(precip_mm, dtype=float)
    x = x[np.isfinite(x)]
    if (x < 0).any():
        msg = "daily precipitation has negative values"
        raise SxgeoError(msg)
    x = np.sort(x[x > drop_at_or_below_mm])
    if x.size == 0:
        msg = f"no day above {drop_at_or_below_mm} mm: cannot build a capture curve"
        raise SxgeoError(msg)
    n = x.size
    total = x.sum()
    # at H = x_i: days j <= i give x_j, the n - i days above are capped at x_i
    captured = np.cumsum(x) + (n - np.arange(1, n + 1)) * x
    depth = np.concatenate([[0.0], x])
    alpha = np.concatenate([[0.0], captured / total])
    return CaptureCurve(depth, alpha, source, complete=True)


def curve_from_table(alpha_pct: ArrayLike, depth_mm: ArrayLike, *, source: str) -> CaptureCurve:
    """Build a curve from a published alpha -> depth table (e.g. a city's design guideline).

    The origin (0 mm, 0%) is added; beyond the last row the curve is held flat, so a table that
    stops at 85% never credits more than 85%.

    Parameters
    ----------
    alpha_pct : array_like
        Capture ratios [%], increasing.
    depth_mm : array_like
        Design depths [mm], increasing.
    source : str
        The document.

    Returns
    -------
    CaptureCurve
    """
    a = np.asarray(alpha_pct, dtype=float) / 100
    d = np.asarray(depth_mm, dtype=float)
    if np.any(np.diff(a) <= 0) or np.any(np.diff(d) <= 0):
        msg = "a capture-curve table must increase in both alpha and depth"
        raise SxgeoError(msg)
    return CaptureCurve(np.concatenate([[0.0], d]), np.concatenate([[0.0], a]), source, complete=a[-1] >= 1)


CHENGDU_2015 = curve_from_table(
    [55, 60, 65, 70, 75, 80, 85],
    [11.9, 14.4, 17.4, 21.2, 26.1, 32.7, 40.7],
    source="成都市海绵城市规划建设管理技术规定 (sample for tests, not Shaoxing; reference/sponge.md §2.2)",
)
"""A published curve used by the validation cases; never a default for Shaoxing."""


def annual_summary(daily: pd.Series, *, wet_day_mm: float = 0.1) -> pd.DataFrame:
    """Yearly totals, rain days and maximum daily rainfall of a daily series.

    Parameters
    ----------
    daily : pandas.Series
        Daily precipitation [mm] indexed by date.
    wet_day_mm : float
        A rain day has at least this much [mm] (0.1 mm, the CMA convention).

    Returns
    -------
    pandas.DataFrame
        Index year; columns ``total_mm, rain_days, max_daily_mm``.
    """
    s = daily.dropna()
    grouped = s.groupby(cast("pd.DatetimeIndex", s.index).year)
    return pd.DataFrame(
        {
            "total_mm": grouped.sum().round(1),
            "rain_days": grouped.apply(lambda v: int((v >= wet_day_mm).sum())),
            "max_daily_mm": grouped.max().round(1),
        }
    )
