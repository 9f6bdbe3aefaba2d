"""Sign-in rules: who needs a second factor, enrolment, recovery codes, lockouts and the failure tally."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from docket.accounts.models import AddressFailures, RecoveryCode, RecoveryCodeDevice, code_digest
from docket.audit.models import Outcome
from docket.audit.services import audit_record, audit_record_lasting, service
from docket.core.errors import Conflict, Denied, FieldError, GateRefused, InvalidInput, NotFound
from docket.officers.actors import Actor, SystemActor, officer_of
from docket.officers.models import Officer, Role

SECOND_FACTOR_ROLES = (Role.OFFICE_HEAD, Role.LEGAL_REVIEWER, Role.ADMINISTRATOR)
RECOVERY_CODES = 10
# Crockford's base32 without the letters read as digits: codes are read aloud and typed from paper.
_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
# Usernames kept with an unreported tally: enough to see a spray, bounded so an entry stays small.
_USERNAMES_KEPT = 20


def requires_second_factor(officer: Any) -> bool:
    if not settings.DOCKET_REQUIRE_2FA or not getattr(officer, "is_authenticated", False):
        return False
    return bool(officer.is_superuser or officer.has_role(*SECOND_FACTOR_ROLES))


def totp_device(officer: Any, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=officer.pk, confirmed=confirmed).order_by("pk").first()


def has_second_factor(officer: Any) -> bool:
    return bool(TOTPDevice.objects.filter(user_id=officer.pk, confirmed=True).exists())


def is_verified(user: Any) -> bool:
    """The session passed the second factor (django-otp's middleware sets ``is_verified`` on the user)."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def _lock_officer(actor: Actor) -> Officer:
    """Serialise the officer's own sign-in changes (enrolment, codes) on their row."""
    officer = officer_of(actor)
    Officer.objects.select_for_update().filter(pk=officer.pk).first()
    return officer


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _issue_codes(officer: Officer, *, now: dt.datetime) -> list[str]:
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=officer, defaults={"name": "recovery", "confirmed": True}
    )
    device.codes.all().delete()
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create([RecoveryCode(device=device, digest=code_digest(code)) for code in codes])
    return codes


@service
def totp_device_start(*, actor: Actor, now: dt.datetime) -> TOTPDevice:
    """The officer's TOTP enrolment in progress (an unconfirmed device), begun now if none is."""
    officer = _lock_officer(actor)
    if has_second_factor(officer):
        raise Conflict(_("Two-step sign-in is already enabled for this account."))
    device = totp_device(officer, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=officer, name="Docket", confirmed=False)
        audit_record(actor=officer, action="auth.totp_started", obj=officer, now=now)
    return device


@service
def totp_confirm(*, actor: Actor, token: str, now: dt.datetime) -> tuple[TOTPDevice, list[str]]:
    """Confirm the enrolment with a code from the app; returns the device and the new recovery codes."""
    officer = _lock_officer(actor)
    device = totp_device(officer, confirmed=False)
    if device is None or has_second_factor(officer):
        raise Conflict(_("There is no enrolment in progress: reload the page."))
    token = "".join(token.split())
    if not (token.isdigit() and device.verify_token(token)):
        raise InvalidInput(FieldError("token", _("The code is not valid. Enter the 6 digits your app shows now.")))
    # Conditional on still being unconfirmed: two confirmations at once enable it once.
    if TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True, last_t=device.last_t) != 1:
        raise Conflict(_("There is no enrolment in progress: reload the page."))
    device.confirmed = True
    codes = _issue_codes(officer, now=now)
    audit_record(actor=officer, action="auth.totp_enabled", obj=officer, now=now)
    return device, codes


@service
def recovery_codes_issue(*, actor: Actor, now: dt.datetime) -> list[str]:
    """A new set of recovery codes; the previous set stops working."""
    officer = _lock_officer(actor)
    if not has_second_factor(officer):
        raise GateRefused(_("Enable two-step sign-in first: recovery codes stand in for the app."))
    codes = _issue_codes(officer, now=now)
    audit_record(actor=officer, action="auth.recovery_codes_issued", obj=officer, now=now)
    return codes


