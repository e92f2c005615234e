"""The password policy: length limits, the common-password list, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.security import password_policy as policy


def test_a_long_uncommon_password_is_fine():
    assert policy.problems("violet harbour tram sixteen") == []


def test_exactly_the_limits_are_allowed():
    assert policy.problems("q7#mZ!p2Lr9x") == []  # 12 characters
    assert policy.problems("y" * 64 + "k" * 64) == []  # 128 characters


def test_too_short():
    assert policy.problems("q7#mZ!p2Lr9") == [policy.TOO_SHORT]  # 11 characters


def test_too_long():
    assert policy.problems("y" * 129) == [policy.TOO_LONG]


def test_common_passwords_are_refused_in_any_case():
    assert policy.problems("qwertyuiop123") == [policy.TOO_COMMON]
    assert policy.problems("QwertyUIOP123") == [policy.TOO_COMMON]
    assert policy.problems("1q2w3e4r5t6y") == [policy.TOO_COMMON]


def test_no_composition_rules():
    assert policy.problems("all lower case words only") == []


def test_the_email_address_is_refused():
    assert policy.problems("amelia.jones.head@school.example", email="Amelia.Jones.Head@school.example") == [
        policy.IS_EMAIL
    ]
    assert policy.problems("amelia.jones.head", email="amelia.jones.head@school.example") == [policy.IS_EMAIL]


def test_bundled_list_has_at_least_ten_thousand_lowercase_entries():
    words = policy.common_passwords()
    assert len(words) >= 10_000
    assert "password" in words and "123456" in words
    assert all(w == w.lower() for w in words)
    assert not any(w.startswith("# ") for w in words)  # the header is not read as passwords
    assert "#1bitch" in words  # passwords starting with '#' are kept


def test_the_list_file_names_its_source_and_licence():
    head = policy.COMMON_PASSWORDS_FILE.read_text(encoding="utf-8")[:3000]
    assert "Royce Williams" in head and "Django" in head and "BSD" in head


def test_a_custom_list(tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text("# header line\nCorrect Horse Battery Staple\n", encoding="utf-8")
    common = policy.common_passwords(listing)
    assert common == frozenset({"correct horse battery staple"})
    assert policy.problems("correct horse battery staple", common=common) == [policy.TOO_COMMON]


def test_expiry_off_by_default():
    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert not policy.has_expired(now - timedelta(days=5000), 0, now)


def test_expiry_when_on():
    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert not policy.has_expired(now - timedelta(days=89), 90, now)
    assert policy.has_expired(now - timedelta(days=90), 90, now)
    assert policy.has_expired(None, 90, now)
