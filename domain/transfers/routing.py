"""Where a CTF goes, from its header's destination (which the validator has checked against the file name).

DfE conventions (DOMAIN.md §3–4): a school is ``LLL`` + ``EEEE``; an LA as sender or receiver is
``LLL`` + ``LLLL``; ``XXXXXXX`` means the destination is unknown (a lost pupil, for the LA's lost
pupils store); ``MMMMMMM`` means the pupil left the maintained sector (abroad, independent school,
home education), for the LA's list of leavers.
"""

from __future__ import annotations

from dataclasses import dataclass

LOST_PUPIL = "XXXXXXX"
LEFT_SECTOR = "MMMMMMM"
LA_ESTAB = "LLLL"

SCHOOL = "school"
LA = "la"
LOST = "lost_pupil"
LEFT = "left_sector"
OTHER_LA = "other_la"
ROUTES = (SCHOOL, LA, LOST, LEFT, OTHER_LA)


@dataclass(frozen=True)
class Destination:
    """Where a CTF addressed to ``dfe_number`` goes: ``route`` is one of ROUTES; ``la_code`` is the LA named."""

    route: str
    dfe_number: str
    la_code: str


def destination_of(header_destination: str, our_la: str) -> Destination:
    """The route of a CTF whose header names ``header_destination`` (DestSchool LEA + Estab), sent in LA ``our_la``.

    A school or LA of another LA goes to ``other_la`` (held for our LA to forward through the DfE's
    S2S). Raises ValueError when the destination is none of the forms above (the validator reports
    that as an error first).
    """
    text = header_destination.strip().upper()
    if text == LOST_PUPIL:
        return Destination(LOST, text, our_la)
    if text == LEFT_SECTOR:
        return Destination(LEFT, text, our_la)
    if len(text) != 7 or not text[:3].isdigit() or not (text[3:].isdigit() or text[3:] == LA_ESTAB):
        raise ValueError(f"{header_destination!r} is not a CTF destination")
    la_code = text[:3]
    if la_code != our_la:
        return Destination(OTHER_LA, text, la_code)
    return Destination(LA if text[3:] == LA_ESTAB else SCHOOL, text, la_code)


def shown_dfe_number(dfe_number: str) -> str:
    """A DfE number as people write it: ``873/2002``, ``873/LLLL``; the two special destinations as they are."""
    if len(dfe_number) == 7 and dfe_number[:3].isdigit():
        return f"{dfe_number[:3]}/{dfe_number[3:]}"
    return dfe_number
