"""Every chart of the app: inline SVG markup built on the server, no script, no CDN.

Vocabulary:

* a **frame** is the ``<svg>`` element with its ``<title>`` and ``<desc>``
  (:func:`_frame`): what a screen reader reads. A chart that holds no link is
  one image (``role="img"``); a chart holding links is a graphic (an image may
  not hold links). Every piece of text is escaped and only presentation
  attributes are used (no ``style``), so a strict Content-Security-Policy allows it.
* the **unit** names what a chart counts or measures (段 paragraphs, 篇 reports,
  % of reports, 亿元…); each chart takes it as a parameter and writes it in its
  title, its tips and its labels, nowhere else.
* the **scale**: :func:`scaled` turns a value into a length (a bar, never
  thinner than a hair so a small value stays visible); :func:`nice_max` rounds
  the top of an axis up to a round number; :func:`label_step` says every how
  many years a label is written so that labels never crowd.
* the charts: :func:`year_chart_svg` (a bar per year: hits per year, reports
  per year), :func:`trend_chart_svg` (a line per compared query over the years)
  and :func:`bar_rows_svg` (horizontal bars, one row per region or line: the
  targets comparison and the scorecard).

The **year chart**: a bar is one year. Years between the first and the last
with no hits get an empty slot, so gaps in time are visible. Every bar carries
a ``<title>`` (screen readers and hover tips) and, when a link is given, is a
link that narrows the search to its year; the link's **column** (its slot,
full height) is what a finger taps. A chart of more than
:data:`MAX_LINKED_YEARS` years holds no links (its columns would be too narrow
to tap on a phone).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from html import escape
from typing import Callable

from search.trends import MIN_REPORTS, Trend

__all__ = ["year_chart_svg", "trend_chart_svg", "bar_rows_svg", "Bar", "BarRow", "BarLayout", "scaled", "nice_max",
           "label_step", "MAX_LINKED_YEARS", "METRICS", "SERIES_COLOURS", "SERIES_DASHES"]

log = logging.getLogger(__name__)

#: Bars are links only up to this many years: more would make columns narrower than a finger
#: (24 CSS px, WCAG 2.5.8) on a phone; the year facet does the same job then.
MAX_LINKED_YEARS = 13

#: What the trend chart can show: (label, unit, value of a TrendRow).
METRICS = {
    "share": ("提及该词的报告占比", "%", lambda r: 100.0 * r.share),
    "per_report": ("平均每篇报告的命中段落数", "段", lambda r: r.paragraphs_per_report),
}
SERIES_COLOURS = ("#1f5f99", "#c0392b", "#2e7d32")
SERIES_DASHES = ("", "6 3", "2 3")
THIN_COLOUR = "#8a8a8a"


# -- the frame and the scale ----------------------------------------------------------------


def _frame(css_class: str, ident: str, width: int | float, height: int | float, title: str, desc: str, *,
           size: str = "100%", image: bool = True) -> list[str]:
    """The opening ``<svg>`` with its title and description (``ident``-title, ``ident``-desc)."""
    role = 'role="img" ' if image else ""
    return [
        f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{size}" {role}aria-labelledby="{ident}-title {ident}-desc" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


def scaled(value: float, top: float, room: float, minimum: float = 2.0) -> float:
    """The length of ``value`` on an axis where ``top`` takes ``room``; at least ``minimum`` (0 for 0)."""
    if not value:
        return 0.0
    return max(minimum, room * abs(value) / (top or 1.0))


def nice_max(value: float) -> float:
    """The top of an axis of four steps: the first round number (1, 2, 2.5, 5 × a power of ten) × 4 ≥ ``value``."""
    for step in (1, 2, 2.5, 5):
        for scale in (0.01, 0.1, 1, 10, 100, 1000):
            if value <= step * scale * 4:
                return step * scale * 4
    return value


def label_step(span: int, most: int) -> int:
    """Every how many years a year label is written, so that at most about ``most`` labels fit ``span`` years."""
    return next((step for step in (1, 2, 5, 10, 20) if span / step <= most), 25)


# -- a bar per year -----------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 180
_TOP, _BOTTOM, _LEFT, _RIGHT = 22, 24, 8, 8
MAX_BAR = 44.0
#: The narrowest chart, and the room one year takes when there are few.
MIN_WIDTH, SLOT = 320, 56


def year_chart_svg(counts: list[tuple[int, int]], *, title: str = "每年命中段落数",
                   link: Callable[[int], str] | None = None, unit: str = "段",
                   width: int = WIDTH, height: int = HEIGHT) -> str:
    """SVG markup for (year, count) pairs; an empty string when there is nothing to draw.

    ``unit`` names what is counted (段 paragraphs, 篇 reports). The chart is
    ``width`` wide at most, narrower for a few years; CSS shrinks it to its box.
    Without links (none given, or more than :data:`MAX_LINKED_YEARS` years) the
    chart is one image; with links it is a graphic holding links, one per year
    with hits, each covering its whole column so that it is easy to tap.
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
    every = label_step(len(years), 16)
    show_counts = len(years) <= 24
    total = sum(data.values())
    desc = "，".join(f"{y}年 {c} {unit}" for y, c in sorted(data.items()))
    out = _frame("year-chart", "chart", width, height, f"{title}（共 {total} {unit}）", desc, size=str(width),
                 image=link is None)
    out.append(f'<line x1="{_LEFT}" y1="{height - _BOTTOM + 0.5}" x2="{width - _RIGHT}" y2="{height - _BOTTOM + 0.5}" '
               f'stroke="#767676" stroke-width="1" aria-hidden="true"/>')
    for k, y in enumerate(years):
        c = data.get(y, 0)
        x = _LEFT + k * slot + (slot - bar_w) / 2
        h = scaled(c, top, plot_h)
        bar_top = height - _BOTTOM - h
        tip = escape(f"{y}年：{c} {unit}")
        hidden = ' aria-hidden="true"' if link is not None and not c else ""
        bar = (f'<rect class="bar"{hidden} x="{x:.1f}" y="{bar_top:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
               f'fill="#1f5f99"><title>{tip}</title></rect>')
        if c and link is not None:
            # the whole column (plot and year label) is the link's target, not just the bar
            hit = (f'<rect class="hit" x="{_LEFT + k * slot:.1f}" y="{_TOP - 14}" width="{slot:.1f}" '
                   f'height="{height - _TOP + 14:.1f}" fill="#ffffff" fill-opacity="0"/>')
            bar = f'<a href="{escape(link(y), quote=True)}" aria-label="{tip}">{hit}{bar}</a>'
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


