"""A generation carried forward (index/carry.py) holds exactly what reading it whole would give,
and answers every query as a fresh full build of the same reports does."""
from __future__ import annotations

import dataclasses

import pytest

from index import postings as P
from index import whoosh_internals as wi
from index.assemble import parse_path
from index.columns import COLUMNS_FILE, dump_columns, load_columns, read_columns
from index.postings import POSTINGS_FILE, FrequentPostings, frequent_postings_bytes
from index.report import Region
from index.writer import IndexStore
from search.engine import Engine, SearchRequest
from tests.conftest import SAMPLE, make_report

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


def assert_files_equal_a_whole_read(store: IndexStore) -> None:
    """The published generation's columns and postings equal those made from every stored field and posting."""
    gdir = store.generation_dir(store.current_generation())
    ix, reports, _ = store.open_generation()
    mapped = load_columns(gdir / COLUMNS_FILE)
    with ix.reader() as reader:
        assert mapped.segments == [[s.segment_id, s.documents] for s in wi.leaf_segments(reader)]
        cols = read_columns(reader, reports)
        assert bytes(mapped.buf) == dump_columns(cols, segments=mapped.segments)
        saved = FrequentPostings.open(gdir / POSTINGS_FILE, mapped.rows)
        assert len(saved.terms()) > 100
        # the same terms (every one held by the threshold's live rows), the same rows
        assert (gdir / POSTINGS_FILE).read_bytes() == frequent_postings_bytes(reader, cols.docnum_to_row, mapped.rows)


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
    assert_files_equal_a_whole_read(store)

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
        assert_files_equal_a_whole_read(store)
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


@pytest.mark.parametrize("missing", ["segments", "postings"])
def test_a_previous_generation_without_segments_or_postings_is_read_whole(tmp_path, many_frequent_terms, missing):
    store = IndexStore(tmp_path / "index")
    publish(store, sample_reports()[:2])
    gdir = store.generation_dir(store.current_generation())
    if missing == "segments":  # as written before the columns file listed its segments
        ix, reports, _ = store.open_generation()
        with ix.reader() as reader:
            (gdir / COLUMNS_FILE).write_bytes(dump_columns(read_columns(reader, reports)))
        assert load_columns(gdir / COLUMNS_FILE).segments is None
    else:
        (gdir / POSTINGS_FILE).unlink()
    up = publish(store, [small_report(1)])
    assert up.publish_times.carried_rows == (0 if missing == "segments" else up.publish_times.rows - 2)
    assert_files_equal_a_whole_read(store)


def test_a_full_build_reads_its_rows_in_blocks(tmp_path, monkeypatch, many_frequent_terms):
    from index import carry

    monkeypatch.setattr(carry, "BLOCK_ROWS", 100)
    store = IndexStore(tmp_path / "index")
    reports = sample_reports()
    publish(store, reports)
    ix, _, _ = store.open_generation()
    with ix.reader() as reader:
        plan = carry.RowPlan.of(reader, None)
        assert len(plan.blocks(store.read_reports())) >= plan.rows // 100
    assert_files_equal_a_whole_read(store)


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
    assert_files_equal_a_whole_read(store)  # the terms chosen again, as the threshold fell
