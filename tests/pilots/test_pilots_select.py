"""Selecting pilot sites: best N, quotas, spacing, fixed pilots, infeasible set-ups, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sxgeo.errors import SelectionError
from sxgeo.pilots.select import Selection, SelectOptions, SitingProblem, close_pairs, proportional_quotas


def grid(n=60, seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "code": [f"c{i:03d}" for i in range(n)],
            "name": [f"site{i}" for i in range(n)],
            "county_adcode": np.where(np.arange(n) < n // 2, "330602", "330681"),
            "x": rng.uniform(0, 20_000, n),
            "y": rng.uniform(0, 20_000, n),
            "score": rng.uniform(0, 100, n),
        }
    )


def test_without_constraints_the_best_n():
    c = grid()
    sel = SitingProblem(c, np.zeros(len(c), bool), SelectOptions(n=10)).solve(c["score"])
    assert set(c["code"][sel.selected]) == set(c.nlargest(10, "score")["code"])
    assert sel.status == "optimal"
    assert sel.objective == pytest.approx(c.nlargest(10, "score")["score"].sum())


def test_quotas_hold():
    c = grid()
    top = c.nlargest(10, "score")
    quotas = {"330602": (7, None), "330681": (0, 3)}
    sel = SitingProblem(c, np.zeros(len(c), bool), SelectOptions(n=10, quotas=quotas)).solve(c["score"])
    picked = c[sel.selected]
    assert (picked["county_adcode"] == "330602").sum() >= 7
    assert (picked["county_adcode"] == "330681").sum() <= 3
    assert sel.objective <= top["score"].sum()


def test_spacing_no_two_selected_closer_than_d():
    c = grid(80)
    d = 4000.0
    sel = SitingProblem(c, np.zeros(len(c), bool), SelectOptions(n=10, min_spacing_m=d)).solve(c["score"])
    p = c[sel.selected][["x", "y"]].to_numpy()
    dist = np.hypot(p[:, None, 0] - p[None, :, 0], p[:, None, 1] - p[None, :, 1])
    assert dist[np.triu_indices(len(p), 1)].min() >= d
    # one constraint per close pair, the pairs a brute-force check finds
    all_d = np.hypot(
        c["x"].to_numpy()[:, None] - c["x"].to_numpy(), c["y"].to_numpy()[:, None] - c["y"].to_numpy()
    )
    brute = {(i, j) for i in range(len(c)) for j in range(i + 1, len(c)) if all_d[i, j] < d}
    assert {tuple(x) for x in close_pairs(c["x"].to_numpy(), c["y"].to_numpy(), d)} == brute
    assert len(sel.pairs) == len(brute)


def test_fixed_pilots_stay_inside_or_on_top():
    c = grid()
    worst = c["score"].idxmin()
    fixed = np.zeros(len(c), bool)
    fixed[worst] = True
    inside = SitingProblem(c, fixed, SelectOptions(n=10)).solve(c["score"])
    assert inside.selected[worst] and inside.selected.sum() == 10
    on_top = SitingProblem(c, fixed, SelectOptions(n=10, fixed_on_top=True)).solve(c["score"])
    assert on_top.selected[worst] and on_top.selected.sum() == 11
    assert set(c["code"][on_top.selected & ~fixed]) == set(c.nlargest(10, "score")["code"])


def test_infeasible_spacing_names_the_constraint():
    line = pd.DataFrame(
        {
            "code": [f"v{i}" for i in range(10)],
            "county_adcode": "330602",
            "x": np.arange(10) * 1000.0,
            "y": 0.0,
        }
    )
    p = SitingProblem(line, np.zeros(10, bool), SelectOptions(n=6, min_spacing_m=1500))  # at most 5 fit
    with pytest.raises(SelectionError, match="minimum spacing of 1.5 km .* relax --min-spacing-km"):
        p.solve(np.ones(10))
    assert (
        SitingProblem(line, np.zeros(10, bool), SelectOptions(n=5, min_spacing_m=1500))
        .solve(np.ones(10))
        .selected.tolist()
        == [True, False] * 5
    )


def test_infeasible_quotas_name_the_constraint():
    c = grid()
    with pytest.raises(SelectionError, match="county minimums sum to 12 > N = 10"):
        SitingProblem(
            c, np.zeros(len(c), bool), SelectOptions(n=10, quotas={"330602": (6, None), "330681": (6, None)})
        )
    with pytest.raises(SelectionError, match="maximums allow only 8 sites"):
        SitingProblem(
            c, np.zeros(len(c), bool), SelectOptions(n=10, quotas={"330602": (0, 4), "330681": (0, 4)})
        )
    with pytest.raises(SelectionError, match="only 60 candidates pass the gates"):
        SitingProblem(c, np.zeros(len(c), bool), SelectOptions(n=61))
    fixed = np.zeros(len(c), bool)
    fixed[[0, 1]] = True
    two = c.assign(x=c["x"].where(~fixed, 0.0), y=c["y"].where(~fixed, 0.0))
    with pytest.raises(SelectionError, match="fixed pilots c000 site0 and c001 site1 are 0.00 km apart"):
        SitingProblem(two, fixed, SelectOptions(n=10, min_spacing_m=1000))


def test_same_input_same_answer_with_ties():
    c = grid().assign(score=50.0)  # every score tied: the tie-break (code order) decides
    a = SitingProblem(c, np.zeros(len(c), bool), SelectOptions(n=7, min_spacing_m=2000)).solve(c["score"])
    b = SitingProblem(c, np.zeros(len(c), bool), SelectOptions(n=7, min_spacing_m=2000)).solve(c["score"])
    assert a.selected.tolist() == b.selected.tolist()
    plain = SitingProblem(c, np.zeros(len(c), bool), SelectOptions(n=7)).solve(c["score"])
    assert c["code"][plain.selected].tolist() == [f"c{i:03d}" for i in range(7)]


def test_verify_catches_a_broken_solution():
    c = grid()
    p = SitingProblem(
        c, np.zeros(len(c), bool), SelectOptions(n=3, quotas={"330602": (0, 1), "330681": (0, None)})
    )
    bad = np.zeros(len(c), bool)
    bad[[0, 1, 2]] = True  # three in 330602, above its maximum of 1
    with pytest.raises(SelectionError, match="county 330602: 3 outside its quota 0-1"):
        p.verify(Selection(bad, 0.0, "optimal", 0.0, 0.0, 60.0, 3))


def test_proportional_quotas():
    q = proportional_quotas({"a": 17, "b": 16, "c": 20, "d": 12, "e": 23, "f": 15}, 10)
    assert all(lo >= 1 for lo, _ in q.values())  # N >= 6 counties: one each
    assert q["e"] == (1, 5)  # 10 * 23 / 103 = 2.23 -> floor 2 - 2 = 0 -> 1; ceil 3 + 2 = 5


def _joint_case():
    from sxgeo.pilots.select import joint_select

    towns = pd.DataFrame(
        {"code": ["A", "B"], "name": ["A", "B"], "county_adcode": "330602", "x": [0.0, 9e3], "y": 0.0}
    )
    villages = pd.DataFrame(
        {
            "code": ["v1", "v2", "v3"],
            "name": ["v1", "v2", "v3"],
            "county_adcode": "330602",
            "x": [100.0, 9100.0, 5000.0],
            "y": 0.0,
        }
    )
    tp = SitingProblem(towns, np.zeros(2, bool), SelectOptions(n=1))
    vp = SitingProblem(villages, np.zeros(3, bool), SelectOptions(n=1))

    def run(bonus):
        # towns: A 60, B 50; villages: v1 (in A) 50, v2 (in B) 52, v3 (no town) 51
        return joint_select(vp, [50.0, 52.0, 51.0], tp, [60.0, 50.0], town_of_village=[0, 1, -1], bonus=bonus)

    return run


def test_town_bonus_changes_which_village_is_chosen():
    """Without a bonus: town A (60) and village v2 (52) = 112. A bonus of 5 makes A + v1 + 5 = 115 the best
    (B + v2 + 5 = 107, A + v3 = 111); a bonus of 1 does not (A + v1 + 1 = 111 < 112)."""
    run = _joint_case()
    none = run(0.0)
    assert none.villages.selected.tolist() == [False, True, False]
    assert none.towns.selected.tolist() == [True, False]
    assert none.objective == pytest.approx(112.0)
    five = run(5.0)
    assert five.villages.selected.tolist() == [True, False, False]
    assert five.towns.selected.tolist() == [True, False]
    assert five.bonus.tolist() == [True, False, False]
    assert five.objective == pytest.approx(115.0)
    one = run(1.0)
    assert one.villages.selected.tolist() == [False, True, False] and one.objective == pytest.approx(112.0)
    with pytest.raises(SelectionError, match="bonus must be >= 0"):
        run(-1.0)


def _clustered(seed, m):
    """Candidates in a few tight clusters (so the spacing binds), scores rising towards the centres."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 30_000, (5, 2))
    which = rng.integers(0, 5, m)
    xy = centres[which] + rng.normal(0, 2_500, (m, 2))
    spread = np.hypot(*(xy - centres[which]).T)
    return pd.DataFrame(
        {
            "code": [f"k{i:03d}" for i in range(m)],
            "county_adcode": np.where(which < 3, "330602", "330681"),
            "x": xy[:, 0],
            "y": xy[:, 1],
            "score": np.round(100 - spread / 100 + rng.uniform(0, 10, m), 1),
        }
    )


