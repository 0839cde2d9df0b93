"""Sending to a client: by a channel and to an address that are safe for them, in their language.

`correspondence_send` is how every app writes to a client: it picks the channel (the client's
preferred safe one unless told), renders the letter in the client's language, keeps it as sent,
and hands delivery to the worker process through the outbox (`core.jobs`). Mail waits for the
day's print batch; email goes through Django's email backend; text through the provider
backend in settings (`correspondence.backends`). A failed delivery is tried again with a
growing pause, and after `CORRESPONDENCE_MAX_ATTEMPTS` tries it is marked failed for the
worker to see on the client's Correspondence tab.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.access import client_scope, may_print_mail, print_batch_scope
from audit.models import AuditEvent
from audit.services import audit_diff, audit_record, audit_record_many, audit_snapshot
from clients.models import Client
from core.jobs import job_enqueue
from core.status import StatusRefused, status_begin, status_move
from correspondence import letters
from correspondence import templates_registry as registry
from correspondence.models import (
    Channel,
    ContactPreference,
    Correspondence,
    Language,
    LetterTemplate,
    PrintBatch,
    StaffMessage,
)

if TYPE_CHECKING:
    from accounts.models import User
    from casework.models import Case

S = Correspondence.Status
DELIVER_TASK = "correspondence.tasks.correspondence_deliver"
#: The order channels are tried in when the preferred one cannot be used.
CHANNEL_ORDER = (Channel.MAIL, Channel.EMAIL, Channel.TEXT)


def max_attempts() -> int:
    return getattr(settings, "CORRESPONDENCE_MAX_ATTEMPTS", 5)


def retry_delay(attempts: int) -> timedelta:
    """The pause after the `attempts`-th failed try: 1, 4, 16, 64 minutes..., at most a day."""
    return min(timedelta(minutes=4 ** (attempts - 1)), timedelta(days=1))


# --- Who may be reached how --------------------------------------------------------------


def contact_preference_of(client: Client) -> ContactPreference:
    """The client's preferences, or the defaults (mail to the address on file, nothing else) unsaved."""
    try:
        return client.contact_preference
    except ContactPreference.DoesNotExist:
        return ContactPreference(client=client)


def language_of(client: Client, preference: ContactPreference | None = None) -> str:
    """The language to write to the client in: their preference, else the language on their file."""
    preference = preference or contact_preference_of(client)
    if preference.language:
        return preference.language
    spoken = (client.language or "").strip().lower()
    for code, names in {"es": ("span", "espa", "es"), "fr": ("fren", "fran", "fr")}.items():
        if spoken.startswith(names[:2]) or spoken == names[2]:
            return code
    return Language.ENGLISH


def home_address_is_private(client: Client) -> bool:
    """A restricted client's home address, or a confidential one, never leaves the agency."""
    return client.restricted or client.address_confidential


def mailing_address(client: Client, preference: ContactPreference) -> list[str]:
    """The lines of the address a letter may go to: the safe alternate one where the client gave one,
    never the home address of a restricted client or a confidential one."""
    p = preference
    if p.has_alternate_address:
        town = _town(p.alt_city, p.alt_region, p.alt_postal_code)
        lines = [p.alt_name or client.full_name, p.alt_line1, p.alt_line2, town]
    elif home_address_is_private(client) or not (client.address_line1 and client.city):
        return []
    else:
        lines = [client.full_name, client.address_line1, client.address_line2,
                 _town(client.city, client.region, client.postal_code)]  # fmt: skip
    return [line for line in lines if line]


