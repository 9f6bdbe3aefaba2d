"""From a template and plain data to the PDF: the administrator's wording inside a fixed official layout.

The layout (``documents/frame.html``) follows GB/T 9704-2012 as statutory enforcement documents do: A4, the
issuing office in red at the head over a red rule, the document number, the title, the body, the office and
date at the bottom right over the seal area, page numbers as "— 1 —". Only the title and body are edited by
administrators; they are rendered by an engine of their own that loads no tag library, includes no other
template and reads nothing but the names of ``context.NAMES``.

WeasyPrint fetches nothing (``_fetch_nothing``): a template cannot pull a file or a URL into a document, and
the same data give the same bytes.
"""

from __future__ import annotations

from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Node, NodeList, Variable
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from docket.documents.context import NAMES, sample_context
from docket.documents.models import Language

# Tags that reach beyond the data (other templates, the clock, URLs, the context's dump) are refused.
REFUSED_NODES = {
    "LoadNode": "load",
    "IncludeNode": "include",
    "ExtendsNode": "extends",
    "BlockNode": "block",
    "SsiNode": "ssi",
    "DebugNode": "debug",
    "NowNode": "now",
    "URLNode": "url",
    "CsrfTokenNode": "csrf_token",
}

# No loaders and no libraries: ``{% load %}`` and ``{% include %}`` have nothing to reach.
ENGINE = Engine(loaders=[], libraries={}, debug=False, autoescape=True, string_if_invalid="")


class TemplateRefused(ValueError):
    """The template does not compile or uses something a document template may not."""


def _variables(node: Node) -> list[Variable]:
    """Every variable a node reads, however deep in its conditions (``{% if a and b.c %}``) or filters."""
    found: list[Variable] = []
    seen: set[int] = set()

    def walk(value: Any, depth: int) -> None:
        if depth > 6 or id(value) in seen or isinstance(value, Node | NodeList | str | int | float | bool):
            return
        seen.add(id(value))
        if isinstance(value, FilterExpression):
            if isinstance(value.var, Variable):
                found.append(value.var)
            for _fn, args in value.filters:
                found.extend(arg for lookup, arg in args if lookup and isinstance(arg, Variable))
            return
        if isinstance(value, Variable):
            found.append(value)
            return
        if isinstance(value, dict):
            items: Any = value.values()
        elif isinstance(value, list | tuple):
            items = value
        elif hasattr(value, "__dict__") and type(value).__module__.startswith("django.template"):
            items = vars(value).values()
        else:
            return
        for item in items:
            walk(item, depth + 1)

    for attr, value in vars(node).items():
        if attr not in ("origin", "token"):
            walk(value, 0)
    return found


def _bound_names(nodes: list[Node]) -> set[str]:
    """Names the template binds itself (loop variables, ``with`` names)."""
    names = {"forloop"}
    for node in nodes:
        names.update(getattr(node, "loopvars", []) or [])
        names.update((getattr(node, "extra_context", None) or {}).keys())
        if type(node).__name__ == "CycleNode" and getattr(node, "variable_name", None):
            names.add(str(getattr(node, "variable_name", "")))
    return names


def compile_template(source: str, *, field: str = "body") -> Template:
    """The compiled template, or ``TemplateRefused`` saying what is wrong and where."""
    try:
        template = ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateRefused(_("%(field)s does not compile: %(error)s") % {"field": field, "error": exc}) from None
    nodes = template.nodelist.get_nodes_by_type(Node)
    for node in nodes:
        refused = REFUSED_NODES.get(type(node).__name__)
        if refused:
            raise TemplateRefused(
                _("%(field)s: the tag {%% %(tag)s %%} is not allowed in a document template")
                % {"field": field, "tag": refused}
            )
    allowed = set(NAMES) | _bound_names(nodes)
    for var in (v for node in nodes for v in _variables(node)):
        if var.lookups is None:
            continue
        root = var.lookups[0]
        if root not in allowed:
            raise TemplateRefused(
                _("%(field)s: unknown name %(name)r; a document template may use: %(names)s")
                % {"field": field, "name": root, "names": ", ".join(sorted(NAMES))}
            )
    return template


def check_template(title: str, body: str, language: str) -> None:
    """Refuse a template that does not compile, uses a refused tag or name, or fails on sample data."""
    compiled = [compile_template(title, field="title"), compile_template(body, field="body")]
    sample = Context(sample_context(language), autoescape=True)
    for which, template in zip(("title", "body"), compiled, strict=True):
        try:
            template.render(sample)
        except Exception as exc:  # noqa: BLE001 - any failure of the wording is reported to its author
            raise TemplateRefused(
                _("%(field)s fails on sample data: %(error)s") % {"field": which, "error": exc}
            ) from None


def document_html(*, title: str, body: str, data: dict[str, Any], language: str, office: str) -> str:
    """The whole document as HTML: the fixed frame around the rendered title and body."""
    context = Context(data, autoescape=True)
    rendered_title = compile_template(title, field="title").render(context).strip()
    rendered_body = compile_template(body, field="body").render(context)
    return render_to_string(
        "documents/frame.html",
        {
            "lang": "zh-Hans" if language == Language.ZH else "en",
            "zh": language == Language.ZH,
            "office": office,
            "number": data.get("number", ""),
            "title": rendered_title,
            "body": mark_safe(rendered_body),  # noqa: S308 - the body's data were escaped by its own engine
            "issued_on": data.get("issued_on", ""),
        },
    )


def _fetch_nothing(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"a document fetches no resources ({url[:60]})")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=html, url_fetcher=_fetch_nothing).write_pdf())
