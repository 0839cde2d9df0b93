"""What every response tells the browser: its policy for scripts, what it may keep, its id."""

import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.logging import JsonFormatter, RequestIdFilter
from tests.factories import ClientFactory, case_for

# An inline script (a <script> with no src), an event-handler attribute, a javascript: URL,
# or a style attribute or element: all refused by the Content-Security-Policy.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|javascript:|\sstyle=|<style")
# Rendered to PDF on the server only, never sent to a browser as a page.
PDF_ONLY = {"notice.html", "letter.html", "plan_pdf.html", "letters_print.html"}


@pytest.fixture
def client_page(caseworker) -> str:
    person = ClientFactory(office=caseworker.office)
    case_for(person, caseworker)
    return reverse("clients:detail", args=[person.pk])


def _directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_a_client_page_may_run_only_the_sites_own_script_files(client, caseworker, client_page):
    client.force_login(caseworker)
    directives = _directives(client.get(client_page))

    assert directives["script-src"] == "script-src 'self'"
    assert directives["style-src"] == "style-src 'self'"
    assert directives["object-src"] == "object-src 'none'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert "unsafe-inline" not in " ".join(directives.values())


def test_no_page_template_writes_script_or_style_into_the_page():
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    pages = [path for folder in folders for path in folder.rglob("*.html") if path.name not in PDF_ONLY]
    assert pages
    offenders = [
        f"{path.relative_to(path.parents[1])}:{number}"
        for path in pages
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if INLINE.search(line)
    ]
    assert offenders == []


def test_a_page_with_client_data_is_never_stored_by_the_browser(client, caseworker, client_page):
    client.force_login(caseworker)
    response = client.get(client_page)

    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "private", "max-age=0"} <= cache_control


def test_every_page_a_signed_in_person_opens_is_no_store(client, caseworker):
    client.force_login(caseworker)

    for path in (reverse("home"), reverse("clients:list"), reverse("casework:case_list")):
        assert "no-store" in client.get(path)["Cache-Control"], path


def test_each_answer_carries_a_request_id_and_keeps_a_proxys_own(client, db):
    fresh = client.get(reverse("accounts:login"))
    passed = client.get(reverse("accounts:login"), headers={"X-Request-ID": "proxy-1234abcd"})
    forged = client.get(reverse("accounts:login"), headers={"X-Request-ID": "<script>"})

    assert re.fullmatch(r"[0-9a-f]{32}", fresh["X-Request-ID"])
    assert passed["X-Request-ID"] == "proxy-1234abcd"
    assert re.fullmatch(r"[0-9a-f]{32}", forged["X-Request-ID"])


def test_a_log_line_written_while_serving_a_request_names_its_id(client, caseworker, caplog):
    client.force_login(caseworker)
    caplog.handler.addFilter(RequestIdFilter())

    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(reverse("clients:detail", args=[999_999]), headers={"X-Request-ID": "abcdefgh-42"})

    [record] = [r for r in caplog.records if r.name == "django.request"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abcdefgh-42"
    assert line["level"] == "WARNING"
    assert line["message"].startswith("Not Found")
