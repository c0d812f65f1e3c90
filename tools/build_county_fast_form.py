"""Write the fast form of the shipped county layer, ``sxgeo/data/layers/counties.parquet``.

Run ``python tools/build_county_fast_form.py`` from the repository root after changing
``layers/counties.geojson`` (``tools/build_counties.py``). The file is what
:func:`sxgeo.admin.load_counties` returns, as GeoParquet, with the polygons in EPSG:4549 beside
them; it carries the GeoJSON's sha256, so a stale one is never used (the GeoJSON is read instead)
and ``tests/io/test_county_fast_form.py`` fails until it is rebuilt.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from sxgeo.admin import fast_form_path, write_fast_form

log = logging.getLogger(__name__)


def main() -> None:
    """Parse the arguments and write the file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=None, help="county GeoJSON (default: the shipped one)")
    parser.add_argument("--out", type=Path, default=fast_form_path(), help="file to write")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    log.info("wrote %s", write_fast_form(args.source, args.out))


if __name__ == "__main__":
    main()
