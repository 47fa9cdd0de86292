"""Write index/data/frequent_bigrams.txt: the bigrams that get a term of their own in the exact field.

    python bench/frequent_bigrams.py [CORPUS] [--top 4096]

The most frequent bigrams (by paragraphs holding them) of the search texts of a corpus — by default the
bundled sample data/sample, so the list is reproducible from the repository alone. Changing the list
changes the index format: rebuild indexes after running this.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BAOGAO_CACHE_DIR", str(ROOT / "var" / "cache"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(ROOT / "data" / "sample"))
    ap.add_argument("--top", type=int, default=4096)
    args = ap.parse_args(argv)
    from index.analysis import bigrams
    from index.assemble import parse_path

    df: Counter = Counter()
    for report in parse_path(args.corpus):
        for p in report.paragraphs:
            df.update({b for b in bigrams(p.search_text) if len(b) == 2})
    top = [b for b, _ in df.most_common(args.top)]
    out = ROOT / "index" / "data" / "frequent_bigrams.txt"
    out.write_text("\n".join(top) + "\n", encoding="utf-8")
    print(f"{len(top)} bigrams from {sum(df.values()):,} paragraph-bigram pairs → {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
