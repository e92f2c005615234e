"""Helpers that write GIAS extracts for tests: the project's fixture generator, or rows by hand."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
MAKE_FIXTURES = ROOT / "tools" / "make_fixtures.py"
HEADER = next(csv.reader((ROOT / "data" / "gias_header.csv").read_text(encoding="utf-8").splitlines()))


def make_fixtures(*args: str) -> None:
    """Run ``tools/make_fixtures.py`` with ``args`` (it writes where ``-o``/``-d`` say)."""
    subprocess.run([sys.executable, str(MAKE_FIXTURES), *args], check=True, capture_output=True)


def generate_gias(path: Path, la: str = "873,855", schools: int = 60) -> Path:
    """Write the generator's GIAS extract for ``la`` (comma-separated) to ``path``; return it."""
    make_fixtures("gias", "--la", la, "--schools", str(schools), "-o", str(path))
    return path


def gias_row(**fields: object) -> dict:
    """One open school of LA 873 with every key column filled; ``fields`` override (GIAS names)."""
    row = {
        "URN": "110001",
        "LA (code)": "873",
        "LA (name)": "Cambridgeshire",
        "EstablishmentNumber": "2001",
        "EstablishmentName": "Fenland Primary School",
        "TypeOfEstablishment (name)": "Community school",
        "EstablishmentStatus (code)": "1",
        "EstablishmentStatus (name)": "Open",
        "OpenDate": "01-09-1998",
        "PhaseOfEducation (name)": "Primary",
        "StatutoryLowAge": "4",
        "StatutoryHighAge": "11",
        "UKPRN": "10012345",
        "Postcode": "PE13 1AB",
    }
    row.update({key: str(value) for key, value in fields.items()})
    return row


def gias_text(rows: list[dict], header: list[str] | None = None) -> str:
    """The CSV text (quoted like GIAS) of ``rows`` under ``header`` (default: the real 139 columns)."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=header or HEADER, quoting=csv.QUOTE_ALL, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def gias_bytes(rows: list[dict], header: list[str] | None = None, encoding: str = "cp1252") -> bytes:
    """:func:`gias_text` encoded as GIAS does (Windows-1252) or as ``encoding`` says."""
    return gias_text(rows, header).encode(encoding)


def reorder_columns(data: bytes, encoding: str = "cp1252") -> bytes:
    """The same extract with its columns in reverse order."""
    table = list(csv.reader(io.StringIO(data.decode(encoding), newline="")))
    out = io.StringIO(newline="")
    csv.writer(out, quoting=csv.QUOTE_ALL).writerows([list(reversed(row)) for row in table])
    return out.getvalue().encode(encoding)


def drop_columns(data: bytes, *names: str, encoding: str = "cp1252") -> bytes:
    """The same extract without the columns called ``names``."""
    table = list(csv.reader(io.StringIO(data.decode(encoding), newline="")))
    keep = [i for i, name in enumerate(table[0]) if name not in names]
    out = io.StringIO(newline="")
    csv.writer(out, quoting=csv.QUOTE_ALL).writerows([[row[i] for i in keep] for row in table])
    return out.getvalue().encode(encoding)


def read_rows(path: Path) -> list[dict]:
    """The rows of a cp1252 GIAS extract as dicts (to count what a test expects)."""
    with open(path, encoding="cp1252", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict]) -> Path:
    """Write ``rows`` (dicts keyed by GIAS names) as a cp1252 extract at ``path``; return it."""
    path.write_bytes(gias_bytes(rows))
    return path
