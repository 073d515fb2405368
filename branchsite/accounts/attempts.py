"""How django-axes counts failed sign-ins here (settings.AXES_HANDLER).

Failures are counted per account and per address (`branchsite.infra.clients.client_address`), each
against a limit of its own: the address's is higher, because a branch's tellers and managers sign
in from one address and one mistyped password each must not lock them all out. A success forgets
the account's failures, not its address's: someone with one valid account must not wipe the
count of the accounts they have been guessing from the same place.
"""

from datetime import datetime

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest


class SignInAttempts(AxesDatabaseHandler):
    @staticmethod
    def _recent(request: HttpRequest) -> QuerySet[AccessAttempt]:
        return AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        account = Q(username=get_client_username(request, credentials))
        address = Q(ip_address=request.axes_ip_address)  # type: ignore[attr-defined]
        totals = (
            self._recent(request)
            .filter(account | address)
            .aggregate(
                account=Sum("failures_since_start", filter=account),
                address=Sum("failures_since_start", filter=address),
            )
        )
        by_account, by_address = totals["account"] or 0, totals["address"] or 0
        # Axes compares one count with one limit, the account's. The address's count is put on
        # the account's scale: it reaches that limit exactly when it reaches its own.
        account_limit = get_failure_limit(request, credentials)
        return max(by_account, by_address * account_limit // settings.SIGN_IN_FAILURES_PER_ADDRESS)

    def locked_until(
        self, request: HttpRequest, credentials: dict | None = None
    ) -> datetime | None:
        """When the lockout of this account or address ends (the later one), or None if neither
        is locked. Failures expire by row, oldest first, each a cool-off after its last try."""
        cool_off = get_cool_off(request)
        username = get_client_username(request, credentials)
        address = request.axes_ip_address  # type: ignore[attr-defined]
        rows = list(
            self._recent(request)
            .filter(Q(username=username) | Q(ip_address=address))
            .order_by("attempt_time")
            .values_list("username", "ip_address", "attempt_time", "failures_since_start")
        )
        ends = []
        for counts, limit in (
            (lambda row: row[0] == username, get_failure_limit(request, credentials)),
            (lambda row: row[1] == address, settings.SIGN_IN_FAILURES_PER_ADDRESS),
        ):
            counted = [row for row in rows if counts(row)]
            remaining = sum(failures for *_, failures in counted)
            for *_, last_try, failures in counted:
                if remaining < limit:
                    break
                remaining -= failures
                if remaining < limit:
                    ends.append(last_try + cool_off)
        return max(ends, default=None)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials)
        ).delete()
        return count
