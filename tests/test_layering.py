"""The layers import downwards only: domain/ knows no Flask and no other layer; models/ and web/
never import views; background/ never imports views; backup/ knows no Flask and models/ never imports it;
tests import shared helpers from tests/conftest.py or named modules, never from another folder's conftest."""

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


def test_tests_share_helpers_through_modules_not_conftests():
    """A test folder's conftest holds its fixtures; helpers other modules import live in tests/conftest.py or in
    a named module (factories.py, uploading.py, ...), so moving a folder never breaks another."""
    offences = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for name in _imports(path):
            if name.endswith(".conftest") and name != "tests.conftest":
                offences.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offences == []
