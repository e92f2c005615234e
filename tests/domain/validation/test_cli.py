"""validation.cli.main: exit codes 0/1/2, readable text and the promised JSON shape."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from domain.validation.cli import main
from tests.domain.validation.xml_files import (
    CENSUS_NAME,
    ROOT,
    WORKFORCE_NAME,
    census_xml,
    member,
    pupil,
    workforce_xml,
)


def _write(tmp_path, text: str, name: str = CENSUS_NAME):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run(path, **kwargs):
    out = io.StringIO()
    code = main(path, out=out, **kwargs)
    return code, out.getvalue()


def test_clean_file_exits_0_with_a_summary(tmp_path):
    code, text = _run(_write(tmp_path, census_xml([pupil(1), pupil(2, Sex="M")])), school="8734001")
    assert code == 0
    assert "School Census return, 2 pupil(s)" in text and "0 error(s), 0 query(ies)" in text
    assert "Pupils by year group" in text


def test_a_workforce_return_is_summarised_by_staff_and_post(tmp_path):
    path = _write(tmp_path, workforce_xml([member(1), member(2, NINumber="AB12345C")]), WORKFORCE_NAME)
    code, text = _run(path, school="8734001")
    assert code == 1
    assert "School Workforce Census return, 2 staff member(s)" in text and "Staff by post" in text
    assert "ERROR 7125 (staff member 2, Isla Jones, TRN or NI number 1000002)" in text


def test_queries_alone_still_exit_0(tmp_path):
    code, text = _run(_write(tmp_path, census_xml([pupil(Forename="Дмитрий")])))
    assert code == 0 and "QUERY lrs-charset" in text


def test_errors_exit_1_and_name_pupil_field_value_and_fix(tmp_path):
    code, text = _run(_write(tmp_path, census_xml([pupil(1), pupil(2, Surname="", Sex="X")])))
    assert code == 1
    assert "ERROR 1610 (pupil 2" in text and "Sex" in text and "'X'" in text and "How to fix:" in text


def test_refused_file_exits_2_with_one_line_and_no_traceback(tmp_path):
    code, text = _run(_write(tmp_path, "not xml at all"))
    assert code == 2
    assert text.count("\n") == 1 and "refused" in text and "Traceback" not in text


def test_wrong_kind_and_bad_school_exit_2(tmp_path):
    path = _write(tmp_path, census_xml())
    assert _run(path, kind="ctf")[0] == 2
    code, text = _run(path, school="87340")
    assert code == 2 and "7-digit DfE number" in text


def test_json_has_exactly_the_promised_keys(tmp_path):
    code, text = _run(_write(tmp_path, census_xml([pupil(1), pupil(2, UPN="")])), fmt="json")
    data = json.loads(text)
    assert code == 1
    assert set(data) == {"kind", "pupils", "errors", "queries", "findings"}
    assert (data["kind"], data["pupils"], data["errors"], data["queries"]) == ("census", 2, 1, 0)
    (finding,) = data["findings"]
    assert {"rule", "severity", "scope", "upn", "field", "value", "message"} <= set(finding)
    assert [finding[k] for k in ("rule", "severity", "scope", "field")] == ["1500", "error", "pupil", "UPN"]


def test_json_for_a_refused_file(tmp_path):
    code, text = _run(_write(tmp_path, ""), fmt="json")
    assert code == 2 and json.loads(text) == {"refused": "This file is empty."}


@pytest.mark.parametrize("text, expected", [(census_xml(), 0), ("<html/>", 2)])
def test_runs_as_a_module(tmp_path, text, expected):
    path = _write(tmp_path, text)
    result = subprocess.run([sys.executable, "-m", "domain.validation.cli", str(path), "--format", "json"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == expected and result.stderr == ""
