"""Status of an indicator against its target, by a method named per indicator.

Methods (``../shared/reference/anchors.md`` §3):

``linear_time_share`` (default; 时间过半、任务过半)
    progress = (v − b) / (T − b), time = (t − t0) / (T_year − t0); faster when progress ≥ time + δ,
    on track when |progress − time| < δ, lagging otherwise (δ = 10 percentage points). Every
    threshold is compared with a 1e-9 slack (:data:`TOL`), so an exact boundary is graded as
    written (0.30 against 0.20 is 快于预期).
``growth_rate_ratio`` (the SDG progress method, Open SDG / Statistics Canada)
    R = CAGR observed / CAGR required; on track R ≥ 0.95, faster R ≥ 1 + δ, lagging below 0.95.
    A zero or negative baseline or target has no growth rate: the linear time share is used
    instead and the status says so (never the 0.001 substitute Open SDG uses).
``trend_projection`` (the German sustainability strategy's weather symbols)
    The mean annual change over the last (up to) 5 years projected to the target year; faster when
    the projection reaches the target, on track when it misses by at most 20 % of the planned
    change, lagging beyond that or when moving away. With fewer than 3 years: linear time share.

Categories use the words of the 14th plan's mid-term review (NDRC to the NPC Standing Committee,
2023-12-26): 提前实现 / 快于预期 / 基本符合预期 / 滞后 (and 已实现 for a target met in the target year,
the final assessment 终期评估), each with a colour and a text label. A ``maintain`` target (not below
X) that holds is 保持 (kept), at any time: keeping a level is not reaching it early.

Every method takes its baseline and target years as arguments, so one plan's status (2020 -> 2025)
and the next one's (2025 -> 2030) are the same calls. :func:`trajectory_value` is the value the
plan's path expects in a year (where a unit should stand on the way to 2030), and
:func:`final_status` the final assessment's verdict (已实现 / 未实现 at the target year).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sxgeo.labels import STATUS as STATUS_LABELS

DELTA = 0.10
"""Band of 'roughly on schedule' in the linear time share (10 percentage points) [assumed]."""
TOL = 1e-9
"""Slack of every threshold comparison: 0.30 against a time share of 0.20 is exactly δ ahead
(``0.2 + 0.1 > 0.3`` in binary floating point), so a boundary is judged as the exact figure is."""

COLOURS: dict[str, str] = {
    "achieved": "#1a7f37",
    "met": "#1a7f37",
    "not_met": "#cf222e",
    "kept": "#1a7f37",
    "faster": "#4ac26b",
    "on_track": "#bf8700",
    "lagging": "#cf222e",
    "no_target": "#6e7781",
    "no_figure": "#6e7781",
    "no_data": "#6e7781",
    "pending": "#8c959f",
    "sited_enough": "#0969da",
    "sited_short": "#bc4c00",
    "potential": "#8250df",
}
"""Category -> colour."""

CATEGORIES: dict[str, tuple[str, str, str]] = {
    key: (*STATUS_LABELS[key], colour) for key, colour in COLOURS.items()
}
"""Category -> (zh label, en label, colour); the labels are those of :data:`sxgeo.labels.STATUS`."""


@dataclass(frozen=True)
class Status:
    """A judged value.

    Attributes
    ----------
    category : str
        A key of :data:`CATEGORIES`.
    method : str
        The method that judged it (after any fallback).
    progress : float or None
        Share of the planned change achieved (linear), R (growth rate) or projected value (trend).
    note : str
        How it was judged, one line.
    """

    category: str
    method: str
    progress: float | None = None
    note: str = ""

    @property
    def label_zh(self) -> str:
        """Chinese label."""
        return CATEGORIES[self.category][0]

    @property
    def label_en(self) -> str:
        """English label."""
        return CATEGORIES[self.category][1]

    @property
    def colour(self) -> str:
        """Hex colour of the category."""
        return CATEGORIES[self.category][2]


def _sign(direction: str) -> float:
    return -1.0 if direction == "decrease" else 1.0


def _met(value: float, target: float, direction: str) -> bool:
    return _sign(direction) * (value - target) >= -1e-9


def _achieved(year: int, target_year: int, direction: str = "increase") -> Status:
    if direction == "maintain":
        # a level to keep (not below X) is kept, not reached early: 保持, whatever the year
        return Status("kept", "met", 1.0, "level kept (not below the target)")
    if year >= target_year:
        return Status("met", "met", 1.0, "target met in the target year")
    return Status("achieved", "met", 1.0, "target met before the target year")


def _grade(method: str, progress: float | None, note: str, *, faster: bool, on_track: bool) -> Status:
    """The category of a judged value: faster, else roughly on schedule, else lagging."""
    category = "faster" if faster else "on_track" if on_track else "lagging"
    return Status(category, method, progress, note)


def linear_time_share(
    value: float,
    year: int,
    *,
    baseline: float,
    baseline_year: int,
    target: float,
    target_year: int,
    direction: str = "increase",
) -> Status:
    """时间过半、任务过半: share of the planned change achieved vs share of the period elapsed.

    Parameters
    ----------
    value : float
        Value in *year*.
    year : int
        Year of the value.
    baseline, target : float
        Values in *baseline_year* and *target_year* (a zero baseline is fine).
    baseline_year, target_year : int
        Years.
    direction : {'increase', 'decrease', 'maintain'}
        Which way is better (``maintain``: not below the target).

    Returns
    -------
    Status
    """
    if _met(value, target, direction):
        return _achieved(year, target_year, direction)
    change = target - baseline
    if direction == "maintain" or change == 0 or _sign(direction) * change < 0:
        return Status("lagging", "linear_time_share", None, "below a level to keep")
    period = target_year - baseline_year
    time = min(max((year - baseline_year) / period, 0.0), 1.0) if period > 0 else 1.0
    progress = (value - baseline) / change
    if year >= target_year:
        return Status(
            "lagging", "linear_time_share", progress, f"{progress:.0%} of the change at the target year"
        )
    note = f"{progress:.0%} of the change in {time:.0%} of the time"
    return _grade(
        "linear_time_share",
        progress,
        note,
        faster=progress >= time + DELTA - TOL,
        on_track=progress > time - DELTA + TOL,
    )


def _linear_instead(
    value: float,
    year: int,
    why: str,
    *,
    direction: str,
    baseline: float,
    baseline_year: int,
    target: float,
    target_year: int,
) -> Status:
    """The linear time share where another method cannot judge, saying why in the note."""
    s = linear_time_share(
        value,
        year,
        direction=direction,
        baseline=baseline,
        baseline_year=baseline_year,
        target=target,
        target_year=target_year,
    )
    return Status(s.category, s.method, s.progress, f"{s.note} ({why}: linear time share)")


def growth_rate_ratio(
    value: float,
    year: int,
    *,
    baseline: float,
    baseline_year: int,
    target: float,
    target_year: int,
    direction: str = "increase",
) -> Status:
    """Ratio of the observed to the required compound annual growth rate (Open SDG).

    Parameters
    ----------
    value, year, baseline, baseline_year, target, target_year, direction
        As :func:`linear_time_share`.

    Returns
    -------
    Status
        Falls back to the linear time share (saying so) where a growth rate does not exist:
        a baseline, value or target ≤ 0, no time elapsed, or no change required.
    """
    if _met(value, target, direction):
        return _achieved(year, target_year, direction)
    if min(baseline, value, target) <= 0 or year <= baseline_year or target == baseline:
        return _linear_instead(
            value,
            year,
            "no growth rate",
            direction=direction,
            baseline=baseline,
            baseline_year=baseline_year,
            target=target,
            target_year=target_year,
        )
    observed = (value / baseline) ** (1 / (year - baseline_year)) - 1
    required = (target / baseline) ** (1 / (target_year - baseline_year)) - 1
    ratio = observed / required
    note = f"growth {observed:+.2%}/yr vs {required:+.2%}/yr required (R = {ratio:.2f})"
    # Open SDG's 'on track' threshold: R >= 0.95
    return _grade(
        "growth_rate_ratio", ratio, note, faster=ratio >= 1 + DELTA - TOL, on_track=ratio >= 0.95 - TOL
    )


def trend_projection(
    series: Sequence[tuple[int, float]],
    *,
    baseline: float,
    baseline_year: int,
    target: float,
    target_year: int,
    direction: str = "increase",
) -> Status:
    """Project the mean annual change of the last (up to) 5 years to the target year.

    Parameters
    ----------
    series : sequence of (year, value)
        Observed values (any order); the latest is judged.
    baseline, baseline_year, target, target_year, direction
        As :func:`linear_time_share`.

    Returns
    -------
    Status
        Falls back to the linear time share with fewer than 3 years.
    """
    points = sorted({int(y): float(v) for y, v in series}.items())
    year, value = points[-1]
    if _met(value, target, direction):
        return _achieved(year, target_year, direction)
    if len(points) < 3:  # two changes at least
        return _linear_instead(
            value,
            year,
            "fewer than 3 years",
            direction=direction,
            baseline=baseline,
            baseline_year=baseline_year,
            target=target,
            target_year=target_year,
        )
    recent = [p for p in points if p[0] >= year - 5]
    if len(recent) < 2:
        recent = points[-2:]
    slope = (recent[-1][1] - recent[0][1]) / (recent[-1][0] - recent[0][0])
    projected = value + slope * max(target_year - year, 0)
    sign = _sign(direction)
    gap = abs(target - baseline) or abs(target) or 1.0
    miss = sign * (target - projected) / gap
    note = f"trend {slope:+.3g}/yr projects {projected:.4g} in {target_year} (target {target:.4g})"
    if sign * slope < 0:
        return Status("lagging", "trend_projection", projected, note + "; moving away")
    # DNS: on track when the projection misses by at most 20 % of the planned change
    return _grade("trend_projection", projected, note, faster=miss <= TOL, on_track=miss <= 0.20 + TOL)


def assess(
    series: Sequence[tuple[int, float]],
    *,
    method: str,
    baseline: float | None,
    baseline_year: int,
    target: float | None,
    target_year: int,
    direction: str = "increase",
) -> Status:
    """Judge the latest value of a series by the indicator's method.

    Parameters
    ----------
    series : sequence of (year, value)
        Values by year (the baseline year's value is added from *baseline* when absent).
    method : str
        ``linear_time_share``, ``growth_rate_ratio`` or ``trend_projection``.
    baseline, target : float or None
        None: the plan gives no figure (``no_data`` / ``no_figure``).
    baseline_year, target_year : int
        Years.
    direction : str
        ``increase``, ``decrease`` or ``maintain``.

    Returns
    -------
    Status
    """
    points = sorted((int(y), float(v)) for y, v in series if v is not None and not math.isnan(float(v)))
    if not points:
        return Status("no_data", method, None, "no value")
    if target is None:
        return Status("no_figure", method, None, "the plan gives no figure")
    year, value = points[-1]
    if _met(value, target, direction):
        return _achieved(year, target_year, direction)
    if baseline is None:
        before = [p for p in points if p[0] <= baseline_year]
        if not before:
            return Status("no_data", method, None, f"no {baseline_year} baseline")
        baseline = before[-1][1]
    if method == "trend_projection":
        if not any(y == baseline_year for y, _ in points):
            points = [(baseline_year, baseline), *points]
        return trend_projection(
            points,
            direction=direction,
            baseline=baseline,
            baseline_year=baseline_year,
            target=target,
            target_year=target_year,
        )
    if method == "growth_rate_ratio":
        return growth_rate_ratio(
            value,
            year,
            direction=direction,
            baseline=baseline,
            baseline_year=baseline_year,
            target=target,
            target_year=target_year,
        )
    return linear_time_share(
        value,
        year,
        direction=direction,
        baseline=baseline,
        baseline_year=baseline_year,
        target=target,
        target_year=target_year,
    )


def trajectory_value(
    year: int,
    *,
    baseline: float,
    baseline_year: int,
    target: float,
    target_year: int,
    method: str = "linear_time_share",
) -> float:
    """The value the plan's path expects in *year*: where a unit should stand on the way to the target.

    Parameters
    ----------
    year : int
        Any year (clamped to the plan period).
    baseline, target : float
        Values in *baseline_year* and *target_year*.
    baseline_year, target_year : int
        Years (``target_year`` after ``baseline_year``).
    method : str
        ``growth_rate_ratio``: the compound path ``b (T / b) ** share`` (both positive); else the
        straight line ``b + (T - b) share``, share = elapsed / planned years.

    Returns
    -------
    float
    """
    period = target_year - baseline_year
    share = min(max((year - baseline_year) / period, 0.0), 1.0) if period > 0 else 1.0
    if method == "growth_rate_ratio" and baseline > 0 and target > 0:
        return float(baseline * (target / baseline) ** share)
    return float(baseline + (target - baseline) * share)


def final_status(
    series: Sequence[tuple[int, float]],
    *,
    baseline: float | None,
    baseline_year: int,
    target: float | None,
    target_year: int,
    direction: str = "increase",
) -> Status:
    """The final assessment (总结评估): the target-year value against the target, met or not met.

    Parameters
    ----------
    series : sequence of (year, value)
        Values by year; those after *target_year* do not count. Without a target-year value the
        latest earlier one is judged and the note names its year.
    baseline : float or None
        Baseline value (the change over the period is reported when given, or taken from the
        series' *baseline_year* value).
    baseline_year, target_year : int
        Years.
    target : float or None
        None: ``no_figure``.
    direction : str
        ``increase``, ``decrease`` or ``maintain``.

    Returns
    -------
    Status
        ``met`` or ``kept`` (a maintain target held), ``not_met``; ``progress`` is the share of the
        planned change achieved (None without a baseline or a planned change).
    """
    points = sorted(
        (int(y), float(v))
        for y, v in series
        if v is not None and not math.isnan(float(v)) and int(y) <= target_year
    )
    if not points:
        return Status("no_data", "final", None, f"no value up to {target_year}")
    if target is None:
        return Status("no_figure", "final", None, "the plan gives no figure")
    year, value = points[-1]
    if baseline is None:
        at_base = [v for y, v in points if y == baseline_year]
        baseline = at_base[0] if at_base else None
    change = target - baseline if baseline is not None else 0.0
    progress = (value - baseline) / change if baseline is not None and change != 0 else None
    when = "" if year == target_year else f" (latest value {year}, none for {target_year})"
    shift = f"; {value - baseline:+.4g} since {baseline_year}" if baseline is not None else ""
    if _met(value, target, direction):
        category = "kept" if direction == "maintain" else "met"
        return Status(category, "final", progress, f"{value:.4g} against {target:.4g}{shift}{when}")
    return Status("not_met", "final", progress, f"{value:.4g} short of {target:.4g}{shift}{when}")
