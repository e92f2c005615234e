"""Example local returns, seeded by the demo data and a model for an LA's own: Year 11 intended destinations
(Kent's style of choice list), weekly school meal numbers (with totals that must add up) and the annual
privacy notice confirmation. Each is keyed by the return-catalogue code it collects."""

from __future__ import annotations

from domain.local_returns.definitions import (
    CHOICE,
    CHOICES,
    DATE,
    NUMBER,
    PUPIL_LIST,
    SINGLE_FORM,
    TEXT,
    YES_NO,
    Definition,
    Question,
)

#: Intended destinations after Year 11, as LAs' NEET tracking spreadsheets list them.
DESTINATIONS = (
    "Full-time education: school sixth form", "Full-time education: sixth form college",
    "Full-time education: further education college", "Apprenticeship", "Traineeship or study programme",
    "Supported internship", "Employment with training", "Employment without training", "Moving out of the area",
    "Not yet decided", "Not known",
)  # fmt: skip

Y11_DESTINATIONS = Definition(
    title="Year 11 intended destinations",
    purpose="The LA must know what every young person in its area intends to do after Year 11 (Education and "
            "Skills Act 2008, NEET duties), so that those with no plan are offered help before the summer.",
    shape=PUPIL_LIST, nc_years=("11",),
    questions=(
        Question("destination", "Intended destination", CHOICE, required=True, options=DESTINATIONS,
                 help="What the pupil intends to do in September after Year 11"),
        Question("provider", "Name of college, school or employer", TEXT),
        Question("offer", "Offer received", YES_NO, help="Yes if the pupil has been offered a place"),
        Question("offer_date", "Date of offer", DATE),
        Question("notes", "Notes", TEXT, help="Anything the LA's participation team should know"),
    ),
)  # fmt: skip

MEAL_NUMBERS = Definition(
    title="Weekly school meal numbers",
    purpose="The LA pays the school meals contract on the number of meals served and claims universal infant "
            "free school meals funding from the numbers schools give.",
    shape=SINGLE_FORM, nothing_to_report=True,
    questions=(
        Question("uifsm", "Universal infant free school meals", NUMBER, required=True, minimum=0, maximum=10000),
        Question("fsm", "Benefits-related free school meals", NUMBER, required=True, minimum=0, maximum=10000),
        Question("paid", "Paid meals", NUMBER, required=True, minimum=0, maximum=10000),
        Question("total", "Total meals this week", NUMBER, required=True, minimum=0, sum_of=("uifsm", "fsm", "paid"),
                 help="The three numbers above added together"),
        Question("days_open", "Days the kitchen served meals", NUMBER, required=True, minimum=0, maximum=5),
    ),
)  # fmt: skip

PRIVACY_NOTICE = Definition(
    title="Privacy notice confirmation",
    purpose="Schools must tell parents and pupils how their data is used (UK GDPR articles 13 and 14). The LA "
            "confirms each year that every school has issued an up-to-date privacy notice.",
    shape=SINGLE_FORM,
    questions=(
        Question("issued", "Privacy notice issued this school year", YES_NO, required=True),
        Question("issued_on", "Date issued", DATE, required=True),
        Question("where", "Where it is published", CHOICES,
                 options=("School website", "Newsletter to parents", "Admissions pack", "Noticeboard")),
        Question("address", "Web address of the notice", TEXT),
    ),
)  # fmt: skip

#: Catalogue code -> example definition.
EXAMPLES: dict[str, Definition] = {"Y11-DEST": Y11_DESTINATIONS, "MEALS": MEAL_NUMBERS, "PRIVACY": PRIVACY_NOTICE}
