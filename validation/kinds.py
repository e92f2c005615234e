"""The kinds of file Gatehouse validates, told apart by their root element."""
from __future__ import annotations

from validation.safe_xml import FileRefused

CENSUS, CTF = "census", "ctf"
ROOTS = {"Message": CENSUS, "CTfile": CTF}
ROOT_OF = {kind: root for root, kind in ROOTS.items()}
DESCRIPTIONS = {CENSUS: "a School Census return", CTF: "a CTF"}


def kind_of_root(root_tag: str) -> str:
    """"census" or "ctf" for a root element name. Raises FileRefused for any other root."""
    if root_tag in ROOTS:
        return ROOTS[root_tag]
    raise FileRefused(f"This file is neither a School Census return nor a CTF: its first element is "
                      f"<{root_tag[:40]}>, not <Message> or <CTfile>.")


def refuse_wrong_root(root_tag: str, kind: str) -> None:
    """Raise FileRefused unless the root element is the one files of ``kind`` have."""
    found = kind_of_root(root_tag)
    if found != kind:
        raise FileRefused(f"This file is {DESCRIPTIONS[found]}, not {DESCRIPTIONS[kind]}.")
