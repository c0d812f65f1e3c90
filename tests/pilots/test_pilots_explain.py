"""Why (not) selected, weight Monte-Carlo, one-at-a-time sensitivity, irreplaceability (hand-checkable)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sxgeo.pilots.explain import (
    draw_ranks,
    draw_weights,
    irreplaceability,
    monte_carlo,
    one_at_a_time,
    rank_interval,
    reasons,
)
from sxgeo.pilots.score import rank_desc
from sxgeo.pilots.select import SelectOptions, SitingProblem


def line(n=6, step=1000.0):
    return pd.DataFrame(
        {
            "code": [f"v{i}" for i in range(n)],
            "name": [f"村{i}" for i in range(n)],
            "county_adcode": ["A", "A", "A", "B", "B", "B"][:n],
            "x": np.arange(n) * step,
            "y": 0.0,
        }
    )


def test_reasons_name_spacing_quota_score():
    c = line()
    scores = np.array([90.0, 80.0, 10.0, 70.0, 60.0, 50.0])
    p = SitingProblem(c, np.zeros(6, bool), SelectOptions(n=2, min_spacing_m=1500, quotas={"A": (0, 1)}))
    sel = p.solve(scores)
    assert c["code"][sel.selected].tolist() == ["v0", "v3"]
    why = reasons(p, scores, sel)
    assert why[0] == "selected"
    assert why[1] == "spacing: 1.0 km from selected v0 村0 (score 90.0), closer than 1.5 km"
    assert why[2].startswith("score: 10.0 below the lowest selected (70.0)")
    assert why[4].startswith("score: 60.0 below") and "also spacing: 1.0 km from selected v3" in why[4]
    q = SitingProblem(c, np.zeros(6, bool), SelectOptions(n=2, quotas={"A": (0, 1)}))
    sel2 = q.solve(scores)
    assert reasons(q, scores, sel2)[1] == "quota: county A is at its maximum of 1"


def test_fixed_reason_and_irreplaceability_by_hand():
    c = line(3, step=10_000)
    scores = np.array([10.0, 7.0, 3.0])
    p = SitingProblem(c, np.zeros(3, bool), SelectOptions(n=1))
    sel = p.solve(scores)
    loss = irreplaceability(p, scores, sel)
    assert loss[0] == pytest.approx(3.0)  # 10 -> 7
    assert np.isnan(loss[1:]).all()
    fixed = np.array([False, False, True])
    pf = SitingProblem(c, fixed, SelectOptions(n=2))
    self = pf.solve(scores)
    assert reasons(pf, scores, self)[2] == "existing pilot (fixed in)"
    lf = irreplaceability(pf, scores, self)
    assert np.isnan(lf[2]) and lf[0] == pytest.approx(3.0)


def test_dirichlet_draws_keep_the_scale():
    w = np.array([0.5, 0.3, 0.2, 0.0])
    d = draw_weights(w, 4000, alpha=50, rng=np.random.default_rng(1))
    assert np.allclose(d.sum(axis=1), 1.0)
    assert (d[:, 3] == 0).all()
    assert d.mean(axis=0) == pytest.approx(w, abs=0.01)


def test_monte_carlo_labels_and_seed():
    # candidate 0 dominates, candidate 3 is dominated; 1 and 2 trade off
    norm = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    w = np.array([0.5, 0.5])
    a = monte_carlo(norm, w, 2, draws=500, seed=7)
    b = monte_carlo(norm, w, 2, draws=500, seed=7)
    pd.testing.assert_frame_equal(a.table, b.table)
    t = a.table
    assert t.loc[0, "p_top_n"] == 1.0 and t.loc[0, "label"] == "robust"
    assert t.loc[3, "p_top_n"] == 0.0 and t.loc[3, "label"] == "unlikely"
    assert 0.3 < t.loc[1, "p_top_n"] < 0.7 and t.loc[1, "label"] == "weight-dependent"
    assert t.loc[1, "p_top_n"] + t.loc[2, "p_top_n"] == pytest.approx(1.0)
    assert (t.loc[0, "rank_p05"], t.loc[0, "rank_p95"]) == (1, 1)
    assert np.isnan(t["p_selected"]).all()


def test_monte_carlo_full_selection():
    c = line(4, step=10_000)
    norm = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    p = SitingProblem(c, np.array([False, False, False, True]), SelectOptions(n=2))
    r = monte_carlo(norm, np.array([0.5, 0.5]), 2, draws=50, problem=p, selection_draws=20, seed=3)
    assert r.selection_draws == 20
    assert r.table.loc[3, "p_selected"] == 1.0 and r.table.loc[3, "label"] == "fixed"
    assert r.table.loc[0, "p_selected"] == 1.0  # the one free place always goes to the dominant site
    assert "20 full selections" in " ".join(r.notes())
    # the method note names what P(selected) is: a frequency under weight uncertainty
    assert "selection frequency under weight uncertainty" in " ".join(r.notes())
    assert "not a share of near-optimal portfolios" in " ".join(r.notes())


def test_one_at_a_time_by_hand():
    norm = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    table, worst = one_at_a_time(norm, np.array([0.6, 0.4]), ["a", "b"], 1)
    assert len(table) == 12
    row = table[(table["criterion"] == "a") & (table["change_pct"] == -30)].iloc[0]
    assert row["weight_new"] == pytest.approx(0.42)  # b becomes 0.58: scores 42 / 58, ranks swap
    assert row["max_rank_change"] == 1 and row["top_n_changed"] == 1
    assert row["spearman_rho"] == pytest.approx(0.5)  # rank differences 1, 1, 0: 1 - 6 * 2 / (3 * 8)
    up = table[(table["criterion"] == "a") & (table["change_pct"] == 10)].iloc[0]
    assert up["max_rank_change"] == 0 and up["spearman_rho"] == pytest.approx(1.0)
    assert worst.tolist() == [1, 1, 0]


def test_spearman_equals_scipy_with_ties():
    """The rank correlation computed without scipy.stats equals scipy's spearmanr, ties included."""
    from scipy.stats import spearmanr

    from sxgeo.pilots.explain import spearman

    rng = np.random.default_rng(4)
    a = rng.integers(0, 20, 500).astype(float)  # many ties
    b = a + rng.normal(0, 5, 500).round()
    assert spearman(a, b) == pytest.approx(float(spearmanr(a, b).statistic), abs=1e-12)
    assert spearman([1, 2, 3], [1, 3, 2]) == pytest.approx(0.5)


@pytest.mark.parametrize("kind", ["distinct", "ties", "nan"])
def test_draw_ranks_and_interval_equal_rank_desc_and_numpy_percentile(kind):
    """Every draw ranked as rank_desc ranks it (ties by the tie order, NaN last), and the 5-95 % interval
    numpy.percentile's lower / higher order statistics."""
    rng = np.random.default_rng(5)
    m, d = 400, 60
    scores = rng.random((m, d))
    if kind == "ties":
        scores = rng.integers(0, 6, (m, d)).astype(float)
    elif kind == "nan":
        scores[rng.random((m, d)) < 0.1] = np.nan
    tiebreak = rng.permutation(m).astype(str)
    want = np.column_stack([rank_desc(scores[:, k], tiebreak) for k in range(d)])
    got = draw_ranks(scores, tiebreak)
    np.testing.assert_array_equal(got, want)
    lo, hi = rank_interval(got)
    np.testing.assert_array_equal(lo, np.percentile(want, 5, axis=1, method="lower"))
    np.testing.assert_array_equal(hi, np.percentile(want, 95, axis=1, method="higher"))
