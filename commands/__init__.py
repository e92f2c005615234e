"""Command-line interface: ``flask --app app <command>``. One module per area."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    """Add every area's commands to ``app.cli``."""
    from commands import core, organisations
    from commands import deadlines as deadlines_commands

    for module in (core, deadlines_commands, organisations):
        for command in module.COMMANDS:
            app.cli.add_command(command)
