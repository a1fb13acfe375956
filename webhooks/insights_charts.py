"""Small SVG charts for the insights page, drawn on the server: the geometry is worked out
here and the template writes it as inline ``<svg>`` (autoescaped like every other text), so
the page needs no script and no chart library, and reads the same on a phone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 28
COLOURS = ("#1f5fbf", "#c2691a", "#2f8a4c", "#8a1c1c")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Line:
    points: str
    colour: str
    name: str
    dots: tuple[tuple[float, float, str], ...]


@dataclass(frozen=True)
class Chart:
    title: str
    x_labels: tuple[tuple[float, str], ...]
    y_labels: tuple[tuple[float, str], ...]
    bars: tuple[Bar, ...] = ()
    lines: tuple[Line, ...] = ()
    legend: tuple[tuple[str, str], ...] = field(default=())
    width: int = WIDTH
    height: int = HEIGHT


def _plot() -> tuple[float, float]:
    return WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


def _x_labels(labels: Sequence[str], slot: float) -> tuple[tuple[float, str], ...]:
    # Six labels at most, counted back from the latest week so it is always named: a week's
    # label ("2026-W49") is wider than its slot once there are more than six.
    every = max(1, -(-len(labels) // 6))
    last = len(labels) - 1
    return tuple(
        (LEFT + slot * (index + 0.5), label)
        for index, label in enumerate(labels)
        if (last - index) % every == 0
    )


def bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> Chart:
    """Side-by-side bars per week, one per series (opened and closed, …)."""
    plot_width, plot_height = _plot()
    top = max([1, *(value for _, values in series for value in values)])
    slot = plot_width / max(1, len(labels))
    width = slot * 0.8 / max(1, len(series))
    drawn = []
    for number, (name, values) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        for index, value in enumerate(values):
            height = plot_height * value / top
            x = LEFT + slot * index + slot * 0.1 + width * number
            said = f"{labels[index]}: {value} {name}"
            drawn.append(Bar(x, TOP + plot_height - height, width, height, colour, said))
    y_labels = ((TOP + plot_height, "0"), (TOP, str(top)))
    legend = tuple((COLOURS[n % len(COLOURS)], name) for n, (name, _) in enumerate(series))
    return Chart(title, _x_labels(labels, slot), y_labels, bars=tuple(drawn), legend=legend)


def lines(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    top: float | None = None,
    shown: str = "{:.0%}",
) -> Chart:
    """A line per series across the weeks; a week with no value leaves a gap in the dots and
    is skipped by the line. ``top`` fixes the scale (1.0 for ratios)."""
    plot_width, plot_height = _plot()
    highest = top or max([1.0, *(v for _, values in series for v in values if v is not None)])
    slot = plot_width / max(1, len(labels))
    drawn = []
    for number, (name, values) in enumerate(series):
        dots = tuple(
            (
                round(LEFT + slot * (index + 0.5), 1),
                round(TOP + plot_height * (1 - value / highest), 1),
                f"{labels[index]}: {name} {shown.format(value)}",
            )
            for index, value in enumerate(values)
            if value is not None
        )
        points = " ".join(f"{x},{y}" for x, y, _ in dots)
        drawn.append(Line(points, COLOURS[number % len(COLOURS)], name, dots))
    y_labels = ((TOP + plot_height, shown.format(0)), (TOP, shown.format(highest)))
    legend = tuple((line.colour, line.name) for line in drawn)
    return Chart(title, _x_labels(labels, slot), y_labels, lines=tuple(drawn), legend=legend)
