"""The engine on tiny inline indexes: exactness, boolean logic, filters, facets, snippets, refresh."""
import random
from collections import Counter

import pytest

from index.normalise import query_variants
from index.report import Region
from search.engine import Engine, SearchRequest
from search.query import QueryError
from tests.conftest import make_report

BAZHOU = Region("county", "河北省", "廊坊市", "霸州市", "131081")
LANGFANG = Region("prefecture", "河北省", "廊坊市", None, "131000")
BAODI = Region("county", "天津市", None, "宝坻区", "120115")

PARAS_BAZHOU = [
    "坚持项目为王，全力推动重点项目建设。",
    "中华人民共和国成立七十周年，我们隆重庆祝。",
    "深化放管服改革，优化营商环境。",
    "今年地区生产总值增长3.8%左右，“两会”期间广泛听取意见。",
    "推进“互联网+政务服务”，建设人工智能+产业园。",
    "乾务镇加快建设。",
]
PARAS_LANGFANG = [
    "项目为王、项目为先，以项目建设论英雄。",
    "持续优化营商环境，打造一流营商环境。",
    "<script>alert(1)</script> 这一段含有脚本标记。",
]
PARAS_BAODI_TRAD = ["堅持項目為王，推動高質量發展。", "人民共和國的旗幟。"]


@pytest.fixture
def engine(make_index):
    root = make_index([
        make_report(PARAS_BAZHOU, region=BAZHOU, year=2021, source="a.txt"),
        make_report(PARAS_LANGFANG, region=LANGFANG, year=2024, source="b.txt"),
        make_report(PARAS_BAODI_TRAD, region=BAODI, year=2022, source="c.txt", traditional=True),
    ])
    e = Engine(root)
    yield e
    e.close()


def texts(page):
    return sorted(h.text for h in page.hits)


def search(engine, q, **kw):
    return engine.search(SearchRequest(q=q, per_page=1000, **kw))


def test_phrase_finds_every_paragraph_holding_it_and_nothing_else(engine):
    page = search(engine, "项目为王")
    assert texts(page) == sorted([PARAS_BAZHOU[0], PARAS_LANGFANG[0], PARAS_BAODI_TRAD[0]])


def test_phrase_inside_a_longer_word_is_found(engine):
    assert texts(search(engine, "人民共和国")) == sorted([PARAS_BAZHOU[1], PARAS_BAODI_TRAD[1]])


def test_traditional_query_finds_simplified_text_and_the_reverse(engine):
    assert texts(search(engine, "項目為王")) == texts(search(engine, "项目为王"))


def test_simplified_text_is_not_converted(engine):
    assert texts(search(engine, "乾务镇")) == [PARAS_BAZHOU[5]]


@pytest.mark.parametrize("q, expected", [
    ("互联网+", [4]),
    ("人工智能+", [4]),
    ("“两会”", [3]),
    ('"两会"', [3]),
    ("3.8%", [3]),
    ("３．８％", [3]),
])
def test_syntax_characters_are_text_where_a_journalist_means_them(engine, q, expected):
    assert texts(search(engine, q)) == sorted(PARAS_BAZHOU[i] for i in expected)


def test_and_or_not(engine):
    assert texts(search(engine, "营商环境 放管服")) == [PARAS_BAZHOU[2]]
    assert texts(search(engine, "放管服 OR 互联网+")) == sorted([PARAS_BAZHOU[2], PARAS_BAZHOU[4]])
    assert texts(search(engine, "营商环境 -放管服")) == [PARAS_LANGFANG[1]]
    assert texts(search(engine, "(项目为王 OR 营商环境) NOT 英雄")) == sorted(
        [PARAS_BAZHOU[0], PARAS_BAZHOU[2], PARAS_LANGFANG[1], PARAS_BAODI_TRAD[0]])


def test_one_character_query_scans(engine):
    assert texts(search(engine, "王")) == sorted([PARAS_BAZHOU[0], PARAS_LANGFANG[0], PARAS_BAODI_TRAD[0]])


@pytest.mark.parametrize("kw, q, count", [
    ({"province": "河北"}, "项目为王", 2),
    ({"province": "河北省"}, "项目为王", 2),
    ({"prefecture": "廊坊"}, "项目为王", 2),
    ({"county": "霸州"}, "项目为王", 1),
    ({"year": "2021-2022"}, "项目为王", 2),
    ({"level": "prefecture"}, "项目为王", 1),
    ({}, "项目为王 province:天津", 1),
    ({}, "项目为王 year:2024", 1),
    ({}, "province:河北", len(PARAS_BAZHOU) + len(PARAS_LANGFANG)),
])
def test_filters_as_parameters_and_in_the_query(engine, kw, q, count):
    assert search(engine, q, **kw).total == count


def test_unknown_region_filter_gives_no_hits_and_a_notice(engine):
    page = search(engine, "项目为王", province="火星")
    assert page.total == 0 and page.notices


def test_bad_query_raises_query_error(engine):
    with pytest.raises(QueryError):
        search(engine, '"项目为王')


