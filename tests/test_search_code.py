"""The search code: every text has one code and back, the common characters take one or two bytes, and a
phrase's code is found in a text's code exactly where the phrase is in the text."""
from __future__ import annotations

import random

import numpy as np

from index import search_code as sc
from index.normalise import fold_for_search
from tests.conftest import SAMPLE


def test_renumbering_is_a_permutation_of_the_basic_multilingual_plane():
    forward, back = sc._FORWARD, sc._BACK
    assert np.array_equal(back[forward], np.arange(0x10000)) and np.array_equal(np.sort(forward), np.arange(0x10000))
    assert np.array_equal(forward[0xD800:0xE000], np.arange(0xD800, 0xE000))  # surrogates never move
    assert forward[0xFFFF] == 0xFFFF


def test_the_ranked_characters_take_one_or_two_bytes_and_the_rest_what_utf8_gives_them():
    assert 1000 < len(sc.RANKS) <= 2048 and len(set(sc.RANKS)) == len(sc.RANKS)
    assert [len(sc.encode(c)) for c in sc.RANKS[:128]] == [1] * 128
    assert {len(sc.encode(c)) for c in sc.RANKS[128:]} == {2}
    unranked = [c for c in "乾务镇龘" if c not in sc.RANKS]
    assert unranked and all(len(sc.encode(c)) == 3 for c in unranked)
    assert len(sc.encode("𠮷")) == 4  # beyond the BMP: as in UTF-8


def _texts_and_phrases(rng):
    """Real sample lines, and characters of every kind: one byte, two bytes, three bytes that UTF-8 writes in
    one (an unranked ASCII letter), four bytes, and characters whose code point a ranked one took."""
    lines = [fold_for_search(ln) for f in sorted(SAMPLE.glob("*.txt"))
             for ln in f.read_text("utf-8").splitlines() if len(ln) > 10][:300]
    ranked_low = [c for c in sc.RANKS if ord(c) < 2048]
    displaced = [chr(k) for k in range(2048) if chr(k) not in sc.RANKS and not 0xD800 <= k < 0xE000][:40]
    pool = list(sc.RANKS[:40]) + list(sc.RANKS[1500:1540]) + ranked_low + displaced + list("乾务镇龘𠮷𠀀") \
        + [c for c in "qxzQXZ~`" if c not in sc.RANKS]
    made = ["".join(rng.choice(pool) for _ in range(rng.randint(5, 40))) for _ in range(300)]
    texts = lines + made
    phrases = [t[a: a + rng.randint(1, 4)] for t in rng.sample(texts, 200) for a in [rng.randrange(len(t))]]
    phrases += ["".join(rng.choice(pool) for _ in range(rng.randint(1, 3))) for _ in range(400)]
    return texts, phrases


def test_a_text_has_one_code_and_back():
    texts, phrases = _texts_and_phrases(random.Random(5))
    for t in texts + phrases:
        assert sc.decode(sc.encode(t)) == t
    blob, offsets = sc.encode_rows(texts)
    assert blob == b"".join(sc.encode(t) + sc.ROW_END for t in texts)
    assert [sc.decode(blob[offsets[i]: offsets[i + 1] - 1]) for i in range(len(texts))] == texts
    empty, offsets = sc.encode_rows([])
    assert empty == b"" and offsets.tolist() == [0]


def test_a_phrase_code_is_found_exactly_where_the_phrase_is():
    """A find in the bytes never starts or ends inside a character (the first byte of a character is never a
    later byte of one), so ``in`` on the codes answers as ``in`` on the texts."""
    texts, phrases = _texts_and_phrases(random.Random(6))
    codes = [sc.encode(t) for t in texts]
    checked = found = 0
    for p in phrases:
        pc = sc.encode(p)
        for t, c in zip(texts, codes):
            assert (pc in c) == (p in t), (p, t)
            checked += 1
            found += p in t
    assert checked > 100_000 and found > 1000
