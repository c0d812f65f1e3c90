"""The sxgeo exception hierarchy.

Every sxgeo error derives from :class:`SxgeoError` and from the built-in exception it
specialises, so callers can catch either (``except ValueError`` still works). Messages say
what was expected, what was found, and how to fix it.
"""

from __future__ import annotations


class SxgeoError(Exception):
    """Base class of every error raised on purpose by sxgeo."""


class CRSError(SxgeoError, ValueError):
    """A coordinate reference system is missing, wrong for the operation, or does not fit the data."""


class LayerError(SxgeoError, ValueError):
    """A layer cannot be read or used as it is (empty, unreadable, wrong geometry type)."""


class CoordinateError(CRSError):
    """Coordinates are impossible for their CRS (metres as degrees, lon/lat swapped, far away)."""


class SchemaError(SxgeoError, KeyError):
    """A required column is missing or has the wrong type."""

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0]) if self.args else ""


class OutputError(SxgeoError, OSError):
    """An output cannot be written (unknown format, unwritable folder)."""


class ProjectError(SxgeoError, ValueError):
    """The project file (``sxgeo.toml``) has a wrong key, value or path."""
