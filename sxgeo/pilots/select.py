"""Select N pilot sites: a 0/1 programme solved by HiGHS through :func:`scipy.optimize.milp`.

Variables ``x_i ∈ {0, 1}``, one per candidate. Maximise ``Σ s_i x_i`` subject to

* cardinality ``Σ x_i = N`` (existing pilots count inside N by default; with ``fixed_on_top``
  the total is N plus the fixed ones);
* county quotas ``L_c <= Σ_{i in c} x_i <= U_c``;
* minimum spacing: no two selected candidates closer than D. The close pairs come from a KD-tree
  on projected coordinates (EPSG:4549); they are written as clique rows ``Σ_{i∈K} x_i <= 1``, each
  ``K`` a set of candidates pairwise closer than D, every close pair inside at least one
  (:func:`spacing_cliques`): the same 0/1 solutions as one ``x_i + x_j <= 1`` row per pair (kept as
  ``formulation="pairs"``), a tenth of the rows at 10,000 candidates and a tighter LP;
* existing pilots fixed in (``x_i = 1`` by their lower bound).

A tie-break ``1e-3 · (order by code)`` (score points) makes equal scores resolve the same way every run. The
returned ``x`` is re-checked against every constraint (scipy#22812: ``milp`` once reported
success on a violated bound) and the status, gap, time and time limit are recorded. A set-up
that cannot be satisfied raises :class:`~sxgeo.errors.SelectionError` naming the constraint to
relax. Formulation after ``../shared/reference/siting-data.md`` A3.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import block_diag, coo_matrix, csr_matrix, hstack, vstack
from scipy.spatial import cKDTree

from sxgeo.errors import SelectionError

log = logging.getLogger(__name__)

REDUCE_FROM = 3000
"""Candidates from which :meth:`SitingProblem.solve` first fixes out, by LP reduced costs, the candidates that
cannot be in any optimal selection (exact; below this the MILP alone is as fast)."""
RESTRICTED = 1500
"""Candidates (smallest reduced costs) of the restricted MILP that finds the reduction a selection."""
INCUMBENTS = 8
"""Optimal selections a :class:`SitingProblem` keeps as known feasible ones for its next solves."""
TIEBREAK = 1e-3
"""Weight of the deterministic tie-break, in score points (scores are 0-100). It must stay above
HiGHS's absolute MIP gap (1e-6) to decide ties, and below any difference a planner would call real."""


@dataclass(frozen=True)
class SelectOptions:
    """The selection's set-up.

    Attributes
    ----------
    n : int
        Sites to select (the plan: 100 villages, 10 towns, 1 county).
    min_spacing_m : float
        Minimum distance between two selected sites [m]; 0: none.
    quotas : dict or None
        County adcode -> ``(min, max)``; max None for no upper limit.
    fixed_on_top : bool
        Select N new sites besides the fixed ones (default: the fixed ones count inside N).
    time_limit : float
        Solver time limit [s].
    mip_rel_gap : float
        Relative MIP gap at which HiGHS stops (0: prove optimality).
    """

    n: int
    min_spacing_m: float = 0.0
    quotas: dict[str, tuple[int, int | None]] | None = None
    fixed_on_top: bool = False
    time_limit: float = 60.0
    mip_rel_gap: float = 0.0


@dataclass
class Selection:
    """A solved selection.

    Attributes
    ----------
    selected : numpy.ndarray of bool
        One per candidate.
    objective : float
        Sum of the selected scores (without the tie-break).
    status : str
        ``optimal``, ``time limit (feasible)``...
    gap : float
        Relative MIP gap HiGHS reports (0 when proven optimal).
    time_s, time_limit : float
        Solve time and the limit [s].
    total : int
        Sites selected (N, or N + fixed).
    pairs : numpy.ndarray
        ``(k, 2)`` indices of the candidate pairs closer than the minimum spacing.
    spacing_rows : int
        Constraint rows that hold the spacing (clique rows; one per pair with ``formulation="pairs"``).
    fixed_out : int
        Candidates fixed out before the MILP by LP reduced costs (:meth:`SitingProblem.solve`).
    """

    selected: NDArray[np.bool_]
    objective: float
    status: str
    gap: float
    time_s: float
    time_limit: float
    total: int
    pairs: NDArray[np.int64] = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))
    spacing_rows: int = 0
    fixed_out: int = 0

    def summary(self) -> str:
        """One line for notes."""
        return (
            f"HiGHS (scipy.optimize.milp): {self.status}, {self.total} sites, "
            f"objective {self.objective:.2f}, "
            f"gap {self.gap:.2g}, {self.time_s:.2f} s (limit {self.time_limit:g} s), "
            f"{len(self.pairs)} close pairs in {self.spacing_rows} spacing rows"
        )


