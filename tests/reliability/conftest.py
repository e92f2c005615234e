"""The standing reliability suite (`make reliability`): real servers killed, loaded, backed up and
scanned. Every test in this folder is marked ``reliability``, which `make test` leaves out
(pyproject's ``-m "not reliability"``) and `make reliability` selects. Each part is bounded in time
and counts; figures go to the suite's output and bench/README.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.real_server import ServerProcess

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.reliability)


def pytest_terminal_summary(terminalreporter):
    """The figures each test recorded with ``record_property``, after the results (`make reliability`)."""
    reports = [r for key in ("passed", "failed") for r in terminalreporter.stats.get(key, []) if r.when == "call"]
    figures = [(r.nodeid, r.user_properties) for r in reports if r.user_properties and HERE.name in r.nodeid]
    if figures:
        terminalreporter.section("reliability figures")
        for nodeid, properties in figures:
            terminalreporter.write_line(nodeid)
            for name, value in properties:
                terminalreporter.write_line(f"    {name}: {value}")


@pytest.fixture
def real_server(app_config, app):
    """``real_server(threads=8, **settings)``: a :class:`ServerProcess` over this test's migrated instance, for
    the test to start, kill and restart; every one made is killed when the test ends, pass or fail."""
    made: list[ServerProcess] = []

    def make(threads: int = 8, **settings: str) -> ServerProcess:
        server = ServerProcess(app_config, threads, **settings)
        made.append(server)
        return server

    yield make
    for server in made:
        server.kill()
