"""Services granted to users, and who can use a service at an organisation."""

from __future__ import annotations

import pytest

from models import services


def test_end_user_has_only_granted_services(db, school, make_user):
    user = make_user(school)
    assert services.effective(db, user) == set()
    services.set_services(db, user["id"], {"returns", "pride"})
    assert services.effective(db, user) == {"returns", "pride"}


def test_approver_has_every_service(db, school, make_user):
    assert services.effective(db, make_user(school, role="approver")) == set(services.SERVICES)


def test_unknown_service_is_refused_and_nothing_changes(db, school, make_user):
    user = make_user(school)
    services.set_services(db, user["id"], {"returns"})
    with pytest.raises(ValueError, match="unknown services"):
        services.set_services(db, user["id"], {"returns", "payroll"})
    assert services.granted(db, user["id"]) == {"returns"}


def test_users_with_service_includes_approvers_and_excludes_others(db, school, other_school, make_user):
    approver = make_user(school, role="approver", name="Ann Approver")
    granted = make_user(school, name="Greta Granted")
    services.set_services(db, granted["id"], {"deadlines"})
    make_user(school, name="Norm None")
    elsewhere = make_user(other_school, name="Elsie Elsewhere")
    services.set_services(db, elsewhere["id"], {"deadlines"})
    names = [u["name"] for u in services.users_with_service(db, school["id"], "deadlines")]
    assert names == [approver["name"], granted["name"]]
