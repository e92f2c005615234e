"""Command-line duplicate check over a set of census files: ``main(paths, fmt, out) -> exit code``.

Nothing is stored. Each file's school is read from its header. Exit codes: 0 no cases, 1 cases found,
2 a file refused (every refused file is named with its one-line reason; no cases are given then) or two
files from the same school. The Flask command ``flask --app app duplicates check FILE...`` calls ``main``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from domain.duplicates.detect import KIND_LABELS, RULES, Case, find_cases
from domain.duplicates.files import CensusRoll, read_census_roll
from domain.validation.file_names import base_name
from domain.validation.safe_xml import DEFAULT_MAX_BYTES, FileRefused

EXIT_NONE, EXIT_CASES, EXIT_REFUSED = 0, 1, 2


def _read_all(paths: Sequence[str | os.PathLike], max_bytes: int) -> tuple[list[CensusRoll], list[str]]:
    rolls, problems, seen = [], [], {}
    for path in paths:
        name = base_name(os.fspath(path))
        try:
            roll = read_census_roll(path, max_bytes=max_bytes)
        except FileRefused as refused:
            problems.append(f"{name}: refused. {refused.reason}")
            continue
        except OSError as error:
            problems.append(f"{name}: refused. It cannot be read ({error.strerror or error}).")
            continue
        if roll.school in seen:
            problems.append(
                f"{name}: refused. {seen[roll.school]} is also school {roll.school}'s return: give one file per school."
            )
            continue
        seen[roll.school] = name
        rolls.append(roll)
    return rolls, problems


def main(
    paths: Sequence[str | os.PathLike], fmt: str = "text", out: TextIO = sys.stdout, max_bytes: int = DEFAULT_MAX_BYTES
) -> int:
    """Find duplicate pupils across the census files at ``paths`` and write them to ``out`` as text or JSON
    (``{"schools", "pupils", "cases": [{"kind", "rule", "upns", "schools", "matched", ...}]}``).

    Returns 0 with no cases, 1 with cases, 2 when a file is refused. Never raises for a bad file.
    """
    rolls, problems = _read_all(paths, max_bytes)
    if problems:
        if fmt == "json":
            out.write(json.dumps({"refused": problems}, indent=1, ensure_ascii=False) + "\n")
        else:
            out.write("\n".join(problems) + "\n")
        return EXIT_REFUSED
    cases = find_cases(entry for roll in rolls for entry in roll.entries)
    pupils = sum(len(roll.entries) for roll in rolls)
    if fmt == "json":
        doc = {"schools": len(rolls), "pupils": pupils, "cases": [case.to_json_dict() for case in cases]}
        out.write(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    else:
        out.write(format_text(cases, len(rolls), pupils))
    return EXIT_CASES if cases else EXIT_NONE


def format_text(cases: list[Case], schools: int, pupils: int) -> str:
    """Every case in words: kind, rule, UPNs, schools, each member's record and what matched."""
    lines = [f"{schools} school(s), {pupils} pupil(s) on roll: {len(cases)} duplicate case(s)"]
    for number, case in enumerate(cases, 1):
        lines += [
            "",
            f"{number}. {KIND_LABELS[case.kind]} ({case.rule}): UPN {', '.join(case.upns) or 'none'} "
            f"at {', '.join(str(s) for s in case.schools)}",
            f"   {RULES[case.rule]}",
            f"   Matched: {', '.join(case.matched) or 'nothing else'}; postcode {case.postcode_evidence}",
        ]
        for m in case.members:
            lines.append(
                f"   - {m.school}: {m.upn or 'no UPN'} {m.surname or ''}, {m.forename or ''}, born "
                f"{m.dob or 'unknown'}, {m.sex or '?'}, status {m.enrol_status or '?'}, "
                f"entered {m.entry_date or 'unknown'}"
            )
    return "\n".join(lines) + "\n"
