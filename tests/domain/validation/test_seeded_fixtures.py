"""Files from tools/make_fixtures.py with seeded problems: every seeded problem is found on its
pupil, and no pupil listed as clean gets an error."""
from __future__ import annotations

import json

import pytest

from domain.validation import validate
from domain.validation.rules import ERROR
from tests.domain.validation.xml_files import CTF_TODAY, make_fixtures_main


def _generate(tmp_path, kind: str, name: str, seed: int, *args: str):
    path = tmp_path / name
    make_fixtures_main(["--seed", str(seed), kind, *args, "--errors", "0.05", "-o", str(path)])
    manifest = json.loads((tmp_path / f"{name}.manifest.json").read_text(encoding="utf-8"))
    pupils = []
    report = validate(path, today=CTF_TODAY, on_pupil=pupils.append)
    return report, manifest, pupils


_DUPLICATED_FIELD = {"1520": "upn", "1578": "uln"}


def _still_in_file(row: dict, manifest: dict, pupils: list[dict]) -> bool:
    """False only for a seeded duplicate whose partner the generator damaged afterwards (so the
    two values no longer match in the file); that must be explained by the partner's own row."""
    if "also_index" not in row:
        return True
    key = _DUPLICATED_FIELD[row["rule"]]
    if pupils[row["pupil_index"]][key] == pupils[row["also_index"]][key]:
        return True
    reseeded = {r["pupil_index"] for r in manifest["seeded"]}
    assert row["also_index"] in reseeded, f"seeded duplicate missing from the file: {row}"
    return False


FILES = [
    ("census", "8734001_SC3_873LL26_001.XML", ("--pupils", "1200", "--term", "AUT")),
    ("census", "8732001_SC3_873LL26_001.XML", ("--estab", "2001", "--pupils", "700", "--term", "SPR")),
    ("ctf", "8734001_CTF_8732002_001.xml", ("--pupils", "1500")),
]


@pytest.mark.parametrize("seed", [20261122, 7])
@pytest.mark.parametrize("kind, name, args", FILES, ids=[f[1] for f in FILES])
def test_every_seeded_problem_is_found_and_clean_pupils_have_no_errors(tmp_path, seed, kind, name, args):
    report, manifest, pupils = _generate(tmp_path, kind, name, seed, *args)
    assert report.kind == kind and report.pupils == manifest["pupils"] == len(pupils)
    assert manifest["seeded"], "the generator seeded nothing"
    found = {(f.rule, f.pupil) for f in report.findings}
    seeded = [row for row in manifest["seeded"] if _still_in_file(row, manifest, pupils)]
    missing = [row for row in seeded if (row["rule"], row["pupil_index"] + 1) not in found]
    assert missing == []
    for row in seeded:
        if "also_index" in row:  # the innocent partner of a duplicate is named too
            assert (row["rule"], row["also_index"] + 1) in found
    clean = set(manifest["clean_upns"])
    errors_on_clean = [f for f in report.findings if f.severity == ERROR and f.upn in clean]
    assert errors_on_clean == []
    assert not [f for f in report.findings if f.scope == "return" and f.severity == ERROR]


def test_on_pupil_hands_over_what_the_web_layer_stores(tmp_path):
    report, manifest, pupils = _generate(tmp_path, "census", "8734001_SC3_873LL26_001.XML", 20261122,
                                         "--pupils", "200")
    first = pupils[0]
    assert set(first) >= {"position", "upn", "uln", "surname", "forename", "middle_names", "dob", "sex",
                          "nc_year", "enrol_status", "postcode", "address_lines"}
    assert first["position"] == 1 and len(first["upn"]) == 13 and first["address_lines"]
    assert [p["position"] for p in pupils] == list(range(1, report.pupils + 1))


def test_summary_counts_pupils_by_year_group_and_sex(tmp_path):
    report, _, pupils = _generate(tmp_path, "census", "8734001_SC3_873LL26_001.XML", 20261122, "--pupils", "500")
    table = report.summary.by_year_and_sex
    assert list(table) == ["7", "8", "9", "10", "11"]
    assert sum(sum(row.values()) for row in table.values()) == report.pupils
    females = sum(1 for p in pupils if p["sex"] == "F")
    assert sum(row.get("F", 0) for row in table.values()) == females
    assert report.summary.min_age == 11 and report.summary.max_age == 16


WORKFORCE_FILES = [("8734001_SWF_873LL26_001.XML", ("--staff", "300")),
                   ("8732001_SWF_873LL26_001.XML", ("--estab", "2001", "--staff", "40", "--year", "2025"))]


@pytest.mark.parametrize("seed", [20261122, 7])
@pytest.mark.parametrize("name, args", WORKFORCE_FILES, ids=[f[0] for f in WORKFORCE_FILES])
def test_every_seeded_workforce_problem_is_found_and_clean_staff_have_no_findings(tmp_path, seed, name, args):
    path = tmp_path / name
    make_fixtures_main(["--seed", str(seed), "workforce", *args, "--errors", "0.25", "-o", str(path)])
    manifest = json.loads((tmp_path / f"{name}.manifest.json").read_text(encoding="utf-8"))
    staff = []
    report = validate(path, school=name[:7], on_pupil=staff.append)
    assert report.kind == "workforce" and report.pupils == manifest["staff"] == len(staff)
    kinds = {row["rule"] for row in manifest["seeded"]}
    assert len(kinds) >= min(10, len(manifest["seeded"]) // 2), "the generator seeded too few kinds of problem"
    found = {(f.rule, f.pupil) for f in report.findings}
    missing = [row for row in manifest["seeded"] if (row["rule"], row["member_index"] + 1) not in found]
    assert missing == []
    for row in manifest["seeded"]:
        if "also_index" in row:  # the innocent partner of a duplicate is named too
            assert (row["rule"], row["also_index"] + 1) in found
    clean = set(manifest["clean_staff"])
    # Two untouched people may share a name and birthday by chance: only that query may name one.
    assert [f for f in report.findings if f.upn in clean and f.rule != "7170Q"] == []
    assert not [f for f in report.findings if f.scope == "return"]


def test_a_workforce_file_with_no_problems_is_clean(tmp_path):
    path = tmp_path / "8734001_SWF_873LL26_001.XML"
    make_fixtures_main(["workforce", "--staff", "120", "-o", str(path)])
    report = validate(path, school="8734001")
    assert report.findings == [] and report.pupils == 120
    assert {"HDT", "DHT", "TCH", "TAS", "TEC"} <= set(report.summary.by_year_and_sex)
