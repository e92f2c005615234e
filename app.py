"""Gatehouse application factory.

``flask --app app <command>`` and ``waitress`` both call :func:`create_app`. Settings are
described in ``settings.py`` and README.md.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from htmx_flask import Htmx
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

import settings
from models import audit_key
from web import access, branding, database, errors, gate, security_headers, sessions, shell
from web.filters import FILTERS
from web.templating import GatehouseEnvironment

csrf = CSRFProtect()


class ConfigurationError(RuntimeError):
    """The settings cannot run Gatehouse (e.g. production without a persistent key)."""


def _load_settings(app: Flask, test_config: dict | None) -> None:
    app.config.update(settings.defaults())
    app.config.from_pyfile("config.py", silent=True)
    for name in settings.SETTING_NAMES:
        raw = os.environ.get(f"GATEHOUSE_{name}")
        if raw is not None:
            app.config[name] = settings.coerce(name, raw)
    if test_config:
        app.config.update(test_config)
    # Links in emails follow the served address unless BASE_URL says otherwise (`serve --port` too).
    app.config["BASE_URL_FROM_HOST"] = not app.config["BASE_URL"]
    if app.config["BASE_URL_FROM_HOST"]:
        app.config["BASE_URL"] = settings.served_address(app.config["HOST"], app.config["PORT"])
    instance = Path(app.instance_path)
    app.config["DATABASE"] = app.config["DATABASE"] or str(instance / "gatehouse.db")
    app.config["FILES_DIR"] = app.config["FILES_DIR"] or str(instance / "files")
    # The audit log's HMAC key lives in the instance folder, not in the database (models/audit_key.py).
    audit_key.use_key_file(app.config["DATABASE"], instance / audit_key.FILE_NAME)


def _secret_key(app: Flask) -> str:
    """Return the configured key, or the one in ``instance/secret_key`` (created if absent)."""
    if app.config.get("SECRET_KEY"):
        return app.config["SECRET_KEY"]
    key_file = Path(app.instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    if app.config["ENV"] == "production":
        raise ConfigurationError(
            "Gatehouse will not start in production without a persistent SECRET_KEY: set "
            "GATEHOUSE_SECRET_KEY or create instance/secret_key (run once in development to generate it)."
        )
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def _configure_flask(app: Flask) -> None:
    production = app.config["ENV"] == "production"
    app.config.update(
        SECRET_KEY=_secret_key(app),
        SESSION_COOKIE_NAME="gatehouse_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        PERMANENT_SESSION_LIFETIME=int(app.config["ABSOLUTE_TIMEOUT_HOURS"]) * 3600,
        MAX_CONTENT_LENGTH=int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024 + 64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=True,
    )
    if app.config["TRUSTED_PROXIES"]:
        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)


def _configure_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(Path(app.root_path) / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    app.jinja_env.globals["nav_items"] = access.nav_items
    app.jinja_env.filters.update(FILTERS)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Gatehouse app. ``test_config`` overrides settings (tests pass a temp DATABASE)."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("GATEHOUSE_INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path and os.path.abspath(instance_path))
    app.jinja_environment = GatehouseEnvironment
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _load_settings(app, test_config)
    _configure_flask(app)
    _configure_templates(app)
    Path(app.config["FILES_DIR"]).mkdir(parents=True, exist_ok=True)

    Htmx(app)
    csrf.init_app(app)
    database.init_app(app)
    sessions.init_app(app)
    gate.init_app(app)
    security_headers.init_app(app)
    errors.init_app(app)
    branding.init_app(app)
    shell.init_app(app)

    from commands import register_commands
    from views import register_blueprints

    register_blueprints(app)
    register_commands(app)
    return app
