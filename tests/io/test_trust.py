"""Trust on real files: numbers, flags, sheets and rasters the way offices send them (issue 10).

Every expected figure is counted by hand from the inputs built here (pixels × 0.09 ha, boxes).
"""

from __future__ import annotations

import logging
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from sxgeo import crs as sxcrs
from sxgeo.carbon import landcover, wetlands
from sxgeo.errors import LayerError, SchemaError
from sxgeo.io import read_table
from sxgeo.params import parse_flags, parse_numbers
from sxgeo.zonal import NODATA_CLASS, raster_zone_counts

X0, Y0 = 500_000.0, 3_320_000.0
PIXEL_HA = 0.09  # 30 m pixels


def fake_counties() -> gpd.GeoDataFrame:
    codes = ["330602", "330603", "330604", "330681", "330683", "330624"]
    boxes = [shapely.box(X0 + 3000 * i, Y0, X0 + 3000 * (i + 1), Y0 + 3000) for i in range(6)]
    return gpd.GeoDataFrame({"adcode": codes}, geometry=boxes, crs=sxcrs.METRIC)


def write_raster(path, arr, *, nodata=None):
    profile = {"driver": "GTiff", "count": 1, "dtype": str(arr.dtype), "crs": "EPSG:4549", "nodata": nodata}
    transform = from_origin(X0, Y0 + 3000, 30.0, 30.0)
    with rasterio.open(
        path, "w", width=arr.shape[1], height=arr.shape[0], transform=transform, **profile
    ) as d:
        d.write(arr, 1)
    return path


POOLS = pd.DataFrame(
    {
        "lucode": [1, 2, 3],
        "kind": ["forest", "crop", "built"],
        "c_above": [20.0, 2.0, 0.0],
        "c_below": [5.0, 1.0, 0.0],
        "c_soil": [100.0, 44.0, 20.0],
        "c_dead": [3.0, 0.0, 0.0],
    }
)


# --- numbers in tables -------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["90,0", "n/a", "约19.5", "12 t", "NA", "-"])
def test_text_in_a_pools_number_column_is_refused_naming_file_row_column(tmp_path, bad):
    path = tmp_path / "pools.csv"
    rows = POOLS.astype(object)
    rows.loc[1, "c_soil"] = bad
    rows.to_csv(path, index=False)
    with pytest.raises(SchemaError, match=r"pools\.csv: row 3 column c_soil: .* is not a number"):
        landcover.check_pools(read_table(path))


def test_full_width_digits_are_read_and_said(tmp_path, caplog):
    path = tmp_path / "pools.csv"
    rows = POOLS.astype(object)
    rows.loc[0, "c_soil"] = "４４"
    rows.to_csv(path, index=False)
    with caplog.at_level(logging.WARNING):
        pools = landcover.check_pools(read_table(path))
    assert pools.loc[1, "c_soil"] == 44.0
    assert "full-width" in caplog.text and "row 2" in caplog.text


def test_blank_pool_cell_is_zero_but_blank_lucode_is_refused(tmp_path):
    rows = POOLS.astype(object)
    rows.loc[2, "c_dead"] = ""
    path = tmp_path / "p.csv"
    rows.to_csv(path, index=False)
    assert landcover.check_pools(read_table(path)).loc[3, "c_dead"] == 0.0
    rows.loc[2, "lucode"] = ""
    rows.to_csv(path, index=False)
    with pytest.raises(SchemaError, match="row 4 column lucode is blank"):
        landcover.check_pools(read_table(path))


def test_text_lucode_and_duplicate_lucode_are_refused():
    with pytest.raises(SchemaError, match="column lucode: 'forest' is not a number"):
        landcover.check_pools(POOLS.assign(lucode=["forest", 2, 3]))
    with pytest.raises(SchemaError, match=r"class codes \[2\] appear on more than one row"):
        landcover.check_pools(POOLS.assign(lucode=[2, 2, 3]))
    with pytest.raises(SchemaError, match="not a class code"):
        landcover.check_pools(POOLS.assign(lucode=[1.5, 2, 3]))