@service
def second_factor_verify(*, actor: Actor, token: str, now: dt.datetime) -> Device | None:
    """The device that verifies ``token`` (a TOTP code or a recovery code, spent once), or None.

    A wrong code is not an exception: the throttle it raises on the TOTP device (waits doubling with every
    failure) must be kept, and it also bounds how many failure entries the audit trail receives.
    """
    officer = officer_of(actor)
    # Locked: two requests with the same TOTP code are taken in turn, and the second finds it spent (last_t).
    totp = TOTPDevice.objects.select_for_update().filter(user_id=officer.pk, confirmed=True).order_by("pk").first()
    if totp is None:
        raise GateRefused(_("Two-step sign-in is not enabled for this account."))
    allowed, _why = totp.verify_is_allowed()
    if not allowed:
        audit_record(actor=officer, action="auth.second_factor", outcome=Outcome.DENIED, detail={"throttled": True})
        return None
    token = "".join(token.split())
    if token.isdigit():
        if totp.verify_token(token):  # resets its throttle, or raises it
            audit_record(actor=officer, action="auth.second_factor", obj=officer, detail={"device": "totp"}, now=now)
            return totp
    else:
        digest = code_digest(token)
        device = RecoveryCodeDevice.objects.filter(user=officer).first()
        # The conditional UPDATE spends the code once, whoever else submits it at the same moment. It names the
        # device by id: a condition through a join becomes a subquery, which PostgreSQL does not re-check
        # after waiting for another transaction's update of the row (every racer would spend the code).
        spent = (
            RecoveryCode.objects.filter(device_id=device.pk, digest=digest, used_at__isnull=True).update(used_at=now)
            if device is not None
            else 0
        )
        if device is not None and spent == 1:
            totp.throttle_reset()
            left = RecoveryCode.objects.filter(device__user=officer, used_at__isnull=True).count()
            audit_record(
                actor=officer,
                action="auth.second_factor",
                obj=officer,
                detail={"device": "recovery_code", "codes_left": left},
                now=now,
            )
            return device
        if device is not None and RecoveryCode.objects.filter(device_id=device.pk, digest=digest).exists():
            audit_record_lasting(
                actor=officer, action="auth.second_factor", outcome=Outcome.DENIED, detail={"reused_code": True}
            )
            raise Conflict(_("This recovery code has already been used."))
        totp.throttle_increment()
    audit_record(actor=officer, action="auth.second_factor", outcome=Outcome.DENIED, detail={}, now=now)
    return None


def address_refused(*, address: str, now: dt.datetime) -> bool:
    """The address has failed too often this hour: it is refused whoever it tries."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    row = AddressFailures.objects.filter(address=address, hour=hour).first()
    return row is not None and row.failures >= settings.DOCKET_ADDRESS_FAILURES_PER_HOUR


@service
def sign_in_failure_record(
    *, username: str, address: str, locked_now: bool = False, refused: bool = False, now: dt.datetime
) -> dict[str, Any] | None:
    """Count a failed (or refused) sign-in of an address; audit it unless that would flood the trail.

    An entry is written for the first failure of the address in the hour, for the failure that locks an
    account, for the failure that makes the address refused, and otherwise at most once every
    ``DOCKET_LOGIN_AUDIT_SECONDS``; each entry says how many failures (and which usernames) it stands for
    since the previous one. One address thus writes at most about 72 entries an hour (1 + 60 + 10 lockouts
    + 1), however fast it tries; failures of the last minute of a burst are in the address's tally and
    reported with its next failure. Returns the entry's detail, or None when nothing was written.
    """
    hour = now.replace(minute=0, second=0, microsecond=0)
    address = address[:45]
    username = username[:150]
    AddressFailures.objects.get_or_create(address=address, hour=hour)
    row = AddressFailures.objects.select_for_update().get(address=address, hour=hour)
    first = row.reported_at is None
    row.failures = F("failures") + 1
    row.unreported = F("unreported") + 1
    if username and username not in row.usernames and len(row.usernames) < _USERNAMES_KEPT:
        row.usernames = [*row.usernames, username]
    row.save(update_fields=["failures", "unreported", "usernames"])
    row.refresh_from_db(fields=["failures", "unreported"])
    limit = settings.DOCKET_ADDRESS_FAILURES_PER_HOUR
    now_refused = not refused and row.failures == limit
    interval = dt.timedelta(seconds=settings.DOCKET_LOGIN_AUDIT_SECONDS)
    due = first or locked_now or now_refused or (row.reported_at is not None and now - row.reported_at >= interval)
    if not due:
        return None
    detail: dict[str, Any] = {
        "address": address,
        "count": row.unreported,
        "usernames": row.usernames,
        "hour_failures": row.failures,
    }
    if locked_now:
        detail["locked"] = username
    if now_refused:
        detail["address_refused"] = True
    audit_record(actor=None, action="auth.login_failed", outcome=Outcome.DENIED, detail=detail, now=now)
    AddressFailures.objects.filter(pk=row.pk).update(unreported=0, usernames=[], reported_at=now)
    return detail


@service
def account_unlock(*, actor: Actor, username: str, now: dt.datetime) -> int:
    """Lift a lockout (an administrator, or the system actor of ``docket accounts unlock``)."""
    if not isinstance(actor, SystemActor) and not (actor.is_superuser or actor.has_role(Role.ADMINISTRATOR)):
        raise Denied(_("Only an administrator may unlock an account."))
    officer = Officer.objects.filter(username=username).first()
    if (
        officer is not None
        and isinstance(actor, Officer)
        and not actor.is_superuser
        and not Officer.objects.visible_to(actor).filter(pk=officer.pk).exists()
    ):
        raise NotFound(_("No officer %(username)s.") % {"username": username})
    cleared, _deleted = AccessAttempt.objects.filter(username=username).delete()
    if cleared == 0:
        raise Conflict(_("No failed sign-ins are recorded for %(username)s.") % {"username": username})
    audit_record(
        actor=actor,
        action="auth.unlocked",
        object_type="officers.officer" if officer else "",
        object_id=officer.pk if officer else "",
        detail={"username": username},
        now=now,
    )
    return int(cleared)
