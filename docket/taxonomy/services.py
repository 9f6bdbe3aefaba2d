import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.core.bulk import lock_tables
from docket.core.errors import FieldError, InvalidInput
from docket.core.vocabulary import MeasureType
from docket.taxonomy.models import Provision, ViolationCategory

BUILTIN = Path(__file__).parent / "data" / "cac-2023.json"


def _amount(value: Any, where: str, errors: list[FieldError]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        errors.append(FieldError(where, _("%(value)r is not an amount") % {"value": value}))
        return None


@service
def taxonomy_load(*, actor: Any, data: dict[str, Any]) -> dict[str, int]:
    """Load a taxonomy version (provisions and categories) from its JSON form. Idempotent, all or nothing.

    Loads queue on the taxonomy's tables (readers go on), so two loads at once never insert one provision twice.
    """
    errors: list[FieldError] = []
    version = str(data.get("version") or "")
    if not version:
        errors.append(FieldError("version", _("required")))
    provisions: dict[str, dict[str, Any]] = {}
    for i, p in enumerate(data.get("provisions") or [], start=1):
        where = f"provisions[{i}]"
        unknown = set(p.get("measures") or []) - set(MeasureType.values)
        if unknown:
            errors.append(FieldError(where, _("unknown measures %(value)s") % {"value": sorted(unknown)}))
        if not p.get("key") or not p.get("law") or not isinstance(p.get("article"), int):
            errors.append(FieldError(where, _("key, law and article (a number) are required")))
            continue
        p = {
            **p,
            "fine_min": _amount(p.get("fine_min"), where, errors),
            "fine_max": _amount(p.get("fine_max"), where, errors),
        }
        provisions[p["key"]] = p
    for i, c in enumerate(data.get("categories") or [], start=1):
        missing = [k for k in c.get("provisions") or [] if k not in provisions]
        if missing or not c.get("code") or not c.get("name"):
            errors.append(FieldError(f"categories[{i}]", f"code and name required; unknown provisions {missing}"))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        lock_tables([Provision, ViolationCategory])
        objs = {}
        for key, p in provisions.items():
            objs[key], _created = Provision.objects.update_or_create(
                law=p["law"],
                article=p["article"],
                paragraph=p.get("paragraph") or 0,
                item=p.get("item") or 0,
                defaults={
                    "summary": p.get("summary", ""),
                    "measures": p.get("measures") or [],
                    "fine_min": p["fine_min"],
                    "fine_max": p["fine_max"],
                    "fine_relative": p.get("fine_relative", ""),
                },
            )
        for c in data.get("categories") or []:
            category, _created = ViolationCategory.objects.update_or_create(
                version=version, code=c["code"], defaults={"name": c["name"], "name_en": c.get("name_en", "")}
            )
            category.provisions.set([objs[k] for k in c["provisions"]])
        result = {"provisions": len(provisions), "categories": len(data.get("categories") or [])}
        audit_record(
            actor=actor,
            action="taxonomy.load",
            object_type="taxonomy.violationcategory",
            detail={"version": version, **result},
        )
    return result


def taxonomy_load_builtin(*, actor: Any = None) -> dict[str, int]:
    return taxonomy_load(actor=actor, data=json.loads(BUILTIN.read_text(encoding="utf-8")))
