"""A local return's definition: what the LA asks and how each answer is checked.

A definition is data (``Definition.to_dict()`` is what is stored for each version, ``Definition.from_dict``
reads it back and checks it). Its **shape** is a *pupil list* (one row per pupil, prefilled from the
school's census for the chosen NC years; UPN, names and date of birth read-only) or a *single form* (one
set of answers per school). Each **question** has a stable ``key`` (kept when its wording changes, so
answers carry from one version to the next), a ``label`` (the column heading and field label), a
``kind`` and, for whole numbers, optional ``minimum``/``maximum`` and ``sum_of`` (a total that must equal
the sum of other whole-number questions: "check totals"); for choices, the ``options``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PUPIL_LIST, SINGLE_FORM = "pupil_list", "single_form"
SHAPES = {PUPIL_LIST: "A pupil list (one row per pupil)", SINGLE_FORM: "A single form (one set of answers)"}

TEXT, NUMBER, DATE, YES_NO, CHOICE, CHOICES = "text", "number", "date", "yes_no", "choice", "choices"
KINDS = {
    TEXT: "Text",
    NUMBER: "Whole number",
    DATE: "Date",
    YES_NO: "Yes or no",
    CHOICE: "One choice from a list",
    CHOICES: "Several choices from a list",
}
#: NC years a pupil list may choose, in school order (as census files write them).
NC_YEARS = ("N1", "N2", "R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14")

MAX_QUESTIONS = 40
MAX_OPTIONS = 50
MAX_LABEL = 120
MAX_HELP = 500
MAX_OPTION = 100
MAX_TITLE = 120
MAX_PURPOSE = 2000
#: Longest text answer a school may give.
MAX_TEXT = 500
#: Separator of several choices written in one spreadsheet or CSV cell.
CHOICES_SEPARATOR = ";"
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class DefinitionError(ValueError):
    """A definition or question that cannot be saved; the message says why, for the designer's page."""


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: str
    required: bool = False
    help: str = ""
    minimum: int | None = None
    maximum: int | None = None
    options: tuple[str, ...] = ()
    sum_of: tuple[str, ...] = ()

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def has_options(self) -> bool:
        return self.kind in (CHOICE, CHOICES)

    def to_dict(self) -> dict:
        data = {"key": self.key, "label": self.label, "kind": self.kind, "required": self.required, "help": self.help}
        if self.kind == NUMBER:
            data.update(minimum=self.minimum, maximum=self.maximum, sum_of=list(self.sum_of))
        if self.has_options:
            data["options"] = list(self.options)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Question:
        """Read a stored question back; raises DefinitionError when it is not a valid question."""
        question = cls(
            key=str(data.get("key", "")), label=str(data.get("label", "")).strip(), kind=str(data.get("kind", "")),
            required=bool(data.get("required")), help=str(data.get("help") or "").strip(),
            minimum=data.get("minimum"), maximum=data.get("maximum"),
            options=tuple(str(o).strip() for o in data.get("options") or ()),
            sum_of=tuple(str(k) for k in data.get("sum_of") or ()),
        )  # fmt: skip
        question.check()
        return question

    def check(self) -> None:
        """Raise DefinitionError (in the designer's words) unless this question can be asked."""
        if not _KEY.match(self.key):
            raise DefinitionError(f"Question key {self.key!r} must be lower-case letters, digits or _")
        if not self.label or len(self.label) > MAX_LABEL:
            raise DefinitionError(f"Enter the question, in {MAX_LABEL} characters or fewer")
        if self.kind not in KINDS:
            raise DefinitionError("Choose what kind of answer the question takes")
        if len(self.help) > MAX_HELP:
            raise DefinitionError(f"Help text must be {MAX_HELP} characters or fewer")
        if self.kind == NUMBER:
            _check_bounds(self.minimum, self.maximum)
        elif self.minimum is not None or self.maximum is not None or self.sum_of:
            raise DefinitionError("Only a whole-number question has a smallest, largest or total")
        if self.has_options:
            _check_options(self.options)
        elif self.options:
            raise DefinitionError("Only a choice question has a list of options")


def _check_bounds(minimum, maximum) -> None:
    for bound in (minimum, maximum):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int)):
            raise DefinitionError("The smallest and largest numbers must be whole numbers")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise DefinitionError("The smallest number must not be more than the largest")


def _check_options(options: tuple[str, ...]) -> None:
    if len(options) < 2:
        raise DefinitionError("Give at least two options, one a line")
    if len(options) > MAX_OPTIONS:
        raise DefinitionError(f"Give at most {MAX_OPTIONS} options")
    seen = set()
    for option in options:
        if not option or len(option) > MAX_OPTION:
            raise DefinitionError(f"Each option must be 1 to {MAX_OPTION} characters")
        if CHOICES_SEPARATOR in option or '"' in option or "," in option:
            raise DefinitionError(f"Option {option!r} must not contain a semicolon, comma or double quote")
        if option.casefold() in seen:
            raise DefinitionError(f"Option {option!r} is in the list twice")
        seen.add(option.casefold())


