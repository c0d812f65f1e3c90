"""tools/check_imports.py: import cycles among a package's modules, imports inside functions counted."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parent.parent / "tools" / "check_imports.py"


def _tool():
    spec = importlib.util.spec_from_file_location("check_imports", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _package(root: Path, files: dict[str, str]) -> Path:
    pkg = root / "fake"
    for name, text in files.items():
        path = pkg / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return pkg


def test_cycle_through_a_function_body_import_and_a_relative_import(tmp_path, capsys):
    # a -> b at top level (line 1); b -> a only inside a function, as "from . import a" (line 3)
    pkg = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from fake import b\n",
            "b.py": "def f():\n    x = 1\n    from . import a\n    return a, x\n",
            "c.py": "import fake.a\n",  # leads into the cycle but is not part of it
        },
    )
    tool = _tool()
    found = tool.cycles(pkg)
    assert len(found) == 1
    chain = [(e.source, e.target, Path(e.file).name, e.line) for e in found[0]]
    assert chain == [("fake.a", "fake.b", "a.py", 1), ("fake.b", "fake.a", "b.py", 3)]
    assert tool.main([str(pkg)]) == 1
    out = capsys.readouterr().out
    assert "import cycle: fake.a -> fake.b -> fake.a" in out
    assert f"{pkg / 'b.py'}:3" in out


def test_three_module_cycle_through_parent_relative_import(tmp_path):
    pkg = _package(
        tmp_path,
        {
            "__init__.py": "",
            "x.py": "from fake.sub.y import name\n",
            "sub/__init__.py": "",
            "sub/y.py": "name = 1\n\n\ndef g():\n    from ..z import other\n    return other\n",
            "z.py": "other = 2\n\n\ndef h():\n    import fake.x\n    return fake.x\n",
        },
    )
    found = _tool().cycles(pkg)
    assert len(found) == 1
    # each edge names its own line: x.py:1 (top level), y.py:5 and z.py:5 (function bodies)
    assert {e.source: (e.target, e.line) for e in found[0]} == {
        "fake.x": ("fake.sub.y", 1),
        "fake.sub.y": ("fake.z", 5),
        "fake.z": ("fake.x", 5),
    }


@pytest.mark.parametrize(
    "b_text",
    [
        "import os\n",  # no import of the package at all
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fake import a\n",  # typing only
        "import importlib\nA = importlib.import_module('fake.a')\n",  # not an import statement
    ],
)
def test_no_cycle(tmp_path, capsys, b_text):
    pkg = _package(tmp_path, {"__init__.py": "", "a.py": "from fake import b\n", "b.py": b_text})
    tool = _tool()
    assert tool.cycles(pkg) == []
    assert tool.main([str(pkg)]) == 0
    assert capsys.readouterr().out == ""


def test_sxgeo_layering_of_the_plan_and_the_report():
    # the report consumes tables: it imports neither the build nor the pipelines, and admin keeps
    # geography only (it imports nothing of the plan); counted inside function bodies too
    edges = _tool().edges(TOOL.parent.parent / "sxgeo")
    report = {
        (e.target, f"{Path(e.file).name}:{e.line}") for e in edges if e.source.startswith("sxgeo.report")
    }
    assert not [x for x in report if x[0] == "sxgeo.build" or x[0].startswith("sxgeo.pipelines")]
    assert not [e for e in edges if e.source == "sxgeo.admin" and e.target in {"sxgeo.plan", "sxgeo.report"}]
    assert not [e for e in edges if e.source == "sxgeo.admin" and e.target.startswith("sxgeo.report.")]
    # and the cli's report command no longer goes back to the cli package for print_status
    assert not [e for e in edges if e.source == "sxgeo.cli.report" and e.target == "sxgeo.cli"]


def test_layer_contract_refuses_an_upward_import_an_unassigned_module_and_renderers_importing_each_other(
    tmp_path, capsys
):
    pkg = _package(
        tmp_path,
        {
            "__init__.py": "",
            "base.py": "def f():\n    from fake import top\n",  # upward, inside a function
            "top.py": "from fake import base\n",
            "loose.py": "",
            "report.py": "from fake import maps\n",
            "maps.py": "",
        },
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.check-imports]\nlayers = [["fake.top"], ["fake.report", "fake.maps"], ["fake", "fake.base"]]\n'
        'independent = [["fake.report", "fake.maps"]]\n',
        encoding="utf-8",
    )
    tool = _tool()
    contract = tool.load_contract(tmp_path / "pyproject.toml")
    problems = tool.contract_violations(pkg, contract)
    assert any("fake.loose: in no layer" in p for p in problems)
    assert any("fake.base (layer 0) imports fake.top (layer 2, above it)" in p for p in problems)
    assert any("fake.report imports fake.maps" in p and "independent" in p for p in problems)
    assert len(problems) == 3  # top -> base is downward: allowed
    assert tool.main([str(pkg)]) == 1  # the cycle base <-> top too
    assert "layer contract:" in capsys.readouterr().out


def test_role_patterns_win_over_package_patterns():
    contract = _tool().Contract(layers=(("pkg.a*",), ("pkg.*.spec",)))
    assert contract.layer_of("pkg.a.spec") == 0
    assert contract.layer_of("pkg.a.pipeline") == 1


def test_sxgeo_keeps_its_layer_contract():
    tool = _tool()
    root = TOOL.parent.parent
    contract = tool.load_contract(root / "pyproject.toml")
    assert contract is not None and len(contract.layers) >= 10
    assert tool.contract_violations(root / "sxgeo", contract) == []