def close_pairs(x: NDArray[np.float64], y: NDArray[np.float64], distance: float) -> NDArray[np.int64]:
    """Pairs of points strictly closer than *distance* (projected coordinates, metres).

    Parameters
    ----------
    x, y : numpy.ndarray
        Coordinates in a projected CRS (EPSG:4549).
    distance : float
        Minimum spacing [m].

    Returns
    -------
    numpy.ndarray
        ``(k, 2)`` indices ``i < j``, sorted.
    """
    if distance <= 0 or len(x) < 2:
        return np.empty((0, 2), dtype=np.int64)

    xy = np.column_stack([x, y])
    pairs = cKDTree(xy).query_pairs(r=distance, output_type="ndarray").astype(np.int64)
    if len(pairs):
        d = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
        pairs = pairs[d < distance]
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    return pairs


def spacing_cliques(
    pairs: NDArray[np.int64], x: NDArray[np.float64], y: NDArray[np.float64]
) -> list[list[int]]:
    """Cover every close pair with cliques of the conflict graph: the spacing as ``Σ_{i∈K} x_i <= 1`` rows.

    A clique here is a set of candidates every two of which are closer than the spacing, so at most
    one of it can be selected. The cliques are grown greedily from the pairs themselves (not from
    cell geometry, so no rounding at a cell edge can add or lose a pair): candidates are swept in
    order of x (then y); from each candidate ``v``, while some pair ``(v, u)`` is not yet covered, a
    clique ``{v, u}`` is extended by every common neighbour adjacent to all its members (uncovered
    pairs first, then ``v``'s other neighbours, in sweep order), so each clique is maximal. The set of
    0/1 solutions is exactly the pairwise one's: every row holds only close pairs (implied by the
    pair rows) and every close pair lies in some row (implying its pair row). The rows are far
    fewer (74,000 pairs -> about 9,200 rows at 10,000 candidates and 2 km) and the LP relaxation is
    tighter (the pair rows allow ``x = 1/2`` on a whole cluster), the classic clique strengthening
    of the node-packing formulation (Padberg 1973, On the facial structure of set packing polyhedra,
    Math. Programming 5:199-215).

    Parameters
    ----------
    pairs : numpy.ndarray
        ``(k, 2)`` close pairs (:func:`close_pairs`).
    x, y : numpy.ndarray
        Coordinates [m] (only for the sweep order).

    Returns
    -------
    list of list of int
        Candidate indices of each clique (at least two each), in sweep order.
    """
    m = len(x)
    if not len(pairs):
        return []
    order = np.lexsort((np.asarray(y), np.asarray(x)))
    rank = np.empty(m, dtype=np.int64)
    rank[order] = np.arange(m)
    a, b = rank[pairs[:, 0]], rank[pairs[:, 1]]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    both = np.r_[lo, hi]
    other = np.r_[hi, lo]
    sort = np.lexsort((other, both))
    starts = np.searchsorted(both[sort], np.arange(m + 1))
    other_sorted = other[sort].tolist()
    nbr = [set(other_sorted[starts[v] : starts[v + 1]]) for v in range(m)]
    # pairs (v, u) with u after v in the sweep, not yet in a clique; those before v are covered by then
    forward = [{u for u in n if u > v} for v, n in enumerate(nbr)]
    cliques: list[list[int]] = []
    for v in range(m):
        todo = forward[v]
        while todo:
            u = min(todo)
            clique = [v, u]
            common = nbr[v] & nbr[u]
            while common:
                fresh = common & todo
                w = min(fresh) if fresh else min(common)
                clique.append(w)
                common &= nbr[w]
            for k in clique:
                forward[k].difference_update(clique)
            cliques.append(clique)
    return [sorted(order[c].tolist()) for c in cliques]


