import pytest

from docket.subjects.validators import InvalidIdentifier, normalise_identifier


@pytest.mark.parametrize(
    ("kind", "identifier", "platform", "expected"),
    [
        ("organisation", "91110000802100433b", "", ("91110000802100433B", "")),
        ("organisation", " 9111 0000 8021 0043 3B", "", ("91110000802100433B", "")),
        ("website", "Example.COM", "", ("example.com", "")),
        ("website", "例子.测试", "", ("xn--fsqu00a.xn--0zwm56d", "")),
        ("website", "bücher.de.", "", ("xn--bcher-kva.de", "")),
        ("app", "com.taobao.taobao", "", ("com.taobao.taobao", "")),
        ("app", "com.tencent.xin-beta", "", ("com.tencent.xin-beta", "")),
        ("mini_program", "wx1234567890abcdef", "WeChat", ("wx1234567890abcdef", "wechat")),
        ("mini_program", "2021001234567890", "alipay", ("2021001234567890", "alipay")),
        ("account", "1234567890", "weibo", ("1234567890", "weibo")),
        ("live_room", "room_8899", "taobao", ("room_8899", "taobao")),
        ("responsible_person", "11010519491231002X", "", ("11010519491231002X", "")),
    ],
)
def test_valid_identifiers_are_normalised(kind, identifier, platform, expected):
    assert normalise_identifier(kind, identifier, platform) == expected


@pytest.mark.parametrize(
    ("kind", "identifier", "platform", "message"),
    [
        ("organisation", "91110000802100433C", "", "check"),
        ("organisation", "9111000080210043", "", "unified social credit code"),
        ("website", "https://example.com/x", "", "no scheme"),
        ("website", "localhost", "", "two labels"),
        ("website", "10.0.0.1", "", "top-level"),
        ("website", "exa_mple.com", "", "valid domain"),
        ("app", "taobao", "", "package"),
        ("mini_program", "wx123", "wechat", "16 hexadecimal"),
        ("mini_program", "wx1234567890abcdef", "", "platform"),
        ("account", "bad id with spaces", "weibo", "id on a platform"),
        ("account", "123", "Weibo Inc", "platform key"),
        ("website", "example.com", "weibo", "not on a platform"),
        ("responsible_person", "110105194912310021", "", "identity"),
        ("organisation", "", "", "required"),
        ("spaceship", "x", "", "unknown"),
    ],
)
def test_invalid_identifiers_are_refused_with_the_reason(kind, identifier, platform, message):
    with pytest.raises(InvalidIdentifier, match=message):
        normalise_identifier(kind, identifier, platform)
