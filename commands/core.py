"""Core commands: migrate and serve."""

from __future__ import annotations

import logging
import signal
import sqlite3
import time

import click
from flask import current_app
from flask.cli import with_appcontext

import settings
from background.jobs.scheduler import start_scheduler
from background.mail import mailer
from background.validation_pool import pool as validation_pool
from background.validation_pool.sweep import sweep
from migrations import apply_all
from web.database import get_db


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Apply pending database migrations (safe to run again)."""
    applied = apply_all(get_db())
    if applied:
        for name in applied:
            click.echo(f"applied {name}")
    else:
        click.echo("database is up to date")


def follow_served_address(cfg, host: str, port: int) -> list[str]:
    """Point BASE_URL at the address being served (when no BASE_URL was set) and say what is unsafe.

    Emailed invitation, reset and claim links and the calendar feed are built on BASE_URL: left on
    another port they would hand tokens to whatever listens there. Returns warnings for production:
    BASE_URL not set, or not https.
    """
    if cfg["BASE_URL_FROM_HOST"]:
        cfg["BASE_URL"] = settings.served_address(host, port)
    warnings = []
    if cfg["ENV"] == "production":
        if cfg["BASE_URL_FROM_HOST"]:
            warnings.append(f"BASE_URL is not set, so emailed links use {cfg['BASE_URL']}: set BASE_URL to the "
                            "https address people use.")
        elif not cfg["BASE_URL"].startswith("https://"):
            warnings.append(f"BASE_URL {cfg['BASE_URL']} is not https: links in emails carry sign-in tokens.")
    return warnings


#: How many times Flask's MAX_CONTENT_LENGTH waitress itself accepts. Flask answers a body over its
#: limit with the styled "The file is too large" page; a body over waitress's limit gets waitress's
#: bare text instead, so waitress's limit sits well above Flask's (a proxy in front should too).
WAITRESS_BODY_FACTOR = 4


#: Waitress's buffer sizes, tuned for 100 MB transfers (bench/transfers_bench.py). Its defaults read a request
#: body from the socket 8 KB at a time, which takes a POST in at about a third of the rate it sends a static
#: file; 1 MiB reads take it in as fast as it sends. A response over 1 MiB (a decrypted download, streamed in
#: 1 MiB chunks) spills to a temporary file by default; 4 MiB keeps a chunk or two in memory instead. Both are
#: per connection and transient: memory stays well within the 50 MB a 100 MB transfer may add.
WAITRESS_BUFFERS = {"recv_bytes": 1024 * 1024, "outbuf_overflow": 4 * 1024 * 1024}


def waitress_body_limit(cfg) -> int:
    """The largest request body waitress reads before handing it to Flask (which refuses past its own)."""
    return int(cfg["MAX_CONTENT_LENGTH"]) * WAITRESS_BODY_FACTOR


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (setting HOST).")
@click.option("--port", default=None, type=int, help="Port (setting PORT).")
@with_appcontext
def serve_command(host: str | None, port: int | None) -> None:
    """Serve Gatehouse with waitress (one process, several threads)."""
    from waitress import create_server

    logging.basicConfig()  # as waitress.serve does: its errors and ours reach standard error
    cfg = current_app.config
    host = host or cfg["HOST"]
    port = port or cfg["PORT"]
    for warning in follow_served_address(cfg, host, port):
        current_app.logger.warning(warning)
        click.echo(f"Warning: {warning}", err=True)
    server = create_server(
        current_app._get_current_object(),
        host=host,
        port=port,
        threads=int(cfg["THREADS"]),
        max_request_body_size=waitress_body_limit(cfg),
        ident="Gatehouse",
        **WAITRESS_BUFFERS,
        # waitress drops X-Forwarded-* headers by default; behind TRUSTED_PROXIES proxies ProxyFix (app.py) needs them
        # to see HTTPS (HSTS, Flask-WTF's Referer check) and the client's address (per-IP throttles).
        clear_untrusted_proxy_headers=not int(cfg["TRUSTED_PROXIES"]),
    )
    # Holding the port first means a second `serve` of the same instance fails here and never sweeps.
    try:
        swept = sweep(cfg["DATABASE"], cfg["FILES_DIR"])
    except sqlite3.OperationalError as error:
        raise click.ClickException(f"the database is not ready ({error}): run `flask --app app migrate`.") from None
    if swept:
        click.echo(f"Left by the last run: {swept.summary()}.")
    click.echo(f"Gatehouse is running at http://{host}:{port}/ (Ctrl+C to stop)")
    app = current_app._get_current_object()
    scheduler = start_scheduler(app)
    if scheduler:
        click.echo("Scheduled jobs run in this process (setting JOBS_IN_PROCESS).")
    server.print_listen("Serving on http://{}:{}")
    unfinished = run_until_stopped(server)
    if scheduler:
        scheduler.stop(timeout=STOP_GRACE_SECONDS)
    validation_pool.shutdown(app, wait=True, cancel_queued=True)
    mailer.wait_for_background(timeout=STOP_GRACE_SECONDS)
    click.echo(f"Gatehouse stopped{f' (requests cut short: {unfinished})' if unfinished else ''}.")


#: How long a stopping server lets requests under way finish (an upload, a download), and waits for a scheduled
#: job and emails being sent. Within systemd's default of 90 s before it kills a service.
STOP_GRACE_SECONDS = 30.0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _busy(server) -> int:
    """How many connections are in the middle of a request: being received, run or sent."""
    return sum(1 for channel in list(server.active_channels.values())
               if channel.requests or channel.request is not None or channel.total_outbufs_len)  # fmt: skip


def run_until_stopped(server, grace: float = STOP_GRACE_SECONDS) -> int:
    """Run waitress until Ctrl+C or SIGTERM (a service manager's stop; Ctrl+Break on Windows), then stop
    gracefully: no new connections; requests under way are received, run and sent to the end for up to ``grace``
    seconds (a second signal ends that at once); then the worker threads stop. Returns how many were cut short.

    Waitress's own ``run`` stops its threads as soon as it is interrupted, cutting off a response being sent.
    """
    from waitress import wasyncore

    for name in ("SIGTERM", "SIGBREAK"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    adj = server.adj
    try:
        wasyncore.loop(timeout=adj.asyncore_loop_timeout, map=server._map, use_poll=adj.asyncore_use_poll)
    except KeyboardInterrupt:
        pass
    click.echo(f"Stopping: no new connections; requests under way, given {grace:.0f} s to finish: {_busy(server)}.",
               err=True)  # fmt: skip
    wasyncore.dispatcher.close(server)  # the listening socket only: its trigger still wakes the loop
    deadline = time.monotonic() + grace
    try:
        while _busy(server) and time.monotonic() < deadline:
            wasyncore.loop(timeout=0.2, map=server._map, use_poll=adj.asyncore_use_poll, count=1)
    except KeyboardInterrupt:
        pass
    unfinished = _busy(server)
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
    wasyncore.close_all(server._map)
    return unfinished


COMMANDS = [migrate_command, serve_command]
