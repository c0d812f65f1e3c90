"""Benchmark: 100 of the 2,168 villages with quotas and 3 km spacing, the Monte-Carlo, irreplaceability.

Run: PYTHONPATH=. python tests/bench_pilots.py [--selection-draws 200] [--draws 1000]
Prints the figures (times on this machine, not asserted anywhere). Uses the synthetic demo
villages and criteria (generated into a temporary folder when no --demo folder is given).

``--scale 2000,5000,10000,20000`` instead times the programme alone at those candidate counts: seeded
candidates uniform inside the shipped counties (EPSG:4549), scores from a smooth seeded field plus noise
(high scores cluster, so the spacing binds), 100 sites, 2 km spacing (``--spacing-km``), proportional
county quotas; for each count the clique rows with and without the reduced-cost fixing, and the former
one-row-per-pair rows, with rows, build and solve seconds and the objective (all must agree).
``--no-pairs`` skips the pairwise runs.

``--process 10000`` instead times ``sxgeo pilots select`` as a planner runs it, a new process each time
(imports, reading and writing included): that many seeded candidates (the generator of ``--scale``) written
as a GeoPackage of points (12-digit village codes: the county's adcode and a serial), a values CSV (two
seeded columns) and a criteria YAML of those two columns; 100 sites, 2 km spacing, proportional quotas; once
with ``--selection-draws 0 --no-irreplaceability`` (the selection alone) and once with the defaults
(1,000 ranking draws, 200 full re-selections, the irreplaceability of each selected site).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sxgeo import admin, demo
from sxgeo._pipeline import Context
from sxgeo.pilots import EXISTING_PILOTS, explain
from sxgeo.pilots.pipeline import _candidates, _distance_to_pilot, _values
from sxgeo.pilots.score import load_criteria, score_candidates
from sxgeo.pilots.select import SelectOptions, SitingProblem, proportional_quotas


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--demo", type=Path, default=None, help="a demo-data folder (default: generate one)")
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--selection-draws", type=int, default=200)
    ap.add_argument(
        "--spacing-km", type=float, default=None, help="default 3 (demo villages), 2 with --scale"
    )
    ap.add_argument("--town-bonus", type=float, default=5.0, help="joint villages + 10 towns (0: skip)")
    ap.add_argument(
        "--scale", default="", help="candidate counts, e.g. 2000,5000,10000,20000 (programme only)"
    )
    ap.add_argument("--no-pairs", action="store_true", help="with --scale: skip the one-row-per-pair runs")
    ap.add_argument("--process", type=int, default=0, help="time `sxgeo pilots select` on N candidates")
    ap.add_argument("--keep", type=Path, default=None, help="--process: keep the inputs here")
    args = ap.parse_args()
    if args.process:
        process(args.process, 2.0 if args.spacing_km is None else args.spacing_km, args.keep)
        return
    if args.scale:
        sizes = [int(v) for v in args.scale.split(",")]
        scale(sizes, 2.0 if args.spacing_km is None else args.spacing_km, args.no_pairs)
        return
    if args.spacing_km is None:
        args.spacing_km = 3.0
    folder = args.demo
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="bench_pilots_"))
        t = time.perf_counter()
        frames = demo.build_layers()
        for name in ("demo_villages.geojson", "demo_towns.geojson", "demo_pilot_criteria.csv"):
            f = frames[name]
            (f.to_csv(folder / name, index=False) if name.endswith(".csv") else f.to_file(folder / name))
        print(f"demo layers: {time.perf_counter() - t:.1f} s")
    ctx = Context(units=admin.load_counties())
    t0 = time.perf_counter()
    cand, _ = _candidates(ctx, {"villages": folder / "demo_villages.geojson"}, "village")
    cand, _ = _values(cand, {"values": folder / "demo_pilot_criteria.csv"})
    fixed_all = cand["code"].isin(set(EXISTING_PILOTS)).to_numpy()
    cand["distance_to_pilot_km"] = _distance_to_pilot(cand, fixed_all)
    scored = score_candidates(cand, load_criteria())
    t_score = time.perf_counter() - t0
    t = scored.table.assign(fixed=fixed_all)
    prog = t[(t["gate"] == "") | t["fixed"]].reset_index(drop=True)
    counts = {str(k): int(v) for k, v in prog["county_adcode"].value_counts().items()}
    quotas = proportional_quotas(counts, 100)
    t0 = time.perf_counter()
    problem = SitingProblem(
        prog,
        prog["fixed"].to_numpy(),
        SelectOptions(n=100, min_spacing_m=args.spacing_km * 1000, quotas=quotas),
    )
    t_build = time.perf_counter() - t0
    scores = prog["score"].to_numpy(float)
    t0 = time.perf_counter()
    sel = problem.solve(scores)
    t_solve = time.perf_counter() - t0
    print(f"candidates {len(t)}, after gates {len(prog)} (fixed villages: {int(fixed_all.sum())})")
    print(f"scoring: {t_score:.2f} s")
    print(
        f"programme: {len(problem.pairs)} close pairs under {args.spacing_km:g} km, built in {t_build:.2f} s"
    )
    print(f"selection: {sel.summary()}; wall {t_solve:.2f} s")
    gated_in = (t["gate"] == "").to_numpy()
    norm_all = np.zeros((len(t), scored.normalised.shape[1]))
    norm_all[gated_in] = scored.normalised
    norm = norm_all[((t["gate"] == "") | t["fixed"]).to_numpy()]
    t0 = time.perf_counter()
    rank_only = explain.monte_carlo(norm, scored.weights, 100, draws=args.draws, selection_draws=0)
    t_rank = time.perf_counter() - t0
    print(f"Monte-Carlo ranking only: {args.draws} draws in {t_rank:.2f} s")
    t0 = time.perf_counter()
    full = explain.monte_carlo(
        norm, scored.weights, 100, draws=args.draws, problem=problem, selection_draws=args.selection_draws
    )
    t_full = time.perf_counter() - t0 - t_rank
    per = t_full / max(args.selection_draws, 1)
    print(f"Monte-Carlo full selections: {args.selection_draws} in {t_full:.1f} s ({per * 1000:.0f} ms each)")
    labels = full.table["label"][sel.selected].value_counts().to_dict()
    print(f"labels of the 100 selected: {labels}")
    print(f"P(top 100) of the selected, median {np.median(rank_only.table['p_top_n'][sel.selected]):.2f}")
    t0 = time.perf_counter()
    sens, _ = explain.one_at_a_time(norm, scored.weights, load_criteria().ids, 100)
    print(
        f"one-at-a-time: {len(sens)} runs in {time.perf_counter() - t0:.2f} s; "
        f"min Spearman rho {sens['spearman_rho'].min():.3f}"
    )
    t0 = time.perf_counter()
    irr = explain.irreplaceability(problem, scores, sel)
    t_irr = time.perf_counter() - t0
    finite = irr[np.isfinite(irr)]
    print(
        f"irreplaceability: {len(finite)} re-solves in {t_irr:.1f} s; loss median {np.median(finite):.2f}, "
        f"max {finite.max():.2f} score points"
    )

    if args.town_bonus:
        joint(ctx, folder, args.spacing_km, args.town_bonus)


def joint(ctx: Context, folder: Path, spacing_km: float, bonus: float) -> None:
    """The joint village + town programme with a town bonus, against the villages alone."""
    from sxgeo.pilots.measures import town_of
    from sxgeo.pilots.pipeline import PilotOptions, prepare
    from sxgeo.pilots.select import joint_select

    inputs = {
        "villages": folder / "demo_villages.geojson",
        "towns": folder / "demo_towns.geojson",
        "values": folder / "demo_pilot_criteria.csv",
    }
    lv = prepare(ctx, inputs, options=PilotOptions(level="village", n=100, min_spacing_km=spacing_km))
    lt = prepare(ctx, {**inputs, "candidates": None}, options=PilotOptions(level="town", n=10))
    codes = dict(zip(lv.cand["code"], town_of(lv.layer.reset_index(drop=True), lt.layer), strict=True))
    index = {c: i for i, c in enumerate(lt.prog["code"])}
    tov = np.array([index.get(str(codes.get(c)), -1) for c in lv.prog["code"]])
    t0 = time.perf_counter()
    alone_v, alone_t = lv.problem.solve(lv.scores), lt.problem.solve(lt.scores)
    t_alone = time.perf_counter() - t0
    t0 = time.perf_counter()
    j = joint_select(lv.problem, lv.scores, lt.problem, lt.scores, town_of_village=tov, bonus=bonus)
    t_joint = time.perf_counter() - t0
    changed = int((j.villages.selected != alone_v.selected).sum() // 2)
    print(
        f"villages and towns apart: {t_alone:.2f} s; joint, {bonus:g}-point town bonus: {t_joint:.2f} s "
        f"({j.villages.status}); {int(j.bonus.sum())} villages earn it, {changed} villages and "
        f"{int((j.towns.selected != alone_t.selected).sum() // 2)} towns differ from the separate selections"
    )


def synthetic_candidates(m: int, seed: int = 0) -> pd.DataFrame:
    """*m* candidates uniform inside the shipped counties (EPSG:4549 m), scores 0-100 from 12 seeded 8 km
    Gaussian bumps (80 points) plus uniform noise (20 points), rounded to 0.1 as criteria scores are."""
    counties = admin.load_counties().to_crs(4549)
    rng = np.random.default_rng(seed)
    geoms = counties.geometry.to_numpy()
    union = shapely.union_all(geoms)
    shapely.prepare(union)
    x0, y0, x1, y1 = union.bounds
    xs, ys = [], []
    while sum(len(v) for v in xs) < m:
        x = rng.uniform(x0, x1, 2 * m)
        y = rng.uniform(y0, y1, 2 * m)
        inside = shapely.contains_xy(union, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
    x, y = np.concatenate(xs)[:m], np.concatenate(ys)[:m]
    county = np.empty(m, dtype=object)
    pt, poly = shapely.STRtree(geoms).query(shapely.points(x, y), predicate="intersects")
    county[pt] = counties["adcode"].astype(str).to_numpy()[poly]
    cx, cy = rng.uniform(x0, x1, 12), rng.uniform(y0, y1, 12)
    field = sum(np.exp(-((x - a) ** 2 + (y - b) ** 2) / (2 * 8000.0**2)) for a, b in zip(cx, cy, strict=True))
    score = 80 * (field - field.min()) / (field.max() - field.min()) + rng.uniform(0, 20, m)
    return pd.DataFrame(
        {
            "code": [f"c{i:06d}" for i in range(m)],
            "county_adcode": county,
            "x": x,
            "y": y,
            "score": score.round(1),
        }
    )


CRITERIA_YAML = """# SYNTHETIC benchmark criteria (tests/bench_pilots.py --process): two seeded columns
method: direct
criteria:
  - id: score_a
    name_zh: 合成评分
    name_en: Synthetic score
    column: score_a
    direction: benefit
    weight: 0.7
  - id: pop
    name_zh: 合成人口
    name_en: Synthetic population
    column: pop
    direction: benefit
    weight: 0.3
