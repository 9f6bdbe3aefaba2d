import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.campaigns.models import Campaign
from docket.core.errors import InvalidInput
from docket.measures.imports import measures_import
from docket.measures.models import Measure
from docket.reports.queries import figures, report_data
from docket.subjects.models import Kind, Subject

NOW = dt.datetime(2024, 12, 31, 8, 0, tzinfo=dt.UTC)
HEADER = (
    "office_code,date,measure,subject_kind,subject_identifier,subject_name,subject_platform,quantity,amount,campaign\n"
)


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def test_import_creates_measures_subjects_and_figures(tree):
    org = t.valid_uscc(8001)
    existing = t.website("known.example.cn")
    Campaign.objects.create(
        slug="qinglang-2023",
        name="清朗",
        starts_on=dt.date(2023, 1, 1),
        ends_on=dt.date(2023, 12, 31),
        lead_office=tree.national,
    )
    data = _csv(
        f"330100,2023-03-01,interview,organisation,{org},某公司,,,,",
        f"330106,2023-04-02,interview,organisation,{org},某公司,,,,qinglang-2023",
        "330100,2023-05-03,website_closure,website,known.example.cn,,,,,",
        "440000,2023-06-04,website_closure,website,New.Example.CN,新站,,,,",
        f"330000,2023-07-05,account_closure_order,organisation,{org},,,1200,,",
        "330100,2023-08-06,fine,website,known.example.cn,,,,50000.00,",
        "330100,2023-09-07,mini_program_shutdown,mini_program,wx1234567890abcdef,某小程序,wechat,,,",
    )
    result = measures_import(actor=None, system=True, data=data, now=NOW)
    assert result == {"rows": 7, "measures": 7, "subjects_created": 3}
    assert Subject.objects.filter(kind=Kind.WEBSITE, identifier="new.example.cn").exists()
    assert Measure.objects.get(type="website_closure", office=tree.hz).subjects.get() == existing
    order = Measure.objects.get(type="account_closure_order")
    assert order.addressee.identifier == org and order.quantity == 1200
    data2023 = report_data(office=tree.national, date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31))
    assert data2023["metrics"]["interviewed_companies"] == 1
    assert data2023["metrics"]["closed_websites"] == 2
    assert data2023["metrics"]["accounts_closed_by_platforms"] == 1200
    assert data2023["metrics"]["shut_down_mini_programs"] == 1
    assert data2023["measures"]["interview"] == {"events": 2, "subjects": 1, "quantity": 0}
    campaign = Campaign.objects.get(slug="qinglang-2023")
    assert (
        figures(
            office=tree.national, date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31), campaign_id=campaign.pk
        ).measures_table()["interview"]["events"]
        == 1
    )
    hz = report_data(office=tree.hz, date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31))
    assert hz["metrics"]["closed_websites"] == 1 and hz["metrics"]["accounts_closed_by_platforms"] == 0
    assert AuditEntry.objects.filter(action="measure.import").count() == 1
    # Ids taken in a block leave the sequence past them: a measure recorded afterwards gets a new id.
    from docket.officers.models import Role

    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    from docket.measures.services import measure_record

    later = measure_record(
        actor=officer, type="website_closure", taken_on=dt.date(2024, 1, 5), subjects=[existing], now=NOW
    )
    assert later.pk > max(Measure.objects.exclude(pk=later.pk).values_list("pk", flat=True))


def test_every_bad_row_is_listed_and_nothing_is_stored(tree):
    Campaign.objects.create(
        slug="c1", name="c", starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2023, 12, 31), lead_office=tree.national
    )
    org = t.valid_uscc(8002)
    data = _csv(
        f"330100,2023-03-01,interview,organisation,{org},,,,,",  # good
        f"999999,2023-03-01,interview,organisation,{org},,,,,",  # unknown office
        f"330100,2023-02-30,interview,organisation,{org},,,,,",  # malformed date
        f"330100,2025-03-01,interview,organisation,{org},,,,,",  # future date
        f"330100,2023-03-01,scolding,organisation,{org},,,,,",  # unknown measure
        "330100,2023-03-01,website_closure,website,not a domain,,,,,",  # bad identifier
        f"330100,2023-03-01,account_closure_order,organisation,{org},,,-5,,",  # negative quantity
        f"330100,2023-03-01,interview,organisation,{org},,,,,",  # duplicate of row 2
        f"330100,2023-03-01,interview,organisation,{org},,,,,nope",  # unknown campaign
        "330100,2023-03-01,app_removal,website,x.example.cn,,,,,",  # kind not allowed
        "330100,2023-03-01,account_closure_order,account,u1,,,,,",  # account without platform
        f"330100,2023-03-01,interview,organisation,{org},,,,100,",  # amount on an interview
        "330100,2023-03-01",  # short row
    )
    with pytest.raises(InvalidInput) as exc:
        measures_import(actor=None, system=True, data=data, now=NOW)
    found = {(e.row, e.field) for e in exc.value.errors}
    assert found == {
        (3, "office_code"),
        (4, "date"),
        (5, "date"),
        (6, "measure"),
        (7, "subject_identifier"),
        (8, "quantity"),
        (9, "row"),
        (10, "campaign"),
        (11, "subject_kind"),
        (12, "subject_platform"),
        (13, "amount"),
        (14, "measure"),  # a short row: the first column it lacks
    }
    assert Measure.objects.count() == 0 and Subject.objects.count() == 0


