"""Head office's words for the codes the infrastructure stores: the actions of the audit trail
("counter.closed") and the scopes of idempotency keys and rate limits ("tickets.create",
"booking.phone").

The codes stay as they are in the database, stable for filters and scripts; the pages show their
names. Each app names the codes it records (`name_codes`), so this module imports none of them.
"<model>.added", ".changed" and ".deleted", which the admin's audit mixin records for any model,
are named after the model. A code nobody named reads as itself.
"""

from collections.abc import Mapping

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_NAMES: dict[str, str | Promise] = {}

# What the admin's audit mixin (`AuditedAdminMixin`) records for a model without a service.
_ANY_MODEL = {
    "added": _("%(model)s added"),
    "changed": _("%(model)s changed"),
    "deleted": _("%(model)s deleted"),
}


def name_codes(names: Mapping[str, str | Promise]) -> None:
    """Give each code of `names` the name head office reads (a lazy translation)."""
    _NAMES.update(names)


def code_label(code: str) -> str:
    """The name of `code` in the active language, or the code itself if nobody named it."""
    if code in _NAMES:
        return str(_NAMES[code])
    model_name, _dot, verb = code.partition(".")
    if verb in _ANY_MODEL:
        for model in apps.get_models():
            if model._meta.model_name == model_name:
                return str(_ANY_MODEL[verb] % {"model": model._meta.verbose_name})
    return code
