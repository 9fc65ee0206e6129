"""The conversations know no platform: a second messenger is an adapter, not a rewrite."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CONVERSATIONS = Path(__file__).resolve().parents[1] / "conversations"
PLATFORM_PACKAGES = {"aiogram", "aiohttp", "telegram", "bot"}


@pytest.mark.parametrize("module", sorted(CONVERSATIONS.glob("*.py")), ids=lambda p: p.name)
def test_conversations_import_no_platform(module: Path) -> None:
    imported = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & PLATFORM_PACKAGES, f"{module.name} imports {imported & PLATFORM_PACKAGES}"
