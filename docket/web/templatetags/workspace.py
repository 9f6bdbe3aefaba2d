"""Template helpers of the workspace: readable names for machine names, amounts of money as people read them, the
case's timeline, and the saved queues and reassignment choices a list shows (read through the same scoping as
every page)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.translation import gettext as _

from docket.audit.labels import action_label as _action_label
from docket.cases.queries import clock_label as _clock_label
from docket.officers.models import Officer, Role
from docket.web.models import SavedQueue

register = template.Library()

# Saved queues a list's menu shows at most.
QUEUES_SHOWN = 50


@register.filter
def action_label(action: str) -> str:
    return _action_label(action)


@register.filter
def clock_label(key: str) -> str:
    return _clock_label(key) if key else ""


CENT = Decimal("0.01")


def format_money(value: Any) -> str:
    """An amount of yuan as people read it: thousands separated, always two decimals, with the currency as the
    language writes it ("¥100,000.00"). Nothing (None or "") is "—"; what is not a number is shown as it is."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    # Translators: an amount of money in yuan; %(amount)s has thousands separators and two decimals
    # ("100,000.00"). Keep the sign or the unit the language uses, e.g. "¥%(amount)s" or "%(amount)s 元".
    return _("¥%(amount)s") % {"amount": f"{amount:,.2f}"}


@register.filter
def money(value: Any) -> str:
    return format_money(value)


class Money(str):
    """An amount in a list's cell: its plain figure ("100000.00") where it is written as data (CSV and XLSX
    exports), the money it is (``format_money``) where a page shows it (templates render ``__html__``)."""

    def __html__(self) -> str:
        return escape(format_money(str(self)))


@register.filter
def item(sequence: Any, index: int) -> Any:
    """``sequence[index]``: the object behind a row of a list, read from the page already fetched."""
    try:
        return sequence[index]
    except (IndexError, KeyError, TypeError):
        return None


@register.simple_tag(takes_context=True)
def saved_queues(context: template.Context, list_name: str = "") -> list[SavedQueue]:
    """The reader's own queues and those shared with the reader's office (of one list, or of every list)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    qs = SavedQueue.objects.visible_to(user)
    if list_name:
        qs = qs.filter(list_name=list_name)
    return list(qs.select_related("owner").order_by("list_name", "name", "id")[:QUEUES_SHOWN])


@register.simple_tag(takes_context=True)
def reassign_officers(context: template.Context) -> list[Officer]:
    """The officers an office head may assign to cases of the list; nobody for anyone else (the checkboxes are
    not shown to them, and a forged request gets the assignment service's own refusal)."""
    request = context.get("request")
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_role(Role.OFFICE_HEAD) or user.office_id is None:
        return []
    return list(
        Officer.objects.filter(office_id=user.office_id, is_active=True, roles__role=Role.CASE_OFFICER)
        .distinct()
        .order_by("username")
    )
