"""The sxgeo exception hierarchy.

Every sxgeo error derives from :class:`SxgeoError` and from the built-in exception it
specialises, so callers can catch either (``except ValueError`` still works). Messages say
what was expected, what was found, and how to fix it. Every exception class sxgeo defines lives
here; modules that raise one import it from here (``sxgeo.maps.styles.StyleError`` and the like
still resolve, to the same class).
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


class OptionError(SxgeoError, ValueError):
    """A numeric option is out of its range (years <= 0, a share above 1, a year in another century)."""


class ProjectError(SxgeoError, ValueError):
    """The project file (``sxgeo.toml``) has a wrong key, value or path."""


class MissingDependencyError(SxgeoError, ImportError):
    """An optional package a feature needs is not installed (the message names the pip extra)."""


class MapSizeError(SxgeoError, ValueError):
    """A map page would be too large to open comfortably."""


class StyleError(SxgeoError, ValueError):
    """A style that cannot be built from the data (no numbers, unknown scheme)."""


class BasemapError(SxgeoError, ValueError):
    """An unknown basemap name or a bad tile template."""


class BrowserError(SxgeoError, RuntimeError):
    """No usable Chromium, or it failed to render."""


class SelectionError(SxgeoError, ValueError):
    """A site selection cannot be solved as set up (infeasible quotas or spacing, a solver failure)."""
