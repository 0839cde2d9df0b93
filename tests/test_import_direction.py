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


@pytest.mark.parametrize(
    ("app", "below"),
    [
        ("core", set()),
        ("audit", {"core"}),
        ("accounts", {"audit", "core"}),
        ("clients", {"accounts", "audit", "core"}),
        ("correspondence", {"clients", "accounts", "audit", "core"}),
        ("casework", {"correspondence", "clients", "accounts", "audit", "core"}),
        ("eligibility", {"casework", "correspondence", "clients", "accounts", "audit", "core"}),
        ("referrals", {"eligibility", "casework", "correspondence", "clients", "accounts", "audit", "core"}),
        ("assistance", {"eligibility", "casework", "correspondence", "clients", "accounts", "audit", "core"}),
        (
            "quality",
            {
                "referrals",
                "assistance",
                "eligibility",
                "casework",
                "correspondence",
                "clients",
                "accounts",
                "audit",
                "core",
            },
        ),
        (
            "coverage",
            {
                "referrals",
                "assistance",
                "eligibility",
                "casework",
                "correspondence",
                "clients",
                "accounts",
                "audit",
                "core",
            },
        ),
        (
            "appeals",
            {
                "referrals",
                "assistance",
                "eligibility",
                "casework",
                "correspondence",
                "clients",
                "accounts",
                "audit",
                "core",
            },
        ),
        (
            "employment",
            {
                "referrals",
                "assistance",
                "eligibility",
                "casework",
                "correspondence",
                "clients",
                "accounts",
                "audit",
                "core",
            },
        ),
        (
            "community",
            {
                "referrals",
                "assistance",
                "eligibility",
                "casework",
                "correspondence",
                "clients",
                "accounts",
                "audit",
                "core",
            },
        ),
        (
            "reports",
            {
                "appeals",
                "quality",
                "coverage",
                "employment",
                "community",
                "referrals",
                "assistance",
                "eligibility",
                "casework",
                "correspondence",
                "clients",
                "accounts",
                "audit",
                "core",
            },
        ),
    ],
)
def test_each_app_imports_only_the_apps_below_it(app, below):
    upward = {module: apps - below for module, apps in imported_apps(app).items()}
    assert {module: apps for module, apps in upward.items() if apps} == {}


def test_the_api_is_at_the_top_no_app_imports_it():
    assert "api" in APPS
    importers = {
        module: {"api"} for app in APPS - {"api"} for module, apps in imported_apps(app).items() if "api" in apps
    }
    assert importers == {}


def test_no_app_below_appeals_imports_it():
    importers = {
        module
        for app in APPS - {"appeals", "api", "reports"}
        for module, used in imported_apps(app).items()
        if "appeals" in used
    }
    assert importers == set()
