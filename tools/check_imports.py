"""Find import cycles among a package's modules, and imports against its layer contract.

Usage: ``python tools/check_imports.py [PACKAGE_DIR]`` (default ``sxgeo``). Every ``import x`` and
``from x import y`` anywhere in a module (top level, function bodies, ``if TYPE_CHECKING`` blocks
excluded) is an edge of the module graph; ``from . import x`` and ``from .. import x`` are resolved
against the importing module, and ``from pkg import sub`` points at ``pkg.sub`` when that is a
module. Each cycle is printed as a chain of modules with the ``file:line`` of every edge, and the
exit status is 1 when there is one.

Importing a module runs its package's ``__init__`` first, but that is not counted as an edge: a
cycle is a module needing, directly or through others, a name from a module that needs it back.
``importlib.import_module("...")`` (the re-export shims' way) is not an import statement and is not
counted.
"""

from __future__ import annotations

import ast
import fnmatch
import itertools
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Edge:
    """One import: *source* imports *target* at *file*:*line*."""

    source: str
    target: str
    file: str
    line: int


def module_names(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under the package folder *root*."""
    names: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement of *tree*, at any depth, except under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name a ``from`` import refers to (``from .x import y`` in ``a.b`` -> ``a.x``)."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _known(name: str, names: dict[str, Path]) -> str | None:
    """The longest prefix of *name* that is one of the package's modules."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in names:
            return candidate
        parts.pop()
    return None


def edges(root: Path) -> list[Edge]:
    """Every import edge between modules of the package at *root*."""
    names = module_names(root)
    out: list[Edge] = []
    for module, path in names.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in _imports(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = _resolve(module, is_package, node)
                for alias in node.names:
                    sub = f"{base}.{alias.name}" if base else alias.name
                    targets.append(sub if sub in names else base)
            for name in targets:
                target = _known(name, names)
                if target is not None and target != module:
                    out.append(Edge(module, target, str(path), node.lineno))
    return out


def _components(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, []))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, [])))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1:
                    result.append(sorted(comp))
    return result


def _cycle_through(start: str, graph: dict[str, list[str]], members: set[str]) -> list[str]:
    """A shortest chain ``start -> ... -> start`` inside one component (breadth first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for child in sorted(graph.get(node, [])):
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child not in previous:
                    previous[child] = node
                    nxt.append(child)
        frontier = nxt
    return []


def cycles(root: Path) -> list[list[Edge]]:
    """One cycle per strongly connected component of the import graph, as its edges in order.

    A component with more than one cycle is reported by one of them (a shortest through its first
    module); breaking it shows the next run what is left.
    """
    all_edges = edges(root)
    graph: dict[str, list[str]] = {}
    first: dict[tuple[str, str], Edge] = {}
    for e in sorted(all_edges, key=lambda e: (e.file, e.line)):
        graph.setdefault(e.source, []).append(e.target)
        first.setdefault((e.source, e.target), e)
    found = []
    for comp in _components(graph):
        chain = _cycle_through(comp[0], graph, set(comp))
        found.append([first[(a, b)] for a, b in itertools.pairwise(chain)])
    return found


@dataclass(frozen=True)
class Contract:
    """The layer contract of a package (``[tool.check-imports]`` in ``pyproject.toml``).

    Attributes
    ----------
    layers : tuple of tuple of str
        Top layer first; each a list of module patterns (``fnmatch``: ``sxgeo.maps*``,
        ``sxgeo.*.view``). A module may import from its own layer and the layers below it.
        Role patterns (``pkg.*.role``) are tried before package patterns, so ``sxgeo.*.spec``
        claims ``sxgeo.sponge.spec`` although ``sxgeo.sponge.*`` also matches it.
    independent : tuple of tuple of str
        Groups of patterns of which no two may import each other (``report`` and ``maps``).
    """

    layers: tuple[tuple[str, ...], ...] = ()
    independent: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    def layer_of(self, module: str) -> int | None:
        """The layer index of *module*, 0 the bottom; None when no pattern claims it."""
        for role in (True, False):
            for i, patterns in enumerate(self.layers):
                if any(fnmatch.fnmatchcase(module, p) for p in patterns if ("*." in p) == role):
                    return len(self.layers) - 1 - i
        return None

    def group_of(self, module: str, group: tuple[str, ...]) -> str | None:
        """The pattern of *group* that claims *module* (role patterns first), or None."""
        for role in (True, False):
            for p in group:
                if ("*." in p) == role and fnmatch.fnmatchcase(module, p):
                    return p
        return None


def load_contract(pyproject: Path) -> Contract | None:
    """The ``[tool.check-imports]`` table of *pyproject*, or None when it has none."""
    if not pyproject.is_file():
        return None
    table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("check-imports")
    if not table:
        return None
    return Contract(
        layers=tuple(tuple(layer) for layer in table.get("layers", [])),
        independent=tuple(tuple(g) for g in table.get("independent", [])),
    )


def contract_violations(root: Path, contract: Contract) -> list[str]:
    """One line per module no layer claims and per import against the layers or the independence rule."""
    problems = [
        f"{module}: in no layer of the contract (add it to [tool.check-imports] layers)"
        for module in sorted(module_names(root))
        if contract.layer_of(module) is None
    ]
    for e in sorted(edges(root), key=lambda e: (e.file, e.line)):
        src, dst = contract.layer_of(e.source), contract.layer_of(e.target)
        if src is not None and dst is not None and dst > src:
            problems.append(
                f"{e.file}:{e.line}: {e.source} (layer {src}) imports {e.target} (layer {dst}, above it)"
            )
        for group in contract.independent:
            a, b = contract.group_of(e.source, group), contract.group_of(e.target, group)
            if a is not None and b is not None and a != b:
                problems.append(
                    f"{e.file}:{e.line}: {e.source} imports {e.target} ({a} and {b} are independent)"
                )
    return problems


def main(argv: list[str] | None = None) -> int:
    """Print every cycle and contract violation under the package folder (default ``sxgeo``); 1 when any."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0] if args else "sxgeo")
    if not (root / "__init__.py").is_file():
        sys.stderr.write(f"check_imports: {root} is not a package folder (no __init__.py)\n")
        return 2
    found = cycles(root)
    for chain in found:
        mods = " -> ".join([chain[0].source, *(e.target for e in chain)])
        sys.stdout.write(f"import cycle: {mods}\n")
        for e in chain:
            sys.stdout.write(f"    {e.file}:{e.line}: {e.source} imports {e.target}\n")
    if found:
        sys.stdout.write(f"{len(found)} import cycle(s) in {root}\n")
    contract = load_contract(root.resolve().parent / "pyproject.toml")
    problems = contract_violations(root, contract) if contract is not None else []
    for line in problems:
        sys.stdout.write(f"layer contract: {line}\n")
    return 1 if found or problems else 0


if __name__ == "__main__":
    sys.exit(main())
