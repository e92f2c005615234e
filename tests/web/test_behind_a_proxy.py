"""Behind the LA's reverse proxy (``TRUSTED_PROXIES``), the server `serve` builds hands the proxy's
X-Forwarded-For and X-Forwarded-Proto to the app: it sees HTTPS (so HSTS is sent and Flask-WTF checks the
Referer) and the client's own address (so per-IP throttles do not lump everyone in as the proxy). waitress
drops those headers unless told not to; the reliability suite's scanner found the missing HSTS."""

from __future__ import annotations

import http.client

import pytest
import waitress

from tests.serving import ThreadedServer
from web.client import client_ip


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TRUSTED_PROXIES": 1, "JOBS_IN_PROCESS": False}


class _Captured:
    """Stands in for the server `serve` makes: keeps what it was made with, serves nothing."""

    def __init__(self, application, settings: dict):
        self.application, self.settings = application, settings

    def print_listen(self, template: str) -> None:
        pass

    def run(self) -> None:
        pass


@pytest.fixture
def served(app, runner, monkeypatch):
    """The port of a real waitress server made with the settings `serve` gives it."""

    @app.get("/test-client-ip")
    def report_client():
        return {"ip": client_ip()}

    report_client._gatehouse_permission = "public"
    made: list[_Captured] = []
    monkeypatch.setattr(waitress, "create_server", lambda application, **kw: made.append(_Captured(application, kw))
                        or made[-1])  # fmt: skip
    assert runner.invoke(args=["serve", "--port", "5999"]).exit_code == 0
    monkeypatch.undo()
    server = ThreadedServer(made[0].application, **made[0].settings).start()
    yield server.port
    server.stop()


def _get(port: int, path: str) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_the_app_sees_https_and_the_clients_address(served):
    response, _ = _get(served, "/sign-in")
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") == "max-age=31536000"
    response, body = _get(served, "/test-client-ip")
    assert response.status == 200 and b'"203.0.113.9"' in body
