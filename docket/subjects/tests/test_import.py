import io

import pytest
from django.core.management import CommandError, call_command

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.core.errors import Denied, InvalidInput
from docket.officers.models import Role
from docket.subjects.models import Kind, Subject
from docket.subjects.services import subject_register, subjects_import

HEADER = "kind,name,identifier,platform,operator,icp_number,stores,account_type\n"


def _csv(*rows):
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def test_import_creates_links_and_matches_existing(db, tmp_path):
    org = t.valid_uscc(7001)
    existing = Subject.objects.create(kind=Kind.WEBSITE, name="old", identifier="old.example.cn")
    data = _csv(
        f"website,新站,New.Example.CN,,{org},京ICP备12345678号-1,,",
        f"organisation,某公司,{org},,,,,",
        f"app,某应用,com.example.app,,{org},,华为应用市场;App Store,",
        "account,某账号,abc123,weibo,,,,self_media",
        "website,旧站,old.example.cn,,,,,",
    )
    result = subjects_import(actor=None, data=data, now=t.NOW, system=True)
    assert result == {"rows": 5, "created": 4, "matched": 1}
    site = Subject.objects.get(kind=Kind.WEBSITE, identifier="new.example.cn")
    assert site.operator.identifier == org and site.icp_number == "京ICP备12345678号-1"
    assert Subject.objects.get(kind=Kind.APP).stores == ["华为应用市场", "App Store"]
    assert Subject.objects.get(pk=existing.pk).name == "old"
    assert AuditEntry.objects.filter(action="subject.import").count() == 1


def test_every_bad_row_is_reported_and_nothing_is_stored(db):
    org = t.valid_uscc(7002)
    data = _csv(
        f"organisation,好公司,{org},,,,,",
        "organisation,坏公司,91110000802100433C,,,,,",
        "website,,example.com,,,,,",
        "website,站,example.com,,,沪ICP证1号,,",
        "planet,火星,x,,,,,",
        f"organisation,重复,{org},,,,,",
        "app,应用,com.example.x,,91110000802100433B,,,",
        "account,号,id1,,,,,",
        "website,站2,ok.example.com,,,,,corporate",
    )
    with pytest.raises(InvalidInput) as exc:
        subjects_import(actor=None, data=data, now=t.NOW, system=True)
    errors = {(e.row, e.field) for e in exc.value.errors}
    assert (3, "identifier") in errors  # bad check character
    assert (4, "name") in errors
    assert (5, "icp_number") in errors
    assert (6, "kind") in errors
    assert (7, "identifier") in errors  # same subject as row 2
    assert (9, "platform") in errors
    assert (10, "account_type") in errors
    assert Subject.objects.count() == 0


def test_operator_must_exist_in_file_or_registry(db):
    data = _csv("app,应用,com.example.y,,91110000802100433B,,,")
    with pytest.raises(InvalidInput) as exc:
        subjects_import(actor=None, data=data, now=t.NOW, system=True)
    assert [(e.row, e.field) for e in exc.value.errors] == [(2, "operator")]
    assert Subject.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"name,identifier\nx,y\n", "kind"),
        (b"kind,name,identifier,colour\n", "colour"),
        (b"\xff\xfe\x00", "column 1"),  # UTF-16
        (b"kind,name,identifier\nwebsite,a,b.cn,extra\n", "column 4"),  # one field too many
        (b"kind,name,identifier,name\nwebsite,a,b.cn,c\n", "name"),  # a column given twice
    ],
)
def test_malformed_files(db, content, field):
    with pytest.raises(InvalidInput) as exc:
        subjects_import(actor=None, data=content, now=t.NOW, system=True)
    assert exc.value.errors[0].field == field


def test_import_command_exit_codes(db, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(_csv(f"organisation,公司,{t.valid_uscc(7003)},,,,,"))
    out = io.StringIO()
    call_command("import", "subjects", str(good), stdout=out)
    assert "created: 1" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv("website,站,not a domain,,,,,"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "subjects", str(bad), stderr=err)
    assert "row 2, identifier" in err.getvalue()
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import", "subjects", str(tmp_path / "missing.csv"))


def test_register_matches_identity_and_checks_role(tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    s1, created1 = subject_register(actor=officer, kind="website", name="站", identifier="Shop.Example.cn", now=t.NOW)
    s2, created2 = subject_register(actor=officer, kind="website", name="别名", identifier="shop.example.cn", now=t.NOW)
    assert created1 and not created2 and s1.pk == s2.pk
    statistician = t.officer(tree.hz, Role.STATISTICIAN)
    with pytest.raises(Denied):
        subject_register(actor=statistician, kind="website", name="x", identifier="x.cn", now=t.NOW)
    with pytest.raises(InvalidInput, match="operator"):
        subject_register(
            actor=officer, kind="website", name="x", identifier="x.cn", operator=t.valid_uscc(9), now=t.NOW
        )


def test_responsible_persons_are_seen_only_where_a_case_names_them(tree, team):
    person = Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name="张三", identifier=t.valid_resident_id(1))
    t.drive(team, to="filed", party=person)
    here = t.officer(tree.hz, Role.CASE_OFFICER)
    sibling = t.officer(tree.nb, Role.CASE_OFFICER)
    assert person in Subject.objects.visible_to(here)
    assert person not in Subject.objects.visible_to(sibling)
    assert person.display_identifier.count("*") == 10


def test_platform_runner_links_accounts_to_their_host(db):
    org = t.valid_uscc(7101)
    data = (
        "kind,name,identifier,platform,runs_platform\n"
        f"organisation,微博运营公司,{org},,Weibo\n"
        "account,某账号,u1,weibo,\n"
    ).encode()
    subjects_import(actor=None, data=data, now=t.NOW, system=True)
    account = Subject.objects.get(kind=Kind.ACCOUNT)
    assert account.host is not None and account.host.identifier == org
    clash = (
        "kind,name,identifier,platform,runs_platform\n"
        f"organisation,另一公司,{t.valid_uscc(7102)},,weibo\n"
        f"organisation,第三公司,{t.valid_uscc(7103)},,douyin\n"
        f"organisation,第四公司,{t.valid_uscc(7104)},,douyin\n"
        "account,号,u2,weibo,weibo\n"
    ).encode()
    with pytest.raises(InvalidInput) as exc:
        subjects_import(actor=None, data=clash, now=t.NOW, system=True)
    assert {(e.row, e.field) for e in exc.value.errors} == {
        (2, "runs_platform"),
        (4, "runs_platform"),
        (5, "runs_platform"),
    }
    assert Subject.objects.count() == 2