def _town(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def channel_refusal(client: Client, preference: ContactPreference, channel: str) -> str:
    """Why nothing may go to the client by `channel` (empty when it may): the one place this is decided."""
    label = Channel(channel).label.lower()
    if not getattr(preference, f"{channel}_agreed"):
        return _("The client has not agreed to be contacted by %(channel)s.") % {"channel": label}
    if not getattr(preference, f"{channel}_safe"):
        return _("%(channel)s is marked not safe for this client.") % {"channel": Channel(channel).label}
    if channel == Channel.MAIL and not mailing_address(client, preference):
        if home_address_is_private(client):
            return _(
                "The client's home address may not appear on anything that leaves the agency, "
                "and no safe mailing address is on file."
            )
        return _("No mailing address is on file.")
    if channel == Channel.EMAIL and not client.email:
        return _("No email address is on file.")
    if channel == Channel.TEXT and not client.phone:
        return _("No telephone number is on file for text messages.")
    return ""


def channel_address(client: Client, preference: ContactPreference, channel: str) -> str:
    if channel == Channel.MAIL:
        return "\n".join(mailing_address(client, preference))
    if channel == Channel.EMAIL:
        return client.email
    return client.phone


def channel_choose(client: Client, preference: ContactPreference, channel: str | None = None) -> str:
    """The channel to use: `channel` if it is safe, else the preferred one, else another safe one.

    Raises ValidationError saying why when none may be used.
    """
    if channel:
        if channel not in Channel.values:
            raise ValidationError(_("Unknown channel: %(channel)s.") % {"channel": channel})
        refusal = channel_refusal(client, preference, channel)
        if refusal:
            raise ValidationError(refusal)
        return channel
    order = [preference.preferred_channel, *(c for c in CHANNEL_ORDER if c != preference.preferred_channel)]
    refusals = []
    for candidate in order:
        refusal = channel_refusal(client, preference, candidate)
        if not refusal:
            return candidate
        refusals.append(refusal)
    raise ValidationError(_("Nothing can be sent to this client: %(why)s") % {"why": " ".join(refusals)})


# --- Wording -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str
    version: int  # 0: the built-in wording


def wording(code: str, language: str) -> Wording:
    """The newest admin version of a letter in `language`, else the built-in wording."""
    definition = registry.get(code)
    kept = LetterTemplate.objects.filter(code=code, language=language).order_by("-version").first()
    if kept is not None:
        return Wording(subject=kept.subject, body=kept.body, version=kept.version)
    return Wording(
        subject=definition.default_text("subject", language),
        body=definition.default_text("body", language),
        version=0,
    )


def standard_values(*, client: Client, case: Case | None, sent_by: User | None) -> dict[str, Any]:
    office = client.office
    return {
        "client_name": client.full_name,
        "client_first_name": client.preferred_name or client.first_name,
        "agency_name": settings.AGENCY_NAME,
        "office_name": office.name,
        "office_phone": office.phone,
        "worker_name": (sent_by.get_full_name() or sent_by.get_username()) if sent_by else "",
        "case_number": case.number if case else "",
        "today": timezone.localdate(),
    }


def letter_render(
    *, client: Client, template: str, context: dict, language: str, case=None, sent_by=None
) -> tuple[str, str, int]:
    """The subject and body of letter `template` for the client in `language`, and its version."""
    definition = registry.get(template)
    missing = [name for name in definition.fields if name not in context]
    if missing:
        raise ValidationError(_("The letter needs %(fields)s.") % {"fields": ", ".join(missing)})
    values = standard_values(client=client, case=case, sent_by=sent_by)
    values.update({name: context[name] for name in definition.fields})
    words = wording(template, language)
    with translation.override(language):
        return (
            registry.render(words.subject, values, language)[:200],
            registry.render(words.body, values, language),
            words.version,
        )


def letter_draft(*, client: Client, case: Case | None, template: str, sent_by: User, language: str | None = None):
    """A letter for a worker to edit: the standard fields filled, the template's own fields left as
    `[field]` for the worker to complete. Returns (subject, body, language)."""
    _check_sender(sent_by, client)
    definition = registry.get(template)
    if not definition.worker_may_draft:
        raise ValidationError(_("This letter is sent by the system, not written by hand."))
    language = language or language_of(client)
    placeholders = {name: f"[{name}]" for name in definition.fields}
    subject, body, _version = letter_render(
        client=client, template=template, context=placeholders, language=language, case=case, sent_by=sent_by
    )
    return subject, body, language


# --- Sending -----------------------------------------------------------------------------------


def _check_sender(sent_by: User | None, client: Client) -> None:
    if sent_by is not None and not Client.objects.filter(client_scope(sent_by), pk=client.pk).exists():
        raise PermissionDenied(_("You may not write to this client."))


def _move(item: Correspondence, to: str, *, by: User | None = None, job: str = "", fields: list[str] = ()) -> None:
    """Move a locked item along `Correspondence.TRANSITIONS` (`core.status`): history row and audit event.

    `fields` are the other columns the caller set on `item` for this move, saved with it.
    """
    status_move(
        item,
        to=to,
        acting_user=by,
        client_ids=[item.client_id],
        reason=job,
        also={name: getattr(item, name) for name in fields},
        history={"error": item.error if to == S.FAILED else "", "job": job},
    )


def _record(
    *,
    client: Client,
    case,
    template: str,
    version: int,
    subject: str,
    body: str,
    channel: str,
    language: str,
    sent_by,
    job: str,
    kind: str,
    preference: ContactPreference,
) -> Correspondence:
    now = timezone.now()
    item = Correspondence.objects.create(
        client=client, case=case, kind=kind, channel=channel, language=language,
        address=channel_address(client, preference, channel), template_code=template, template_version=version,
        subject=subject, body=body, sent_by=sent_by, job=job[:100], status=S.QUEUED, created_at=now, queued_at=now,
    )  # fmt: skip
    status_begin(item, acting_user=sent_by, history={"job": job[:100]})
    audit_record(
        actor=sent_by,
        action=AuditEvent.Action.CREATE,
        target=item,
        client_ids=[client.pk],
        changes={"channel": channel, "language": language, "template": template, "version": version},
        reason=job,
    )
    if channel != Channel.MAIL:  # mail waits for the day's print batch
        job_enqueue(DELIVER_TASK, item.pk)
    return item


def _discreet(channel: str, preference: ContactPreference) -> bool:
    return channel in (Channel.EMAIL, Channel.TEXT) and not getattr(preference, f"{channel}_message_ok")


def correspondence_send(
    *,
    client: Client,
    template: str,
    context: dict,
    case: Case | None = None,
    sent_by: User | None = None,
    job: str = "",
    channel: str | None = None,
    language: str | None = None,
) -> Correspondence:
    """Write letter `template` to the client, keep it as sent, and queue its delivery.

    `channel` None: the client's preferred channel if it is safe, else another safe one;
    `language` None: the client's language. Refuses (ValidationError, saying why) when no
    channel may be used: not agreed, marked unsafe, or the only address is a restricted
    client's home. Where it is not safe to leave details (email, text), the message sent (and
    kept) is a discreet "please call" that names neither the agency nor the matter. Delivery
    runs in the worker process after the commit.
    """
    _check_sender(sent_by, client)
    with transaction.atomic():
        client = Client.objects.select_related("office").get(pk=client.pk)
        preference = contact_preference_of(client)
        chosen = channel_choose(client, preference, channel)
        language = language or language_of(client, preference)
        if language not in Language.values:
            raise ValidationError(_("Letters are written in English, Spanish or French."))
        definition = registry.get(template)
        sent_template = letters.DISCREET if _discreet(chosen, preference) else template
        subject, body, version = letter_render(
            client=client, template=sent_template, context=context, language=language, case=case, sent_by=sent_by
        )
        return _record(
            client=client, case=case, template=sent_template, version=version, subject=subject, body=body,
            channel=chosen, language=language, sent_by=sent_by, job=job, kind=definition.kind, preference=preference,
        )  # fmt: skip


def correspondence_send_written(
    *,
    client: Client,
    case: Case,
    template: str,
    subject: str,
    body: str,
    sent_by: User,
    channel: str | None = None,
    language: str | None = None,
) -> Correspondence:
    """Send a letter or memo a worker drafted from `template` on a case and edited; kept as written."""
    _check_sender(sent_by, client)
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise ValidationError(_("A letter needs a subject and a text."))
    definition = registry.get(template)
    if not definition.worker_may_draft:
        raise ValidationError(_("This letter is sent by the system, not written by hand."))
    with transaction.atomic():
        client = Client.objects.select_related("office").get(pk=client.pk)
        preference = contact_preference_of(client)
        chosen = channel_choose(client, preference, channel)
        language = language or language_of(client, preference)
        if _discreet(chosen, preference):
            raise ValidationError(
                _("It is not safe to leave details by %(channel)s for this client: send it by another channel.")
                % {"channel": Channel(chosen).label.lower()}
            )
        return _record(
            client=client, case=case, template=template, version=wording(template, language).version,
            subject=subject[:200], body=body, channel=chosen, language=language, sent_by=sent_by, job="",
            kind=definition.kind, preference=preference,
        )  # fmt: skip


@dataclass(frozen=True)
class Delivery:
    """What a channel's backend says of one message it took."""

    delivered: bool
    provider_id: str = ""


#: How long one try may take before another worker may take the message again (the worker that
#: claimed it died halfway, say). Well above a backend's own timeout.
DELIVERY_CLAIM = timedelta(minutes=10)


def correspondence_deliver(*, correspondence_id: int, job: str = "deliver") -> Correspondence | None:
    """Hand one queued email or text to its backend; safe to run twice (a done one is left alone).

    The backend is called outside any transaction, so a send that happened is never undone by a
    rollback: a first transaction claims the try (no other worker takes the message while it
    runs), the send follows, and a second transaction records what came of it. On a failure the
    item stays queued with the error and is tried again after `retry_delay`; after
    `max_attempts()` tries it is marked failed, which its client's tab shows the worker.
    """
    from correspondence import backends

    with transaction.atomic():
        item = (
            Correspondence.objects.select_for_update(of=("self",)).select_related("client").filter(
                pk=correspondence_id, status=S.QUEUED).first()
        )  # fmt: skip
        now = timezone.now()
        if item is None or item.channel == Channel.MAIL or (item.next_attempt_at and item.next_attempt_at > now):
            return item
        item.attempts += 1
        # Preferences may have changed since it was queued: nothing goes by a channel now unsafe.
        refusal = channel_refusal(item.client, contact_preference_of(item.client), item.channel)
        if refusal:
            item.error = refusal
            item.next_attempt_at = None
            _move(item, S.FAILED, job=job, fields=["attempts", "error", "next_attempt_at"])
            return item
        item.next_attempt_at = now + DELIVERY_CLAIM
        item.save(update_fields=["attempts", "next_attempt_at"])
        attempt = item.attempts

    try:
        delivery, failure = backends.deliver(item), None
    except Exception as error:
        delivery, failure = None, error

    with transaction.atomic():
        item = Correspondence.objects.select_for_update(of=("self",)).filter(pk=correspondence_id).first()
        if item is None or item.status != S.QUEUED or item.attempts != attempt:
            return item  # another worker took it after the claim lapsed: theirs is the newer try
        now = timezone.now()
        if failure is not None:
            refused = isinstance(failure, backends.Refused)
            item.error = str(failure) if refused else f"{type(failure).__name__}: {failure}"[:2000]
            if refused or item.attempts >= max_attempts():
                item.next_attempt_at = None
                _move(item, S.FAILED, job=job, fields=["error", "next_attempt_at"])
            else:
                item.next_attempt_at = now + retry_delay(item.attempts)
                item.save(update_fields=["error", "next_attempt_at"])
            return item
        item.provider_id = delivery.provider_id[:100]
        item.sent_at = now
        item.error = ""
        item.next_attempt_at = None
        fields = ["provider_id", "sent_at", "error", "next_attempt_at"]
        if delivery.delivered:
            item.delivered_at = now
            _move(item, S.DELIVERED, job=job, fields=[*fields, "delivered_at"])
        else:
            _move(item, S.SENT, job=job, fields=fields)
        return item


def correspondence_mark_delivered(*, correspondence: Correspondence, job: str = "provider") -> Correspondence:
    """The provider confirmed delivery of a sent message (a text's status report, say)."""
    with transaction.atomic():
        item = Correspondence.objects.select_for_update().get(pk=correspondence.pk)
        if item.status == S.DELIVERED:
            return item
        item.delivered_at = timezone.now()
        _move(item, S.DELIVERED, job=job, fields=["delivered_at"])
        return item


def correspondence_mark_failed(*, correspondence: Correspondence, error: str, job: str = "provider") -> Correspondence:
    """The provider could not deliver a message it took: the worker sees it failed, and why."""
    with transaction.atomic():
        item = Correspondence.objects.select_for_update().get(pk=correspondence.pk)
        if item.status == S.FAILED:
            return item
        item.error = error[:2000]
        _move(item, S.FAILED, job=job, fields=["error"])
        return item


#: A text provider's reports that settle a message; the others ("queued", "sent"...) change nothing.
PROVIDER_DELIVERED = {"delivered", "read"}
PROVIDER_FAILED = {"failed", "undelivered"}


def correspondence_provider_report(*, provider_id: str, status: str, error_code: str = "") -> Correspondence | None:
    """What the text provider reports of a message it took (Twilio's status callback): delivered or
    failed moves it; a report that comes late (a message already settled) changes nothing.
    Returns the message, or None when no message has that provider id."""
    item = Correspondence.objects.filter(provider_id=provider_id, channel=Channel.TEXT).first() if provider_id else None
    if item is None:
        return None
    try:
        if status in PROVIDER_DELIVERED:
            return correspondence_mark_delivered(correspondence=item)
        if status in PROVIDER_FAILED:
            error = _("The provider could not deliver the text message (%(status)s, error %(code)s).") % {
                "status": status,
                "code": error_code or "?",
            }
            return correspondence_mark_failed(correspondence=item, error=error)
    except StatusRefused:
        pass  # reports may come out of order: the first that settles the message stands
    return item


def correspondence_retry(*, correspondence: Correspondence, acting_user: User) -> Correspondence:
    """A worker sends a failed email or text again, if its channel is still safe."""
    _check_sender(acting_user, correspondence.client)
    with transaction.atomic():
        item = Correspondence.objects.select_for_update(of=("self",)).select_related("client").get(pk=correspondence.pk)
        if item.status != S.FAILED:
            raise ValidationError(_("Only a message that failed can be sent again."))
        refusal = channel_refusal(item.client, contact_preference_of(item.client), item.channel)
        if refusal:
            raise ValidationError(refusal)
        before = audit_snapshot(item, ["status", "attempts"])
        item.attempts = 0
        item.next_attempt_at = None
        item.queued_at = timezone.now()
        _move(item, S.QUEUED, by=acting_user, fields=["attempts", "next_attempt_at", "queued_at"])
        audit_record(
            actor=acting_user, action=AuditEvent.Action.UPDATE, target=item, client_ids=[item.client_id],
            changes=audit_diff(before, audit_snapshot(item, ["status", "attempts"])), reason="sent again",
        )  # fmt: skip
        if item.channel != Channel.MAIL:
            job_enqueue(DELIVER_TASK, item.pk)
        return item


PREFERENCE_FIELDS = [
    "preferred_channel", "language", "mail_agreed", "mail_safe", "email_agreed", "email_safe", "email_message_ok",
    "text_agreed", "text_safe", "text_message_ok", "alt_name", "alt_line1", "alt_line2", "alt_city", "alt_region",
    "alt_postal_code", "notes",
]  # fmt: skip


def contact_preference_update(*, client: Client, acting_user: User, **values: Any) -> ContactPreference:
    """Record how the client agreed to be reached and what is safe for them; audited."""
    _check_sender(acting_user, client)
    unknown = set(values) - set(PREFERENCE_FIELDS)
    if unknown:
        raise TypeError(f"Not a contact preference: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()  # one writer per client at a time
        preference = ContactPreference.objects.filter(client=client).first() or ContactPreference(client=client)
        before = audit_snapshot(preference, PREFERENCE_FIELDS)
        for name, value in values.items():
            setattr(preference, name, value)
        if preference.alt_line1 and not preference.alt_city:
            raise ValidationError({"alt_city": _("A safe address needs its city.")})
        if not getattr(preference, f"{preference.preferred_channel}_agreed") or not getattr(
            preference, f"{preference.preferred_channel}_safe"
        ):
            raise ValidationError(
                {"preferred_channel": _("The preferred channel must be one the client agreed to and that is safe.")}
            )
        preference.updated_at = timezone.now()
        preference.updated_by = acting_user
        preference.save()
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.UPDATE,
            target=preference,
            client_ids=[client.pk],
            changes=audit_diff(before, audit_snapshot(preference, PREFERENCE_FIELDS)),
        )
        return preference


# --- The print batch ----------------------------------------------------------------------------


def print_batch_make(*, now=None) -> list[PrintBatch]:
    """Gather the letters waiting for the post into one batch per office: one PDF each, every
    letter after its address page, printed by that office alone (a batch names many clients).

    Safe to run twice: a letter already in a batch is no longer queued. Returns the batches
    made, none when no letter waits.
    """
    now = now or timezone.now()
    office_ids = (
        Correspondence.objects.filter(status=S.QUEUED, channel=Channel.MAIL)
        .order_by("client__office_id")
        .values_list("client__office_id", flat=True)
        .distinct()
    )
    batches = [_print_batch_make(office_id=office_id, now=now) for office_id in list(office_ids)]
    return [batch for batch in batches if batch is not None]


def _print_batch_make(*, office_id: int, now) -> PrintBatch | None:
    """The batch of one office's waiting letters, in its own transaction."""
    from django.core.files.base import ContentFile

    from correspondence.printing import batch_pdf, letter_pdf

    with transaction.atomic():
        letters = list(
            Correspondence.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=S.QUEUED, channel=Channel.MAIL, client__office_id=office_id)
            .select_related("client", "client__office")
            .order_by("id")
        )
        # Preferences may have changed since a letter was queued: one now unsafe is not printed.
        held = []
        for item in letters:
            refusal = channel_refusal(item.client, contact_preference_of(item.client), Channel.MAIL)
            if refusal:
                item.error = refusal
                _move(item, S.FAILED, job="print batch", fields=["error"])
                held.append(item)
        letters = [item for item in letters if item not in held]
        if not letters:
            return None
        batch = PrintBatch.objects.create(office_id=office_id, created_at=now, letters=len(letters))
        batch.pdf.save(f"batch-{batch.pk}.pdf", ContentFile(batch_pdf(letters)), save=True)
        for item in letters:
            # Each letter's own copy, as printed, for its client's file.
            item.pdf.save(f"letter-{item.pk}.pdf", ContentFile(letter_pdf(item)), save=False)
            item.print_batch = batch
            item.sent_at = now
            _move(item, S.SENT, job="print batch", fields=["print_batch", "sent_at", "pdf"])
        audit_record(
            actor=None, action=AuditEvent.Action.CREATE, target=batch, client_ids=[i.client_id for i in letters],
            changes={"letters": len(letters), "office": office_id}, reason="print batch",
        )  # fmt: skip
        return batch


