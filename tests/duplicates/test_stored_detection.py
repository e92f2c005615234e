"""Stored detection over every school's latest loaded census version: cases open when a school uploads, close
themselves as "resolved by upload" when a corrected upload removes the conflict, and a pair marked "not a
duplicate" never reopens."""

from __future__ import annotations

from models import duplicates
from models.db import rows, scalar
from tests.conftest import audit_events
from tests.duplicates.factories import census_instance, load, own, shared
from tests.returns.factories import make_version


def _cases(db) -> list[dict]:
    return rows(db, "SELECT id, kind, rule, status, resolution, upns FROM duplicate_cases ORDER BY id")


def _history(db, case_id: int) -> list[str]:
    return [r["action"] for r in rows(db, "SELECT action FROM duplicate_case_events WHERE case_id = ? ORDER BY id",
                                      (case_id,))]  # fmt: skip


def test_a_second_schools_upload_opens_a_case_naming_its_rule(db, sc_aut, school, other_school):
    load(db, school, sc_aut, [shared(1), own(2)])
    assert _cases(db) == []
    load(db, other_school, sc_aut, [shared(1), own(3)])
    [case] = _cases(db)
    assert (case["kind"], case["rule"], case["status"]) == ("same-upn", "single-at-two-schools", "open")
    full = duplicates.get_case(db, case["id"])
    assert [m["school_name"] for m in full["members"]] == ["Fenland Primary School", "Ouse Valley Academy"]
    assert full["matched"][:2] == ["UPN", "surname"] and full["postcode"] == "agrees"
    assert _history(db, case["id"]) == ["found"]
    assert audit_events(db, "duplicates_detected")


def test_dual_registration_is_not_a_case_and_statuses_are_per_latest_version(db, sc_aut, school, other_school):
    load(db, school, sc_aut, [shared(1, EnrolStatus="M")])
    load(db, other_school, sc_aut, [shared(1, EnrolStatus="S")])
    assert _cases(db) == []
    load(db, other_school, sc_aut, [shared(1, EnrolStatus="M")])  # now both main
    assert [c["rule"] for c in _cases(db)] == ["more-than-one-main"]


def test_corrected_upload_closes_the_case_as_resolved_by_upload(db, sc_aut, school, other_school):
    load(db, school, sc_aut, [shared(1), own(2)])
    version = load(db, other_school, sc_aut, [shared(1), own(3)])
    [case] = _cases(db)
    corrected = load(db, other_school, sc_aut, [own(3)])
    [closed] = _cases(db)
    assert closed["status"] == "resolved"
    assert closed["resolution"] == (f"Resolved by upload: Ouse Valley Academy's version {corrected['version']} no "
                                    "longer has this conflict.")  # fmt: skip
    assert corrected["version"] == version["version"] + 1
    assert _history(db, case["id"]) == ["found", "resolved_by_upload"]


def test_the_same_conflict_found_again_reopens_a_resolved_case(db, sc_aut, school, other_school):
    load(db, school, sc_aut, [shared(1)])
    load(db, other_school, sc_aut, [shared(1)])
    load(db, other_school, sc_aut, [own(3)])
    load(db, other_school, sc_aut, [shared(1)])
    [case] = _cases(db)
    assert case["status"] == "open"
    assert _history(db, case["id"]) == ["found", "resolved_by_upload", "reopened"]


def test_not_a_duplicate_is_remembered_and_never_reopens(db, sc_aut, school, other_school, la_user):
    load(db, school, sc_aut, [shared(1)])
    load(db, other_school, sc_aut, [shared(1, UPN="B801200005001")])
    [case] = _cases(db)
    assert case["kind"] == "same-person"
    duplicates.mark_not_duplicate(db, duplicates.get_case(db, case["id"]), la_user, "Two children: checked with both")
    load(db, other_school, sc_aut, [shared(1, UPN="B801200005001"), own(4)])
    load(db, school, sc_aut, [shared(1), own(5)])
    [again] = _cases(db)
    assert (again["id"], again["status"]) == (case["id"], "not_duplicate")
    assert _history(db, case["id"]) == ["found", "not_duplicate"]
    assert audit_events(db, "duplicate_case_not_duplicate")


