"""Hostile and awkward uploads: refused with a one-line reason, nothing read or fetched, under the parser's
limits. (How quickly: bench/hostile_refusal_bench.py.)"""
from __future__ import annotations

import gzip
import http.server
import io
import threading
import zipfile

import pytest

from domain.validation import FileRefused, validate
from domain.validation.safe_xml import PARSER_SETTINGS, open_xml
from tests.domain.validation.xml_files import CTF_TODAY, ctf_xml, make_fixtures_main, pupil

SECRET = "gatehouse-test-secret-7f3a9c"
# The generator's utf16_bom.xml is a well-formed (empty) CTF in UTF-16: accepted, then validated.
ACCEPTED_FROM_HOSTILE_SET = {"utf16_bom.xml"}


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - the name http.server calls
        type(self).requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(f"<!ENTITY leak '{SECRET}'>".encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A loopback HTTP server that records every request it receives."""
    _CountingHandler.requests = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _CountingHandler.requests
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def hostile_dir(tmp_path, http_server):
    """The generator's hostile files, plus copies aimed at a local secret and our HTTP server."""
    out = tmp_path / "hostile"
    make_fixtures_main(["hostile", "-d", str(out)])
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    url, _ = http_server
    for name in ("xxe_file.xml", "xxe_network.xml", "external_dtd.xml", "parameter_entity.xml"):
        text = (out / name).read_text()
        text = text.replace("file:///etc/passwd", secret.as_uri()).replace("file:///etc/hostname", secret.as_uri())
        text = text.replace("http://127.0.0.1:9", url)
        (out / f"local_{name}").write_text(text)
    (out / "local_xinclude.xml").write_text(
        '<CTfile xmlns:xi="http://www.w3.org/2001/XInclude"><Header>'
        f'<xi:include href="{secret.as_uri()}" parse="text"/></Header></CTfile>')
    (out / "local_parameter_entity_http.xml").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE CTfile [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]>\n<CTfile/>\n')
    return out


def _hostile_files(directory):
    return sorted(p for p in directory.iterdir() if p.name not in ACCEPTED_FROM_HOSTILE_SET)


@pytest.mark.parametrize("kind", [None, "ctf", "census", "workforce"])
def test_every_hostile_file_is_refused_without_reading_or_fetching(hostile_dir, http_server, kind):
    _, requests = http_server
    files = _hostile_files(hostile_dir)
    assert len(files) >= 15
    for path in files:
        try:
            report = validate(path, kind, today=CTF_TODAY)
        except FileRefused as refused:
            reason = refused.reason
        else:
            # Only the harmless XInclude file parses; it must not have been expanded.
            assert path.name == "local_xinclude.xml", path.name
            assert SECRET not in repr(report)
            continue
        assert reason and "\n" not in reason and "Traceback" not in reason, (path.name, reason)
        assert SECRET not in reason
    assert requests == []


DECLARES_A_DTD = ("billion_laughs.xml", "quadratic_blowup.xml", "xxe_file.xml", "xxe_network.xml",
                  "parameter_entity.xml", "external_dtd.xml", "local_xxe_file.xml", "local_xxe_network.xml",
                  "local_parameter_entity.xml", "local_external_dtd.xml", "local_parameter_entity_http.xml")


@pytest.mark.parametrize("name", DECLARES_A_DTD)
def test_a_file_with_a_dtd_is_refused_before_its_first_element_is_read(hostile_dir, http_server, name):
    """Entity expansion (billion laughs, quadratic blow-up) and external entities never start: the
    DOCTYPE is refused while looking for the root element, before any record is streamed."""
    _, requests = http_server
    with pytest.raises(FileRefused) as refused:
        open_xml(hostile_dir / name)
    assert "declares entities" in refused.value.reason or "document type declaration" in refused.value.reason
    assert SECRET not in refused.value.reason
    assert requests == []


def test_the_parser_resolves_nothing_fetches_nothing_and_keeps_libxml2s_limits():
    """Every parse uses these settings: no entity substitution, no network, no DTD loaded or validated,
    no default attributes, processing instructions and comments dropped, and huge_tree off (libxml2's
    limits on nesting depth and text size stay on)."""
    assert PARSER_SETTINGS == {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "attribute_defaults": False,
        "huge_tree": False,
        "remove_pis": True,
        "remove_comments": True,
    }


def test_refusal_reasons_say_what_is_wrong(hostile_dir):
    expected = {
        "billion_laughs.xml": "declares entities",
        "xxe_file.xml": "declares entities",
        "parameter_entity.xml": "declares entities",
        "quadratic_blowup.xml": "declares entities",
        "external_dtd.xml": "document type declaration",
        "not_xml.xml": "not XML: line 1, column 1",
        "binary.xml": "not XML",
        "truncated.xml": "ends too soon",
        "deep_nesting.xml": "nest too deeply",
        "wrong_root.xml": "<html>",
        "empty.xml": "empty",
    }
    for name, words in expected.items():
        with pytest.raises(FileRefused) as refused:
            validate(hostile_dir / name)
        assert words in refused.value.reason, (name, refused.value.reason)


@pytest.mark.parametrize("data, words", [
    (b"<CTfile><Header><DocumentName>&foo;</DocumentName></Header></CTfile>", "uses an entity"),
    (b"   \n  ", "not XML"),
    ('<?xml version="1.0" encoding="UTF-8"?><CTfile><Surname>Zo\u00eb</Surname></CTfile>'.encode("cp1252"),
     "not in the encoding it declares"),
    (b"<CTfile><?php echo 1; ?><Header/>", "ends too soon"),
], ids=["undeclared-entity", "blank", "cp1252-as-utf8", "truncated-with-pi"])
def test_other_broken_files_are_refused_with_a_reason(tmp_path, data, words):
    path = tmp_path / "upload.xml"
    path.write_bytes(data)
    with pytest.raises(FileRefused) as refused:
        validate(path)
    assert words in refused.value.reason and "\n" not in refused.value.reason


def test_the_utf16_file_from_the_hostile_set_is_read_as_a_ctf(hostile_dir):
    report = validate(hostile_dir / "utf16_bom.xml", today=CTF_TODAY)
    assert report.kind == "ctf" and report.pupils == 0
    assert "ctf-document-name" in {f.rule for f in report.findings}


def test_a_file_over_the_cap_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.xml"
    path.write_bytes(b"<CTfile>" + b" " * 3 * 1024 * 1024 + b"</CTfile>")
    with pytest.raises(FileRefused) as refused:
        validate(path, max_bytes=2 * 1024 * 1024)
    assert refused.value.reason == "This file is 3 MB; the limit is 2 MB."


def test_the_default_cap_is_200_mb():
    from domain.validation import DEFAULT_MAX_BYTES

    assert DEFAULT_MAX_BYTES == 200 * 1024 * 1024


@pytest.mark.parametrize("name, data", [
    ("gzip", gzip.compress(b"<CTfile/>", mtime=0)),
    ("zip", None),
], ids=["gzip", "zip"])
def test_archives_are_refused(tmp_path, name, data):
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("ctf.xml", "<CTfile/>")
        data = buffer.getvalue()
    path = tmp_path / f"upload.{name}"
    path.write_bytes(data)
    with pytest.raises(FileRefused, match=f"compressed \\({name}\\)"):
        validate(path)


@pytest.mark.parametrize("encoding, prefix", [
    ("utf-8", b""),
    ("utf-8", b"\xef\xbb\xbf"),
    ("utf-16", b""),  # Python's utf-16 codec writes a BOM
], ids=["utf8", "utf8-bom", "utf16-bom"])
def test_utf8_with_or_without_bom_and_utf16_with_bom_are_accepted(tmp_path, encoding, prefix):
    text = ctf_xml()
    if encoding == "utf-16":
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    path = tmp_path / "8734001_CTF_8732002_001.xml"
    path.write_bytes(prefix + text.encode(encoding))
    report = validate(path, today=CTF_TODAY)
    assert (report.kind, report.pupils, report.findings) == ("ctf", 1, [])


def test_a_missing_file_is_refused_with_a_reason(tmp_path):
    with pytest.raises(FileRefused, match="could not be opened"):
        validate(tmp_path / "nowhere.xml")


def test_a_caller_file_object_is_read_and_left_open(tmp_path):
    handle = io.BytesIO(ctf_xml().encode())
    report = validate(handle, filename="8734001_CTF_8732002_001.xml", today=CTF_TODAY)
    assert report.pupils == 1 and report.findings == []
    assert not handle.closed


def test_progress_is_reported_up_to_the_whole_file(tmp_path):
    path = tmp_path / "8734001_CTF_8732002_001.xml"
    make_fixtures_main(["ctf", "--pupils", "3000", "-o", str(path)])
    calls = []
    validate(path, today=CTF_TODAY, progress=lambda done, total: calls.append((done, total)))
    size = path.stat().st_size
    assert 2 <= len(calls) <= 200
    assert calls[-1] == (size, size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_records_are_cleared_as_they_stream(tmp_path):
    path = tmp_path / "ctf.xml"
    make_fixtures_main(["ctf", "--pupils", "500", "-o", str(path)])
    with open_xml(path) as xml:
        for element in xml.records(("Pupil",)):
            # Only the previous record (already emptied) may still stand before this one.
            assert element.getparent().index(element) <= 1
            previous = element.getprevious()
            assert previous is None or len(previous) == 0


class _UnderstatedSize(io.BytesIO):
    """A file object that claims to be 10 bytes long, as a growing upload might."""

    def seek(self, pos, whence=0):
        return 10 if whence == 2 else super().seek(pos, whence)


def test_a_file_that_turns_out_bigger_than_the_cap_while_reading_is_refused():
    handle = _UnderstatedSize(ctf_xml([pupil(i) for i in range(1, 40)]).encode())
    with pytest.raises(FileRefused, match="over the limit of 2 KB"):
        validate(handle, "ctf", max_bytes=2000, today=CTF_TODAY)


@pytest.mark.parametrize("data", [
    b"<CTfile><Header><DocumentName>" + b"x" * 10_000_001 + b"</DocumentName></Header></CTfile>",
    b'<CTfile><Header DocumentName="' + b"x" * 10_000_001 + b'"/></CTfile>',
], ids=["text-node", "attribute"])
def test_a_value_over_libxml2s_limit_is_refused_in_plain_words(tmp_path, data):
    """libxml2 (huge_tree off) stops at a value over 10,000,000 characters with "Resource limit exceeded:
    Text node too long, try XML_PARSE_HUGE": the office is told what that means, not libxml2's words."""
    path = tmp_path / "upload.xml"
    path.write_bytes(data)
    with pytest.raises(FileRefused) as refused:
        validate(path)
    reason = refused.value.reason
    assert reason.startswith("One value in this file is far too long to be real data (over 10,000,000 characters")
    assert "damaged or is not a census or CTF file" in reason
    assert "XML_PARSE_HUGE" not in reason and "Resource limit" not in reason and "\n" not in reason


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


OOXML = {
    "docx": (["[Content_Types].xml", "_rels/.rels", "word/document.xml", "docProps/core.xml"], "a Word document"),
    "xlsx": (["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml"],
             "an Excel spreadsheet"),
    "pptx": (["[Content_Types].xml", "_rels/.rels", "ppt/presentation.xml"], "a PowerPoint presentation"),
}


@pytest.mark.parametrize("extension", OOXML)
def test_an_office_open_xml_document_is_named_for_what_it_is(tmp_path, extension):
    names, kind = OOXML[extension]
    path = tmp_path / f"upload.{extension}"
    path.write_bytes(_zip(names))
    with pytest.raises(FileRefused) as refused:
        validate(path)
    assert refused.value.reason == (f"This is {kind}, not a census or CTF XML file: export the return from your "
                                    f"MIS as XML.")


def _ole2(*streams: str) -> bytes:
    """A minimal OLE2 compound file: the header, then one 512-byte directory sector naming ``streams``."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[30:32] = (9).to_bytes(2, "little")  # 512-byte sectors
    header[48:52] = (0).to_bytes(4, "little")  # the directory starts at sector 0
    sector = bytearray(512)
    for index, name in enumerate(("Root Entry", *streams)):
        encoded = (name + "\0").encode("utf-16-le")
        sector[index * 128:index * 128 + len(encoded)] = encoded
        sector[index * 128 + 64:index * 128 + 66] = len(encoded).to_bytes(2, "little")
    return bytes(header + sector)


@pytest.mark.parametrize("streams, kind", [
    (("WordDocument", "1Table"), "a Word document"),
    (("Workbook",), "an Excel spreadsheet"),
    (("Something else",), "a Word or Excel document"),
], ids=["doc", "xls", "unclear"])
def test_an_old_office_document_is_named_for_what_it_is(tmp_path, streams, kind):
    path = tmp_path / "upload.doc"
    path.write_bytes(_ole2(*streams))
    with pytest.raises(FileRefused, match=f"^This is {kind}, not a census or CTF XML file"):
        validate(path)
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 20)  # a header cut short: still Office
    with pytest.raises(FileRefused, match="^This is a Word or Excel document"):
        validate(path)


@pytest.mark.parametrize("names", [
    ["ctf.xml"],
    ["word/document.xml"],  # no [Content_Types].xml: not Office Open XML
    ["[Content_Types].xml", "word/document.xml"] + [f"padding/{i}" for i in range(5_001)],  # too many names to read
], ids=["plain", "no-content-types", "huge-directory"])
def test_other_zips_are_refused_as_archives_without_being_unpacked(tmp_path, names):
    path = tmp_path / "upload.zip"
    path.write_bytes(_zip(names))
    with pytest.raises(FileRefused, match=r"compressed \(zip\)"):
        validate(path)


def test_a_word_document_is_recognised_without_reading_its_contents(tmp_path):
    """Only the zip's directory of names is read: a member whose data is damaged does not matter."""
    data = bytearray(_zip(["[Content_Types].xml", "word/document.xml"]))
    start = data.index(b"word/document.xml") + len("word/document.xml")  # the local entry's data follows its name
    data[start:start + 4] = b"\xff\xff\xff\xff"
    path = tmp_path / "upload.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(FileRefused, match="^This is a Word document"):
        validate(path)
