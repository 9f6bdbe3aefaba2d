"""The zh-hans translation is complete, compiled, and used."""

import ast
import re
from pathlib import Path

import polib
import pytest
from django.utils import translation
from django.utils.translation.template import templatize

from docket import testing as t
from docket.core.errors import Denied
from docket.officers.models import Role

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# Marking functions and where their msgid (and context) sit among the arguments: (msgid index, context index).
_MARKERS = {
    "_": (0, None),
    "gettext": (0, None),
    "gettext_lazy": (0, None),
    "gettext_noop": (0, None),
    "ngettext": (0, None),
    "ngettext_lazy": (0, None),
    "pgettext": (1, 0),
    "pgettext_lazy": (1, 0),
    "npgettext": (1, 0),
    "npgettext_lazy": (1, 0),
}
# What makemessages' templatize() writes for a translation tag: a call with Python string literals.
_TEMPLATIZED_CALL = re.compile(
    r"""\b(_|gettext|pgettext|ngettext|npgettext)\(((?:\s*u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")\s*,?)+)"""
)
_LITERAL = re.compile(r"""u?('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")""")
# Translation tags as written in a template (a translate/trans tag with a literal, a blocktranslate/blocktrans
# block): the count templatize() must have turned into calls, so a tag it skipped is noticed too.
_TEMPLATE_TAG = re.compile(r"""\{%\s*(?:trans(?:late)?\s+["']|blocktrans(?:late)?\b)""")

Key = tuple[str | None, str]


def _source_msgids() -> set[Key]:
    """Every literal passed to _() / gettext / gettext_lazy / ngettext / pgettext ... in Docket's own code."""
    found: set[Key] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _MARKERS):
                continue
            at, ctx_at = _MARKERS[node.func.id]
            msgid = node.args[at] if len(node.args) > at else None
            if isinstance(msgid, ast.Constant) and isinstance(msgid.value, str):
                ctx = node.args[ctx_at] if ctx_at is not None else None
                context = ctx.value if isinstance(ctx, ast.Constant) and isinstance(ctx.value, str) else None
                found.add((context, msgid.value))
    return found


def _template_msgids(source: str, origin: str = "") -> list[Key]:
    """The msgids makemessages extracts from one template, normalised as it does (Django's own templatize:
    blocktranslate bodies with {{ var }} as %(var)s, % as %%, `trimmed` whitespace)."""
    found: list[Key] = []
    tags = 0
    for call in _TEMPLATIZED_CALL.finditer(templatize(source, origin)):
        args = [ast.literal_eval(lit.group(1)) for lit in _LITERAL.finditer(call.group(2))]
        if call.group(1) in {"pgettext", "npgettext"}:
            found.append((args[0], args[1]))
        else:
            found.append((None, args[0]))
        tags += call.group(1) != "_"  # _("...") is a constant inside another tag, not a tag of its own
    written = len(_TEMPLATE_TAG.findall(source))
    assert tags == written, f"{origin}: {written} translation tags but {tags} strings extracted"
    return found


def _templates() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.html") if "templates" in p.relative_to(ROOT).parts)


def _catalogue() -> dict[Key, polib.POEntry]:
    return {(e.msgctxt, e.msgid): e for e in polib.pofile(str(PO)) if not e.obsolete}


def test_every_string_is_translated_and_compiled():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    assert untranslated == []
    catalogue = _catalogue()
    missing = _source_msgids() - set(catalogue)
    assert missing == set(), "run makemessages and translate: " + ", ".join(sorted(m for _c, m in missing)[:10])
    mo = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(MO))}
    stale = [
        k
        for k, e in catalogue.items()
        if k not in mo
        or (mo[k].msgstr_plural if e.msgid_plural else mo[k].msgstr)
        != (e.msgstr_plural if e.msgid_plural else e.msgstr)
    ]
    assert stale == [], "run compilemessages: " + ", ".join(m for _c, m in stale[:10])


def test_every_template_string_is_translated():
    catalogue = _catalogue()
    templates = _templates()
    assert templates, "no templates found"
    problems = []
    for path in templates:
        for key in _template_msgids(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))):
            entry = catalogue.get(key)
            if entry is None or not entry.translated():
                problems.append(f"{path.relative_to(ROOT)}: {key[1]!r}")
    assert problems == [], "run makemessages and translate: " + "; ".join(problems[:10])


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('{% load i18n %}{% translate "Sign in" %}', [(None, "Sign in")]),
        ("{% load i18n %}{% trans 'Sign in' as x %}", [(None, "Sign in")]),
        ('{% load i18n %}{% translate "Up 5%" context "chart" %}', [("chart", "Up 5%%")]),
        (
            "{% load i18n %}{% blocktranslate with n=x|length %}{{ n }} of 5% \n  measures{% endblocktranslate %}",
            [(None, "%(n)s of 5%% \n  measures")],
        ),
        (
            "{% load i18n %}{% blocktrans trimmed count n=x %}\n  one {{ n }}\n  case\n{% plural %}{{ n }} cases"
            "{% endblocktrans %}",
            [(None, "one %(n)s case")],
        ),
    ],
)
def test_template_strings_are_read_as_makemessages_reads_them(template, expected):
    assert _template_msgids(template) == expected


def test_a_template_string_missing_from_the_catalogue_is_found():
    catalogue = _catalogue()
    source = (
        '{% load i18n %}{% translate "Sign in" %}{% blocktranslate %}Nobody wrote {{ this }}{% endblocktranslate %}'
    )
    absent = [k for k in _template_msgids(source) if k not in catalogue]
    assert absent == [(None, "Nobody wrote %(this)s")]


def test_messages_come_out_in_chinese(tree):
    with translation.override("zh-hans"):
        assert str(Role.CASE_OFFICER.label) == "承办人"
        statistician = t.officer(tree.hz, Role.STATISTICIAN)
        from docket.measures.services import measure_record

        with pytest.raises(Denied, match="须具有"):
            measure_record(actor=statistician, type="interview", taken_on=t.NOW.date(), subjects=[], now=t.NOW)
