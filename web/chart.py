"""The hits-per-year chart: inline SVG markup built on the server, no script, no CDN.

A **bar** is one year; its height is the number of matching paragraphs that
year. Years between the first and the last with no hits get an empty slot, so
gaps in time are visible. Every bar carries a ``<title>`` (screen readers and
hover tips) and, when a link is given, is a link that narrows the search to its
year; the link's **column** (its slot, full height) is what a finger taps. A
chart of more than :data:`MAX_LINKED_YEARS` years holds no links (its columns
would be too narrow to tap on a phone). Every piece of text is escaped; only presentation attributes are used
(no ``style``), so a strict Content-Security-Policy allows it.
"""
from __future__ import annotations

import logging
from html import escape
from typing import Callable

__all__ = ["year_chart_svg", "MAX_LINKED_YEARS"]

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 640, 180
_TOP, _BOTTOM, _LEFT, _RIGHT = 22, 24, 8, 8
MAX_BAR = 44.0
#: The narrowest chart, and the room one year takes when there are few.
MIN_WIDTH, SLOT = 320, 56
#: Bars are links only up to this many years: more would make columns narrower than a finger
#: (24 CSS px, WCAG 2.5.8) on a phone; the year facet does the same job then.
MAX_LINKED_YEARS = 13


def _label_every(n_years: int) -> int:
    for step in (1, 2, 5, 10, 20):
        if n_years / step <= 16:
            return step
    return 25


def year_chart_svg(counts: list[tuple[int, int]], *, title: str = "每年命中段落数",
                   link: Callable[[int], str] | None = None, unit: str = "段",
                   width: int = WIDTH, height: int = HEIGHT) -> str:
    """SVG markup for (year, count) pairs; an empty string when there is nothing to draw.

    ``unit`` names what is counted (段 paragraphs, 篇 reports). The chart is
    ``width`` wide at most, narrower for a few years; CSS shrinks it to its box.
    Without links (none given, or more than :data:`MAX_LINKED_YEARS` years) the
    chart is one image (``role="img"``); with links it is a graphic holding
    links (an image may not hold links), one per year with hits, each covering
    its whole column so that it is easy to tap.
    """
    data = {int(y): int(c) for y, c in counts if y}
    if not data:
        return ""
    first, last = min(data), max(data)
    years = list(range(first, last + 1))
    if len(years) > MAX_LINKED_YEARS:
        link = None
    # a few years make a narrow chart (drawn at its own size, so its text stays legible on a phone)
    width = max(MIN_WIDTH, min(width, len(years) * SLOT + _LEFT + _RIGHT))
    top = max(data.values())
    plot_w = width - _LEFT - _RIGHT
    plot_h = height - _TOP - _BOTTOM
    slot = plot_w / len(years)
    bar_w = min(max(1.0, slot * 0.72), MAX_BAR)
    every = _label_every(len(years))
    show_counts = len(years) <= 24
    total = sum(data.values())
    desc = "，".join(f"{y}年 {c} {unit}" for y, c in sorted(data.items()))
    role = "" if link is not None else 'role="img" '
    out = [
        f'<svg class="year-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" {role}aria-labelledby="chart-title chart-desc" preserveAspectRatio="xMinYMin meet">',
        f'<title id="chart-title">{escape(title)}（共 {total} {escape(unit)}）</title>',
        f'<desc id="chart-desc">{escape(desc)}</desc>',
        f'<line x1="{_LEFT}" y1="{height - _BOTTOM + 0.5}" x2="{width - _RIGHT}" y2="{height - _BOTTOM + 0.5}" '
        f'stroke="#767676" stroke-width="1" aria-hidden="true"/>',
    ]
    for k, y in enumerate(years):
        c = data.get(y, 0)
        x = _LEFT + k * slot + (slot - bar_w) / 2
        h = 0.0 if not c else max(2.0, plot_h * c / top)
        bar_top = height - _BOTTOM - h
        tip = escape(f"{y}年：{c} {unit}")
        bar = (f'<rect class="bar" x="{x:.1f}" y="{bar_top:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
               f'fill="#1f5f99"><title>{tip}</title></rect>')
        if c and link is not None:
            # the whole column (plot and year label) is the link's target, not just the bar
            hit = (f'<rect class="hit" x="{_LEFT + k * slot:.1f}" y="{_TOP - 14}" width="{slot:.1f}" '
                   f'height="{height - _TOP + 14:.1f}" fill="#ffffff" fill-opacity="0"/>')
            bar = f'<a href="{escape(link(y), quote=True)}" aria-label="{tip}">{hit}{bar}</a>'
        elif link is not None:
            bar = bar.replace('<rect class="bar"', '<rect class="bar" aria-hidden="true"', 1)
        out.append(bar)
        cx = x + bar_w / 2
        if c and show_counts:
            out.append(f'<text x="{cx:.1f}" y="{bar_top - 4:.1f}" text-anchor="middle" font-size="11" '
                       f'fill="#222" aria-hidden="true" pointer-events="none">{c}</text>')
        if (y - first) % every == 0:
            out.append(f'<text x="{cx:.1f}" y="{height - 7}" text-anchor="middle" font-size="11" '
                       f'fill="#444" aria-hidden="true" pointer-events="none">{y}</text>')
    out.append("</svg>")
    return "".join(out)
