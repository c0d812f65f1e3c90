"""The one missing-file check every sxgeo reader makes before opening its input."""

from __future__ import annotations

from pathlib import Path

from sxgeo.errors import LayerError


def require_file(path: str | Path, *, hint: str | None = None) -> Path:
    """Return *path* as a :class:`~pathlib.Path`, or raise when nothing exists there.

    Parameters
    ----------
    path : str or pathlib.Path
        The input a reader is about to open.
    hint : str, optional
        How to get the file, appended to the message (``"<path>: no such file; <hint>"``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    LayerError
        ``"<path>: no such file"`` when *path* does not exist.
    """
    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such file" + (f"; {hint}" if hint else "")
        raise LayerError(msg)
    return path
