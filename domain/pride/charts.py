"""Chart geometry for server-rendered SVG: the numbers only (positions and sizes); the templates
(``templates/pride/_charts.html``) draw the SVG, with a ``<title>``, a ``<desc>`` and a table of the
same figures beside each chart. A hidden (suppressed) figure gets no bar or point and is named in
words instead."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None
    y: int
    width: float


@dataclass(frozen=True)
class Point:
    label: str
    value: int | None
    x: float
    y: float | None


def _scale_top(largest: int) -> int:
    """A round number at or above ``largest`` for the axis (at least 1)."""
    top = max(largest, 1)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if top <= step * 5:
            return -(-top // step) * step
    return top


def bar_chart(
    items: list[tuple[str, int | None]],
    *,
    width: int = 700,
    label_width: int = 280,
    bar_height: int = 22,
    gap: int = 10,
) -> dict:
    """Horizontal bars: ``{"bars", "width", "height", "label_width", "plot_width", "top"}``."""
    plot = width - label_width - 70
    top = _scale_top(max((v for _, v in items if v), default=0))
    bars = [
        Bar(label, value, gap + n * (bar_height + gap), 0 if not value else plot * value / top)
        for n, (label, value) in enumerate(items)
    ]
    return {
        "bars": bars,
        "width": width,
        "height": gap + len(items) * (bar_height + gap),
        "label_width": label_width,
        "plot_width": plot,
        "bar_height": bar_height,
        "top": top,
    }


def line_chart(points: list[tuple[str, int | None]], *, width: int = 640, height: int = 260) -> dict:
    """A line over ordered points: ``{"points", "path", "ticks", "width", "height", "left", "bottom"}``.

    ``path`` is the SVG polyline's points text over the shown figures; ``ticks`` the y axis labels.
    """
    left, right, top_pad, bottom = 60, 45, 20, height - 40
    top = _scale_top(max((v for _, v in points if v), default=0))
    span = (width - left - right) / max(len(points) - 1, 1)

    def y_of(value: int) -> float:
        return bottom - (bottom - top_pad) * value / top

    placed = [
        Point(
            label,
            value,
            left + n * span if len(points) > 1 else (left + width - right) / 2,
            None if value is None else y_of(value),
        )
        for n, (label, value) in enumerate(points)
    ]
    path = " ".join(f"{p.x:.1f},{p.y:.1f}" for p in placed if p.y is not None)
    ticks = [{"value": top * k // 4, "y": y_of(top * k // 4)} for k in range(5)]
    return {
        "points": placed,
        "path": path,
        "ticks": ticks,
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "bottom": bottom,
    }
