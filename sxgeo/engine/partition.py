"""Partitioned GeoParquet: write a big layer in Hilbert order, read a folder or glob of parts back.

A layer is read once the sxgeo way (:func:`sxgeo.io.read_layer`: repaired, checked, reprojected
to EPSG:4549 for areas), spread over partitions by ``dask_geopandas``, sorted along the Hilbert
curve of the feature midpoints (``spatial_shuffle(by="hilbert")``) so that each partition covers
a compact patch of ground, and written one file per partition with the CRS in the GeoParquet
metadata. Compact partitions keep the PV shading halo small (:mod:`sxgeo.pv.dask`).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sxgeo import crs as sxcrs
from sxgeo.admin import counties_touched, load_counties
from sxgeo.engine import client_session, compute, quiet_dask, require_dask
from sxgeo.errors import CRSError, LayerError, SxgeoError
from sxgeo.io import read_layer
from sxgeo.io.report import LayerReport, RowNote

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

PARTS_ATTR = "sxgeo_parquet_parts"
"""Key of the meta's ``attrs`` where :func:`read_partitioned` notes its files (:func:`part_files`)."""
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
        Sorted absolute paths.

    Raises
    ------
    LayerError
        When nothing matches.
    """
    text = str(source)
    path = Path(text)
    if path.is_dir():
        # sub-folders too: Hive-style county=330602/part.parquet (the folder names are not columns)
        files = sorted(str(p) for p in path.rglob("*.parquet") if not p.name.startswith((".", "_")))
        nested = sorted({str(Path(f).parent.relative_to(path.resolve())) for f in files} - {"."})
        if nested:
            log.warning(
                "%s: %d parts read from %d sub-folders (%s ...); the folder names are not read as columns",
                text,
                len(files),
                len(nested),
                nested[0],
            )
    elif any(ch in text for ch in "*?["):
        anchor = Path(path.anchor) if path.is_absolute() else Path()
        pattern = str(path.relative_to(anchor)) if path.is_absolute() else text
        files = sorted(str(p) for p in anchor.glob(pattern))
    else:
        files = [text] if path.is_file() else []
    if not files:
        msg = f"{text}: no GeoParquet files; give a folder from `sxgeo partition`, a glob or a .parquet file"
        raise LayerError(msg)
    # absolute paths: workers on other machines see the shared folder, not this process's cwd
    return [str(Path(f).resolve()) for f in files]


def _part_name(path: str) -> str:
    """A part as a planner finds it: its file name, with its Hive-style sub-folder (``county=330602/``)."""
    p = Path(path)
    return f"{p.parent.name}/{p.name}" if "=" in p.parent.name else p.name


def validate_parts(files: list[str]) -> None:
    """Refuse, in one line naming the part, a partitioned layer whose parts cannot be read as one.

    Only the Parquet footers are read (no rows): a 0-byte or unreadable part, a part without
    GeoParquet metadata (written by pandas rather than geopandas), and a part whose columns
    differ from the first part's are refused with the fix.

    Parameters
    ----------
    files : list of str
        The parts (:func:`parquet_parts`).

    Raises
    ------
    LayerError
        On the first part that fails.
    """
    first: tuple[str, list[str]] | None = None
    for f in files:
        name = _part_name(f)
        if Path(f).stat().st_size == 0:
            msg = (
                f"{name}: the part is empty (0 bytes); delete it or rewrite the layer with `sxgeo partition`"
            )
            raise LayerError(msg)
        try:
            schema = pq.read_schema(f)
        except (pa.ArrowException, OSError) as exc:
            msg = f"{name}: not a readable Parquet file ({str(exc)[:120]}); rewrite it with `sxgeo partition`"
            raise LayerError(msg) from exc
        if b"geo" not in (schema.metadata or {}):
            msg = (
                f"{name}: a Parquet part without GeoParquet metadata (no geometry column declared); "
                "write it with GeoDataFrame.to_parquet() or `sxgeo partition`"
            )
            raise LayerError(msg)
        cols = [c for c in schema.names if not c.startswith("__index_level_")]
        if first is None:
            first = (name, cols)
            continue
        missing = [c for c in first[1] if c not in cols]
        extra = [c for c in cols if c not in first[1]]
        if missing or extra:
            what = []
            if missing:
                what.append(f"lacks column(s) {', '.join(missing)} that {first[0]} has")
            if extra:
                what.append(f"has column(s) {', '.join(extra)} that {first[0]} has not")
            msg = f"{name}: the part {' and '.join(what)}; every part needs the same columns"
            raise LayerError(msg)


def is_partitioned(source: Any) -> bool:
    """Whether *source* names partitioned GeoParquet (a folder, a glob, or a .parquet file)."""
    if not isinstance(source, str | Path):
        return False
    text = str(source)
    return Path(text).is_dir() or any(ch in text for ch in "*?[") or text.lower().endswith(".parquet")


def read_part(path: str, crs: str | None = None) -> tuple[Any, Any]:
    """One task: a GeoParquet part read the sxgeo way (:func:`sxgeo.io.read_layer`) and its report.

    Every part goes through the repairs of an in-memory read (an invalid polygon such as a
    bow-tie is repaired with ``make_valid``, empty geometries and duplicates handled), so both
    engines count the same features.

    Parameters
    ----------
    path : str
        One GeoParquet file.
    crs : str, optional
        CRS of a part that carries none.

    Returns
    -------
    tuple
        The repaired part (``geopandas.GeoDataFrame``) and its :class:`sxgeo.io.report.LayerReport`.
    """
    quiet_dask()
    return read_layer(path, crs=crs)


def _frame_of(pair: tuple[Any, Any], columns: list[str]) -> Any:
    """The part of a :func:`read_part` result, its columns in the collection's order."""
    gdf = pair[0]
    return gdf[[c for c in columns if c in gdf.columns]]


