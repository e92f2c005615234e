"""The spreadsheet route: each school's prefilled .xlsx, uploading it back (or a CSV), findings, and every kind
of file that must be refused with a clear message and nothing saved."""

from __future__ import annotations

import io

import pytest

from domain.local_returns.definitions import Question
from models import deadline_catalogue, deadline_instances, local_returns
from models.db import rows
from tests.conftest import audit_events
from tests.local_returns.factories import designed, destinations, meals, year_11_census
from tests.local_returns.spreadsheets import (
    ENTITY_BOMB,
    EXTERNAL_ENTITY,
    encrypted,
    fill,
    upload,
    with_cached_formula,
    with_entity,
    with_macros,
    zip_bomb,
)

DEST = "Intended destination (required)"


@pytest.fixture
def y11(db, year, school, school_user, la_user):
    """Year 11 destinations designed and published, three Year 11 pupils in the school's census."""
    pupils = year_11_census(db, school, school_user)
    made = designed(db, "Y11-DEST", destinations(), la_user)
    entry = deadline_catalogue.get_by_code(db, "Y11-DEST")
    instance = deadline_instances.list_instances(db, catalogue_id=entry["id"])[0]
    return {"return": made, "instance": instance, "pupils": pupils}


def download(client_request, deadline_id: int) -> tuple[bytes, str]:
    response = client_request.get_response("local_returns.spreadsheet", deadline_id=deadline_id)
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return response.get_data(), response.headers["Content-Disposition"]


def answers_now(db, school: dict, instance: dict) -> list[dict]:
    submission = local_returns.find_submission(db, instance["id"], school["id"])
    return [r["answers"] for r in local_returns.rows_of(db, submission["id"])]


def test_the_school_downloads_a_prefilled_workbook_with_real_drop_downs(db, y11, school_client):
    from openpyxl import load_workbook

    content, disposition = download(school_client, y11["instance"]["id"])
    assert disposition.startswith('attachment; filename="8732001_Fenland_Primary_School_Year_11_intended_destinations')
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Return", "Choices", "Gatehouse"]
    assert (book["Choices"].sheet_state, book["Gatehouse"].sheet_state) == ("hidden", "hidden")
    sheet = book["Return"]
    assert [c.value for c in sheet[1]] == ["Row", "UPN", "Surname", "Forename", "Date of birth", "NC year", DEST,
                                           "Notes"]  # fmt: skip
    assert [sheet.cell(row=r, column=2).value for r in (2, 3, 4)] == [p["UPN"] for p in y11["pupils"]]
    assert sheet.protection.sheet and sheet["G1"].protection.locked and sheet["B2"].protection.locked
    assert not sheet["G2"].protection.locked and sheet["G1"].font.b
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert [(v.formula1, str(v.sqref)) for v in lists] == [("Choices!$A$1:$A$6", "G2:G4")]
    assert [book["Choices"].cell(row=n, column=1).value for n in range(1, 7)][:2] == ["Sixth form at this school",
                                                                                      "Sixth form elsewhere"]
    about = {r[0]: r[1] for r in book["Gatehouse"].iter_rows(values_only=True)}
    assert (about["return"], about["version"], about["school"]) == (str(y11["return"]["id"]), "1", "8732001")


def test_an_upload_with_a_wrong_choice_shows_the_finding_and_is_fixed_on_the_web(db, y11, school, school_client):
    content, _ = download(school_client, y11["instance"]["id"])
    filled = fill(content, {2: {DEST: "FE college"}, 3: {DEST: "Space school"}, 4: {DEST: "Apprenticeship"}})
    response = upload(school_client, y11["instance"]["id"], filled, "destinations.xlsx")
    assert response.status_code == 303
    page = school_client.get("local_returns.school_return", deadline_id=y11["instance"]["id"])
    assert "1 answer needs correcting" in page.html
    cells = page.texts("//table[@id='findings']//tbody//td")
    assert cells[0] == "2" and cells[2:4] == ["Intended destination", "Space school"]
    assert cells[4].startswith("Must be one of the choices in the list")
    assert [a.get("destination") for a in answers_now(db, school, y11["instance"])] == [
        "FE college", "Space school", "Apprenticeship"]
    school_client.post("local_returns.answers", deadline_id=y11["instance"]["id"], _follow_redirects=True, _data={
        "r1-destination": "FE college", "r2-destination": "Not known", "r3-destination": "Apprenticeship"})
    school_client.post("local_returns.submit", deadline_id=y11["instance"]["id"], _follow_redirects=True)
    assert local_returns.find_submission(db, y11["instance"]["id"], school["id"])["status"] == "submitted"


