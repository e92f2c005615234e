"""TOTP codes, QR codes and recovery codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp

from domain.security import two_factor

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)


def test_required_for_site_admins_and_approvers_only():
    assert two_factor.required_for({"is_site_admin": 1, "role": "end_user"}, {})
    assert two_factor.required_for({"is_site_admin": 0, "role": "approver"}, {})
    assert not two_factor.required_for({"is_site_admin": 0, "role": "end_user"}, {})


def test_current_code_matches_its_step():
    code = pyotp.TOTP(SECRET).at(NOW)
    assert two_factor.matching_step(SECRET, code, NOW, None) == two_factor.current_step(NOW)


def test_one_step_of_drift_either_way_is_allowed_but_not_two():
    step = two_factor.current_step(NOW)
    for offset in (-1, 1):
        code = two_factor.code_at_step(SECRET, step + offset)
        assert two_factor.matching_step(SECRET, code, NOW, None) == step + offset
    old = two_factor.code_at_step(SECRET, step - 2)
    assert two_factor.matching_step(SECRET, old, NOW, None) is None


def test_a_used_step_is_refused():
    step = two_factor.current_step(NOW)
    code = two_factor.code_at_step(SECRET, step)
    assert two_factor.matching_step(SECRET, code, NOW, last_step=step) is None
    assert two_factor.matching_step(SECRET, code, NOW + timedelta(seconds=30), last_step=step) is None


def test_spaces_in_a_code_are_ignored_and_non_digits_refused():
    code = two_factor.code_at_step(SECRET, two_factor.current_step(NOW))
    assert two_factor.matching_step(SECRET, f"{code[:3]} {code[3:]}", NOW, None) is not None
    assert two_factor.matching_step(SECRET, "12345a", NOW, None) is None
    assert two_factor.matching_step(SECRET, "", NOW, None) is None


def test_new_secret_is_base32_of_160_bits():
    secret = two_factor.new_secret()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert two_factor.new_secret() != secret


def test_qr_code_is_inline_svg_without_style_attributes():
    uri = two_factor.provisioning_uri(SECRET, "head@school.example", "Gatehouse")
    assert uri.startswith("otpauth://totp/Gatehouse:head%40school.example?secret=")
    svg = two_factor.qr_svg(uri)
    assert svg.startswith('<svg role="img"')
    assert "style=" not in svg and "<script" not in svg
    assert "<title>" in svg


def test_recovery_codes_are_ten_distinct_high_entropy_codes():
    codes = two_factor.new_recovery_codes()
    assert len(codes) == 10 == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}", code)


def test_recovery_code_hash_ignores_case_spaces_and_lookalikes():
    assert two_factor.hash_recovery_code("ab1o-cd2e-fg3h-jk4m") == two_factor.hash_recovery_code("AB10 CD2E FG3H JK4M")
    assert two_factor.hash_recovery_code("1111-aaaa-bbbb-cccc") == two_factor.hash_recovery_code("il1I-aaaa-bbbb-cccc")
    assert len(two_factor.hash_recovery_code("x")) == 64
