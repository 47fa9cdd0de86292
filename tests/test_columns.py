"""The memory-mapped columns file: it holds exactly what the indexed paragraphs hold, and the text tests on its
bytes answer as Python's ``in`` and ``str.count`` on the decoded rows."""
from __future__ import annotations

import dataclasses
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import opencc
import pytest

from index.assemble import parse_path
from index.columns import COLUMNS_FILE, MappedColumns, dump_columns, house_guess, load_columns
from index.report import Region
from index.writer import IndexStore
from search import snapshot as snapshot_module
from search.engine import Engine, SearchRequest
from tests.conftest import SAMPLE, columns_from_reports, make_report

HUAIROU = Region("county", "北京市", None, "怀柔区", "110116")


def sample_paragraphs(name: str, count: int) -> list[str]:
    lines = [ln.strip() for ln in (SAMPLE / name).read_text("utf-8").splitlines()]
    return [ln for ln in lines if len(ln) > 20][:count]


@pytest.fixture(scope="module")
def mixed_reports():
    """Real sample paragraphs three ways: as written, in Traditional script, and with full-width
    forms, footnote markers and OCR confidences (some None)."""
    plain = sample_paragraphs("001_7b54cff1a7856689.txt", 12)
    to_trad = opencc.OpenCC("s2t")
    traditional = [to_trad.convert(t) for t in sample_paragraphs("002_664a605172f01e95.txt", 8)]
    wide = [t.replace("%", "％").replace("3", "３") + "〔17〕" for t in sample_paragraphs("003_58952eceed329ef4.txt", 6)]
    wide += [t.replace("，", ",", 1) for t in sample_paragraphs("003_58952eceed329ef4.txt", 9)[6:]]  # ， and , in one row
    wide += sample_paragraphs("003_58952eceed329ef4.txt", 12)[9:]  # as written (ASCII and full-width mixed)
    wide += ["坚持稳中求进，推进“放管服”改革；扩大开放（引进外资）：增长5.2%，好于“预期”！",  # house style 0 exactly
             "坚持“项目为王”，实施“三个一批”：ＧＤＰ增长５．２％（预期５％）。",  # style 0 but for ＧＤＰ and digits
             "“一五”计划完成，钢产量达到５３５万吨（超额）！",  # every character full-width: house style 1
             "１９５６年，全国工业总产值比１９５５年增长２８％。"]
    scanned = make_report(wide, region=HUAIROU, year=2019, source="scan.pdf")
    scanned = dataclasses.replace(scanned, paragraphs=tuple(
        dataclasses.replace(p, ocr_confidence=None if k % 3 == 0 else round(0.9 + k / 100, 4))
        for k, p in enumerate(scanned.paragraphs)))
    return [make_report(plain, year=2024, source="a.txt", sections=[("一、回顾",)] * 6 + [("二、任务", "（一）项目")] * 6),
            make_report(traditional, region=HUAIROU, year=2020, source="t.txt", traditional=True),
            scanned]


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory, mixed_reports):
    root = tmp_path_factory.mktemp("columns") / "index"
    with IndexStore(root).update() as up:
        for r in mixed_reports:
            up.add_report(r)
    return root


def expected_columns(root, reports=None):
    """The columns the index at ``root`` must hold, made from its ``reports`` (default: data/sample's)."""
    reports = reports or [r for f in sorted(SAMPLE.glob("*.txt")) for r in parse_path(f)]
    return columns_from_reports(root, reports)[0]


