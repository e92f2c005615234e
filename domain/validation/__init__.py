"""Validation of School Census returns, School Workforce Census returns and CTFs: pure Python, no
web framework.

Start with ``validate`` (any upload), or ``validate_census`` / ``validate_workforce`` /
``validate_ctf``. Each returns a ``Report`` or raises ``FileRefused`` with a one-line reason. See
docs/rules.md for the rules.
"""
from domain.validation.census import validate_census
from domain.validation.ctf import validate_ctf
from domain.validation.dispatch import detect_kind, validate
from domain.validation.report import Finding, Report, Summary
from domain.validation.safe_xml import DEFAULT_MAX_BYTES, FileRefused
from domain.validation.workforce import validate_workforce

__all__ = ["DEFAULT_MAX_BYTES", "FileRefused", "Finding", "Report", "Summary", "detect_kind", "validate",
           "validate_census", "validate_ctf", "validate_workforce"]
