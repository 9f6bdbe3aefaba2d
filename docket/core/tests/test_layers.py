"""The layers read one way: core → registries → domain → reports → interfaces → demo. Nothing imports upward.

A module's layer is its app's, except the interfaces every app may hold (admin, commands, views, urls, the API),
which sit above the reports. Imports inside functions count as much as those at the top; only imports made for
the type checker alone (under ``if TYPE_CHECKING:``) are left out, since they never run.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LAYERS = {
    "core": 0,
    "offices": 1,
    "officers": 1,
    "taxonomy": 1,
    "workdays": 1,
    "audit": 1,
    "subjects": 2,
    "campaigns": 2,
    "measures": 2,
    "clues": 2,
    "cases": 2,
    "evidence": 2,
    "documents": 2,
    "accounts": 4,
    "web": 4,
    "api": 4,
    "reports": 3,
    "platforms": 2,
    "statements": 2,
    "webhooks": 2,
    "reminders": 3,
    "search": 3,
    "demo": 5,
}
INTERFACE = 4
INTERFACE_PARTS = {"admin", "admin_config", "management", "views", "urls", "api", "web", "wsgi"}
NAMES = {0: "core", 1: "registries", 2: "domain", 3: "reports", 4: "interfaces", 5: "demo"}


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "docket" or len(parts) < 2:
        return None
    if parts[1] in ("urls", "wsgi", "cli", "__main__", "settings", "test_settings", "conftest", "testing"):
        return INTERFACE if parts[1] in ("urls", "wsgi", "cli", "__main__") else None
    if any(p in INTERFACE_PARTS for p in parts[2:]) and parts[1] != "demo":
        return INTERFACE
    return LAYERS.get(parts[1])


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)]
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def upward_imports() -> list[str]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        module = _module(path)
        own = layer_of(module)
        if own is None:
            continue
        for line, target in _imports(ast.parse(path.read_text(encoding="utf-8")), module):
            theirs = layer_of(target)
            if theirs is not None and theirs > own and not target.startswith(module):
                out.append(f"{module}:{line} ({NAMES[own]}) imports {target} ({NAMES[theirs]})")
    return sorted(set(out))


def test_nothing_imports_upward():
    assert upward_imports() == []


def test_the_layer_check_sees_an_upward_import():
    tree = ast.parse("from docket.reports.queries import figures\n")
    targets = [t for _line, t in _imports(tree, "docket.measures.services")]
    assert any(layer_of(t) == 3 for t in targets) and layer_of("docket.measures.services") == 2
    assert layer_of("docket.cases.admin") == INTERFACE and layer_of("docket.core.management.commands.x") == INTERFACE
