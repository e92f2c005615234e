"""Gatehouse's domain rules, pure Python with no Flask: file validation, deadline rules, account
rules, security primitives, the GIAS reader, the one date module and the clock.

Nothing under ``domain/`` imports Flask, ``web``, ``views`` or ``models``; each package is
tested without an app (``tests/domain/``).
"""
