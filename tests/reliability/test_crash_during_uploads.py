"""Crash during uploads (issue 15, item 4): a real server is killed with ``kill -9`` at random moments while a
school uploads census files, 50 times, and restarted each time.

After every kill: ``PRAGMA integrity_check`` is ok. After every restart: every upload the server answered
with its report (303 to ``/returns/versions/N``) is there with its file, whose SHA-256 is what was sent; no
temporary file, no stored file without an upload record and no unfinished job is left (the start-up sweep,
background/validation_pool/sweep.py). At the end every acknowledged report opens. The kill moments come
from a seeded RNG: rerun with ``RELIABILITY_CRASH_SEED=<seed>`` to replay a failure.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import re
import statistics
import threading

import pytest

from models import services
from models.db import rows
from tests.conftest import csrf_token_from, sign_in_through_forms
from tests.domain.validation.xml_files import pupil
from tests.reliability.real_server import HttpClient, integrity, left_behind, sha256_of
from tests.returns.factories import census
from tests.returns.uploading import post_file, upload_url

SEED = int(os.environ.get("RELIABILITY_CRASH_SEED", "20261206"))
CYCLES = 50
UPLOADERS = 2
#: The kill comes this long (seconds, drawn uniformly) after the uploads of a cycle begin.
KILL_AFTER = (0.0, 0.6)
#: Bounds on one cycle's uploads, whatever happens to the kill.
UPLOADS_PER_CYCLE = 40
JOIN_SECONDS = 30.0
REPORT = re.compile(r"/returns/versions/(\d+)$")


class Uploader(threading.Thread):
    """Uploads distinct small census files until told to stop or the server goes away.

    ``acknowledged`` gets ``version_id -> sha256`` for each upload answered with its report; ``surprises``
    any answer other than 303 while the server was up; ``in_flight`` is set while a request is out.
    """

    def __init__(self, url: str, cookies: dict, token: str, name: str, acknowledged: dict, lock: threading.Lock):
        super().__init__(name=name, daemon=True)
        self.client = HttpClient(url, timeout=20)
        self.client.cookies = dict(cookies)
        self.token, self.acknowledged, self.lock = token, acknowledged, lock
        self.stop = threading.Event()
        self.in_flight = threading.Event()
        self.sent = 0
        self.pending = 0
        self.surprises: list[str] = []

    def content(self) -> bytes:
        tag = f"{self.name}x{self.sent:03d}"
        return census([pupil(n, Surname=f"Crash{tag}n{n}") for n in (1, 2, 3)])

    def run(self) -> None:
        with self.client:
            self._upload_until_stopped()

    def _upload_until_stopped(self) -> None:
        while not self.stop.is_set() and self.sent < UPLOADS_PER_CYCLE:
            content = self.content()
            self.sent += 1
            self.in_flight.set()
            try:
                answer = post_file(self.client, upload_url(None), content, csrf_token=self.token)
            except (OSError, http.client.HTTPException):  # the server was killed under us: that is the point
                return
            finally:
                self.in_flight.clear()
            location = answer.headers.get("Location", "")
            reported = REPORT.search(location)
            if answer.status_code == 303 and reported:
                with self.lock:
                    self.acknowledged[int(reported.group(1))] = hashlib.sha256(content).hexdigest()
            elif answer.status_code == 303 and "/returns/jobs/" in location:
                self.pending += 1  # accepted, still being checked: not yet a promise the file is kept
            else:
                self.surprises.append(f"{answer.status_code} {location} {answer.get_data(as_text=True)[:300]}")


def assert_acknowledged_uploads_kept(db, files_dir, acknowledged: dict) -> None:
    if not acknowledged:
        return
    marks = ",".join("?" * len(acknowledged))
    found = {
        r["id"]: r for r in rows(
            db, f"SELECT v.id, u.sha256, u.stored_path FROM return_versions v JOIN uploads u ON u.id = v.upload_id"
            f" WHERE v.id IN ({marks})", list(acknowledged),
        )
    }  # fmt: skip
    missing = sorted(set(acknowledged) - set(found))
    assert not missing, f"versions the server acknowledged are gone: {missing}"
    for version_id, sha256 in acknowledged.items():
        path = files_dir / found[version_id]["stored_path"]
        assert found[version_id]["sha256"] == sha256, f"version {version_id} records another file"
        assert path.is_file() and sha256_of(path) == sha256, f"version {version_id}'s file is missing or changed"


@pytest.fixture
def uploader_user(db, school, make_user):
    user = make_user(school, name="Crash Test Office", email="office@crash.example.sch.uk")
    services.set_services(db, user["id"], ["returns"])
    return user


def test_kill_9_during_uploads_loses_nothing_acknowledged_and_leaves_nothing_behind(
    db, real_server, uploader_user, record_property
):
    rng = random.Random(SEED)
    server = real_server()
    files_dir = server.files_dir
    starts = [server.start()]
    signed_in = HttpClient(server.url)
    sign_in_through_forms(signed_in, db, uploader_user)
    token = csrf_token_from(signed_in.get(upload_url(None)).get_data(as_text=True))
    signed_in.close()  # its cookies are what the uploaders share
    acknowledged: dict[int, str] = {}
    lock = threading.Lock()
    totals = {"unfinished jobs": 0, "temporary files": 0, "orphaned stored files": 0}
    mid_request = pending = sent = 0

    for cycle in range(CYCLES):
        assert left_behind(db, files_dir) == dict.fromkeys(totals, 0), f"cycle {cycle}: the start left files behind"
        assert_acknowledged_uploads_kept(db, files_dir, acknowledged)

        workers = [Uploader(server.url, signed_in.cookies, token, f"c{cycle:02d}u{n}", acknowledged, lock)
                   for n in range(UPLOADERS)]  # fmt: skip
        for worker in workers:
            worker.start()
        threading.Event().wait(rng.uniform(*KILL_AFTER))  # the random kill point (seeded), not a wait for a result
        mid_request += any(w.in_flight.is_set() for w in workers)
        server.kill()
        for worker in workers:
            worker.stop.set()
            worker.join(JOIN_SECONDS)
            assert not worker.is_alive(), "an uploader did not stop"
            assert worker.surprises == [], f"cycle {cycle}: unexpected answers {worker.surprises}"
            pending += worker.pending
            sent += worker.sent

        check, foreign = integrity(server.database)
        assert check == "ok", f"cycle {cycle} (seed {SEED}): integrity_check says {check}"
        assert foreign == [], f"cycle {cycle} (seed {SEED}): foreign_key_check found {foreign[:5]}"
        for name, count in left_behind(db, files_dir).items():
            totals[name] += count
        starts.append(server.start())

    assert left_behind(db, files_dir) == dict.fromkeys(totals, 0)
    assert_acknowledged_uploads_kept(db, files_dir, acknowledged)
    with HttpClient(server.url) as reader:
        reader.cookies = dict(signed_in.cookies)
        unreadable = [v for v in sorted(acknowledged) if reader.get(f"/returns/versions/{v}").status_code != 200]
    assert unreadable == [], f"reports that do not open after the crashes: {unreadable}"
    server.stop()
    assert "database is locked" not in server.log_text().lower()

    record_property("seed", SEED)
    record_property("cycles (kill -9, restart)", CYCLES)
    record_property("kills with an upload request in flight", mid_request)
    record_property("uploads sent / acknowledged with a report / accepted still checking", f"{sent} / "
                    f"{len(acknowledged)} / {pending}")  # fmt: skip
    record_property("left by the kills, removed by the next start", totals)
    record_property("start to /healthz, median / max s", f"{statistics.median(starts):.2f} / {max(starts):.2f}")
