"""Administrative units of Shaoxing: counties, divisions, target groups, and where layers live.

The six county-level units and their plan groups are facts of the plan (see
``../shared/plan/targets.md`` in the development tree); the geometry comes from
``layers/counties.geojson`` and the town/village lists from ``layers/divisions.csv``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely

from sxgeo import crs as sxcrs
from sxgeo.errors import LayerError, SchemaError
from sxgeo.io import columns, read_layer
from sxgeo.io._paths import require_file
from sxgeo.io.codes import code_text
from sxgeo.zonal import intersection_pieces

log = logging.getLogger(__name__)

CITY_CODE = "330600"
"""Adcode of Shaoxing city (绍兴市)."""
URBAN_CODE = "330600-urban"
"""Unit code of 绍兴市区 (越城+柯桥+上虞 pooled), the unit of some plan targets."""


@dataclass(frozen=True)
class County:
    """A county-level unit of Shaoxing.

    Attributes
    ----------
    adcode : str
        6-digit administrative code.
    name_zh, name_en : str
        Names.
    target_group : str
        ``"urban"`` for the three districts of 绍兴市区, else the county's own adcode.
    """

    adcode: str
    name_zh: str
    name_en: str
    target_group: str


COUNTIES: tuple[County, ...] = (
    County("330602", "越城区", "Yuecheng District", "urban"),
    County("330603", "柯桥区", "Keqiao District", "urban"),
    County("330604", "上虞区", "Shangyu District", "urban"),
    County("330681", "诸暨市", "Zhuji City", "330681"),
    County("330683", "嵊州市", "Shengzhou City", "330683"),
    County("330624", "新昌县", "Xinchang County", "330624"),
)
"""The six counties, in the order of the plan's tables."""

COUNTY_BY_CODE = {c.adcode: c for c in COUNTIES}

UNIT_NAMES_ZH = {c.adcode: c.name_zh for c in COUNTIES} | {CITY_CODE: "绍兴市", URBAN_CODE: "绍兴市区"}
UNIT_NAMES_EN = {c.adcode: c.name_en for c in COUNTIES} | {
    CITY_CODE: "Shaoxing City",
    URBAN_CODE: "Shaoxing urban districts",
}

LAYERS_ENV = "SXGEO_LAYERS"


def layers_dir(path: str | Path | None = None) -> Path:
    """Find the folder of shipped layers.

    Order: *path*; the ``SXGEO_LAYERS`` environment variable; ``./layers``; the ``layers``
    folder of a source checkout; the copy of the real layers an installed wheel carries
    (``sxgeo/data/layers``).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        An explicit folder.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    LayerError
        When none of these holds ``counties.geojson``.
    """
    candidates = [Path(path)] if path is not None else []
    if os.environ.get(LAYERS_ENV):
        candidates.append(Path(os.environ[LAYERS_ENV]))
    here = Path(__file__).resolve().parent
    # ./layers, a source checkout's layers/, then the copy an installed wheel carries (sxgeo/data/layers:
    # symlinks to layers/ in the source tree, real files in the wheel)
    candidates += [Path.cwd() / "layers", here.parent / "layers", here / "data" / "layers"]
    for cand in candidates:
        if (cand / "counties.geojson").exists():
            return cand
    msg = (
        f"cannot find the layers folder (tried {', '.join(str(c) for c in candidates)}); "
        f"pass --layers DIR or set {LAYERS_ENV}"
    )
    raise LayerError(msg)


CODE_COLUMNS = columns.UNIT_CODE
"""Column names tried, in order, for the code of a county or zone layer (exact, else case-insensitive):
:data:`sxgeo.io.columns.UNIT_CODE`, this name kept for one release."""
NAME_COLUMNS = columns.UNIT_NAME
"""Column names tried, in order, for the name of a zone (exact): :data:`sxgeo.io.columns.UNIT_NAME`,
this name kept for one release."""


def _code_column(gdf: pd.DataFrame, given: str | None, *, what: str, path: Path | None) -> str:
    """The column holding unit codes: *given*, else the first of :data:`CODE_COLUMNS` present."""
    where = path.name if path is not None else what
    if given is not None:
        if given not in gdf.columns:
            msg = f"{where}: no column {given!r} (columns: {', '.join(map(str, gdf.columns[:20]))})"
            raise SchemaError(msg)
        return given
    found = columns.find_column(
        gdf.columns, CODE_COLUMNS, what="code", source=where, match="case", required=False, quiet=True
    )
    if found is not None:
        return found
    msg = (
        f"{where}: no code column among {', '.join(CODE_COLUMNS)}; name it (e.g. --zone-code COL, "
        f"or code_col= in the project file); columns: {', '.join(map(str, gdf.columns[:20]))}"
    )
    raise SchemaError(msg)


