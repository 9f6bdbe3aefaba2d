"""`docket demo`: a realistic national record of 2022 and 2023, deterministic for a seed.

The named cases of the seed reports, and a few hundred more, go through the real services (every gate,
clock and audit entry). The mass of measures that the published figures count is then written in bulk,
exactly as many as the records still lack for each figure, so that `docket report --year 2022` and
`--year 2023` give the published numbers, counted from the records.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from stdnum.cn import uscc

from docket.audit.services import audit_record
from docket.campaigns.models import Campaign
from docket.cases.models import Outcome
from docket.clues.models import Clue, ClueStatus, Source
from docket.clues.services import clue_assign, clue_register
from docket.core.bulk import bulk_insert, lock_tables, reserve_ids
from docket.demo.procedure import Plan, Team, run_case
from docket.measures.imports import MEASURE_COLUMNS
from docket.measures.models import Measure, MeasureTarget
from docket.measures.services import account_closures_report, measure_record
from docket.measures.types import MeasureType
from docket.officers.models import Officer, OfficerRole, Role
from docket.offices.models import Office
from docket.offices.services import offices_load_cn
from docket.reports.aggregates import Fact, cells_add_facts, scopes_of
from docket.reports.models import MetricSet
from docket.reports.queries import figures
from docket.subjects.models import Kind, Subject
from docket.taxonomy.services import taxonomy_load_builtin
from docket.workdays.clocks import default_profile

# The figures the seed reports publish; the demo record is built to give them exactly.
PUBLISHED = Path(__file__).parent / "data" / "published_figures.json"
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

WORDS = [
    "华信",
    "瑞通",
    "星河",
    "云帆",
    "启明",
    "天衡",
    "博远",
    "众合",
    "宏图",
    "金桥",
    "嘉禾",
    "鼎盛",
    "长风",
    "锦程",
    "新元",
    "泰和",
    "恒达",
    "远景",
    "汇智",
    "明德",
]
TRADES = ["网络科技", "信息技术", "文化传媒", "电子商务", "互联网服务", "数字科技"]
SYLLABLES = [
    "xin",
    "hua",
    "tong",
    "yun",
    "fan",
    "ming",
    "tian",
    "heng",
    "bo",
    "yuan",
    "zhong",
    "he",
    "hong",
    "jin",
    "qiao",
    "jia",
    "ding",
    "sheng",
    "chang",
    "feng",
    "rui",
    "xing",
    "zhi",
    "da",
    "kang",
    "le",
    "mei",
    "an",
]


def _uscc(n: int) -> str:
    body = f"9133{n % 10000:04d}{n:09d}"[:17]
    body = body[:8] + f"{n:09d}"
    return body + uscc.calc_check_digit(body)


@dataclass
class Staff:
    office: Office
    team: Team


class Demo:
    def __init__(self, seed: int, now: dt.datetime, progress: Any = None):
        self.rng = random.Random(seed)
        self.now = now
        self.progress = progress
        self.serial = 0
        self.staff: dict[str, Staff] = {}
        self.weights: list[tuple[Office, float]] = []

    # ---- progress -------------------------------------------------------------------------------------

    def step(self, label: str) -> None:
        if self.progress is not None:
            self.progress.set_description(label)
            self.progress.update(1)

    # ---- people and places ----------------------------------------------------------------------------

    def offices(self) -> None:
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
        self.weights = chosen
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
        ids = dict(
            Officer.objects.filter(username__in=[o.username for o, _r in officers]).values_list("username", "id")
        )
        roles = [OfficerRole(officer_id=ids[o.username], role=r) for o, r in officers]
        OfficerRole.objects.bulk_create(roles, batch_size=1000)
        people = {o.username: o for o in Officer.objects.filter(id__in=ids.values()).select_related("office")}
        for office, _w in chosen:
            get = lambda s, c=office.code: people[f"{c}-{s}"]  # noqa: E731
            self.staff[office.code] = Staff(
                office, Team(get("head"), get("a"), get("b"), get("reviewer"), get("chair"))
            )
        national = self.staff["000000"].team
        inspector = national.head
        inspector.roles.create(role=Role.INSPECTOR)
        inspector.__dict__.pop("_role_cache", None)  # roles changed: read them again

    def pick_office(self) -> Office:
        if not hasattr(self, "_cum"):
            self._offices = [o for o, _w in self.weights]
            self._cum = list(itertools.accumulate(w for _o, w in self.weights))
        return self.rng.choices(self._offices, cum_weights=self._cum)[0]

    def campaigns(self) -> None:
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
            campaign.offices.set([o for o, _w in self.weights])
        self.campaign_ids = {
            y: list(Campaign.objects.filter(starts_on__year=y).values_list("id", flat=True)) for y in (2022, 2023)
        }

    # ---- subjects -------------------------------------------------------------------------------------

    def org(self, name: str, runs: str = "") -> Subject:
        self.serial += 1
        return Subject.objects.create(
            kind=Kind.ORGANISATION, name=name, identifier=_uscc(900000 + self.serial), runs_platform=runs
        )

    def pools(self) -> None:
        """Bulk subjects: companies, websites, apps and mini programs for the mass of measures."""
        from docket.subjects.services import subjects_insert

        rng = self.rng
        cities = ["杭州", "北京", "深圳", "上海", "广州", "成都", "南京", "武汉", "厦门", "郑州"]
        orgs = [
            {
                "kind": Kind.ORGANISATION,
                "platform": "",
                "identifier": _uscc(100000 + i),
                "name": f"{rng.choice(cities)}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司{i}",
            }
            for i in range(16000)
        ]
        subjects_insert(orgs, {}, self.now, None)
        codes = dict(Subject.objects.filter(kind=Kind.ORGANISATION).values_list("identifier", "id"))
        org_codes = [o["identifier"] for o in orgs]
        rows: list[dict[str, Any]] = []
        for i in range(52000):
            name = "".join(rng.choice(SYLLABLES) for _ in range(2)) + str(i)
            rows.append(
                {
                    "kind": Kind.WEBSITE,
                    "platform": "",
                    "name": f"{name}网",
                    "identifier": f"{name}.{rng.choice(['com', 'cn', 'net', 'com.cn'])}",
                    "operator": rng.choice(org_codes),
                    "icp_number": f"浙ICP备{20000000 + i}号-1",
                }
            )
        for i in range(1000):
            rows.append(
                {
                    "kind": Kind.APP,
                    "platform": "",
                    "identifier": f"com.{rng.choice(SYLLABLES)}.app{i}",
                    "name": f"{rng.choice(WORDS)}{rng.choice(['助手', '直播', '阅读', '清理', '视频'])}{i}",
                    "operator": rng.choice(org_codes),
                    "stores": ["应用宝", "华为应用市场"],
                }
            )
        for i in range(240):
            rows.append(
                {
                    "kind": Kind.MINI_PROGRAM,
                    "platform": "wechat",
                    "name": f"{rng.choice(WORDS)}小程序{i}",
                    "identifier": f"wx{i:04x}{rng.getrandbits(48):012x}",
                }
            )
        subjects_insert(rows, codes, self.now, None)
        self.pool: dict[str, list[int]] = {
            kind: list(Subject.objects.filter(kind=kind).order_by("id").values_list("id", flat=True))
            for kind in (Kind.ORGANISATION, Kind.WEBSITE, Kind.APP, Kind.MINI_PROGRAM)
        }
        for ids in self.pool.values():
            rng.shuffle(ids)

    # ---- the named cases of the seed reports ------------------------------------------------------------

    def interview(
        self,
        actor: Officer,
        on: dt.date,
        subjects: list[Subject],
        *,
        reason: str,
        place: str,
        attendees: str,
        commitments: str = "",
    ) -> Measure:
        """A regulatory interview (约谈) with its notice: reason, time, place, attendees."""
        details = {"reason": reason, "time": on.isoformat(), "place": place, "attendees": attendees}
        if commitments:
            details["commitments"] = commitments
        return measure_record(
            actor=actor, type=MeasureType.INTERVIEW, taken_on=on, subjects=subjects, now=self.now, details=details
        )

    def named(self) -> None:
        now = self.now
        t = {code: s.team for code, s in self.staff.items()}
        cac = t["000000"]
        taobao = self.org("淘宝（中国）软件有限公司", runs="taobao")
        taobao_site = Subject.objects.create(kind=Kind.WEBSITE, name="淘宝网", identifier="taobao.com", operator=taobao)
        taobao_app = Subject.objects.create(kind=Kind.APP, name="淘宝", identifier="com.taobao.taobao", operator=taobao)
        person = Subject.objects.create(
            kind=Kind.RESPONSIBLE_PERSON, name="相关责任人", identifier="11010519491231002X", operator=taobao
        )
        # Taobao 2022: the national office assigns; Zhejiang interviews, orders rectification, suspends functions,
        # deals with the responsible person and fines, after a hearing.
        clue = clue_assign(
            actor=cac.head,
            to_office=self.staff["330000"].office,
            received_on=dt.date(2022, 3, 7),
            summary="淘宝直播间和店铺存在法律法规禁止发布或者传输的信息",
            subjects=[taobao, taobao_site],
            now=now,
            campaigns=list(Campaign.objects.filter(slug="qinglang-2022-live")),
        )
        zj = t["330000"]
        self.interview(
            zj.a,
            dt.date(2022, 3, 10),
            [taobao, taobao_site],
            reason="直播间、店铺传播违法信息",
            place="浙江省互联网信息办公室",
            attendees="淘宝平台负责人",
            commitments="限期整改，清理违法信息",
        )
        run_case(
            zj,
            clue,
            "淘宝直播间和店铺传播违法信息案",
            dt.date(2022, 3, 14),
            Plan(
                penalties=[
                    (MeasureType.FINE, taobao, "500000.00"),
                    (MeasureType.RECTIFICATION_ORDER, taobao_site, None),
                    (MeasureType.SUSPENSION, taobao_app, None),
                    (MeasureType.RESPONSIBLE_PERSON, person, None),
                ],
                hearing=True,
                instructed_by=cac.head,
                supervisor=cac.head,
                flags=["serious"],
                parties=[taobao_app, person],
            ),
            now,
        )
        self.step("淘宝")
        # Sina Weibo and Tencent WeChat 2022: Beijing and Guangdong, on the national office's instruction.
        for code, name, runs, site, title in (
            ("110000", "北京微梦创科网络技术有限公司", "weibo", "weibo.com", "新浪微博多次出现违法信息案"),
            ("440000", "深圳市腾讯计算机系统有限公司", "wechat", "weixin.qq.com", "腾讯微信多次出现违法信息案"),
        ):
            company = self.org(name, runs=runs)
            website = Subject.objects.create(kind=Kind.WEBSITE, name=name[:6], identifier=site, operator=company)
            office = self.staff[code].office
            clue = clue_assign(
                actor=cac.head,
                to_office=office,
                received_on=dt.date(2022, 5, 9),
                summary=f"{title[:-1]}，国家网信办交办",
                subjects=[company, website],
                now=now,
            )
            self.interview(
                t[code].a,
                dt.date(2022, 5, 12),
                [company],
                reason="多次出现违法信息",
                place=office.name,
                attendees="总编辑/负责人",
            )
            run_case(
                t[code],
                clue,
                title,
                dt.date(2022, 5, 16),
                Plan(
                    penalties=[
                        (MeasureType.FINE, company, "300000.00"),
                        (MeasureType.RECTIFICATION_ORDER, website, None),
                    ],
                    instructed_by=cac.head,
                ),
                now,
            )
            self.step(name)
        # Didi 2022: the national office's penalty after a cybersecurity review (PIPL, DSL, CSL).
        didi = self.org("滴滴全球股份有限公司")
        clue = clue_register(
            actor=cac.a,
            source=Source.SECURITY_REVIEW,
            received_on=dt.date(2022, 5, 4),
            summary="网络安全审查发现滴滴公司违法违规运营",
            subjects=[didi],
            now=now,
        )
        run_case(
            cac,
            clue,
            "滴滴公司违反网络安全法、数据安全法、个人信息保护法案",
            dt.date(2022, 5, 6),
            Plan(
                category="personal-information",
                hearing=True,
                penalties=[(MeasureType.FINE, didi, "8026000000.00")],
                flags=["major_public_interest", "serious"],
            ),
            now,
        )
        self.step("滴滴")
        # CNKI 2023: the national office, after a cybersecurity review.
        cnki = self.org("同方知网（北京）技术有限公司")
        clue = clue_register(
            actor=cac.a,
            source=Source.SECURITY_REVIEW,
            received_on=dt.date(2023, 6, 5),
            summary="网络安全审查发现知网违法处理个人信息",
            subjects=[cnki],
            now=now,
        )
        run_case(
            cac,
            clue,
            "知网违法处理个人信息案",
            dt.date(2023, 6, 7),
            Plan(
                category="personal-information",
                penalties=[(MeasureType.FINE, cnki, "50000000.00")],
                flags=["major_public_interest"],
            ),
            now,
        )
        self.step("知网")
        # 2023: Bing (Beijing) and Quark (Guangdong), instructed by the national office.
        for code, name, title in (
            ("110000", "微软（中国）有限公司", "必应搜索呈现违法信息案"),
            ("440000", "广州市动景计算机科技有限公司", "夸克浏览器搜索呈现违法信息案"),
        ):
            company = self.org(name)
            clue = clue_assign(
                actor=cac.head,
                to_office=self.staff[code].office,
                received_on=dt.date(2023, 4, 3),
                summary=title,
                subjects=[company],
                now=now,
            )
            self.interview(
                t[code].a,
                dt.date(2023, 4, 6),
                [company],
                reason="搜索呈现违法信息",
                place="约谈室",
                attendees="相关负责人",
            )
            run_case(
                t[code],
                clue,
                title,
                dt.date(2023, 4, 10),
                Plan(
                    penalties=[
                        (MeasureType.FINE, company, "200000.00"),
                        (MeasureType.RECTIFICATION_ORDER, company, None),
                    ],
                    instructed_by=cac.head,
                ),
                now,
            )
            self.step(name)
        # 2023: platforms told to close accounts; they report back what they closed.
        for code, name, runs in (
            ("110000", "北京微播视界科技有限公司", "douyin"),
            ("110000", "北京快手科技有限公司", "kuaishou"),
            ("310000", "行吟信息科技（上海）有限公司", "xiaohongshu"),
        ):
            company = self.org(name, runs=runs)
            accounts = Subject.objects.bulk_create(
                [
                    Subject(
                        kind=Kind.ACCOUNT,
                        name=f"{runs}用户{i}",
                        platform=runs,
                        identifier=f"{runs}_{i:06d}",
                        account_type="self_media",
                    )
                    for i in range(600)
                ]
            )
            self.interview(
                t[code].a,
                dt.date(2023, 7, 3),
                [company],
                reason="未履行用户信息管理义务",
                place="约谈室",
                attendees="平台负责人",
            )
            order = measure_record(
                actor=t[code].a,
                type=MeasureType.ACCOUNT_CLOSURE_ORDER,
                taken_on=dt.date(2023, 7, 5),
                subjects=accounts,
                addressee=company,
                now=now,
                details={"grounds": "发布虚假信息、煽动网络暴力"},
            )
            client = Officer.objects.create(username=f"platform-{runs}", display_name=name, platform=company)
            client.roles.create(role=Role.PLATFORM)
            client._role_cache = None
            closed = [a.identifier for a in accounts[: 560 + self.rng.randint(0, 30)]]
            account_closures_report(
                actor=client,
                measure=order,
                closed=closed,
                refused={accounts[-1].identifier: "账号已注销"},
                on=dt.date(2023, 7, 12),
                now=now,
            )
            self.step(name)

    def named_removals(self) -> None:
        """Apps the reports name as removed: 74 religious-information apps and 44 without a security
        assessment (2022); apps with vulgar content, illegal personal-information handling or no
        assessment (2023). The national office orders, the stores confirm."""
        cac = self.staff["000000"].team
        batches = [
            (2022, "公德人生", 74, "未取得许可从事互联网宗教信息服务"),
            (2022, "空空语音", 44, "具有舆论属性或社会动员能力但未按规定开展安全评估"),
            (2023, "梦话", 1, "含有大量低俗色情信息"),
            (2023, "小野猫直播", 1, "含有大量低俗色情信息"),
            (2023, "山货运输", 1, "违法违规处理个人信息"),
            (2023, "纯白之旅", 1, "违法违规处理个人信息"),
            (2023, "AI写作导师", 1, "未按规定开展安全评估"),
            (2023, "写作全能王", 1, "未按规定开展安全评估"),
        ]
        for year, name, count, grounds in batches:
            for i in range(count):
                app = Subject.objects.create(
                    kind=Kind.APP,
                    name=name if count == 1 else f"{name}{i + 1}",
                    identifier=f"cn.demo.{year}.{len(grounds)}.app{self.serial}{i}",
                )
                day = dt.date(year, 8, 15) + dt.timedelta(days=i % 20)
                removal = measure_record(
                    actor=cac.a,
                    type=MeasureType.APP_REMOVAL,
                    taken_on=day,
                    subjects=[app],
                    now=self.now,
                    legal_basis=grounds,
                    details={"stores": ["各应用商店"]},
                )
                from docket.measures.services import measure_confirm

                measure_confirm(
                    actor=cac.a,
                    measure=removal,
                    confirmed_on=day + dt.timedelta(days=2),
                    confirmation="应用商店回函确认已下架",
                    now=self.now,
                )
            self.serial += 1
            self.step(name)

    # ---- more cases through every procedure path ------------------------------------------------------

    def cases(self, count: int) -> None:
        rng = self.rng
        paths = (
            [Plan(penalties=None)] * 6
            + [Plan(outcome=Outcome.NO_PENALTY)] * 2
            + [Plan(outcome=Outcome.NOT_ESTABLISHED)]
            + [Plan(outcome=Outcome.JUDICIAL_TRANSFER)]
            + [Plan(dismiss="当事人主体已注销，终止调查")]
        )
        sources = [Source.INSPECTION, Source.PUBLIC_REPORT, Source.MEDIA, Source.TRANSFER]
        for i in range(count):
            office = self.pick_office()
            staff = self.staff[office.code]
            year = 2022 if i % 2 == 0 else 2023
            received = dt.date(year, rng.randint(1, 9), rng.randint(1, 28))
            org = Subject.objects.get(pk=self.pool[Kind.ORGANISATION].pop())
            site = Subject.objects.get(pk=self.pool[Kind.WEBSITE].pop())
            campaigns = list(Campaign.objects.filter(id__in=rng.sample(self.campaign_ids[year], 1)))
            clue = clue_register(
                actor=staff.team.a,
                source=rng.choice(sources),
                received_on=received,
                summary="网站传播违法信息",
                subjects=[org, site],
                now=self.now,
                campaigns=campaigns,
            )
            template = paths[i % len(paths)]  # every path, in turn
            plan = Plan(outcome=template.outcome, dismiss=template.dismiss, hearing=rng.random() < 0.3)
            if plan.outcome == Outcome.PENALTY and not plan.dismiss:
                amount = f"{rng.choice([100000, 150000, 200000, 300000])}.00"
                plan.penalties = [(MeasureType.FINE, site, amount), (MeasureType.WARNING, site, None)]
                if rng.random() < 0.4:
                    plan.penalties.append((MeasureType.RECTIFICATION_ORDER, org, None))
            if office.level != "national" and rng.random() < 0.15:
                plan.supervisor = self.staff["000000"].team.head
            run_case(
                staff.team,
                clue,
                f"{site.name}传播违法信息案",
                received + dt.timedelta(days=rng.randint(2, 10)),
                plan,
                self.now,
            )
            self.step("案件")

    # ---- the mass of measures ---------------------------------------------------------------------------

    def bulk(self) -> dict[str, dict[str, int]]:
        """Top every published figure up to its value with measures written in bulk."""
        published = json.loads(PUBLISHED.read_text(encoding="utf-8"))["years"]
        rows: list[dict[str, Any]] = []
        national = Office.objects.get(code="000000")
        # A website closed (or app removed) once stays closed: the next year's closures are other subjects.
        gone: dict[str, set[int]] = defaultdict(set)
        for year in (2022, 2023):
            targets = published.get(str(year), {})
            metric_set = MetricSet.objects.get(key=str(year))
            figs = figures(office=national, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31))
            for metric in metric_set.metrics.all():
                want = targets.get(metric.key)
                if not isinstance(want, int):
                    continue
                have = figs.metric(metric)
                if want < have:
                    raise RuntimeError(f"{year} {metric.key}: the named cases already give {have} > {want}")
                counted = set(
                    figs.subject_ids([(t, k) for t in metric.measure_types for k in metric.subject_kinds or ["*"]])
                )
                final = metric.key in ("closed_websites", "removed_apps", "shut_down_mini_programs")
                rows += self.top_up(
                    year,
                    metric.measure_types,
                    metric.subject_kinds,
                    metric.counting,
                    want - have,
                    counted | (gone[metric.key] if final else set()),
                    gone[metric.key],
                )
            rows += self.background(year)
        self.write(rows)
        return published

    def top_up(
        self,
        year: int,
        types: list[str],
        kinds: list[str],
        counting: str,
        missing: int,
        exclude: set[int],
        taken: set[int],
    ) -> list[dict[str, Any]]:
        rng = self.rng
        out: list[dict[str, Any]] = []
        if counting == "quantity":
            # Account-closure orders to platforms: quantities that add up to exactly what is missing.
            platforms = (
                list(
                    Subject.objects.filter(kind=Kind.ORGANISATION)
                    .exclude(runs_platform="")
                    .values_list("id", flat=True)
                )
                or self.pool[Kind.ORGANISATION][:5]
            )
            left = missing
            while left > 0:
                q = min(left, rng.randint(200, 2500))
                out.append(
                    self.row(year, MeasureType.ACCOUNT_CLOSURE_ORDER, addressee=rng.choice(platforms), quantity=q)
                )
                left -= q
            return out
        if counting == "events":
            for _ in range(missing):
                out.append(
                    self.row(year, types[0], authority=rng.choice(["telecom", "public_security", "market"]), clue=True)
                )
            return out
        kind = kinds[0] if kinds else Kind.WEBSITE
        candidates = [s for s in self.pool[kind] if s not in exclude]
        if len(candidates) < missing:
            raise RuntimeError(f"{year} {types}: {missing} subjects wanted, {len(candidates)} left in the pool")
        for subject in rng.sample(candidates, missing):
            taken.add(subject)
            out.append(self.row(year, rng.choice(types), subject=subject))
            # Some subjects are dealt with twice (a second interview, a closure after a cancellation).
            if rng.random() < 0.12:
                out.append(self.row(year, rng.choice(types), subject=subject))
        return out

    def background(self, year: int) -> list[dict[str, Any]]:
        """Measures no published figure counts, for a realistic record: warnings, notices, interviews."""
        rng = self.rng
        out = []
        for _ in range(1500):
            mtype = rng.choice([MeasureType.PUBLIC_NOTICE, MeasureType.RECTIFICATION_ORDER])
            out.append(self.row(year, mtype, subject=rng.choice(self.pool[Kind.ORGANISATION])))
        return out

    def row(
        self,
        year: int,
        mtype: str,
        *,
        subject: int | None = None,
        addressee: int | None = None,
        quantity: int | None = None,
        authority: str = "",
        clue: bool = False,
    ) -> dict[str, Any]:
        rng = self.rng
        office = self.pick_office()
        day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        tags = rng.sample(self.campaign_ids[year], 1) if rng.random() < 0.4 and day.month >= 3 else []
        return {
            "office": office,
            "type": mtype,
            "date": day,
            "subject": subject,
            "addressee": addressee,
            "quantity": quantity,
            "authority": authority,
            "clue": clue,
            "campaigns": tags,
            "due_on": day + dt.timedelta(days=30) if mtype == MeasureType.RECTIFICATION_ORDER else None,
        }

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Clues for the transfers, then measures, targets and tags, in blocks."""
        profile = default_profile()
        counters: dict[str, int] = {}
        for ref in Clue.objects.values_list("ref", flat=True):
            prefix, n = ref.rsplit("-", 1)
            counters[prefix] = max(counters.get(prefix, 0), int(n))
        clues = []
        for r in rows:
            if r["clue"]:
                prefix = f"XS-{r['office'].code}-{r['date'].year}"
                counters[prefix] = counters.get(prefix, 0) + 1
                received = r["date"] - dt.timedelta(days=self.rng.randint(3, 12))
                clues.append(
                    Clue(
                        office=r["office"],
                        ref=f"{prefix}-{counters[prefix]:05d}",
                        source=self.rng.choice([Source.INSPECTION, Source.PUBLIC_REPORT, Source.MEDIA]),
                        received_on=received,
                        summary="涉嫌违法犯罪线索，依法移送",
                        profile=profile,
                        status=ClueStatus.TRANSFERRED,
                        outcome_on=r["date"],
                        outcome_reason="依法移送主管部门",
                        created_at=self.now,
                    )
                )
        Clue.objects.bulk_create(clues, batch_size=2000)
        refs = dict(Clue.objects.filter(ref__in=[c.ref for c in clues]).values_list("ref", "id"))
        clue_ids = iter(refs[c.ref] for c in clues)
        lock_tables([Measure])
        next_id = reserve_ids(Measure, len(rows))
        created_at = Measure._meta.get_field("created_at").get_db_prep_value(self.now, connection)
        measures, targets, tags = [], [], []
        scopes = scopes_of(r["office"].path for r in rows)
        kinds = dict(
            Subject.objects.filter(
                id__in={r["subject"] or r["addressee"] for r in rows if r["subject"] or r["addressee"]}
            ).values_list("id", "kind")
        )
        self.facts = []
        for r in rows:
            mid = next_id
            next_id += 1
            who = r["subject"] or r["addressee"]
            self.facts.append(
                Fact(
                    id=mid,
                    scopes=scopes[r["office"].path],
                    month=r["date"].replace(day=1),
                    type=r["type"],
                    quantity=r["quantity"] or 0,
                    campaigns=tuple(r["campaigns"]),
                    subjects=((who, kinds[who]),) if who else (),
                )
            )
            measures.append(
                (
                    mid,
                    r["office"].id,
                    r["type"],
                    r["date"],
                    None,
                    r["addressee"],
                    None,
                    r["quantity"],
                    r["authority"],
                    "",
                    "",
                    "",
                    False,
                    "",
                    "{}",
                    created_at,
                    next(clue_ids) if r["clue"] else None,
                    r["due_on"],
                )
            )
            if r["subject"]:
                targets.append(
                    (mid, r["subject"], "done" if r["type"] != MeasureType.RECTIFICATION_ORDER else "ordered", None, "")
                )
            tags += [(mid, c) for c in r["campaigns"]]
        bulk_insert("measures_measure", (*MEASURE_COLUMNS, "clue_id", "due_on"), measures)
        bulk_insert(MeasureTarget._meta.db_table, ("measure_id", "subject_id", "status", "done_on", "note"), targets)
        bulk_insert(Measure.campaigns.through._meta.db_table, ("measure_id", "campaign_id"), tags)


def demo_generate(*, seed: int, now: dt.datetime, progress: Any = None, cases: int = 80) -> dict[str, Any]:
    """Generate the demo record; returns the figures it gives beside the published ones."""
    if Campaign.objects.filter(slug=MARKER).exists():
        return {"skipped": True}
    demo = Demo(seed, now, progress)
    with transaction.atomic():
        demo.offices()
        demo.step("机构与人员")
        demo.campaigns()
        demo.pools()
        demo.step("监管对象")
    demo.named()
    demo.named_removals()
    demo.cases(cases)
    with transaction.atomic():
        published = demo.bulk()
        demo.step("处置措施")
        cells_add_facts(demo.facts)
        demo.step("汇总")
        audit_record(
            actor=None,
            action="demo.generate",
            object_type="measures.measure",
            detail={"seed": seed, "measures": Measure.objects.count()},
        )
    national = Office.objects.get(code="000000")
    result: dict[str, Any] = {}
    for year in (2022, 2023):
        figs = figures(office=national, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31))
        metric_set = MetricSet.objects.get(key=str(year))
        result[str(year)] = {
            m.key: (figs.metric(m), published.get(str(year), {}).get(m.key)) for m in metric_set.metrics.all()
        }
    return result