@pytest.mark.parametrize("index_name", ["mixed_index", "sample_index"])
def test_the_file_holds_every_field_of_the_paragraphs(index_name, request):
    root = request.getfixturevalue(index_name)
    cols = expected_columns(root, request.getfixturevalue("mixed_reports") if index_name == "mixed_index" else None)
    store = IndexStore(root)
    mapped = load_columns(store.generation_dir(store.current_generation()) / COLUMNS_FILE)
    assert mapped is not None  # the writer wrote the new format
    assert mapped.segments  # the segments the rows come from, for the next generation to carry them forward
    assert bytes(mapped.buf) == dump_columns(cols, segments=mapped.segments)
    assert list(mapped.texts) == cols.texts and [mapped.texts[i] for i in range(len(cols.texts))] == cols.texts
    assert list(mapped.search) == cols.search and [mapped.search[i] for i in range(len(cols.search))] == cols.search
    assert list(mapped.paragraph_ids) == cols.paragraph_ids
    assert mapped.scalars("numbers", "i").tolist() == cols.numbers
    assert mapped.scalars("headings", "?").tolist() == cols.headings
    assert mapped.array("years").tolist() == cols.years
    assert mapped.array("docnum_to_row").tolist() == cols.docnum_to_row
    assert list(mapped.ocr_confidences) == cols.ocr_confidences
    for name, values in [("report", cols.report_ids), ("province", cols.provinces), ("prefecture", cols.prefectures),
                         ("county", cols.counties), ("level", cols.levels), ("section", cols.categories),
                         ("section_path", cols.sections)]:
        labels = mapped.labels[name]
        assert [labels[c] for c in mapped.array("code_" + name)] == values, name
    assert mapped.array("lengths").tolist() == [len(s) for s in cols.search]
    assert mapped.characters == sum(len(t) for t in cols.texts)
    if index_name == "mixed_index":  # the cases the format treats apart are there
        differ = [i for i, (t, s) in enumerate(zip(cols.texts, cols.search)) if t != s]
        assert 14 <= len(differ) < len(cols.texts)
        slot = mapped.array("display_slot")
        assert np.flatnonzero(slot != -1).tolist() == differ
        styled = [i for i in differ if any(house_guess(cols.search[i], k) == cols.texts[i] for k in (0, 1))]
        assert np.flatnonzero(slot < -1).tolist() == styled and set(slot[styled].tolist()) == {-2, -3}
        assert mapped.array("patch_rows").tolist() == [i for i in differ if i not in styled]
        # whole texts, maps, positions, positions in style 0's and in style 1's guess
        assert set(mapped.array("patch_kind").tolist()) == {0, 1, 2, 3, 4}
        assert None in cols.ocr_confidences and 0.91 in cols.ocr_confidences


def test_the_snapshot_answers_rows_ids_and_region_order_as_the_columns_say(mixed_index, mixed_reports, sample_index):
    for root, reports in ((mixed_index, mixed_reports), (sample_index, None)):
        cols = expected_columns(root, reports)
        engine = Engine(root)
        snap = engine.snapshot()
        try:
            assert snap.n == len(cols.texts)
            assert all(snap.row_of(pid) == i for i, pid in enumerate(cols.paragraph_ids))
            assert snap.row_of("0000000000000000") is None and snap.row_of("") is None
            by_report = defaultdict(list)
            for i, rid in enumerate(cols.report_ids):
                by_report[rid].append(i)
            for rid, rows in by_report.items():
                assert snap.rows_of(rid) == sorted(rows, key=lambda i: cols.numbers[i])
            assert snap.rows_of("no-such-report") == []
            keys = list(zip(cols.provinces, cols.prefectures, cols.counties))
            order = {k: r for r, k in enumerate(sorted(set(keys)))}
            assert snap.region_rank.tolist() == [order[k] for k in keys]
            assert snap.avg_len == pytest.approx(np.mean([len(s) for s in cols.search]))
            assert [snap.sections[i] for i in range(snap.n)] == cols.sections
            assert engine.stats()["characters"] == sum(len(t) for t in cols.texts)
            para = snap.paragraph(snap.n - 1)
            assert type(para["number"]) is int and type(para["is_heading"]) is bool
        finally:
            engine.close()


@pytest.fixture(params=["row by row", "one pass"])
def snap(request, mixed_index, monkeypatch):
    """The mixed index's snapshot, testing rows one by one or in one pass over the bytes."""
    monkeypatch.setattr(snapshot_module, "SCAN_SHARE", 2.0 if request.param == "row by row" else 0.0)
    engine = Engine(mixed_index)
    yield engine.snapshot()
    engine.close()


def phrases_of(snap, rng) -> list[str]:
    """Real phrases: spans of rows (multi-byte, ASCII digits, full-width forms), and spans that run
    from the end of one row into the start of the next (which no row holds)."""
    out = ["发展", "%", "％", "3", "３", "〔17〕", "項目", "项目", "。", "，", "的", "增长6.7%"]
    for _ in range(40):
        text = snap.search[rng.randrange(snap.n)]
        start = rng.randrange(len(text))
        out.append(text[start : start + rng.randint(1, 8)])
    for i in range(snap.n - 1):
        out.append(snap.search[i][-2:] + snap.search[i + 1][:2])
        out.append(snap.search[i][-1:] + snap.search[i + 1][:1])
    return out


