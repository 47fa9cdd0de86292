"""How often the detected region and year agree with the corpus manifest.

Usage::

    python bench/metadata_accuracy.py [CORPUS] [--opaque-names] [--strip-titles]
    python bench/metadata_accuracy.py [CORPUS] --all-modes

``CORPUS`` defaults to ``../shared/corpus`` (or the ``CORPUS`` environment variable).

*Modes* test the detectors on what a journalist brings rather than on the files as
found:

* ``plain`` — the files as they are;
* ``--opaque-names`` — every file is first copied into a temporary folder under a
  meaningless name that keeps its extension (``doc17.txt``, ``doc3.docx``), so the
  file name says nothing;
* ``--strip-titles`` — the leading title, delivery and byline lines of every report
  are removed before it is read (:func:`strip_head`), and the container's title
  (HTML ``<title>``, DOCX core title) is dropped;
* both flags together.

For every manifest row the detected region is compared at the manifest's level
(its name at that level and the level itself) and the year with the manifest's
year. A report is *right* when both are; *confidently wrong* when a region or a
year was given (not unknown) and is wrong; otherwise it is *unknown* (listed with
its evidence). Targets: right for at least 99 % of the reports with names hidden,
97 % with titles also removed, and 0 confidently wrong in every mode. Prints the
figures and every report that is not right; writes them per mode to
``bench/results/metadata_accuracy.json`` (modes not run keep their last figures).
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from index import sources  # noqa: E402
from index.assemble import build_report  # noqa: E402
from index.report import RawReport, Region  # noqa: E402

#: Share of reports right (region and year) each mode must reach.
TARGETS = {"plain": 0.99, "opaque-names": 0.99, "strip-titles": 0.97, "opaque-names+strip-titles": 0.97}
MODES = ("plain", "opaque-names", "strip-titles", "opaque-names+strip-titles")

# --- removing the head ----------------------------------------------------------

_GREETING = re.compile(r"各位代表|代表们|同志们")
_HEAD_LINE = re.compile(
    r"政府工作报告|人民代表大会|人大[^。]{0,12}会议|^[\s—\-–]*[一二12][〇零O○0-9一二三四五六七八九]{3}\s*年[^。]{0,12}日\s*$"
    r"|(?:总理|主席|省长|市长|县长|区长|州长|旗长|盟长)\s*[\u4e00-\u9fff·]{2,8}\s*$|^\s*(?:来源|作者|编辑|责任编辑)\s*[:：]"
)
HEAD_CHARS = 3000
HEAD_LINES = 12


def strip_head(text: str) -> str:
    """The text without its title, delivery line and byline.

    When the greeting (``各位代表``) comes within the first :data:`HEAD_CHARS`
    characters, everything before it goes (even within a line: collapsed pages hold
    title, delivery line and body on one line). Otherwise every line among the first
    :data:`HEAD_LINES` that looks like a title, a delivery line, a date or a byline
    goes.
    """
    m = _GREETING.search(text[:HEAD_CHARS])
    if m:
        return text[m.start():]
    lines = text.split("\n")
    head = [line for line in lines[:HEAD_LINES] if not _HEAD_LINE.search(line)]
    return "\n".join(head + lines[HEAD_LINES:])


def _raw_reports(path: Path, strip: bool) -> list[RawReport]:
    raws = sources.read_reports(path)
    if not strip:
        return raws
    return [dataclasses.replace(r, text=strip_head(r.text), title_hint=None) for r in raws]


# --- comparing ------------------------------------------------------------------


def _name_at(region: Region, level: str) -> str | None:
    if level == "national":
        return "national" if region.level == "national" else None
    return {"province": region.province, "prefecture": region.prefecture, "county": region.county}.get(level)


def _pair(truth_rows: list[dict], detected: list) -> list[tuple[dict, object]]:
    """Pair each manifest row of a file with a detected report (by region, else order)."""
    if len(truth_rows) == 1:
        return [(truth_rows[0], detected[0] if detected else None)]
    left = list(detected)
    pairs = []
    for t in truth_rows:
        hit = next((d for d in left if _name_at(d.region, t["level"]) == t["region"]), None)
        if hit is None and left:
            hit = left[0]
        if hit is not None:
            left.remove(hit)
        pairs.append((t, hit))
    return pairs


def run_mode(corpus: Path, rows: list[dict], *, opaque: bool, strip: bool) -> dict:
    """Detect every report of the manifest in one mode; the figures and the misses."""
    by_file: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_file[r["file"]].append(r)
    started = time.time()
    results = []
    with tempfile.TemporaryDirectory(prefix="baogao-meta-") as tmp:
        for i, (rel, truth_rows) in enumerate(by_file.items()):
            path = corpus / rel
            if opaque:
                copy = Path(tmp) / f"doc{i}{path.suffix}"
                shutil.copyfile(path, copy)
                path = copy
            detected = [build_report(raw) for raw in _raw_reports(path, strip)]
            for t, rep in _pair(truth_rows, detected):
                region = rep.region if rep else Region()
                year = rep.year if rep else None
                want_year = int(t["year"])
                region_ok = region.level == t["level"] and _name_at(region, t["level"]) == t["region"]
                year_ok = year == want_year
                wrong = (not region_ok and region.level != "unknown") or (not year_ok and year is not None)
                results.append({
                    "file": rel,
                    "read_as": path.name,
                    "folder": rel.split("/")[0],
                    "want": f"{t['region']}/{t['level']}/{want_year}",
                    "got_region": region.display,
                    "got_level": region.level,
                    "got_year": year,
                    "region_ok": region_ok,
                    "year_ok": year_ok,
                    "right": region_ok and year_ok,
                    "confidently_wrong": wrong,
                    "evidence": [e.as_dict() for e in (rep.evidence if rep else ()) if e.field in ("region", "year")][:10],
                })
    n = len(results)
    right = sum(r["right"] for r in results)
    wrong = sum(r["confidently_wrong"] for r in results)
    folders = {}
    for f in sorted({r["folder"] for r in results}):
        items = [r for r in results if r["folder"] == f]
        folders[f] = {"reports": len(items), "right": sum(r["right"] for r in items),
                      "confidently_wrong": sum(r["confidently_wrong"] for r in items)}
    return {
        "reports": n,
        "right": right,
        "unknown": n - right - wrong,
        "confidently_wrong": wrong,
        "share_right": round(right / n, 4) if n else 0.0,
        "region_right": sum(r["region_ok"] for r in results),
        "year_right": sum(r["year_ok"] for r in results),
        "seconds": round(time.time() - started, 1),
        "folders": folders,
        "not_right": [r for r in results if not r["right"]],
    }


def _print_mode(mode: str, s: dict) -> None:
    target = TARGETS[mode]
    met = s["share_right"] >= target and s["confidently_wrong"] == 0
    print(f"== {mode}: {s['reports']} reports, right {s['right']} ({s['share_right']:.1%}), "
          f"unknown {s['unknown']}, confidently wrong {s['confidently_wrong']}  "
          f"[region {s['region_right']}, year {s['year_right']}; {s['seconds']}s]  "
          f"target ≥{target:.0%} and 0 wrong: {'met' if met else 'NOT met'}")
    for f, fs in s["folders"].items():
        print(f"   {f:24s} {fs['right']:3d}/{fs['reports']:3d} right, {fs['confidently_wrong']} wrong")
    for r in s["not_right"]:
        kind = "WRONG" if r["confidently_wrong"] else "unknown"
        print(f"   {kind} {r['file']} (as {r['read_as']}): want {r['want']} got "
              f"{r['got_region']}/{r['got_level']}/{r['got_year']}")
        for e in r["evidence"]:
            mark = "" if e["confident"] else "?"
            print(f"      {e['field']}={e['value']}{mark} [{e['where']}] {e['excerpt'][:70]}")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", default=os.environ.get("CORPUS", str(HERE.parent.parent / "shared" / "corpus")))
    ap.add_argument("--opaque-names", action="store_true", help="copy every file under a meaningless name first")
    ap.add_argument("--strip-titles", action="store_true", help="remove title, delivery and byline lines first")
    ap.add_argument("--all-modes", action="store_true", help="run the four modes one after the other")
    args = ap.parse_args(argv[1:])
    corpus = Path(args.corpus)
    with open(corpus / "manifest.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if args.all_modes:
        modes = list(MODES)
    else:
        parts = [m for m, on in (("opaque-names", args.opaque_names), ("strip-titles", args.strip_titles)) if on]
        modes = ["+".join(parts) if parts else "plain"]

    out_path = HERE / "results" / "metadata_accuracy.json"
    try:
        saved = json.loads(out_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        saved = {}
    saved_modes = saved.get("modes", {}) if isinstance(saved.get("modes"), dict) else {}
    ok = True
    for mode in modes:
        s = run_mode(corpus, rows, opaque="opaque-names" in mode, strip="strip-titles" in mode)
        s["target"] = TARGETS[mode]
        s["met"] = s["share_right"] >= TARGETS[mode] and s["confidently_wrong"] == 0
        ok = ok and s["met"]
        saved_modes[mode] = s
        _print_mode(mode, s)
    out_path.parent.mkdir(exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"corpus": str(corpus), "modes": saved_modes}, f, ensure_ascii=False, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
