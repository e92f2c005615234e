"""Importing GIAS records into organisations: add, update by URN, close, skip, refuse."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from domain import clock
from models import organisations
from models.db import rows, scalar
from tests.domain.gias.files import gias_bytes, gias_row, read_rows, write_rows


def schools(db, la_code="873") -> dict[int, dict]:
    found = rows(db, "SELECT * FROM organisations WHERE kind = 'school' AND la_code = ?", (la_code,))
    return {r["urn"]: r for r in found}


def expected_counts(path, la_code="873") -> Counter:
    return Counter(r["EstablishmentStatus (code)"] for r in read_rows(path) if r["LA (code)"] == la_code)


def table_counts(db) -> dict:
    return {t: scalar(db, f"SELECT count(*) FROM {t}") for t in ("organisations", "gias_imports", "audit_log")}


def test_first_import_adds_open_schools_of_the_chosen_la(db, gias_file, import_gias):
    clock.set_now(datetime(2026, 9, 1, 8, 0, tzinfo=UTC))
    expected = expected_counts(gias_file)
    summary = import_gias(gias_file, "873")

    assert summary.added == expected["1"] + expected["3"]
    assert (summary.updated, summary.closed, summary.unchanged) == (0, 0, 0)
    assert summary.skipped == Counter({"other LA": 60, "closed in GIAS": expected["2"]})
    assert summary.rows_read == 120
    assert summary.las_created == ["873"]

    added = schools(db)
    assert len(added) == summary.added
    assert schools(db, "855") == {}
    assert {s["status"] for s in added.values()} == {"open", "proposed_to_close"}
    la = organisations.get_la(db, "873")
    assert la["name"] == "Cambridgeshire"
    rows_by_urn = {int(r["URN"]): r for r in read_rows(gias_file)}
    for urn, school in added.items():
        row = rows_by_urn[urn]
        assert school["dfe_number"] == "873" + row["EstablishmentNumber"]
        assert school["name"] == row["EstablishmentName"]
        assert school["ukprn"] == row["UKPRN"] and school["postcode"] == row["Postcode"]
        assert school["is_academy"] == int("Academy" in row["TypeOfEstablishment (name)"])
        assert school["opened_on"] == "1998-09-01"
        assert school["created_at"] == "2026-09-01T08:00:00Z"
        assert school["gias_import_id"] == summary.import_id


def test_import_is_recorded_and_audited(db, gias_file, import_gias):
    summary = import_gias(gias_file, "873")
    run = organisations.get_import(db, summary.import_id)
    assert run["la_codes"] == "873"
    assert run["file_name"] == "edubasealldata.csv"
    assert (run["added"], run["skipped"], run["rows_read"]) == (summary.added, summary.skipped_total, 120)
    assert run["skip_reasons"]["other LA"] == 60
    entry = rows(db, "SELECT * FROM audit_log WHERE action = 'gias_import'")[-1]
    detail = json.loads(entry["detail"])
    assert detail["added"] == summary.added
    assert detail["skip_reasons"] == dict(summary.skipped)
    assert detail["la_codes"] == ["873"]
    assert entry["organisation_id"] == organisations.get_la(db, "873")["id"]
    assert entry["target"] == f"gias_import:{summary.import_id}"


def test_several_las_at_once(db, gias_file, import_gias):
    summary = import_gias(gias_file, "873", "855")
    assert summary.las_created == ["873", "855"]
    assert "other LA" not in summary.skipped
    assert organisations.get_la(db, "855")["name"] == "Leicestershire"
    assert len(schools(db, "855")) == expected_counts(gias_file, "855")["1"] + expected_counts(gias_file, "855")["3"]


def test_an_existing_la_keeps_its_name(db, la, gias_file, import_gias):
    summary = import_gias(gias_file, "873")
    assert summary.las_created == []
    assert organisations.get_la(db, "873")["name"] == la["name"]


def test_importing_the_same_file_again_changes_nothing(db, gias_file, import_gias):
    first = import_gias(gias_file, "873")
    before = schools(db)
    clock.advance(timedelta(days=1))
    again = import_gias(gias_file, "873")
    assert (again.added, again.updated, again.closed) == (0, 0, 0)
    assert again.unchanged == first.added
    after = schools(db)
    for urn, school in after.items():
        assert {k: v for k, v in school.items() if k != "gias_import_id"} == {
            k: v for k, v in before[urn].items() if k != "gias_import_id"
        }
        assert school["gias_import_id"] == again.import_id


def test_reimport_updates_by_urn_and_marks_closed(db, gias_file, import_gias, tmp_path):
    import_gias(gias_file, "873")
    rows_873 = [r for r in read_rows(gias_file) if r["LA (code)"] == "873"]
    open_rows = [r for r in rows_873 if r["EstablishmentStatus (code)"] in ("1", "3")]
    renamed, closing, vanishing = open_rows[0], open_rows[1], open_rows[2]
    academy = next(r for r in open_rows[3:] if "Academy" not in r["TypeOfEstablishment (name)"])
    renamed["EstablishmentName"] = "Renamed Primary School"
    renamed["Postcode"] = "CB1 1AA"
    closing["EstablishmentStatus (code)"] = "2"
    closing["CloseDate"] = "31-08-2026"
    academy["TypeOfEstablishment (name)"] = "Academy converter"
    changed = [r for r in rows_873 if r is not vanishing]
    clock.set_now(datetime(2026, 9, 2, 9, 30, tzinfo=UTC))

    summary = import_gias(write_rows(tmp_path / "next.csv", changed), "873")

    assert (summary.added, summary.updated, summary.closed) == (0, 2, 2)
    after = schools(db)
    assert after[int(renamed["URN"])]["name"] == "Renamed Primary School"
    assert after[int(renamed["URN"])]["postcode"] == "CB1 1AA"
    assert after[int(renamed["URN"])]["updated_at"] == "2026-09-02T09:30:00Z"
    assert after[int(academy["URN"])]["is_academy"] == 1
    closed = after[int(closing["URN"])]
    assert (closed["status"], closed["closed_on"]) == ("closed", "2026-08-31")
    assert closed["closed_at"] == "2026-09-02T09:30:00Z"
    gone = after[int(vanishing["URN"])]
    assert (gone["status"], gone["closed_on"], gone["closed_at"]) == ("closed", None, "2026-09-02T09:30:00Z")

    # The next import that lists them open again reopens them.
    reopened = import_gias(gias_file, "873")
    assert reopened.updated >= 2 and reopened.closed == 0
    assert schools(db)[int(closing["URN"])]["status"] in ("open", "proposed_to_close")
    assert schools(db)[int(closing["URN"])]["closed_at"] is None
    assert schools(db)[int(vanishing["URN"])]["status"] in ("open", "proposed_to_close")


def test_schools_of_other_las_are_left_alone(db, gias_file, import_gias, tmp_path):
    import_gias(gias_file, "873", "855")
    only_873 = write_rows(tmp_path / "873.csv", [r for r in read_rows(gias_file) if r["LA (code)"] == "873"])
    summary = import_gias(only_873, "873")
    assert summary.closed == 0
    assert {s["status"] for s in schools(db, "855").values()} <= {"open", "proposed_to_close"}


def test_a_closed_school_listed_closed_again_is_unchanged(db, import_gias):
    import_gias(gias_bytes([gias_row()]))
    closed_row = gias_row(**{"EstablishmentStatus (code)": "2"})
    first = import_gias(gias_bytes([closed_row, gias_row(URN="110002", EstablishmentNumber="2002")]))
    second = import_gias(gias_bytes([closed_row, gias_row(URN="110002", EstablishmentNumber="2002")]))
    assert (first.closed, second.closed, second.unchanged) == (1, 0, 2)


def test_no_rows_for_a_chosen_la_is_refused_and_changes_nothing(db, gias_file, import_gias):
    import_gias(gias_file, "873")
    before = table_counts(db)
    statuses = {u: s["status"] for u, s in schools(db).items()}
    with pytest.raises(organisations.ImportRefused, match="no rows for LA 886") as caught:
        import_gias(gias_file, "873", "886")
    assert "873, 855" in str(caught.value)
    assert table_counts(db) == before
    assert {u: s["status"] for u, s in schools(db).items()} == statuses
    assert organisations.get_la(db, "886") is None


def test_a_school_made_by_hand_is_matched_by_dfe_number(db, la, import_gias):
    manual = organisations.create_school(db, la_code="873", estab="2001", name="Fenland Primary")
    no_urn = organisations.create_school(db, la_code="873", estab="3999", name="Not In GIAS")
    summary = import_gias(gias_bytes([gias_row()]))
    assert (summary.added, summary.updated, summary.closed) == (0, 1, 0)
    matched = organisations.get(db, manual["id"])
    assert matched["urn"] == 110001 and matched["name"] == "Fenland Primary School"
    assert organisations.get(db, no_urn["id"])["status"] == "open"


def test_a_dfe_number_held_by_another_school_is_skipped(db, la, import_gias):
    organisations.create_school(db, la_code="873", estab="2001", name="Older School", urn=100500)
    summary = import_gias(gias_bytes([gias_row(), gias_row(URN="100500", EstablishmentNumber="2005")]))
    assert summary.skipped["DfE number already belongs to another organisation"] == 1
    assert summary.updated == 1  # URN 100500 moved to 2005, but 2001 was still its own at that moment
    assert organisations.get_la(db, "873") is not None


def test_a_dfe_number_freed_in_the_same_import_can_be_taken(db, la, import_gias):
    organisations.create_school(db, la_code="873", estab="2001", name="Older School", urn=100500)
    summary = import_gias(gias_bytes([gias_row(URN="100500", EstablishmentNumber="2005"), gias_row()]))
    assert (summary.updated, summary.added, summary.skipped_total) == (1, 1, 0)
    assert {s["dfe_number"] for s in schools(db).values()} == {"8732001", "8732005"}


def test_dry_run_counts_but_saves_nothing(db, gias_file, import_gias):
    before = table_counts(db)
    summary = import_gias(gias_file, "873", dry_run=True)
    assert summary.added > 0 and summary.dry_run and summary.import_id is None
    assert table_counts(db) == before


def test_a_cp1252_name_round_trips(db, import_gias):
    import_gias(gias_bytes([gias_row(EstablishmentName="Saint Bede’s Inter-Church School")]))
    assert schools(db)[110001]["name"] == "Saint Bede’s Inter-Church School"
