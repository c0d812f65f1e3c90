"""Dask engine: the same analyses on inputs that outgrow one machine (``pip install 'sxgeo[dask]'``).

The in-memory engine stays the default and the reference; this package maps sxgeo's own kernels
over the partitions of a Dask collection and reduces their additive per-unit sums.

* :func:`get_client`: a ``distributed`` client, to a running cluster (scheduler address) or a
  LocalCluster sized to this machine.
* :mod:`sxgeo.engine.partition`: write a big layer as Hilbert-ordered, partitioned GeoParquet
  (``sxgeo partition``) and read such a folder or glob back.
* The capabilities' kernels use it: rooftop PV is :mod:`sxgeo.pv.dask` (a shading halo around
  each partition; :mod:`sxgeo.engine.pv` keeps its old names for one release).

dask-geopandas has no overlay and its spatial join is inner only (dask-geopandas issue #236), so
sxgeo uses its partitions and I/O, and its own kernels for everything spatial.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from sxgeo.errors import MissingDependencyError, SxgeoError

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'sxgeo[dask]'"
"""What to run when the Dask engine's packages are missing."""
ENGINES = ("memory", "dask")
"""Engine names accepted by ``--engine``."""


DASK_NOISE = (
    # dask 2026.8 still calls reset_index(inplace=True), deprecated by pandas 3.1 (PDEP-8): not ours to fix
    r"The inplace keyword in .*reset_index is deprecated",
)
"""Messages of third-party deprecation warnings raised inside dask itself, silenced by :func:`quiet_dask`."""


def quiet_dask() -> None:
    """Silence the deprecation warnings that dask's own code raises under pandas 3 (this process)."""
    for message in DASK_NOISE:
        warnings.filterwarnings("ignore", message=message)


def require_dask() -> None:
    """Raise :class:`MissingDependencyError` naming the extra when a Dask package is absent.

    Raises
    ------
    MissingDependencyError
        When any of the three packages cannot be imported.
    """
    missing = []
    for module in ("dask", "distributed", "dask_geopandas"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module.replace("_", "-"))
    if missing:
        msg = f"the Dask engine needs {', '.join(missing)}: {INSTALL_HINT}"
        raise MissingDependencyError(msg)


def check_engine(engine: str) -> str:
    """The engine name, checked (``memory`` or ``dask``; the latter needs the extra).

    Parameters
    ----------
    engine : str
        ``memory`` or ``dask``.

    Returns
    -------
    str
        The name in lower case.
    """
    name = engine.strip().lower()
    if name not in ENGINES:
        msg = f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}"
        raise SxgeoError(msg)
    if name == "dask":
        require_dask()
    return name


def _machine_workers() -> tuple[int, int | None]:
    """Workers for this machine (one per core) and the memory each may use [bytes], or None if unknown."""
    cores = os.cpu_count() or 1
    try:
        import psutil

        total = int(psutil.virtual_memory().total)
    except ImportError:  # distributed depends on psutil; be safe anyway
        return cores, None
    return cores, total


def get_client(
    scheduler: str | None = None,
    workers: int | None = None,
    *,
    processes: bool = True,
    dashboard_address: str | None = ":0",
) -> Any:
    """A ``distributed.Client``: to the cluster at *scheduler*, else a LocalCluster sized to this machine.

    Without *scheduler* and *workers*, a client already current in this process (a notebook's,
    a test session's) is returned as it is.

    Parameters
    ----------
    scheduler : str, optional
        Scheduler address of a running cluster, e.g. ``tcp://SCHEDULER-HOST:8786``.
    workers : int, optional
        Workers of the LocalCluster (default one per core; each one thread, and an equal share of
        80% of the machine's memory as its limit).
    processes : bool
        Workers as processes (default) or as threads of this process.
    dashboard_address : str or None
        Where the LocalCluster serves its dashboard (``:0``: a free port; None: none).

    Returns
    -------
    distributed.Client

    Raises
    ------
    MissingDependencyError
        When the Dask packages are not installed.
    """
    require_dask()
    import distributed

    quiet_dask()
    if not log.isEnabledFor(logging.DEBUG):
        # distributed's own start-up chatter (nannies, comms, plugins) at INFO hides sxgeo's lines
        logging.getLogger("distributed").setLevel(logging.WARNING)
    if scheduler:
        client = distributed.Client(scheduler)
        log.info("connected to the Dask cluster at %s", scheduler)
    else:
        if workers is None:
            with contextlib.suppress(ValueError):
                current = distributed.default_client()
                log.info("using the current Dask client %s", current)
                return current
        cores, total = _machine_workers()
        n = max(1, int(workers or cores))
        limit: Any = int(0.8 * total / n) if total else "auto"
        cluster = distributed.LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=processes,
            memory_limit=limit,
            dashboard_address=dashboard_address,
        )
        client = distributed.Client(cluster)
        log.info("started a LocalCluster: %d workers, memory limit %s each", n, limit)
    client.run(quiet_dask)  # the same in every worker process
    link = client.dashboard_link
    if link:
        log.warning("Dask dashboard: %s", link)
    return client


def _show_progress() -> bool:
    """Whether a progress bar is drawn: only when stderr is a terminal (not in logs, pipes or tests)."""
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty is not None and isatty())


def compute(*collections: Any, label: str = "Dask tasks") -> tuple[Any, ...]:
    """``dask.compute`` of *collections*, with a progress bar on stderr following the tasks.

    When a ``distributed`` client is current and stderr is a terminal, the collections are
    submitted as futures and a bar advances as each one completes (:func:`distributed.as_completed`
    drives a ``rich`` bar on stderr, so tables written to stdout stay clean); otherwise this is
    ``dask.compute`` itself.

    Parameters
    ----------
    *collections
        Dask delayed objects or collections.
    label : str
        Text before the bar.

    Returns
    -------
    tuple
        Their computed values, in order.
    """
    import dask

    client = None
    if _show_progress():
        import distributed

        with contextlib.suppress(ValueError):
            client = distributed.default_client()
    if client is None or not collections:
        return tuple(dask.compute(*collections))
    import distributed
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    futures = client.compute(list(collections))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=len(futures))
        for _ in distributed.as_completed(futures):
            bar.advance(task)
    return tuple(client.gather(futures))


@contextlib.contextmanager
def client_session(
    scheduler: str | None = None, workers: int | None = None, *, processes: bool = True
) -> Iterator[Any]:
    """:func:`get_client` as a context: a LocalCluster started here is closed on leaving.

    Parameters
    ----------
    scheduler : str, optional
        Scheduler address of a running cluster.
    workers : int, optional
        Workers of a LocalCluster.
    processes : bool
        Workers as processes (default) or threads.

    Yields
    ------
    distributed.Client
    """
    require_dask()
    import distributed

    before = None
    with contextlib.suppress(ValueError):
        before = distributed.default_client()
    client = get_client(scheduler, workers, processes=processes)
    try:
        yield client
    finally:
        if client is not before:
            cluster = client.cluster if not scheduler else None
            client.close()
            if cluster is not None:
                cluster.close()
