"""The size chart: p95 latency and memory against corpus size, from the benchmark's result files.

Vocabulary:

* a **run** is one corpus's dict in a result file of ``python -m bench`` (``runs[k]``): the corpus as it is
  (``corpus``) or a scaled corpus (``scaled-2M``, ``scaled-20M``, ``scaled-100M`` …). Its **size** is its
  ``characters``; several files can be read (the 500M run kept in a file of its own, say): the first file
  given is the main run, a later file only adds runs of names not seen before. The corpus as it is stands
  for the small size until a ``scaled-2M`` run is made;
* a **series** (:class:`Series`) is one measure over the runs, a **point** per run that holds it: the p95 of
  all queries and of single common words, for baogao (in-process, with facets and snippets) and for the scan
  (``q in text`` over the texts in memory); baogao's server RSS and peak RSS while indexing, and the raw
  UTF-8 text (what the scan holds and reads) beside them;
* a **panel** is one chart of series over the same axes: both axes are logarithmic (sizes from 2M to 500M,
  latencies from a few to hundreds of milliseconds). The memory panel also draws issue 10's limits as grey
  dotted lines: the server's 3 bytes per character + 300 MB, and 2 GB while indexing.

The SVG is drawn with :mod:`web.chart`'s frame (``<title>``, ``<desc>`` with every figure, ``role="img"``)
and colours; every point has its own ``<title>``.

    python -m bench.size_chart [bench/results/bench.json [more.json …]] [--out docs/size-chart.svg]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.targets import MAX_INDEXING_MB, MB, SERVER_BASE_MB, SERVER_BYTES_PER_CHAR  # noqa: E402
from web.chart import SERIES_COLOURS, SERIES_DASHES, _frame  # noqa: E402

__all__ = ["Point", "Series", "load_runs", "latency_series", "memory_series", "size_chart_svg", "main"]

DEFAULT_RESULT = ROOT / "bench" / "results" / "bench.json"
DEFAULT_OUT = ROOT / "docs" / "size-chart.svg"
BAOGAO, SCAN, GREEN = SERIES_COLOURS
SOLID, DASHED, DOTTED = SERIES_DASHES
LIMIT_COLOUR = "#767676"
FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Zen Hei', sans-serif"

#: The round numbers an axis may be marked at (1, 2, 5 × a power of ten).
STEPS = tuple(m * 10 ** e for e in range(-1, 11) for m in (1, 2, 5))

WIDTH = 720
LEFT, RIGHT = 70, 90
PLOT_H = 210
PANEL_GAP = 34
LEGEND_ROW = 20
#: A scaled run within this factor of the corpus's size replaces the corpus run on the chart.
NEAR = 1.5
END_LABEL_GAP = 13


@dataclass(frozen=True)
class Point:
    """One run's value in a series: the run's name, its size in characters and the value."""

    run: str
    characters: int
    value: float


@dataclass(frozen=True)
class Series:
    """One line of a panel: a key (``data-series`` of its points), its label, colour, dash pattern, points."""

    key: str
    label: str
    colour: str
    dash: str
    points: tuple[Point, ...]


def load_runs(paths: list[Path]) -> list[dict]:
    """The runs of the result files, one per name (the first file's, then what later files add), smallest first.

    The corpus as it is (``corpus``) is left out when a scaled run is near its size (within
    :data:`NEAR`): ``scaled-2M`` is then the small point, measured like the other sizes.
    """
    by_name: dict[str, dict] = {}
    for path in paths:
        for run in json.loads(Path(path).read_text(encoding="utf-8")).get("runs", []):
            by_name.setdefault(run["name"], run)
    runs = sorted(by_name.values(), key=lambda r: r["characters"])
    scaled = [r["characters"] for r in runs if r["name"] != "corpus"]
    return [r for r in runs if r["name"] != "corpus"
            or not any(1 / NEAR <= r["characters"] / c <= NEAR for c in scaled)]


def _series(runs: list[dict], key: str, label: str, colour: str, dash: str, value) -> Series:
    points = []
    for run in runs:
        try:
            v = value(run)
        except (KeyError, TypeError):
            v = None
        if v:
            points.append(Point(run["name"], int(run["characters"]), float(v)))
    return Series(key, label, colour, dash, tuple(points))


def latency_series(runs: list[dict]) -> list[Series]:
    """p95 in milliseconds, all queries and single common words, for baogao and the scan."""
    return [
        _series(runs, "baogao-all", "baogao，全部查询", BAOGAO, SOLID, lambda r: r["latency_ms"]["baogao"]["all"]["p95"]),
        _series(runs, "scan-all", "扫描，全部查询", SCAN, SOLID, lambda r: r["latency_ms"]["scan"]["all"]["p95"]),
        _series(runs, "baogao-word", "baogao，单个常用词", BAOGAO, DASHED,
                lambda r: r["latency_ms"]["baogao"]["word"]["p95"]),
        _series(runs, "scan-word", "扫描，单个常用词", SCAN, DASHED, lambda r: r["latency_ms"]["scan"]["word"]["p95"]),
    ]


def memory_series(runs: list[dict]) -> list[Series]:
    """Memory in MB: baogao's server RSS and peak RSS while indexing, and the raw UTF-8 text the scan holds."""
    return [
        _series(runs, "server-rss", "baogao 服务进程内存（RSS）", BAOGAO, SOLID, lambda r: r["server_rss_mb"]),
        _series(runs, "indexing-rss", "baogao 建索引峰值内存", GREEN, SOLID,
                lambda r: r["indexing"]["baogao"]["peak_rss_mb"]),
        _series(runs, "raw-text", "原文 UTF-8 大小（扫描所读的数据）", SCAN, DASHED, lambda r: r["raw_utf8_bytes"] / MB),
    ]


def size_label(chars: float) -> str:
    """A size in characters as the bench writes it: 2M, 20M, 500M, 1.5G."""
    if chars >= 1e9:
        return f"{chars / 1e9:.3g}G"
    if chars >= 1e6:
        return f"{chars / 1e6:.3g}M"
    return f"{chars / 1e3:.3g}K"


def size_label_zh(chars: float) -> str:
    """The same size in Chinese units: 200万, 2000万, 1亿, 5亿, 15亿 (never ``1e+03万``: ``:g`` writes a number
    of four digits in exponent form)."""
    if chars >= 1e8:
        return f"{chars / 1e8:.3g}亿"
    return f"{float(f'{chars / 1e4:.3g}'):,.10g}".replace(",", "") + "万"


def _log_axis(values: list[float]) -> list[float]:
    """The round marks of a logarithmic axis that holds ``values``: from the last step at or below the least
    to the first at or above the largest."""
    lo, hi = min(values), max(values)
    first = max((s for s in STEPS if s <= lo), default=STEPS[0])
    last = min((s for s in STEPS if s >= hi), default=STEPS[-1])
    return [s for s in STEPS if first <= s <= last]


def _fmt(v: float) -> str:
    """A figure as the chart writes it: 3.0, 43.6, 246, 8,339."""
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def _panel(out: list[str], top: int, title: str, unit: str, series: list[Series], span: tuple[float, float],
           limits: list[Series]) -> int:
    """Draw one panel (its title, axes, lines, points and legend) from ``top``, sizes from ``span[0]`` to
    ``span[1]`` characters; the y where it ends."""
    plot_top = top + 34
    plot_bottom = plot_top + PLOT_H
    plot_left, plot_right = LEFT, WIDTH - RIGHT
    values = [p.value for s in series for p in s.points]
    y_marks = _log_axis(values)
    x_lo, x_hi = math.log10(span[0]), math.log10(span[1])
    y_lo, y_hi = math.log10(y_marks[0]), math.log10(y_marks[-1])
    if y_hi == y_lo:
        y_lo, y_hi = y_lo - 0.5, y_hi + 0.5

    def x(chars: float) -> float:
        return plot_left + (plot_right - plot_left) * (math.log10(chars) - x_lo) / ((x_hi - x_lo) or 1)

    def y(v: float) -> float:
        return plot_bottom - PLOT_H * (math.log10(v) - y_lo) / (y_hi - y_lo)

    out.append(f'<text x="{plot_left}" y="{top + 12}" font-size="14" font-weight="bold" fill="#222">'
               f'{escape(title)}</text>')
    for v in y_marks:
        gy = y(v)
        out.append(f'<line x1="{plot_left}" y1="{gy:.1f}" x2="{plot_right}" y2="{gy:.1f}" stroke="#e3e3e3" '
                   f'stroke-width="1"/>')
        out.append(f'<text x="{plot_left - 6}" y="{gy + 4:.1f}" text-anchor="end" font-size="12" fill="#555">'
                   f'{v:,g}</text>')
    out.append(f'<text x="{plot_left - 6}" y="{plot_top - 8}" text-anchor="end" font-size="12" fill="#555">'
               f'{escape(unit)}</text>')
    for chars in (s for s in STEPS if span[0] <= s <= span[1]):
        gx = x(chars)
        out.append(f'<line x1="{gx:.1f}" y1="{plot_top}" x2="{gx:.1f}" y2="{plot_bottom}" stroke="#e3e3e3" '
                   f'stroke-width="1"/>')
        out.append(f'<text x="{gx:.1f}" y="{plot_bottom + 15}" text-anchor="middle" font-size="12" fill="#444">'
                   f'{size_label(chars)}</text>')
        out.append(f'<text x="{gx:.1f}" y="{plot_bottom + 29}" text-anchor="middle" font-size="11" fill="#666">'
                   f'{size_label_zh(chars)}</text>')
    out.append(f'<line x1="{plot_left}" y1="{plot_bottom + 0.5}" x2="{plot_right}" y2="{plot_bottom + 0.5}" '
               f'stroke="#767676" stroke-width="1"/>')
    for limit in limits:  # the limits: grey dotted lines, named at their right end
        pts = [p for p in limit.points if y_marks[0] <= p.value <= y_marks[-1]]
        if len(pts) < 2:
            continue
        path = " ".join(f"{x(p.characters):.1f},{y(p.value):.1f}" for p in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{LIMIT_COLOUR}" stroke-width="1.2" '
                   f'stroke-dasharray="{DOTTED}"/>')
        out.append(f'<text x="{x(pts[-1].characters) + 6:.1f}" y="{y(pts[-1].value) + 4:.1f}" font-size="11" '
                   f'fill="#555">{escape(limit.label)}</text>')
    for s in series:
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        if len(s.points) > 1:
            path = " ".join(f"{x(p.characters):.1f},{y(p.value):.1f}" for p in s.points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{s.colour}" stroke-width="2.5"{dash}/>')
        for p in s.points:
            tip = f"{s.label}：{p.run}（{p.characters:,} 字）{_fmt(p.value)} {unit}"
            out.append(f'<circle class="point" data-series="{s.key}" cx="{x(p.characters):.1f}" '
                       f'cy="{y(p.value):.1f}" r="4" fill="{s.colour}"><title>{escape(tip)}</title></circle>')
    # the last figure of each line at its right end, moved apart where two would overlap
    ends = sorted((y(s.points[-1].value), x(s.points[-1].characters), s) for s in series if s.points)
    placed: list[float] = []
    for ey, ex, s in ends:
        ey = max(ey, placed[-1] + END_LABEL_GAP) if placed else ey
        placed.append(ey)
        out.append(f'<text x="{ex + 8:.1f}" y="{ey + 4:.1f}" font-size="11" fill="{s.colour}">'
                   f'{_fmt(s.points[-1].value)}</text>')
    legend_top = plot_bottom + 46
    for k, s in enumerate(series):
        lx = plot_left + (k % 2) * 300
        ly = legend_top + (k // 2) * LEGEND_ROW
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        out.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 28}" y2="{ly - 4}" stroke="{s.colour}" '
                   f'stroke-width="2.5"{dash}/>')
        out.append(f'<text x="{lx + 34}" y="{ly}" font-size="12" fill="#222">{escape(s.label)}</text>')
    return legend_top + ((len(series) + 1) // 2) * LEGEND_ROW


def _limit_series(runs: list[dict]) -> list[Series]:
    """Issue 10's memory limits at each run's size."""
    return [
        Series("server-limit", "服务进程上限", LIMIT_COLOUR, DOTTED, tuple(
            Point(r["name"], int(r["characters"]), SERVER_BYTES_PER_CHAR * r["characters"] / MB + SERVER_BASE_MB)
            for r in runs)),
        Series("indexing-limit", "建索引上限 2 GB", LIMIT_COLOUR, DOTTED, tuple(
            Point(r["name"], int(r["characters"]), float(MAX_INDEXING_MB)) for r in runs)),
    ]


def _describe(panels: list[tuple[str, str, list[Series]]]) -> str:
    parts = []
    for title, unit, series in panels:
        figures = "；".join(f"{s.label}：" + "，".join(f"{p.run}（{size_label(p.characters)} 字）{_fmt(p.value)}"
                                                     for p in s.points) for s in series if s.points)
        parts.append(f"{title}（{unit}）——{figures}")
    return "。".join(parts) + "。"


def size_chart_svg(runs: list[dict]) -> str:
    """The two panels (p95 latency, memory) for ``runs`` as one SVG document; ``""`` when no run is given."""
    if not runs:
        return ""
    lo, hi = min(r["characters"] for r in runs), max(r["characters"] for r in runs)
    span = (lo / 1.6, hi * 1.6)
    latency = latency_series(runs)
    memory = memory_series(runs)
    limits = _limit_series(runs)
    panels = [("p95 延迟", "毫秒", latency), ("内存", "MB", memory)]
    body: list[str] = []
    y = _panel(body, 44, "p95 延迟（毫秒，对数坐标；进程内，含分面计数与摘要）", "毫秒", latency, span, [])
    y = _panel(body, y + PANEL_GAP, "内存（MB，对数坐标；灰色点线为第 10 号议题的上限）", "MB", memory, span,
               limits)
    height = y + 24
    out = _frame("size-chart", "size-chart", WIDTH, height, "baogao 与线性扫描：p95 延迟和内存随语料规模（字符数）的变化",
                 "横轴为语料字符数（对数坐标）。" + _describe(panels), size=str(WIDTH))
    out.append(f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>')
    out.append(f'<g font-family="{escape(FONT, quote=True)}">')
    out.append(f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold" fill="#111">'
               f'baogao 与线性扫描：p95 延迟和内存随语料规模（字符数，对数坐标）的变化</text>')
    out += body
    out.append(f'<text x="{WIDTH - 8}" y="{height - 8}" text-anchor="end" font-size="10" fill="#777">'
               f'数据：python -m bench（bench/results/，2 核）</text>')
    out.append("</g></svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the size chart of the result files given (``bench/results/bench.json`` by default)."""
    ap = argparse.ArgumentParser(prog="python -m bench.size_chart", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="*", default=[str(DEFAULT_RESULT)])
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    args = ap.parse_args(argv)
    try:
        runs = load_runs([Path(p) for p in args.results])
    except (OSError, ValueError, KeyError) as e:
        print(f"无法读取基准结果：{e}", file=sys.stderr)
        return 2
    if not runs:
        print("基准结果中没有任何运行（runs 为空）", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(size_chart_svg(runs), encoding="utf-8")
    print(f"{out}: {len(runs)} runs ({', '.join(r['name'] for r in runs)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
