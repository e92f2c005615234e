"""Spreadsheets in Local returns tests: download a school's workbook, fill it in with openpyxl as a school
office would, and make the hostile files a school might send by mistake."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import load_workbook

from tests.returns.uploading import post_file


def fill(content: bytes, answers: dict[int, dict[str, object]], *, edit=None) -> bytes:
    """``content`` (a downloaded workbook) with ``{sheet row: {heading: value}}`` typed in; ``edit(book)``
    may change anything else first."""
    book = load_workbook(io.BytesIO(content))
    sheet = book["Return"]
    headings = {cell.value: cell.column for cell in sheet[1]}
    for row, values in answers.items():
        for heading, value in values.items():
            sheet.cell(row=row, column=headings[heading], value=value)
    if edit:
        edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewritten(content: bytes, change=None, extra: dict[str, bytes] | None = None) -> bytes:
    """The workbook's zip written again, each part through ``change(name, data)`` and ``extra`` parts added."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, change(info.filename, data) if change else data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def with_cached_formula(content: bytes, cell: str, formula: str, cached: str | None) -> bytes:
    """The workbook with ``cell`` of the Return sheet made a formula, saved with the value ``cached`` (None: no
    saved value, as a script writes it), by editing the sheet's XML as Excel would have saved it."""

    def change(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        value = f"<v>{cached}</v>" if cached is not None else ""
        new = f'<c r="{cell}" t="str"><f>{formula}</f>{value}</c>'
        text, count = re.subn(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)', new, data.decode(), count=1)
        assert count == 1, cell
        return text.encode()

    return _rewritten(content, change)


def zip_bomb() -> bytes:
    """A zip named like a workbook whose one part unpacks from a few KB to 8 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            for _ in range(8):
                part.write(b"\0" * 1024 * 1024)
    return out.getvalue()


#: An external entity naming a file on the server, and a "billion laughs" of nested entities.
EXTERNAL_ENTITY = ('<!DOCTYPE worksheet [<!ENTITY leak SYSTEM "file:///etc/passwd">]>', "&leak;")
ENTITY_BOMB = ("<!DOCTYPE worksheet [<!ENTITY a \"aaaaaaaaaa\">"
               + "".join(f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefg", "bcdefgh", strict=True))
               + "]>", "&h;")  # fmt: skip


def with_entity(content: bytes, entity: tuple[str, str]) -> bytes:
    """The workbook with a DOCTYPE declaring ``entity[0]`` in the Return sheet's XML and its reference ``entity[1]``
    in place of the sheet's first text (as a hand-made hostile file would hold them)."""

    def change(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        text = data.decode()
        start = text.index("?>") + 2 if text.startswith("<?xml") else 0
        text = text[:start] + entity[0] + text[start:]
        text, count = re.subn(r"<t>[^<]*</t>", f"<t>{entity[1]}</t>", text, count=1)
        assert count == 1
        return text.encode()

    return _rewritten(content, change)


def with_macros(content: bytes) -> bytes:
    """The workbook with a VBA project added (an .xlsm saved under an .xlsx name)."""
    macro = b'Attribute VB_Name = "Module1"\nSub AutoOpen()\nEnd Sub\n'
    return _rewritten(content, extra={"xl/vbaProject.bin": macro})


def encrypted() -> bytes:
    """What a password-protected workbook starts like: an OLE2 compound file holding an EncryptedPackage."""
    return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 50
            + "EncryptedPackage".encode("utf-16-le") + b"\0" * 2000)  # fmt: skip


def upload(client_request, deadline_id: int, content: bytes, name: str):
    """POST the file to the return's upload form; returns the response."""
    return post_file(client_request.client, client_request.url("local_returns.upload", deadline_id=deadline_id),
                     content, name)  # fmt: skip
