"""Load test: ``baogao serve`` on 127.0.0.1 under concurrent clients, for a bounded time.

Vocabulary:

* the **server** is a real ``baogao serve`` subprocess (waitress) on a free
  port of 127.0.0.1, over ``--index`` or over an index of ``data/sample``
  built first into a temporary folder;
* a **client** is a thread with its own keep-alive HTTP connection, sending
  requests from the **mix** one after another: the search page, the JSON API,
  the report reader with hits marked, permalinks (a 302) and the CSV and JSON
  exports. Each request kind has its own latency list;
* an **error** is any answer other than the expected status, or no answer;
* the server's **memory** counts every process of ``baogao serve`` (with
  ``--workers N``, gunicorn's master and its N workers; :func:`server_memory`):
  **RSS** sums their resident memory (``VmRSS``), so pages they share are
  counted once per process; **PSS** sums ``Pss`` from ``/proc/<pid>/smaps_rollup``,
  which splits a shared page between the processes sharing it: the memory the
  server really takes. Sampled every half second. *Growth after warm-up*
  compares the median of the last fifth of the run with the median just after
  warm-up.

The run stops by itself: after ``--seconds`` or ``--requests`` requests,
whichever comes first. Results go to stdout and ``bench/results/load_test.json``.

    .venv/bin/python bench/load_test.py                    # 16 clients, 60 s, the sample
    .venv/bin/python bench/load_test.py --clients 4 --seconds 10 --index var/index
    .venv/bin/python bench/load_test.py --workers 2 --index var/index   # gunicorn, 2 worker processes
"""
from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from web.server import DEFAULT_THREADS

log = logging.getLogger("bench.load_test")

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "load_test.json"

QUERIES = ["发展", "项目为王", "营商环境", "乡村振兴 OR 共同富裕", "改革 -疫情", "province:河北 发展", "year:2021-2024 高质量发展",
           "放管服", "的", "(项目 OR 投资) 招商", "\"互联网+\"", "NOT 经济"]
#: kind → share of requests
MIX = {"search_page": 30, "api_search": 25, "reader": 20, "permalink": 10, "export_csv": 8, "export_json": 7}


class LoadTestError(Exception):
    """The server could not be started or did not answer at all."""