def test_targets_override_with_text_is_refused(tmp_path):
    from sxgeo.admin import load_targets

    path = tmp_path / "targets.csv"
    pd.DataFrame(
        {"indicator": ["forest_cover"], "unit_code": ["330600"], "value": ["约56"], "kind": ["expected"]}
    ).to_csv(path, index=False)
    with pytest.raises(SchemaError, match=r"targets\.csv: row 2 column value: '约56' is not a number"):
        load_targets(path)


def test_factor_table_with_text_is_refused():
    from sxgeo.carbon import stands
    from sxgeo.data import read_param_table

    t = read_param_table("carbon_forest_types.csv").astype({"soil_tc_ha": object})
    t.loc[0, "soil_tc_ha"] = "98,96"
    with pytest.raises(SchemaError, match="row 2 column soil_tc_ha: '98,96'"):
        stands.forest_factors(t)


def test_parse_numbers_reads_plain_numbers_exactly():
    df = pd.DataFrame({"a": ["1.5", " 2 ", 3, "", "1e-6", "-4"]})
    got = parse_numbers(df, ["a"], source="t.csv", blank=0.0)["a"].tolist()
    assert got == [1.5, 2.0, 3.0, 0.0, 1e-6, -4.0]


# --- yes/no flags ------------------------------------------------------------------------------


def test_flags_accept_the_usual_spellings_and_refuse_others():
    yes = ["是", "Y", "yes", "TRUE", "1", 1, 1.0, True, "已保护", "ｙｅｓ"]
    no = ["否", "n", "No", "false", "0", 0, 0.0, False, "未保护", None, ""]
    assert parse_flags(yes).all()
    assert not parse_flags(no).any()
    with pytest.raises(SchemaError, match="row 4 column protected: 'maybe' is not a yes/no value"):
        parse_flags(["是", "否", "maybe"], source="w.gpkg", column="protected")
    with pytest.raises(SchemaError, match="'2'"):
        parse_flags(["2"])


def test_wetland_marked_fou_is_not_protected():
    counties = fake_counties()
    w = gpd.GeoDataFrame(
        {"wetland_type": ["lake_reservoir", "lake_reservoir"], "protected": ["是", "否"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 1000, Y0 + 1000),
            shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000),
        ],
        crs=sxcrs.METRIC,
    )
    per, _ = wetlands.wetland_summary(w, counties)
    row = per.set_index("unit_code").loc["330602"]
    assert row["wetland_area_ha"] == pytest.approx(200.0)
    assert row["protected_area_ha"] == pytest.approx(100.0)
    assert row["protection_rate_pct"] == pytest.approx(50.0)
    w["protected"] = ["是", "unknown"]
    with pytest.raises(SchemaError, match="'unknown' is not a yes/no value"):
        wetlands.wetland_summary(w, counties)


# --- Excel workbooks with several sheets -------------------------------------------------------


def test_workbook_with_several_sheets_is_refused_unless_one_is_named(tmp_path):
    path = tmp_path / "pools.xlsx"
    with pd.ExcelWriter(path) as xl:
        POOLS.to_excel(xl, sheet_name="old", index=False)
        POOLS.assign(c_soil=[1.0, 2.0, 3.0]).to_excel(xl, sheet_name="2025", index=False)
    with pytest.raises(LayerError, match=r"2 sheets with data \['old', '2025'\]"):
        read_table(path)
    assert read_table(path, sheet="2025")["c_soil"].tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(LayerError, match="no sheet 'x'"):
        read_table(path, sheet="x")


