"""The columns of a local return's spreadsheet (and of the CSV a school may save from it), shared by the
workbook Gatehouse writes and the reader that checks an upload, so both agree on every heading."""

from __future__ import annotations

from dataclasses import dataclass

from domain.local_returns.definitions import Definition

#: The sheet schools fill in, the hidden sheet recording what the file is, the hidden sheet of choices.
DATA_SHEET, ABOUT_SHEET, CHOICES_SHEET = "Return", "Gatehouse", "Choices"
#: A pupil list's read-only columns: heading -> row field.
PUPIL_COLUMNS = (("Row", "position"), ("UPN", "upn"), ("Surname", "surname"), ("Forename", "forename"),
                 ("Date of birth", "dob"), ("NC year", "nc_year"))  # fmt: skip
SINGLE_COLUMNS = (("DfE number", "dfe_number"),)
REQUIRED_MARK = " (required)"


@dataclass(frozen=True)
class Column:
    heading: str
    field: str | None = None  # a fixed (read-only) column's row field
    key: str | None = None  # a question's key
    required: bool = False


def columns(definition: Definition) -> list[Column]:
    """Every column, in order: the fixed read-only ones, then one per question (required ones marked)."""
    fixed = PUPIL_COLUMNS if definition.is_pupil_list else SINGLE_COLUMNS
    found = [Column(heading, field=field) for heading, field in fixed]
    for question in definition.questions:
        heading = question.label + (REQUIRED_MARK if question.required else "")
        found.append(Column(heading, key=question.key, required=question.required))
    return found


@dataclass(frozen=True)
class Expected:
    """What an upload for one school's submission must be: made for this return, version and school."""

    return_id: int
    version: int
    dfe_number: str
    instance_id: int
    definition: Definition
    title: str

    @property
    def headings(self) -> list[str]:
        return [c.heading for c in columns(self.definition)]