class SitingProblem:
    """The 0/1 programme of one candidate set, built once and solved for many score vectors.

    Parameters
    ----------
    candidates : pandas.DataFrame
        ``code``, ``county_adcode``, ``x``, ``y`` (EPSG:4549 metres) and ``name`` (messages).
    fixed : array-like of bool
        Existing pilots, fixed in.
    options : SelectOptions
        N, quotas, spacing, time limit.
    formulation : {"cliques", "pairs"}
        How the spacing is written: clique rows (default) or one row per close pair (the former
        formulation, kept to check the two give the same optimum).
    reduce : bool, optional
        Fix out by reduced costs before the MILP (:meth:`solve`); default from :data:`REDUCE_FROM`
        candidates on.

    Raises
    ------
    SelectionError
        When the set-up is infeasible on its face (too few candidates, quotas that cannot add up
        to N, fixed pilots breaking a quota or the spacing); the message names the constraint.
    """

    def __init__(
        self,
        candidates: pd.DataFrame,
        fixed: Any,
        options: SelectOptions,
        *,
        formulation: Literal["cliques", "pairs"] = "cliques",
        reduce: bool | None = None,
    ) -> None:
        if formulation not in ("cliques", "pairs"):
            msg = f"spacing formulation {formulation!r}: use 'cliques' or 'pairs'"
            raise ValueError(msg)
        self.c = candidates.reset_index(drop=True)
        self.formulation = formulation
        self.reduce = reduce
        self.fixed = np.asarray(fixed, dtype=bool)
        self.opts = options
        n_fixed = int(self.fixed.sum())
        self.total = options.n + n_fixed if options.fixed_on_top else options.n
        self.county = self.c["county_adcode"].astype(str).to_numpy()
        self.pairs = close_pairs(
            self.c["x"].to_numpy(float), self.c["y"].to_numpy(float), float(options.min_spacing_m)
        )
        self.cliques: list[list[int]] = (
            spacing_cliques(self.pairs, self.c["x"].to_numpy(float), self.c["y"].to_numpy(float))
            if formulation == "cliques"
            else [[int(i), int(j)] for i, j in self.pairs]
        )
        order = np.argsort(np.argsort(self.c["code"].astype(str).to_numpy()))
        self.tiebreak = TIEBREAK * (1.0 - order / max(len(order), 1))
        # what repeated solves reuse (see _fixed_out): the last LP's score vector and row multipliers, and
        # the optimal selections of earlier solves without exclusions (feasible for every score vector)
        self._lp: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []
        self._incumbents: list[NDArray[np.bool_]] = []
        codes, county = np.unique(self.county, return_inverse=True)
        quotas = options.quotas or {}
        bounds = [quotas.get(str(c), (0, None)) for c in codes]
        self._quota_arrays = (  # per candidate its county's index; per county its minimum and maximum
            county,
            np.array([q[0] for q in bounds], dtype=float),
            np.array([np.inf if q[1] is None else q[1] for q in bounds], dtype=float),
        )
        self._precheck(n_fixed)
        self._build()

    def _name(self, i: int) -> str:
        name = self.c["name"].iloc[i] if "name" in self.c.columns else ""
        return f"{self.c['code'].iloc[i]} {name}".strip()

    def _precheck(self, n_fixed: int) -> None:
        opts, m = self.opts, len(self.c)
        if opts.n < 0:
            msg = f"N = {opts.n}: select at least 0 sites"
            raise SelectionError(msg)
        if not opts.fixed_on_top and n_fixed > opts.n:
            msg = f"N = {opts.n} < the {n_fixed} fixed pilots inside it; raise --n or put them on top of N"
            raise SelectionError(msg)
        if self.total > m:
            msg = f"N = {self.total} but only {m} candidates pass the gates; lower --n or relax a gate"
            raise SelectionError(msg)
        for code, (lo, hi) in (opts.quotas or {}).items():
            k = int((self.county == code).sum())
            f = int((self.fixed & (self.county == code)).sum())
            if lo > k:
                msg = f"quota: county {code} minimum {lo} > its {k} candidates; lower that county's minimum"
                raise SelectionError(msg)
            if hi is not None and f > hi:
                msg = f"quota: county {code} maximum {hi} < its {f} fixed pilots; raise that county's maximum"
                raise SelectionError(msg)
            if hi is not None and lo > hi:
                msg = f"quota: county {code} minimum {lo} > maximum {hi}"
                raise SelectionError(msg)
        if opts.quotas:
            lo_sum = sum(lo for lo, _ in opts.quotas.values())
            if lo_sum > self.total:
                msg = f"quota: the county minimums sum to {lo_sum} > N = {self.total}; lower a county minimum"
                raise SelectionError(msg)
            cap = 0
            for code in np.unique(self.county):
                k = int((self.county == code).sum())
                hi = opts.quotas.get(str(code), (0, None))[1]
                cap += k if hi is None else min(k, hi)
            if cap < self.total:
                msg = f"quota: the county maximums allow only {cap} sites < N = {self.total}; raise a maximum"
                raise SelectionError(msg)
        if len(self.pairs):
            both = self.fixed[self.pairs[:, 0]] & self.fixed[self.pairs[:, 1]]
            if both.any():
                i, j = self.pairs[both][0]
                d = float(np.hypot(self.c["x"][i] - self.c["x"][j], self.c["y"][i] - self.c["y"][j]))
                msg = (
                    f"minimum spacing: fixed pilots {self._name(i)} and {self._name(j)} are "
                    f"{d / 1000:.2f} km apart, "
                    f"under {opts.min_spacing_m / 1000:g} km; lower --min-spacing-km"
                )
                raise SelectionError(msg)

    def _build(self, *, spacing: bool = True, quotas: bool = True) -> None:

        m = len(self.c)
        rows = [csr_matrix(np.ones((1, m)))]
        lb, ub = [float(self.total)], [float(self.total)]
        if quotas and self.opts.quotas:
            for code, (lo, hi) in self.opts.quotas.items():
                rows.append(csr_matrix((self.county == code).astype(float)[None, :]))
                lb.append(float(lo))
                ub.append(float(hi) if hi is not None else np.inf)
        if spacing and self.cliques:
            k = len(self.cliques)
            sizes = np.array([len(q) for q in self.cliques])
            cols = np.concatenate([np.asarray(q, dtype=np.int64) for q in self.cliques])
            r = np.repeat(np.arange(k), sizes)
            rows.append(coo_matrix((np.ones(len(cols)), (r, cols)), shape=(k, m)).tocsr())
            lb += [-np.inf] * k
            ub += [1.0] * k
        self.constraints = LinearConstraint(vstack(rows).tocsr(), np.array(lb), np.array(ub))

    def solve(self, scores: Any, *, exclude: Any = None, check: bool = True) -> Selection:
        """Solve for one score vector.

        Parameters
        ----------
        scores : array-like
            One per candidate (NaN counts as 0).
        exclude : array-like of bool, optional
            Candidates locked out (irreplaceability runs).
        check : bool
            Re-check every constraint on the solution.

        Returns
        -------
        Selection

        Raises
        ------
        SelectionError
            When infeasible (naming the constraint to relax) or the solver fails.
        """
        s = np.nan_to_num(np.asarray(scores, dtype=float), nan=0.0)
        m = len(s)
        lower = self.fixed.astype(float)
        upper = np.ones(m)
        if exclude is not None:
            upper[np.asarray(exclude, dtype=bool)] = 0.0
        t0 = time.perf_counter()
        fixed_out = 0
        if self.reduce if self.reduce is not None else m >= REDUCE_FROM:
            out = self._fixed_out(s + self.tiebreak, lower, upper)
            upper[out] = 0.0
            fixed_out = int(out.sum())
        res = self._milp(s + self.tiebreak, lower, upper, fixed_out > 0)
        elapsed = time.perf_counter() - t0
        if res.x is None:
            if res.status == 2 and exclude is None:
                raise SelectionError(self._diagnose())
            if res.status == 2:
                msg = "infeasible with the excluded sites locked out"
                raise SelectionError(msg)
            msg = f"no solution within {self.opts.time_limit:g} s ({res.message}); raise the time limit"
            raise SelectionError(msg)
        x = res.x > 0.5
        status = {0: "optimal", 1: "time limit (feasible, not proven optimal)"}.get(
            res.status, str(res.message)
        )
        gap = float(getattr(res, "mip_gap", np.nan) or 0.0)
        sel = Selection(
            x,
            float(s[x].sum()),
            status,
            gap,
            elapsed,
            self.opts.time_limit,
            self.total,
            self.pairs,
            len(self.cliques),
            fixed_out,
        )
        if check:
            self.verify(sel, res.x, exclude=exclude)
        if exclude is None and res.status == 0 and not any((x == k).all() for k in self._incumbents):
            self._incumbents = [*self._incumbents[-(INCUMBENTS - 1) :], x.copy()]
        return sel

    def _milp(
        self, gain: NDArray[np.float64], lower: NDArray[np.float64], upper: NDArray[np.float64], sub: bool
    ) -> Any:
        """The MILP; with *sub*, over the candidates not fixed out only (``upper > 0`` or fixed in).

        The candidates fixed out (upper bound 0) are dropped from the programme HiGHS gets, and the rows
        left empty with them: the same optimum, without HiGHS's presolve and scipy's wrapper working
        through the thousands of columns and spacing rows at 0 (a tenth of the time at 10,000
        candidates). The solution comes back at full length, 0 for the dropped candidates.
        """
        opts = {"time_limit": self.opts.time_limit, "mip_rel_gap": self.opts.mip_rel_gap}
        a, lb, ub = self.constraints.A, self.constraints.lb, self.constraints.ub
        if sub:
            cols = np.flatnonzero((upper > 0) | (lower > 0))
            a_sub = a[:, cols]
            rows = np.diff(a_sub.indptr) > 0
            if not (lb[~rows] > 0).any():  # a row left empty but needing a site: the full MILP says why
                res = milp(
                    -gain[cols],
                    constraints=LinearConstraint(a_sub[rows], lb[rows], ub[rows]),
                    integrality=np.ones(len(cols)),
                    bounds=Bounds(lower[cols], upper[cols]),
                    options=opts,
                )
                if res.x is not None:
                    x = np.zeros(len(gain))
                    x[cols] = res.x
                    res.x = x
                return res
        return milp(
            -gain,
            constraints=self.constraints,
            integrality=np.ones(len(gain)),
            bounds=Bounds(lower, upper),
            options=opts,
        )

    def _fixed_out(
        self, gain: NDArray[np.float64], lower: NDArray[np.float64], upper: NDArray[np.float64]
    ) -> NDArray[np.bool_]:
        """Candidates that are in no optimal selection, by LP reduced costs (exact, so the optimum is kept).

        The LP relaxation gives a bound ``U`` and each candidate at 0 a reduced cost ``r_j >= 0``: by LP
        duality no selection with ``x_j = 1`` (integer or not) scores more than ``U - r_j``. A feasible
        selection scoring ``L`` (the optimum of the MILP restricted to the :data:`RESTRICTED` candidates
        of smallest reduced cost) then rules out every ``j`` with ``U - r_j < L - TIEBREAK``: such a
        ``j`` is in no selection as good as ``L``, so in no optimal one (reduced-cost fixing; e.g.
        Nemhauser and Wolsey 1988, Integer and Combinatorial Optimization, II.5.1). The margin of one
        tie-break unit covers the LP's tolerances. Nothing is fixed when the LP or the restricted MILP
        fails (the full MILP then reports why).

        Repeated solves of one programme (the irreplaceability runs, the Monte-Carlo selections) skip
        what they can. Weak duality needs no optimal multipliers: for any ``mu >= 0`` on the rows
        ``A x <= b`` and ``d = gain - A^T mu``, every ``x`` in the box scores at most
        ``U = mu . b + sum_j max(d_j u_j, d_j l_j)``, and at most ``U - max(-d_j, 0)`` with ``x_j = 1``;
        so a score vector already solved (an irreplaceability run: the same scores, one site locked
        out) reuses its LP's multipliers. ``L`` is first the best score of a known feasible selection:
        the optima of earlier solves without exclusions (the constraints are the same), repaired
        greedily where a site of one is locked out (:meth:`_repair`); the restricted MILP runs only
        when that leaves more than :data:`RESTRICTED` candidates in.
        """
        m = len(gain)
        nothing = np.zeros(m, dtype=bool)
        if m <= RESTRICTED:
            return nothing
        a, lb, ub = self.constraints.A, self.constraints.lb, self.constraints.ub
        up, lo = np.isfinite(ub), np.isfinite(lb)
        a_ub = vstack([a[up], -a[lo]]).tocsr()
        b_ub = np.r_[ub[up], -lb[lo]]
        known = [x for x in (self._repair(k, gain, lower, upper) for k in self._incumbents) if x is not None]
        feasible = max((float(gain[x].sum()) for x in known), default=-np.inf)
        free = (upper > 0) & (lower == 0)

        def rule(bound: float, reduced: NDArray[np.float64]) -> NDArray[np.bool_]:
            return np.asarray((bound - reduced < feasible - TIEBREAK) & free, dtype=bool)

        out, solved, best = nothing.copy(), False, (np.inf, np.zeros(m))
        for g0, mu in self._lp:
            d = gain - a_ub.T @ mu
            bound = float(mu @ b_ub + np.maximum(d * upper, d * lower).sum())
            reduced = np.maximum(-d, 0.0)
            out |= rule(bound, reduced)
            solved |= np.array_equal(g0, gain)
            best = min(best, (bound, reduced), key=lambda b: b[0])
        how = f"{len(self._lp)} earlier LPs"
        if not solved and self._lp and m - int(out.sum()) > RESTRICTED:
            # the LP over the candidates the best earlier bound finds closest (sifting): its multipliers,
            # zero on the rows it leaves out, bound every candidate by the formula above
            near = (best[1] <= np.partition(best[1], RESTRICTED)[RESTRICTED]) | (lower > 0)
            for x in known:
                near |= x
            a_near = a_ub[:, np.flatnonzero(near)]
            rows = np.diff(a_near.indptr) > 0
            if not (b_ub[~rows] < 0).any():
                lp = linprog(
                    -gain[near],
                    A_ub=a_near[rows],
                    b_ub=b_ub[rows],
                    bounds=np.column_stack([lower[near], upper[near]]),
                    method="highs",
                )
                if lp.status == 0:
                    mu = np.zeros(len(b_ub))
                    mu[rows] = np.maximum(-np.asarray(lp.ineqlin.marginals, dtype=float), 0.0)
                    d = gain - a_ub.T @ mu
                    bound = float(mu @ b_ub + np.maximum(d * upper, d * lower).sum())
                    sifted = rule(bound, np.maximum(-d, 0.0)) | out
                    # kept when it leaves few enough in; else the full LP below, whose multipliers are kept
                    if m - int(sifted.sum()) <= RESTRICTED:
                        best, out = (bound, np.maximum(-d, 0.0)), sifted
                        self._lp = [*self._lp[-(INCUMBENTS - 1) :], (gain.copy(), mu)]
                        how = f"an LP on {int(near.sum())}"
        if not solved and m - int(out.sum()) > RESTRICTED:
            lp = linprog(-gain, A_ub=a_ub, b_ub=b_ub, bounds=np.column_stack([lower, upper]), method="highs")
            if lp.status != 0:
                return nothing
            mu = np.maximum(-np.asarray(lp.ineqlin.marginals, dtype=float), 0.0)
            self._lp = [*self._lp[-(INCUMBENTS - 1) :], (gain.copy(), mu)]
            best = (-float(lp.fun), np.maximum(np.asarray(lp.lower.marginals, dtype=float), 0.0))
            out |= rule(*best)
            how = "the LP"
        if m - int(out.sum()) > RESTRICTED:
            keep = (best[1] <= np.partition(best[1], RESTRICTED)[RESTRICTED]) | (lower > 0)
            res = milp(
                -gain,
                constraints=self.constraints,
                integrality=np.ones(m),
                bounds=Bounds(lower, np.where(keep, upper, 0.0)),
                options={"time_limit": self.opts.time_limit},
            )
            if res.x is None:
                return nothing
            feasible = max(feasible, -float(res.fun))
            out |= rule(*best)
            how += f", restricted MILP on {int(keep.sum())}"
        log.debug("reduced costs (%s): feasible %.4f, %d of %d fixed out", how, feasible, int(out.sum()), m)
        return out

    def _repair(
        self,
        incumbent: NDArray[np.bool_],
        gain: NDArray[np.float64],
        lower: NDArray[np.float64],
        upper: NDArray[np.float64],
    ) -> NDArray[np.bool_] | None:
        """A feasible selection from *incumbent*: its locked-out sites replaced, best gain first.

        Each replacement is the candidate of highest gain that is not locked out, not within the spacing
        of a kept site and within its county's maximum, taken first from a county left under its
        minimum. ``None`` when no replacement fits (the caller then finds a selection another way).
        """
        if (incumbent < (lower > 0)).any():
            return None
        if not (incumbent & (upper == 0)).any():
            return incumbent
        x = incumbent & (upper > 0)
        county, lo, hi = self._quota_arrays
        pairs = self.pairs
        for _ in range(int(self.total - x.sum())):
            free = (upper > 0) & ~x
            if len(pairs):
                free[pairs[x[pairs[:, 1]], 0]] = False
                free[pairs[x[pairs[:, 0]], 1]] = False
            k = np.bincount(county[x], minlength=len(lo))
            if (k < lo).any():
                free &= (k < lo)[county]
            free &= (k < hi)[county]
            if not free.any():
                return None
            x[np.flatnonzero(free)[np.argmax(gain[free])]] = True
        k = np.bincount(county[x], minlength=len(lo))
        return x if ((k >= lo) & (k <= hi)).all() else None

    def verify(self, sel: Selection, raw: Any = None, *, exclude: Any = None) -> None:
        """Re-check every constraint on a solution; raise naming the first one violated."""
        x = sel.selected
        problems = []
        if raw is not None and np.abs(np.asarray(raw) - np.round(raw)).max() > 1e-6:
            problems.append("a variable is not 0/1")
        if int(x.sum()) != self.total:
            problems.append(f"{int(x.sum())} sites selected, not {self.total}")
        for code, (lo, hi) in (self.opts.quotas or {}).items():
            k = int((x & (self.county == code)).sum())
            if k < lo or (hi is not None and k > hi):
                problems.append(f"county {code}: {k} outside its quota {lo}-{hi}")
        if len(self.pairs) and (x[self.pairs[:, 0]] & x[self.pairs[:, 1]]).any():
            i, j = self.pairs[x[self.pairs[:, 0]] & x[self.pairs[:, 1]]][0]
            problems.append(f"{self._name(i)} and {self._name(j)} both selected under the minimum spacing")
        if (self.fixed & ~x).any():
            problems.append("a fixed pilot is not selected")
        if exclude is not None and (np.asarray(exclude, dtype=bool) & x).any():
            problems.append("a locked-out site is selected")
        if problems:
            msg = "the solver's solution breaks a constraint: " + "; ".join(problems)
            raise SelectionError(msg)

    def _diagnose(self) -> str:
        """Which constraint makes the programme infeasible (re-solving without it)."""
        m = len(self.c)
        saved = self.constraints

        def feasible(spacing: bool, quotas: bool) -> bool:
            self._build(spacing=spacing, quotas=quotas)
            res = milp(
                np.zeros(m),
                constraints=self.constraints,
                integrality=np.ones(m),
                bounds=Bounds(self.fixed.astype(float), np.ones(m)),
                options={"time_limit": self.opts.time_limit},
            )
            return res.x is not None

        try:
            d = f"{self.opts.min_spacing_m / 1000:g} km"
            if feasible(spacing=False, quotas=True):
                return (
                    f"infeasible: the minimum spacing of {d} leaves no way to select {self.total} sites "
                    "within the county quotas; relax --min-spacing-km (or the quotas)"
                )
            if feasible(spacing=True, quotas=False):
                return f"infeasible: the county quotas cannot be met with N = {self.total}; relax --quota"
            return (
                f"infeasible: N = {self.total} with a minimum spacing of {d} cannot be met even without "
                "quotas; lower --n or --min-spacing-km"
            )
        finally:
            self.constraints = saved


