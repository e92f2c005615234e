"""Uploading in Returns tests: post a file as the upload form does, upload and follow to the report, and
count what an upload left behind."""

from __future__ import annotations

import io
import re
from pathlib import Path

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from models.db import scalar
from tests.returns.factories import CENSUS_NAME

TABLES = ("uploads", "returns", "return_versions", "return_findings", "return_notes", "return_pupils")


def post_file(client, url: str, content: bytes, name: str = CENSUS_NAME, **extra):
    """POST ``content`` as the form's file. The body is encoded in memory: the test client's own encoder
    spools bodies over 500 KB to a temporary file it never closes."""
    fields = {"file": FileStorage(io.BytesIO(content), filename=name, content_type="text/xml"), **extra}
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def upload_url(instance: dict | None) -> str:
    return f"/returns/upload/{instance['id']}" if instance else "/returns/test-upload"


def upload(client, instance: dict | None, content: bytes, name: str = CENSUS_NAME, **extra) -> int:
    """Upload (``extra`` form fields too, e.g. ``csrf_token``) and follow to the report; return the new version's id."""
    response = post_file(client, upload_url(instance), content, name, **extra)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    report = client.get(location)
    while report.status_code in (302, 303):
        location = report.headers["Location"]
        report = client.get(location)
    assert report.status_code == 200
    match = re.search(r"/returns/versions/(\d+)", location)
    assert match, location
    return int(match.group(1))


def leftovers(db, files_dir: str | Path) -> dict:
    """Row counts of every Returns table and the files under FILES_DIR (for "nothing left behind")."""
    files = sorted(str(p.relative_to(files_dir)) for p in Path(files_dir).rglob("*") if p.is_file())
    return {**{table: scalar(db, f"SELECT count(*) FROM {table}") for table in TABLES}, "files": files}
