"""Identifier validation and normalisation, one function per kind."""

import functools
import re

import idna
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from docket.subjects.models import ON_PLATFORM, Kind

_PROVINCE_ABBR = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕秦甘陇青宁新港澳台"
ICP_FILING = re.compile(rf"^[{_PROVINCE_ABBR}]ICP备\d{{6,12}}号(-\d{{1,4}})?$")
ICP_LICENCE = re.compile(rf"^([{_PROVINCE_ABBR}]ICP证\d{{6}}号|[{_PROVINCE_ABBR}]?B[12]-\d{{8}})$")
PACKAGE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$")
PLATFORM = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
ON_PLATFORM_ID = re.compile(r"^[\w.@:+\-/]{1,128}$")
WECHAT_APPID = re.compile(r"^wx[0-9a-f]{16}$")


class InvalidIdentifier(ValueError):
    field = "identifier"


class InvalidPlatform(InvalidIdentifier):
    field = "platform"


@functools.lru_cache(maxsize=65536)
def normalise_uscc(value: str) -> str:
    try:
        return str(uscc.validate(value))
    except StdnumError as exc:
        raise InvalidIdentifier(_("not a valid unified social credit code (%(reason)s)") % {"reason": exc}) from None


ASCII_DOMAIN = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


def normalise_domain(value: str) -> str:
    text = value.strip().rstrip(".")
    if "://" in text or "/" in text or " " in text:
        raise InvalidIdentifier(_("a domain name only: no scheme, path or spaces"))
    lowered = text.lower()
    # Plain ASCII host names need no IDNA mapping (the common case of a large import).
    if (
        ASCII_DOMAIN.match(lowered)
        and "--" not in lowered
        and len(lowered) <= 253
        and lowered.rsplit(".", 1)[1].isalpha()
    ):
        return lowered
    try:
        ascii_name = idna.encode(text, uts46=True).decode("ascii").lower()
    except idna.IDNAError as exc:
        raise InvalidIdentifier(_("not a valid domain name (%(reason)s)") % {"reason": exc}) from None
    labels = ascii_name.split(".")
    if len(labels) < 2 or len(ascii_name) > 253:
        raise InvalidIdentifier(_("a domain name has at least two labels and at most 253 characters"))
    tld = labels[-1]
    if not (tld.isalpha() or tld.startswith("xn--")):
        raise InvalidIdentifier(_("the top-level domain must be letters (an IP address is not a domain)"))
    return ascii_name


def normalise_icp_filing(value: str) -> str:
    text = value.strip().replace(" ", "")
    if not ICP_FILING.match(text):
        raise InvalidIdentifier(_("an ICP filing number looks like 京ICP备12345678号-1"))
    return text


def normalise_icp_licence(value: str) -> str:
    text = value.strip().replace(" ", "")
    if not ICP_LICENCE.match(text):
        raise InvalidIdentifier(_("a value-added telecom licence looks like 京ICP证123456号 or 京B2-20201234"))
    return text


def normalise_package(value: str) -> str:
    text = value.strip()
    if len(text) > 200 or not PACKAGE_ID.match(text):
        raise InvalidIdentifier(_("a package or bundle id looks like com.example.app"))
    return text


def normalise_platform(value: str) -> str:
    text = value.strip().lower()
    if not PLATFORM.match(text):
        raise InvalidPlatform(_("a platform key is lower-case letters, digits, '.', '_' or '-' (e.g. wechat)"))
    return text


def normalise_resident_id(value: str) -> str:
    try:
        return str(ric.validate(value))
    except StdnumError as exc:
        raise InvalidIdentifier(_("not a valid resident identity number (%(reason)s)") % {"reason": exc}) from None


def normalise_identifier(kind: str, identifier: str, platform: str = "") -> tuple[str, str]:
    """Return (identifier, platform) normalised for ``kind``, or raise InvalidIdentifier."""
    identifier = (identifier or "").strip()
    if not identifier:
        raise InvalidIdentifier(_("required"))
    if kind in ON_PLATFORM:
        if not platform.strip():
            raise InvalidPlatform(_("a %(kind)s needs its platform") % {"kind": kind})
        platform = normalise_platform(platform)
        if kind == Kind.MINI_PROGRAM and platform == "wechat":
            if not WECHAT_APPID.match(identifier):
                raise InvalidIdentifier(_("a WeChat mini program app id is 'wx' and 16 hexadecimal digits"))
        elif not ON_PLATFORM_ID.match(identifier):
            raise InvalidIdentifier(_("an id on a platform is 1–128 letters, digits or . _ @ : + - /"))
        return identifier, platform
    if platform.strip():
        raise InvalidPlatform(_("a %(kind)s is not on a platform; leave platform empty") % {"kind": kind})
    if kind == Kind.ORGANISATION:
        return normalise_uscc(identifier), ""
    if kind == Kind.WEBSITE:
        return normalise_domain(identifier), ""
    if kind == Kind.APP:
        return normalise_package(identifier), ""
    if kind == Kind.RESPONSIBLE_PERSON:
        return normalise_resident_id(identifier), ""
    raise InvalidIdentifier(_("unknown subject kind %(kind)r") % {"kind": kind})
