"""Every command and option has Chinese help beside the English (the commands are listed from the app)."""

from __future__ import annotations

import os
import subprocess
import sys

import typer.main

from sxgeo.cli import app
from sxgeo.cli._zh import bilingual, missing


def test_every_help_text_has_a_chinese_entry():
    assert missing(typer.main.get_command(app)) == []


def test_help_is_bilingual_and_switchable():
    both = bilingual(typer.main.get_command(app), "both")
    assert both.commands["sponge"].commands["coverage"].short_help.startswith("第一层级")
    assert "Tier A" in both.commands["sponge"].commands["coverage"].short_help
    en = bilingual(typer.main.get_command(app), "en")
    assert en.commands["pv"].short_help.startswith("Capacity")
    env = {**os.environ, "SXGEO_LANG": "zh", "COLUMNS": "200"}
    out = subprocess.run(
        [sys.executable, "-m", "sxgeo", "carbon", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert "碳汇:各县区森林与湿地碳储量和年碳汇。" in out and "Carbon sinks:" not in out
