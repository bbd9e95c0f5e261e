"""Bar charts drawn on the server as inline SVG: no JavaScript, readable by screen
readers (``role="img"`` with a ``<title>``); the page shows the same numbers in a table."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

_ROW = 26  # px per bar
_CHAR = 7.6  # px per character of a label at 13 px (generous: wide letters fit too)
_MAX_CHARS = 44  # longer labels are shortened with "…" (the full one is its tooltip)
_BARS = 360  # px for the bars
_VALUE = 90  # px for the value printed after the longest bar


def _fit(label: str) -> str:
    return label if len(label) <= _MAX_CHARS else label[: _MAX_CHARS - 1].rstrip() + "\u2026"


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[float], shown: Sequence[str]
) -> Markup:
    """Horizontal bars, one per label; ``shown`` is each value as printed beside its bar."""
    top = max((v for v in values if v == v), default=0) or 1  # NaN-safe
    # The label column is as wide as the longest (shortened) label, so none is clipped.
    label_width = round(max((len(_fit(x)) for x in labels), default=4) * _CHAR) + 16
    total = label_width + _BARS + _VALUE
    room = _BARS
    height = _ROW * len(labels) + 8
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {total} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value, text) in enumerate(zip(labels, values, shown, strict=True)):
        y = 4 + i * _ROW
        width = 0 if value != value else max(room * value / top, 0)  # NaN draws no bar
        short = _fit(label)
        tooltip = f"<title>{escape(label)}</title>" if short != label else ""
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end">{tooltip}'
            f"{escape(short)}</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{_ROW - 8}"></rect>'
            f'<text x="{label_width + width + 6:.1f}" y="{y + 17}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
