"""Precision and recall of the targets table against hand-labelled reports.

``bench/targets_truth.csv`` holds, for twenty reports of ``../shared/corpus``
(national, provincial, prefecture and county reports from five folders), every
figure a careful reader finds for the indicators of :data:`search.targets.INDICATORS`:
``report_id, indicator, value, qualifier, kind, set``. The **set** says which
ten a report belongs to: ``tuning`` (the ten the rules were written against) or
``holdout`` (ten more, labelled before any rule was changed for them). ``value`` is written as
:attr:`search.targets.TargetRow.value_text` (``6.5%``, ``-3%``, ``320.2亿元``,
empty for 同步). Figures for a later year (到2025年), five-year averages and
cumulative sums, and measures of a part of the region (产业集聚区, 工业) are not
labelled: they are not a year's headline figure; nor are changes (粮食总产量增加
109亿公斤, 提高1.5个百分点, 比去年多100万人): they are not levels.

A row extracted from a labelled report is *correct* when all five fields match
a truth row; *precision* is correct / extracted and *recall* correct / labelled,
over the labelled reports only. A second pair of figures ignores the kind (is
the figure right at all?), and ``kind_accuracy`` is the share of rows matched on
the other four fields whose kind is right too.

    .venv/bin/python bench/targets_precision.py [--set tuning|holdout] [INDEX_DIR]

prints the figures for each set and for both together (``--set`` only one), builds ``var/bench/corpus-index`` from ``../shared/corpus`` (with the manifest
as ``--meta``) when it is missing, prints the figures and writes
``bench/results/targets_precision.json``.
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TRUTH = ROOT / "bench" / "targets_truth.csv"
OUT = ROOT / "bench" / "results" / "targets_precision.json"
CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_INDEX = ROOT / "var" / "bench" / "corpus-index"
SETS = ("tuning", "holdout")


def ensure_corpus_index(index_dir: Path, corpus: Path = CORPUS) -> None:
    """Build ``index_dir`` from ``corpus`` (its manifest as ``--meta``) unless it is already there."""
    if (index_dir / "CURRENT").exists():
        return
    print(f"building {index_dir} from {corpus} …", file=sys.stderr)
    subprocess.run([sys.executable, str(ROOT / "baogao.py"), "index", "--index", str(index_dir),
                    "--meta", str(corpus / "manifest.csv"), str(corpus)], check=True)


def _figures(truth: set[tuple], got: set[tuple]) -> dict:
    """Precision, recall and the rest for one set of labelled reports (5-tuples)."""
    correct = got & truth
    loose_truth = {t[:4] for t in truth}
    loose_got = {g[:4] for g in got}
    loose_correct = loose_got & loose_truth
    kind_right = len({g[:4] for g in correct})
    return {
        "reports": len({t[0] for t in truth}),
        "labelled": len(truth),
        "extracted": len(got),
        "correct": len(correct),
        "precision": round(len(correct) / len(got), 3) if got else None,
        "recall": round(len(correct) / len(truth), 3) if truth else None,
        "precision_ignoring_kind": round(len(loose_correct) / len(loose_got), 3) if loose_got else None,
        "recall_ignoring_kind": round(len(loose_correct) / len(loose_truth), 3) if loose_truth else None,
        "kind_accuracy": round(kind_right / len(loose_correct), 3) if loose_correct else None,
    }


def _print_figures(label: str, f: dict) -> None:
    print(f"[{label}] {f['reports']} reports, {f['labelled']} labelled figures, {f['extracted']} extracted, "
          f"{f['correct']} correct")
    print(f"[{label}] precision {f['precision']}  recall {f['recall']}  "
          f"(ignoring kind: {f['precision_ignoring_kind']} / {f['recall_ignoring_kind']}; "
          f"kind right on {f['kind_accuracy']} of matched figures)")


def main(argv: list[str]) -> int:
    import argparse

    from search.engine import Engine
    from search.targets import targets_for_engine

    ap = argparse.ArgumentParser(description="precision and recall of the targets table")
    ap.add_argument("--set", choices=SETS, default=None, help="only the reports of this set")
    ap.add_argument("index_dir", nargs="?", type=Path, default=DEFAULT_INDEX)
    args = ap.parse_args(argv)
    ensure_corpus_index(args.index_dir)
    with TRUTH.open(encoding="utf-8") as fh:
        labelled = list(csv.DictReader(fh))
    set_of = {r["report_id"]: r["set"] for r in labelled}
    wanted = [args.set] if args.set else list(SETS)
    truth = {(r["report_id"], r["indicator"], r["value"], r["qualifier"], r["kind"])
             for r in labelled if r["set"] in wanted}
    reports = sorted({t[0] for t in truth})
    engine = Engine(args.index_dir)
    t0 = time.perf_counter()
    rows = targets_for_engine(engine)
    secs = time.perf_counter() - t0
    missing_reports = [r for r in reports if r not in {x.report_id for x in rows}]
    got = {(r.report_id, r.indicator, r.value_text, r.qualifier, r.kind) for r in rows if r.report_id in reports}
    per_report = {}
    for rid in reports:
        g = {x for x in got if x[0] == rid}
        t = {x for x in truth if x[0] == rid}
        per_report[rid] = {"set": set_of[rid], "extracted": len(g), "labelled": len(t), "correct": len(g & t)}
    by_set = {}
    for name in wanted:
        ids = {rid for rid in reports if set_of[rid] == name}
        by_set[name] = _figures({t for t in truth if t[0] in ids}, {g for g in got if g[0] in ids})
    result = {
        **_figures(truth, got),
        "sets": by_set,
        "table_rows_whole_index": len(rows),
        "table_seconds": round(secs, 3),
        "reports_without_rows": missing_reports,
        "per_report": per_report,
        "false_positives": sorted("|".join(x) for x in got - truth),
        "missed": sorted("|".join(x) for x in truth - got),
    }
    engine.close()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    out = OUT if args.set is None else OUT.with_name(f"targets_precision_{args.set}.json")
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for name, f in by_set.items():
        _print_figures(name, f)
    if len(by_set) > 1:
        _print_figures("all", result)
    print(f"whole index: {len(rows)} rows in {secs:.2f} s")
    for line in result["false_positives"]:
        print("  extra  ", set_of[line.split("|")[0]], line)
    for line in result["missed"]:
        print("  missed ", set_of[line.split("|")[0]], line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
