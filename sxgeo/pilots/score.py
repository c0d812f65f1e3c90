"""Score pilot candidates: gates, then a weighted linear combination with per-criterion contributions.

The method (``../shared/reference/siting-data.md`` A2):

* **gates** (must-haves) remove candidates first; every removal is reported with the gate;
* each criterion is **min-max normalised** over the candidates that pass the gates, to 0-1, a
  *cost* criterion inverted (``(max - x) / (max - min)``);
* ``score = 100 · Σ_j w_j · x'_j`` with the weights summing to 1, and ``100 · w_j · x'_j`` kept
  as criterion j's **contribution** (the contributions sum to the score);
* weights are given directly, or from an **AHP** pairwise matrix (principal eigenvector, Saaty's
  consistency ratio; a matrix with CR >= 0.10 is refused unless forced);
* **TOPSIS** (vector normalisation, distance to the ideal and anti-ideal point) is reported
  beside it as a cross-check rank.

A missing value counts as the worst value of its criterion (normalised 0) and is listed in the
``missing`` column; a criterion with one value for every candidate contributes 0 and is noted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sxgeo.configtext import load_yaml, read_text
from sxgeo.errors import SchemaError
from sxgeo.io._paths import require_file

log = logging.getLogger(__name__)

SAATY_RI = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.5356, 1.56, 1.57, 1.59)
"""Saaty's random consistency index RI for n = 1..15 (Saaty 1980, *The Analytic Hierarchy Process*,
Table 1.7 for n <= 10; n = 11-15 after Saaty 1994), except n = 12: 1.5356 (Tummala and Ling 1998,
*Int. J. Quality & Reliability Management*), where the often-copied 1.48 would make RI fall between
n = 11 and n = 12 (RI grows with n) and overstate CR by 4 %."""
CR_LIMIT = 0.10
"""Saaty's limit: a pairwise matrix with CR >= 0.10 is too inconsistent to use."""
MEASURES = (
    "pv_potential_kw",
    "forest_cover_pct",
    "carbon_density_tc_ha",
    "builtup_share_pct",
    "sponge_coverage_pct",
    "distance_to_pilot_km",
)
"""Measures sxgeo computes from the project's layers (``measure:`` in the criteria file; see
:mod:`sxgeo.pilots.measures`). Other sources are columns of the candidate table."""
GATE_OPS = ("==", "!=", ">=", "<=", ">", "<", "in", "not in")


@dataclass(frozen=True)
class Criterion:
    """One scored criterion.

    Attributes
    ----------
    id : str
        Short name (column prefix in the outputs).
    name_zh, name_en : str
        Names.
    source : str
        The column of the candidate table, or a measure of :data:`MEASURES`.
    direction : str
        ``benefit`` (more is better) or ``cost`` (less is better).
    weight : float
        Weight as given (normalised to sum 1 with the others).
    measure : bool
        Whether *source* is a measure sxgeo computes (else a column).
    radius_km : float or None
        Radius of a village's area for a measure (``radius_km:``; default 1 km).
    """

    id: str
    name_zh: str
    name_en: str
    source: str
    direction: str
    weight: float
    measure: bool = False
    radius_km: float | None = None


@dataclass(frozen=True)
class Gate:
    """A must-have: candidates failing it are removed before scoring.

    Attributes
    ----------
    id, name_zh, name_en : str
        Names.
    column : str
        Column tested.
    op : str
        One of :data:`GATE_OPS`.
    value : Any
        Right-hand side (a list for ``in``).
    """

    id: str
    name_zh: str
    name_en: str
    column: str
    op: str
    value: Any


@dataclass
class Criteria:
    """A criteria file: criteria, gates, how the weights are set.

    Attributes
    ----------
    criteria : list of Criterion
    gates : list of Gate
    method : str
        ``direct`` (the ``weight`` of each criterion) or ``ahp``.
    ahp_matrix : numpy.ndarray or None
        Pairwise comparisons, rows and columns in criteria order.
    force : bool
        Use an AHP matrix even when CR >= 0.10.
    source : str
        Where it came from (file name).
    """

    criteria: list[Criterion]
    gates: list[Gate] = field(default_factory=list)
    method: str = "direct"
    ahp_matrix: NDArray[np.float64] | None = None
    force: bool = False
    source: str = ""

    @property
    def ids(self) -> list[str]:
        """Criterion ids in order."""
        return [c.id for c in self.criteria]


