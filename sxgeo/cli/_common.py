"""Small helpers shared by the capability commands."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer


def is_synthetic(*layers: pd.DataFrame) -> bool:
    """Whether any input layer carries a true ``synthetic`` column (demo data)."""
    return any("synthetic" in x.columns and x["synthetic"].fillna(False).astype(bool).any() for x in layers)


def echo_outputs(paths: list[Path], notes: list[str]) -> None:
    """Print the files written (stdout) and the notes that qualify them (stderr)."""
    for p in paths:
        typer.echo(p)
    for note in notes:
        typer.echo(f"note: {note}", err=True)
