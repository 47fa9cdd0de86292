"""The year of a report.

Vocabulary:

* *the report's year* — the year the report was delivered, at the start of the year it
  plans for: the 2002 report reviews 2001 (``一、2001年工作回顾``) and plans 2002. It
  is never the *year under review*, nor a *scrape date* a crawler added
  (``2025-07-08``), nor a crawler's ``年份：`` label (the zhumadian files carry
  ``年份：2014`` on reports of 2011-2013).
* *year token* — a year as written: ``2021``, full-width ``２０２１``, Chinese
  ``二〇二一``, ``二00二``, ``二O一一``, or mixed ``2O11``. :func:`parse_chinese_year`
  reads one.
* *evidence tiers*, strongest first: the title (``2021年霸州市政府工作报告``); the
  *delivery* — the delivery line's date (``——2015年2月5日在…会议上``) or the national
  congress the speaker addresses (``向第十届全国人民代表大会第一次会议报告``: the
  congress's *term* and *session* fix the year, :func:`npc_session_year`); statements
  in the text (the *review* and the *plan*) — the review heading (``2014年工作回顾``
  → 2015), the first sentence of the review (``2004年，全国各族人民…`` → 2005,
  ``刚刚过去的1984年`` → 1985), a completed plan period under review
  (``“九五”时期…的回顾`` → 2001), five years since a congress's first session
  (``第九届全国人民代表大会第一次会议以来的五年`` → 2003), the five years reviewed
  (``过去五年（1998年至2002年）`` → 2003), the past years of a change from a base year
  (``过去四年中…从一九五五年的…增加到了一九五九年的…`` → 1960), a session recalled and
  the years since (``第五届全国人民代表大会第二次会议，号召…。经过一年多来…`` → 1980), the plan
  (``2015年工作安排``, ``2021年经济社会发展的主要预期目标``; a plan the text lays out as
  next year's, ``明年发展国民经济的主要任务是…`` with ``一九六五年的主要任务``, is the
  report of the year before: 1964), this year's place in a
  five-year plan (``今年是“十二五”收官之年`` → 2015) or an anniversary
  (``今年是…建国三十周年`` → 1979), a party congress held this year or last
  (``今年党的十二大`` → 1982); a title in the file name
  (``2014_二O一一年政府工作报告.txt`` → 2011); the file name's leading digits (weak:
  they can be wrong, and used only where the text is silent); last, month deadlines
  set in the plan (``确保2022年9月底全部完工``), when they all agree. A year the
  text only mentions (``于一九七六年十月六日一举粉碎了…``) is no evidence at all.
  The first tier that has a year decides when it agrees with itself; statements must
  agree by a clear majority (twice the votes of any other year), else the year is
  unknown. The others are kept as evidence, ``confident=False`` when not used.
* *term and session* — ``第十届全国人民代表大会第三次会议`` is the 10th National
  People's Congress (2003-2007), its 3rd session: 2005.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import PurePath

from .report import Evidence
from .numerals import chinese_int
from .titles import DATE, delivery_lines, parse_date, reading_copy, title_in

__all__ = ["detect_year", "parse_chinese_year", "npc_session_year", "FIVE_YEAR_PLANS"]

log = logging.getLogger(__name__)


#: The first year of each five-year plan, by its short name.
FIVE_YEAR_PLANS = {
    "一五": 1953, "二五": 1958, "三五": 1966, "四五": 1971, "五五": 1976, "六五": 1981,
    "七五": 1986, "八五": 1991, "九五": 1996, "十五": 2001, "十一五": 2006, "十二五": 2011,
    "十三五": 2016, "十四五": 2021, "十五五": 2026, "十六五": 2031,
}

_YC = "0-9０-９〇零一二三四五六七八九OoＯｏ○◯Ο"
#: A year token followed by 年 (the token itself is group ``y``).
YEAR = rf"(?<![{_YC}])(?P<y>[12１２一二][{_YC}]{{3}})(?![{_YC}])\s*年"
_YEAR_RE = re.compile(YEAR)
_BARE_YEAR_RE = re.compile(rf"(?<![{_YC}])(?P<y>[12１２一二][{_YC}]{{3}})(?![{_YC}])")

_REVIEW = re.compile(YEAR + r"(?:工作)?(?:和|及|以来)?[^。\n，,；;]{0,14}?(?:工作|发展)?回顾")
_PLAN = re.compile(
    YEAR + r"(?:的)?(?:全[省市县区州旗]|我[省市县区州旗])?(?:政府)?(?:工作|经济社会发展|经济和社会发展|国民经济和社会发展)?的?"
    r"(?:总体要求|主要预期目标|预期目标|主要目标|目标任务|重点工作|工作安排|主要任务|工作任务|主要工作|工作建议)"
)
_YEAR_IS_START = re.compile(YEAR + r"[,，]?\s*是[^。]{0,60}?(?:[“\"]?(?P<plan>十[一二三四五六]?五)[”\"]?[^。]{0,30}?)?(?:开局|起步|开篇)之年")
_THIS_YEAR_IS = re.compile(r"今年[,，]?\s*是" + r"[^。]{0,4}?" + YEAR)
# 确保2022年9月底全部完工: the marker, at most 在/于/到/前 between, the year, a month's end or part.
_DEADLINE = re.compile(r"(?:确保|力争|争取|计划|预计)(?:在|于|到|至)?" + YEAR
                       + r"\s*[0-9一二三四五六七八九十]{1,3}\s*月(?:底|前|末|份前|中旬|上旬|下旬)")
_FILE_TITLE = re.compile(YEAR + r"?[^/_]{0,12}?政府工作报告")
_FILE_DIGITS = re.compile(r"^(?P<y>(?:19|20)\d{2})(?!\d)")

_MIN_YEAR, _MAX_YEAR = 1949, 2100

#: Years of the sessions of the first five National People's Congresses (term → years of
#: sessions 1, 2, …); from the sixth on, each term has five yearly sessions from 1983.
_NPC_EARLY = {1: (1954, 1955, 1956, 1957, 1958), 2: (1959, 1960, 1962, 1963), 3: (1964,), 4: (1975,),
              5: (1978, 1979, 1980, 1981, 1982)}
_CN_NUM = "一二三四五六七八九十"
# 第十届全国人民代表大会第三次会议, also shortened: 十四届全国人大一次会议.
_NPC = rf"第?(?P<term>[{_CN_NUM}]{{1,3}})届全国(?:人民代表大会|人大)(?:第?(?P<session>[{_CN_NUM}]{{1,2}})次会议)?"
# The congress the speaker addresses: 向…作/提出/报告, 请求…会议予以审议, 在…会议上.
_NPC_ADDRESSED = (
    re.compile(rf"(?<!提请)(?<!根据)(?:向|请求)(?:大会)?{_NPC}[,，]?(?:作|提出|报告|予以)"),
    re.compile(rf"在{_NPC}(?:上|举行)"),
    re.compile(rf"我们(?:这次)?{_NPC}[,，]"),
)
_NPC_FIVE_YEARS = re.compile(rf"{_NPC}(?:以来的五年|[,，]?到(?:这次|本次)大会[^。]{{0,12}}五年)")
# 过去五年（1998年至2002年）… / 1998—2002年这五年: the report follows the last of them.
_RANGE = rf"(?P<a>[12][{_YC}]{{3}})\s*年?\s*(?:至|到|—|－|-|–|~)+\s*(?P<y>[12][{_YC}]{{3}})\s*年"
_FIVE_YEAR_RANGES = (
    re.compile(r"过去(?:的)?五年[^。]{0,20}?" + _RANGE),
    re.compile(_RANGE + r"[^。]{0,10}?(?:这五年|五年来|五年间|五年中|的五年)"),
)
# 在过去四年中…从一九五五年的…增加到了一九五九年的…: N years of change from a base year
# to the last year reviewed; the report follows that year.
_PAST_YEARS_CHANGE = re.compile(
    r"过去(?:的)?(?P<n>[两二三四五六七八九十])年[^。]{0,30}?从" + YEAR.replace("?P<y>", "?P<a>")
    + r"[^。]{0,30}?(?:增加|增长|提高|上升|下降|减少|扩大|发展)到了?" + YEAR
)
# 第五届全国人民代表大会第二次会议，号召…。经过一年多来…的努力: a session recalled (not the
# one addressed: 向/在…会议, …会议上/作报告; nor one to come: 提请/将), then how long ago it was
# (one to five years, within the next two sentences): the report is that much later.
_SESSION_THEN_SPAN = re.compile(
    rf"(?<!提请)(?<!提交)(?<![将请向在{_CN_NUM}第])第?(?P<term>[{_CN_NUM}]{{1,3}})届全国(?:人民代表大会|人大)"
    rf"第?(?P<session>[{_CN_NUM}]{{1,2}})次会议(?![上作举])[^。\n]{{0,120}}?。?[^。\n]{{0,60}}?"
    r"(?:经过)?(?P<k>[一两二三四五])年(?:多)?(?:来|以来)"
)
# 明年发展国民经济的主要任务是…: the plan the text lays out is next year's; 今年的主要任务
# (this year's plan) rules that reading out.
_NEXT_YEAR_PLAN = re.compile(
    r"明年(?:发展国民经济|国民经济|经济社会发展|政府工作)?的?(?:主要任务|工作安排|主要目标|预期目标|总体要求)是")
_THIS_YEAR_PLAN = re.compile(r"今年(?:发展国民经济|国民经济|经济社会发展|政府工作)?的?(?:主要任务|工作安排|主要目标|预期目标|总体要求)")
# 第六届全国人民代表大会期间 (reviewed): the report follows that congress's last session.
_NPC_TERM_REVIEWED = re.compile(r"第(?P<term>[一二三四五六七八九十]{1,3})届全国人民代表大会(?:的[^。]{0,6}?任期中间|期间)")
# 首先报告2001年的工作: the year reviewed.
_REPORTS_ON_YEAR = re.compile(r"报告" + YEAR + r"的?工作")
#: Years of the national congresses of the Communist Party of China (八大 … 二十大).
PARTY_CONGRESSES = {8: 1956, 9: 1969, 10: 1973, 11: 1977, 12: 1982, 13: 1987, 14: 1992, 15: 1997, 16: 2002,
                    17: 2007, 18: 2012, 19: 2017, 20: 2022}
# 今年党的十二大 / 去年召开的党的第十一次全国代表大会 / 今年将召开中国共产党第十九次全国代表大会
# (not 今年是全面贯彻党的十七大精神的一年: the congress must be this year's or last year's).
_PARTY_CONGRESS_HELD = re.compile(
    r"(?P<when>今年|去年)(?:将要?召开|胜利召开的|召开的|将召开的)?的?(?:中国共产党|党的)第?"
    r"(?P<n>[一二三四五六七八九十]{1,3})(?:大|次全国代表大会)"
)
# 从去年9月第五届全国人民代表大会第三次会议到现在: that session was last year.
_NPC_LAST_YEAR = re.compile(rf"去年[0-9一二三四五六七八九十]{{0,2}}月?(?:召开的)?{_NPC}")
# 1986年是开始执行第七个五年计划并取得显著成就的一年: a year the review looks back on.
_YEAR_WAS = re.compile(r"(?:^|\n)\s*" + YEAR + r"[,，]?\s*是(?P<rest>[^。\n]{0,80})")
_PAST = re.compile(r"取得了|实现了|经受住|经受了|极不平凡|成就的一年|成绩的一年|进展的一年|丰收的一年")
_TERM_STARTED = re.compile(r"本届政府" + YEAR + r"[^。]{0,8}就职[^。]{0,20}任期(?:即将|就要)?(?:结束|届满)")
_PLAN_NAME = r"[“\"]?(?P<plan>十[一二三四五六]?五|[一二三四五六七八九]五)[”\"]?"
_PLAN_PERIOD_REVIEW = re.compile(_PLAN_NAME + r"(?:计划|规划)?(?:时期)?(?:(?!开局|起步|第|头一年)[^。\n]){0,12}回顾")
_PLAN_ORDINAL = {"开局": 0, "开篇": 0, "起步": 0, "第一年": 0, "头一年": 0, "第二年": 1, "第三年": 2, "第四年": 3,
                 "最后一年": 4, "收官": 4}
_THIS_YEAR_OF_PLAN = re.compile(
    r"今年[,，]?\s*是[^。]{0,30}?" + _PLAN_NAME + r"[^。]{0,12}?(?P<ord>开局|开篇|起步|第一年|头一年|第二年|第三年|第四年|最后一年|收官)"
)
_PLAN_STARTS_THIS_YEAR = re.compile(r"(?:从|自)今年(?:开始|起)[^。]{0,20}?(?:实施|执行)[^。]{0,6}?" + _PLAN_NAME)
_ANNIVERSARY = re.compile(
    r"今年(?:[0-9一二三四五六七八九十]{1,2}月[0-9一二三四五六七八九十]{1,3}日)?[,，]?\s*是[^。]{0,40}?(?P<what>中华人民共和国成立|新中国成立|建国|中国共产党成立|建党|改革开放)"
    r"(?P<n>[0-9一二三四五六七八九十百零]{1,4})\s*周年"
)
_ANNIVERSARY_BASE = {"中华人民共和国成立": 1949, "新中国成立": 1949, "建国": 1949, "中国共产党成立": 1921,
                     "建党": 1921, "改革开放": 1978}
# The review's first sentence: 2004年，全国各族人民… / 2008年是极不平凡的一年 / 刚刚过去的1984年,是…
_REVIEW_OPENS = re.compile(r"^(?:刚刚过去的|过去的)?" + YEAR + r"\s*(?:[,，]|是|以来[,，])")
_FUTURE = re.compile(r"今年|预计|力争|将(?!近|士|领)|(?<![重主需必纲提只])要(?![求素点闻])")
_GREETING = re.compile(r"^[\s(（]*(?:各位代表|代表们|同志们)")
_REVIEW_WINDOW = 8
_PLAN_CONTEXT = re.compile(r"做好|今年|全年工作|(?<![重主需必纲提只])要(?![求素点闻])")
_SPEECH_OPENING = re.compile(r"我代表|向大会|请予审议|提出意见")
_REVIEW_HEADING = re.compile(r"回顾|过去|情况|成就|一年")
_PLAN_HEADING = re.compile(r"安排|任务|目标|要求|思路|部署")
_REVIEW_DONE = re.compile(YEAR + r"的?(?:工作|计划|国民经济计划|目标任务)的?(?:完成|执行)情况")
_HEADING_START = re.compile(r"(?:^|\n)\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[(（][一二三四五六七八九十]{1,3}[)）])?\s*$")
_SET_BEFORE = re.compile(r"(?:确定|提出|通过|部署|批准)的?$")


def npc_session_year(term: int, session: int | None) -> int | None:
    """The year of a session of the National People's Congress, or None.

    ``(10, 3)`` → 2005. A term named without its session (``向第四届全国人民代表大会作
    政府工作报告``) is addressed at its first session: ``(4, None)`` → 1975.
    """
    session = session or 1
    if term in _NPC_EARLY:
        years = _NPC_EARLY[term]
        return years[session - 1] if 1 <= session <= len(years) else None
    if term >= 6 and 1 <= session <= 5:
        return 1983 + 5 * (term - 6) + session - 1
    return None


def _last_session_year(term: int) -> int | None:
    """The year of the next congress's first session: the first report after a term."""
    return npc_session_year(term + 1, 1) if term else None


