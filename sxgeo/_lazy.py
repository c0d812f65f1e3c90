"""Names a module provides by importing their home module on first use (PEP 562 ``__getattr__``).

Two uses: a package whose formulas load only when used (so reading a capability's spec, for the
project file and ``--help``, imports nothing heavy), and the re-export shims a moved module leaves
at its old path for one release.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def attribute_loader(
    module: str,
    names: Mapping[str, str],
    *,
    submodules: frozenset[str] = frozenset(),
    forward: str | None = None,
) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports each name from its home module when first asked for.

    Parameters
    ----------
    module : str
        The module it serves (``__name__``), for the error message and its submodules.
    names : mapping
        Name -> the module it lives in.
    submodules : frozenset of str
        Submodules returned as modules (``sxgeo.carbon.landcover``).
    forward : str, optional
        A module that answers every other name (a shim of a moved module).

    Returns
    -------
    callable
        ``__getattr__(name)``; AttributeError for a name none of these give.
    """

    def getattr_(name: str) -> Any:
        if name in names:
            return getattr(importlib.import_module(names[name]), name)
        if name in submodules:
            return importlib.import_module(f"{module}.{name}")
        if forward is not None and not name.startswith("__"):
            return getattr(importlib.import_module(forward), name)
        msg = f"module {module!r} has no attribute {name!r}"
        raise AttributeError(msg)

    return getattr_
