"""The report of a School Census version shows the school summary, compared with the school's previous census
return when Gatehouse holds one, large moves marked."""
from __future__ import annotations

import pytest

from models import deadline_instances
from models.db import one
from tests.domain.validation.content_cases import SENK, fsm
from tests.domain.validation.xml_files import pupil
from tests.returns.factories import census, make_version
from tests.returns.uploading import upload


@pytest.fixture
def signed_in(client, school_user, sign_in, sc_aut):
    sign_in(school_user)
    return client


def _summer_2026(db) -> dict:
    deadline_instances.generate(db, 2025)
    row = one(db, "SELECT i.id FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
                  " WHERE c.code = 'SC-SUM' AND i.academic_year = 2025")
    return deadline_instances.get_instance(db, row["id"])


def test_the_report_shows_the_school_summary_with_nothing_to_compare(signed_in, sc_aut):
    pupils = [pupil(1, FSMperiod=fsm()), pupil(2, **SENK), pupil(3), pupil(4, Language="POL")]
    html = signed_in.get(f"/returns/versions/{upload(signed_in, sc_aut, census(pupils))}").get_data(as_text=True)
    assert "School summary" in html and "Gatehouse holds no earlier census return from this school" in html
    assert "Free school meals on census day" in html and "25.0%" in html
    assert "English as an additional language" in html and "Previous return" not in html


def test_the_summary_compares_with_the_previous_terms_return_and_marks_large_moves(db, signed_in, sc_aut, school,
                                                                                    school_user):
    summer = _summer_2026(db)
    make_version(db, school, school_user, instance_id=summer["id"], pupils=[pupil(n) for n in range(1, 11)],
                 header={"Term": "SUM", "Year": "2026", "ReferenceDate": "2026-05-21"})
    pupils = [pupil(n, FSMperiod=fsm()) if n <= 4 else pupil(n) for n in range(1, 13)]
    html = signed_in.get(f"/returns/versions/{upload(signed_in, sc_aut, census(pupils))}").get_data(as_text=True)
    assert "Compared with this school's summer census of 21 May 2026" in html  # as people write dates, not ISO
    assert "Previous return" in html and "+2 (+20%)" in html and "+33.3 points" in html
    assert html.count("Large change: check") == 2
    assert "tont-roll</a>: Pupils on roll changed by more than 10%" in html  # and a query to explain
    assert "tont-fsm</a>: Free school meals changed by more than 10 points" in html
