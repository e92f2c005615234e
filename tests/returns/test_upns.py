"""The UPN generator: new permanent and temporary UPNs from the school's LA, establishment number and academic
year with the next serial, never the same serial twice, as a page and as `flask --app app upn generate`."""
from __future__ import annotations

import pytest

from domain.validation.identifiers import upn_is_valid
from models import upn_serials
from models.db import rows


@pytest.fixture
def signed_in(client, school_user, sign_in, today):
    sign_in(school_user)
    return client


def _token(client) -> str:
    import re

    page = client.get("/returns/upns").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_the_page_issues_the_next_serials_and_lists_them(db, signed_in, school):
    response = signed_in.post("/returns/upns", data={"csrf_token": _token(signed_in), "count": "3",
                                                     "kind": "permanent"})
    assert response.status_code == 303
    page = signed_in.get("/returns/upns").get_data(as_text=True)
    issued = [r["upn"] for r in rows(db, "SELECT upn FROM upn_issued ORDER BY id")]
    assert [u[1:] for u in issued] == ["873200126000", "873200126001", "873200126002"]
    assert all(upn_is_valid(u) for u in issued) and all(u in page for u in issued)
    assert "Issued 3 UPNs" in page
    signed_in.post("/returns/upns", data={"csrf_token": _token(signed_in), "count": "2", "kind": "temporary"})
    temporary = [r["upn"] for r in rows(db, "SELECT upn FROM upn_issued WHERE temporary = 1 ORDER BY id")]
    assert [u[1:] for u in temporary] == ["87320012600A", "87320012600B"] and all(upn_is_valid(u) for u in temporary)
    signed_in.post("/returns/upns", data={"csrf_token": _token(signed_in), "count": "1", "kind": "permanent"})
    assert rows(db, "SELECT upn FROM upn_issued ORDER BY id DESC LIMIT 1")[0]["upn"][1:] == "873200126003"
    audit = rows(db, "SELECT detail FROM audit_log WHERE action = 'upns_issued'")
    assert len(audit) == 3


def test_bad_input_is_refused_with_a_message_and_nothing_issued(db, signed_in):
    for count in ("0", "101", "many", ""):
        response = signed_in.post("/returns/upns", data={"csrf_token": _token(signed_in), "count": count,
                                                         "kind": "permanent"})
        assert response.status_code == 400 and "govuk-error-summary" in response.get_data(as_text=True)
    assert rows(db, "SELECT * FROM upn_issued") == []


def test_serials_run_out_at_999_with_a_plain_message(db, school):
    for _ in range(9):
        upn_serials.issue(db, school, 2026, 100)
    upn_serials.issue(db, school, 2026, 99)
    with pytest.raises(upn_serials.SerialsUsedUp, match="Only 1 permanent UPN can still be issued for 2026/27"):
        upn_serials.issue(db, school, 2026, 2)
    assert upn_serials.issue(db, school, 2026, 1)[0][1:] == "873200126999"
    assert upn_serials.issue(db, school, 2027, 1)[0][1:] == "873200127000"  # a new year starts again


def test_the_command_issues_upns(app, db, school):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["upn", "generate", "--school", "8732001", "--count", "2", "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert [line[1:] for line in result.output.split()] == ["873200126000", "873200126001"]
    again = runner.invoke(args=["upn", "generate", "--school", "8732001", "--temporary", "--year", "2026"])
    assert again.output.split()[0][1:] == "87320012600A"
    missing = runner.invoke(args=["upn", "generate", "--school", "8739999"])
    assert missing.exit_code != 0 and "No school with DfE number 8739999" in missing.output
