"""Returns commands: validate a census return, workforce census return or CTF from the command line."""

from __future__ import annotations

import sys

import click

from domain.validation.cli import main as validate_main
from domain.validation.kinds import KINDS


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


COMMANDS = [validate_command]
