"""What a layer read found: :class:`RowNote` per repaired or excluded row, :class:`LayerReport` per file."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class RowNote:
    """One row that was repaired or excluded, and why.

    Attributes
    ----------
    row : int
        0-based feature number in the file (for CSV/XLSX tables: 0-based data row).
    reason : str
        What was found and what was done.
    """

    row: int
    reason: str


@dataclass
class LayerReport:
    """What :func:`read_layer` read, repaired and excluded.

    Attributes
    ----------
    path : str
        The file read.
    format : str
        The format, e.g. ``"ESRI Shapefile"``.
    layer : str or None
        Layer name inside a multi-layer source.
    encoding : str or None
        Text encoding used for attributes (``None`` where the format fixes it, e.g. GeoJSON).
    encoding_source : str
        How the encoding was chosen: ``"argument"``, ``".cpg"``, ``"detected"`` or ``"format"``.
    crs : str or None
        The CRS of the returned frame.
    crs_source : str
        ``"file"``, ``"argument"`` or a description of a conversion.
    features_read : int
        Rows in the file.
    features : int
        Rows returned.
    geometry_types : dict
        Count of each geometry type returned.
    bounds_lonlat : tuple or None
        (min lon, min lat, max lon, max lat) of what was returned [deg].
    repaired : list of RowNote
        Rows whose geometry was changed.
    excluded : list of RowNote
        Rows not returned.
    warnings : list of str
        Things the caller should know that did not change data.
    """

    path: str
    format: str
    layer: str | None = None
    encoding: str | None = None
    encoding_source: str = "format"
    crs: str | None = None
    crs_source: str = "file"
    features_read: int = 0
    features: int = 0
    geometry_types: dict[str, int] = field(default_factory=dict)
    bounds_lonlat: tuple[float, float, float, float] | None = None
    repaired: list[RowNote] = field(default_factory=list)
    excluded: list[RowNote] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        """Record a warning and log it."""
        self.warnings.append(message)
        log.warning("%s: %s", Path(self.path).name, message)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain data (for JSON)."""
        return asdict(self)

    def summary_lines(self, *, max_rows: int = 20) -> list[str]:
        """Human-readable lines, as ``sxgeo check`` prints them.

        Parameters
        ----------
        max_rows : int
            How many repaired/excluded rows to list one by one before summarising.

        Returns
        -------
        list of str
        """
        lines = [
            f"file: {self.path}",
            f"format: {self.format}" + (f" (layer {self.layer})" if self.layer else ""),
            f"encoding: {self.encoding or 'n/a'} ({self.encoding_source})",
            f"crs: {self.crs} ({self.crs_source})",
            f"features: {self.features} of {self.features_read} read",
            "geometry types: " + (", ".join(f"{k} {v}" for k, v in self.geometry_types.items()) or "none"),
        ]
        if self.bounds_lonlat is not None:
            b = self.bounds_lonlat
            lines.append(f"bounds (lon/lat): {b[0]:.5f}, {b[1]:.5f} .. {b[2]:.5f}, {b[3]:.5f}")
        for title, notes in (("repaired", self.repaired), ("excluded", self.excluded)):
            lines.append(f"{title}: {len(notes)}")
            lines.extend(f"  row {n.row}: {n.reason}" for n in notes[:max_rows])
            if len(notes) > max_rows:
                lines.append(f"  ... and {len(notes) - max_rows} more")
        lines.extend(f"warning: {w}" for w in self.warnings)
        return lines

    def __str__(self) -> str:
        return "\n".join(self.summary_lines())
