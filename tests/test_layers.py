"""The import graph, read from the source: layers that only look down, and no loop.

web (and cli, forms) -> domain -> infrastructure / models -> keys / labels. Every
import counts, including those inside functions: a loop hidden in a function is
still a loop for the next engineer. Importing a submodule first runs its packages'
__init__, so `from traceapp.web.public import languages` is an import of
traceapp.web.public too (the importer's own packages excepted: they are already
running).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("traceapp", "keys", "labels")

# Each layer, and the layers above it that it must never import.
FORBIDDEN = {
    "traceapp.domain": ("traceapp.web", "traceapp.cli", "traceapp.forms", "flask"),
    "traceapp.infrastructure": ("traceapp.domain", "traceapp.web", "traceapp.cli", "flask"),
    "traceapp.models": ("traceapp.domain", "traceapp.web", "traceapp.infrastructure", "flask"),
    "keys": ("traceapp", "labels", "flask", "sqlalchemy"),
    "labels": ("traceapp", "keys", "flask", "sqlalchemy"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }


def _imported(name: str, path: Path) -> Iterator[str]:
    """What module `name` imports: a `from package import submodule` names the
    submodule, and every import names the packages whose __init__ it runs."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    running = set(_packages_of(name)) | {name}
    for target in _named_imports(package, path):
        yield target
        yield from (p for p in _packages_of(target) if p not in running)


def _named_imports(package: str, path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield submodule if submodule in _modules() else base


def _packages_of(module: str) -> list[str]:
    """'a.b.c' -> ['a', 'a.b']: the packages Python imports before a.b.c."""
    parts = module.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


@cache
def _graph() -> dict[str, frozenset[str]]:
    return {name: frozenset(_imported(name, path)) for name, path in _modules().items()}


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


@pytest.mark.parametrize("layer", list(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in _graph().items()
        if _within(name, layer)
        for target in targets
        for above in FORBIDDEN[layer]
        if _within(target, above)
    )
    assert wrong == []


def test_no_module_imports_itself_back():
    ours = _modules().keys()
    graph = {name: {t for t in targets if t in ours} for name, targets in _graph().items()}
    assert _cycles(graph) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    return found