def _report_of(pair: tuple[Any, Any]) -> Any:
    return pair[1]


def read_partitioned(source: str | Path, *, crs: str | None = None, reports: list[Any] | None = None) -> Any:
    """A ``dask_geopandas.GeoDataFrame`` over a folder, glob or file of GeoParquet.

    Each part is read by a task through :func:`sxgeo.io.read_layer` (:func:`read_part`): the same
    repairs as an in-memory read, so a bow-tie polygon in a part is repaired, not counted as 0.

    Parameters
    ----------
    source : str or pathlib.Path
        As for :func:`parquet_parts`.
    crs : str, optional
        CRS of parts that carry none.
    reports : list, optional
        When given, the parts are read now (persisted on the workers, read once) and their
        :class:`sxgeo.io.report.LayerReport` objects appended, in file order; otherwise the
        collection stays lazy.

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
    import dask
    import dask.dataframe as dd
    import dask_geopandas

    files = parquet_parts(source)
    validate_parts(files)
    lazy = dask_geopandas.read_parquet(files)  # the schema and CRS, from the files' metadata
    if lazy.crs is None and crs is None:
        msg = f"{source}: the GeoParquet has no CRS; write it with `sxgeo partition` (EPSG:4549)"
        raise CRSError(msg)
    meta = (lazy._meta if lazy.crs is not None else lazy._meta.set_crs(crs)).copy()
    # the files travel with the collection's meta, so a kernel can read cheap bounds from them directly
    meta.attrs = {**meta.attrs, PARTS_ATTR: {"files": files, "crs": crs}}
    columns = list(meta.columns)
    pairs = [dask.delayed(read_part)(f, crs) for f in files]
    if reports is not None:
        pairs = list(dask.persist(*pairs))
        reports.extend(dask.compute(*[dask.delayed(_report_of)(p) for p in pairs]))
    parts = [dask.delayed(_frame_of)(p, columns) for p in pairs]
    return dd.from_delayed(parts, meta=meta, verify_meta=False)


def part_files(ddf: Any) -> tuple[list[str], str | None] | None:
    """The GeoParquet files (one a partition) and read CRS behind a :func:`read_partitioned` collection.

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        A collection.

    Returns
    -------
    tuple or None
        The files in partition order and the ``crs=`` they are read with; None when *ddf* does not
        come from :func:`read_partitioned` or no longer has one partition per file.
    """
    meta = getattr(ddf, "_meta", None)
    info = getattr(meta, "attrs", {}).get(PARTS_ATTR)
    if not isinstance(info, dict) or len(info.get("files", ())) != ddf.npartitions:
        return None
    return list(info["files"]), info.get("crs")


def dask_frame(
    source: str | Path | pd.DataFrame,
    *,
    npartitions: int | None = None,
    what: str = "layer",
    read_options: dict[str, Any] | None = None,
    reports: list[Any] | None = None,
) -> Any:
    """A layer as a ``dask_geopandas.GeoDataFrame`` in EPSG:4549: paths (or a frame) in, a Dask frame out.

    Partitioned GeoParquet (a folder, glob or ``.parquet`` file) is read lazily, one partition
    per file. Any other layer file is read in memory with :func:`sxgeo.io.read_layer`, and a
    frame is taken as it is; both are spread over Hilbert-ordered partitions: convenient for a
    city, while a province should be partitioned once with ``sxgeo partition``. A pipeline
    resolves its named input to a path and read options (or reads it) before calling this.

    Parameters
    ----------
    source : str, pathlib.Path or geopandas.GeoDataFrame
        The layer.
    npartitions : int, optional
        Partitions of a layer read in memory (default 4).
    what : str
        How to name the layer in messages.
    read_options : dict, optional
        Keywords of :func:`sxgeo.io.read_layer` for a layer file that is not partitioned
        (``crs``, ``geometry_type`` ...); for partitioned GeoParquet only ``crs`` (of parts that
        carry none) applies.
    reports : list, optional
        For partitioned GeoParquet: receives the :class:`sxgeo.io.report.LayerReport` of every part
        (each part read now, through :func:`sxgeo.io.read_layer`, :func:`read_partitioned`).

    Returns
    -------
    dask_geopandas.GeoDataFrame
    """
    require_dask()
    quiet_dask()
    import dask_geopandas

    if isinstance(source, pd.DataFrame):
        gdf = source
    elif is_partitioned(source):
        ddf = read_partitioned(source, crs=(read_options or {}).get("crs"), reports=reports)
        if not ddf.crs.equals(sxcrs.METRIC):
            ddf = ddf.to_crs(sxcrs.METRIC)
            log.info("%s: reprojected to EPSG:4549 partition by partition", source)
        return ddf
    else:
        gdf, report = read_layer(source, **(read_options or {}))
        for line in report.summary_lines(max_rows=5):
            log.info("%s", line)
    gdf = sxcrs.to_metric(gdf, what=what)
    n = max(1, min(len(gdf), npartitions or 4))
    ddf = dask_geopandas.from_geopandas(gdf, npartitions=n, sort=False)
    return ddf.spatial_shuffle(by="hilbert", npartitions=n)


def repair_notes(path: Any, report: Any) -> list[str]:
    """What the parts' reads repaired or excluded, as an in-memory read says it (logged, and the notes).

    Parameters
    ----------
    path : path
        The folder or glob of parts.
    report : sxgeo.io.report.LayerReport
        :func:`merge_reports` of the parts' reports.

    Returns
    -------
    list of str
        Lines for the outputs' notes.
    """
    name = Path(str(path)).name
    notes: list[str] = []
    for note in report.excluded[:20]:
        log.warning("%s: row %d excluded: %s", name, note.row, note.reason)
    if report.repaired:
        log.info("%s: %d rows repaired", name, len(report.repaired))
        notes.append(f"{name}: {len(report.repaired)} invalid geometries repaired (make_valid) in the parts")
    if report.excluded:
        notes.append(
            f"{name}: {len(report.excluded)} rows excluded in the parts ({report.excluded[0].reason})"
        )
    for warning in report.warnings:
        if "duplicate" in warning or "area changed" in warning or "mixes encodings" in warning:
            notes.append(f"{name}: {warning}")
    return notes


def check_part(path: str, crs: str | None, check_extent: bool, counties: Any) -> tuple[Any, list[str]]:
    """One task: :func:`sxgeo.io.read_layer` of one part and the counties its features touch.

    Parameters
    ----------
    path : str
        One GeoParquet file.
    crs : str or None
        CRS of a part that carries none.
    check_extent : bool
        Refuse a part far from Shaoxing.
    counties : geopandas.GeoDataFrame
        The county layer (broadcast).

    Returns
    -------
    tuple
        The part's :class:`sxgeo.io.report.LayerReport` and adcodes touched.
    """
    quiet_dask()
    gdf, report = read_layer(path, crs=crs, check_extent=check_extent)
    try:
        touched = counties_touched(gdf, counties) if len(gdf) else []
    except SxgeoError:
        touched = []
    return report, touched


def merge_reports(source: str, reports: list[Any]) -> Any:
    """One report for a partitioned layer from its parts' reports, as if the parts were read as one file.

    Counts and geometry types are added, bounds joined, and repaired/excluded rows renumbered
    to their place in the whole layer (the parts in file order).

    Parameters
    ----------
    source : str
        The folder or glob.
    reports : list of sxgeo.io.report.LayerReport
        One per part, in file order.

    Returns
    -------
    sxgeo.io.report.LayerReport
    """
    first = reports[0]
    out = LayerReport(
        path=str(source),
        format=f"{first.format} ({len(reports)} partitions)",
        encoding=first.encoding,
        encoding_source=first.encoding_source,
        crs=first.crs,
        crs_source=first.crs_source,
    )
    offset = 0
    boxes = []
    for r in reports:
        out.features_read += r.features_read
        out.features += r.features
        for kind, n in r.geometry_types.items():
            out.geometry_types[kind] = out.geometry_types.get(kind, 0) + n
        out.repaired += [RowNote(n.row + offset, n.reason) for n in r.repaired]
        out.excluded += [RowNote(n.row + offset, n.reason) for n in r.excluded]
        out.warnings += [w for w in r.warnings if w not in out.warnings]
        if r.bounds_lonlat is not None:
            boxes.append(r.bounds_lonlat)
        if r.crs != first.crs:
            out.warnings.append(f"{r.path}: CRS {r.crs}, not {first.crs} as the first part")
        offset += r.features_read
    if boxes:
        out.bounds_lonlat = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
    return out


def check_partitioned(
    source: str | Path,
    *,
    crs: str | None = None,
    check_extent: bool = True,
    scheduler: str | None = None,
    workers: int | None = None,
) -> tuple[Any, list[str]]:
    """``sxgeo check`` of a partitioned GeoParquet layer on Dask: each part validated by a task, summed.

    Parameters
    ----------
    source : str or pathlib.Path
        A folder, glob or file of GeoParquet (:func:`parquet_parts`).
    crs : str, optional
        CRS of parts that carry none.
    check_extent : bool
        Refuse parts far from Shaoxing.
    scheduler : str, optional
        Dask scheduler address (default a LocalCluster).
    workers : int, optional
        Workers of that LocalCluster.

    Returns
    -------
    tuple
        The merged :class:`sxgeo.io.report.LayerReport` (as if the parts were one file) and the
        adcodes of the counties touched, in plan order.
    """
    require_dask()
    import dask

    files = parquet_parts(source)
    validate_parts(files)
    counties = load_counties()
    with client_session(scheduler, workers):
        shared = dask.delayed(counties, pure=True)
        results = compute(
            *[dask.delayed(check_part)(f, crs, check_extent, shared) for f in files], label="checking parts"
        )
    touched = set().union(*(set(t) for _, t in results))
    codes = [str(c) for c in counties["adcode"] if str(c) in touched]
    return merge_reports(str(source), [r for r, _ in results]), codes
