"""The steps on an officer: roles granted and revoked, through the same registry as every procedure step."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from docket.core.steps import Step, StepForm
from docket.officers.models import Role
from docket.officers.services import officer_role_grant, officer_role_revoke, officer_roles_gate


class RoleForm(StepForm):
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)


ADMINISTRATOR = frozenset({Role.ADMINISTRATOR})

STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        Step(
            "officer_role_grant",
            _("Grant a role"),
            ADMINISTRATOR,
            RoleForm,
            officer_role_grant,
            officer_roles_gate,
            "officer",
        ),
        Step(
            "officer_role_revoke",
            _("Revoke a role"),
            ADMINISTRATOR,
            RoleForm,
            officer_role_revoke,
            officer_roles_gate,
            "officer",
        ),
    ]
}
