"""The index store: generations, idempotence, duplicates, locking, failures and kill -9."""
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import given, settings, strategies as st

from index.report import NATIONAL, Region
from index import schema as S
from index.writer import IndexBusyError, IndexStore, IndexStoreError
from search.engine import Engine, EngineError, SearchRequest
from tests.conftest import ROOT, make_report

BAZHOU = Region("county", "河北省", "廊坊市", "霸州市", "131081")
NATIONAL_2010 = [f"第{i}段：国内生产总值达到三十三点五万亿元，比上年增长百分之八点七，财政收入增长。" for i in range(30)]


def generation(root):
    return IndexStore(root).current_generation()


def test_indexing_the_same_report_twice_changes_nothing(make_index, tmp_path):
    r = make_report(["坚持项目为王。", "深化放管服改革。"], region=BAZHOU, source="a.txt")
    root = make_index([r])
    gen = generation(root)
    with IndexStore(root).update() as up:
        assert up.add_report(r).outcome == "unchanged"
    assert generation(root) == gen
    assert list(IndexStore(root).read_reports()) == [r.report_id]


def test_a_changed_file_replaces_its_report(make_index):
    root = make_index([make_report(["旧的段落。"], region=BAZHOU, source="a.txt")])
    with IndexStore(root).update() as up:
        assert up.add_report(make_report(["新的段落。"], region=BAZHOU, source="a.txt")).outcome == "replaced"
    e = Engine(root)
    assert e.search(SearchRequest(q="旧的")).total == 0
    assert e.search(SearchRequest(q="新的")).total == 1
    assert e.stats()["reports"] == 1


def test_the_same_report_in_two_files_is_one_report_with_two_sources(make_index):
    a = make_report(NATIONAL_2010, region=NATIONAL, year=2010, source="national-gbk-scrape/2010.txt")
    b = make_report(NATIONAL_2010[:-2] + ["各位代表！", "让我们更加紧密地团结起来。"], region=NATIONAL, year=2010,
                    source="national-txt/2010.txt")
    root = make_index([a, b])
    reports = IndexStore(root).read_reports()
    assert list(reports) == ["2010-全国"]
    assert reports["2010-全国"]["sources"] == ["national-gbk-scrape/2010.txt", "national-txt/2010.txt"]
    assert Engine(root).search(SearchRequest(q="第3段")).total == 1


def test_a_later_run_recognises_the_same_report_by_its_sketch_kept_beside_reports_json(make_index):
    a = make_report(NATIONAL_2010, region=NATIONAL, year=2010, source="national-gbk-scrape/2010.txt")
    root = make_index([a])
    gen_dir = root / generation(root)
    assert "sketch" not in json.loads((gen_dir / "reports.json").read_text(encoding="utf-8"))["2010-全国"]
    from index.writer import SKETCHES, _read_sketches

    assert len(dict(_read_sketches((gen_dir / SKETCHES).read_bytes()))["2010-全国"]) > 8
    b = make_report(NATIONAL_2010[:-2] + ["各位代表！", "让我们更加紧密地团结起来。"], region=NATIONAL, year=2010,
                    source="national-txt/2010.txt")
    with IndexStore(root).update() as up:
        assert up.add_report(b).outcome == "duplicate"  # by content: the fingerprints differ
    assert list(IndexStore(root).read_reports()) == ["2010-全国"]


def _crc_of_each_shingle(text: str) -> list[int]:
    """What :func:`index.writer.shingle_hashes` computes, a slice at a time (the sketch's first definition)."""
    import zlib

    return [zlib.crc32(text[i:i + 5].encode("utf-8")) for i in range(max(0, len(text) - 4)) if not ord(text[i]) & 1]


@pytest.mark.parametrize("text", ["", "abcd", "abcde", "ab" * 7, "é中文😀x", "😀" * 9, "aaa中中中中中中中",
                                  "\x00" * 6, "２０２３年ＧＤＰ增长５．２％，₂₀", "\u07ff\u0800\uffff\U00010000" * 3])
def test_shingle_hashes_are_zlibs_crc_of_each_shingle(text):
    from index.writer import shingle_hashes

    assert shingle_hashes(text).tolist() == _crc_of_each_shingle(text)


def test_a_reports_sketch_is_the_smallest_distinct_shingle_hashes():
    from index.assemble import parse_path
    from index.writer import report_sketch
    from tests.conftest import SAMPLE

    reports = [r for f in sorted(SAMPLE.glob("*.txt")) for r in parse_path(f)]
    for report in reports:
        text = "".join(p.search_text.replace(" ", "") for p in report.paragraphs)
        assert report_sketch(report) == tuple(sorted(set(_crc_of_each_shingle(text)))[:256])
    assert len(reports) > 5 and all(len(report_sketch(r)) == 256 for r in reports)


def test_sketches_are_held_as_arrays_and_written_as_uint32s(make_index, tmp_path):
    import struct
    from array import array

    from index.writer import SKETCHES, IndexStoreError, _read_records, _read_sketches, _write_records

    a = make_report(NATIONAL_2010, region=NATIONAL, year=2010, source="national-gbk-scrape/2010.txt")
    b = make_report(["坚持项目为王。", "深化放管服改革。"], region=BAZHOU, source="a.txt")
    root = make_index([a, b])
    gen_dir = root / generation(root)
    records = _read_records(gen_dir)
    assert all(isinstance(r["sketch"], array) and r["sketch"].typecode == "I" for r in records.values())
    _write_records(tmp_path, records)
    written = (tmp_path / SKETCHES).read_bytes()
    assert written == (gen_dir / SKETCHES).read_bytes()
    assert written == b"BGSKETCH1\n" + b"".join(
        struct.pack("<I", len(rid.encode())) + rid.encode() + struct.pack(f"<I{len(r['sketch'])}I", len(r["sketch"]),
                                                                           *r["sketch"])
        for rid, r in sorted(records.items()))
    assert len(records["2010-全国"]["sketch"]) > 8 and len(written) < 5 * sum(len(r["sketch"]) for r in records.values())
    with pytest.raises(IndexStoreError, match="已损坏"):
        list(_read_sketches(written[1:]))


