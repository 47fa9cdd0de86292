"""A generation carried forward (index/carry.py) holds exactly the rows its reports make, in the order Whoosh
holds their paragraphs, and answers every query as a fresh full build of the same reports does."""
from __future__ import annotations

import dataclasses
import shutil

import numpy as np
import pytest

from index import postings as P
from index import schema as S
from index import whoosh_internals as wi
from index.assemble import parse_path
from index.carry import SAVED_ROWS
from index.columns import COLUMNS_FILE, COLUMNS_SCRATCH, dump_columns, load_columns
from index.postings import POSTINGS_FILE, FrequentPostings, write_frequent_postings
from index.report import Region
from index.search_code import encode as search_code
from index.writer import IndexStore, IndexStoreError
from search.engine import Engine, SearchRequest
from tests.conftest import SAMPLE, assert_postings_complete, columns_from_reports, make_report

BAZHOU = Region("county", "河北省", "廊坊市", "霸州市", "131081")
QUERIES = ["发展", "项目为王", "营商环境", "乡村振兴 OR 脱贫攻坚", "改革 开放", "高质量发展 -疫情", "稳中求进",
           "招商引资", "新质生产力", "小报告", "产业园区 year:1990-2040", "推进 level:county"]


@pytest.fixture
def many_frequent_terms(monkeypatch):
    """Save every term held by 8 rows or more, so the queries above read saved postings."""
    monkeypatch.setattr(P, "frequent_threshold", lambda rows: 8)


def sample_reports():
    return [r for f in sorted(SAMPLE.glob("*.txt")) for r in parse_path(f)]


def small_report(i: int, text: str = "稳中求进，推进产业园区建设。", year: int | None = None):
    return make_report([f"小报告{i}：{text}", f"第二段{i}：项目为王，发展是第一要务。"], region=BAZHOU,
                       year=year or 1900 + i, source=f"s{i}.txt")


def assert_files_equal_a_whole_read(store: IndexStore, reports) -> None:
    """The published generation's columns equal those made from its ``reports`` (any superset of them),
    and every term's postings answer the rows that make it; its scratch folder is gone."""
    gdir = store.generation_dir(store.current_generation())
    assert not (gdir / SAVED_ROWS).exists() and not (gdir / P.SAVED_POSTINGS).exists()
    assert not (gdir / COLUMNS_SCRATCH).exists()
    cols, segments = columns_from_reports(store.root, reports)
    mapped = load_columns(gdir / COLUMNS_FILE)
    assert mapped.segments == segments
    assert bytes(mapped.buf) == dump_columns(cols, segments=segments)
    saved = FrequentPostings.open(gdir / POSTINGS_FILE, mapped.rows)
    assert len(saved.terms()) > 100
    # every term's rows (saved, or read from Whoosh) are those its paragraphs make; the frequent ones saved
    assert_postings_complete(store.root)


def answers(root) -> dict:
    engine = Engine(root)
    out = {}
    for q in QUERIES:
        page = engine.search(SearchRequest(q=q, per_page=1000)).as_dict()
        out[q] = (page["total"], sorted(h["paragraph_id"] for h in page["hits"]), page["facets"], page["years"])
    return out


def frequent_by_paragraph(root) -> dict:
    """Every saved term's paragraphs (ids, with the word's frequency), whatever the rows' order."""
    snap = Engine(root).snapshot()
    out = {}
    for field, term in snap.postings.frequent.terms():
        if field == "exact":
            out[(field, term)] = sorted(snap.paragraph_ids[r] for r in snap.postings.rows(field, term).tolist())
        else:
            rows, freqs = snap.postings.weighted(term)
            out[(field, term)] = sorted(zip((snap.paragraph_ids[r] for r in rows.tolist()), freqs.tolist()))
    return out


def frequent_by_paragraph_df(root, field: str, term: str) -> int:
    """How many rows the generation's saved postings give ``term`` (0 when it is not saved)."""
    engine = Engine(root)
    try:
        return engine.snapshot().postings.frequent.df(field, term) or 0
    finally:
        engine.close()


def bm25_by_paragraph(root, word: str) -> dict:
    from search.ranking import bm25

    snap = Engine(root).snapshot()
    hits = snap.postings.rows("exact", word[:2])
    return {snap.paragraph_ids[r]: round(s, 9) for r, s in zip(hits.tolist(), bm25(snap, hits, [word], False).tolist())}


def publish(store: IndexStore, reports) -> IndexStore:
    with store.update() as up:
        for r in reports:
            up.add_report(r)
    return up


