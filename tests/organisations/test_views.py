"""The organisation list (active search, filters, pages) and one organisation's page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from models import organisations
from models.db import scalar
from tests.domain.gias.files import gias_bytes, gias_row

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo_gias_873.csv"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def demo(db, la, import_gias):
    """The demo extract for LA 873 (36 open schools) beside the ``la`` fixture's LA."""
    import_gias(DEMO, "873")
    return organisations.get_la(db, "873")


@pytest.fixture
def la_user(demo, make_user):
    return make_user(demo, email="officer@la.example.gov.uk")


def by_urn(db, urn: int) -> dict:
    return organisations.get(db, scalar(db, "SELECT id FROM organisations WHERE urn = ?", (urn,)))


def names_listed(html: str) -> list[str]:
    return re.findall(r'href="/organisations/\d+">([^<]+)</a>', html)


def test_la_staff_see_every_organisation_of_their_la(client_request, sign_in, la_user, demo):
    sign_in(la_user)
    html = client_request.get("organisations.index").html
    assert html.count("<h1") == 1
    listed = names_listed(html)
    assert len(listed) == 37
    assert listed[0] == "Cambridgeshire"  # the LA first, then schools by name
    assert listed[1:] == sorted(listed[1:], key=str.casefold)
    assert "37 organisations." in html
    assert "Eastwick Primary" in listed
    assert 'href="/organisations"' in html  # the navigation entry


def test_the_search_form_works_without_javascript_and_with_htmx(client_request, sign_in, la_user):
    sign_in(la_user)
    html = client_request.get("organisations.index").html
    form = re.search(r"<form[^>]*role=\"search\"[^>]*>", html).group(0)
    assert 'method="get"' in form and 'action="/organisations"' in form
    assert 'hx-get="/organisations"' in form
    assert 'hx-trigger="submit, input changed delay:300ms, search"' in form
    assert 'hx-target="#organisation-results"' in form
    assert 'hx-push-url="true"' in form
    assert 'id="organisation-results"' in html
    assert '<label class="govuk-label" for="q">' in html
    assert 'type="search"' in html


@pytest.mark.parametrize(
    "query",
    ["Ashbury Oakfield", "ashbury oakfield primary", "873/2001", "8732001", "973001", " 873 / 2001 ", "2001"],
)
def test_search_by_name_dfe_number_or_urn(client_request, sign_in, la_user, query):
    sign_in(la_user)
    html = client_request.get("organisations.index", q=query).html
    listed = names_listed(html)
    assert "Ashbury Oakfield Primary" in listed
    assert "Eastwick Primary" not in listed
    assert "matching your search" in html


def test_numbers_match_from_the_start(client_request, sign_in, la_user, db):
    sign_in(la_user)
    listed = names_listed(client_request.get("organisations.index", q="873/200").html)
    assert {"Eastwick Primary", "Ashbury Oakfield Primary"} <= set(listed)  # 873/2000 and 873/2001
    assert len(listed) == scalar(db, "SELECT count(*) FROM organisations WHERE dfe_number LIKE '873200%'")
    assert names_listed(client_request.get("organisations.index", q="73/2001").html) == []


def test_htmx_search_returns_only_the_results(client_request, sign_in, la_user):
    sign_in(la_user)
    page = client_request.get("organisations.index", q="8732001", _headers=HTMX)
    html = page.html
    assert "<html" not in html and "<h1" not in html and "<form" not in html
    assert names_listed(html) == ["Ashbury Oakfield Primary"]
    assert "1 organisation matching your search." in html
    assert "HX-Request" in page.headers["Vary"]


def test_no_match(client_request, sign_in, la_user):
    sign_in(la_user)
    html = client_request.get("organisations.index", q="Hogwarts", _headers=HTMX).html
    assert "No organisations match your search." in html
    assert "<table" not in html


def test_search_treats_like_wildcards_as_text(client_request, sign_in, la_user):
    sign_in(la_user)
    html = client_request.get("organisations.index", q="%").html
    assert "No organisations match your search." in html


def test_status_and_phase_filters(client_request, sign_in, la_user, db, demo, import_gias):
    closing = by_urn(db, 973001)
    import_gias(
        gias_bytes([gias_row(URN="973001", EstablishmentNumber="2001", **{"EstablishmentStatus (code)": "2"})]
                   + [gias_row(URN=str(s["urn"]), EstablishmentNumber=s["estab"], EstablishmentName=s["name"],
                               **{"PhaseOfEducation (name)": s["phase"]})
                      for s in organisations.search(db, per_page=100)["items"] if s["urn"] and s["urn"] != 973001]),
        "873",
    )
    assert by_urn(db, 973001)["status"] == "closed" == organisations.get(db, closing["id"])["status"]
    sign_in(la_user)

    closed = names_listed(client_request.get("organisations.index", status="closed").html)
    assert closed == ["Ashbury Oakfield Primary"]
    still_open = names_listed(client_request.get("organisations.index", status="open").html)
    assert "Ashbury Oakfield Primary" not in still_open and len(still_open) == 36

    html = client_request.get("organisations.index", phase="Secondary").html
    assert '<option value="Secondary" selected>' in html
    secondary = names_listed(html)
    assert secondary and all("Secondary" in name for name in secondary)


def test_an_unknown_filter_value_shows_an_error(client_request, sign_in, la_user):
    sign_in(la_user)
    html = client_request.get("organisations.index", status="sideways", phase="Nursery school").html
    assert "There is a problem" in html
    assert "Choose a status from the list" in html and "Choose a phase from the list" in html
    assert names_listed(html) == []