def clean_code(value: object) -> str:
    """A code as text: ``330602.0`` (Excel, DBF doubles) -> ``330602``; whitespace trimmed.

    Digits-like cells go through :func:`sxgeo.io.codes.code_text` (``'330602``, ``3.30603E+11``
    refused...); other text (a zone code such as ``Z01``) is kept trimmed.
    """
    text = str(value).strip()
    try:
        code = code_text(value, where="code", lengths=range(1, 20), other=True)
    except SchemaError:
        return text
    return text if code is None else code


def _as_units(gdf: gpd.GeoDataFrame, code_col: str, *, what: str) -> gpd.GeoDataFrame:
    """Dissolve rows sharing a code (a county given as several polygons), keeping first attributes."""
    gdf = gdf.assign(_code=gdf[code_col].map(clean_code))
    empty = gdf["_code"].isin(["", "nan", "None", "<NA>"])
    if empty.any():
        rows = ", ".join(str(i) for i in gdf.index[empty][:10])
        msg = f"{what}: rows {rows} have no code in column {code_col!r}; fill them in"
        raise SchemaError(msg)
    if gdf["_code"].duplicated().any():
        n = int(gdf["_code"].duplicated().sum())
        log.info("%s: %d rows share a code with another; their polygons are merged per code", what, n)
        geom = gdf.groupby("_code", sort=False).geometry.agg(
            lambda g: shapely.union_all(np.asarray(g.values))
        )
        first = gdf.drop_duplicates("_code").set_index("_code")
        gdf = gpd.GeoDataFrame(first.drop(columns="geometry"), geometry=geom.reindex(first.index).values,
                               crs=gdf.crs).reset_index()  # fmt: skip
    return gdf


