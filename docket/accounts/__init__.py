"""Docket's own sign-in: password (django-axes lockout), second factor (django-otp TOTP + hashed recovery codes),
session limits, and the audit of failures without flooding the trail.

- ``/login/`` → password. An officer with a TOTP device goes on to ``/login/verify/``; an office head, legal
  reviewer or administrator (or superuser) without one is held at ``/account/two-factor/`` until enrolled
  (``SecondFactorMiddleware``, which covers ``/admin/`` too; ``/admin/login/`` leads here).
- Lockout: axes counts failures per username (``DOCKET_LOCKOUT_FAILURES``, ``DOCKET_LOCKOUT_MINUTES``); an
  address is refused after ``DOCKET_ADDRESS_FAILURES_PER_HOUR`` failures in the hour, whoever it tried
  (``AddressFailures``). Unlock: the admin action on failed sign-ins, or ``docket accounts unlock USERNAME``.
- Failures are audited per address (``services.sign_in_failure_record``): the first of the hour, each lockout,
  the moment the address is refused, otherwise at most one entry per ``DOCKET_LOGIN_AUDIT_SECONDS``, each with
  the count since the previous entry.
- Sessions end after ``DOCKET_SESSION_IDLE_MINUTES`` idle and ``DOCKET_SESSION_MAX_HOURS`` in all
  (``SessionLimitsMiddleware``); a deactivated officer's session ends at the next request.
- Tests sign in with ``docket.testing.verified_login(client, officer)`` where the role needs the second factor.
"""
