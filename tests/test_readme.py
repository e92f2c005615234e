"""README.md documents every setting and every CLI command, exactly as the code has them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("readme_tables", ROOT / "scripts" / "readme_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_tables_match_the_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _generator().render(readme) == readme, "README.md is stale: run `python scripts/readme_tables.py`"


def test_readme_names_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme


def _layout_paths(readme: str) -> list[str]:
    section = readme.split("## Project layout", 1)[1].split("\n## ", 1)[0]
    paths = []
    for line in section.splitlines():
        if line.startswith("| `"):
            cell = line.split("|")[1]
            paths += [part.strip().strip("`") for part in cell.split(",")]
    return paths


def test_layout_table_matches_the_tree():
    """Every path the README's layout table names exists, and every top-level folder is in it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = _layout_paths(readme)
    missing = [path for path in paths if not (ROOT / path.rstrip("/")).exists()]
    assert missing == [], f"README layout names paths that do not exist: {missing}"
    tracked = {p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")}
    tracked -= {"node_modules", "instance", "__pycache__", "test-results"}
    named = {path.rstrip("/").split("/")[0] for path in paths}
    assert tracked - named == set(), f"top-level folders missing from README layout: {sorted(tracked - named)}"
