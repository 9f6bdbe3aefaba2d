from django import template

from docket.workdays import checks

register = template.Library()


@register.simple_tag
def calendar_warnings() -> list[str]:
    """The working-day calendar's gaps as of today (``{% calendar_warnings as warnings %}``)."""
    return checks.calendar_warnings()
