"""``flask --app app import-gias``: exit codes, summary, progress, refusals that change nothing."""

from __future__ import annotations

import random
import re

import pytest

from models.db import rows, scalar
from tests.domain.gias.files import drop_columns, gias_bytes, gias_row, gias_text, read_rows, reorder_columns


def table_counts(db) -> dict:
    return {t: scalar(db, f"SELECT count(*) FROM {t}") for t in ("organisations", "gias_imports", "audit_log")}


def snapshot(db) -> list[tuple]:
    return [tuple(r.values()) for r in rows(db, "SELECT * FROM organisations ORDER BY id")]


def expected_open(path, la_code="873") -> int:
    return sum(r["LA (code)"] == la_code and r["EstablishmentStatus (code)"] in ("1", "3") for r in read_rows(path))


def test_import_prints_a_summary_and_progress(runner, db, gias_file):
    result = runner.invoke(args=["import-gias", str(gias_file), "--la", "873"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    opened = expected_open(gias_file)
    closed = sum(r["LA (code)"] == "873" and r["EstablishmentStatus (code)"] == "2" for r in read_rows(gias_file))
    assert f"  {opened} schools added\n" in out
    assert "  0 schools updated\n" in out
    assert "  0 schools closed\n" in out
    assert "  60 rows skipped: other LA\n" in out
    assert f"  {closed} row{'s' if closed != 1 else ''} skipped: closed in GIAS\n" in out
    assert "  120 rows read in all\n" in out
    assert "Created the LA organisation for 873." in out
    assert "Reading edubasealldata.csv" in result.stderr
    assert scalar(db, "SELECT count(*) FROM organisations WHERE kind = 'school'") == opened


@pytest.mark.parametrize("la_args", [["--la", "873", "--la", "855"], ["--la", "873,855"], ["--la", "873, 855"]])
def test_several_las(runner, db, gias_file, la_args):
    result = runner.invoke(args=["import-gias", str(gias_file), *la_args])
    assert result.exit_code == 0, result.output
    assert "for LA 873, 855" in result.stdout
    assert "other LA" not in result.stdout
    assert scalar(db, "SELECT count(*) FROM organisations WHERE kind = 'la'") == 2
    total = expected_open(gias_file) + expected_open(gias_file, "855")
    assert scalar(db, "SELECT count(*) FROM organisations WHERE kind = 'school'") == total


def test_la_defaults_to_the_la_code_setting(app_config, runner, db, gias_file):
    result = runner.invoke(args=["import-gias", str(gias_file)])
    assert result.exit_code == 0, result.output
    assert "for LA 873:" in result.stdout


def test_reimport_reports_updates_and_closures(runner, db, gias_file, tmp_path):
    assert runner.invoke(args=["import-gias", str(gias_file), "--la", "873"]).exit_code == 0
    data = read_rows(gias_file)
    open_873 = [r for r in data if r["LA (code)"] == "873" and r["EstablishmentStatus (code)"] == "1"]
    open_873[0]["EstablishmentName"] = "Changed Name School"
    open_873[1]["EstablishmentStatus (code)"] = "2"
    data.remove(open_873[2])
    changed = tmp_path / "changed.csv"
    changed.write_bytes(gias_bytes(data))
    result = runner.invoke(args=["import-gias", str(changed), "--la", "873"])
    assert result.exit_code == 0, result.output
    assert "  1 school updated\n" in result.stdout
    assert "  2 schools closed\n" in result.stdout
    assert "Created the LA organisation" not in result.stdout


def test_skip_reasons_are_listed(runner, db, tmp_path):
    path = tmp_path / "skips.csv"
    path.write_bytes(
        gias_bytes([
            gias_row(),
            gias_row(URN="110002", EstablishmentNumber=""),
            gias_row(URN="110003", EstablishmentNumber=""),
            gias_row(URN="110004", **{"LA (code)": "855"}),
        ])
    )  # fmt: skip
    result = runner.invoke(args=["import-gias", str(path), "--la", "873"])
    assert result.exit_code == 0, result.output
    assert "  1 school added\n" in result.stdout
    assert "  2 rows skipped: missing establishment number\n" in result.stdout
    assert "  1 row skipped: other LA\n" in result.stdout


def wrong_files(gias_file) -> dict[str, tuple[bytes, str]]:
    text = gias_file.read_bytes().decode("cp1252")
    return {
        "utf16": (text.encode("utf-16"), "UTF-16"),
        "utf16-le": (text.encode("utf-16-le"), "NUL bytes"),
        "binary": (random.Random(7).randbytes(20_000), "NUL bytes"),
        "zip": (b"PK\x03\x04" + random.Random(8).randbytes(2000), "ZIP archive"),
        "prose": (b"Dear colleague,\nplease find attached the list of schools.\n", "not a GIAS establishments"),
        "missing-columns": (drop_columns(gias_file.read_bytes(), "URN", "LA (code)"), "'URN', 'LA (code)'"),
        "bad-csv": ((gias_text([gias_row()]) + '"' + "x" * 1_100_000 + '"\n').encode("cp1252"), "Line 3"),
    }


@pytest.mark.parametrize("kind", ["utf16", "utf16-le", "binary", "zip", "prose", "missing-columns", "bad-csv"])
def test_a_wrong_file_is_refused_and_changes_nothing(runner, db, gias_file, tmp_path, kind):
    assert runner.invoke(args=["import-gias", str(gias_file), "--la", "873"]).exit_code == 0
    before, before_rows = table_counts(db), snapshot(db)
    data, words = wrong_files(gias_file)[kind]
    path = tmp_path / "wrong.csv"
    path.write_bytes(data)

    result = runner.invoke(args=["import-gias", str(path), "--la", "873"])

    assert result.exit_code == 1
    assert words in result.stderr
    assert "Nothing was changed." in result.stderr
    assert result.stdout == ""
    assert table_counts(db) == before
    assert snapshot(db) == before_rows


def test_an_la_missing_from_the_file_is_refused(runner, db, gias_file):
    result = runner.invoke(args=["import-gias", str(gias_file), "--la", "873,886"])
    assert result.exit_code == 1
    assert "no rows for LA 886" in result.stderr
    assert table_counts(db) == {"organisations": 0, "gias_imports": 0, "audit_log": 0}


@pytest.mark.parametrize(
    "args,words",
    [
        (["--la", "87"], "'87' is not an LA code"),
        (["--la", "abc"], "'abc' is not an LA code"),
    ],
)
def test_bad_la_codes_are_usage_errors(runner, db, gias_file, args, words):
    result = runner.invoke(args=["import-gias", str(gias_file), *args])
    assert result.exit_code == 2
    assert words in result.stderr


def test_a_missing_file_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(args=["import-gias", str(tmp_path / "nope.csv"), "--la", "873"])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_columns_in_another_order_import_the_same(runner, db, gias_file, tmp_path):
    path = tmp_path / "reordered.csv"
    path.write_bytes(reorder_columns(gias_file.read_bytes()))
    result = runner.invoke(args=["import-gias", str(path), "--la", "873"])
    assert result.exit_code == 0, result.output
    assert f"  {expected_open(gias_file)} schools added\n" in result.stdout
    again = runner.invoke(args=["import-gias", str(gias_file), "--la", "873"])
    assert f"  {expected_open(gias_file)} schools unchanged\n" in again.stdout


def test_cp1252_names_round_trip(runner, db, tmp_path):
    path = tmp_path / "bede.csv"
    path.write_bytes(gias_bytes([gias_row(EstablishmentName="Saint Bede’s Inter-Church School")]))
    assert b"Saint Bede\x92s" in path.read_bytes()
    result = runner.invoke(args=["import-gias", str(path), "--la", "873"])
    assert result.exit_code == 0, result.output
    assert scalar(db, "SELECT name FROM organisations WHERE urn = 110001") == "Saint Bede’s Inter-Church School"


def test_utf8_with_bom_is_accepted_with_a_note(runner, db, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(gias_bytes([gias_row(EstablishmentName="Saint Bede’s")], encoding="utf-8-sig"))
    result = runner.invoke(args=["import-gias", str(path), "--la", "873"])
    assert result.exit_code == 0, result.output
    assert "Note: The file is UTF-8 with a byte-order mark" in result.stdout
    assert scalar(db, "SELECT name FROM organisations WHERE urn = 110001") == "Saint Bede’s"


def test_dry_run_saves_nothing(runner, db, gias_file):
    result = runner.invoke(args=["import-gias", str(gias_file), "--la", "873", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "(dry run: nothing was saved)" in result.stdout
    assert re.search(r"  [1-9]\d* schools added", result.stdout)
    assert table_counts(db) == {"organisations": 0, "gias_imports": 0, "audit_log": 0}
