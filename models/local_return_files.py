"""Local return files: each school's prefilled ``.xlsx``, and the LA's combined answers (CSV and ``.xlsx``) and
summary per question for a period.

The school's workbook: a ``Return`` sheet (header row locked and bold, required columns marked, read-only
pupil columns locked, answer cells open; choices as real drop-down lists, whole numbers and dates as
validated cells, help as input messages), a hidden ``Choices`` sheet the drop-downs read, and a hidden
``Gatehouse`` sheet recording the return, period, definition version and school, which the upload checks.
Every text written into any file goes through ``domain.csv_files.csv_cell``, so nothing starting with
``= + - @`` is ever written unescaped.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator

from sqlite_utils import Database

from domain.csv_files import FORMULA_STARTS, csv_cell
from domain.local_returns.answers import as_text
from domain.local_returns.definitions import CHOICE, CHOICES, CHOICES_SEPARATOR, DATE, NUMBER, YES_NO, Definition
from domain.local_returns.layout import (
    ABOUT_SHEET,
    CHOICES_SHEET,
    DATA_SHEET,
    Expected,
    columns,
)
from domain.local_returns.xlsx_writer import write_xlsx
from models import local_returns
from models.db import connection

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def expected(submission: dict) -> Expected:
    """What an upload for this submission must be (see ``domain.local_returns.uploads``)."""
    return Expected(return_id=submission["local_return_id"], version=submission["version"],
                    dfe_number=submission["dfe_number"], instance_id=submission["instance_id"],
                    definition=submission["definition"], title=submission["definition"].title)  # fmt: skip


def _slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:limit] or "return"


def file_name(submission: dict, extension: str) -> str:
    """``8732001_Fenland_Primary_School_Year_11_intended_destinations_2026_27_v2.xlsx``: school and return."""
    parts = (submission["dfe_number"], _slug(submission["school_name"]), _slug(submission["definition"].title),
             _slug(submission["period_label"], 30), f"v{submission['version']}")  # fmt: skip
    return "_".join(parts) + "." + extension


def _styles():
    from openpyxl.styles import Font, PatternFill, Protection

    return {
        "bold": Font(bold=True),
        "required": PatternFill("solid", fgColor="FFF2CC"),
        "fixed": PatternFill("solid", fgColor="EEEEEE"),
        "open": Protection(locked=False),
    }


def _validation(question, choices_range: str | None, rows: int, letter: str):
    from openpyxl.worksheet.datavalidation import DataValidation

    area = f"{letter}2:{letter}{rows + 1}"
    if question.kind in (CHOICE, YES_NO):
        source = choices_range if question.kind == CHOICE else '"Yes,No"'
        check = DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False)
        check.error = "Choose from the drop-down list"
    elif question.kind == NUMBER:
        low = question.minimum if question.minimum is not None else -(10**9)
        high = question.maximum if question.maximum is not None else 10**9
        check = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high),
                               allow_blank=True)  # fmt: skip
        check.error = f"Enter a whole number from {low} to {high}"
    elif question.kind == DATE:
        check = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
        check.error = "Enter a date, like 25/12/2026"
    else:
        check = DataValidation(allow_blank=True)
    check.errorTitle = question.label[:32]
    check.showErrorMessage = question.kind != CHOICES
    prompt = question.help or ("Choose any of: " + f"{CHOICES_SEPARATOR} ".join(question.options)
                               if question.kind == CHOICES else "")  # fmt: skip
    if question.kind == CHOICES:
        prompt = (prompt + f" (separate choices with '{CHOICES_SEPARATOR}')").strip()
    if prompt:
        check.promptTitle = question.label[:32]
        check.prompt = prompt[:255]
        check.showInputMessage = True
    check.add(area)
    return check


def _fixed_cell(field: str, row: dict, submission: dict):
    if field == "position":
        return row["position"]
    return csv_cell(as_text(submission["dfe_number"] if field == "dfe_number" else row.get(field)))


def _answer_cell(question, value):
    if question.kind == CHOICES and isinstance(value, list):
        return f"{CHOICES_SEPARATOR} ".join(value)
    if question.kind == NUMBER and isinstance(value, str) and re.fullmatch(r"-?\d{1,12}", value):
        return int(value)
    return csv_cell(value) if isinstance(value, str) else value


def _choices_sheet(book, definition: Definition) -> dict[str, str]:
    """The hidden sheet of choice lists; returns question key -> the range its drop-down reads."""
    from openpyxl.utils import get_column_letter

    choices = book.create_sheet(CHOICES_SHEET)
    choices.sheet_state = "hidden"
    ranges = {}
    for number, question in enumerate((q for q in definition.questions if q.kind == CHOICE), start=1):
        letter = get_column_letter(number)
        for line, option in enumerate(question.options, start=1):
            choices.cell(row=line, column=number, value=csv_cell(option))
        ranges[question.key] = f"{CHOICES_SHEET}!${letter}$1:${letter}${len(question.options)}"
    return ranges


def _about_sheet(book, submission: dict, cols) -> None:
    """The hidden sheet saying which return, period, definition version and school the file is for."""
    about = book.create_sheet(ABOUT_SHEET)
    about.sheet_state = "hidden"
    for name, value in (("return", submission["local_return_id"]), ("period", submission["instance_id"]),
                        ("version", submission["version"]), ("school", submission["dfe_number"]),
                        ("title", csv_cell(submission["definition"].title)),
                        ("period_label", csv_cell(submission["period_label"])),
                        ("columns", CHOICES_SEPARATOR.join(c.key or c.field for c in cols))):  # fmt: skip
        about.append([name, str(value)])
    about.protection.sheet = True


def workbook(submission: dict, rows: list[dict]) -> bytes:
    """The school's ``.xlsx`` for ``submission``, prefilled with its ``rows`` (pupils and answers so far)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    definition: Definition = submission["definition"]
    style = _styles()
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    cols = columns(definition)
    ranges = _choices_sheet(book, definition)
    sheet.append([csv_cell(c.heading) for c in cols])
    for cell, column in zip(sheet[1], cols, strict=True):
        cell.font = style["bold"]
        if column.required:
            cell.fill = style["required"]
    for row in rows:
        sheet.append([_fixed_cell(c.field, row, submission) if c.field else
                      _answer_cell(definition.question(c.key), row["answers"].get(c.key)) for c in cols])  # fmt: skip
    for index, column in enumerate(cols, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, min(40, len(column.heading) + 4))
        if column.key:
            sheet.add_data_validation(_validation(definition.question(column.key), ranges.get(column.key),
                                                  len(rows), letter))  # fmt: skip
            for (cell,) in sheet.iter_rows(min_row=2, max_row=len(rows) + 1, min_col=index, max_col=index):
                cell.protection = style["open"]
        else:
            for (cell,) in sheet.iter_rows(min_row=2, max_row=len(rows) + 1, min_col=index, max_col=index):
                cell.fill = style["fixed"]
    sheet.freeze_panes = "B2"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.autoFilter = False
    _about_sheet(book, submission, cols)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- the LA's files for a period