def test_records_hold_their_evidence_packed_and_write_it_back_as_it_was(make_index, tmp_path):
    """The writer holds a record's evidence as compressed JSON and writes it so to the evidence file, a report
    at a time, not to reports.json; a generation's records read and written again give the same files byte for
    byte, and a reader gets each report's evidence back from its entry."""
    from index.assemble import parse_path
    from index.writer import (EVIDENCE, REPORTS, IndexStoreError, PackedJSON, _read_records, _write_records,
                              evidence_entries, evidence_offsets, report_record)
    from tests.conftest import SAMPLE

    reports = [r for f in sorted(SAMPLE.glob("*.txt"))[:3] for r in parse_path(f)]
    evidence = json.loads(json.dumps({r.report_id: r.metadata()["evidence"] for r in reports}, ensure_ascii=False))
    assert all(evidence.values())  # titles, years and regions found with their excerpts
    record = report_record(reports[0], "2026-11-27T00:00:00+00:00", (1, 2, 3))
    assert isinstance(record["evidence"], PackedJSON)
    assert record["evidence"].value() == evidence[reports[0].report_id]
    root = make_index(reports)
    gen_dir = root / generation(root)
    assert not any("evidence" in rec for rec in json.loads((gen_dir / REPORTS).read_text(encoding="utf-8")).values())
    with open(gen_dir / EVIDENCE, "rb") as f:
        entries = list(evidence_entries(f))
    assert [rid for rid, *_ in entries] == sorted(evidence)
    assert {rid: PackedJSON(data).value() for rid, _, _, data in entries} == evidence
    written = (gen_dir / EVIDENCE).read_bytes()
    assert sum(k for _, _, k, _ in entries) < 0.5 * len(json.dumps(evidence, ensure_ascii=False).encode())
    with open(gen_dir / EVIDENCE, "rb") as f:
        assert {rid: written[at : at + k] for rid, (at, k) in evidence_offsets(f).items()} == \
            {rid: data for rid, _, _, data in entries}
    for damaged in (b"{" + written[1:], written[:-3]):
        with pytest.raises(IndexStoreError, match="已损坏"):
            list(evidence_entries(io.BytesIO(damaged)))
    records = _read_records(gen_dir)
    assert all(isinstance(r["evidence"], PackedJSON) for r in records.values())
    assert {rid: r["evidence"].value() for rid, r in records.items()} == evidence
    _write_records(tmp_path, records)
    for name in (REPORTS, EVIDENCE):
        assert (tmp_path / name).read_bytes() == (gen_dir / name).read_bytes()
    engine = Engine(root)
    snap = engine.snapshot()
    assert {rid: snap.evidence(rid) for rid in evidence} == evidence
    assert snap.evidence("1999-不存在") == []
    assert {r["report_id"]: r["evidence"] for r in engine.reports(evidence=True)} == evidence
    assert all("evidence" not in r for r in engine.reports())
    rec, _ = engine.report(reports[0].report_id)
    assert rec["evidence"] == evidence[reports[0].report_id] and "evidence" not in snap.reports[reports[0].report_id]
    bare, paragraphs = engine.report(reports[0].report_id, evidence=False)
    assert "evidence" not in bare and paragraphs == engine.report(reports[0].report_id)[1]
    engine.close()


def test_evidence_survives_an_update_and_a_generation_with_it_in_reports_json_is_still_read(make_index):
    """A second build carries the first one's evidence (read back from its file) into the new generation;
    a generation written before the evidence file (reports.json holding it) shows it all the same."""
    from index.assemble import parse_path
    from index.writer import EVIDENCE, REPORTS, PackedJSON, evidence_entries
    from tests.conftest import SAMPLE

    a, b = [r for f in sorted(SAMPLE.glob("*.txt"))[:2] for r in parse_path(f)]
    root = make_index([a])
    first = Engine(root).report(a.report_id)[0]["evidence"]
    assert any(e["field"] == "region" for e in first)
    make_index([b], root)
    gen_dir = root / generation(root)
    engine = Engine(root)
    assert engine.report(a.report_id)[0]["evidence"] == first
    engine.close()
    # rewrite the generation as an older baogao wrote it: the evidence inside reports.json, no evidence file
    reports = json.loads((gen_dir / REPORTS).read_text(encoding="utf-8"))
    with open(gen_dir / EVIDENCE, "rb") as f:
        for rid, _, _, data in evidence_entries(f):
            reports[rid]["evidence"] = PackedJSON(data).value()
    (gen_dir / REPORTS).write_text(json.dumps(reports, ensure_ascii=False), encoding="utf-8")
    (gen_dir / EVIDENCE).unlink()
    engine = Engine(root)
    assert engine.report(a.report_id)[0]["evidence"] == first
    assert engine.snapshot().evidence(b.report_id) == reports[b.report_id]["evidence"]
    engine.close()


def test_two_different_reports_with_the_same_readable_id_are_kept_apart(make_index):
    a = make_report(["霸州市坚持项目为王。"] * 3, region=BAZHOU, source="a.txt")
    b = make_report(["完全不同的另一篇报告内容。", "第二段。"], region=BAZHOU, source="b.txt")
    reports = IndexStore(make_index([a, b])).read_reports()
    assert len(reports) == 2
    assert a.report_id in reports and any(k.startswith(a.report_id + "-") for k in reports)


