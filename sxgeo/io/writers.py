"""Writing tables: CSV (UTF-8 with BOM), XLSX with Chinese and English headers, GeoPackage, Parquet.

Every file is written atomically (:func:`atomic_path`): to a temporary name in the same folder,
then renamed over the target with :func:`os.replace`, so a kill, a full disk or Ctrl-C never
leaves a half-written file where a good one was. Operating-system errors (permission, disk
full, a folder where a file is wanted) become one-line :class:`~sxgeo.errors.OutputError`.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo import labels as sxlabels
from sxgeo.errors import OutputError
from sxgeo.io import qgis_style
from sxgeo.messages import say

log = logging.getLogger(__name__)

TABLE_FORMATS = (".csv", ".xlsx", ".gpkg", ".parquet")

LOCK_NAME = ".sxgeo-build.lock"
"""Lock file ``sxgeo build`` holds in its output folder while it runs."""

_WRITTEN: list[Path] = []


def record_written(path: str | Path) -> None:
    """Remember a file written in this process (for the Ctrl-C message)."""
    _WRITTEN.append(Path(path))


def written_so_far() -> list[Path]:
    """Files written in this process that are in place (staged files moved away are left out).

    Returns
    -------
    list of pathlib.Path
    """
    return [p for p in dict.fromkeys(_WRITTEN) if p.exists()]


def os_error_message(path: Path, exc: OSError) -> str:
    """One line for an operating-system error on *path*, with the fix."""
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {path}: permission denied; choose a folder you can write to with -o"
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"cannot write {path}: the disk is full; free some space or choose another -o folder"
    if code == errno.EISDIR or path.is_dir():
        return f"cannot write {path}: it is a folder; give a file name (out.csv) or write into the folder"
    if code in (errno.ENOTDIR, errno.EEXIST):
        return f"cannot write {path}: a file stands where a folder is needed ({exc.filename})"
    return f"cannot write {path}: {exc.strerror or exc}"


def make_folder(path: str | Path) -> Path:
    """Create a folder (and parents), or say in one line why it cannot be.

    Parameters
    ----------
    path : str or pathlib.Path
        The folder.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    OutputError
        A file of that name exists, or the folder cannot be created.
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        msg = f"cannot write into {p}: it is a file, not a folder; choose another -o"
        raise OutputError(msg)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(os_error_message(p, exc)) from exc
    return p


@contextlib.contextmanager
def atomic_path(path: str | Path, *, keep_existing: bool = False) -> Iterator[Path]:
    """A temporary path beside *path*; renamed over *path* when the block succeeds.

    The temporary file keeps the suffix (drivers choose the format by it) and is removed when
    the block fails or is interrupted, leaving the previous *path* as it was.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write.
    keep_existing : bool
        Start from a copy of the existing file (adding a layer to a GeoPackage).

    Yields
    ------
    pathlib.Path
        Where to write.

    Raises
    ------
    OutputError
        *path* is a folder, or the operating system refuses the write or the rename.
    """
    path = Path(path)
    make_folder(path.parent)
    if path.is_dir():
        msg = f"cannot write {path}: it is a folder; give a file name (out.csv) or write into the folder"
        raise OutputError(msg)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    try:
        if keep_existing and path.exists():
            shutil.copy2(path, tmp)
        yield tmp
        tmp.replace(path)
    except OSError as exc:
        raise OutputError(os_error_message(path, exc)) from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    record_written(path)


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically (:func:`atomic_path`).

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    text : str
        Its content.

    Returns
    -------
    pathlib.Path
    """
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


@contextlib.contextmanager
def build_lock(folder: str | Path) -> Iterator[Path]:
    """Hold :data:`LOCK_NAME` in *folder* so two builds never write into it at once.

    The lock is an OS file lock (released when the process ends, even on kill -9), so a stale
    lock file left behind never blocks a later build.

    Parameters
    ----------
    folder : str or pathlib.Path
        The output folder (it exists).

    Yields
    ------
    pathlib.Path
        The lock file.

    Raises
    ------
    OutputError
        Another build holds the lock.
    """
    lock = Path(folder) / LOCK_NAME
    try:
        fh = lock.open("a+")
    except OSError as exc:
        raise OutputError(os_error_message(lock, exc)) from exc
    held = False
    try:
        try:
            _lock_file(fh)
            # the holder removes the file when done: a lock taken on a file already removed
            # (opened just before) is not the folder's lock
            held = lock.exists() and os.path.samestat(os.fstat(fh.fileno()), lock.stat())
        except OSError:
            held = False
        if not held:
            msg = (
                f"another sxgeo build is writing into {folder} (lock {lock.name}); "
                "wait for it to finish or use another -o"
            )
            raise OutputError(msg)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        yield lock
    finally:
        if held:  # only the holder removes it, and before releasing the lock
            with contextlib.suppress(OSError):
                lock.unlink()
        fh.close()  # closing releases the lock


def _lock_file(fh: Any) -> None:
    """Take an exclusive non-blocking lock on an open file (OSError when it is held)."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def is_table_path(path: str | Path) -> bool:
    """Whether *path* names a single table file (``.csv/.xlsx/.gpkg/.parquet``) rather than a folder.

    Parameters
    ----------
    path : str or pathlib.Path
        An ``-o`` argument.

    Returns
    -------
    bool
    """
    return Path(path).suffix.lower() in TABLE_FORMATS