def _npc_year(m: re.Match) -> int | None:
    term = chinese_int(m.group("term"))
    session = chinese_int(m.group("session")) if m.group("session") else None
    return npc_session_year(term, session) if term else None


def _count(s: str) -> int | None:
    """A count as written in an anniversary: 30, 三十, 一百, 六十."""
    if s.isdigit():
        return int(s)
    if s.startswith("一百"):
        rest = s[2:].lstrip("零")
        return 100 + (chinese_int(rest) or 0) if rest else 100
    return chinese_int(s)


def parse_chinese_year(s: str) -> int | None:
    """A year written in any of the usual ways, or None.

    ``'二00二'`` → 2002, ``'二〇二一'`` → 2021, ``'二O一一'`` → 2011, ``'2O11'`` → 2011,
    ``'２０２１'`` → 2021; a trailing 年 is allowed. Anything that is not four year
    digits between 1949 and 2100 gives None.
    """
    s = s.strip()
    if s.endswith("年"):
        s = s[:-1].strip()
    if len(s) != 4:
        return None
    if "十" in s or "两" in s:
        return None
    year = chinese_int(s)
    return year if year is not None and _MIN_YEAR <= year <= _MAX_YEAR else None


def _excerpt(text: str, start: int, end: int, pad: int = 20) -> str:
    return text[max(0, start - pad): end + pad].replace("\n", " ").strip()


