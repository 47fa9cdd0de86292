"""Figures in report text: the headline measures a paragraph gives a value for, and whether each is a target or a result.

Vocabulary:

* an **indicator** is one of the headline measures a work report gives a figure
  for, under its normalised name (:data:`INDICATORS`): 地区生产总值 stands for
  地区生产总值, 国内生产总值, 全市生产总值 and GDP alike; 规模以上工业增加值 for
  规上工业增加值 too. A *mention* is where such a name occurs in a paragraph.
* a **figure** is what follows a mention in the same clause: a *value* (``6.5``
  with a *unit*: ``%``, ``亿元``, ``万人`` …, sometimes a range ``6-6.5``), its
  *direction* (a figure after 下降/降低/减少 is negative) and its **qualifier**:
  左右, 以上, 以内, 以下, or 同步 (``居民人均可支配收入增长与经济增长同步`` has no
  value, only the qualifier). Five-year averages (年均) are not a year's figure
  and are left out.
* a **change** is a figure that says by how much something moved, not where it
  stands: an amount after 增加/减少/提高/下降/增长 (``粮食总产量增加109亿公斤``,
  ``比上年增加930亿元``) or any ``个百分点``. A change is not a level, so it is
  left out (``粮食总产量增加109亿公斤，达到4024亿公斤`` gives 4024亿公斤 only);
  a percentage after those verbs stays: it is the indicator's growth rate
  (``增长7%``, ``下降3.1%`` is ``-3.1%``).
* the **kind** of a figure says what it is: ``target`` — the goal set for
  the report's year (主要预期目标, 力争, 今年, the 目标与要求 section), or
  ``result`` — what was achieved in the year before (比上年, 完成, the
  工作回顾 section). ``for_year`` is the year the figure belongs to.

Extraction reads the paragraphs' display text through the engine and matches on
a folded copy (:func:`index.normalise.fold_with_offsets`: Simplified, ASCII
digits and punctuation), so seed 000's Traditional text works like the rest.
:mod:`search.targets` makes the table of every report's figures from these.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.normalise import fold_with_offsets

__all__ = ["INDICATORS", "KINDS", "QUALIFIERS", "Figure", "extract_paragraph", "indicator_name"]

#: Normalised indicator name → the surface forms (folded: Simplified, lower-case
#: ASCII) that stand for it. Longer forms first: the first that matches wins.
INDICATORS: dict[str, tuple[str, ...]] = {
    "单位GDP能耗": (
        "单位地区生产总值能耗", "单位国内生产总值能耗", "单位生产总值能耗", "单位gdp能耗",
        "每万元地区生产总值能耗", "每万元生产总值能耗", "万元地区生产总值能耗", "万元生产总值能耗",
        "万元gdp能耗", "单位地区生产总值能源消耗", "单位国内生产总值能源消耗", "能耗强度",
    ),
    "地区生产总值": ("地区生产总值", "国内生产总值", "生产总值", "gdp", "经济增长"),
    "一般公共预算收入": (
        "地方一般公共预算收入", "一般公共预算收入", "一般公共财政预算收入", "地方公共财政预算收入", "公共财政预算收入",
        "地方财政一般预算收入", "地方一般预算收入", "财政一般预算收入", "一般预算收入",
    ),
    "固定资产投资": ("全社会固定资产投资额", "全社会固定资产投资", "城镇固定资产投资", "固定资产投资额", "固定资产投资"),
    "规模以上工业增加值": ("规模以上工业增加值", "规上工业增加值", "规模工业增加值", "限上工业增加值"),
    "社会消费品零售总额": ("社会消费品零售总额", "社会消费品零售额"),
    "城镇居民人均可支配收入": ("城镇常住居民人均可支配收入", "城镇居民人均可支配收入"),
    "农村居民人均可支配收入": (
        "农村牧区常住居民人均可支配收入", "农村常住居民人均可支配收入", "农村牧区居民人均可支配收入",
        "农村居民人均可支配收入",
    ),
    "农民人均纯收入": ("农村居民人均纯收入", "农民人均纯收入"),
    "居民人均可支配收入": (
        "城乡居民人均可支配收入", "全体居民人均可支配收入", "居民人均可支配收入", "居民可支配收入", "城乡居民收入",
        "居民收入",
    ),
    "城镇调查失业率": ("城镇调查失业率",),
    "城镇登记失业率": ("城镇登记失业率",),
    "城镇新增就业": ("城镇新增就业人数", "城镇新增就业", "新增城镇就业人员", "新增城镇就业", "新增就业人数"),
    "居民消费价格": ("居民消费价格指数", "居民消费价格总水平", "居民消费价格", "cpi"),
    "外贸进出口": ("货物贸易进出口总额", "进出口贸易总额", "货物贸易进出口", "外贸进出口总额", "外贸进出口总值", "外贸进出口", "对外贸易进出口", "进出口总额", "进出口总值", "进出口"),
    "实际利用外资": ("实际利用外商直接投资", "实际使用外商直接投资", "实际利用外资", "实际使用外资"),
    "粮食产量": ("粮食总产量", "粮食产量", "粮食总产"),
}

KINDS = ("target", "result")
QUALIFIERS = ("左右", "以上", "以内", "以下", "同步")

_SURFACE = {s: name for name, forms in INDICATORS.items() for s in forms}
_MENTION = re.compile("|".join(re.escape(s) for s in sorted(_SURFACE, key=len, reverse=True)))

# What may stand right before a mention without narrowing it to a part of the
# region (工业固定资产投资, 民间固定资产投资, 人均地区生产总值 are other measures).
_OPEN_BEFORE = re.compile(
    r"(?:^|[,;:。!?、(\"'\s]|和|及|与|是|为|全市|全县|全区|全省|全州|全盟|全旗|全国|我市|我县|我区|我省|本市|本县|本区"
    r"|确保|力争|实现|完成|预计|推动|促进|全年|今年|明年|去年|上年|其中|年|的|市|县|区|省|州|旗|盟|本级|年末|带动|主要指标|主要预期目标)$"
)
_NARROW_BEFORE = re.compile(r"(?:县区|县市区|个县|个区|乡镇|开发区|园区|集聚区|新区|城区|功能区|高新区|示范区|工业区|产业区|人均|民间|工业|农业|服务业)$")

_NUMBER = r"(\d+(?:\.\d+)?)"
_UNITS = r"(%|个百分点|万亿元|亿元|万元|元|万亿美元|亿美元|万美元|万亿斤|亿斤|万斤|亿公斤|亿吨|万吨|吨|万人|人)"
# verbs and fillers allowed between a mention (or a previous figure) and a value
_BRIDGE = re.compile(
    r"(?:比上年|同比|较上年|预计|力争|确保|分别|均|全年|要|年均|"
    r"实际|名义|可比价|按可比价格计算|按可比口径|可比口径|"
    r"增长|增速|增幅|增加|提高|上升|上涨|涨幅|下降|降低|减少|回落|"
    r"控制在|控制到|控制|保持在|稳定在|达到|达|突破|超过|超|平均|完成|实现|总额|总量|为|在|了|的|到|约|至|"
    r"不低于|不少于|不超过|低于|高于|快于|以上|左右|以内|\s)*"
)
_VALUE = re.compile(
    _NUMBER + r"\s*(多|余)?\s*(?:%|个百分点)?\s*(?:[-~～—–至到]\s*" + _NUMBER + r")?\s*" + _UNITS
    + r"\s*(左右|以上|以内|以下|上下|之间|内)?"
)
_DOWN = re.compile(r"(?:下降|降低|减少|回落)(?!到|至)")
# a period of years named in a paragraph: the figures after it are the period's (五年来, “十一五”期间, 这五年)
# until a single year is named again (去年, 全年, 2022年). Levels reached (生产总值达到82.7万亿元) are the
# last year's all the same; only the indicators that add up over the years are the period's there.
_PERIOD_SUMS = frozenset({"城镇新增就业"})
_NOT_ACHIEVED = re.compile(r"没有实现|未能?实现|没有完成|未能?完成")
_PERIOD = re.compile(r"五年来|过去五年|五年间|五年中|[十一二三四五]{2,3}五[”\"]?时期|[十一二三四五]{2,3}五[”\"]?期间|这五年")
# a heading that names a period of years: the goals under it are the period's (“十三五”时期主要目标任务, 今后五年)
_PERIOD_HEADING = re.compile(_PERIOD.pattern + r"|今后五年|未来五年")
# a verb of change right before an amount: the amount is a change, not a level (see the module docstring)
_CHANGE_BEFORE = re.compile(r"(?:增加|减少|提高|下降|降低|上升|回落|增长|多|少)了?\s*$")
_SYNC = re.compile(r"(?:增长|增速|增幅)?(?:要|保持|实现)?(?:与|和|同)(?:经济增长|经济发展|经济增速|gdp增长|地区生产总值增长|经济)(?:基本)?(?:保持)?同步|(?:基本)?同步增长")
_IN_STEP_AFTER = re.compile(r"(?:基本)?(?:保持)?同步")
_BEFORE_QUAL = ((re.compile(r"不低于|不少于|超过|突破|超"), "以上"), (re.compile(r"不超过|低于"), "以内"))
_CLAUSE_END = re.compile(r"[;。!?]")
_CONTINUE = re.compile(r"[,、]?\s*(?:比上年|同比|较上年|按可比口径)?(?:增长|下降|提高|降低|增速|增幅|达到)")

# kind cues, looked for in the sentence that holds the figure
_RESULT_OVER_TARGET = re.compile(
    r"(?<!确保)(?<!力争)(?<!努力)(?<!要)(?:较好|圆满|超额|全面|胜利|基本)?(?:完成|实现|超过)了?[^,;。]{0,10}(?:目标|预期)"
)
_TARGET_CUE = re.compile(r"预期目标|主要目标|发展目标|目标(?:是|为|:)|预期性指标|约束性指标|力争|今年|明年")
_RESULT_CUE = re.compile(r"比上年|同比|较上年|去年|上年|过去一年|刚刚过去|这一年|预计全年|全年完成|完成了|实现了")


def indicator_name(text: str) -> str | None:
    """The normalised indicator for a name or surface form (``GDP`` → 地区生产总值), or None."""
    t = text.strip()
    if t in INDICATORS:
        return t
    return _SURFACE.get(t.lower())


@dataclass(frozen=True)
class Figure:
    """One figure read from a folded paragraph (see the module docstring)."""


    indicator: str
    value: float | None
    value_high: float | None
    unit: str
    qualifier: str
    start: int  # folded offsets of the clause the figure was read from
    end: int


def _figures(text: str) -> list[Figure]:
    """Every figure in a folded paragraph, in reading order."""
    out: list[Figure] = []
    # 经济增长 names GDP only where a figure may follow: not in 居民收入和经济增长同步
    mentions = [m for m in _MENTION.finditer(text)
                if not (m.group() == "经济增长" and _IN_STEP_AFTER.match(text, m.end()))]
    consumed = 0
    for k, m in enumerate(mentions):
        if m.start() < consumed:
            continue  # inside an earlier figure (与地区生产总值增长同步)
        before = text[max(0, m.start() - 6) : m.start()]
        if _NARROW_BEFORE.search(before) or not _OPEN_BEFORE.search(before):
            continue
        name = _SURFACE[m.group()]
        # the mention's reach: to the clause end or the next mention
        limit = _CLAUSE_END.search(text, m.end())
        stop = clause_stop = limit.start() if limit else len(text)
        if k + 1 < len(mentions):
            stop = min(stop, mentions[k + 1].start())
        group = _group_before(mentions, k, text)
        if group is None:
            continue  # an earlier name of a 分别 list: its figure comes with the last name
        names = group + [name]
        if m.group() == "城乡居民人均可支配收入" and re.match(r"[^,;。\d]{0,3}分别", text[m.end() : stop]):
            names = group + ["城镇居民人均可支配收入", "农村居民人均可支配收入"]
        figs = _read_values(text, m.end(), stop, clause_stop, len(names))
        if not figs:
            continue
        if len(names) > 1 and len(figs) == len(names):
            # 分别控制在5.5%和4.5%以内: the last qualifier holds for every value
            last_qual = figs[-1][3]
            figs = [f if f[3] else (*f[:3], last_qual, f[4]) for f in figs]
            pairs = list(zip(names, figs))
        elif len(names) > 1 and len(figs) == 1 and re.match(r"^[^,;。]{0,4}(?:均|都|同步)", text[m.end():stop]):
            pairs = [(n, figs[0]) for n in names]
        else:
            pairs = [(name, f) for f in figs]
        clause_start = _clause_start(text, mentions[k - len(group)].start())
        if re.search(r"年均|每年|累计|累积|五年|期间", text[clause_start : m.start()]):
            continue  # a five-year figure, not a year's
        for n, (value, high, unit, qual, end) in pairs:
            out.append(Figure(n, value, high, unit, qual, clause_start, end))
            consumed = max(consumed, end)
    return out


def _group_before(mentions: list[re.Match], k: int, text: str) -> list[str] | None:
    """Names listed before mention ``k`` (地区生产总值、一般公共预算收入分别…), or None when ``k`` is not last."""
    def joined(a: re.Match, b: re.Match) -> bool:
        return re.fullmatch(r"\s*(?:、|和|及|与|以及|,)?\s*", text[a.end() : b.start()]) is not None \
            and text[a.end() : b.start()].strip() != ""
    if k + 1 < len(mentions) and joined(mentions[k], mentions[k + 1]):
        return None
    group: list[str] = []
    j = k
    while j > 0 and joined(mentions[j - 1], mentions[j]):
        group.insert(0, _SURFACE[mentions[j - 1].group()])
        j -= 1
    return group


def _clause_start(text: str, pos: int) -> int:
    i = pos
    while i > 0 and text[i - 1] not in ",;。!?:、":
        i -= 1
    return i


def _read_values(text: str, pos: int, stop: int, clause_stop: int, wanted: int) -> list[tuple]:
    """(value, high, unit, qualifier, end) for the figures after a mention, up to ``stop``."""
    out: list[tuple] = []
    while pos < stop:
        bridge = _BRIDGE.match(text, pos, stop)
        gap = text[pos : bridge.end()]
        if re.search("年均|每年|累计|累积", gap):
            return out
        if not out:
            sync = _SYNC.match(text, pos, clause_stop)
            if sync:
                return [(None, None, "", "同步", sync.end())]
        v = _VALUE.match(text, bridge.end(), stop)
        if v is None:
            break
        value, high, unit, qual = float(v.group(1)), v.group(3), v.group(4), v.group(5) or ""
        if v.group(2) and not qual:
            qual = "以上"  # 1300多亿美元
        if unit == "个百分点" and high is None and not gap:
            break
        if unit == "个百分点" or (unit != "%" and _CHANGE_BEFORE.search(gap)):
            # a change (增加109亿公斤, 提高1.5个百分点): not a level, left out; read on (，达到4024亿公斤)
            pos = v.end()
            cont = _CONTINUE.match(text, pos, stop)
            if cont:
                pos += 1 if text[pos] in ",、" else 0
                continue
            break
        sign = -1.0 if _DOWN.search(gap) else 1.0
        qual = {"上下": "左右", "内": "以内", "之间": ""}.get(qual, qual)
        if not qual:
            for cue, q in _BEFORE_QUAL:
                if cue.search(gap):
                    qual = q
                    break
        out.append((sign * value, float(high) * sign if high else None, unit, qual, v.end()))
        pos = v.end()
        # a list of values after 分别 (6%、5%和7%), or the same figure's next clause (,增长6%)
        sep = re.match(r"\s*(?:、|和|及|,)\s*", text[pos:stop])
        if sep and len(out) < wanted:
            pos += sep.end()
            continue
        cont = _CONTINUE.match(text, pos, stop)
        if cont:
            pos += 1 if text[pos] in ",、" else 0
            continue
        break
    return out


_TARGET_LEAD = re.compile(r"预期目标(?:是|为|:|建议为)|主要目标(?:是|为|:)|主要预期目标")


def _kind(sentence: str, category: str, qualifier: str, before: str = "") -> str:
    """``target`` or ``result`` for a figure in ``sentence``; ``before`` is the paragraph up to it."""
    if category != "工作回顾" and _TARGET_LEAD.search(before):
        return "target"
    if _RESULT_OVER_TARGET.search(sentence):
        return "result"
    if _TARGET_CUE.search(sentence):
        return "target"
    if _RESULT_CUE.search(sentence):
        return "result"
    if category == "工作回顾":
        return "result"
    if category in ("目标与要求", "重点任务"):
        return "target"
    if qualifier in ("左右", "以内", "同步"):
        return "target"
    return "result"


def _in_period(before: str, year: int) -> bool:
    """Whether the last time span named before a figure is a period of years rather than last year."""
    period = [m.end() for m in _PERIOD.finditer(before)]
    if not period:
        return False
    single = [m.end() for m in re.finditer(rf"去年|全年|上年|今年|一年来|过去一年|(?<!\d)(?:{year - 1}|{year})年(?!以来)", before)]
    return not single or period[-1] > single[-1]


def extract_paragraph(text: str, *, traditional: bool = False, category: str = "其他",
                      year: int | None = None, section: str = "") -> list[tuple[Figure, str, str]]:
    """(figure, kind, excerpt) for every figure in one paragraph's display text.

    ``section`` is the paragraph's heading path: a goal under a heading that names a period of years
    (“十三五”时期主要目标任务, 今后五年) is the period's, not the year's target, and is left out.
    """
    period_section = bool(section) and bool(_PERIOD_HEADING.search(fold_with_offsets(section)[0]))
    folded, where = fold_with_offsets(text, traditional=traditional)
    out = []
    for f in _figures(folded):
        s = f.start
        while s > 0 and folded[s - 1] not in "。!?":
            s -= 1
        e = _CLAUSE_END.search(folded, f.end)
        sentence = folded[s : e.start() if e else len(folded)]
        if _NOT_ACHIEVED.search(folded[s : f.end]):
            continue  # 没有实现年初确定的能耗降低4%左右的目标: the target restated, not a result
        if year and f.indicator in _PERIOD_SUMS and _in_period(folded[: f.start], year):
            continue  # 五年来，……城镇新增就业6600万人以上: the period's sum, not the year's
        if year:
            if any(int(y) > year for y in re.findall(r"到(20\d\d)年", sentence)):
                continue  # a goal for a later year (到2025年), not this year's
            # a named year decides: the report's own year is a target, the one before a result
            years = [int(y) for y in re.findall(r"(?<!\d)(20\d\d|19\d\d)年", folded[s : f.start])]
            if years and years[-1] == year - 1 and not _TARGET_CUE.search(sentence):
                kind = "result"
            else:
                kind = _kind(sentence, category, f.qualifier, folded[: f.start])
        else:
            kind = _kind(sentence, category, f.qualifier, folded[: f.start])
        if kind == "target" and period_section:
            continue
        a = where[f.start] if f.start < len(where) else len(text)
        b = where[f.end - 1] + 1 if 0 < f.end <= len(where) else len(text)
        out.append((f, kind, text[a:b].strip(" ,，;；")))
    return out