def proportional_quotas(
    counts: dict[str, int], n: int, *, slack: int = 2
) -> dict[str, tuple[int, int | None]]:
    """County quotas in proportion to the candidates: ``floor(n·share) - slack`` to ``ceil(n·share) + slack``.

    With at least one site per county when N is at least the number of counties (the plan's
    towns: every county gets one). After ``../shared/reference/siting-data.md`` A3.

    Parameters
    ----------
    counts : dict
        County adcode -> number of candidates.
    n : int
        Sites to select.
    slack : int
        Sites either side of the proportional share.

    Returns
    -------
    dict
        County -> ``(min, max)``.
    """
    total = sum(counts.values())
    out: dict[str, tuple[int, int | None]] = {}
    floor1 = 1 if n >= len(counts) else 0
    for code, k in counts.items():
        share = n * k / total if total else 0.0
        lo = max(int(np.floor(share)) - slack, floor1 if k else 0)
        hi = int(np.ceil(share)) + slack
        out[code] = (min(lo, k), hi)
    return out


@dataclass
class JointSelection:
    """Villages and towns selected together with a bonus for villages inside selected towns.

    Attributes
    ----------
    villages, towns : Selection
        Each level's selection (``objective`` is that level's criteria score, without bonus).
    bonus : numpy.ndarray of bool
        Villages that earn the bonus (selected, and their town selected).
    bonus_points : float
        Score points per such village.
    objective : float
        Total: village scores + town scores + bonus points × bonus villages.
    """

    villages: Selection
    towns: Selection
    bonus: NDArray[np.bool_]
    bonus_points: float
    objective: float

    def summary(self) -> str:
        """One line for notes."""
        return (
            f"joint selection of villages and towns (HiGHS): {self.villages.status}, "
            f"{int(self.bonus.sum())} selected villages inside selected towns earn {self.bonus_points:g} "
            f"points each; total {self.objective:.2f} (gap {self.villages.gap:.2g}, "
            f"{self.villages.time_s:.2f} s)"
        )


