"""Scoring pilot candidates: hand-checkable WLC, cost inversion, gates, AHP (closed form), TOPSIS."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from sxgeo.errors import SchemaError
from sxgeo.pilots.score import SAATY_RI, ahp, load_criteria, parse_criteria, score_candidates, topsis


def crit(method="direct", gates=None, matrix=None, force=False):
    data = {
        "method": method,
        "criteria": [
            {"id": "a", "column": "a", "direction": "benefit", "weight": 3},
            {"id": "b", "column": "b", "direction": "cost", "weight": 2},
        ],
        "gates": gates or [],
    }
    if matrix is not None:
        data["ahp"] = {"matrix": matrix, "force": force}
    return parse_criteria(data, where="test.yaml")


TABLE = pd.DataFrame(
    {
        "code": ["c1", "c2", "c3", "c4"],
        "a": [0.0, 5.0, 10.0, 7.0],
        "b": [0.0, 50.0, 100.0, 20.0],
        "ledger": [1, 1, 1, 0],
    }
)


def test_wlc_by_hand_and_contributions_sum():
    s = score_candidates(TABLE.iloc[:3], crit())
    t = s.table
    # weights 0.6 / 0.4; a -> 0, .5, 1; b is a cost: 0, 50, 100 -> 1, .5, 0
    assert t["b_norm"].tolist() == [1.0, 0.5, 0.0]
    assert t["a_contrib"].tolist() == pytest.approx([0.0, 30.0, 60.0])
    assert t["b_contrib"].tolist() == pytest.approx([40.0, 20.0, 0.0])
    assert t["score"].tolist() == pytest.approx([40.0, 50.0, 60.0])
    assert np.allclose(t["a_contrib"] + t["b_contrib"], t["score"])
    assert t["rank"].tolist() == [3, 2, 1]


def test_cost_criterion_inverts():
    c = parse_criteria({"criteria": [{"id": "b", "column": "b", "direction": "cost", "weight": 1}]})
    t = score_candidates(TABLE.iloc[:3], c).table
    assert t["score"].tolist() == pytest.approx([100.0, 50.0, 0.0])
    c2 = parse_criteria({"criteria": [{"id": "b", "column": "b", "direction": "benefit", "weight": 1}]})
    assert score_candidates(TABLE.iloc[:3], c2).table["score"].tolist() == pytest.approx([0.0, 50.0, 100.0])


def test_gate_removes_and_reports():
    s = score_candidates(TABLE, crit(gates=[{"id": "ledger", "column": "ledger", "op": "==", "value": 1}]))
    t = s.table
    assert len(t) == 4  # kept, without a score
    assert t.loc[3, "gate"].startswith("gate ledger")
    assert np.isnan(t.loc[3, "score"])
    assert (t.loc[:2, "gate"] == "").all()
    # normalised over the three that pass: the same scores as without c4
    assert t.loc[:2, "score"].tolist() == pytest.approx([40.0, 50.0, 60.0])
    assert "1 candidates removed by gates (ledger)" in s.notes


def test_missing_value_counts_as_worst():
    t = TABLE.iloc[:3].copy()
    t.loc[2, "a"] = np.nan
    out = score_candidates(t, crit()).table
    assert out.loc[2, "a_norm"] == 0.0
    assert out.loc[2, "missing"] == "a"


def test_ahp_consistent_matrix_gives_its_weights():
    w = np.array([0.4, 0.3, 0.2, 0.1])
    res = ahp(w[:, None] / w[None, :])
    assert res.weights == pytest.approx(w)
    assert res.lambda_max == pytest.approx(4.0)
    assert res.cr == pytest.approx(0.0, abs=1e-9)


def test_ahp_3x3_closed_form():
    # for [[1,a,b],[1/a,1,c],[1/b,1/c,1]]: lambda_max = 1 + r + 1/r with r = (a c / b)^(1/3), and the
    # principal eigenvector is the normalised row geometric mean (exact for n = 3)
    a, b, c = 3.0, 5.0, 3.0
    m = [[1, a, b], [1 / a, 1, c], [1 / b, 1 / c, 1]]
    r = (a * c / b) ** (1 / 3)
    lam = 1 + r + 1 / r  # 3.0385
    res = ahp(m)
    assert res.lambda_max == pytest.approx(lam)
    assert res.ci == pytest.approx((lam - 3) / 2)
    assert res.cr == pytest.approx((lam - 3) / 2 / 0.58)  # Saaty's RI(3) = 0.58 -> CR 0.033
    gm = np.array([(a * b) ** (1 / 3), (c / a) ** (1 / 3), (1 / (b * c)) ** (1 / 3)])
    assert res.weights == pytest.approx(gm / gm.sum())


def test_ahp_12_criteria_use_tummala_and_ling_ri():
    """n = 12: RI 1.5356 (Tummala and Ling 1998), between n = 11 (1.51) and n = 13 (1.56); CR = CI / RI."""
    w = np.linspace(1.0, 2.1, 12)
    m = w[:, None] / w[None, :]
    m[0, 1], m[1, 0] = 2.0 * m[0, 1], 0.5 * m[1, 0]  # one judgement off by 2x
    lam = float(np.max(np.linalg.eigvals(m).real))  # numpy, not sxgeo
    res = ahp(m)
    assert res.lambda_max == pytest.approx(lam)
    assert res.cr == pytest.approx((lam - 12) / 11 / 1.5356)
    assert all(a <= b for a, b in itertools.pairwise(SAATY_RI))  # RI grows with n


def test_ahp_refuses_inconsistent_unless_forced():
    bad = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]  # p > q > r > p: r = (9 * 9 * 9)^(1/3) = 9
    res = ahp(bad)
    assert res.lambda_max == pytest.approx(1 + 9 + 1 / 9)
    assert res.cr == pytest.approx((1 + 9 + 1 / 9 - 3) / 2 / 0.58)  # 6.13
    c = crit("ahp", matrix=[[1, 2], ["1/2", 1]])
    s = score_candidates(TABLE.iloc[:3], c)
    assert s.weights == pytest.approx([2 / 3, 1 / 3])
    assert s.ahp is not None and s.ahp.cr == 0.0
    with pytest.raises(SchemaError, match="not reciprocal"):
        ahp([[1, 2], [2, 1]])


def test_ahp_inconsistent_forced_is_used():
    data = {
        "method": "ahp",
        "criteria": [{"id": x, "column": "a"} for x in ("p", "q", "r")],
        "ahp": {"matrix": [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]], "force": True},
    }
    s = score_candidates(TABLE, parse_criteria(data))
    assert s.ahp.cr > 0.1
    data["ahp"]["force"] = False
    with pytest.raises(SchemaError, match=r"consistency ratio 6\.1\d+ >= 0\.10; revise the pairwise"):
        score_candidates(TABLE, parse_criteria(data))


def test_topsis_by_hand():
    x = np.array([[1.0], [2.0], [3.0]])
    assert topsis(x, np.array([1.0]), ["benefit"]) == pytest.approx([0.0, 0.5, 1.0])
    assert topsis(x, np.array([1.0]), ["cost"]) == pytest.approx([1.0, 0.5, 0.0])
    t = score_candidates(TABLE.iloc[:3], crit()).table
    assert "topsis_rank" in t.columns


def test_shipped_criteria_file_parses():
    c = load_criteria()
    assert c.ids == ["pv", "forest", "energy", "sponge", "population", "spread"]
    assert c.gates[0].column == "carbon_ledger"
    assert c.ahp_matrix is not None and c.ahp_matrix.shape == (6, 6)
    assert ahp(c.ahp_matrix).cr < 0.1


def test_bad_criteria_files_name_the_problem():
    with pytest.raises(SchemaError, match="direction 'up' must be benefit or cost"):
        parse_criteria(
            {"criteria": [{"id": "x", "column": "x", "direction": "up", "weight": 1}]}, where="f.yaml"
        )
    with pytest.raises(SchemaError, match="no column 'zz'"):
        score_candidates(TABLE, parse_criteria({"criteria": [{"id": "c1", "column": "zz", "weight": 1}]}))


# ---- issue 20 (branch issue-20-inputs): gates remove all
def test_gates_that_remove_every_candidate_are_refused_naming_each_gate():
    gates = [
        {"id": "ledger", "column": "ledger", "op": "==", "value": 1},
        {"id": "big", "column": "a", "op": ">=", "value": 100},
    ]
    with pytest.raises(SchemaError) as err:
        score_candidates(TABLE, crit(gates=gates), what="town candidates (towns.gpkg)")
    msg = str(err.value)
    # by hand: ledger == 1 fails c4 only; a >= 100 fails all four (a is at most 10)
    assert "test.yaml: the gates remove all 4 of town candidates (towns.gpkg)" in msg
    assert "gate ledger (ledger == 1) fails 1" in msg and "gate big (a >= 100) fails 4" in msg


def test_a_criterion_id_that_is_an_output_column_is_refused():
    """A criterion named 'score' would be a second 'score' column of the result, one named 'x' would overwrite
    the candidates' x coordinate (and so the spacing): refused, naming the fix."""
    from sxgeo.errors import SchemaError
    from sxgeo.pilots.score import parse_criteria

    data = {"criteria": [{"id": "score", "column": "score_a", "weight": 1.0}]}
    with pytest.raises(SchemaError, match="criterion id 'score' is a column sxgeo writes.*score_value"):
        parse_criteria(data, where="mine.yaml")
    with pytest.raises(SchemaError, match="criterion id 'x' is a column"):
        parse_criteria({"criteria": [{"id": "x", "column": "x", "weight": 1.0}]})
