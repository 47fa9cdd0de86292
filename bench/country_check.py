"""A large index checked against the scan on the bench's fixed queries, without the whole bench.

At the country's size (1.5 billion characters) ``python -m bench`` takes hours
(ripgrep's files, DuckDB's table, 300 random phrases). This checks what a
journalist meets first, on an index already built: opening it in a fresh
process (:func:`bench.__main__.cold_open`), and each fixed query of the bench
(:data:`bench.__main__.WORDS`, ``AND_PAIRS``, ``NAMED``) answered in-process with
facets and the first 20 snippets (best of two, after a first run) beside the
linear scan over every search text in memory (the bench's :class:`bench.__main__.Scan`, facet counts
included), with the rows matched compared
with the scan's (``exact``). The index size is set against the display texts'
UTF-8 bytes, as in the bench.

    python -m bench.country_check var/bench/scaled-1.5G-index [--out FILE]

Prints one line per query and writes ``bench/results/country-<index>.json`` (or ``--out``).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from bench.__main__ import AND_PAIRS, NAMED, ROOT, WORDS, Scan, baogao_query, cold_open, dir_bytes, pct, rss_kb
from search.engine import Engine, SearchRequest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("index", help="a built index folder")
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    index_dir = Path(args.index)
    opening = cold_open(index_dir)
    print(f"open {opening['open_seconds']:.2f} s, then 发展 {opening['first_search_ms']:.0f} ms, "
          f"again {opening['second_search_ms']:.0f} ms", flush=True)
    engine = Engine(index_dir)
    snap = engine.snapshot()
    raw = sum(len(t.encode("utf-8")) for t in snap.texts)
    index_bytes = dir_bytes(index_dir / snap.generation)
    scan = Scan(snap)  # the bench's own scan: the search texts in memory, with the facet counts
    queries = [{"kind": "word", "terms": [w]} for w in WORDS] + [{"kind": "and", "terms": list(p)} for p in AND_PAIRS]
    queries += [{"kind": "named", "terms": [p]} for p in NAMED]
    rows = []
    for q in queries:
        request = SearchRequest(q=baogao_query(q), per_page=20)
        engine.search(request)
        best = float("inf")
        for _ in range(2):
            a = time.perf_counter()
            engine.search(request)
            best = min(best, time.perf_counter() - a)
        a = time.perf_counter()
        hits = scan.run(q["terms"])
        scanned = time.perf_counter() - a
        _, matched, _ = engine.matching_rows(SearchRequest(q=baogao_query(q)))
        row = {"query": " ".join(q["terms"]), "kind": q["kind"], "hits": len(hits), "baogao_ms": round(best * 1000, 1),
               "scan_ms": round(scanned * 1000, 1), "ratio": round(best / scanned, 4),
               "exact": bool(np.array_equal(np.asarray(hits, dtype=np.int64), np.sort(matched)))}
        rows.append(row)
        print(f"  {row['query']:12s} {row['hits']:>9,} hits  baogao {row['baogao_ms']:8.1f} ms  "
              f"scan {row['scan_ms']:8.1f} ms  {row['ratio']:.3f}×  {'exact' if row['exact'] else 'NOT EXACT'}",
              flush=True)
    result = {
        "index": str(index_dir), "paragraphs": snap.n, "characters": snap.characters, "raw_utf8_bytes": raw,
        "index_bytes": index_bytes, "size_ratio": round(index_bytes / raw, 3), "cold_open": opening,
        "queries": rows, "all_exact": all(r["exact"] for r in rows),
        "p95_baogao_ms": round(pct([r["baogao_ms"] for r in rows], 95), 1),
        "p95_scan_ms": round(pct([r["scan_ms"] for r in rows], 95), 1),
        "rss_mb_with_the_scans_texts": rss_kb(os.getpid()) // 1024,
        "measured": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    print(f"{snap.n:,} paragraphs, index {result['size_ratio']:.2f}× raw; p95 baogao {result['p95_baogao_ms']} ms, "
          f"scan {result['p95_scan_ms']} ms; exact {sum(r['exact'] for r in rows)}/{len(rows)}")
    out = Path(args.out) if args.out else ROOT / "bench" / "results" / f"country-{index_dir.name}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
