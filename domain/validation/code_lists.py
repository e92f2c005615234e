"""Code lists the School Workforce Census rules check against, kept as data in ``data/``.

``data/workforce_posts.tsv`` (code, name, teaching yes/no) and ``data/workforce_roles.tsv``
(code, name). They are Gatehouse's own lists, modelled on the DfE's Common Basic Data Set post
and role codes but not copied from a published file: a code missing from them is a query (7255Q,
7265Q) that a school can explain, never an error. Edit the files to add a code.
"""
from __future__ import annotations

import csv
import functools
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data"
POSTS_FILE = DATA / "workforce_posts.tsv"
ROLES_FILE = DATA / "workforce_roles.tsv"


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@functools.cache
def workforce_posts() -> dict[str, str]:
    """Post code -> name, read once. Raises OSError if the data file is missing."""
    return {row["code"]: row["name"] for row in _read(POSTS_FILE)}


@functools.cache
def teaching_posts() -> frozenset[str]:
    """The post codes of teachers (whose holders have a teacher reference number)."""
    return frozenset(row["code"] for row in _read(POSTS_FILE) if row["teaching"] == "yes")


@functools.cache
def workforce_roles() -> dict[str, str]:
    """Role code -> name, read once. Raises OSError if the data file is missing."""
    return {row["code"]: row["name"] for row in _read(ROLES_FILE)}