def test_workbook_with_one_filled_sheet_reads_it(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "empty"
    ws = wb.create_sheet("data")
    ws.append(["lucode", "c_above"])
    ws.append([1, 5])
    wb.save(tmp_path / "one.xlsx")
    assert read_table(tmp_path / "one.xlsx")["c_above"].tolist() == [5]


def test_point_workbook_with_several_sheets_is_refused(tmp_path):
    from sxgeo.io import read_layer

    path = tmp_path / "pts.xlsx"
    pts = pd.DataFrame({"lon": [120.58], "lat": [30.0]})
    with pd.ExcelWriter(path) as xl:
        pts.to_excel(xl, sheet_name="a", index=False)
        pts.to_excel(xl, sheet_name="b", index=False)
    with pytest.raises(LayerError, match="sheets with data"):
        read_layer(path, crs=4326)
    gdf, _ = read_layer(path, crs=4326, layer="b")
    assert len(gdf) == 1


# --- land-cover rasters: nodata, coverage, wide codes ------------------------------------------


def _stock(path):
    pools = landcover.check_pools(POOLS)
    with rasterio.open(path) as src:
        counts = raster_zone_counts(src, fake_counties())
    return landcover.stock_by_county(counts, pools, fake_counties())


def _holey(dtype, nodata):
    arr = np.full((100, 600), 1, dtype=dtype)
    arr[:, 100:] = 2  # 越城 (columns 0-99) forest, the rest paddy
    arr[0:10, 0:50] = nodata  # 500 nodata pixels inside 越城
    return arr


@pytest.mark.parametrize(
    ("dtype", "nodata"),
    [("uint8", 255), ("uint8", 0), ("uint16", 65535), ("int16", -9999), ("float32", -9999.0), ("int32", -1)],
)
def test_nodata_pixels_are_never_land(tmp_path, dtype, nodata):
    path = write_raster(tmp_path / "lc.tif", _holey(dtype, nodata), nodata=nodata)
    per, by_class = _stock(path)
    yc = per.set_index("unit_code").loc["330602"]
    assert yc["area_ha"] == pytest.approx((10_000 - 500) * PIXEL_HA)
    assert yc["stock_tc"] == pytest.approx((10_000 - 500) * PIXEL_HA * 28)
    assert yc["density_tc_ha"] == pytest.approx(28.0)  # not diluted by the hole
    assert yc["valid_share_pct"] == pytest.approx(95.0)
    assert per.set_index("unit_code").loc["330603", "valid_share_pct"] == pytest.approx(100.0)
    assert not (by_class["class"] == NODATA_CLASS).any()


def test_float_codes_must_be_whole(tmp_path):
    arr = _holey("float32", -9999.0)
    arr[50, 50] = 1.5
    path = write_raster(tmp_path / "f.tif", arr, nodata=-9999.0)
    with pytest.raises(LayerError, match="whole numbers, found 1.5"):
        _stock(path)


def test_classes_above_255_are_counted(tmp_path):
    arr = np.full((100, 600), 2, dtype=np.uint16)
    arr[:, :100] = 300
    path = write_raster(tmp_path / "w.tif", arr)
    pools = landcover.check_pools(POOLS.assign(lucode=[300, 2, 3]))
    with rasterio.open(path) as src:
        counts = raster_zone_counts(src, fake_counties())
    per, _ = landcover.stock_by_county(counts, pools, fake_counties())
    assert per.set_index("unit_code").loc["330602", "stock_tc"] == pytest.approx(10_000 * PIXEL_HA * 28)


def test_raster_over_half_the_city_keeps_every_county_with_its_share(tmp_path, caplog):
    arr = np.full((100, 300), 1, dtype=np.uint8)  # only the western 9 km: three counties
    profile = {"driver": "GTiff", "count": 1, "dtype": "uint8", "crs": "EPSG:4549", "nodata": 0}
    with rasterio.open(
        tmp_path / "half.tif",
        "w",
        width=300,
        height=100,
        transform=from_origin(X0, Y0 + 3000, 30, 30),
        **profile,
    ) as d:
        d.write(arr, 1)
    with caplog.at_level(logging.WARNING):
        per, _ = _stock(tmp_path / "half.tif")
    p = per.set_index("unit_code")
    assert list(per["unit_code"][:6]) == ["330602", "330603", "330604", "330681", "330683", "330624"]
    assert p.loc["330602", "valid_share_pct"] == pytest.approx(100.0)
    assert p.loc["330681", "valid_share_pct"] == 0.0 and p.loc["330681", "area_ha"] == 0.0
    assert p.loc["330600", "valid_share_pct"] == pytest.approx(50.0)
    assert "330681 0.0%" in caplog.text


def test_class_zero_with_pools_is_land_and_total_change_matches_invest_rule(tmp_path):
    # no nodata tag; class 0 is water in the pools table: it must count, in both stocks and the change
    pools = landcover.check_pools(
        pd.concat(
            [
                POOLS,
                pd.DataFrame(
                    {
                        "lucode": [0],
                        "kind": ["water"],
                        "c_above": [0.0],
                        "c_below": [0.0],
                        "c_soil": [10.0],
                        "c_dead": [0.0],
                    }
                ),
            ]
        )
    )
    before = np.full((100, 600), 0, dtype=np.uint8)  # all water
    after = before.copy()
    after[:10, :100] = 1  # 1,000 pixels water -> forest in 越城
    a = write_raster(tmp_path / "a.tif", before)
    b = write_raster(tmp_path / "b.tif", after)
    with rasterio.open(a) as ra, rasterio.open(b) as rb:
        pairs = raster_zone_counts(ra, fake_counties(), other=rb)
    sums, _ = landcover.change_by_county(pairs, pools, fake_counties(), years=5)
    s = sums.set_index("unit_code").loc["330600"]
    assert s["change_tc"] == pytest.approx(1000 * PIXEL_HA * 28)
    assert s["soil_change_tc"] == pytest.approx(1000 * PIXEL_HA * (100 - 10))
    assert s["total_change_tc"] == pytest.approx(1000 * PIXEL_HA * (28 + 90))
    assert s["valid_share_pct"] == pytest.approx(100.0)
    # the change in total equals the difference of the two total stocks (InVEST's c_change)
    per_a, _ = _stock_with(a, pools)
    per_b, _ = _stock_with(b, pools)
    diff = per_b.set_index("unit_code")["total_tc"] - per_a.set_index("unit_code")["total_tc"]
    assert s["total_change_tc"] == pytest.approx(diff["330600"])


def test_change_skips_pixels_nodata_in_either_map(tmp_path):
    before = np.full((100, 600), 1, dtype=np.uint8)
    after = np.full((100, 600), 3, dtype=np.uint8)
    after[:, :100] = 255  # 越城 has no later data
    a = write_raster(tmp_path / "a.tif", before, nodata=255)
    b = write_raster(tmp_path / "b.tif", after, nodata=255)
    with rasterio.open(a) as ra, rasterio.open(b) as rb:
        pairs = raster_zone_counts(ra, fake_counties(), other=rb)
    sums, _ = landcover.change_by_county(pairs, landcover.check_pools(POOLS), fake_counties(), years=5)
    s = sums.set_index("unit_code")
    assert s.loc["330602", "change_tc"] == 0.0 and s.loc["330602", "valid_share_pct"] == 0.0
    assert s.loc["330600", "change_tc"] == pytest.approx(-50_000 * PIXEL_HA * 28)


def _stock_with(path, pools):
    with rasterio.open(path) as src:
        counts = raster_zone_counts(src, fake_counties())
    return landcover.stock_by_county(counts, pools, fake_counties())


# --- duplicates, repairs, non-finite coordinates -----------------------------------------------


def _write_layer(tmp_path, gdf, name="l.gpkg"):
    path = tmp_path / name
    gdf.to_file(path, driver="GPKG")
    return path


def _wetland_boxes():
    a = shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)
    b = shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)
    return gpd.GeoDataFrame(
        {"wetland_type": ["lake_reservoir"] * 3, "protected": ["是", "是", "否"]},
        geometry=[a, a, b],
        crs=sxcrs.METRIC,
    )


