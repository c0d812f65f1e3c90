"""read_layer on what planners really send, every case built from scratch in a temp folder."""

from __future__ import annotations

import importlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from sxgeo import crs as sxcrs
from sxgeo.errors import CoordinateError, CRSError, LayerError, OutputError, SchemaError
from sxgeo.io import detect_encoding, read_layer, write_table
from sxgeo.io.columns import find_column

# two points in Shaoxing (越城, 柯桥 county seats) [deg]
LONLAT = [(120.582, 30.000), (120.493, 30.082)]
BOWTIE = shapely.Polygon(
    [(120.50, 30.00), (120.52, 30.02), (120.52, 30.00), (120.50, 30.02), (120.50, 30.00)]
)


def _points(crs: object = 4326, **cols: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=[shapely.Point(x, y) for x, y in LONLAT], crs=crs)


def make_gbk_shapefile_without_cpg(folder: Path) -> Path:
    """A GBK-encoded shapefile as Chinese desktop GIS exports it: no .cpg, codepage byte 0."""
    path = folder / "试点.shp"
    gdf = _points(名称=["越城区西小路社区", "柯桥区海绵公园"], 类型=["社区", "公园"])
    pyogrio.write_dataframe(gdf, path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    with path.with_suffix(".dbf").open("r+b") as fh:
        fh.seek(29)
        fh.write(b"\x00")
    return path


def test_gbk_shapefile_without_cpg_is_decoded(tmp_path):
    path = make_gbk_shapefile_without_cpg(tmp_path)
    # what GDAL alone makes of it: mojibake (so this test can fail)
    assert "名称" not in pyogrio.read_dataframe(path).columns
    gdf, report = read_layer(path)
    assert list(gdf.columns) == ["名称", "类型", "geometry"]
    assert gdf["名称"].tolist() == ["越城区西小路社区", "柯桥区海绵公园"]
    assert report.encoding == "GB18030"
    assert report.encoding_source == "detected (no .cpg)"


def test_cpg_that_contradicts_the_data_is_overruled_with_a_warning(tmp_path):
    path = make_gbk_shapefile_without_cpg(tmp_path)
    path.with_suffix(".cpg").write_text("UTF-8", encoding="ascii")
    gdf, report = read_layer(path)
    assert gdf["类型"].tolist() == ["社区", "公园"]
    assert any("do not decode" in w for w in report.warnings)


def test_utf8_shapefile_with_cpg_is_read_as_declared(tmp_path):
    path = tmp_path / "u.shp"
    pyogrio.write_dataframe(_points(名称=["新昌县", "小将镇"]), path, encoding="UTF-8")
    gdf, report = read_layer(path)
    assert gdf["名称"].tolist() == ["新昌县", "小将镇"]
    assert report.encoding_source == ".cpg"


def test_detect_encoding():
    assert detect_encoding(b"abc") is None
    assert detect_encoding("绍兴".encode()) == "UTF-8"
    assert detect_encoding("绍兴市越城区".encode("gbk")) == "GB18030"


def test_shapefile_without_prj_raises_and_names_file_and_fix(tmp_path):
    path = tmp_path / "noprj.shp"
    pyogrio.write_dataframe(_points(id=[1, 2]), path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(CRSError) as err:
        read_layer(path)
    assert "noprj.shp has no CRS" in str(err.value)
    assert "crs=4326" in str(err.value)
    gdf, report = read_layer(path, crs=4326)
    assert gdf.crs.to_epsg() == 4326
    assert report.crs_source == "argument"


def test_csv_with_chinese_columns_in_gbk(tmp_path):
    path = tmp_path / "villages.csv"
    df = pd.DataFrame({"村名": ["里小将村", "西小路社区"], "经度": [120.90, 120.582], "纬度": [29.45, 30.0]})
    df.to_csv(path, index=False, encoding="gbk")
    with pytest.raises(CRSError, match="villages.csv has no CRS"):
        read_layer(path)
    gdf, report = read_layer(path, crs=4326)
    assert gdf["村名"].tolist() == ["里小将村", "西小路社区"]
    assert gdf.geometry.x.tolist() == [120.90, 120.582]
    assert report.encoding == "GB18030"


def test_swapped_lon_lat_is_named(tmp_path):
    path = tmp_path / "swapped.csv"
    pd.DataFrame({"lon": [30.0, 30.08], "lat": [120.58, 120.49]}).to_csv(path, index=False)
    with pytest.raises(CoordinateError, match="swapped"):
        read_layer(path, crs=4326)
    gdf, _ = read_layer(path, crs=4326, lon="lat", lat="lon")
    assert gdf.geometry.x.round(2).tolist() == [120.58, 120.49]
    gdf, _ = read_layer(path, crs=4326, swap_xy=True)
    assert gdf.geometry.y.round(2).tolist() == [30.0, 30.08]


def test_metres_labelled_as_degrees(tmp_path):
    path = tmp_path / "metres.geojson"
    metric = _points().to_crs(sxcrs.METRIC)
    metric.set_crs(4326, allow_override=True).to_file(path)
    with pytest.raises(CoordinateError, match="look like metres"):
        read_layer(path)
    gdf, _ = read_layer(path, crs=4549)
    assert gdf.to_crs(4326).geometry.x.round(3).tolist() == [120.582, 120.493]


def test_degrees_labelled_as_metres(tmp_path):
    path = tmp_path / "degrees.gpkg"
    _points().set_crs(sxcrs.METRIC, allow_override=True).to_file(path)
    with pytest.raises(CoordinateError, match="look like degrees"):
        read_layer(path)


def test_layer_nowhere_near_shaoxing(tmp_path):
    path = tmp_path / "beijing.geojson"
    gpd.GeoDataFrame(geometry=[shapely.Point(116.4, 39.9)], crs=4326).to_file(path)
    with pytest.raises(CoordinateError, match="nowhere near Shaoxing"):
        read_layer(path)
    gdf, _ = read_layer(path, check_extent=False)
    assert len(gdf) == 1


def test_zone_prefixed_gauss_kruger_gets_a_hint(tmp_path):
    path = tmp_path / "prefixed.gpkg"
    m = _points().to_crs(sxcrs.METRIC)
    m.geometry = shapely.transform(np.asarray(m.geometry.values), lambda c: c + np.array([40_000_000.0, 0.0]))
    m.to_file(path)
    with pytest.raises(CoordinateError, match="crs=4528"):
        read_layer(path)
    gdf, _ = read_layer(path, crs=4528)  # CGCS2000 / 3-degree GK zone 40, the same place
    assert gdf.to_crs(4326).geometry.x.round(3).tolist() == [120.582, 120.493]


def test_bowtie_is_repaired_and_reported(tmp_path):
    path = tmp_path / "bowtie.geojson"
    gpd.GeoDataFrame(
        {"name": ["ok", "bowtie"]}, geometry=[shapely.box(120.5, 30, 120.51, 30.01), BOWTIE], crs=4326
    ).to_file(path)
    gdf, report = read_layer(path)
    assert gdf.is_valid.all()
    assert [n.row for n in report.repaired] == [1]
    assert "Self-intersection" in report.repaired[0].reason
    # the repaired bow-tie is its two triangles: half the 0.02 x 0.02 deg box
    half_box = (
        gpd.GeoSeries([shapely.box(120.50, 30.00, 120.52, 30.02)], crs=4326).to_crs(sxcrs.METRIC).area[0] / 2
    )
    repaired_area = sxcrs.area_m2(sxcrs.to_metric(gdf.iloc[[1]]))[0]
    assert repaired_area == pytest.approx(half_box, rel=1e-3)
    with pytest.raises(LayerError, match="invalid geometries"):
        read_layer(path, repair=False)


def test_empty_layer_is_an_error(tmp_path):
    path = tmp_path / "empty.gpkg"
    gpd.GeoDataFrame({"name": pd.Series([], dtype=str)}, geometry=[], crs=4326).to_file(path)
    with pytest.raises(LayerError, match="no features"):
        read_layer(path)


def test_null_and_empty_geometries_are_excluded_and_named(tmp_path):
    path = tmp_path / "holes.gpkg"
    geoms = [shapely.Point(120.58, 30.0), None, shapely.Polygon(), shapely.Point(120.49, 30.08)]
    gpd.GeoDataFrame({"id": [10, 11, 12, 13]}, geometry=geoms, crs=4326).to_file(path)
    gdf, report = read_layer(path, geometry_type="point")
    assert gdf["id"].tolist() == [10, 13]
    assert gdf.index.tolist() == [0, 3]  # file feature numbers survive
    assert {n.row: n.reason for n in report.excluded} == {1: "null geometry", 2: "empty geometry"}
    assert report.features_read == 4 and report.features == 2


def test_only_null_geometries_is_an_error(tmp_path):
    path = tmp_path / "nulls.csv"
    pd.DataFrame({"lon": ["", "n/a"], "lat": [None, "x"]}).to_csv(path, index=False)
    with pytest.raises(LayerError, match="no usable features"):
        read_layer(path, crs=4326)


def test_mixed_geometry_types_keep_the_majority_and_report_the_rest(tmp_path):
    path = tmp_path / "mixed.gpkg"
    geoms = [
        shapely.box(120.50, 30.0, 120.51, 30.01),
        shapely.box(120.52, 30.0, 120.53, 30.01),
        shapely.Point(120.55, 30.0),
    ]
    gpd.GeoDataFrame({"k": [1, 2, 3]}, geometry=geoms, crs=4326).to_file(path)
    gdf, report = read_layer(path)
    assert gdf["k"].tolist() == [1, 2]
    assert len(report.excluded) == 1
    assert report.excluded[0].row == 2
    assert "Point in a polygon layer" in report.excluded[0].reason
    pts, _ = read_layer(path, geometry_type="point")
    assert pts["k"].tolist() == [3]


def test_duplicate_vertices_are_removed_and_counted(tmp_path):
    path = tmp_path / "dups.geojson"
    ring = [(120.5, 30.0), (120.51, 30.0), (120.51, 30.0), (120.51, 30.01), (120.5, 30.01), (120.5, 30.0)]
    gpd.GeoDataFrame(geometry=[shapely.Polygon(ring)], crs=4326).to_file(path)
    gdf, report = read_layer(path)
    assert shapely.get_num_coordinates(gdf.geometry.iloc[0]) == 5
    assert report.repaired[0].reason == "1 duplicate vertices removed"


def test_zero_zero_rows_are_excluded(tmp_path):
    path = tmp_path / "zeros.csv"
    pd.DataFrame({"x": [120.58, 0.0, 120.49], "y": [30.0, 0.0, 30.08]}).to_csv(path, index=False)
    gdf, report = read_layer(path, crs=4326)
    assert gdf.index.tolist() == [0, 2]
    assert report.excluded[0].row == 1
    assert "(0, 0)" in report.excluded[0].reason


def test_gcj02_input_is_converted_to_wgs84(tmp_path):
    path = tmp_path / "amap.csv"
    glon, glat = sxcrs.wgs84_to_gcj02([120.582], [30.0])
    pd.DataFrame({"lng": glon, "lat": glat}).to_csv(path, index=False)
    gdf, report = read_layer(path, crs="gcj02")
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.x.iloc[0] == pytest.approx(120.582, abs=1e-9)
    assert gdf.geometry.y.iloc[0] == pytest.approx(30.0, abs=1e-9)
    assert "converted from GCJ-02" in report.crs_source


def test_excel_point_table(tmp_path):
    path = tmp_path / "pilots.xlsx"
    pd.DataFrame({"名称": ["小将镇"], "Longitude": [120.95], "Latitude": [29.43]}).to_excel(path, index=False)
    gdf, _ = read_layer(path, crs=4326)
    assert gdf["名称"].tolist() == ["小将镇"]
    with pytest.raises(LayerError, match="no sheet .nope."):
        read_layer(path, crs=4326, layer="nope")


def test_point_table_without_coordinate_columns(tmp_path):
    path = tmp_path / "nocoords.csv"
    pd.DataFrame({"name": ["a"], "value": [1]}).to_csv(path, index=False)
    with pytest.raises(LayerError, match="cannot find a longitude column"):
        read_layer(path, crs=4326)


def test_multilayer_geopackage_needs_a_layer_name(tmp_path):
    path = tmp_path / "two.gpkg"
    _points().to_file(path, layer="a")
    _points().to_file(path, layer="b")
    with pytest.raises(LayerError, match="layer='a'"):
        read_layer(path)
    gdf, report = read_layer(path, layer="b")
    assert len(gdf) == 2 and report.layer == "b"


@pytest.mark.parametrize("suffix", [".fgb", ".parquet", ".gpkg", ".geojson"])
def test_formats_round_trip(tmp_path, suffix):
    path = tmp_path / f"pts{suffix}"
    src = _points(name=["越城", "柯桥"])
    if suffix == ".parquet":
        src.to_parquet(path)
    else:
        src.to_file(path)
    gdf, report = read_layer(path)
    assert gdf["name"].tolist() == ["越城", "柯桥"]
    assert report.bounds_lonlat == pytest.approx((120.493, 30.0, 120.582, 30.082))


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(LayerError, match="no such file"):
        read_layer(tmp_path / "missing.shp")
    bad = tmp_path / "x.kml2"
    bad.write_text("x")
    with pytest.raises(LayerError, match="unknown layer format"):
        read_layer(bad)


def test_report_summary_lists_what_happened(tmp_path):
    path = make_gbk_shapefile_without_cpg(tmp_path)
    _, report = read_layer(path)
    text = str(report)
    assert "encoding: GB18030 (detected (no .cpg))" in text
    assert "features: 2 of 2 read" in text


def test_write_table_formats(tmp_path):
    df = pd.DataFrame({"unit_code": ["330602"], "unit_name": ["越城区"], "area_km2": [646.53]})
    csv = write_table(df, tmp_path / "t.csv", notes=["synthetic"])
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel needs the BOM for Chinese
    assert pd.read_csv(csv, dtype={"unit_code": str})["unit_name"].tolist() == ["越城区"]
    xlsx = write_table(
        df, tmp_path / "t.xlsx", labels_zh={"area_km2": "面积"}, notes=["SYNTHETIC"], sheet="t"
    )
    sheets = pd.read_excel(xlsx, sheet_name=None, dtype={"unit_code": str})
    assert list(sheets) == ["t 中文", "t English", "notes"]
    assert list(sheets["t 中文"].columns) == [
        "区划代码",
        "区划",
        "面积",
    ]  # sxgeo.labels.COLUMNS fills the headers a table leaves
    assert sheets["t English"]["area_km2"].tolist() == [646.53]
    assert sheets["t 中文"]["区划"].tolist() == ["越城区"]
    assert pd.read_excel(xlsx, sheet_name="notes", header=None).iloc[0, 0] == "SYNTHETIC"
    with pytest.raises(OutputError, match="GeoPackage needs geometry"):
        write_table(df, tmp_path / "t.gpkg")
    with pytest.raises(OutputError, match="unknown table format"):
        write_table(df, tmp_path / "t.txt")


# ---- issue-20-tables: codes and spreadsheets as Excel/WPS leave them ---------------------------------


def test_code_forms_that_identify_a_code_are_accepted():
    from sxgeo.io.codes import code_text

    assert code_text("330603001035") == "330603001035"
    assert code_text("'330603001035") == "330603001035"  # apostrophe typed to force text
    assert code_text("330600.0") == "330600"
    assert code_text(330603001035.0) == "330603001035"  # a number column: exact below 2**53
    assert code_text("３３０６０２") == "330602"  # full-width digits
    assert code_text('="330603001035"') == "330603001035"
    assert code_text("3.30603001035E+11") == "330603001035"  # every digit written
    assert code_text("3.30603E+11", lengths=(6,)) == "330603"  # a county: its six digits survive
    assert code_text("330603000000", lengths=(6,)) == "330603"  # the county's 12-digit statistical code
    assert code_text("越城区", names={"越城区": "330602"}) == "330602"


def test_code_forms_that_lost_digits_are_refused_naming_the_cell():
    from sxgeo.io.codes import code_column

    # 3.30603E+11 reads as 330603000000: six digits of the village code are gone
    with pytest.raises(
        SchemaError, match=r"v.csv: row 3 column code: '3.30603E\+11' lost its last 6 digits.*as text"
    ):
        code_column(["330603001035", "3.30603E+11"], source="v.csv", column="code")
    with pytest.raises(SchemaError, match=r"row 2 column code: '33060' has 5 digits"):
        code_column(["33060"], source="v.csv", column="code")
    with pytest.raises(SchemaError, match=r"row 2 column code: '萧山区' is not a code"):
        code_column(["萧山区"], source="v.csv", column="code", names={"越城区": "330602"})


def _workbook(
    path: Path, sheets: dict[str, list[list[object]]], merged: dict[str, list[str]] | None = None
) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        for rng in (merged or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def test_title_row_instructions_sheet_and_merged_county_cells(tmp_path, caplog):
    from sxgeo.io import read_sheet

    path = _workbook(
        tmp_path / "名单.xlsx",
        {
            "填表说明": [["请按县(市、区)填写"], ["代码请设为文本格式"]],
            "名单": [
                ["2024年低碳试点候选名单", None, None],
                ["县(市、区)", "乡镇(街道)", "村(社区)名称"],
                ["上虞区", "崧厦街道", "祝温村"],
                [None, "崧厦街道", "新塘村"],
                ["越城区", "塔山街道", "西小路社区"],
            ],
        },
        merged={"名单": ["A1:C1", "A3:A4"]},  # a title across the columns; 上虞区 written once for two rows
    )
    with caplog.at_level("INFO"):
        t = read_sheet(path)
    assert list(t.columns) == ["县(市、区)", "乡镇(街道)", "村(社区)名称"]
    assert t["县(市、区)"].tolist() == ["上虞区", "上虞区", "越城区"]
    assert t["村(社区)名称"].tolist() == ["祝温村", "新塘村", "西小路社区"]
    assert "merged cells A3:A4 filled down" in caplog.text
    assert "header on row 2" in caplog.text
    from sxgeo.params import sheet_rows

    assert sheet_rows(t) == [3, 4, 5]  # the rows Excel shows


def test_parameter_parsers_live_in_params_and_io_tables_re_exports_them():
    from sxgeo import params
    from sxgeo.io import tables

    names = ("parse_numbers", "parse_flags", "source_of", "sheet_rows", "BLANKS", "TRUE_WORDS", "FALSE_WORDS")
    for name in names:
        assert getattr(tables, name) is getattr(params, name), name
    assert params.parse_numbers.__module__ == "sxgeo.params"


def test_blank_lines_in_a_csv_keep_the_files_line_numbers(tmp_path):
    from sxgeo.io import read_table
    from sxgeo.params import parse_numbers

    path = tmp_path / "pools.csv"
    path.write_text("lucode,c_above\n1,140\n\n2,5\n\n3,约19.5\n", encoding="utf-8")
    t = read_table(path)
    assert t["lucode"].tolist() == [1, 2, 3]
    # 约19.5 is on line 6 of the file (header line 1, blank lines 3 and 5)
    with pytest.raises(SchemaError, match=r"pools.csv: row 6 column c_above"):
        parse_numbers(t, ["c_above"])


@pytest.mark.parametrize("suffix", [".xls", ".et"])
def test_old_excel_or_wps_workbook_is_named_not_an_encoding_problem(tmp_path, suffix):
    from sxgeo.io import read_sheet, read_table

    path = tmp_path / f"名单{suffix}"
    # an OLE2 compound file header (MS-CFB 2.2: signature, then a minor/major version 0x3E/0x03)
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + b"\x3e\x00\x03\x00" + bytes(484))
    for reader in (read_table, read_sheet):
        with pytest.raises(LayerError, match=r"old Excel 97-2003 or WPS workbook.*save it as .xlsx"):
            reader(path)


def test_point_table_below_a_title_and_an_ole2_file_named_csv(tmp_path):
    path = _workbook(
        tmp_path / "点位.xlsx",
        {"点位": [["2024年试点点位"], ["名称", "经度", "纬度"], ["西小路社区", 120.582, 30.0]]},
        merged={"点位": ["A1:C1"]},
    )
    gdf, _ = read_layer(path, crs=4326)
    assert gdf.geometry.x.tolist() == [120.582] and gdf["名称"].tolist() == ["西小路社区"]
    fake = tmp_path / "点位.csv"  # an .xls renamed .csv: not "neither UTF-8 nor GB18030"
    fake.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))
    with pytest.raises(LayerError, match=r"old Excel 97-2003 or WPS workbook \(OLE2\).*save it as .xlsx"):
        read_layer(fake, crs=4326)


