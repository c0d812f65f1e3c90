"""The Dask engine gives the in-memory engine's numbers (one threaded LocalCluster for the session)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from sxgeo import crs as sxcrs
from sxgeo import pv
from sxgeo.errors import MissingDependencyError
from sxgeo.pv import energy

pytest.importorskip("dask_geopandas")

from sxgeo.engine import client_session, require_dask
from sxgeo.engine.partition import partition_layer, read_partitioned
from sxgeo.pv import dask as dpv
from sxgeo.pv.aggregate import table_from_sums

MEASURES = ["buildings", "footprint_m2", "usable_m2", "capacity_mwp", "generation_gwh", "co2_avoided_t"]


@pytest.fixture(scope="session")
def dask_client():
    """The one LocalCluster of the test session: one worker thread in this process.

    One thread, not two: a threaded worker reading GeoParquet beside another thread's pyarrow work
    once aborted the whole test process inside pyarrow. The engine's default cluster uses worker
    processes, where that cannot happen; what these tests check (equal numbers across partition
    edges) does not depend on the thread count.
    """
    with client_session(workers=1, processes=False) as client:
        yield client


@pytest.fixture(scope="session")
def border_roofs(counties) -> gpd.GeoDataFrame:
    """1,600 roofs on a 25 m grid across the 330602/330603 line; every 7th a 60 m tower (shades far)."""
    c = sxcrs.to_metric(counties)
    border = shapely.line_merge(
        shapely.intersection(c.geometry.iloc[0].boundary, c.geometry.iloc[1].boundary)
    )
    longest = max(shapely.get_parts(border), key=lambda g: g.length)
    p = shapely.line_interpolate_point(longest, 0.5, normalized=True)
    rng = np.random.default_rng(14)
    gx, gy = np.meshgrid(np.arange(40) * 25.0, np.arange(40) * 25.0)
    x = p.x - 500 + gx.ravel()
    y = p.y - 500 + gy.ravel()
    size = rng.uniform(12, 20, x.size)
    height = np.where(np.arange(x.size) % 7 == 0, 60.0, rng.uniform(6, 15, x.size).round(1))
    uses = rng.choice(["residential", "industrial", "public", "commercial"], x.size)
    return gpd.GeoDataFrame(
        {"bid": np.arange(x.size), "use": uses, "height_m": height},
        geometry=shapely.box(x, y, x + size, y + size),
        crs=sxcrs.METRIC,
    )


def test_missing_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask_geopandas", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'sxgeo\[dask\]'"):
        require_dask()


def test_partition_cli_writes_hilbert_parts_with_crs(tmp_path, border_roofs):
    from sxgeo.cli import app

    src = tmp_path / "roofs.gpkg"
    border_roofs.to_crs(4326).to_file(src)
    out = tmp_path / "parts"
    res = CliRunner().invoke(app, ["partition", str(src), "-o", str(out), "--npartitions", "4"])
    assert res.exit_code == 0, res.output
    assert len(list(out.glob("*.parquet"))) == 4
    back = read_partitioned(out)
    assert back.crs.to_epsg() == 4549 and back.npartitions == 4
    whole = back.compute()
    assert sorted(whole["bid"]) == list(range(len(border_roofs)))  # nothing dropped or doubled
    # Hilbert order: the four parts cover compact patches (their centroid boxes sum to about the extent)
    boxes = [dpv.partition_stats(p.compute())["box"] for p in back.to_delayed()]
    area = sum((b[2] - b[0]) * (b[3] - b[1]) for b in boxes)
    assert area < 1.5 * (975 * 975)
    # a second run into the same folder is refused with a one-line error
    again = CliRunner().invoke(app, ["partition", str(src), "-o", str(out)])
    assert again.exit_code != 0 and "not empty" in str(again.exception)


def _memory_table(roofs, counties, kernel):
    r = pv.building_potential(roofs, **kernel)
    return r, pv.by_county(r, counties).set_index("unit_code")


def test_pv_dask_equals_memory_across_partitions_and_county_lines(
    tmp_path, dask_client, border_roofs, counties
):
    kernel = {"fixed_yield_kwh_kwp": 950.0, "horizon_loss": energy.horizon_loss_table()}
    r, mem = _memory_table(border_roofs, counties, kernel)
    # the data really tests something: roofs in both counties, some shaded, some unsuitable
    assert (mem.loc[["330602", "330603"], "buildings"] > 100).all()
    assert (r["shade_loss"] > 0).sum() > 100 and (~r["suitable"]).sum() > 10

    parts = partition_layer(_parquet(tmp_path, border_roofs), tmp_path / "parts", npartitions=8)
    ddf = read_partitioned(parts)
    agg = [dpv.Aggregation("pv_counties", sxcrs.to_metric(counties))]
    done = dpv.compute_sums(ddf, kernel, agg)
    assert done["rows"] == len(border_roofs) and done["partitions"] == 8
    got = table_from_sums(done["sums"]["pv_counties"], counties, 1000.0).set_index("unit_code")
    assert list(got.index) == list(mem.index)
    pd.testing.assert_frame_equal(got[MEASURES], mem[MEASURES], check_exact=False, rtol=1e-9, atol=1e-6)

    # without the halo, roofs shaded from another partition come out wrong: the halo matters
    bare = dpv.compute_sums(ddf, kernel, agg, halo=False)
    wrong = table_from_sums(bare["sums"]["pv_counties"], counties, 1000.0).set_index("unit_code")
    assert wrong.loc["330600", "generation_gwh"] > mem.loc["330600", "generation_gwh"] + 0.001


def test_shading_across_partition_edges_per_roof(tmp_path, dask_client, border_roofs):
    kernel = {"fixed_yield_kwh_kwp": 950.0, "horizon_loss": energy.horizon_loss_table()}
    mem = pv.building_potential(border_roofs, **kernel).set_index("bid")
    ddf = read_partitioned(partition_layer(_parquet(tmp_path, border_roofs), tmp_path / "p", npartitions=6))
    parts = ddf.to_delayed()
    stats = [dpv.partition_stats(p.compute()) for p in parts]
    width = dpv.halo_width(stats)
    assert width == pytest.approx(3 * 60 + 2 * np.sqrt((border_roofs.area.max()) / np.pi) + 1)
    frames = [p.compute() for p in parts]
    crossed = 0
    for i, own in enumerate(frames):
        others = [f for j, f in enumerate(frames) if j != i]
        halo = dpv.halo_rows(others, stats[i]["box"], width)
        got = dpv.potential_with_halo(own, halo, kernel).set_index("bid")
        alone = dpv.potential_with_halo(own, None, kernel).set_index("bid")
        crossed += int((alone["shade_loss"] != got["shade_loss"]).sum())
        pd.testing.assert_series_equal(got["shade_loss"], mem.loc[got.index, "shade_loss"])
        pd.testing.assert_series_equal(got["capacity_kwp"], mem.loc[got.index, "capacity_kwp"])
    assert crossed > 20  # that many roofs are shaded by a tower stored in another partition


def _parquet(tmp_path: Path, gdf: gpd.GeoDataFrame) -> Path:
    path = tmp_path / "roofs.parquet"
    gdf.to_parquet(path)
    return path


def test_pv_pipeline_dask_equals_memory_on_the_demo(tmp_path, dask_client, demo_dir, counties):
    from sxgeo._pipeline import Context
    from sxgeo.pv import pipeline as pipeline

    b = gpd.read_parquet(demo_dir / "demo_buildings.parquet")
    cx = b.geometry.centroid
    # two windows of the demo: across the 330602/330603 line, and around the first park
    c = sxcrs.to_metric(counties)
    line = shapely.intersection(c.geometry.iloc[0].boundary, c.geometry.iloc[1].boundary)
    mid = shapely.line_interpolate_point(
        max(shapely.get_parts(shapely.line_merge(line)), key=lambda g: g.length), 0.5, normalized=True
    )
    park = sxcrs.to_metric(gpd.read_file(demo_dir / "demo_parks.geojson")).geometry.iloc[0].centroid
    near_line = (abs(cx.x - mid.x) < 2000) & (abs(cx.y - mid.y) < 2000)
    near_park = (abs(cx.x - park.x) < 1500) & (abs(cx.y - park.y) < 1500)
    window = b[near_line | near_park]
    assert len(window) > 1000
    path = tmp_path / "window.parquet"
    window.to_parquet(path)
    parts = partition_layer(path, tmp_path / "window_parts", npartitions=5)
    inputs = {"buildings": path, "parks": demo_dir / "demo_parks.geojson", "villages": None}
    mem = pipeline.run(Context(units=counties, maps=False), inputs)[0]
    opts = pipeline.PVOptions(engine="dask")
    dsk = pipeline.run(Context(units=counties, maps=False), {**inputs, "buildings": parts}, options=opts)[0]
    assert dsk.synthetic and mem.synthetic
    for name in ("pv_counties", "pv_parks"):
        a = mem.tables[name].set_index(mem.tables[name].columns[0])
        d = dsk.tables[name].set_index(dsk.tables[name].columns[0])
        assert list(a.index) == list(d.index) and list(a.columns) == list(d.columns)
        num = a.select_dtypes("number").columns
        pd.testing.assert_frame_equal(d[num], a[num], check_exact=False, rtol=1e-9, atol=2e-3)
    counted = mem.tables["pv_counties"].set_index("unit_code")["buildings"]
    assert counted.loc["330600"] > 1000 and a["buildings"].sum() > 100  # roofs in the counties and a park


def test_pv_cli_engine_dask_on_a_partitioned_folder(tmp_path, dask_client, border_roofs):
    from sxgeo.cli import app

    parts = partition_layer(_parquet(tmp_path, border_roofs), tmp_path / "parts", npartitions=3)
    runner = CliRunner()
    mem = runner.invoke(
        app, ["pv", "--buildings", str(tmp_path / "roofs.parquet"), "-o", str(tmp_path / "m.csv")]
    )
    assert mem.exit_code == 0, mem.output
    res = runner.invoke(
        app, ["pv", "--buildings", str(parts), "-o", str(tmp_path / "d.csv"), "--engine", "dask"]
    )
    assert res.exit_code == 0, res.output
    a = pd.read_csv(tmp_path / "m.csv", dtype={"unit_code": str}).set_index("unit_code")
    d = pd.read_csv(tmp_path / "d.csv", dtype={"unit_code": str}).set_index("unit_code")
    pd.testing.assert_frame_equal(d[MEASURES], a[MEASURES], check_exact=False, rtol=1e-9, atol=2e-3)
    bad = runner.invoke(
        app, ["pv", "--buildings", str(parts), "-o", str(tmp_path / "x.csv"), "--engine", "spark"]
    )
    assert bad.exit_code != 0 and "unknown engine 'spark'" in str(bad.exception)


def _border_point(counties) -> shapely.Point:
    """Middle of the longest stretch of the 330602/330603 county line (EPSG:4549)."""
    c = sxcrs.to_metric(counties)
    border = shapely.line_merge(
        shapely.intersection(c.geometry.iloc[0].boundary, c.geometry.iloc[1].boundary)
    )
    return shapely.line_interpolate_point(
        max(shapely.get_parts(border), key=lambda g: g.length), 0.5, normalized=True
    )


@pytest.fixture(scope="session")
def border_projects(counties) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """300 overlapping projects (radius 60-200 m) in a 3 km square across a county line; a built-up disc."""
    p = _border_point(counties)
    rng = np.random.default_rng(4)
    x = p.x + rng.uniform(-1500, 1500, 300)
    y = p.y + rng.uniform(-1500, 1500, 300)
    projects = gpd.GeoDataFrame(
        {"pid": np.arange(300), "status": np.where(np.arange(300) % 10 == 0, "planned", "accepted")},
        geometry=shapely.buffer(shapely.points(x, y), rng.uniform(60, 200, 300)),
        crs=sxcrs.METRIC,
    )
    built_up = gpd.GeoDataFrame(geometry=[shapely.Point(p.x, p.y).buffer(1200)], crs=sxcrs.METRIC)
    return projects, built_up


def test_sponge_tier_a_dask_equals_memory_with_overlaps_across_partitions(
    tmp_path, dask_client, counties, border_projects, monkeypatch
):
    from sxgeo.sponge.coverage import coverage_table
    from sxgeo.sponge.dask import coverage_table_dask

    projects, built_up = border_projects
    mem = coverage_table(built_up, projects[projects["status"] == "accepted"], counties).set_index(
        "unit_code"
    )
    # the overlaps matter: summing project areas would overstate the covered area
    naive = shapely.area(shapely.intersection(projects.geometry.values, built_up.geometry.iloc[0])).sum()
    assert naive / 1e6 > 1.2 * mem.loc["330600", "compliant_km2"]
    assert (mem.loc[["330602", "330603"], "compliant_km2"] > 0.3).all()

    src = _parquet(tmp_path, projects)
    ddf = read_partitioned(partition_layer(src, tmp_path / "projects", npartitions=6))
    got = coverage_table_dask(built_up, ddf, counties).set_index("unit_code")
    assert list(got.index) == list(mem.index)
    num = ["built_up_km2", "compliant_km2", "gap_km2"]
    pd.testing.assert_frame_equal(got[num], mem[num], check_exact=False, rtol=1e-6, atol=2e-4)
    # the unassigned row holds only slivers of the county outlines (0.0000 km2): its ratio is noise
    units = mem.index != "unassigned"
    pd.testing.assert_series_equal(got.loc[units, "coverage_pct"], mem.loc[units, "coverage_pct"], atol=0.011)
    # without resolving the overlaps that cross partition edges, they would count twice
    monkeypatch.setattr("sxgeo.sponge.dask.without_earlier", lambda parts, earlier: parts)
    twice = coverage_table_dask(built_up, ddf, counties).set_index("unit_code")
    assert twice.loc["330600", "compliant_km2"] > mem.loc["330600", "compliant_km2"] + 0.01


def test_pixel_row_areas_match_the_geodesic_area():
    import pyproj
    from rasterio.transform import from_origin

    from sxgeo.carbon.dask import pixel_row_areas

    d = 1 / 12000  # a "10 m" WorldCover pixel
    t = from_origin(120.0, 30.0 + d, d, d)  # one row whose south edge is 30°N
    got = pixel_row_areas(t, 1, "EPSG:4326")[0]
    geod = pyproj.Geod(ellps="WGS84")
    ref, _ = geod.polygon_area_perimeter([120, 120 + d, 120 + d, 120], [30, 30, 30 + d, 30 + d])
    assert got == pytest.approx(abs(ref), rel=1e-6)
    assert 73 < got < 75  # about 74 m2, not 100 m2
    assert pixel_row_areas(from_origin(0, 0, 10, 10), 3, "EPSG:4549").tolist() == [100.0] * 3


def test_geographic_raster_and_its_reprojection_give_the_same_class_areas(tmp_path, dask_client, counties):
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    from sxgeo.carbon.dask import raster_zone_areas
    from sxgeo.zonal import raster_zone_counts

    d = 1 / 2400  # ~ 45 m pixels over the whole city
    minx, miny, maxx, maxy = counties.to_crs(4326).total_bounds
    width, height = int((maxx - minx) / d) + 2, int((maxy - miny) / d) + 2
    rng = np.random.default_rng(5)
    # irregular patches (~1.5 km) with curved edges, like a land-cover map: a smooth random field in 5 classes
    from scipy import ndimage

    field = ndimage.zoom(rng.normal(size=(height // 32 + 2, width // 32 + 2)), 32, order=3)[:height, :width]
    classes = (1 + np.digitize(field, np.quantile(field, [0.2, 0.4, 0.6, 0.8]))).astype(np.uint8)
    geo = tmp_path / "lc_4326.tif"
    t = from_origin(minx - d, maxy + d, d, d)
    profile = {"driver": "GTiff", "width": width, "height": height, "count": 1, "dtype": "uint8",
               "crs": "EPSG:4326", "transform": t, "tiled": True}  # fmt: skip
    with rasterio.open(geo, "w", **profile) as dst:
        dst.write(classes, 1)
    tt, w2, h2 = calculate_default_transform(
        "EPSG:4326", "EPSG:4549", width, height, *t * (0, 0), *t * (width, height), resolution=60
    )
    proj = tmp_path / "lc_4549.tif"
    with rasterio.open(
        proj, "w", **{**profile, "crs": "EPSG:4549", "transform": tt, "width": w2, "height": h2}
    ) as dst:
        out = np.zeros((h2, w2), dtype=np.uint8)
        reproject(
            classes,
            out,
            src_transform=t,
            src_crs="EPSG:4326",
            dst_transform=tt,
            dst_crs="EPSG:4549",
            resampling=Resampling.nearest,
        )
        dst.write(out, 1)

    a = raster_zone_areas(geo, counties, block_rows=512)
    b = raster_zone_areas(proj, counties, block_rows=700)
    ka = a[a["zone"] != ""].set_index(["zone", "class"])["area_ha"]
    kb = b[b["zone"] != ""].set_index(["zone", "class"])["area_ha"]
    assert len(ka) == 30 and list(ka.index) == list(kb.index)  # six counties × five classes
    assert ((ka / kb - 1).abs() < 0.005).all(), (ka / kb - 1).abs().max()
    # assuming the nominal pixel area would be far off: the row areas matter
    nominal = a[a["zone"] != ""].set_index(["zone", "class"])["pixels"] * 45.0**2 / 1e4
    assert ((nominal / kb - 1).abs() > 0.03).all()
    # the in-memory engine counts the same pixels with the same row areas, on both rasters
    for path, dsk in ((geo, a), (proj, b)):
        with rasterio.open(path) as src:
            ref = raster_zone_counts(src, counties, window_rows=300).set_index(["zone", "class"])
        got = dsk.set_index(["zone", "class"]).loc[ref.index]
        assert (got["pixels"] == ref["pixels"]).all()
        np.testing.assert_allclose(got["area_ha"], ref["area_ha"], rtol=1e-9)


def test_project_file_engine_section_runs_pv_on_dask(tmp_path, dask_client, border_roofs):
    from sxgeo.cli import app

    parts = partition_layer(_parquet(tmp_path, border_roofs), tmp_path / "parts", npartitions=3)
    (tmp_path / "sxgeo.toml").write_text(
        f'[pv]\nbuildings = "{parts.name}"\n\n[engine]\nname = "dask"\n', encoding="utf-8"
    )
    res = CliRunner().invoke(
        app, ["build", "--project", str(tmp_path / "sxgeo.toml"), "-o", str(tmp_path / "out")]
    )
    assert res.exit_code == 0, (res.output, res.exception)
    got = pd.read_csv(next((tmp_path / "out").rglob("pv_counties.csv")), dtype={"unit_code": str})
    mem = CliRunner().invoke(
        app, ["pv", "--buildings", str(tmp_path / "roofs.parquet"), "-o", str(tmp_path / "m.csv")]
    )
    assert mem.exit_code == 0, mem.output
    ref = pd.read_csv(tmp_path / "m.csv", dtype={"unit_code": str})
    pd.testing.assert_frame_equal(got[MEASURES], ref[MEASURES], check_exact=False, rtol=1e-9, atol=2e-3)
    record = (tmp_path / "out" / "run.json").read_text(encoding="utf-8")
    assert '"engine.name"' in record and '"dask"' in record


def _write_raster(path: Path, classes: np.ndarray, transform, crs: str, nodata: float | None = None) -> Path:
    import rasterio

    profile = {"driver": "GTiff", "width": classes.shape[1], "height": classes.shape[0], "count": 1,
               "dtype": classes.dtype.name, "crs": crs, "transform": transform, "tiled": True,
               "blockxsize": 64, "blockysize": 16, "nodata": nodata}  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(classes, 1)
    return path


POOLS_CSV = (
    "lucode,lulc_name,kind,c_above,c_below,c_soil,c_dead\n"
    "1,forest,forest,40,10,90,3\n2,cropland,cropland,3,1,60,0\n3,grassland,grassland,2,3,70,0\n"
    "4,water,water,0,0,0,0\n5,built,built,1,0,30,0\n"
)


@pytest.fixture(scope="session")
def border_rasters(tmp_path_factory, counties) -> dict[str, Path]:
    """Two 30 m land-cover maps (200 × 240 px) across a county line; nodata (255) in a band of the first."""
    from rasterio.transform import from_origin

    folder = tmp_path_factory.mktemp("rasters")
    p = _border_point(counties)
    rng = np.random.default_rng(9)
    before = rng.integers(1, 6, size=(200, 240), dtype=np.uint8)
    before[90:97, :] = 255  # a stripe of nodata (clouds): never any class
    after = before.copy()
    moved = rng.random(before.shape) < 0.2
    after[moved & (before != 255)] = 5  # a fifth of the land built over
    t = from_origin(p.x - 3600, p.y + 3000, 30, 30)
    pools = folder / "pools.csv"
    pools.write_text(POOLS_CSV, encoding="utf-8")
    return {
        "before": _write_raster(folder / "lc_2020.tif", before, t, "EPSG:4549", nodata=255),
        "after": _write_raster(folder / "lc_2025.tif", after, t, "EPSG:4549", nodata=255),
        "pools": pools,
    }


def test_raster_counts_dask_equal_memory_with_nodata_and_class_pairs(dask_client, border_rasters, counties):
    import rasterio

    from sxgeo.carbon.dask import raster_zone_areas
    from sxgeo.zonal import NODATA_CLASS, raster_zone_counts

    with rasterio.open(border_rasters["before"]) as src, rasterio.open(border_rasters["after"]) as later:
        mem = raster_zone_counts(src, counties, window_rows=16)
        pairs = raster_zone_counts(src, counties, window_rows=16, other=later)
    got = raster_zone_areas(border_rasters["before"], counties, block_rows=32)  # 7 tasks
    key = ["zone", "class"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True), mem.sort_values(key).reset_index(drop=True)
    )
    # the nodata stripe (7 rows × 240) is its own class, never one of the land classes
    assert mem.loc[mem["class"] == NODATA_CLASS, "pixels"].sum() == 7 * 240
    assert set(mem["class"]) == {NODATA_CLASS, 1, 2, 3, 4, 5}
    assert {"330602", "330603"} <= set(mem["zone"])  # the raster straddles the county line
    got_pairs = raster_zone_areas(
        border_rasters["before"], counties, block_rows=48, other=border_rasters["after"]
    )
    key = ["zone", "class_before", "class_after"]
    pd.testing.assert_frame_equal(
        got_pairs.sort_values(key).reset_index(drop=True), pairs.sort_values(key).reset_index(drop=True)
    )
    assert pairs["pixels"].sum() == 200 * 240


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"unit_code": str}).set_index("unit_code")


def _same_numbers(got: pd.DataFrame, ref: pd.DataFrame, rtol: float = 1e-9, atol: float = 0.011) -> None:
    assert list(got.index) == list(ref.index) and list(got.columns) == list(ref.columns)
    num = ref.select_dtypes("number").columns
    pd.testing.assert_frame_equal(got[num], ref[num], check_exact=False, rtol=rtol, atol=atol)


def test_carbon_landcover_cli_engine_dask_equals_memory(tmp_path, dask_client, border_rasters):
    from sxgeo.cli import app

    args = ["carbon", "landcover", "--raster", str(border_rasters["before"]), "--raster-after",
            str(border_rasters["after"]), "--years", "5", "--pools", str(border_rasters["pools"]),
            "--window-rows", "32"]  # fmt: skip
    runner = CliRunner()
    mem = runner.invoke(app, [*args, "-o", str(tmp_path / "m")])
    assert mem.exit_code == 0, mem.output
    dsk = runner.invoke(app, [*args, "-o", str(tmp_path / "d"), "--engine", "dask"])
    assert dsk.exit_code == 0, dsk.output
    for table in ("carbon_landcover", "carbon_landcover_change"):
        a, d = _csv(tmp_path / "m" / f"{table}.csv"), _csv(tmp_path / "d" / f"{table}.csv")
        _same_numbers(d, a)
        assert (a.loc[["330602", "330603"]].select_dtypes("number").abs().sum(axis=1) > 0).all()
    per = _csv(tmp_path / "m" / "carbon_landcover.csv")
    # nodata is no land: the valid area is the raster's area less the stripe
    valid = per.loc["330600", "area_ha"] + per.loc["unassigned", "area_ha"]
    assert valid == pytest.approx((200 - 7) * 240 * 0.09, abs=0.02)


def test_sponge_coverage_cli_engine_dask_equals_memory(tmp_path, dask_client, border_projects):
    from sxgeo.cli import app

    projects, built_up = border_projects
    projects.to_file(tmp_path / "projects.gpkg")
    built_up.to_file(tmp_path / "bu.gpkg")
    parts = partition_layer(tmp_path / "projects.gpkg", tmp_path / "parts", npartitions=5)
    runner = CliRunner()
    base = ["sponge", "coverage", "--built-up", str(tmp_path / "bu.gpkg")]
    mem = runner.invoke(
        app, [*base, "--compliant", str(tmp_path / "projects.gpkg"), "-o", str(tmp_path / "m.csv")]
    )
    assert mem.exit_code == 0, mem.output
    glob = str(parts / "*.parquet")  # a glob of parts works as well as the folder
    dsk = runner.invoke(app, [*base, "--compliant", glob, "-o", str(tmp_path / "d.csv"), "--engine", "dask"])
    assert dsk.exit_code == 0, dsk.output
    a, d = _csv(tmp_path / "m.csv"), _csv(tmp_path / "d.csv")
    num = ["built_up_km2", "compliant_km2", "gap_km2"]
    pd.testing.assert_frame_equal(d[num], a[num], check_exact=False, rtol=1e-6, atol=2e-4)
    assert a.loc["330602", "compliant_km2"] > 0.3 and a.loc["330603", "compliant_km2"] > 0.3
    assert "projects counted: 270 of 300" in dsk.output and "projects counted: 270 of 300" in mem.output


def test_project_file_engine_section_runs_sponge_and_carbon_on_dask(
    tmp_path, dask_client, border_projects, border_rasters, counties
):
    from sxgeo._pipeline import Context
    from sxgeo.carbon import pipeline as carbon
    from sxgeo.cli import app
    from sxgeo.sponge import pipeline as sponge

    projects, built_up = border_projects
    projects.to_file(tmp_path / "projects.gpkg")
    built_up.to_file(tmp_path / "bu.gpkg")
    partition_layer(tmp_path / "projects.gpkg", tmp_path / "parts", npartitions=4)
    layers = (
        f'[sponge]\nbuilt_up = "bu.gpkg"\ncompliant = "{{}}"\n\n'
        f'[carbon]\nlandcover = "{border_rasters["before"]}"\n'
        f'landcover_after = "{border_rasters["after"]}"\nyears = 5\npools = "{border_rasters["pools"]}"\n'
    )
    (tmp_path / "dsk.toml").write_text(
        layers.format("parts") + '\n[engine]\nname = "dask"\n', encoding="utf-8"
    )
    res = CliRunner().invoke(
        app, ["build", "--project", str(tmp_path / "dsk.toml"), "-o", str(tmp_path / "dsk")]
    )
    assert res.exit_code == 0, (res.output, res.exception)
    # the reference: the same pipelines in memory
    ctx = Context(units=counties, maps=False)
    mem = sponge.run(ctx, {"built_up": tmp_path / "bu.gpkg", "compliant": tmp_path / "projects.gpkg"})[
        0
    ].tables
    inputs = {"landcover": border_rasters["before"], "landcover_after": border_rasters["after"]}
    opts = carbon.CarbonOptions(years=5)
    mem |= carbon.run(ctx, {**inputs, "pools": border_rasters["pools"]}, options=opts)[0].tables
    for table in ("sponge_coverage", "carbon_landcover", "carbon_landcover_change"):
        a = mem[table].set_index("unit_code")
        d = _csv(next((tmp_path / "dsk").rglob(f"{table}.csv")))
        if table.startswith("sponge"):
            # unassigned holds slivers of the county outlines (0.0000 km2): its ratio is noise
            a.loc["unassigned", "coverage_pct"] = d.loc["unassigned", "coverage_pct"]
        _same_numbers(d, a, rtol=1e-6, atol=0.011)
    record = (tmp_path / "dsk" / "run.json").read_text(encoding="utf-8")
    assert '"engine.name"' in record and '"dask"' in record


def test_check_engine_dask_on_parts_reports_as_the_whole_layer(tmp_path, dask_client, border_roofs):
    import json

    from sxgeo.cli import app

    roofs = border_roofs.iloc[::5].iloc[:300].copy()  # spread over the grid, across the county line
    geoms = roofs.geometry.to_numpy().copy()
    x0, y0 = geoms[40].bounds[:2]
    for i in (40, 150, 260):  # bow-ties (self-intersecting rings): repaired
        x0, y0 = geoms[i].bounds[:2]
        geoms[i] = shapely.Polygon([(x0, y0), (x0 + 10, y0 + 10), (x0 + 10, y0), (x0, y0 + 10)])
    geoms[120] = None  # no geometry: excluded
    roofs = roofs.set_geometry(gpd.GeoSeries(geoms, index=roofs.index, crs=sxcrs.METRIC))
    whole = tmp_path / "roofs.parquet"
    roofs.to_parquet(whole)
    parts = tmp_path / "parts"
    parts.mkdir()
    for k, (a, b) in enumerate(((0, 100), (100, 200), (200, 300))):  # each part holds one fault
        roofs.iloc[a:b].to_parquet(parts / f"part.{k}.parquet")
    runner = CliRunner()
    mem = runner.invoke(app, ["check", str(whole), "--json"])
    dsk = runner.invoke(app, ["check", str(parts), "--json", "--engine", "dask"])
    assert mem.exit_code == 0 and dsk.exit_code == 0, (mem.output, dsk.output)
    a, d = json.loads(mem.stdout), json.loads(dsk.stdout)
    for key in ("features_read", "features", "geometry_types", "repaired", "excluded", "counties", "crs"):
        assert d[key] == a[key], key
    assert len(a["repaired"]) == 3 and [n["row"] for n in a["excluded"]] == [120]
    assert a["counties"] == ["330602", "330603"]
    np.testing.assert_allclose(d["bounds_lonlat"], a["bounds_lonlat"])


def test_pv_dask_writes_every_roof_as_parquet_parts_in_a_folder(
    tmp_path, dask_client, border_roofs, counties
):
    from sxgeo._pipeline import Context
    from sxgeo.cli import app
    from sxgeo.pv import pipeline as pipeline

    parts = partition_layer(_parquet(tmp_path, border_roofs), tmp_path / "parts", npartitions=3)
    runner = CliRunner()
    res = runner.invoke(app, ["pv", "--buildings", str(parts), "-o", str(tmp_path / "d"), "--engine", "dask"])
    assert res.exit_code == 0, res.output
    folder = tmp_path / "d" / "pv_buildings.parquet"
    assert len(list(folder.glob("part.*.parquet"))) == 3 and not list((tmp_path / "d").glob(".*partial"))
    got = gpd.read_parquet(folder).set_index("bid").sort_index()  # pyarrow reads the folder as one table
    # the in-memory pipeline's per-roof layer (what `sxgeo pv -o FOLDER` writes as pv_buildings.parquet)
    mem = pipeline.run(Context(units=counties, maps=False), {"buildings": tmp_path / "roofs.parquet"})[0]
    ref = mem.extra["pv_buildings.parquet"].set_index("bid").sort_index()
    assert list(got.index) == list(ref.index)  # every roof once
    for col in ("capacity_kwp", "generation_mwh", "shade_loss", "co2_factor"):
        pd.testing.assert_series_equal(got[col], ref[col], check_exact=col == "co2_factor", rtol=1e-9)
    assert not (tmp_path / "d" / "pv.html").exists()  # no web map of every roof on this engine
    notes = (tmp_path / "d" / "pv_counties.csv").read_text(encoding="utf-8") + res.output
    assert "pv_buildings.parquet" in notes


def test_progress_bar_follows_the_tasks_in_a_terminal(monkeypatch, dask_client, border_rasters, counties):
    import distributed

    from sxgeo import engine
    from sxgeo.carbon.dask import raster_zone_areas

    plain = raster_zone_areas(border_rasters["before"], counties, block_rows=32)
    done = []
    real = distributed.as_completed

    def spy(futures):
        for f in real(futures):
            done.append(f.key)
            yield f

    monkeypatch.setattr(distributed, "as_completed", spy)
    monkeypatch.setattr(engine, "_show_progress", lambda: True)  # as if stderr were a terminal
    bar = raster_zone_areas(border_rasters["before"], counties, block_rows=32)
    assert len(done) == 7  # 200 rows / 32: the bar advanced once for each of the seven window tasks
    pd.testing.assert_frame_equal(bar, plain)


# --- issue-19-pv: one PV pipeline (the Dask engine is the same pipeline with another kernel mapping) ---


def _hand_built_roofs(counties) -> gpd.GeoDataFrame:
    """16 roofs on a 20 m grid centred on the 330602/330603 line; every 5th a 30 m tower."""
    p = _border_point(counties)
    x0, y0 = np.meshgrid(p.x - 40 + 20.0 * np.arange(4), p.y - 40 + 20.0 * np.arange(4))
    x, y = x0.ravel(), y0.ravel()
    height = np.where(np.arange(16) % 5 == 0, 30.0, 9.0)
    uses = np.array(["residential", "industrial", "public", "commercial"])[np.arange(16) % 4]
    return gpd.GeoDataFrame(
        {"bid": np.arange(16), "use": uses, "height_m": height},
        geometry=shapely.box(x, y, x + 16, y + 16),
        crs=sxcrs.METRIC,
    )


def test_pv_one_pipeline_same_tables_and_notes_on_both_engines(tmp_path, dask_client, counties):
    from sxgeo._pipeline import Context
    from sxgeo.pv import pipeline as pipeline

    roofs = _hand_built_roofs(counties)
    c = sxcrs.to_metric(counties).set_index("adcode")
    a, b = c.geometry.loc["330602"], c.geometry.loc["330603"]
    # the set straddles the line: some roofs lie in both counties, and both counties hold roofs
    straddling = shapely.intersects(roofs.geometry.values, a) & shapely.intersects(roofs.geometry.values, b)
    assert straddling.sum() >= 2
    path = tmp_path / "roofs.parquet"
    roofs.to_parquet(path)
    parts = partition_layer(path, tmp_path / "parts", npartitions=3)
    p = _border_point(counties)
    parks = gpd.GeoDataFrame(
        {"park_id": ["K1"]}, geometry=[shapely.box(p.x - 45, p.y - 45, p.x, p.y)], crs=sxcrs.METRIC
    )
    villages = gpd.GeoDataFrame(
        {"code": ["V1", "V2"]},
        geometry=[shapely.Point(p.x - 30, p.y), shapely.Point(p.x + 30, p.y)],
        crs=sxcrs.METRIC,
    )
    parks.to_crs(4326).to_file(tmp_path / "parks.geojson")
    villages.to_crs(4326).to_file(tmp_path / "villages.geojson")
    inputs = {
        "buildings": path,
        "parks": tmp_path / "parks.geojson",
        "villages": tmp_path / "villages.geojson",
    }
    run_note = "a note of this run"
    mem = pipeline.run(Context(units=counties, maps=False, notes=[run_note]), inputs)[0]
    dsk = pipeline.run(
        Context(units=counties, maps=False, notes=[run_note]),
        {**inputs, "buildings": parts},
        options=pipeline.PVOptions(engine="dask"),
    )[0]

    # the NEA 2025 project types on both engines (the Dask run groups them on the client)
    assert list(dsk.tables) == [
        "pv_counties",
        "pv_parks",
        "pv_villages",
        "pv_project_types",
        "pv_project_types_parks",
    ]
    assert list(mem.tables) == list(dsk.tables)
    for name in dsk.tables:
        m = mem.tables[name]
        d = dsk.tables[name]
        assert list(d.columns) == list(m.columns)
        pd.testing.assert_frame_equal(d, m, check_exact=False, rtol=1e-12, atol=0)

    # a hand count: each roof whole in the county holding its point on the surface (shapely), none doubled
    t = mem.tables["pv_counties"].set_index("unit_code")
    pts = shapely.point_on_surface(roofs.geometry.values)
    for code, county in (("330602", a), ("330603", b)):
        inside = shapely.contains(county, pts)
        assert 0 < inside.sum() < len(roofs)
        assert t.loc[code, "footprint_m2"] == round(16 * 16 * int(inside.sum()))
    assert t.loc["330602", "footprint_m2"] + t.loc["330603", "footprint_m2"] == 16 * 16 * len(roofs)
    assert t.loc["330600", "footprint_m2"] == 16 * 16 * len(roofs)

    # one copy of the notes: the Dask engine's are the in-memory ones, its own two lines in between
    nea = [n for n in mem.notes if n.startswith("NEA 2025 project types")]
    shared = [n for n in mem.notes if n not in nea]
    assert len(nea) == 1 and dsk.notes[: len(shared)] == shared
    extra = dsk.notes[len(shared) :]
    assert len(extra) == 4 and extra[0].startswith("Dask engine: 16 roofs in 3 partitions")
    assert extra[2] == nea[0]
    assert extra[3].startswith("Dask engine: the NEA 2025 project types are grouped on the client")
    assert mem.notes.count(run_note) == 1 and dsk.notes.count(run_note) == 1


def test_pv_dask_project_types_group_an_owner_across_partitions(tmp_path, dask_client, counties):
    """Two owners whose roofs lie in every partition: 2 owner projects + 4 lone homes = 6, on both engines.

    Grouped per partition, owner A (the industrial and commercial roofs, in every partition) would
    count once per partition holding its roofs.
    """
    from sxgeo._pipeline import Context
    from sxgeo.pv import pipeline as pipeline

    roofs = _hand_built_roofs(counties)
    kind = roofs["bid"].to_numpy() % 4  # 0 residential, 1 industrial, 2 public, 3 commercial
    roofs["owner_id"] = np.where(kind == 2, "B", np.where(kind == 0, "", "A"))
    path = tmp_path / "roofs.parquet"
    roofs.to_parquet(path)
    parts = partition_layer(path, tmp_path / "parts", npartitions=3)
    by_part = [set(gpd.read_parquet(f)["owner_id"]) - {""} for f in sorted(Path(parts).glob("*.parquet"))]
    assert len(by_part) == 3 and sum("A" in s for s in by_part) >= 2  # owner A's roofs in several parts
    p = _border_point(counties)
    parks = gpd.GeoDataFrame(
        {"park_id": ["K1"]}, geometry=[shapely.box(p.x - 45, p.y - 45, p.x + 45, p.y + 45)], crs=sxcrs.METRIC
    )
    parks.to_crs(4326).to_file(tmp_path / "parks.geojson")
    inputs = {"buildings": path, "parks": tmp_path / "parks.geojson"}
    mem = pipeline.run(Context(units=counties, maps=False), inputs)[0]
    dsk = pipeline.run(
        Context(units=counties, maps=False),
        {**inputs, "buildings": parts},
        options=pipeline.PVOptions(engine="dask"),
    )[0]
    for name in ("pv_project_types", "pv_project_types_parks"):
        pd.testing.assert_frame_equal(
            dsk.tables[name], mem.tables[name], check_exact=False, rtol=1e-12, atol=0
        )
    city = mem.tables["pv_project_types"].query("unit_code == '330600'").set_index("nea2025_type")
    suitable = mem.extra["pv_buildings.parquet"]["capacity_kwp"].to_numpy() > 0
    homes = int((suitable & (kind == 0)).sum())
    owners = len({o for o, ok in zip(roofs["owner_id"], suitable, strict=True) if o and ok})
    assert owners == 2
    assert int(city["projects"].sum()) == homes + owners
    assert int(city.loc["general_ci", "projects"]) == 2  # A and B, each one project
    park = dsk.tables["pv_project_types_parks"].set_index("nea2025_type")
    assert int(park.loc["general_ci", "projects"]) == 2
    # the capacity by type adds up to pv_counties on the Dask engine too
    total = dsk.tables["pv_counties"].set_index("unit_code").loc["330600", "capacity_mwp"]
    assert city["capacity_mwp"].sum() == pytest.approx(total, abs=1e-3)


def test_engine_pv_keeps_old_names_for_one_release_and_run_dask_points_to_the_pipeline(counties):
    from sxgeo.engine import pv as old
    from sxgeo.errors import SxgeoError

    with pytest.warns(DeprecationWarning, match=r"sxgeo\.pv\.dask\.compute_sums"):
        assert old.compute_sums is dpv.compute_sums
    with pytest.warns(DeprecationWarning, match="table_from_sums"):
        sums = pd.DataFrame({c: [1000.0] for c in (*pv.aggregate.SUM_COLUMNS, "buildings")}, index=["330602"])
        old_table = old.units_table(sums, counties, 1000.0).set_index("unit_code")
    assert old_table.equals(table_from_sums(sums, counties, 1000.0).set_index("unit_code"))
    assert old_table.loc["330602", "capacity_mwp"] == 1.0 and old_table.loc["330600", "buildings"] == 1000
    with pytest.raises(SxgeoError, match=r"PVOptions\(engine='dask'\)"):
        old.run_dask(None, {}, name="pv", options=None)


# --- issue-20-raster: Web Mercator rasters and overlapping zones on both engines ----------------------


def test_web_mercator_raster_true_areas_and_overlapping_zones_agree_on_both_engines(tmp_path, dask_client):
    import pyproj
    import rasterio
    from rasterio.transform import from_origin

    from sxgeo.carbon.dask import raster_zone_areas
    from sxgeo.zonal import raster_zone_counts

    # 20 m Mercator pixels over x 0-6 km × y 0-4 km near 30°N: class 1 in the west half, class 2 east
    mx, my = pyproj.Transformer.from_crs(4326, 3857, always_xy=True).transform(120.6, 30.0)
    arr = np.full((200, 300), 2, dtype=np.uint8)
    arr[:, :150] = 1
    path = _write_raster(tmp_path / "wm.tif", arr, from_origin(mx, my, 20.0, 20.0), "EPSG:3857")
    # zones in 3857 metres: A on x 0-4 km, B on x 2-6 km (they overlap on x 2-4 km), the full height
    zones = gpd.GeoDataFrame(
        {"adcode": ["A", "B"]},
        geometry=[shapely.box(mx, my - 4000, mx + 4000, my),
                  shapely.box(mx + 2000, my - 4000, mx + 6000, my)],
        crs="EPSG:3857",
    )  # fmt: skip
    d = raster_zone_areas(path, zones, block_rows=48)
    with rasterio.open(path) as src:
        m = raster_zone_counts(src, zones, window_rows=77)
    key = ["zone", "class"]
    pd.testing.assert_frame_equal(
        d.sort_values(key).reset_index(drop=True), m.sort_values(key).reset_index(drop=True), rtol=1e-9
    )
    # by hand with pyproj's Geod: a Mercator rectangle is a lon/lat rectangle on WGS84
    inv = pyproj.Transformer.from_crs(3857, 4326, always_xy=True)
    geod = pyproj.Geod(ellps="WGS84")

    def ha(x0: float, x1: float) -> float:
        lon, lat = inv.transform([mx + x0, mx + x1, mx + x1, mx + x0], [my, my, my - 4000, my - 4000])
        return abs(geod.polygon_area_perimeter(lon, lat)[0]) / 1e4

    t = d.groupby(key)["area_ha"].sum()
    assert t["A", 1] == pytest.approx(ha(0, 3000), rel=1e-4)
    assert t["A", 2] == pytest.approx(ha(3000, 4000), rel=1e-4)
    assert t["B", 1] == pytest.approx(ha(2000, 3000), rel=1e-4)  # the overlap is in B too
    assert t["B", 2] == pytest.approx(ha(3000, 6000), rel=1e-4)
    assert "" not in d["zone"].tolist()  # no pixel outside both zones
    assert t["A", 1] < 0.76 * 1200  # not the nominal 3 km × 4 km = 1,200 ha


def test_a_bow_tie_in_a_geoparquet_part_counts_in_sponge_coverage_as_in_memory(tmp_path, dask_client):
    from sxgeo._pipeline import Context, read_dask
    from sxgeo.sponge import coverage
    from sxgeo.sponge.dask import coverage_dask

    x0, y0 = 540_000.0, 3_320_000.0  # EPSG:4549, in Shaoxing
    counties = gpd.GeoDataFrame(
        {"adcode": ["330602", "330603", "330604", "330681", "330683", "330624"]},
        geometry=[shapely.box(x0 + 10_000 * i, y0, x0 + 10_000 * (i + 1), y0 + 10_000) for i in range(6)],
        crs=sxcrs.METRIC,
    )
    built = gpd.GeoDataFrame(geometry=[shapely.box(x0, y0, x0 + 10_000, y0 + 10_000)], crs=sxcrs.METRIC)
    # a bow-tie whose two triangles hold 0.25 km² each (shapely's area of the invalid ring: 0)
    bow = shapely.Polygon([(x0 + 5000, y0), (x0 + 6000, y0), (x0 + 5000, y0 + 1000), (x0 + 6000, y0 + 1000)])
    assert not bow.is_valid and bow.area == 0
    parts = tmp_path / "projects"
    parts.mkdir()
    first = [shapely.box(x0 + 1000, y0 + 1000, x0 + 2000, y0 + 2000), bow]  # 1 km² + 0.5 km²
    second = [shapely.box(x0 + 3000, y0 + 3000, x0 + 4000, y0 + 4000)]  # 1 km²
    for i, geoms in enumerate((first, second)):
        gpd.GeoDataFrame({"status": ["completed"] * len(geoms)}, geometry=geoms, crs=sxcrs.METRIC).to_parquet(
            parts / f"part.{i}.parquet"
        )
    ctx = Context(units=counties, maps=False)
    ddf = read_dask(parts, ctx, what="sponge projects")
    got = coverage_dask(built, ddf, counties=counties).set_index("unit_code")
    assert got.loc["330602", "compliant_km2"] == pytest.approx(2.5)  # by hand: 1 + 0.25 + 0.25 + 1
    assert any("1 invalid geometries repaired" in n for n in ctx.notes)
    assert ctx.inputs_read[str(parts)]["repaired"] == 1
    # in memory, the same features read by read_layer from one file give the same figure
    whole = tmp_path / "projects.parquet"
    gpd.GeoDataFrame({"status": ["completed"] * 3}, geometry=first + second, crs=sxcrs.METRIC).to_parquet(
        whole
    )
    from sxgeo._pipeline import read

    mem = coverage(built, read(whole, Context(units=counties)), counties=counties).set_index("unit_code")
    assert mem.loc["330602", "compliant_km2"] == pytest.approx(2.5)


# ---- issue 20 (branch issue-20-inputs): bad parts
def _good_parts(folder, n=3):
    """*n* GeoParquet parts of 10 m squares in 越城 (EPSG:4549), written by geopandas."""
    folder.mkdir(parents=True, exist_ok=True)
    x0, y0 = 556_000.0, 3_319_000.0
    for k in range(n):
        squares = [
            shapely.box(x0 + 20 * i, y0 + 40 * k, x0 + 20 * i + 10, y0 + 40 * k + 10) for i in range(4)
        ]
        gpd.GeoDataFrame({"status": ["completed"] * 4}, geometry=squares, crs=sxcrs.METRIC).to_parquet(
            folder / f"part.{k}.parquet"
        )
    return folder


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("empty", "part.1.parquet: the part is empty (0 bytes)"),
        ("plain", "part.1.parquet: a Parquet part without GeoParquet metadata"),
        ("column", "part.1.parquet: the part lacks column(s) status that part.0.parquet has"),
        ("garbage", "part.1.parquet: not a readable Parquet file"),
    ],
)
def test_a_bad_part_is_refused_in_one_line_naming_it(tmp_path, fault, message):
    from tests.cli.test_cli import run_cli

    parts = _good_parts(tmp_path / "parts")
    bad = parts / "part.1.parquet"
    if fault == "empty":
        bad.write_bytes(b"")
    elif fault == "plain":  # pandas' to_parquet: the geometry as WKB bytes, no "geo" metadata
        frame = gpd.read_parquet(bad)
        pd.DataFrame({"status": frame["status"], "geometry": frame.geometry.to_wkb()}).to_parquet(bad)
    elif fault == "column":
        gpd.read_parquet(bad).drop(columns="status").to_parquet(bad)
    else:
        bad.write_bytes(b"PAR1 not really")
    with pytest.raises(Exception, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_partitioned(parts)
    proc = run_cli("check", str(parts), "--engine", "dask")
    assert proc.returncode == 1 and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_hive_style_sub_folders_are_read(tmp_path):
    import dask

    root = tmp_path / "projects"
    _good_parts(root / "county=330602", n=2)
    _good_parts(root / "county=330603", n=1)
    ddf = read_partitioned(root)
    with dask.config.set(scheduler="synchronous"):
        got = ddf.compute()
    assert ddf.npartitions == 3 and len(got) == 12  # 4 squares per part, none dropped
    assert got.area.sum() == pytest.approx(12 * 100.0)


# ---- issue 22 item 5: halo strips cut by one task per neighbouring part, stats bounded from a plain read
def test_bound_stats_bound_the_exact_ones_and_strips_are_the_halo_rows(tmp_path, border_roofs):
    from sxgeo.engine.partition import read_part

    folder = partition_layer(_parquet(tmp_path, border_roofs), tmp_path / "parts", npartitions=6)
    files = sorted(str(p) for p in Path(folder).glob("*.parquet"))
    frames = [read_part(f)[0] for f in files]
    exact = [dpv.partition_stats(f) for f in frames]
    bound = [dpv.bound_stats(f) for f in files]
    for e, b in zip(exact, bound, strict=True):
        assert b["box"][0] <= e["box"][0] and b["box"][1] <= e["box"][1]
        assert b["box"][2] >= e["box"][2] and b["box"][3] >= e["box"][3]
        # squares: the box of a roof is the roof, so its radius is exact; the heights are the same
        assert b["rmax"] == pytest.approx(e["rmax"]) and b["hmax"] == e["hmax"]
    # the box of the bounds exceeds the box of the centroids by half a roof (12-20 m squares)
    assert all(0 < e["box"][0] - b["box"][0] <= 10 for e, b in zip(exact, bound, strict=True))
    width = dpv.halo_width(bound)
    assert width == pytest.approx(3 * 60 + 2 * np.sqrt(border_roofs.area.max() / np.pi) + 1)
    sent = 0
    for i, own in enumerate(exact):
        others = [j for j in range(len(frames)) if j != i]
        strips = dpv.halo_strips(frames[i], [exact[j]["box"] for j in others], width)
        for j, strip in zip(others, strips, strict=True):
            ref = dpv.halo_rows([frames[i]], exact[j]["box"], width)
            if ref is None:
                assert strip is None
                continue
            pd.testing.assert_frame_equal(strip, ref)
            sent += len(strip)
        assert own["rows"] == len(frames[i])
    assert 0 < sent < 4 * len(border_roofs)  # strips, not whole parts (5 neighbours each)


def test_bound_stats_of_a_bow_tie_a_nul_height_and_a_lonlat_part(tmp_path):
    from sxgeo.engine.partition import read_part

    x0, y0 = 556_000.0, 3_319_000.0  # EPSG:4549, in 越城
    # a 10 m bow-tie: 0 m² as read, two 25 m² triangles once repaired (r = sqrt(50/π) = 3.99 m);
    # its box is 100 m² (r = 5.64 m), which bounds it
    bow = shapely.Polygon([(x0, y0), (x0 + 10, y0), (x0, y0 + 10), (x0 + 10, y0 + 10)])
    square = shapely.box(x0 + 50, y0 + 50, x0 + 58, y0 + 58)  # 8 m square, r = 4.51 m
    part = gpd.GeoDataFrame({"height_m": ["45\x00", "12"]}, geometry=[bow, square], crs=sxcrs.METRIC)
    path = tmp_path / "part.0.parquet"
    part.to_parquet(path)
    exact = dpv.partition_stats(read_part(str(path))[0])
    assert exact["hmax"] == 45.0 and exact["rmax"] == pytest.approx(np.sqrt(64 / np.pi))
    got = dpv.bound_stats(str(path))
    assert got["hmax"] == 45.0  # the NUL byte is removed before the height is read, as read_layer does
    assert got["rmax"] == pytest.approx(np.sqrt(100 / np.pi))
    assert got["box"] == (x0, y0, x0 + 58, y0 + 58)
    # a part stored in lon/lat is read and measured exactly (its bounds are not metres)
    lonlat = tmp_path / "part.1.parquet"
    part.iloc[[1]].to_crs(4326).to_parquet(lonlat)
    ref = dpv.partition_stats(read_part(str(lonlat))[0])
    far = dpv.bound_stats(str(lonlat))
    assert far["box"] == pytest.approx(ref["box"]) and far["rmax"] == pytest.approx(ref["rmax"])
    assert far["box"][0] == pytest.approx(x0 + 54, abs=0.01)  # the square's centroid, in metres


def test_pv_dask_keeps_nothing_on_the_workers(tmp_path, dask_client, border_roofs, counties):
    kernel = {"fixed_yield_kwh_kwp": 950.0, "horizon_loss": energy.horizon_loss_table()}
    ddf = read_partitioned(partition_layer(_parquet(tmp_path, border_roofs), tmp_path / "p", npartitions=4))
    done = dpv.compute_sums(ddf, kernel, [dpv.Aggregation("pv_counties", sxcrs.to_metric(counties))])
    assert done["rows"] == len(border_roofs) and done["halo_strips"] > 0
    # no part, centroid or strip left in worker memory: at most the gathered results, whose release the
    # scheduler handles asynchronously; wait (bounded) until they go too
    held = {k for keys in dask_client.has_what().values() for k in keys}
    assert all(str(k).startswith("partition_sums-") for k in held), sorted(held)
    deadline = time.monotonic() + 30
    while any(dask_client.has_what().values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(dask_client.has_what().values())
