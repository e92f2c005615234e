"""Backups of a Gatehouse instance (database and stored files) and restoring one.

A backup is a directory (or one .zip file holding the same names):

    gatehouse.db     consistent copy made with SQLite's online backup API
    files/...        the stored files (FILES_DIR), same relative paths
    manifest.json    created_at (UTC), migrations applied, SHA-256 and size of the database
                     and of every file; written last, so a backup without it is incomplete

- ``backup.archive``: the format: its names, hashing and copying, reading a backup and its manifest,
  :class:`~backup.archive.BackupError`.
- ``backup.create``: :func:`~backup.create.create_backup`, safe while Gatehouse runs.
- ``backup.restore``: :func:`~backup.restore.verify_backup` and :func:`~backup.restore.restore_backup`.

The SQL (the online copy, integrity checks, migrations, "does this database hold data") is in
``models/backup.py``; the CLI commands in ``commands/backup.py``. No Flask here.
"""
