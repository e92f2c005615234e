"""The DfE's file naming conventions for census returns and CTFs."""
from __future__ import annotations

import os
import re
from typing import NamedTuple

CENSUS_NAME_FORM = "LLLEEEE_SCn_LLLLLyy_nnn.XML"
CTF_NAME_FORM = "LLLSSSS_CTF_LLLDDDD_NNN.xml"

_CENSUS_NAME = re.compile(r"([0-9]{7})_SC[0-9]_[0-9]{3}LL[0-9]{2}_[0-9]{3}\.xml", re.IGNORECASE)
_CTF_NAME = re.compile(
    r"([0-9]{3}(?:[0-9]{4}|LLLL))_CTF_((?:[0-9]{3}|XXX|MMM)(?:[0-9]{4}|XXXX|MMMM|LLLL))_[0-9]{3}\.xml",
    re.IGNORECASE,
)


class CtfName(NamedTuple):
    """The parts of a CTF file name: source and destination DfE numbers (upper case)."""

    source: str
    destination: str


def base_name(name: str) -> str:
    """The last part of a path or an uploaded file's name (browsers may send either)."""
    return os.path.basename(name.replace("\\", "/"))


def census_name_dfe_number(name: str) -> str | None:
    """The DfE number in a census file name of the usual form, or None if the name is not in
    that form. The SCn part is not interpreted: its mapping to terms is unconfirmed."""
    match = _CENSUS_NAME.fullmatch(base_name(name))
    return match.group(1) if match else None


def parse_ctf_name(name: str) -> CtfName | None:
    """Source and destination from a CTF file name of the usual form, else None."""
    match = _CTF_NAME.fullmatch(base_name(name))
    return CtfName(match.group(1).upper(), match.group(2).upper()) if match else None
