"""A refusal names the roles it needs as one phrase a sentence holds, in English and in Chinese alike."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

from docket import testing as t
from docket.core.errors import Conflict, Denied
from docket.officers.models import Role
from docket.officers.permissions import require_role, role_names
from docket.officers.services import officer_role_grant

# Two Chinese characters with a space between them: a sentence put together from pieces.
GAP = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef] +[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")
PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PHRASES = (
    "%(what)s needs the role of %(roles)s.",
    "%(names)s or %(last)s",
    "%(o)s already holds the role of %(r)s.",
    "%(o)s does not hold the role of %(r)s.",
)


def test_the_roles_read_as_a_phrase():
    assert role_names([Role.OFFICE_HEAD]) == "Office head"
    # In the order roles are declared, whatever order the caller gave.
    assert role_names([Role.OFFICE_HEAD, Role.CASE_OFFICER]) == "Case officer or Office head"
    assert role_names([Role.INSPECTOR, Role.OFFICE_HEAD, Role.CASE_OFFICER]) == (
        "Case officer, Office head or Oversight inspector"
    )


@pytest.mark.django_db
def test_a_refusal_names_the_roles_without_stray_spaces(tree):
    statistician = t.officer(tree.hz, Role.STATISTICIAN)
    with pytest.raises(Denied) as refused:
        require_role(statistician, Role.CASE_OFFICER, Role.OFFICE_HEAD, doing="Recording a measure")
    assert str(refused.value) == "Recording a measure needs the role of Case officer or Office head."
    with translation.override("zh-hans"):
        with pytest.raises(Denied) as refused:
            require_role(statistician, Role.CASE_OFFICER, Role.OFFICE_HEAD, doing="登记措施")
        message = str(refused.value)
        assert "承办人" in message and "负责人" in message
        assert not GAP.search(message), message
        assert " / " not in message


@pytest.mark.django_db
def test_granting_a_role_twice_names_it_in_the_sentence(tree):
    admin = t.officer(tree.zj, Role.ADMINISTRATOR)
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    with pytest.raises(Conflict, match=r"already holds the role of Case officer\.$"):
        officer_role_grant(actor=admin, officer=officer, role=Role.CASE_OFFICER, now=t.NOW)


def test_the_chinese_phrases_hold_no_space_around_a_role():
    """Once translated, the sentences that hold a role's name join it without spaces (Chinese sets no space
    between words)."""
    entries = {e.msgid: e for e in polib.pofile(str(PO)) if not e.obsolete}
    for msgid in PHRASES:
        entry = entries.get(msgid)
        if entry is None or not entry.msgstr:
            continue  # not translated yet: the completeness test says so
        assert not re.search(r" %\((roles|r|names|last)\)s|%\((roles|r|names|last)\)s ", entry.msgstr), entry.msgstr
