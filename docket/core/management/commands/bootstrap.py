"""`docket bootstrap`: what a fresh installation needs to be used at once. Safe to run again."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from docket.officers.models import Officer, OfficerRole, Role
from docket.offices.models import Office
from docket.taxonomy.services import taxonomy_load_builtin

# (user name, office code, display name, roles). The offices are those of the seed reports' named cases.
EXAMPLE_USERS = [
    ("admin", "000000", "系统管理员", [Role.ADMINISTRATOR]),
    ("cac-head", "000000", "国家网信办负责人", [Role.OFFICE_HEAD, Role.INSPECTOR]),
    ("cac-inspector", "000000", "国家网信办执法监督", [Role.INSPECTOR]),
    ("cac-stats", "000000", "国家网信办统计", [Role.STATISTICIAN]),
    ("zj-head", "330000", "浙江省网信办负责人", [Role.OFFICE_HEAD]),
    ("zj-officer1", "330000", "浙江省网信办承办人一", [Role.CASE_OFFICER]),
    ("zj-officer2", "330000", "浙江省网信办承办人二", [Role.CASE_OFFICER]),
    ("zj-reviewer", "330000", "浙江省网信办法制审核", [Role.LEGAL_REVIEWER]),
    ("bj-head", "110000", "北京市网信办负责人", [Role.OFFICE_HEAD]),
    ("bj-officer1", "110000", "北京市网信办承办人一", [Role.CASE_OFFICER]),
    ("bj-officer2", "110000", "北京市网信办承办人二", [Role.CASE_OFFICER]),
    ("gd-head", "440000", "广东省网信办负责人", [Role.OFFICE_HEAD]),
    ("gd-officer1", "440000", "广东省网信办承办人一", [Role.CASE_OFFICER]),
    ("hz-head", "330100", "杭州市网信办负责人", [Role.OFFICE_HEAD]),
    ("hz-officer1", "330100", "杭州市网信办承办人一", [Role.CASE_OFFICER]),
]
EXAMPLE_PASSWORD = "docket-example"  # noqa: S105 - example users of a local installation, printed on purpose


class Command(BaseCommand):
    help = "Load the office tree, the built-in violation taxonomy and example users (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-users", action="store_true", help="Skip the example users")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("offices", "load-cn", stdout=self.stdout, stderr=self.stderr)
        result = taxonomy_load_builtin()
        self.stdout.write(f"taxonomy: {result['provisions']} provisions, {result['categories']} categories")
        if options["no_users"]:
            return
        created = 0
        with transaction.atomic():
            for n, (username, code, name, roles) in enumerate(EXAMPLE_USERS, start=1):
                if Officer.objects.filter(username=username).exists():
                    continue
                case_powers = Role.CASE_OFFICER in roles or Role.OFFICE_HEAD in roles
                officer = Officer(
                    username=username,
                    display_name=name,
                    office=Office.objects.get(code=code),
                    is_staff=True,
                    certificate_number=f"EX{n:06d}" if case_powers else "",
                    certificate_valid_from="2020-01-01" if case_powers else None,
                    certificate_valid_until="2030-12-31" if case_powers else None,
                )
                officer.set_password(EXAMPLE_PASSWORD)
                officer.save()
                OfficerRole.objects.bulk_create([OfficerRole(officer=officer, role=r) for r in roles])
                created += 1
            from docket.audit.services import audit_record

            if created:
                audit_record(
                    actor=None, action="officer.bootstrap", object_type="officers.officer", detail={"created": created}
                )
        self.stdout.write(f"example users: {created} created; password for each: {EXAMPLE_PASSWORD}")
