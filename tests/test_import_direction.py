"""Imports point down the app chain: the lowest apps import nothing from the apps above them.

Imports under `if TYPE_CHECKING:` never run, so they are left out: a lower app may name an
upper app's class in a type hint (the user model, say) without importing it.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = {p.parent.name for p in ROOT.glob("*/apps.py")}


def _runtime_nodes(tree: ast.AST):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}:
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def imported_apps(app: str) -> dict[str, set[str]]:
    """The other project apps each module of `app` imports (tests and migrations aside), by file."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / app).rglob("*.py"):
        relative = path.relative_to(ROOT)
        if {"tests", "migrations"} & set(relative.parts):
            continue
        names: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
        used = (names & APPS) - {app}
        if used:
            found[str(relative)] = used
    return found


def test_the_apps_are_found():
    assert {"core", "audit", "accounts", "clients"} <= APPS


def test_an_upward_import_is_seen(tmp_path, monkeypatch):
    (tmp_path / "audit").mkdir()
    (tmp_path / "audit" / "admin.py").write_text("from accounts.admin_access import ReadOnlyRoleAdmin\n")
    (tmp_path / "audit" / "hints.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from accounts.models import User\n"
    )
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert imported_apps("audit") == {"audit/admin.py": {"accounts"}}


# The apps from the bottom up, a layer at a time (ARCHITECTURE.md): an app may import the apps of
# the layers below its own, never one of its own layer or above.
LAYERS = [
    {"core"},
    {"audit"},
    {"accounts"},
    {"clients"},
    {"correspondence"},
    {"casework"},
    {"eligibility"},
    {"referrals", "assistance"},
    {"quality", "health_coverage", "appeals", "employment", "community"},
    {"reports", "api"},
]
BELOW = {app: set().union(*LAYERS[:depth]) for depth, layer in enumerate(LAYERS) for app in layer}


def test_every_app_has_its_layer():
    assert set(BELOW) == APPS


@pytest.mark.parametrize("app", sorted(BELOW))
def test_each_app_imports_only_the_apps_below_it(app):
    upward = {module: apps - BELOW[app] for module, apps in imported_apps(app).items()}
    assert {module: apps for module, apps in upward.items() if apps} == {}
