"""sxgeo pilots select on the demo layers: the plan's towns and villages, constraints re-checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sxgeo import crs as sxcrs
from sxgeo.cli import app

runner = CliRunner()
FEW = ["--draws", "200", "--selection-draws", "5", "--basemap", "none"]


def select(demo_dir, out, *args):
    res = runner.invoke(
        app,
        ["pilots", "select", "--values", str(demo_dir / "demo_pilot_criteria.csv"), "-o", str(out), *args],
    )
    return res


@pytest.fixture(scope="module")
def towns(demo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("towns")
    res = select(demo_dir, out, "--level", "town", "--candidates", str(demo_dir / "demo_towns.geojson"), *FEW)
    assert res.exit_code == 0, res.output
    return out


def test_towns_plan_numbers_fixed_quotas(towns):
    t = pd.read_csv(towns / "demo_pilots_towns.csv", dtype={"code": str, "county_adcode": str})
    assert len(t) == 103  # every town kept, gated ones too
    sel = t[t["selected"]]
    assert len(sel) == 10
    assert "330624107" in set(sel["code"])  # 小将镇, fixed inside N
    assert t.set_index("code").loc["330624107", "reason"] == "existing pilot (fixed in)"
    per = sel["county_adcode"].value_counts()
    assert set(per.index) == {"330602", "330603", "330604", "330681", "330683", "330624"}  # >= 1 per county
    contrib = [c for c in t.columns if c.endswith("_contrib")]
    scored = t[t["score"].notna()]
    assert np.allclose(scored[contrib].sum(axis=1), scored["score"])
    gated = t[t["score"].isna()]
    assert len(gated) and gated["reason"].str.startswith("gate ledger").all()
    assert set(t["label"].dropna()) <= {"robust", "weight-dependent", "unlikely", "fixed"}
    assert (t["data_note"].str.contains("SYNTHETIC")).all()
    c = pd.read_csv(towns / "demo_pilots_towns_counties.csv", dtype={"unit_code": str}).set_index("unit_code")
    assert c.loc["330600", "selected"] == 10 and c.loc["330600", "candidates"] == 103
    page = (towns / "demo_pilots_towns.html").read_text(encoding="utf-8")
    for layer in ("候选得分 Candidates by score", "入选 Selected (9)", "已有试点 Existing pilots"):
        assert layer in page, layer
    assert "SYNTHETIC" in page
    sens = pd.read_csv(towns / "demo_pilots_towns_sensitivity.csv")
    assert len(sens) == 6 * 6 and sens["spearman_rho"].between(-1, 1).all()


def test_villages_spacing_and_fixed(demo_dir, tmp_path):
    res = select(
        demo_dir, tmp_path, "--level", "village", "--candidates", str(demo_dir / "demo_villages.geojson"),
        "--min-spacing-km", "3", "--no-irreplaceability", *FEW,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    t = pd.read_csv(tmp_path / "demo_pilots_villages.csv", dtype={"code": str})
    sel = t[t["selected"]]
    assert len(sel) == 100 and "330602002053" in set(sel["code"])
    x, y = sxcrs.lonlat_to_metric(sel["lon"].to_numpy(), sel["lat"].to_numpy())
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    assert d[np.triu_indices(len(sel), 1)].min() >= 3000.0
    spaced = t[t["reason"].str.startswith("spacing:")]
    assert len(spaced)  # a good village beside a selected one says which one
    assert spaced["reason"].str.contains(r"km from selected 3306\d{8} ").all()


def test_infeasible_spacing_is_one_line(tiny_dir, tmp_path):
    res = select(
        tiny_dir, tmp_path / "x", "--level", "village",
        "--candidates", str(tiny_dir / "demo_villages.geojson"),
        "--min-spacing-km", "25", "--no-irreplaceability", *FEW,
    )  # fmt: skip
    assert res.exit_code == 1
    assert "relax --min-spacing-km" in str(res.exception)


def test_quota_file_and_county_level(tiny_dir, tmp_path):
    q = tmp_path / "q.csv"
    q.write_text("level,county_adcode,min,max\ncounty,330681,1,\ntown,330683,,3\n")  # towns' row ignored
    res = select(tiny_dir, tmp_path / "c", "--level", "county", "--quota", str(q), *FEW)
    assert res.exit_code == 0, res.output
    t = pd.read_csv(tmp_path / "c" / "demo_pilots_counties.csv", dtype={"code": str})
    assert t[t["selected"]]["code"].tolist() == ["330681"]  # the quota forces 诸暨市
    q.write_text("county_adcode,min,max\n330681,1,\n330683,1,\n")
    bad = select(tiny_dir, tmp_path / "d", "--level", "county", "--quota", str(q), *FEW)
    assert bad.exit_code == 1
    assert "county minimums sum to 2 > N = 1" in str(bad.exception)


def test_values_rows_without_a_candidate_are_reported(tmp_path):
    from sxgeo.pilots.pipeline import _values

    cand = pd.DataFrame({"code": ["330602002053", "330602001200"], "level": "village"})
    f = tmp_path / "v.csv"
    pd.DataFrame(
        {
            "code": ["330602002053", "330602099999", "330602001"],
            "level": ["village", "village", "town"],
            "pv_potential_kw": [1.0, 2.0, 3.0],
        }
    ).to_csv(f, index=False)
    merged, notes = _values(cand, {"values": f})
    assert len(merged) == 2 and merged["pv_potential_kw"].isna().tolist() == [False, True]
    assert "1 candidates have no row there" in notes[0]
    assert notes[1] == "1 village rows of v.csv are not candidates (not in the layer): 330602099999"


def test_town_bonus_joint_selection_on_the_demo(demo_dir, tmp_path):
    """--town-bonus selects villages and towns together; the bonus goes to villages in selected towns."""
    res = select(
        demo_dir, tmp_path, "--level", "village", "--candidates", str(demo_dir / "demo_villages.geojson"),
        "--towns", str(demo_dir / "demo_towns.geojson"), "--town-bonus", "5", "--min-spacing-km", "3",
        "--no-irreplaceability", *FEW,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    v = pd.read_csv(tmp_path / "demo_pilots_villages.csv", dtype={"code": str})
    t = pd.read_csv(tmp_path / "demo_pilots_towns.csv", dtype={"code": str})
    chosen = set(t[t["selected"]]["code"])
    assert len(chosen) == 10 and "330624107" in chosen
    sel = v[v["selected"]]
    assert len(sel) == 100
    in_town = sel["code"].str[:9].isin(chosen)  # a village code starts with its town's
    assert (sel.loc[in_town, "town_bonus"] == 5).all() and (sel.loc[~in_town, "town_bonus"] == 0).all()
    # each selected town's bonus is 5 points per selected village inside it
    per = sel[in_town]["code"].str[:9].value_counts()
    got = t[t["selected"]].set_index("code")["village_bonus"]
    assert got.to_dict() == {c: 5.0 * per.get(c, 0) for c in got.index}
    bad = select(demo_dir, tmp_path / "x", "--level", "town", "--town-bonus", "5", *FEW,
                 "--candidates", str(demo_dir / "demo_towns.geojson"))  # fmt: skip
    assert bad.exit_code == 2 and "selects villages and towns together" in " ".join(bad.output.split())


def test_project_town_bonus_selects_villages_and_towns_jointly(demo_dir, tmp_path, monkeypatch):
    """[pilots] town_bonus: the build's pilot step selects the plan's villages and towns jointly."""
    import functools

    from sxgeo._pipeline import Context
    from sxgeo.pilots import pipeline as pp
    from sxgeo.project import load_project

    toml = tmp_path / "sxgeo.toml"
    toml.write_text(
        f"""[layers]
