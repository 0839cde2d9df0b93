"""A client's documents: upload (checked for what they are), verification, downloads recorded."""

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from clients.models import (
    Client,
    Document,
)
from clients.uploads import content_problem

Action = AuditEvent.Action


def upload_check(upload: UploadedFile, *, field: str = "file") -> str:
    """The content type of an uploaded file the agency keeps (a client's document, a sponsor's
    agreement, a brochure): refused, on `field`, unless its type is allowed, its size within the
    limit, and its bytes are what its name says."""
    name = upload.name or ""
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    allowed = settings.DOCUMENT_ALLOWED_TYPES
    if extension not in allowed:
        kinds = ", ".join(sorted(e.lstrip(".").upper() for e in allowed))
        raise ValidationError({field: f"Files of this type cannot be added. Allowed: {kinds}."})
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        limit = filesizeformat(settings.DOCUMENT_MAX_BYTES)
        raise ValidationError({field: f"The file is larger than the {limit} limit."})
    if upload.size == 0:
        raise ValidationError({field: "The file is empty."})
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    problem = content_problem(data, allowed[extension])
    if problem:
        raise ValidationError({field: problem})
    return allowed[extension]


def document_upload(
    *,
    acting_user,
    client: Client,
    kind: str,
    upload: UploadedFile,
    description: str = "",
    expires_on: date | None = None,
) -> Document:
    """Keep a document on the client's file: only listed types, within the size limit, whose content
    is what the name says (`clients.uploads`)."""
    content_type = upload_check(upload)
    document = Document(
        client=client,
        kind=kind,
        description=description,
        storage_token=secrets.token_hex(16),
        original_name=(upload.name or "document")[-200:],
        content_type=content_type,
        size=upload.size,
        uploaded_by=acting_user,
        expires_on=expires_on,
    )
    with transaction.atomic():
        document.file.save(document.storage_token, upload, save=False)
        try:
            document.save()
        except Exception:
            document.file.delete(save=False)
            raise
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=document,
            client_ids=[client.pk],
            changes={
                "kind": [None, kind],
                "original_name": [None, document.original_name],
                "size": [None, upload.size],
            },
        )
    return document


def document_verify(*, acting_user, document: Document) -> Document:
    """Record who verified a document, and when."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.verified_at is not None:
            raise ValidationError("This document is already verified.")
        document.verified_by = acting_user
        document.verified_at = timezone.now()
        document.save(update_fields=["verified_by", "verified_at"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=document,
            client_ids=[document.client_id],
            changes={"verified_by_id": [None, acting_user.pk], "verified_at": [None, document.verified_at.isoformat()]},
        )
    return document


def document_download_record(*, acting_user, document: Document) -> None:
    audit_record(actor=acting_user, action=Action.DOWNLOAD, target=document, client_ids=[document.client_id])
