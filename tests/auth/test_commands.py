"""create-admin, unlock-user and reset-2fa on the command line (unlock and reset: see the other files)."""

from __future__ import annotations

import pytest

from commands.accounts import la_name
from models import organisations, users
from tests.conftest import audit_events

PASSWORD = "a long admin passphrase here"


def test_create_admin_from_stdin(app, db, runner, sign_in):
    result = runner.invoke(args=["create-admin", "Head.Of.Data@LA.example.gov.uk", "--name", "Priya Shah",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created site admin head.of.data@la.example.gov.uk at Cambridgeshire (873)" in result.output
    user = users.get_by_email(db, "head.of.data@la.example.gov.uk")
    assert user["is_site_admin"] == 1 and user["name"] == "Priya Shah" and user["status"] == "active"
    assert user["organisation_kind"] == "la" and user["organisation_la_code"] == "873"
    assert user["password_hash"].startswith("$argon2id$") and PASSWORD not in user["password_hash"]
    event = audit_events(db, "user_created")[-1]
    assert event["target"] == user["email"] and event["detail"]["site_admin"] is True
    response = sign_in(user, password=PASSWORD)
    assert response.request.path == "/"
    assert users.get(db, user["id"])["totp_enrolled_at"]  # enrolled at first sign-in


def test_create_admin_with_a_hidden_prompt(db, runner):
    result = runner.invoke(args=["create-admin", "admin@la.example.gov.uk"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert users.get_by_email(db, "admin@la.example.gov.uk")["name"] == "admin"


def test_prompt_needs_the_same_password_twice(db, runner):
    result = runner.invoke(args=["create-admin", "admin@la.example.gov.uk"],
                           input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0 and "do not match" in result.output.lower()


@pytest.mark.parametrize("password,message", [
    ("too short", "at least 12 characters"),
    ("qwertyuiop123", "most commonly used"),
])
def test_policy_is_enforced(db, runner, password, message):
    result = runner.invoke(args=["create-admin", "admin@la.example.gov.uk", "--password-stdin"], input=password)
    assert result.exit_code == 1 and message in result.output
    assert users.get_by_email(db, "admin@la.example.gov.uk") is None


def test_refuses_an_existing_email(db, runner, school, make_user):
    existing = make_user(school)
    result = runner.invoke(args=["create-admin", existing["email"].upper(), "--password-stdin"], input=PASSWORD)
    assert result.exit_code == 1 and "already an account" in result.output
    assert users.get(db, existing["id"])["is_site_admin"] == 0


def test_refuses_a_malformed_email(runner, app):
    result = runner.invoke(args=["create-admin", "not-an-email", "--password-stdin"], input=PASSWORD)
    assert result.exit_code == 1 and "not an email address" in result.output


class TestUnknownLa:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["LA_CODE"] = "999"
        return app_config

    def test_la_without_a_name_is_called_by_its_code(self, db, runner):
        result = runner.invoke(args=["create-admin", "admin@la.example.gov.uk", "--password-stdin"], input=PASSWORD)
        assert result.exit_code == 0, result.output
        assert organisations.get_la(db, "999")["name"] == "LA 999"


def test_la_name_lookup(tmp_path):
    assert la_name("873") == "Cambridgeshire"
    assert la_name("873", tmp_path / "missing.tsv") == "LA 873"


@pytest.mark.parametrize("command", ["unlock-user", "reset-2fa"])
def test_unknown_email(runner, app, command):
    result = runner.invoke(args=[command, "nobody@nowhere.example"])
    assert result.exit_code == 1 and "There is no account for nobody@nowhere.example" in result.output
