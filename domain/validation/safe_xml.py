"""Safe, streaming loading of untrusted XML uploads with lxml.

Every upload is hostile until proven otherwise. This module:

* opens the file itself (lxml is only ever handed a file object, never a path, so libxml2
  cannot transparently decompress it);
* refuses empty files, files over a size cap, Office documents (named as such: "a Word document"),
  and gzip/zip (and other archive) magic bytes before any parsing;
* parses with entity resolution, network access, DTD loading and processing instructions off
  (``PARSER_SETTINGS``), and refuses any DOCTYPE at all -- so entity declarations, external
  DTDs and parameter entities never get as far as the content;
* streams with ``iterparse`` and clears each record once the caller has looked at it, so
  memory stays flat however many pupils a file holds;
* turns every failure into ``FileRefused`` whose message is one plain line.

UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark are accepted;
libxml2 detects them from the first bytes.
"""
from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

from lxml import etree

from domain.validation.office_files import office_kind

DEFAULT_MAX_BYTES = 200 * 1024 * 1024

PARSER_SETTINGS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "attribute_defaults": False,
    "huge_tree": False,
    "remove_pis": True,
    "remove_comments": True,
}

ProgressCallback = Callable[[int, int], None]

_ARCHIVE_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"PK\x07\x08", "zip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
    (b"\x28\xb5\x2f\xfd", "Zstandard"),
)
#: libxml2's cap on one text node or attribute value without XML_PARSE_HUGE (XML_MAX_TEXT_LENGTH).
MAX_VALUE_CHARACTERS = 10_000_000
_LIBXML_POSITION = re.compile(r",? line \d+, column \d+\s*$")
_MB = 1024 * 1024


