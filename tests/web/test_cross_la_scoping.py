"""No route lets an LA user act on another LA's objects.

``test_organisation_scoping`` asks every route as an approver of a school; this asks them as an approver of ANOTHER
LA (LA staff with every service: the LA user routes let them in), with the same factories' objects of a school of the
first LA, and expects 403 or 404 every time, so a route that checks the user's role or service but not their LA is
caught the moment it is registered.
"""

from __future__ import annotations

from models import organisations, services
from tests.web.test_organisation_scoping import leaking_routes, scoping_context

__all__ = ["scoping_context"]  # the fixture, shared with test_organisation_scoping

# Routes whose objects are one list for the whole installation, not per LA (route -> why).
SHARED_BY_EVERY_LA = {
    # The characteristics PRIDE incidents are reported against are one list (the nine statutory ones and those
    # LAs add), not one per LA, so any LA user of PRIDE may offer or withdraw one (one list per LA needs a migration).
    "pride.toggle_characteristic": "one list of characteristics for every LA",
}


def test_no_route_answers_another_las_objects_to_an_la_user(app, client, sign_in, make_user, scoping_context):
    db = scoping_context["db"]
    elsewhere = organisations.ensure_la(db, "885", "Worcestershire")
    me = make_user(elsewhere, role="approver", email="approver@885.example.gov.uk")
    services.set_services(db, me["id"], ["deadlines", "returns", "pride", "transfers", "local_returns"])
    assert sign_in(me).status_code == 200
    for endpoint in ("transfers.oversight", "pride.la_report", "local_returns.new_return", "messages.bulk"):
        with app.test_request_context():
            assert client.get(app.url_for(endpoint)).status_code == 200, f"{endpoint}: not an LA user of it"
    leaks = leaking_routes(app, client, scoping_context, frozenset(SHARED_BY_EVERY_LA))
    assert not leaks, "routes answering another LA's objects to an LA user:\n" + "\n".join(leaks)