def test_a_failed_run_leaves_the_previous_index_searchable(make_index):
    root = make_index([make_report(["坚持项目为王。"], region=BAZHOU, source="a.txt")])
    gen = generation(root)
    with pytest.raises(RuntimeError):
        with IndexStore(root).update() as up:
            up.add_report(make_report(["新质生产力。"], region=BAZHOU, year=2024, source="b.txt"))
            raise RuntimeError("boom")
    assert generation(root) == gen
    e = Engine(root)
    assert e.search(SearchRequest(q="项目为王")).total == 1
    assert e.search(SearchRequest(q="新质生产力")).total == 0
    assert sorted(p.name for p in root.glob("gen-*")) == [gen]


def test_an_index_of_another_format_is_refused_by_readers_and_writers_with_a_clear_message(make_index):
    """Rare bigrams are looked up by bucket name, and the names change with the number of buckets: code
    reading an index of another format would miss their paragraphs, so it refuses the index instead."""
    root = make_index([make_report(["坚持项目为王。"], region=BAZHOU, source="a.txt")])
    fmt = root / generation(root) / "FORMAT"
    assert fmt.read_text(encoding="utf-8").strip() == str(S.SCHEMA_VERSION)
    assert Engine(root).search(SearchRequest(q="项目为王")).total == 1
    fmt.write_text("5\n", encoding="utf-8")
    with pytest.raises(EngineError) as info:
        Engine(root)
    assert "格式 5" in str(info.value) and "重新运行 baogao index" in str(info.value)
    with pytest.raises(IndexStoreError):
        with IndexStore(root).update() as up:
            up.add_report(make_report(["新质生产力。"], region=BAZHOU, year=2024, source="b.txt"))
    fmt.unlink()  # a generation written before the format was recorded
    with pytest.raises(EngineError) as info:
        Engine(root)
    assert "格式 ?" in str(info.value)


def test_a_second_writer_gets_a_clear_busy_error(make_index):
    root = make_index([make_report(["坚持项目为王。"], region=BAZHOU, source="a.txt")])
    with IndexStore(root).update():
        with pytest.raises(IndexBusyError) as info:
            with IndexStore(root).update(wait=0.3):
                pass
    assert "另一个 baogao index" in str(info.value)


def test_old_generations_are_pruned(make_index):
    root = make_index([make_report(["第一篇。"], region=BAZHOU, source="a.txt")])
    for i in range(4):
        with IndexStore(root).update() as up:
            up.add_report(make_report([f"第{i}次更新的内容。"], region=BAZHOU, year=2000 + i, source=f"x{i}.txt"))
    with IndexStore(root).update() as up:
        up.add_report(make_report(["再来一篇。"], region=BAZHOU, year=2019, source="y.txt"))
    assert len(list(root.glob("gen-*"))) <= 3


KILLED_WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from tests.conftest import make_report
    from index.report import Region
    from index.writer import IndexStore
    region = Region("county", "河北省", "廊坊市", "霸州市", "131081")
    with IndexStore({index!r}).update() as up:
        for i in range(50):
            up.add_report(make_report([f"被中断的第{{i}}篇报告，新质生产力。"], region=region, year=1990 + i, source=f"k{{i}}.txt"))
        print("writing", flush=True)
        time.sleep(60)
