"""Static analysis of the code that runs in the service: bandit, and semgrep with Gatehouse's own rules.

Scanned: ``SCANNED``. Not scanned: tests/, bench/, tools/ and scripts/, which never run in the service
(test and measurement code asserts, starts processes and uses fixed passwords on purpose).

Both must find nothing. A site that is safe for a reason the tool cannot see is waived on its line,
``# nosec B608`` for bandit, ``# nosemgrep: <rule id>`` for semgrep (on the line or alone on the line
above), always with the reason in a comment beside it; ``test_every_waiver_gives_its_reason`` holds
them to that. semgrep runs offline: only the local rules file (tests/reliability/static_analysis/
semgrep.yml), ``--metrics=off``, no version check. Each rule is proved on bad_code.py beside it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent / "static_analysis"
RULES = HERE / "semgrep.yml"
BAD_CODE = HERE / "bad_code.py"
BAD_PATH = str(BAD_CODE.relative_to(ROOT))
SEMGREP = ROOT / ".venv-semgrep" / "bin" / "semgrep"
BANDIT = Path(sys.executable).with_name("bandit")
SCANNED = ("app.py", "settings.py", "views", "forms", "models", "migrations", "domain", "background", "web",
           "commands", "backup")  # fmt: skip
RULE_IDS = ("lxml-unsafe-option", "template-from-string", "sql-format", "send-file-inline", "open-redirect")
SECONDS = 300

#: What a waiver names: ``nosec B608`` (bandit), ``nosemgrep: sql-format`` (semgrep).
_TAGS = re.compile(r"nosec( B\d{3})*|nosemgrep(: [a-z-]+(, [a-z-]+)*)?")
_BAD_MARK = re.compile(r"# bad: ([a-z-]+)$")


def _python_files() -> list[Path]:
    found = []
    for name in SCANNED:
        path = ROOT / name
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


@pytest.fixture(scope="module")
def semgrep(tmp_path_factory) -> dict:
    """One semgrep run over the scanned code and bad_code.py: ``{"findings": [...], "errors": [...], "seconds"}``."""
    assert SEMGREP.exists(), f"{SEMGREP} is missing: `make reliability` installs it (requirements-semgrep.txt)"
    home = tmp_path_factory.mktemp("semgrep-home")
    env = {**os.environ, "HOME": str(home), "SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    began = time.monotonic()
    done = subprocess.run(
        [str(SEMGREP), "scan", "--config", str(RULES), "--metrics=off", "--disable-version-check", "--no-git-ignore",
         "--json", "--quiet", *SCANNED, BAD_PATH],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=SECONDS,
    )  # fmt: skip
    report = json.loads(done.stdout)
    return {
        "findings": [
            {"rule": r["check_id"].rsplit(".", 1)[-1], "path": r["path"], "line": r["start"]["line"]}
            for r in report["results"]
        ],
        "errors": report["errors"],
        "seconds": time.monotonic() - began,
    }


def test_semgrep_finds_nothing_in_the_service_code(semgrep, record_property):
    record_property("semgrep seconds", round(semgrep["seconds"], 1))
    assert semgrep["errors"] == []
    found = [f"{f['path']}:{f['line']} {f['rule']}" for f in semgrep["findings"] if f["path"] != BAD_PATH]
    assert found == [], "fix these, or waive each on its line with the reason:\n" + "\n".join(found)


@pytest.mark.parametrize("rule", RULE_IDS)
def test_the_rule_finds_every_bad_line_and_nothing_else(semgrep, rule):
    lines = BAD_CODE.read_text().splitlines()
    marks = {n: _BAD_MARK.search(line.split("  # noqa")[0]) for n, line in enumerate(lines, 1)}
    marked = {n for n, mark in marks.items() if mark and mark[1] == rule}
    found = {f["line"] for f in semgrep["findings"] if f["rule"] == rule and f["path"] == BAD_PATH}
    assert marked, f"bad_code.py has no line marked '# bad: {rule}'"
    assert found == marked, f"missed lines {sorted(marked - found)}, wrongly found {sorted(found - marked)}"


def test_bandit_finds_nothing_in_the_service_code(record_property):
    began = time.monotonic()
    done = subprocess.run([str(BANDIT), "--quiet", "--recursive", "--format", "json", *SCANNED], cwd=ROOT,
                          capture_output=True, text=True, timeout=SECONDS)  # fmt: skip
    record_property("bandit seconds", round(time.monotonic() - began, 1))
    report = json.loads(done.stdout)
    assert report["errors"] == []
    found = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in report["results"]]
    assert found == [], "fix these, or waive each on its line with # nosec BXXX and the reason:\n" + "\n".join(found)


def _comments(path: Path) -> dict[int, tuple[str, bool]]:
    """Line number -> (the comment on it, whether the line is only that comment)."""
    found = {}
    with path.open("rb") as source:
        for token in tokenize.tokenize(source.readline):
            if token.type == tokenize.COMMENT:
                found[token.start[0]] = (token.string, not token.line[: token.start[1]].strip())
    return found


def _reason(comment: str) -> str:
    return _TAGS.sub("", comment).strip(" #-:;,")


def test_every_waiver_gives_its_reason():
    """A waiver names what it waives (``nosec B608``, ``nosemgrep: sql-format``) and says why: in the same
    comment, or once for a run of waived lines (on one of them, or in a comment standing alone above the run)."""
    bare = []
    for path in _python_files():
        comments = _comments(path)
        for n, (comment, _) in comments.items():
            if "nosec" not in comment and "nosemgrep" not in comment:
                continue
            unnamed = re.search(r"nosec(?! B\d{3})|nosemgrep(?!: [a-z])", comment)
            said = len(_reason(comment).split()) >= 2
            above = n - 1
            while not said and above in comments and _TAGS.search(comments[above][0]) and not comments[above][1]:
                said = len(_reason(comments[above][0]).split()) >= 2  # a run of waived lines shares one reason
                above -= 1
            said = said or (above in comments and comments[above][1] and len(_reason(comments[above][0]).split()) >= 2)
            if unnamed or not said:
                bare.append(f"{path.relative_to(ROOT)}:{n}: {comment}")
    assert bare == [], "waivers without what they waive or why:\n" + "\n".join(bare)