"""


def write_inputs(m: int, folder: Path) -> list[str]:
    """*m* seeded candidates: a GeoPackage, a values CSV and a criteria YAML in *folder*; the CLI options."""
    c = synthetic_candidates(m)
    rng = np.random.default_rng(1)
    serial = c.groupby("county_adcode").cumcount().to_numpy()
    codes = [f"{county}{k:06d}" for county, k in zip(c["county_adcode"], serial, strict=True)]
    layer = gpd.GeoDataFrame(
        {"code": codes, "name": [f"合成村{k}" for k in range(m)]},
        geometry=shapely.points(c["x"], c["y"]),
        crs=4549,
    )
    layer.to_file(folder / "synthetic_candidates.gpkg")
    values = pd.DataFrame({"code": codes, "score_a": c["score"], "pop": rng.integers(300, 5000, m)})
    values.to_csv(folder / "synthetic_values.csv", index=False)
    (folder / "synthetic_criteria.yaml").write_text(CRITERIA_YAML, encoding="utf-8")
    return [
        "--candidates", str(folder / "synthetic_candidates.gpkg"),
        "--values", str(folder / "synthetic_values.csv"),
        "--criteria", str(folder / "synthetic_criteria.yaml"),
    ]  # fmt: skip


def process(m: int, spacing_km: float, keep: Path | None) -> None:
    """``sxgeo pilots select`` of 100 among *m* candidates as new processes: wall and CPU seconds."""
    folder = keep or Path(tempfile.mkdtemp(prefix="bench_pilots_process_"))
    folder.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    inputs = write_inputs(m, folder)
    print(f"{m:,} seeded candidates written to {folder} in {time.perf_counter() - t:.1f} s")
    sxgeo = str(Path(sys.executable).with_name("sxgeo"))
    base = [sxgeo, "-q", "pilots", "select", *inputs, "--n", "100", "--min-spacing-km", f"{spacing_km:g}"]
    runs = {
        "selection alone (--selection-draws 0 --no-irreplaceability)": [
            "--selection-draws", "0", "--no-irreplaceability",
        ],
        "defaults (1,000 draws, 200 re-selections, irreplaceability)": [],
    }  # fmt: skip
    print(f"sxgeo pilots select, 100 of {m:,}, {spacing_km:g} km spacing: wall s / CPU s (user + sys)")
    for label, extra in runs.items():
        out = folder / f"out_{'alone' if extra else 'defaults'}.csv"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([*base, *extra, "-o", str(out)], check=True, capture_output=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        chosen = pd.read_csv(out, dtype=str)
        print(f"  {label}: {wall:.2f} / {cpu:.2f}  ({len(chosen)} rows in {out.name})", flush=True)
    if keep is None:
        shutil.rmtree(folder)


def scale(sizes: list[int], spacing_km: float, no_pairs: bool) -> None:
    """The programme alone at several candidate counts: clique rows against one row per close pair."""
    print(f"100 sites, {spacing_km:g} km spacing, proportional quotas; HiGHS via scipy.optimize.milp")
    print(
        "candidates | formulation | close pairs | spacing rows | nonzeros | build s (wall / CPU) "
        "| solve s (wall / CPU) | fixed out | status | objective"
    )
    warm = synthetic_candidates(50)  # scipy's sparse, spatial and optimize imports, not timed below
    SitingProblem(warm, np.zeros(50, bool), SelectOptions(n=2, min_spacing_m=1000)).solve(warm["score"])
    for m in sizes:
        c = synthetic_candidates(m)
        counts = {str(k): int(v) for k, v in c["county_adcode"].value_counts().items()}
        opts = SelectOptions(
            n=100, min_spacing_m=spacing_km * 1000, quotas=proportional_quotas(counts, 100), time_limit=600
        )
        runs = [("cliques + reduced costs", "cliques", None), ("cliques", "cliques", False)]
        if not no_pairs:
            runs.append(("pairs (former)", "pairs", False))
        for label, formulation, reduce in runs:
            t0, c0 = time.perf_counter(), time.process_time()
            problem = SitingProblem(c, np.zeros(m, bool), opts, formulation=formulation, reduce=reduce)
            t_build, c_build = time.perf_counter() - t0, time.process_time() - c0
            t0, c0 = time.perf_counter(), time.process_time()
            sel = problem.solve(c["score"].to_numpy())
            t_solve, c_solve = time.perf_counter() - t0, time.process_time() - c0
            print(
                f"{m:,} | {label} | {len(problem.pairs):,} | {len(problem.cliques):,} | "
                f"{problem.constraints.A.nnz:,} | {t_build:.2f} / {c_build:.2f} | "
                f"{t_solve:.2f} / {c_solve:.2f} | {sel.fixed_out:,} | {sel.status} | {sel.objective:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