def test_import_command(tree, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(_csv("330100,2022-05-01,transfer,website,a.example.cn,,,,,"))
    out = io.StringIO()
    call_command("import", "measures", str(good), stdout=out)
    assert "measures: 1" in out.getvalue()
    assert (
        report_data(office=tree.national, date_from=dt.date(2022, 1, 1), date_to=dt.date(2022, 12, 31))["metrics"][
            "clues_transferred"
        ]
        == 1
    )
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"office_code,date\n330100,2022-05-01\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "measures", str(bad), stderr=err)
    assert "measure: required column missing" in err.getvalue()


def test_quoted_fields_and_exact_row_numbers(tree):
    # A name with a comma and a line break: the row after it is still called row 4.
    data = (
        HEADER
        + '330100,2023-03-01,website_closure,website,a.example.cn,"某网站, 有限\n公司",,,,\n'
        + "330100,2023-03-02,website_closure,website,b.example.cn,,,,,\n"
        + "330100,2023-03-02,website_closure,website,not a domain,,,,,\n"
    ).encode()
    with pytest.raises(InvalidInput) as exc:
        measures_import(actor=None, system=True, data=data, now=NOW)
    assert [(e.row, e.field) for e in exc.value.errors] == [(4, "subject_identifier")]
    measures_import(actor=None, system=True, data=data.rsplit(b"330100", 1)[0], now=NOW)
    assert Subject.objects.get(identifier="a.example.cn").name == "某网站, 有限\n公司"


def test_more_refusals(tree):
    from docket.cases.models import Case

    case = t.drive(t.Team(tree.nb), to="filed")
    long_domain = ".".join(["a" * 60] * 4) + ".cn"
    data = (
        "office_code,date,measure,subject_kind,subject_identifier,quantity,amount,case_ref,category\n"
        f"330100,2023-03-01,account_closure_order,organisation,{t.valid_uscc(8003)},3000000000,,,\n"
        "330100,2023-03-01,fine,website,a.example.cn,,12.345,,\n"
        "330100,2023-03-01,fine,website,a.example.cn,,lots,,\n"
        "330100,2023-03-01,fine,website,b.example.cn,,0,,\n"
        f"330100,2023-03-01,warning,website,{long_domain},,,,\n"
        f"330100,2023-03-01,warning,website,c.example.cn,,,{Case.objects.get(pk=case.pk).ref},\n"
        "330100,2023-03-01,warning,website,d.example.cn,,,NO-SUCH-CASE,\n"
        "330100,2023-03-01,warning,website,e.example.cn,,,,no-such-category\n"
        "330100,2023/03/01,warning,website,f.example.cn,1.5,,,\n"
        "330100,0023-03-01,warning,website,g.example.cn,,,,\n"
    )
    with pytest.raises(InvalidInput) as exc:
        measures_import(actor=None, system=True, data=data.encode(), now=NOW)
    assert [(e.row, e.field) for e in exc.value.errors] == [
        (2, "quantity"),
        (3, "amount"),
        (4, "amount"),
        (5, "amount"),
        (6, "subject_identifier"),
        (7, "case_ref"),
        (8, "case_ref"),
        (9, "category"),
        (10, "date"),
        (10, "quantity"),
        (11, "date"),
    ]
    messages = {e.row: e.message for e in exc.value.errors}
    assert "another office" in messages[7] and "at most 200" in messages[6]
    with pytest.raises(InvalidInput) as exc:
        measures_import(
            actor=None, system=True, data=b"office_code,date,measure,measure,subject_kind,subject_identifier\n", now=NOW
        )
    assert [(e.row, e.field) for e in exc.value.errors] == [(1, "measure")]
    with pytest.raises(InvalidInput) as exc:
        measures_import(actor=None, system=True, data=b"office_code,date\xff\n", now=NOW)
    assert [(e.row, e.field) for e in exc.value.errors] == [(1, "column 2")]
    assert "not UTF-8" in exc.value.errors[0].message
    assert Measure.objects.filter(case__isnull=True).count() == 0


def test_import_adds_to_figures_already_kept(tree):
    """Measures recorded by the services, then imported ones in the same cells: exact, and equal to a rebuild."""
    from docket.measures.services import measure_record
    from docket.officers.models import Role
    from docket.reports.aggregates import cells_rebuild
    from docket.reports.tests.test_figures import _cells, _raw, cell_rows

    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    site = t.website("known.example.cn")
    measure_record(actor=officer, type="website_closure", taken_on=dt.date(2023, 3, 5), subjects=[site], now=NOW)
    data = _csv(
        "330100,2023-03-01,website_closure,website,known.example.cn,,,,,",
        "330106,2023-03-09,website_closure,website,new.example.cn,,,,,",
        "330200,2023-04-01,warning,website,known.example.cn,,,,,",
    )
    assert measures_import(actor=None, system=True, data=data, now=NOW)["subjects_created"] == 1
    year = (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    closed = report_data(office=tree.zj, date_from=year[0], date_to=year[1])["measures"]["website_closure"]
    assert closed == {"events": 3, "subjects": 2, "quantity": 0}
    before = cell_rows()
    cells_rebuild()
    assert cell_rows() == before
    for office in (tree.national, tree.zj, tree.hz, tree.xh, tree.nb):
        assert _cells(office, *year) == _raw(office, *year)
        march = (dt.date(2023, 3, 1), dt.date(2023, 3, 31))
        assert _cells(office, *march) == _raw(office, *march)


def test_ids_are_never_reused(tree):
    from docket.measures.services import measure_delete
    from docket.officers.models import Role

    measures_import(actor=None, system=True, data=_csv("330100,2023-03-01,warning,website,a.example.cn,,,,,"), now=NOW)
    gone = Measure.objects.get()
    gone_id, target_id = gone.pk, gone.targets.get().pk
    measure_delete(actor=t.officer(tree.hz, Role.OFFICE_HEAD), measure=gone, reason="重复录入", now=NOW)
    measures_import(actor=None, system=True, data=_csv("330100,2023-03-02,warning,website,b.example.cn,,,,,"), now=NOW)
    assert Measure.objects.get().pk > gone_id
    assert Measure.objects.get().targets.get().pk > target_id


class _Progress:
    def __init__(self):
        self.total, self.done = None, 0

    def reset(self, total):
        self.total, self.done = total, 0

    def update(self, n):
        self.done += n


def test_progress_and_an_empty_file(tree):
    progress = _Progress()
    data = _csv(*(f"330100,2023-03-{d:02d},warning,website,a.example.cn,,,,," for d in range(1, 11)))
    measures_import(actor=None, system=True, data=data, now=NOW, progress=progress)
    assert progress.total == progress.done == 60  # read, check, subjects, measures, targets, cells
    assert measures_import(actor=None, system=True, data=HEADER.encode(), now=NOW) == {
        "rows": 0,
        "measures": 0,
        "subjects_created": 0,
    }
    assert Measure.objects.count() == 10


def test_an_office_head_imports_only_within_the_jurisdiction(tree):
    from docket.core.errors import Denied
    from docket.officers.models import Role

    head = t.officer(tree.hz, Role.OFFICE_HEAD)
    nb_case = t.drive(t.Team(tree.nb), to="filed")
    data = (
        "office_code,date,measure,subject_kind,subject_identifier,case_ref\n"
        "330106,2023-03-01,warning,website,a.example.cn,\n"  # Xihu, below Hangzhou: fine
        "330200,2023-03-01,warning,website,b.example.cn,\n"  # Ningbo, a sibling: unknown to Hangzhou
        "330000,2023-03-01,warning,website,c.example.cn,\n"  # Zhejiang, above: unknown too
        f"330100,2023-03-01,warning,website,d.example.cn,{nb_case.ref}\n"  # another office's case: unknown
    ).encode()
    with pytest.raises(InvalidInput) as exc:
        measures_import(actor=head, data=data, now=NOW)
    errors = {(e.row, e.field): e.message for e in exc.value.errors}
    assert set(errors) == {(3, "office_code"), (4, "office_code"), (5, "case_ref")}
    assert errors[(3, "office_code")] == "no office with code '330200'"  # the same words as a code never used
    assert errors[(5, "case_ref")] == f"no case {nb_case.ref!r}"
    with pytest.raises(Denied):
        measures_import(actor=t.officer(tree.hz, Role.CASE_OFFICER), data=data, now=NOW)
    assert Measure.objects.count() == 0
    result = measures_import(actor=head, data=data.split(b"\n330200")[0] + b"\n", now=NOW)
    assert result["measures"] == 1
    assert AuditEntry.objects.get(action="measure.import").actor == head
