"""Cited parameter tables shipped with sxgeo.

Tables are CSV, one row per item, with a ``source`` column (and ``verify`` where a figure still
needs confirming). The shipped layers (``layers/``) are rebuilt by scripts outside the package:
``python tools/build_counties.py``, ``python tools/build_divisions.py``.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any

import pandas as pd


def read_param_table(name: str, **read_csv: Any) -> pd.DataFrame:
    """Read a parameter table shipped in ``sxgeo/data``.

    Parameters
    ----------
    name : str
        File name, e.g. ``"runoff_coefficients.csv"``.
    **read_csv
        Passed to :func:`pandas.read_csv` (e.g. ``dtype``).

    Returns
    -------
    pandas.DataFrame
        With ``attrs['source']`` naming the file, for messages.
    """
    with resources.files("sxgeo.data").joinpath(name).open(encoding="utf-8") as fh:
        df = pd.read_csv(fh, **read_csv)
    df.attrs["source"] = f"sxgeo/data/{name}"
    return df


def read_param_json(name: str) -> Any:
    """Read a JSON file shipped in ``sxgeo/data`` (e.g. ``"pv_yield_precomputed.json"``).

    Parameters
    ----------
    name : str
        File name.

    Returns
    -------
    Any
        The parsed document.
    """
    with resources.files("sxgeo.data").joinpath(name).open(encoding="utf-8") as fh:
        return json.load(fh)


def param_file_sha256(name: str) -> str:
    """sha256 (hex) of a file shipped in ``sxgeo/data``: what a table derived from it records."""
    return hashlib.sha256(resources.files("sxgeo.data").joinpath(name).read_bytes()).hexdigest()