@dataclass(frozen=True)
class AHPResult:
    """AHP weights and their consistency.

    Attributes
    ----------
    weights : numpy.ndarray
        Principal right eigenvector, normalised to sum 1.
    lambda_max : float
        Principal eigenvalue.
    ci : float
        Consistency index ``(lambda_max - n) / (n - 1)``.
    cr : float
        Consistency ratio ``CI / RI(n)`` (0 for n <= 2).
    """

    weights: NDArray[np.float64]
    lambda_max: float
    ci: float
    cr: float


def ahp(matrix: Any) -> AHPResult:
    """Weights from a pairwise comparison matrix (Saaty's eigenvector method).

    Parameters
    ----------
    matrix : array-like
        n x n, positive, reciprocal (``a_ji = 1 / a_ij``, ones on the diagonal).

    Returns
    -------
    AHPResult

    Raises
    ------
    SchemaError
        When the matrix is not square, not positive or not reciprocal (1% tolerance, as
        planners write 0.33 for 1/3).
    """
    a = np.asarray(matrix, dtype=float)
    n = a.shape[0] if a.ndim == 2 else 0
    if a.ndim != 2 or a.shape != (n, n) or n == 0:
        msg = f"AHP matrix must be square; got shape {a.shape}"
        raise SchemaError(msg)
    if not np.all(a > 0):
        msg = "AHP matrix: every entry must be positive (1/9 ... 9)"
        raise SchemaError(msg)
    bad = np.argwhere(np.abs(a * a.T - 1) > 0.01 + 1e-9)
    if len(bad):
        i, j = bad[0]
        msg = (
            f"AHP matrix is not reciprocal: a[{i + 1},{j + 1}] = {a[i, j]:g} "
            f"but a[{j + 1},{i + 1}] = {a[j, i]:g}"
        )
        raise SchemaError(msg)
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    w = np.abs(vecs[:, k].real)
    w = w / w.sum()
    lam = float(vals[k].real)
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = SAATY_RI[n - 1] if n <= len(SAATY_RI) else SAATY_RI[-1]
    cr = ci / ri if ri > 0 else 0.0
    return AHPResult(w, lam, ci, max(cr, 0.0))


def _fraction(v: Any) -> float:
    """A matrix entry: a number or a fraction written ``1/3``."""
    if isinstance(v, bool):
        raise ValueError(v)
    return float(Fraction(str(v).strip())) if isinstance(v, str) else float(v)


def _text(d: dict, key: str, default: str = "") -> str:
    v = d.get(key, default)
    return "" if v is None else str(v)


RESERVED_IDS = frozenset(
    {
        "code", "name", "level", "county_adcode", "county_name", "x", "y", "lon", "lat", "geometry",
        "gate", "missing", "score", "rank", "topsis", "topsis_rank", "selected", "fixed", "reason",
        "p_top_n", "p_selected", "rank_p05", "rank_p95", "label", "oat_max_rank_change", "irreplaceability",
    }
)  # fmt: skip
"""Columns of the scored and selected tables: no criterion may take one as its id."""


