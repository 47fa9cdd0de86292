"""Near-identical paragraphs: a county that copies another county's paragraph is found, the changes marked."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

import pytest

from index.report import Region
from search.engine import Engine, NotFound
from search.similar import diff_html, jaccard, shingles, similar_paragraphs
from tests.conftest import make_report

BAZHOU = Region("county", "河北省", "廊坊市", "霸州市", "131081")
GUAN = Region("county", "河北省", "廊坊市", "固安县", "131022")
FENGYANG = Region("county", "安徽省", "滁州市", "凤阳县", "341126")

ORIGINAL = ("坚持项目为王，实施重点项目攻坚行动，全年谋划实施亿元以上项目120个，"
            "完成投资350亿元；深化“放管服”改革，推行“一枚印章管审批”，霸州市营商环境持续优化。")
COPIED = ("坚持项目为王，实施重点项目攻坚行动，全年谋划实施亿元以上项目90个，"
          "完成投资280亿元；深化“放管服”改革，推行“一枚印章管审批”，固安县营商环境持续优化。")
UNRELATED = "加快发展现代农业，稳定粮食播种面积，建设高标准农田五万亩，农村居民人均可支配收入增长百分之八。"
SHARED_WORDS = "坚持项目为王，做好防汛抗旱工作，加强安全生产监管，守住不发生重大事故的底线。"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from index.writer import IndexStore

    bazhou = make_report(["2021年霸州市政府工作报告", ORIGINAL, UNRELATED, ORIGINAL], region=BAZHOU, year=2021,
                         source="bazhou-2021.txt")
    guan = make_report(["2022年固安县政府工作报告", "各位代表：现在我代表县人民政府作报告。", COPIED], region=GUAN,
                       year=2022, source="guan-2022.txt")
    fengyang = make_report(["2022年凤阳县政府工作报告", SHARED_WORDS, "推进小岗村深化农村改革。"], region=FENGYANG,
                           year=2022, source="fengyang-2022.txt")
    # the same 固安 report published a second time, in another folder: merged at index time
    guan_again = replace(guan, sources=("mirror/guan-2022.txt",))
    # another, different copy of the 霸州 2021 report (an excerpt) that holds the paragraph verbatim
    excerpt = make_report(["霸州市政府工作报告解读", ORIGINAL,
                           "记者从市政府新闻办获悉，今年主要预期目标是：地区生产总值增长百分之六左右，一般公共预算收入增长百分之五，"
                           "城镇新增就业八千人，居民收入增长与经济增长基本同步，节能减排完成省下达任务。",
                           "解读文章还介绍了今年将要办好的二十件民生实事，涉及教育、医疗、养老、交通和城市更新等方面。"],
                          region=BAZHOU, year=2021, source="news/bazhou-excerpt.txt")
    root = tmp_path_factory.mktemp("similar") / "index"
    with IndexStore(root).update() as up:
        for r in (bazhou, guan, fengyang, guan_again, excerpt):
            up.add_report(r)
    eng = Engine(root)
    eng.reports_by_source = {r.sources[0]: r for r in (bazhou, guan, fengyang, excerpt)}
    yield eng
    eng.close()


def pid(report, text) -> str:
    return next(p.paragraph_id for p in report.paragraphs if p.text == text)


def test_copied_paragraph_is_found_with_the_changes_marked(engine):
    bazhou = engine.reports_by_source["bazhou-2021.txt"]
    result = similar_paragraphs(engine, pid(bazhou, ORIGINAL))
    assert [m.region.county for m in result.matches] == ["固安县"]
    m = result.matches[0]
    assert 0.5 <= m.similarity < 1.0
    assert m.text == COPIED
    assert "<del>霸州市</del><ins>固安县</ins>" in m.diff_html
    assert "<del>12</del><ins>9</ins>" in m.diff_html or "<del>120</del><ins>90</ins>" in m.diff_html
    # the unchanged text is there, unmarked
    assert "实施重点项目攻坚行动" in re.sub(r"<del>.*?</del>", "", m.diff_html)


def test_a_report_published_twice_is_one_match_with_both_sources(engine):
    bazhou = engine.reports_by_source["bazhou-2021.txt"]
    m = similar_paragraphs(engine, pid(bazhou, ORIGINAL)).matches[0]
    assert sorted(m.sources) == ["guan-2022.txt", "mirror/guan-2022.txt"]


def test_another_copy_of_the_same_report_is_listed_with_the_sources_not_as_a_match(engine):
    bazhou = engine.reports_by_source["bazhou-2021.txt"]
    result = similar_paragraphs(engine, pid(bazhou, ORIGINAL))
    assert [r.sources for r in result.republications] == [("news/bazhou-excerpt.txt",)]
    assert all(m.region.county != "霸州市" for m in result.matches)


def test_paragraph_sharing_only_a_phrase_is_not_similar(engine):
    fengyang = engine.reports_by_source["fengyang-2022.txt"]
    result = similar_paragraphs(engine, pid(fengyang, SHARED_WORDS))
    assert result.matches == ()


def test_repeats_inside_the_same_report_are_not_matches(engine):
    bazhou = engine.reports_by_source["bazhou-2021.txt"]
    result = similar_paragraphs(engine, pid(bazhou, UNRELATED))
    assert result.matches == () and result.republications == ()


def test_unknown_paragraph_raises_not_found(engine):
    with pytest.raises(NotFound):
        similar_paragraphs(engine, "0" * 16)


def test_traditional_copy_compares_equal_to_simplified():
    assert jaccard(shingles("堅持項目為王，實施重點項目攻堅行動"), shingles("坚持项目为王，实施重点项目攻坚行动")) < 0.2
    from index.normalise import fold_for_search

    folded = fold_for_search("堅持項目為王，實施重點項目攻堅行動", traditional=True)
    assert jaccard(shingles(folded), shingles(fold_for_search("坚持项目为王，实施重点项目攻坚行动"))) == 1.0


def test_diff_escapes_the_texts():
    html = diff_html("原文<script>alert(1)</script>", "原文<b>粗</b>")
    assert re.sub(r"</?(del|ins)>", "", html).count("<") == 0
    assert html == ("原文&lt;<del>script</del><ins>b</ins>&gt;<del>alert(1)</del><ins>粗</ins>"
                    "&lt;/<del>script</del><ins>b</ins>&gt;")


# -- web -----------------------------------------------------------------------------------


@pytest.fixture
def client(make_app, engine):
    return make_app(engine.store.root).test_client()


def test_similar_page_shows_the_diff_and_the_sources(client, engine):
    bazhou = engine.reports_by_source["bazhou-2021.txt"]
    resp = client.get(f"/similar/{pid(bazhou, ORIGINAL)}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "<del>霸州市</del><ins>固安县</ins>" in html
    # sources by file name, never the folder they were read from
    assert "<code>guan-2022.txt</code>" in html and "<code>bazhou-excerpt.txt</code>" in html
    assert "mirror/guan-2022.txt" not in html


def test_similar_csv_and_api_list_the_match(client, engine):
    bazhou = engine.reports_by_source["bazhou-2021.txt"]
    p = pid(bazhou, ORIGINAL)
    rows = list(csv.DictReader(io.StringIO(client.get(f"/similar/{p}.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["county"], r["text"]) for r in rows] == [("固安县", COPIED)]
    data = client.get(f"/api/similar/{p}").get_json()
    assert data["matches"][0]["region"]["county"] == "固安县"
    assert data["matches"][0]["url"].endswith(f"/p/{data['matches'][0]['paragraph_id']}")


def test_reader_links_each_paragraph_to_its_similar_paragraphs(client, engine):
    bazhou = engine.reports_by_source["bazhou-2021.txt"]
    rid = next(r["report_id"] for r in engine.reports() if "bazhou-2021.txt" in r["sources"])
    html = client.get(f"/r/{rid}").get_data(as_text=True)
    assert f'/similar/{pid(bazhou, ORIGINAL)}"' in html


def test_bad_threshold_and_unknown_paragraph_get_chinese_errors(client, engine):
    assert "找不到这个段落" in client.get("/similar/" + "0" * 16).get_data(as_text=True)
    p = pid(engine.reports_by_source["bazhou-2021.txt"], ORIGINAL)
    resp = client.get(f"/similar/{p}?min=abc")
    assert resp.status_code == 400 and "参数 min" in resp.get_data(as_text=True)
    assert client.get(f"/api/similar/{p}?min=0.3").get_json()["threshold"] == 0.3
