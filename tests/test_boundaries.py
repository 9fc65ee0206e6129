"""The conversations know no platform: a second messenger is an adapter, not a rewrite."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CONVERSATIONS = Path(__file__).resolve().parents[1] / "conversations"
PLATFORM_PACKAGES = {"aiogram", "aiohttp", "telegram", "bot"}


MODULES = sorted(CONVERSATIONS.rglob("*.py"))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(CONVERSATIONS)))
def test_conversations_import_no_platform(module: Path) -> None:
    imported = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & PLATFORM_PACKAGES, f"{module.name} imports {imported & PLATFORM_PACKAGES}"


def _imports(module: Path) -> tuple[set[str], list[str]]:
    """The conversations modules it imports at the top, and any import made inside a function."""
    tree = ast.parse(module.read_text())
    top: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("conversations"):
            if node.module == "conversations":
                top |= {f"conversations.{alias.name}" for alias in node.names}
            else:
                top.add(node.module)
    lazy = [
        ast.unparse(inner)
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(fn)
        if isinstance(inner, ast.Import | ast.ImportFrom)
    ]
    return top, lazy


def test_no_lazy_imports_and_no_import_circle() -> None:
    """Every dependency is visible at the top of a module, and the modules form no circle."""
    graph = {}
    for module in MODULES:
        name = "conversations." + ".".join(module.relative_to(CONVERSATIONS).with_suffix("").parts)
        top, lazy = _imports(module)
        assert not lazy, f"{name} imports inside a function: {lazy}"
        graph[name] = {m for m in top if m != name}

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, "import circle: " + " -> ".join((*path, name))
        for target in graph.get(name, ()):
            visit(target, (*path, name))

    for name in graph:
        visit(name, ())


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(CONVERSATIONS)))
def test_queries_live_in_storage(module: Path) -> None:
    """Flows ask storage by name; building SQL (select, update, ...) belongs in storage/."""
    builds = [
        alias.name
        for node in ast.walk(ast.parse(module.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy"
        for alias in node.names
    ]
    assert not builds, f"{module.name} builds SQL: from sqlalchemy import {builds}"
