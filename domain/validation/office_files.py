"""Telling an Office document from any other zip or binary upload, so a school office is told "this is a
Word document" rather than "compressed (zip)".

Nothing is ever unpacked: for a zip only the central directory's entry names are read, and only when the
end-of-central-directory record says the directory is small (a few thousand names); for an old Office
(OLE2 compound) file only its first directory sector is read. Anything unexpected gives None.
"""
from __future__ import annotations

import struct
import zipfile
from typing import BinaryIO

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

WORD, EXCEL, POWERPOINT = "a Word document", "an Excel spreadsheet", "a PowerPoint presentation"
OFFICE = "a Word or Excel document"
#: Office Open XML (.docx, .xlsx, .pptx): the folder each keeps its content in.
_OOXML_FOLDERS = (("word/", WORD), ("xl/", EXCEL), ("ppt/", POWERPOINT))
#: Old Office (.doc, .xls, .ppt): the stream each keeps its content in, as OLE2 directory names.
_OLE2_STREAMS = (("WordDocument", WORD), ("Workbook", EXCEL), ("Book", EXCEL), ("PowerPoint Document", POWERPOINT))

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_EOCD_SEARCH = _EOCD_SIZE + 0xFFFF  # the record, and a zip comment of at most 64 KB before the end
_MAX_ENTRIES = 5_000
_MAX_DIRECTORY_BYTES = 2 * 1024 * 1024


def office_kind(raw: BinaryIO, size: int) -> str | None:
    """What kind of Office document the seekable file ``raw`` (``size`` bytes) is, in words ("a Word
    document", "an Excel spreadsheet", "a PowerPoint presentation", or "a Word or Excel document" for an
    old Office file whose kind is not clear), or None if it is not one. Never raises for a damaged or
    hostile file; leaves ``raw`` at its start."""
    try:
        raw.seek(0)
        head = raw.read(8)
        if head.startswith(ZIP_MAGIC):
            return _ooxml_kind(_zip_names(raw, size))
        if head == OLE2_MAGIC:
            try:
                return _ole2_kind(raw, size)
            except (OSError, ValueError, struct.error):  # damaged past its magic number: still Office
                return OFFICE
        return None
    except (OSError, ValueError, EOFError, struct.error, zipfile.BadZipFile, NotImplementedError):
        return None
    finally:
        raw.seek(0)


def _zip_names(raw: BinaryIO, size: int) -> list[str]:
    """The entry names in the zip's central directory, or [] when its end record is missing, uses zip64,
    or announces more than ``_MAX_ENTRIES`` names or ``_MAX_DIRECTORY_BYTES`` of directory."""
    start = max(0, size - _EOCD_SEARCH)
    raw.seek(start)
    tail = raw.read(size - start)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return []
    _, _, _, _, entries, directory_size, _, _ = struct.unpack("<4s4H2LH", tail[at:at + _EOCD_SIZE])
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF or entries > _MAX_ENTRIES:
        return []
    if directory_size > _MAX_DIRECTORY_BYTES:
        return []
    raw.seek(0)
    with zipfile.ZipFile(raw) as archive:  # reads the central directory only; nothing is opened
        return archive.namelist()


def _ooxml_kind(names: list[str]) -> str | None:
    """The Office Open XML kind of a zip with these entry names, or None if it is not one."""
    if "[Content_Types].xml" not in names:
        return None
    for folder, kind in _OOXML_FOLDERS:
        if any(name.startswith(folder) for name in names):
            return kind
    return None


def _ole2_kind(raw: BinaryIO, size: int) -> str:
    """The kind of an old Office (OLE2 compound) file, from the stream names in its first directory sector;
    "a Word or Excel document" when they do not say."""
    raw.seek(30)
    (sector_shift,) = struct.unpack("<H", raw.read(2))
    raw.seek(48)
    (first_directory_sector,) = struct.unpack("<L", raw.read(4))
    if sector_shift not in (9, 12):
        return OFFICE
    sector_size = 1 << sector_shift
    offset = (first_directory_sector + 1) * sector_size
    if offset + sector_size > size:
        return OFFICE
    raw.seek(offset)
    sector = raw.read(sector_size)
    names = set()
    for entry in range(0, len(sector) - 127, 128):
        (length,) = struct.unpack("<H", sector[entry + 64:entry + 66])
        if 2 <= length <= 64:
            names.add(sector[entry:entry + length - 2].decode("utf-16-le", "replace"))
    for stream, kind in _OLE2_STREAMS:
        if stream in names:
            return kind
    return OFFICE