@dataclass(frozen=True)
class Definition:
    title: str
    purpose: str
    shape: str
    nc_years: tuple[str, ...] = ()
    nothing_to_report: bool = False
    questions: tuple[Question, ...] = field(default_factory=tuple)

    @property
    def is_pupil_list(self) -> bool:
        return self.shape == PUPIL_LIST

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def to_dict(self) -> dict:
        return {"title": self.title, "purpose": self.purpose, "shape": self.shape, "nc_years": list(self.nc_years),
                "nothing_to_report": self.nothing_to_report, "questions": [q.to_dict() for q in self.questions]}

    @classmethod
    def from_dict(cls, data: dict) -> Definition:
        """Read a stored definition back; raises DefinitionError when it is not valid."""
        definition = cls(
            title=str(data.get("title", "")).strip(), purpose=str(data.get("purpose", "")).strip(),
            shape=str(data.get("shape", "")), nc_years=tuple(str(y) for y in data.get("nc_years") or ()),
            nothing_to_report=bool(data.get("nothing_to_report")),
            questions=tuple(Question.from_dict(q) for q in data.get("questions") or ()),
        )  # fmt: skip
        definition.check()
        return definition

    def check(self) -> None:
        """Raise DefinitionError unless the definition as a whole is sound."""
        if not self.title or len(self.title) > MAX_TITLE:
            raise DefinitionError(f"Enter a title, in {MAX_TITLE} characters or fewer")
        if len(self.purpose) > MAX_PURPOSE:
            raise DefinitionError(f"The purpose must be {MAX_PURPOSE} characters or fewer")
        if self.shape not in SHAPES:
            raise DefinitionError("Choose a pupil list or a single form")
        if self.shape == PUPIL_LIST and not self.nc_years:
            raise DefinitionError("Choose the year groups whose pupils are listed")
        unknown = [y for y in self.nc_years if y not in NC_YEARS]
        if unknown:
            raise DefinitionError(f"Unknown year groups: {', '.join(unknown)}")
        self._check_questions()

    def _check_questions(self) -> None:
        if len(self.questions) > MAX_QUESTIONS:
            raise DefinitionError(f"A return may ask at most {MAX_QUESTIONS} questions")
        keys, labels = set(), set()
        for question in self.questions:
            if question.key in keys or question.label.casefold() in labels:
                raise DefinitionError(f"Two questions are called {question.label!r}")
            keys.add(question.key)
            labels.add(question.label.casefold())
        for question in self.questions:
            for part in question.sum_of:
                other = self.question(part)
                if other is None or other.kind != NUMBER or part == question.key:
                    raise DefinitionError(f"{question.label!r} can only total other whole-number questions")

    def with_question(self, question: Question, *, replacing: str | None = None) -> Definition:
        """A copy with ``question`` added at the end (or in place of the question ``replacing``)."""
        question.check()
        if replacing is None:
            questions = (*self.questions, question)
        else:
            questions = tuple(question if q.key == replacing else q for q in self.questions)
        changed = Definition(self.title, self.purpose, self.shape, self.nc_years, self.nothing_to_report, questions)
        changed.check()
        return changed

    def without_question(self, key: str) -> Definition:
        """A copy without the question ``key`` (and without it in any total)."""
        questions = tuple(
            Question(**{**q.__dict__, "sum_of": tuple(k for k in q.sum_of if k != key)})
            for q in self.questions if q.key != key
        )  # fmt: skip
        return Definition(self.title, self.purpose, self.shape, self.nc_years, self.nothing_to_report, questions)

    def with_question_moved(self, key: str, step: int) -> Definition:
        """A copy with the question ``key`` moved ``step`` places (-1: up, 1: down), the order schools see the
        questions in (form fields, spreadsheet and export columns). Raises DefinitionError for a question that is
        not asked or a move past the first or last place."""
        keys = [q.key for q in self.questions]
        if key not in keys:
            raise DefinitionError("That question is not in this return")
        place = keys.index(key)
        to = place + step
        if step not in (-1, 1) or not 0 <= to < len(keys):
            raise DefinitionError("That question is already " + ("first" if step < 0 else "last"))
        questions = list(self.questions)
        questions[place], questions[to] = questions[to], questions[place]
        return Definition(self.title, self.purpose, self.shape, self.nc_years, self.nothing_to_report, tuple(questions))

    def with_details(self, **details) -> Definition:
        """A copy with some of title, purpose, nc_years, nothing_to_report changed (the shape stays)."""
        changed = Definition(**{**self.__dict__, **details, "shape": self.shape, "questions": self.questions})
        changed.check()
        return changed

    def new_key(self, label: str) -> str:
        """A key for a new question called ``label``, unused in this definition."""
        base = re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")[:30] or "question"
        if not base[0].isalpha():
            base = "q_" + base
        key, number = base, 2
        while self.question(key) is not None:
            key = f"{base}_{number}"
            number += 1
        return key