def test_spacing_cliques_cover_exactly_the_close_pairs():
    """Each clique row holds only candidates pairwise closer than D (brute-force distances), and every
    close pair lies in some row: the same 0/1 solutions as one row per pair."""
    from sxgeo.pilots.select import spacing_cliques

    for seed in range(6):
        c = _clustered(seed, 150)
        x, y = c["x"].to_numpy(), c["y"].to_numpy()
        d = 3_000.0
        all_d = np.hypot(x[:, None] - x, y[:, None] - y)
        close = {(i, j) for i in range(len(c)) for j in range(i + 1, len(c)) if all_d[i, j] < d}
        cliques = spacing_cliques(close_pairs(x, y, d), x, y)
        covered = {(a, b) for q in cliques for k, a in enumerate(q) for b in q[k + 1 :]}
        assert covered == close
        assert len(cliques) < len(close) / 3  # the point of it: far fewer rows than pairs
        assert all(len(q) >= 2 for q in cliques)


@pytest.mark.parametrize("seed", range(8))
def test_clique_and_pairwise_spacing_give_the_same_optimum(seed):
    """The clique rows and the former one-row-per-pair rows: the same optimum (objective and sites) on seeded
    clustered instances with quotas and a fixed pilot, where the spacing decides which sites win."""
    rng = np.random.default_rng(100 + seed)
    c = _clustered(seed, int(rng.integers(40, 120)))
    n = int(rng.integers(5, 12))
    d = float(rng.choice([1_500.0, 2_500.0, 4_000.0]))
    fixed = np.zeros(len(c), bool)
    fixed[int(rng.integers(len(c)))] = True
    quotas = {"330602": (1, n - 1), "330681": (1, None)}
    opts = SelectOptions(n=n, min_spacing_m=d, quotas=quotas)
    runs = {f: SitingProblem(c, fixed, opts, formulation=f) for f in ("pairs", "cliques")}
    sel = {f: p.solve(c["score"]) for f, p in runs.items()}
    assert sel["cliques"].objective == pytest.approx(sel["pairs"].objective, abs=1e-9)
    assert sel["cliques"].selected.tolist() == sel["pairs"].selected.tolist()
    assert runs["cliques"].constraints.A.shape[0] < runs["pairs"].constraints.A.shape[0]
    # the spacing binds: the best n by score alone break it
    top = c.nlargest(n, "score")[["x", "y"]].to_numpy()
    gaps = np.hypot(top[:, None, 0] - top[None, :, 0], top[:, None, 1] - top[None, :, 1])
    assert gaps[np.triu_indices(n, 1)].min() < d


