"""Command-line interface: ``flask --app app <command>``. One module per area."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    """Add every area's commands to ``app.cli``."""
    from commands import accounts, audit, backup, core, organisations, upns
    from commands import deadlines as deadlines_commands
    from commands import duplicates as duplicates_commands
    from commands import jobs as jobs_commands
    from commands import returns as returns_commands
    from commands import transfers as transfers_commands

    for module in (core, audit, backup, organisations, accounts, deadlines_commands, jobs_commands, returns_commands,
                   upns, duplicates_commands, transfers_commands):
        for command in module.COMMANDS:
            app.cli.add_command(command)
