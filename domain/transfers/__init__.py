"""Transfers between schools and the LA, as pure rules: where a CTF goes (its header's destination),
which uploaded file names are acceptable, and how lost-pupil searches compare names."""
