"""Concurrent writers for the load and backup-under-load tests: a population seeded into a test instance, and
threads that write through a real server (tests/reliability/real_server.py) as people do.

Four kinds, each a real endpoint that writes (and audits) in one ``BEGIN IMMEDIATE`` transaction:

- ``sign-in``: a school end user signs in through the form (a fresh browser each time);
- ``note``: a school user explains a query on their census report (``/returns/versions/N/explain``);
- ``upload``: a school user makes a test upload of a small census file (stored, validated by the pool);
- ``status``: an LA officer (signed in with two-step verification) records a school's deadline status.

Every writer first signs in and fetches its form's CSRF token, waits at a barrier with the others, then writes
until the run's deadline or its round limit, timing each write and checking its status and redirect. Any other
answer, or no answer, is an error. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from domain.dates import academic_year_of, uk_today
from models import deadline_instances, organisations, services
from models.db import connection, one, rows
from tests.conftest import TEST_PASSWORD, csrf_token_from, sign_in_through_forms
from tests.domain.validation.xml_files import pupil
from tests.reliability.real_server import HttpClient, Response
from tests.returns.factories import census
from tests.returns.uploading import post_file, upload, upload_url

#: Writers of each kind: 50 in all.
KINDS = {"sign-in": 12, "note": 14, "upload": 10, "status": 14}
SCHOOLS = 12
NOTE_SCHOOLS = 2
MAX_ROUNDS = 5000
BARRIER_SECONDS = 180.0
STATUSES = ("in_progress", "submitted", "accepted", "returned", "cleared")


@dataclasses.dataclass
class Population:
    """Who writes what: users (dicts from ``make_user``) and the ids their writes aim at."""

    schools: list[dict]
    sign_in_users: list[dict]
    note_users: list[dict]
    upload_users: list[dict]
    la_users: list[dict]
    status_targets: list[tuple[int, int]]  # (instance id, school id), one per LA user
    note_targets: list[list[tuple[int, str, str]]] = dataclasses.field(default_factory=list)  # per note school:
    # its version's queries as (version id, rule, UPN)


def _status_instance(db, school: dict) -> int:
    """An instance of this academic year that applies to ``school`` and takes a status."""
    year = academic_year_of(uk_today())
    for row in rows(db, "SELECT id FROM deadline_instances WHERE academic_year = ? ORDER BY id", (year,)):
        instance = deadline_instances.get_instance(db, row["id"])
        if instance["return_type"] != "none" and deadline_instances.is_applicable(db, instance, school):
            return instance["id"]
    raise AssertionError(f"no deadline of {year} applies to {school['name']}")


def seed(db, la: dict, make_user) -> Population:
    """Schools of LA 873, this academic year's deadlines, and a user for every writer (before the server starts)."""
    deadline_instances.generate(db, academic_year_of(uk_today()))
    schools = [
        organisations.create_school(
            db, la_code="873", estab=str(3001 + n), name=f"Load Test School {n + 1}", urn=130001 + n,
            phase="Primary", type_name="Community school", status="open",
        )
        for n in range(SCHOOLS)
    ]  # fmt: skip

    def people(kind: str, organisations_for: Callable[[int], dict], wanted: list[str]) -> list[dict]:
        made = []
        for n in range(KINDS[kind]):
            org = organisations_for(n)
            user = make_user(org, email=f"{kind}{n}@{org['dfe_number']}.example.sch.uk", name=f"{kind} writer {n}")
            if wanted:
                services.set_services(db, user["id"], wanted)
            made.append(user)
        return made

    upload_schools = schools[NOTE_SCHOOLS:]
    population = Population(
        schools=schools,
        sign_in_users=people("sign-in", lambda n: schools[n % SCHOOLS], []),
        note_users=people("note", lambda n: schools[n % NOTE_SCHOOLS], ["returns"]),
        upload_users=people("upload", lambda n: upload_schools[n % len(upload_schools)], ["returns"]),
        la_users=people("status", lambda n: la, ["deadlines"]),
        status_targets=[],
    )
    for n in range(KINDS["status"]):
        school = schools[n % SCHOOLS]
        population.status_targets.append((_status_instance(db, school), school["id"]))
    return population