def test_every_cell_is_checked_and_a_re_upload_replaces_the_answers(db, y11, school, school_client):
    content, _ = download(school_client, y11["instance"]["id"])
    first = fill(content, {2: {DEST: "FE college"}, 3: {DEST: "fe college", "Notes": "moving"}})
    assert upload(school_client, y11["instance"]["id"], first, "d.xlsx").status_code == 303
    assert answers_now(db, school, y11["instance"]) == [{"destination": "FE college"},
                                                        {"destination": "FE college", "notes": "moving"}, {}]
    page = school_client.get("local_returns.school_return", deadline_id=y11["instance"]["id"])
    assert "Answer this question" in page.html  # row 3 has no destination: required
    second = fill(content, {2: {DEST: "Not known"}, 3: {DEST: "Not known"}, 4: {DEST: "Not known"}})
    assert upload(school_client, y11["instance"]["id"], second, "d.xlsx").status_code == 303
    assert answers_now(db, school, y11["instance"]) == [{"destination": "Not known"}] * 3


def test_pupils_may_be_sorted_in_the_spreadsheet_they_are_matched_by_upn(db, y11, school, school_client):
    content, _ = download(school_client, y11["instance"]["id"])

    def reverse(book):
        sheet = book["Return"]
        values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=4)]
        for number, row in enumerate(reversed(values), start=2):
            for column, value in enumerate(row, start=1):
                sheet.cell(row=number, column=column).value = value  # cell(value=None) would leave it

    filled = fill(content, {2: {DEST: "FE college"}}, edit=reverse)  # row 2 becomes the last pupil after sorting
    assert upload(school_client, y11["instance"]["id"], filled, "d.xlsx").status_code == 303
    assert answers_now(db, school, y11["instance"])[2] == {}  # answers moved with the rows


def _renamed(book):
    book["Return"]["G1"] = "Destination"


def _moved(book):
    sheet = book["Return"]
    sheet["G1"], sheet["H1"] = sheet["H1"].value, sheet["G1"].value


def _added(book):
    book["Return"]["I1"] = "Extra"


def _twice(book):
    book["Return"]["B3"] = book["Return"]["B2"].value


def _stranger(book):
    book["Return"]["B3"] = "A123456789012"


def _other_school(book):
    for row in book["Gatehouse"].iter_rows():
        if row[0].value == "school":
            row[1].value = "8732002"


def _other_return(book):
    for row in book["Gatehouse"].iter_rows():
        if row[0].value == "return":
            row[1].value = "999"


def _no_about(book):
    del book["Gatehouse"]


@pytest.mark.parametrize("edit,message", [
    (_renamed, "Column G should be headed 'Intended destination (required)' but is 'Destination'"),
    (_moved, "Column G should be headed 'Intended destination (required)' but is 'Notes'"),
    (_added, "Columns must not be added"),
    (_twice, "is in the spreadsheet twice (rows 2 and 3)"),
    (_stranger, "Row 3: UPN A123456789012 is not one of the pupils in this return's list"),
    (_other_school, "This spreadsheet was made for another school (8732002), not yours (8732001)"),
    (_other_return, "This spreadsheet is for another return"),
    (_no_about, "This is not the spreadsheet Gatehouse made for this return"),
])  # fmt: skip
def test_a_file_that_is_not_this_schools_return_as_made_is_refused_and_nothing_saved(
        db, y11, school, school_client, edit, message):  # fmt: skip
    content, _ = download(school_client, y11["instance"]["id"])
    good = fill(content, {2: {DEST: "Not known"}})
    assert upload(school_client, y11["instance"]["id"], good, "d.xlsx").status_code == 303
    before = answers_now(db, school, y11["instance"])
    bad = fill(content, {2: {DEST: "FE college"}, 3: {DEST: "FE college"}}, edit=edit)
    response = upload(school_client, y11["instance"]["id"], bad, "d.xlsx")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert answers_now(db, school, y11["instance"]) == before
    refused = audit_events(db, "local_return_upload_refused")
    assert len(refused) == 1 and message in refused[0]["detail"]["reason"]