def test_duplicate_features_are_counted_once_and_named(tmp_path):
    from sxgeo.io import read_layer

    path = _write_layer(tmp_path, _wetland_boxes())
    gdf, report = read_layer(path, check_extent=False)
    assert list(gdf.index) == [0, 2]
    assert [(n.row, n.reason.split(" (")[0]) for n in report.excluded] == [(1, "duplicate of row 0")]
    per, _ = wetlands.wetland_summary(gdf, fake_counties())
    assert per.set_index("unit_code").loc["330602", "wetland_area_ha"] == pytest.approx(200.0)
    with pytest.raises(LayerError, match=r"duplicate features .* rows 1 \(= row 0\)"):
        read_layer(path, check_extent=False, duplicates="refuse")
    kept, _ = read_layer(path, check_extent=False, duplicates="keep")
    assert len(kept) == 3


def test_strict_mode_refuses_duplicates(tmp_path):
    from sxgeo.io import read_layer
    from sxgeo.io.validate import strict

    path = _write_layer(tmp_path, _wetland_boxes())
    with strict(), pytest.raises(LayerError, match="strict mode"):
        read_layer(path, check_extent=False)


def test_same_geometry_other_attributes_is_kept_with_a_warning(tmp_path):
    from sxgeo.io import read_layer

    g = _wetland_boxes()
    g.loc[1, "protected"] = "否"
    gdf, report = read_layer(_write_layer(tmp_path, g), check_extent=False)
    assert len(gdf) == 3
    assert any("identical geometry but different attributes (rows 0, 1)" in w for w in report.warnings)