def _title_years(title: str | None, paragraphs: list[str]) -> list[tuple[int, str, str]]:
    out = []
    lines = ([("title", title)] if title else []) + [("title", p[:200]) for p in paragraphs[:6]]
    for where, line in lines:
        t = title_in(line)
        if not t:
            continue
        m = _BARE_YEAR_RE.search(t)
        if m:
            y = parse_chinese_year(m.group("y"))
            if y:
                out.append((y, where, t))
    return out


_DELIVERED_AT = re.compile(r"^\s*(?:日|月)?\s*(?:(?:至|和|、)\s*[0-9〇零一二三四五六七八九十O○]{1,3}\s*日)?\s*在")
#: How far into a report the congress it is addressed to is looked for.
ADDRESS_CHARS = 600


def _delivery_years(paragraphs: list[str]) -> list[tuple[int, str, str]]:
    """Years from a delivery line's date: the date must be followed by 在 and a session
    (``——1955年7月5日至6日在第一届全国人民代表大会第二次会议上``), not be a date the
    text merely recalls (``根据一九八三年六月第六届全国人民代表大会第一次会议的决议``,
    ``本届政府1998年3月就职``)."""
    out = []
    for _, line in delivery_lines(paragraphs):
        for dm in DATE.finditer(line):
            if not _DELIVERED_AT.match(line[dm.end():]) or line.find("会议", dm.end()) < 0:
                continue
            date = parse_date(dm)
            if date:
                out.append((int(date[:4]), "title", line.strip()[:100]))
            break
    return out