def parse_criteria(data: dict[str, Any], *, where: str = "criteria") -> Criteria:  # noqa: C901
    """Validate a parsed criteria file (see ``sxgeo/data/pilot_criteria.yaml``).

    Parameters
    ----------
    data : dict
        Parsed YAML.
    where : str
        File name for messages.

    Returns
    -------
    Criteria

    Raises
    ------
    SchemaError
        One line naming the file, the criterion and the fix.
    """
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), list) or not data["criteria"]:
        msg = f"{where}: needs a 'criteria:' list (see sxgeo/data/pilot_criteria.yaml)"
        raise SchemaError(msg)
    method = str(data.get("method", "direct"))
    if method not in ("direct", "ahp"):
        msg = f"{where}: method {method!r} must be direct or ahp"
        raise SchemaError(msg)
    crits = []
    for i, c in enumerate(data["criteria"], start=1):
        if not isinstance(c, dict) or "id" not in c:
            msg = f"{where}: criterion {i} needs an id"
            raise SchemaError(msg)
        cid = str(c["id"])
        if ("column" in c) == ("measure" in c):
            msg = f"{where}: criterion {cid}: give exactly one of column: or measure:"
            raise SchemaError(msg)
        if "measure" in c and c["measure"] not in MEASURES:
            msg = f"{where}: criterion {cid}: unknown measure {c['measure']!r} (known: {', '.join(MEASURES)})"
            raise SchemaError(msg)
        direction = str(c.get("direction", "benefit"))
        if direction not in ("benefit", "cost"):
            msg = f"{where}: criterion {cid}: direction {direction!r} must be benefit or cost"
            raise SchemaError(msg)
        weight = c.get("weight", 1.0 if method == "ahp" else None)
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
            msg = f"{where}: criterion {cid}: weight must be a number >= 0 (got {weight!r})"
            raise SchemaError(msg)
        radius = c.get("radius_km")
        if radius is not None and (
            "measure" not in c
            or not isinstance(radius, (int, float))
            or isinstance(radius, bool)
            or not 0 < radius <= 50
        ):
            msg = f"{where}: criterion {cid}: radius_km ({radius!r}) goes with a measure, in km, in (0, 50]"
            raise SchemaError(msg)
        crits.append(
            Criterion(
                cid,
                _text(c, "name_zh", cid),
                _text(c, "name_en", cid),
                str(c.get("column", c.get("measure"))),
                direction,
                float(weight),
                measure="measure" in c,
                radius_km=float(radius) if radius is not None else None,
            )
        )
    if len({c.id for c in crits}) != len(crits):
        msg = f"{where}: criterion ids must be unique"
        raise SchemaError(msg)
    for c in crits:
        if c.id in RESERVED_IDS:
            # the criterion's raw value is written under its id: 'score' would be two columns of the result
            msg = (
                f"{where}: criterion id {c.id!r} is a column sxgeo writes itself "
                f"({', '.join(sorted(RESERVED_IDS))}); give the criterion another id (e.g. {c.id}_value)"
            )
            raise SchemaError(msg)
    radii: dict[str, float | None] = {}
    for c in crits:
        if c.measure and radii.setdefault(c.source, c.radius_km) != c.radius_km:
            msg = f"{where}: criterion {c.id}: measure {c.source} is used with two radii; use one radius_km"
            raise SchemaError(msg)
    if method == "direct" and sum(c.weight for c in crits) <= 0:
        msg = f"{where}: the weights sum to 0"
        raise SchemaError(msg)
    gates = []
    for i, g in enumerate(data.get("gates") or [], start=1):
        if not isinstance(g, dict) or "column" not in g or "value" not in g:
            msg = f"{where}: gate {i} needs column: and value:"
            raise SchemaError(msg)
        op = str(g.get("op", "=="))
        if op not in GATE_OPS:
            msg = f"{where}: gate {g.get('id', i)}: op {op!r} must be one of {', '.join(GATE_OPS)}"
            raise SchemaError(msg)
        gid = str(g.get("id", g["column"]))
        gates.append(
            Gate(gid, _text(g, "name_zh", gid), _text(g, "name_en", gid), str(g["column"]), op, g["value"])
        )
    matrix = None
    ahp_spec = data.get("ahp") or {}
    if method == "ahp" and "matrix" not in ahp_spec:
        msg = f"{where}: method ahp needs ahp: matrix: (rows and columns in criteria order)"
        raise SchemaError(msg)
    if "matrix" in ahp_spec:
        try:
            matrix = np.array([[_fraction(v) for v in row] for row in ahp_spec["matrix"]], dtype=float)
        except (TypeError, ValueError, ZeroDivisionError) as exc:
            msg = f"{where}: AHP matrix entries must be numbers or fractions like 1/3 ({exc})"
            raise SchemaError(msg) from exc
        if matrix.shape != (len(crits), len(crits)):
            msg = f"{where}: AHP matrix is {matrix.shape}, needs {len(crits)} x {len(crits)} (criteria order)"
            raise SchemaError(msg)
    return Criteria(crits, gates, method, matrix, bool(ahp_spec.get("force", False)), where)


PARKS_BLOCK = "parks"
"""Key of a criteria file's block for the zero-carbon park candidates (the ``park`` level)."""