def load_counties(
    path: str | Path | None = None,
    *,
    code_col: str | None = None,
    crs: object = None,
    layer: str | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a county layer (EPSG:4326) in plan order: the shipped one, or any polygon layer with codes.

    Any polygon layer with a code column works (``adcode``, ``code``, ``行政区划代码``, ``PAC``...;
    the column used is logged). Names and target groups come from sxgeo's table of the six
    counties (:data:`COUNTIES`), land areas are measured in EPSG:4549, and polygons sharing a code
    are merged. A code that is not one of the six is kept (its own target group, no plan
    targets) and reported with a warning, never dropped.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A county layer file or the folder holding ``counties.geojson``; default :func:`layers_dir`.
        The shipped GeoJSON (byte for byte) is read from its fast form (:func:`write_fast_form`),
        the same table without GDAL or reprojection; any other file is read as it is.
    code_col : str, optional
        The code column (default: the first of :data:`CODE_COLUMNS` present).
    crs, layer, encoding : optional
        Passed to :func:`sxgeo.io.read_layer`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``adcode, name_zh, name_en, target_group, land_area_km2, geometry`` (plus the
        layer's own columns); ``attrs["code_col"]`` names the column used.
    """
    p = Path(path) if path is not None else layers_dir()
    if p.is_dir():
        p = p / "counties.geojson"
    if code_col is None and crs is None and layer is None and encoding is None:
        fast = _read_fast_form(p)
        if fast is not None:
            return fast
    return _load_counties_file(p, code_col=code_col, crs=crs, layer=layer, encoding=encoding)


FAST_FORM_KEY = b"sxgeo_counties"
"""Key of the fast form's parquet metadata: the sha256 of the GeoJSON it was made from."""


def fast_form_path() -> Path:
    """Where the shipped county layer's fast form lives: ``sxgeo/data/layers/counties.parquet``."""
    return Path(__file__).resolve().parent / "data" / "layers" / "counties.parquet"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_fast_form(source: Path) -> gpd.GeoDataFrame | None:
    """:func:`load_counties` of *source* from the fast form, or None when that was made from another file.

    The fast form records the sha256 of the GeoJSON it was made from; any other file (a planner's
    own county layer, an edited one) is read as before.
    """
    fast = fast_form_path()
    if not fast.exists() or not source.is_file() or source.suffix.lower() != ".geojson":
        return None
    # one file, read with pyarrow and shapely alone: geopandas' reader would parse the PROJJSON of both
    # columns (~20 ms each), and pq.read_table would import pyarrow.dataset (~25 ms)
    with pq.ParquetFile(fast) as parquet:
        schema = parquet.schema_arrow
        made = json.loads((schema.metadata or {}).get(FAST_FORM_KEY, b"{}"))
        if made.get("sha256") != _sha256(source):
            log.debug("%s: not the file %s was made from; read as GeoJSON", source, fast.name)
            return None
        names = [n for n in schema.names if n != "geometry_4549"]
        table = parquet.read(columns=names).to_pandas()
    geometry = shapely.from_wkb(table.pop("geometry").to_numpy())
    gdf = gpd.GeoDataFrame(table, geometry=geometry, crs=made["crs"])
    gdf.attrs = {"source": str(source), "code_col": made["code_col"]}
    return gdf


def write_fast_form(source: str | Path | None = None, dest: str | Path | None = None) -> Path:
    """Write the county layer's fast form: :func:`load_counties` as GeoParquet, with its EPSG:4549 geometry.

    The file holds the table :func:`load_counties` returns (geometry in EPSG:4326, exactly as read
    from the GeoJSON), a second geometry column ``geometry_4549`` (the same polygons in EPSG:4549),
    and the sha256 of the GeoJSON in its metadata, so that it is used only for that file
    (``python tools/build_county_fast_form.py`` after editing ``layers/counties.geojson``; a test
    checks it is current).

    Parameters
    ----------
    source : str or pathlib.Path, optional
        The county GeoJSON (default: the shipped one, :func:`layers_dir`).
    dest : str or pathlib.Path, optional
        The file to write (default :func:`fast_form_path`).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    src = Path(source) if source is not None else layers_dir() / "counties.geojson"
    if src.is_dir():
        src = src / "counties.geojson"
    out = Path(dest) if dest is not None else fast_form_path()
    gdf = _load_counties_file(src)
    gdf["geometry_4549"] = sxcrs.to_metric(gdf, what="counties").geometry.values
    made = {
        "sha256": _sha256(src),
        "source": src.name,
        "code_col": gdf.attrs["code_col"],
        "crs": gdf.crs.to_string(),
    }
    tmp = out.with_name(out.name + ".tmp")
    gdf.to_parquet(tmp, index=False)  # GeoParquet: both geometry columns with their CRS
    table = pq.read_table(tmp)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), FAST_FORM_KEY: json.dumps(made)})
    pq.write_table(table, tmp)
    tmp.replace(out)
    return out


def _load_counties_file(
    p: Path,
    *,
    code_col: str | None = None,
    crs: object = None,
    layer: str | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """:func:`load_counties` of one file, read as it is (GeoJSON, GeoPackage, shapefile...)."""
    gdf, _ = read_layer(p, crs=crs, layer=layer, encoding=encoding, geometry_type="polygon")
    col = _code_column(gdf, code_col, what="county layer", path=p)
    gdf = _as_units(gdf, col, what=p.name)
    gdf["adcode"] = gdf.pop("_code")
    unknown = sorted(set(gdf["adcode"]) - set(COUNTY_BY_CODE))
    if unknown:
        log.warning(
            "%s: codes %s are not among Shaoxing's six counties; kept as their own units, no plan targets",
            p.name, ", ".join(unknown),
        )  # fmt: skip
    missing = sorted(set(COUNTY_BY_CODE) - set(gdf["adcode"]))
    if missing:
        log.warning("%s: counties %s are not in the layer", p.name, ", ".join(missing))
    known = [COUNTY_BY_CODE.get(a) for a in gdf["adcode"]]  # None (not NaN) for a code outside the six
    own_name = gdf[col_name] if (col_name := _name_column(gdf, None, exclude=col)) else gdf["adcode"]
    gdf["name_zh"] = [c.name_zh if c else str(n) for c, n in zip(known, own_name, strict=True)]
    gdf["name_en"] = [c.name_en if c else str(n) for c, n in zip(known, own_name, strict=True)]
    gdf["target_group"] = [c.target_group if c else a for c, a in zip(known, gdf["adcode"], strict=True)]
    gdf["land_area_km2"] = sxcrs.area_m2(sxcrs.to_metric(gdf, what="counties")) / 1e6
    order = {c.adcode: i for i, c in enumerate(COUNTIES)}
    gdf = gdf.sort_values("adcode", key=lambda s: s.map(order).fillna(len(order))).reset_index(drop=True)
    if col != "adcode":
        log.info("%s: county codes read from column %r", p.name, col)
    gdf.attrs["code_col"] = col
    gdf.attrs["source"] = str(p)
    return gdf


def _name_column(gdf: pd.DataFrame, given: str | None, *, exclude: str) -> str | None:
    if given is not None:
        return given
    others = [c for c in gdf.columns if c != exclude]
    return columns.find_column(others, NAME_COLUMNS, what="name", match="exact", required=False, quiet=True)


def load_zones(
    path: str | Path,
    counties: gpd.GeoDataFrame,
    *,
    code_col: str | None = None,
    name_col: str | None = None,
    crs: object = None,
    layer: str | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read reporting zones a planner brings (towns/streets, parks...) as a unit layer.

    The result has the shape of a county layer (``adcode`` holds the zone code), so every
    per-county computation runs per zone unchanged; ``county_adcode`` is the county holding
    the largest part of the zone, and ``attrs["unit_kind"] = "zone"`` tells
    :func:`sxgeo.unit_table.unit_rows` to lay out one row per zone.

    Parameters
    ----------
    path : str or pathlib.Path
        A polygon layer.
    counties : geopandas.GeoDataFrame
        The county layer (:func:`load_counties`).
    code_col : str, optional
        The zone code column (default: the first of :data:`CODE_COLUMNS` present).
    name_col : str, optional
        The zone name column (default: the first of :data:`NAME_COLUMNS` present, else the code).
    crs, layer, encoding : optional
        Passed to :func:`sxgeo.io.read_layer`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``adcode, name_zh, name_en, county_adcode, land_area_km2, geometry``.
    """
    p = Path(path)
    gdf, _ = read_layer(p, crs=crs, layer=layer, encoding=encoding, geometry_type="polygon")
    col = _code_column(gdf, code_col, what="zone layer", path=p)
    gdf = _as_units(gdf, col, what=p.name)
    gdf["adcode"] = gdf.pop("_code")
    name = _name_column(gdf, name_col, exclude=col)
    gdf["name_zh"] = gdf[name].astype(str) if name else gdf["adcode"]
    gdf["name_en"] = gdf["name_zh"]
    zm = sxcrs.to_metric(gdf, what="zones")
    cm = sxcrs.to_metric(counties, what="counties")

    zi, ci, pieces = intersection_pieces(
        np.asarray(zm.geometry.values, dtype=object), np.asarray(cm.geometry.values, dtype=object)
    )
    area = shapely.area(pieces)
    best = pd.DataFrame({"z": zi, "c": ci, "a": area}).sort_values("a").drop_duplicates("z", keep="last")
    county = np.full(len(gdf), "", dtype=object)
    county[best["z"].to_numpy()] = cm["adcode"].astype(str).to_numpy()[best["c"].to_numpy()]
    gdf["county_adcode"] = county
    gdf["target_group"] = gdf["county_adcode"]
    gdf["land_area_km2"] = sxcrs.area_m2(zm) / 1e6
    outside = gdf["county_adcode"] == ""
    if outside.any():
        log.warning(
            "%s: zones %s lie outside every county", p.name, ", ".join(gdf.loc[outside, "adcode"][:10])
        )
    gdf = gdf.sort_values(["county_adcode", "adcode"], key=_county_order).reset_index(drop=True)
    gdf.attrs["unit_kind"] = "zone"
    gdf.attrs["code_col"] = col
    gdf.attrs["source"] = str(p)
    log.info("%s: %d zones, codes from column %r, names from %r", p.name, len(gdf), col, name)
    return gdf


def _county_order(s: pd.Series) -> pd.Series:
    if s.name != "county_adcode":
        return s
    order = {c.adcode: i for i, c in enumerate(COUNTIES)}
    return s.map(order).fillna(len(order))


def load_divisions(path: str | Path | None = None) -> pd.DataFrame:
    """Read the town and village list (2023 statistical division codes).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A ``divisions.csv`` file or the folder holding it; default :func:`layers_dir`.

    Returns
    -------
    pandas.DataFrame
        Columns ``code, name, level, parent_code, county_adcode`` as strings;
        ``level`` is ``town`` or ``village``.
    """
    p = Path(path) if path is not None else layers_dir()
    if p.is_dir():
        p = p / "divisions.csv"
    require_file(p, hint="rebuild it with python tools/build_divisions.py")
    return pd.read_csv(p, dtype=str, encoding="utf-8")


CODE_TABLES = {
    "editions": "divisions_editions.csv",
    "successors": "divisions_successors.csv",
    "mca": "town_codes_mca.csv",
}
"""The code tables beside ``divisions.csv`` (rebuilt by ``python tools/build_codes.py``)."""
CURRENT_EDITION = "NBS 2023"
"""The edition of ``divisions.csv``: the statistics bureau's 2023 统计用区划代码 (cut-off 2023-06-30)."""
MCA_EDITION = "MCA 2025-12-31"
"""The edition of the ministry's town codes in ``town_codes_mca.csv`` (民政部, as of 2025-12-31)."""


def load_code_table(kind: str, path: str | Path | None = None) -> pd.DataFrame:
    """Read one of the code tables shipped beside ``divisions.csv`` (all columns as strings).

    Parameters
    ----------
    kind : str
        ``editions`` (towns and villages of the NBS editions 2016-2022 that the 2023 edition no
        longer has: ``code, name, level, parent_code, county_adcode, first_edition, last_edition``),
        ``successors`` (their successors in 2023: ``code, name, level, last_edition, relation,
        successor_codes, successor_towns, rule``) or ``mca`` (the town crosswalk: ``nbs_code,
        nbs_name, mca_code, mca_name, county_adcode, relation, mca_name_of_nbs_code``).
    path : str or pathlib.Path, optional
        The file or the folder holding it; default :func:`layers_dir`.

    Returns
    -------
    pandas.DataFrame
        Blank cells as ``""``.
    """
    if kind not in CODE_TABLES:
        msg = f"code table {kind!r} unknown; one of {', '.join(CODE_TABLES)}"
        raise SchemaError(msg)
    p = Path(path) if path is not None else layers_dir()
    if p.is_dir():
        p = p / CODE_TABLES[kind]
    require_file(p, hint="rebuild it with python tools/build_codes.py")
    return pd.read_csv(p, dtype=str, encoding="utf-8", keep_default_na=False)


def code_editions() -> list[dict[str, str]]:
    """The code editions sxgeo matches names and codes with (for run records and match tables).

    Returns
    -------
    list of dict
        ``system, edition, levels, file, note`` per edition.
    """
    return [
        {"system": "nbs", "edition": CURRENT_EDITION, "levels": "town, village", "file": "divisions.csv",
         "note": "国家统计局 统计用区划代码 2023 (cut-off 2023-06-30), the last edition published"},
        {"system": "nbs", "edition": "NBS 2016-2022", "levels": "town, village",
         "file": CODE_TABLES["editions"], "note": "earlier editions: names and codes 2023 no longer has"},
        {"system": "mca", "edition": MCA_EDITION, "levels": "town", "file": CODE_TABLES["mca"],
         "note": "民政部 行政区划代码, towns only (the ministry publishes no village codes)"},
    ]  # fmt: skip


def counties_touched(gdf: gpd.GeoDataFrame, counties: gpd.GeoDataFrame | None = None) -> list[str]:
    """Adcodes of the counties that any feature of *gdf* intersects.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any layer with a CRS.
    counties : geopandas.GeoDataFrame, optional
        The county layer; default :func:`load_counties`.

    Returns
    -------
    list of str
        Adcodes in plan order.
    """
    counties = load_counties() if counties is None else counties
    sxcrs.require_crs(gdf)
    other = gdf.to_crs(counties.crs) if not gdf.crs.equals(counties.crs) else gdf
    tree = shapely.STRtree(np.asarray(other.geometry.values))
    hit = [bool(tree.query(g, predicate="intersects").size) for g in counties.geometry.values]
    return [code for code, h in zip(counties["adcode"], hit, strict=True) if h]


def unit_name(code: str, *, lang: str = "zh") -> str:
    """Name of a county, ``330600`` (city) or ``330600-urban`` (绍兴市区).

    Parameters
    ----------
    code : str
        Unit code.
    lang : {'zh', 'en'}
        Language.

    Returns
    -------
    str
    """
    names = UNIT_NAMES_ZH if lang == "zh" else UNIT_NAMES_EN
    return names.get(code, code)


_MOVED_TO_PLAN = ("TARGET_COLUMNS", "load_targets", "plan_targets", "unit_target")


def __getattr__(name: str) -> object:
    """Re-export shim for one release: the targets moved to :mod:`sxgeo.plan`.

    The plan sits above admin (it reads admin's target groups), so admin cannot import it at the
    top; the shim resolves the name when it is asked for.
    """
    if name in _MOVED_TO_PLAN:
        return getattr(importlib.import_module("sxgeo.plan"), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
