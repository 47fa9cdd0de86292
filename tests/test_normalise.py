import pytest
from hypothesis import given, settings, strategies as st

from index.normalise import (fold_for_search, fold_with_offsets, is_traditional, query_variants,
                             strip_pinyin_annotations)

from tests.conftest import SAMPLE


@pytest.mark.parametrize("raw, expected", [
    ("主要預(yù)期目標(biāo)", "主要預期目標"),
    ("刘媛在廊坊市八届人大六次会议上的政府工作报告(摘登)", "刘媛在廊坊市八届人大六次会议上的政府工作报告(摘登)"),
    ("(一)持续巩固脱贫攻坚成果", "(一)持续巩固脱贫攻坚成果"),
    ("规划(2021-2025年)", "规划(2021-2025年)"),
    ("PM2.5(细颗粒物)", "PM2.5(细颗粒物)"),
])
def test_pinyin_annotations_are_stripped_but_real_parentheses_stay(raw, expected):
    assert strip_pinyin_annotations(raw) == expected


def test_seed_000_has_no_pinyin_left_after_stripping():
    text = strip_pinyin_annotations((SAMPLE / "000_1ebb74cc993d5f7f.txt").read_text("utf-8"))
    assert "(yù)" not in text and "(biāo)" not in text
    assert "預期目標" in text


def test_traditional_seed_is_detected_and_simplified_seeds_are_not():
    trad = strip_pinyin_annotations((SAMPLE / "000_1ebb74cc993d5f7f.txt").read_text("utf-8"))
    assert is_traditional(trad)
    for name in ("001_7b54cff1a7856689.txt", "002_664a605172f01e95.txt", "003_58952eceed329ef4.txt"):
        assert not is_traditional((SAMPLE / name).read_text("utf-8"))


def _first_is_traditional(text: str, sample: int = 20000) -> bool:
    """is_traditional as first written: CJK characters counted by regex, changes a character at a time."""
    from index import normalise as N

    chunk = text[:sample]
    cjk = len(N._CJK_RUN.findall(chunk))
    if cjk < 4:
        return False
    converted = N._t2s().convert(chunk)
    if len(converted) != len(chunk):
        changed = sum(1 for c in chunk if N.is_cjk(c) and N._char_t2s(c) != c)
    else:
        changed = sum(1 for a, b in zip(chunk, converted) if a != b)
    return changed >= 3 and changed / cjk >= 0.03


def test_is_traditional_decides_as_first_written_on_every_kind_of_text():
    import opencc

    texts = [f.read_text("utf-8") for f in sorted(SAMPLE.glob("*.txt"))]
    s2t = opencc.OpenCC("s2t")
    texts += [s2t.convert(t) for t in texts[1:4]]  # Traditional
    texts += [t[:300] + s2t.convert(t[300:330]) + t[330:600] for t in texts[1:4]]  # a little Traditional
    texts += ["", "abc", "乾务镇", "〇〇〇〇", "𠀀𠀁𠀂𠀃𠀄 𫠝", "發展發展 ok", "㐀䶿丽﫿" * 3]
    decided = [is_traditional(t) for t in texts]
    assert decided == [_first_is_traditional(t) for t in texts]
    assert any(decided) and not all(decided)


def test_the_cjk_ranges_are_the_cjk_character_class():
    import numpy as np

    from index import normalise as N

    points = np.arange(0x40000, dtype=np.uint32)
    points = points[(points < 0xD800) | (points > 0xDFFF)]
    text = points.astype("<u4").tobytes().decode("utf-32-le")
    in_ranges = np.zeros(len(points), dtype=bool)
    for lo, hi in N._CJK_RANGES:
        in_ranges |= (points >= lo) & (points <= hi)
    assert "".join(np.array(list(text))[in_ranges]) == "".join(N._CJK_RUN.findall(text))


@given(st.text(alphabet=st.sampled_from("發展经济建設〇㐀丽𠀀乾务镇 a，。"), max_size=60))
@settings(max_examples=300, deadline=None)
def test_is_traditional_decides_as_first_written_on_generated_text(text):
    assert is_traditional(text) == _first_is_traditional(text)


def test_simplified_town_name_is_never_converted():
    text = "乾务镇加快推进产业园区建设，乾务镇全年完成固定资产投资十二亿元。"
    assert not is_traditional(text)
    assert "乾务镇" in fold_for_search(text)


def test_traditional_text_folds_to_simplified():
    assert fold_for_search("地區生產總值增長8%左右", traditional=True) == "地区生产总值增长8%左右"


@pytest.mark.parametrize("raw, expected", [
    ("增长３．８％", "增长3.8%"),
    ("目标：增长，（一）", "目标:增长,(一)"),
    ("“两会”", '"两会"'),
    ("ＧＤＰ增长", "gdp增长"),
    ("人民\u200b共和国", "人民共和国"),
    ("落实“四个不摘”〔17〕要求", '落实"四个不摘"要求'),
    ("政 府 工 作\u3000报 告", "政府工作报告"),
    ("  GDP  增长 ", "gdp 增长"),
])
def test_fold_for_search(raw, expected):
    assert fold_for_search(raw) == expected


def test_query_variants_include_simplified_form_of_traditional_query():
    assert query_variants("預期目標") == ("預期目標", "预期目标")
    assert query_variants("乾务镇")[0] == "乾务镇"
    assert query_variants("项目为王") == ("项目为王",)


@pytest.mark.parametrize("name", ["000_1ebb74cc993d5f7f.txt", "001_7b54cff1a7856689.txt", "003_58952eceed329ef4.txt"])
def test_offsets_fold_agrees_with_fast_fold_on_sample(name):
    text = strip_pinyin_annotations((SAMPLE / name).read_text("utf-8"))
    trad = is_traditional(text)
    for para in text.split("\n")[:40]:
        folded, where = fold_with_offsets(para, traditional=trad)
        assert folded == fold_for_search(para, traditional=trad)
        assert len(where) == len(folded)
        assert where == sorted(where)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("项目为王 　，,（）()“”\"ＡＢab１2〔17〕\u200b乾務镇\n.．%％")), max_size=40))
def test_offsets_fold_agrees_with_fast_fold_on_random_text(text):
    folded, where = fold_with_offsets(text)
    assert folded == fold_for_search(text)
    assert all(0 <= i < len(text) for i in where)
