import pytest

from docket import testing as t
from docket.offices.models import Level


@pytest.fixture
def tree(db):
    """national → Zhejiang → Hangzhou → Xihu, with a sibling province (Guangdong) and city (Ningbo)."""
    national = t.office("000000", "国家网信办", None, Level.NATIONAL)
    zj = t.office("330000", "浙江省网信办", national, Level.PROVINCE)
    hz = t.office("330100", "杭州市网信办", zj, Level.CITY)
    xh = t.office("330106", "西湖区网信办", hz, Level.COUNTY)
    nb = t.office("330200", "宁波市网信办", zj, Level.CITY)
    gd = t.office("440000", "广东省网信办", national, Level.PROVINCE)
    return type("Tree", (), {"national": national, "zj": zj, "hz": hz, "xh": xh, "nb": nb, "gd": gd})


@pytest.fixture
def team(tree):
    return t.Team(tree.hz)


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    # Evidence files go to a per-test folder.
    settings.DOCKET_EVIDENCE_DIR = tmp_path / "evidence"


@pytest.fixture(autouse=True)
def _nothing_kept():
    # The API lists' kept answers live in the process: a test's rollback takes its audit entries back, and the next
    # test may write the same chain (fixed times, reused ids) over other records that factories made unaudited.
    from docket.api.listcache import kept

    kept.clear()
    yield
    kept.clear()


@pytest.fixture(autouse=True)
def _english():
    # Assertions read the English messages; test_translation checks the Chinese ones.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    # Pages answer in the language the browser asks for; the assertions read English (zh-hans is the default
    # for a browser that asks for none, which the tests of the Chinese pages ask for explicitly).
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
