"""Phone numbers as customers type them, and as pages may show them."""

import re

from django.utils.translation import gettext as _

from .errors import InvalidInput

_SEPARATORS = re.compile(r"[\s\-().]")
_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_INTERNATIONAL = re.compile(r"^\+[1-9]\d{7,14}$")

# Everything `normalize_phone` accepts, as one expression that the API schema publishes, so that
# a client can check a number before sending it: ASCII digits with spaces, hyphens, dots or
# brackets anywhere; a mainland mobile, bare or after +86 / 0086; or + / 00 and another
# country's number of 8 to 15 digits.
_GAP = r"[ ().-]*"
_MOBILE = rf"1{_GAP}[3-9](?:{_GAP}[0-9]){{9}}"
_ABROAD = rf"(?:\+|0{_GAP}0){_GAP}"
PHONE_PATTERN = (
    rf"^{_GAP}(?:{_MOBILE}|{_ABROAD}8{_GAP}6{_GAP}{_MOBILE}"
    rf"|{_ABROAD}(?:[1-79](?:{_GAP}[0-9]){{7,14}}|8{_GAP}[0-57-9](?:{_GAP}[0-9]){{6,13}})){_GAP}$"
)
_TYPED = re.compile(PHONE_PATTERN.removeprefix("^").removesuffix("$"))


def normalize_phone(raw: str) -> str:
    """A mainland mobile as its 11 digits (a +86 prefix dropped), or +<country><number> (E.164).

    One customer is one number however it was typed, so that limits and the one-appointment
    rule cannot be dodged with spaces or a country code.
    """
    if not _TYPED.fullmatch(raw or ""):
        raise _invalid_phone()
    phone = _SEPARATORS.sub("", raw)
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    if phone.startswith("+86"):
        phone = phone[3:]
    if _MAINLAND_MOBILE.match(phone) or _INTERNATIONAL.match(phone):
        return phone
    raise _invalid_phone()


def _invalid_phone() -> InvalidInput:
    return InvalidInput(
        "invalid_phone",
        _("Enter a mobile number: 11 digits, or + and the country code for a foreign number."),
    )


def mask_phone(phone: str) -> str:
    """138****5678: enough for its owner to recognise it, too little for anyone else."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def mask_name(name: str) -> str:
    """张** or J*** S****: the first letter of each part of a name."""
    return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split())
