"""Regenerate README.md's settings and CLI tables from the code: `python scripts/readme_tables.py`.

tests/test_readme.py fails when README.md differs from what this writes, so a new setting or
command cannot land undocumented.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLASK_BUILTINS = {"routes", "run", "shell"}


def settings_table() -> str:
    """The markdown rows for every setting in settings.py."""
    import settings

    lines = ["| Setting | Default | What it does |", "| --- | --- | --- |"]
    for s in settings.SETTINGS:
        default = "(generated)" if s.default is None else f"`{s.default}`" if s.default != "" else "(empty)"
        lines.append(f"| `{s.name}` | {default} | {s.help} |")
    return "\n".join(lines)


def _usage(name: str, command: click.Command) -> str:
    parts = [name]
    for param in command.params:
        if isinstance(param, click.Argument):
            parts.append(param.human_readable_name.upper())
        elif isinstance(param, click.Option) and param.name != "help":
            flag = max(param.opts, key=len)
            parts.append(f"[{flag}]" if param.is_flag else f"[{flag} {param.name.upper()}]")
    return " ".join(parts)


def _commands(prefix: str, group: click.Group, ctx: click.Context) -> list[tuple[str, click.Command]]:
    found = []
    for name in sorted(group.list_commands(ctx)):
        if not prefix and name in FLASK_BUILTINS:
            continue
        command = group.get_command(ctx, name)
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found.extend(_commands(f"{full} ", command, ctx))
        else:
            found.append((full, command))
    return found


def cli_table() -> str:
    """The markdown rows for every `flask --app app` command Gatehouse adds."""
    from app import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "readme", "DATABASE": ":memory:", "FILES_DIR": "/tmp"})
    with click.Context(app.cli) as ctx:
        entries = _commands("", app.cli, ctx)
    lines = ["| Command | What it does |", "| --- | --- |"]
    for name, command in entries:
        usage = _usage(name, command).replace("|", "\\|")
        lines.append(f"| `{usage}` | {command.get_short_help_str(limit=300)} |")
    return "\n".join(lines)


def render(readme: str) -> str:
    """Return README text with both generated tables replaced by fresh ones."""
    for marker, table in (("settings-table", settings_table()), ("cli-table", cli_table())):
        pattern = re.compile(rf"(<!-- {marker}:start -->\n).*?(\n<!-- {marker}:end -->)", re.S)
        readme = pattern.sub(lambda m, t=table: m.group(1) + t + m.group(2), readme)
    return readme


if __name__ == "__main__":
    path = ROOT / "README.md"
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
