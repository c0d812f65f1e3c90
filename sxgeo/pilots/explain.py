"""Explain a selection and test how much it depends on the weights.

* :func:`reasons`: why each candidate is or is not selected: a gate, a quota at its maximum, the
  minimum spacing (naming the selected site it conflicts with and its score), or its score.
* :func:`monte_carlo`: weights drawn from ``Dirichlet(alpha · w)`` around the planner's weights
  (seeded; the draws keep the weights' scale, summing to 1 like the base): each candidate's
  probability of ranking in the top N (ranking only, cheap: >= 1,000 draws), of being selected by
  the full programme (quotas, spacing, fixed pilots: ~0.15 s a draw, so fewer draws, stated), and
  its 5-95 % rank interval; labels *robust* (P >= 0.8), *weight-dependent* (0.2-0.8), *unlikely*.
* :func:`one_at_a_time`: each weight scaled by ±10/20/30 %, the others rescaled to keep the sum 1;
  Spearman ρ against the base ranking and the largest rank change.
* :func:`irreplaceability`: for each selected site, the score lost when it is locked out and the
  rest re-selected (prioritizr's replacement cost).

Method notes: ``../shared/reference/siting-data.md`` A2 and ``anchors.md`` §1.3-1.4.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sxgeo.errors import SelectionError
from sxgeo.pilots.score import rank_desc

if TYPE_CHECKING:
    from sxgeo.pilots.select import Selection, SitingProblem

log = logging.getLogger(__name__)

ROBUST, UNLIKELY = 0.8, 0.2
"""Label thresholds on the selection (or top-N) probability."""
CHANGES = (-30, -20, -10, 10, 20, 30)
"""One-at-a-time weight changes [%]."""


def reasons(problem: SitingProblem, scores: Any, selection: Selection) -> list[str]:
    """Why each candidate of the programme is (not) selected.

    Parameters
    ----------
    problem : SitingProblem
        The programme (candidates, quotas, close pairs, fixed pilots).
    scores : array-like
        Scores the selection was made with.
    selection : Selection
        The solution.

    Returns
    -------
    list of str
        One per candidate: ``selected``, ``existing pilot (fixed in)``, ``spacing: ...``,
        ``quota: ...`` or ``score: ...``.
    """
    s = np.nan_to_num(np.asarray(scores, dtype=float))
    x = selection.selected
    c = problem.c
    free = x & ~problem.fixed
    cut = float(s[free].min()) if free.any() else np.inf
    neighbours: dict[int, list[int]] = {}
    for i, j in problem.pairs:
        neighbours.setdefault(int(i), []).append(int(j))
        neighbours.setdefault(int(j), []).append(int(i))
    counts = pd.Series(problem.county[x]).value_counts()
    out = []
    for i in range(len(c)):
        if problem.fixed[i]:
            out.append("existing pilot (fixed in)")
            continue
        if x[i]:
            out.append("selected")
            continue
        conflict = [j for j in neighbours.get(i, []) if x[j]]
        spacing = ""
        if conflict:
            j = max(conflict, key=lambda k: (s[k], -k))
            d = float(np.hypot(c["x"].iloc[i] - c["x"].iloc[j], c["y"].iloc[i] - c["y"].iloc[j]))
            spacing = (
                f"spacing: {d / 1000:.1f} km from selected {problem._name(j)} (score {s[j]:.1f}), "
                f"closer than {problem.opts.min_spacing_m / 1000:g} km"
            )
        if s[i] <= cut:
            also = f"; also {spacing}" if spacing else ""
            out.append(f"score: {s[i]:.1f} below the lowest selected ({cut:.1f}){also}")
            continue
        if spacing:
            out.append(spacing)
            continue
        county = problem.county[i]
        hi = (problem.opts.quotas or {}).get(county, (0, None))[1]
        if hi is not None and int(counts.get(county, 0)) >= hi:
            out.append(f"quota: county {county} is at its maximum of {hi}")
            continue
        out.append(
            f"quota: displaced by county minimums elsewhere (score {s[i]:.1f} > lowest selected {cut:.1f})"
        )
    return out


@dataclass
class Robustness:
    """Monte-Carlo results per candidate and how they were made.

    Attributes
    ----------
    table : pandas.DataFrame
        ``p_top_n, p_selected, rank_p05, rank_p95, label`` (one row per candidate).
    draws, selection_draws : int
        Ranking-only draws and full-selection draws.
    alpha : float
        Dirichlet concentration (``alpha · w``).
    seed : int
        Random seed.
    """

    table: pd.DataFrame
    draws: int
    selection_draws: int
    alpha: float
    seed: int

    def notes(self) -> list[str]:
        """Lines for the output notes (numbers of draws, Monte-Carlo error)."""
        se_top = 0.5 / np.sqrt(max(self.draws, 1)) * 100
        out = [
            f"robustness: weights ~ Dirichlet({self.alpha:g} · w), seed {self.seed}; "
            f"P(top N) from {self.draws} ranking draws (SE <= {se_top:.1f} pp), rank interval 5-95 %",
        ]
        if self.selection_draws:
            se = 0.5 / np.sqrt(self.selection_draws) * 100
            out.append(
                f"P(selected) from {self.selection_draws} full selections (quotas, spacing, fixed pilots; "
                f"SE <= {se:.1f} pp); labels from P(selected): robust >= {ROBUST}, weight-dependent, "
                f"unlikely < {UNLIKELY}; P(selected) is a selection frequency under weight uncertainty "
                "(each draw's optimal selection), not a share of near-optimal portfolios"
            )
        else:
            out.append(f"labels from P(top N): robust >= {ROBUST}, weight-dependent, unlikely < {UNLIKELY}")
        return out


def draw_weights(weights: NDArray[np.float64], draws: int, *, alpha: float, rng: np.random.Generator) -> Any:
    """Weights from ``Dirichlet(alpha · w)``; criteria of weight 0 stay 0. Rows sum to 1, like *weights*."""
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    on = w > 0
    out = np.zeros((draws, len(w)))
    out[:, on] = rng.dirichlet(alpha * w[on], size=draws)
    return out


def draw_ranks(scores: NDArray[np.float64], tiebreak: NDArray[Any] | None = None) -> NDArray[np.int64]:
    """:func:`~sxgeo.pilots.score.rank_desc` of each column of *scores* (candidates x draws).

    The candidates are put in tie order once; then a stable sort of each draw's scores gives
    ``lexsort((tiebreak, -score))``. Where a draw's scores are all distinct (and none is NaN), any sort
    gives that order, so the faster unstable one is used and checked (about 6x faster than lexsort);
    a draw with ties is sorted stably. The draws are ranked row by row of a draws x candidates array.
    """
    m, draws = scores.shape
    tie_order = np.arange(m) if tiebreak is None else np.argsort(tiebreak, kind="stable")
    by_draw = np.ascontiguousarray(-scores[tie_order].T)  # draws x candidates, in tie order
    ranks = np.empty((draws, m), dtype=np.int64)
    places = np.arange(1, m + 1)
    for d in range(draws):
        key = by_draw[d]
        order = np.argsort(key)
        ordered = key[order]
        if np.isnan(ordered[-1:]).any() or (ordered[1:] == ordered[:-1]).any():
            order = np.argsort(key, kind="stable")  # ties (or NaN, sorted last): keep the tie order
        ranks[d, tie_order[order]] = places
    return np.ascontiguousarray(ranks.T)


def rank_interval(ranks: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The 5 % (``method="lower"``) and 95 % (``method="higher"``) percentiles of each row of *ranks*.

    ``numpy.percentile`` with those methods takes the order statistics ``floor(q (n - 1))`` and
    ``ceil(q (n - 1))``; both come from one partial sort here (two calls would partition twice).
    """
    n = ranks.shape[1]
    k_lo, k_hi = int(np.floor(0.05 * (n - 1))), int(np.ceil(0.95 * (n - 1)))
    part = np.partition(ranks, sorted({k_lo, k_hi}), axis=1)
    return part[:, k_lo], part[:, k_hi]


