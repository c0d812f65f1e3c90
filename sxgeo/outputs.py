"""The ``-o PATH`` convention shared by every command that writes tables.

A path ending ``.csv``, ``.xlsx``, ``.gpkg`` or ``.parquet`` writes that format: the command's
main table (XLSX and GeoPackage take every table, as sheets or layers). Any other path is a
folder that receives every table (CSV and one XLSX workbook) and every map of the command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from sxgeo.io import is_table_path, write_table, write_workbook
from sxgeo.io.writers import make_folder

if TYPE_CHECKING:
    from sxgeo.maps.page import WebMap

SYNTHETIC_NOTE = "SYNTHETIC demo data, illustrative only / 合成示例数据，仅供演示"
"""The note every table made from synthetic inputs carries (``data_note`` column, notes); the
same text as :data:`sxgeo.demo.SYNTHETIC_NOTE`, kept here so writing needs no demo import."""
SYNTHETIC_PREFIX = "demo_"
"""File-name prefix of every table and map made from synthetic inputs (folder outputs)."""


@dataclass
class Outputs:
    """What a command produced.

    Attributes
    ----------
    name : str
        Stem for files (``sponge`` -> ``sponge.xlsx`` in a folder).
    tables : dict
        Table name -> DataFrame; the first one is the main table.
    labels_zh : dict
        Chinese column labels for XLSX.
    notes : list of str
        Provenance and caveats (XLSX notes sheet, ``.notes.txt`` beside CSV).
    maps : dict
        File name -> WebMap.
    synthetic : bool
        Made from synthetic demo data: every table gets a ``data_note`` column saying so, and
        in a folder every file name starts with ``demo_``.
    extra : dict
        File name -> frame written only into a folder, as GeoParquet (``pv_buildings.parquet``).
    """

    name: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    labels_zh: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    maps: dict[str, WebMap] = field(default_factory=dict)
    synthetic: bool = False
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.synthetic:
            self.tables = {k: v.assign(data_note=SYNTHETIC_NOTE) for k, v in self.tables.items()}
            self.labels_zh = {**self.labels_zh, "data_note": "数据说明"}
            if SYNTHETIC_NOTE not in self.notes:
                self.notes.insert(0, SYNTHETIC_NOTE)

    def file_name(self, name: str) -> str:
        """The file name of an output in a folder: ``demo_`` first when made from synthetic inputs."""
        if self.synthetic and not name.startswith(SYNTHETIC_PREFIX):
            return SYNTHETIC_PREFIX + name
        return name

    def write(self, out: Path, *, map_path: Path | None = None, force: bool = False) -> list[Path]:
        """Write per the ``-o`` convention; return the files written.

        Parameters
        ----------
        out : pathlib.Path
            A table file or a folder.
        map_path : pathlib.Path, optional
            Where the (first) map goes when *out* is a single table file.
        force : bool
            Write maps above the size guard.

        Returns
        -------
        list of pathlib.Path
        """
        written: list[Path] = []
        main_name, main = next(iter(self.tables.items()))
        if is_table_path(out):
            suffix = out.suffix.lower()
            if suffix == ".xlsx":
                written.append(write_workbook(self.tables, out, labels_zh=self.labels_zh, notes=self.notes))
            elif suffix == ".gpkg":
                for name, table in self.tables.items():
                    if isinstance(table, gpd.GeoDataFrame):
                        write_table(table, out, sheet=name)
                written.append(out)
            else:
                written.append(write_table(main, out, notes=self.notes, sheet=main_name))
            if map_path is not None and self.maps:
                written.append(next(iter(self.maps.values())).save(map_path, force=force))
            return written
        make_folder(out)
        for name, table in self.tables.items():
            written.append(write_table(table, out / self.file_name(f"{name}.csv"), notes=self.notes))
            if isinstance(table, gpd.GeoDataFrame):
                written.append(write_table(table, out / self.file_name(f"{self.name}.gpkg"), sheet=name))
        written.append(
            write_workbook(
                self.tables,
                out / self.file_name(f"{self.name}.xlsx"),
                labels_zh=self.labels_zh,
                notes=self.notes,
            )
        )
        for filename, m in self.maps.items():
            written.append(m.save(out / self.file_name(filename), force=force))
        for filename, frame in self.extra.items():
            if self.synthetic:
                frame = frame.assign(data_note=SYNTHETIC_NOTE)
            written.append(write_table(frame, out / self.file_name(filename)))
        if map_path is not None and self.maps:
            written.append(next(iter(self.maps.values())).save(map_path, force=force))
        return sorted(set(written))
