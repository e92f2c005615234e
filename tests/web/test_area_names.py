"""One name per area: blueprint, module, URL prefix and template folder agree, and the addresses
that moved still lead to their pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from views import AREAS
from views.moved import MOVED

ROOT = Path(__file__).resolve().parents[2]
# Areas whose pages sit at the top of the site (home, sign-in) and the redirects of moved addresses.
NO_PREFIX = {"main", "auth", "moved"}


@pytest.mark.parametrize("name", AREAS)
def test_blueprint_module_prefix_and_templates_share_the_areas_name(app, name):
    blueprint = app.blueprints[name]
    assert blueprint.import_name == f"views.{name}"
    if name not in NO_PREFIX:
        prefix = "/" + name.replace("_", "-")
        assert blueprint.url_prefix == prefix
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith(f"{name}."):
                assert rule.rule == prefix or rule.rule.startswith(prefix + "/") or rule.rule.startswith(prefix + ".")
    if name != "moved":
        assert (ROOT / "templates" / name).is_dir()


def test_templates_are_in_their_areas_folder():
    """``render_template``/``render_page`` in views/<area>.py name templates of that area (or errors)."""
    wrong = []
    for name in AREAS:
        source = (ROOT / "views" / f"{name}.py").read_text(encoding="utf-8")
        for template in re.findall(r"render_(?:template|page)\(\s*\"([^\"]+)\"", source):
            if not template.startswith((f"{name}/", "errors/")):
                wrong.append((name, template))
    assert wrong == []


@pytest.mark.parametrize("old,endpoint", MOVED)
def test_moved_addresses_redirect_permanently(app, client, old, endpoint):
    values = {arg: "abc" if arg == "token" else 7 for arg in re.findall(r"<(?:int:)?(\w+)>", old)}
    path = re.sub(r"<(?:int:)?(\w+)>", lambda m: str(values[m.group(1)]), old)
    response = client.get(path + "?from=email")
    assert response.status_code == 301
    with app.test_request_context():
        from flask import url_for

        assert response.headers["Location"] == url_for(endpoint, **values) + "?from=email"
