"""The ULN readiness page and CSV of a census version: pupils who need a ULN, with the LRS exception each
request would raise; only for a census, only for those who may see the version."""
from __future__ import annotations

import csv
import io

from models.db import rows
from tests.domain.validation.xml_files import pupil, upn
from tests.returns.factories import census
from tests.returns.uploading import upload

YEAR_10 = {"NCyearActual": "10", "DOB": "2011-11-15", "YSSA": "Yes"}


def test_the_page_and_csv_list_pupils_without_a_uln(db, client, sign_in, school_user, other_school_user, sc_aut):
    sign_in(school_user)
    pupils = [pupil(1), pupil(2, **YEAR_10), pupil(3, **YEAR_10, PostCode=None),
              pupil(4, **YEAR_10, UniqueLearnerNumber="1234567899")]
    version = upload(client, sc_aut, census(pupils))
    report = client.get(f"/returns/versions/{version}").get_data(as_text=True)
    assert f"/returns/versions/{version}/uln-readiness" in report
    page = client.get(f"/returns/versions/{version}/uln-readiness").get_data(as_text=True)
    assert "2 pupils without a ULN: 1 ready to request, 1 with a record to correct first." in page
    assert upn(2) in page and upn(3) in page and upn(4) not in page and upn(1) not in page
    assert "RC010" in page and "no postcode" in page
    response = client.get(f"/returns/versions/{version}/uln-readiness.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="8732001_SC-AUT_v1_uln_readiness.csv"'
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][:3] == ["Pupil (position in file)", "UPN", "Name"]
    assert [(r[1], r[5]) for r in table[1:]] == [(upn(2), ""), (upn(3), "RC010")]
    assert rows(db, "SELECT action FROM audit_log WHERE action = 'return_uln_readiness_downloaded'")
    client.post("/sign-out")
    sign_in(other_school_user)
    assert client.get(f"/returns/versions/{version}/uln-readiness").status_code == 404
