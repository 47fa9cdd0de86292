"""Write the lists in index/data/ that the index format is made of, from the search texts of a corpus.

    python bench/index_data.py [CORPUS] [--bigrams 4096] [--characters 2048]

* ``frequent_bigrams.txt``: the bigrams held by the most paragraphs, which get a term of their own in the
  exact field (:mod:`index.analysis`); the others share 65,536 buckets.
* ``character_ranks.txt``: the most frequent characters, commonest first, which the search code writes in one
  or two bytes (:mod:`index.search_code`); 64 to a line.

By default from the bundled sample data/sample, so both lists are reproducible from the repository alone;
ties keep the order of first sight. Changing either list changes the index format: rebuild indexes after.
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
DATA = ROOT / "index" / "data"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(ROOT / "data" / "sample"))
    ap.add_argument("--bigrams", type=int, default=4096)
    ap.add_argument("--characters", type=int, default=2048)
    args = ap.parse_args(argv)
    from index.analysis import bigrams
    from index.assemble import parse_path

    df: Counter = Counter()
    chars: Counter = Counter()
    for report in parse_path(args.corpus):
        for p in report.paragraphs:
            df.update(list(dict.fromkeys(b for b in bigrams(p.search_text) if len(b) == 2)))  # a set's order varies
            chars.update(p.search_text)
    top = [b for b, _ in df.most_common(args.bigrams)]
    (DATA / "frequent_bigrams.txt").write_text("\n".join(top) + "\n", encoding="utf-8")
    print(f"{len(top)} bigrams from {sum(df.values()):,} paragraph-bigram pairs → {DATA / 'frequent_bigrams.txt'}")
    # the BMP only, no surrogate, no U+FFFF (it separates rows) and no line end (the file's own separator)
    ranks = [c for c, _ in chars.most_common()
             if (ord(c) < 0xD800 or 0xE000 <= ord(c) < 0xFFFF) and c != "\n"][: args.characters]
    (DATA / "character_ranks.txt").write_text(
        "".join(c + ("\n" if k % 64 == 63 else "") for k, c in enumerate(ranks)).rstrip("\n") + "\n", encoding="utf-8")
    print(f"{len(ranks)} characters of {len(chars):,} distinct, {sum(chars.values()):,} in all "
          f"→ {DATA / 'character_ranks.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
