"""The mutation runs (`make mutation`, one per [mutmut.<part>] section of setup.cfg) each work on a
copy of the project: every app must be in it, and every test it selects must exist."""

import configparser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings


def _parts() -> dict[str, configparser.SectionProxy]:
    config = configparser.ConfigParser()
    config.read(Path(settings.BASE_DIR) / "setup.cfg")
    return {name: config[name] for name in config.sections() if name.startswith("mutmut.")}


def test_the_rules_and_the_snap_rule_each_have_a_run():
    assert set(_parts()) == {"mutmut.rules", "mutmut.snap"}


@pytest.mark.parametrize("part", sorted(_parts()))
def test_the_mutation_run_copies_every_app_of_the_project(part):
    section = _parts()[part]
    copied = set(section["source_paths"].split()) | set(section["also_copy"].split())
    ours = {
        Path(app.path).relative_to(settings.BASE_DIR).parts[0]
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(settings.BASE_DIR) and "site-packages" not in Path(app.path).parts
    }
    assert ours - copied == set()


@pytest.mark.parametrize("part", sorted(_parts()))
def test_every_test_the_mutation_run_selects_exists(part):
    """A test file renamed or removed would leave the run without the tests that kill its mutants."""
    selected = _parts()[part]["pytest_add_cli_args_test_selection"].split()
    assert selected
    assert [path for path in selected if not (Path(settings.BASE_DIR) / path).exists()] == []


@pytest.mark.parametrize("part", sorted(_parts()))
def test_every_file_a_run_changes_is_in_its_source(part):
    section = _parts()[part]
    sources = section["source_paths"].split()
    mutated = section["only_mutate"].split()
    assert mutated
    assert [path for path in mutated if path.split("/")[0] not in sources] == []
    assert [path for path in mutated if not (Path(settings.BASE_DIR) / path).exists()] == []
