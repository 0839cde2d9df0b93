"""Administrators' changes to the dated rule parameters."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_diff, audit_record, audit_snapshot
from eligibility.models import ParameterValue
from eligibility.rules.parameters import ParameterError, decode_value
from eligibility.selectors import parameter_value_in_use

AUDITED_FIELDS = ["program_id", "name", "effective_from", "value", "source_title", "source_url", "note", "example"]


def parameter_value_save(*, acting_user: User, parameter: ParameterValue, reason: str) -> ParameterValue:
    """Add a version of a rule parameter, or correct a version no decided determination used.

    A version a decided determination used is history and is refused here: its figure changes
    by a new version with a later effective date, so the old decision still explains itself.
    Every save is in the trail with the old and new values and the administrator's reason.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the value is added or changed.")})
    try:
        decode_value(parameter.value, parameter.name)
    except ParameterError as error:
        raise ValidationError({"value": str(error)}) from None
    with transaction.atomic():
        before = {}
        if parameter.pk is not None:
            stored = ParameterValue.objects.select_for_update().get(pk=parameter.pk)
            if parameter_value_in_use(parameter=stored):
                raise ValidationError(
                    _(
                        "%(stored)s was used by a decided determination and cannot be changed; "
                        "add a new version with a later effective date."
                    )
                    % {"stored": stored}
                )
            before = audit_snapshot(stored, AUDITED_FIELDS)
        created = parameter.pk is None
        parameter.save()
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            target=parameter,
            changes=audit_diff(before, audit_snapshot(parameter, AUDITED_FIELDS)),
            reason=reason.strip(),
        )
    return parameter
