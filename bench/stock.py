"""The stock stack everyone copies: Whoosh + jieba's own ChineseAnalyzer, one document per paragraph.

    python bench/stock.py build  INDEX_DIR PARAGRAPHS.jsonl      → JSON: seconds, characters, bytes
    python bench/stock.py query  INDEX_DIR QUERIES.json          → JSON: per query, latency and hit ids

Queries are phrases (quoted, as a user of the stock stack would type them) or AND pairs. This runs in its
own process so that `import jieba.analyse` (which leaks a file handle) and jieba's own logging stay out of
the project's processes.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time


def build(index_dir: str, paragraphs_path: str) -> dict:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    from jieba.analyse import ChineseAnalyzer
    from whoosh import fields, index

    schema = fields.Schema(
        pid=fields.ID(stored=True, unique=True),
        province=fields.ID(stored=True),
        year=fields.NUMERIC(stored=True),
        text=fields.TEXT(stored=True, analyzer=ChineseAnalyzer()),
    )
    shutil.rmtree(index_dir, ignore_errors=True)
    os.makedirs(index_dir)
    rows = [json.loads(line) for line in open(paragraphs_path, encoding="utf-8")]
    chars = sum(len(r["text"]) for r in rows)
    t0 = time.perf_counter()
    ix = index.create_in(index_dir, schema)
    with ix.writer() as w:
        for r in rows:
            w.add_document(pid=r["paragraph_id"], province=r.get("province") or "", year=r.get("year") or 0,
                           text=r["text"])
    secs = time.perf_counter() - t0
    size = sum(os.path.getsize(os.path.join(index_dir, f)) for f in os.listdir(index_dir))
    return {"seconds": secs, "characters": chars, "bytes": size}


def query(index_dir: str, queries_path: str) -> dict:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    from whoosh import index
    from whoosh.qparser import QueryParser

    queries = json.load(open(queries_path, encoding="utf-8"))
    ix = index.open_dir(index_dir)
    out = []
    with ix.searcher() as s:
        parser = QueryParser("text", ix.schema)
        for q in queries[:5]:  # warm up
            s.search(parser.parse(_syntax(q)), limit=10)
        for q in queries:
            parsed = parser.parse(_syntax(q))
            t0 = time.perf_counter()
            results = s.search(parsed, limit=10)
            len(results)  # the total a results page shows
            elapsed = (time.perf_counter() - t0) * 1000
            every = s.search(parsed, limit=None)
            out.append({"q": q, "ms": elapsed, "hits": [h["pid"] for h in every]})
    return {"queries": out}


def _syntax(q: dict) -> str:
    if q["kind"] == "and":
        return " AND ".join(f'"{t}"' for t in q["terms"])
    return f'"{q["terms"][0]}"'


if __name__ == "__main__":
    cmd, a, b = sys.argv[1:4]
    result = build(a, b) if cmd == "build" else query(a, b)
    json.dump(result, sys.stdout, ensure_ascii=False)