towns = "{(demo_dir / "demo_towns.geojson").as_posix()}"
villages = "{(demo_dir / "demo_villages.geojson").as_posix()}"
[pilots]
values = "{(demo_dir / "demo_pilot_criteria.csv").as_posix()}"
counties = 0
town_bonus = 5
draws = 200
selection_draws = 2
""",
        encoding="utf-8",
    )
    # no lock-out re-solves (no project key turns them off): keep the test short
    monkeypatch.setattr(pp, "PilotOptions", functools.partial(pp.PilotOptions, irreplaceability=False))
    project = load_project(toml)
    ctx = Context.from_project(project, maps=False)
    out = pp.run_project(ctx, project)
    assert [o.name for o in out] == ["pilots_villages", "pilots_towns"]
    v, t = out[0].tables["pilots_villages"], out[1].tables["pilots_towns"]
    chosen = set(t[t["selected"]]["code"])
    sel = v[v["selected"]]
    assert len(chosen) == 10 and len(sel) == 100
    in_town = sel["code"].str[:9].isin(chosen)
    assert (sel["town_bonus"] == 5 * in_town).all()
    assert any(n.startswith("joint selection of villages and towns") for n in out[0].notes)


def test_build_takes_the_pv_steps_roofs(tiny_build, tiny_dir):
    """The (tiny) demo build runs the PV model once: the pilot step sums the PV step's own roofs."""
    import geopandas as gpd
    import numpy as np
    import shapely

    out = tiny_build.out
    notes = (out / "demo_pilots_villages.notes.txt").read_text(encoding="utf-8")
    assert "the PV step's results" in notes
    roofs = gpd.read_parquet(out / "demo_pv_buildings.parquet").to_crs(4549)
    ranked = pd.read_csv(out / "demo_pilots_villages.csv", dtype={"code": str}).set_index("code")
    villages = gpd.read_file(tiny_dir / "demo_villages.geojson").to_crs(4549).set_index("code")
    pts = shapely.point_on_surface(roofs.geometry.values)
    for code in ranked["pv"].nlargest(3).index:  # by hand: the kWp of the roofs within 1 km of the village
        near = shapely.distance(pts, villages.geometry[code]) <= 1000.0
        assert ranked.loc[code, "pv"] == pytest.approx(roofs["capacity_kwp"][near].sum(), rel=1e-9)
        assert np.count_nonzero(near) > 0


# ---- issue-20-tables: quotas by county name, fixed pilots as Excel leaves their codes -----------------


