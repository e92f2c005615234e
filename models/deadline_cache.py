"""Cache for deadlines reads that pages repeat (the catalogue, a school's "What's due").

Keyed by ``deadline_data_version``: triggers bump it on every change to instances, statuses
and the catalogue. See models/versioned_cache.py.
"""

from __future__ import annotations

from models.versioned_cache import VersionedCache

_cache = VersionedCache("deadline_data_version", limit=4096)
version = _cache.version
cached = _cache.cached
