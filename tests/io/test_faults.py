"""Outputs that survive faults: atomic writes, injected OS errors, the build lock, Ctrl-C, bad options.

CI runs as root, which ignores read-only folders: permission and disk-full errors are injected
(the write or the rename raises EACCES/ENOSPC), never made with a real folder or disk.
"""

from __future__ import annotations

import errno
import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from sxgeo import crs as sxcrs
from sxgeo.errors import LayerError, OptionError, OutputError
from sxgeo.io import write_table, write_workbook
from sxgeo.io.writers import atomic_path, build_lock, written_so_far

TABLE = pd.DataFrame({"unit_code": ["330602", "330603"], "area_ha": [1.5, 2.5]})


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


def test_a_writer_killed_mid_write_leaves_the_previous_file_intact(tmp_path):
    """kill -9 in the middle of writing a CSV: the good file from before is still there, whole."""
    out = tmp_path / "t.csv"
    write_table(TABLE, out)
    before = out.read_bytes()
    script = textwrap.dedent(
        f"""
        import os, signal
        import pandas as pd
        from sxgeo.io import write_table

        real = pd.DataFrame.to_csv
        def half_then_die(self, path, **kw):
            with open(path, "w") as fh:
                fh.write("unit_code,area_ha\\n330602,")
                fh.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        pd.DataFrame.to_csv = half_then_die
        write_table(pd.DataFrame({{"unit_code": ["x"], "area_ha": [9.0]}}), {str(out)!r})
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert proc.returncode == -9, proc.stderr
    assert out.read_bytes() == before
    assert pd.read_csv(out)["area_ha"].tolist() == [1.5, 2.5]


@pytest.mark.parametrize("fault", [KeyboardInterrupt, OSError(errno.ENOSPC, "No space left on device")])
def test_interrupted_or_full_disk_write_keeps_the_previous_file_and_no_temp(tmp_path, monkeypatch, fault):
    out = tmp_path / "t.xlsx"
    write_workbook({"t": TABLE}, out)
    before = out.read_bytes()

    def failing_save(self, path):
        Path(path).write_bytes(b"PK\x03\x04 half a zip")
        raise fault

    monkeypatch.setattr("openpyxl.Workbook.save", failing_save)
    expected = KeyboardInterrupt if fault is KeyboardInterrupt else OutputError
    with pytest.raises(expected) as err:
        write_workbook({"t": TABLE.assign(area_ha=0.0)}, out)
    if expected is OutputError:
        assert "disk is full" in str(err.value) and str(out) in str(err.value)
    assert out.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_permission_denied_on_rename_is_one_line(tmp_path, monkeypatch):
    out = tmp_path / "t.csv"

    def denied(self, target):
        raise PermissionError(errno.EACCES, "Permission denied", str(target))

    monkeypatch.setattr(Path, "replace", denied)
    with pytest.raises(OutputError, match="permission denied; choose a folder you can write to"):
        write_table(TABLE, out)
    assert not out.exists() and _leftovers(tmp_path) == []


def test_output_file_that_is_a_folder_and_folder_that_is_a_file(tmp_path):
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(OutputError, match="it is a folder"):
        write_table(TABLE, tmp_path / "out.csv")
    (tmp_path / "plain").write_text("x")
    with pytest.raises(OutputError, match="it is a file, not a folder"):
        write_table(TABLE, tmp_path / "plain" / "t.csv")


def test_geopackage_layers_accumulate_atomically(tmp_path):
    g = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(500_000, 3_320_000)], crs=sxcrs.METRIC)
    path = tmp_path / "t.gpkg"
    write_table(g, path, sheet="one")
    write_table(g.assign(a=2), path, sheet="two")
    import pyogrio

    # and the QGIS styles of both (sxgeo.io.qgis_style) in QGIS's layer_styles table
    assert sorted(pyogrio.list_layers(path)[:, 0]) == ["layer_styles", "one", "two"]
    assert _leftovers(tmp_path) == []


def test_atomic_path_records_what_was_written(tmp_path):
    with atomic_path(tmp_path / "x.txt") as tmp:
        tmp.write_text("ok")
    assert tmp_path / "x.txt" in written_so_far()


def test_a_second_build_into_the_same_folder_is_refused(tmp_path):
    from sxgeo import build

    with build_lock(tmp_path):
        with pytest.raises(OutputError, match="another sxgeo build is writing into"):
            build.run(None, tmp_path)
        # the refused build leaves the holder's lock in place (a third build is refused too)
        assert (tmp_path / ".sxgeo-build.lock").exists()
        with pytest.raises(OutputError, match="another sxgeo build"), build_lock(tmp_path):
            pass
    assert not (tmp_path / ".sxgeo-build.lock").exists()
    with build_lock(tmp_path):  # free again once the holder is done
        pass


def test_build_with_a_missing_layers_folder_is_refused(tmp_path):
    from sxgeo import build

    with pytest.raises(LayerError, match="--layers .*nope: no such folder"):
        build.run(None, tmp_path / "out", layers=tmp_path / "nope")


# --- options out of range ----------------------------------------------------------------------


def test_numeric_options_out_of_range_are_refused():
    from sxgeo.carbon.pipeline import CarbonOptions
    from sxgeo.pv.pipeline import PVOptions
    from sxgeo.sponge.pipeline import ZoneOptions

    with pytest.raises(OptionError, match="years between the maps .* must be > 0, got -5"):
        CarbonOptions(years=-5)
    with pytest.raises(OptionError, match="for 75% write 0.75"):
        ZoneOptions(alpha_target=75)
    with pytest.raises(OptionError, match="between 0 and 1"):
        ZoneOptions(alpha_target=750)
    with pytest.raises(OptionError, match="--grid-m must be > 0, got 0"):
        PVOptions(grid_m=0)
    with pytest.raises(OptionError, match="must be >= 1990 and <= 2100, got 99999"):
        PVOptions(ef_year=99999)
    assert ZoneOptions(alpha_target=0.75).alpha_target == 0.75


def _main(argv, monkeypatch, capsys):
    from sxgeo.cli import main

    monkeypatch.setattr(sys, "argv", ["sxgeo", *argv])
    with pytest.raises(SystemExit) as exit_info:
        main()
    return exit_info.value.code, capsys.readouterr()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["demo-data", "--seed", "-1"], "--seed must be a whole number"),
        (["sponge", "curve", "--rainfall", "x.csv", "-o", "o.csv"], "x.csv"),
    ],
)
def test_bad_options_are_one_line(tmp_path, monkeypatch, capsys, argv, needle):
    monkeypatch.chdir(tmp_path)
    code, cap = _main(argv, monkeypatch, capsys)
    assert code == 1
    assert needle in cap.err and "Traceback" not in cap.err
    assert cap.err.strip().count("\n") == 0


def test_ctrl_c_lists_the_outputs_in_place_and_exits_130(tmp_path, monkeypatch, capsys):
    x0, y0 = 556_000.0, 3_320_000.0
    w = gpd.GeoDataFrame(
        {"wetland_type": ["lake_reservoir"], "protected": ["是"]},
        geometry=[shapely.box(x0, y0, x0 + 1000, y0 + 1000)],
        crs=sxcrs.METRIC,
    )
    w.to_file(tmp_path / "w.gpkg", driver="GPKG")

    def interrupt(self, path, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr("sxgeo.maps.page.WebMap.save", interrupt)
    argv = ["carbon", "wetlands", "--wetlands", str(tmp_path / "w.gpkg"), "-o", str(tmp_path / "out")]
    code, cap = _main(argv, monkeypatch, capsys)
    assert code == 130
    assert cap.err.startswith("sxgeo: 已中断;已写出的文件:")  # then the English (sxgeo.messages)
    assert " · interrupted; outputs written so far: " in cap.err
    assert "carbon_wetlands.csv" in cap.err and "carbon_wetlands.xlsx" in cap.err
    assert "Traceback" not in cap.err


def test_duplicates_and_area_changing_repairs_reach_the_notes(tmp_path, monkeypatch, capsys):
    x0, y0 = 556_000.0, 3_320_000.0
    a = shapely.box(x0, y0, x0 + 1000, y0 + 1000)
    bow = shapely.Polygon([(x0, y0), (x0 + 600, y0 + 300), (x0 + 600, y0), (x0, y0 + 600), (x0, y0)])
    w = gpd.GeoDataFrame(
        {"wetland_type": ["lake_reservoir"] * 3, "protected": ["是", "是", "否"]},
        geometry=[a, a, bow],
        crs=sxcrs.METRIC,
    )
    w.to_file(tmp_path / "w.gpkg", driver="GPKG")
    argv = ["carbon", "wetlands", "--wetlands", str(tmp_path / "w.gpkg"), "-o", str(tmp_path / "w.csv")]
    code, _ = _main(argv, monkeypatch, capsys)
    assert code in (0, None)
    notes = (tmp_path / "w.notes.txt").read_text(encoding="utf-8")
    assert "w.gpkg: 1 duplicate features counted once: rows 1 (= row 0)" in notes
    assert "w.gpkg: row 2: make_valid repair: area changed by" in notes