def _shipped_criteria() -> dict[str, Any]:
    text = resources.files("sxgeo.data").joinpath("pilot_criteria.yaml").read_text(encoding="utf-8")
    return load_yaml(text, "pilot_criteria.yaml (shipped)")


def load_criteria(path: str | Path | None = None, *, level: str | None = None) -> Criteria:
    """Read a criteria YAML file (default: the shipped ``sxgeo/data/pilot_criteria.yaml``).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The planner's file.
    level : str, optional
        ``park``: the file's ``parks:`` block (zero-carbon park candidates), else the shipped file's
        (a planner's village criteria do not fit parks); any other level: the top-level criteria.

    Returns
    -------
    Criteria
    """
    if path is None:
        data, where = _shipped_criteria(), "pilot_criteria.yaml (shipped)"
    else:
        p = require_file(path)
        data, where = load_yaml(read_text(p), p.name), p.name
    if level == "park":
        block = data.get(PARKS_BLOCK) if isinstance(data, dict) else None
        if block is None:
            block, where = _shipped_criteria().get(PARKS_BLOCK), "pilot_criteria.yaml (shipped)"
        return parse_criteria(block if isinstance(block, dict) else {}, where=f"{where} parks:")
    return parse_criteria(data, where=where)


def resolve_weights(criteria: Criteria) -> tuple[NDArray[np.float64], AHPResult | None]:
    """The weights (summing to 1), and the AHP result when the weights come from a matrix.

    Raises
    ------
    SchemaError
        When the AHP consistency ratio is 0.10 or more and the file does not say ``force: true``.
    """
    if criteria.method == "ahp":
        assert criteria.ahp_matrix is not None  # parse_criteria checks it
        res = ahp(criteria.ahp_matrix)
        if res.cr >= CR_LIMIT and not criteria.force:
            msg = (
                f"{criteria.source}: AHP consistency ratio {res.cr:.3f} >= {CR_LIMIT:.2f}; revise the "
                "pairwise "
                "judgements (or set ahp: force: true to use them anyway)"
            )
            raise SchemaError(msg)
        return res.weights, res
    w = np.array([c.weight for c in criteria.criteria], dtype=float)
    return w / w.sum(), None


def apply_gates(table: pd.DataFrame, gates: list[Gate]) -> pd.Series:
    """Which gate, if any, removes each candidate.

    Parameters
    ----------
    table : pandas.DataFrame
        Candidates.
    gates : list of Gate
        Must-haves, tested in order (the first failed one is reported).

    Returns
    -------
    pandas.Series
        ``""`` for candidates that pass every gate, else ``gate <id>: <column> <op> <value>
        (is <x>)``; a missing value fails the gate.

    Raises
    ------
    SchemaError
        When a gate's column is missing.
    """
    reason = pd.Series("", index=table.index, dtype=object)
    for g in gates:
        if g.column not in table.columns:
            msg = f"gate {g.id}: no column {g.column!r} in the candidate table ({list(table.columns)})"
            raise SchemaError(msg)
        x = table[g.column]
        ok = _gate_test(x, g)
        failed = (~ok) & (reason == "")
        reason[failed] = [  # type: ignore[call-overload]
            f"gate {g.id} ({g.name_zh}): {g.column} {g.op} {g.value!r} (is {v!r})" for v in x[failed]
        ]
        log.info("gate %s removes %d candidates", g.id, int(failed.sum()))
    return reason


def _refuse_all_gated(table: pd.DataFrame, criteria: Criteria, what: str) -> None:
    """Refuse a gating that leaves nothing to score, naming each gate and how many it removes alone."""
    counts = []
    for g in criteria.gates:
        fails = int((~_gate_test(table[g.column], g)).sum())
        counts.append(f"gate {g.id} ({g.column} {g.op} {g.value!r}) fails {fails}")
    where = criteria.source or "criteria"
    msg = (
        f"{where}: the gates remove all {len(table)} of {what} ({'; '.join(counts)}); "
        "relax or drop a gate, or check the gate columns of the candidate table"
    )
    raise SchemaError(msg)


