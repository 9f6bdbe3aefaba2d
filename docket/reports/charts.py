"""Small inline SVG charts: they render the same in a browser and in the PDF, with no script."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

TEXT = 'font-size="11" fill="#1c2833"'
PALETTE = ["#1f5f8b", "#c0392b", "#2e8b57", "#d68910", "#7d3c98", "#17a589", "#566573"]


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{int(value):,}"


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 720,
    bar: int = 18,
    series: Sequence[tuple[str, Sequence[float | None]]] | None = None,
    name: str = "",
) -> str:
    """Horizontal bars, one row per item; ``series`` adds a second bar per row (e.g. the year before), with a
    legend naming ``name`` (the main bars) and each series. A value of None draws no bar: "—", not zero."""
    label_w = 250
    rows = len(items)
    groups = 1 + (1 if series else 0)
    row_h = bar * groups + 8
    height = 34 + rows * row_h + (22 if series else 0)
    values = [v for _l, v in items] + [v for _n, vs in (series or []) for v in vs if v is not None]
    top = max(values + [1])
    scale = (width - label_w - 70) / top
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" class="chart">',
        f'<text x="0" y="16" font-size="13" font-weight="bold" fill="#1c2833">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        y = 30 + i * row_h
        out.append(f'<text x="{label_w - 6}" y="{y + bar - 5}" text-anchor="end" {TEXT}>{escape(label)}</text>')
        w = max(1.0, value * scale) if value else 0
        out.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar}" fill="{PALETTE[0]}"/>')
        out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar - 5}" {TEXT}>{_fmt(value)}</text>')
        for j, (_name, vs) in enumerate(series or []):
            yy = y + bar * (j + 1)
            v = vs[i]
            ww = max(1.0, v * scale) if v else 0
            if v is not None:
                out.append(
                    f'<rect x="{label_w}" y="{yy}" width="{ww:.1f}" height="{bar - 4}" fill="{PALETTE[j + 1]}" '
                    f'opacity="0.7"/>'
                )
            out.append(f'<text x="{label_w + ww + 4:.1f}" y="{yy + bar - 8}" {TEXT}>{_fmt(vs[i])}</text>')
    if series:
        y = height - 8
        legend = [(name or title, PALETTE[0])] + [(n, PALETTE[j + 1]) for j, (n, _v) in enumerate(series)]
        x = label_w
        for name, colour in legend:
            out.append(
                f'<rect x="{x}" y="{y - 10}" width="10" height="10" fill="{colour}"/>'
                f'<text x="{x + 14}" y="{y}" {TEXT}>{escape(name)}</text>'
            )
            x += 30 + 12 * len(name)
    out.append("</svg>")
    return "".join(out)


def column_chart(items: Sequence[tuple[str, float]], *, title: str, width: int = 720, height: int = 240) -> str:
    """Vertical columns (months of a year)."""
    n = max(1, len(items))
    top = max([v for _l, v in items] + [1])
    plot_h = height - 60
    col_w = (width - 40) / n
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" class="chart">',
        f'<text x="0" y="16" font-size="13" font-weight="bold" fill="#1c2833">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        h = plot_h * value / top
        x = 20 + i * col_w
        y = 30 + plot_h - h
        out.append(f'<rect x="{x + 4:.1f}" y="{y:.1f}" width="{col_w - 8:.1f}" height="{h:.1f}" fill="{PALETTE[0]}"/>')
        out.append(f'<text x="{x + col_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" {TEXT}>{_fmt(value)}</text>')
        out.append(
            f'<text x="{x + col_w / 2:.1f}" y="{height - 12}" text-anchor="middle" {TEXT}>{escape(label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