# -- a line per query over the years -----------------------------------------------------------

TREND_WIDTH, TREND_HEIGHT = 520, 300
_T_TOP, _T_LEFT, _T_RIGHT = 50, 44, 14
#: Below the plot: the year labels, then the strip of reports per year (grey bars with their numbers).
_YEARS_Y, _STRIP_TOP, _STRIP_H = TREND_HEIGHT - 58, TREND_HEIGHT - 44, 22
_PLOT_BOTTOM = TREND_HEIGHT - 76


def trend_chart_svg(trends: list[Trend], *, metric: str = "share", since: int | None = None,
                    width: int = TREND_WIDTH) -> str:
    """Inline SVG: one line per query over the years (share of reports, or paragraphs per report).

    Under the years, a strip of grey bars gives the reports in the base each
    year, with their number: a share is only as good as the reports behind
    it. A thin year (fewer than :data:`search.trends.MIN_REPORTS` reports) is
    drawn as a hollow grey point joined by thin grey dotted lines. Years before
    ``since`` are left out; years in which the base holds no report are gaps in
    the line. Colours and dash patterns tell the series apart; every point has
    a ``<title>``. Text is escaped and only presentation attributes are used
    (the CSP forbids inline style).
    """
    label, unit, value = METRICS[metric]
    years = sorted({r.key for t in trends for r in t.years if r.reports_total and (since is None or r.key >= since)})
    if not years:
        return ""
    first, last = years[0], years[-1]
    span = max(1, last - first)
    plot_w = width - _T_LEFT - _T_RIGHT
    plot_h = _PLOT_BOTTOM - _T_TOP
    top = max((value(r) for t in trends for r in t.years if r.reports_total and r.key >= first), default=0.0)
    top = 100.0 if metric == "share" and top > 50 else nice_max(max(top, 0.0001))
    totals = {r.key: r.reports_total for t in trends for r in t.years if r.reports_total and r.key >= first}
    most = max(totals.values())

    pad = 16  # the first and last year stand clear of the axis labels

    def x(y: int) -> float:
        return _T_LEFT + pad + ((plot_w - 2 * pad) * (y - first) / span if last > first else plot_w / 2 - pad)

    def yv(v: float) -> float:
        return _T_TOP + plot_h * (1 - v / top)

    names = "、".join(f"“{t.query}”" for t in trends)
    desc = "；".join(f"{y}年 {totals[y]} 篇报告" + ("（不足 3 篇）" if totals[y] < MIN_REPORTS else "")
                    for y in sorted(totals))
    out = _frame("trend-chart", "trend", width, TREND_HEIGHT, f"{names}：每年{label}", "每年收录的报告：" + desc)
    for k in range(5):
        v = top * k / 4
        gy = yv(v)
        text = f"{v:.0f}{unit}" if unit == "%" or top >= 4 else f"{v:.2g}"
        out.append(f'<line x1="{_T_LEFT}" y1="{gy:.1f}" x2="{width - _T_RIGHT}" y2="{gy:.1f}" stroke="#e3e3e3" '
                   f'stroke-width="1"/>')
        out.append(f'<text x="{_T_LEFT - 5}" y="{gy + 4:.1f}" text-anchor="end" font-size="12" fill="#555">'
                   f'{escape(text)}</text>')
    every = label_step(last - first, 8)
    for y in range(first, last + 1):
        if (y - first) % every == 0:
            out.append(f'<text x="{x(y):.1f}" y="{_YEARS_Y}" text-anchor="middle" font-size="12" fill="#444">'
                       f'{y}</text>')
    # the strip: reports in the base per year (the denominator of every share above it)
    out.append(f'<text x="{_T_LEFT - 5}" y="{_STRIP_TOP + _STRIP_H - 2}" text-anchor="end" font-size="11" '
               f'fill="#555">报告数</text>')
    bar_w = max(2.0, min(16.0, plot_w / (span + 1) * 0.6))
    label_all = span + 1 <= 14
    for y, n in sorted(totals.items()):
        h = scaled(n, most, _STRIP_H, 1.5)
        colour = THIN_COLOUR if n < MIN_REPORTS else "#b5b5b5"
        out.append(f'<rect x="{x(y) - bar_w / 2:.1f}" y="{_STRIP_TOP + _STRIP_H - h:.1f}" width="{bar_w:.1f}" '
                   f'height="{h:.1f}" fill="{colour}"/>')
        if label_all or (y - first) % every == 0 or n < MIN_REPORTS:
            weight = ' font-weight="bold"' if n < MIN_REPORTS else ""
            out.append(f'<text x="{x(y):.1f}" y="{TREND_HEIGHT - 6}" text-anchor="middle" font-size="11" fill="#333"'
                       f'{weight}>{n}</text>')
    # legend
    lx = _T_LEFT
    for k, t in enumerate(trends):
        colour, dash = SERIES_COLOURS[k], SERIES_DASHES[k]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{lx}" y1="14" x2="{lx + 26}" y2="14" stroke="{colour}" stroke-width="3"{dash_attr}/>')
        out.append(f'<text x="{lx + 32}" y="18" font-size="13" fill="#222">{escape(t.query)}</text>')
        lx += 32 + 14 * len(t.query) + 20
    if any(n < MIN_REPORTS for n in totals.values()):
        out.append(f'<circle cx="{_T_LEFT + 4}" cy="30" r="4" fill="#ffffff" stroke="{THIN_COLOUR}" stroke-width="1.5"/>')
        out.append(f'<text x="{_T_LEFT + 13}" y="34" font-size="11" fill="#555">'
                   f'空心灰点：当年报告不足 {MIN_REPORTS} 篇，比例不可靠</text>')
    for k, t in enumerate(trends):
        colour, dash = SERIES_COLOURS[k], SERIES_DASHES[k]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        rows = {r.key: r for r in t.years if r.reports_total and first <= r.key}
        for a, b in zip(range(first, last), range(first + 1, last + 1)):
            ra, rb = rows.get(a), rows.get(b)
            if ra is None or rb is None:
                continue  # a year without reports is a gap
            ends = f'x1="{x(a):.1f}" y1="{yv(value(ra)):.1f}" x2="{x(b):.1f}" y2="{yv(value(rb)):.1f}"'
            if ra.thin or rb.thin:
                out.append(f'<line {ends} stroke="{THIN_COLOUR}" stroke-width="1.2" stroke-dasharray="2 3"/>')
            else:
                out.append(f'<line {ends} stroke="{colour}" stroke-width="2.5" stroke-linecap="round"{dash_attr}/>')
        for y, r in sorted(rows.items()):
            tip = (f"“{t.query}” {y}年：{r.reports_with_hits}/{r.reports_total} 篇报告（{100 * r.share:.0f}%），"
                   f"{r.paragraphs} 段" + (f"；当年报告不足 {MIN_REPORTS} 篇" if r.thin else ""))
            paint = (f'r="4" fill="#ffffff" stroke="{THIN_COLOUR}" stroke-width="1.5"' if r.thin
                     else f'r="3.5" fill="{colour}"')
            out.append(f'<circle cx="{x(y):.1f}" cy="{yv(value(r)):.1f}" {paint}><title>{escape(tip)}</title></circle>')
    out.append("</svg>")
    return "".join(out)




