"""The staff interface in the worker's own language, and the catalogues that make it possible."""

import gettext
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.services import user_language_set
from audit.models import AuditEvent

NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)
HOME = reverse("home")
LOCALE = Path(settings.BASE_DIR) / "locale"


def _entries(po: Path) -> list[dict]:
    """Each entry of a .po file: its context (pgettext's), msgid, translations and whether it is marked fuzzy."""
    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        entries.append(
            {
                "msgctxt": fields.get("msgctxt"),
                "msgid": fields["msgid"],
                "msgstrs": [value for key, value in fields.items() if key.startswith("msgstr")],
                "fuzzy": "fuzzy" in flags,
            }
        )
    return [entry for entry in entries if entry["msgid"]]  # the header has an empty msgid


@pytest.mark.parametrize("language", ["es", "fr"])
def test_every_text_has_a_translation_and_none_is_a_guess(language):
    entries = _entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 1000  # the staff interface, not only the letters
    untranslated = [e["msgid"] for e in entries if not all(e["msgstrs"])]
    fuzzy = [e["msgid"] for e in entries if e["fuzzy"]]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_compiled_catalogue_is_the_one_translated(language):
    entries = _entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    singular = [e for e in entries if len(e["msgstrs"]) == 1]

    def compiled(entry: dict) -> str:
        msgid = entry["msgid"].replace('\\"', '"').replace("\\n", "\n")
        if entry["msgctxt"] is not None:
            return catalogue.pgettext(entry["msgctxt"], msgid)
        return catalogue.gettext(msgid)

    stale = [
        e["msgid"] for e in singular if compiled(e) == e["msgid"].replace('\\"', '"') and e["msgstrs"][0] != e["msgid"]
    ]
    assert stale == [], "run `make messages`"


def test_a_worker_who_prefers_spanish_sees_their_pages_in_spanish(client, caseworker):
    caseworker.language = "es"
    caseworker.save(update_fields=["language"])
    client.force_login(caseworker)

    page = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="es">' in page
    assert ">Casos</a>" in page
    assert "Cerrar sesión" in page
    assert "Sign out" not in page


def test_a_worker_without_a_preference_gets_english(client, caseworker):
    client.force_login(caseworker)

    page = client.get(HOME).content.decode()

    assert '<html lang="en' in page
    assert ">Cases</a>" in page
    assert "Sign out" in page


def test_the_user_menu_switches_the_language_and_the_trail_records_it(client, caseworker):
    client.force_login(caseworker)

    response = client.post(reverse("accounts:language"), {"language": "fr", "next": HOME}, follow=True)

    assert response.redirect_chain[-1][0] == HOME
    page = response.content.decode()
    assert "Vos pages sont maintenant dans cette langue." in page
    assert ">Dossiers</a>" in page
    caseworker.refresh_from_db()
    assert caseworker.language == "fr"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(caseworker.pk)).get()
    assert event.actor == caseworker
    assert event.changes == {"language": ["", "fr"]}

    client.post(reverse("accounts:language"), {"language": "", "next": HOME})
    caseworker.refresh_from_db()
    assert caseworker.language == ""
    assert ">Cases</a>" in client.get(HOME).content.decode()


def test_a_language_not_offered_is_refused_and_nothing_changes(client, caseworker):
    caseworker.language = "es"
    caseworker.save(update_fields=["language"])
    client.force_login(caseworker)

    response = client.post(reverse("accounts:language"), {"language": "de", "next": HOME}, follow=True)

    assert "Elija uno de los idiomas ofrecidos." in response.content.decode()
    caseworker.refresh_from_db()
    assert caseworker.language == "es"


def test_only_an_administrator_sets_someone_else_s_language(caseworker, other_caseworker, admin_user):
    with pytest.raises(PermissionDenied):
        user_language_set(acting_user=caseworker, user=other_caseworker, language="es")

    user_language_set(acting_user=admin_user, user=other_caseworker, language="es")

    other_caseworker.refresh_from_db()
    assert other_caseworker.language == "es"
