"""The suite's own wiring: `make test` leaves these tests out and `make reliability` runs them."""

from __future__ import annotations


def test_reliability_tests_carry_the_marker(request):
    assert request.node.get_closest_marker("reliability") is not None