def test_a_spreadsheet_of_an_old_definition_version_is_refused(db, y11, la_user, school, school_client):
    content, _ = download(school_client, y11["instance"]["id"])
    made = y11["return"]
    changed = made["current"]["definition"].with_question(Question("college", "College name", "text"))
    local_returns.save_draft(db, made, changed, la_user)
    local_returns.publish(db, local_returns.get(db, made["id"]), la_user)
    response = upload(school_client, y11["instance"]["id"], fill(content, {2: {DEST: "Not known"}}), "d.xlsx")
    assert response.status_code == 400
    assert "made for version 1 of Year 11 intended destinations" in response.get_data(as_text=True)
    assert "it is now version 2" in response.get_data(as_text=True)


HOSTILE = [
    ("macros.xlsm", lambda good: good, "This is a spreadsheet with macros (.xlsm)"),
    ("renamed-macros.xlsx", with_macros, "This workbook contains macros"),
    ("protected.xlsx", lambda good: encrypted(), "This workbook is password-protected (encrypted)"),
    ("old.xls", lambda good: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000, "This is an old Excel file (.xls)"),
    ("damaged.xlsx", lambda good: good[: len(good) // 2], "This file is damaged or is not an Excel workbook"),
    ("not-a-workbook.xlsx", lambda good: b"Name,Destination\n", "damaged or is not an Excel workbook"),
    ("bomb.xlsx", lambda good: zip_bomb(), "it may be a 'zip bomb'"),
    ("entity.xlsx", lambda good: with_entity(good, EXTERNAL_ENTITY), "This workbook is damaged and cannot be read"),
    ("laughs.xlsx", lambda good: with_entity(good, ENTITY_BOMB), "This workbook is damaged and cannot be read"),
    ("cut-sheet.xlsx", lambda good: with_entity(good, ("", "<broken")), "This workbook is damaged and cannot be read"),
    ("notes.docx", lambda good: good, "Upload the .xlsx spreadsheet from this return's page"),
]


@pytest.mark.parametrize("name,make,message", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_or_broken_files_are_refused_in_words_and_nothing_is_saved(db, y11, school, school_client, name,
                                                                           make, message):  # fmt: skip
    content, _ = download(school_client, y11["instance"]["id"])
    good = fill(content, {2: {DEST: "Not known"}})
    response = upload(school_client, y11["instance"]["id"], make(good), name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert answers_now(db, school, y11["instance"]) == [{}, {}, {}]
    assert rows(db, "SELECT source FROM local_return_submissions") == [{"source": "web"}]


def test_a_formula_is_read_as_the_value_excel_saved_never_evaluated(db, y11, school, school_client):
    content, _ = download(school_client, y11["instance"]["id"])
    good = fill(content, {2: {DEST: "Not known"}, 3: {"Notes": "placeholder"}})
    with_value = with_cached_formula(good, "H3", '"FE"&amp;" college"', "shown to the school")
    assert upload(school_client, y11["instance"]["id"], with_value, "d.xlsx").status_code == 303
    assert answers_now(db, school, y11["instance"])[1] == {"notes": "shown to the school"}
    without = with_cached_formula(good, "H3", "1+1", None)
    response = upload(school_client, y11["instance"]["id"], without, "d.xlsx")
    assert response.status_code == 400
    assert "Cell H3 holds a formula with no saved value" in response.get_data(as_text=True)


def _csv(content: bytes, encoding: str, answer: str) -> bytes:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content))["Return"]
    lines = [",".join("" if v is None else str(v) for v in row) for row in sheet.iter_rows(values_only=True)]
    lines[1] = lines[1].rstrip(",") + "," + answer + ",Café"
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def test_a_csv_saved_from_the_spreadsheet_is_read_in_utf8_or_windows_1252(db, y11, school, school_client):
    content, _ = download(school_client, y11["instance"]["id"])
    for encoding in ("utf-8-sig", "cp1252"):
        raw = _csv(content, encoding, "Not known")
        assert upload(school_client, y11["instance"]["id"], raw, "d.csv").status_code == 303, encoding
        assert answers_now(db, school, y11["instance"])[0] == {"destination": "Not known", "notes": "Café"}


def test_a_csv_in_an_unreadable_encoding_or_binary_is_refused(db, y11, school, school_client):
    content, _ = download(school_client, y11["instance"]["id"])
    raw = _csv(content, "utf-8", "Not known").replace(b"Caf\xc3\xa9", b"Caf\x81")
    response = upload(school_client, y11["instance"]["id"], raw, "d.csv")
    assert response.status_code == 400 and "CSV UTF-8 (Comma delimited)" in response.get_data(as_text=True)
    response = upload(school_client, y11["instance"]["id"], b"PK\x03\x04\x00\x00binary", "d.csv")
    assert response.status_code == 400 and "This is not a CSV file" in response.get_data(as_text=True)
    assert answers_now(db, school, y11["instance"]) == [{}, {}, {}]


def test_a_single_form_takes_one_row(db, year, school, la_user, school_client):
    made = designed(db, "MEALS", meals(), la_user)
    instance = deadline_instances.find_instance(db, code="MEALS", organisation_id=school["id"])
    content, _ = download(school_client, instance["id"])
    filled = fill(content, {2: {"Free school meals (required)": 10, "Paid meals (required)": 5,
                                "Total meals (required)": 15}})  # fmt: skip
    assert upload(school_client, instance["id"], filled, "m.xlsx").status_code == 303
    assert answers_now(db, school, instance) == [{"free": "10", "paid": "5", "total": "15"}]
    two = fill(content, {2: {"Free school meals (required)": 1}, 3: {"Free school meals (required)": 2}})
    response = upload(school_client, instance["id"], two, "m.xlsx")
    assert response.status_code == 400 and "takes one row of answers, not 2" in response.get_data(as_text=True)
    assert made["id"] == local_returns.find_submission(db, instance["id"], school["id"])["local_return_id"]



def test_a_submitted_return_takes_no_upload(db, y11, school, school_client):
    content, _ = download(school_client, y11["instance"]["id"])
    filled = fill(content, {2: {DEST: "Not known"}, 3: {DEST: "Not known"}, 4: {DEST: "Not known"}})
    assert upload(school_client, y11["instance"]["id"], filled, "d.xlsx").status_code == 303
    school_client.get("local_returns.school_return", deadline_id=y11["instance"]["id"])  # as the browser would
    school_client.post("local_returns.submit", deadline_id=y11["instance"]["id"], _follow_redirects=True)
    again = fill(content, {2: {DEST: "FE college"}, 3: {DEST: "FE college"}, 4: {DEST: "FE college"}})
    response = upload(school_client, y11["instance"]["id"], again, "d.xlsx")
    assert response.status_code == 303
    page = school_client.get("local_returns.school_return", deadline_id=y11["instance"]["id"])
    assert "This return has been submitted: it cannot be changed now." in page.html
    assert answers_now(db, school, y11["instance"]) == [{"destination": "Not known"}] * 3


def test_a_word_document_named_like_a_workbook_is_called_what_it_is(db, y11, school, school_client):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as document:
        document.writestr("[Content_Types].xml", "<Types/>")
        document.writestr("word/document.xml", "<w:document/>")
    response = upload(school_client, y11["instance"]["id"], buffer.getvalue(), "destinations.xlsx")
    assert response.status_code == 400
    assert "This is a Word document, not an Excel workbook." in response.get_data(as_text=True)
    assert answers_now(db, school, y11["instance"]) == [{}, {}, {}]