def _gate_test(x: pd.Series, g: Gate) -> pd.Series:
    if g.op in ("in", "not in"):
        values = g.value if isinstance(g.value, list) else [g.value]
        ok = x.isin(values)
        return ok if g.op == "in" else ~ok & x.notna()
    rhs = g.value
    if isinstance(rhs, (bool, int, float)) and not isinstance(rhs, str):
        lhs = pd.to_numeric(x.map(lambda v: {"true": 1, "false": 0}.get(str(v).lower(), v)), errors="coerce")
        rhs = float(rhs)
    else:
        lhs = x.astype(str)
        rhs = str(rhs)
    ops = {
        "==": lhs == rhs,
        "!=": lhs != rhs,
        ">=": lhs >= rhs,
        "<=": lhs <= rhs,
        ">": lhs > rhs,
        "<": lhs < rhs,
    }
    return ops[g.op].fillna(False).astype(bool) & x.notna()


def criteria_matrix(table: pd.DataFrame, criteria: Criteria) -> NDArray[np.float64]:
    """The raw values, candidates x criteria (NaN where missing).

    Raises
    ------
    SchemaError
        When a criterion's column is missing or not numeric.
    """
    cols = []
    for c in criteria.criteria:
        if c.source not in table.columns:
            hint = "computed by the pipeline" if c.measure else "a column of the candidate table"
            msg = f"criterion {c.id}: no column {c.source!r} ({hint}); columns are {list(table.columns)}"
            raise SchemaError(msg)
        v = pd.to_numeric(table[c.source], errors="coerce")
        bad = v.isna() & table[c.source].notna()
        if bad.any():
            first = table[c.source][bad].iloc[0]
            msg = (
                f"criterion {c.id}: column {c.source!r} has a non-number ({first!r}) in {int(bad.sum())} rows"
            )
            raise SchemaError(msg)
        cols.append(v.to_numpy(dtype=float))
    return np.column_stack(cols) if cols else np.empty((len(table), 0))


def minmax(x: NDArray[np.float64], directions: list[str]) -> NDArray[np.float64]:
    """Min-max normalise each column to 0-1 (cost columns inverted); NaN -> 0; a constant column -> 0.

    Parameters
    ----------
    x : numpy.ndarray
        Candidates x criteria.
    directions : list of str
        ``benefit`` or ``cost`` per column.

    Returns
    -------
    numpy.ndarray
    """
    out = np.zeros_like(x, dtype=float)
    for j, d in enumerate(directions):
        col = x[:, j]
        ok = ~np.isnan(col)
        if not ok.any():
            continue
        lo, hi = float(col[ok].min()), float(col[ok].max())
        if hi <= lo:
            continue
        z = (col - lo) / (hi - lo) if d == "benefit" else (hi - col) / (hi - lo)
        out[:, j] = np.where(ok, z, 0.0)
    return out


def topsis(
    x: NDArray[np.float64], weights: NDArray[np.float64], directions: list[str]
) -> NDArray[np.float64]:
    """TOPSIS closeness (0-1, higher is better): vector normalisation, distances to ideal/anti-ideal.

    Missing values are replaced by the column's worst value first.

    Parameters
    ----------
    x : numpy.ndarray
        Candidates x criteria (raw values).
    weights : numpy.ndarray
        Summing to 1.
    directions : list of str
        ``benefit`` or ``cost`` per column.

    Returns
    -------
    numpy.ndarray
    """
    v = x.astype(float).copy()
    for j, d in enumerate(directions):
        col = v[:, j]
        if np.isnan(col).all():
            v[:, j] = 0.0
            continue
        worst = np.nanmin(col) if d == "benefit" else np.nanmax(col)
        v[np.isnan(col), j] = worst
    norm = np.sqrt((v**2).sum(axis=0))
    norm[norm == 0] = 1.0
    r = v / norm * weights
    benefit = np.array([d == "benefit" for d in directions])
    ideal = np.where(benefit, r.max(axis=0), r.min(axis=0))
    anti = np.where(benefit, r.min(axis=0), r.max(axis=0))
    dp = np.sqrt(((r - ideal) ** 2).sum(axis=1))
    dm = np.sqrt(((r - anti) ** 2).sum(axis=1))
    total = dp + dm
    return np.where(total > 0, dm / np.where(total > 0, total, 1.0), 0.0)


