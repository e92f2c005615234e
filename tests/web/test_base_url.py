"""Links in emails follow the server: with no BASE_URL set they use the address served, so an
invitation, reset or claim link never points at whatever else listens on port 5000."""

from __future__ import annotations

import pytest

import settings
from commands.core import follow_served_address
from tests.conftest import outbox


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PORT": 5123}


def test_an_emailed_link_uses_the_served_port(app, client, db, school, make_user):
    user = make_user(school)
    assert app.config["BASE_URL"] == "http://127.0.0.1:5123"
    client.post("/password-reset", data={"email": user["email"]})
    (message,) = outbox(db, user["email"])
    assert "http://127.0.0.1:5123/password-reset/" in message["body"]
    assert ":5000" not in message["body"]


def test_serve_on_another_port_moves_the_links_with_it(app):
    assert follow_served_address(app.config, "127.0.0.1", 8080) == []
    assert app.config["BASE_URL"] == "http://127.0.0.1:8080"


def test_a_base_url_that_was_set_is_kept(app):
    app.config.update(BASE_URL="https://gatehouse.council.gov.uk", BASE_URL_FROM_HOST=False)
    assert follow_served_address(app.config, "127.0.0.1", 8080) == []
    assert app.config["BASE_URL"] == "https://gatehouse.council.gov.uk"


def test_production_warns_when_base_url_is_unset_or_not_https(app):
    app.config["ENV"] = "production"
    (unset,) = follow_served_address(app.config, "0.0.0.0", 8080)
    assert "BASE_URL is not set" in unset
    app.config.update(BASE_URL="http://gatehouse.council.gov.uk", BASE_URL_FROM_HOST=False)
    (plain,) = follow_served_address(app.config, "0.0.0.0", 8080)
    assert "not https" in plain
    app.config["BASE_URL"] = "https://gatehouse.council.gov.uk"
    assert follow_served_address(app.config, "0.0.0.0", 8080) == []


def test_served_address():
    assert settings.served_address("127.0.0.1", 5000) == "http://127.0.0.1:5000"
    assert settings.served_address("::1", 8080) == "http://[::1]:8080"
    wildcard = settings.served_address("0.0.0.0", 8080)
    assert wildcard.endswith(":8080") and "0.0.0.0" not in wildcard
