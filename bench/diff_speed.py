"""How long the "what is new this year" comparison takes, and what it lists, on the corpus.

For every report of the corpus's series (驻马店市, the national reports, 海拉尔区, 湖南省) that has an
earlier report of its region, :func:`search.diff.report_diff` is timed twice: *cold* (the phrase
caches emptied first: jieba cuts both reports, every new phrase is looked up in the index) and
*warm* (a second view of the same page). It prints p50 / p95 / max for both and the top new and
dropped phrases of a few pairs, and writes ``bench/results/diff_speed.json``.

    .venv/bin/python bench/diff_speed.py [INDEX_DIR]

builds ``var/bench/corpus-index`` from ``../shared/corpus`` (with the manifest as ``--meta``)
when it is missing.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.targets_precision import DEFAULT_INDEX, _ensure_index  # noqa: E402

OUT = ROOT / "bench" / "results" / "diff_speed.json"
SHOWN = ("2024-河南省-驻马店市", "2022-河南省-驻马店市", "2018-全国", "2017-全国", "2025-湖南省")
TOP = 12


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str]) -> int:
    from search.diff import clear_caches, previous_report, report_diff
    from search.engine import Engine

    index_dir = Path(argv[0]) if argv else DEFAULT_INDEX
    _ensure_index(index_dir)
    engine = Engine(index_dir)
    series = ("河南省驻马店市", "全国", "内蒙古自治区呼伦贝尔市海拉尔区", "湖南省")
    reports = [r["report_id"] for r in engine.reports() if r.get("region_display") in series
               and previous_report(engine, r["report_id"]) is not None]
    cold, warm, listed = [], [], {}
    for rid in reports:
        clear_caches()
        t0 = time.perf_counter()
        d = report_diff(engine, rid)
        t1 = time.perf_counter()
        report_diff(engine, rid)
        t2 = time.perf_counter()
        cold.append((t1 - t0) * 1000)
        warm.append((t2 - t1) * 1000)
        if rid in SHOWN:
            listed[rid] = {
                "previous": d.previous["report_id"],
                "new_listed": len(d.new_phrases),
                "new_more": d.new_more,
                "dropped_listed": len(d.dropped_phrases),
                "dropped_more": d.dropped_more,
                "new": [p.text for p in d.new_phrases[:TOP]],
                "dropped": [p.text for p in d.dropped_phrases[:TOP]],
                "targets": [f"{t.indicator} {t.current.display if t.current else '—'} ← "
                            f"{t.previous.display if t.previous else '—'} {t.label}" for t in d.targets],
                "rewritten": len(d.rewritten),
                "cold_ms": round(cold[-1], 1),
            }
    result = {
        "index": str(index_dir),
        "reports": len(reports),
        "cold_ms": {"p50": round(statistics.median(cold), 1), "p95": round(_quantile(cold, 0.95), 1),
                    "max": round(max(cold), 1)},
        "warm_ms": {"p50": round(statistics.median(warm), 1), "p95": round(_quantile(warm, 0.95), 1),
                    "max": round(max(warm), 1)},
        "pairs": listed,
    }
    print(f"{len(reports)} reports with an earlier report of their region")
    print(f"cold (caches emptied): p50 {result['cold_ms']['p50']} ms, p95 {result['cold_ms']['p95']} ms, "
          f"max {result['cold_ms']['max']} ms")
    print(f"warm (second view):    p50 {result['warm_ms']['p50']} ms, p95 {result['warm_ms']['p95']} ms, "
          f"max {result['warm_ms']['max']} ms")
    for rid, pair in listed.items():
        print(f"\n{rid} against {pair['previous']} ({pair['cold_ms']} ms cold): "
              f"{pair['new_listed']}{'+' if pair['new_more'] else ''} new, "
              f"{pair['dropped_listed']}{'+' if pair['dropped_more'] else ''} dropped, {pair['rewritten']} rewritten")
        print("  new:     " + " · ".join(pair["new"]))
        print("  dropped: " + " · ".join(pair["dropped"]))
        for t in pair["targets"]:
            print("  target:  " + t)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
