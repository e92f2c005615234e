"""Validation of School Census returns and CTFs: pure Python, no web framework.

Start with ``validate`` (any upload), or ``validate_census`` / ``validate_ctf``. Each returns a
``Report`` or raises ``FileRefused`` with a one-line reason. See docs/rules.md for the rules.
"""
from validation.census import validate_census
from validation.ctf import validate_ctf
from validation.dispatch import detect_kind, validate
from validation.report import Finding, Report, Summary
from validation.safe_xml import DEFAULT_MAX_BYTES, FileRefused

__all__ = ["DEFAULT_MAX_BYTES", "FileRefused", "Finding", "Report", "Summary", "detect_kind", "validate",
           "validate_census", "validate_ctf"]
