"""Uploading a file: stored atomically by content, validated into a version, or refused leaving nothing."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

import pytest

from background.validation_pool import pool
from models import deadline_instances, deadline_statuses, returns, services
from models.db import one, rows
from tests.domain.validation.xml_files import ctf_xml, make_fixtures_main
from tests.returns.factories import census, clean_pupils, twins, with_error
from tests.returns.uploading import leftovers, post_file, upload, upload_url

ACCEPTED_FROM_HOSTILE_SET = {"utf16_bom.xml"}


@pytest.fixture
def hostile(tmp_path):
    out = tmp_path / "hostile"
    make_fixtures_main(["hostile", "-d", str(out)])
    return sorted(p for p in out.iterdir() if p.name not in ACCEPTED_FROM_HOSTILE_SET)


@pytest.fixture
def signed_in(client, school_user, sign_in, sc_aut):
    sign_in(school_user)
    return client


def test_upload_makes_version_1_stored_by_content(app, db, signed_in, sc_aut, school):
    content = census(twins())
    version_id = upload(signed_in, sc_aut, content)
    version = returns.get_version(db, version_id)
    assert (version["version"], version["status"], version["kind"]) == (1, "validated", "census")
    assert (version["pupils"], version["errors"], version["queries"]) == (3, 0, 2)
    assert version["return"]["instance_id"] == sc_aut["id"]
    assert version["original_name"] == "8732001_SC3_873LL26_001.XML"
    digest = hashlib.sha256(content).hexdigest()
    assert version["stored_path"] == f"uploads/{digest[:2]}/{digest[2:]}"
    assert leftovers(db, app.config["FILES_DIR"])["files"] == [version["stored_path"]]
    stored = [dict(r) for r in rows(db, "SELECT upn, surname, postcode, address_lines FROM return_pupils")]
    assert [p["surname"] for p in stored] == ["Twin", "Twin", "Other"] and stored[0]["postcode"] == "CB1 2AB"
    assert deadline_statuses.status_for(db, school["id"], sc_aut["id"])["key"] == "in_progress"
    assert one(db, "SELECT action FROM audit_log WHERE action = 'return_version_created'")


def test_the_clients_file_name_is_only_data(app, db, signed_in, sc_aut):
    version_id = upload(signed_in, sc_aut, census(), name="../../etc/Ünïcode\x07 census.xml")
    version = returns.get_version(db, version_id)
    assert version["original_name"] == "Ünïcode census.xml"
    assert all(f.startswith(("uploads/", "tmp/")) for f in leftovers(db, app.config["FILES_DIR"])["files"])


def test_identical_content_is_recognised(app, db, signed_in, sc_aut):
    first = upload(signed_in, sc_aut, census(twins()))
    again = post_file(signed_in, upload_url(sc_aut), census(twins()))
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/returns/versions/{first}")
    page = signed_in.get(again.headers["Location"]).get_data(as_text=True)
    assert "You uploaded this exact file before (version 1 on" in page
    assert returns.count_versions(db) == 1 and leftovers(db, app.config["FILES_DIR"])["uploads"] == 1


def test_same_file_as_an_earlier_test_upload_becomes_a_new_version_and_says_so(app, db, signed_in, sc_aut):
    upload(signed_in, None, census(twins()))
    response = post_file(signed_in, upload_url(sc_aut), census(twins()))
    follow = signed_in.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "You uploaded this exact file before (a test upload on" in follow
    assert returns.count_versions(db) == 2
    assert len(leftovers(db, app.config["FILES_DIR"])["files"]) == 1  # one stored copy of the content


def test_a_new_upload_is_the_next_version(db, signed_in, sc_aut):
    upload(signed_in, sc_aut, census(with_error()))
    second = upload(signed_in, sc_aut, census(clean_pupils()))
    version = returns.get_version(db, second)
    assert version["version"] == 2 and version["errors"] == 0 and version["is_latest"]


def _upload_refused(client, db, app, url, content, name, words) -> None:
    """POST a file that must be refused: 400 with an error summary naming the reason, nothing kept,
    the server carries on. (How quickly: bench/hostile_refusal_bench.py.)"""
    before = leftovers(db, app.config["FILES_DIR"])
    response = post_file(client, url, content, name)
    html = response.get_data(as_text=True)
    assert response.status_code == 400, (name, response.status_code)
    assert "govuk-error-summary" in html and words in html, (name, html[:3000])
    assert "Traceback" not in html
    assert leftovers(db, app.config["FILES_DIR"]) == before, name
    assert client.get("/returns/").status_code == 200  # the server carries on


@pytest.mark.parametrize("deadline", ["sc_aut", "swc"])
def test_every_hostile_file_is_refused_through_the_web_leaving_nothing(app, db, client, school_user, sign_in, hostile,
                                                                      deadline, request):
    """For a School Census return, a School Workforce Census return and a test upload."""
    open_deadline = request.getfixturevalue(deadline)  # sets the clock to a day it is open: sign in after
    sign_in(school_user)
    for path in hostile:
        for instance in (open_deadline, None):
            _upload_refused(client, db, app, upload_url(instance), path.read_bytes(), path.name, "")
    audited = rows(db, "SELECT detail FROM audit_log WHERE action = 'return_upload_refused'")
    assert len(audited) == 2 * len(hostile)  # every refusal is audited


@pytest.mark.parametrize("name, words", [
    ("xxe_file.xml", "This file declares entities, which Gatehouse does not accept."),
    ("not_xml.xml", "This file is not XML: line 1, column 1"),
    ("truncated.xml", "This file ends too soon"),
    ("deep_nesting.xml", "elements nest too deeply"),
    ("empty.xml", "This file is empty."),
    ("wrong_root.xml", "This file is not a School Census return, a School Workforce Census return or a CTF"),
])
def test_refusal_messages_a_school_office_can_act_on(app, db, signed_in, sc_aut, hostile, name, words):
    path = next(p for p in hostile if p.name == name)
    _upload_refused(signed_in, db, app, upload_url(None), path.read_bytes(), name, words)


def test_a_word_document_or_an_overlong_value_is_explained_in_plain_words(app, db, signed_in, sc_aut):
    """A .docx is named as a Word document (not "compressed (zip)"); a value past libxml2's limit is called
    damaged data, never "Resource limit exceeded ... XML_PARSE_HUGE"."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    _upload_refused(signed_in, db, app, upload_url(sc_aut), buffer.getvalue(), "census.docx",
                    "This is a Word document, not a census or CTF XML file: export the return from your MIS as XML.")
    overlong = census(clean_pupils(1)).replace(b"<Pupils>", b"<Pupils><Junk>" + b"x" * 10_000_001 + b"</Junk>")
    _upload_refused(signed_in, db, app, upload_url(sc_aut), overlong, "census.xml",
                    "One value in this file is far too long to be real data")
    html = post_file(signed_in, upload_url(sc_aut), overlong, "census.xml").get_data(as_text=True)
    assert "XML_PARSE_HUGE" not in html and "Resource limit" not in html


