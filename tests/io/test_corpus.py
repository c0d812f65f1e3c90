"""The bad-input corpus (tests/data/make_corpus.py) through the real entry point, and every command.

Each case must end as its corpus entry says: exit 0 with the independent figure, or exit 1 with
one line on stderr naming the problem. No case and no command may print a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pandas as pd
import pytest
import typer

from sxgeo.cli import app
from sxgeo.io.validate import STRICT

from ..data.make_corpus import Case, make_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Case]]:
    folder = tmp_path_factory.mktemp("corpus")
    return folder, make_corpus(folder)


def run_main(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> tuple[int, str, str]:
    """``sxgeo ARGV`` in-process through :func:`sxgeo.cli.main`; any uncaught exception fails the test."""
    from sxgeo.cli import main

    monkeypatch.setattr(sys, "argv", ["sxgeo", *argv])
    code: int | str | None = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    finally:
        STRICT.set(False)
    cap = capsys.readouterr()
    return int(code or 0), cap.out, cap.err


def _value(out: Path, spec: str, unit: str, column: str) -> float:
    name, _, sheet = spec.partition("#")
    path = out / name
    table = pd.read_excel(path, sheet_name=sheet) if sheet else pd.read_csv(path, dtype={"unit_code": str})
    table["unit_code"] = table["unit_code"].astype(str)
    return float(table.set_index("unit_code").loc[unit, column])


def test_corpus_has_forty_cases_across_the_classes(corpus):
    _, cases = corpus
    assert len(cases) >= 40
    assert sum(c.refusal is None for c in cases) >= 15 and sum(c.refusal is not None for c in cases) >= 25
    assert len({c.name for c in cases}) == len(cases)


def test_every_corpus_case_ends_as_expected(corpus, monkeypatch, capsys):
    folder, cases = corpus
    failures = []
    for case in cases:
        code, out, err = run_main(case.argv, monkeypatch, capsys)
        if "Traceback" in err or "Traceback" in out:
            failures.append(f"{case.name}: traceback\n{err}")
        elif case.refusal is None:
            if code != 0:
                failures.append(f"{case.name}: expected success, exit {code}: {err.strip()[-300:]}")
                continue
            for spec, unit, column, expected in case.checks:
                got = _value(folder / "out", spec, unit, column)
                if got != pytest.approx(expected, rel=1e-6, abs=0.01):
                    failures.append(f"{case.name}: {spec} {unit} {column} = {got}, expected {expected}")
        else:
            lines = [ln for ln in err.splitlines() if ln.startswith("sxgeo: error:")]
            if code != 1 or len(lines) != 1 or case.refusal not in lines[0]:
                failures.append(
                    f"{case.name}: expected exit 1 naming {case.refusal!r}; exit {code}: {err.strip()[-400:]}"
                )
    assert not failures, "\n".join(failures)


def _commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            out += _commands(cmd, (*prefix, name))
        else:
            out.append(((*prefix, name), cmd))
    return out


def _argv_for(path: tuple[str, ...], cmd: click.Command, bad: Path, out: Path) -> list[str]:
    """Every required parameter filled: outputs into *out*, everything else the bad file."""
    argv = list(path)
    for p in cmd.params:
        if not p.required:
            continue
        value = str(out) if p.name in ("out",) else str(bad)
        if isinstance(p, click.Argument):
            argv.append(value)
        else:
            argv += [p.opts[0], value]
    return argv


def test_every_command_survives_bad_files_without_a_traceback(corpus, tmp_path, monkeypatch, capsys):
    """Commands are listed from the typer app, so commands added later are covered unedited."""
    folder, _ = corpus
    monkeypatch.chdir(tmp_path)  # commands with no required input (init) write into the working folder
    bad_files = [
        folder / "missing.gpkg",
        folder / "garbage.tif",
        folder / "empty.geojson",
        folder / "wet_nan.gpkg",
        folder / "points_two_sheets.xlsx",
        folder / "pools_n_a.csv",
    ]
    commands = _commands(typer.main.get_command(app))
    assert {"check", "build", "map", "demo-data"} <= {" ".join(p) for p, _ in commands}
    failures = []
    seen: set[tuple[str, ...]] = set()
    for path, cmd in commands:
        if path == ("demo-data",):
            continue  # takes no input file (its bad option is a corpus case)
        for bad in bad_files:
            argv = _argv_for(path, cmd, bad, tmp_path / f"{'_'.join(path)}_{bad.stem}")
            if tuple(argv) in seen:
                continue  # no required input (build, report): the same command line, run once, not 6 times
            seen.add(tuple(argv))
            try:
                code, _, err = run_main(argv, monkeypatch, capsys)
            except Exception as exc:  # an uncaught exception is the traceback a user would see
                failures.append(f"sxgeo {' '.join(argv)}: {type(exc).__name__}: {exc}")
                continue
            if "Traceback" in err or code not in (0, 1, 2):
                failures.append(f"sxgeo {' '.join(argv)}: exit {code}: {err[-300:]}")
    assert not failures, "\n".join(failures)