def test_contains_answers_as_python_on_the_rows(snap):
    rng = random.Random(7)
    everything = np.arange(snap.n, dtype=np.int64)
    some = np.array(sorted(rng.sample(range(snap.n), snap.n // 3)), dtype=np.int64)
    texts = list(snap.search)
    for phrase in phrases_of(snap, rng):
        for rows in (everything, some, some[::-1].copy(), everything[:0]):
            assert snap.contains(rows, phrase).tolist() == [phrase in texts[i] for i in rows], phrase


def straddling(text: str, rng) -> list[str]:
    """Phrases whose UTF-16 bytes the text holds at an odd byte, across two of its characters: one code unit
    (or two) made of one character's high byte and the next one's low byte."""
    data = text.encode("utf-16-le")
    out = []
    for _ in range(6):
        if len(data) < 8:
            break
        at = 2 * rng.randrange(len(data) // 2 - 2) + 1
        units = [int.from_bytes(data[k:k + 2], "little") for k in (at, at + 2)]
        if all(not 0xD800 <= u <= 0xDFFF and u != 0xFFFF for u in units):
            out += [chr(units[0]), chr(units[0]) + chr(units[1])]
    return out


def test_a_phrase_whose_utf16_bytes_straddle_two_characters_is_not_found(snap):
    """Phrases whose UTF-16 bytes lie across two characters of a row (the search texts were UTF-16 once, and
    such a phrase was found there) are found where Python's ``in`` finds them, in both ways of looking."""
    rng = random.Random(11)
    texts = list(snap.search)
    everything = np.arange(snap.n, dtype=np.int64)
    phrases = [p for i in range(0, snap.n, 3) for p in straddling(texts[i], rng)]
    assert len(phrases) > 40
    for phrase in phrases:
        assert snap.contains(everything, phrase).tolist() == [phrase in t for t in texts], phrase


def test_a_character_found_straddling_and_then_whole_is_found(make_index):
    """中文 holds the UTF-16 bytes of 蝎 (U+874E) across its two characters; a row holding both finds 蝎 after
    them, and a character outside the Basic Multilingual Plane is found whole."""
    straddle = chr(0x874E)
    assert straddle.encode("utf-16-le") in "中文".encode("utf-16-le")
    texts = ["中文报告第一段", "中文报告第二段" + straddle + "字", "𠮷野家和中文", "无关的段落"]
    root = make_index([make_report(texts, source="u16.txt")])
    engine = Engine(root)
    try:
        snap = engine.snapshot()
        rows = np.arange(snap.n, dtype=np.int64)
        for share in (2.0, 0.0):  # row by row, and one pass over the bytes
            snapshot_module.SCAN_SHARE, before = share, snapshot_module.SCAN_SHARE
            try:
                for phrase in (straddle, "中文", "𠮷", "𠮷野", "段" + straddle, "文报"):
                    assert snap.contains(rows, phrase).tolist() == [phrase in t for t in snap.search], phrase
            finally:
                snapshot_module.SCAN_SHARE = before
        assert engine.search(SearchRequest(q=straddle)).total == 1
        assert engine.search(SearchRequest(q="𠮷野家")).total == 1
    finally:
        engine.close()


def test_the_search_texts_are_stored_in_the_search_code_and_the_fold_drops_the_separator(mixed_index):
    """Each row's search code then the row end byte, read back as written: under 60 % of UTF-8's bytes here
    (UTF-16 took 70 %). U+FFFF, which separates rows while they are renumbered, never reaches a search text."""
    from index.columns import ROW_END
    from index.normalise import fold_for_search
    from index.search_code import encode

    mapped = load_columns(IndexStore(mixed_index).generation_dir(IndexStore(mixed_index).current_generation())
                          / COLUMNS_FILE)
    blob = mapped.array("search_blob").tobytes()
    texts = list(mapped.search)
    assert blob == b"".join(encode(t) + ROW_END for t in texts)
    assert len(blob) < 0.6 * sum(len(t.encode("utf-8")) + 1 for t in texts)
    assert fold_for_search("发\uffff展") == "发展"


def test_a_phrase_across_two_rows_is_not_found(snap):
    for i in range(snap.n - 1):
        across = snap.search[i][-3:] + snap.search[i + 1][:3]
        if any(across in t for t in snap.search):
            continue
        pair = np.array([i, i + 1], dtype=np.int64)
        assert snap.contains(pair, across).tolist() == [False, False]


def test_the_display_text_is_not_searched_where_the_search_text_differs(snap):
    row = next(i for i in range(snap.n) if "％" in snap.texts[i])
    rows = np.array([row], dtype=np.int64)
    assert snap.contains(rows, "％").tolist() == [False] and snap.contains(rows, "%").tolist() == [True]
    trad = np.array([next(i for i in range(snap.n) if "項目" in snap.texts[i])], dtype=np.int64)
    assert snap.contains(trad, "項目").tolist() == [False] and snap.contains(trad, "项目").tolist() == [True]


def test_an_empty_index_has_empty_columns(tmp_path):
    engine = Engine(tmp_path / "none")
    try:
        snap = engine.snapshot()
        assert snap.n == 0 and list(snap.texts) == [] and snap.rows_of("x") == []
        assert snap.contains(np.zeros(0, dtype=np.int64), "发展").tolist() == []
        assert isinstance(snap.columns, MappedColumns)
    finally:
        engine.close()


def test_a_reader_reads_the_mapped_segment_without_copying_it(sample_index):
    import tracemalloc

    from index.whoosh_internals import MappedBufferFile, read_docnums
    from index import schema as S

    store = IndexStore(sample_index)
    ix, _, _ = store.open_generation(store.current_generation())
    seg = next((store.generation_dir(store.current_generation()) / "whoosh").glob("*.seg"))
    tracemalloc.start()
    try:
        reader = ix.reader()
        opened = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    try:
        postings = reader._terms._postfile  # the postings inside the compound file
        assert isinstance(postings, MappedBufferFile)
        assert opened < seg.stat().st_size / 4  # a copy of the postings would be most of the file
        engine = Engine(sample_index)
        try:
            snap = engine.snapshot()
            # 经济: held by 255 of the 800 rows, one fewer than the saved postings take (Whoosh holds it)
            assert not snap.postings.is_frequent(S.EXACT, "经济")
            rows = snap.docnum_to_row[read_docnums(reader, S.EXACT, "经济")]
            assert sorted(rows.tolist()) == [i for i in range(snap.n) if "经济" in snap.search[i]]
        finally:
            engine.close()
    finally:
        reader.close()


def _vm_flags(path_part: str) -> list[set[str]]:
    """The VmFlags of each of this process's mappings whose file name holds ``path_part``."""
    flags, current = [], None
    for line in Path("/proc/self/smaps").read_text(encoding="utf-8").splitlines():
        head = line.split()
        if head and "-" in head[0] and not head[0].endswith(":"):
            current = head[-1] if len(head) >= 6 else ""
        elif head and head[0] == "VmFlags:" and current and path_part in current:
            flags.append(set(head[1:]))
    return flags


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs Linux's /proc/self/smaps")
def test_a_serving_reader_asks_for_random_reads(sample_index):
    """A server's maps of the segments and the saved postings are advised random (``rr``): a lookup's page
    fault reads that page, not the 128 KB around it; the columns, read through, are not."""
    gen = IndexStore(sample_index).current_generation()
    engine = Engine(sample_index)
    try:
        engine.snapshot()
        segments = _vm_flags(f"{gen}/whoosh/")
        postings, columns = _vm_flags(f"{gen}/postings.bin"), _vm_flags(f"{gen}/columns.bin")
        assert segments and postings and columns
        assert all("rr" in f for f in segments + postings)
        assert not any("rr" in f for f in columns)
    finally:
        engine.close()


def test_threads_sharing_a_reader_read_the_postings_they_would_read_alone(sample_index):
    import threading

    from index import schema as S
    from index.analysis import exact_term
    from index.whoosh_internals import read_docnums, read_weighted

    store = IndexStore(sample_index)
    ix, _, _ = store.open_generation(store.current_generation())
    with ix.reader() as reader:
        # terms Whoosh holds (the frequent ones are only in the saved postings): 128 to 255 of the 800 rows
        terms = [("words", w) for w in ("经济", "全面", "产业", "社会", "服务", "重点")]
        terms += [("exact", exact_term(b)) for b in ("经济", "全面", "产业", "社会", "服务", "项目")]
        alone = {t: (read_weighted(reader, S.WORDS, t[1])[0] if t[0] == "words" else read_docnums(reader, S.EXACT, t[1])).tolist()
                 for t in terms}
        assert min(len(v) for v in alone.values()) > 128  # several blocks each: the matcher seeks between them
        wrong: list = []

        def read(k: int) -> None:
            try:
                for n in range(30):
                    t = terms[(k + n) % len(terms)]
                    got = read_weighted(reader, S.WORDS, t[1])[0] if t[0] == "words" else read_docnums(reader, S.EXACT, t[1])
                    if got.tolist() != alone[t]:
                        wrong.append(t)
            except Exception as exc:  # a torn read fails to unpickle
                wrong.append(repr(exc))

        threads = [threading.Thread(target=read, args=(k,)) for k in range(8)]
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # switch threads as often as a loaded server may
        try:
            for th in threads:
                th.start()
            for th in threads:
                th.join()
        finally:
            sys.setswitchinterval(interval)
        assert wrong == []


@pytest.mark.parametrize("display,search,stored", [
    ("坚持稳中求进，推进改革，扩大开放。", "坚持稳中求进,推进改革,扩大开放。", "style 0"),
    ("“项目为王”，“三个一批”；‘双碳’（目标）：好！", '"项目为王","三个一批";\'双碳\'(目标):好!', "style 0"),  # quotes curled in turn
    ("１９５６年，工业总产值增长２８％。", "1956年,工业总产值增长28%。", "style 1"),
    ("“甲”，乙", '"甲",乙', "style 0"), ("”甲“，乙", '"甲",乙', "style 0 but"),  # the quotes the other way round
    ("一，二,三，四", "一,二,三,四", "style 0 but"),  # "," stays "," once
    ("甲，乙。丙，", "甲,乙,丙,", "style 0 but"),  # "," becomes "，" and "。"
    ("ＧＤＰ增长５％，财政收入增长８％。" * 3, "gdp增长5%,财政收入增长8%。" * 3, "map"),  # every g was Ｇ ...
    ("ＧＤＰ增长５％，财政收入增长８％，名义增长5%。", "gdp增长5%,财政收入增长8%,名义增长5%。", "style 1 but"),  # ... not every 5
    ("一二三四五六七八九十", "一二三四五六七八九x", "map"), ("一二三四五", "一二x四x", "positions"),
    ("ab", "cc", "whole"),  # "c" becomes two characters
    ("😀，𠀀，", "😀,𠀀,", "style 0"), ("😀，𠀀，", "😀,𠀀，", "style 0"),  # beyond the BMP
    ("短", "长一点", "whole"), ("ab", "ba", "map"), ("甲乙", "甲乙", "nothing"),
])
def test_a_display_text_is_stored_as_its_smallest_patch_and_read_back(display, search, stored):
    from index.columns import PATCH_AT, PATCH_MAP, PATCH_STYLE_AT, PATCH_WHOLE, ParagraphColumns

    cols = ParagraphColumns.empty()
    for t, sr in ((display, search), ("前", "前")):  # a row after it: the row's slot does not spill over
        for name, value in (("texts", t), ("search", sr), ("paragraph_ids", f"p{len(cols.texts)}"), ("numbers", 1),
                            ("headings", False), ("sections", ""), ("report_ids", "r"), ("categories", "其他"),
                            ("provinces", ""), ("prefectures", ""), ("counties", ""), ("levels", "unknown"),
                            ("years", 2024), ("docnum_to_row", len(cols.texts)), ("ocr_confidences", None)):
            getattr(cols, name).append(value)
    mapped = MappedColumns(dump_columns(cols))
    assert list(mapped.texts) == [display, "前"] and mapped.search[0] == search
    slot = mapped.array("display_slot").tolist()
    kinds = {PATCH_WHOLE: "whole", PATCH_MAP: "map", PATCH_AT: "positions",
             PATCH_STYLE_AT: "style 0 but", PATCH_STYLE_AT + 1: "style 1 but"}
    got = {-1: "nothing", -2: "style 0", -3: "style 1"}.get(slot[0]) or kinds[mapped.array("patch_kind")[slot[0]]]
    assert got == stored and slot[1] == -1
    if stored.startswith("style") and not stored.endswith("but"):
        assert mapped.array("patch_kind").tolist() == [] and mapped.array("patch_blob").tolist() == []


def test_carried_rows_are_copied_from_their_file_not_through_the_mapping(tmp_path, mixed_reports):
    """A block carried from a columns file on disk names the bytes of its texts by file range; written out
    they are the bytes the mapping holds, and the file made from the block is the one made in memory."""
    import io

    from index.columns import (FileRange, ParagraphColumns, append_paragraph, carried_block, columns_file_parts,
                               open_columns, write_parts)

    cols = ParagraphColumns.empty()
    for report in mixed_reports:
        for p in report.paragraphs:
            append_paragraph(cols, report.report_id, report, p)
    path = tmp_path / COLUMNS_FILE
    path.write_bytes(dump_columns(cols))
    on_disk, in_memory = load_columns(path), open_columns(cols)
    rows = np.array([r for r in range(on_disk.rows) if r % 3 != 1], dtype=np.int64)
    block = carried_block(on_disk, rows)
    assert block.search.pieces and all(isinstance(p, FileRange) for p in block.search.pieces + block.pids.pieces)
    written = io.BytesIO()
    with open(tmp_path / "out.bin", "wb") as f:
        write_parts(f, columns_file_parts([block], np.arange(len(rows))))
    for piece in columns_file_parts([carried_block(in_memory, rows)], np.arange(len(rows))):
        written.write(piece)
    assert (tmp_path / "out.bin").read_bytes() == written.getvalue()
    assert load_columns(tmp_path / "out.bin").search[:] == [on_disk.search[r] for r in rows.tolist()]


def test_an_assembly_a_block_at_a_time_writes_the_file_made_from_all_rows_at_once(tmp_path, mixed_reports):
    """Rows added in blocks of their own labels (a report each, an empty one, rows of two reports), their
    arrays spilled to a scratch folder as they come, make the file that one block of every row makes; the
    scratch files are gone when the assembly is left."""
    from index.columns import ColumnsAssembly, ParagraphColumns, append_paragraph, columns_block, write_parts

    every = ParagraphColumns.empty()
    blocks = []
    for k, report in enumerate(mixed_reports):
        cols = ParagraphColumns.empty()
        for p in report.paragraphs:
            append_paragraph(cols, report.report_id, report, p)
            append_paragraph(every, report.report_id, report, p)
        if k == 1:
            blocks.append(columns_block(ParagraphColumns.empty()))
        if k == 2 and len(report.paragraphs) > 1:  # split one report between two blocks
            half = ParagraphColumns(*(getattr(cols, f.name)[:1] for f in dataclasses.fields(cols)))
            rest = ParagraphColumns(*(getattr(cols, f.name)[1:] for f in dataclasses.fields(cols)))
            blocks += [columns_block(half), columns_block(rest)]
            continue
        blocks.append(columns_block(cols))
    assert len({b.coded["report"][0][0] for b in blocks if b.rows}) > 1  # each block has labels of its own
    rows = len(every.texts)
    every.docnum_to_row.extend(range(rows))
    segments = [["abc", rows]]
    scratch = tmp_path / "scratch"
    with ColumnsAssembly(scratch) as assembly:
        for block in blocks:
            assembly.add(block)
        assert (scratch / "search_offsets.bin").stat().st_size == 8 * (rows + 1)  # on disk, not held
        with open(tmp_path / "assembled.bin", "wb") as f:
            write_parts(f, assembly.parts(np.arange(rows), segments))
    assert not scratch.exists()
    assert (tmp_path / "assembled.bin").read_bytes() == dump_columns(every, segments)
    with ColumnsAssembly() as in_memory:  # no scratch folder: the blocks' arrays are kept
        for block in blocks:
            in_memory.add(block)
        assert b"".join(in_memory.parts(np.arange(rows), segments)) == dump_columns(every, segments)