""")


def test_kill_9_during_indexing_leaves_the_index_as_it_was_and_a_rerun_completes(make_index, tmp_path):
    root = make_index([make_report(["坚持项目为王。"], region=BAZHOU, source="a.txt")])
    before = Engine(root).search(SearchRequest(q="项目为王")).as_dict()
    script = tmp_path / "writer.py"
    script.write_text(KILLED_WRITER.format(root=str(ROOT), index=str(root)), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, env={**os.environ})
    try:
        assert proc.stdout.readline().strip() == b"writing"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        proc.stdout.close()
    e = Engine(root)
    after = e.search(SearchRequest(q="项目为王")).as_dict()
    assert {k: v for k, v in after.items() if k != "took_ms"} == {k: v for k, v in before.items() if k != "took_ms"}
    assert e.search(SearchRequest(q="新质生产力")).total == 0
    # the lock died with the process: the same job runs to the end now
    with IndexStore(root).update(wait=2) as up:
        for i in range(50):
            up.add_report(make_report([f"被中断的第{i}篇报告，新质生产力。"], region=BAZHOU, year=1990 + i, source=f"k{i}.txt"))
    e._checked = 0
    assert e.search(SearchRequest(q="新质生产力")).total == 50


@pytest.mark.parametrize("order", ["page-one-first", "full-first"])
def test_a_paged_scrape_holding_page_one_is_the_same_report_and_the_fuller_copy_wins(make_index, order):
    full = make_report([f"第{i}部分：我们坚持稳中求进工作总基调，国民经济运行总体平稳，发展质量稳步提升{i}。" for i in range(60)],
                       region=NATIONAL, year=2006, source="national-txt/2006.txt")
    page_one = make_report([p.text for p in full.paragraphs[:12]], region=NATIONAL, year=2006,
                           source="national-gbk-scrape/2006.txt")
    root = make_index([page_one, full] if order == "page-one-first" else [full, page_one])
    reports = IndexStore(root).read_reports()
    assert list(reports) == ["2006-全国"]
    assert sorted(reports["2006-全国"]["sources"]) == ["national-gbk-scrape/2006.txt", "national-txt/2006.txt"]
    assert reports["2006-全国"]["paragraphs"] == 60
    assert Engine(root).search(SearchRequest(q="第59部分")).total == 1
    assert Engine(root).search(SearchRequest(q="第0部分")).total == 1  # the page-one copy's paragraphs are gone


@pytest.mark.parametrize("group_chunk", [None, 5])
def test_the_fast_pool_and_codec_write_the_postings_the_stock_writer_writes(tmp_path, monkeypatch, group_chunk):
    """``group_chunk``: the pool groups its postings a few documents at a time (each chunk ends at a document's
    end, so 5 is a document or two), not all at once."""
    from index import whoosh_internals as wi
    from index.assemble import parse_path
    from tests.conftest import SAMPLE

    if group_chunk:
        monkeypatch.setattr(wi, "GROUP_CHUNK", group_chunk)
    # every segment small, two enough to merge: the second generation merges the first into its new segment
    monkeypatch.setattr(wi, "SMALL_SEGMENT_DOCS", 10**9)
    monkeypatch.setattr(wi, "MERGE_SMALL_AT", 2)

    reports = parse_path(SAMPLE / "001_7b54cff1a7856689.txt") + parse_path(SAMPLE / "000_1ebb74cc993d5f7f.txt")
    extra = [make_report(["乾务镇加快推进产业园区建设。"], region=BAZHOU, year=2019, source="z.txt")]
    postings = []
    for fast in (True, False):
        store = IndexStore(tmp_path / f"idx-{fast}", fast_pool=fast)
        with store.update() as up:  # two generations: the second merges the first
            for r in reports:
                up.add_report(r)
        with store.update() as up:
            for r in extra:
                up.add_report(r)
        ix, _, _ = store.open_generation()
        with ix.reader() as reader:
            # an inlined posting list reads back its empty value as "" where a block gives None
            postings.append([(f, t, d, w, v or None) for f, t, d, w, v in reader.iter_postings()])
            assert reader.doc_count() == sum(len(r.paragraphs) for r in reports + extra)
            assert len(list(reader.leaf_readers())) == 1
    assert postings[0] == postings[1]
    assert len(postings[0]) > 10000


def test_word_counts_count_what_document_words_yields():
    """The words field's counts (index.analysis.word_counts, memoised per word) equal counting
    document_words, on the sample and on strings it was not written against."""
    from collections import Counter

    from index.analysis import document_words, word_counts
    from index.assemble import parse_path
    from tests.conftest import SAMPLE

    texts = [p.search_text for path in sorted(SAMPLE.iterdir()) for r in parse_path(path) for p in r.paragraphs]
    texts += ["", " ", "，。！", "---", "a b  c", "中华人民共和国国民经济和社会发展第十四个五年规划", "乾务镇乾务镇乾务镇",
              "推进“放管服”改革，GDP增长6.5%。", "堅持項目為王，推動高質量發展。", "人工智能+ 新质生产力 2035年远景目标"]
    for text in texts + texts:  # the second time from the memo
        expected = Counter(w for _, w in document_words(text))
        got = word_counts(text)
        assert list(got.items()) == list(expected.items()), text
    assert sum(len(word_counts(t)) for t in texts) > 10_000


@pytest.mark.parametrize("paragraphs", [
    ["坚持项目为王。", "，。！", "乾务镇", "A", "推进“放管服”改革，GDP增长6.5%。"],
    ["，。"],  # no word at all
    ["乾务镇"],  # one word
])
def test_a_reports_packed_postings_unpack_to_each_paragraphs_own(paragraphs):
    """ReportPostings packs every paragraph's postings for the trip from a worker; read back (after pickling)
    they are each paragraph's paragraph_postings."""
    import pickle

    from index.writer import report_postings

    report = make_report(paragraphs, region=BAZHOU, year=2021, source="x.txt")
    packed = pickle.loads(pickle.dumps(report_postings(report)))
    got = [(list(e), w, list(f)) for e, w, f in packed.paragraphs()]
    expected = [(list(e), w, list(f)) for e, w, f in (S.paragraph_postings(p.search_text) for p in report.paragraphs)]
    assert got == expected and len(got) == len(report.paragraphs)


EXACT_HOSTILE = ["坚持项目为王，发展是第一要务。", "", " ", "A", "A B", "甲 乙\t丙\u3000丁\xa0戊\u2003己",
                 "推进 ", " 推进", "😀", "😀😀 𠀀", "发展发展发展", "\x1c\x1d分\x1e隔\x1f", "ab", "a\u0300b", "\u0800\uffff"]


def _each_paragraphs_exact_codes(texts):
    from index.analysis import exact_codes

    return [list(exact_codes(t)) for t in texts]


def _exact_codes_at_once(texts):
    from index.analysis import exact_codes_of

    codes, ends = exact_codes_of(texts)
    starts = [0, *ends.tolist()[:-1]]
    return [codes[a:b].tolist() for a, b in zip(starts, ends.tolist())]


def test_exact_codes_found_at_once_are_each_texts_own():
    from index.assemble import parse_path
    from tests.conftest import SAMPLE

    assert _exact_codes_at_once(EXACT_HOSTILE) == _each_paragraphs_exact_codes(EXACT_HOSTILE)
    for f in sorted(SAMPLE.glob("*.txt")):
        for report in parse_path(f):
            texts = [p.search_text for p in report.paragraphs]
            assert _exact_codes_at_once(texts) == _each_paragraphs_exact_codes(texts)
    assert _exact_codes_at_once([]) == []


@given(st.lists(st.text(alphabet=st.sampled_from("发展建设推进 \t\u3000\xa0甲A😀\u2028"), max_size=12), max_size=5))
@settings(max_examples=300, deadline=None)
def test_exact_codes_found_at_once_are_each_generated_texts_own(texts):
    assert _exact_codes_at_once(texts) == _each_paragraphs_exact_codes(texts)


