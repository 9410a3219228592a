"""The import rules of docs/architecture.md, checked on the source: every import (lazy ones and
those under ``TYPE_CHECKING`` included) points down the layers, and no module imports itself
back through others."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "heartbreak"

#: Each part of the package and its layer (docs/architecture.md): a module may import modules
#: of its own layer or of lower ones, never higher.
LAYERS: dict[str, int] = {
    "errors": 0,
    "domain": 0,
    "dates": 0,
    "wording": 0,
    "config": 1,
    "rules": 1,
    "data": 1,
    "ratings": 2,
    "model": 3,
    "drama": 4,
    "evaluation": 4,
    "story": 5,
    "serialize": 5,
    "results": 6,
    "history": 6,
    "tournaments": 6,
    "build": 7,
    "services": 8,
    "exchange": 9,
    "live": 9,
    "api": 10,
    "cli": 11,
    "__main__": 12,
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / PACKAGE).rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # "from heartbreak.data import store" imports the module heartbreak.data.store.
            targets = [
                f"{module}.{a.name}" if f"{module}.{a.name}" in MODULES else module
                for a in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target.startswith(PACKAGE) and target != name:
                out.add(target)
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    return None if len(parts) == 1 else LAYERS.get(parts[1])


def test_every_part_of_the_package_has_a_layer():
    unplaced = sorted({m.split(".")[1] for m in MODULES if "." in m} - set(LAYERS))
    assert unplaced == [], f"add {unplaced} to LAYERS and docs/architecture.md"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if "." in m))
def test_imports_point_down_the_layers(module):
    upward = sorted(t for t in GRAPH[module] if (layer_of(t) or 0) > (layer_of(module) or 0))
    assert upward == [], f"{module} (layer {layer_of(module)}) imports higher layers: {upward}"


def test_the_data_layer_imports_no_model_drama_story_or_face():
    forbidden = ("ratings", "model", "drama", "story", "build", "services", "api", "cli", "live")
    bad = {
        m: sorted(t for t in GRAPH[m] if t.split(".")[1] in forbidden)
        for m in MODULES
        if m.startswith(f"{PACKAGE}.data")
    }
    assert {m: t for m, t in bad.items() if t} == {}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle():
    assert _cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_reader_sees_lazy_and_type_checking_imports(tmp_path):
    assert "heartbreak.data.store" in GRAPH["heartbreak.services"]  # imported in a method
    assert "heartbreak.build" in GRAPH["heartbreak.services"]
