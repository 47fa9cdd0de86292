"""Where a build's memory goes over time: a ``baogao index`` run sampled from outside.

Vocabulary: the *writer* is the ``baogao index`` process (it parses nothing
itself when it has worker processes: it files their postings into Whoosh
segments and publishes the generation); a *sample* is its ``VmRSS`` (all its
resident memory), ``RssAnon`` (its own) and ``RssFile`` (pages of files it has
mapped) read from ``/proc`` every ``--every`` seconds. Its *phases* are told apart
by the files of the generation it makes: it is *building* (parsing, segments
flushed every ``BAOGAO_FLUSH_CHARACTERS``, Whoosh's last commit) until that
generation holds ``reports.json`` beside its scratch folder ``saved-rows``, then
*publishing* (the records, the columns, the frequent postings). The target
(issue 10): no build peaks above 2 GB, at any corpus size.

    python -m bench.build_memory var/bench/scaled-500M [--index DIR] [--every 1] [--out FILE]

Prints, per phase, the peak of each figure and, per minute of the run, the
lowest and highest ``VmRSS`` (the lowest shows what the writer keeps as the
index grows, the highest what a flush adds to it); writes them with the build's
summary to ``bench/results/build-memory-<corpus>.json`` (or ``--out``). The corpus
is a folder ``python -m bench --sizes 500M`` writes (files plus ``meta.csv``).
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.__main__ import ROOT, dir_bytes

FIELDS = ("VmRSS", "RssAnon", "RssFile")
TARGET_PEAK_MB = 2048


def sample(pid: int) -> dict[str, int] | None:
    """The process's memory figures in MB, or None once it has gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except (FileNotFoundError, ProcessLookupError):
        return None
    got = {}
    for line in lines:
        name, _, value = line.partition(":")
        if name in FIELDS:
            got[name] = int(value.split()[0]) // 1024
    return got or None


def publishing(index_dir: Path) -> bool:
    """Whether the newest generation is being published: it holds the rows its writer saved (``saved-rows``,
    removed once published) and already its ``reports.json`` (written after Whoosh's last commit)."""
    gens = sorted(index_dir.glob("gen-*"))
    return bool(gens) and (gens[-1] / "saved-rows").exists() and (gens[-1] / "reports.json").exists()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", help="a scaled corpus folder (files and meta.csv)")
    ap.add_argument("--index", help="the index to build (default: var/bench/<corpus>-memory-index, removed after)")
    ap.add_argument("--every", type=float, default=1.0, help="seconds between samples")
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    index_dir = Path(args.index) if args.index else ROOT / "var" / "bench" / f"{corpus.name}-memory-index"
    shutil.rmtree(index_dir, ignore_errors=True)
    cmd = [sys.executable, str(ROOT / "baogao.py"), "index", "--index", str(index_dir), "--json"]
    if (corpus / "meta.csv").exists():
        cmd += ["--meta", str(corpus / "meta.csv")]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd + [str(corpus)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    series: list[dict] = []
    peaks: dict[str, dict[str, int]] = {}
    seen = "build"
    while proc.poll() is None:
        got = sample(proc.pid)
        if got is not None:
            if seen == "build" and publishing(index_dir):  # once publishing, it stays publishing
                seen = "publish"
            got["t"] = round(time.perf_counter() - t0, 1)
            series.append(got)
            top = peaks.setdefault(seen, dict.fromkeys(FIELDS, 0))
            for f in FIELDS:
                top[f] = max(top[f], got.get(f, 0))
        time.sleep(args.every)
    seconds = time.perf_counter() - t0
    # the kernel's own peak, which a sample each second can miss: the largest of the writer and its workers
    max_rss_mb = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    with proc.stdout:
        out_text = proc.stdout.read().strip()
    if not out_text:  # exit status 1 with a summary means some files were refused (the scaled corpora's --meta)
        print(f"baogao index failed ({proc.returncode})", file=sys.stderr)
        return 1
    summary = json.loads(out_text.splitlines()[-1])
    summary.pop("problems", None)
    minutes = {}
    for s in series:
        low, high = minutes.get(int(s["t"] // 60), (None, 0))
        minutes[int(s["t"] // 60)] = (s["VmRSS"] if low is None else min(low, s["VmRSS"]), max(high, s["VmRSS"]))
    gen = index_dir / summary["generation"]
    result = {
        "corpus": str(corpus), "seconds": round(seconds, 1), "characters": summary["characters"],
        "chars_per_second": round(summary["characters"] / seconds), "reports": summary["reports"],
        "paragraphs": summary["paragraphs"], "failures": summary["failures"], "publish": summary.get("publish"),
        "index_bytes": dir_bytes(gen), "every_seconds": args.every, "peaks_mb": peaks, "max_rss_mb": max_rss_mb,
        "per_minute_vmrss_mb": [[m, low, high] for m, (low, high) in sorted(minutes.items())],
        "measured": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    peak = max(p["VmRSS"] for p in peaks.values())
    print(f"{corpus.name}: {summary['characters']:,} characters, {summary['paragraphs']:,} paragraphs, "
          f"{summary['reports']:,} reports in {seconds:.1f} s ({result['chars_per_second']:,} chars/s)")
    for name, top in peaks.items():
        print(f"  {name:8s} peak VmRSS {top['VmRSS']:,} MB (its own {top['RssAnon']:,} MB, "
              f"mapped files {top['RssFile']:,} MB)")
    print(f"  peak {peak:,} MB sampled, {max_rss_mb:,} MB by the kernel (ru_maxrss of the writer and its workers), "
          f"against {TARGET_PEAK_MB:,} MB: {'met' if max(peak, max_rss_mb) <= TARGET_PEAK_MB else 'not met'}")
    print("  per minute, lowest/highest VmRSS MB: "
          + " ".join(f"{low}/{high}" for _, low, high in result["per_minute_vmrss_mb"]))
    out = Path(args.out) if args.out else ROOT / "bench" / "results" / f"build-memory-{corpus.name}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if not args.index:
        shutil.rmtree(index_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
