"""Answers that hand a stored file to the browser."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from flask import Response


def attachment_header(name: str) -> str:
    """``Content-Disposition`` for a download named ``name``: an ASCII fallback and the UTF-8 name (RFC 6266)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = "".join(ch for ch in plain if ch.isprintable() and ch not in '"\\') or "download"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_response(chunks: Iterable[bytes], name: str, size: int) -> Response:
    """Stream ``chunks`` (already verified whole) as a download named ``name`` of ``size`` bytes."""
    return Response(chunks, mimetype="application/octet-stream", headers={
        "Content-Disposition": attachment_header(name), "Content-Length": str(size),
    })  # fmt: skip
