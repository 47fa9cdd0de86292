"""The frequent terms' postings saved per generation (index/postings.py) answer as Whoosh does."""
from __future__ import annotations

import numpy as np
import pytest

from index import schema as S
from index.analysis import exact_term
from index import postings as P
from index.postings import POSTINGS_FILE, FrequentPostings, Postings, frequent_threshold
from index.whoosh_internals import read_docnums, read_weighted
from index.writer import IndexStore
from search.engine import Engine, SearchRequest
from tests.conftest import assert_postings_complete


def _whoosh_rows(snap, field, term):
    rows = snap.docnum_to_row[read_docnums(snap.reader, field, term)]
    return np.sort(rows[rows >= 0])


def test_the_sample_generation_saves_its_frequent_terms_and_whoosh_holds_them_no_longer(sample_engine):
    """Every term held by the threshold's rows is saved, and Whoosh no longer holds it (its segments left it
    out: the postings were stored twice); every term, saved or not, answers the rows that make it."""
    snap = sample_engine.snapshot()
    frequent = snap.postings.frequent
    assert frequent is not None and frequent.rows == snap.n
    threshold = frequent_threshold(snap.n)
    saved = {f: {t for (fld, t) in frequent.terms() if fld == f} for f in (S.EXACT, S.WORDS)}
    assert "发展" in saved[S.EXACT] and "发展" in saved[S.WORDS]
    for field in (S.EXACT, S.WORDS):
        in_whoosh = {tb.decode() if isinstance(tb, bytes) else tb for tb, _ in snap.reader.iter_field(field)}
        assert not saved[field] & in_whoosh, field
        assert all(frequent.df(field, t) >= threshold for t in saved[field])  # one build: nothing kept below
    assert read_docnums(snap.reader, S.EXACT, "发展").size == 0 and read_weighted(snap.reader, S.WORDS, "发展")[0].size == 0
    assert assert_postings_complete(sample_engine.store.root) > 10_000
    rows, freqs = snap.postings.weighted("发展")
    assert freqs.max() >= 2  # a paragraph that says 发展 twice counts twice


def test_a_rare_term_is_read_from_whoosh(sample_engine):
    snap = sample_engine.snapshot()
    rare = exact_term("为王")
    assert not snap.postings.is_frequent(S.EXACT, rare)
    got = snap.postings.rows(S.EXACT, rare)
    assert len(got) > 0 and np.array_equal(got, _whoosh_rows(snap, S.EXACT, rare))
    assert snap.postings.rows(S.EXACT, "不存在的词").size == 0


def test_membership_matches_the_rows(sample_engine):
    snap = sample_engine.snapshot()
    assert snap.postings.frequent.kind(S.EXACT, "发展") == "bitmap"
    rows = set(snap.postings.rows(S.EXACT, "发展").tolist())
    probe = np.arange(snap.n, dtype=np.int64)
    assert snap.postings.held("发展", probe).tolist() == [r in rows for r in range(snap.n)]
    # and the rows are exactly the paragraphs whose search text holds 发展
    assert rows == {i for i in range(snap.n) if "发展" in snap.search[i]}
    # a term read from Whoosh has no saved answer: the caller decides whether to read it
    assert snap.postings.held(exact_term("为王"), probe) is None


def _saved(tmp_path, rows: int, entries: list) -> FrequentPostings:
    path = tmp_path / POSTINGS_FILE
    with P._PostingsFile(path, rows) as out:
        for e in entries:
            out.add(e)
        out.finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == [POSTINGS_FILE]  # no scratch file left behind
    return FrequentPostings.open(path, rows)