def make_note_versions(base_url: str, db, population: Population) -> None:
    """Through the server: each note school uploads a file with queries; note writers explain its queries."""
    pupils = [pupil(i + 1, Surname=f"Twin{i // 2}", Forename="Alex") for i in range(8)]  # 4 pairs: 8 queries
    for n in range(NOTE_SCHOOLS):
        school, user = population.schools[n], population.note_users[n]
        with HttpClient(base_url) as client:
            sign_in_through_forms(client, db, user)
            token = csrf_token_from(client.get(upload_url(None)).get_data(as_text=True))
            version_id = upload(client, None, census(pupils, Estab=school["estab"]), csrf_token=token)
        queries = rows(db, "SELECT DISTINCT rule, upn FROM return_findings WHERE version_id = ? AND severity = 'query'"
                           " AND upn != '' ORDER BY rule, upn", (version_id,))  # fmt: skip
        assert queries, "the note version has no queries to explain"
        population.note_targets.append([(version_id, q["rule"], q["upn"]) for q in queries])


class Tally:
    """What the writers did, shared between their threads: latencies, errors and acknowledged writes."""

    def __init__(self):
        self.lock = threading.Condition()
        self.seconds: dict[str, list[float]] = {kind: [] for kind in KINDS}
        self.errors: list[str] = []
        self.acknowledged: list[tuple[float, str, object]] = []  # (when, kind, what): a marker, version id or user

    def ok(self, kind: str, seconds: float, what: object) -> None:
        with self.lock:
            self.seconds[kind].append(seconds)
            self.acknowledged.append((time.monotonic(), kind, what))
            self.lock.notify_all()

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)
            self.lock.notify_all()

    def wait_for_writes(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` writes have been acknowledged (or an error); False on timeout."""
        with self.lock:
            return self.lock.wait_for(lambda: len(self.acknowledged) >= count or self.errors, timeout)

    def acknowledged_before(self, moment: float) -> list[tuple[str, object]]:
        with self.lock:
            return [(kind, what) for when, kind, what in self.acknowledged if when <= moment]

    def figures(self, run_seconds: float) -> dict[str, str]:
        """Per kind: writes, writes per second, p50, p95 and max latency in milliseconds."""
        out = {}
        for kind, seconds in self.seconds.items():
            ordered = sorted(seconds)
            if not ordered:
                out[kind] = "no writes"
                continue
            p50, p95 = (ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)] for q in (0.50, 0.95))
            out[kind] = (f"{len(ordered)} writes, {len(ordered) / run_seconds:.1f}/s, p50 {p50 * 1000:.0f} ms, "
                         f"p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms")  # fmt: skip
        return out


class Writer(threading.Thread):
    """One writer: ``prepare`` (sign in, fetch the form), the barrier, then ``write`` until the deadline."""

    kind = ""

    def __init__(self, number: int, base_url: str, database: str, population: Population, tally: Tally,
                 barrier: threading.Barrier, stop: threading.Event, deadline: list[float]):  # fmt: skip
        super().__init__(name=f"{self.kind}-{number}", daemon=True)
        self.number, self.base_url, self.database, self.population = number, base_url, database, population
        self.tally, self.barrier, self.stop, self.deadline = tally, barrier, stop, deadline
        self.client = HttpClient(base_url)
        self.rounds = 0

    def run(self) -> None:
        try:
            with self.client:
                self.prepare()
                self.barrier.wait(BARRIER_SECONDS)
                while not self.stop.is_set() and time.monotonic() < self.deadline[0] and self.rounds < MAX_ROUNDS:
                    self.rounds += 1
                    self.write()
        except threading.BrokenBarrierError:
            pass  # another writer failed to get ready (its error is recorded) or the wait timed out (Crowd.go says)
        except Exception as error:  # any failure is the test's to report, not this thread's to hide
            self.tally.error(f"{self.name} round {self.rounds}: {type(error).__name__}: {error}")
            self.barrier.abort()

    def sign_in(self, user: dict) -> None:
        with connection(self.database) as db:
            answer = sign_in_through_forms(self.client, db, user)
        assert answer.status_code == 200, f"{user['email']} could not sign in: {answer.status_code}"

    def token(self, path: str) -> str:
        page = self.client.get(path)
        assert page.status_code == 200, f"GET {path}: {page.status_code}"
        return csrf_token_from(page.get_data(as_text=True))

    def check(self, answer: Response, status: int, location_start: str, what: object) -> None:
        location = urlsplit(answer.headers.get("Location", "")).path
        if answer.status_code == status and location.startswith(location_start):
            self.tally.ok(self.kind, answer.seconds, what)
        else:
            self.tally.error(f"{self.name} round {self.rounds}: {answer.status_code} to {location!r}, expected "
                             f"{status} to {location_start}: {answer.get_data(as_text=True)[:300]}")  # fmt: skip

    def prepare(self) -> None:
        raise NotImplementedError

    def write(self) -> None:
        raise NotImplementedError


class SignInWriter(Writer):
    kind = "sign-in"

    def prepare(self) -> None:
        self.user = self.population.sign_in_users[self.number]

    def write(self) -> None:
        with HttpClient(self.base_url) as browser:
            token = csrf_token_from(browser.get("/sign-in").get_data(as_text=True))
            answer = browser.post("/sign-in", {"email": self.user["email"], "password": TEST_PASSWORD,
                                               "csrf_token": token})  # fmt: skip
        self.check(answer, 302, "/", self.user["id"])


class NoteWriter(Writer):
    kind = "note"

    def prepare(self) -> None:
        targets = self.population.note_targets[self.number % NOTE_SCHOOLS]  # the school of note_users[number]
        self.version_id, rule, upn = targets[(self.number // NOTE_SCHOOLS) % len(targets)]
        self.sign_in(self.population.note_users[self.number])
        self.path = f"/returns/versions/{self.version_id}/explain?" + urlencode({"rule": rule, "upn": upn})
        self.csrf = self.token(self.path)

    def write(self) -> None:
        marker = f"Checked with the office ({self.name} round {self.rounds})"
        answer = self.client.post(self.path, {"note": marker, "csrf_token": self.csrf})
        self.check(answer, 302, f"/returns/versions/{self.version_id}", marker)


class UploadWriter(Writer):
    kind = "upload"

    def prepare(self) -> None:
        self.user = self.population.upload_users[self.number]
        self.estab = next(s["estab"] for s in self.population.schools if s["id"] == self.user["organisation_id"])
        self.sign_in(self.user)
        self.csrf = self.token(upload_url(None))

    def write(self) -> None:
        pupils = [pupil(n, Surname=f"Load{self.name}r{self.rounds}n{n}") for n in (1, 2, 3)]
        answer = post_file(self.client, upload_url(None), census(pupils, Estab=self.estab), csrf_token=self.csrf)
        location = urlsplit(answer.headers.get("Location", "")).path
        version = int(location.rsplit("/", 1)[1]) if location.startswith("/returns/versions/") else None
        self.check(answer, 303, "/returns/", version)


class StatusWriter(Writer):
    kind = "status"

    def prepare(self) -> None:
        self.instance_id, self.school_id = self.population.status_targets[self.number]
        self.sign_in(self.population.la_users[self.number])
        self.path = f"/deadline-tracker/{self.instance_id}/{self.school_id}"
        self.csrf = self.token(self.path)

    def write(self) -> None:
        marker = f"Recorded under load ({self.name} round {self.rounds})"
        status = STATUSES[self.rounds % len(STATUSES)]
        answer = self.client.post(self.path, {"status": status, "note": marker, "csrf_token": self.csrf})
        self.check(answer, 302, self.path, marker)


WRITERS = {"sign-in": SignInWriter, "note": NoteWriter, "upload": UploadWriter, "status": StatusWriter}


class Crowd:
    """All the writers of one run: ``start()`` has them sign in and get ready, ``go(seconds)`` starts the clock,
    ``finish()`` stops them (or lets them reach the deadline) and waits for every thread, bounded."""

    def __init__(self, base_url: str, database: str, population: Population):
        self.tally = Tally()
        self.stop = threading.Event()
        self.deadline = [math.inf]
        self.seconds = 0.0
        self.barrier = threading.Barrier(sum(KINDS.values()) + 1, action=self._open)
        self.threads = [WRITERS[kind](n, base_url, database, population, self.tally, self.barrier, self.stop,
                                      self.deadline)
                        for kind, count in KINDS.items() for n in range(count)]  # fmt: skip
        self.started_at = self.ended_at = 0.0

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def _open(self) -> None:  # run by the barrier once everyone is ready, before anyone writes
        self.started_at = time.monotonic()
        self.deadline[0] = self.started_at + self.seconds

    def go(self, seconds: float) -> None:
        """Wait (bounded) until every writer is ready, then let them write for ``seconds``."""
        self.seconds = seconds
        try:
            self.barrier.wait(BARRIER_SECONDS)
        except threading.BrokenBarrierError:
            self.stop.set()
            self.tally.error("the writers did not all get ready (see the errors above)")

    def finish(self, now: bool = False) -> float:
        """Wait for the writers (stopping them first when ``now``); return how long they wrote, in seconds."""
        if now:
            self.stop.set()
        for thread in self.threads:
            thread.join(min(max(self.deadline[0] - time.monotonic(), 0.0), BARRIER_SECONDS) + 60)
        stuck = [t.name for t in self.threads if t.is_alive()]
        assert not stuck, f"writers still running: {stuck}"
        self.ended_at = time.monotonic()
        return self.ended_at - self.started_at


def count_rows(db, table: str) -> int:
    return one(db, f"SELECT count(*) AS n FROM {table}")["n"]  # noqa: S608 - table names come from sqlite_master
