"""An upload over the size limit, through a real waitress server configured as `serve` configures it,
gets Gatehouse's styled page (with its headers), never waitress's bare "Request Entity Too Large"."""

from __future__ import annotations

import http.client

import pytest

from commands.core import waitress_body_limit
from tests.serving import ThreadedServer


@pytest.fixture
def app_config(app_config):
    return {**app_config, "MAX_UPLOAD_MB": 1}


@pytest.fixture
def served(app):
    server = ThreadedServer(app, threads=2, max_request_body_size=waitress_body_limit(app.config)).start()
    yield server.port
    server.stop()


def test_a_body_over_the_limit_gets_the_styled_page(app, served):
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 512 * 1024)
    assert len(body) < waitress_body_limit(app.config)
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=60)
    connection.request("POST", "/sign-in", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    html = response.read().decode()
    connection.close()
    assert response.status == 413
    assert "The file is too large" in html and "Gatehouse did not keep any of it" in html
    assert "Request Entity Too Large" not in html and "max_body" not in html
    assert response.getheader("Content-Security-Policy")