def test_remaining_schools_keep_a_case_when_one_of_three_corrects(db, sc_aut, school, other_school, third_school):
    for organisation in (school, other_school, third_school):
        load(db, organisation, sc_aut, [shared(1)])
    pair, three = _cases(db)
    assert pair["status"] == "resolved" and three["status"] == "open"
    assert pair["resolution"] == (
        f"Resolved by upload: after Third Street School's version 1, this pupil is part of case {three['id']} instead."
    )
    load(db, third_school, sc_aut, [own(9)])
    statuses = {tuple(duplicates.get_case(db, c["id"])["schools"]): c["status"] for c in _cases(db)}
    assert statuses == {
        ("Fenland Primary School", "Ouse Valley Academy", "Third Street School"): "resolved",
        ("Fenland Primary School", "Ouse Valley Academy"): "open",
    }
    assert _history(db, pair["id"]) == ["found", "resolved_by_upload", "reopened"]


def test_former_upn_is_matched_through_uploads(db, sc_aut, school, other_school):
    temporary = "G80120000101A"
    load(db, school, sc_aut, [own(1, UPN=temporary)])
    load(db, other_school, sc_aut, [own(1, FormerUPN=temporary)])
    assert [(c["kind"], c["rule"]) for c in _cases(db)] == [("same-upn", "former-upn")]


def test_test_uploads_and_other_instances_take_no_part(db, sc_aut, school, other_school):
    make_version(db, school, None, pupils=[shared(1)])  # a test upload: no instance
    load(db, other_school, sc_aut, [shared(1)])
    spring = census_instance(db, "SC-SPR")
    load(db, school, spring, [shared(1)])
    assert _cases(db) == []


def test_full_refresh_matches_incremental(db, sc_aut, school, other_school, third_school):
    load(db, school, sc_aut, [shared(1), shared(2, Surname="Twin", Forename="Amy")])
    load(db, other_school, sc_aut, [shared(1), shared(7, Surname="Twin", Forename="Amy", UPN="B801200005001")])
    load(db, third_school, sc_aut, [own(3)])
    before = _cases(db)
    assert len(before) == 2
    counts = duplicates.rebuild_instance(db, sc_aut["id"])
    assert counts["cases"] == 2 and counts["found"] == counts["closed"] == 0
    assert _cases(db) == before
    assert scalar(db, "SELECT count(*) FROM duplicate_pupils WHERE instance_id = ?", (sc_aut["id"],)) == 5


def test_people_changes_are_audited_and_closed_cases_refuse_them(db, sc_aut, school, other_school, la_user):
    load(db, school, sc_aut, [shared(1)])
    load(db, other_school, sc_aut, [shared(1)])
    [case] = _cases(db)
    get = lambda: duplicates.get_case(db, case["id"])  # noqa: E731
    duplicates.add_note(db, get(), la_user, "Rang both offices.")
    duplicates.record_contacted(db, get(), la_user, "Please check which school the pupil attends.")
    assert get()["status"] == "contacted"
    duplicates.resolve(db, get(), la_user, "Ouse Valley took the pupil off roll on 2 October.")
    assert get()["status"] == "resolved" and get()["closed_by"] == la_user["id"]
    for change in (duplicates.resolve, duplicates.mark_not_duplicate, duplicates.record_contacted):
        try:
            change(db, get(), la_user, "Again")
        except duplicates.CaseError:
            continue
        raise AssertionError(f"{change.__name__} changed a closed case")
    try:
        duplicates.add_note(db, get(), la_user, "   ")
    except duplicates.CaseError as error:
        assert str(error) == "Enter a note."
    duplicates.reopen(db, get(), la_user, "The school put the pupil back.")
    assert get()["status"] == "open"
    actions = [e["action"] for e in audit_events(db) if e["action"].startswith("duplicate_case_")]
    assert actions == ["duplicate_case_note", "duplicate_case_contacted", "duplicate_case_resolved",
                       "duplicate_case_reopened"]  # fmt: skip


