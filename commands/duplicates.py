"""Duplicates commands: find duplicate pupils across a set of census files without storing them."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from domain.duplicates.cli import main as check_main
from models import duplicates
from web.database import get_db


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


@duplicates_group.command("rebuild")
@click.option(
    "--instance", "instance_id", type=int, default=None, help="One census deadline's id (default: every one)."
)
@with_appcontext
def rebuild_command(instance_id: int | None) -> None:
    """Work out duplicate pupils again from each school's latest census version (after an upgrade, or to check)."""
    db = get_db()
    ids = [instance_id] if instance_id is not None else duplicates.census_instance_ids(db)
    for one_id in ids:
        counts = duplicates.rebuild_instance(db, one_id)
        click.echo(f"census deadline {one_id}: {counts['cases']} case(s) found; {counts['found']} new, "
                   f"{counts['reopened']} reopened, {counts['closed']} resolved by upload")  # fmt: skip
    if not ids:
        click.echo("No census deadline has any version yet.")


COMMANDS = [duplicates_group]
