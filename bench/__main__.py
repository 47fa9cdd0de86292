"""The benchmark suite: baogao side by side with what a user would pick instead, in one run.

    python -m bench [--corpus ../shared/corpus] [--sizes 20M] [--random 300] [--skip-stock]
    make bench                      # the same, with the defaults
    make bench SIZES=20M,100M       # add the 100M-character scaled corpus (slow)

For the corpus as it is and for each scaled corpus (the corpus's reports replicated, each copy given another
county and year through ``--meta``, until the size is reached) it measures:

* indexing: wall-clock characters per second of ``baogao index`` (both cores) and of the stock stack (Whoosh +
  jieba's ChineseAnalyzer, one process — measured on the corpus as it is), index size against the raw UTF-8
  text, peak memory of the indexing processes;
* opening: seconds to open the index and load what the query path keeps in memory; server memory (RSS of
  ``baogao serve`` after the HTTP queries);
* queries, warm: single words, two-term AND, the named phrases and N random substrings (2-10 characters of
  indexed text), each answered by the linear scan (``q in text`` over the search texts in memory, plus facet
  counters), ripgrep over the same texts written to files (when ``rg`` is installed), DuckDB's ``contains()``
  over a table of the same texts (2 threads, with the same facet counts and the first 10 ids), the stock stack (on the
  corpus as it is), baogao in-process (with facet counts and the top-20 snippets, as issue 10 asks) and baogao over HTTP
  (``/api/search``). Every latency is also given as a ratio to the scan's p95 in the same run;
* exactness: recall and precision of each system's paragraph sets against the scan.

Prints a table and writes ``bench/results/bench.json``.
"""
from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import platform
import random
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from bench import targets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BAOGAO_CACHE_DIR", str(ROOT / "var" / "cache"))

NAMED = ["项目为王", "高质量发展", "放管服", "营商环境", "乡村振兴", "人民共和国", "新质生产力"]
WORDS = ["发展", "改革", "教育", "就业", "创新", "农业", "环境", "人民"]
AND_PAIRS = [("发展", "改革"), ("营商环境", "优化"), ("乡村振兴", "脱贫"), ("科技", "创新"), ("就业", "收入"),
             ("教育", "医疗")]
CLASSES = ("word", "and", "named", "random")
SYSTEMS = ("scan", "rg", "duckdb", "stock", "baogao", "http")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[max(0, min(len(v) - 1, round(p / 100 * (len(v) - 1))))]


def parse_size(s: str) -> int:
    s = s.strip().upper()
    mult = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}.get(s[-1], 1)
    return int(float(s.rstrip("KMG")) * mult)


def size_label(size: int) -> str:
    """A size as ``--sizes`` writes it: 2M, 20M, 1.5G, 500K."""
    for unit, mult in (("G", 1_000_000_000), ("M", 1_000_000), ("K", 1_000)):
        if size >= mult:
            return f"{size / mult:g}{unit}"
    return str(size)


def run_measured(cmd: list[str], **kw) -> tuple[subprocess.CompletedProcess, float, int]:
    """Run a command; (result, wall seconds, peak RSS in KiB of the largest process it started)."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "sys.stdout.buffer.write(r.stdout)\n"
        "sys.stderr.write(f'\\nPEAK_RSS_KB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
        "sys.exit(r.returncode)\n"
    )
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, **kw)
    secs = time.perf_counter() - t0
    peak = 0
    for line in res.stderr.splitlines():
        if line.startswith("PEAK_RSS_KB="):
            peak = int(line.split("=", 1)[1])
    return res, secs, peak


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# -- corpora ---------------------------------------------------------------------------


def scaled_corpus(engine, size: int, workdir: Path) -> tuple[Path, Path]:
    """Write the engine's reports replicated to ``size`` characters, each copy another county and year."""
    from index.regions import division_table

    out = workdir / f"scaled-{size_label(size)}"
    meta = out / "meta.csv"
    if meta.exists():
        return out, meta
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    table = division_table()
    seen: Counter = Counter(d.name for d in table.divisions if d.level == "county" and 2024 in d.years)
    counties = sorted({(d.name, d.province) for d in table.divisions
                       if d.level == "county" and 2024 in d.years and seen[d.name] == 1})
    reports = [engine.report(r["report_id"]) for r in engine.reports()]
    written = k = 0
    rows = []
    while written < size:
        rec, paras = reports[k % len(reports)]
        name, province = counties[k % len(counties)]
        year = 1990 + (k // len(counties)) % 36 + (k % 7)
        text = f"（第{k}份复本）\n" + "\n".join(p["text"] for p in paras) + "\n"
        fname = f"{k:06d}.txt"
        (out / fname).write_text(text, encoding="utf-8")
        rows.append((fname, name, province, year))
        written += len(text)
        k += 1
    with open(meta, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "region", "province", "year"])
        w.writerows(rows)
    return out, meta