def test_la_census_uploads_find_what_the_command_finds(db, la, sc_aut, tmp_path):
    """Every school of tools/make_fixtures.py la-census loaded as its census version: the stored cases are the
    command's (same kinds, UPNs and schools), so every seeded case is found and no dual registration or twins."""
    import hashlib
    import io
    import json

    from domain.duplicates.cli import main as check_main
    from domain.validation import validate_census
    from models import organisations, returns
    from tests.domain.validation.xml_files import make_fixtures_main

    make_fixtures_main(["la-census", "--la", "873", "--schools", "12", "--pupils", "60", "--term", "AUT",
                        "-d", str(tmp_path)])  # fmt: skip
    files = sorted(tmp_path.glob("*.XML"))
    dfe = {}
    for number, path in enumerate(files):
        estab = path.name[3:7]
        school = organisations.create_school(
            db, la_code="873", estab=estab, name=f"School {estab}", urn=300000 + number
        )
        dfe[school["id"]] = school["dfe_number"]
        records: list[dict] = []
        report = validate_census(path, on_pupil=records.append)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        job = {"organisation_id": school["id"], "instance_id": sc_aut["id"], "sha256": sha, "created_by": None,
               "bytes_total": path.stat().st_size, "original_name": path.name}  # fmt: skip
        returns.create_version(db, job=job, report=report, stored_path=f"uploads/{sha[:2]}/{sha[2:]}", pupils=records,
                               actor=None)  # fmt: skip
    out = io.StringIO()
    check_main(files, fmt="json", out=out)
    expected = {(c["kind"], tuple(c["upns"]), tuple(c["schools"])) for c in json.loads(out.getvalue())["cases"]}
    stored = set()
    for case in rows(db, "SELECT id, kind, upns FROM duplicate_cases WHERE status = 'open'"):
        schools = {dfe[m["organisation_id"]] for m in rows(
            db, "SELECT organisation_id FROM duplicate_case_members WHERE case_id = ?", (case["id"],))}  # fmt: skip
        stored.add((case["kind"], tuple(json.loads(case["upns"])), tuple(sorted(schools))))
    seeded = json.loads((tmp_path / "duplicates.manifest.json").read_text())
    assert stored == expected
    kinds = {"same-upn": "same-upn", "same-person-different-upn": "same-person"}
    for case in seeded:
        upns = tuple(sorted(case.get("upns") or [case.get("upn")]))
        schools = {"873" + estab for estab in case["schools"]}
        found = [s for s in stored if set(upns) <= set(s[1]) and schools <= set(s[2])]
        if case["case"] in kinds:  # the generator may copy a pupil twice: one UPN then on three rolls
            assert any(kind == kinds[case["case"]] and found_upns == upns for kind, found_upns, _ in found), case
        else:  # dual registration, twins
            assert not any(set(upns) <= set(s[1]) for s in stored), case


def test_rebuild_command_works_out_every_census_again(db, runner, sc_aut, school, other_school):
    load(db, school, sc_aut, [shared(1)])
    load(db, other_school, sc_aut, [shared(1)])
    db.conn.execute("DELETE FROM duplicate_pupils")  # as after an upgrade: versions loaded before duplicates existed
    result = runner.invoke(args=["duplicates", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"census deadline {sc_aut['id']}: 1 case(s) found; 0 new, 0 reopened, 0 resolved by upload" in result.output
    assert scalar(db, "SELECT count(*) FROM duplicate_pupils") == 2
