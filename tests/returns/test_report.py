"""The report: counts by severity and rule, the findings table filtered and paged (full page or htmx
partial from one view), findings as CSV, and a data summary to sanity-check the file."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import lxml.html
import pytest

from models import findings
from models.db import rows
from tests.domain.validation.xml_files import pupil
from tests.returns.factories import census, generated_census, twins
from tests.returns.uploading import upload

HTMX = {"HX-Request": "true"}


@pytest.fixture
def signed_in(client, school_user, sign_in, sc_aut):
    sign_in(school_user)
    return client


@pytest.fixture
def big_version(signed_in, sc_aut, tmp_path):
    """The generated 2,000-pupil census with seeded problems (40 errors, 3 queries)."""
    return upload(signed_in, sc_aut, generated_census(tmp_path).read_bytes())


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_counts_summary_and_first_page(signed_in, big_version):
    html = _text(signed_in.get(f"/returns/versions/{big_version}"))
    assert html.count("<h1") == 1 and "Version 1: report" in html
    assert "Showing 1 to 43 of 43 findings." in html
    assert "1580</a>: Surname missing" in html and "2355Q</a>: No home address or postcode" in html
    # pupils by year group and sex, as the validator counted them (Reception: 127 girls, 159 boys)
    assert re.search(r"<th[^>]*>R</th>\s*<td[^>]*>127</td>\s*<td[^>]*>159</td>\s*<td[^>]*>0</td>\s*<td[^>]*>286</td>",
                     html)
    assert "Ages 4 to 11 on 1 October 2026." in html  # census day as people write dates, not ISO
    assert "Loaded and validated" in html


def test_filters_by_severity_rule_and_text_as_a_full_page_or_an_htmx_partial(db, signed_in, big_version):
    url = f"/returns/versions/{big_version}"
    queries = _text(signed_in.get(url, query_string={"severity": "query"}))
    assert "Showing 1 to 3 of 3 findings matching the filters." in queries
    partial = _text(signed_in.get(url, query_string={"rule": "1580"}, headers=HTMX))
    assert "<html" not in partial and "<h1" not in partial
    assert "Showing 1 to 11 of 11 findings matching the filters." in partial
    upn = rows(db, "SELECT upn FROM return_findings WHERE rule = '1510' LIMIT 1")[0]["upn"]
    by_upn = _text(signed_in.get(url, query_string={"q": upn[3:9]}, headers=HTMX))
    assert upn in by_upn and "matching the filters" in by_upn
    nothing = _text(signed_in.get(url, query_string={"q": "no such pupil"}, headers=HTMX))
    assert "No findings match these filters." in nothing
    unknown = _text(signed_in.get(url, query_string={"rule": "not-a-rule", "severity": "bogus"}))
    assert "Showing 1 to 43 of 43 findings." in unknown  # unknown values are ignored, not an error


def test_pages_of_findings(db, signed_in, sc_aut, tmp_path):
    version = upload(signed_in, sc_aut, generated_census(tmp_path, pupils=600, errors=0.2, seed=3).read_bytes())
    total = findings.search(db, version, findings.Filters())["total"]
    assert total > 100
    first = _text(signed_in.get(f"/returns/versions/{version}"))
    assert f"Showing 1 to 50 of {total} findings." in first and "govuk-pagination" in first
    assert f'href="/returns/versions/{version}?page=2"' in first and 'hx-get="/returns/versions/' in first
    second = _text(signed_in.get(f"/returns/versions/{version}", query_string={"page": 2}, headers=HTMX))
    assert f"Showing 51 to 100 of {total} findings." in second
    beyond = _text(signed_in.get(f"/returns/versions/{version}", query_string={"page": 999}, headers=HTMX))
    assert f"of {total} findings." in beyond and "Showing 1 to" not in beyond


def test_findings_as_csv_with_notes_and_a_formula_guard(db, signed_in, sc_aut):
    content = census([pupil(5, Sex="=1+1"), *twins()[:2]])
    version = upload(signed_in, sc_aut, content)
    response = signed_in.get(f"/returns/versions/{version}/findings.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="8732001_SC-AUT_v1_findings.csv"'
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][:6] == ["Severity", "Rule", "Rule title", "Pupil (position in file)", "UPN", "Name"]
    sex = next(r for r in table if r[1] == "1610")
    assert sex[7] == "'=1+1"  # a spreadsheet would run =1+1; the guard makes it text
    assert {r[1] for r in table[1:]} == {"1610", "1620Q"}
    assert rows(db, "SELECT action FROM audit_log WHERE action = 'return_findings_downloaded'")


def test_a_clean_file_says_so(signed_in, sc_aut):
    html = _text(signed_in.get(f"/returns/versions/{upload(signed_in, sc_aut, census())}"))
    assert "No errors or queries: the file passed every check." in html and "No findings." in html


def test_the_return_page_lists_versions_with_changes(signed_in, sc_aut):
    upload(signed_in, sc_aut, census(twins()))
    second = upload(signed_in, sc_aut, census([pupil(1), pupil(2, Surname=""), pupil(3), pupil(4)]))
    report = _text(signed_in.get(f"/returns/versions/{second}"))
    return_url = re.search(r'href="(/returns/\d+)"', report).group(1)
    html = _text(signed_in.get(return_url))
    assert "Version 2" in html and "Version 1" in html and "First version" in html
    assert "pupils +1, errors +1, queries −2" in html


def test_upns_and_field_names_stay_on_one_line(signed_in, sc_aut):
    """The findings tables (report and explain page) keep each UPN and field name whole: their cells carry
    the no-wrap class, which the Sass defines."""
    version_id = upload(signed_in, sc_aut, census(twins()))
    pages = (signed_in.get(f"/returns/versions/{version_id}"),
             signed_in.get(f"/returns/versions/{version_id}/explain", query_string={"rule": "1620Q"}))
    for response in pages:
        table = lxml.html.fromstring(_text(response)).xpath("//table[.//th[. = 'Field']]")[0]
        headers = [th.text_content().strip() for th in table.xpath(".//thead//th")]
        for row in table.xpath(".//tbody/tr"):
            cells = row.xpath("./td")
            for column in ("UPN", "Field"):
                cell = cells[headers.index(column)]
                assert "gatehouse-nowrap" in cell.get("class").split(), (column, cell.text_content())
    sass = (Path(__file__).parents[2] / "static/src/gatehouse/_app.scss").read_text()
    assert re.search(r"\.gatehouse-nowrap \{\s*white-space: nowrap;", sass)
