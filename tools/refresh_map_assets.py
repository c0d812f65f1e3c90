"""Refresh the third-party JavaScript and CSS that sxgeo inlines into its maps, from npm.

Run from a source checkout::

    python tools/refresh_map_assets.py     # needs npm; rewrites sxgeo/maps/assets/

Each pinned package is fetched with ``npm pack``; the files sxgeo takes from it are written to
``sxgeo/maps/assets/`` with the package's licence beside them and a ``VERSIONS.json`` of
checksums. The refresh strips ``sourceMappingURL`` comments (a source map is a request) and
replaces the ``url(images/...)`` references of the stylesheets with data URIs, so an inlined page
never asks for a file beside it. ``sxgeo.js``/``sxgeo.css`` are sxgeo's own and not touched. At
run time :mod:`sxgeo.maps.assets` only reads the committed files.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import logging
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

ASSETS_DIR = Path(__file__).resolve().parent.parent / "sxgeo" / "maps" / "assets"
"""The package-data folder this script rewrites (in the checkout the script belongs to)."""


@dataclass(frozen=True)
class Asset:
    """A pinned npm package and the files sxgeo takes from it.

    Attributes
    ----------
    name : str
        Short name (prefix of its licence file, ``<name>.LICENSE.txt``).
    npm : str
        ``package@version`` on the npm registry.
    files : dict
        Path inside the package -> file name in ``sxgeo/maps/assets/``.
    licence : str
        Path of the licence file inside the package.
    """

    name: str
    npm: str
    files: dict[str, str]
    licence: str


THIRD_PARTY = (
    Asset(
        "leaflet",
        "leaflet@1.9.4",
        {"dist/leaflet.js": "leaflet.js", "dist/leaflet.css": "leaflet.css"},
        "LICENSE",
    ),
    Asset(
        "markercluster",
        "leaflet.markercluster@1.5.3",
        {
            "dist/leaflet.markercluster.js": "leaflet.markercluster.js",
            "dist/MarkerCluster.css": "MarkerCluster.css",
            "dist/MarkerCluster.Default.css": "MarkerCluster.Default.css",
        },
        "MIT-LICENCE.txt",
    ),
)

_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif"}


def _data_uri(path: Path) -> str:
    mime = _MIME.get(path.suffix.lower(), "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _postprocess(text: str, filename: str, package_root: Path, source_dir: Path) -> str:
    text = re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", text)
    text = re.sub(r"/\*# sourceMappingURL=\S+ \*/", "", text)
    if filename.endswith(".css"):

        def repl(match: re.Match[str]) -> str:
            ref = match.group(1).strip("'\"")
            target = (source_dir / ref).resolve()
            if not target.is_relative_to(package_root.resolve()) or not target.exists():
                return match.group(0)
            return f'url("{_data_uri(target)}")'

        text = re.sub(r"url\(([^)]+)\)", repl, text)
    return text


def refresh(dest: Path | None = None) -> dict[str, dict[str, str]]:
    """Fetch the pinned packages with ``npm pack`` and rewrite the asset folder.

    Parameters
    ----------
    dest : pathlib.Path, optional
        Target folder; default :data:`ASSETS_DIR` (``sxgeo/maps/assets/`` of this checkout).

    Returns
    -------
    dict
        The new ``VERSIONS.json`` content.
    """
    dest = dest or ASSETS_DIR
    dest.mkdir(parents=True, exist_ok=True)
    versions: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for asset in THIRD_PARTY:
            out = subprocess.run(
                ["npm", "pack", asset.npm, "--silent"], cwd=tmp, check=True, capture_output=True, text=True
            )
            tgz = Path(tmp) / out.stdout.strip().splitlines()[-1]
            root = Path(tmp) / asset.name
            with tarfile.open(tgz, "r:gz") as tar:
                tar.extractall(root, filter="data")
            pkg = root / "package"
            for src, name in asset.files.items():
                text = _postprocess((pkg / src).read_text(encoding="utf-8"), name, pkg, (pkg / src).parent)
                (dest / name).write_text(text, encoding="utf-8")
                versions[name] = {"npm": asset.npm, "sha256": hashlib.sha256(text.encode()).hexdigest()}
            (dest / f"{asset.name}.LICENSE.txt").write_text(
                (pkg / asset.licence).read_text(encoding="utf-8"), encoding="utf-8"
            )
    (dest / "VERSIONS.json").write_text(json.dumps(versions, indent=2) + "\n", encoding="utf-8")
    log.info("refreshed %d asset files in %s", len(versions), dest)
    return versions


def main(argv: list[str] | None = None) -> None:
    """Command-line entry: refresh the vendored assets from the npm registry."""
    parser = argparse.ArgumentParser(description="Refresh sxgeo's inlined map assets from npm.")
    parser.add_argument("--dest", type=Path, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    refresh(args.dest)


if __name__ == "__main__":
    main()
