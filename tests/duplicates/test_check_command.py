"""`flask --app app duplicates check FILE...`: every seeded case of tools/make_fixtures.py la-census found with
the right schools, no dual registration or twins; exit 0 none, 1 cases, 2 a file refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from domain.duplicates.cli import main as check_main
from tests.domain.validation.xml_files import census_xml, make_fixtures_main, pupil

LA = "873"


@pytest.fixture(scope="module")
def la_census(tmp_path_factory) -> tuple[list[Path], list[dict]]:
    out = tmp_path_factory.mktemp("la-census")
    make_fixtures_main(["la-census", "--la", LA, "--schools", "20", "--pupils", "80", "-d", str(out)])
    return sorted(out.glob("*.XML")), json.loads((out / "duplicates.manifest.json").read_text())


@pytest.fixture(scope="module")
def checked(la_census) -> tuple[int, dict]:
    """The JSON of a check over every file, through the entry point the Flask command calls (module-scoped:
    the command itself is run through Flask below)."""
    files, _ = la_census
    out = io.StringIO()
    code = check_main(files, fmt="json", out=out)
    return code, json.loads(out.getvalue())


def _dfe(estabs: list[str]) -> list[str]:
    return sorted(LA + estab for estab in estabs)


def test_every_seeded_case_is_found_with_its_schools(la_census, checked):
    files, seeded = la_census
    code, doc = checked
    assert code == 1
    assert doc["schools"] == len(files) == 20

    def found(kind: str, upns: list[str], estabs: list[str]) -> bool:
        """A case of ``kind`` with exactly these UPNs at (at least) these schools: the generator may copy a
        pupil it already copied, putting one UPN on three rolls."""
        return any(
            c["kind"] == kind and c["upns"] == sorted(upns) and set(_dfe(estabs)) <= set(c["schools"])
            for c in doc["cases"]
        )

    same_upn = [s for s in seeded if s["case"] == "same-upn"]
    same_person = [s for s in seeded if s["case"] == "same-person-different-upn"]
    assert len(same_upn) == 15 and len(same_person) == 10
    for case in same_upn:
        assert found("same-upn", [case["upn"]], case["schools"]), case
    for case in same_person:
        assert found("same-person", case["upns"], case["schools"]), case
    assert all(c["rule"] == "single-at-two-schools" for c in doc["cases"] if c["kind"] == "same-upn")


def test_no_dual_registration_or_twins_pair_is_a_case(la_census, checked):
    _, seeded = la_census
    _, doc = checked
    upn_sets = [set(c["upns"]) for c in doc["cases"]]
    for case in seeded:
        if case["case"] == "dual-registration-ok":
            assert not any(case["upn"] in upns for upns in upn_sets), case
        if case["case"] == "twins-not-duplicate":
            assert not any(set(case["upns"]) <= upns for upns in upn_sets), case


def test_json_shape(checked):
    _, doc = checked
    assert set(doc) == {"schools", "pupils", "cases"}
    case = doc["cases"][0]
    assert {"kind", "rule", "upns", "schools", "matched"} <= set(case)
    assert case["kind"] in ("same-upn", "same-person", "early-years")
    assert all(len(s) == 7 and s.startswith(LA) for s in case["schools"])


def _file(tmp_path: Path, estab: str, pupils: list[dict]) -> Path:
    path = tmp_path / f"873{estab}_SC3_873LL26_001.XML"
    path.write_text(census_xml(pupils, Estab=estab), encoding="utf-8")
    return path


def test_through_flask_exit_codes_and_text(runner, tmp_path):
    a = _file(tmp_path, "2001", [pupil(1, Surname="Able"), pupil(2, Surname="Baker")])
    b = _file(tmp_path, "2002", [pupil(3, Surname="Carter")])
    clean = runner.invoke(args=["duplicates", "check", str(a), str(b)])
    assert clean.exit_code == 0, clean.output
    assert "2 school(s), 3 pupil(s) on roll: 0 duplicate case(s)" in clean.output
    c = _file(tmp_path, "2003", [pupil(1, Surname="Able")])
    found = runner.invoke(args=["duplicates", "check", str(a), str(b), str(c)])
    assert found.exit_code == 1
    assert "Same UPN (single-at-two-schools)" in found.output and "at 8732001, 8732003" in found.output
    as_json = runner.invoke(args=["duplicates", "check", str(a), str(c), "--format", "json"])
    assert as_json.exit_code == 1
    assert json.loads(as_json.output)["cases"][0]["schools"] == ["8732001", "8732003"]


def test_a_refused_file_exits_2_naming_it(runner, tmp_path):
    good = _file(tmp_path, "2001", [pupil(1)])
    hostile = tmp_path / "xxe.xml"
    hostile.write_text(
        '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><Message>&x;</Message>'
    )
    result = runner.invoke(args=["duplicates", "check", str(good), str(hostile)])
    assert result.exit_code == 2
    assert result.output.startswith("xxe.xml: refused.") and "Traceback" not in result.output
    assert "root:" not in result.output
    ctf = tmp_path / "transfer.xml"
    ctf.write_text("<CTfile><Header/></CTfile>")
    assert "not a School Census return" in runner.invoke(args=["duplicates", "check", str(ctf)]).output


def test_a_file_without_a_school_or_two_from_one_school_is_refused(runner, tmp_path):
    nameless = tmp_path / "nameless.xml"
    nameless.write_text(census_xml([pupil(1)], LEA=None, Estab=None))
    result = runner.invoke(args=["duplicates", "check", str(nameless)])
    assert result.exit_code == 2 and "does not name its school" in result.output
    a = _file(tmp_path, "2001", [pupil(1)])
    again = tmp_path / "copy.xml"
    again.write_bytes(a.read_bytes())
    twice = runner.invoke(args=["duplicates", "check", str(a), str(again)])
    assert twice.exit_code == 2 and "give one file per school" in twice.output


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("hostile")
    make_fixtures_main(["hostile", "-d", str(out)])
    return sorted(out.iterdir())


def test_every_hostile_file_is_refused_with_one_line_and_nothing_read(runner, hostile):
    assert len(hostile) >= 13
    for path in hostile:
        result = runner.invoke(args=["duplicates", "check", str(path), "--format", "text"])
        assert result.exit_code == 2, (path.name, result.output)
        assert result.output.count("\n") == 1 and result.output.startswith(f"{path.name}: refused."), result.output
        assert "Traceback" not in result.output and "root:" not in result.output
        as_json = runner.invoke(args=["duplicates", "check", str(path), "--format", "json"])
        assert as_json.exit_code == 2 and json.loads(as_json.output)["refused"][0].startswith(path.name)
