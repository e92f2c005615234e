"""Gatehouse's data layer: every SQL statement lives in this package.

Functions take a ``sqlite_utils.Database`` (or plain ``sqlite3.Connection``) and return
dicts, lists of dicts or ``None``. Nothing here imports Flask's request objects.
"""
