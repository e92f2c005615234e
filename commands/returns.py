"""Returns commands: validate a census return, workforce census return or CTF from the command line; issue
new UPNs for a school."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from domain.dates import academic_year_of, uk_today
from domain.validation.cli import main as validate_main
from domain.validation.kinds import KINDS
from models import upn_serials
from web.database import get_db


@click.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--kind", type=click.Choice(KINDS), default=None,
              help="What the file is (default: worked out from the file).")
@click.option("--school", default=None, help="The uploading school's 7-digit DfE number, e.g. 8734001.")
@click.option("--format", "format", type=click.Choice(["text", "json"]), default="text", help="Output format.")
def validate_command(file: str, kind: str | None, school: str | None, format: str) -> None:  # noqa: A002
    """Validate a census return, workforce census return or CTF: exit 0 no errors, 1 errors, 2 file refused
    (one-line reason)."""
    sys.exit(validate_main(file, kind=kind, school=school, fmt=format, out=sys.stdout))


@click.group("upn")
def upn_group() -> None:
    """New UPNs for a school (serials remembered per school and academic year)."""


@upn_group.command("generate")
@click.option("--school", "dfe_number", required=True, help="The school's 7-digit DfE number, e.g. 8734001.")
@click.option("--count", type=click.IntRange(1, upn_serials.MAX_AT_ONCE), default=1, help="How many UPNs (1-100).")
@click.option("--temporary", is_flag=True, help="Temporary UPNs (ending in a letter) instead of permanent ones.")
@click.option("--year", type=int, default=None,
              help="Academic year of issue, e.g. 2026 for 2026/27 (default: this one).")
@with_appcontext
def upn_generate_command(dfe_number: str, count: int, temporary: bool, year: int | None) -> None:
    """Issue new UPNs for a school: LA, establishment number, academic year and the next unused serials."""
    db = get_db()
    school = upn_serials.school_by_dfe_number(db, dfe_number)
    if school is None:
        raise click.ClickException(f"No school with DfE number {dfe_number}.")
    try:
        upns = upn_serials.issue(db, school, year or academic_year_of(uk_today()), count, temporary=temporary)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo("\n".join(upns))


COMMANDS = [validate_command, upn_group]