def export_name(local_return: dict, instance: dict, extension: str) -> str:
    return f"{local_return['la_code']}_{_slug(local_return['title'])}_{_slug(instance['period_label'], 30)}.{extension}"


def _export_columns(local_return: dict) -> tuple[list[str], list[str]]:
    """The export's headings and the key of each question of any version (its newest wording as heading)."""
    questions: dict[str, str] = {}
    for version in local_return["versions"]:  # newest first: the newest wording of each question wins
        for question in version["definition"].questions:
            questions.setdefault(question.key, question.label)
    fixed = ["DfE number", "School", "Phase", "Definition version", "Submitted at", "Nothing to report", "Row", "UPN",
             "Surname", "Forename", "Date of birth", "NC year"]  # fmt: skip
    return fixed + list(questions.values()), list(questions)


def guarded(values: list) -> list:
    """A row with ``csv_cell`` over every cell when any cell starts like a formula (one search of the joined
    row per formula start, so the common row costs no call per cell)."""
    joined = "\x00" + "\x00".join(map(str, values))
    if any("\x00" + start in joined for start in FORMULA_STARTS):
        return [csv_cell(v) for v in values]
    return values


def _text(value) -> str:
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    return f"{CHOICES_SEPARATOR} ".join(value) if isinstance(value, list) else str(value)


def export_rows(db: Database, local_return: dict, instance: dict, tally: Tally | None = None) -> Iterator[list]:
    """The export's heading row, then one row per submitted answer row of the period (schools by DfE number),
    every cell text (as in the CSV) and through :func:`guarded`; each row's answers also go to ``tally``."""
    headings, keys = _export_columns(local_return)
    versions = {v["id"]: v["version"] for v in local_return["versions"]}
    yield guarded(headings)
    for submission, rows in local_returns.iter_submitted_values(db, instance["id"], local_return["la_code"]):
        prefix = guarded([submission["dfe_number"], submission["school_name"], submission["phase"] or "",
                          str(versions[submission["version_id"]]), submission["submitted_at"],
                          "Yes" if submission["nothing_to_report"] else ""])  # fmt: skip
        if tally is not None:
            tally.school(submission)
        for position, upn, surname, forename, dob, nc_year, answers in rows:
            given = json.loads(answers)
            if tally is not None:
                tally.add(given)
            texts = [v if v.__class__ is str else _text(v) for v in map(given.get, keys)]
            yield prefix + guarded([str(position), upn, surname, forename, dob, nc_year, *texts])