# --- the one column finder (sxgeo.io.columns.find_column) and each caller's own rule ---------------
# Each caller kept its matching rule when it moved onto the one finder; these pin the rules down.


def _frame(*headers: str) -> pd.DataFrame:
    return pd.DataFrame([[1] * len(headers)], columns=list(headers))


def test_sponge_status_and_date_columns_ignore_case_and_spaces_only(caplog):
    coverage = importlib.import_module("sxgeo.sponge.coverage")  # sxgeo.sponge.coverage is also a function

    assert (
        coverage.find_column(_frame("Project Name", " 建设 状态 "), coverage.STATUS_COLUMNS) == " 建设 状态 "
    )
    assert coverage.find_column(_frame("STATUS"), coverage.STATUS_COLUMNS) == "STATUS"
    # the order of the names decides, not the order of the columns: status before 进度
    assert coverage.find_column(_frame("进度", "status"), coverage.STATUS_COLUMNS) == "status"
    # no Unicode folding and no bracket stripping: a full-width or annotated header is not the column
    assert coverage.find_column(_frame("ＳＴＡＴＵＳ"), coverage.STATUS_COLUMNS) is None
    assert coverage.find_column(_frame("状态(2024)"), coverage.STATUS_COLUMNS) is None
    assert coverage.find_column(_frame("Completion Year", "year"), coverage.DATE_COLUMNS) == "year"
    with caplog.at_level("INFO"):
        coverage.find_column(_frame("status"), coverage.STATUS_COLUMNS)
    assert not caplog.records  # select_counted says which column it used, the finder says nothing


