"""Reading pupil, staff and header fields out of streamed XML elements, and the pupil or staff
record handed to ``on_pupil`` / ``on_member`` callbacks for storage."""
from __future__ import annotations

from lxml import etree

# Containers of the address lines: read only when the pupil's record is handed on for storage.
ADDRESS_CONTAINERS = frozenset({"AddressLines", "BS7666Address"})
ADDRESS_LINE_FIELDS = (
    "AddressLine1", "AddressLine2", "AddressLine3", "AddressLine4", "AddressLine5",
    "SAON", "PAON", "Street", "Locality", "Town", "AdministrativeArea", "PostTown", "County",
)


def flatten(element: etree._Element, containers: frozenset[str], out: dict[str, str | None]) -> dict:
    """Map each child's element name to its text, descending into children named in
    ``containers`` (which are recorded with an empty text, so their presence can be tested).
    Later elements with the same name win. Returns ``out``."""
    for child in element:
        tag = child.tag
        if tag in containers:
            out[tag] = ""
            flatten(child, containers, out)
        else:
            out[tag] = child.text
    return out


def flatten_paths(element: etree._Element, prefix: str = "") -> dict[str, str]:
    """Every descendant's text keyed by its path below ``element`` ("SourceSchool/LEA"),
    stripped of surrounding white space. For small elements such as a file header."""
    out: dict[str, str] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        path = f"{prefix}{child.tag}"
        out[path] = (child.text or "").strip()
        out.update(flatten_paths(child, path + "/"))
    return out


def pupil_record(position: int, fields: dict[str, str | None], sex_field: str) -> dict:
    """The pupil data the web layer stores (UPN, names, DOB, sex, year group, address), as
    given in the file: a plain dict, safe to keep after the element is cleared."""
    return {
        "position": position,
        "upn": fields.get("UPN"),
        "former_upn": fields.get("FormerUPN"),
        "uln": fields.get("UniqueLearnerNumber"),
        "surname": fields.get("Surname"),
        "forename": fields.get("Forename"),
        "middle_names": fields.get("MiddleNames"),
        "preferred_surname": fields.get("PreferredSurname"),
        "dob": fields.get("DOB"),
        "sex": fields.get(sex_field),
        "nc_year": fields.get("NCyearActual"),
        "enrol_status": fields.get("EnrolStatus"),
        "entry_date": fields.get("EntryDate"),
        "leaving_date": fields.get("LeavingDate"),
        "postcode": fields.get("PostCode"),
        "address_lines": [fields[k] for k in ADDRESS_LINE_FIELDS if fields.get(k)],
    }


# Containers of a School Workforce Census member's own details (its contracts are read separately).
STAFF_CONTAINERS = frozenset({"StaffDetails"})
CONTRACT_TAG = "Contract"


def contract_fields(contract: etree._Element) -> dict:
    """One ``Contract`` element as element name -> text, with ``roles``: the text of each
    ``Roles/Role/RoleIdentifier`` (blank ones included, so a missing code can be reported)."""
    fields: dict = flatten(contract, frozenset(), {})
    fields["roles"] = [role.text for role in contract.iter("RoleIdentifier")]
    return fields


def staff_record(position: int, fields: dict[str, str | None], contracts: list[dict], sex_field: str) -> dict:
    """The staff member's data the web layer stores (identifiers, names, DOB, sex and each contract),
    as given in the file: a plain dict, safe to keep after the element is cleared."""
    return {
        "position": position,
        "trn": fields.get("TeacherNumber"),
        "ni_number": fields.get("NINumber"),
        "surname": fields.get("FamilyName"),
        "forename": fields.get("GivenNames"),
        "dob": fields.get("DOB"),
        "sex": fields.get(sex_field),
        "contracts": [
            {"contract_type": c.get("ContractType"), "start_date": c.get("StartDate"), "end_date": c.get("EndDate"),
             "post": c.get("Post"), "roles": [r for r in c["roles"] if r]}
            for c in contracts
        ],
    }
