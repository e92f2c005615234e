"""A return whose type is "a file upload" says where its file goes: the School Census and School Workforce
Census pages link to their own upload page in Returns; the returns the LA collects as a spreadsheet say so
plainly, and that Gatehouse's local returns take them once the LA designs them, and link to no upload page."""

from __future__ import annotations

import datetime as dt

import pytest

from models import services
from tests.conftest import set_today
from tests.deadlines.factories import instance_of

D = dt.date


@pytest.fixture
def secondary_user(make_user, secondary, db):
    user = make_user(secondary, name="Data Manager", email="data@march.example.sch.uk")
    services.set_services(db, user["id"], {"deadlines", "returns"})
    return user


@pytest.mark.parametrize("code, day", [("SC-AUT", D(2026, 10, 5)), ("SWC", D(2026, 11, 9))])
def test_a_census_page_links_to_its_own_upload_page(client_request, sign_in, secondary_user, generated, db, code,
                                                    day):
    set_today(day)
    instance = instance_of(db, code)
    sign_in(secondary_user)
    page = client_request.get("deadlines.school_return", instance_id=instance["id"]).html
    assert f'href="/returns/upload/{instance["id"]}">Upload and check your file in Returns</a>' in page
    upload = client_request.get("returns.upload", instance_id=instance["id"]).html
    assert 'type="file"' in upload and "not open yet" not in upload


@pytest.mark.parametrize("code, day", [
    ("Y11-DEST", D(2027, 1, 11)),
    ("SEPT-GUAR", D(2027, 3, 8)),
    ("Y11-ACTIVITY", D(2026, 10, 12)),
])
def test_a_spreadsheet_return_says_the_la_collects_it_as_a_spreadsheet(client_request, sign_in, secondary_user,
                                                                       generated, db, code, day):
    set_today(day)
    instance = instance_of(db, code)
    sign_in(secondary_user)
    page = client_request.get("deadlines.school_return", instance_id=instance["id"]).html
    assert "Send your spreadsheet" in page
    assert "Your LA collects this return as a spreadsheet." in page
    assert "does not take this return yet: your LA has not set it up as a local return" in page
    assert "/returns/" not in page.split("<main", 1)[1] and "Upload and check your file" not in page
    due = client_request.get("deadlines.whats_due").html
    assert f'href="/deadlines/{instance["id"]}">Send your spreadsheet' in due
    client_request.get("returns.upload", instance_id=instance["id"], _expected_status=404)
