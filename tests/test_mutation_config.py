"""The mutation run (`make mutation`) works on a copy of the project: every app must be in it."""

import configparser
from pathlib import Path

from django.apps import apps
from django.conf import settings


def test_the_mutation_run_copies_every_app_of_the_project():
    config = configparser.ConfigParser()
    config.read(Path(settings.BASE_DIR) / "setup.cfg")
    copied = set(config["mutmut"]["source_paths"].split()) | set(config["mutmut"]["also_copy"].split())
    ours = {
        Path(app.path).relative_to(settings.BASE_DIR).parts[0]
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(settings.BASE_DIR) and "site-packages" not in Path(app.path).parts
    }
    assert ours - copied == set()


def test_every_test_the_mutation_run_selects_exists():
    """A test file renamed or removed would leave the run without the tests that kill its mutants."""
    config = configparser.ConfigParser()
    config.read(Path(settings.BASE_DIR) / "setup.cfg")
    selected = config["mutmut"]["pytest_add_cli_args_test_selection"].split()
    assert selected
    assert [path for path in selected if not (Path(settings.BASE_DIR) / path).exists()] == []