# -- horizontal bars, a row per region or line -------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: its value (drawn by its size), colour, tip (``<title>``) and the text beside it."""

    value: float
    fill: str
    tip: str
    text: str


@dataclass(frozen=True)
class BarRow:
    """A row of the chart: its label on the left and one or more bars under each other."""

    label: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class BarLayout:
    """Sizes of a bar chart: bar height, the gap between a row's bars and between rows, the label column
    (its width and how many characters of a label it shows), the room right of the longest bar, the text size."""

    bar_height: int = 18
    inner_gap: int = 2
    row_gap: int = 6
    label_width: int = 150
    label_chars: int = 14
    right: int = 90
    text_size: int = 12


def bar_rows_svg(rows: list[BarRow], *, css_class: str, ident: str, title: str, unit: str, legend: str = "",
                 layout: BarLayout = BarLayout(), width: int = 640) -> str:
    """One image of horizontal bars: a row per :class:`BarRow`, every bar's length to one scale.

    ``unit`` is written in the title (``（单位：…）``); ``legend`` (what the
    colours mean) after it in the caption. An empty string for no rows.
    """
    if not rows:
        return ""
    lay = layout
    head = 26
    per_row = max(len(r.bars) for r in rows)
    row_h = per_row * lay.bar_height + (per_row - 1) * lay.inner_gap + lay.row_gap
    height = head + len(rows) * row_h + 6
    top = max(abs(b.value) for r in rows for b in r.bars) or 1.0
    plot_w = width - lay.label_width - lay.right
    x0 = lay.label_width
    desc = "，".join(f"{r.label}：" + "，".join(b.text for b in r.bars) for r in rows)
    caption = f"{title}（单位：{unit}" + (f"；{legend}" if legend else "") + "）"
    out = _frame(css_class, ident, width, height, f"{title}（单位：{unit}）", desc)
    out.append(f'<text x="{x0}" y="16" font-size="12" fill="#444">{escape(caption)}</text>')
    out.append(f'<line x1="{x0 + 0.5}" y1="{head - 4}" x2="{x0 + 0.5}" y2="{height - 4}" stroke="#767676" '
               f'stroke-width="1"/>')
    for k, row in enumerate(rows):
        y = head + k * row_h
        middle = y + (len(row.bars) * lay.bar_height + (len(row.bars) - 1) * lay.inner_gap) / 2
        out.append(f'<text x="{x0 - 6}" y="{middle + 4:.0f}" text-anchor="end" font-size="12" fill="#222">'
                   f'{escape(row.label[:lay.label_chars])}</text>')
        for j, bar in enumerate(row.bars):
            yy = y + j * (lay.bar_height + lay.inner_gap)
            w = scaled(bar.value, top, plot_w) or 2.0
            out.append(f'<rect x="{x0 + 1}" y="{yy}" width="{w:.1f}" height="{lay.bar_height}" fill="{bar.fill}">'
                       f'<title>{escape(bar.tip)}</title></rect>')
            out.append(f'<text x="{x0 + w + 6:.1f}" y="{yy + lay.bar_height - 3}" font-size="{lay.text_size}" '
                       f'fill="#222">{escape(bar.text)}</text>')
    out.append("</svg>")
    return "".join(out)