@pytest.mark.parametrize("rows", [1, 300, 65_536, 65_537, 200_003])
def test_packed_and_bitmap_terms_read_back_across_chunks(tmp_path, rows):
    """Rows on both sides of every 65,536-row chunk boundary, a term in the last row, an empty chunk."""
    rng = np.random.default_rng(rows)
    edges = [r for r in (0, rows - 1, 65_535, 65_536, 131_071, 131_072) if r < rows]
    sparse = np.unique(np.concatenate([rng.integers(0, rows, 50), np.array(edges, dtype=np.int64)]))
    sparse = sparse[(sparse < 65_536) | (sparse >= 131_072)] if rows > 131_072 else sparse  # chunk 1 left empty
    dense = np.flatnonzero(rng.random(rows) < 0.5) if rows > 1 else np.array([0])
    freqs = rng.integers(1, 256, len(sparse)).astype(np.uint8)
    saved = _saved(tmp_path, rows, [P._encode(S.EXACT, "aa", rng.permutation(sparse), rows),
                                    P._encode(S.EXACT, "bb", dense, rows),
                                    P._encode(S.WORDS, "词", (sparse, freqs), rows)])
    if rows > 300:
        assert saved.kind(S.EXACT, "aa") == "packed" and saved.kind(S.EXACT, "bb") == "bitmap"
    assert np.array_equal(saved.rows_of(S.EXACT, "aa"), sparse)
    assert np.array_equal(saved.rows_of(S.EXACT, "bb"), dense)
    got_rows, got_freqs = saved.weighted("词")
    assert np.array_equal(got_rows, sparse) and np.array_equal(got_freqs, freqs)
    postings = Postings(None, np.arange(rows), rows, saved)
    probe = np.arange(rows, dtype=np.int64)
    for term, expected in (("aa", sparse), ("bb", dense)):
        assert np.array_equal(np.flatnonzero(postings.held(term, probe)), expected), term
        assert postings.doc_frequency(S.EXACT, term) == len(expected)
    assert postings.held("cc", probe) is None
    saved.close()


def test_a_file_of_the_older_layout_is_not_read(sample_engine, tmp_path, caplog):
    snap = sample_engine.snapshot()
    path = sample_engine.store.generation_dir(snap.generation) / POSTINGS_FILE
    old = tmp_path / "old.bin"
    old.write_bytes(b"BGPOST2\n" + path.read_bytes()[8:])
    with caplog.at_level("WARNING"):
        assert FrequentPostings.open(old, snap.n) is None
    assert "older layout" in caplog.text


def _copy_without_postings(root, copy):
    """A copy of the index at ``root`` whose current generation has no saved postings file."""
    import shutil

    shutil.copytree(root, copy)
    store = IndexStore(copy)
    (store.generation_dir(store.current_generation()) / POSTINGS_FILE).unlink()
    return copy


def test_a_generation_without_the_file_is_refused_not_searched_in_whoosh_alone(sample_index, tmp_path):
    """Whoosh lacks the frequent terms: a generation that lost its saved postings would miss every 发展.
    The engine refuses it with the rebuild message, and so does the next update."""
    from index.writer import IndexStoreError
    from search.engine import EngineError

    copy = _copy_without_postings(sample_index, tmp_path / "copy")
    with pytest.raises((IndexStoreError, EngineError), match="postings.bin 缺失或损坏.*重新运行 baogao index"):
        Engine(copy).search(SearchRequest(q="发展"))
    with pytest.raises(IndexStoreError, match="postings.bin 缺失或损坏.*重新运行 baogao index"):
        with IndexStore(copy).update() as up:
            up.changed = True


def test_a_file_for_another_row_count_is_not_used(sample_engine, tmp_path):
    snap = sample_engine.snapshot()
    path = sample_engine.store.generation_dir(snap.generation) / POSTINGS_FILE
    assert FrequentPostings.open(path, snap.n) is not None
    assert FrequentPostings.open(path, snap.n + 1) is None
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not a postings file")
    assert FrequentPostings.open(bad, snap.n) is None
    assert FrequentPostings.open(tmp_path / "missing.bin", snap.n) is None


@pytest.mark.parametrize("top", [1, 5, 37])
def test_the_first_page_is_the_head_of_the_full_order(sample_engine, top):
    from search.ranking import order

    snap = sample_engine.snapshot()
    _, hits, _ = sample_engine.matching_rows(SearchRequest(q="发展"))
    for sort in ("relevance", "newest", "oldest", "region"):
        full = order(snap, hits, ["发展"], sort, either=False)
        assert np.array_equal(order(snap, hits, ["发展"], sort, either=False, top=top), full[:top]), sort
    full = order(snap, hits, [], "newest", either=False)
    assert np.array_equal(order(snap, hits, [], "newest", either=False, top=top), full[:top])


def test_postings_of_an_empty_index_are_empty():
    p = Postings(None, np.empty(0, dtype=np.int64), 0, None)
    assert p.rows(S.EXACT, "发展").size == 0 and p.doc_frequency(S.WORDS, "发展") == 0


