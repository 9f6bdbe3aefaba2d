"""Seeding: the holiday table from the maintained chinese-calendar package, and the default profile."""

from typing import Any

DEFAULT_PROFILE = {
    "slug": "cac-apl-2021",
    "name": "网信部门行政处罚程序（《行政处罚法》2021、《网信部门行政执法程序规定》2023）",
    "legal_review_triggers": {
        # Administrative Penalty Law art. 58: major interests, hearings held, complex facts, ...
        "flags": ["major_public_interest", "complex_facts", "novel_legal_question"],
        "hearing_held": True,
        "measures": ["licence_cancellation", "website_closure", "suspension"],
        "fine_at_least": "100000",
    },
    "discussion_triggers": {
        # APL art. 57(2): complex or serious cases go to the heads' collective discussion.
        "flags": ["complex_facts", "serious"],
        "fine_at_least": "500000",
        "measures": ["licence_cancellation", "website_closure"],
    },
    "hearing_thresholds": {
        # APL art. 63: larger fines, confiscation of larger amounts, licence revocation, closure,
        # suspension of business.
        "fine_at_least_organisation": "100000",
        "fine_at_least_individual": "10000",
        "confiscation_at_least": "100000",
        "measures": ["licence_cancellation", "website_closure", "suspension"],
    },
    "late_payment_daily_rate": "0.0300",
    "late_payment_citation": "《中华人民共和国行政处罚法》第七十二条第一款第一项",
}

DEFAULT_CLOCKS: list[dict[str, Any]] = [
    {
        "key": "clue_check",
        "name": "线索核查 Clue check",
        "days": 15,
        "count": "working",
        "extension_days": 15,
        "citation": "《网信部门行政执法程序规定》第十八条",
    },
    {
        "key": "decision",
        "name": "作出处理决定 Decision after filing",
        "days": 90,
        "count": "calendar",
        "extension_days": 30,
        "citation": "《网信部门行政执法程序规定》第六十条；《行政处罚法》第六十条",
    },
    {
        "key": "statement",
        "name": "陈述申辩 Statement and defence",
        "days": 5,
        "count": "working",
        "extension_days": 0,
        "citation": "《网信部门行政执法程序规定》第四十四条",
    },
    {
        "key": "hearing_request",
        "name": "听证申请 Hearing request",
        "days": 5,
        "count": "working",
        "extension_days": 0,
        "citation": "《行政处罚法》第六十四条第一项、第八十五条",
    },
    {
        "key": "hearing_notice",
        "name": "听证通知 Hearing notice ahead",
        "days": 7,
        "count": "working",
        "extension_days": 0,
        "citation": "《行政处罚法》第六十四条第二项、第八十五条",
    },
    {
        "key": "service",
        "name": "送达 Service of the decision",
        "days": 7,
        "count": "working",
        "extension_days": 0,
        "citation": "《行政处罚法》第六十一条、第八十五条",
    },
    {
        "key": "fine_payment",
        "name": "缴纳罚款 Fine payment",
        "days": 15,
        "count": "calendar",
        "extension_days": 0,
        "citation": "《行政处罚法》第六十七条第三款",
    },
    {
        "key": "publication",
        "name": "处罚决定公开 Publication",
        "days": 7,
        "count": "working",
        "extension_days": 0,
        "citation": "《行政处罚法》第四十八条；《网信部门行政执法程序规定》",
    },
    {
        "key": "publication_withdrawal",
        "name": "撤回公开 Withdrawal of publication",
        "days": 3,
        "count": "working",
        "extension_days": 0,
        "citation": "《行政处罚法》第四十八条第二款",
    },
]


def seed_calendar(CalendarYear: Any, CalendarDay: Any) -> tuple[int, int]:
    """Add every year the package knows and that the table lacks. Existing years are left as edited."""
    import chinese_calendar
    from chinese_calendar import constants

    version = getattr(chinese_calendar, "__version__", "")
    source = f"chinese-calendar {version}".strip()
    known = set(CalendarYear.objects.values_list("year", flat=True))
    years = sorted({d.year for d in constants.holidays} - known)
    days = []
    for date, name in constants.holidays.items():
        if date.year in years:
            days.append(CalendarDay(date=date, kind="holiday", name=str(name)))
    for date, name in constants.workdays.items():
        if date.year in years:
            days.append(CalendarDay(date=date, kind="workday", name=str(name)))
    CalendarYear.objects.bulk_create([CalendarYear(year=y, source=source) for y in years])
    CalendarDay.objects.bulk_create(days, ignore_conflicts=True)
    return len(years), len(days)


def seed_default_profile(ProcedureProfile: Any, ClockRule: Any) -> None:
    if ProcedureProfile.objects.filter(slug=DEFAULT_PROFILE["slug"]).exists():
        return
    profile = ProcedureProfile.objects.create(is_default=True, **DEFAULT_PROFILE)
    ClockRule.objects.bulk_create([ClockRule(profile=profile, **c) for c in DEFAULT_CLOCKS])
