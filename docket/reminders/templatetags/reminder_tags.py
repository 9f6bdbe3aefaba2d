from typing import Any

from django import template

from docket.reminders.queries import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_reminders(context: Any) -> int:
    """The signed-in officer's unread reminders (0 before sign-in, with no query)."""
    request = context.get("request")
    return unread_count(getattr(request, "user", None))