@dataclass
class Tally:
    """Latencies (ms) and errors of one request kind."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        lat = sorted(self.latencies)

        def pct(p: float) -> float | None:
            if not lat:
                return None
            return round(lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))], 2)

        return {"requests": len(lat) + len(self.errors), "errors": len(self.errors), "p50_ms": pct(50),
                "p95_ms": pct(95), "p99_ms": pct(99), "max_ms": round(lat[-1], 2) if lat else None,
                "error_examples": self.errors[:5]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class ServerMemory:
    """The memory of a server's processes, in KiB (see the module docstring)."""

    processes: int
    rss_kb: int
    pss_kb: int


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _rollup_kb(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def server_memory(pid: int) -> ServerMemory | None:
    """RSS and PSS summed over process ``pid`` and its descendants (None once it has gone)."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo.extend(_children(p))
    rss = pss = alive = 0
    for p in pids:
        try:
            rss += _rollup_kb(p, "Rss")
            pss += _rollup_kb(p, "Pss")
            alive += 1
        except OSError:
            continue
    return ServerMemory(alive, rss, pss) if alive else None


def build_sample_index(folder: Path) -> Path:
    idx = folder / "index"
    subprocess.run([sys.executable, str(ROOT / "baogao.py"), "index", "--index", str(idx), str(ROOT / "data" / "sample")],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    return idx


def start_server(index: Path, port: int, threads: int, workers: int = 1) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "baogao.py"), "serve", "--index", str(index), "--host", "127.0.0.1",
         "--port", str(port), "--threads", str(threads), "--workers", str(workers)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LoadTestError(f"baogao serve 启动失败（退出码 {proc.returncode}）")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            status, _ = fetch(conn, "/api/stats")
            if status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    stop_server(proc)
    raise LoadTestError("baogao serve 60 秒内没有应答")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def fetch(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Accept-Encoding": "identity"})
    r = conn.getresponse()
    return r.status, r.read()


def targets(port: int) -> tuple[list[str], list[str]]:
    """Report ids and paragraph ids to read, from the API."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        _, body = fetch(conn, "/api/reports")
        rids = [r["report_id"] for r in json.loads(body)]
        pids: list[str] = []
        for rid in rids[:10]:
            _, body = fetch(conn, "/api/reports/" + quote(rid))
            pids += [p["paragraph_id"] for p in json.loads(body)["paragraphs"][:20]]
    finally:
        conn.close()
    if not rids or not pids:
        raise LoadTestError("索引是空的：没有可读的报告")
    return rids, pids


def request_for(kind: str, rng: random.Random, rids: list[str], pids: list[str]) -> tuple[str, int]:
    """(path, expected status) of one request of ``kind``."""
    q = quote(rng.choice(QUERIES))
    if kind == "search_page":
        if rng.choice([1, 1, 1, 2]) == 2:  # page 2 exists for 发展, which every report uses (a page past the end is 400)
            return f"/search?q={quote('发展')}&page=2", 200
        return f"/search?q={q}", 200
    if kind == "api_search":
        return f"/api/search?q={q}&per_page={rng.choice([20, 100])}", 200
    if kind == "reader":
        return f"/r/{quote(rng.choice(rids))}?q={q}", 200
    if kind == "permalink":
        return f"/p/{rng.choice(pids)}", 302
    if kind == "export_csv":
        return f"/search.csv?q={q}", 200
    return f"/search.json?q={q}", 200


def run(args) -> dict:
    """Start the server, load it, stop it; the results as a dict."""
    tmp = None
    index = Path(args.index) if args.index else None
    if index is None:
        tmp = tempfile.TemporaryDirectory(prefix="baogao-load-")
        index = build_sample_index(Path(tmp.name))
    port = free_port()
    server = start_server(index, port, args.threads, args.workers)
    try:
        rids, pids = targets(port)
        tallies = {k: Tally() for k in MIX}
        lock = threading.Lock()
        sent = [0]
        t_start = time.monotonic()
        t_end = t_start + args.seconds
        rss: list[tuple[float, int]] = []
        pss: list[tuple[float, int]] = []
        processes = [0]
        stop = threading.Event()

        def sample_rss():
            while not stop.is_set() and time.monotonic() < t_end + 5:
                mem = server_memory(server.pid)
                if mem:
                    now = round(time.monotonic() - t_start, 2)
                    rss.append((now, mem.rss_kb))
                    pss.append((now, mem.pss_kb))
                    processes[0] = max(processes[0], mem.processes)
                stop.wait(0.5)

        def client(n: int):
            rng = random.Random(n)
            kinds = list(MIX)
            weights = [MIX[k] for k in kinds]
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                while time.monotonic() < t_end:
                    with lock:
                        if sent[0] >= args.requests:
                            return
                        sent[0] += 1
                    kind = rng.choices(kinds, weights)[0]
                    path, expected = request_for(kind, rng, rids, pids)
                    t0 = time.perf_counter()
                    try:
                        status, _ = fetch(conn, path)
                    except (OSError, http.client.HTTPException) as exc:
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                        with lock:
                            tallies[kind].errors.append(f"{path}: {exc!r}")
                        continue
                    ms = (time.perf_counter() - t0) * 1000
                    with lock:
                        if status == expected:
                            tallies[kind].latencies.append(ms)
                        else:
                            tallies[kind].errors.append(f"{path}: HTTP {status}")
            finally:
                conn.close()

        sampler = threading.Thread(target=sample_rss, daemon=True)
        sampler.start()
        clients = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(args.clients)]
        for t in clients:
            t.start()
        for t in clients:
            t.join(args.seconds + 60)
        elapsed = time.monotonic() - t_start
        stop.set()
        sampler.join(5)
    finally:
        stop_server(server)
        if tmp is not None:
            tmp.cleanup()

    everything = Tally([x for t in tallies.values() for x in t.latencies], [e for t in tallies.values() for e in t.errors])
    total = everything.summary()
    return {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "index": "data/sample" if args.index is None else str(args.index),
        "clients": args.clients,
        "server_workers": args.workers,
        "server_threads": args.threads,
        "server_processes": processes[0],
        "seconds": round(elapsed, 1),
        "requests": total["requests"],
        "errors": total["errors"],
        "requests_per_second": round(total["requests"] / elapsed, 1) if elapsed else None,
        "latency_ms": {k: v for k, v in total.items() if k.endswith("_ms")},
        "by_kind": {k: t.summary() for k, t in tallies.items()},
        "rss_mb": memory_summary(rss, min(args.warmup, args.seconds / 3)),
        "pss_mb": memory_summary(pss, min(args.warmup, args.seconds / 3)),
        "machine": {"cpus": os.cpu_count()},
    }