def test_admin_code_column_exact_then_lower_case_and_its_messages():
    from sxgeo import admin

    def code(*headers: str, given: str | None = None) -> str:
        return admin._code_column(_frame(*headers), given, what="zone layer", path=Path("zones.gpkg"))

    assert code("code", "adcode") == "adcode"  # CODE_COLUMNS order
    assert code("ADCODE", "adcode") == "adcode"  # the exact header before a case variant
    assert code("ID", "XzQdm") == "XzQdm"  # case-insensitive
    assert code("Adcode", "ADCODE") == "ADCODE"  # of two case variants, the last one
    assert code("名称", given="名称") == "名称"
    with pytest.raises(SchemaError, match=r"^zones.gpkg: no column 'ADCODE' \(columns: adcode\)$"):
        code("adcode", given="ADCODE")  # a given column must be written exactly
    # whitespace is not ignored; the message names the option and the first 20 columns
    headers = [" adcode", *[f"c{i}" for i in range(25)]]
    with pytest.raises(SchemaError) as err:
        code(*headers)
    assert str(err.value) == (
        "zones.gpkg: no code column among "
        + ", ".join(admin.CODE_COLUMNS)
        + "; name it (e.g. --zone-code COL, "
        "or code_col= in the project file); columns: " + ", ".join(headers[:20])
    )