def test_repair_that_changes_area_says_by_how_much(tmp_path):
    from sxgeo.io import read_layer

    # a bow-tie with lobes of 1.333 and 0.333 km2: ring area 1.0 km2, repaired 1.667 km2 (+66.7%)
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 2000, Y0 + 1000), (X0 + 2000, Y0), (X0, Y0 + 2000), (X0, Y0)])
    square = shapely.box(X0 + 3000, Y0, X0 + 4000, Y0 + 1000)
    g = gpd.GeoDataFrame({"n": [1, 2]}, geometry=[bowtie, square], crs=sxcrs.METRIC)
    _, report = read_layer(_write_layer(tmp_path, g), check_extent=False)
    (note,) = report.repaired
    assert note.row == 0 and "area changed by" in note.reason
    assert bowtie.area == pytest.approx(1e6)
    assert shapely.make_valid(bowtie).area == pytest.approx(1e6 * 5 / 3)
    assert "+66.7%" in note.reason


def test_repair_of_a_symmetric_bow_tie_says_the_area_was_zero(tmp_path):
    """Equal lobes cancel: GEOS measures the ring as 0 m2; the note says so instead of '+inf%'."""
    from sxgeo.io import read_layer

    bowtie = shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100), (X0, Y0)])
    assert bowtie.area == 0
    g = gpd.GeoDataFrame({"n": [1]}, geometry=[bowtie], crs=sxcrs.METRIC)
    _, report = read_layer(_write_layer(tmp_path, g), check_extent=False)
    (note,) = report.repaired
    assert "area was 0 (the outline crosses itself, its parts cancel) (0 -> 5000" in note.reason
    assert "inf" not in note.reason and not any("inf" in w for w in report.warnings)


def test_nan_coordinates_are_excluded_not_a_traceback(tmp_path):
    from sxgeo.io import read_layer

    good = shapely.box(X0, Y0, X0 + 100, Y0 + 100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        bad = shapely.Polygon([(X0, Y0), (float("nan"), Y0), (X0 + 100, Y0 + 100), (X0, Y0)])
    g = gpd.GeoDataFrame({"n": [1, 2]}, geometry=[good, bad], crs=sxcrs.METRIC)
    gdf, report = read_layer(_write_layer(tmp_path, g), check_extent=False)
    assert list(gdf.index) == [0]
    assert report.excluded[0].row == 1 and "NaN or infinite" in report.excluded[0].reason


# --- encodings ---------------------------------------------------------------------------------


def test_csv_whose_chinese_starts_after_the_first_megabyte(tmp_path):
    from sxgeo.io import read_layer

    path = tmp_path / "late.csv"
    rows = ["name,lon,lat"] + [f"p{i},120.58,30.0" for i in range(80_000)]  # ~1.3 MB of ASCII
    rows.append("绍兴站,120.59,30.01")
    path.write_bytes("\n".join(rows).encode("gb18030"))
    gdf, report = read_layer(path, crs=4326)
    assert report.encoding == "GB18030"
    assert gdf["name"].iloc[-1] == "绍兴站"


def test_csv_mixing_encodings_names_the_line(tmp_path):
    from sxgeo.io import read_layer

    path = tmp_path / "mixed.csv"
    text = b"name,lon,lat\n" + "绍兴,120.58,30.0\n".encode() + "柯桥,120.5,30.1\n".encode("gb18030")
    path.write_bytes(text + b"\xff\xfe,120.5,30.1\n")
    with pytest.raises(LayerError, match="line 4 is neither UTF-8 nor GB18030"):
        read_layer(path, crs=4326)


def test_bom_is_stripped_when_utf8_is_given(tmp_path):
    from sxgeo.io import read_layer

    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "lon,lat,名称\n120.58,30.0,越城\n".encode())
    gdf, _ = read_layer(path, crs=4326, encoding="utf-8")
    assert "lon" in gdf.columns and gdf["名称"].tolist() == ["越城"]


