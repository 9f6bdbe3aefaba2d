"""Subjects of the demo: the named companies, and pools of companies, websites, apps and mini programs
that the bulk measures and the cases draw from."""

from __future__ import annotations

from typing import Any

from stdnum.cn import uscc

from docket.core.vocabulary import Kind
from docket.demo.state import Demo
from docket.subjects.models import Subject
from docket.subjects.services import subjects_insert

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


def org(demo: Demo, name: str, runs: str = "") -> Subject:
    demo.serial += 1
    return Subject.objects.create(
        kind=Kind.ORGANISATION, name=name, identifier=_uscc(900000 + demo.serial), runs_platform=runs
    )


def pools(demo: Demo) -> None:
    """Bulk subjects: companies, websites, apps and mini programs for the mass of measures."""
    rng = demo.rng
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
    subjects_insert(orgs, {}, demo.now, None)
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
    subjects_insert(rows, codes, demo.now, None)
    demo.pool = {
        kind: list(Subject.objects.filter(kind=kind).order_by("id").values_list("id", flat=True))
        for kind in (Kind.ORGANISATION, Kind.WEBSITE, Kind.APP, Kind.MINI_PROGRAM)
    }
    for ids in demo.pool.values():
        rng.shuffle(ids)
