"""Generate docs/rules.md from the rule catalogue.

Run ``python -m domain.validation.rules_doc`` after changing ``domain/validation/rules.py``; a test fails
while the committed file differs from what this generates. ``--check`` only compares.
"""
from __future__ import annotations

import sys
from pathlib import Path

from domain.validation.code_lists import cbds_years
from domain.validation.rules import RULES, Rule

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
_APPLIES = {"census": "School Census", "ctf": "CTF", "workforce": "School Workforce Census",
            "both": "School Census and CTF", "all": "School Census, School Workforce Census and CTF"}


def render_rules_doc() -> str:
    """The full text of docs/rules.md for the current catalogue."""
    lines = [
        "# Validation rules",
        "",
        "Generated from `domain/validation/rules.py` by `python -m domain.validation.rules_doc`: edit the catalogue, "
        "not this file.",
        "",
        "An **error** must be fixed before a return can be submitted. A **query** flags unusual data: "
        "fix it or explain it in a note. Numbers follow the DfE's school census numbering (queries end "
        "in `Q`); rules with no DfE number have a short name. School Workforce Census rules are numbered "
        "7000-7299, a range of Gatehouse's own (not the DfE's numbers). In messages, `{field}` is the element "
        "name and `{value}` the value found.",
        "",
        "Rules that name a code list check values against the DfE's Common Basic Data Set code sets, kept as "
        "data in `data/cbds/<yyyy-yy>.json`, one file per academic year: a return is checked against the lists of "
        "the academic year of its census day (the latest earlier year held when that year has no file). Years "
        f"held: {', '.join(f'{y}-{(y + 1) % 100:02d}' for y in cbds_years())}. Where each list came from: "
        "[docs/code_lists.md](code_lists.md).",
        "",
        "| Rule | Severity | Scope | Files | Checks |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [f"| [{r.id}](#{_anchor(r)}) | {r.severity} | {r.scope} | {_APPLIES[r.applies_to]} | {r.title} |"
              for r in RULES.values()]
    for rule in RULES.values():
        lines += ["", f"## {rule.id}: {rule.title}", "",
                  f"{rule.severity.capitalize()}, {rule.scope} level, {_APPLIES[rule.applies_to]}.", "",
                  f"Message: {rule.message}", "", f"How to fix: {rule.fix}"]
        if rule.code_list:
            lines += ["", f"Code list: `{rule.code_list}` in `data/cbds/<yyyy-yy>.json`."]
    return "\n".join(lines) + "\n"


def _anchor(rule: Rule) -> str:
    """The GitHub-style anchor of a rule's heading."""
    heading = f"{rule.id}: {rule.title}".lower()
    kept = "".join(ch for ch in heading if ch.isalnum() or ch in " -")
    return kept.replace(" ", "-")


def main(argv: list[str]) -> int:
    """Write docs/rules.md (or with --check, return 1 if it is out of date)."""
    text = render_rules_doc()
    if "--check" in argv:
        current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else ""
        return 0 if current == text else 1
    DOC_PATH.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