def _congress_years(text: str) -> list[tuple[int, str, str]]:
    """Years from the national congress the report is addressed to (term and session).

    Only the speech's head is read: up to :data:`ADDRESS_CHARS` characters after the
    greeting (``各位代表``; the start of the text when it has none within 3000
    characters), and for ``在…会议上`` only the part before the greeting (the delivery
    line): further on, a session is one the text recalls."""
    greeting = text.find("各位代表", 0, 3000)
    before = text[:greeting] if greeting >= 0 else text[:ADDRESS_CHARS]
    head = text[: max(greeting, 0) + ADDRESS_CHARS]
    out = []
    for pattern, where in ((_NPC_ADDRESSED[0], head), (_NPC_ADDRESSED[1], before), (_NPC_ADDRESSED[2], head)):
        for m in pattern.finditer(where):
            y = _npc_year(m)
            if y:
                out.append((y, "opening", _excerpt(where, m.start(), m.end())))
    return out


def _review_opening_years(paragraphs: list[str]) -> list[tuple[int, str, str]]:
    """The last year reviewed, from the review's first sentence (``2004年，全国各族人民…``).

    Only one paragraph is read: the first after the greeting and the speaker's opening
    sentence (``现在，我代表国务院，向大会作政府工作报告，请予审议``), or, when that is a
    heading naming the review (``一、过去一年工作回顾``) or the first section's heading
    (not a plan's: ``一、2021年工作安排``), the paragraph under it. A sentence about
    what is still to come (将, 要, 今年) is not a review.
    """
    start = next((i for i, p in enumerate(paragraphs[:40]) if _GREETING.match(p)), None)
    if start is None:
        return []
    after_greeting = _GREETING.sub("", paragraphs[start].strip()).lstrip("：:！!，, ")
    rest = [after_greeting] + [p.strip() for p in paragraphs[start + 1: start + _REVIEW_WINDOW]]
    rest = [p for p in rest if p and not _SPEECH_OPENING.search(p)]
    if not rest:
        return []
    opened = any(_SPEECH_OPENING.search(p) for p in paragraphs[start: start + _REVIEW_WINDOW])
    candidate = rest[0]
    if len(candidate) <= 40 and "。" not in candidate:
        opened = opened or bool(_REVIEW_HEADING.search(candidate))
        if not _REVIEW_HEADING.search(candidate) and (not candidate.startswith("一、") or _PLAN_HEADING.search(candidate)):
            return []  # the first section is not a review (一、2021年工作安排)
        if len(rest) < 2:
            return []
        candidate = rest[1]
    m = _REVIEW_OPENS.match(candidate)
    if not m or not (opened or candidate.startswith(("刚刚过去的", "过去的"))):
        return []  # 各位代表！ in mid-speech, before the plan, opens no review
    sentence = candidate.split("。", 1)[0]
    y = parse_chinese_year(m.group("y"))
    if y and not _FUTURE.search(sentence):
        return [(y + 1, "text", sentence[:60])]
    return []


