import io

import pytest
from django.core.management import call_command

from docket import testing as t
from docket.core.errors import Denied, InvalidInput
from docket.officers.models import Role
from docket.offices.models import Level, Office
from docket.offices.services import office_create


def test_load_cn_builds_the_whole_tree_once(db):
    out = io.StringIO()
    call_command("offices", "load-cn", stdout=out)
    total = Office.objects.count()
    assert Office.objects.filter(level=Level.PROVINCE).count() == 34
    assert Office.objects.filter(level=Level.CITY).count() >= 330
    assert Office.objects.filter(level=Level.COUNTY).count() >= 2800
    xihu = Office.objects.get(code="330106")
    assert xihu.parent.code == "330100" and xihu.parent.parent.code == "330000"
    assert xihu.path == "/000000/330000/330100/330106/"
    assert Office.objects.get(code="110101").parent.code == "110000"  # Beijing's districts under the city
    assert Office.objects.get(code="469001").parent.code == "460000"  # counties under Hainan directly
    assert Office.objects.get(code="440000").name_en == "Guangdong Cyberspace Administration"
    out = io.StringIO()
    call_command("offices", "load-cn", stdout=out)
    assert "0 created, 0 updated" in out.getvalue() and Office.objects.count() == total


def test_office_tree_subtree_helpers(tree):
    assert tree.zj.contains(tree.xh) and tree.zj.is_above(tree.xh)
    assert not tree.hz.contains(tree.nb) and not tree.hz.is_above(tree.hz)
    assert [o.code for o in tree.xh.ancestors()] == ["000000", "330000", "330100"]


def test_office_create_is_for_administrators_and_validated(tree):
    admin = t.officer(tree.national, Role.ADMINISTRATOR)
    with pytest.raises(Denied):
        office_create(
            actor=t.officer(tree.hz, Role.OFFICE_HEAD), code="330110", name="余杭", level="county", parent=tree.hz
        )
    with pytest.raises(InvalidInput) as exc:
        office_create(actor=admin, code="33011", name="x", level="borough", parent=None)
    assert {e.field for e in exc.value.errors} == {"code", "level", "parent"}
    office = office_create(actor=admin, code="330110", name="余杭区网信办", level="county", parent=tree.hz)
    assert office.path == "/000000/330000/330100/330110/"
