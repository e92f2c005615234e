"""The validation pool: jobs run in worker threads with their own connection; the progress page polls
with htmx until the server answers 286 with HX-Redirect to the report; without JavaScript, refreshing
the page shows progress and then redirects."""

from __future__ import annotations

import threading
import time

import pytest

from background.validation_pool import pool, storage
from models import returns, uploads
from models.db import one, rows
from tests.returns.factories import generated_census
from tests.returns.uploading import leftovers, post_file, upload_url
from views import returns as returns_views

HTMX = {"HX-Request": "true"}


@pytest.fixture
def pooled(app):
    """The real pool (one worker thread), not inline validation."""
    app.config.update(VALIDATION_SYNC=False, VALIDATION_WORKERS=1)


@pytest.fixture
def signed_in(pooled, app, client, school_user, sign_in, sc_aut):
    sign_in(school_user)
    yield client
    pool.shutdown(app)


@pytest.fixture
def busy_worker(app):
    """Hold the pool's only thread with a plain blocking call, so the next job waits in the queue."""
    release = threading.Event()
    pool.get_pool(app).executor.submit(release.wait, 30)
    yield release
    release.set()


def _poll(client, url: str, timeout: float = 20.0):
    """Poll like htmx until the server stops the polling (286); return that response."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(url, headers=HTMX)
        if response.status_code == 286:
            return response
        assert response.status_code == 200
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


def test_a_job_in_the_pool_shows_progress_then_the_report(app, db, signed_in, sc_aut, tmp_path, busy_worker):
    path = generated_census(tmp_path, pupils=300)
    response = post_file(signed_in, upload_url(sc_aut), path.read_bytes(), path.name)
    assert response.status_code == 303
    job_url = response.headers["Location"]
    job_id = int(job_url.rsplit("/", 1)[1])

    page = signed_in.get(job_url)  # no JavaScript: the whole page, with the bar and a refresh link
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1" in html and "Checking your file" in html
    assert '<progress id="job-progress-bar" class="gatehouse-progress" max="100" value="0">' in html
    assert 'hx-trigger="every 500ms"' in html and "Refresh this page" in html and "style=" not in html
    partial = signed_in.get(job_url, headers=HTMX)  # htmx: the partial alone
    assert partial.status_code == 200 and "<html" not in partial.get_data(as_text=True)
    assert "Waiting to be checked" in partial.get_data(as_text=True)
    assert uploads.get_job(db, job_id)["state"] == "queued"

    busy_worker.set()
    done = _poll(signed_in, job_url)
    job = uploads.get_job(db, job_id)
    assert job["state"] == "done" and job["bytes_done"] == job["bytes_total"] == path.stat().st_size
    assert done.headers["HX-Redirect"] == f"/returns/versions/{job['version_id']}"
    browser = signed_in.get(job_url)  # a refresh without JavaScript now goes to the report
    assert browser.status_code == 303 and browser.headers["Location"].endswith(f"/returns/versions/{job['version_id']}")
    version = returns.get_version(db, job["version_id"])
    assert version["pupils"] == 300 and version["errors"] > 0
    assert one(db, "SELECT count(*) AS n FROM return_pupils")["n"] == 300
    assert [f for f in leftovers(db, app.config["FILES_DIR"])["files"] if f.startswith("tmp/")] == []


def test_a_refused_file_in_the_pool_redirects_htmx_to_the_full_page(app, db, signed_in, busy_worker):
    truncated = b'<?xml version="1.0"?>\n<CTfile><Header><DocumentName>Common Transfer File</DocumentName>'
    body = truncated + b"<x/>" * 5000  # long enough to pass the quick check on the file's start
    response = post_file(signed_in, upload_url(None), body, "cut-short.xml")
    assert response.status_code == 303 and "/returns/jobs/" in response.headers["Location"]
    busy_worker.set()
    stopped = _poll(signed_in, response.headers["Location"])
    assert stopped.headers["HX-Redirect"] == response.headers["Location"]
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your file was not accepted" in page and "ends too soon" in page and "<progress" not in page
    assert leftovers(db, app.config["FILES_DIR"])["files"] == []


def test_a_job_left_by_a_stopped_server_is_ended(app, db, signed_in, school, school_user):
    with open(__file__, "rb") as source:
        temp = storage.save_temp(source, app.config["FILES_DIR"], 10**6)
    job = uploads.create_job(
        db, organisation_id=school["id"], instance_id=None, kind=None, original_name="lost.xml", sha256=temp.sha256,
        size=temp.size, temp_name=temp.name, created_by=school_user["id"],
    )  # fmt: skip
    db.conn.execute("UPDATE validation_jobs SET state = 'running' WHERE id = ?", (job["id"],))
    page = signed_in.get(f"/returns/jobs/{job['id']}").get_data(as_text=True)
    assert uploads.INTERRUPTED in page
    assert uploads.get_job(db, job["id"])["state"] == "failed"
    assert leftovers(db, app.config["FILES_DIR"])["files"] == []


def test_workers_use_their_own_connection_and_several_jobs_finish(app, db, signed_in, sc_aut, tmp_path, monkeypatch):
    app.config["VALIDATION_WORKERS"] = 2
    pool.shutdown(app)
    # the upload request waits for its check to finish (however busy the machine), so each answers with the report
    monkeypatch.setattr(returns_views, "QUICK_WAIT_SECONDS", 120)
    for seed in (1, 2, 3):
        path = generated_census(tmp_path, pupils=50, seed=seed)
        response = post_file(signed_in, upload_url(None), path.read_bytes(), path.name)
        # checked by a worker while the upload request waits: straight to the report
        assert response.status_code == 303 and "/returns/versions/" in response.headers["Location"]
    assert returns.count_versions(db) == 3
    assert {r["version"] for r in rows(db, "SELECT version FROM return_versions")} == {1, 2, 3}