def test_dbf_mixing_gbk_and_utf8_rows_names_them(tmp_path):
    import struct

    from sxgeo.io import read_layer

    g = gpd.GeoDataFrame(
        {"name": ["越城区", "柯桥区", "上虞区"]}, geometry=[shapely.Point(120.58, 30.0)] * 3, crs=4326
    )
    path = tmp_path / "mixed.shp"
    g.to_file(path, encoding="gb18030")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = path.with_suffix(".dbf")
    raw = bytearray(dbf.read_bytes())
    header_len, record_len = struct.unpack("<HH", raw[8:12])
    # record 1 re-written in UTF-8 (as a second program would), padded to the field width
    start = header_len + record_len * 1 + 1
    width = record_len - 1
    field = "柯桥区".encode().ljust(width, b" ")[:width]
    raw[start : start + width] = field
    dbf.write_bytes(bytes(raw))
    _, report = read_layer(path, duplicates="keep")
    assert any("rows do not read as GB18030 (rows 1)" in w for w in report.warnings), report.warnings


def test_nul_bytes_in_attributes_are_removed_and_reported_and_xlsx_survives(tmp_path):
    from openpyxl import load_workbook

    from sxgeo.io import read_layer, write_workbook

    g = gpd.GeoDataFrame(
        {"name": ["越城\x00\x00", "ok"]},
        geometry=[shapely.Point(120.58, 30.0), shapely.Point(120.6, 30.0)],
        crs=4326,
    )
    path = tmp_path / "nul.parquet"  # GDAL formats end text at a NUL; Parquet keeps it
    g.to_parquet(path)
    gdf, report = read_layer(path)
    assert gdf["name"].tolist() == ["越城", "ok"]
    assert any("NUL bytes removed from the text of 1 rows (0)" in w for w in report.warnings)
    write_workbook({"t": pd.DataFrame({"name": ["a\x00b\x07"]})}, tmp_path / "t.xlsx")
    assert load_workbook(tmp_path / "t.xlsx")["t English"]["A2"].value == "ab"


@pytest.mark.parametrize(
    ("dtype", "nodata"), [("uint16", 65535), ("int16", -9999), ("float32", float("nan"))]
)
def test_wide_nodata_is_not_class_zero_when_zero_is_land(tmp_path, dtype, nodata):
    # class 0 is water with pools: a nodata pixel must never be counted as it
    pools = landcover.check_pools(
        pd.concat(
            [
                POOLS,
                pd.DataFrame(
                    {"lucode": [0], "c_above": [1.0], "c_below": [0.0], "c_soil": [0.0], "c_dead": [0.0]}
                ),
            ]
        )
    )
    arr = _holey(dtype, nodata)
    arr[50:60, 0:10] = 0  # 100 water pixels in 越城
    path = write_raster(tmp_path / "w.tif", arr, nodata=nodata)
    with rasterio.open(path) as src:
        counts = raster_zone_counts(src, fake_counties())
    assert counts.loc[counts["class"] == NODATA_CLASS, "pixels"].sum() == 500
    per, by_class = landcover.stock_by_county(counts, pools, fake_counties())
    water = by_class[(by_class["unit_code"] == "330602") & (by_class["class"] == 0)]
    assert water["area_ha"].item() == pytest.approx(100 * PIXEL_HA)
    assert per.set_index("unit_code").loc["330602", "area_ha"] == pytest.approx(9500 * PIXEL_HA)
