"""Vectorised shapely functions over large geometry arrays, in chunks on several threads.

Shapely 2 releases the GIL inside its vectorised GEOS loops (``centroid``, ``is_valid``,
``point_on_surface``, ``area``...), so chunks of one array run on all cores of the machine at once. A
roof layer of a million footprints spends seconds in such single calls; two threads halve that on a
2-core machine. Small arrays stay on the calling thread (a thread costs more than it saves there).
The results are those of one call on the whole array, element for element: each element is computed
by the same GEOS function, only on another thread.

Each thread gets its own slice of the array, so no geometry is in two threads at once. Do not pass
prepared geometries (``shapely.prepare``) as extra arguments: GEOS's prepared geometries are not safe
in two threads at once (two threads using the same prepared zones crashed); give each thread its own
copy instead, as :func:`sxgeo.zonal.vector.intersection_pieces` does.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

MIN_CHUNK = 100_000
"""Fewest elements per thread: below about this many, one call on the calling thread is faster."""


def chunked(
    fn: Callable[..., Any], geoms: np.ndarray, *args: Any, threads: int | None = None, **kwargs: Any
) -> Any:
    """``fn(geoms, *args, **kwargs)`` computed in chunks of *geoms* on several threads, concatenated.

    Parameters
    ----------
    fn : callable
        A vectorised function of a geometry array whose result has one row per geometry (a shapely
        ufunc such as ``shapely.centroid`` or ``shapely.is_valid``).
    geoms : numpy.ndarray
        The geometries (1-D).
    *args, **kwargs
        Passed to *fn* with every chunk.
    threads : int, optional
        Threads (default: the CPU count); never more than ``len(geoms) // MIN_CHUNK``.

    Returns
    -------
    numpy.ndarray
        The same as ``fn(geoms, *args, **kwargs)``.
    """
    geoms = np.asarray(geoms)
    n = max(1, min(threads if threads is not None else (os.cpu_count() or 1), len(geoms) // MIN_CHUNK))
    if n == 1:
        return fn(geoms, *args, **kwargs)
    parts = np.array_split(geoms, n)
    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="sxgeo-geos") as pool:
        done = list(pool.map(lambda part: fn(part, *args, **kwargs), parts))
    return np.concatenate(done)
