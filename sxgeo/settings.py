"""User configuration: ``~/.config/sxgeo/config.toml`` (or the file named by ``SXGEO_CONFIG``).

I/O plumbing only, read on demand, never cached in module state. Keys sxgeo reads::

    [tianditu]
    key = "..."                      # browser key for Tianditu basemaps

    [sponge]
    alpha_target = 0.75              # the city's adopted annual runoff capture ratio (0-1)
    alpha_target_source = "《绍兴市海绵城市专项规划》 table x"   # where it comes from
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sxgeo.configtext import load_toml
from sxgeo.errors import SxgeoError

STRICT: ContextVar[bool] = ContextVar("sxgeo_strict", default=False)
"""Strict reading (``sxgeo --strict``): duplicate features are refused instead of counted once
(read by :mod:`sxgeo.io.validate`)."""

CONFIG_ENV = "SXGEO_CONFIG"
DEFAULT_PATH = Path("~/.config/sxgeo/config.toml")


def config_path() -> Path:
    """Path of the user configuration file (it may not exist).

    Returns
    -------
    pathlib.Path
    """
    return Path(os.environ.get(CONFIG_ENV, str(DEFAULT_PATH))).expanduser()


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """Read the configuration file; an absent file is an empty configuration.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Default :func:`config_path`.

    Returns
    -------
    dict

    Raises
    ------
    SxgeoError
        When the file exists but is not valid TOML.
    """
    p = Path(path) if path is not None else config_path()
    if not p.exists():
        return {}
    return load_toml(p, error=SxgeoError)


def setting(section: str, key: str, default: Any = None) -> Any:
    """One value of the configuration, or *default*.

    Parameters
    ----------
    section, key : str
        For example ``("sponge", "alpha_target")``.
    default : Any
        Returned when absent.

    Returns
    -------
    Any
    """
    return load_config().get(section, {}).get(key, default)
