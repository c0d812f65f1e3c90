"""The docs cannot drift from the code: size, links, commands, project keys and the README's example.

* README.md stays a landing page (at most 8 KB, architecture-review §7.1).
* Every relative link of README.md and ``docs/*.md`` names a file that exists and, with ``#anchor``, a
  heading of that file (GitHub's slug rule: lower case, punctuation dropped, spaces to hyphens, ``-1``
  for repeats).
* Every ``sxgeo`` command in a ``bash`` block names a real (sub)command, and every ``--option`` it uses is an
  option of that command, read from the typer app itself (the commands of the Chinese guide are run in full
  on the demo by ``tests/test_guide.py``; these run on files a planner has, so they are checked against the
  parser).
* ``docs/project-file.md`` lists exactly the keys of :data:`sxgeo.project.KEYS`.
* The README's Python example runs, and its city row counts the towns and villages of the shipped divisions
  table, counted here with the csv module.
"""

from __future__ import annotations

import csv
import re
import shlex
import unicodedata
from pathlib import Path

import pytest
import typer

from sxgeo.cli import app
from sxgeo.project import KEYS

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
DOCS = [README, *PAGES]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: markup and punctuation dropped, lower case, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    seen: dict[str, int] = {}
    out = set()
    for heading in re.findall(r"^#{1,6} (.+)$", text, flags=re.M):
        slug = _slug(heading)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t)]


def test_slug_rule():
    # GitHub's own anchors for headings of these docs, as its renderer writes them
    assert _slug("On an intranet (no internet)") == "on-an-intranet-no-internet"
    assert (
        _slug("Reading real-world files (`sxgeo.io.read_layer`)")
        == "reading-real-world-files-sxgeoioread_layer"
    )
    assert _slug("[engine]") == "engine"


def test_readme_is_a_landing_page():
    assert README.stat().st_size <= 8 * 1024
    head = README.read_text(encoding="utf-8").split("\n## ")[0]
    assert "docs/使用指南.md" in head and "docs/index.md" in head


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_relative_links_resolve(doc):
    bad = []
    for target in links(doc):
        file, _, anchor = target.partition("#")
        dest = (doc.parent / file).resolve() if file else doc
        if not dest.exists():
            bad.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            bad.append(f"{target}: no heading #{anchor} in {dest.name}")
    assert bad == []


def test_the_docs_link_each_other():
    assert {p.name for p in PAGES} >= {
        "index.md", "sponge.md", "carbon.md", "pv.md", "pilots.md", "report.md", "maps.md", "project-file.md",
        "files.md", "scale.md", "glossary.md", "design.md", "development.md", "使用指南.md",
    }  # fmt: skip
    linked = {Path(t.partition("#")[0]).name for t in links(ROOT / "docs" / "index.md")}
    assert {p.name for p in PAGES} - {"index.md"} <= linked


def commands() -> list[tuple[str, str]]:
    out = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
            for line in block.replace("\\\n", " ").splitlines():
                line = line.split("  #")[0].strip()
                if line.startswith("sxgeo "):
                    out.append((doc.name, line))
    return out


def _options(command) -> set[str]:
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts) if o.startswith("-")} | {"--help"}


@pytest.mark.parametrize(("doc", "line"), commands())
def test_doc_command_is_a_real_command(doc, line):
    group = typer.main.get_command(app)
    root_options = _options(group)
    args = [a for a in shlex.split(line)[1:] if a not in root_options]
    command, path = group, ["sxgeo"]
    while hasattr(command, "commands") and args:
        name = args.pop(0)
        assert name in command.commands, f"{doc}: {line}: no command {' '.join([*path, name])}"
        command, path = command.commands[name], [*path, name]
    unknown = [
        a.split("=")[0] for a in args if a.startswith("-") and a.split("=")[0] not in _options(command)
    ]
    assert unknown == [], f"{doc}: {line}: {' '.join(path)} has no option {unknown}"


def test_docs_name_their_commands():
    # the pages this test reads really hold commands (a renamed fence would silently check nothing)
    names = {doc for doc, _ in commands()}
    assert {"README.md", "project-file.md", "scale.md"} <= names
    assert len(commands()) >= 15


def test_project_file_page_lists_every_key():
    text = (ROOT / "docs" / "project-file.md").read_text(encoding="utf-8")
    listed, section = set(), None
    for line in text.splitlines():
        if m := re.match(r"### \[(\w+)\]", line):
            section = m.group(1)
        elif section and (m := re.match(r"\| `(\w+)` \|", line)):
            listed.add((section, m.group(1)))
    assert listed == {(k.section, k.name) for k in KEYS}


def test_readme_python_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 1
    scope: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), scope)  # the README's own example
    table = scope["table"]
    with (ROOT / "sxgeo" / "data" / "layers" / "divisions.csv").open(encoding="utf-8") as f:
        levels = [row["level"] for row in csv.DictReader(f)]
    city = table.set_index("unit_code").loc["330600"]
    assert (city["towns"], city["villages"]) == (levels.count("town"), levels.count("village")) == (103, 2168)
    assert "330600-urban" in capsys.readouterr().out
