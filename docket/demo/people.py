"""The offices that take part in the demo, their staff, the example users and the campaigns."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from docket.audit.services import audit_record
from docket.campaigns.models import Campaign
from docket.demo.procedure import Team
from docket.demo.state import Demo, Staff
from docket.officers.models import Officer, OfficerRole, Role
from docket.offices.models import Office
from docket.offices.services import offices_load_cn
from docket.taxonomy.services import taxonomy_load_builtin

# The campaign whose presence says the demo is loaded.
MARKER = "qinglang-2022-rumours"

# Where the regulator's work is heaviest: province code → weight.
PROVINCE_WEIGHT = {
    "110000": 12,
    "440000": 12,
    "330000": 10,
    "310000": 10,
    "320000": 8,
    "370000": 5,
    "510000": 5,
    "420000": 4,
    "350000": 4,
    "410000": 4,
    "500000": 3,
    "430000": 3,
    "610000": 3,
    "340000": 3,
}

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


def example_users_create() -> int:
    """Create the example users that do not exist yet (offices loaded first); returns how many were created."""
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
                certificate_valid_from=dt.date(2020, 1, 1) if case_powers else None,
                certificate_valid_until=dt.date(2030, 12, 31) if case_powers else None,
            )
            officer.set_password(EXAMPLE_PASSWORD)
            officer.save()
            OfficerRole.objects.bulk_create([OfficerRole(officer=officer, role=r) for r in roles])
            created += 1
        if created:
            audit_record(
                actor=None, action="officer.bootstrap", object_type="officers.officer", detail={"created": created}
            )
    return created


def offices_and_staff(demo: Demo) -> None:
    offices_load_cn()
    taxonomy_load_builtin()
    provinces = list(Office.objects.filter(level="province").exclude(code__in=["710000", "810000", "820000"]))
    chosen: list[tuple[Office, float]] = [(Office.objects.get(code="000000"), 6.0)]
    for province in provinces:
        weight = PROVINCE_WEIGHT.get(province.code, 1.5)
        cities = list(province.children.filter(level="city").order_by("code"))[:2]
        counties = list(Office.objects.filter(parent__in=cities, level="county").order_by("code"))[:1]
        chosen.append((province, weight * 0.5))
        for city in cities:
            chosen.append((city, weight * 0.35 / max(1, len(cities))))
        for county in counties:
            chosen.append((county, weight * 0.15))
        if not cities:  # municipalities: districts sit right under the province
            for district in list(province.children.filter(level="county").order_by("code"))[:2]:
                chosen.append((district, weight * 0.25))
    demo.weights = chosen
    officers, roles = [], []
    n = Officer.objects.count()
    for office, _w in chosen:
        for suffix, role in (
            ("head", Role.OFFICE_HEAD),
            ("a", Role.CASE_OFFICER),
            ("b", Role.CASE_OFFICER),
            ("reviewer", Role.LEGAL_REVIEWER),
            ("chair", Role.CASE_OFFICER),
        ):
            n += 1
            officer = Officer(
                username=f"{office.code}-{suffix}",
                display_name=f"{office.name}{suffix}",
                office=office,
                is_staff=True,
                certificate_number=f"DEMO{n:07d}",
                certificate_valid_from=dt.date(2019, 1, 1),
                certificate_valid_until=dt.date(2029, 12, 31),
            )
            officer.set_unusable_password()
            officers.append((officer, role))
    Officer.objects.bulk_create([o for o, _r in officers], batch_size=1000)
    ids = dict(Officer.objects.filter(username__in=[o.username for o, _r in officers]).values_list("username", "id"))
    roles = [OfficerRole(officer_id=ids[o.username], role=r) for o, r in officers]
    OfficerRole.objects.bulk_create(roles, batch_size=1000)
    people = {o.username: o for o in Officer.objects.filter(id__in=ids.values()).select_related("office")}
    for office, _w in chosen:
        team = Team(*(people[f"{office.code}-{s}"] for s in ("head", "a", "b", "reviewer", "chair")))
        demo.staff[office.code] = Staff(office, team)
    national = demo.staff["000000"].team
    inspector = national.head
    inspector.roles.create(role=Role.INSPECTOR)
    inspector.__dict__.pop("_role_cache", None)  # roles changed: read them again


def campaigns_create(demo: Demo) -> None:
    national = Office.objects.get(code="000000")
    specs = [
        (MARKER, "清朗·网上谣言和虚假信息整治", "Qinglang: online rumours", 2022, ["网络谣言"]),
        ("qinglang-2022-mcn", "清朗·MCN机构信息内容乱象整治", "Qinglang: MCN institutions", 2022, ["MCN"]),
        (
            "qinglang-2022-live",
            "清朗·直播、短视频领域乱象整治",
            "Qinglang: live streaming and short video",
            2022,
            ["直播", "短视频"],
        ),
        ("qinglang-2023-violence", "清朗·网络暴力治理", "Qinglang: online violence", 2023, ["网络暴力"]),
        (
            "qinglang-2023-minors",
            "清朗·未成年人网络环境整治",
            "Qinglang: minors' online environment",
            2023,
            ["未成年人"],
        ),
        ("qinglang-2023-business", "清朗·优化营商网络环境", "Qinglang: business environment", 2023, ["营商环境"]),
    ]
    for slug, name, name_en, year, focus in specs:
        campaign = Campaign.objects.create(
            slug=slug,
            name=name,
            name_en=name_en,
            starts_on=dt.date(year, 3, 1),
            ends_on=dt.date(year, 12, 31),
            focus_areas=focus,
            lead_office=national,
        )
        campaign.offices.set([o for o, _w in demo.weights])
    demo.campaign_ids = {
        y: list(Campaign.objects.filter(starts_on__year=y).values_list("id", flat=True)) for y in (2022, 2023)
    }


# ---- subjects -------------------------------------------------------------------------------------