def test_admin_name_column_is_exact_and_skips_the_code_column():
    from sxgeo import admin

    assert admin._name_column(_frame("Name", "NAME"), None, exclude="adcode") == "NAME"
    assert admin._name_column(_frame("Name"), None, exclude="adcode") is None  # case-sensitive
    assert admin._name_column(_frame("name", "名称"), None, exclude="name") == "名称"
    assert admin._name_column(_frame("x"), "given", exclude="x") == "given"


def test_quicklook_searches_the_first_label_column_written_exactly():
    from sxgeo.maps.views import quicklook_map

    def search(*headers: str) -> str | None:
        gdf = gpd.GeoDataFrame({h: ["a"] for h in headers}, geometry=[shapely.Point(120.58, 30.0)], crs=4326)
        return quicklook_map([("layer", gdf)], None).layers[0]["search"]

    assert search("title", "Name") == "Name"  # the vocabulary's order
    assert search("NAME", "Name") == "NAME"
    assert search("nAmE") is None  # case-sensitive
    assert search("村名", "镇名") == "村名"


def test_rainfall_and_point_table_columns_fold_headers(tmp_path):
    from sxgeo.io import read_rainfall

    path = tmp_path / "rain.csv"
    path.write_text("日 期,降水量(mm)\n2020-01-01,1.5\n2020-01-02,0\n", encoding="utf-8")
    series, _ = read_rainfall(path)
    assert series.tolist() == [1.5, 0.0]  # "日 期" (space), "降水量(mm)" (bracketed part) both found
    path.write_text("day,rain\n2020-01-01,1.5\n", encoding="utf-8")
    with pytest.raises(
        LayerError, match=r"rain.csv: cannot find a precipitation \(mm\) column \(looked for precip_mm"
    ):
        read_rainfall(path)
    table = tmp_path / "pts.csv"
    table.write_text("Name,ＬＯＮ,Lat\na,120.58,30.0\n", encoding="utf-8")
    gdf, _ = read_layer(table, crs=4326)
    assert gdf.geometry.x.tolist() == [120.58]
    table.write_text("name,x_coord,lat\na,120.58,30.0\n", encoding="utf-8")
    with pytest.raises(
        LayerError, match=r"pts.csv: cannot find a longitude column .*; name it with lon=\.\.\.$"
    ):
        read_layer(table, crs=4326)


