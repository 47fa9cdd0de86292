"""How often the detected region and year agree with the corpus manifest.

Usage: ``python bench/metadata_accuracy.py [CORPUS]`` (default ``../shared/corpus``,
or the ``CORPUS`` environment variable).

For every manifest row the detected region is compared at the manifest's level
(its name at that level and the level itself) and the year with the manifest's
year. A *confidently wrong* region is one that was detected (not unknown) but is
wrong. Prints the accuracy for region, year and both, per folder, and every miss;
writes the same as JSON to ``bench/results/metadata_accuracy.json``.

Reports come from :func:`index.assemble.parse_path` when that pipeline imports;
otherwise the files are decoded here in a simple way (UTF-8, GB18030 for the
``*-gbk`` folders, DOCX paragraphs, seed 004 split at its title lines).
"""
from __future__ import annotations

import csv
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from index.regions import detect_region  # noqa: E402
from index.report import Region  # noqa: E402
from index.titles import detect_title  # noqa: E402
from index.years import detect_year  # noqa: E402

TARGET_BOTH = 0.97
TARGET_CONFIDENTLY_WRONG = 0.01


def _simple_reports(corpus: Path, rel: str) -> list[tuple[str | None, list[str]]]:
    """(title hint, paragraphs) for each report in a file, decoded without the pipeline."""
    path = corpus / rel
    if path.suffix == ".docx":
        import docx

        d = docx.Document(str(path))
        return [(d.core_properties.title or None, [p.text for p in d.paragraphs if p.text.strip()])]
    enc = "gb18030" if "-gbk" in rel else "utf-8"
    text = path.read_bytes().decode(enc, errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if Path(rel).name.startswith("004_"):
        out = []
        for i in range(1, len(lines) - 1, 4):
            if lines[i].strip():
                out.append((lines[i].strip(), [lines[i + 1].strip()]))
        return out
    return [(None, [l.strip() for l in lines if l.strip()])]


def _detected(corpus: Path, rel: str) -> list[tuple[Region, int | None, list]]:
    try:
        from index.assemble import parse_path  # noqa: PLC0415
    except Exception:  # the pipeline is not complete yet
        parse_path = None
    if parse_path is not None:
        reports = parse_path(corpus / rel)
        return [(r.region, r.year, list(r.evidence)) for r in reports]
    out = []
    for hint, paras in _simple_reports(corpus, rel):
        title, ev_t = detect_title(paras, title_hint=hint)
        year, ev_y = detect_year(paras, title=title or hint, source=rel)
        region, ev_r = detect_region(paras, title=title or hint, source=rel, year=year)
        out.append((region, year, ev_t + ev_y + ev_r))
    return out


def _name_at(region: Region, level: str) -> str | None:
    if level == "national":
        return "national" if region.level == "national" else None
    return {"province": region.province, "prefecture": region.prefecture, "county": region.county}.get(level)


def _pipeline_used() -> bool:
    try:
        import index.assemble  # noqa: F401, PLC0415
    except Exception:
        return False
    return True


def main(argv: list[str]) -> int:
    corpus = Path(argv[1] if len(argv) > 1 else os.environ.get("CORPUS", HERE.parent.parent / "shared" / "corpus"))
    with open(corpus / "manifest.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_file: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_file[r["file"]].append(r)

    started = time.time()
    results = []
    for rel, truth_rows in by_file.items():
        detected = _detected(corpus, rel)
        if len(truth_rows) > 1:
            # Several reports in one file: pair each manifest row with the report
            # detected at its region, else by order.
            pairs = []
            left = list(detected)
            for t in truth_rows:
                hit = next((d for d in left if _name_at(d[0], t["level"]) == t["region"]), None)
                if hit is None:
                    hit = left[0] if left else (Region(), None, [])
                if hit in left:
                    left.remove(hit)
                pairs.append((t, hit))
        else:
            pairs = [(truth_rows[0], detected[0] if detected else (Region(), None, []))]
        for t, (region, year, evidence) in pairs:
            want_year = int(t["year"])
            region_ok = region.level == t["level"] and _name_at(region, t["level"]) == t["region"]
            year_ok = year == want_year
            results.append({
                "file": rel,
                "folder": rel.split("/")[0],
                "want_region": t["region"],
                "want_level": t["level"],
                "want_year": want_year,
                "got_region": region.display,
                "got_level": region.level,
                "got_code": region.code,
                "got_year": year,
                "region_ok": region_ok,
                "year_ok": year_ok,
                "confidently_wrong": (not region_ok) and region.level != "unknown",
                "evidence": [e.as_dict() for e in evidence if e.field in ("region", "year")][:8],
            })
    elapsed = time.time() - started

    def summary(items: list[dict]) -> dict:
        n = len(items)
        return {
            "reports": n,
            "region": sum(i["region_ok"] for i in items) / n if n else 0.0,
            "year": sum(i["year_ok"] for i in items) / n if n else 0.0,
            "both": sum(i["region_ok"] and i["year_ok"] for i in items) / n if n else 0.0,
            "confidently_wrong_regions": sum(i["confidently_wrong"] for i in items),
            "unknown_regions": sum(i["got_level"] == "unknown" for i in items),
            "unknown_years": sum(i["got_year"] is None for i in items),
        }

    overall = summary(results)
    folders = {f: summary([r for r in results if r["folder"] == f]) for f in sorted({r["folder"] for r in results})}
    misses = [r for r in results if not (r["region_ok"] and r["year_ok"])]
    n = overall["reports"]
    wrong_share = overall["confidently_wrong_regions"] / n if n else 0.0
    out = {
        "corpus": str(corpus),
        "pipeline": "index.assemble.parse_path" if _pipeline_used() else "bench decoder",
        "seconds": round(elapsed, 1),
        "overall": overall,
        "confidently_wrong_share": wrong_share,
        "targets": {"both": TARGET_BOTH, "confidently_wrong": TARGET_CONFIDENTLY_WRONG},
        "met": overall["both"] >= TARGET_BOTH and wrong_share <= TARGET_CONFIDENTLY_WRONG,
        "folders": folders,
        "misses": misses,
    }

    print(f"reports {n} ({out['pipeline']}, {elapsed:.1f}s)")
    print(f"region {overall['region']:.1%}  year {overall['year']:.1%}  both {overall['both']:.1%}  "
          f"confidently wrong regions {overall['confidently_wrong_regions']} ({wrong_share:.1%})  "
          f"unknown regions {overall['unknown_regions']}  unknown years {overall['unknown_years']}")
    for f, s in folders.items():
        print(f"  {f:22s} n={s['reports']:3d} region {s['region']:.0%} year {s['year']:.0%} both {s['both']:.0%} "
              f"wrong {s['confidently_wrong_regions']}")
    for m in misses:
        print(f"MISS {m['file']}: want {m['want_region']}/{m['want_level']}/{m['want_year']} "
              f"got {m['got_region']}/{m['got_level']}/{m['got_year']}")
    print("targets met" if out["met"] else "targets NOT met")
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    with open(results_dir / "metadata_accuracy.json", "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    return 0 if out["met"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
