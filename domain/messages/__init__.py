"""Secure messages rules with no Flask: which attached files are refused."""