def test_updates_carry_rows_forward_and_answer_as_a_full_build(tmp_path, monkeypatch, many_frequent_terms):
    monkeypatch.setattr(wi, "SMALL_SEGMENT_DOCS", 50)  # a segment holding a sample report is large
    store = IndexStore(tmp_path / "index", flush_characters=20_000)
    current = {}
    base = []
    for i, r in enumerate(sample_reports()):  # each segment: a small report, then a sample report
        base += [small_report(i), r]
    up = publish(store, base)
    current.update({r.sources[0]: r for r in base})
    assert up.publish_times.carried_rows == 0 and up.flushes >= 3
    assert_files_equal_a_whole_read(store, base)

    steps = [
        # a new report, and one replaced inside a large kept segment (a deletion there)
        [small_report(100), small_report(1, "乾务镇加快推进产业园区建设，招商引资。")],
        # a report deleted: its file now holds another year's report
        [small_report(101), small_report(2, "新质生产力加快发展。", year=2035)],
        [small_report(102), make_report([f"鸿雁计划第{k}条：引进人才。" for k in range(9)], region=BAZHOU, year=1960,
                                        source="new-term.txt")],  # a term frequent from this update on
        [small_report(103)],  # the fourth small segment: the small ones merge into this update's
    ]
    assert ("words", "鸿雁") not in frequent_by_paragraph(store.root)
    for k, step in enumerate(steps):
        ix, _, _ = store.open_generation()
        with ix.reader() as reader:
            before = {s.segment_id for s in wi.leaf_segments(reader)}
        up = publish(store, step)
        current.update({r.sources[0]: r for r in step})
        times = up.publish_times
        assert 0 < times.carried_rows < times.rows, k
        assert_files_equal_a_whole_read(store, list(current.values()))
        ix, _, _ = store.open_generation()
        with ix.reader() as reader:
            after = wi.leaf_segments(reader)
        if k == len(steps) - 1:  # the merge: three small segments gone, their rows read again
            assert len(before - {s.segment_id for s in after}) == 3
    assert store.read_reports().keys() == {r.report_id for r in current.values()}

    fresh = IndexStore(tmp_path / "fresh")
    publish(fresh, list(current.values()))
    got, expected = answers(store.root), answers(fresh.root)
    assert got == expected
    assert got["小报告"][0] == sum(src.startswith("s") for src in current)  # one paragraph each; the deleted one is gone
    assert got["新质生产力"][0] >= 1 and got["招商引资"][0] >= 1
    saved = frequent_by_paragraph(store.root)
    assert saved == frequent_by_paragraph(fresh.root) and ("words", "鸿雁") in saved
    for word in ("发展", "建设", "推进"):  # frequent words: their counts are the live ones, so scores are equal
        assert bm25_by_paragraph(store.root, word) == bm25_by_paragraph(fresh.root, word)


def test_an_update_of_a_generation_that_lost_its_postings_is_refused_and_changes_nothing(tmp_path,
                                                                                       many_frequent_terms):
    """Its segments left the frequent terms out of Whoosh, so only the lost file held them: made whole from
    Whoosh, the next generation would miss their rows. The update asks for a rebuild instead."""
    store = IndexStore(tmp_path / "index")
    reports = sample_reports()[:2]
    publish(store, reports)
    current = store.current_generation()
    (store.generation_dir(current) / POSTINGS_FILE).unlink()
    with pytest.raises(IndexStoreError, match="postings.bin 缺失或损坏"):
        publish(store, [small_report(1)])
    assert store.current_generation() == current and sorted(p.name for p in store.root.glob("gen-*")) == [current]


