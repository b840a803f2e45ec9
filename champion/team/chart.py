"""A bar chart of weekly completions, drawn on the server as SVG (no script, no CDN)."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 720, 240
LEFT, BOTTOM, TOP = 58, 50, 16


def weekly_series(
    points: list[tuple[date, int]], weeks: int, today: date
) -> list[tuple[date, int]]:
    """Completions per week for the last ``weeks`` weeks, empty weeks included."""
    monday = today - timedelta(days=today.weekday())
    counts = dict(points)
    return [(start, counts.get(start, 0))
            for start in (monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks))]


def weekly_bars(series: list[tuple[date, int]]) -> Markup:
    weeks = len(series)
    starts = [start for start, _ in series]
    values = [value for _, value in series]
    peak = max(values) or 1
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    step = plot_w / weeks
    total = sum(values)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Module completions per week</title>',
        f'<desc id="chart-desc">{total} module completions in the last {weeks} weeks; '
        f'the busiest week had {max(values)}. The table below has every week.</desc>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 8}" y2="{TOP + plot_h}" '
        'stroke="#55646f"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11" '
        f'fill="#55646f">{peak}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="11" '
        'fill="#55646f">0</text>',
        # The axes say what they count: modules completed (by anyone), per week.
        f'<text x="14" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" font-size="12" '
        f'fill="#33414b" transform="rotate(-90 14 {TOP + plot_h / 2:.1f})">'
        'Modules completed</text>',
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 2}" text-anchor="middle" '
        'font-size="12" fill="#33414b">Week starting (Monday)</text>',
    ]
    for index, (start, value) in enumerate(zip(starts, values, strict=True)):
        height = plot_h * value / peak
        x = LEFT + index * step + step * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{step * 0.7:.1f}" '
            f'height="{height:.1f}" fill="#1f5f6b"><title>Week of {escape(start.isoformat())}:'
            f' {value}</title></rect>'
        )
        if index % 4 == 0:
            parts.append(
                f'<text x="{x + step * 0.35:.1f}" y="{HEIGHT - 22}" text-anchor="middle" '
                f'font-size="11" fill="#55646f">{start.strftime("%-d %b")}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