def test_clique_spacing_matches_brute_force_enumeration():
    """Small instances solved by enumerating every set of n sites (itertools): the HiGHS optimum with
    clique rows is the best feasible set."""
    from itertools import combinations

    binds = 0
    for seed in range(4):
        c = _clustered(seed, 14)
        x, y, s = c["x"].to_numpy(), c["y"].to_numpy(), c["score"].to_numpy()
        d = 4_000.0
        best = -np.inf
        for pick in combinations(range(14), 4):
            p = np.array(pick)
            if np.hypot(x[p][:, None] - x[p], y[p][:, None] - y[p])[np.triu_indices(4, 1)].min() >= d:
                best = max(best, s[p].sum())
        sel = SitingProblem(c, np.zeros(14, bool), SelectOptions(n=4, min_spacing_m=d)).solve(s)
        assert sel.objective == pytest.approx(best, abs=1e-9)
        binds += best < np.sort(s)[-4:].sum() - 1e-9
    assert binds >= 2  # the spacing changes the answer in most of them


@pytest.mark.parametrize("seed", range(3))
def test_reduced_cost_fixing_keeps_the_optimum(seed):
    """Fixing out by LP reduced costs before the MILP: the same objective and sites as the MILP alone on
    seeded clustered instances of 1,600-2,400 candidates (above RESTRICTED, so the reduction runs), and
    most candidates are fixed out."""
    rng = np.random.default_rng(7 + seed)
    c = _clustered(seed, int(rng.integers(1_600, 2_400)))
    c = c.assign(x=c["x"] * 4, y=c["y"] * 4)  # clusters about 120 km across, as a city's villages
    fixed = np.zeros(len(c), bool)
    fixed[int(rng.integers(len(c)))] = True
    opts = SelectOptions(n=40, min_spacing_m=2_000.0, quotas={"330602": (10, None), "330681": (10, 30)})
    plain = SitingProblem(c, fixed, opts, reduce=False).solve(c["score"])
    reduced = SitingProblem(c, fixed, opts, reduce=True).solve(c["score"])
    assert plain.fixed_out == 0
    assert reduced.fixed_out > len(c) // 2
    assert reduced.objective == pytest.approx(plain.objective, abs=1e-9)
    assert reduced.selected.tolist() == plain.selected.tolist()
    assert reduced.selected[fixed].all()