# -- the systems --------------------------------------------------------------------------


class Scan:
    """The linear scan: phrases looked for in every search text held in memory, plus facet counters."""

    def __init__(self, snap):
        # Python strings in a list: the scan a journalist could write. snap.search is a view of the
        # mapped columns file that decodes a text on each access (4x slower at 100M: not the baseline).
        self.texts = list(snap.search)
        self.prov = [snap.coded["province"].labels[c] for c in snap.coded["province"].codes]
        self.years = snap.years.tolist()

    def run(self, terms: list[str]) -> list[int]:
        texts = self.texts
        if len(terms) == 1:
            t0 = terms[0]
            hits = [i for i, t in enumerate(texts) if t0 in t]
        else:
            a, b = terms
            hits = [i for i, t in enumerate(texts) if a in t and b in t]
        Counter(self.prov[i] for i in hits)
        Counter(self.years[i] for i in hits)
        return hits


class DuckScan:
    """DuckDB's ``contains()`` over a table of the same search texts: facet counts and the first ids, 2 threads."""

    def __init__(self, scan: Scan, folder: Path):
        import duckdb

        folder.mkdir(parents=True, exist_ok=True)
        rows = folder / "paragraphs.jsonl"
        with open(rows, "w", encoding="utf-8") as f:
            for i, (t, p, y) in enumerate(zip(scan.texts, scan.prov, scan.years)):
                f.write(json.dumps({"i": i, "text": t, "province": p, "year": y}, ensure_ascii=False) + "\n")
        self.con = duckdb.connect()
        self.con.execute("SET threads = 2")
        self.con.execute("CREATE TABLE p AS SELECT * FROM read_json(?, format = 'newline_delimited', "
                         "columns = {i: 'INTEGER', text: 'VARCHAR', province: 'VARCHAR', year: 'INTEGER'})",
                         [str(rows)])
        rows.unlink()

    def run(self, terms: list[str]) -> None:
        where = " AND ".join("contains(text, ?)" for _ in terms)
        self.con.execute(f"SELECT province, year, count(*) FROM p WHERE {where} "
                         "GROUP BY GROUPING SETS ((province), (year))", terms).fetchall()
        self.con.execute(f"SELECT i FROM p WHERE {where} ORDER BY i LIMIT 10", terms).fetchall()

    def hits(self, terms: list[str]) -> set[int]:
        where = " AND ".join("contains(text, ?)" for _ in terms)
        return {r[0] for r in self.con.execute(f"SELECT i FROM p WHERE {where}", terms).fetchall()}

    def close(self) -> None:
        self.con.close()


