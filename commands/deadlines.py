"""Deadlines commands: generate an academic year's deadline instances."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from domain.dates import academic_year_label, parse_region, parse_shift_policy
from models import deadline_instances
from web.database import get_db


def date_settings(config) -> dict:
    """The BANK_HOLIDAY_REGION and DUE_DATE_SHIFT settings, checked.

    Raises click.UsageError naming the setting when either is not a known value.
    """
    try:
        return {
            "region": parse_region(config["BANK_HOLIDAY_REGION"]).value,
            "shift_policy": parse_shift_policy(config["DUE_DATE_SHIFT"]).value,
        }
    except ValueError as error:
        raise click.UsageError(f"Check BANK_HOLIDAY_REGION and DUE_DATE_SHIFT: {error}") from None


@click.group("deadlines")
def deadlines_group() -> None:
    """Deadlines: the academic year's returns and their due dates."""


@deadlines_group.command("generate")
@click.argument("academic_year", type=click.IntRange(2000, 2097))
@click.option("--dry-run", is_flag=True, help="Show what would change without changing anything.")
@with_appcontext
def generate_command(academic_year: int, dry_run: bool) -> None:
    """Create or update the deadlines of ACADEMIC_YEAR (2026 = 2026/27) from the catalogue (safe to run again)."""
    db = get_db()
    settings = date_settings(current_app.config)
    entries = deadline_instances.compute_instances(db, academic_year, **settings)
    with click.progressbar(length=len(entries), label="Returns", file=sys.stderr) as bar:
        summary = deadline_instances.generate(
            db, academic_year, dry_run=dry_run, progress=lambda _code: bar.update(1), **settings
        )
    label = academic_year_label(academic_year)
    prefix = "Dry run, nothing changed: " if dry_run else ""
    click.echo(
        f"{prefix}{label}: {summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{summary.kept_moved} kept as moved by an admin, {summary.kept_cancelled} kept cancelled, "
        f"{summary.cancelled} cancelled (no longer in the rules) across {summary.entries} returns."
    )


COMMANDS = [deadlines_group]
