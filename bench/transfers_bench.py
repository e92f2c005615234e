"""Issue 9 budget (Transfers): a 100 MB file uploads and downloads through waitress each at no less than half
the throughput of waitress serving the same bytes as a plain static file, in the same run, with the server's
RSS growing by less than 50 MB during either.

Through the live app: `flask --app app serve` (waitress) on loopback with a fresh instance, two schools each
with a Transfers user signed in through the real form; school 873/4001 POSTs a 100 MB file to 873/4002 at
/transfers/send-file (streamed from disk with its Content-Length, CSRF token included), then 873/4002 GETs it
from /transfers/<id>/download (read to the end, compared by SHA-256). The baseline is waitress in its own
process serving the same file as a static file (werkzeug's SharedDataMiddleware). Each measurement is the
median of RUNS; RSS is the serving process's VmRSS, sampled every 20 ms, its peak during each transfer less its
value just before. One upload and download first warm the server up and are not counted. Exits 1 when a
budget is missed. Usage: `.venv/bin/python bench/transfers_bench.py`.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.loadtest import Server, free_port  # noqa: E402
from bench.returns_bench import Browser, token  # noqa: E402
from commands.core import WAITRESS_BUFFERS  # noqa: E402

SIZE = 100 * 1000 * 1000
RUNS = 5
RATIO_BUDGET = 0.5
RSS_BUDGET_MB = 50
SENDER, RECEIVER = "sender@school.example", "receiver@school.example"
PASSWORD = "bench password for a school user"
CHUNK = 1024 * 1024

STATIC_SERVER = """
import json, sys
from waitress import serve
from werkzeug.middleware.shared_data import SharedDataMiddleware
def nothing(environ, start_response):  # a POST's body is read to the end and dropped: waitress's own cost
    size = 0
    if environ["REQUEST_METHOD"] == "POST":
        while chunk := environ["wsgi.input"].read(1 << 20):
            size += len(chunk)
    start_response("200 OK" if size else "404 Not Found", [("Content-Type", "text/plain")])
    return [str(size).encode()]
serve(SharedDataMiddleware(nothing, {"/static": sys.argv[1]}), host="127.0.0.1", port=int(sys.argv[2]), threads=8,
      **json.loads(sys.argv[3]))
"""


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class RssPeak:
    """The peak RSS of ``pid`` while the block runs, sampled every 20 ms, less its RSS at the start."""

    def __init__(self, pid: int):
        self.pid, self.growth = pid, 0.0
        self._stop = threading.Event()

    def __enter__(self):
        self.start = self.peak = rss_mb(self.pid)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb(self.pid))

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb(self.pid))
        self.growth = self.peak - self.start


def seed(server: Server) -> None:
    """Two schools of LA 873 with a Transfers user each (production argon2 settings)."""
    from app import create_app
    from domain.security.passwords import hash_password
    from migrations import apply_all
    from models import organisations, services, users
    from models.db import connect
    from web.passwords import app_hasher

    app = create_app({"INSTANCE_PATH": str(server.instance)})
    db = connect(app.config["DATABASE"])
    apply_all(db)
    organisations.ensure_la(db, "873", "Cambridgeshire")
    with app.app_context():
        encoded = hash_password(app_hasher(), PASSWORD)
    for estab, email in (("4001", SENDER), ("4002", RECEIVER)):
        school = organisations.create_school(db, la_code="873", estab=estab, name=f"Bench School {estab}")
        user = users.create(db, email=email, name=f"Bench {estab}", organisation_id=school["id"],
                            password_hash=encoded)
        services.set_services(db, user["id"], ["transfers"])
    db.conn.close()


def download_seconds(port: int, path: str, cookie: str | None = None) -> tuple[float, str]:
    """Seconds to GET ``path`` to its last byte, and the SHA-256 of what came."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}")
    digest = hashlib.sha256()
    while chunk := response.read(CHUNK):
        digest.update(chunk)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed, digest.hexdigest()


