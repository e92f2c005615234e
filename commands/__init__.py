"""Command-line interface: ``flask --app app <command>``. One module per area."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    """Add every area's commands to ``app.cli``."""
    from commands import core

    for command in core.COMMANDS:
        app.cli.add_command(command)
