from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.core.bulk import lock_tables
from docket.core.errors import Conflict, Denied, FieldError, InvalidInput
from docket.officers.models import Role
from docket.officers.permissions import require_role
from docket.offices.cn import cn_division_tree
from docket.offices.models import Level, Office

NATIONAL_CODE = "000000"


def _path(parent: Office | None, code: str) -> str:
    return f"{parent.path if parent else '/'}{code}/"


@service
def office_create(
    *,
    actor: Any,
    code: str,
    name: str,
    level: str,
    parent: Office | None,
    name_en: str = "",
    system: bool = False,
) -> Office:
    """Add an office under ``parent``. ``system`` is for set-up commands that act for nobody."""
    if not system:
        require_role(actor, Role.ADMINISTRATOR, doing=_("Creating offices"))
        # The tree is public, so an office outside one's own subtree is refused, not hidden.
        own = getattr(actor, "office", None)
        if parent is not None and (own is None or not own.contains(parent)):
            raise Denied(_("Offices are created within your own office's jurisdiction."))
    errors = []
    if not code.isdigit() or len(code) != 6:
        errors.append(FieldError("code", _("a division code is six digits")))
    if level not in Level.values:
        errors.append(FieldError("level", _("unknown level %(level)r") % {"level": level}))
    if (parent is None) != (level == Level.NATIONAL):
        errors.append(FieldError("parent", _("only the national office has no parent office")))
    if Office.objects.filter(code=code).exists():
        errors.append(FieldError("code", _("an office with code %(code)s exists") % {"code": code}))
    if errors:
        raise InvalidInput(errors)
    try:
        # The code's unique constraint decides between two creations of one office at once.
        with transaction.atomic():
            office = Office.objects.create(
                code=code, name=name, name_en=name_en, level=level, parent=parent, path=_path(parent, code)
            )
    except IntegrityError:
        raise Conflict(_("An office with code %(code)s was created meanwhile.") % {"code": code}) from None
    audit_record(actor=actor, action="office.create", obj=office, detail={"code": code, "name": name})
    return office


def offices_load_cn(*, actor: Any = None, progress: Any = None) -> dict[str, int]:
    """Load China's division tree as the office tree. Idempotent: a second run changes nothing."""
    created = updated = 0
    with transaction.atomic():
        # Two loads at once queue here (readers go on): the second finds the tree the first made.
        lock_tables([Office])
        existing = {o.code: o for o in Office.objects.all()}
        national = existing.get(NATIONAL_CODE)
        if national is None:
            national = Office.objects.create(
                code=NATIONAL_CODE,
                name="国家互联网信息办公室",
                name_en="Cyberspace Administration of China",
                level=Level.NATIONAL,
                parent=None,
                path=_path(None, NATIONAL_CODE),
            )
            existing[NATIONAL_CODE] = national
            created += 1
        nodes = cn_division_tree()
        if progress is not None:
            progress.reset(total=len(nodes))
        for node in nodes:
            parent = existing[node.parent_code] if node.parent_code else national
            office_name = f"{node.name}互联网信息办公室"
            office = existing.get(node.code)
            if office is None:
                office = Office.objects.create(
                    code=node.code,
                    name=office_name,
                    name_en=node.name_en,
                    level=node.level,
                    parent=parent,
                    path=_path(parent, node.code),
                )
                existing[node.code] = office
                created += 1
            elif (office.name, office.level, office.parent_id) != (office_name, node.level, parent.pk):
                if office.parent_id != parent.pk:
                    raise InvalidInput(
                        FieldError(
                            "parent",
                            _("office %(code)s sits under another office; move it by hand first") % {"code": node.code},
                        )
                    )
                office.name, office.level = office_name, node.level
                if node.name_en and not office.name_en:
                    office.name_en = node.name_en
                office.save(update_fields=["name", "level", "name_en"])
                updated += 1
            if progress is not None:
                progress.update(1)
        result = {"created": created, "updated": updated, "total": Office.objects.count()}
        if created or updated:
            audit_record(actor=actor, action="office.load_cn", object_type="offices.office", detail=result)
    return result
