"""Write index/data/character_ranks.txt: the characters the search code writes in one or two bytes.

    python bench/character_ranks.py [CORPUS] [--top 2048]

The most frequent characters of the search texts of a corpus (see :mod:`index.search_code`), commonest first —
by default the bundled sample data/sample, so the list is reproducible from the repository alone. Changing the
list changes the index format: rebuild indexes after running this.
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
    ap.add_argument("--top", type=int, default=2048)
    args = ap.parse_args(argv)
    from index.assemble import parse_path

    counts: Counter = Counter()
    for report in parse_path(args.corpus):
        for p in report.paragraphs:
            counts.update(p.search_text)
    # the BMP only, no surrogate or U+FFFF; ties in first-seen order, so the list is the same on every run
    top = [c for c, _ in counts.most_common() if ord(c) < 0xD800 or 0xE000 <= ord(c) < 0xFFFF][: args.top]
    out = ROOT / "index" / "data" / "character_ranks.txt"
    out.write_text("".join(c + ("\n" if k % 64 == 63 else "") for k, c in enumerate(top)).rstrip("\n") + "\n",
                   encoding="utf-8")
    print(f"{len(top)} characters of {len(counts):,} distinct, {sum(counts.values()):,} in all → {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
