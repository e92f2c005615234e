"""The result of validating one file: findings, counts and a data summary for sanity checks."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from domain.validation.dates import age_on
from domain.validation.rules import ERROR, QUERY, get_rule


class PupilRef(NamedTuple):
    """Which pupil (or member of staff) a finding is about: 1-based position in the file (None for a pupil no
    longer on roll), UPN (a staff member's TRN, else NI number) and name as given."""

    position: int | None
    upn: str
    name: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found. ``pupil`` is the pupil's 1-based position in the file (None for a
    problem with the file as a whole); ``message`` and ``fix`` are plain English."""

    rule: str
    severity: str
    scope: str
    field: str
    value: str
    message: str
    fix: str
    pupil: int | None = None
    upn: str = ""
    name: str = ""

    def to_json_dict(self) -> dict:
        """The finding as JSON-ready data (the keys the web layer and CLI promise)."""
        return {"rule": self.rule, "severity": self.severity, "scope": self.scope, "upn": self.upn,
                "field": self.field, "value": self.value, "message": self.message,
                "name": self.name, "pupil": self.pupil, "fix": self.fix}


@dataclass
class Summary:
    """Figures for a quick sanity check of the data: pupils by national curriculum year group
    and sex (staff by post and sex, for a workforce return: the "year" is then the post code), and
    the youngest and oldest age on ``age_on`` (census day, or the day a CTF was checked)."""

    age_on: dt.date | None = None
    counts: dict[tuple[str, str, dt.date | None], int] = field(default_factory=dict)
    #: A School Census return's school summary figures (``census_content.ContentRules.figures``); empty otherwise.
    figures: dict = field(default_factory=dict)

    def add(self, year: str | None, sex: str | None, dob: dt.date | None) -> None:
        """Count one pupil. A missing year group or sex is counted as "unknown"; ages are worked
        out from the dates of birth only when asked for."""
        key = (year or "unknown", sex if sex == "M" or sex == "F" else "unknown", dob)
        self.counts[key] = self.counts.get(key, 0) + 1

    def _ages(self) -> list[int]:
        """The distinct ages on ``age_on`` of pupils with a usable date of birth."""
        if self.age_on is None:
            return []
        dobs = {dob for _, _, dob in self.counts if dob is not None}
        return [age_on(dob, self.age_on) for dob in dobs]

    @property
    def by_year_and_sex(self) -> dict[str, dict[str, int]]:
        """Pupils per year group (in school order), then per sex (F, M, unknown)."""
        table: dict[str, dict[str, int]] = {}
        for (year, sex, _), count in self.counts.items():
            row = table.setdefault(year, {})
            row[sex] = row.get(sex, 0) + count
        return {year: dict(sorted(table[year].items())) for year in sorted(table, key=year_group_order)}

    @property
    def min_age(self) -> int | None:
        """The youngest pupil's age, or None when no pupil had a usable date of birth."""
        return min(self._ages(), default=None)

    @property
    def max_age(self) -> int | None:
        """The oldest pupil's age, or None when no pupil had a usable date of birth."""
        return max(self._ages(), default=None)

    def to_json_dict(self) -> dict:
        """The summary as JSON-ready data."""
        data = {"age_on": self.age_on.isoformat() if self.age_on else None,
                "by_year_and_sex": self.by_year_and_sex, "min_age": self.min_age, "max_age": self.max_age}
        if self.figures:
            data["figures"] = self.figures
        return data


def shown_value(text: str) -> str:
    """How a value appears inside a message: quoted, or the word "blank" when empty."""
    return f"'{text}'" if text else "blank"


_EARLY_YEARS = {"E1": -4, "E2": -3, "N1": -2, "N2": -1, "R": 0}


def year_group_order(year: str) -> tuple[int, str]:
    """Sort key putting year groups in school order: E1, E2, N1, N2, R, 1..14, then others."""
    if year in _EARLY_YEARS:
        return (_EARLY_YEARS[year], year)
    if year.isdigit():
        return (int(year), year)
    return (100, year)


@dataclass
class Report:
    """Everything found in one file.

    ``kind`` is "census", "workforce" or "ctf"; ``pupils`` the number of pupil records validated
    (staff records, for a workforce return);
    ``header`` the header values read (e.g. LEA, Estab, Term; for a CTF the source and
    destination); ``findings`` in file order, problems with the file as a whole first.
    """

    kind: str
    pupils: int = 0
    findings: list[Finding] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)
    header: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        """How many findings are errors (each must be fixed before submission)."""
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def queries(self) -> int:
        """How many findings are queries (each needs fixing or a note)."""
        return sum(1 for f in self.findings if f.severity == QUERY)

    def add(self, rule_id: str, field: str, value: object = "", pupil: PupilRef | None = None,
            **context: object) -> Finding:
        """Record a finding of rule ``rule_id`` about ``field`` holding ``value`` (for ``pupil``,
        or the whole file when None). ``context`` fills the rule's extra template keys.
        Raises KeyError for an unknown rule or a missing template key."""
        rule = get_rule(rule_id)
        text = "" if value is None else str(value)
        finding = Finding(rule=rule.id, severity=rule.severity, scope=rule.scope, field=field, value=text,
                          message=rule.render(field=field, value=shown_value(text), **context), fix=rule.fix,
                          pupil=pupil.position if pupil else None,
                          upn=pupil.upn if pupil else "", name=pupil.name if pupil else "")
        self.findings.append(finding)
        return finding

    def sort_findings(self) -> None:
        """Put problems with the whole file first, then pupils in file order, then pupils no longer on roll
        (findings with a UPN or name but no position), each in file order (stable)."""
        self.findings.sort(key=lambda f: f.pupil if f.pupil is not None else (-1 if not (f.upn or f.name) else 1 << 40))

    def counts_by_rule(self) -> dict[str, int]:
        """How many findings each rule produced, most frequent first."""
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.rule] = counts.get(f.rule, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def to_json_dict(self) -> dict:
        """``{"kind", "pupils", "errors", "queries", "findings": [...]}`` ready for json.dumps."""
        return {"kind": self.kind, "pupils": self.pupils, "errors": self.errors, "queries": self.queries,
                "findings": [f.to_json_dict() for f in self.findings]}
