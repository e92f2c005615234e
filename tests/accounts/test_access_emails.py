"""Every access change emails the person affected, through a real SMTP server on loopback."""

from __future__ import annotations

import pytest

from models import accounts, users
from models.db import transaction

# action -> (how to do it on the web, the subject the affected person receives)
CHANGES = {
    "suspend": (lambda c, u: c.post(f"/users/{u['id']}/suspend", data={"reason": "Left"}), "suspended"),
    "services": (lambda c, u: c.post(f"/users/{u['id']}/services", data={"services": ["pride"]}),
                 "your services have changed"),
    "promote": (lambda c, u: c.post(f"/users/{u['id']}/role", data={"role": "approver"}), "you are now an approver"),
    "remove": (lambda c, u: c.post(f"/users/{u['id']}/remove"), "your account has been removed"),
    "unlock": (lambda c, u: c.post(f"/users/{u['id']}/unlock"), "your account has been unlocked"),
    "reset_2fa": (lambda c, u: c.post(f"/users/{u['id']}/reset-two-step-verification"),
                  "your two-step verification was reset"),
}


@pytest.fixture
def target(db, school, make_user):
    user = make_user(school, email="affected@fenland.example.sch.uk", name="Ada Affected")
    for _ in range(3):
        users.record_failed_sign_in(db, user["id"], threshold=3, minutes=30)
    with transaction(db):
        users.enrol_totp(db, user["id"], "JBSWY3DPEHPK3PXP", 1)
    return user


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_the_person_affected_is_emailed(client, sign_in, approver, target, smtp_server, name):
    do, subject = CHANGES[name]
    sign_in(approver)
    smtp_server.messages.clear()
    assert do(client, target).status_code == 302
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == target["email"] and subject in mail["Subject"]
    assert "Hana Head (head@fenland.example.sch.uk)" in mail.get_content()


def test_reactivation_and_demotion_too(db, client, sign_in, school, approver, target, smtp_server):
    accounts.suspend(db, target["id"], "Away", actor=approver)
    sign_in(approver)
    smtp_server.messages.clear()
    subjects = []
    for path, data in ((f"/users/{target['id']}/reactivate", {}), (f"/users/{target['id']}/role", {"role": "approver"}),
                       (f"/users/{target['id']}/role", {"role": "end_user"})):
        client.post(path, data=data)
        [mail] = smtp_server.wait_for(1)  # one at a time: background sends may arrive in any order
        assert mail["To"] == target["email"]
        subjects.append(mail["Subject"].split(": ", 1)[1])
        smtp_server.messages.clear()
    assert subjects == ["your account is active again", "you are now an approver", "you are now an end user"]