def stream_csv(database: str, local_return: dict, instance: dict) -> Iterator[str]:
    """Every submitted answer of the period's schools as CSV text (UTF-8 with a byte-order mark), in chunks,
    read on a connection of its own (the stream may outlive the request's)."""
    with connection(database) as db:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        for count, values in enumerate(export_rows(db, local_return, instance), start=1):
            writer.writerow(values)
            if count % 5000 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()


def export_xlsx(db: Database, local_return: dict, instance: dict) -> bytes:
    """The same answers as :func:`stream_csv` as an ``.xlsx``, with a Summary sheet per question tallied in the
    same pass. Written as the sheets' XML straight into the zip, row by row (``domain.local_returns.xlsx_writer``):
    openpyxl's write-only mode was far too slow for 600 schools x 300 rows (bench/README.md)."""
    tally = Tally(local_return)

    def summary_rows() -> Iterator[list]:  # read once the Answers sheet has been written (and so tallied)
        yield ["Question", "Answer", "Count or total", "By phase"]
        for item in tally.result()["questions"]:
            for line in item["lines"]:
                phases = "; ".join(f"{p}: {n}" for p, n in line["by_phase"].items())
                yield guarded([item["label"], line["answer"], line["count"], phases])

    return write_xlsx([("Answers", export_rows(db, local_return, instance, tally)), ("Summary", summary_rows())])


class Tally:
    """A period's summary, built row by row: per question of the current (or latest) definition, counts per
    choice (in the list's order), or the total of a whole number, or how many answered, each split by phase."""

    def __init__(self, local_return: dict):
        self.definition = (local_return["current"] or local_return["latest"])["definition"]
        self.lines: dict[str, dict[str, Counter]] = {q.key: defaultdict(Counter) for q in self.definition.questions}
        self.kinds = [(q.key, q.kind) for q in self.definition.questions]
        self.phase = "Unknown phase"
        self.schools = 0
        self.rows = 0

    def school(self, submission: dict) -> None:
        """The rows that follow are this submission's."""
        self.schools += 1
        self.phase = submission["phase"] or "Unknown phase"

    def add(self, answers: dict) -> None:
        """Count one row's answers (question key -> answer as stored)."""
        self.rows += 1
        phase = self.phase
        for key, kind in self.kinds:
            answer = answers.get(key)
            if answer is None or answer == "" or answer == []:
                continue
            lines = self.lines[key]
            if kind == NUMBER:
                try:
                    lines["Total"][phase] += int(answer)
                except (TypeError, ValueError):  # not a whole number under an older version
                    continue
            elif kind == CHOICES:
                for option in answer if isinstance(answer, list) else [answer]:
                    lines[option][phase] += 1
            elif kind in (CHOICE, YES_NO):
                lines[answer if isinstance(answer, str) else str(answer)][phase] += 1
            else:
                lines["Answered"][phase] += 1

    def result(self) -> dict:
        """``{"questions": [{"label", "kind", "lines": [{"answer", "count", "by_phase"}]}], "schools", "rows"}``."""
        items = []
        for question in self.definition.questions:
            lines = self.lines[question.key]
            order = sorted(lines)
            if question.kind in (CHOICE, CHOICES, YES_NO):
                listed = list(question.options) if question.kind != YES_NO else ["Yes", "No"]
                order = listed + [a for a in order if a not in listed]  # answers of an older version's list last
            items.append({"label": question.label, "kind": question.kind, "lines": [
                {"answer": answer, "count": sum(lines[answer].values()),
                 "by_phase": dict(sorted(lines[answer].items()))}
                for answer in order
            ]})  # fmt: skip
        return {"questions": items, "schools": self.schools, "rows": self.rows}


def summary(db: Database, local_return: dict, instance: dict) -> dict:
    """The period's :class:`Tally` result over every submitted row (one pass, as the export reads them)."""
    tally = Tally(local_return)
    for submission, rows in local_returns.iter_submitted_values(db, instance["id"], local_return["la_code"]):
        tally.school(submission)
        for row in rows:
            tally.add(json.loads(row[-1]))
    return tally.result()
