"""Gatehouse's data layer: every SQL statement lives in this package, and nothing else.

Functions take a ``sqlite_utils.Database`` (``web.database.get_db()`` in a request,
``models.db.connection(path)`` outside one) and return dicts, lists of dicts or ``None``.
Writes run inside ``models.db.transaction`` (``BEGIN IMMEDIATE``) with their audit row. Nothing
here imports Flask, ``web`` or ``views`` (``tests/test_layering.py``); presentation (labels'
colours, HTML) belongs to templates.
"""
