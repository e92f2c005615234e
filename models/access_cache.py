"""Cache for the oversight page's counts (every organisation of an LA).

Keyed by ``access_data_version``: triggers bump it on every change to users' roles, statuses
and organisations, to account requests and to organisations. See models/versioned_cache.py.
"""

from __future__ import annotations

from models.versioned_cache import VersionedCache

_cache = VersionedCache("access_data_version", limit=256)
version = _cache.version
cached = _cache.cached
