import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.campaigns.models import Campaign
from docket.core.errors import Conflict, FieldError, InvalidInput
from docket.officers.actors import Actor
from docket.officers.models import Role
from docket.officers.permissions import require_role
from docket.offices.models import Office


@service
def campaign_create(
    *,
    actor: Actor,
    slug: str,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    focus_areas: list[str],
    offices: list[Office],
    now: dt.datetime,
    name_en: str = "",
) -> Campaign:
    """A campaign is launched by an office head for their office and offices below it."""
    require_role(actor, Role.OFFICE_HEAD, doing=_("Launching a campaign"))
    assert actor.office is not None
    errors = []
    if ends_on < starts_on:
        errors.append(FieldError("ends_on", _("the campaign ends before it starts")))
    if Campaign.objects.filter(slug=slug).exists():
        errors.append(FieldError("slug", _("a campaign %(slug)r exists") % {"slug": slug}))
    for office in offices:
        if not actor.office.contains(office):
            errors.append(FieldError("offices", _("%(office)s is outside your jurisdiction") % {"office": office}))
    if errors:
        raise InvalidInput(errors)
    try:
        # The slug's unique constraint decides between two launches of one campaign at once.
        with transaction.atomic():
            campaign = Campaign.objects.create(
                slug=slug,
                name=name,
                name_en=name_en,
                starts_on=starts_on,
                ends_on=ends_on,
                focus_areas=focus_areas,
                lead_office=actor.office,
            )
    except IntegrityError:
        raise Conflict(_("A campaign %(slug)r was launched meanwhile.") % {"slug": slug}) from None
    campaign.offices.set(offices)
    audit_record(
        actor=actor,
        action="campaign.create",
        obj=campaign,
        now=now,
        detail={"slug": slug, "offices": [o.code for o in offices]},
    )
    return campaign