def memory_summary(samples: list[tuple[float, int]], warmup: float) -> dict:
    """After warm-up, at the end, growth and maximum (MB) of (seconds, KiB) samples."""
    warm = [kb for t, kb in samples if t >= warmup]
    early = warm[: max(1, len(warm) // 5)] if warm else []
    late = warm[-max(1, len(warm) // 5):] if warm else []
    growth_mb = (statistics.median(late) - statistics.median(early)) / 1024 if warm else None
    return {
        "after_warmup": round(statistics.median(early) / 1024, 1) if early else None,
        "at_end": round(statistics.median(late) / 1024, 1) if late else None,
        "growth_after_warmup": round(growth_mb, 1) if growth_mb is not None else None,
        "max": round(max(kb for _, kb in samples) / 1024, 1) if samples else None,
        "samples": [(t, round(kb / 1024, 1)) for t, kb in samples[:: max(1, len(samples) // 60)]],
    }


def print_summary(res: dict) -> None:
    print(f"{res['clients']} 个客户端，{res['seconds']} 秒，{res['requests']} 个请求（{res['requests_per_second']}/秒），"
          f"错误 {res['errors']}")
    print(f"{'kind':<12} {'n':>6} {'err':>4} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  (ms)")
    rows = list(res["by_kind"].items()) + [("ALL", {**res["latency_ms"], "requests": res["requests"], "errors": res["errors"]})]
    for k, s in rows:
        print(f"{k:<12} {s['requests']:>6} {s['errors']:>4} {s['p50_ms'] or 0:>8.1f} {s['p95_ms'] or 0:>8.1f} "
              f"{s['p99_ms'] or 0:>8.1f} {s['max_ms'] or 0:>8.1f}")
    for name in ("RSS", "PSS"):
        m = res[name.lower() + "_mb"]
        print(f"server {name} ({res['server_processes']} processes): {m['after_warmup']} MB after warm-up → "
              f"{m['at_end']} MB at the end (growth {m['growth_after_warmup']} MB, max {m['max']} MB)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="baogao serve under load (127.0.0.1 only)")
    p.add_argument("--index", help="an index folder (default: data/sample indexed into a temporary folder)")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--requests", type=int, default=1_000_000, help="stop after this many requests")
    p.add_argument("--warmup", type=float, default=10.0, help="seconds before memory is compared")
    p.add_argument("--workers", type=int, default=1, help="server processes (baogao serve --workers)")
    p.add_argument("--threads", type=int, default=DEFAULT_THREADS, help=f"threads per server process ({DEFAULT_THREADS})")
    p.add_argument("--out", default=str(RESULTS), help="where to write the JSON results ('-' for none)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        res = run(args)
    except LoadTestError as exc:
        print(f"load_test: {exc}", file=sys.stderr)
        return 2
    print_summary(res)
    if args.out != "-":
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0 if res["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
