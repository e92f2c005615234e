"""Backup fixtures: a second, empty Gatehouse instance to restore into (helpers: tests/backup/inspection.py)."""

from __future__ import annotations

import pytest

from app import create_app


@pytest.fixture
def fresh_instance(app_config, tmp_path):
    """A second Gatehouse app whose database does not exist yet and whose files folder is empty.

    Its instance folder (where the audit key goes) holds the database and files, as by default.
    """
    folder = tmp_path / "fresh-instance"
    config = dict(
        app_config, INSTANCE_PATH=str(folder), DATABASE=str(folder / "gatehouse.db"), FILES_DIR=str(folder / "files")
    )
    return create_app(config)
