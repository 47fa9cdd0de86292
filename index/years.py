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
  delivery line's date (``——2015年2月5日在…会议上``); statements in the text — the
  review heading (``2014年工作回顾`` → 2015), the plan (``2015年工作安排``,
  ``2021年经济社会发展的主要预期目标``), ``今年是“十四五”开局之年`` (→ 2021); a title
  in the file name (``2014_二O一一年政府工作报告.txt`` → 2011); the file name's
  leading digits (weak: they can be wrong); last, deadlines set in the plan
  (``确保2022年9月底全部完工``). The first tier that has a year decides; the others
  are kept as evidence, ``confident=False`` when they were not used.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import PurePath

from .report import Evidence
from .numerals import chinese_int
from .titles import _DATE, _title_in, delivery_lines, parse_date, reading_copy

__all__ = ["detect_year", "parse_chinese_year", "FIVE_YEAR_PLANS"]

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
_THIS_YEAR_PLAN = re.compile(r"今年[,，]?\s*是[^。]{0,30}?[“\"]?(?P<plan>十[一二三四五六]?五|[一二三四五六七八九]五)[”\"]?[^。]{0,12}?(?:开局|起步|开篇|第一年)")
_YEAR_IS_START = re.compile(YEAR + r"[,，]?\s*是[^。]{0,60}?(?:[“\"]?(?P<plan>十[一二三四五六]?五)[”\"]?[^。]{0,30}?)?(?:开局|起步|开篇)之年")
_THIS_YEAR_IS = re.compile(r"今年[,，]?\s*是" + r"[^。]{0,4}?" + YEAR)
_DEADLINE = re.compile(r"(?:确保|力争|争取|年内|计划|预计|于)[^。，,]{0,6}?" + YEAR + r"\s*[0-9一二三四五六七八九十]{1,3}\s*月")
_FILE_TITLE = re.compile(YEAR + r"?[^/_]{0,12}?政府工作报告")
_FILE_DIGITS = re.compile(r"^(?P<y>(?:19|20)\d{2})(?!\d)")

_MIN_YEAR, _MAX_YEAR = 1949, 2100


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
        t = _title_in(line)
        if not t:
            continue
        m = _BARE_YEAR_RE.search(t)
        if m:
            y = parse_chinese_year(m.group("y"))
            if y:
                out.append((y, where, t))
    return out


def _delivery_years(paragraphs: list[str]) -> list[tuple[int, str, str]]:
    out = []
    for _, line in delivery_lines(paragraphs):
        dm = _DATE.search(line)
        if not dm:
            continue
        # The date must come before the session it dates.
        if line.find("会议", dm.end()) < 0:
            continue
        date = parse_date(dm)
        if date:
            out.append((int(date[:4]), "title", line.strip()[:100]))
    return out


def _statement_years(text: str) -> list[tuple[int, str, str]]:
    out = []
    for m in _REVIEW.finditer(text):
        y = parse_chinese_year(m.group("y"))
        if y:
            out.append((y + 1, "text", _excerpt(text, m.start(), m.end())))
    for m in _PLAN.finditer(text):
        y = parse_chinese_year(m.group("y"))
        if y:
            out.append((y, "text", _excerpt(text, m.start(), m.end())))
    for m in _THIS_YEAR_PLAN.finditer(text):
        start = FIVE_YEAR_PLANS.get(m.group("plan"))
        if start:
            out.append((start, "text", _excerpt(text, m.start(), m.end())))
    for m in _YEAR_IS_START.finditer(text):
        # 2021年是“十四五”开局之年: counts only when the year is that plan's first.
        y = parse_chinese_year(m.group("y"))
        plan = FIVE_YEAR_PLANS.get(m.group("plan") or "")
        if y and (plan is None or plan == y):
            out.append((y, "text", _excerpt(text, m.start(), m.end())))
    for m in _THIS_YEAR_IS.finditer(text):
        y = parse_chinese_year(m.group("y"))
        if y:
            out.append((y, "text", _excerpt(text, m.start(), m.end())))
    return out


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


def detect_year(paragraphs: list[str], *, title: str | None, source: str) -> tuple[int | None, list[Evidence]]:
    """The report's year and the evidence for it (see the module docstring for the tiers).

    ``None`` when nothing supports a year; the weak hints found are still returned,
    with ``confident=False``.
    """
    plain = reading_copy(paragraphs)
    text = "\n".join(plain)
    title_plain = reading_copy([title])[0] if title else None
    file_titled, file_digits = _file_years(source)
    tiers = [
        ("title", _title_years(title_plain, plain)),
        ("delivery", _delivery_years(plain)),
        ("statement", _statement_years(text)),
        ("file title", file_titled),
        ("file digits", file_digits),
        ("deadline", _deadline_years(text)),
    ]
    chosen: int | None = None
    for tier, found in tiers:
        if not found:
            continue
        votes = Counter(y for y, _, _ in found)
        best, n = votes.most_common(1)[0]
        if tier == "deadline":
            # A deadline is a weak hint: use it only when all deadlines agree.
            if len(votes) > 1:
                continue
        elif tier == "statement":
            # Statements vote; a tie between two years is no answer.
            top = votes.most_common(2)
            if len(top) > 1 and top[1][1] == n:
                continue
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
