"""Administrators edit the templates in the admin: a broken or unsafe template is refused with its reason, an
edit of the wording is saved as the next version, and every save is audited."""

from __future__ import annotations

import pytest

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.documents.defaults import DEFAULTS
from docket.documents.models import DocumentTemplate, Kind, Language
from docket.documents.render import TemplateRefused, check_template
from docket.officers.models import Role


def test_the_defaults_cover_every_kind_in_both_languages_and_pass_their_own_check(templates):
    assert set(DEFAULTS) == {(k, lang) for k in Kind.values for lang in Language.values}
    assert DocumentTemplate.objects.filter(version=1, active=True).count() == len(Kind.values) * 2
    for (_kind, language), (title, body) in DEFAULTS.items():
        check_template(title, body, language)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{% if facts %}unclosed", "does not compile"),
        ("{{ facts|no_such_filter }}", "does not compile"),
        ("{% load static %}", "does not compile"),
        ("{% include 'documents/frame.html' %}", "{% include %}"),
        ("{% extends 'documents/frame.html' %}", "{% extends %}"),
        ("{% now 'Y' %}", "{% now %}"),
        ("{% debug %}", "{% debug %}"),
        ("{{ settings.SECRET_KEY }}", "unknown name 'settings'"),
        ("{% if request.user %}x{% endif %}", "unknown name 'request'"),
        ("{{ facts|default:secret }}", "unknown name 'secret'"),
        ("{% for x in parties %}{{ y.name }}{% endfor %}", "unknown name 'y'"),
    ],
)
def test_an_unsafe_or_broken_template_is_refused_with_its_reason(body, reason):
    with pytest.raises(TemplateRefused) as err:
        check_template("标题", body, Language.ZH)
    assert reason in str(err.value) and str(err.value).startswith("body")


def test_names_the_template_binds_itself_are_allowed():
    check_template(
        "{{ number }}",
        "{% for p in parties %}{% with n=p.name %}{{ n }}{{ forloop.counter }}{% endwith %}{% endfor %}",
        Language.EN,
    )


@pytest.fixture
def admin_client(client, tree, templates):
    t.verified_login(client, t.officer(tree.national, Role.ADMINISTRATOR))
    return client


def _form(template: DocumentTemplate, **changes: str) -> dict[str, str]:
    data = {
        "kind": template.kind,
        "language": template.language,
        "title": template.title,
        "body": template.body,
        "active": "on",
        "valid_from": template.valid_from.isoformat(),
    }
    data.update(changes)
    return data


def test_a_broken_template_is_refused_in_the_admin_and_nothing_is_saved(admin_client):
    template = DocumentTemplate.objects.get(kind=Kind.HEARING_NOTICE, language=Language.ZH, version=1)
    entries = AuditEntry.objects.count()
    response = admin_client.post(
        f"/admin/documents/documenttemplate/{template.pk}/change/",
        _form(template, body="{% for p in parties %}{{ p.name }}"),
    )
    assert response.status_code == 200
    assert "does not compile" in response.content.decode()
    assert DocumentTemplate.objects.filter(kind=Kind.HEARING_NOTICE, language=Language.ZH).count() == 1
    assert DocumentTemplate.objects.get(pk=template.pk).body == template.body
    assert AuditEntry.objects.count() == entries


def test_an_edit_of_the_wording_is_saved_as_the_next_version_and_audited(admin_client):
    template = DocumentTemplate.objects.get(kind=Kind.HEARING_NOTICE, language=Language.ZH, version=1)
    response = admin_client.post(
        f"/admin/documents/documenttemplate/{template.pk}/change/",
        _form(template, body=template.body + "<p>请携带身份证明。</p>"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    versions = DocumentTemplate.objects.filter(kind=Kind.HEARING_NOTICE, language=Language.ZH).order_by("version")
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].body == template.body and versions[1].body.endswith("请携带身份证明。</p>")
    entry = AuditEntry.objects.get(action="documents.documenttemplate.add")
    assert entry.object_id == str(versions[1].pk)


def test_only_administrators_change_templates(client, tree, templates):
    t.verified_login(client, t.officer(tree.hz, Role.CASE_OFFICER))
    template = DocumentTemplate.objects.get(kind=Kind.FILING, language=Language.EN, version=1)
    response = client.post(f"/admin/documents/documenttemplate/{template.pk}/change/", _form(template, title="Changed"))
    # Not an administrator: sent to the workspace, the template untouched.
    assert response.status_code == 302 and response["Location"] == "/"
    assert DocumentTemplate.objects.filter(kind=Kind.FILING, language=Language.EN).count() == 1
