"""The home page tells a school what is due; others see their services only."""

from __future__ import annotations

import datetime as dt
import re

from models import deadline_statuses, services
from tests.conftest import set_today


def test_school_home_shows_overdue_count_and_next_deadlines(client, sign_in, make_user, db, primary, generated):
    set_today(dt.date(2026, 11, 20))
    due = deadline_statuses.whats_due(db, primary)
    assert due["overdue"] and len(due["upcoming"]) > 3, "the generated year gives this school both"
    sign_in(make_user(primary, role="approver"))
    html = client.get("/").get_data(as_text=True)
    count = len(due["overdue"])
    assert f"{count} {'return is' if count == 1 else 'returns are'} overdue." in html
    linked = re.findall(r'href="/deadlines/(\d+)"', html)
    assert linked == [str(item["id"]) for item in due["upcoming"][:3]]
    assert 'href="/deadlines/"' in html


def test_end_user_without_the_deadlines_service_sees_no_summary(client, sign_in, make_user, db, primary, generated):
    user = make_user(primary)
    services.set_services(db, user["id"], {"returns"})
    sign_in(user)
    html = client.get("/").get_data(as_text=True)
    assert "See everything that is due" not in html
    assert "Your services" in html


def test_la_staff_home_has_no_school_summary(client, sign_in, make_user, la, generated):
    sign_in(make_user(la, role="approver"))
    html = client.get("/").get_data(as_text=True)
    assert "See everything that is due" not in html