@pytest.mark.parametrize("columns", ["without segments", "older version", "missing"])
def test_an_index_of_an_older_layout_asks_for_a_rebuild_and_keeps_answering_as_it_can(tmp_path, columns):
    """Whoosh holds no paragraphs, so a generation whose columns file an older baogao wrote (one that
    did not list its segments, or of another version) can be neither read nor updated: a message says
    to rebuild, and the index is left as it was."""
    from search.engine import EngineError

    store = IndexStore(tmp_path / "index")
    publish(store, sample_reports()[:2])
    gen = store.current_generation()
    path = store.generation_dir(gen) / COLUMNS_FILE
    mapped = load_columns(path)
    if columns == "without segments":  # as written before the columns file listed its segments
        path.write_bytes(bytes(mapped.buf).replace(b'"segments"', b'"segmentz"', 1))
        assert load_columns(path).segments is None
    elif columns == "older version":  # the version before Whoosh stopped storing the paragraphs
        version = f'"version": [{S.SCHEMA_VERSION}, '
        older = f'"version": [{S.SCHEMA_VERSION - 1}, '
        path.write_bytes(bytes(mapped.buf).replace(version.encode(), older.encode(), 1))
        assert load_columns(path) is None
    else:
        path.unlink()
    with pytest.raises(IndexStoreError, match="旧版 baogao 写的索引.*请删除 .* 后重新运行 baogao index"):
        publish(store, [small_report(1)])
    assert store.current_generation() == gen and sorted(p.name for p in store.root.glob("gen-*")) == [gen]
    if columns != "without segments":  # the query path needs no segment list
        with pytest.raises(EngineError, match="旧版 baogao 写的索引"):
            Engine(store.root)


def test_a_build_saves_its_rows_in_blocks(tmp_path, monkeypatch, many_frequent_terms):
    from index import carry

    monkeypatch.setattr(carry, "BLOCK_ROWS", 100)
    saved = []
    remove = carry.SavedRows.remove

    def counting_remove(rows):
        saved.append(sorted(p.name for p in rows.folder.iterdir()))
        remove(rows)

    monkeypatch.setattr(carry.SavedRows, "remove", counting_remove)
    store = IndexStore(tmp_path / "index")
    reports = sample_reports()
    up = publish(store, reports)
    assert len(saved[0]) >= up.publish_times.rows // 100 and all(name.endswith(".bin") for name in saved[0])
    assert_files_equal_a_whole_read(store, reports)


@pytest.fixture
def saved_segments(monkeypatch):
    """The saved segments (:meth:`SavedPostings.holds`) of every update, as it publishes."""
    held = []
    remove = P.SavedPostings.remove

    def recording_remove(saved):
        held.append({seg for seg in saved._written if saved.holds(seg)})
        remove(saved)

    monkeypatch.setattr(P.SavedPostings, "remove", recording_remove)
    return held


