"""Reference numbers: a prefix (kind, office, year) and a running number within it."""

from typing import Any

from django.db.models import Max


def next_number(model: Any, field: str, prefix: str) -> str:
    """The next ``PREFIX00001``-style number. Callers lock the office row so two never take the same one."""
    last = model.objects.filter(**{f"{field}__startswith": prefix}).aggregate(m=Max(field))["m"]
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:05d}"