def print_batch_mark_printed(*, batch: PrintBatch, acting_user: User) -> PrintBatch:
    """Whoever printed the batch says so: its letters are marked printed. Only the batch's own
    office's printers (`print_batch_scope`) may."""
    if not may_print_mail(acting_user):
        raise PermissionDenied(_("Only supervisors and administrators print the mail."))
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().filter(print_batch_scope(acting_user), pk=batch.pk).first()
        if batch is None:
            raise PermissionDenied(_("Only the batch's own office prints its mail."))
        if batch.printed_at:
            raise ValidationError(_("This batch was already marked printed."))
        batch.printed_at = timezone.now()
        batch.printed_by = acting_user
        batch.save(update_fields=["printed_at", "printed_by"])
        items = list(Correspondence.objects.select_for_update().filter(print_batch=batch, status=S.SENT))
        for item in items:
            _move(item, S.PRINTED, by=acting_user, fields=[])
        audit_record(
            actor=acting_user, action=AuditEvent.Action.UPDATE, target=batch,
            client_ids=[i.client_id for i in items], changes={"printed": len(items)},
        )  # fmt: skip
        return batch


# --- Letter templates ---------------------------------------------------------------------------


def letter_template_save(*, acting_user: User, code: str, language: str, subject: str, body: str) -> LetterTemplate:
    """Keep an admin's new wording of a letter as its next version; earlier versions stay as they were,
    so a letter sent under one can always be explained. Refuses fields the letter may not reach."""
    definition = registry.get(code)
    if language not in Language.values:
        raise ValidationError({"language": _("Letters are written in English, Spanish or French.")})
    for name, text in (("subject", subject), ("body", body)):
        try:
            registry.fields_check(text, definition.allowed_fields)
        except ValidationError as error:
            raise ValidationError({name: error.messages}) from None
    with transaction.atomic():
        # Versions are append-only (no row may be locked for update): two admins saving at once
        # both read the same newest version, and the unique version number refuses the second.
        newest = LetterTemplate.objects.filter(code=code, language=language).order_by("-version").first()
        try:
            with transaction.atomic():
                template = LetterTemplate.objects.create(
                    code=code, language=language, version=(newest.version if newest else 0) + 1,
                    subject=subject.strip(), body=body.strip(), created_by=acting_user,
                )  # fmt: skip
        except IntegrityError:
            raise ValidationError(
                _("Someone saved another version of this letter at the same moment: open it again and save.")
            ) from None
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CREATE,
            target=template,
            changes={
                "subject": [newest.subject if newest else "", template.subject],
                "body": [newest.body if newest else "", template.body],
                "version": template.version,
            },
        )
        return template


