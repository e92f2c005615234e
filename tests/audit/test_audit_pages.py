"""The site admins' audit log pages: /audit, one entry, and the CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from domain import clock
from models import audit
from models.db import transaction
from tests.transfers.factories import other_schools_transfer


def _ids(html: str) -> list[int]:
    """Entry ids shown in the results table, in page order."""
    return [int(n) for n in re.findall(r'<tr class="govuk-table__row" id="entry-(\d+)"', html)]


def _link(html: str, rel: str) -> str:
    """The href of the pagination link ``rel`` ("prev" or "next"), ready to request."""
    match = re.search(rf'<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="{rel}"', html)
    assert match, f"no {rel} link"
    return match.group(1).replace("&amp;", "&")


def _page(client, **args) -> str:
    response = client.get("/audit", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- Who may see it --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/audit", "/audit/export.csv", "/audit/1"])
def test_signed_out_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_htmx_request_when_signed_out_redirects_the_whole_page(client):
    response = client.get("/audit", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/sign-in")


@pytest.mark.parametrize("path", ["/audit", "/audit/export.csv", "/audit/1"])
def test_other_signed_in_users_get_403(client, sign_in, make_user, school, la, path):
    sign_in(make_user(school, role="approver"))
    assert client.get(path).status_code == 403
    client.post("/sign-out")
    sign_in(make_user(la, role="approver"))  # LA staff but not a site admin
    assert client.get(path).status_code == 403


# --- The page --------------------------------------------------------------------------------


def test_page_lists_entries_newest_first_with_a_get_form(admin_client, db, site_admin):
    audit.record(db, "user_created", actor=site_admin, target="new.user@example.sch.uk", ip="10.0.0.9")
    html = _page(admin_client)
    assert html.count("<h1") == 1
    ids = _ids(html)
    assert ids == sorted(ids, reverse=True) and len(ids) >= 2  # the admin's sign-in and ours
    assert "new.user@example.sch.uk" in html and "10.0.0.9" in html
    form = re.search(r"<form method=\"get\"[^>]*>", html).group(0)
    assert 'action="/audit"' in form
    assert 'hx-get="/audit"' in form and 'hx-target="#audit-results"' in form and 'hx-push-url="true"' in form
    assert 'id="audit-results"' in html
    assert '<option value="user_created">user_created</option>' in html
    assert "csrf_token" not in form


def test_htmx_request_gets_only_the_results(admin_client, db):
    audit.record(db, "user_created", target="someone")
    response = admin_client.get("/audit", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "<h1" not in html and "<form" not in html
    assert "govuk-table" in html and "someone" in html
    assert "HX-Request" in response.headers.get("Vary", "")


def test_values_are_escaped(admin_client, db):
    audit.record(db, "sign_in_failed", target="<script>alert(1)</script>")
    html = _page(admin_client)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.fixture
def varied(db, make_user, school, other_school, la):
    """Entries with different actions, actors, organisations, targets and days."""
    alice = make_user(school, email="alice@fenland.example.sch.uk")
    bob = make_user(other_school, email="bob@ouse.example.sch.uk")
    made = {}
    for day, action, actor, org, target in [
        (1, "file_uploaded", alice, school, "census-spring.xml"),
        (2, "user_created", alice, school, "carol@fenland.example.sch.uk"),
        (3, "file_uploaded", bob, other_school, "ctf-001.xml"),
        (4, "user_suspended", bob, other_school, "dave@ouse.example.sch.uk"),
        (5, "deadline_changed", None, la, "Spring census"),
    ]:
        clock.set_now(datetime(2026, 3, day, 12, 0, tzinfo=UTC))
        made[target] = audit.record(db, action, actor=actor, organisation_id=org["id"], target=target)["id"]
    clock.reset()
    return made


@pytest.mark.parametrize(
    "args,expected",
    [
        ({"action": "file_uploaded"}, ["ctf-001.xml", "census-spring.xml"]),
        ({"actor_email": "BOB@ouse"}, ["dave@ouse.example.sch.uk", "ctf-001.xml"]),
        ({"organisation": "fenland"}, ["carol@fenland.example.sch.uk", "census-spring.xml"]),
        ({"organisation": "873/2002"}, ["dave@ouse.example.sch.uk", "ctf-001.xml"]),
        ({"organisation": "110001"}, ["carol@fenland.example.sch.uk", "census-spring.xml"]),
        ({"target": ".XML"}, ["ctf-001.xml", "census-spring.xml"]),
        (
            {"date_from": ["2", "3", "2026"], "date_to": ["31", "3", "2026"]},
            ["Spring census", "dave@ouse.example.sch.uk", "ctf-001.xml", "carol@fenland.example.sch.uk"],
        ),
        ({"date_to": ["2", "3", "2026"]}, ["carol@fenland.example.sch.uk", "census-spring.xml"]),
        ({"date_from": ["2", "3", "2026"], "date_to": ["3", "3", "2026"], "action": "file_uploaded"}, ["ctf-001.xml"]),
        ({"target": "' OR 1=1 --"}, []),
        ({"actor_email": "%"}, []),
    ],
)
def test_each_filter(admin_client, varied, args, expected):
    html = _page(admin_client, **args)
    assert _ids(html) == [varied[t] for t in expected]
    if not expected:
        assert "No entries match these filters." in html


def test_filters_are_kept_in_the_form_and_the_links(admin_client, varied):
    html = _page(admin_client, action="file_uploaded", target="xml", date_from=["1", "3", "2026"])
    assert '<option value="file_uploaded" selected>' in html
    assert re.search(r'<input[^>]*name="target"[^>]*value="xml"', html)
    assert 'id="date_from-day" name="date_from" type="text" value="1"' in html
    assert (
        "/audit/export.csv?action=file_uploaded&amp;target=xml&amp;date_from=1&amp;date_from=3&amp;date_from=2026"
        in html
    )


@pytest.mark.parametrize(
    "args,message,anchor",
    [
        ({"date_from": ["31", "2", "2026"]}, "From must be a real date", "#date_from-day"),
        ({"date_to": ["", "2", "2026"]}, "To must include a day, month and year", "#date_to-day"),
        (
            {"date_from": ["2", "3", "2026"], "date_to": ["1", "3", "2026"]},
            "To must be the same as or after From",
            "#date_to-day",
        ),
        ({"action": "no_such_action"}, "Choose an action from the list", "#action"),
        ({"target": "x" * 201}, "Target must be 200 characters or fewer", "#target"),
    ],
)
def test_bad_filters_get_an_error_summary_and_no_results(admin_client, varied, args, message, anchor):
    html = _page(admin_client, **args)
    assert html.startswith("<!DOCTYPE html>") and "<title>Error: Audit log" in html
    assert "govuk-error-summary" in html and message in html and f'href="{anchor}"' in html
    assert _ids(html) == []
    partial = admin_client.get("/audit", query_string=args, headers={"HX-Request": "true"})
    text = partial.get_data(as_text=True)
    assert "govuk-error-summary" in text and message in text and "<html" not in text


def test_a_garbled_date_does_not_break_the_page(admin_client):
    html = _page(admin_client, date_from="2026-03-01")
    assert "From must include a day, month and year" in html


# --- Pagination ------------------------------------------------------------------------------


@pytest.fixture
def many(db):
    with transaction(db):
        return [audit.record(db, "bulk_event", target=f"item {n}")["id"] for n in range(120)]


def test_keyset_pagination_newest_first(admin_client, many):
    first = _page(admin_client, action="bulk_event")
    assert _ids(first) == many[::-1][:50]
    assert "Newer entries" not in first
    older = _link(first, "next")
    assert f"before={many[70]}" in older and "action=bulk_event" in older

    second = admin_client.get(older).get_data(as_text=True)
    assert _ids(second) == many[::-1][50:100]
    third = admin_client.get(_link(second, "next")).get_data(as_text=True)
    assert _ids(third) == many[::-1][100:]
    assert "Older entries" not in third

    back = _link(third, "prev")
    assert f"after={many[19]}" in back
    assert _ids(admin_client.get(back).get_data(as_text=True)) == many[::-1][50:100]
    assert _ids(admin_client.get(_link(second, "prev")).get_data(as_text=True)) == many[::-1][:50]


def test_pagination_links_work_with_htmx(admin_client, many):
    partial = admin_client.get(
        "/audit", query_string={"action": "bulk_event", "before": many[70]}, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert _ids(partial) == many[::-1][50:100]
    assert 'hx-get="/audit?after=' in partial and 'hx-get="/audit?before=' in partial
    assert 'hx-target="#audit-results"' in partial


def test_page_stays_put_while_new_entries_arrive(admin_client, db, many):
    second = _page(admin_client, action="bulk_event", before=many[70])
    audit.record(db, "bulk_event", target="brand new")
    assert _ids(_page(admin_client, action="bulk_event", before=many[70])) == _ids(second)


# --- One entry -------------------------------------------------------------------------------


def test_entry_page_shows_every_field(admin_client, db, site_admin, school):
    row = audit.record(
        db,
        "user_created",
        actor=site_admin,
        organisation_id=school["id"],
        target="x@y.z",
        ip="10.1.2.3",
        user_agent="TestBrowser/1.0",
        detail={"role": "approver"},
    )
    html = admin_client.get(f"/audit/{row['id']}").get_data(as_text=True)
    assert html.count("<h1") == 1
    for text in (
        "user_created",
        "admin@la.example.gov.uk",
        "Fenland Primary School",
        "8732001",
        "x@y.z",
        "10.1.2.3",
        "TestBrowser/1.0",
        "&#34;role&#34;: &#34;approver&#34;",
        row["hash"],
        row["prev_hash"],
    ):
        assert text in html, text


def test_missing_entry_is_404(admin_client):
    assert admin_client.get("/audit/999999").status_code == 404


# --- CSV export ------------------------------------------------------------------------------


def _csv(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_export_headers_and_filtered_content(admin_client, varied):
    clock.set_now(datetime(2026, 3, 9, 9, 30, tzinfo=UTC))  # before the sign-in, so the session stays fresh
    response = admin_client.get("/audit/export.csv", query_string={"action": "file_uploaded"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="gatehouse-audit-20260309.csv"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    rows = _csv(response)
    assert [r["target"] for r in rows] == ["census-spring.xml", "ctf-001.xml"]  # oldest first
    assert rows[0]["organisation_name"] == "Fenland Primary School"
    assert rows[0]["actor_email"] == "alice@fenland.example.sch.uk"
    assert rows[0]["at"] == "2026-03-01T12:00:00.000000Z"
    assert set(rows[0]) == set(audit.CSV_COLUMNS)


def test_export_neutralises_formulas_typed_into_sign_in(app, admin_client):
    visitor = app.test_client()
    for email in ("=1+2@x.y", "+SUM(A1)", "-2+3", "@cmd"):
        visitor.post("/sign-in", data={"email": email, "password": "wrong password"})
    rows = _csv(admin_client.get("/audit/export.csv", query_string={"action": "sign_in_failed"}))
    assert [r["target"] for r in rows] == ["'=1+2@x.y", "'+sum(a1)", "'-2+3", "'@cmd"]


def test_export_is_audited(admin_client, db, site_admin):
    admin_client.get("/audit/export.csv", query_string={"target": "census"}).get_data()
    last = audit.get(db, audit.count(db))
    assert last["action"] == "audit_exported" and last["actor_id"] == site_admin["id"]
    assert "census" in last["detail"]


def test_export_with_bad_filters_goes_back_to_the_page(admin_client):
    response = admin_client.get("/audit/export.csv", query_string={"date_from": ["40", "1", "2026"]})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/audit?date_from=40")


def test_export_streams_more_rows_than_one_batch(admin_client, db):
    with transaction(db):
        for n in range(2500):
            audit.record(db, "bulk_event", target=f"item {n}")
    rows = _csv(admin_client.get("/audit/export.csv", query_string={"action": "bulk_event"}))
    assert [r["target"] for r in rows] == [f"item {n}" for n in range(2500)]


# --- Reads like English ----------------------------------------------------------------------


def test_actions_have_plain_titles_and_targets_their_names_with_links(admin_client, db, school, make_user):
    person = make_user(school, name="Pat Office", email="pat@fenland.example.sch.uk")
    audit.record(db, "deadline_chased", organisation_id=school["id"], target=f"user:{person['id']}")
    audit.record(db, "deadline_status_recorded", target="instance:999999")  # since removed: shown as written
    html = _page(admin_client)
    assert '<td class="govuk-table__cell">School reminded about a return</td>' in html
    assert '<td class="govuk-table__cell">deadline_chased</td>' not in html
    assert f'<a class="govuk-link" href="/users/{person["id"]}">Pat Office (pat@fenland.example.sch.uk)</a>' in html
    assert "instance:999999" in html


def test_transfer_targets_are_named_by_file_sender_and_recipient_with_links(admin_client, db, other_school):
    transfer_id = other_schools_transfer(db, other_school)  # audits transfer_sent on transfer:<id>
    audit.record(db, "transfer_expired", target=f"transfer:{transfer_id}")
    html = _page(admin_client)
    name = "8732002_CTF_873LLLL_001.xml (Ouse Valley Academy to Cambridgeshire)"
    assert html.count(f'<a class="govuk-link" href="/transfers/{transfer_id}">{name}</a>') == 2
    assert "File sent through Transfers" in html and "Transferred file deleted at the end of its retention" in html
    assert f"transfer:{transfer_id}" not in html


def test_an_entry_shows_its_details_and_hashes_as_markup_not_as_text(admin_client, db):
    audit.record(db, "sign_in_failed", target="someone@example.sch.uk", detail={"reason": "wrong <password>"})
    entry_id = _ids(_page(admin_client))[0]
    html = admin_client.get(f"/audit/{entry_id}").get_data(as_text=True)
    assert '<pre class="gatehouse-pre">' in html and '<span class="gatehouse-hash">' in html
    assert "&lt;pre" not in html and "&lt;span" not in html  # tags were escaped twice before
    assert "wrong &lt;password&gt;" in html  # the values themselves are still escaped
    assert "Sign-in failed" in html
