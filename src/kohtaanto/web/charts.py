"""Bar charts drawn on the server as inline SVG: no JavaScript, readable by screen
readers (``role="img"`` with a ``<title>``); the page shows the same numbers in a table.

This module measures (how wide the label column, how long each bar); the template
``charts.html`` draws: ``{% import "charts.html" as charts %}{{ charts.bar_chart(chart) }}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

_ROW = 26  # px per bar
_CHAR = 7.6  # px per character of a label at 13 px (generous: wide letters fit too)
_MAX_CHARS = 44  # longer labels are shortened with "…" (the full one is its tooltip)
_BARS = 360  # px for the bars
_VALUE = 90  # px for the value printed after the longest bar


def _fit(label: str) -> str:
    return label if len(label) <= _MAX_CHARS else label[: _MAX_CHARS - 1].rstrip() + "\u2026"


@dataclass(frozen=True)
class Bar:
    label: str  # in full: the tooltip when ``short`` is shortened
    short: str  # as printed before the bar
    shown: str  # the value as printed after the bar
    y: int  # top of the row
    width: float  # 0 for a missing value: no bar


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    label_width: int  # the label column, as wide as the longest (shortened) label
    width: int
    height: int
    row: int = _ROW


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[float], shown: Sequence[str]
) -> BarChart:
    """Horizontal bars, one per label; ``shown`` is each value as printed beside its bar."""
    top = max((v for v in values if v == v), default=0) or 1  # NaN-safe
    # The label column is as wide as the longest (shortened) label, so none is clipped.
    label_width = round(max((len(_fit(x)) for x in labels), default=4) * _CHAR) + 16
    bars = [
        Bar(
            label=label,
            short=_fit(label),
            shown=text,
            y=4 + i * _ROW,
            width=0 if value != value else max(_BARS * value / top, 0),  # NaN draws no bar
        )
        for i, (label, value, text) in enumerate(zip(labels, values, shown, strict=True))
    ]
    return BarChart(
        title=title,
        bars=bars,
        label_width=label_width,
        width=label_width + _BARS + _VALUE,
        height=_ROW * len(labels) + 8,
    )
