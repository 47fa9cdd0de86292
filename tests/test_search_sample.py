"""The promise, on the bundled sample indexed through the whole pipeline: exact like a scan."""
import random
from collections import Counter

import pytest

from index.normalise import query_variants
from search.engine import SearchRequest


def scan(engine, phrase):
    snap = engine.snapshot()
    variants = query_variants(phrase)
    return {snap.paragraph_ids[i] for i in range(snap.n) if any(v in snap.search[i] for v in variants)}


def found(engine, q, **kw):
    page = engine.search(SearchRequest(q=q, per_page=1000, **kw))
    assert page.total == len(page.hits)
    return {h.paragraph_id for h in page.hits}, page


def test_xiangmu_weiwang_finds_the_four_paragraphs_of_the_seeds_traditional_one_included(sample_engine):
    pids, page = found(sample_engine, "项目为王")
    assert len(pids) == 4
    assert {h.region.name for h in page.hits} == {"霸州市", "中站区", "凤阳县", "怀安县"}
    bazhou = [h for h in page.hits if h.region.name == "霸州市"][0]
    assert "<mark>項目為王</mark>" in bazhou.snippet_html  # the Traditional original, marked


def test_renmin_gongheguo_finds_every_paragraph_with_zhonghua_renmin_gongheguo(sample_engine):
    snap = sample_engine.snapshot()
    with_prc = {snap.paragraph_ids[i] for i in range(snap.n) if "中华人民共和国" in snap.search[i]}
    assert with_prc
    pids, _ = found(sample_engine, "人民共和国")
    assert with_prc <= pids
    assert pids == scan(sample_engine, "人民共和国")


@pytest.mark.parametrize("phrase", ["放管服", "营商环境", "高质量发展", "乡村振兴", "十四五", "2021年", "“两会”",
                                    "%", "一", "互联网+", "规上工业增加值增长6%以上"])
def test_named_phrases_equal_the_scan(sample_engine, phrase):
    assert found(sample_engine, f'"{phrase}"')[0] == scan(sample_engine, phrase)


def test_random_substrings_of_the_sample_equal_the_scan(sample_engine):
    """Lengths 1-12 drawn from the indexed text, crossing word boundaries and punctuation."""
    rng = random.Random(2021)
    snap = sample_engine.snapshot()
    checked = 0
    while checked < 400:
        text = snap.search[rng.randrange(snap.n)]
        n = rng.randint(1, 12)
        if len(text) < n:
            continue
        start = rng.randrange(len(text) - n + 1)
        phrase = text[start:start + n].strip()
        if not phrase or '"' in phrase:
            continue
        assert found(sample_engine, f'"{phrase}"')[0] == scan(sample_engine, phrase), phrase
        checked += 1


def test_facet_counts_equal_counts_from_a_scan(sample_engine):
    snap = sample_engine.snapshot()
    _, page = found(sample_engine, "发展")
    hits = [i for i in range(snap.n) if "发展" in snap.search[i]]
    for field in ("province", "prefecture", "county", "level", "section"):
        col = snap.coded[field]
        expected = Counter(col.value(i) for i in hits)
        expected.pop("", None)
        assert {f.value: f.count for f in page.facets[field]} == dict(expected), field
    assert dict(page.years) == dict(Counter(int(snap.years[i]) for i in hits))
    # the counts above went through per-report sums: every column but the section is one value per report
    assert set(snap.by_report) == {"province", "prefecture", "county", "level", "year"}
    assert page.reports_total == len({snap.report_id(i) for i in hits})


def test_province_filter_with_short_name(sample_engine):
    pids, page = found(sample_engine, "项目为王", province="河北")
    assert len(pids) == 2 and {h.region.province for h in page.hits} == {"河北省"}
    assert found(sample_engine, "项目为王 province:河北省")[0] == pids


def test_year_and_section_filters(sample_engine):
    _, page = found(sample_engine, "发展", year="2024")
    assert page.total and {h.year for h in page.hits} == {2024}
    _, page = found(sample_engine, "发展", section="工作回顾")
    assert page.total and {h.section_category for h in page.hits} == {"工作回顾"}


def test_hits_per_year(sample_engine):
    _, page = found(sample_engine, "项目为王")
    assert page.years == [(2021, 3), (2022, 1)]


def test_the_snapshot_names_every_row_and_report(sample_engine):
    snap = sample_engine.snapshot()
    assert snap.n and snap.reports
    for rid in snap.reports:
        rows = snap.rows_of(rid)
        assert rows and {snap.report_id(r) for r in rows} == {rid}
        numbers = [snap.paragraph(r)["number"] for r in rows]
        assert numbers == sorted(numbers)
        assert all(snap.row_of(snap.paragraph_ids[r]) == r for r in rows)
        record = snap.record(rid)
        assert record.title == (snap.reports[rid].get("display_title") or rid)
        assert "sketch" not in record.as_dict() and record.as_dict() == snap.reports[rid]
        passage = snap.passage(rows[-1])
        assert (passage.report_id, passage.number, passage.text) == (rid, numbers[-1], snap.texts[rows[-1]])
    assert snap.record("no-such-report") is None and snap.row_of("no-such-paragraph") is None
    assert snap.region_rank is snap.region_rank  # computed once per snapshot


def test_a_trend_comparison_reads_one_snapshot(sample_engine, monkeypatch):
    from search.trends import compare

    taken = []
    real = sample_engine.snapshot
    monkeypatch.setattr(sample_engine, "snapshot", lambda: taken.append(1) or real())
    trends = compare(sample_engine, ["项目为王", "营商环境"])
    assert len(trends) == 2 and trends[0].paragraphs == 4
    assert len(taken) == 1


def test_snippets_from_the_rows_search_text_equal_snippets_from_folding_again(sample_engine):
    """hit_at hands make_snippet the row's stored search text to skip folding the display text again."""
    from search.snippets import make_snippet

    snap = sample_engine.snapshot()
    phrases = ["发展", "项目为王", "2023", "％", "改革 开放", "（一）"]
    checked = 0
    for i in range(snap.n):
        display, search = snap.texts[i], snap.search[i]
        traditional = snap.record_at(i).traditional
        for p in phrases:
            assert make_snippet(display, [p], traditional=traditional, search=search) == \
                make_snippet(display, [p], traditional=traditional), (i, p)
        checked += len(display) != len(search)
    assert checked  # some rows fold to a shorter search text, and take the slow way


def test_opening_makes_what_the_first_search_would_otherwise_make(sample_engine):
    snap = sample_engine.snapshot()
    assert {"by_report"} <= set(vars(snap))  # computed by Snapshot.load, not by the first facet count
    assert all({"label_rank", "labelled"} <= set(vars(col)) for col in snap.coded.values())
