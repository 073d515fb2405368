"""The API's JSON parser: DRF's, refusing what no field can hold before any view sees it."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# The deepest request the API takes is an object of lists; this leaves room and refuses abuse.
MAX_DEPTH = 8


class InvalidCharacters(ParseError):
    default_code = "invalid_characters"


class TooDeep(ParseError):
    default_code = "too_deeply_nested"


def _unstorable(text: str) -> bool:
    """NUL, which PostgreSQL refuses in text, or half of a surrogate pair, which is no character
    and cannot be encoded to store or show."""
    return "\x00" in text or any("\ud800" <= char <= "\udfff" for char in text)


def check_parsed(data: Any) -> None:
    """Raise unless every string (keys too) can be stored and nesting stays within MAX_DEPTH.
    Iterative, so that checking depth cannot itself run out of stack."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _unstorable(value):
                raise InvalidCharacters(
                    _("The request contains a NUL character or a broken character.")
                )
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise TooDeep(_("The request's JSON is nested too deeply."))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                pending.append((key, depth))
                pending.append((item, depth + 1))


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise TooDeep(_("The request's JSON is nested too deeply.")) from None
        check_parsed(data)
        return data
