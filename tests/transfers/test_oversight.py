"""The LA's oversight of transfers: files in and out per school (this academic year and a chosen month), files
never downloaded, the lost pupils store's size and age, and the monthly CTF counts as CSV; in a fixed number of
statements however many schools and files there are."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from domain import clock
from models import organisations, transfers
from tests.conftest import audit_events
from tests.returns.test_query_counts import counted
from tests.transfers.factories import lost_pupil, other_schools_transfer, sent_ctf


def _sent(db, transfer_id: int, moment: dt.datetime) -> int:
    """Move when a transfer was sent (the CTF checks only pass for files made in the current year)."""
    db.conn.execute("UPDATE transfers SET sent_at = ? WHERE id = ?", (clock.iso(moment), transfer_id))
    return transfer_id


def _noon(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


@pytest.fixture
def history(app, db, school, other_school, la, receiver):
    """Fenland (873/2001) sent Ouse Valley (873/2002) a CTF in July 2026 (last academic year), one on 10 February
    2027 (downloaded) and one on 20 February 2027 (never downloaded); a lost pupil on 1 February 2027. Today is
    2 March 2027."""
    to_ouse = other_school["dfe_number"]
    last_year = _sent(db, sent_ctf(app, db, school, to_ouse), _noon(2026, 7, 10))
    lost = _sent(db, sent_ctf(app, db, school, "XXXXXXX", [lost_pupil()]), _noon(2027, 2, 1))
    read = _sent(db, sent_ctf(app, db, school, to_ouse), _noon(2027, 2, 10))
    unread = _sent(db, sent_ctf(app, db, school, to_ouse), _noon(2027, 2, 20))
    transfers.record_download(db, transfers.get(db, read), receiver)
    transfers.record_download(db, transfers.get(db, last_year), receiver)
    return {"last_year": last_year, "lost": lost, "read": read, "unread": unread}


def _school_rows(page) -> dict[str, list[str]]:
    return {row.xpath("string(th)").split(" 873/")[0].strip(): [c.strip() for c in row.xpath("td/text()")]
            for row in page.xpath("//table[contains(caption, 'each school')]/tbody/tr")}


def test_counts_per_school_for_the_academic_year_and_the_chosen_month(client_request, sign_in, la_user, history):
    sign_in(la_user)
    page = client_request.get("transfers.oversight")
    assert page.h1 == "Oversight of your schools' transfers"
    # this month (March 2027) nothing yet; this academic year 2026/27: the lost pupil and two CTFs to Ouse Valley
    assert _school_rows(page) == {"Fenland Primary School": ["3", "0", "0", "0"],
                                  "Ouse Valley Academy": ["0", "2", "0", "0"]}
    assert "academic year 2026/27 and March 2027" in page.texts("//caption")[-1]
    february = client_request.get("transfers.oversight", month="2027-02")
    assert _school_rows(february) == {"Fenland Primary School": ["3", "0", "3", "0"],
                                      "Ouse Valley Academy": ["0", "2", "0", "2"]}
    assert february.xpath("//select[@name='month']/option[@selected]/@value") == ["2027-02"]


def test_a_month_not_offered_gets_a_message(client_request, sign_in, la_user, history):
    sign_in(la_user)
    page = client_request.get("transfers.oversight", month="1999-01", _expected_status=400)
    assert "Choose a month from the list" in page.html
    assert "March 2027" in page.texts("//caption")[-1]  # the counts are still shown, for this month


def test_files_never_downloaded_are_listed_oldest_first_with_age_sender_and_recipient(
        client_request, sign_in, la_user, history, db, la, other_school):
    held_by_la = other_schools_transfer(db, other_school)  # sent to the LA's inbox today, not downloaded
    sign_in(la_user)
    page = client_request.get("transfers.oversight")
    table = "//table[contains(caption, 'still waiting')]/tbody/tr"
    links = page.xpath(table + "/td[1]/a/@href")
    assert links == [client_request.url("transfers.detail", transfer_id=history["unread"]),
                     client_request.url("transfers.detail", transfer_id=held_by_la)]
    first = page.texts(table + "[1]/td")
    assert first[1:3] == ["Fenland Primary School", "Ouse Valley Academy"]
    assert first[4] == "10"  # 20 February to 2 March 2027
    assert page.texts(table + "[2]/td")[1:3] == ["Ouse Valley Academy", "Cambridgeshire"]


def test_lost_pupils_count_and_the_age_of_the_oldest(client_request, sign_in, la_user, history, app, db, school):
    sign_in(la_user)
    page = client_request.get("transfers.oversight")
    assert "1 file in the lost pupils store not yet released to a school. The oldest arrived 29 days ago" in (
        " ".join(page.texts("//p")))


def test_an_empty_lost_pupils_store_says_so(client_request, sign_in, la_user):
    sign_in(la_user)
    page = client_request.get("transfers.oversight")
    assert "holds no pupil waiting for a school" in page.html
    assert "Every file sent to or by your schools has been downloaded." in page.html


def test_school_users_cannot_see_the_oversight(client_request, sign_in, sender):
    sign_in(sender)
    for endpoint in ("transfers.oversight", "transfers.ctf_counts_csv"):
        assert client_request.get_response(endpoint, _expected_status=403).status_code == 403


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_monthly_ctf_counts_as_csv_are_audited(client_request, sign_in, la_user, history, db):
    sign_in(la_user)
    response = client_request.get_response("transfers.ctf_counts_csv")
    assert response.mimetype == "text/csv" and response.headers["Content-Disposition"].startswith("attachment")
    assert _csv(response) == [
        list(transfers.MONTHLY_COLUMNS.values()),
        ["2026-07", "1", "1", "0", "0", "0", "0", "0"],
        ["2027-02", "3", "2", "0", "1", "0", "0", "0"],
    ]
    (event,) = audit_events(db, "transfer_counts_downloaded")
    assert event["actor_id"] == la_user["id"] and event["detail"] == {"months": 2}


def test_a_ctf_sent_late_on_the_last_day_of_a_summer_month_counts_in_england_s_month(app, db, school, other_school):
    to_ouse = other_school["dfe_number"]
    _sent(db, sent_ctf(app, db, school, to_ouse), dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC))  # 1 July, 00:30
    _sent(db, sent_ctf(app, db, school, to_ouse), dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC))  # 31 December
    _sent(db, sent_ctf(app, db, school, to_ouse), dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC))  # 1 April, BST
    assert [r["month"] for r in transfers.monthly_ctf_counts(db, "873")] == ["2026-04", "2026-07", "2026-12"]


def test_the_oversight_reads_in_a_fixed_number_of_statements(app, db, la, school, other_school):
    def add(count: int) -> None:
        for n in range(count):
            made = organisations.create_school(db, la_code="873", estab=f"{4000 + n + 10 * count}",
                                               name=f"School {count}-{n}", urn=130000 + n + 10 * count)
            sent_ctf(app, db, made, school["dfe_number"])
            sent_ctf(app, db, made, "XXXXXXX", [lost_pupil(n + 10 * count)])

    def read():
        year = (dt.datetime(2026, 9, 1, tzinfo=dt.UTC), dt.datetime(2027, 9, 1, tzinfo=dt.UTC))
        return (transfers.school_counts(db, "873", year, year), transfers.never_downloaded(db, "873"),
                transfers.lost_pupil_summary(db, la["id"]), transfers.monthly_ctf_counts(db, "873"))

    add(2)
    few, few_statements = counted(db, read)
    add(6)
    many, many_statements = counted(db, read)
    assert len(many[0]) > len(few[0]) and len(many[1]) > len(few[1])
    assert few_statements == many_statements <= 4


def test_the_oversight_s_queries_use_their_indexes(db, la):
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        transfers.never_downloaded(db, "873")
        transfers.monthly_ctf_counts(db, "873")
    finally:
        db.conn.set_trace_callback(None)
    plans = [" ".join(r[-1] for r in db.conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()) for sql in seen]
    assert "idx_transfers_waiting" in plans[0] and "idx_transfers_kind_sent" in plans[1]