# --- A client merge -----------------------------------------------------------------------------


def _on_client_merge(*, acting_user, survivor: Client, duplicate: Client) -> dict[str, list[int]]:
    """What was sent to a merged client follows them; their contact preferences too, unless the
    surviving record has its own (which then stand: they were recorded for that record)."""
    from clients.services import merge_move

    moved = {"correspondence": merge_move(Correspondence, survivor=survivor, duplicate=duplicate)}
    if not ContactPreference.objects.filter(client=survivor).exists():
        moved["contact preference"] = merge_move(ContactPreference, survivor=survivor, duplicate=duplicate)
    return moved


def register_merge_hook() -> None:
    from clients.services import merge_hooks_register

    merge_hooks_register(_on_client_merge)


# --- Messages to staff --------------------------------------------------------------------------

STAFF_DELIVER_TASK = "correspondence.tasks.staff_message_deliver"


def staff_language(user: User) -> str:
    """The language a member of staff reads: the one they chose, else the site's."""
    return user.language or translation.get_supported_language_variant(settings.LANGUAGE_CODE)


def staff_message_send(
    *,
    recipients: Iterable[User],
    key: str,
    wording: Callable[[], tuple[str, str]],
    link: str = "",
    job: str = "",
) -> list[StaffMessage]:
    """Send a message to each of `recipients` who was not already sent the one of this `key`, in
    their language, and queue its delivery to their inbox (the worker process, through the outbox).

    `wording` gives the subject and the text; it is called with each recipient's language active,
    once per language. A staff message names no client: it points to a page (`link`) where the
    access rule decides what the reader sees. Safe to run twice: a recipient already sent the
    message is skipped. Returns the messages sent by this call.
    """
    recipients = list(recipients)
    texts: dict[str, tuple[str, str]] = {}
    sent: list[StaffMessage] = []
    with transaction.atomic():
        already = set(
            StaffMessage.objects.filter(key=key, recipient_id__in=[r.pk for r in recipients]).values_list(
                "recipient_id", flat=True
            )
        )
        for recipient in recipients:
            if recipient.pk in already:
                continue
            language = staff_language(recipient)
            if language not in texts:
                with translation.override(language):
                    subject, body = wording()
                texts[language] = (str(subject)[:200], str(body))
            subject, body = texts[language]
            try:
                with transaction.atomic():
                    message = StaffMessage.objects.create(
                        recipient=recipient, key=key[:100], language=language, subject=subject, body=body,
                        link=link[:200], job=job[:100], created_at=timezone.now(),
                    )  # fmt: skip
            except IntegrityError:
                continue  # sent meanwhile by another run of the same job
            job_enqueue(STAFF_DELIVER_TASK, message.pk)
            sent.append(message)
            already.add(recipient.pk)
        audit_record_many(
            actor=None,
            action=AuditEvent.Action.CREATE,
            records=[
                {
                    "target": m,
                    "changes": {"recipient": m.recipient_id, "key": key, "language": m.language},
                    "reason": job,
                }
                for m in sent
            ],
        )
    return sent


def staff_message_deliver(*, message_id: int) -> StaffMessage | None:
    """Put a queued message in its recipient's inbox. Safe to run twice: the first run delivers it,
    and a later one leaves its moment of delivery as it was."""
    StaffMessage.objects.filter(pk=message_id, delivered_at__isnull=True).update(delivered_at=timezone.now())
    return StaffMessage.objects.filter(pk=message_id).first()