def _filled_pool(reports, new_documents=True):
    """A pool as a build fills it: the reports' paragraphs as new documents, then merged postings one at a time
    (only those when not ``new_documents``: a commit that only merges segments)."""
    from index import schema as S
    from index.analysis import exact_vocabulary
    from index.whoosh_internals import MemoryPostingPool
    from whoosh.system import pack_uint

    pool = MemoryPostingPool()
    texts = [p.search_text for r in reports for p in r.paragraphs] if new_documents else []
    for docnum, text in enumerate(texts):
        exact, words, frequencies = S.paragraph_postings(text)
        pool.add_codes(S.EXACT, docnum, exact, exact_vocabulary())
        pool.add_frequencies(S.WORDS, docnum, words, frequencies)
        pool.add((S.REPORT_ID, b"r%d" % (docnum // 40), docnum, 1.0, b""))
    # a merged segment's documents come after the new ones: terms the new documents have and new terms,
    # weights other than 1 in the exact field and a value other than the implied one in the words field
    later = len(texts)
    for i, (field, term, weight, value) in enumerate([
        (S.EXACT, "发展".encode(), 1.0, b""), (S.EXACT, b"zzzz", 2.0, b""), (S.EXACT, "建设".encode(), 1.0, b""),
        (S.WORDS, "发展".encode(), 3.0, pack_uint(3)), (S.WORDS, "发展".encode(), 2.0, pack_uint(7)),
        (S.WORDS, "新词".encode(), 1.0, pack_uint(1))] * 70):
        pool.add((field, term, later + i, weight, value))
    return pool, later + 6 * 70


class _Lengths:
    """A per-document reader's field lengths: every document a different length, some none (or all 0)."""

    def __init__(self, docs, zero=False):
        self.docs, self.zero = docs, zero

    def doc_count_all(self):
        return self.docs

    def field_length(self, fieldname):
        return sum(self.doc_field_length(d, fieldname) or 0 for d in range(self.docs))

    def doc_field_length(self, docnum, fieldname, default=0):
        # a length byte of 0 reads back as None from Whoosh's own reader
        return None if self.zero or docnum % 97 == 5 else (docnum * 7 + len(fieldname)) % 300 + 1


@pytest.mark.parametrize("lengths,new_documents", [(True, True), (False, True), (True, False), ("zero", True)])
def test_block_wise_segment_writing_writes_the_bytes_whoosh_writes(lengths, new_documents):
    """Touch point 12: write_pool_postings writes the terms and postings files Whoosh's add_postings writes."""
    from index import schema as S
    from index.assemble import parse_path
    from index.whoosh_internals import write_pool_postings
    from tests.conftest import SAMPLE
    from whoosh.codec.whoosh3 import W3Codec
    from whoosh.filedb.filestore import RamStorage

    reports = parse_path(SAMPLE / "001_7b54cff1a7856689.txt") + parse_path(SAMPLE / "000_1ebb74cc993d5f7f.txt")
    schema = S.paragraph_schema()
    files = []
    for block_wise in (True, False):
        pool, docs = _filled_pool(reports, new_documents)
        codec, storage = W3Codec(), RamStorage()
        segment = codec.new_segment(storage, "MAIN")
        segment.segid = "fixedsegment"
        writer = codec.field_writer(storage, segment)
        pdr = _Lengths(docs, zero=lengths == "zero") if lengths else None
        if block_wise:
            write_pool_postings(writer, schema, pdr, pool)
        else:
            writer.add_postings(schema, pdr, pool.iter_postings())
        writer.close()
        files.append({name: storage.open_file(name).read() for name in storage.list()})
    assert files[0].keys() == files[1].keys() and len(files[0]) == 2
    for name in files[0]:
        assert files[0][name] == files[1][name], name
    assert sum(len(b) for b in files[0].values()) > (50_000 if new_documents else 2_000)


def test_doc_frequencies_equal_the_reader_api(tmp_path, monkeypatch):
    """Touch point 13: every term's document count read from the segments' terms files, over three segments
    and with deleted documents (counted, as Whoosh counts them)."""
    from index import schema as S
    from index import whoosh_internals as wi
    from index.assemble import parse_path
    from index.whoosh_internals import doc_frequencies
    from tests.conftest import SAMPLE

    monkeypatch.setattr(wi, "SMALL_SEGMENT_DOCS", 0)  # no segment is small: none is merged away

    store = IndexStore(tmp_path / "idx")
    with store.update() as up:
        for path in sorted(SAMPLE.iterdir())[:2]:
            for r in parse_path(path):
                up.add_report(r)
    with store.update() as up:  # a second segment; the third replaces one of its reports (a deleted document)
        up.add_report(make_report(["乾务镇加快推进产业园区建设。"], region=BAZHOU, year=2019, source="z.txt"))
        up.add_report(make_report(["发展新质生产力。", "建设现代化产业体系。", "深化改革开放。"], region=BAZHOU,
                                  year=2020, source="y.txt"))
    with store.update() as up:
        up.add_report(make_report(["乾务镇加快推进产业园区建设，发展壮大。"], region=BAZHOU, year=2019, source="z.txt"))
    ix, _, _ = store.open_generation()
    with ix.reader() as reader:
        assert len(list(reader.leaf_readers())) == 3 and reader.has_deletions()
        for field in (S.EXACT, S.WORDS, S.REPORT_ID):
            expected = {t: info.doc_frequency() for t, info in reader.iter_field(field)}
            got = doc_frequencies(reader, field)
            assert {t.decode("utf-8"): n for t, n in got.items()} == {
                (t.decode("utf-8") if isinstance(t, bytes) else t): n for t, n in expected.items()}
            assert len(got) > (100 if field != S.REPORT_ID else 2)
        assert doc_frequencies(reader, "no such field") == {}
        last, offset = list(reader.leaf_readers())[-1]
        assert doc_frequencies(reader, S.EXACT, [(last, offset)]) == {
            t: info.doc_frequency() for t, info in last.iter_field(S.EXACT)}


def test_block_wise_posting_reads_equal_the_matcher_api(sample_index):
    from index.whoosh_internals import read_docnums

    ix, _, _ = IndexStore(sample_index).open_generation()
    with ix.reader() as reader:
        terms = [t for f, t in reader.all_terms() if f == "exact"]
        by_df = sorted(terms, key=lambda t: -reader.doc_frequency("exact", t))
        checked = by_df[:50] + terms[::97]  # the long block-stored lists and a spread of short ones
        assert reader.doc_frequency("exact", by_df[0]) > 128  # more than one block
        for t in checked:
            assert read_docnums(reader, "exact", t).tolist() == list(reader.postings("exact", t).all_ids())


def test_weighted_posting_reads_equal_the_matcher_api(sample_index):
    from index.whoosh_internals import read_weighted

    ix, _, _ = IndexStore(sample_index).open_generation()
    with ix.reader() as reader:
        words = [t for f, t in reader.all_terms() if f == "words"]
        by_df = sorted(words, key=lambda t: -reader.doc_frequency("words", t))
        for t in by_df[:30] + words[::211]:
            ids, weights = read_weighted(reader, "words", t)
            m = reader.postings("words", t)
            expected = []
            while m.is_active():
                expected.append((m.id(), m.weight()))
                m.next()
            assert list(zip(ids.tolist(), weights.tolist())) == expected
        assert read_weighted(reader, "words", "不存在的词语")[0].size == 0


def test_whoosh_is_the_version_its_internals_were_pinned_to():
    """index.whoosh_internals reaches into Whoosh's private code: a new version must be checked first."""
    from importlib.metadata import version

    assert version("whoosh-reloaded") == "2.7.5"


def test_nothing_outside_whoosh_internals_touches_whoosh_private_names():
    import re

    from tests.conftest import ROOT

    private = re.compile(r"\._(data|next_block|read_data|byteids|tempstorage)\b|\.pool\b|per_document_reader|"
                         r"from whoosh\.(codec|filedb|writing|matching|reading)")
    offenders = [str(p.relative_to(ROOT)) for folder in ("index", "search", "web") for p in (ROOT / folder).glob("*.py")
                 if p.name != "whoosh_internals.py" and private.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.fixture(scope="module")
def segmented_index(tmp_path_factory):
    """data/sample written in small flushes (several segments), then one report replaced (deletions)."""
    from index.assemble import parse_path
    from tests.conftest import SAMPLE

    from index import whoosh_internals as wi

    root = tmp_path_factory.mktemp("segmented") / "index"
    store = IndexStore(root, flush_characters=6000)
    reports = [r for f in sorted(SAMPLE.glob("*.txt")) for r in parse_path(f)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(wi, "SMALL_SEGMENT_DOCS", 1)  # no segment is small: nothing merged
        with store.update() as up:
            for i, r in enumerate(reports):  # each segment: a small report, then a sample report
                up.add_report(make_report([f"小报告{i}：稳中求进。"] * 3, region=BAZHOU, year=1990 + i, source=f"s{i}.txt"))
                up.add_report(r)
        with store.update() as up:
            changed = make_report(["小报告1改写：乾务镇加快推进产业园区建设。"], region=BAZHOU, year=1991, source="s1.txt")
            assert up.add_report(changed).outcome == "replaced"
    return store


def test_block_wise_reads_of_several_segments_with_deletions_equal_the_matcher_api(segmented_index):
    from index.whoosh_internals import read_docnums, read_weighted

    ix, _, _ = segmented_index.open_generation()
    with ix.reader() as reader:
        leaves = list(reader.leaf_readers())
        assert len(leaves) > 2 and any(leaf.has_deletions() for leaf, _ in leaves)
        for field, read in (("exact", read_docnums), ("words", read_weighted)):
            terms = [t for f, t in reader.all_terms() if f == field]
            by_df = sorted(terms, key=lambda t: -reader.doc_frequency(field, t))
            for t in by_df[:40] + terms[::151]:
                m = reader.postings(field, t)
                expected = []
                while m.is_active():
                    expected.append((m.id(), m.weight()))
                    m.next()
                got = read(reader, field, t)
                if field == "exact":
                    assert got.tolist() == [d for d, _ in expected]
                else:
                    assert list(zip(got[0].tolist(), got[1].tolist())) == expected
    assert Engine(segmented_index.root).search(SearchRequest(q="乾务镇加快推进产业园区建设")).total == 1


def test_a_new_generation_shares_the_previous_segment_files_and_leaves_them_unchanged(tmp_path, monkeypatch):
    import hashlib

    from index import whoosh_internals as wi

    monkeypatch.setattr(wi, "SMALL_SEGMENT_DOCS", 1)  # keep every segment: nothing merged

    def files(gen):
        return {p.name: p for p in (root / gen / "whoosh").iterdir() if p.suffix == ".seg"}

    root = tmp_path / "index"
    store = IndexStore(root, flush_characters=50)
    with store.update() as up:
        for i in range(6):
            up.add_report(make_report([f"第{i}篇报告：新质生产力加快发展，乡村全面振兴。" * 3], region=BAZHOU,
                                      year=2000 + i, source=f"r{i}.txt"))
    first = store.current_generation()
    before = {n: (p.stat().st_ino, hashlib.sha1(p.read_bytes()).hexdigest()) for n, p in files(first).items()}
    assert len(before) >= 3
    with store.update() as up:
        up.add_report(make_report(["第九篇报告：项目为王，环境是金。"], region=BAZHOU, year=2020, source="r9.txt"))
        # a replaced report is deleted from its (shared) segment: recorded in the new TOC, not in the file
        up.add_report(make_report(["第零篇报告改写：项目为王。"], region=BAZHOU, year=2000, source="r0.txt"))
    second = store.current_generation()
    shared = set(before) & set(files(second))
    assert len(shared) >= len(before) - 1
    for n in shared:
        assert files(second)[n].stat().st_ino == before[n][0]
    for n, p in files(first).items():
        assert hashlib.sha1(p.read_bytes()).hexdigest() == before[n][1]
    old = Engine(root)
    assert old.search(SearchRequest(q="项目为王")).total == 2
    ix, _, _ = store.open_generation(first)
    with ix.searcher() as s:  # the previous generation still answers as it did
        assert s.doc_count() == 6


def test_small_segments_are_merged_and_large_ones_kept(tmp_path, monkeypatch):
    from index import whoosh_internals as wi

    root = tmp_path / "index"
    store = IndexStore(root, flush_characters=10**9)
    big = [f"第{i}段：稳中求进，推动高质量发展。" for i in range(60)]
    with store.update() as up:
        up.add_report(make_report(big, region=BAZHOU, year=1999, source="big.txt"))
    monkeypatch.setattr(wi, "SMALL_SEGMENT_DOCS", 20)
    counts = []
    for i in range(wi.MERGE_SMALL_AT):
        with store.update() as up:
            up.add_report(make_report([f"增量{i}：项目为王。"], region=BAZHOU, year=2001 + i, source=f"s{i}.txt"))
        ix, _, _ = store.open_generation()
        with ix.reader() as reader:
            counts.append(sorted(leaf.doc_count_all() for leaf, _ in reader.leaf_readers()))
    assert counts[:-1] == [[1] * (i + 1) + [60] for i in range(wi.MERGE_SMALL_AT - 1)]
    assert counts[-1] == [wi.MERGE_SMALL_AT, 60]  # the small ones merged into one, the large one untouched
    assert Engine(root).search(SearchRequest(q="项目为王")).total == wi.MERGE_SMALL_AT


@pytest.mark.parametrize("fast", [True, False])
def test_a_writer_knows_the_id_of_the_segment_it_writes(tmp_path, fast):
    """Touch point 11: the id :func:`new_segment_id` gives before a commit is the id of the segment it writes."""
    from whoosh import index as whoosh_index

    from index import schema
    from index import whoosh_internals as wi

    folder = tmp_path / "whoosh"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), schema.paragraph_schema())
    ids = []
    for i in range(3):
        writer = wi.fast_writer(ix) if fast else ix.writer()
        ids.append(wi.new_segment_id(writer))
        writer.add_document(**{schema.REPORT_ID: f"r{i}", schema.EXACT: "项目为王", schema.WORDS: "项目为王"})
        writer.commit(merge=False)
    with ix.reader() as reader:
        assert [s.segment_id for s in wi.leaf_segments(reader)] == ids and len(set(ids)) == 3


def test_a_build_that_flushes_often_finds_every_paragraph_once(tmp_path):
    store = IndexStore(tmp_path / "index", flush_characters=20)
    with store.update() as up:
        for i in range(30):
            up.add_report(make_report([f"第{i}篇：新质生产力。", "稳中求进。"], region=BAZHOU, year=1990 + i,
                                      source=f"f{i}.txt"))
        assert up.flushes >= 10
    e = Engine(store.root)
    assert e.search(SearchRequest(q="新质生产力")).total == 30
    assert e.search(SearchRequest(q="稳中求进")).total == 30


KILLED_SEGMENT_WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    import whoosh.writing
    from index import writer as index_writer
    from index.report import Region
    from index.writer import IndexStore
    from tests.conftest import make_report

    def stop(what):
        print(what, flush=True)
        time.sleep(60)

    if {moment!r} == "flush":  # inside the second flush, before its TOC is written
        calls = []
        commit_toc = whoosh.writing.SegmentWriter._commit_toc
        def paused_commit_toc(writer, segments):
            calls.append(1)
            if len(calls) == 2:
                stop("flush")
            commit_toc(writer, segments)
        whoosh.writing.SegmentWriter._commit_toc = paused_commit_toc
    else:  # the final commit has merged the small segments into its pool, nothing written yet
        merge = index_writer.merge_small_segments
        def paused_merge(writer, segments, merged, **kw):
            kept = merge(writer, segments, merged, **kw)
            if len(kept) < len(segments):
                stop("merge")
            return kept
        index_writer.merge_small_segments = paused_merge
    region = Region("county", "河北省", "廊坊市", "霸州市", "131081")
    with IndexStore({index!r}, flush_characters=100).update() as up:
        for i in range(50):
            up.add_report(make_report([f"被中断的第{{i}}篇报告，新质生产力。"], region=region, year=1990 + i, source=f"k{{i}}.txt"))
    print("finished", flush=True)
""")


@pytest.mark.parametrize("moment", ["flush", "merge"])
def test_kill_9_during_a_segment_flush_or_the_merge_leaves_the_previous_generation_answering(tmp_path, moment):
    root = tmp_path / "index"
    # four small segments, flushed by one update, which does not merge them (they left their frequent terms
    # out of Whoosh, and only its scratch holds their postings): the next update's last commit merges them
    with IndexStore(root, flush_characters=1).update() as up:
        for i, text in enumerate(["坚持项目为王。", "项目为王，环境是金。", "新质生产力的项目为王。", "项目为王，久久为功。"]):
            up.add_report(make_report([text], region=BAZHOU, year=2010 + i, source=f"a{i}.txt"))
    ix, _, _ = IndexStore(root).open_generation()
    with ix.reader() as reader:
        assert len(list(reader.leaf_readers())) == 4
    before_gen = IndexStore(root).current_generation()
    before = Engine(root).search(SearchRequest(q="项目为王")).as_dict()
    script = tmp_path / "writer.py"
    script.write_text(KILLED_SEGMENT_WRITER.format(root=str(ROOT), index=str(root), moment=moment), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, env={**os.environ})
    try:
        assert proc.stdout.readline().strip() == moment.encode()
        assert (root / "gen-000002" / "whoosh").is_dir()  # the new generation is half written
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        proc.stdout.close()
    assert IndexStore(root).current_generation() == before_gen
    e = Engine(root)
    after = e.search(SearchRequest(q="项目为王")).as_dict()
    assert {k: v for k, v in after.items() if k != "took_ms"} == {k: v for k, v in before.items() if k != "took_ms"}
    assert e.search(SearchRequest(q="新质生产力")).total == 1
    # the next build clears the abandoned folder and completes, merging the small segments
    store = IndexStore(root, flush_characters=100)
    with store.update(wait=2) as up:
        for i in range(50):
            up.add_report(make_report([f"被中断的第{i}篇报告，新质生产力。"], region=BAZHOU, year=1990 + i, source=f"k{i}.txt"))
    e._checked = 0
    assert e.search(SearchRequest(q="新质生产力")).total == 51
    assert e.search(SearchRequest(q="项目为王")).total == 4
    ix, _, _ = store.open_generation()
    with ix.reader() as reader:  # the four previous segments merged into the last one this build wrote
        assert len(list(reader.leaf_readers())) < 4 + 50


def test_the_tokenizer_keeps_the_words_jieba_keeps_on_the_sample():
    """jieba-next (the tokenizer) against jieba 0.42.1 on every paragraph of data/sample, as the fields keep them."""
    import jieba

    from index import analysis
    from index.assemble import parse_path
    from tests.conftest import SAMPLE

    reference = jieba.Tokenizer()
    reference.tmp_dir, reference.cache_file = analysis.cache_dir(), "jieba.cache"
    tk = analysis.jieba_tokenizer()
    assert type(tk).__module__.startswith("jieba_next")
    texts = [p.search_text for f in sorted(SAMPLE.glob("*.txt")) for r in parse_path(f) for p in r.paragraphs]
    assert len(texts) > 500
    for text in texts + ["--2012年在第十三届人民代表大会上", "COVID-19疫情", "pm2.5浓度下降", "5g+工业互联网"]:
        kept = [w for w in tk.cut(text, HMM=True) if analysis._is_word(w)]
        assert kept == [w for w in reference.cut(text, HMM=True) if analysis._is_word(w)]
        assert analysis.query_words(text) == kept


def test_a_kept_segment_keeps_its_id_and_docnums_across_commits(tmp_path, monkeypatch):
    """Touch point 10: rows known for a segment id hold for the same id in the next generation."""
    from index import whoosh_internals as wi

    monkeypatch.setattr(wi, "SMALL_SEGMENT_DOCS", 5)
    store = IndexStore(tmp_path / "index", flush_characters=50)
    with store.update() as up:
        for i in range(3):  # three large segments, each with a one-paragraph report first
            up.add_report(make_report([f"单段{i}：项目为王。"], region=BAZHOU, year=1980 + i, source=f"one{i}.txt"))
            up.add_report(make_report([f"第{i}篇第{k}段：稳中求进，推动高质量发展。" for k in range(8)],
                                      region=BAZHOU, year=2000 + i, source=f"big{i}.txt"))
    for i in range(3):  # three small segments
        with store.update() as up:
            up.add_report(make_report([f"增量{i}：新质生产力。"], region=BAZHOU, year=2010 + i, source=f"s{i}.txt"))

    def stored(root_gen):
        """Per segment: its documents, each live docnum's terms (its report and bigrams: every paragraph
        above differs in them) and its live docnums."""
        ix, _, _ = store.open_generation(root_gen)
        with ix.reader() as reader:
            out = {}
            for s in wi.leaf_segments(reader):
                terms = {}
                for field in ("report_id", "exact"):
                    for term in s.leaf.lexicon(field):
                        for d in s.leaf.postings(field, term).all_ids():
                            terms.setdefault(d, set()).add((field, term))
                out[s.segment_id] = (s.documents, terms, s.live_docnums().tolist())
            return out

    before = stored(store.current_generation())
    assert len(before) == 6
    with store.update() as up:  # merges the three small segments; deletes inside the second large one
        up.add_report(make_report(["增量3：环境是金。"], region=BAZHOU, year=2013, source="s3.txt"))
        up.add_report(make_report(["单段1改写：项目为王。"], region=BAZHOU, year=1981, source="one1.txt"))
    after = stored(store.current_generation())
    kept = before.keys() & after.keys()
    assert len(kept) == 3  # the large ones; the small ones merged into a segment of a new id
    for sid in kept:
        documents, terms, live = after[sid]
        assert documents == before[sid][0] and set(live) <= set(before[sid][2])  # only deletions since
        assert all(terms[d] == before[sid][1][d] for d in live)  # the same documents at the same docnums
        assert len({frozenset(t) for t in terms.values()}) == len(live)
    assert sum(len(before[sid][2]) - len(after[sid][2]) for sid in kept) == 1
    new = [after[sid] for sid in after.keys() - kept]
    assert len(new) == 1 and new[0][0] == 3 + 1 + 1


def test_a_snapshot_let_go_without_closing_closes_its_evidence_file(make_index):
    """An engine replaces its snapshot when a new generation is published and lets the old one go unclosed:
    the evidence file it holds open is closed when it is collected, not leaked."""
    import gc

    from index.assemble import parse_path
    from tests.conftest import SAMPLE

    root = make_index([r for f in sorted(SAMPLE.glob("*.txt"))[:1] for r in parse_path(f)])
    fds = lambda: len(os.listdir("/proc/self/fd"))  # noqa: E731
    gc.collect()
    before = fds()
    snap = Engine(root).snapshot()
    assert snap.evidence(next(iter(snap.reports)))
    del snap
    gc.collect()
    assert fds() <= before
