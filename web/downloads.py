"""Answers that hand a stored file to the browser."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from flask import Response

from domain.csv_files import csv_chunks


def attachment_header(name: str) -> str:
    """``Content-Disposition`` for a download named ``name``: the name itself when it is plain ASCII, otherwise an
    ASCII fallback and the UTF-8 name (RFC 6266). ``%`` and ``?`` are not plain: Chromium decodes percent escapes and
    RFC 2047 words in the fallback (it saves ``run%2Ebat`` and ``=?utf-8?Q?run=2Ebat?=`` as ``run.bat``), so such a
    name is sent exactly in ``filename*``, which browsers prefer."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = plain.replace("%", "_").replace("?", "_")
    plain = "".join(ch for ch in plain if ch.isprintable() and ch not in '"\\') or "download"
    if plain == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_response(chunks: Iterable[bytes], name: str, size: int) -> Response:
    """Stream ``chunks`` (already verified whole) as a download named ``name`` of ``size`` bytes."""
    return Response(chunks, mimetype="application/octet-stream", headers={
        "Content-Disposition": attachment_header(name), "Content-Length": str(size),
    })  # fmt: skip


def csv_download(name: str, header: Iterable[str], body: Iterable[Iterable]) -> Response:
    """Stream ``body``'s rows as a CSV download named ``name`` (``domain.csv_files.csv_chunks``: a byte-order mark,
    ``header``, every cell formula-safe). A ``body`` that outlives the request opens its own database connection."""
    headers = {"Content-Disposition": attachment_header(name)}
    return Response(csv_chunks(header, body), mimetype="text/csv", headers=headers)
