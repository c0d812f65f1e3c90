"""The Chinese user guide cannot drift: every ``sxgeo`` command in its ``bash`` blocks runs on the demo.

Commands run as a planner would type them, in a fresh folder whose ``layers/demo`` is the demo data; each
must exit 0 and write what it names. (``make`` lines and ``text`` blocks, such as the Windows and intranet
install steps, are shown for reading and are exercised by ``tests/e2e/test_install.py`` instead.)
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DEMO_BUILD_ARGS

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "使用指南.md"


def guide_commands() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("sxgeo "):
                lines.append(line)
    return lines


def test_guide_is_linked_from_the_readme():
    assert "docs/使用指南.md" in (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ")[0]
    assert len(guide_commands()) >= 12


@pytest.fixture(scope="module")
def workdir(demo_dir, tmp_path_factory):
    work = tmp_path_factory.mktemp("guide")
    (work / "layers").mkdir()
    (work / "layers" / "demo").symlink_to(demo_dir)
    return work


@pytest.mark.parametrize("command", guide_commands())
def test_guide_command_runs(workdir, command, request):
    args = shlex.split(command)[1:]
    if args[0] == "build":
        # the session's demo build (conftest.py) runs this very command once for every test that reads it
        assert tuple(args) == DEMO_BUILD_ARGS
        assert (request.getfixturevalue("demo_build").out / "counties.csv").exists()
        return
    proc = subprocess.run(
        [sys.executable, "-m", "sxgeo", *args], cwd=workdir, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"{command}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
    if "-o" in args:
        out = workdir / args[args.index("-o") + 1]
        assert out.exists(), out


def test_guide_references_exist():
    """Every repository path and page the guide names exists (sxgeo/data/plan_targets.csv did not)."""
    text = GUIDE.read_text(encoding="utf-8")
    paths = set(re.findall(r"`((?:sxgeo|docs|tools|tests|layers)/[^`\s]+?)`", text))
    paths = {p for p in paths if not p.startswith("layers/demo")}  # made by `sxgeo demo-data`
    assert "sxgeo/data/plans/shaoxing_14th.yaml" in paths
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert missing == []
    links = set(re.findall(r"\]\(([^)#]+\.(?:md|png))\)", text))
    assert any(link.endswith(".png") for link in links)  # the screenshots the tests take
    assert links and sorted(link for link in links if not (GUIDE.parent / link).exists()) == []


def test_guide_has_a_pilots_chapter():
    text = GUIDE.read_text(encoding="utf-8")
    chapter = re.search(r"\n### [\d.]+ 低\(零\)碳试点.*?(?=\n### )", text, flags=re.S)
    assert chapter, "no pilots chapter"
    assert any(c.startswith("sxgeo pilots select") for c in guide_commands())
    for word in ("已入选", "入选/未入选原因", "稳健性", "选址已足"):
        assert word in chapter.group(0)
