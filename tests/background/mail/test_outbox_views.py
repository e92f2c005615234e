"""The outbox pages for site admins."""

from __future__ import annotations

import pytest

from models import outbox


@pytest.fixture
def admin(la, make_user):
    return make_user(la, is_site_admin=True)


def _fill(db, n: int, status: str = "held") -> None:
    for i in range(n):
        outbox.add(db, to_addr=f"{status}{i}@school.example", subject=f"Message {i}", body="Body", status=status)


def test_only_site_admins(client, sign_in, school, make_user):
    sign_in(make_user(school))
    assert client.get("/outbox").status_code == 403
    assert client.get("/outbox/1").status_code == 403


def test_list_paginates_and_filters(client, db, sign_in, admin):
    _fill(db, 55)
    _fill(db, 2, "failed")
    sign_in(admin)
    html = client.get("/outbox").get_data(as_text=True)
    assert "57 emails" in html and "Page 1 of 2" in html
    assert "held54@" in html and "held0@" not in html  # newest first
    assert html.count('class="govuk-table__row"') == 51  # header + 50
    second = client.get("/outbox?page=2").get_data(as_text=True)
    assert second.count('class="govuk-table__row"') == 8 and "Page 2 of 2" in second
    assert "held0@" in second
    failed = client.get("/outbox?status=failed").get_data(as_text=True)
    assert "2 emails (failed)" in failed and failed.count('class="govuk-table__row"') == 3
    assert "Held" in html and "govuk-tag--red" in failed
    nonsense = client.get("/outbox?status=bogus&page=999")
    assert nonsense.status_code == 200 and "Page 2 of 2" in nonsense.get_data(as_text=True)


def test_htmx_gets_the_table_alone(client, db, sign_in, admin):
    _fill(db, 3)
    sign_in(admin)
    partial = client.get("/outbox?status=held", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in partial and "3 emails (held)" in partial


def test_message_shows_the_body_with_links(client, db, sign_in, admin):
    row = outbox.add(db, to_addr="head@school.example", subject="Reset <your> password",
                     body="Open this:\nhttp://127.0.0.1:5000/password-reset/abc?x=1&y=2.\n<script>alert(1)</script>",
                     status="failed", error="ConnectionRefusedError: nope")
    sign_in(admin)
    html = client.get(f"/outbox/{row['id']}").get_data(as_text=True)
    assert '<a class="govuk-link" href="http://127.0.0.1:5000/password-reset/abc?x=1&amp;y=2">' in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "Reset &lt;your&gt; password" in html
    assert "ConnectionRefusedError: nope" in html
    assert client.get("/outbox/9999").status_code == 404


def test_empty_outbox(client, sign_in, admin):
    sign_in(admin)
    assert "There are no emails" in client.get("/outbox").get_data(as_text=True)
