"""Account activity: approvers see their organisation's events, everyone sees their own account's."""

from __future__ import annotations

from models import accounts, audit


def test_you_see_your_own_account_activity(db, client, sign_in, school, make_user, approver):
    me = make_user(school, name="Molly Me", email="molly@fenland.example.sch.uk")
    someone = make_user(school, name="Sid Else", email="sid@fenland.example.sch.uk")
    accounts.set_services(db, me["id"], {"pride"}, actor=approver, ip="10.0.0.9")
    accounts.set_services(db, someone["id"], {"returns"}, actor=approver)
    sign_in(me)
    account = client.get("/account").get_data(as_text=True)
    assert "/activity/me" in account
    html = client.get("/activity/me").get_data(as_text=True)
    assert "Your account activity" in html and "Signed in" in html
    assert "Services changed" in html and "Added: PRIDE incident returns" in html
    assert "head@fenland.example.sch.uk" in html
    assert "sid@fenland.example.sch.uk" not in html


def test_approvers_see_their_organisations_events_only(db, client, sign_in, school, other_school, make_user,
                                                       approver):
    ours = make_user(school, email="ours@fenland.example.sch.uk")
    theirs = make_user(other_school, email="theirs@ouse.example.sch.uk")
    accounts.suspend(db, ours["id"], "Left", actor=approver)
    accounts.suspend(db, theirs["id"], "Left", actor=None)
    sign_in(approver)
    html = client.get(f"/activity/organisations/{school['id']}").get_data(as_text=True)
    assert "ours@fenland.example.sch.uk" in html and "Reason: Left" in html
    assert "theirs@ouse.example.sch.uk" not in html
    assert client.get(f"/activity/organisations/{other_school['id']}").status_code == 404
    person = client.get(f"/activity/users/{ours['id']}").get_data(as_text=True)
    assert "Account suspended" in person


def test_end_users_cannot_see_the_organisations_events(client, sign_in, school, make_user):
    sign_in(make_user(school))
    assert client.get(f"/activity/organisations/{school['id']}").status_code == 403


def test_paging_newest_first_with_htmx(db, client, sign_in, school, make_user, approver):
    me = make_user(school)
    for n in range(60):
        audit.record(db, "services_changed", actor=approver, organisation_id=school["id"], target=me["email"],
                     detail={"added": [f"s{n}"], "removed": []})
    sign_in(me)
    first = client.get("/activity/me").get_data(as_text=True)
    assert "Added: s59<" in first and "Added: s0<" not in first and "Older" in first
    older = first.split('href="/activity/me?before=')[1].split('"')[0]
    partial = client.get(f"/activity/me?before={older}", headers={"HX-Request": "true"})
    body = partial.get_data(as_text=True)
    assert "<html" not in body and "Added: s0<" in body and "Newer" in body


def test_your_activity_names_what_an_event_was_about(db, client, sign_in, school, make_user, approver):
    """A ``kind:id`` target is shown by what it is called; one that names nothing any more stays as it was."""
    me = make_user(school, name="Molly Me", email="molly@fenland.example.sch.uk")
    someone = make_user(school, name="Sid Else", email="sid@fenland.example.sch.uk")
    audit.record(db, "user_unlocked", actor=me, organisation_id=school["id"], target=f"user:{someone['id']}")
    audit.record(db, "user_unlocked", actor=me, organisation_id=school["id"], target="user:99999")
    sign_in(me)
    html = client.get("/activity/me").get_data(as_text=True)
    assert "Sid Else (sid@fenland.example.sch.uk)" in html and f"user:{someone['id']}<" not in html
    assert "user:99999" in html


def test_coded_details_read_as_words(db, client, sign_in, school, make_user, approver):
    """A failed sign-in's reason, how someone signed in and a role change read as words, not internal codes."""
    me = make_user(school, email="molly@fenland.example.sch.uk")
    audit.record(db, "sign_in_failed", organisation_id=school["id"], target=me["email"],
                 detail={"reason": "wrong_password"})  # fmt: skip
    audit.record(db, "sign_in", actor=me, organisation_id=school["id"], detail={"method": "totp"})
    audit.record(db, "role_changed", actor=approver, organisation_id=school["id"], target=me["email"],
                 detail={"from": "end_user", "to": "approver"})  # fmt: skip
    sign_in(approver)
    html = client.get(f"/activity/organisations/{school['id']}").get_data(as_text=True)
    assert "Reason: wrong password" in html and "How: password and two-step verification code" in html
    assert "From: End user; To: Approver" in html
    assert "wrong_password" not in html and "end_user" not in html and "totp" not in html
