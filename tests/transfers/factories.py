"""Factories for Transfers tests: CTFs from one school of LA 873 to a destination, users with the Transfers
service, and a transfer of another school made through the models (for the cross-organisation test)."""

from __future__ import annotations

import datetime as dt
import io
import secrets

from background.transfer_store import sending
from domain import clock
from domain.validation.identifiers import generate_upn
from models import organisations, services, transfers
from tests.domain.validation.xml_files import CTF_TODAY, ctf_xml, pupil

TODAY = CTF_TODAY  # academic year 2026/27: CTF versions 27.0 and 26.0 are current


def ctf(source: str, dest: str, pupils: list[dict] | None = None, name: str | None = None,
        **header) -> tuple[io.BytesIO, str]:
    """A clean CTF from DfE number ``source`` (``873LLLL`` for the LA) to ``dest`` (``XXXXXXX`` ...), as an upload:
    ``(stream, file name)``; the file name follows the DfE's form unless ``name`` is given."""
    text = ctf_xml(pupils, SourceLEA=source[:3], SourceEstab=source[3:], DestLEA=dest[:3], DestEstab=dest[3:],
                   **header)
    for p in pupils or []:  # xml_files.ctf_xml leaves former UPNs out
        if p.get("FormerUPN"):
            upn = f"<UPN>{p['UPN']}</UPN>"
            text = text.replace(upn, f"{upn}<FormerUPN>{p['FormerUPN']}</FormerUPN>")
    body = text.encode("utf-8")
    return io.BytesIO(body), name or f"{source}_CTF_{dest}_001.xml"


def lost_pupil(serial: int = 7, **changes) -> dict:
    """One pupil with a distinct UPN, name and date of birth (for lost-pupil files)."""
    fields = {"UPN": generate_upn("873", "2001", 2019, serial), "Surname": "Ó'Brien-Smith", "Forename": "Niamh",
              "DOB": "2014-05-04"}
    fields.update(changes)
    return pupil(serial, **fields)


def transfers_user(make_user, organisation: dict, db, role: str = "end_user", **fields) -> dict:
    """A user of ``organisation`` with the Transfers service (approvers have every service anyway)."""
    user = make_user(organisation, role=role, **fields)
    if role != "approver":
        services.set_services(db, user["id"], {"transfers"})
    return user


def other_schools_transfer(db, other_school: dict) -> int:
    """A CTF ``other_school`` sent to its LA, recorded through the models (its file is never read)."""
    la = organisations.get_la(db, other_school["la_code"])
    token = secrets.token_hex(16)
    return transfers.create(
        db, kind="ctf", route="la", sender=other_school, sent_by=None, recipient=la,
        destination=f"{other_school['la_code']}LLLL", original_name="8732002_CTF_873LLLL_001.xml", size=10,
        sha256="0" * 64, stored_name=f"transfers/{token[:2]}/{token[2:]}", wrapped_key=b"x" * 60, key_id="00000000",
        expires_at=clock.now() + dt.timedelta(days=60),
    )  # fmt: skip


def sent_ctf(app, db, sender: dict, dest: str, pupils: list[dict] | None = None, user: dict | None = None) -> int:
    """A clean CTF from ``sender`` to ``dest`` sent through the real pipeline (checked, encrypted, stored); its id.

    Raises AssertionError, with the reason, when it is not sent."""
    source = sender["dfe_number"] if sender["kind"] == "school" else f"{sender['la_code']}LLLL"
    stream, name = ctf(source, dest, pupils)
    outcome = sending.send_ctf(app.config, db, sender=sender, user=user, stream=stream, raw_name=name)
    assert outcome.sent, outcome.reason
    return outcome.transfer_id
