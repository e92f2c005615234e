"""The fixed lists an incident report chooses from (code -> label), in the order forms show them.

The nine protected characteristics of the Equality Act 2010 are statutory and fixed here; the LA adds
non-statutory ones (appearance, SEN, ...) in the ``pride_characteristics`` table, seeded with
:data:`SEEDED_LOCAL_CHARACTERISTICS`.
"""

from __future__ import annotations

#: The Equality Act 2010's protected characteristics (statutory; always offered).
PROTECTED_CHARACTERISTICS: dict[str, str] = {
    "age": "Age",
    "disability": "Disability",
    "gender_reassignment": "Gender reassignment",
    "marriage": "Marriage and civil partnership",
    "pregnancy": "Pregnancy and maternity",
    "race": "Race",
    "religion": "Religion or belief",
    "sex": "Sex",
    "sexual_orientation": "Sexual orientation",
}

#: Non-statutory characteristics an LA commonly asks about (seeded; the LA may add or retire them).
SEEDED_LOCAL_CHARACTERISTICS: dict[str, str] = {
    "appearance": "Appearance",
    "sen": "Special educational needs",
    "socio_economic": "Socio-economic status",
    "extremist_views": "Extremist views",
}

TIME_BANDS: dict[str, str] = {
    "before_school": "Before school",
    "morning": "Morning lessons",
    "break": "Break or lunchtime",
    "afternoon": "Afternoon lessons",
    "after_school": "After school",
    "evening_weekend": "Evening or weekend",
    "unknown": "Not known",
}

LOCATIONS: dict[str, str] = {
    "classroom": "Classroom",
    "corridor": "Corridor",
    "playground": "Playground",
    "toilets": "Toilets",
    "dining": "Dining area",
    "journey": "Journey to or from school",
    "online": "Online",
    "off_site": "Off site",
    "other": "Other",
}

INCIDENT_TYPES: dict[str, str] = {
    "verbal": "Verbal",
    "physical": "Physical",
    "online": "Online or cyber",
    "written": "Written",
    "graffiti": "Graffiti",
    "damage": "Damage to property",
    "exclusion": "Exclusion or ostracism",
    "threat": "Threat",
    "other": "Other",
}

CAME_TO_LIGHT: dict[str, str] = {
    "target": "Told by the person targeted",
    "witness_pupil": "Told by another pupil",
    "staff": "Seen or heard by staff",
    "parent": "Told by a parent or carer",
    "online": "Found online",
    "other": "Other",
}

ACTIONS: dict[str, str] = {
    "restorative": "Restorative work",
    "sanction": "Sanction",
    "parents_informed": "Parents or carers informed",
    "police": "Police informed",
    "other_agency": "Other agency involved",
    "target_support": "Support for the person targeted",
    "education": "Education work with those responsible",
    "other": "Other",
}

#: Roles of people targeted or responsible. Pupils are counted by year group; the others as one count each.
ROLES: dict[str, str] = {
    "pupil": "Pupil",
    "staff": "Staff",
    "parent": "Parent or carer",
    "visitor": "Visitor",
    "unknown": "Not known",
}
OTHER_ROLES = tuple(r for r in ROLES if r != "pupil")

#: Year groups of pupils: -1 nursery, 0 Reception, 1..13.
YEAR_GROUPS: dict[int, str] = {-1: "Nursery", 0: "Reception", **{n: f"Year {n}" for n in range(1, 14)}}

SIDES: dict[str, str] = {"targeted": "Targeted", "responsible": "Responsible"}

#: Most people of one role on one side of one incident (a count above this is a typing slip).
MAX_PEOPLE = 200


def year_group_label(year_group: int | None) -> str:
    """``Year 7``, ``Reception``; empty for None."""
    return "" if year_group is None else YEAR_GROUPS.get(year_group, f"Year {year_group}")