def test_pilot_lists_find_name_county_and_coordinates_by_folded_headers():
    from sxgeo.pilots import match

    cols = ["序号", "所属县（市、区）", "村（社区）名称", "经度", "纬度"]
    assert match.find_column(cols, None, match.NAME_COLUMNS, "name", required=True) == "村（社区）名称"
    assert match.find_column(cols, None, match.COUNTY_COLUMNS, "county", required=False) == "所属县（市、区）"
    assert match.find_column(cols, None, match.TOWN_COLUMNS, "town", required=False) is None
    assert match.find_column(cols, "经度", (), "lon", required=False) == "经度"
    with pytest.raises(SchemaError, match=r"^list: no column 'zz' for the name; its headers are"):
        match.find_column(cols, "zz", match.NAME_COLUMNS, "name", required=True)
    with pytest.raises(SchemaError, match=r"list: cannot find a name column .*; name it with --name-col$"):
        match.find_column(["序号"], None, match.NAME_COLUMNS, "name", required=True)


@pytest.mark.parametrize(
    ("headers", "names", "expected"),
    [
        # full-width letters: only NFKC folding sees "name"
        (["ＮＡＭＥ"], ("name",), {"folded": "ＮＡＭＥ", "spaces": None, "case": None, "exact": None}),
        # a trailing space: ignored by the folding rules, not by "case" or "exact"
        (["Name "], ("name",), {"folded": "Name ", "spaces": "Name ", "case": None, "exact": None}),
        (["Name"], ("name",), {"folded": "Name", "spaces": "Name", "case": "Name", "exact": None}),
        # a bracketed part: removed on both sides by "folded" only
        (["名称(村)"], ("名称",), {"folded": "名称(村)", "spaces": None, "case": None, "exact": None}),
        # two headers equal but for case: the first, except that "case" and "exact" take the exact one
        (["NAME", "name"], ("name",), {"folded": "NAME", "spaces": "NAME", "case": "name", "exact": "name"}),
        # ... and with no exact one, "case" takes the last (admin's rule)
        (["Name", "NAME"], ("name",), {"folded": "Name", "spaces": "Name", "case": "NAME", "exact": None}),
        # the order of the names decides, under every rule
        (["b", "a"], ("a", "b"), {"folded": "a", "spaces": "a", "case": "a", "exact": "a"}),
    ],
)
def test_find_column_rules(headers, names, expected):
    from sxgeo.io.columns import find_column

    for match, want in expected.items():
        got = find_column(headers, names, what="name", match=match, required=False, quiet=True)
        assert got == want, match


