"""Every service is accounted for: each one that writes has a race test, each one taking a jurisdiction-bound
object has a sibling-office test.

The services are collected from ``audit.services.SERVICES`` after importing every module that declares one;
the tests are found by reading the test files' source (``pytest.mark.race("name")`` and
``pytest.mark.jurisdiction("name")``), so the check holds whatever subset of the suite runs and whatever
database it runs on (the race tests themselves run only on PostgreSQL).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path
from typing import TYPE_CHECKING

from django.apps import apps

from docket.audit.services import SERVICES, ServiceInfo

if TYPE_CHECKING:
    from docket.clues.models import Clue
    from docket.officers.models import Officer
    from docket.subjects.models import Subject

ROOT = Path(__file__).resolve().parents[2]  # the ``docket`` package

# Parameters that say who, when or how much: never the object acted on.
NOT_OBJECTS = frozenset({"actor", "now", "on"})
# Names that always mean an object of a jurisdiction, whatever their annotation says.
OBJECT_NAMES = frozenset({"case", "clue", "measure", "item", "recusal", "evidence", "document", "subject"})
# Read through a scoping path but shared by every office (only a natural person's record is held back): a
# subject chosen as a measure's addressee or target is not an object of another office's jurisdiction.
SHARED = frozenset({"Subject"})


def _source_files(under: Path) -> list[Path]:
    return [p for p in under.rglob("*.py") if "migrations" not in p.parts]


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_services() -> dict[str, ServiceInfo]:
    """Import every module of Docket that declares a service, then read the registry."""
    for path in _source_files(ROOT):
        if "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^@service\b", text, re.MULTILINE):
            importlib.import_module(_module_name(path))
    return dict(SERVICES)


def _marked(marker: str) -> dict[str, list[str]]:
    """Service name → the test files carrying ``pytest.mark.<marker>("name")``."""
    found: dict[str, list[str]] = {}
    for path in _source_files(ROOT):
        if "tests" not in path.parts and not path.name.startswith("test_"):
            continue
        text = path.read_text(encoding="utf-8")
        if f"mark.{marker}" not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == marker
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "mark"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, []).append(str(path.relative_to(ROOT.parent)))
    return found


def _scoped_model_names() -> frozenset[str]:
    """Models read through the scoping path (``visible_to``): their objects exist only within a jurisdiction."""
    return frozenset(
        m.__name__ for m in apps.get_models() if hasattr(m._default_manager, "visible_to") and m.__name__ not in SHARED
    )


def _annotation_name(annotation: object) -> str:
    """``Case``, ``Case | None`` or ``Optional[Case]`` → ``Case``; a list, a union of several types or a
    builtin → ``""`` (a list of subjects is a choice among public records, not an object acted on)."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", repr(annotation))
    text = re.sub(r"\s*\|\s*None\b|\bNone\s*\|\s*", "", str(text))
    text = re.sub(r"^(typing\.)?Optional\[(.*)\]$", r"\2", text)
    return text.rsplit(".", 1)[-1] if re.fullmatch(r"[\w.]+", text) else ""


def object_parameters(info: ServiceInfo, scoped: frozenset[str]) -> list[str]:
    params = inspect.signature(info.fn).parameters.values()
    return [
        p.name
        for p in params
        if p.name not in NOT_OBJECTS and (p.name in OBJECT_NAMES or _annotation_name(p.annotation) in scoped)
    ]


def test_the_registry_is_collected():
    services = all_services()
    # The procedure alone has more than twenty steps; a registry this small means an import was missed.
    assert len(services) >= 30, sorted(services)
    assert {"case_file", "decide", "clue_register", "fine_payment_record"} <= set(services)


def test_every_writing_service_has_a_race_test():
    services = all_services()
    raced = _marked("race")
    writing = sorted(name for name, info in services.items() if info.writes)
    missing = [f"{name} ({services[name].module})" for name in writing if name not in raced]
    assert not missing, "services that write without a race test (pytest.mark.race):\n  " + "\n  ".join(missing)
    unknown = sorted(set(raced) - set(services))
    assert not unknown, f"race tests name services that do not exist: {unknown}"


def test_every_service_taking_an_object_has_a_jurisdiction_test():
    services = all_services()
    scoped = _scoped_model_names()
    tested = _marked("jurisdiction")
    taking = {name: object_parameters(info, scoped) for name, info in services.items()}
    missing = [
        f"{name} ({services[name].module}; takes {', '.join(params)})"
        for name, params in sorted(taking.items())
        if params and name not in tested
    ]
    assert not missing, "services taking an object without a sibling-office test (pytest.mark.jurisdiction):\n  " + (
        "\n  ".join(missing)
    )
    unknown = sorted(set(tested) - set(services))
    assert not unknown, f"jurisdiction tests name services that do not exist: {unknown}"


def test_the_collectors_can_fail():
    """The object rule sees what it must: a case, an optional clue, a scoped model by annotation; not a list."""
    scoped = _scoped_model_names()
    assert {"Case", "Clue", "Measure", "EvidenceItem"} <= scoped

    def fake(*, actor, case, into: Clue | None, subjects: list[Subject], chair: Officer, on, now):
        raise NotImplementedError

    info = ServiceInfo("fake", __name__, fake, writes=True)
    assert object_parameters(info, scoped) == ["case", "into", "chair"]
    marked = _marked("race")
    assert "clue_register" in marked