def test_a_build_keeps_the_postings_of_the_segments_it_writes(tmp_path, monkeypatch, many_frequent_terms):
    """What the writer keeps of each segment as it writes it is what Whoosh then holds there: the docnums,
    and a word's frequencies as the postings file stores them, of exactly the terms held by 2 documents or
    one in :data:`SAVED_SHARE`; of those, the ones frequent among the segment's documents
    (:func:`frequent_threshold` of its count) Whoosh does not hold at all, and the file saved has them."""
    monkeypatch.setattr(wi, "SMALL_SEGMENT_DOCS", 50)  # no merge at the end
    monkeypatch.setattr(P, "SAVED_SHARE", 32)  # so that the rule is not just "2 or more" here
    store = IndexStore(tmp_path / "index", flush_characters=40_000)
    reports = sample_reports()
    kept = []
    monkeypatch.setattr(P.SavedPostings, "remove", lambda saved: kept.append(saved))  # left on disk
    up = publish(store, reports)
    assert up.flushes >= 2
    saved = kept[0]
    ix, _, _ = store.open_generation()
    compared = left = heaviest = raised = left_out = 0
    with ix.reader() as reader:
        segments = wi.leaf_segments(reader)
        assert len(segments) >= 3 and all(saved.holds(seg.segment_id) for seg in segments)
        for seg in segments:
            least = max(2, seg.documents // 32)
            raised += least > 2
            for field in (S.EXACT, S.WORDS):
                table = saved.terms(seg.segment_id, field)
                counts = wi.doc_frequencies(reader, field, [(seg.leaf, seg.offset)])
                out = {t for f, t in saved.left_out([seg.segment_id]) if f == field}
                assert out and not out & {t.decode("utf-8") for t in counts}  # left out of Whoosh altogether
                assert all(frequent_by_paragraph_df(store.root, field, t) > 0 for t in sorted(out)[:20])
                kept_terms = {t.decode("utf-8") for t, n in counts.items() if n >= least} | out
                assert set(table.kept()) == kept_terms
                left += sum(1 for n in counts.values() if n < least)
                some = sorted(kept_terms)[:5] + sorted(t.decode("utf-8") for t, n in counts.items() if n < least)[:5]
                asked = saved.terms(seg.segment_id, field, {t: k for k, t in enumerate(["未见之词", *some])})
                assert set(asked.kept()) == set(some) & kept_terms  # the terms asked for, no others
                assert all((asked.read(t) is None) == (t not in kept_terms) for t in ["未见之词", *some])
                asked.close()
                for term in table.kept():
                    got_docs, got_freqs = table.read(term)
                    docs = got_docs.astype(np.int64)
                    if term in out:
                        assert len(docs) >= P.frequent_threshold(seg.documents), term
                        left_out += 1
                        continue
                    if field == S.EXACT:
                        assert docs.tolist() == wi.read_docnums(reader, field, term, [(seg.leaf, 0)]).tolist()
                    else:
                        whoosh_docs, weights = wi.read_weighted(reader, field, term, [(seg.leaf, 0)])
                        assert docs.tolist() == whoosh_docs.tolist()
                        assert got_freqs.tolist() == P._capped_frequencies(weights).tolist()
                        heaviest = max(heaviest, int(weights.max()))
                    compared += 1
                table.close()
    assert compared > 1000 and left > 1000 and heaviest > 1 and raised >= 2 and left_out > 100
    shutil.rmtree(saved.folder)  # kept for the comparison above only
    assert_files_equal_a_whole_read(store, reports)


def test_an_update_that_only_adds_extends_the_previous_entries(tmp_path, monkeypatch):
    """When every previous row stays where it was, a term's entry is the previous entry's bytes extended
    with its new rows (bitmaps and packed rows, exact terms and words), and every term still answers the
    rows that make it."""
    monkeypatch.setattr(P, "frequent_threshold", lambda rows: 3)  # bitmaps for terms in one row in 16 or more
    extended = []
    appended = P._appended

    def spying(previous, field, term, new, rows, threshold):
        got = appended(previous, field, term, new, rows, threshold)
        if got is not None and got.data:
            extended.append((field, got.kind, new is not None and len(new if field == S.EXACT else new[0]) > 0))
        return got

    monkeypatch.setattr(P, "_appended", spying)
    reports = sample_reports()
    first, added = reports[:-3], reports[-3:]
    store = IndexStore(tmp_path / "index")
    publish(store, first)
    assert not extended
    up = publish(store, added)
    assert up.publish_times.carried_rows == sum(len(r.paragraphs) for r in first)
    kinds = set(extended)
    assert {(S.EXACT, "bitmap", True), (S.EXACT, "packed", True), (S.WORDS, "wide", True)} <= kinds
    assert (S.EXACT, "packed", False) in kinds  # a term the new reports do not hold keeps its rows
    assert_files_equal_a_whole_read(store, first + added)


def test_an_update_that_only_deletes_carries_every_remaining_row(tmp_path, monkeypatch):
    monkeypatch.setattr(P, "frequent_threshold", lambda rows: max(8, rows // 40))  # fewer rows: a lower threshold
    store = IndexStore(tmp_path / "index")
    reports = sample_reports()
    publish(store, reports)
    moved = dataclasses.replace(small_report(0), sources=reports[0].sources)  # the file now holds another report
    up = publish(store, [moved])
    remaining = up.publish_times.rows - len(moved.paragraphs)
    assert up.publish_times.carried_rows == remaining
    assert P.frequent_threshold(up.publish_times.rows) < P.frequent_threshold(remaining + len(reports[0].paragraphs))
    # the threshold fell: terms that reach it without new documents are saved too, the saved ones stay
    assert_files_equal_a_whole_read(store, reports + [moved])


def sample_report(i: int, lines: list[str], paragraphs: int = 3, source: str | None = None):
    """A report of ``paragraphs`` consecutive sample paragraphs from the ``i``-th on."""
    return make_report(lines[i * paragraphs : (i + 1) * paragraphs], region=BAZHOU, year=1950 + i,
                       source=source or f"r{i}.txt")


def sample_lines() -> list[str]:
    lines = [ln.strip() for f in sorted(SAMPLE.glob("*.txt")) for ln in f.read_text("utf-8").splitlines()]
    return list(dict.fromkeys(ln for ln in lines if len(ln) > 40))


@pytest.mark.parametrize("fast_pool", [True, False])
def test_a_merge_of_segments_with_deletions_keeps_each_paragraph_on_its_row(tmp_path, monkeypatch, fast_pool,
                                                                             saved_segments):
    """Kept segments and segments written by the update, some with deleted documents (in the middle, or
    all of them), merge: every search hit is still the paragraph its id names, with its text (through the
    fast pool and through Whoosh's own writer). Through Whoosh's writer every small segment merges into
    one; through the fast pool the update's own segments stay (they left their frequent terms out of
    Whoosh, and only its scratch holds those postings) and the mostly deleted kept segment merges, its
    frequent terms' rows carried from the previous saved postings, the rest read from Whoosh."""
    monkeypatch.setattr(P, "frequent_threshold", lambda rows: 3)  # 27 rows: save terms held by 3 or more
    lines = sample_lines()
    store = IndexStore(tmp_path / "index", fast_pool=fast_pool)
    first = [sample_report(i, lines) for i in range(3)]  # one segment; the middle report is replaced below
    second = [sample_report(i, lines) for i in range(3, 5)]
    publish(store, first)
    publish(store, second)
    ix, _, _ = store.open_generation()
    with ix.reader() as reader:
        before = {s.segment_id for s in wi.leaf_segments(reader)}
    assert len(before) == 2
    store.flush_characters = 1  # each report its own segment
    replaced = sample_report(5, lines, source="r1.txt")  # r1.txt now holds another report: r1 deleted
    replaced_first = sample_report(10, lines, source="r0.txt")  # and r0: the first segment is mostly deleted
    gone = sample_report(6, lines)  # written, then deleted in this update: its segment has no live document
    added = [sample_report(7, lines), sample_report(8, lines)]
    with store.update() as up:
        up.add_report(replaced)
        up.add_report(replaced_first)
        up.add_report(gone)
        up.add_report(added[0])
        up.add_report(dataclasses.replace(sample_report(9, lines), sources=gone.sources))
        up.add_report(added[1])
    assert up.flushes >= 5
    live = [first[2], *second, replaced, replaced_first, *added, sample_report(9, lines, source=gone.sources[0])]
    ix, _, _ = store.open_generation()
    with ix.reader() as reader:
        after = wi.leaf_segments(reader)
    first_segments = saved_segments[0] | saved_segments[1]
    assert first_segments == (before if fast_pool else set())  # written without a merge: saved by the fast pool
    ids = [s.segment_id for s in after]
    if fast_pool:  # the update's saved segments kept; the first segment merged into the last one written
        assert set(ids) - before == saved_segments[2] | {ids[-1]} and ids[-1] not in saved_segments[2]
        assert len(saved_segments[2]) >= 5
        assert len(before - set(ids)) == 1 and up.publish_times.carried_rows == 3 * len(second)
    else:  # every segment was small: all merged
        assert len(after) == 1 and ids[0] not in before and up.publish_times.carried_rows == 0
    assert up.publish_times.rows == 3 * len(live)
    assert_files_equal_a_whole_read(store, live + [first[0], first[1], gone])
    assert set(store.read_reports()) == {r.report_id for r in live}

    engine = Engine(store.root)
    try:
        for report in live:
            for p in report.paragraphs:
                phrase = p.search_text[10:18]
                holding = {(q.paragraph_id, q.text) for r in live for q in r.paragraphs if phrase in q.search_text}
                hits = engine.search(SearchRequest(q=f'"{phrase}"', per_page=100)).hits
                assert {(h.paragraph_id, engine.paragraph(h.paragraph_id)[1]["text"]) for h in hits} == holding
                assert (p.paragraph_id, p.text) in holding
    finally:
        engine.close()


def test_whoosh_stores_no_paragraph_values(tmp_path):
    """Whoosh's documents hold nothing: the text is in the columns file only."""
    reports = sample_reports()[:3]
    store = IndexStore(tmp_path / "index")
    publish(store, reports)
    ix, _, _ = store.open_generation()
    with ix.reader() as reader:
        assert reader.doc_count() == sum(len(r.paragraphs) for r in reports)
        assert all(fields == {} for fields in reader.all_stored_fields())
    whoosh_bytes = b"".join(f.read_bytes() for f in (store.generation_dir(store.current_generation()) / "whoosh").iterdir())
    columns_bytes = (store.generation_dir(store.current_generation()) / COLUMNS_FILE).read_bytes()
    paragraphs = [p for r in reports for p in r.paragraphs if len(p.search_text) >= 12][:50]
    assert len(paragraphs) == 50 and all(search_code(p.search_text[:12]) in columns_bytes for p in paragraphs)
    assert not any(p.search_text[:12].encode(code) in whoosh_bytes or p.text[:12].encode(code) in whoosh_bytes
                   or search_code(p.search_text[:12]) in whoosh_bytes for p in paragraphs for code in ("utf-8", "utf-16-le"))
    assert not any(r.paragraphs[0].paragraph_id.encode() in whoosh_bytes for r in reports)
