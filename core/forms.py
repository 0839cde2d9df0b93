"""Form fields every app shares."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.dates import DateKind, plausible_date_error
from core.money import MoneyError, format_money, parse_money


class MoneyField(forms.Field):
    """An amount of dollars and cents read by `core.money.parse_money`.

    `min_value` is the field's floor: 0 (the default) refuses a negative, 0.01 a zero too, None
    lets a negative through.
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, *, min_value: Decimal | None = Decimal("0"), max_value: Decimal | None = None, **kwargs) -> None:
        kwargs.setdefault("help_text", "In dollars and cents, like 1,450.00.")
        super().__init__(**kwargs)
        self.min_value = min_value
        self.max_value = max_value

    def prepare_value(self, value):
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return f"{Decimal(value):.2f}"
        return value

    def to_python(self, value) -> Decimal | None:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_money(value)
        except MoneyError as error:
            raise ValidationError(error.message, code="invalid") from None

    def validate(self, value) -> None:
        super().validate(value)
        if value is None:
            return
        if self.min_value is not None and value < self.min_value:
            if self.min_value == 0:
                message = "The amount cannot be negative."
            elif self.min_value == Decimal("0.01"):
                message = "The amount must be more than zero."
            else:
                message = f"Enter {format_money(self.min_value)} or more."
            raise ValidationError(message, code="min_value")
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(
                _("Enter %(value)s or less.") % {"value": format_money(self.max_value)}, code="max_value"
            )

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(data) != (None if initial in self.empty_values else parse_money(initial))
        except (ValidationError, MoneyError, TypeError):
            return True


def money_formfield(db_field, **kwargs) -> MoneyField:
    """The MoneyField for a model's amount column, for ModelAdmin.formfield_for_dbfield."""
    kwargs.setdefault("label", capfirst(db_field.verbose_name))
    kwargs.setdefault("help_text", db_field.help_text or "In dollars and cents, like 1,450.00.")
    kwargs.setdefault("required", not db_field.blank)
    return MoneyField(**kwargs)


class ConstraintErrorsOnFields:
    """For a ModelForm: a model constraint's message beside the field it is about, not above the form.

    `constraint_fields` names the field for each constraint; the constraint's own
    `violation_error_message` is what the page shows.
    """

    constraint_fields: dict[str, str] = {}

    def _post_clean(self) -> None:
        super()._post_clean()
        errors = self._errors.get(NON_FIELD_ERRORS)
        if not errors:
            return
        fields = {
            constraint.get_violation_error_message(): self.constraint_fields[constraint.name]
            for constraint in self._meta.model._meta.constraints
            if constraint.name in self.constraint_fields
        }
        kept, moved = [], []
        for error in errors.as_data():
            field = fields.get(error.message)
            (moved if field in self.fields else kept).append((field, error))
        if not moved:
            return
        del self._errors[NON_FIELD_ERRORS]
        for field, error in kept + moved:
            self.add_error(field, error)


class PlausibleDateField(forms.DateField):
    """A date within the range of its kind (`core.dates`); `born`, when the form knows it, bounds events."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, *, kind: DateKind, born: date | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.kind = kind
        self.born = born

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None:
            error = plausible_date_error(value, self.kind, born=self.born)
            if error:
                raise ValidationError(error, code="implausible")


class PlausibleDateTimeField(forms.DateTimeField):
    """A moment whose local date is a plausible date of its kind: a contact or a letter received
    in 1850, or next year, is a typing slip."""

    def __init__(self, *, kind: DateKind = DateKind.EVENT, **kwargs) -> None:
        super().__init__(**kwargs)
        self.kind = kind

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None:
            error = plausible_date_error(timezone.localtime(value).date(), self.kind)
            if error:
                raise ValidationError(error, code="implausible")


def plausible_date_formfield(db_field, *, kind: DateKind, **kwargs) -> PlausibleDateField:
    """The PlausibleDateField for a model's date column, for a ModelForm's declared fields."""
    kwargs.setdefault("label", capfirst(db_field.verbose_name))
    kwargs.setdefault("required", not db_field.blank)
    if db_field.help_text:
        kwargs.setdefault("help_text", db_field.help_text)
    return PlausibleDateField(kind=kind, **kwargs)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's error next to the field it names, or on top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            name = field.removesuffix("_id")
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