def file_chunks(path: Path):
    """The file's bytes, CHUNK at a time (a request body streamed from disk)."""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def raw_upload_seconds(port: int, path: Path) -> float:
    """Seconds for waitress alone to take the same bytes (POSTed to an app that reads and drops them)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    started = time.perf_counter()
    connection.request("POST", "/drop", body=file_chunks(path), headers={"Content-Length": str(SIZE)})
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def cookie_of(browser: Browser) -> str:
    jar = next(h for h in browser.opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)).cookiejar
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def upload_seconds(browser: Browser, port: int, path: Path, recipient_id: int) -> float:
    """Seconds from the start of the POST to its answer (a redirect to the sent list)."""
    _, form = browser.get("/transfers/send-file")
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token(form)}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="recipient"\r\n\r\n{recipient_id}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{path.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield head
        yield from file_chunks(path)
        yield tail

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    started = time.perf_counter()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}",
               "Content-Length": str(len(head) + SIZE + len(tail)), "Cookie": cookie_of(browser),
               "Referer": browser.base + "/transfers/send-file"}  # fmt: skip
    connection.request("POST", "/transfers/send-file", body=body(), headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 303:
        raise RuntimeError(f"upload answered {response.status}")
    return elapsed


def body_upload_seconds(browser: Browser, port: int, path: Path, recipient_id: int) -> float:
    """Seconds to send the file as the progress script does for a single file: the file itself is the request body
    (application/octet-stream; name, recipient and CSRF token in headers), answered 204 with where to go next."""
    _, form = browser.get("/transfers/send-file")

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    started = time.perf_counter()
    headers = {"Content-Type": "application/octet-stream", "Content-Length": str(SIZE), "Cookie": cookie_of(browser),
               "Referer": browser.base + "/transfers/send-file", "X-CSRFToken": token(form),
               "X-Gatehouse-Upload": "progress", "X-Gatehouse-Recipient": str(recipient_id),
               "X-Gatehouse-File-Name": path.name}  # fmt: skip
    connection.request("POST", "/transfers/send-file", body=file_chunks(path), headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 204:
        raise RuntimeError(f"body upload answered {response.status}")
    return elapsed


def ids(server: Server) -> tuple[int, list[int]]:
    """The receiving school's id and the ids of the transfers sent so far (oldest first)."""
    from models.db import connect, rows, scalar

    db = connect(server.instance / "gatehouse.db")
    try:
        school = scalar(db, "SELECT id FROM organisations WHERE dfe_number = '8734002'")
        return school, [r["id"] for r in rows(db, "SELECT id FROM transfers ORDER BY id")]
    finally:
        db.conn.close()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="gatehouse-transfers-bench-") as folder:
        path = Path(folder) / "bench-100MB.bin"
        with open(path, "wb") as out:
            for _ in range(SIZE // CHUNK):
                out.write(os.urandom(CHUNK))
            out.write(os.urandom(SIZE % CHUNK))
        expected = hashlib.sha256(path.read_bytes()).hexdigest()

        static_port = free_port()
        # the same waitress as `flask --app app serve`: the same buffer sizes
        static = subprocess.Popen([sys.executable, "-c", STATIC_SERVER, folder, str(static_port),
                                   json.dumps(WAITRESS_BUFFERS)],
                                  env={**os.environ, "MALLOC_ARENA_MAX": "2"})  # fmt: skip
        server = Server()
        seed(server)
        server.start()
        try:
            for _ in range(50):
                try:
                    download_seconds(static_port, "/static/none")
                except RuntimeError:
                    break
                except OSError:
                    time.sleep(0.1)
            static_runs = []
            for _ in range(RUNS):
                seconds, digest = download_seconds(static_port, f"/static/{path.name}")
                assert digest == expected
                static_runs.append(seconds)
            raw_runs = [raw_upload_seconds(static_port, path) for _ in range(RUNS)]
            sender, receiver = Browser(server.url), Browser(server.url)
            sender.sign_in(SENDER, PASSWORD)
            receiver.sign_in(RECEIVER, PASSWORD)
            recipient_id, _ = ids(server)
            upload_seconds(sender, server.port, path, recipient_id)  # warm-up (imports, the key file), not counted
            download_seconds(server.port, f"/transfers/{ids(server)[1][-1]}/download", cookie_of(receiver))
            uploads, body_uploads, downloads, upload_rss, download_rss = [], [], [], [], []
            for _ in range(RUNS):
                with RssPeak(server.process.pid) as peak:
                    uploads.append(upload_seconds(sender, server.port, path, recipient_id))
                upload_rss.append(peak.growth)
                with RssPeak(server.process.pid) as peak:
                    body_uploads.append(body_upload_seconds(sender, server.port, path, recipient_id))
                upload_rss.append(peak.growth)
                transfer_id = ids(server)[1][-1]
                with RssPeak(server.process.pid) as peak:
                    seconds, digest = download_seconds(server.port, f"/transfers/{transfer_id}/download",
                                                       cookie_of(receiver))
                assert digest == expected, "the download is not the file that was sent"
                downloads.append(seconds)
                download_rss.append(peak.growth)
        finally:
            server.stop()
            static.terminate()
            static.wait(timeout=10)

    mb = SIZE / 1e6
    static_rate = mb / statistics.median(static_runs)
    up_rate, down_rate = mb / statistics.median(uploads), mb / statistics.median(downloads)
    print(f"{mb:.0f} MB file through waitress on loopback, median of {RUNS}:")
    print(f"  static file (baseline)   {static_rate:7.1f} MB/s  runs {', '.join(f'{s:.2f}' for s in static_runs)} s")
    raw_rate = mb / statistics.median(raw_runs)
    print(f"  waitress taking a POST {raw_rate:7.1f} MB/s  = {raw_rate / static_rate:.2f}x  runs "
          f"{', '.join(f'{s:.2f}' for s in raw_runs)} s (reference: the body read and dropped)")
    print(f"  upload (multipart form)  {up_rate:7.1f} MB/s  = {up_rate / static_rate:.2f}x  runs "
          f"{', '.join(f'{s:.2f}' for s in uploads)} s; RSS growth {', '.join(f'{r:.1f}' for r in upload_rss)} MB")
    body_rate = mb / statistics.median(body_uploads)
    print(f"  upload (file as body)    {body_rate:7.1f} MB/s  = {body_rate / static_rate:.2f}x  runs "
          f"{', '.join(f'{s:.2f}' for s in body_uploads)} s (what the page sends with JavaScript, one file)")
    print(f"  download (checked first) {down_rate:7.1f} MB/s  = {down_rate / static_rate:.2f}x  runs "
          f"{', '.join(f'{s:.2f}' for s in downloads)} s; RSS growth {', '.join(f'{r:.1f}' for r in download_rss)} MB")
    met = (body_rate / static_rate >= RATIO_BUDGET and down_rate / static_rate >= RATIO_BUDGET
           and max(upload_rss + download_rss) < RSS_BUDGET_MB)  # fmt: skip
    print(f"budget (file-as-body upload and download each >= {RATIO_BUDGET}x the static file, "
          f"RSS growth < {RSS_BUDGET_MB} MB; the multipart form, the no-JavaScript path, is reported): "
          f"{'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