def monte_carlo(
    normalised: NDArray[np.float64],
    weights: NDArray[np.float64],
    n_top: int,
    *,
    draws: int = 1000,
    alpha: float = 50.0,
    seed: int = 20211201,
    problem: SitingProblem | None = None,
    selection_draws: int = 200,
    tiebreak: NDArray[Any] | None = None,
    offset: NDArray[np.float64] | None = None,
) -> Robustness:
    """Weight Monte-Carlo: P(top N), P(selected), 5-95 % rank interval and a label per candidate.

    Parameters
    ----------
    normalised : numpy.ndarray
        Min-max values, candidates x criteria (:attr:`sxgeo.pilots.score.Scored.normalised`), in
        the order of the programme's candidates.
    weights : numpy.ndarray
        The planner's weights (sum 1).
    n_top : int
        N.
    draws : int
        Ranking-only draws (the issue asks >= 1,000; fewer allowed for tests).
    alpha : float
        Dirichlet concentration: larger keeps draws closer to the planner's weights.
    seed : int
        Seed: the same seed gives the same table.
    problem : SitingProblem, optional
        For P(selected): the first *selection_draws* weight draws are solved in full.
    selection_draws : int
        Full selections (>= 200 in the plan's runs; 0 to skip).
    tiebreak : numpy.ndarray, optional
        Tie order of the ranking (default: position).
    offset : numpy.ndarray, optional
        Points added to each candidate's score in the full selections (the bonus a joint
        village-town selection gives; the ranking draws use the criteria scores alone).

    Returns
    -------
    Robustness
    """
    rng = np.random.default_rng(seed)
    w = draw_weights(weights, draws, alpha=alpha, rng=rng)
    scores = 100.0 * normalised @ w.T  # candidates x draws
    m = scores.shape[0]
    ranks = draw_ranks(scores, tiebreak)
    p_top = (ranks <= n_top).mean(axis=1) if draws else np.full(m, np.nan)
    lo, hi = rank_interval(ranks) if draws else (np.full(m, np.nan), np.full(m, np.nan))
    k = min(selection_draws, draws) if problem is not None else 0
    p_sel = np.full(m, np.nan)
    if k:
        hits = np.zeros(m)
        for d in range(k):
            s_d = scores[:, d] if offset is None else scores[:, d] + offset
            hits += problem.solve(s_d, check=True).selected  # type: ignore[union-attr]
        p_sel = hits / k
    basis = p_sel if k else p_top
    label = np.where(basis >= ROBUST, "robust", np.where(basis >= UNLIKELY, "weight-dependent", "unlikely"))
    if problem is not None:
        label = np.where(problem.fixed, "fixed", label)
    table = pd.DataFrame(
        {"p_top_n": p_top, "p_selected": p_sel, "rank_p05": lo, "rank_p95": hi, "label": label}
    )
    log.info("Monte-Carlo: %d ranking draws, %d full selections", draws, k)
    return Robustness(table, draws, k, alpha, seed)