def rank_desc(values: NDArray[np.float64], tiebreak: NDArray[Any] | None = None) -> NDArray[np.int64]:
    """1-based ranks, highest value first; ties broken by *tiebreak* ascending (default: position)."""
    n = len(values)
    tb = np.arange(n) if tiebreak is None else tiebreak
    order = np.lexsort((tb, -values))
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(1, n + 1)
    return ranks


@dataclass
class Scored:
    """Scores of the candidates that passed the gates, and the removal reasons of the others.

    Attributes
    ----------
    table : pandas.DataFrame
        Every input row (same index, same order) with ``gate`` (reason or ""), per criterion
        ``<id>`` (raw), ``<id>_norm``, ``<id>_contrib``; ``score`` (0-100, NaN when gated out),
        ``rank``, ``topsis``, ``topsis_rank``, ``missing``.
    weights : numpy.ndarray
        Weights used (sum 1).
    ahp : AHPResult or None
        When the weights come from AHP.
    normalised : numpy.ndarray
        Min-max values of the gated-in rows (for the robustness runs).
    notes : list of str
        What the planner should know (gates, constant criteria).
    """

    table: pd.DataFrame
    weights: NDArray[np.float64]
    ahp: AHPResult | None
    normalised: NDArray[np.float64]
    notes: list[str]


def score_candidates(table: pd.DataFrame, criteria: Criteria, *, what: str = "the candidates") -> Scored:
    """Gate, normalise, weight and rank the candidates (every row kept, gated ones without a score).

    Parameters
    ----------
    table : pandas.DataFrame
        Candidates: one row each, with the criteria's columns (and measures already computed).
    criteria : Criteria
        From :func:`load_criteria`.
    what : str
        How to name the candidate layer in a refusal.

    Returns
    -------
    Scored

    Raises
    ------
    SchemaError
        When the gates remove every candidate (each gate named with how many it removes).
    """
    weights, ahp_res = resolve_weights(criteria)
    gate = apply_gates(table, criteria.gates)
    keep = (gate == "").to_numpy()
    if len(table) and not keep.any():
        _refuse_all_gated(table, criteria, what)
    raw = criteria_matrix(table, criteria)
    dirs = [c.direction for c in criteria.criteria]
    norm = minmax(raw[keep], dirs)
    out = table.copy()
    out["gate"] = gate.to_numpy()
    notes = [
        f"{int((~keep).sum())} candidates removed by gates"
        + (f" ({', '.join(g.id for g in criteria.gates)})" if criteria.gates else "")
    ]
    score = np.full(len(table), np.nan)
    score[keep] = 100.0 * norm @ weights
    for j, c in enumerate(criteria.criteria):
        out[c.id] = raw[:, j]
        col = np.full(len(table), np.nan)
        col[keep] = norm[:, j]
        out[f"{c.id}_norm"] = col
        con = np.full(len(table), np.nan)
        con[keep] = 100.0 * weights[j] * norm[:, j]
        out[f"{c.id}_contrib"] = con
        kept = raw[keep, j]
        if len(kept) and (np.isnan(kept).all() or np.nanmax(kept) == np.nanmin(kept)):
            notes.append(f"criterion {c.id} has one value for every candidate: contributes 0")
    missing = np.isnan(raw)
    out["missing"] = [
        ",".join(c.id for c, m in zip(criteria.criteria, row, strict=True) if m) for row in missing
    ]
    out["missing"] = out["missing"].where(keep, "")
    out["score"] = score
    rank = np.full(len(table), np.nan)
    codes = (
        table["code"].astype(str).to_numpy() if "code" in table.columns else np.arange(len(table)).astype(str)
    )
    tb = np.argsort(np.argsort(codes[keep]))
    rank[keep] = rank_desc(score[keep], tb)
    out["rank"] = pd.array(rank, dtype="Int64")
    tp = np.full(len(table), np.nan)
    tp[keep] = topsis(raw[keep], weights, dirs)
    out["topsis"] = tp
    trank = np.full(len(table), np.nan)
    trank[keep] = rank_desc(tp[keep], tb)
    out["topsis_rank"] = pd.array(trank, dtype="Int64")
    if missing[keep].any():
        notes.append(
            f"{int(missing[keep].any(axis=1).sum())} candidates miss a criterion value: counted as the worst"
        )
    return Scored(out, weights, ahp_res, norm, notes)
