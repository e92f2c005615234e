"""The check every browser test runs on its pages: no axe-core violations and no CSP violations.

axe-core comes from npm's ``axe-core`` and is evaluated over the DevTools protocol, so our CSP
stays in force. ``CSP_RECORDER`` is the init script that records CSP violations in each page.
"""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def check_page(page, *, rules_off: tuple[str, ...] = ()) -> None:
    """Assert the current page has no axe-core violations and no CSP violations.

    Waits for the page's load event first: a click on a link starts the navigation and returns
    while the new document may still be empty (CI once checked /oversight before its body arrived).
    """
    page.wait_for_load_state("load")
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    options = {"rules": {rule: {"enabled": False} for rule in rules_off}}
    result = page.evaluate("async (options) => await axe.run(document, options)", options)
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert not problems, f"axe-core violations on {page.url}:\n" + "\n".join(problems)
    violations = page.evaluate("window.__cspViolations")
    assert not violations, f"CSP violations on {page.url}: {violations}"