def test_quotas_by_county_name_and_a_county_outside_the_six(tmp_path):
    from sxgeo.errors import SchemaError
    from sxgeo.pilots.pipeline import PilotOptions, _quotas

    q = tmp_path / "配额.csv"
    q.write_bytes("county_adcode,min,max\n越城区,1,3\n诸暨,2,\n330683.0,0,1\n".encode("gbk"))
    quotas, _ = _quotas({"quota": q}, PilotOptions(level="village"), {})
    assert quotas == {"330602": (1, 3), "330681": (2, None), "330683": (0, 1)}
    q.write_text("county_adcode,min,max\n330602,1,3\n萧山区,1,2\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"配额.csv: row 3 column county_adcode: '萧山区' is not a code"):
        _quotas({"quota": q}, PilotOptions(level="village"), {})
    q.write_text("county_adcode,min,max\n330109,1,2\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"row 2 column county_adcode: 330109 is not one of the six"):
        _quotas({"quota": q}, PilotOptions(level="village"), {})


def test_fixed_pilots_codes_as_excel_leaves_them(tmp_path):
    from sxgeo.errors import SchemaError
    from sxgeo.pilots.pipeline import _fixed_codes

    cand = pd.DataFrame({"code": ["330602002053", "330604007314"], "level": "village"})
    f = tmp_path / "fixed.csv"
    f.write_text(
        "区划代码,名称\n'330602002053,西小路社区\n330604007314.0,祝温村\n330624107,小将镇\n", encoding="utf-8"
    )
    codes, _ = _fixed_codes({"fixed": f}, cand)  # the town 330624107 is of another level: said, not used
    assert codes == {"330602002053", "330604007314", "330624107"}
    assert cand["code"].isin(codes).tolist() == [True, True]
    f.write_text("code\n330602002053\n330602002999\n", encoding="utf-8")
    with pytest.raises(
        SchemaError, match=r"fixed.csv: row 3 column code: fixed pilot 330602002999 is not among"
    ):
        _fixed_codes({"fixed": f}, cand)
    f.write_text("code\n3.30602E+11\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"row 2 column code: '3.30602E\+11' lost its last 6 digits"):
        _fixed_codes({"fixed": f}, cand)


def test_codes_outside_the_division_table_get_their_county_from_their_location(tmp_path):
    """A planner's own 12-digit codes, not in the shipped division table: the county comes from the point
    (one in 越城区, one in 新昌县 whose code says 越城区, one in Hangzhou outside every county), and the notes
    count them; before, all three were 'unassigned' and no county quota held them."""
    import geopandas as gpd
    import shapely

    from sxgeo import admin
    from sxgeo._pipeline import Context
    from sxgeo.pilots.pipeline import _candidates

    counties = admin.load_counties()
    inner = {c: counties.loc[counties["adcode"] == c].geometry.iloc[0].representative_point() for c in
             ("330602", "330624")}  # fmt: skip
    layer = gpd.GeoDataFrame(
        {"code": ["330699000001", "330602999999", "330100999999"], "name": ["甲村", "乙村", "丙村"]},
        geometry=[inner["330602"], inner["330624"], shapely.Point(120.16, 30.27)],
        crs="EPSG:4326",
    )
    path = tmp_path / "mine.gpkg"
    layer.to_file(path)
    cand, _ = _candidates(Context(units=counties), {"candidates": path}, "village")
    assert cand["county_adcode"].tolist() == ["330602", "330624", "unassigned"]
    notes = cand.attrs["county_notes"]
    assert notes[0].startswith("2 of 3 candidates without a county (a code the shipped division table")
    assert "1 lie outside every county" in notes[0]
    assert notes[1] == "1 candidates lie in another county than their code's first six digits say"


def test_a_county_column_in_excel_forms_and_blanks_is_read_and_located(tmp_path):
    """QGIS/Excel forms of the codes: float codes (330602001001.0), a 12-digit county statistical code, a
    county name and a blank county cell; the blank one is located, the rest read as the values table reads
    codes."""
    import geopandas as gpd

    from sxgeo import admin
    from sxgeo._pipeline import Context
    from sxgeo.pilots.pipeline import _candidates

    counties = admin.load_counties()
    pt = {c: counties.loc[counties["adcode"] == c].geometry.iloc[0].representative_point() for c in
          ("330602", "330603", "330624")}  # fmt: skip
    layer = gpd.GeoDataFrame(
        {
            "code": [330602001001.0, 330603001001.0, 330624001001.0, 330624001002.0],
            "county_adcode": ["330602", "330603000000", "新昌县", None],
        },
        geometry=[pt["330602"], pt["330603"], pt["330624"], pt["330624"]],
        crs="EPSG:4326",
    )
    path = tmp_path / "from_excel.gpkg"
    layer.to_file(path)
    cand, _ = _candidates(Context(units=counties), {"candidates": path}, "village")
    assert cand["code"].tolist() == ["330602001001", "330603001001", "330624001001", "330624001002"]
    assert cand["county_adcode"].tolist() == ["330602", "330603", "330624", "330624"]
    assert cand.attrs["county_notes"][0].startswith("1 of 1 candidates without a county")