def test_packed_terms_narrow_candidates_without_changing_any_answer(tmp_path, monkeypatch):
    """With every term held by 8 rows saved (nearly all packed at the sample's size, and left out of Whoosh),
    phrases answer exactly as a scan of the search texts does."""
    from index.build import build
    from tests.conftest import SAMPLE

    monkeypatch.setattr(P, "frequent_threshold", lambda rows: 8)
    root = tmp_path / "index"
    build([SAMPLE], root, workers=1)
    saved = Engine(root)
    try:
        snap = saved.snapshot()
        kinds = {snap.postings.frequent.kind(S.EXACT, t) for f, t in snap.postings.frequent.terms() if f == S.EXACT}
        assert kinds == {"bitmap", "packed"}
        for q in ("高质量发展", "乡村振兴", "营商环境", "人民群众", "全面建成小康社会", "稳中求进", "一带一路"):
            expected = [i for i in range(snap.n) if q in snap.search[i]]
            a = saved.search(SearchRequest(q=q, per_page=1000))
            assert a.total == len(expected) > 0, q
            assert sorted(h.paragraph_id for h in a.hits) == sorted(snap.paragraph_ids[i] for i in expected), q
    finally:
        saved.close()
    assert assert_postings_complete(root) > 10_000


def test_a_postings_file_is_the_same_whatever_the_order_of_its_terms_and_leaves_nothing_when_it_fails(tmp_path):
    rows = 70_000
    entries = [P._encode(S.EXACT, t, np.arange(i, rows, 97 + i), rows) for i, t in enumerate(("ab", "ba", "中国"))]
    entries.append(P._encode(S.WORDS, "发展", (np.arange(5, rows, 300), np.full(len(range(5, rows, 300)), 3)), rows))
    made = []
    for order in (entries, entries[::-1]):
        folder = tmp_path / str(len(made))
        folder.mkdir()
        with P._PostingsFile(folder / POSTINGS_FILE, rows) as out:
            for e in order:
                out.add(e)
            out.finish()
        made.append((folder / POSTINGS_FILE).read_bytes())
    assert made[0] == made[1]
    failed = tmp_path / "failed"
    failed.mkdir()
    with pytest.raises(RuntimeError):
        with P._PostingsFile(failed / POSTINGS_FILE, rows) as out:
            out.add(entries[0])
            raise RuntimeError("killed half way")
    assert list(failed.iterdir()) == []


def test_a_paragraphs_score_does_not_depend_on_how_many_hits_the_query_has(sample_engine):
    """BM25 reads a word's jieba frequency wherever it comes from: a paragraph scores the same when it is one
    hit of many and when it is the only hit (counting the word's characters in the text would count 会 in 社会)."""
    from search.ranking import bm25

    snap = sample_engine.snapshot()
    checked = 0
    for word in ("会", "国", "社会", "项目", "为王", "发展"):
        _, hits, _ = sample_engine.matching_rows(SearchRequest(q=word))
        assert len(hits) >= 4, word
        together = bm25(snap, hits, [word], False)
        for i in sorted(set(np.linspace(0, len(hits) - 1, 12).astype(int).tolist())):
            alone = bm25(snap, hits[i:i + 1], [word], False)
            assert alone[0] == pytest.approx(together[i], abs=1e-12), (word, int(hits[i]))
            checked += 1
    assert checked > 50
    # the two ways of counting differ on this text: 会 inside 社会, 会议 … is not jieba's word 会
    rows, freqs = snap.postings.weighted("会")
    token = dict(zip(rows.tolist(), freqs.tolist()))
    assert any(snap.search[i].count("会") > token.get(i, 0) for i in range(snap.n))


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_a_postings_file_is_laid_out_term_after_term_8_byte_aligned(tmp_path, monkeypatch, kernel_copy):
    """The file is its header, then each term's bytes in term order, each padded with zeros to 8 bytes,
    whether the kernel copies them from the scratch file or (a file system that cannot) Python does."""
    import json

    if not kernel_copy:
        def refuse(*args):
            raise OSError(18, "Invalid cross-device link")
        monkeypatch.setattr(P.os, "copy_file_range", refuse)
    rows = 70_000
    entries = [P._encode(S.EXACT, t, np.arange(i, rows, 97 + i), rows) for i, t in enumerate(("中国", "ab", "ba"))]
    entries.append(P._encode(S.WORDS, "发展", (np.arange(5, rows, 301), np.full(len(range(5, rows, 301)), 3)), rows))
    assert {len(e.data) % 8 for e in entries} != {0}
    with P._PostingsFile(tmp_path / POSTINGS_FILE, rows) as out:
        for e in entries:
            out.add(e)
        out.finish()
    ordered = sorted(entries, key=lambda e: P._term_order((e.field, e.term)))
    terms, offset, data = [], 0, b""
    for e in ordered:
        terms.append([e.field, e.term, e.kind, e.df, offset, len(e.data)])
        data += e.data + b"\0" * ((-len(e.data)) % 8)
        offset = len(data)
    header = json.dumps({"rows": rows, "terms": terms}, ensure_ascii=False).encode("utf-8")
    header += b" " * ((-len(header)) % 8)
    assert (tmp_path / POSTINGS_FILE).read_bytes() == b"BGPOST4\n" + len(header).to_bytes(8, "little") + header + data