def test_a_ctf_is_refused_for_a_census_return(app, db, signed_in, sc_aut):
    ctf = ctf_xml(SourceEstab="2001").encode()
    _upload_refused(signed_in, db, app, upload_url(sc_aut), ctf, "8732001_CTF_8732002_001.xml",
                    "This file is a CTF, not a School Census return.")
    assert upload(signed_in, None, ctf, "8732001_CTF_8732002_001.xml")  # a test upload takes either kind


def test_a_file_over_the_limit_is_refused(app_config, app, db, client, school_user, sign_in, sc_aut):
    app.config["MAX_UPLOAD_MB"] = 1
    sign_in(school_user)
    big = census(clean_pupils(1)).replace(b"<Pupils>", b"<!--" + b"x" * (1024 * 1024) + b"--><Pupils>")
    _upload_refused(client, db, app, upload_url(sc_aut), big, "big.xml", "The file is larger than 1 MB.")


def test_no_file_chosen(app, db, signed_in, sc_aut):
    response = signed_in.post(upload_url(sc_aut), data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Select the file to upload" in response.get_data(as_text=True)


def test_hostile_files_refused_by_the_worker_through_the_real_pool(app, db, signed_in, sc_aut, hostile):
    """Files whose start looks fine are refused by the worker in the pool: the form says why (or, when the
    job outlasts the upload request's short wait on a busy machine, the progress page does once the job
    ends); nothing is kept either way."""
    app.config["VALIDATION_SYNC"] = False
    try:
        for name, words in (("truncated.xml", "ends too soon"), ("deep_nesting.xml", "nest too deeply")):
            path = next(p for p in hostile if p.name == name)
            before = leftovers(db, app.config["FILES_DIR"])
            response = post_file(signed_in, upload_url(None), path.read_bytes(), name)  # any kind
            if response.status_code == 303:  # still being checked after the short wait: the progress page
                location = response.headers["Location"]
                assert "/returns/jobs/" in location, location
                pool.shutdown(app)  # waits for the job to end
                response = signed_in.get(location)
                assert response.status_code == 200
            else:
                assert response.status_code == 400, (name, response.status_code)
            html = response.get_data(as_text=True)
            assert "govuk-error-summary" in html and words in html and "Traceback" not in html, (name, html[:3000])
            assert leftovers(db, app.config["FILES_DIR"]) == before, name
            assert signed_in.get("/returns/").status_code == 200  # the server carries on
    finally:
        pool.shutdown(app)


def test_uploads_wait_until_the_return_opens(app, db, client, school, school_user, sign_in, today):
    deadline_instances.generate(db, 2026)
    spring = one(db, "SELECT i.id FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
                     " WHERE c.code = 'SC-SPR' AND i.academic_year = 2026")
    sign_in(school_user)
    page = client.get(f"/returns/upload/{spring['id']}").get_data(as_text=True)
    assert "This return is not open yet" in page and 'type="file"' not in page
    before = leftovers(db, app.config["FILES_DIR"])
    assert post_file(client, f"/returns/upload/{spring['id']}", census()).status_code == 400
    assert leftovers(db, app.config["FILES_DIR"]) == before


def test_who_may_upload(db, client, school, la_user, make_user, sign_in, sc_aut):
    no_service = make_user(school, email="no-returns@fenland.example.sch.uk")
    sign_in(no_service)
    assert client.get("/returns/").status_code == 403
    assert client.get(upload_url(sc_aut)).status_code == 403
    services.set_services(db, no_service["id"], ["returns"])
    assert client.get(upload_url(sc_aut)).status_code == 200
    client.post("/sign-out")
    sign_in(la_user)
    assert client.get(upload_url(sc_aut)).status_code == 403
    assert client.get("/returns/").headers["Location"].endswith("/returns-review/")


def test_an_instance_that_does_not_take_a_file_answers_404(db, signed_in, today):
    privacy = one(db, "SELECT i.id FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
                      " WHERE c.code = 'PRIVACY'")
    assert signed_in.get(f"/returns/upload/{privacy['id']}").status_code == 404
    assert signed_in.get("/returns/upload/999999").status_code == 404


TEST_UPLOAD_NAME = r"Test upload of \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d\d[ap]m"


def test_test_uploads_are_named_by_when_they_were_checked_not_numbered_as_versions(db, signed_in, school):
    first = upload(signed_in, None, census(twins()))
    explain = signed_in.get(f"/returns/versions/{first}/explain", query_string={"rule": "1620Q"})
    assert re.search(f'<span class="govuk-caption-l">{TEST_UPLOAD_NAME}</span>', explain.get_data(as_text=True))
    second = upload(signed_in, None, census(clean_pupils()))
    report = signed_in.get(f"/returns/versions/{second}").get_data(as_text=True)
    assert re.search(f"<h1 class=\"govuk-heading-l\">{TEST_UPLOAD_NAME}: report</h1>", report)
    assert re.search(f"<title>{TEST_UPLOAD_NAME}: report", report) and "Version 2" not in report
    page = signed_in.get(f"/returns/{returns.get_version(db, first)['return_id']}").get_data(as_text=True)
    assert len(re.findall(TEST_UPLOAD_NAME, page)) == 2 and "First test upload" in page
    assert not re.search(r"[Vv]ersion \d", page) and "Upload a new version" not in page
    form = signed_in.get(upload_url(None)).get_data(as_text=True)
    assert "Your latest test upload was checked on" in form and "version 2" not in form
    again = post_file(signed_in, upload_url(None), census(clean_pupils()))
    follow = signed_in.get(again.headers["Location"]).get_data(as_text=True)
    assert "You uploaded this exact file before (your test upload of " in follow
