"""Phrase search on a real corpus: baogao against a linear scan, in one run.

    python bench/search_latency.py [CORPUS] [--index DIR] [--random N]

Indexes CORPUS (default ../shared/corpus) into DIR (default var/bench/corpus-index) unless DIR already
holds an index, then times, warm and in-process:

* baogao: ``Engine.search`` with facet counts and the top-10 snippets, as the API answers;
* the scan: ``[i for i, t in enumerate(texts) if q in t]`` over the same search texts in memory, plus
  a Counter of provinces and years (the facets a scan would give).

Queries: the named phrases of the issue and N random substrings (2-10 characters) of indexed text.
Recall and precision are measured against the scan. Prints a table, writes
bench/results/search_latency.json. Every timing is also given as a ratio to the scan in this run.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BAOGAO_CACHE_DIR", str(ROOT / "var" / "cache"))

NAMED = ["项目为王", "高质量发展", "放管服", "营商环境", "乡村振兴", "人民共和国", "新质生产力"]


def pct(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--index", default=str(ROOT / "var" / "bench" / "corpus-index"))
    ap.add_argument("--random", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=5, help="timed runs of each query")
    args = ap.parse_args(argv)

    from index.normalise import query_variants
    from index.writer import IndexStore
    from search.engine import Engine, SearchRequest

    index_dir = Path(args.index)
    if not IndexStore(index_dir).exists():
        print(f"indexing {args.corpus} into {index_dir} …", file=sys.stderr)
        subprocess.run([sys.executable, str(ROOT / "baogao.py"), "index", "--index", str(index_dir), args.corpus],
                       check=False)
    t0 = time.perf_counter()
    engine = Engine(index_dir)
    open_s = time.perf_counter() - t0
    snap = engine._snapshot()
    texts = snap.search
    prov = [snap.cols["province"].labels[c] for c in snap.cols["province"].codes]
    years = snap.year.tolist()
    chars = sum(len(t) for t in texts)

    rng = random.Random(42)
    queries = list(NAMED)
    while len(queries) < len(NAMED) + args.random:
        t = texts[rng.randrange(len(texts))]
        n = rng.randint(2, 10)
        if len(t) < n:
            continue
        s = rng.randrange(len(t) - n + 1)
        q = t[s:s + n].strip()
        if q and '"' not in q:
            queries.append(q)

    def scan(q):
        vs = query_variants(q)
        hits = [i for i, t in enumerate(texts) if any(v in t for v in vs)]
        Counter(prov[i] for i in hits)
        Counter(years[i] for i in hits)
        return hits

    def baogao(q):
        return engine.search(SearchRequest(q=f'"{q}"', per_page=10))

    for q in queries[:20]:  # warm up both
        scan(q)
        baogao(q)

    recall_ok = precision_ok = 0
    t_scan, t_bao = [], []
    for q in queries:
        truth = {snap.pids[i] for i in scan(q)}
        page = engine.search(SearchRequest(q=f'"{q}"', per_page=1000))
        got = {h.paragraph_id for h in engine.matching_paragraphs(SearchRequest(q=f'"{q}"'))} if page.total > 1000 else {h.paragraph_id for h in page.hits}
        recall_ok += truth <= got
        precision_ok += got <= truth
        for _ in range(args.repeat):
            a = time.perf_counter()
            scan(q)
            b = time.perf_counter()
            baogao(q)
            c = time.perf_counter()
            t_scan.append((b - a) * 1000)
            t_bao.append((c - b) * 1000)

    named_rows = []
    for q in NAMED:
        page = baogao(q)
        named_rows.append({"query": q, "hits": page.total, "took_ms": round(page.took_ms, 3)})

    result = {
        "corpus": args.corpus,
        "paragraphs": snap.n,
        "characters": chars,
        "queries": len(queries),
        "open_seconds": round(open_s, 3),
        "recall": recall_ok / len(queries),
        "precision": precision_ok / len(queries),
        "scan_ms": {"p50": round(pct(t_scan, 50), 3), "p95": round(pct(t_scan, 95), 3)},
        "baogao_ms": {"p50": round(pct(t_bao, 50), 3), "p95": round(pct(t_bao, 95), 3)},
        "ratio_p95": round(pct(t_bao, 95) / pct(t_scan, 95), 3),
        "ratio_p50": round(pct(t_bao, 50) / pct(t_scan, 50), 3),
        "named": named_rows,
    }
    print(f"corpus {args.corpus}: {snap.n:,} paragraphs, {chars:,} characters; index opened in {open_s:.2f} s")
    print(f"{len(queries)} phrase queries ({len(NAMED)} named + {args.random} random), {args.repeat} runs each")
    print(f"{'':24}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'linear scan':24}{result['scan_ms']['p50']:>10.2f}{result['scan_ms']['p95']:>10.2f}")
    print(f"{'baogao (facets+snippets)':24}{result['baogao_ms']['p50']:>10.2f}{result['baogao_ms']['p95']:>10.2f}")
    print(f"ratio to scan: p50 {result['ratio_p50']}×, p95 {result['ratio_p95']}×; "
          f"recall {result['recall']:.3f}, precision {result['precision']:.3f}")
    for row in named_rows:
        print(f"  {row['query']:<8} {row['hits']:>6} hits  {row['took_ms']:.2f} ms")
    out = ROOT / "bench" / "results" / "search_latency.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
