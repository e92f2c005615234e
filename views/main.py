"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.permissions import public, signed_in

bp = Blueprint("main", __name__)


@bp.get("/")
@signed_in
def home():
    return render_template("main/home.html")


@bp.get("/healthz")
@public
def health():
    return {"status": "ok"}