@pytest.mark.parametrize("rows, density", [(70_000, 1 / 3), (70_000, 1 / 40), (70_000, 1 / 700), (300_001, 1 / 5_000),
                                           (1_000, 1.0)])
def test_a_packed_term_is_a_tenth_of_16_bit_rows_per_doubling_and_reads_back(tmp_path, rows, density):
    """Elias–Fano: about 2 + log2(rows / df) bits a row (16-bit rows in chunks took 16), read back exactly,
    a word's frequencies after them."""
    rng = np.random.default_rng(int(rows * density))
    got = np.flatnonzero(rng.random(rows) < density)
    freqs = rng.integers(1, 256, len(got)).astype(np.uint8)
    data = P._pack(got, rows, freqs)
    bits = 8 * (len(data) - len(got)) / len(got)
    assert bits <= 2 + np.log2(rows / len(got)) + 1 + 64 / len(got), bits
    assert np.array_equal(P._unpack_rows(data, 0, len(got), rows), got)
    assert data[len(data) - len(got):] == freqs.tobytes()


@pytest.mark.parametrize("spread", [1, 3, 40])
def test_frequencies_take_half_a_byte_and_read_back_exactly(spread):
    """Four bits a frequency, the few of 15 or more after them as bytes (capped at 255, as before)."""
    rng = np.random.default_rng(spread)
    freqs = np.minimum(rng.geometric(1 / spread, 10_001), 400)
    data = P._pack_freqs(freqs)
    many = int((freqs >= 15).sum())
    assert len(data) == 5_001 + many and (many > 100) == (spread == 40)
    assert P._unpack_freqs(b"xy" + data, 2, len(freqs)).tolist() == np.minimum(freqs, 255).tolist()


@pytest.mark.parametrize("share", [0.5, 0.9, 0.999])
@pytest.mark.parametrize("density", [1 / 3, 1 / 37, 1 / 900])
def test_an_appended_packed_term_reads_back_as_one_encoded_whole(tmp_path, share, density):
    """The previous entry's bytes extended by rows that follow them (kept low bits, a partly filled last
    byte, a high bitmap grown) decode to the whole rows, exact terms and words alike, and an update adding
    nothing to a term keeps its rows."""
    rows_before = 50_001
    rows = int(rows_before / share)
    rng = np.random.default_rng(int(1 / density) + int(share * 1000))
    every = np.flatnonzero(rng.random(rows) < density)
    before, after = every[every < rows_before], every[every >= rows_before]
    freqs = rng.integers(1, 256, len(every)).astype(np.uint8)
    entries = [P._encode(S.EXACT, "ab", before, rows_before),
               P._encode(S.WORDS, "词", (before, freqs[:len(before)]), rows_before),
               P._encode(S.EXACT, "cd", before, rows_before)]
    previous = _saved(tmp_path, rows_before, entries)
    extended = {}
    for field, term, new in ((S.EXACT, "ab", after), (S.WORDS, "词", (after, freqs[len(before):])),
                             (S.EXACT, "cd", None)):
        e = P._appended(previous, field, term, new, rows, 1)
        expected = before if new is None else every
        if e is None:  # encoded whole instead: only when the kind changes or the kept low bits cost a tenth more
            kind = ("bitmap" if P._as_bitmap(len(expected), rows) else "packed") if field == S.EXACT else \
                ("bitmap" if P._word_as_bitmap(len(expected), rows) else "wide")
            low = previous._mm[previous._base + previous._entries[(field, term)].offset]
            assert kind != previous.kind(field, term) or (
                P._packed_size(len(expected), rows, low) > 1.1 * P._packed_size(len(expected), rows) + 64)
            continue
        extended[term] = e.kind
        folder = tmp_path / f"{field}-{term}"
        folder.mkdir()
        saved = _saved(folder, rows, [e])
        assert np.array_equal(saved.rows_of(field, term), expected), (field, term)
        if field == S.WORDS:
            assert np.array_equal(saved.weighted(term)[1], freqs[:len(expected)])
        saved.close()
    previous.close()
    # a word of one row in 3 keeps a bitmap, rarer ones their rows; both extend, with their frequencies
    assert extended["词"] == ("bitmap" if density > 1 / 16 else "wide")
    assert extended["ab"] == ("bitmap" if density * P.BITMAP_SHARE >= 1 else "packed")
