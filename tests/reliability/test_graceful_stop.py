"""Stopping the server as a service manager does (SIGTERM): it takes no new connections, lets an upload under way
arrive, be validated and answered, and exits cleanly. The upload is then there with its file, nothing is left
half-written, and the next start finds nothing to sweep."""

from __future__ import annotations

import http.client
import os
import re
import signal
import threading
import uuid

import pytest

from models import services
from tests.conftest import csrf_token_from, sign_in_through_forms
from tests.domain.validation.xml_files import pupil
from tests.reliability.real_server import STOP_SECONDS, HttpClient, left_behind
from tests.returns.factories import census
from tests.returns.uploading import upload_url

WAIT_SECONDS = 30.0


@pytest.fixture
def office(db, school, make_user):
    user = make_user(school, name="Stopping Office", email="office@stopping.example.sch.uk")
    services.set_services(db, user["id"], ["returns"])
    return user


def test_sigterm_lets_an_upload_under_way_finish_then_exits_cleanly(db, real_server, office):
    server = real_server()
    server.start()
    with HttpClient(server.url) as client:
        sign_in_through_forms(client, db, office)
        token = csrf_token_from(client.get(upload_url(None)).get_data(as_text=True))
        cookies = dict(client.cookies)

    boundary = uuid.uuid4().hex
    content = census([pupil(n, Surname=f"Stopping{n}") for n in (1, 2, 3)])
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="8732001_CEN_SC_20261001_001.XML"'
            "\r\nContent-Type: text/xml\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()  # fmt: skip
    half_sent, stopping = threading.Event(), threading.Event()

    def halves():
        yield body[: len(body) // 2]
        half_sent.set()
        assert stopping.wait(WAIT_SECONDS), "the test never sent the rest"
        yield body[len(body) // 2 :]

    answer: dict = {}

    def upload():
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT_SECONDS)
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(len(body)),
                   "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                   "Referer": server.url + upload_url(None)}  # fmt: skip
        try:
            connection.request("POST", upload_url(None), body=halves(), headers=headers)
            response = connection.getresponse()
            answer.update(status=response.status, location=response.getheader("Location", ""))
        finally:
            connection.close()

    uploader = threading.Thread(target=upload, daemon=True)
    uploader.start()
    assert half_sent.wait(WAIT_SECONDS)
    os.killpg(server.process.pid, signal.SIGTERM)
    assert server.wait_for_output("Stopping: no new connections", WAIT_SECONDS), server.log_tail()
    late = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    with pytest.raises(OSError):  # the listening socket is closed: nothing new is taken on
        late.request("GET", "/healthz")
    late.close()
    stopping.set()
    uploader.join(WAIT_SECONDS)
    assert answer.get("status") == 303 and re.search(r"/returns/versions/\d+$", answer["location"]), answer

    assert server.process.wait(timeout=STOP_SECONDS) == 0, server.log_tail()
    server.process = None
    log = server.log_text()
    assert "Gatehouse stopped." in log and "cut short" not in log and "Traceback" not in log
    assert left_behind(db, server.files_dir) == {"unfinished jobs": 0, "temporary files": 0,
                                                 "orphaned stored files": 0}  # fmt: skip
    server.start()  # and the next start finds nothing to sweep
    assert "Left by the last run" not in server.log_text()