def _at_heading_start(text: str, at: int) -> bool:
    """Whether ``at`` begins a paragraph, after at most its numbering (``二、``, ``(一)``)."""
    return bool(_HEADING_START.search(text[max(0, at - 12): at]))


def _statement_years(text: str, paragraphs: list[str] | None = None) -> tuple[list[tuple[int, str, str]], set[int]]:
    """Years the review and the plan state, and which of them a *strong* statement
    gives (a review heading or first sentence, a plan heading, this year's place in a
    plan, an anniversary, a congress's five years); a year only weak statements give
    (an inline plan mention, ``2021年是“十四五”开局之年``) needs two of them."""
    out: list[tuple[int, str, str]] = []
    strong: set[int] = set()

    def add(y: int | None, m: re.Match, is_strong: bool) -> None:
        if y:
            out.append((y, "text", _excerpt(text, m.start(), m.end())))
            if is_strong:
                strong.add(y)

    for y, where, excerpt in _review_opening_years(paragraphs or []):
        out.append((y, where, excerpt))
        strong.add(y)
    for pattern in (_REVIEW, _REVIEW_DONE):
        for m in pattern.finditer(text):
            y = parse_chinese_year(m.group("y"))
            add(y + 1 if y else None, m, True)
    plans = [m for m in _PLAN.finditer(text)
             # 八届全国人大二次会议确定的1994年的工作任务: a plan recalled, not made
             if not _SET_BEFORE.search(text[max(0, m.start() - 8): m.start()])]
    next_year = _NEXT_YEAR_PLAN.search(text)
    plan_years = {parse_chinese_year(m.group("y")) for m in plans}
    if next_year and not _THIS_YEAR_PLAN.search(text) and len(plan_years) == 1 and None not in plan_years:
        # 明年发展国民经济的主要任务是… and 一九六五年的主要任务: next year's plan is 1965's, so
        # the report is 1964's (a report delivered late in the year, planning the next).
        y = plan_years.pop()
        out.append((y - 1, "text", _excerpt(text, next_year.start(), next_year.end()) + " / "
                    + _excerpt(text, plans[0].start(), plans[0].end(), pad=0)))
        strong.add(y - 1)
        plans = []
    for m in plans:
        add(parse_chinese_year(m.group("y")), m, _at_heading_start(text, m.start()))
    for m in _THIS_YEAR_OF_PLAN.finditer(text):
        start = FIVE_YEAR_PLANS.get(m.group("plan"))
        add(start + _PLAN_ORDINAL[m.group("ord")] if start else None, m, True)
    for m in _PLAN_STARTS_THIS_YEAR.finditer(text):
        add(FIVE_YEAR_PLANS.get(m.group("plan")), m, True)
    for m in _PLAN_PERIOD_REVIEW.finditer(text):
        start = FIVE_YEAR_PLANS.get(m.group("plan"))
        add(start + 5 if start else None, m, True)
    for m in _YEAR_IS_START.finditer(text):
        # 2021年是“十四五”开局之年: counts only when the year is that plan's first.
        y = parse_chinese_year(m.group("y"))
        plan = FIVE_YEAR_PLANS.get(m.group("plan") or "")
        sentence = text[m.start(): text.find("。", m.end()) + 1 or len(text)]
        add(y if y and (plan is None or plan == y) else None, m, bool(_PLAN_CONTEXT.search(sentence)))
    for m in _THIS_YEAR_IS.finditer(text):
        add(parse_chinese_year(m.group("y")), m, True)
    for m in _ANNIVERSARY.finditer(text):
        n = _count(m.group("n"))
        add(_ANNIVERSARY_BASE[m.group("what")] + n if n else None, m, True)
    for m in _NPC_FIVE_YEARS.finditer(text):
        y = _npc_year(m)
        add(y + 5 if y else None, m, True)
    for pattern in _FIVE_YEAR_RANGES:
        for m in pattern.finditer(text):
            a, y = parse_chinese_year(m.group("a")), parse_chinese_year(m.group("y"))
            add(y + 1 if a and y and y - a == 4 else None, m, True)
    for m in _PAST_YEARS_CHANGE.finditer(text):
        a, y, n = parse_chinese_year(m.group("a")), parse_chinese_year(m.group("y")), _count(m.group("n"))
        add(y + 1 if a and y and n and y - a == n else None, m, True)
    for m in _SESSION_THEN_SPAN.finditer(text):
        y, k = _npc_year(m), _count(m.group("k"))
        if y and k:
            # The session and the span, without the sentence between them.
            out.append((y + k, "text", f"{text[m.start(): m.end('session') + 3]}…{text[m.start('k'): m.end()]}"))
            strong.add(y + k)
    for m in _NPC_TERM_REVIEWED.finditer(text):
        add(_last_session_year(chinese_int(m.group("term")) or 0), m, True)
    for m in _REPORTS_ON_YEAR.finditer(text):
        y = parse_chinese_year(m.group("y"))
        add(y + 1 if y else None, m, True)
    for m in _PARTY_CONGRESS_HELD.finditer(text):
        held = PARTY_CONGRESSES.get(chinese_int(m.group("n")) or 0)
        add(held + (1 if m.group("when") == "去年" else 0) if held else None, m, True)
    for m in _NPC_LAST_YEAR.finditer(text):
        y = _npc_year(m)
        add(y + 1 if y else None, m, True)
    for m in _YEAR_WAS.finditer(text):
        rest = m.group("rest")
        if _PAST.search(rest) and not _FUTURE.search(rest):
            y = parse_chinese_year(m.group("y"))
            add(y + 1 if y else None, m, True)
    for m in _TERM_STARTED.finditer(text):
        y = parse_chinese_year(m.group("y"))
        add(y + 5 if y else None, m, True)
    return out, strong


