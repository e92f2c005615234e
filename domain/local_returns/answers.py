"""Checking a school's answers against a definition.

Answers are kept as the school gave them (text, or a list of texts for several choices), so a wrong
answer can be shown back and corrected; :func:`check_answer` says whether one is acceptable and gives
its normal form (``"12"``, ``"2026-12-01"``, ``"Yes"``, the option as the LA wrote it). :func:`findings`
checks every row and returns what is wrong as census findings are shown: row, column, value, message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from domain.local_returns.definitions import (
    CHOICE,
    CHOICES,
    CHOICES_SEPARATOR,
    DATE,
    MAX_TEXT,
    NUMBER,
    TEXT,
    YES_NO,
    Definition,
    Question,
)

_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_NUMBER = re.compile(r"^[+-]?\d{1,12}$")


@dataclass(frozen=True)
class Checked:
    """One answer checked: ``value`` its normal form (None when blank or wrong), ``message`` what is wrong."""

    value: str | list[str] | None
    message: str | None = None


@dataclass(frozen=True)
class Finding:
    """Something wrong with one answer: ``row`` 1-based (the spreadsheet's data rows, the web's pupils;
    0 for a single form), ``upn`` and ``name`` of the pupil (blank for a single form)."""

    row: int
    column: str
    key: str
    value: str
    message: str
    upn: str = ""
    name: str = ""


def as_text(value: object) -> str:
    """A cell value (from a form, CSV or workbook) as the text a school would see."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return f"{CHOICES_SEPARATOR} ".join(as_text(v) for v in value)
    return str(value).strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, list) and not value) or as_text(value) == ""


def check_answer(question: Question, raw: object) -> Checked:
    """Check one answer. Blank: fine unless the question is required. Never raises."""
    if is_blank(raw):
        return Checked(None, "Answer this question" if question.required else None)
    checker = _CHECKERS[question.kind]
    return checker(question, raw)


def _text(question: Question, raw: object) -> Checked:
    text = as_text(raw)
    if len(text) > MAX_TEXT:
        return Checked(None, f"Must be {MAX_TEXT} characters or fewer")
    return Checked(text)


def _number(question: Question, raw: object) -> Checked:
    text = as_text(raw).replace(",", "")
    if not _NUMBER.match(text):
        return Checked(None, "Must be a whole number, like 12")
    number = int(text)
    if question.minimum is not None and number < question.minimum:
        return Checked(None, f"Must be {question.minimum} or more")
    if question.maximum is not None and number > question.maximum:
        return Checked(None, f"Must be {question.maximum} or less")
    return Checked(str(number))


def parse_date(raw: object) -> dt.date | None:
    """A date from a workbook date, ``2026-12-01`` or ``1/12/2026``; None when it is not one."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = as_text(raw)
    try:
        matched = _UK_DATE.match(text)
        if matched:
            day, month, year = (int(p) for p in matched.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _date(question: Question, raw: object) -> Checked:
    day = parse_date(raw)
    if day is None:
        return Checked(None, "Must be a real date, like 25/12/2026")
    return Checked(day.isoformat())


def _yes_no(question: Question, raw: object) -> Checked:
    text = as_text(raw).casefold()
    if text in _YES:
        return Checked("Yes")
    if text in _NO:
        return Checked("No")
    return Checked(None, "Must be Yes or No")


def _option(question: Question, text: str) -> str | None:
    wanted = text.strip().casefold()
    return next((o for o in question.options if o.casefold() == wanted), None)


def _choice(question: Question, raw: object) -> Checked:
    found = _option(question, as_text(raw))
    if found is None:
        return Checked(None, "Must be one of the choices in the list")
    return Checked(found)


def _choices(question: Question, raw: object) -> Checked:
    parts = raw if isinstance(raw, list) else as_text(raw).split(CHOICES_SEPARATOR)
    chosen = []
    for part in (as_text(p) for p in parts):
        if not part:
            continue
        found = _option(question, part)
        if found is None:
            return Checked(None, f"{part!r} is not one of the choices in the list")
        if found not in chosen:
            chosen.append(found)
    if not chosen:
        return Checked(None, "Answer this question" if question.required else None)
    return Checked([o for o in question.options if o in chosen])


_CHECKERS = {TEXT: _text, NUMBER: _number, DATE: _date, YES_NO: _yes_no, CHOICE: _choice, CHOICES: _choices}


def normalised(definition: Definition, answers: dict) -> dict:
    """``answers`` with every acceptable answer in its normal form (others kept as given, blanks dropped)."""
    result = {}
    for question in definition.questions:
        raw = answers.get(question.key)
        if is_blank(raw):
            continue
        checked = check_answer(question, raw)
        result[question.key] = checked.value if checked.message is None else raw
    return result


def row_findings(definition: Definition, answers: dict, *, row: int, upn: str = "", name: str = "") -> list[Finding]:
    """What is wrong with one row's answers (each question, then each total)."""
    found = []
    for question in definition.questions:
        raw = answers.get(question.key)
        checked = check_answer(question, raw)
        if checked.message:
            found.append(Finding(row, question.label, question.key, as_text(raw), checked.message, upn, name))
    found.extend(_total_findings(definition, answers, row=row, upn=upn, name=name, already=found))
    return found


def _total_findings(definition: Definition, answers: dict, *, row: int, upn: str, name: str,
                    already: list[Finding]) -> list[Finding]:  # fmt: skip
    wrong = {f.key for f in already}
    found = []
    for question in definition.questions:
        if not question.sum_of or question.key in wrong or any(k in wrong for k in question.sum_of):
            continue
        total = answers.get(question.key)
        if is_blank(total):
            continue
        parts = sum(int(check_answer(definition.question(k), answers.get(k)).value or 0) for k in question.sum_of)
        if int(check_answer(question, total).value) != parts:
            labels = " + ".join(definition.question(k).label for k in question.sum_of)
            found.append(Finding(row, question.label, question.key, as_text(total),
                                 f"Must equal {labels} ({parts})", upn, name))  # fmt: skip
    return found


def findings(definition: Definition, rows: Iterable[dict]) -> list[Finding]:
    """What is wrong with every row. Each row is ``{"position", "answers", "upn", "surname", "forename"}``
    (the pupil fields absent or None for a single form)."""
    found = []
    for row in rows:
        name = " ".join(p for p in (row.get("forename"), row.get("surname")) if p)
        found.extend(row_findings(definition, row["answers"], row=row["position"], upn=row.get("upn") or "",
                                  name=name))  # fmt: skip
    return found


def totals(definition: Definition, rows: Iterable[dict]) -> dict[str, int]:
    """Each whole-number question's total over the rows (acceptable answers only)."""
    result = {q.key: 0 for q in definition.questions if q.kind == NUMBER}
    for row in rows:
        for key in result:
            checked = check_answer(definition.question(key), row["answers"].get(key))
            if checked.message is None and checked.value is not None:
                result[key] += int(checked.value)
    return result
