"""The factory: settings precedence, the secret key, production safety."""

from __future__ import annotations

import pytest

from app import ConfigurationError, create_app


def _config(tmp_path, **extra):
    return {"INSTANCE_PATH": str(tmp_path / "instance"), **extra}


def test_secret_key_is_generated_once_and_kept(tmp_path):
    app = create_app(_config(tmp_path))
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == app.config["SECRET_KEY"]
    assert len(app.config["SECRET_KEY"]) >= 32
    assert (key_file.stat().st_mode & 0o077) == 0, "the key file must be private"
    assert create_app(_config(tmp_path)).config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_instance_folder_holds_database_and_files(tmp_path):
    app = create_app(_config(tmp_path, SECRET_KEY="x"))
    assert app.config["DATABASE"] == str(tmp_path / "instance" / "gatehouse.db")
    assert (tmp_path / "instance" / "files").is_dir()


def test_production_refuses_to_start_without_a_persistent_key(tmp_path):
    with pytest.raises(ConfigurationError, match="persistent SECRET_KEY"):
        create_app(_config(tmp_path, ENV="production"))
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_production_with_a_key_file_starts_with_secure_cookies(tmp_path):
    create_app(_config(tmp_path))  # development run generates the key file
    app = create_app(_config(tmp_path, ENV="production"))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_instance_config_py_then_environment_override_defaults(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text('LOCKOUT_THRESHOLD = 4\nSMTP_HOST = "from-file"\n')
    monkeypatch.setenv("GATEHOUSE_SMTP_HOST", "mail.example.gov.uk")
    app = create_app(_config(tmp_path, SECRET_KEY="x"))
    assert app.config["LOCKOUT_THRESHOLD"] == 4
    assert app.config["SMTP_HOST"] == "mail.example.gov.uk"


def test_a_malformed_number_setting_is_refused_with_its_name(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEHOUSE_PORT", "five thousand")
    with pytest.raises(ValueError, match="GATEHOUSE_PORT must be a whole number"):
        create_app(_config(tmp_path, SECRET_KEY="x"))


def test_upload_limit_bounds_request_bodies(tmp_path):
    app = create_app(_config(tmp_path, SECRET_KEY="x", MAX_UPLOAD_MB=1))
    assert 1024 * 1024 < app.config["MAX_CONTENT_LENGTH"] < 2 * 1024 * 1024
