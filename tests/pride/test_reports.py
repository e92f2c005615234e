"""Reports: the school's printable report (its own figures in full, with the previous period, as CSV), the
LA's reports (suppressed below 5, charts as SVG with their tables, CSV), the audited drill-down to one
school, who has not returned, and the LA's characteristics list."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from models import pride
from tests.conftest import audit_events, set_today
from tests.pride.factories import characteristic_id, reported_incident

STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "dist" / "gatehouse.css"


def _many(db, school, actor, n, **overrides):
    for _ in range(n):
        reported_incident(db, school, actor, **overrides)


def test_the_school_report_counts_and_compares(db, school, school_user, sign_in, client_request, today):
    _many(db, school, school_user, 3)
    reported_incident(db, school, school_user, occurred_on=dt.date(2026, 6, 10))
    sign_in(school_user)
    page = client_request.get("pride.school_report", year=2026, term="autumn")
    assert page.h1 == "Prejudice-related incidents: Autumn term 2026/27"
    race = page.doc.xpath("//caption[text()='Characteristic']/..//th[text()='Race']/following-sibling::td")
    assert [td.text for td in race] == ["3", "1"]  # this term, and the summer term before it (10 June 2026)
    assert not page.doc.xpath("//form[@method='post' and contains(@class, 'gatehouse-no-print')]")
    # printed, the report stands alone: the stylesheet (built by `make assets`) leaves the page furniture out
    hidden = re.search(r"@media print\s*{\s*([^{@]*\.govuk-service-navigation[^{]*){\s*display:\s*none",
                       STYLESHEET.read_text())  # fmt: skip
    assert hidden and ".gatehouse-no-print" in hidden.group(1)
    response = client_request.get_response("pride.school_report_csv", year=2026, term="autumn")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.get_data().startswith("\ufeff".encode())  # a byte-order mark: Excel reads it as UTF-8
    table = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert table[0] == ["Breakdown", "Category", "Autumn term 2026/27", "Summer term 2025/26"]
    assert ["Characteristic", "Race", "3", "1"] in table


def test_the_csv_is_safe_for_spreadsheets(db, school, school_user, la_user, sign_in, client_request, today):
    pride.add_characteristic(db, '=HYPERLINK("http://x")', actor=la_user)
    sign_in(school_user)
    response = client_request.get_response("pride.school_report_csv", year=2026)
    assert "'=HYPERLINK" in response.get_data(as_text=True)
    assert not any(
        cell.startswith(("=", "+", "-", "@"))
        for row in csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")))
        for cell in row
    )


def test_the_la_report_suppresses_small_figures(
    db, school, other_school, school_user, other_school_user, la_user, sign_in, client_request, today
):
    _many(db, school, school_user, 6)
    _many(
        db,
        other_school,
        other_school_user,
        2,
        characteristics=[characteristic_id(db, "disability")],
        location="corridor",
    )
    sign_in(la_user)
    page = client_request.get("pride.la_report", year=2026)
    text = " ".join(page.html.split())
    assert "fewer than 5" in text and "Not a valid choice" not in text
    filtered = client_request.get("pride.la_report", year=2026, term="autumn", type="verbal", phase="Nope")
    assert "Not a valid choice" in filtered.html  # an unknown phase is refused (and the page says so)
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' not in page.html
    svg = page.doc.xpath("//svg")
    assert len(svg) == 2 and all(s.xpath("./title") and s.xpath("./desc") for s in svg)
    assert page.doc.xpath("//caption[text()='Incidents by characteristic']")
    assert page.doc.xpath("//caption[text()='Incidents by academic year']")
    response = client_request.get_response("pride.la_report_csv", year=2026)
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert ["Characteristic", "Disability", "fewer than 5"] in rows
    assert ["Characteristic", "Race", "6"] not in rows  # hidden too, or the total gives disability away


def test_the_drill_down_shows_one_school_in_full_and_is_audited(
    db, school, other_school, other_school_user, la_user, sign_in, client_request, today
):
    _many(db, other_school, other_school_user, 2)
    sign_in(la_user)
    page = client_request.get("pride.school_drilldown", org_id=other_school["id"], year=2026)
    race = page.doc.xpath("//caption[text()='Incidents by characteristic']/..//th[text()='Race']/following-sibling::td")
    assert race[0].text == "2"
    [event] = audit_events(db, "pride_school_report_viewed")
    assert event["organisation_id"] == other_school["id"] and event["actor_id"] == la_user["id"]


def test_a_school_cannot_see_la_reports(db, school_user, sign_in, client_request, today):
    sign_in(school_user)
    client_request.get("pride.la_report", _expected_status=403)


def test_follow_up_lists_who_has_not_returned_and_chases_through_the_tracker(
    db, school, other_school, school_user, la_user, sign_in, client_request, autumn
):
    set_today(dt.date(2026, 12, 18))
    pride.make_return(db, school=school, instance=autumn, kind="nil", actor=school_user)
    set_today(dt.date(2026, 12, 21))
    sign_in(la_user)
    page = client_request.get("pride.follow_up", instance=autumn["id"])
    assert "1 of 2 schools have neither confirmed incidents nor made a NIL return" in " ".join(page.html.split())
    form = page.doc.xpath("//form[contains(@action, '/deadline-tracker/chase')]")[0]
    assert form.xpath(".//input[@name='schools']/@value") == [str(other_school["id"])]
    response = client_request.get_response("pride.follow_up_csv", instance=autumn["id"])
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["School", "DfE number", "Status", "Incidents reported", "Date returned"]
    assert ["Fenland Primary School", school["dfe_number"], "NIL return", "0", "2026-12-18"] in rows
    assert rows[2][:3] == ["Ouse Valley Academy", other_school["dfe_number"], "Overdue"]


def test_the_la_adds_and_retires_a_characteristic(db, school_user, la_user, sign_in, client_request, today):
    sign_in(la_user)
    client_request.post("pride.settings", _data={"label": "Young carers"}, _expected_status=302)
    refused = client_request.post("pride.settings", _data={"label": "young carers"}, _expected_status=400)
    assert "already on the list" in refused.html
    added = [c for c in pride.characteristics(db) if c["label"] == "Young carers"][0]
    client_request.post(
        "pride.toggle_characteristic", characteristic_id=added["id"], _data={"active": "no"}, _expected_status=302
    )
    assert added["id"] not in {c["id"] for c in pride.characteristics(db)}
    race = characteristic_id(db, "race")
    client_request.post(
        "pride.toggle_characteristic", characteristic_id=race, _data={"active": "no"}, _expected_status=302
    )
    assert race in {c["id"] for c in pride.characteristics(db)}
    assert [e["action"] for e in audit_events(db) if e["action"].startswith("pride_char")] == [
        "pride_characteristic_added",
        "pride_characteristic_changed",
    ]


def test_the_la_imports_past_counts_for_the_trend(
    db, school, other_school, la_user, school_user, sign_in, client_request, today
):
    from io import BytesIO

    reported_incident(db, school, school_user)  # autumn 2026: history for that term would count twice
    sign_in(la_user)
    bad = b"DfE number,Academic year,Term,Incidents\n873/2001,2026/27,autumn,3\n873/9999,2025/26,,2\n"
    page = client_request.post(
        "pride.import_history", _data={"file": (BytesIO(bad), "history.csv")}, _expected_status=400
    )
    assert "Row 2: this school already reported incidents in Gatehouse" in page.html
    assert "Row 3: 873/9999 is not a school of this LA" in page.html
    assert pride.history_by_year(db, {"la_code": "873"}) == {}
    good = b"DfE number,Academic year,Term,Incidents\n873/2001,2024/25,,7\n873/2002,2025/26,spring,3\n"
    client_request.post("pride.import_history", _data={"file": (BytesIO(good), "history.csv")}, _expected_status=302)
    assert audit_events(db, "pride_history_imported")[0]["detail"]["rows"] == 2
    report = client_request.get("pride.la_report", year=2026)
    years = report.doc.xpath("//caption[text()='Incidents by academic year']/..//tbody/tr")
    figures = {tr.xpath("./th")[0].text: tr.xpath("./td")[0].text for tr in years}
    assert figures["2024/25"] == "7" and figures["2025/26"] == "fewer than 5" and figures["2026/27"] == "fewer than 5"


def test_follow_up_without_the_deadlines_service_says_where_chasing_is(
    db, la, school, make_user, sign_in, client_request, autumn
):
    from models import services

    equality = make_user(la, name="Only Pride", email="only.pride@873.example.gov.uk")
    services.set_services(db, equality["id"], ["pride"])
    sign_in(equality)
    page = client_request.get("pride.follow_up", instance=autumn["id"])
    assert "ask for the Deadlines service" in page.html and "/deadline-tracker/chase" not in page.html
