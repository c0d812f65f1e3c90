"""Start-up benchmark: ``sxgeo --version``, ``--help`` and a subcommand's help as whole new processes.

Run: ``PYTHONPATH=. .venv/bin/python tests/bench_startup.py [--runs 5]``. Each command runs *runs* times as
a new process (the ``sxgeo`` console script beside this interpreter, else ``python -m sxgeo``); prints the
median wall and CPU seconds (user + system of the child) against issue 22's goal ("well under a second"),
and which of the heavy packages (geopandas, pandas, shapely, pyproj, rasterio, folium, scipy) the command
imported, measured in one more process that runs the same command through :func:`sxgeo.cli.main` and lists
``sys.modules``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = (["--version"], ["--help"], ["carbon", "landcover", "--help"], ["build", "--help"])
HEAVY = ("geopandas", "pandas", "shapely", "pyproj", "rasterio", "folium", "scipy")
GOAL_S = 1.0

IMPORTS = """
import json, sys
sys.argv = ["sxgeo", *sys.argv[1:]]
from sxgeo.cli import main
try:
    main()
except SystemExit:
    pass
heavy = [m for m in json.loads(HEAVY) if m in sys.modules]
print("\\n" + json.dumps({"modules": len(sys.modules), "heavy": heavy}))
"""


def sxgeo_command() -> list[str]:
    """The ``sxgeo`` console script beside this interpreter, else ``python -m sxgeo``."""
    script = Path(sys.executable).with_name("sxgeo")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sxgeo"]


def timed(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU (user + system) seconds of *runs* new processes, after one not counted."""
    walls, cpus = [], []
    env = os.environ | {"SXGEO_LANG": "en", "COLUMNS": "100"}
    subprocess.run(cmd, check=True, capture_output=True, env=env)  # not counted: writes the .pyc files
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def imported(args: list[str]) -> dict:
    """Number of modules and the heavy packages loaded by ``sxgeo ARGS``."""
    code = IMPORTS.replace("json.loads(HEAVY)", repr(list(HEAVY)))
    env = os.environ | {"SXGEO_LANG": "en", "COLUMNS": "100"}
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="processes per command (median)")
    args = ap.parse_args()
    base = sxgeo_command()
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.runs} runs per command, medians")
    if load[0] >= (os.cpu_count() or 1):
        print("(the machine is busy: wall times are inflated, read the CPU seconds)")
    print(
        f"{'command':32s} {'wall s':>7s} {'CPU s':>6s} {'goal':>8s} {'modules':>8s}  heavy packages imported"
    )
    for cmd in COMMANDS:
        wall, cpu = timed([*base, *cmd], args.runs)
        info = imported(cmd)
        verdict = "ok" if wall < GOAL_S else "over"
        heavy = ", ".join(info["heavy"]) or "none"
        label = "sxgeo " + " ".join(cmd)
        print(f"{label:32s} {wall:7.2f} {cpu:6.2f} {verdict:>4s} <1 s {info['modules']:8d}  {heavy}")
    python = timed([sys.executable, "-c", "pass"], args.runs)
    print(f"{'(python -c pass: the floor)':32s} {python[0]:7.2f} {python[1]:6.2f}")


if __name__ == "__main__":
    main()