def test_find_column_given_messages_and_logging(caplog):
    from sxgeo.io.columns import MATCHES, find_column

    assert find_column(["name"], (), what="name", given="NAME") == "name"  # folded
    assert find_column(["name"], (), what="name", given="NAME", match="case") == "name"
    with pytest.raises(
        SchemaError, match=r"^t.csv: no column 'NAME' for the name; its headers are \['name'\]$"
    ):
        find_column(["name"], (), what="name", given="NAME", source="t.csv", match="exact")
    with pytest.raises(
        LayerError, match=r"^t.csv: cannot find a name column \(looked for a, b\); its headers .*; fix$"
    ):
        find_column(
            ["x"], ("a", "b"), what="name", source="t.csv", hint="fix", error=LayerError, match="spaces"
        )
    with pytest.raises(ValueError, match="match must be one of folded, spaces, case, exact"):
        find_column(["x"], ("x",), what="name", match="fold")
    assert MATCHES == ("folded", "spaces", "case", "exact")
    with caplog.at_level("INFO", logger="sxgeo.io.columns"):
        find_column(["x"], ("x",), what="name", quiet=True)
        find_column(["x"], ("y",), what="name", required=False, quiet=True)
        assert not caplog.records
        find_column(["x"], ("x",), what="name", source="t.csv")
        find_column(["x"], ("y",), what="label", source="t.csv", required=False)
    assert [r.getMessage() for r in caplog.records] == [
        "t.csv: name read from column 'x'",
        "t.csv: no label column (headers: x)",
    ]


