"""Dates that people and clients type."""

import re
from datetime import date

from django.utils.translation import gettext as _

from .errors import InvalidInput

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_day(raw: str) -> date:
    """The day `raw` names as YYYY-MM-DD, or `InvalidInput("invalid_date")`: a day that does
    not exist (2026-02-30, year 0) is as invalid as a typo, not a server error."""
    match = _ISO_DAY.fullmatch(raw)
    try:
        if match is not None:
            return date(*(int(part) for part in match.groups()))
    except ValueError:
        pass
    raise InvalidInput("invalid_date", _("date must be a day that exists, as YYYY-MM-DD."))