@pytest.mark.parametrize("seed", range(2))
def test_repeated_solves_reuse_bounds_and_keep_the_optimum(seed, caplog):
    """Solves after the first reuse earlier LP multipliers (a weak-duality bound), the earlier optima as known
    selections (repaired where a site is locked out), a sifting LP and the MILP over the candidates left in:
    each of a run of perturbed score vectors (as the Monte-Carlo draws) and of locked-out sites (as the
    irreplaceability runs) gives the same objective and sites as a fresh MILP without any reduction, and
    the locked-out runs solve no LP of their own."""
    caplog.set_level("DEBUG", logger="sxgeo.pilots.select")
    rng = np.random.default_rng(11 + seed)
    c = _clustered(seed, int(rng.integers(1_700, 2_300)))
    c = c.assign(x=c["x"] * 4, y=c["y"] * 4)
    fixed = np.zeros(len(c), bool)
    fixed[int(rng.integers(len(c)))] = True
    opts = SelectOptions(n=40, min_spacing_m=2_000.0, quotas={"330602": (10, None), "330681": (10, 30)})
    reused = SitingProblem(c, fixed, opts, reduce=True)
    base_scores = c["score"].to_numpy()
    base = reused.solve(base_scores)
    runs = [(base_scores * rng.uniform(0.95, 1.05, len(c)), None) for _ in range(4)]
    for i in np.flatnonzero(base.selected & ~fixed)[:4]:
        lock = np.zeros(len(c), bool)
        lock[i] = True
        runs.append((base_scores, lock))
    for scores, lock in runs:
        caplog.clear()
        got = reused.solve(scores, exclude=lock)
        how = " ".join(r.getMessage() for r in caplog.records if "reduced costs" in r.getMessage())
        plain = SitingProblem(c, fixed, opts, reduce=False).solve(scores, exclude=lock)
        assert got.objective == pytest.approx(plain.objective, abs=1e-9)
        assert got.selected.tolist() == plain.selected.tolist()
        assert got.fixed_out > 0
        if lock is not None:
            assert "earlier LPs)" in how, how  # the base scores' multipliers, no new LP


def test_repair_gives_a_feasible_selection():
    """The known selection with a site locked out, repaired: N sites, the quotas, the spacing, the fixed
    pilot kept, the locked site out (the solver's own check)."""
    c = _clustered(3, 1_900).assign(x=lambda d: d["x"] * 4, y=lambda d: d["y"] * 4)
    fixed = np.zeros(len(c), bool)
    fixed[5] = True
    opts = SelectOptions(n=30, min_spacing_m=2_000.0, quotas={"330602": (12, None), "330681": (12, 18)})
    p = SitingProblem(c, fixed, opts, reduce=True)
    base = p.solve(c["score"])
    for i in np.flatnonzero(base.selected & ~fixed)[:5]:
        upper = np.ones(len(c))
        upper[i] = 0.0
        x = p._repair(base.selected, c["score"].to_numpy(), fixed.astype(float), upper)
        assert x is not None and not x[i]
        sel = Selection(x, 0.0, "optimal", 0.0, 0.0, 60.0, p.total, p.pairs, len(p.cliques), 0)
        p.verify(sel, exclude=upper == 0)  # raises on any broken constraint
