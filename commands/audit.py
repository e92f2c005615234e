"""Audit log commands: ``audit verify`` checks the keyed hash chain, ``audit export`` writes CSV."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from domain.csv_files import csv_chunks
from models import audit
from web.database import get_db


@click.group("audit")
def audit_group() -> None:
    """The append-only audit log: verify its hash chain or export it as CSV."""


@audit_group.command("verify")
@click.option(
    "--anchor",
    metavar="HASH",
    help="A row hash noted from an earlier verify: fail unless that row is still in the log.",
)
@with_appcontext
def verify_command(anchor: str | None) -> None:
    """Check every audit row's hash chain; exit 1 naming the first broken row."""
    db = get_db()
    total = audit.count(db)
    try:
        key = audit.load_key(db) if total else None
    except audit.AuditKeyError as error:
        raise click.ClickException(f"Cannot check the audit log: {error}.") from None
    with click.progressbar(length=total, label="Checking audit log", file=sys.stderr) as bar:
        report = audit.verify_chain(db, progress=bar.update, key=key)
    if not report.intact:
        raise click.ClickException(
            f"Audit log broken at row {report.broken_id}: {report.reason}. "
            f"The {report.rows_checked - 1} rows before it are intact."
        )
    if anchor and not audit.has_hash(db, anchor):
        raise click.ClickException(
            f"Audit log chain is intact but no row has the anchor hash {anchor}: "
            "rows after the anchor were removed or rewritten."
        )
    click.echo(f"Audit log intact: {report.rows_checked} rows")
    if report.plain_rows:
        click.echo(
            f"The first {report.plain_rows} rows predate the keyed chain (plain SHA-256); "
            "the keyed row after them vouches for them"
        )
    if report.last_id is not None:
        click.echo(f"Last row {report.last_id} has hash {report.last_hash} (note it to check later with --anchor)")


@audit_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only rows on or after this UTC date (YYYY-MM-DD).",
)
@with_appcontext
def export_command(file: Path, since: datetime | None) -> None:
    """Write the audit log (oldest first) as CSV to FILE, or to standard output for -."""
    db = get_db()
    filters = audit.Filters(date_from=since.date() if since else None)
    written = 0

    def counted():
        nonlocal written
        for row in audit.iter_matching(db, filters):
            written += 1
            yield row

    if str(file) == "-":
        for chunk in csv_chunks(audit.CSV_COLUMNS, audit.csv_rows(counted()), bom=False):
            click.echo(chunk, nl=False)  # bytes go to the binary standard output as they are
    else:
        partial = file.with_name(f".{file.name}.partial")
        try:
            with open(partial, "wb") as handle:
                handle.writelines(csv_chunks(audit.CSV_COLUMNS, audit.csv_rows(counted())))
            os.replace(partial, file)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise click.ClickException(f"Could not write {file}: {error.strerror}") from None
    detail = {"rows": written, "since": since.date().isoformat() if since else None}
    audit.record(db, "audit_exported", target=str(file), detail=detail)
    click.echo(f"Exported {written} audit rows to {'standard output' if str(file) == '-' else file}", err=True)


COMMANDS = [audit_group]
