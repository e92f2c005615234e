"""The standing reliability suite (`make reliability`): real servers killed, loaded, backed up and
scanned. Every test in this folder is marked ``reliability``, which `make test` leaves out
(pyproject's ``-m "not reliability"``) and `make reliability` selects. Each part is bounded in time
and counts; figures go to the suite's output and bench/README.md."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.reliability)
