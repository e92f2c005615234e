"""Code lists the validators check against, kept as data in ``data/``.

School Census: the DfE's Common Basic Data Set (CBDS) code sets, one JSON file per academic year in
``data/cbds/`` (``cbds_lists(year)``; where each list came from: docs/code_lists.md).

School Workforce Census:

``data/workforce_posts.tsv`` (code, name, teaching yes/no) and ``data/workforce_roles.tsv``
(code, name). They are Gatehouse's own lists, modelled on the DfE's Common Basic Data Set post
and role codes but not copied from a published file: a code missing from them is a query (7255Q,
7265Q) that a school can explain, never an error. Edit the files to add a code.
"""
from __future__ import annotations

import csv
import functools
import json
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


# ---------------------------------------------------------------------- CBDS code sets (School Census)

CBDS_DIR = DATA / "cbds"


class CodeLists:
    """The CBDS code sets of one academic year, as ``data/cbds/<yyyy-yy>.json`` gives them.

    ``codes(name)`` is the frozenset of current codes of list ``name`` (such as "ethnicity"),
    ``withdrawn(name)`` the codes no longer in use with what replaced them, ``group(name, group)`` a named
    subset (the authorised absence reasons) and ``label`` the academic year the file is for ("2026-27").
    """

    def __init__(self, label: str, lists: dict[str, dict]):
        self.label = label
        self._codes = {name: frozenset(entry["codes"]) for name, entry in lists.items()}
        self._withdrawn = {name: dict(entry.get("withdrawn", {})) for name, entry in lists.items()}
        self._groups = {name: {g: frozenset(v) for g, v in entry.get("groups", {}).items()}
                        for name, entry in lists.items()}
        self.entries = lists

    def codes(self, name: str) -> frozenset[str]:
        """The current codes of list ``name``. Raises KeyError for a list the file does not hold."""
        return self._codes[name]

    def withdrawn(self, name: str) -> dict[str, str]:
        """Codes of list ``name`` that are no longer used, each with what replaced it."""
        return self._withdrawn[name]

    def group(self, name: str, group: str) -> frozenset[str]:
        """The codes of list ``name`` in its named subset ``group`` (empty when there is none)."""
        return self._groups[name].get(group, frozenset())


def cbds_years() -> list[int]:
    """The academic years (2026 for 2026-27) that have a code-list file in ``data/cbds``, oldest first."""
    return sorted(int(path.stem[:4]) for path in CBDS_DIR.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].json"))


def cbds_year_for(academic_year: int | None) -> int:
    """The academic year whose code lists apply to a return of ``academic_year``: that year's file when
    there is one, else the latest earlier year's, else the earliest year held (None: the latest held).
    Raises OSError when ``data/cbds`` holds no file."""
    years = cbds_years()
    if not years:
        raise OSError(f"no CBDS code-list files in {CBDS_DIR}")
    if academic_year is None:
        return years[-1]
    earlier = [year for year in years if year <= academic_year]
    return earlier[-1] if earlier else years[0]


@functools.cache
def cbds_lists(academic_year: int | None = None) -> CodeLists:
    """The CBDS code lists that apply to a return of ``academic_year`` (see :func:`cbds_year_for`), read
    once per year. Raises OSError if the file is missing, ValueError if it is not valid JSON."""
    year = cbds_year_for(academic_year)
    label = f"{year}-{(year + 1) % 100:02d}"
    with open(CBDS_DIR / f"{label}.json", encoding="utf-8") as f:
        document = json.load(f)
    return CodeLists(label, document["lists"])
