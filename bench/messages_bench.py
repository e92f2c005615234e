"""Issue 9 budget: a school's messages inbox holding 10,000 conversations, first page p95 under 100 ms with
8 concurrent clients (wrk on loopback, waitress).

The school's conversations are made through the models (with the LA and 20 other schools, half started by
each side, a third read), so every row has its party rows, posts, receipts and audit entries as in use. The
page measured is the whole inbox page: the unread count in the navigation, the folder's total and the first
25 rows (one query each). The query plans are printed too.

Usage: `.venv/bin/python bench/messages_bench.py [--threads 10000]` (also run by `make bench`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.loadtest import Server, sign_in_cookie, table, wrk  # noqa: E402
from models import messages, organisations, services, users  # noqa: E402
from models.db import connect, rows  # noqa: E402

PASSWORD = "bench password for messages"
EMAIL = "bench@school.example"
BUDGET_P95_MS = 100


def seed(db, count: int) -> dict:
    """``count`` conversations of the bench user's school; return the school and user."""
    user = users.get_by_email(db, EMAIL)
    services.set_services(db, user["id"], {"transfers"})
    school = organisations.get(db, user["organisation_id"])
    la = organisations.get_la(db, "873")
    la_user = users.create(db, email="la@bench.example", name="LA Officer", organisation_id=la["id"],
                           password_hash="x")  # fmt: skip
    others = [organisations.create_school(db, la_code="873", estab=str(5000 + n), name=f"Other School {n:02d}")
              for n in range(20)]  # fmt: skip
    started = time.perf_counter()
    for n in range(count):
        other = la if n % 3 == 0 else others[n % len(others)]
        author = la_user if other is la else user
        if n % 2:
            sender, recipient, writer, subject = school, other, user, f"Pupil transfer {n:05d}"
        else:
            sender, recipient, writer, subject = other, school, author, f"Question {n:05d}"
        thread_id = messages.start_thread(db, sender=sender, recipient_id=recipient["id"], author=writer,
                                          subject=subject, body="Please see the file.")  # fmt: skip
        if recipient is school and n % 3 == 1:
            messages.mark_read(db, thread_id, school["id"], user)
    print(f"seeded {count:,} conversations in {time.perf_counter() - started:.0f} s")
    return {"school": school, "user": user}


def plans(db, school_id: int, user_id: int) -> None:
    """Print SQLite's plan of the inbox's three queries."""
    for label, sql, params in (
        ("unread count", "SELECT count(*) FROM message_unread WHERE user_id = ?", (user_id,)),
        ("folder total", "SELECT count(*) FROM message_parties p WHERE p.organisation_id = ? AND p.archived = 0",
         (school_id,)),
        ("first page", "SELECT t.id, EXISTS (SELECT 1 FROM message_unread u WHERE u.user_id = ? AND"
         " u.thread_id = p.thread_id) FROM message_parties p JOIN message_threads t ON t.id = p.thread_id"
         " JOIN organisations o ON o.id = p.other_org_id WHERE p.organisation_id = ? AND p.archived = 0"
         " ORDER BY p.last_post_at DESC, p.thread_id DESC LIMIT 25", (user_id, school_id)),
    ):  # fmt: skip
        detail = "; ".join(r["detail"] for r in rows(db, "EXPLAIN QUERY PLAN " + sql, params))
        print(f"plan, {label}: {detail}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=10_000)
    args = parser.parse_args()
    server = Server()
    server.env["GATEHOUSE_JOBS_IN_PROCESS"] = "false"
    server.seed_user(EMAIL, PASSWORD)
    db = connect(Path(server.instance) / "gatehouse.db")
    made = seed(db, args.threads)
    plans(db, made["school"]["id"], made["user"]["id"])
    unread = messages.unread_count(db, made["user"]["id"])
    db.conn.close()
    server.start()
    try:
        cookie = sign_in_cookie(server.url, EMAIL, PASSWORD)
        wrk(server.url + "/messages/", seconds=2, cookie=cookie)  # warm up
        baseline = wrk(server.url + "/healthz")
        home = wrk(server.url + "/", cookie=cookie)
        inbox = wrk(server.url + "/messages/", cookie=cookie)
        search = wrk(server.url + "/messages/?q=Question+0", cookie=cookie)
        archived = wrk(server.url + "/messages/archived", cookie=cookie)
        second = wrk(server.url + "/messages/?page=2", cookie=cookie)
        search.path, second.path = "/messages/?q=Question+0", "/messages/?page=2"
    finally:
        server.stop()
    print(f"Inbox of {args.threads:,} conversations ({unread:,} unread), 8 concurrent clients, waitress:")
    print(table([baseline, home, inbox, second, search, archived], baseline))
    ok = inbox.p95_ms < BUDGET_P95_MS and inbox.errors == 0 and inbox.requests_per_s > 0
    print(
        f"first page p95 {inbox.p95_ms:.1f} ms, budget {BUDGET_P95_MS} ms: " + ("budget met" if ok else "BUDGET MISSED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
