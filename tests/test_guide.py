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
