r"""Collect every wheel sxgeo (and chosen extras) needs into one folder, for an intranet with no index.

Usage::

    python tools/wheelhouse.py -o wheelhouse                      # this machine's platform and Python
    python tools/wheelhouse.py -o wheelhouse --all                # Linux and Windows, CPython 3.11-3.13
    python tools/wheelhouse.py -o wheelhouse --platform win_amd64 --python 3.12 --extras classify

Then, on the machine with no internet::

    python -m venv .venv
    .venv/bin/pip install --no-index --find-links wheelhouse sxgeo          (Windows: .venv\Scripts\pip)

It runs ``pip wheel --no-deps .`` for sxgeo itself (a pure-Python wheel) and ``pip download
--only-binary=:all:`` for its dependencies, once per (platform, Python) pair, so the folder holds binary
wheels only (no compiler needed on the intranet). The plain ``pip download`` equivalent is printed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORMS = {
    "linux": ["manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64"],
    "windows": ["win_amd64"],
}
PYTHONS = ("3.11", "3.12", "3.13")


def requirements(extras: list[str]) -> list[str]:
    """The dependencies of sxgeo and of *extras*, from pyproject.toml."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(meta["dependencies"])
    for extra in extras:
        reqs += meta["optional-dependencies"][extra]
    return reqs


def download(out: Path, reqs: list[str], *, platforms: list[str] | None, python: str | None) -> None:
    """``pip download`` binary wheels of *reqs* into *out* (for another platform when given)."""
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(out), "--only-binary=:all:"]
    for plat in platforms or []:
        cmd += ["--platform", plat]
    if python:
        cmd += ["--python-version", python]
    print(" ".join(cmd[2:]), "...")
    subprocess.run([*cmd, *reqs], check=True)


def main(argv: list[str] | None = None) -> int:
    """Build the wheelhouse."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--out", type=Path, default=ROOT / "wheelhouse")
    ap.add_argument("--extras", nargs="*", default=[], help="extras to include, e.g. classify")
    ap.add_argument("--all", action="store_true", help="Linux and Windows, CPython 3.11-3.13")
    ap.add_argument("--platform", action="append", help="a pip platform tag (repeatable)")
    ap.add_argument("--python", help="a Python version, e.g. 3.12")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            str(args.out),
            str(ROOT),
        ],
        check=True,
    )
    reqs = requirements(args.extras)
    if args.all:
        for platforms in PLATFORMS.values():
            for python in PYTHONS:
                download(args.out, reqs, platforms=platforms, python=python)
    else:
        download(args.out, reqs, platforms=args.platform, python=args.python)
    wheels = sorted(args.out.glob("*.whl"))
    print(f"{len(wheels)} wheels in {args.out}")
    print(f"install with: pip install --no-index --find-links {args.out} sxgeo")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
