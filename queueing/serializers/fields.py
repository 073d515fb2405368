"""Fields of the queue API: prefixes, phones, cash amounts, local times, a branch's service,
and the formats of dates and moments in answers built by hand."""

import re
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from branchsite.infra.errors import NamesNothing
from branchsite.infra.phones import PHONE_PATTERN, normalize_phone

from .. import selectors
from ..models import Branch


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
        "example": "09:00",
        "description": "The branch's local time, HH:MM",
    }
)
class HourMinuteField(serializers.TimeField):
    """A clock time as the API writes it. OpenAPI's `format: time` is RFC 3339's full time, with
    seconds and an offset (09:00:00+08:00), which this is not."""

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%H:%M", **kwargs)


_PREFIX = re.compile("[A-Z]")


@extend_schema_field({"type": "string", "pattern": "^[A-Z]$", "example": "A"})
class PrefixField(serializers.CharField):
    """A service prefix: one capital letter, as typed (" A" and "A\\n" are not prefixes)."""

    default_error_messages = {"invalid": _("A service prefix is one capital letter, A to Z.")}

    def __init__(self, **kwargs) -> None:
        super().__init__(trim_whitespace=False, **kwargs)

    def to_internal_value(self, data) -> str:
        prefix = super().to_internal_value(data)
        if not _PREFIX.fullmatch(prefix):
            self.fail("invalid")
        return prefix


_PHONE = {"type": "string", "pattern": PHONE_PATTERN, "maxLength": 32, "example": "138 1234 5678"}


@extend_schema_field(_PHONE)
class PhoneField(serializers.CharField):
    """A phone number as `branchsite.infra.phones.normalize_phone` reads it, which checks it against
    the pattern the schema publishes. Not trimmed: the pattern says where spaces may be."""

    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=32, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data) -> str:
        typed = super().to_internal_value(data)
        if typed:
            normalize_phone(typed)  # an `invalid_phone` 400, also where the number goes unused
        return typed


class OptionalPhoneField(PhoneField):
    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, allow_blank=True, default="", **kwargs)


# An amount of money as text: 0.01 up to 10 whole digits, at most 2 decimals ("80000", "0.50").
CASH_AMOUNT_PATTERN = r"^(?:0*[1-9][0-9]{0,9}(?:\.[0-9]{1,2})?|0*\.(?:0[1-9]|[1-9][0-9]?))$"
_CASH_AMOUNT = re.compile(CASH_AMOUNT_PATTERN.removeprefix("^").removesuffix("$"))


@extend_schema_field({"type": "string", "pattern": CASH_AMOUNT_PATTERN, "example": "80000.00"})
class CashAmountField(serializers.DecimalField):
    """Text exactly as the pattern says, not whatever `Decimal` reads ("1e5", " 5", 5.0)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(max_digits=12, decimal_places=2, min_value=Decimal("0.01"), **kwargs)

    def validate_empty_values(self, data):
        if data == "":  # DRF would read it as null; the pattern says it is no amount
            self.fail("invalid")
        return super().validate_empty_values(data)

    def to_internal_value(self, data) -> Decimal:
        if not isinstance(data, str) or not _CASH_AMOUNT.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class BranchServiceField(serializers.Serializer):
    """`branch` (code) and `service` (prefix) in, the active `Service` out as `service`."""

    branch = serializers.CharField(
        max_length=16, trim_whitespace=False, help_text="Branch code, e.g. GZ-TH01"
    )
    service = PrefixField(help_text="Service prefix letter, e.g. A")

    def validate(self, attrs):
        service = selectors.service_for_issuing(
            branch_code=attrs["branch"], prefix=attrs["service"]
        )
        if service is not None:
            attrs["service"] = service
            return attrs
        if not Branch.objects.filter(code=attrs["branch"], is_active=True).exists():
            raise NamesNothing("unknown_branch", gettext("No open branch has this code."))
        raise NamesNothing("unknown_service", gettext("This branch has no such service."))


# Unbound fields used only to format values exactly as DRF's declared fields would.
DATE = serializers.DateField()
MOMENT = serializers.DateTimeField()


def moment_or_none(moment: datetime | None) -> str | None:
    return MOMENT.to_representation(moment) if moment is not None else None
