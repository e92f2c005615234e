"""Transfers commands: ``transfers purge`` does by hand what the daily retention job does."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from background.jobs.transfer_retention import WARN_DAYS, purge
from domain import clock
from web.database import get_db


@click.group("transfers")
def transfers_group() -> None:
    """Transfers between schools and the LA."""


@transfers_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list what would be warned about and deleted; change nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Warn about uncollected transfers expiring within a week and delete those past their retention."""
    report = purge(current_app._get_current_object(), get_db(), clock.now(), dry_run=dry_run)
    would = "would be " if dry_run else ""
    for transfer in report.deleted:
        click.echo(f"{'Would delete' if dry_run else 'Deleted'} transfer {transfer['id']} {transfer['original_name']}"
                   f" from {transfer['sender_name']} (kept until {transfer['expires_at']})")
    for transfer in report.warned:
        click.echo(f"{'Would warn' if dry_run else 'Warned'} about transfer {transfer['id']} "
                   f"{transfer['original_name']} (deleted on {transfer['expires_at']})")
    emails = "" if dry_run else f", {report.emails} email{'s' if report.emails != 1 else ''} sent"
    click.echo(f"{len(report.deleted)} transfer{'s' if len(report.deleted) != 1 else ''} {would}deleted, "
               f"{len(report.warned)} {would}warned about (expiring within {WARN_DAYS} days){emails}.")


COMMANDS = [transfers_group]