def one_at_a_time(
    normalised: NDArray[np.float64],
    weights: NDArray[np.float64],
    ids: list[str],
    n_top: int,
    *,
    changes: tuple[int, ...] = CHANGES,
) -> tuple[pd.DataFrame, NDArray[np.int64]]:
    """One weight at a time scaled by each change, the others rescaled proportionally to keep the sum 1.

    Parameters
    ----------
    normalised : numpy.ndarray
        Min-max values, candidates x criteria.
    weights : numpy.ndarray
        Base weights (sum 1).
    ids : list of str
        Criterion ids.
    n_top : int
        N, for the top-N membership changes.
    changes : tuple of int
        Percent changes.

    Returns
    -------
    tuple
        The sensitivity table (``criterion, change_pct, weight, weight_new, spearman_rho,
        max_rank_change, top_n_changed``) and each candidate's largest rank change over all runs.
    """
    base = 100.0 * normalised @ weights
    base_rank = rank_desc(base)
    top = base_rank <= n_top
    worst = np.zeros(len(base), dtype=np.int64)
    rows = []
    for j, cid in enumerate(ids):
        for pct in changes:
            w = weights.astype(float).copy()
            new = w[j] * (1 + pct / 100.0)
            rest = w.sum() - w[j]
            if rest > 0:
                w = w * (1 - new) / rest
            w[j] = new
            s = 100.0 * normalised @ w
            r = rank_desc(s)
            delta = np.abs(r - base_rank)
            worst = np.maximum(worst, delta)
            rho = spearman(base, s) if len(base) > 2 else np.nan
            rows.append(
                {
                    "criterion": cid,
                    "change_pct": pct,
                    "weight": float(weights[j]),
                    "weight_new": float(new),
                    "spearman_rho": rho,
                    "max_rank_change": int(delta.max()) if len(delta) else 0,
                    "top_n_changed": int(((r <= n_top) != top).sum() // 2),
                }
            )
    return pd.DataFrame(rows), worst


def spearman(a: Any, b: Any) -> float:
    """Spearman's rank correlation, as :func:`scipy.stats.spearmanr` computes it.

    Pearson's correlation of the average ranks (ties share the mean of their ranks), without importing
    ``scipy.stats`` (about a second of the command's start-up).
    """
    ra = pd.Series(np.asarray(a, dtype=float)).rank(method="average").to_numpy()
    rb = pd.Series(np.asarray(b, dtype=float)).rank(method="average").to_numpy()
    return float(np.corrcoef(ra, rb)[0, 1])


def irreplaceability(problem: SitingProblem, scores: Any, selection: Selection) -> NDArray[np.float64]:
    """Score lost when each selected (not fixed) site is locked out and the rest re-selected.

    Parameters
    ----------
    problem : SitingProblem
        The programme.
    scores : array-like
        Scores of the selection.
    selection : Selection
        The base solution.

    Returns
    -------
    numpy.ndarray
        Per candidate: the loss in score points (NaN when not selected or fixed; inf when no
        feasible replacement exists).
    """
    out = np.full(len(selection.selected), np.nan)
    for i in np.flatnonzero(selection.selected & ~problem.fixed):
        lock = np.zeros(len(out), dtype=bool)
        lock[i] = True
        try:
            alt = problem.solve(scores, exclude=lock)
        except SelectionError:
            out[i] = np.inf
            continue
        out[i] = max(selection.objective - alt.objective, 0.0)
    return out