def _file_years(source: str) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]]:
    name = PurePath(source.split("#")[0]).name
    stem = name.rsplit(".", 1)[0]
    titled = []
    for m in _FILE_TITLE.finditer(stem):
        if m.group("y"):
            y = parse_chinese_year(m.group("y"))
            if y:
                titled.append((y, "file name", name))
    digits = []
    m = _FILE_DIGITS.match(stem)
    if m:
        y = parse_chinese_year(m.group("y"))
        if y:
            digits.append((y, "file name", name))
    return titled, digits


def _deadline_years(text: str) -> list[tuple[int, str, str]]:
    out = []
    for m in _DEADLINE.finditer(text):
        y = parse_chinese_year(m.group("y"))
        if y:
            out.append((y, "text", _excerpt(text, m.start(), m.end())))
    return out


def detect_year(paragraphs: list[str], *, title: str | None, source: str,
                plain: list[str] | None = None) -> tuple[int | None, list[Evidence]]:
    """The report's year and the evidence for it (see the module docstring for the tiers).

    ``None`` when nothing supports a year; the weak hints found are still returned,
    with ``confident=False``. ``plain``: the paragraphs' :func:`~index.titles.reading_copy`, when the caller has it.
    """
    plain = reading_copy(paragraphs) if plain is None else plain
    text = "\n".join(plain)
    title_plain = reading_copy([title])[0] if title else None
    file_titled, file_digits = _file_years(source)
    statements, strong_years = _statement_years(text, plain)
    tiers = [
        ("title", _title_years(title_plain, plain)),
        ("delivery", _delivery_years(plain) + _congress_years(text)),
        ("statement", statements),
        ("file title", file_titled),
        ("file digits", file_digits),
        ("deadline", _deadline_years(text)),
    ]
    chosen: int | None = None
    for tier, found in tiers:
        if not found:
            continue
        if tier == "deadline" and len({y for y, _, _ in found}) > 1:
            continue  # a deadline is a weak hint: used only when every deadline agrees
        votes = Counter(y for y, _, _ in found).most_common()
        best, n = votes[0]
        runner = votes[1][1] if len(votes) > 1 else 0
        if tier == "statement" and (n < 2 * runner or (n < 2 and best not in strong_years)):
            log.debug("%s: statements disagree or are thin: %s", source, votes[:3])
            break  # conflicting or thin statements: unknown, not the file name's guess
        if tier in ("title", "delivery") and runner and n <= runner:
            break
        chosen = best
        break
    evidence: list[Evidence] = []
    seen: set[tuple[int, str, str]] = set()
    for tier, found in tiers:
        for y, where, excerpt in found:
            key = (y, where, excerpt)
            if key in seen:
                continue
            seen.add(key)
            evidence.append(Evidence("year", str(y), where, excerpt, confident=(y == chosen)))
            if len(evidence) >= 12:
                break
    if chosen is None:
        log.debug("%s: no year found", source)
    return chosen, evidence
