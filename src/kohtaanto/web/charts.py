"""Bar charts drawn on the server as inline SVG: no JavaScript, readable by screen
readers (``role="img"`` with a ``<title>``); the page shows the same numbers in a table."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

_ROW = 26  # px per bar
_LABEL = 210  # px for the category labels
_WIDTH = 640


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[float], shown: Sequence[str]
) -> Markup:
    """Horizontal bars, one per label; ``shown`` is each value as printed beside its bar."""
    top = max((v for v in values if v == v), default=0) or 1  # NaN-safe
    room = _WIDTH - _LABEL - 80
    height = _ROW * len(labels) + 8
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {_WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value, text) in enumerate(zip(labels, values, shown, strict=True)):
        y = 4 + i * _ROW
        width = 0 if value != value else max(room * value / top, 0)  # NaN draws no bar
        parts.append(
            f'<text x="{_LABEL - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{_LABEL}" y="{y + 3}" width="{width:.1f}" height="{_ROW - 8}"></rect>'
            f'<text x="{_LABEL + width + 6:.1f}" y="{y + 17}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
