"""The layers import downwards only: domain/ knows no Flask and no other layer; models/ and web/
never import views; background/ never imports views; backup/ knows no Flask and models/ never imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "domain": ("flask", "werkzeug", "web", "views", "models", "background", "forms"),
    "models": ("views", "web", "flask", "backup"),
    "backup": ("flask", "werkzeug", "web", "views", "commands"),
    "web": ("views",),
    "background": ("views",),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(layer):
    offences = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in FORBIDDEN[layer]:
                offences.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offences == []
