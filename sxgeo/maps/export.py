"""PNG export of a map page with headless Chromium (Debian's ``chromium``)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sxgeo.errors import BrowserError

log = logging.getLogger(__name__)

CHROMIUM_ENV = "SXGEO_CHROMIUM"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--hide-scrollbars",
)


def find_chromium() -> str:
    """Path of a Chromium binary: ``SXGEO_CHROMIUM``, else the first of chromium, chromium-browser, chrome.

    Returns
    -------
    str

    Raises
    ------
    BrowserError
        When none is installed.
    """
    candidates = [os.environ.get(CHROMIUM_ENV), "chromium", "chromium-browser", "google-chrome"]
    for cand in candidates:
        if cand and (found := shutil.which(cand)):
            return found
    msg = f"no Chromium found; install it (apt-get install chromium) or set {CHROMIUM_ENV}"
    raise BrowserError(msg)


def render_png(
    html: str | Path, png: str | Path, *, width: int = 1600, height: int = 1000, wait_ms: int = 4000
) -> Path:
    """Render an HTML map to a PNG of *width* x *height* pixels.

    Parameters
    ----------
    html : str or pathlib.Path
        The map page.
    png : str or pathlib.Path
        Output image.
    width, height : int
        Viewport size [px].
    wait_ms : int
        Virtual time the page gets to load its tiles and draw [ms].

    Returns
    -------
    pathlib.Path
    """
    html, png = Path(html).resolve(), Path(png).resolve()
    if not html.exists():
        msg = f"{html}: no such map"
        raise BrowserError(msg)
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            find_chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--virtual-time-budget={wait_ms}",
            f"--screenshot={png}",
            html.as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0 or not png.exists():
        msg = f"Chromium could not render {html.name}: {proc.stderr.strip().splitlines()[-1:]}"
        raise BrowserError(msg)
    log.info("wrote %s (%dx%d)", png, width, height)
    return png
