"""The school summary of a School Census return, as COLLECT shows one beside the findings: pupils, free school
meals, SEN support and EHC plans, English as an additional language, ethnic groups, attendance and absence,
exclusions and leavers, each with the change since the school's previous return when Gatehouse holds one, and
large moves marked for the school to check before submitting.

``summary_rows(figures, previous)`` takes two ``census_content.ContentRules.figures`` dicts (``previous`` may be
None) and returns the rows to show; it never raises on a missing figure (an older version's summary has none).
"""
from __future__ import annotations

#: A change of pupils on roll larger than this share is marked as a large move.
ROLL_CHANGE = 0.10
#: A change of a percentage figure (free school meals, SEN, EAL, an ethnic group) larger than this many points.
POINTS_CHANGE = 10.0


def _percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def _figures(figures: dict) -> list[tuple[str, str, float | int | None]]:
    """Each row's label, kind ("count" or "rate") and value, in the order the summary shows them."""
    get = figures.get
    pupils, possible = get("pupils") or 0, get("sessions_possible") or 0
    authorised, unauthorised = get("sessions_authorised") or 0, get("sessions_unauthorised") or 0
    rows: list[tuple[str, str, float | int | None]] = [
        ("Pupils on roll", "count", pupils),
        ("Free school meals on census day", "rate", _percent(get("fsm") or 0, pupils)),
        ("SEN support", "rate", _percent(get("sen_support") or 0, pupils)),
        ("Education, health and care plan", "rate", _percent(get("ehc_plan") or 0, pupils)),
        ("English as an additional language", "rate", _percent(get("eal") or 0, pupils)),
    ]
    rows += [(f"Ethnic group: {group}", "rate", _percent(count, pupils))
             for group, count in (get("ethnic_groups") or {}).items()]
    rows += [
        ("Overall absence (of sessions possible)", "rate", _percent(authorised + unauthorised, possible)),
        ("Authorised absence", "rate", _percent(authorised, possible)),
        ("Unauthorised absence", "rate", _percent(unauthorised, possible)),
        ("Suspensions", "count", get("suspensions") or 0),
        ("Permanent exclusions", "count", get("permanent_exclusions") or 0),
        ("Pupils no longer on roll", "count", get("leavers") or 0),
    ]
    return rows


def _row(label: str, kind: str, value, before) -> dict:
    """One row's texts and whether its change is large."""
    row = {"label": label, "previous": "", "change": "", "large": False}
    if kind == "count":
        row["value"] = f"{value:,}"
        if before is not None:
            row["previous"], row["change"] = f"{before:,}", f"{value - before:+,}"
            if label == "Pupils on roll" and before and abs(value - before) / before > ROLL_CHANGE:
                row["large"] = True
                row["change"] += f" ({(value - before) / before:+.0%})"
        return row
    row["value"] = "none possible" if value is None else f"{value:.1f}%"
    if before is not None:
        row["previous"] = f"{before:.1f}%"
        if value is not None:
            row["change"] = f"{value - before:+.1f} points"
            row["large"] = abs(value - before) > POINTS_CHANGE
    return row


def summary_rows(figures: dict | None, previous: dict | None = None) -> list[dict]:
    """Rows ``{"label", "value", "previous", "change", "large"}`` (texts; ``previous`` and ``change`` "" when
    there is nothing to compare with; ``large`` True for a move the school should check: pupils on roll by more
    than 10%, a percentage by more than 10 points). Empty when ``figures`` is empty (not a census)."""
    if not figures:
        return []
    before = {label: value for label, _, value in _figures(previous)} if previous else {}
    return [_row(label, kind, value, before.get(label)) for label, kind, value in _figures(figures)]


#: The figures compared term on term for queries: (rule, field, row label).
TERM_ON_TERM = (("tont-roll", "PupilsOnRoll", "Pupils on roll"),
                ("tont-fsm", "FSMperiod", "Free school meals on census day"),
                ("tont-ehc-plan", "SENprovision", "Education, health and care plan"),
                ("tont-sen-support", "SENprovision", "SEN support"),
                ("tont-eal", "Language", "English as an additional language"))


def term_on_term(figures: dict, previous: dict) -> list[tuple[str, str, dict]]:
    """The large moves since ``previous`` as query findings to add: ``(rule, field, context)`` with ``before``,
    ``now`` and ``change`` texts (the rules ``tont-*``)."""
    rows = {r["label"]: r for r in summary_rows(figures, previous)}
    found = []
    for rule, field, label in TERM_ON_TERM:
        row = rows.get(label)
        if row and row["large"]:
            found.append((rule, field, {"before": row["previous"], "now": row["value"], "change": row["change"]}))
    return found
