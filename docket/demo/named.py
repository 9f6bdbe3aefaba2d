"""The named cases of the seed reports (Taobao, Weibo, WeChat, Didi, CNKI, Bing, Quark, the platforms told
to close accounts) and the apps the reports name as removed, through the real services."""

from __future__ import annotations

import datetime as dt

from docket.campaigns.models import Campaign
from docket.clues.models import Source
from docket.clues.services import clue_assign, clue_register
from docket.core.vocabulary import Kind, MeasureType
from docket.demo.procedure import Plan, run_case
from docket.demo.state import Demo
from docket.demo.subjects import org
from docket.measures.models import Measure
from docket.measures.services import account_closures_report, measure_confirm, measure_record
from docket.officers.models import Officer, Role
from docket.subjects.models import Subject


def _interview(
    demo: Demo,
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
        actor=actor, type=MeasureType.INTERVIEW, taken_on=on, subjects=subjects, now=demo.now, details=details
    )


def named_cases(demo: Demo) -> None:
    now = demo.now
    t = {code: s.team for code, s in demo.staff.items()}
    cac = t["000000"]
    taobao = org(demo, "淘宝（中国）软件有限公司", runs="taobao")
    taobao_site = Subject.objects.create(kind=Kind.WEBSITE, name="淘宝网", identifier="taobao.com", operator=taobao)
    taobao_app = Subject.objects.create(kind=Kind.APP, name="淘宝", identifier="com.taobao.taobao", operator=taobao)
    person = Subject.objects.create(
        kind=Kind.RESPONSIBLE_PERSON, name="相关责任人", identifier="11010519491231002X", operator=taobao
    )
    # Taobao 2022: the national office assigns; Zhejiang interviews, orders rectification, suspends functions,
    # deals with the responsible person and fines, after a hearing.
    clue = clue_assign(
        actor=cac.head,
        to_office=demo.staff["330000"].office,
        received_on=dt.date(2022, 3, 7),
        summary="淘宝直播间和店铺存在法律法规禁止发布或者传输的信息",
        subjects=[taobao, taobao_site],
        now=now,
        campaigns=list(Campaign.objects.filter(slug="qinglang-2022-live")),
    )
    zj = t["330000"]
    _interview(
        demo,
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
    demo.step("淘宝")
    # Sina Weibo and Tencent WeChat 2022: Beijing and Guangdong, on the national office's instruction.
    for code, name, runs, site, title in (
        ("110000", "北京微梦创科网络技术有限公司", "weibo", "weibo.com", "新浪微博多次出现违法信息案"),
        ("440000", "深圳市腾讯计算机系统有限公司", "wechat", "weixin.qq.com", "腾讯微信多次出现违法信息案"),
    ):
        company = org(demo, name, runs=runs)
        website = Subject.objects.create(kind=Kind.WEBSITE, name=name[:6], identifier=site, operator=company)
        office = demo.staff[code].office
        clue = clue_assign(
            actor=cac.head,
            to_office=office,
            received_on=dt.date(2022, 5, 9),
            summary=f"{title[:-1]}，国家网信办交办",
            subjects=[company, website],
            now=now,
        )
        _interview(
            demo,
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
        demo.step(name)
    # Didi 2022: the national office's penalty after a cybersecurity review (PIPL, DSL, CSL).
    didi = org(demo, "滴滴全球股份有限公司")
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
    demo.step("滴滴")
    # CNKI 2023: the national office, after a cybersecurity review.
    cnki = org(demo, "同方知网（北京）技术有限公司")
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
    demo.step("知网")
    # 2023: Bing (Beijing) and Quark (Guangdong), instructed by the national office.
    for code, name, title in (
        ("110000", "微软（中国）有限公司", "必应搜索呈现违法信息案"),
        ("440000", "广州市动景计算机科技有限公司", "夸克浏览器搜索呈现违法信息案"),
    ):
        company = org(demo, name)
        clue = clue_assign(
            actor=cac.head,
            to_office=demo.staff[code].office,
            received_on=dt.date(2023, 4, 3),
            summary=title,
            subjects=[company],
            now=now,
        )
        _interview(
            demo,
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
        demo.step(name)
    # 2023: platforms told to close accounts; they report back what they closed.
    for code, name, runs in (
        ("110000", "北京微播视界科技有限公司", "douyin"),
        ("110000", "北京快手科技有限公司", "kuaishou"),
        ("310000", "行吟信息科技（上海）有限公司", "xiaohongshu"),
    ):
        company = org(demo, name, runs=runs)
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
        _interview(
            demo,
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
        closed = [a.identifier for a in accounts[: 560 + demo.rng.randint(0, 30)]]
        account_closures_report(
            actor=client,
            measure=order,
            closed=closed,
            refused={accounts[-1].identifier: "账号已注销"},
            on=dt.date(2023, 7, 12),
            now=now,
        )
        demo.step(name)


def named_removals(demo: Demo) -> None:
    """Apps the reports name as removed: 74 religious-information apps and 44 without a security
    assessment (2022); apps with vulgar content, illegal personal-information handling or no
    assessment (2023). The national office orders, the stores confirm."""
    cac = demo.staff["000000"].team
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
                identifier=f"cn.demo.{year}.{len(grounds)}.app{demo.serial}{i}",
            )
            day = dt.date(year, 8, 15) + dt.timedelta(days=i % 20)
            removal = measure_record(
                actor=cac.a,
                type=MeasureType.APP_REMOVAL,
                taken_on=day,
                subjects=[app],
                now=demo.now,
                legal_basis=grounds,
                details={"stores": ["各应用商店"]},
            )

            measure_confirm(
                actor=cac.a,
                measure=removal,
                confirmed_on=day + dt.timedelta(days=2),
                confirmation="应用商店回函确认已下架",
                now=demo.now,
            )
        demo.serial += 1
        demo.step(name)
