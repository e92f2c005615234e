"""Factories for PRIDE tests: an incident's data as the form gives it, a reported incident, and another
school's incident (for the cross-organisation route test)."""

from __future__ import annotations

import datetime as dt

from models import pride
from models.db import one


def characteristic_id(db, code: str) -> int:
    return one(db, "SELECT id FROM pride_characteristics WHERE code = ?", (code,))["id"]


def incident_data(db, **overrides) -> dict:
    """A complete incident (a racist remark in a Year 7 classroom, one pupil targeted, two responsible)."""
    data = {
        "occurred_on": dt.date(2026, 10, 14),
        "time_band": "morning",
        "location": "classroom",
        "location_other": None,
        "came_to_light": "target",
        "description": "A racist remark during a lesson",
        "action_details": None,
        "follow_up_on": None,
        "outcome": None,
        "characteristics": [characteristic_id(db, "race")],
        "types": ["verbal"],
        "actions": ["parents_informed", "restorative"],
        "people": [
            {"side": "targeted", "role": "pupil", "year_group": 7, "people": 1},
            {"side": "responsible", "role": "pupil", "year_group": 7, "people": 2},
        ],
    }
    return {**data, **overrides}


def reported_incident(db, school: dict, actor: dict, **overrides) -> dict:
    """Report an incident for ``school`` (made by ``actor``) and return it."""
    return pride.save_incident(db, school=school, data=incident_data(db, **overrides), report=True, actor=actor)[
        "incident"
    ]


def other_schools_incident(db, other_school: dict) -> int:
    """A draft incident of ``other_school``; returns its id."""
    actor = one(db, "SELECT * FROM users WHERE organisation_id = ?", (other_school["id"],))
    data = incident_data(db)
    return pride.save_incident(db, school=other_school, data=data, report=False, actor=actor)["incident"]["id"]
