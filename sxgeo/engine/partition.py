"""Partitioned GeoParquet: write a big layer in Hilbert order, read a folder or glob of parts back.

A layer is read once the sxgeo way (:func:`sxgeo.io.read_layer`: repaired, checked, reprojected
to EPSG:4549 for areas), spread over partitions by ``dask_geopandas``, sorted along the Hilbert
curve of the feature midpoints (``spatial_shuffle(by="hilbert")``) so that each partition covers
a compact patch of ground, and written one file per partition with the CRS in the GeoParquet
metadata. Compact partitions keep the PV shading halo small (:mod:`sxgeo.engine.pv`).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

from sxgeo.engine import quiet_dask, require_dask
from sxgeo.errors import CRSError, LayerError

log = logging.getLogger(__name__)

ROWS_PER_PARTITION = 200_000
"""Default partition size when none is given (about 150 MB of footprints in memory)."""


def partition_layer(
    source: str | Path,
    out_dir: str | Path,
    *,
    npartitions: int | None = None,
    crs: str | None = None,
) -> Path:
    """Write *source* as Hilbert-ordered partitioned GeoParquet in EPSG:4549.

    Parameters
    ----------
    source : str or pathlib.Path
        Any layer sxgeo reads (SHP, GPKG, GeoJSON, FGB, GeoParquet).
    out_dir : str or pathlib.Path
        Folder for the parts (``part.0.parquet`` ...); created, and must be empty or absent.
    npartitions : int, optional
        Number of parts (default one per 200,000 features).
    crs : str, optional
        CRS of a layer that carries none.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    LayerError
        When the folder already holds files, or the layer is empty.
    """
    require_dask()
    quiet_dask()
    import dask_geopandas

    from sxgeo import crs as sxcrs
    from sxgeo.io import read_layer

    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        msg = f"{out}: folder is not empty; give a new folder for the partitioned layer"
        raise LayerError(msg)
    gdf, report = read_layer(source, crs=crs)
    for line in report.summary_lines(max_rows=5):
        log.info("%s", line)
    if gdf.empty:
        msg = f"{Path(source).name}: no features to partition"
        raise LayerError(msg)
    gdf = sxcrs.to_metric(gdf, what=Path(source).name)
    n = int(npartitions or max(1, math.ceil(len(gdf) / ROWS_PER_PARTITION)))
    n = max(1, min(n, len(gdf)))
    ddf = dask_geopandas.from_geopandas(gdf, npartitions=n, sort=False)
    ddf = ddf.spatial_shuffle(by="hilbert", npartitions=n)
    tmp = out.with_name(out.name + ".partial")
    if tmp.exists():
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
    ddf.to_parquet(tmp, write_index=False)
    if out.exists():
        out.rmdir()
    tmp.rename(out)  # the folder appears whole or not at all
    log.info("%d features in %d Hilbert-ordered partitions: %s", len(gdf), n, out)
    return out


def parquet_parts(source: str | Path) -> list[str]:
    """The GeoParquet files of a partitioned layer: a folder, a glob, or one file.

    Parameters
    ----------
    source : str or pathlib.Path
        Folder of ``*.parquet`` files, a glob such as ``data/zj_*.parquet``, or one file.

    Returns
    -------
    list of str
        Sorted paths.

    Raises
    ------
    LayerError
        When nothing matches.
    """
    text = str(source)
    path = Path(text)
    if path.is_dir():
        files = sorted(str(p) for p in path.glob("*.parquet"))
    elif any(ch in text for ch in "*?["):
        anchor = Path(path.anchor) if path.is_absolute() else Path()
        pattern = str(path.relative_to(anchor)) if path.is_absolute() else text
        files = sorted(str(p) for p in anchor.glob(pattern))
    else:
        files = [text] if path.is_file() else []
    if not files:
        msg = f"{text}: no GeoParquet files; give a folder from `sxgeo partition`, a glob or a .parquet file"
        raise LayerError(msg)
    return files


def is_partitioned(source: Any) -> bool:
    """Whether *source* names partitioned GeoParquet (a folder, a glob, or a .parquet file)."""
    if not isinstance(source, str | Path):
        return False
    text = str(source)
    return Path(text).is_dir() or any(ch in text for ch in "*?[") or text.lower().endswith(".parquet")


def read_partitioned(source: str | Path) -> Any:
    """A ``dask_geopandas.GeoDataFrame`` over a folder, glob or file of GeoParquet (lazy).

    Parameters
    ----------
    source : str or pathlib.Path
        As for :func:`parquet_parts`.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        One partition per file, with the CRS of the files.

    Raises
    ------
    CRSError
        When the files carry no CRS.
    """
    require_dask()
    quiet_dask()
    import dask_geopandas

    files = parquet_parts(source)
    ddf = dask_geopandas.read_parquet(files)
    if ddf.crs is None:
        msg = f"{source}: the GeoParquet has no CRS; write it with `sxgeo partition` (EPSG:4549)"
        raise CRSError(msg)
    return ddf
