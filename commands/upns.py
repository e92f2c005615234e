"""UPN commands: ``upn generate`` issues new UPNs for a school, as its page does."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from domain.dates import academic_year_of, uk_today
from models import organisations, upns
from web.database import get_db


@click.group("upn")
def upn_group() -> None:
    """Unique Pupil Numbers."""


@upn_group.command("generate")
@click.option("--school", "dfe_number", required=True, help="The school's DfE number, e.g. 8732001 or 873/2001.")
@click.option("--count", type=click.IntRange(1, upns.MAX_BATCH), default=1, show_default=True,
              help="How many new UPNs.")
@click.option("--temporary", is_flag=True, help="Temporary UPNs (for pupils whose permanent UPN is not known yet).")
@click.option("--year", type=click.IntRange(2000, 2097), default=None,
              help="Academic year of issue, e.g. 2026 for 2026/27 (default: this one).")
@with_appcontext
def generate_command(dfe_number: str, count: int, temporary: bool, year: int | None) -> None:
    """Issue new UPNs for a school (remembered, as on its New UPNs page) and print one a line."""
    db = get_db()
    school = organisations.get_school_by_dfe_number(db, dfe_number)
    if school is None:
        raise click.ClickException(f"No school has DfE number {dfe_number}.")
    try:
        issued = upns.issue(db, school, kind="temporary" if temporary else "permanent", count=count,
                            academic_year=year or academic_year_of(uk_today()), actor=None)  # fmt: skip
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    for upn in issued:
        click.echo(upn)


COMMANDS = [upn_group]
