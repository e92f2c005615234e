"""COLLECT's export layout: a complete census written as one CSV per entity and read back gives every pupil's
fields as they were in the XML; the LA downloads a census version so from its report."""
from __future__ import annotations

import csv
import io
import zipfile

from domain.validation.census_records import read_content
from domain.validation.collect_export import LAYOUT, TABLES
from domain.validation.safe_xml import open_xml
from models.db import rows
from models.return_exports import write_collect_zip
from tests.domain.validation.content_cases import fsm
from tests.domain.validation.xml_files import make_fixtures_main, pupil, upn
from tests.returns.factories import census, make_version
from tests.returns.uploading import upload

NAME = "8732001_SC3_873LL26_001.XML"


def _export(tmp_path, *args: str):
    path = tmp_path / NAME
    make_fixtures_main(["census", "--estab", "2001", *args, "-o", str(path)])
    out = io.BytesIO()
    with open(path, "rb") as source:
        write_collect_zip(source, out)
    archive = zipfile.ZipFile(out)
    tables = {name.removesuffix(".csv"): list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
              for name in archive.namelist()}
    headers = {name.removesuffix(".csv"): archive.read(name).decode("utf-8").splitlines()[0].split(",")
               for name in archive.namelist()}
    with open_xml(path) as xml:
        elements = [(e.tag, read_content(e)) for e in xml.records(("PupilOnRoll", "PupilNoLongerOnRoll", "School"))]
    return tables, headers, elements


def _children(tables: dict, table: str, parent_id: str) -> list[dict]:
    parent = LAYOUT[table][0]
    rows = [r for r in tables[table] if r[f"{parent}tableid"] == parent_id]
    assert [int(r[f"{table}orderseqcolumn"]) for r in rows] == list(range(1, len(rows) + 1))
    return rows


def _same(row: dict, fields: dict, names) -> None:
    for name in names:
        assert row[name.lower()] == (fields.get(name) or ""), (name, row, fields.get(name))


def test_every_table_has_its_id_order_source_and_parent_columns(tmp_path):
    tables, headers, _ = _export(tmp_path, "--pupils", "60", "--term", "SPR", "--nursery", "6")
    assert set(tables) == set(TABLES)
    for table, header in headers.items():
        assert header == list(TABLES[table])
        assert header[:4] == [f"{table}tableid", "NativeId", f"{table}orderseqcolumn", "sourceid"]
    census = tables["schoolcensus"][0]
    assert (census["term"], census["lea"], census["estab"], census["sourceid"]) == ("SPR", "873", "2001", "8732001")
    assert tables["school"][0]["phase"] == "PS" and tables["classes"]
    assert all(r["sourceid"] == "8732001" for rows in tables.values() for r in rows)


def test_round_trip_gives_every_pupils_fields_as_in_the_xml(tmp_path):
    tables, _, elements = _export(tmp_path, "--pupils", "300", "--term", "AUT", "--nursery", "20")
    pupils = [fields for tag, fields in elements if tag == "PupilOnRoll"]
    leavers = [fields for tag, fields in elements if tag == "PupilNoLongerOnRoll"]
    assert len(tables["pupilonroll"]) == len(pupils) == 320 and len(tables["pupilnolongeronroll"]) == len(leavers)
    scalar = [n for n in LAYOUT["pupilonroll"][1] if not n.startswith(("Termly", "SummerHalfTerm2"))]
    for row, fields in zip(tables["pupilonroll"], pupils, strict=True):
        _same(row, fields, scalar)
        pupil_id = row["pupilonrolltableid"]
        (address,) = _children(tables, "addressesonroll", pupil_id)
        _same(address, fields, ("PostCode", "AddressLine1", "AddressLine2"))
        for table, key in (("fsmperiodsonroll", "FSMperiod"), ("senneedsonroll", "SENneed")):
            found = _children(tables, table, pupil_id)
            assert len(found) == len(fields.get(key, []))
            for child, record in zip(found, fields.get(key, []), strict=True):
                _same(child, record, LAYOUT[table][1])
        attendance = (fields.get("TermlyAttendance") or [{}])[0]
        for name in ("SessionsPossible", "SessionsAuthorised", "SessionsUnauthorised"):
            assert row[f"termly{name.lower()}"] == (attendance.get(name) or "")
        details = _children(tables, "termlysessiondetailsonroll", pupil_id)
        assert [(d["attendancereason"], d["sessions"]) for d in details] == [
            (d["AttendanceReason"], d["Sessions"]) for d in attendance.get("SessionDetail", [])]
        exclusions = _children(tables, "exclusionsonroll", pupil_id)
        assert [(x["category"], x["reason1"], x["startdate"], x["sessions"]) for x in exclusions] == [
            (x["Category"], x["Reason"][0], x["StartDate"], x["Sessions"]) for x in fields.get("TermlyExclusion", [])]
        assert [r["fundingbasis"] for r in _children(tables, "fundingbasisonroll", pupil_id)] == \
            fields.get("FundingBasis", [])
    assert any(fields.get("FSMperiod") for fields in pupils) and tables["exclusionsonroll"]
    assert any(r["fundedhours"] for r in tables["pupilonroll"]) and tables["summerhalfterm2sessiondetailsonroll"]
    for row, fields in zip(tables["pupilnolongeronroll"], leavers, strict=True):
        _same(row, fields, ("UPN", "Surname", "Forename", "DOB", "EntryDate", "LeavingDate"))


def test_the_la_downloads_a_version_in_collects_layout(db, client, sign_in, school_user, la_user, sc_aut):
    sign_in(school_user)
    content = census([pupil(1, FSMperiod=fsm()), pupil(2)])
    version = upload(client, sc_aut, content)
    assert client.get(f"/returns-review/versions/{version}/collect.zip").status_code in (403, 404)
    client.post("/sign-out")
    sign_in(la_user)
    report = client.get(f"/returns/versions/{version}").get_data(as_text=True)
    assert f"/returns-review/versions/{version}/collect.zip" in report
    response = client.get(f"/returns-review/versions/{version}/collect.zip")
    body = response.get_data()
    response.close()
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == "attachment; filename=8732001_SC-AUT_v1_collect.zip"
    archive = zipfile.ZipFile(io.BytesIO(body))
    pupils = list(csv.DictReader(io.StringIO(archive.read("pupilonroll.csv").decode("utf-8"))))
    assert [p["upn"] for p in pupils] == [upn(1), upn(2)]
    periods = list(csv.DictReader(io.StringIO(archive.read("fsmperiodsonroll.csv").decode("utf-8"))))
    assert [(p["pupilonrolltableid"], p["fsmstartdate"]) for p in periods] == [(pupils[0]["pupilonrolltableid"],
                                                                                "2025-03-03")]
    assert rows(db, "SELECT detail FROM audit_log WHERE action = 'returns_exported'")


def test_a_workforce_version_has_no_collect_layout(db, client, sign_in, school, school_user, la_user):
    version = make_version(db, school, school_user)
    db.conn.execute("UPDATE return_versions SET kind = 'workforce' WHERE id = ?", (version["id"],))
    sign_in(la_user)
    assert client.get(f"/returns-review/versions/{version['id']}/collect.zip").status_code == 404
