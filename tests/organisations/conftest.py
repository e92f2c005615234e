"""Fixtures for the organisations area: generated GIAS extracts and an importer."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from domain.gias.reader import open_extract
from models import organisations
from tests.domain.gias.files import generate_gias


@pytest.fixture(scope="session")
def gias_file(tmp_path_factory) -> Path:
    """The generator's extract with 60 schools in each of LAs 873 and 855 (do not modify it)."""
    return generate_gias(tmp_path_factory.mktemp("gias") / "edubasealldata.csv", la="873,855", schools=60)


@pytest.fixture
def import_gias(db):
    """Import a file through the reader and the model: ``import_gias(path_or_bytes, "873", ...)``."""

    def run(source: Path | bytes, *la_codes: str, **options) -> organisations.ImportSummary:
        data = source if isinstance(source, bytes) else source.read_bytes()
        extract = open_extract(data)
        return organisations.import_gias(
            db,
            extract.records(la_codes or ("873",)),
            la_codes=la_codes or ("873",),
            file_name="edubasealldata.csv",
            file_sha256=hashlib.sha256(data).hexdigest(),
            encoding=extract.encoding,
            notes=extract.notes,
            **options,
        )

    return run
