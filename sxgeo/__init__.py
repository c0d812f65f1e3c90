"""sxgeo: GIS toolkit for Shaoxing's 14th Five-Year climate plan.

Importing the package does no work: submodules are imported where they are used
(``from sxgeo import crs, io``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sxgeo")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
