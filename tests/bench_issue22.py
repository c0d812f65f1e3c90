"""Every figure of issue 22 beside its peer's, in one run: the benches one after another, each a new process.

Run: ``make bench`` (installs the ``bench`` extra: exactextract, rasterstats, the Dask packages), or
``PYTHONPATH=. .venv/bin/python tests/bench_issue22.py [--quick] [--only WORD ...] [--list]``.

Each bench (``tests/bench_*.py``) runs as its own process with the arguments below (``--quick``: small
sizes, a few minutes in all; without it the sizes of issue 22, about an hour on a 2-core machine, most of it
the Dask run at 10 M footprints); its output is printed as it comes, headed by the command, the UTC date and
the load average, and followed by its wall time and the load average after. The end is a summary table
(figure, command, date, load, wall) in the form of ``docs/performance.md``. Benches needing the demo layers
get them first (``sxgeo demo-data --out layers/demo``) when ``layers/demo`` holds none. Nothing is asserted:
the figures are read (the machine may be busy; each bench prints CPU seconds or ratios where it can).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Bench:
    """One bench run: what it measures, its arguments (full and quick), whether it needs ``layers/demo``."""

    name: str
    figure: str
    full: tuple[str, ...]
    quick: tuple[str, ...] | None
    demo: bool = True


BENCHES = (
    Bench("startup", "`sxgeo --version` / `--help` (goal: well under 1 s)", ("bench_startup.py",),
          ("bench_startup.py", "--runs", "3"), demo=False),
    Bench("carbon", "land-cover carbon per county, 10 m (83 Mpx): kernel vs exactextract, rasterstats",
          ("bench_carbon.py",), ("bench_carbon.py",)),
    Bench("process", "whole process `sxgeo carbon landcover` vs exactextract (goal >= 3x at 83 Mpx)",
          ("bench_process.py",), None),
    Bench("pilots", "pilot selection, 2 km spacing, 2k-20k candidates (goal: 10,000 in < 5 s)",
          ("bench_pilots.py", "--scale", "2000,5000,10000,20000"),
          ("bench_pilots.py", "--scale", "2000,5000"), demo=False),
    Bench("pilots-process", "`sxgeo pilots select`, 100 of 10,000 candidates, 2 km (goal < 5 s)",
          ("bench_pilots.py", "--process", "10000"), ("bench_pilots.py", "--process", "2000"), demo=False),
    Bench("sponge", "sponge Tier A vs geopandas dissolve + overlay (goal >= 5x at 100k and 300k)",
          ("bench_sponge.py", "100000", "300000", "--runs", "1"),
          ("bench_sponge.py", "10000", "--runs", "1")),
    Bench("pv", "rooftop PV, 1M roofs, the steps (no shading)", ("bench_pv.py", "1000000"),
          ("bench_pv.py", "100000")),
    Bench("pv-process", "`sxgeo pv`, 1M roofs with heights (goal: whole process < 12 s)",
          ("bench_pv.py", "1000000", "--process"), ("bench_pv.py", "100000", "--process")),
    Bench("dask", "Dask vs in memory, 1 / 3 / 10 M footprints (goal: 10 M < 150 s)",
          ("bench_dask.py", "1000000", "3000000", "10000000", "--memory-max", "3000000"),
          ("bench_dask.py", "100000"), demo=False),
    Bench("demo", "`make demo` on a fresh clone (goal: < 3 min idle, install included)", ("bench_demo.py",),
          ("bench_demo.py", "--quick"), demo=False),
)  # fmt: skip


def load() -> str:
    """The load averages (1, 5, 15 min)."""
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


def ensure_demo(python: str) -> None:
    """Generate ``layers/demo`` when it holds no demo (the carbon, sponge and PV benches read it)."""
    if (ROOT / "layers" / "demo" / "manifest.json").exists():
        return
    print("layers/demo holds no demo: sxgeo demo-data --out layers/demo", flush=True)
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    cmd = [python, "-m", "sxgeo", "-q", "demo-data", "--out", "layers/demo"]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small sizes (a few minutes)")
    ap.add_argument("--only", nargs="+", default=[], help="benches whose name contains one of these words")
    ap.add_argument("--list", action="store_true", help="list the benches and their commands")
    args = ap.parse_args()
    chosen = [b for b in BENCHES if not args.only or any(w in b.name for w in args.only)]
    if args.list:
        for b in chosen:
            quick = " ".join(b.quick) if b.quick else "(not run)"
            print(f"{b.name:8s} {b.figure}\n         full:  {' '.join(b.full)}\n         quick: {quick}")
        return
    python = sys.executable
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    rows = []
    if any(b.demo for b in chosen):
        ensure_demo(python)
    for b in chosen:
        argv = b.quick if args.quick else b.full
        if argv is None:
            print(f"\n== {b.name}: {b.figure}\n(not run with --quick)")
            continue
        command = f"PYTHONPATH=. .venv/bin/python tests/{' '.join(argv)}"
        started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        before = load()
        print(f"\n== {b.name}: {b.figure}\n$ {command}\n{started}, load {before}", flush=True)
        t0 = time.perf_counter()
        code = subprocess.run(
            [python, str(ROOT / "tests" / argv[0]), *argv[1:]], cwd=ROOT, env=env
        ).returncode
        wall = time.perf_counter() - t0
        after = load()
        print(f"-- {b.name}: {wall:.0f} s, exit {code}, load after {after}", flush=True)
        rows.append((b, command, started, f"{before} → {after}", wall, code))
    if args.quick:
        print("\n--quick: the small sizes are in the command column, not issue 22's in the figure column")
    print("\n| figure | command | date | load (1/5/15 min) before → after | wall | exit |")
    print("|---|---|---|---|---:|---:|")
    for b, command, started, loads, wall, code in rows:
        print(f"| {b.figure} | `{command}` | {started} | {loads} | {wall:.0f} s | {code} |")
    if any(r[5] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
