"""Generate the bad-input corpus of issue 10: files the way QGIS, Excel and survey offices make them.

Run ``python tests/data/make_corpus.py OUT`` to write the files and print the cases; the test
``tests/io/test_corpus.py`` calls :func:`make_corpus` into a temporary folder and runs each case
through the real ``sxgeo`` entry point. Each case has its expected outcome: ``ok`` with an
independent expected figure (pixel counts × pixel area × pools, shapely areas in EPSG:4549, all
computed here without sxgeo), or a named refusal (a pattern the one-line error must contain).

Everything is placed around a deep interior point of 越城区 (330602) so per-county figures are
hand-checkable: a 3 km × 3 km raster of 30 m pixels, 1 km boxes, 500 m boxes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio.transform import from_origin
from shapely.ops import polylabel

ROOT = Path(__file__).resolve().parents[2]
METRIC = "EPSG:4549"
PIXEL_HA = 0.09


@dataclass
class Case:
    """One corpus case.

    Attributes
    ----------
    name : str
        Short id.
    argv : list of str
        Arguments of ``sxgeo``.
    refusal : str or None
        A substring of the one-line error (exit 1); None: must succeed (exit 0).
    checks : list of tuple
        ``(table file, unit_code, column, expected)`` checked after success.
    """

    name: str
    argv: list[str]
    refusal: str | None = None
    checks: list[tuple[str, str, str, float]] = field(default_factory=list)


POOLS = pd.DataFrame(
    {
        "lucode": [1, 2, 3],
        "lulc_name": ["forest", "paddy", "built"],
        "kind": ["forest", "crop", "built"],
        "c_above": [20.0, 2.0, 0.0],
        "c_below": [5.0, 1.0, 0.0],
        "c_soil": [100.0, 44.0, 20.0],
        "c_dead": [3.0, 0.0, 0.0],
        "color": ["#1a9641", "#ffffbf", "#d7191c"],
    }
)
STOCK = {0: 0.0, 1: 28.0, 2: 3.0, 3: 0.0, 300: 28.0}  # above + below + dead [t C/ha]


def _centre() -> tuple[float, float]:
    counties = (
        gpd.read_file(ROOT / "layers" / "counties.gpkg")
        if (ROOT / "layers" / "counties.gpkg").exists()
        else None
    )
    if counties is None:
        from sxgeo.admin import load_counties

        counties = load_counties()
    code = counties.columns[counties.columns.str.lower().isin(["adcode"])][0]
    yc = counties[counties[code].astype(str) == "330602"].to_crs(METRIC).geometry.iloc[0]
    yc = max(shapely.get_parts(yc), key=lambda p: p.area)
    p = polylabel(yc, tolerance=10.0)
    assert shapely.box(p.x - 2000, p.y - 2000, p.x + 2000, p.y + 2000).within(yc), "越城 too thin here"
    return float(np.floor(p.x / 30) * 30), float(np.floor(p.y / 30) * 30)


def _raster(path: Path, arr: np.ndarray, x0: float, y0: float, *, nodata=None, crs=METRIC) -> Path:
    profile = {"driver": "GTiff", "count": 1, "dtype": str(arr.dtype), "crs": crs, "nodata": nodata}
    transform = (
        from_origin(x0 - 1500, y0 + 1500, 30.0, 30.0)
        if crs == METRIC
        else from_origin(120.5, 30.0, 3e-4, 3e-4)
    )
    with rasterio.open(
        path, "w", width=arr.shape[1], height=arr.shape[0], transform=transform, **profile
    ) as dst:
        dst.write(arr, 1)
    return path


def _base(dtype="uint8") -> np.ndarray:
    arr = np.full((100, 100), 1, dtype=dtype)
    arr[:, 50:] = 2  # half forest, half paddy
    return arr


def _stock_deg() -> float:
    """Stock [t C] of ``_base()`` in degrees (``_raster(crs='EPSG:4326')``), by pyproj's geodesic areas.

    Each pixel weighs the WGS84 area of its own 3e-4° cell (``pyproj.Geod``); pixels count when
    their centre lies in a county, as the zones are rasterised.
    """
    from pyproj import Geod

    from sxgeo.admin import load_counties

    geod, res, lon0, lat0 = Geod(ellps="WGS84"), 3e-4, 120.5, 30.0
    city = shapely.union_all(load_counties().to_crs(4326).geometry.values)
    arr = _base()
    total = 0.0
    for r in range(arr.shape[0]):
        top, bottom = lat0 - r * res, lat0 - (r + 1) * res
        m2 = abs(
            geod.polygon_area_perimeter([lon0, lon0 + res, lon0 + res, lon0], [bottom, bottom, top, top])[0]
        )
        lons = lon0 + (np.arange(arr.shape[1]) + 0.5) * res
        inside = shapely.contains_xy(city, lons, np.full(lons.shape, top - res / 2))
        total += sum(STOCK[int(v)] for v in arr[r][inside]) * m2 / 1e4
    return total


def _stock(arr: np.ndarray, nodata=None) -> float:
    vals, n = np.unique(arr, return_counts=True)
    return float(
        sum(STOCK.get(int(v), 0.0) * c * PIXEL_HA for v, c in zip(vals, n, strict=True) if v != nodata)
    )


def _pools(path: Path, changes: dict | None = None) -> Path:
    t = POOLS.astype(object).copy()
    for (row, col), value in (changes or {}).items():
        t.loc[row, col] = value
    t.to_csv(path, index=False, encoding="utf-8")
    return path


def _lc(out: Path, raster: Path, pools: Path, name: str, *extra: str) -> list[str]:
    return [
        "carbon",
        "landcover",
        "--raster",
        str(raster),
        "--pools",
        str(pools),
        "-o",
        str(out / f"{name}.csv"),
        *extra,
    ]


def _landcover_cases(d: Path, out: Path, x0: float, y0: float) -> list[Case]:
    cases: list[Case] = []
    good = _raster(d / "lc_good.tif", _base(), x0, y0)
    pools = _pools(d / "pools_good.csv")
    expected = _stock(_base())
    cases.append(
        Case(
            "lc_good",
            _lc(out, good, pools, "lc_good"),
            None,
            [("lc_good.csv", "330602", "stock_tc", expected)],
        )
    )
    for name, value in {
        "decimal_comma": "90,0",
        "n_a": "n/a",
        "about": "约19.5",
        "unit": "44 t",
        "dash": "-",
    }.items():
        p = _pools(d / f"pools_{name}.csv", {(1, "c_soil"): value})
        cases.append(Case(f"pools_{name}", _lc(out, good, p, name), "row 3 column c_soil"))
    fw = _pools(d / "pools_fullwidth.csv", {(0, "c_above"): "２０"})
    cases.append(
        Case(
            "pools_fullwidth",
            _lc(out, good, fw, "fullwidth"),
            None,
            [("fullwidth.csv", "330602", "stock_tc", expected)],
        )
    )
    cases.append(
        Case(
            "pools_text_lucode",
            _lc(out, good, _pools(d / "pools_lucode.csv", {(0, "lucode"): "forest"}), "x"),
            "column lucode",
        )
    )
    cases.append(
        Case(
            "pools_dup_lucode",
            _lc(out, good, _pools(d / "pools_dup.csv", {(1, "lucode"): 1}), "x"),
            "more than one row",
        )
    )
    nocolour = _pools(d / "pools_nocolour.csv", {(1, "color"): ""})
    cases.append(
        Case(
            "pools_empty_colour",
            [*_lc(out, good, nocolour, "nocolour")[:-1], str(out / "nocolour")],
            None,
            [("nocolour/carbon_landcover.csv", "330602", "stock_tc", expected)],
        )
    )
    with pd.ExcelWriter(d / "pools_two_sheets.xlsx") as xl:
        POOLS.to_excel(xl, sheet_name="2020", index=False)
        POOLS.to_excel(xl, sheet_name="2025", index=False)
    cases.append(
        Case("pools_two_sheets", _lc(out, good, d / "pools_two_sheets.xlsx", "x"), "2 sheets with data")
    )
    # rasters the way other tools write them
    f32 = _raster(d / "lc_float32.tif", _base("float32"), x0, y0, nodata=-9999.0)
    cases.append(
        Case(
            "raster_float32", _lc(out, f32, pools, "f32"), None, [("f32.csv", "330602", "stock_tc", expected)]
        )
    )
    frac = _base("float32")
    frac[5, 5] = 1.5
    cases.append(
        Case(
            "raster_float_fraction",
            _lc(out, _raster(d / "lc_frac.tif", frac, x0, y0), pools, "x"),
            "whole numbers",
        )
    )
    holes = _base("uint16")
    holes[:10, :10] = 65535
    cases.append(
        Case(
            "raster_uint16_nodata",
            _lc(out, _raster(d / "lc_u16.tif", holes, x0, y0, nodata=65535), pools, "u16"),
            None,
            [
                ("u16.csv", "330602", "stock_tc", _stock(holes, 65535)),
                (
                    "u16.csv",
                    "330602",
                    "density_tc_ha",
                    round(_stock(holes, 65535) / ((10_000 - 100) * PIXEL_HA), 2),
                ),
            ],
        )
    )
    i16 = _base("int16")
    i16[:20, :] = -9999
    cases.append(
        Case(
            "raster_int16_nodata",
            _lc(out, _raster(d / "lc_i16.tif", i16, x0, y0, nodata=-9999), pools, "i16"),
            None,
            [("i16.csv", "330602", "area_ha", 8000 * PIXEL_HA)],
        )
    )
    wide = _base("uint16")
    wide[wide == 1] = 300
    p300 = _pools(d / "pools_300.csv", {(0, "lucode"): 300})
    cases.append(
        Case(
            "raster_class_300",
            _lc(out, _raster(d / "lc_300.tif", wide, x0, y0), p300, "c300"),
            None,
            [("c300.csv", "330602", "stock_tc", expected)],
        )
    )
    unknown = _base()
    unknown[0, 0] = 7
    cases.append(
        Case(
            "raster_unknown_class",
            _lc(out, _raster(d / "lc_unknown.tif", unknown, x0, y0), pools, "x"),
            "no row in the pools table",
        )
    )
    deg = _raster(d / "lc_degrees.tif", _base(), x0, y0, crs="EPSG:4326")
    cases.append(
        Case(
            "raster_degrees",
            _lc(out, deg, pools, "deg"),
            None,
            [("deg.csv", "330600", "stock_tc", _stock_deg())],
        )
    )
    after = _base()
    after[:, :10] = 3
    aft = _raster(d / "lc_after.tif", after, x0, y0)
    cases.append(
        Case(
            "lc_negative_years",
            _lc(out, good, pools, "x", "--raster-after", str(aft), "--years", "-5"),
            "must be > 0",
        )
    )
    change = ["carbon", "landcover", "--raster", str(good), "--pools", str(pools), "--raster-after", str(aft)]
    sheet = "chg.xlsx#carbon_landcover_chang English"
    # 1,000 forest pixels become built: -28 t C/ha without soil, -80 more with soil (100 -> 20)
    cases.append(
        Case(
            "lc_change",
            [*change, "--years", "5", "-o", str(out / "chg.xlsx")],
            None,
            [
                (sheet, "330602", "change_tc", -1000 * PIXEL_HA * 28),
                (sheet, "330602", "total_change_tc", -1000 * PIXEL_HA * 108),
            ],
        )
    )
    zero = _base()
    zero[:, :10] = 0  # class 0 is water in this pools table, and the raster has no nodata tag
    pz = d / "pools_zero.csv"
    pd.concat(
        [
            POOLS,
            pd.DataFrame(
                {
                    "lucode": [0],
                    "lulc_name": ["water"],
                    "kind": ["water"],
                    "c_above": [0.0],
                    "c_below": [0.0],
                    "c_soil": [10.0],
                    "c_dead": [0.0],
                    "color": ["#2b83ba"],
                }
            ),
        ]
    ).to_csv(pz, index=False)
    cases.append(
        Case(
            "class_zero_is_land",
            _lc(out, _raster(d / "lc_zero.tif", zero, x0, y0), pz, "zero"),
            None,
            [("zero.csv", "330602", "area_ha", 10_000 * PIXEL_HA)],
        )
    )
    cases.append(Case("raster_missing", _lc(out, d / "nope.tif", pools, "x"), "nope.tif"))
    (d / "garbage.tif").write_bytes(b"not a tiff at all")
    cases.append(Case("raster_garbage", _lc(out, d / "garbage.tif", pools, "x"), "garbage.tif"))
    return cases


def _boxes(x0: float, y0: float, n: int, size: float = 500.0, gap: float = 100.0) -> list[shapely.Polygon]:
    return [shapely.box(x0 + i * (size + gap), y0, x0 + i * (size + gap) + size, y0 + size) for i in range(n)]


def _vector_cases(d: Path, out: Path, x0: float, y0: float) -> list[Case]:
    cases: list[Case] = []
    b = _boxes(x0 - 1000, y0 - 1000, 3)
    # wetlands: 3 boxes of 25 ha, the last one marked 否
    w = gpd.GeoDataFrame(
        {"wetland_type": ["lake_reservoir"] * 3, "protected": ["是", "是", "否"]}, geometry=b, crs=METRIC
    )
    w.to_file(d / "wet_flags.gpkg", driver="GPKG")
    wet = ["carbon", "wetlands", "--wetlands"]
    cases.append(
        Case(
            "wetland_fou",
            [*wet, str(d / "wet_flags.gpkg"), "-o", str(out / "wet.csv")],
            None,
            [
                ("wet.csv", "330602", "protected_area_ha", 50.0),
                ("wet.csv", "330602", "wetland_area_ha", 75.0),
            ],
        )
    )
    w.assign(protected=["是", "maybe", "否"]).to_file(d / "wet_maybe.gpkg", driver="GPKG")
    cases.append(
        Case(
            "wetland_bad_flag",
            [*wet, str(d / "wet_maybe.gpkg"), "-o", str(out / "x.csv")],
            "'maybe' is not a yes/no value",
        )
    )
    pd.concat([w, w.iloc[[0]]]).to_file(d / "wet_dup.gpkg", driver="GPKG")
    cases.append(
        Case(
            "wetland_duplicate",
            [*wet, str(d / "wet_dup.gpkg"), "-o", str(out / "dup.csv")],
            None,
            [("dup.csv", "330602", "wetland_area_ha", 75.0)],
        )
    )
    cases.append(
        Case(
            "wetland_duplicate_strict",
            ["--strict", *wet, str(d / "wet_dup.gpkg"), "-o", str(out / "x.csv")],
            "duplicate features",
        )
    )
    multi = gpd.GeoDataFrame(
        {"wetland_type": ["lake_reservoir"], "protected": ["Y"]},
        geometry=[shapely.MultiPolygon(b)],
        crs=METRIC,
    )
    multi.to_crs(4326).to_file(d / "wet_multi.geojson", driver="GeoJSON")
    cases.append(
        Case(
            "wetland_multipolygon",
            [*wet, str(d / "wet_multi.geojson"), "-o", str(out / "multi.csv")],
            None,
            [("multi.csv", "330602", "protected_area_ha", 75.0)],
        )
    )
    nan_poly = shapely.Polygon([(x0, y0), (float("nan"), y0), (x0 + 100, y0 + 100), (x0, y0)])
    gpd.GeoDataFrame(
        {"wetland_type": ["lake_reservoir"] * 2, "protected": [1, 0]}, geometry=[b[0], nan_poly], crs=METRIC
    ).to_file(d / "wet_nan.gpkg", driver="GPKG")
    cases.append(
        Case(
            "wetland_nan_coords",
            [*wet, str(d / "wet_nan.gpkg"), "-o", str(out / "nan.csv")],
            None,
            [("nan.csv", "330602", "wetland_area_ha", 25.0)],
        )
    )
    bow = shapely.Polygon([(x0, y0), (x0 + 600, y0 + 300), (x0 + 600, y0), (x0, y0 + 600), (x0, y0)])
    gpd.GeoDataFrame(
        {"wetland_type": ["lake_reservoir"], "protected": ["否"]}, geometry=[bow], crs=METRIC
    ).to_file(d / "wet_bowtie.gpkg", driver="GPKG")
    cases.append(
        Case(
            "wetland_bowtie",
            [*wet, str(d / "wet_bowtie.gpkg"), "-o", str(out / "bow.csv")],
            None,
            [("bow.csv", "330602", "wetland_area_ha", shapely.make_valid(bow).area / 1e4)],
        )
    )
    w.assign(wetland_type=["lake_reservoir", "swamp?", "lake_reservoir"]).to_file(
        d / "wet_type.gpkg", driver="GPKG"
    )
    cases.append(
        Case(
            "wetland_unknown_type",
            [*wet, str(d / "wet_type.gpkg"), "-o", str(out / "x.csv")],
            "unknown wetland types",
        )
    )
    (d / "empty.geojson").write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    cases.append(
        Case("wetland_empty_layer", [*wet, str(d / "empty.geojson"), "-o", str(out / "x.csv")], "no features")
    )
    w.to_file(d / "wet_noprj.shp")
    (d / "wet_noprj.prj").unlink()
    cases.append(
        Case("wetland_no_prj", [*wet, str(d / "wet_noprj.shp"), "-o", str(out / "x.csv")], "has no CRS")
    )
    # sponge coverage: built-up as one MultiPolygon (QGIS style), projects MultiPolygons, one twice
    built = gpd.GeoDataFrame(
        {"name": ["建成区"]},
        geometry=[shapely.MultiPolygon([shapely.box(x0 - 1500, y0 - 1500, x0 + 1500, y0 + 1500)])],
        crs=METRIC,
    )
    built.to_file(d / "built_multi.gpkg", driver="GPKG")
    proj = gpd.GeoDataFrame(
        {"status": ["已验收"] * 3}, geometry=[shapely.MultiPolygon([p]) for p in b], crs=METRIC
    )
    pd.concat([proj, proj.iloc[[0]]]).to_file(d / "projects_multi.gpkg", driver="GPKG")
    cov = [
        "sponge",
        "coverage",
        "--built-up",
        str(d / "built_multi.gpkg"),
        "--compliant",
        str(d / "projects_multi.gpkg"),
    ]
    cases.append(
        Case(
            "coverage_multipolygons",
            [*cov, "-o", str(out / "cov.csv")],
            None,
            [("cov.csv", "330602", "compliant_km2", 0.75), ("cov.csv", "330602", "built_up_km2", 9.0)],
        )
    )
    cases.append(Case("coverage_year_99999", [*cov, "--year", "99999", "-o", str(out / "x.csv")], "99999"))
    (out / "is_a_folder.csv").mkdir(parents=True, exist_ok=True)
    cases.append(Case("output_csv_is_a_folder", [*cov, "-o", str(out / "is_a_folder.csv")], "it is a folder"))
    (out / "a_file").write_text("x")
    cases.append(Case("output_under_a_file", [*cov, "-o", str(out / "a_file" / "t.csv")], "it is a file"))
    # stands: text in volume
    st = gpd.GeoDataFrame(
        {"forest_type": ["杉木", "杉木"], "volume_m3": ["1200", "12 m3"]}, geometry=b[:2], crs=METRIC
    )
    st.to_file(d / "stands_text.gpkg", driver="GPKG")
    cases.append(
        Case(
            "stands_text_volume",
            ["carbon", "stands", "--stands", str(d / "stands_text.gpkg"), "-o", str(out / "x.csv")],
            "'12 m3' is not a number",
        )
    )
    st.assign(volume_m3=["1200", "800"]).to_file(d / "stands_ok.gpkg", driver="GPKG")
    cases.append(
        Case(
            "stands_negative_years",
            [
                "carbon",
                "stands",
                "--stands",
                str(d / "stands_ok.gpkg"),
                "--previous",
                str(d / "stands_ok.gpkg"),
                "--years",
                "-5",
                "-o",
                str(out / "x.csv"),
            ],
            "must be > 0",
        )
    )
    cases.append(
        Case(
            "stands_ok",
            ["carbon", "stands", "--stands", str(d / "stands_ok.gpkg"), "-o", str(out / "stands.csv")],
            None,
        )
    )
    return cases


def _table_cases(d: Path, out: Path, x0: float, y0: float) -> list[Case]:
    cases: list[Case] = []
    days = pd.date_range("2000-01-01", periods=60, freq="D")
    rain = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "precip_mm": [5.0] * 60})
    rain.astype(object).assign(precip_mm=["微量"] + [5.0] * 59).to_csv(d / "rain_text.csv", index=False)
    cases.append(
        Case(
            "rain_text",
            ["sponge", "curve", "--rainfall", str(d / "rain_text.csv"), "-o", str(out / "x.csv")],
            "'微量' is not a number",
        )
    )
    rain.assign(is_snow=["否"] * 59 + ["maybe"]).to_csv(d / "rain_snow.csv", index=False)
    cases.append(
        Case(
            "rain_bad_snow_flag",
            ["sponge", "curve", "--rainfall", str(d / "rain_snow.csv"), "-o", str(out / "x.csv")],
            "'maybe' is not a yes/no",
        )
    )
    cases.append(
        Case(
            "zones_alpha_75",
            [
                "sponge",
                "zones",
                "--zones",
                "z.gpkg",
                "--landcover",
                "l.gpkg",
                "--facilities",
                "f.gpkg",
                "--rainfall",
                "r.csv",
                "--alpha-target",
                "75",
                "-o",
                str(out / "x.csv"),
            ],
            "for 75% write 0.75",
        )
    )
    bld = gpd.GeoDataFrame(
        {"use": ["industrial"]}, geometry=[shapely.box(x0, y0, x0 + 50, y0 + 50)], crs=METRIC
    )
    bld.to_file(d / "buildings.gpkg", driver="GPKG")
    pv = ["pv", "--buildings", str(d / "buildings.gpkg")]
    cases.append(Case("pv_grid_0", [*pv, "--grid-m", "0", "-o", str(out / "x.csv")], "--grid-m must be > 0"))
    cases.append(Case("pv_ef_year", [*pv, "--ef-year", "99999", "-o", str(out / "x.csv")], "99999"))
    from sxgeo.data import read_param_table

    params = read_param_table("pv_roof_params.csv").astype({"u": object})
    params.loc[0, "u"] = "0,8"
    params.to_csv(d / "pv_params_text.csv", index=False)
    cases.append(
        Case(
            "pv_params_text",
            [*pv, "--params", str(d / "pv_params_text.csv"), "-o", str(out / "x.csv")],
            "'0,8' is not a number",
        )
    )
    pts = pd.DataFrame({"name": ["a", "b"], "lon": [120.58, 120.59], "lat": [30.0, 30.01]})
    with pd.ExcelWriter(d / "points_two_sheets.xlsx") as xl:
        pts.to_excel(xl, sheet_name="2020", index=False)
        pts.to_excel(xl, sheet_name="2021", index=False)
    cases.append(
        Case(
            "check_two_sheets",
            ["check", str(d / "points_two_sheets.xlsx"), "--crs", "4326"],
            "2 sheets with data",
        )
    )
    cases.append(
        Case(
            "check_one_sheet_named",
            ["check", str(d / "points_two_sheets.xlsx"), "--crs", "4326", "--layer", "2021"],
            None,
        )
    )
    pts.assign(lon=["120.58", "东经120度"]).to_csv(d / "points_text_lon.csv", index=False)
    cases.append(
        Case("check_text_coordinate", ["check", str(d / "points_text_lon.csv"), "--crs", "4326"], None)
    )
    cases.append(Case("check_nan_coords", ["check", str(d / "wet_nan.gpkg")], None))
    cases.append(
        Case("demo_seed_negative", ["demo-data", "--seed", "-1", "-o", str(out / "demo")], "--seed must be")
    )
    cases.append(
        Case(
            "build_layers_missing",
            ["build", "--layers", str(d / "no_layers"), "-o", str(out / "b")],
            "no such folder",
        )
    )
    (d / "bad.toml").write_text("[project\nname = 1", encoding="utf-8")
    cases.append(
        Case("build_bad_toml", ["build", "--project", str(d / "bad.toml"), "-o", str(out / "b")], "bad.toml")
    )
    cases.append(
        Case(
            "map_png_width_0",
            ["map", "png", str(d / "x.html"), "-o", str(out / "x.png"), "--width", "0"],
            "--width must be",
        )
    )
    cases.append(
        Case("map_missing_layer", ["map", str(d / "nope.gpkg"), "-o", str(out / "m.html")], "nope.gpkg")
    )
    return cases


# --- issue-20-raster (branch issue-20-raster): a Web Mercator raster, overlapping zones, a bow-tie in a
# GeoParquet part ---------------------------------------------------------------------------------------


def _mercator_stock(lon0: float, lat0: float, px: float, arr: np.ndarray) -> float:
    """Stock [t C] of *arr* on a Web Mercator grid from (lon0, lat0) with *px* m pixels, by pyproj's Geod.

    A Mercator pixel is a longitude/latitude rectangle: each row's pixel weighs the WGS84 area of that
    rectangle (``pyproj.Geod``), not the nominal px² (about 4/3 of it at 30°N).
    """
    from pyproj import Geod, Transformer

    fwd = Transformer.from_crs(4326, 3857, always_xy=True)
    inv = Transformer.from_crs(3857, 4326, always_xy=True)
    mx, my = fwd.transform(lon0, lat0)
    geod = Geod(ellps="WGS84")
    total = 0.0
    for r in range(arr.shape[0]):
        lon_a, top = inv.transform(mx, my - r * px)
        lon_b, bottom = inv.transform(mx + px, my - (r + 1) * px)
        m2 = abs(geod.polygon_area_perimeter([lon_a, lon_b, lon_b, lon_a], [bottom, bottom, top, top])[0])
        total += sum(STOCK[int(v)] for v in arr[r]) * m2 / 1e4
    return total


def _issue20_raster_cases(d: Path, out: Path, x0: float, y0: float) -> list[Case]:
    from pyproj import Transformer

    cases: list[Case] = []
    pools = _pools(d / "pools_i20.csv")
    # a 3857 raster of 30 m (nominal) pixels, 3 km × 3 km nominal, well inside 越城 (its ±2 km box)
    lon0, lat0 = Transformer.from_crs(METRIC, 4326, always_xy=True).transform(x0 - 1000, y0 + 1000)
    mx, my = Transformer.from_crs(4326, 3857, always_xy=True).transform(lon0, lat0)
    arr = _base()
    wm = d / "lc_web_mercator.tif"
    profile = {"driver": "GTiff", "count": 1, "dtype": "uint8", "crs": "EPSG:3857", "nodata": 255}
    with rasterio.open(
        wm, "w", width=100, height=100, transform=from_origin(mx, my, 30.0, 30.0), **profile
    ) as dst:
        dst.write(arr, 1)
    cases.append(
        Case(
            "raster_web_mercator",
            _lc(out, wm, pools, "wm"),
            None,
            [("wm.csv", "330600", "stock_tc", _mercator_stock(lon0, lat0, 30.0, arr))],
        )
    )
    # two reporting zones that overlap on 1 km × 3 km of the 3 km × 3 km raster (x0 ± 1.5 km)
    zones = gpd.GeoDataFrame(
        {"zone_code": ["Z1", "Z2"], "name": ["west", "east"]},
        geometry=[
            shapely.box(x0 - 1500, y0 - 1500, x0 + 500, y0 + 1500),  # columns 0-66: 2 km, classes 1 and 2
            shapely.box(x0 - 500, y0 - 1500, x0 + 1500, y0 + 1500),  # columns 33-99
        ],
        crs=METRIC,
    )
    zones.to_file(d / "zones_overlapping.gpkg", driver="GPKG")
    good = _raster(d / "lc_i20.tif", _base(), x0, y0)
    # by hand: each zone whole. Z1: columns 0-49 forest (28 t/ha), 50-66 paddy (3 t/ha); Z2: 33-49 forest,
    # 50-99 paddy; 100 rows of 0.09 ha pixels
    z1 = 100 * (50 * 28.0 + 17 * 3.0) * PIXEL_HA
    z2 = 100 * (17 * 28.0 + 50 * 3.0) * PIXEL_HA
    zargs = ["--zones", str(d / "zones_overlapping.gpkg"), "--zone-code", "zone_code"]
    cases.append(
        Case(
            "zones_overlapping_landcover",
            [
                "carbon",
                "landcover",
                "--raster",
                str(good),
                "--pools",
                str(pools),
                "-o",
                str(out / "ovz"),
                *zargs,
            ],
            None,
            [
                ("ovz/carbon_landcover_zones.csv", "Z1", "stock_tc", z1),
                ("ovz/carbon_landcover_zones.csv", "Z2", "stock_tc", z2),
            ],
        )
    )
    # sponge coverage on the same zones: built-up 3 km × 3 km, one project of 1 km × 1 km at x0 ± 500 m
    built = gpd.GeoDataFrame(geometry=[shapely.box(x0 - 1500, y0 - 1500, x0 + 1500, y0 + 1500)], crs=METRIC)
    built.to_file(d / "built_i20.gpkg", driver="GPKG")
    proj = gpd.GeoDataFrame(
        {"status": ["completed"]}, geometry=[shapely.box(x0 - 500, y0 - 500, x0 + 500, y0 + 500)], crs=METRIC
    )
    proj.to_file(d / "projects_i20.gpkg", driver="GPKG")
    cases.append(
        Case(
            "zones_overlapping_sponge",
            [
                "sponge",
                "coverage",
                "--built-up",
                str(d / "built_i20.gpkg"),
                "--compliant",
                str(d / "projects_i20.gpkg"),
                *zargs,
                "-o",
                str(out / "ovs"),
            ],
            None,
            # Z1 and Z2 each 6 km² of built-up with 1 km² compliant (the project lies in both): 16.67%;
            # nothing of the built-up area lies outside both zones
            [
                ("ovs/sponge_coverage_zones.csv", "Z1", "coverage_pct", 16.67),
                ("ovs/sponge_coverage_zones.csv", "Z2", "coverage_pct", 16.67),
                ("ovs/sponge_coverage_zones.csv", "unassigned", "built_up_km2", 0.0),
            ],
        )
    )
    # a folder of GeoParquet parts, one with a bow-tie project (two triangles of 0.25 km²), on Dask
    parts = d / "projects_parts_i20"
    parts.mkdir(exist_ok=True)
    bow = shapely.Polygon([(x0 - 1500, y0), (x0 - 500, y0), (x0 - 1500, y0 + 1000), (x0 - 500, y0 + 1000)])
    gpd.GeoDataFrame({"status": ["completed"]}, geometry=[bow], crs=METRIC).to_parquet(
        parts / "part.0.parquet"
    )
    proj.to_parquet(parts / "part.1.parquet")
    cases.append(
        Case(
            "dask_part_with_bow_tie",
            [
                "sponge",
                "coverage",
                "--built-up",
                str(d / "built_i20.gpkg"),
                "--compliant",
                str(parts),
                "--engine",
                "dask",
                "--workers",
                "1",
                "-o",
                str(out / "bow.csv"),
            ],
            None,
            # by hand: 1 km² + 0.5 km² of the 9 km² built-up area = 16.67%
            [("bow.csv", "330602", "compliant_km2", 1.5)],
        )
    )
    return cases


# ---- branch issue-20-tables: tables as Excel/WPS/InVEST leave them -------------------------------------


def _issue20_tables_cases(d: Path, out: Path) -> list[Case]:
    """InVEST's capitalised pools headers, an OLE2 workbook, blank lines, a title row, common list headers."""
    from openpyxl import Workbook

    cases: list[Case] = []
    good = d / "lc_good.tif"  # written by _landcover_cases
    expected = _stock(_base())
    caps = POOLS.rename(
        columns={"lucode": "LULC", "c_above": "C_above", "c_below": "C_Below", "c_soil": "C_SOIL"}
    )
    caps.to_csv(d / "pools_invest_caps.csv", index=False)
    cases.append(
        Case(
            "pools_invest_caps",
            _lc(out, good, d / "pools_invest_caps.csv", "invest_caps"),
            None,
            [("invest_caps.csv", "330602", "stock_tc", expected)],
        )
    )
    # an OLE2 compound file (MS-CFB §2.2 signature): Excel 97-2003 / WPS, named, not an encoding problem
    (d / "pools_old.xls").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))
    cases.append(Case("pools_ole2_xls", _lc(out, good, d / "pools_old.xls", "ole2"), "save it as .xlsx"))
    text = POOLS.astype(object).assign(c_soil=[100.0, "约44", 20.0]).to_csv(index=False).splitlines()
    # header on line 1, a blank line after each row: the bad cell (second row) is on line 4 of the file
    (d / "pools_blank_lines.csv").write_text("\n".join([text[0], text[1], "", text[2], "", text[3]]) + "\n")
    cases.append(
        Case("pools_blank_lines", _lc(out, good, d / "pools_blank_lines.csv", "blank"), "row 4 column c_soil")
    )
    wb = Workbook()
    ws = wb.active
    ws.append(["碳库参数表(单位 t C/ha)"])
    ws.append(list(POOLS.columns))
    for row in POOLS.itertuples(index=False):
        ws.append(list(row))
    ws.merge_cells("A1:H1")
    wb.save(d / "pools_title_row.xlsx")
    cases.append(
        Case(
            "pools_title_row",
            _lc(out, good, d / "pools_title_row.xlsx", "title_row"),
            None,
            [("title_row.csv", "330602", "stock_tc", expected)],
        )
    )
    pd.DataFrame(
        {"所属县(市、区)": ["上虞区"], "所属乡镇(街道)": ["崧厦街道"], "行政村名称": ["崧厦镇祝温村"]}
    ).to_csv(d / "list_common_headers.csv", index=False, encoding="gbk")
    cases.append(
        Case(
            "list_common_headers",
            ["pilots", "match", "--list", str(d / "list_common_headers.csv"), "-o", str(out / "m.csv")],
        )
    )
    pd.DataFrame({"序号": [1], "备注": ["x"]}).to_csv(d / "list_no_name.csv", index=False)
    cases.append(
        Case(
            "list_no_name_column",
            ["pilots", "match", "--list", str(d / "list_no_name.csv"), "-o", str(out / "m2.csv")],
            "headers are ['序号', '备注']",
        )
    )
    return cases