def write_rg_files(snap, folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    by_report: dict[int, list[str]] = {}
    for i, code in enumerate(snap.report.codes.tolist()):
        by_report.setdefault(code, []).append(snap.search[i].replace("\n", " "))
    for code, lines in by_report.items():
        (folder / f"{code}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def rg_count(folder: Path, phrase: str) -> int:
    r = subprocess.run(["rg", "-F", "-c", "--no-filename", "--", phrase, str(folder)], capture_output=True, text=True)
    return sum(int(x) for x in r.stdout.split())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index_dir: Path, preexec_fn=None) -> tuple[subprocess.Popen, int]:
    """``baogao serve`` on a free port, once it answers (``preexec_fn`` runs in the child first)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "baogao.py"), "serve", "--index", str(index_dir),
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=preexec_fn)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/api/search?q=%E5%8F%91%E5%B1%95&per_page=1")
            if c.getresponse().status == 200:
                c.close()
                return proc, port
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not start")


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    """A process's resident memory in KiB: ``VmRSS`` (all), ``RssAnon`` (its own) or ``RssFile`` (mapped files)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


COLD_OPEN = """
import json, sys, time
from search.engine import Engine, SearchRequest
t0 = time.perf_counter()
engine = Engine(sys.argv[1])
t1 = time.perf_counter()
engine.search(SearchRequest(q=sys.argv[2], per_page=20))
t2 = time.perf_counter()
engine.search(SearchRequest(q=sys.argv[2], per_page=20))
t3 = time.perf_counter()
print(json.dumps({"open": t1 - t0, "first": t2 - t1, "second": t3 - t2}))
"""


def cold_open(index_dir: Path, query: str = "发展") -> dict:
    """Opening the index in a fresh process (``Engine()``: the generation and jieba's dictionary; the
    imports before it not counted), then the same search twice: seconds and milliseconds."""
    res = subprocess.run([sys.executable, "-c", COLD_OPEN, str(index_dir), query], cwd=ROOT, capture_output=True,
                         text=True, timeout=600, check=True)
    t = json.loads(res.stdout.strip().splitlines()[-1])
    return {"open_seconds": round(t["open"], 3), "first_search_ms": round(t["first"] * 1000, 1),
            "second_search_ms": round(t["second"] * 1000, 1), "query": query}


# -- one corpus ----------------------------------------------------------------------------


def make_queries(texts: list[str], n_random: int, seed: int = 42) -> list[dict]:
    qs = [{"kind": "word", "terms": [w]} for w in WORDS]
    qs += [{"kind": "and", "terms": list(p)} for p in AND_PAIRS]
    qs += [{"kind": "named", "terms": [p]} for p in NAMED]
    rng = random.Random(seed)
    picked = 0
    while picked < n_random:
        t = texts[rng.randrange(len(texts))]
        n = rng.randint(2, 10)
        if len(t) < n:
            continue
        s = rng.randrange(len(t) - n + 1)
        q = t[s:s + n]
        if q.strip() != q or not q or '"' in q or " " in q:
            continue
        qs.append({"kind": "random", "terms": [q]})
        picked += 1
    return qs


def tally(exact: dict[str, list[int]], system: str, got: set[str], truth: set[str]) -> None:
    """Add one query's answer to a system's exactness counts (found of truth, truth size, returned)."""
    e = exact.setdefault(system, [0, 0, 0])
    e[0] += len(got & truth)
    e[1] += len(truth)
    e[2] += len(got)


def indexing_file(index_dir: Path) -> Path:
    """Where a build's indexing figures are kept beside its index, for later ``--reuse-index`` runs."""
    return index_dir.with_name(index_dir.name + "-figures.json")


def previous_indexing(index_dir: Path, result_file: Path, name: str) -> dict:
    """The indexing figures of the build that made ``index_dir`` (``--reuse-index`` does not build), marked
    with ``measured`` (when that build was): kept beside the index by the run that built it, and taken only
    while the index's bytes are still those it measured; else those of the run ``name`` in an earlier result
    file (a workdir from before the figures were kept); empty when there are none."""
    try:
        kept = json.loads(indexing_file(index_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = None
    if kept is not None:
        gen = index_dir / (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
        return {"baogao": kept} if kept.get("index_bytes") == dir_bytes(gen) else {}
    try:
        result = json.loads(result_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    for run in result.get("runs", []):
        if run.get("name") == name:
            return {system: {**figures, "measured": figures.get("measured") or result.get("when")}
                    for system, figures in (run.get("indexing") or {}).items()}
    return {}


def baogao_query(q: dict) -> str:
    return " ".join(f'"{t}"' for t in q["terms"])


def measure(name: str, paths: list[str], meta: Path | None, workdir: Path, args, *, stock: bool, over_http: bool) -> dict:
    from search.engine import Engine, SearchRequest

    index_dir = workdir / f"{name}-index"
    reuse = args.reuse_index and (index_dir / "CURRENT").exists()
    if reuse:  # queries only: the indexing figures are not measured in this run
        print(f"[{name}] reusing {index_dir}", file=sys.stderr, flush=True)
    else:
        shutil.rmtree(index_dir, ignore_errors=True)
        cmd = [sys.executable, str(ROOT / "baogao.py"), "index", "--index", str(index_dir), "--json"]
        if meta:
            cmd += ["--meta", str(meta)]
        print(f"[{name}] baogao index …", file=sys.stderr, flush=True)
        res, secs, peak = run_measured(cmd + paths)
        summary = json.loads(res.stdout.strip().splitlines()[-1])
    opening = cold_open(index_dir)
    engine = Engine(index_dir)
    snap = engine.snapshot()
    raw_bytes = sum(len(t.encode("utf-8")) for t in snap.texts)
    chars = sum(len(t) for t in snap.texts)
    gen = index_dir / snap.generation
    out: dict = {
        "name": name,
        "paragraphs": snap.n,
        "characters": chars,
        "raw_utf8_bytes": raw_bytes,
        "indexing": previous_indexing(index_dir, Path(args.out), name) if reuse else {
            "baogao": {"seconds": round(secs, 2), "characters": summary["characters"],
                       "chars_per_second": round(summary["characters"] / secs), "peak_rss_mb": round(peak / 1024),
                       "index_bytes": dir_bytes(gen), "size_ratio": round(dir_bytes(gen) / raw_bytes, 3)},
        },
        "open_seconds": opening["open_seconds"],
        "cold_open": opening,
    }
    if not reuse:
        kept = {**out["indexing"]["baogao"], "measured": time.strftime("%Y-%m-%d %H:%M:%S")}
        indexing_file(index_dir).write_text(json.dumps(kept, indent=1), encoding="utf-8")
    queries = make_queries(snap.search, args.random)
    scan = Scan(snap)
    for q in queries[:20]:
        scan.run(q["terms"])
        engine.search(SearchRequest(q=baogao_query(q), per_page=20))

    times: dict[str, dict[str, list[float]]] = {s: {c: [] for c in CLASSES} for s in SYSTEMS}
    truth: list[set[str]] = []
    exact: dict[str, list[int]] = {}  # per system: hits found of truth, truth size, returned
    print(f"[{name}] {len(queries)} queries: scan and baogao …", file=sys.stderr, flush=True)
    for q in queries:
        hits = scan.run(q["terms"])
        truth_ids = {snap.paragraph_ids[i] for i in hits}
        truth.append(truth_ids)
        page = engine.search(SearchRequest(q=baogao_query(q), per_page=1000))
        got = {h.paragraph_id for h in (engine.matching_paragraphs(SearchRequest(q=baogao_query(q)))
                                        if page.total > 1000 else page.hits)}
        tally(exact, "baogao", got, truth_ids)
        for _ in range(args.repeat):
            a = time.perf_counter()
            scan.run(q["terms"])
            b = time.perf_counter()
            engine.search(SearchRequest(q=baogao_query(q), per_page=20))
            c = time.perf_counter()
            times["scan"][q["kind"]].append((b - a) * 1000)
            times["baogao"][q["kind"]].append((c - b) * 1000)

    if shutil.which("rg"):
        print(f"[{name}] ripgrep …", file=sys.stderr, flush=True)
        folder = workdir / f"{name}-rg"
        write_rg_files(snap, folder)
        for q in queries:
            if q["kind"] == "and":
                continue
            a = time.perf_counter()
            rg_count(folder, q["terms"][0])
            times["rg"][q["kind"]].append((time.perf_counter() - a) * 1000)
        shutil.rmtree(folder, ignore_errors=True)

    print(f"[{name}] DuckDB …", file=sys.stderr, flush=True)
    duck = DuckScan(scan, workdir / f"{name}-duckdb")
    for q, t in zip(queries, truth):
        tally(exact, "duckdb", {snap.paragraph_ids[i] for i in duck.hits(q["terms"])}, t)
        for _ in range(args.repeat):
            a = time.perf_counter()
            duck.run(q["terms"])
            times["duckdb"][q["kind"]].append((time.perf_counter() - a) * 1000)
    duck.close()

    if stock:
        print(f"[{name}] stock stack: index and queries …", file=sys.stderr, flush=True)
        para_file = workdir / f"{name}-paragraphs.jsonl"
        with open(para_file, "w", encoding="utf-8") as f:
            for i in range(snap.n):
                f.write(json.dumps({"paragraph_id": snap.paragraph_ids[i], "text": snap.texts[i],
                                    "province": scan.prov[i], "year": scan.years[i]}, ensure_ascii=False) + "\n")
        stock_dir = workdir / f"{name}-stock-index"
        res, ssecs, speak = run_measured([sys.executable, str(ROOT / "bench" / "stock.py"), "build", str(stock_dir),
                                          str(para_file)])
        built = json.loads(res.stdout)
        out["indexing"]["stock"] = {"seconds": round(built["seconds"], 2), "characters": built["characters"],
                                    "chars_per_second": round(built["characters"] / built["seconds"]),
                                    "peak_rss_mb": round(speak / 1024), "index_bytes": built["bytes"],
                                    "size_ratio": round(built["bytes"] / raw_bytes, 3)}
        qfile = workdir / f"{name}-queries.json"
        qfile.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
        res = subprocess.run([sys.executable, str(ROOT / "bench" / "stock.py"), "query", str(stock_dir), str(qfile)],
                             capture_output=True, text=True)
        answered = json.loads(res.stdout)["queries"]
        for q, a, t in zip(queries, answered, truth):
            times["stock"][q["kind"]].append(a["ms"])
            tally(exact, "stock", set(a["hits"]), t)
        para_file.unlink()
        shutil.rmtree(stock_dir, ignore_errors=True)

    if over_http:
        print(f"[{name}] baogao over HTTP …", file=sys.stderr, flush=True)
        proc, port = start_server(index_dir)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

            def get(q):
                conn.request("GET", f"/api/search?q={quote(baogao_query(q))}&per_page=10")
                r = conn.getresponse()
                r.read()
                return r.status

            for q in queries[:20]:
                get(q)
            for q in queries:
                for _ in range(args.repeat):
                    a = time.perf_counter()
                    status = get(q)
                    times["http"][q["kind"]].append((time.perf_counter() - a) * 1000)
                    assert status == 200, status
            out["server_rss_mb"] = round(rss_kb(proc.pid) / 1024)
            out["server_rss_anon_mb"] = round(rss_kb(proc.pid, "RssAnon") / 1024)
            out["server_rss_file_mb"] = round(rss_kb(proc.pid, "RssFile") / 1024)
            from bench.load_test import server_memory

            memory = server_memory(proc.pid)  # every process of baogao serve, shared pages split between them
            out["server_pss_mb"] = round(memory.pss_kb / 1024) if memory else None
            conn.close()
        finally:
            proc.terminate()
            proc.wait(10)

    scan_p95 = {c: pct(times["scan"][c], 95) for c in CLASSES}
    all_scan = [x for c in CLASSES for x in times["scan"][c]]
    latency = {}
    for s in SYSTEMS:
        row = {}
        for c in CLASSES:
            v = times[s][c]
            if v:
                row[c] = {"p50": round(pct(v, 50), 3), "p95": round(pct(v, 95), 3),
                          "p95_vs_scan": round(pct(v, 95) / scan_p95[c], 3)}
        allv = [x for c in CLASSES for x in times[s][c]]
        if allv:
            row["all"] = {"p50": round(pct(allv, 50), 3), "p95": round(pct(allv, 95), 3),
                          "p95_vs_scan": round(pct(allv, 95) / pct(all_scan, 95), 3)}
            latency[s] = row
    phrase = {s: [x for c in ("named", "random") for x in times[s][c]] for s in SYSTEMS}
    scan_phrase_p95 = pct(phrase["scan"], 95)
    out["phrase_p95_vs_scan"] = {s: round(pct(v, 95) / scan_phrase_p95, 3) for s, v in phrase.items() if v}
    out["latency_ms"] = latency
    out["exactness"] = {s: {"recall": round(e[0] / e[1], 4) if e[1] else 1.0,
                            "precision": round(e[0] / e[2], 4) if e[2] else 1.0} for s, e in exact.items()}
    if "stock" in out["indexing"] and "baogao" in out["indexing"]:
        out["indexing_speedup_vs_stock"] = round(out["indexing"]["baogao"]["chars_per_second"]
                                                 / out["indexing"]["stock"]["chars_per_second"], 2)
        out["phrase_p95_speedup_vs_stock"] = round(pct(phrase["stock"], 95) / pct(phrase["baogao"], 95), 1)
    engine.close()
    if over_http:
        snap = engine = scan = page = None  # noqa: F841 (their maps would keep the index's pages cached, uncharged)
        out["server_in_limit"] = server_in_limit(name, index_dir, queries, [len(t) for t in truth],
                                                 pct(all_scan, 95), chars, args.repeat)
    return out


def server_in_limit(name: str, index_dir: Path, queries: list[dict], truth: list[int], scan_p95: float,
                    chars: int, repeat: int) -> dict | None:
    """``baogao serve`` answering the queries inside a cgroup limited to the server memory target, the page
    cache it reads charged to it (:mod:`bench.server_memory`); None where no cgroup can be made."""
    from bench import server_memory

    limit = server_memory.limit_for(chars)
    print(f"[{name}] baogao over HTTP inside {limit} MB …", file=sys.stderr, flush=True)
    try:
        return server_memory.run_in_group(index_dir, queries, truth, scan_p95, repeat, limit)
    except server_memory.CgroupUnavailable as exc:
        print(f"[{name}] not measured: {exc}", file=sys.stderr, flush=True)
        return None


def print_table(runs: list[dict]) -> None:
    for r in runs:
        print(f"\n== {r['name']}: {r['paragraphs']:,} paragraphs, {r['characters']:,} characters "
              f"({r['raw_utf8_bytes'] / 1e6:.1f} MB UTF-8)")
        ix = r["indexing"]
        for s, v in ix.items():
            print(f"  indexing {s:<7} {v['chars_per_second']:>9,} chars/s  {v['seconds']:>7.1f} s  "
                  f"index {v['size_ratio']:.2f}× raw  peak RSS {v['peak_rss_mb']} MB"
                  + (f"  (built in the run of {v['measured']})" if v.get("measured") else ""))
        if "indexing_speedup_vs_stock" in r:
            print(f"  indexing speed vs stock: {r['indexing_speedup_vs_stock']}×")
        cold = r.get("cold_open") or {}
        print(f"  open index + load query state (fresh process): {r['open_seconds']:.2f} s"
              + (f", then {cold['query']} {cold['first_search_ms']:.0f} ms, again {cold['second_search_ms']:.0f} ms"
                 if cold else "")
              + (f"; server RSS {r['server_rss_mb']} MB" if "server_rss_mb" in r else "")
              + (f" ({r['server_rss_anon_mb']} MB its own, {r['server_rss_file_mb']} MB mapped index files)"
                 if "server_rss_anon_mb" in r else "")
              + (f", PSS of all its processes {r['server_pss_mb']} MB" if r.get("server_pss_mb") else ""))
        if r.get("server_in_limit"):
            from bench.server_memory import describe

            print("  server in a cgroup, the page cache it reads counted: " + describe("", r["server_in_limit"]).strip())
        print(f"  {'latency ms (p50 / p95)':<26}" + "".join(f"{c:>18}" for c in CLASSES + ("all",)))
        for s, row in r["latency_ms"].items():
            cells = "".join(f"{row[c]['p50']:>8.2f} /{row[c]['p95']:>8.2f}" if c in row else f"{'—':>18}"
                            for c in CLASSES + ("all",))
            print(f"  {s:<26}{cells}")
        print("  phrase p95 vs scan p95: " + ", ".join(f"{s} {v}×" for s, v in r["phrase_p95_vs_scan"].items()))
        if "phrase_p95_speedup_vs_stock" in r:
            print(f"  phrase p95: baogao {r['phrase_p95_speedup_vs_stock']}× faster than stock")
        print("  exactness vs scan: " + ", ".join(f"{s} recall {v['recall']:.3f} precision {v['precision']:.3f}"
                                                  for s, v in r["exactness"].items()))
        if "targets" in r:
            print(targets.format_rows(r["name"], targets.target_rows(r)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--sizes", default="20M", help="scaled corpus sizes, comma-separated (e.g. 20M,100M; '' for none)")
    ap.add_argument("--random", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-stock", action="store_true")
    ap.add_argument("--reuse-index", action="store_true",
                    help="answer the queries on an index already built in --workdir (indexing not measured: "
                         "the figures of the build that made it are reported, kept beside it)")
    ap.add_argument("--workdir", default=str(ROOT / "var" / "bench"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "bench.json"))
    args = ap.parse_args(argv)
    if not Path(args.corpus).exists():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    runs = [measure("corpus", [args.corpus], Path(args.corpus) / "manifest.csv", workdir, args,
                    stock=not args.skip_stock, over_http=True)]
    from search.engine import Engine

    base = Engine(workdir / "corpus-index")
    for size in [parse_size(s) for s in args.sizes.split(",") if s.strip()]:
        folder, meta = scaled_corpus(base, size, workdir)
        label = f"scaled-{size_label(size)}"
        runs.append(measure(label, [str(folder)], meta, workdir, args, stock=False, over_http=True))
    base.close()
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "minutes": round((time.time() - started) / 60, 1),
        "runs": runs,
    }
    targets.attach_incremental(targets.scaled_runs({"runs": runs}))
    for run in targets.scaled_runs({"runs": runs}):
        run["targets"] = targets.rows_json(targets.target_rows(run))
    print_table(runs)
    print(f"\n(total {result['minutes']} min)")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
