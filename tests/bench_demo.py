"""``make demo`` on a fresh clone, stage by stage: venv + install, ``sxgeo demo-data``, each ``sxgeo build``
step.

Run: ``.venv/bin/python tests/bench_demo.py [--installer uv|pip] [--warm] [--python PYTHON]`` from the
repository root. The committed ``HEAD`` is cloned into a temporary folder (uncommitted changes are not in
it) and there, as ``make demo`` does: ``make .venv/.installed-report`` (a venv from a bare Python, the base
interpreter of this one unless ``--python``; the install through uv or pip, ``INSTALLER=``), ``sxgeo
demo-data --out layers/demo``, then ``sxgeo -v build --project layers/demo/sxgeo.toml --out maps``, whose
log gives each step's wall time (the report step includes the PDF). Package caches are fresh temporary
folders unless ``--warm`` (then uv's and pip's own caches: a second install on the same machine), so
downloads are counted. Prints wall and CPU seconds (user + system of the child processes) per stage and the
load average before and after: on a busy machine the wall time is far above the CPU time; on an idle 2-core
machine it is close to it.

``--quick``: no clone, no install: the tiny demo (``sxgeo demo-data --size tiny``) and its build with this
interpreter, in a temporary folder.

Issue 22's goal: ``make demo`` in under 3 minutes on a fresh clone of an idle machine, install included.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 180.0
STEP = re.compile(r"step (.+?): ([0-9.]+) s")


class Stages:
    """Wall and CPU seconds of each stage (child processes' rusage)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []

    def run(self, name: str, cmd: list[str], cwd: Path, env: dict[str, str]) -> str:
        """Run *cmd*, record its times, return its stderr (the build's log)."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            sys.exit(f"{name} failed ({' '.join(cmd)}):\n{tail}")
        self.rows.append((name, wall, cpu))
        print(f"  {name:34s} {wall:7.1f} s wall {cpu:7.1f} s CPU", flush=True)
        return proc.stderr

    def total(self) -> tuple[float, float]:
        """Sum of wall and CPU seconds."""
        return sum(r[1] for r in self.rows), sum(r[2] for r in self.rows)


def base_python() -> str:
    """The interpreter this one's venv was made from (a bare Python)."""
    return getattr(sys, "_base_executable", sys.executable) or sys.executable


def steps_of(log: str) -> list[tuple[str, float]]:
    """``step NAME: S s`` lines of a ``sxgeo -v build`` log."""
    return [(m.group(1), float(m.group(2))) for m in STEP.finditer(log)]


def load() -> str:
    """The load averages (1, 5, 15 min)."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def quick(stages: Stages) -> None:
    """The tiny demo and its build with this interpreter."""
    env = os.environ | {"PYTHONPATH": str(ROOT), "SXGEO_LANG": "en"}
    sx = [sys.executable, "-m", "sxgeo"]
    with tempfile.TemporaryDirectory(prefix="bench_demo_") as tmp:
        tiny = Path(tmp) / "tiny"
        stages.run(
            "sxgeo demo-data --size tiny", [*sx, "demo-data", "--size", "tiny", "--out", str(tiny)], ROOT, env
        )
        log = stages.run(
            "sxgeo build (tiny)",
            [*sx, "-v", "build", "--project", str(tiny / "sxgeo.toml"), "--out", str(Path(tmp) / "maps")],
            ROOT,
            env,
        )
        for name, s in steps_of(log):
            print(f"    step {name:30s} {s:7.1f} s wall")


def fresh_clone(stages: Stages, args: argparse.Namespace) -> None:
    """Clone HEAD and run the stages of ``make demo`` there."""
    with tempfile.TemporaryDirectory(prefix="bench_demo_") as tmp:
        clone = Path(tmp) / "sxgeo"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        head = subprocess.run(
            ["git", "-C", str(clone), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        print(f"fresh clone of {ROOT} at {head[:72]}")
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        env.pop("VIRTUAL_ENV", None)
        env["SXGEO_LANG"] = "en"
        if not args.warm:
            env["UV_CACHE_DIR"] = str(Path(tmp) / "uv-cache")
            env["PIP_CACHE_DIR"] = str(Path(tmp) / "pip-cache")
        make = ["make", f"PYTHON={args.python}", f"INSTALLER={args.installer}"]
        caches = "warm caches" if args.warm else "empty package caches"
        stages.run(
            f"venv + install ({args.installer}, {caches})", [*make, ".venv/.installed-report"], clone, env
        )
        sx = str(clone / ".venv" / "bin" / "sxgeo")
        stages.run("sxgeo demo-data", [sx, "demo-data", "--out", "layers/demo"], clone, env)
        log = stages.run(
            "sxgeo build",
            [sx, "-v", "build", "--project", "layers/demo/sxgeo.toml", "--out", "maps"],
            clone,
            env,
        )
        for name, s in steps_of(log):
            print(f"    step {name:30s} {s:7.1f} s wall")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--installer", choices=["uv", "pip"], default="uv")
    ap.add_argument("--warm", action="store_true", help="use uv's and pip's own caches (a second install)")
    ap.add_argument("--python", default=base_python(), help="the bare Python the venv is made from")
    ap.add_argument("--quick", action="store_true", help="the tiny demo with this interpreter, no install")
    args = ap.parse_args()
    print(f"load average before: {load()}")
    stages = Stages()
    if args.quick:
        quick(stages)
    else:
        fresh_clone(stages, args)
    wall, cpu = stages.total()
    print(f"  {'total':34s} {wall:7.1f} s wall {cpu:7.1f} s CPU")
    print(f"load average after: {load()}")
    if not args.quick:
        verdict = "met" if wall < GOAL_S else "not met on this run"
        print(f"make demo on a fresh clone: {wall / 60:.1f} min wall (goal < 3 min idle: {verdict})")


if __name__ == "__main__":
    main()
