"""What is new this year: real excerpts of the 驻马店 and national series (tests/fixtures/diff) and the sample."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import quote

import pytest

import baogao
from search.diff import DiffError, previous_report, report_diff, slogan_shape
from search.engine import Engine, NotFound

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "diff"
ZMD = "2021-河南省-驻马店市", "2022-河南省-驻马店市", "2023-河南省-驻马店市", "2024-河南省-驻马店市"
NATIONAL = "2016-全国", "2017-全国", "2018-全国"


@pytest.fixture(scope="module")
def diff_index(tmp_path_factory):
    from index.assemble import parse_path
    from index.writer import IndexStore

    root = tmp_path_factory.mktemp("diff") / "index"
    with IndexStore(root).update() as up:
        for r in parse_path(FIXTURES):
            up.add_report(r)
    return root


@pytest.fixture(scope="module")
def engine(diff_index):
    eng = Engine(diff_index)
    yield eng
    eng.close()


def texts(phrases) -> list[str]:
    return [p.text for p in phrases]


def report_text(engine, report_id) -> str:
    return "\n".join(p["text"] for p in engine.report(report_id)[1])


# -- the previous report -------------------------------------------------------------------------


def test_the_previous_report_is_the_regions_latest_earlier_one(engine):
    assert previous_report(engine, ZMD[3])["report_id"] == ZMD[2]
    assert previous_report(engine, NATIONAL[1])["report_id"] == NATIONAL[0]
    assert previous_report(engine, ZMD[0]) is None
    d = report_diff(engine, ZMD[3])
    assert d.previous["report_id"] == ZMD[2] and not d.chosen
    assert d.history == (ZMD[2], ZMD[1], ZMD[0])  # latest first; the national reports are another region


# -- new phrases --------------------------------------------------------------------------------


def test_a_slogan_is_new_in_its_first_year_and_in_no_later_one(engine):
    new = {rid: texts(report_diff(engine, rid).new_phrases) for rid in ZMD[1:]}
    # 万人助万企 and 三个一批 first appear in 2022 (the 2021 report never says them)
    for slogan in ("万人助万企", "三个一批"):
        assert slogan not in report_text(engine, ZMD[0])
        assert slogan in new[ZMD[1]]
        assert slogan not in new[ZMD[2]] and slogan not in new[ZMD[3]]
    # 双招双引 first appears in 2024
    assert "双招双引" in new[ZMD[3]]
    assert all("双招双引" not in report_text(engine, rid) for rid in ZMD[:3])
    # the 2023 excerpt does not say 万人助万企, yet it is not new in 2024: the region said it in 2022
    assert "万人助万企" not in report_text(engine, ZMD[2])
    assert "万人助万企" in report_text(engine, ZMD[3])


def test_national_slogans_new_in_2017(engine):
    d = report_diff(engine, NATIONAL[1])
    new = texts(d.new_phrases)
    for slogan in ("三去一降一补", "四个意识", "放管服"):
        assert slogan in new
    # a term 2016 used too is never new, and no phrase is an arbitrary cut of a longer one
    assert "一国两制" not in new and "港人治港" not in new
    assert not any(t in ("去一降一", "降一补", "个意识") for t in new)


def test_national_2018_new_slogans_and_a_smaller_fall_in_energy_use(engine):
    d = report_diff(engine, NATIONAL[2])
    assert d.previous["report_id"] == NATIONAL[1] and d.history == (NATIONAL[1], NATIONAL[0])
    new = texts(d.new_phrases)
    assert "两个毫不动摇" in new and "四个自信" in new
    assert "四个意识" not in new  # 2017 said it first
    energy = next(t for t in d.targets if t.indicator == "单位GDP能耗")
    assert (energy.current.display, energy.previous.display) == ("-3%以上", "-3.4%以上")
    assert energy.change == "shallower" and energy.label == "降幅收窄"
    assert "城镇调查失业率" in {t.indicator for t in d.targets if t.change == "new"}


def test_each_new_phrase_links_to_a_paragraph_that_says_it(engine):
    d = report_diff(engine, ZMD[1])
    paragraphs = {p["paragraph_id"]: p for p in engine.report(ZMD[1])[1]}
    assert d.new_phrases
    for p in d.new_phrases:
        assert len(p.text) >= 3
        para = paragraphs[p.paragraph_id]
        assert p.text in para["text"] and para["number"] == p.number
        assert f"<mark>{p.text}</mark>" in p.snippet_html
    wanren = next(p for p in d.new_phrases if p.text == "万人助万企")
    assert wanren.quoted and wanren.slogan and wanren.paragraphs == 2


def test_slogans_come_before_filler(engine):
    for rid in (ZMD[3], NATIONAL[1]):
        ranked = report_diff(engine, rid).new_phrases
        slogans = [k for k, p in enumerate(ranked) if p.quoted and p.slogan]
        plain = [k for k, p in enumerate(ranked) if not p.quoted and not p.slogan]
        assert slogans and plain and max(slogans) < min(plain)
    top = texts(report_diff(engine, ZMD[3]).new_phrases)[:3]
    assert "双招双引" in top
    # filler: 经济增长 is new to 驻马店's 2023 wording but the national reports said it years before
    new_2023 = report_diff(engine, ZMD[2]).new_phrases
    growth = next(p for p in new_2023 if p.text == "经济增长")
    assert growth.earlier_elsewhere == 3 and not growth.first_in_index  # the national 2016, 2017 and 2018 reports
    assert growth is new_2023[-1]


def test_slogan_shape_on_real_slogans():
    for slogan in ("双招双引", "三去一降一补", "万人助万企", "互联网+督查", "十五五", "三大工程", "六新突破"):
        assert slogan_shape(slogan), slogan
    for term in ("高质量发展", "营商环境", "一般公共预算收入", "项目为王", "新质生产力", "第十九次", "干干净净", "省医学科学院"):
        assert not slogan_shape(term), term


# -- dropped phrases -------------------------------------------------------------------------------


def test_dropped_phrases_are_what_last_year_stressed_and_this_year_no_longer_says(engine):
    d = report_diff(engine, ZMD[1])
    dropped = texts(d.dropped_phrases)
    for slogan in ("一老一小", "两新一重"):
        assert slogan in dropped and slogan not in report_text(engine, ZMD[1])
    p = next(p for p in d.dropped_phrases if p.text == "一老一小")
    assert p.paragraph_id in {x["paragraph_id"] for x in engine.report(ZMD[0])[1]}  # linked to last year's text
    national = texts(report_diff(engine, NATIONAL[1]).dropped_phrases)
    assert {"三严三实", "双引擎"} <= set(national)
    assert "港人治港" not in national  # 2017 still says it


# -- targets -------------------------------------------------------------------------------------------


def test_targets_this_year_beside_last_year(engine):
    changes = {t.indicator: t for t in report_diff(engine, ZMD[1]).targets}
    assert (changes["固定资产投资"].current.display, changes["固定资产投资"].previous.display) == ("10%以上", "7%以上")
    assert changes["固定资产投资"].change == "raised"
    assert (changes["一般公共预算收入"].current.display, changes["一般公共预算收入"].previous.display) == ("5.5%", "7.5%")
    assert changes["一般公共预算收入"].change == "lowered"
    assert changes["地区生产总值"].change == "same" and changes["地区生产总值"].current.display == "8%左右"
    assert changes["居民消费价格"].change == "qualifier"  # 3%左右 → 3%以内
    national = {t.indicator: t for t in report_diff(engine, NATIONAL[1]).targets}
    assert (national["地区生产总值"].current.display, national["地区生产总值"].previous.display) == ("6.5%左右", "6.5-7%")
    assert national["地区生产总值"].change == "lowered"
    assert national["城镇新增就业"].change == "raised"
    assert national["单位GDP能耗"].change == "new" and national["单位GDP能耗"].previous is None


# -- rewritten paragraphs ---------------------------------------------------------------------------------


def test_rewritten_paragraphs_are_aligned_with_the_changes_marked(engine):
    d = report_diff(engine, NATIONAL[1])
    by_number = {r.number: r for r in d.rewritten}
    opening = next(r for r in d.rewritten if r.text.startswith("——2017年3月5日"))
    assert opening.previous_text.startswith("——2016年3月5日")
    assert "<del>6</del><ins>7</ins>" in opening.diff_html and "<del>四</del><ins>五</ins>" in opening.diff_html
    hk = next(r for r in d.rewritten if "港人治港" in r.text)
    assert "港人治港" in hk.previous_text and "<ins>" in hk.diff_html and "<del>" in hk.diff_html
    assert list(by_number) == sorted(by_number)  # this report's order
    assert d.added + len(d.rewritten) + d.unchanged >= 4


# -- choosing the other report, and reports with nothing to compare ----------------------------------------------------


def test_against_compares_with_the_chosen_report_only(engine):
    d = report_diff(engine, ZMD[3], against=ZMD[0])
    assert d.chosen and d.previous["report_id"] == ZMD[0] and d.history == (ZMD[0],)
    assert "万人助万企" in texts(d.new_phrases)  # 2021 never said it
    with pytest.raises(DiffError, match="自己"):
        report_diff(engine, ZMD[3], against=ZMD[3])
    with pytest.raises(NotFound):
        report_diff(engine, ZMD[3], against="2024-河南省-信阳市")
    with pytest.raises(NotFound):
        report_diff(engine, "2030-河南省-驻马店市")


def test_a_report_with_no_earlier_report_gets_a_clear_message(engine, sample_engine):
    d = report_diff(engine, ZMD[0])
    assert d.previous is None and not d.new_phrases and not d.rewritten
    assert "索引中没有河南省驻马店市2021年以前的政府工作报告" in d.message and "--against" in d.message
    for rec in sample_engine.reports():  # the sample holds one report per region
        assert report_diff(sample_engine, rec["report_id"]).message


# -- web -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def client(make_app, diff_index):
    return make_app(diff_index).test_client()


def test_the_page_lists_new_phrases_targets_and_rewrites(client):
    r = client.get(f"/diff/{ZMD[3]}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "今年有什么新提法" in page and "2023年驻马店市政府工作报告" in page
    assert page.index("<h2>新提法</h2>") < page.index("双招双引") < page.index("<h2>不再提</h2>")
    assert "<mark>双招双引</mark>" in page
    assert "预期目标变化" in page and "调低" in page
    assert "<del>" in page and "<ins>" in page
    assert quote(f"/diff/{ZMD[3]}.csv") in page and quote(f"/api/diff/{ZMD[3]}") in page


def test_every_report_page_links_to_its_diff(client):
    page = client.get(f"/r/{ZMD[2]}").get_data(as_text=True)
    assert f'href="{quote(f"/diff/{ZMD[2]}")}"' in page


def test_no_earlier_report_is_a_message_not_an_empty_page(client, make_app, sample_index, sample_engine):
    page = client.get(f"/diff/{ZMD[0]}").get_data(as_text=True)
    assert "没有可对照的报告" in page and "2021年以前" in page
    assert "2024年驻马店市政府工作报告" in page  # the choice of another report
    sample = make_app(sample_index).test_client()
    rid = sample_engine.reports()[0]["report_id"]
    r = sample.get(f"/diff/{rid}")
    assert r.status_code == 200 and "没有可对照的报告" in r.get_data(as_text=True)
    body = sample.get(f"/api/diff/{rid}").get_json()
    assert body["previous"] is None and "无从比较" in body["message"]


def test_api_and_csv_carry_the_same_answer(client):
    body = client.get(f"/api/diff/{ZMD[1]}").get_json()
    assert body["previous"]["report_id"] == ZMD[0]
    assert "万人助万企" in [p["text"] for p in body["new_phrases"]]
    assert body["new_phrases"][0]["url"].startswith("http://baogao.test/p/")
    assert {t["indicator"]: t["change"] for t in body["targets"]}["固定资产投资"] == "raised"
    r = client.get(f"/diff/{ZMD[1]}.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    kinds = {row["kind"] for row in rows}
    assert kinds == {"new_phrase", "dropped_phrase", "target", "rewrite"}
    assert [row["text"] for row in rows if row["kind"] == "new_phrase"] == [p["text"] for p in body["new_phrases"]]
    against = client.get(f"/api/diff/{ZMD[3]}?against={ZMD[0]}").get_json()
    assert against["chosen"] and against["previous"]["report_id"] == ZMD[0]


def test_bad_requests_get_chinese_errors(client):
    r = client.get("/diff/2030-河南省-驻马店市")
    assert r.status_code == 404 and "找不到这个报告" in r.get_data(as_text=True)
    r = client.get(f"/api/diff/{ZMD[3]}?against={ZMD[3]}")
    assert r.status_code == 400 and "自己" in r.get_json()["error"]
    assert client.get(f"/diff/{ZMD[3]}?against=<script>").status_code == 404
    assert client.get("/api/diff/2030-河南省-驻马店市").status_code == 404


# -- command line -------------------------------------------------------------------------------------------------


def test_cli_diff(capsys, diff_index):
    assert baogao.main(["diff", "--index", str(diff_index), ZMD[3]]) == 0
    out = capsys.readouterr().out
    assert "对照 2023年驻马店市政府工作报告" in out and "双招双引" in out
    assert baogao.main(["diff", "--index", str(diff_index), "--json", "--against", ZMD[0], ZMD[3]]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["previous"]["report_id"] == ZMD[0]
    assert baogao.main(["diff", "--index", str(diff_index), ZMD[0]]) == 0
    assert "无从比较" in capsys.readouterr().err
    assert baogao.main(["diff", "--index", str(diff_index), "nope"]) == 2
    assert "索引中没有报告" in capsys.readouterr().err
