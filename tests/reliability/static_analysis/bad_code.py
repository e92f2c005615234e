"""Deliberately bad code for tests/reliability/test_static_analysis.py: each rule of semgrep.yml beside it must
find every line marked ``# bad: <rule id>`` here, and nothing else. Never imported or run (pytest collects only
test_*.py; the static-analysis scans leave tests/ out); the unmarked lines are the safe way to do each thing.
"""

from __future__ import annotations

import io
import sqlite3

import jinja2
from flask import Flask, redirect, render_template, render_template_string, request, send_file, url_for
from lxml import etree

from models.db import one, rows
from web.sessions import safe_next

app = Flask(__name__)


def xml_parsers(data: bytes):
    etree.XMLParser(resolve_entities=True)  # bad: lxml-unsafe-option
    etree.XMLParser(resolve_entities="internal")  # bad: lxml-unsafe-option
    etree.XMLParser(no_network=False)  # bad: lxml-unsafe-option
    etree.XMLParser(huge_tree=True)  # bad: lxml-unsafe-option
    etree.XMLParser(load_dtd=True)  # bad: lxml-unsafe-option
    etree.iterparse(io.BytesIO(data), dtd_validation=True)  # bad: lxml-unsafe-option
    settings = {"resolve_entities": True, "no_network": True}  # bad: lxml-unsafe-option
    loose = {"no_network": False}  # bad: lxml-unsafe-option
    tree = etree.parse(io.BytesIO(data), etree.XMLParser(**settings, **loose))
    tree.xinclude()  # bad: lxml-unsafe-option
    safe = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}
    return etree.iterparse(io.BytesIO(data), resolve_entities=False, no_network=True, **safe)


def templates(name: str):
    render_template_string("<p>Hello {{ name }}</p>", name=name)  # bad: template-from-string
    jinja2.Template("<p>" + name + "</p>")  # bad: template-from-string
    app.jinja_env.from_string("<p>{{ name }}</p>")  # bad: template-from-string
    return render_template("main/home.html", name=name)


def sql(db: sqlite3.Connection, name: str, ids: list[int]):
    db.execute(f"SELECT * FROM users WHERE name = '{name}'")  # bad: sql-format
    db.execute("SELECT * FROM users WHERE name = '%s'" % name)  # bad: sql-format  # noqa: UP031
    db.execute("SELECT * FROM users WHERE name = '{}'".format(name))  # bad: sql-format  # noqa: UP032
    db.execute("SELECT * FROM users WHERE name = '" + name + "'")  # bad: sql-format
    query = f"DELETE FROM users WHERE name = '{name}'"
    db.execute(query)  # bad: sql-format
    db.executemany(f"INSERT INTO users (name) VALUES ('{name}')", [])  # bad: sql-format
    rows(db, f"SELECT * FROM users WHERE id IN ({','.join(str(i) for i in ids)})")  # bad: sql-format
    one(db, "SELECT * FROM users WHERE name = ?", (name,))
    return db.execute("SELECT * FROM users WHERE name = :name", {"name": name})


def downloads(path: str):
    send_file(path)  # bad: send-file-inline
    send_file(path, mimetype="text/html", as_attachment=False)  # bad: send-file-inline
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name="export.zip")


def redirects():
    if request.args.get("a"):
        return redirect(request.args["next"])  # bad: open-redirect
    if request.args.get("b"):
        return redirect(request.form.get("next", "/"))  # bad: open-redirect
    if request.args.get("c"):
        target = request.values.get("next") or url_for("main.home")
        return redirect(target)  # bad: open-redirect
    if request.args.get("d"):
        return redirect(request.referrer)  # bad: open-redirect
    if request.args.get("e"):
        response = app.response_class(status=200)
        response.headers["HX-Redirect"] = request.args["next"]  # bad: open-redirect
        return response
    if request.args.get("f"):
        return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return redirect(url_for("main.home", next=request.args.get("next")))
