"""Core commands: migrate and serve."""

from __future__ import annotations

import logging
import select
import signal
import sqlite3
import threading
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
    stop = GracefulStop(server).install()
    server.run()
    if scheduler:
        scheduler.stop(timeout=STOP_GRACE_SECONDS)
    validation_pool.shutdown(app, wait=True, cancel_queued=True)
    mailer.wait_for_background(timeout=STOP_GRACE_SECONDS)
    click.echo(f"Gatehouse stopped{f' (requests cut short: {stop.unfinished})' if stop.unfinished else ''}.")


#: How long a stopping server lets requests under way finish (an upload, a download), and waits for a scheduled
#: job and emails being sent. Within systemd's default of 90 s before it kills a service.
STOP_GRACE_SECONDS = 30.0


def _unread(channel) -> bool:
    """True when bytes (or the client's close) wait on the connection that waitress has not read yet."""
    try:
        return bool(select.select([channel.socket], [], [], 0)[0])
    except (OSError, ValueError):  # closed meanwhile
        return False


def _busy(server) -> int:
    """How many connections are in the middle of a request: bytes waiting to be read, or a request being
    received, run or sent."""
    return sum(1 for channel in list(server.active_channels.values())
               if channel.requests or channel.request is not None or channel.total_outbufs_len
               or _unread(channel))  # fmt: skip


class GracefulStop:
    """Ctrl+C or SIGTERM (a service manager's stop; Ctrl+Break on Windows) stops waitress gracefully: no new
    connections; requests under way are received, run and sent to the end for up to ``grace`` seconds; then the
    worker threads stop and ``server.run()`` returns. A second signal stops at once. Waitress's own handling of
    Ctrl+C stops its threads straight away, cutting off a response being sent.

    The closing happens inside waitress's loop (through its trigger), never in the signal handler itself.
    ``unfinished`` is how many requests the grace period cut short.
    """

    def __init__(self, server, grace: float = STOP_GRACE_SECONDS):
        self.server, self.grace = server, grace
        self.unfinished = 0
        self._stopping, self._closed = threading.Event(), threading.Event()
        self._deadline = 0.0

    def install(self) -> GracefulStop:
        for name in ("SIGINT", "SIGTERM", "SIGBREAK"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), self._on_signal)
        return self

    def _on_signal(self, signum, frame) -> None:
        if self._stopping.is_set():
            raise KeyboardInterrupt  # the second signal: waitress stops its threads at once
        self._stopping.set()
        self.server.trigger.pull_trigger(self._stop_listening)

    def _stop_listening(self) -> None:
        """In waitress's loop: take on the connections the system has accepted already, close the listening socket,
        then check every 0.1 s whether the requests under way have finished."""
        from waitress import wasyncore

        while True:
            before = len(self.server._map)
            self.server.handle_accept()
            if len(self.server._map) == before:
                break
        wasyncore.dispatcher.close(self.server)  # the listening socket only: the trigger still wakes the loop
        click.echo(f"Stopping: no new connections; requests under way, given {self.grace:.0f} s to finish: "
                   f"{_busy(self.server)}.", err=True)  # fmt: skip
        self._deadline = time.monotonic() + self.grace
        threading.Thread(target=self._tick, name="gatehouse-stopping", daemon=True).start()

    def _tick(self) -> None:
        while not self._closed.wait(0.1):  # every 0.1 s, bounded by the grace period (checked in the loop)
            self.server.trigger.pull_trigger(self._check)

    def _check(self) -> None:
        """In waitress's loop, so never between a read and its parsing: once nothing is under way (or the grace
        period is over), stop the worker threads and close every connection, which ends ``server.run()``."""
        from waitress import wasyncore

        busy = _busy(self.server)
        if self._closed.is_set() or (busy and time.monotonic() < self._deadline):
            return
        self.unfinished = busy
        self._closed.set()
        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        wasyncore.close_all(self.server._map)  # the loop's map is then empty, so server.run() returns


COMMANDS = [migrate_command, serve_command]
