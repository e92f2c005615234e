"""A TLS-terminating reverse proxy on 127.0.0.1 for the scanner tests, standing in for the LA's (IIS with
ARR, nginx, Apache) in front of a production Gatehouse: it answers HTTPS with a throwaway self-signed
certificate and passes each request to the waitress server over plain HTTP with ``X-Forwarded-For`` and
``X-Forwarded-Proto: https``, as README's deployment section asks of the real one (``TRUSTED_PROXIES=1``).

So the app sees what it sees in production: HTTPS requests, Secure cookies that the client sends back,
HSTS, and Flask-WTF's same-origin Referer check. The certificate is made by the ``openssl`` command
(Debian's openssl package) into a folder the test owns. Only 127.0.0.1 is ever listened on or called.
"""

from __future__ import annotations

import http.client
import shutil
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

UPSTREAM_SECONDS = 60.0
#: Headers that belong to one connection, not to the request or response passed on.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """Make a one-day self-signed certificate for 127.0.0.1 in ``folder``; return (certificate, key) paths.

    Raises RuntimeError when the openssl command is missing or fails.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the openssl command is needed for the TLS terminator: apt-get install openssl")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


class _Forward(BaseHTTPRequestHandler):
    """One client connection: TLS handshake in this thread, then each request passed upstream in turn."""

    protocol_version = "HTTP/1.1"
    server: _ProxyServer

    def setup(self):
        self.request.settimeout(UPSTREAM_SECONDS)
        self.request = self.server.tls.wrap_socket(self.request, server_side=True)
        super().setup()

    def handle(self):
        try:
            super().handle()
        except (ssl.SSLError, ConnectionError, TimeoutError):
            self.close_connection = True  # a client that gave up; nothing to pass on

    def finish(self):
        try:
            super().finish()
        finally:
            self.request.close()  # the TLS socket made in setup(); the server only closes the one it accepted

    def __getattr__(self, name: str):
        if name.startswith("do_"):  # every method, PUT and TRACE included: the app decides what it allows
            return self._forward
        raise AttributeError(name)

    def _forward(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.send_error(411)  # scanners send a Content-Length; a chunked body is not passed on
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
        headers.pop("X-Forwarded-For", None)
        headers.pop("X-Forwarded-Proto", None)
        headers["X-Forwarded-For"] = self.client_address[0]
        headers["X-Forwarded-Proto"] = "https"
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=UPSTREAM_SECONDS)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException):
            self.send_error(502)
            return
        finally:
            upstream.close()
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        has_body = self.command != "HEAD" and answer.status not in (204, 304) and answer.status >= 200
        if self.command == "HEAD" and answer.getheader("Content-Length"):
            self.send_header("Content-Length", answer.getheader("Content-Length"))
        elif has_body:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if has_body:
            self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass  # the waitress server's log is the one that counts


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    tls: ssl.SSLContext
    upstream_port: int


class TlsTerminator:
    """``TlsTerminator(folder)`` listens on a free port of 127.0.0.1 at once (``port``, ``url``);
    ``start(upstream_port)`` begins passing requests to the HTTP server there; ``stop()`` ends it."""

    def __init__(self, folder: Path):
        cert, key = self_signed_certificate(folder)
        self._server = _ProxyServer(("127.0.0.1", 0), _Forward)
        self._server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._server.tls.load_cert_chain(cert, key)
        self.port = self._server.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    def start(self, upstream_port: int) -> None:
        self._server.upstream_port = upstream_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="tls-terminator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()