def test_column_vocabularies_live_in_io_columns_under_their_old_names_too():
    from sxgeo import admin
    from sxgeo.io import columns, vector, weather
    from sxgeo.maps import views
    from sxgeo.pilots import match

    coverage = importlib.import_module("sxgeo.sponge.coverage")
    assert coverage.STATUS_COLUMNS is columns.PROJECT_STATUS
    assert coverage.DATE_COLUMNS is columns.COMPLETION_DATE
    assert admin.CODE_COLUMNS is columns.UNIT_CODE
    assert admin.NAME_COLUMNS is columns.UNIT_NAME
    assert weather.DATE_NAMES is columns.RAIN_DATE
    assert weather.PRECIP_NAMES is columns.PRECIP
    assert views.NAME_COLUMNS is columns.MAP_LABEL
    assert vector.LON_NAMES is columns.LON
    assert match.NAME_COLUMNS is columns.NAME


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["park_code", "parent_cod"], "parent_cod"),  # QGIS/GDAL cut 'parent_code' to 10 bytes
        (["park_code", "上级园区代"], "上级园区代"),  # '上级园区代码' is 12 bytes in GBK: 5 characters kept
        (["park_code", "上级园"], "上级园"),  # the same name in UTF-8: 18 bytes, 3 characters (9 bytes) kept
        (["park_code", "parent_cod", "parent_code"], "parent_code"),  # the whole name wins
        (["park_code", "parent_c"], None),  # 8 bytes: not a DBF cut of a longer name
    ],
)
def test_find_column_reads_shapefile_cut_headers(headers, expected, caplog):
    names = ("parent_code", "上级园区代码")
    got = find_column(headers, names, what="parent park", source="parks.shp", required=False)
    assert got == expected
    if expected in ("parent_cod", "上级园区代", "上级园"):
        assert "shapefile" in caplog.text  # said, not silent
