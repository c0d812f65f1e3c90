"""Cited parameter tables shipped with sxgeo, and the build scripts of the shipped layers.

Tables are CSV, one row per item, with a ``source`` column (and ``verify`` where a figure still
needs confirming). Build scripts: ``python -m sxgeo.data.counties``, ``python -m sxgeo.data.divisions``.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd


def read_param_table(name: str, **read_csv: object) -> pd.DataFrame:
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
    """
    with resources.files("sxgeo.data").joinpath(name).open(encoding="utf-8") as fh:
        return pd.read_csv(fh, **read_csv)