class FileRefused(Exception):
    """The upload cannot be validated. ``reason`` is one line a school office can act on."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _megabytes(size: int) -> str:
    """``size`` bytes for messages: whole megabytes ("250 MB"), or kilobytes below 1 MB."""
    if size < _MB:
        return f"{max(1, round(size / 1024))} KB"
    return f"{round(size / _MB)} MB"


def refuse_size(size: int, max_bytes: int) -> None:
    """Raise FileRefused if ``size`` is zero or above ``max_bytes``."""
    if size == 0:
        raise FileRefused("This file is empty.")
    if size > max_bytes:
        raise FileRefused(f"This file is {_megabytes(size)}; the limit is {_megabytes(max_bytes)}.")


def refuse_office_document(raw: BinaryIO, size: int) -> None:
    """Raise FileRefused if ``raw`` (seekable, ``size`` bytes, already within the size cap) is a Word, Excel
    or PowerPoint document, saying which. Reads only a zip's directory of names or an old Office file's
    first directory sector, never unpacks anything; leaves ``raw`` at its start."""
    kind = office_kind(raw, size)
    if kind is not None:
        raise FileRefused(f"This is {kind}, not a census or CTF XML file: export the return from your MIS as XML.")


def refuse_archive(head: bytes) -> None:
    """Raise FileRefused if ``head`` (the file's first bytes) is an archive's magic number."""
    for magic, name in _ARCHIVE_MAGIC:
        if head.startswith(magic):
            raise FileRefused(f"This file is compressed ({name}); upload the XML file itself, not an archive.")


def _first_error(exc: etree.XMLSyntaxError) -> tuple[str, int, int]:
    """The first error libxml2 logged in this thread since the parse began (iterparse's own
    message can be a vague "no element found" at line 0), as message, line and column."""
    for entry in exc.error_log:
        if entry.level >= etree.ErrorLevels.ERROR:
            return entry.message, entry.line, entry.column
    line, column = exc.position if exc.position else (0, 0)
    return str(exc.msg or exc), line, column


def syntax_reason(exc: etree.XMLSyntaxError) -> str:
    """A one-line explanation of an lxml syntax error, naming the line and column."""
    raw, line, column = _first_error(exc)
    message = _LIBXML_POSITION.sub("", " ".join(raw.split())).rstrip(". ")
    if message.startswith("Entity '") or "PEReference" in message:
        return f"This file uses an entity, which Gatehouse does not accept: line {line}, column {column}."
    if "not proper UTF-8" in message or "encoding" in message.lower():
        return (f"This file's text is not in the encoding it declares (UTF-8 unless it says otherwise): "
                f"line {line}, column {column}. Export it again from your MIS.")
    if line == 0 or "Document is empty" in message or "no element found" in message:
        return "This file is not XML: it holds no elements."
    if "Excessive depth" in message:
        return f"This file is not XML Gatehouse can read: line {line}, column {column}: elements nest too deeply."
    if "Resource limit exceeded" in message:
        return (f"One value in this file is far too long to be real data (over {MAX_VALUE_CHARACTERS:,} characters, "
                f"at line {line}): the file is damaged or is not a census or CTF file. Export it again from your MIS.")
    if "Premature end of data" in message:
        return (f"This file ends too soon (it may have been cut short): line {line}, column {column}. "
                f"Export or upload it again.")
    return f"This file is not XML: line {line}, column {column}: {message}."


class _CountingReader:
    """A file object wrapper for lxml: counts bytes read, reports progress every so often and
    refuses the file if it turns out larger than the cap while it is being read."""

    def __init__(self, raw: BinaryIO, total: int, max_bytes: int, progress: ProgressCallback | None):
        self._raw, self._total, self._max = raw, total, max_bytes
        self._progress = progress
        self._step = max(256 * 1024, total // 100)
        self._next_report = self._step
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.bytes_read += len(data)
        if self.bytes_read > self._max:
            raise FileRefused(f"This file is over the limit of {_megabytes(self._max)}.")
        if self._progress is not None and self.bytes_read >= self._next_report:
            self._next_report = self.bytes_read + self._step
            self._progress(self.bytes_read, self._total)
        return data

    def finish(self) -> None:
        """Report the final position (100%) once reading is over."""
        if self._progress is not None:
            self._progress(self.bytes_read, self._total)


class SafeXmlFile:
    """An upload that passed the pre-parse checks, ready to be streamed record by record.

    Create it with ``open_xml``. ``root_tag`` is the root element's name and ``size`` the
    file's size in bytes.
    """

    def __init__(self, raw: BinaryIO, owned: bool, max_bytes: int, progress: ProgressCallback | None):
        self._raw, self._owned, self._max = raw, owned, max_bytes
        self._progress = progress
        self.size = _size_of(raw)
        refuse_size(self.size, max_bytes)
        refuse_office_document(raw, self.size)
        refuse_archive(raw.read(8))
        raw.seek(0)
        self.root_tag = self._sniff_root()

    def _sniff_root(self) -> str:
        """Parse just far enough to see the root element; refuse any DOCTYPE on the way."""
        etree.clear_error_log()  # so a syntax error reports this file's first problem
        try:
            for _, element in etree.iterparse(self._raw, events=("start",), **PARSER_SETTINGS):
                refuse_doctype(element.getroottree().docinfo)
                return element.tag if isinstance(element.tag, str) else ""
        except etree.XMLSyntaxError as exc:
            raise FileRefused(syntax_reason(exc)) from None
        finally:
            self._raw.seek(0)
        raise FileRefused("This file is not XML: it holds no elements.")

    def first_start(self, tags: frozenset[str], within: int = 50_000) -> str | None:
        """The name of the first element named in ``tags`` to begin among the file's first ``within``
        elements (None if none does), reading only as far as that: the elements read stay in memory, so
        ``within`` bounds it. The file is left at its start. Raises FileRefused on malformed XML met on
        the way."""
        etree.clear_error_log()
        try:
            for count, (_, element) in enumerate(etree.iterparse(self._raw, events=("start",), **PARSER_SETTINGS)):
                if element.tag in tags:
                    return element.tag
                if count >= within:
                    return None
        except etree.XMLSyntaxError as exc:
            raise FileRefused(syntax_reason(exc)) from None
        finally:
            self._raw.seek(0)
        return None

    def records(self, tags: tuple[str, ...]) -> Iterator[etree._Element]:
        """Yield each element named in ``tags`` once it is complete, then clear it (and the
        records before it) as soon as the caller asks for the next one.

        Do not keep references to yielded elements: their content is gone after the next
        step. Raises FileRefused on malformed XML (including a truncated file, detected at the
        end), an entity reference, or a file that grows past the size cap while being read.
        """
        reader = _CountingReader(self._raw, self.size, self._max, self._progress)
        etree.clear_error_log()
        try:
            for _, element in etree.iterparse(reader, events=("end",), tag=tags, **PARSER_SETTINGS):
                yield element
                element.clear()
                parent = element.getparent()
                while element.getprevious() is not None:
                    del parent[0]
        except etree.XMLSyntaxError as exc:
            raise FileRefused(syntax_reason(exc)) from None
        reader.finish()

    def close(self) -> None:
        """Close the file if ``open_xml`` opened it (a caller's file object is left open)."""
        if self._owned:
            self._raw.close()

    def __enter__(self) -> SafeXmlFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def refuse_doctype(docinfo: etree.DocInfo) -> None:
    """Raise FileRefused if the document has a DOCTYPE: entity declarations get their own
    message, any other DTD (internal or external) another."""
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise FileRefused("This file declares entities, which Gatehouse does not accept.")
    if docinfo.doctype or dtd is not None or docinfo.system_url or docinfo.public_id:
        raise FileRefused("This file has a document type declaration (DOCTYPE), which Gatehouse does not accept.")


def _size_of(raw: BinaryIO) -> int:
    """Size in bytes of an open binary file, from the file system when possible."""
    try:
        return os.fstat(raw.fileno()).st_size
    except (OSError, AttributeError, io.UnsupportedOperation):
        size = raw.seek(0, os.SEEK_END)
        raw.seek(0)
        return size


def open_xml(source: str | os.PathLike | BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES,
             progress: ProgressCallback | None = None) -> SafeXmlFile:
    """Open ``source`` (a path, or a seekable binary file object positioned at the start) for
    safe streaming. Use as a context manager.

    Checks, before any parsing: the file opens, is not empty, is at most ``max_bytes``, is
    not an Office document or an archive; then that it is XML without a DOCTYPE. Raises FileRefused with a one-line
    reason for each. ``progress(bytes_read, total_bytes)``, if given, is called every 1% or
    so while records are read.
    """
    if isinstance(source, (str, os.PathLike)):
        try:
            raw = open(source, "rb")  # closed by SafeXmlFile.close
        except OSError as exc:
            raise FileRefused(f"This file could not be opened: {exc.strerror or exc}.") from None
        owned = True
    else:
        raw, owned = source, False
    try:
        return SafeXmlFile(raw, owned, max_bytes, progress)
    except BaseException:
        if owned:
            raw.close()
        raise