# ---- branch issue-20-inputs (issue 20: crashes and silent drops)
def _issue20_inputs_cases(d: Path, out: Path, x0: float, y0: float) -> list[Case]:
    """Chinese project headers, points where areas are needed, bad Dask parts, empty gates, BD-09."""
    import openpyxl
    import pyogrio

    cases: list[Case] = []
    built = shapely.box(x0 - 1100, y0 - 500, x0 + 1100, y0 + 500)  # 2.2 km² of built-up area
    gpd.GeoDataFrame({"name": ["bu"]}, geometry=[built], crs=METRIC).to_file(d / "i20_bu.gpkg")
    cuts = [(0, 400), (500, 1000), (1100, 1300), (1400, 1500), (1600, 1700)]  # x ranges of 5 projects [m]
    geoms = [shapely.box(x0 - 1100 + a, y0 - 500, x0 - 1100 + b, y0 + 500) for a, b in cuts]
    zh = gpd.GeoDataFrame(
        {"名称": list("ABCDE"), "状态": ["已完成", "已竣工", "在建", "在建", "规划"],
         "完成年份": ["2019", "2021年", None, None, None]},
        geometry=geoms, crs=METRIC,
    )  # fmt: skip
    pyogrio.write_dataframe(zh, d / "i20_projects_zh.gpkg")
    done = 100 * shapely.union_all(geoms[:2]).intersection(built).area / built.area  # 40.91 %, not 59.09 %
    cov = ["sponge", "coverage", "--built-up", str(d / "i20_bu.gpkg"), "--year", "2022"]
    cases.append(
        Case(
            "i20_sponge_chinese_status_year",
            [*cov, "--compliant", str(d / "i20_projects_zh.gpkg"), "-o", str(out / "i20_zh.csv")],
            None,
            [("i20_zh.csv", "330602", "coverage_pct", round(done, 2))],
        )
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目名称", "经度", "纬度", "状态"])
    lonlat = gpd.GeoSeries([shapely.Point(x0, y0), shapely.Point(x0 + 300, y0)], crs=METRIC).to_crs(4326)
    for i, p in enumerate(lonlat):
        sheet.append([f"P{i}", p.x, p.y, "已完成"])
    book.save(d / "i20_projects_points.xlsx")
    gpd.GeoDataFrame({"name": ["bu"]}, geometry=[built], crs=METRIC).to_crs(4326).to_file(
        d / "i20_bu_4326.gpkg"
    )
    cases.append(
        Case(
            "i20_sponge_points_for_areas",
            [
                "sponge",
                "coverage",
                "--built-up",
                str(d / "i20_bu_4326.gpkg"),
                "--crs",
                "4326",
                "--compliant",
                str(d / "i20_projects_points.xlsx"),
                "-o",
                str(out / "x.csv"),
            ],
            "areas (polygons) are needed here",
        )
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目名称", "wkt", "建设状态", "验收日期"])
    for name, g, status, date in zip("AB", geoms[:2], ["已验收", "拟建"], ["2020-06-30", None], strict=True):
        sheet.append([name, g.wkt, status, date])
    book.save(d / "i20_projects_wkt.xlsx")
    wkt_cov = 100 * geoms[0].intersection(built).area / built.area  # A only: B is 拟建 (proposed)
    cases.append(
        Case(
            "i20_sponge_wkt_column",
            [
                "sponge",
                "coverage",
                "--built-up",
                str(d / "i20_bu.gpkg"),
                "--year",
                "2022",
                "--crs",
                "4549",
                "--compliant",
                str(d / "i20_projects_wkt.xlsx"),
                "-o",
                str(out / "i20_wkt.csv"),
            ],
            None,
            [("i20_wkt.csv", "330602", "coverage_pct", round(wkt_cov, 2))],
        )
    )
    # Dask parts: each folder has two good parts and one bad one
    faults = {
        "empty": "the part is empty (0 bytes)",
        "plain": "a Parquet part without GeoParquet metadata",
        "column": "the part lacks column(s) status that part.0.parquet has",
    }
    for fault, refusal in faults.items():
        folder = d / f"i20_parts_{fault}"
        folder.mkdir()
        for k in range(3):
            gpd.GeoDataFrame({"status": ["completed"]}, geometry=[geoms[k]], crs=METRIC).to_parquet(
                folder / f"part.{k}.parquet"
            )
        bad = folder / "part.2.parquet"
        if fault == "empty":
            bad.write_bytes(b"")
        elif fault == "plain":
            pd.DataFrame({"status": ["completed"], "geometry": [geoms[2].wkb]}).to_parquet(bad)
        else:
            gpd.GeoDataFrame(geometry=[geoms[2]], crs=METRIC).to_parquet(bad)
        cases.append(
            Case(
                f"i20_dask_part_{fault}",
                ["check", str(folder), "--engine", "dask"],
                f"part.2.parquet: {refusal}",
            )
        )
    # pilots: a gate no county passes
    crit = d / "i20_criteria_gate_all.yaml"
    crit.write_text(
        "method: direct\ncriteria:\n  - {id: a, column: a, direction: benefit, weight: 1}\n"
        "gates:\n  - {id: big, column: a, op: '>=', value: 100}\n",
        encoding="utf-8",
    )
    codes = ["330602", "330603", "330604", "330681", "330683", "330624"]
    pd.DataFrame({"code": codes, "a": [1.0, 2, 3, 4, 5, 6]}).to_csv(d / "i20_values.csv", index=False)
    cases.append(
        Case(
            "i20_pilots_gate_removes_all",
            [
                "pilots",
                "select",
                "--level",
                "county",
                "--n",
                "1",
                "--values",
                str(d / "i20_values.csv"),
                "--criteria",
                str(crit),
                "--no-irreplaceability",
                "-o",
                str(out / "x.csv"),
            ],
            "the gates remove all 6 of county candidates",
        )
    )
    # BD-09 lon/lat (Baidu): checked after the conversion (the bounds are a test_crs.py figure)
    pd.DataFrame({"name": ["a"], "lon": [120.58], "lat": [30.0]}).to_csv(d / "i20_bd09.csv", index=False)
    cases.append(Case("i20_check_bd09", ["check", str(d / "i20_bd09.csv"), "--crs", "bd09"]))
    return cases


def make_corpus(folder: str | Path) -> list[Case]:
    """Write the corpus files into *folder* and return the cases (outputs go to ``folder/out``).

    Parameters
    ----------
    folder : str or pathlib.Path
        An empty folder.

    Returns
    -------
    list of Case
    """
    import warnings

    d = Path(folder)
    out = d / "out"
    out.mkdir(parents=True, exist_ok=True)
    x0, y0 = _centre()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the NaN-coordinate polygon; shapefile field names
        return [
            *_landcover_cases(d, out, x0, y0),
            *_vector_cases(d, out, x0, y0),
            *_table_cases(d, out, x0, y0),
            *_issue20_raster_cases(d, out, x0, y0),  # issue-20-raster
            *_issue20_tables_cases(d, out),  # branch issue-20-tables
            *_issue20_inputs_cases(d, out, x0, y0),  # branch issue-20-inputs
        ]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("corpus")
    for case in make_corpus(target):
        outcome = f"refused: {case.refusal}" if case.refusal else "ok"
        print(f"{case.name}: {outcome}  sxgeo {' '.join(case.argv)}")