def joint_select(
    villages: SitingProblem,
    village_scores: Any,
    towns: SitingProblem,
    town_scores: Any,
    *,
    town_of_village: Any,
    bonus: float,
) -> JointSelection:
    """Select villages and towns in one programme, a village earning *bonus* when its town is selected.

    Maximise ``Σ s_v x_v + Σ s_t y_t + B Σ z_v`` over both levels' constraints (each
    :class:`SitingProblem`'s rows, block-diagonal) with the product ``z_v = x_v · y_t(v)``
    linearised as ``z_v <= x_v``, ``z_v <= y_t(v)``, ``0 <= z_v <= 1`` (maximisation sets ``z_v`` to
    the product, so ``z`` needs no integrality). Villages without a town among the town candidates
    get no bonus variable. Every constraint of both levels and the linking rows are re-checked on
    the solution.

    Parameters
    ----------
    villages, towns : SitingProblem
        The two levels' programmes.
    village_scores, town_scores : array-like
        Scores (NaN counts 0).
    town_of_village : array-like of int
        Index into the town candidates of each village's town; -1 for none.
    bonus : float
        Score points (>= 0).

    Returns
    -------
    JointSelection

    Raises
    ------
    SelectionError
        Infeasible (naming the level and constraint) or a broken solution.
    """
    if bonus < 0:
        msg = f"the town bonus must be >= 0 score points, got {bonus:g}"
        raise SelectionError(msg)
    sv = np.nan_to_num(np.asarray(village_scores, dtype=float), nan=0.0)
    st = np.nan_to_num(np.asarray(town_scores, dtype=float), nan=0.0)
    tov = np.asarray(town_of_village, dtype=np.int64)
    nv, nt = len(sv), len(st)
    linked = np.flatnonzero(tov >= 0)
    k = len(linked)
    cv, ct = villages.constraints, towns.constraints
    a = block_diag([cv.A, ct.A], format="csr")
    a = hstack([a, csr_matrix((a.shape[0], k))], format="csr")
    rows = np.arange(k)
    # z - x_v <= 0 and z - y_t <= 0
    zx = coo_matrix(
        (np.r_[np.ones(k), -np.ones(k)], (np.r_[rows, rows], np.r_[nv + nt + rows, linked])),
        shape=(k, nv + nt + k),
    )
    zy = coo_matrix(
        (np.r_[np.ones(k), -np.ones(k)], (np.r_[rows, rows], np.r_[nv + nt + rows, nv + tov[linked]])),
        shape=(k, nv + nt + k),
    )
    big = vstack([a, zx, zy], format="csr")
    lb = np.r_[cv.lb, ct.lb, np.full(2 * k, -np.inf)]
    ub = np.r_[cv.ub, ct.ub, np.zeros(2 * k)]
    c = -np.r_[sv + villages.tiebreak, st + towns.tiebreak, np.full(k, float(bonus))]
    lower = np.r_[villages.fixed.astype(float), towns.fixed.astype(float), np.zeros(k)]
    integrality = np.r_[np.ones(nv + nt), np.zeros(k)]
    t0 = time.perf_counter()
    res = milp(
        c,
        constraints=LinearConstraint(big, lb, ub),
        integrality=integrality,
        bounds=Bounds(lower, np.ones(nv + nt + k)),
        options={
            "time_limit": max(villages.opts.time_limit, towns.opts.time_limit),
            "mip_rel_gap": min(villages.opts.mip_rel_gap, towns.opts.mip_rel_gap),
        },
    )
    elapsed = time.perf_counter() - t0
    if res.x is None:
        # each level alone: which one cannot be met
        for name, p, s in (("villages", villages, sv), ("towns", towns, st)):
            try:
                p.solve(s)
            except SelectionError as exc:  # that level alone cannot be met: say which and why
                msg = f"{name}: {exc}"
                raise SelectionError(msg) from exc
        msg = f"joint selection: no solution ({res.message}); raise the time limit"
        raise SelectionError(msg)
    x = res.x[:nv] > 0.5
    y = res.x[nv : nv + nt] > 0.5
    status = {0: "optimal", 1: "time limit (feasible, not proven optimal)"}.get(res.status, str(res.message))
    gap = float(getattr(res, "mip_gap", np.nan) or 0.0)
    limit = max(villages.opts.time_limit, towns.opts.time_limit)
    sel_v = Selection(
        x,
        float(sv[x].sum()),
        status,
        gap,
        elapsed,
        limit,
        villages.total,
        villages.pairs,
        len(villages.cliques),
    )
    sel_t = Selection(
        y, float(st[y].sum()), status, gap, elapsed, limit, towns.total, towns.pairs, len(towns.cliques)
    )
    villages.verify(sel_v, res.x[:nv])
    towns.verify(sel_t, res.x[nv : nv + nt])
    earned = np.zeros(nv, dtype=bool)
    earned[linked] = x[linked] & y[tov[linked]]
    z = res.x[nv + nt :] > 0.5
    if bonus > 0 and not np.array_equal(z, earned[linked]):
        msg = "the solver's joint solution breaks a constraint: a bonus variable is not x_v · y_town(v)"
        raise SelectionError(msg)
    total = sel_v.objective + sel_t.objective + bonus * int(earned.sum())
    return JointSelection(sel_v, sel_t, earned, float(bonus), total)
