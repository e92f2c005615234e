"""Duplicates commands: find duplicate pupils across a set of census files without storing them."""

from __future__ import annotations

import sys

import click

from domain.duplicates.cli import main as check_main


@click.group("duplicates")
def duplicates_group() -> None:
    """Duplicate pupils across the LA's schools."""


@duplicates_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "format", type=click.Choice(["text", "json"]), default="text", help="Output format.")
def check_command(files: tuple[str, ...], format: str) -> None:  # noqa: A002
    """Find duplicate pupils across census files (each school from its header): exit 0 no cases, 1 cases,
    2 a file refused."""
    sys.exit(check_main(files, fmt=format, out=sys.stdout))


COMMANDS = [duplicates_group]