def test_pages_of_fifty(client_request, sign_in, db, la, make_user, gias_file, import_gias):
    import_gias(gias_file, "873")
    total = scalar(db, "SELECT count(*) FROM organisations WHERE la_code = '873'")
    assert total > 50
    sign_in(make_user(la))

    first = client_request.get("organisations.index").html
    assert len(names_listed(first)) == 50
    assert f"Showing 1 to 50 of {total} organisations." in first
    assert 'class="govuk-pagination"' in first
    assert 'href="/organisations?page=2"' in first
    assert 'hx-get="/organisations?page=2"' in first

    second = client_request.get("organisations.index", page=2, _headers=HTMX).html
    assert len(names_listed(second)) == total - 50
    assert f"Showing 51 to {total} of {total} organisations." in second
    assert set(names_listed(second)).isdisjoint(names_listed(first)) or total - 50 < 50

    past_the_end = client_request.get("organisations.index", page=99).html
    assert f"Showing 51 to {total}" in past_the_end
    nonsense = client_request.get("organisations.index", page="x").html
    assert "Showing 1 to 50" in nonsense


def test_pagination_keeps_the_search(client_request, sign_in, db, la, make_user, gias_file, import_gias):
    import_gias(gias_file, "873")
    sign_in(make_user(la))
    html = client_request.get("organisations.index", q="873", status="open").html
    assert "page=2" in html
    assert re.search(r'href="/organisations\?[^"]*q=873[^"]*status=open[^"]*"', html) or re.search(
        r'href="/organisations\?[^"]*page=2[^"]*q=873', html
    )


def test_detail_page_shows_every_field(client_request, sign_in, la_user, db):
    school = by_urn(db, 973001)
    sign_in(la_user)
    html = client_request.get("organisations.detail", org_id=school["id"]).html
    assert html.count("<h1") == 1
    assert "Ashbury Oakfield Primary" in html
    for key, value in [
        ("Establishment number", "2001"),
        ("DfE number", "873/2001"),
        ("URN", "973001"),
        ("UKPRN", "10873001"),
        ("Type of establishment", "Voluntary aided school"),
        ("Academy or free school", "No"),
        ("Phase of education", "Primary"),
        ("Age range", "4 to 11"),
        ("Postcode", "ME23 8JQ"),
        ("Status", "Open"),
        ("Opened", "1 September 1998"),
    ]:
        pattern = rf"<dt[^>]*>\s*{re.escape(key)}\s*</dt>\s*<dd[^>]*>\s*(<[^>]+>)?\s*{re.escape(value)}"
        assert re.search(pattern, html), key
    assert "Cambridgeshire" in html and f'href="/organisations/{organisations.get_la(db, "873")["id"]}"' in html
    assert "Last GIAS import" in html and "edubasealldata.csv" in html


def test_detail_page_of_the_la(client_request, sign_in, la_user, demo):
    sign_in(la_user)
    html = client_request.get("organisations.detail", org_id=demo["id"]).html
    assert "Local authority" in html and "Cambridgeshire" in html


def test_cp1252_name_shows_on_the_page(client_request, sign_in, la_user, db, import_gias):
    import_gias(gias_bytes([gias_row(URN="100777", EstablishmentNumber="3777",
                                     EstablishmentName="Saint Bede’s Inter-Church School")]), "873")
    sign_in(la_user)
    html = client_request.get("organisations.index", q="Bede’s").html
    assert names_listed(html) == ["Saint Bede’s Inter-Church School"]


def test_unknown_organisation_is_404(client_request, sign_in, la_user):
    sign_in(la_user)
    client_request.get("organisations.detail", org_id=999999, _expected_status=404)


def test_school_users_are_forbidden(client_request, sign_in, db, demo, make_user):
    school = by_urn(db, 973001)
    sign_in(make_user(school, role="approver"))
    client_request.get("organisations.index", _expected_status=403)
    client_request.get("organisations.detail", org_id=school["id"], _expected_status=403)
    client_request.get("organisations.index", _headers=HTMX, _expected_status=403)


def test_signed_out_visitors_go_to_sign_in(client_request, demo):
    response = client_request.get_response("organisations.index", _expected_status=302)
    assert response.headers["Location"].startswith("/sign-in")
    htmx = client_request.get_response("organisations.index", _headers=HTMX, _expected_status=401)
    assert htmx.headers["HX-Redirect"].startswith("/sign-in")


def test_la_staff_of_another_la_see_only_their_own(
    client_request, sign_in, db, demo, make_user, import_gias, gias_file
):
    import_gias(gias_file, "855")
    leicestershire = organisations.get_la(db, "855")
    sign_in(make_user(leicestershire, email="officer@leics.example.gov.uk"))
    html = client_request.get("organisations.index").html
    assert names_listed(html)[0] == "Leicestershire"
    assert "Cambridgeshire" not in names_listed(html)  # the header names the installation's LA; the list must not
    assert '<td class="govuk-table__cell">873/' not in html and ">973001<" not in html
    client_request.get("organisations.detail", org_id=by_urn(db, 973001)["id"], _expected_status=404)
    client_request.get("organisations.detail", org_id=demo["id"], _expected_status=404)
    assert names_listed(client_request.get("organisations.index", q="8732001").html) == []


def test_site_admins_see_every_la(client_request, sign_in, db, demo, make_user, import_gias, gias_file):
    import_gias(gias_file, "855")
    school = by_urn(db, 973001)
    sign_in(make_user(school, role="approver", is_site_admin=True))
    listed = names_listed(client_request.get("organisations.index", status="open").html)
    assert {"Cambridgeshire", "Leicestershire"} <= set(listed[:2])
    assert "Showing 1 to 50" in client_request.get("organisations.index").html
    leics_school = scalar(db, "SELECT id FROM organisations WHERE la_code = '855' AND kind = 'school' LIMIT 1")
    client_request.get("organisations.detail", org_id=leics_school)
