"""`flask --app app validate FILE`: exit 0 no errors, 1 errors, 2 refused with one line, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.domain.validation.xml_files import make_fixtures_main
from tests.returns.factories import census, twins, with_error

ROOT = Path(__file__).resolve().parents[2]
ACCEPTED_FROM_HOSTILE_SET = {"utf16_bom.xml"}  # a well-formed (empty) CTF in UTF-16: validated, not refused


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("hostile")
    make_fixtures_main(["hostile", "-d", str(out)])
    return sorted(out.iterdir())


def _write(tmp_path, content: bytes, name: str = "8732001_SC3_873LL26_001.XML") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_every_hostile_file_is_refused_with_one_line(runner, hostile):
    """Refused, exit 2, one line, no traceback. (How quickly: bench/hostile_refusal_bench.py.)"""
    assert len(hostile) >= 13
    for path in hostile:
        result = runner.invoke(args=["validate", str(path)])
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), (path.name, result.exception)
        if path.name in ACCEPTED_FROM_HOSTILE_SET:
            assert result.exit_code in (0, 1), (path.name, result.output)
            continue
        assert result.exit_code == 2, (path.name, result.output)
        assert result.output.count("\n") == 1 and "refused" in result.output, (path.name, result.output)


@pytest.mark.parametrize("name, words", [
    ("xxe_file.xml", "This file declares entities, which Gatehouse does not accept"),
    ("not_xml.xml", "This file is not XML: line 1, column 1"),
    ("truncated.xml", "ends too soon"),
    ("empty.xml", "This file is empty"),
])
def test_refusal_reasons_are_the_validators(runner, hostile, name, words):
    path = next(p for p in hostile if p.name == name)
    result = runner.invoke(args=["validate", str(path)])
    assert result.exit_code == 2 and words in result.output


def test_exit_codes_for_clean_queries_and_errors(runner, tmp_path):
    clean = runner.invoke(args=["validate", str(_write(tmp_path, census()))])
    assert clean.exit_code == 0 and "0 error(s)" in clean.output
    queries = runner.invoke(args=["validate", str(_write(tmp_path, census(twins())))])
    assert queries.exit_code == 0 and "1620Q" in queries.output
    errors = runner.invoke(args=["validate", str(_write(tmp_path, census(with_error()))), "--school", "8732001"])
    assert errors.exit_code == 1 and "ERROR 1580" in errors.output


def test_json_format_kind_and_school_options(runner, tmp_path):
    path = _write(tmp_path, census(with_error()))
    result = runner.invoke(args=["validate", str(path), "--format", "json", "--kind", "census", "--school", "8732001"])
    data = json.loads(result.output)
    assert result.exit_code == 1 and data["kind"] == "census" and data["errors"] == 1
    wrong_kind = runner.invoke(args=["validate", str(path), "--kind", "ctf", "--format", "json"])
    assert wrong_kind.exit_code == 2 and json.loads(wrong_kind.output) == {
        "refused": "This file is a School Census return, not a CTF."}
    other_school = runner.invoke(args=["validate", str(path), "--school", "8734001"])
    assert other_school.exit_code == 1 and "header-school" in other_school.output


def test_missing_file_exits_2_with_one_line(runner, tmp_path):
    result = runner.invoke(args=["validate", str(tmp_path / "nowhere.xml")])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "could not be opened" in result.output


def test_the_real_command_line(tmp_path, hostile):
    """As an administrator runs it: a separate process, exit code and output only."""
    path = next(p for p in hostile if p.name == "billion_laughs.xml")
    env = {**os.environ, "GATEHOUSE_INSTANCE_PATH": str(tmp_path / "instance")}
    flask = str(Path(sys.executable).with_name("flask"))
    done = subprocess.run([flask, "--app", "app", "validate", str(path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == "billion_laughs.xml: refused. This file declares entities, which Gatehouse does not accept.\n"
    assert "Traceback" not in done.stderr