def write_table(
    df: pd.DataFrame,
    path: str | Path,
    *,
    labels_zh: dict[str, str] | None = None,
    notes: list[str] | None = None,
    sheet: str = "table",
) -> Path:
    """Write a table to CSV, XLSX, GeoPackage or Parquet, chosen by the file suffix.

    CSV is UTF-8 with a BOM so that Excel shows Chinese text; column names stay English.
    XLSX gets the table twice, with Chinese headers (``<sheet> 中文``) and with English ones
    (``<sheet> English``), frozen header rows, and a ``notes`` sheet (provenance,
    synthetic-data warnings). A GeoDataFrame written to CSV/XLSX loses its geometry.

    Parameters
    ----------
    df : pandas.DataFrame or geopandas.GeoDataFrame
        The table.
    path : str or pathlib.Path
        Output file; its suffix picks the format.
    labels_zh : dict, optional
        Chinese label of each column, for XLSX (columns without one keep their English name).
    notes : list of str, optional
        Lines for the XLSX ``notes`` sheet; for CSV they are written to ``<name>.notes.txt``.
    sheet : str
        Sheet name stem (XLSX) or layer name (GeoPackage).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    OutputError
        Unknown suffix, or a GeoPackage asked of a table without geometry.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    plain = pd.DataFrame(df.drop(columns="geometry")) if isinstance(df, gpd.GeoDataFrame) else df
    if suffix not in TABLE_FORMATS:
        msg = f"{path}: unknown table format {suffix!r}; use one of {', '.join(TABLE_FORMATS)}"
        raise OutputError(msg)
    if suffix == ".gpkg" and not isinstance(df, gpd.GeoDataFrame):
        msg = f"{path.name}: a GeoPackage needs geometry; write this table as .csv or .xlsx"
        raise OutputError(msg)
    if suffix == ".xlsx":
        return write_workbook({sheet: plain}, path, labels_zh=labels_zh, notes=notes)
    with atomic_path(path, keep_existing=suffix == ".gpkg") as tmp:
        if suffix == ".csv":
            plain.to_csv(tmp, index=False, encoding="utf-8-sig")
        elif suffix == ".gpkg" and isinstance(df, gpd.GeoDataFrame):  # (geometry checked above)
            try:
                df.to_file(tmp, layer=sheet, driver="GPKG")
                qgis_style.store_layer_style(tmp, sheet, df)  # opens styled in QGIS (layer_styles)
            except OSError:
                raise
            except Exception as exc:  # GDAL's own error types
                msg = f"cannot write {path}: {exc}"
                raise OutputError(msg) from exc
        else:
            df.to_parquet(tmp, index=False)
    if suffix == ".csv" and notes:
        write_text(path.with_suffix(".notes.txt"), "\n".join(say(n) for n in notes) + "\n")
    if suffix == ".parquet" and isinstance(df, gpd.GeoDataFrame):  # QGIS's default style beside it
        write_text(path.with_suffix(".qml"), qgis_style.qml_for(path.stem, df))
    log.info("wrote %s (%d rows)", path, len(df))
    return path


def write_workbook(
    tables: dict[str, pd.DataFrame],
    path: str | Path,
    *,
    labels_zh: dict[str, str] | None = None,
    notes: list[str] | None = None,
) -> Path:
    """Write several tables into one XLSX: each with Chinese and with English headers, plus notes.

    Parameters
    ----------
    tables : dict
        Sheet stem -> table. Each gives the sheets ``<stem> 中文`` and ``<stem> English``.
    path : str or pathlib.Path
        Output ``.xlsx``.
    labels_zh : dict, optional
        Chinese label of each column.
    notes : list of str, optional
        Lines of the ``notes`` sheet.

    Returns
    -------
    pathlib.Path
    """
    from openpyxl import Workbook  # heavy to import: loaded when a workbook is written
    from openpyxl.styles import Font

    path = Path(path)
    labels = labels_zh or {}
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for stem, df in tables.items():
        plain = pd.DataFrame(df.drop(columns="geometry")) if isinstance(df, gpd.GeoDataFrame) else df
        for suffix, header, body in (
            ("中文", sxlabels.headers(list(plain.columns), labels), sxlabels.zh_frame(plain)),
            ("English", [str(c) for c in plain.columns], plain),
        ):
            ws = wb.create_sheet(f"{stem[:22]} {suffix}")
            ws.append(header)
            for cell in ws[1]:
                cell.font = bold
            for record in body.itertuples(index=False):
                ws.append([_excel_value(v) for v in record])
            ws.freeze_panes = "A2"
            for i, name in enumerate(header, start=1):
                width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in name) + 2
                ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(max(width, 8), 40)
    if notes:
        ns = wb.create_sheet("notes")
        for line in notes:
            ns.append([say(line)])  # Chinese beside the English (sxgeo.messages)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _excel_value(v: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, str):
        return ILLEGAL_CHARACTERS_RE.sub("", v)  # NUL and other control characters XLSX cannot hold
    return v
