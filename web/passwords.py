"""The app's password hasher, built once from the ARGON2_* settings."""

from __future__ import annotations

from argon2 import PasswordHasher
from flask import current_app

from domain.security.passwords import hasher


def app_hasher() -> PasswordHasher:
    """Return the hasher for this app's settings (cached on the app)."""
    ext = current_app.extensions
    if "gatehouse_hasher" not in ext:
        cfg = current_app.config
        ext["gatehouse_hasher"] = hasher(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"], cfg["ARGON2_PARALLELISM"])
    return ext["gatehouse_hasher"]
