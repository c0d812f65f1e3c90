"""Re-export shim for one release: the pipelines moved into their capability packages.

``sxgeo.pipelines.<name>`` is now ``sxgeo.<name>.pipeline`` (sponge, carbon, pv, pilots, overview),
``sxgeo.pipelines.base`` is :mod:`sxgeo._pipeline`, and the step list ``STEPS`` is
:data:`sxgeo.capabilities.CAPABILITIES` (``STEPS`` here is made from it, as before).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sxgeo._pipeline import Context
from sxgeo.capabilities import CAPABILITIES
from sxgeo.capability import load


@dataclass(frozen=True)
class Step:
    """A capability as ``build`` ran it before :class:`sxgeo.capability.Capability` (kept for one release)."""

    name: str
    section: str
    needs: tuple[tuple[str, ...], ...]
    run: Callable[..., Any]

    def ready(self, project: Any) -> bool:
        """Whether the project names the inputs of one of the step's key sets."""
        return any(project.has(self.section, *keys) for keys in self.needs)

    def missing(self) -> str:
        """What the project would need, for the 'skipped' line."""
        return " or ".join(", ".join(f"[{self.section}] {k}" for k in keys) for keys in self.needs)


def __getattr__(name: str) -> Any:
    """``STEPS`` (made from the capabilities) and the moved pipeline modules."""
    if name == "STEPS":
        return tuple(Step(c.step, c.section, c.needs, load(c.run)) for c in CAPABILITIES)
    if name in ("sponge", "carbon", "pv", "pilots", "overview"):
        return importlib.import_module(f"sxgeo.{name}.pipeline")
    if name == "base":
        return importlib.import_module("sxgeo._pipeline")
    msg = f"module 'sxgeo.pipelines' has no attribute {name!r}"
    raise AttributeError(msg)


__all__ = ["Context", "Step"]
