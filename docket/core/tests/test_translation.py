"""The zh-hans translation is complete, compiled, and used."""

import ast
from pathlib import Path

import polib
import pytest
from django.utils import translation

from docket import testing as t
from docket.core.errors import Denied
from docket.officers.models import Role

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _source_msgids() -> set[str]:
    """Every literal passed to _() / gettext / gettext_lazy in Docket's own code."""
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "gettext", "gettext_lazy"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def test_every_string_is_translated_and_compiled():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po if not e.msgstr or "fuzzy" in e.flags]
    assert untranslated == []
    missing = _source_msgids() - {e.msgid for e in po}
    assert missing == set(), "run makemessages and translate: " + ", ".join(sorted(missing)[:10])
    mo = {e.msgid: e.msgstr for e in polib.mofile(str(MO))}
    stale = [e.msgid for e in po if mo.get(e.msgid) != e.msgstr]
    assert stale == [], "run compilemessages"


def test_messages_come_out_in_chinese(tree):
    with translation.override("zh-hans"):
        assert str(Role.CASE_OFFICER.label) == "承办人"
        statistician = t.officer(tree.hz, Role.STATISTICIAN)
        from docket.measures.services import measure_record

        with pytest.raises(Denied, match="须具有"):
            measure_record(actor=statistician, type="interview", taken_on=t.NOW.date(), subjects=[], now=t.NOW)