def test_facets_count_the_hits(engine):
    page = search(engine, "项目为王")
    assert {f.value: f.count for f in page.facets["province"]} == {"河北省": 2, "天津市": 1}
    assert {f.value: f.count for f in page.facets["year"]} == {"2021": 1, "2022": 1, "2024": 1}
    assert page.years == [(2021, 1), (2022, 1), (2024, 1)]


def test_facet_counts_read_alike_by_index_slice_and_iteration_most_first(engine):
    """A facet's counts are made only when read (search.results.FacetCounts); every way of reading agrees."""
    counts = search(engine, "项目为王").facets["province"]
    listed = list(counts)
    assert [(f.value, f.count, f.label) for f in listed] == [("河北省", 2, "河北省"), ("天津市", 1, "天津市")]
    assert len(counts) == 2 and counts[0] == listed[0] and counts[-1] == listed[-1] and counts[1:] == listed[1:]
    assert counts == listed and counts != listed[:1] and listed[::-1] != counts
    with pytest.raises(IndexError):
        counts[2]


def test_snippet_marks_the_phrase_once_and_escapes_text(engine):
    page = search(engine, "项目为王", county="霸州")
    assert page.hits[0].snippet_html == "坚持<mark>项目为王</mark>，全力推动重点项目建设。"
    page = search(engine, "脚本标记")
    assert "&lt;script&gt;" in page.hits[0].snippet_html and "<script>" not in page.hits[0].snippet_html


def test_snippet_of_traditional_paragraph_marks_its_own_characters(engine):
    page = search(engine, "项目为王", county="宝坻")
    assert page.hits[0].snippet_html == "堅持<mark>項目為王</mark>，推動高質量發展。"


def test_sorting_by_year(engine):
    newest = [h.year for h in search(engine, "项目为王", sort="newest").hits]
    oldest = [h.year for h in search(engine, "项目为王", sort="oldest").hits]
    assert newest == [2024, 2022, 2021] and oldest == [2021, 2022, 2024]


def test_grouped_results_say_how_many_more(engine):
    page = engine.search(SearchRequest(q="营商环境", group=True))
    assert page.reports_total == 2
    langfang = [g for g in page.groups if g.region.prefecture == "廊坊市"][0]
    assert langfang.total == 1 and langfang.more == 0


def test_engine_sees_a_new_generation_without_restart(engine, make_index):
    before = search(engine, "新质生产力").total
    make_index([make_report(["因地制宜发展新质生产力。"], region=BAZHOU, year=2025, source="d.txt")],
               root=engine.store.root)
    engine._checked = 0  # skip the half-second throttle
    assert before == 0 and search(engine, "新质生产力").total == 1


def test_every_generation_answers_the_warm_up_search_before_any_request(engine, make_index, monkeypatch):
    """Opening and reloading search the new generation (WARM_UP_QUERIES) before requests can reach it."""
    from search import engine as E

    seen = []
    answer = E.Engine._answer

    def spy(self, snap, request):
        seen.append((snap.generation, request.q, self._snap is snap))
        return answer(self, snap, request)

    monkeypatch.setattr(E.Engine, "_answer", spy)
    opened = E.Engine(engine.store.root)
    first = opened.snapshot().generation
    warm = [(first, q, False) for q in E.WARM_UP_QUERIES]
    assert seen == warm and len(warm) == 2  # searched before it became the engine's snapshot
    make_index([make_report(["因地制宜发展新质生产力。"], region=BAZHOU, year=2025, source="w.txt")],
               root=engine.store.root)
    opened._checked = 0
    assert search(opened, "新质生产力").total == 1
    second = opened.snapshot().generation
    assert second != first
    assert seen[2:] == [(second, q, False) for q in E.WARM_UP_QUERIES] + [(second, "新质生产力", True)]
    opened.close()


def test_a_failed_warm_up_search_does_not_stop_the_generation_from_being_served(engine, monkeypatch, caplog):
    from search import engine as E

    answer = E.Engine._answer

    def failing_warm_up(self, snap, request):
        if request.q in E.WARM_UP_QUERIES:
            raise MemoryError("no room for the warm-up")
        return answer(self, snap, request)

    monkeypatch.setattr(E.Engine, "_answer", failing_warm_up)
    with caplog.at_level("ERROR"):
        opened = E.Engine(engine.store.root)
    assert "warm-up search" in caplog.text
    assert search(opened, "项目为王").total == search(engine, "项目为王").total > 0
    opened.close()


# --- exactness: random substrings against a scan --------------------------------------------


def scan(engine, phrase):
    snap = engine.snapshot()
    variants = query_variants(phrase)
    return sorted(snap.paragraph_ids[i] for i in range(snap.n) if any(v in snap.search[i] for v in variants))


def test_random_substrings_match_a_scan_exactly(engine):
    rng = random.Random(7)
    snap = engine.snapshot()
    for _ in range(300):
        text = rng.choice(snap.texts)
        n = rng.randint(1, 12)
        start = rng.randrange(0, max(1, len(text) - n))
        phrase = text[start:start + n].strip()
        if not phrase or '"' in phrase:
            continue
        q = '"' + phrase + '"'
        got = sorted(h.paragraph_id for h in search(engine, q).hits)
        assert got == scan(engine, phrase), phrase
