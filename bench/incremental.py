"""Incremental indexing: a full build of a scaled corpus, then 1 % new reports added to it.

Vocabulary: the *base* is the scaled corpus's first 99 % of files (in name order),
the *increment* the last 1 %. The full build indexes the base into an empty index;
the incremental build adds the increment to it as a new generation (new segments,
the base's segment files shared through hard links, small segments merged). Both
are ``baogao index`` runs in their own process: wall seconds and the peak RSS of
the largest process. The target (issue 10): the increment costs at most 5 % of a
full build, and no build peaks above 2 GB.

Each run's ``publish`` gives the seconds of the steps of publishing (Whoosh's
commit with its merge, the columns, the frequent postings) and how many rows
were carried forward from the previous generation (:mod:`index.carry`) rather
than read from Whoosh; ``ratio`` is wall against wall, everything included.

    python -m bench.incremental [--corpus var/bench/scaled-20M] [--share 0.01]

The corpus is a folder ``python -m bench --sizes 20M`` writes (files plus
``meta.csv``). Prints the figures and writes ``bench/results/incremental.json`` (or ``--out``).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from bench.__main__ import ROOT, dir_bytes, run_measured

RESULTS = ROOT / "bench" / "results" / "incremental.json"
TARGET_RATIO = 0.05
TARGET_PEAK_MB = 2048


def index_run(index_dir: Path, meta: Path, files: list[Path]) -> dict:
    """One ``baogao index`` run over ``files``: its JSON summary, wall seconds and peak RSS."""
    cmd = [sys.executable, str(ROOT / "baogao.py"), "index", "--index", str(index_dir), "--json", "--meta", str(meta),
           *map(str, files)]
    res, secs, peak_kb = run_measured(cmd)
    if not res.stdout.strip():
        raise SystemExit(f"baogao index failed:\n{res.stderr[-2000:]}")
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    return {"seconds": round(secs, 2), "characters": summary["characters"], "reports": summary["reports"],
            "chars_per_second": round(summary["characters"] / secs), "peak_rss_mb": round(peak_kb / 1024),
            "generation": summary["generation"], "publish": summary.get("publish")}


def segments_and_size(index_dir: Path) -> dict:
    """The published generation's segment count and size on disk."""
    from index.writer import IndexStore

    store = IndexStore(index_dir)
    ix, _, name = store.open_generation()
    with ix.reader() as reader:
        segments = len(list(reader.leaf_readers()))
    return {"segments": segments, "index_bytes": dir_bytes(index_dir / name)}


def publish_line(run: dict) -> str:
    p = run.get("publish") or {}
    return (f"publish: commit {p.get('commit_seconds')} s, columns {p.get('columns_seconds')} s, "
            f"postings {p.get('postings_seconds')} s, {p.get('carried_rows')} of {p.get('rows')} rows carried")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "var" / "bench" / "scaled-20M",
                    help="a scaled corpus folder with meta.csv (python -m bench --sizes 20M writes one)")
    ap.add_argument("--share", type=float, default=0.01, help="share of the files added incrementally")
    ap.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench" / "incremental")
    ap.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON figures")
    args = ap.parse_args(argv)
    meta = args.corpus / "meta.csv"
    if not meta.exists():
        raise SystemExit(f"{meta} 不存在：先运行 python -m bench --sizes 20M 生成扩展语料")
    files = sorted(args.corpus.glob("*.txt"))
    n_new = max(1, round(len(files) * args.share))
    base, new = files[:-n_new], files[-n_new:]
    index_dir = args.workdir / f"{args.corpus.name}-index"
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.parent.mkdir(parents=True, exist_ok=True)

    print(f"full build: {len(base)} files …", file=sys.stderr, flush=True)
    full = index_run(index_dir, meta, base)
    full.update(segments_and_size(index_dir))
    print(f"incremental build: {len(new)} files …", file=sys.stderr, flush=True)
    inc = index_run(index_dir, meta, new)
    inc.update(segments_and_size(index_dir))
    raw = sum(f.stat().st_size for f in files)
    out = {
        "corpus": args.corpus.name,
        "files": {"base": len(base), "increment": len(new)},
        "full": full,
        "incremental": inc,
        "ratio": round(inc["seconds"] / full["seconds"], 4),
        "size_ratio": round(inc["index_bytes"] / raw, 3),
        "targets": {"ratio": TARGET_RATIO, "peak_rss_mb": TARGET_PEAK_MB},
    }
    print(f"full build        {full['seconds']:8.1f} s  {full['chars_per_second']:>9,} chars/s  "
          f"peak RSS {full['peak_rss_mb']} MB  {full['segments']} segments;  {publish_line(full)}")
    print(f"+{args.share:.0%} incremental {inc['seconds']:8.1f} s  {inc['chars_per_second']:>9,} chars/s  "
          f"peak RSS {inc['peak_rss_mb']} MB  {inc['segments']} segments;  {publish_line(inc)}")
    print(f"incremental / full = {out['ratio']:.3f} (target ≤ {TARGET_RATIO});  index {out['size_ratio']:.2f}× raw UTF-8 files")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
