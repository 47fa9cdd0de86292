"""A report's title, and the *delivery line* that says when and by whom it was given.

Vocabulary:

* *title* — the report's own name as printed at its head: ``2021年霸州市政府工作报告``,
  ``二O一一年政府工作报告``, ``政府工作报告``. A *title hint* is what the
  container offered (HTML ``<title>``, DOCX core title, a heading line in a
  multi-report page such as ``【宝兴县招商】2021年宝兴县政府工作报告``); site
  chrome in brackets (``【…招商】``) and crawler labels (``标题：``) are not part
  of a title. A bare ``政府工作报告`` names nothing, so it is reported as no title
  (``None``): :attr:`index.report.Report.display_title` then builds a better one
  from the year and region.
* *delivery line* — the line under the title: ``——2021年1月5日在凤阳县第十六届人民
  代表大会第六次会议上 县人民政府代县长 朱林``. It gives the *date* delivered
  (``YYYY-MM-DD``, or ``YYYY-MM`` when the day is missing) and the *speaker*.
* *reading copy* — the text the detectors read: :func:`reading_copy` strips pinyin
  annotations, converts Traditional text to Simplified one character for one and
  folds full-width digits, so ``預(yù)期`` and ``２０１０`` read as ``预期`` and ``2010``.
  Paragraphs given to readers are never changed.

Every finding comes with :class:`~index.report.Evidence` quoting what it rests on.
"""
from __future__ import annotations

import logging
import re

from .normalise import is_traditional, strip_pinyin_annotations, to_simplified
from .report import Evidence
from .numerals import chinese_int

__all__ = ["detect_title", "detect_delivery", "reading_copy", "opening_text", "parse_date", "title_in", "DATE"]

log = logging.getLogger(__name__)

_FULLWIDTH = {o: chr(o - 0xFEE0) for o in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: " ", 0xA0: " ", 0x200B: None, 0x200D: None, 0xFEFF: None})
_LITERAL_ESCAPE = re.compile(r"<U\+[0-9A-Fa-f]{4,6}>")

#: How many characters of the report's head count as its *opening*.
OPENING_CHARS = 1500


def reading_copy(paragraphs: list[str]) -> list[str]:
    """The paragraphs as the detectors read them: Simplified, pinyin and full-width folded.

    One paragraph out for each in; ``<U+00A0>``-style literal escapes become spaces.
    """
    texts = [strip_pinyin_annotations(p) for p in paragraphs]
    if is_traditional("".join(texts[:200])):
        texts = [to_simplified(t) for t in texts]
    return [_LITERAL_ESCAPE.sub(" ", t.translate(_FULLWIDTH)) for t in texts]


def opening_text(paragraphs: list[str]) -> str:
    """The head of a report: up to the greeting ``各位代表`` (and a little after), at most
    :data:`OPENING_CHARS` characters. Paragraphs are joined with newlines."""
    joined = "\n".join(paragraphs)
    head = joined[:OPENING_CHARS]
    at = head.find("各位代表")
    if at >= 0:
        return head[: at + 200]
    return head[:600]


# --- title ---------------------------------------------------------------------

_CHROME_PREFIX = re.compile(r"^\s*(?:【[^】]{0,20}】|\[[^\]]{0,20}\]|标题\s*[:：])\s*")
_REPORT_WORD = "政府工作报告"
_GENERIC_TITLE = re.compile(r"^(?:国务院)?政府工作报告[(（]?(?:摘要|摘登|全文)?[)）]?$")
_TITLE_MAX = 48


def _clean_title(line: str) -> str:
    s = line.strip()
    while True:
        t = _CHROME_PREFIX.sub("", s)
        if t == s:
            break
        s = t
    # Letter-spaced titles: 政 府 工 作 报 告.
    s = re.sub(r"(?<=[\u4e00-\u9fff])[ \u3000\xa0]+(?=[\u4e00-\u9fff])", "", s)
    return s.strip(" \t-—_|")


def title_in(line: str) -> str | None:
    """The title part of a line that holds one, else None (the line is cut at the
    delivery line or the greeting when a page collapsed them onto one line)."""
    s = _clean_title(line)
    at = s.find(_REPORT_WORD)
    if at < 0:
        return None
    end = at + len(_REPORT_WORD)
    tail = re.match(r"[(（](?:摘要|摘登|全文|草案)[)）]", s[end:])
    if tail:
        end += tail.end()
    if end > _TITLE_MAX:
        return None
    title = s[:end].strip()
    if re.search(r"[。，,；;：:！!？?]", title[:at]):
        return None  # a sentence that mentions the report, not a title
    if len(title) < len(_REPORT_WORD):
        return None
    return title


def detect_title(paragraphs: list[str], *, title_hint: str | None) -> tuple[str | None, list[Evidence]]:
    """The report's title and the evidence for it.

    The container's hint wins when it names a 政府工作报告; otherwise the first of the
    opening paragraphs that holds one. Chrome in brackets is dropped
    (``【宝兴县招商】2021年宝兴县政府工作报告`` → ``2021年宝兴县政府工作报告``). A bare
    ``政府工作报告`` gives ``None`` (with an unconfident Evidence saying so).
    """
    evidence: list[Evidence] = []
    candidates: list[tuple[str, str, str]] = []  # (title, where, excerpt)
    if title_hint:
        t = title_in(title_hint)
        if t:
            candidates.append((t, "container", title_hint.strip()[:80]))
    for p in paragraphs[:8]:
        t = title_in(p[:200])
        if t:
            candidates.append((t, "title", p.strip()[:80]))
    for title, where, excerpt in candidates:
        if _GENERIC_TITLE.match(title):
            evidence.append(Evidence("title", title, where, excerpt, confident=False))
            continue
        evidence.append(Evidence("title", title, where, excerpt, confident=True))
        return title, evidence
    return None, evidence


# --- delivery line -------------------------------------------------------------

_NUM = r"[0-9〇零一二三四五六七八九十O○]"
#: A written date (2021年1月5日, 二〇二一年一月): groups ``y``, ``m`` and ``d`` (optional).
DATE = re.compile(
    rf"(?P<y>(?:1[89]|20)[0-9]{{2}}|[一二][〇零一二三四五六七八九O○0]{{3}})\s*年\s*"
    rf"(?P<m>{_NUM}{{1,3}})\s*月(?:\s*(?P<d>{_NUM}{{1,3}})\s*日)?"
)
_SESSION = re.compile(r"(?:人民代表大会|人大|代表大会)[^。]{0,20}?会议")
_OFFICE = r"(?:副?总理|代?(?:省|市|县|区|州|旗|盟)长|(?:人民政府|政府)?代?主席|区长|市长|县长|州长|旗长|省长|盟长)"
_SPEAKER_AFTER = re.compile(
    rf"{_OFFICE}[\s;；:：,，]*(?P<name>[\u4e00-\u9fff·]{{2,4}}?)"
    r"(?=[\s;；:：,，。)）]|各位代表|受|$|作政府工作报告|作报告)"
)
# A line holding only the office and the name: 国务院副总理兼国家计划委员会主任李富春,
# 自治区主席 艾尔肯·吐尼亚孜.
_SPEAKER_LINE = re.compile(
    r"^\s*[\u4e00-\u9fff、]*?(?:总理|主任|部长|委员|省长|市长|县长|区长|州长|旗长|盟长|主席)\s*"
    r"(?P<name>[\u4e00-\u9fff]{2,3}(?:·[\u4e00-\u9fff]{2,8})?)\s*$"
)
_BARE_NAME = re.compile(r"^[\s)）]*(?P<name>[\u4e00-\u9fff]{2,3})\s+各位代表")
_SPEAKER_BEFORE = re.compile(
    r"(?:^|[\s——-])(?P<name>[\u4e00-\u9fff]{2,3})(?:(?:代?(?:省|市|县|区|州|旗)长|主席|总理))?在[^。\n]{2,30}?(?:人民代表大会|人大)"
)
_DATE_THEN_NAME = re.compile(
    r"(?:(?<=日)|(?<![\u4e00-\u9fff]))(?P<name>(?!日)[\u4e00-\u9fff]{2,3})(?:代?(?:省长|市长|县长|区长|州长|旗长|主席|总理))在[^。\n]{2,30}?(?:人民代表大会|人大)"
)


def parse_date(match: re.Match) -> str | None:
    """``YYYY-MM-DD`` (or ``YYYY-MM``) from a :data:`DATE` match; None when impossible."""
    y = chinese_int(match.group("y"))
    m = chinese_int(match.group("m"))
    d = chinese_int(match.group("d")) if match.group("d") else None
    if y is None or m is None or not 1 <= m <= 12:
        return None
    if d is not None and not 1 <= d <= 31:
        d = None
    return f"{y:04d}-{m:02d}-{d:02d}" if d else f"{y:04d}-{m:02d}"


def delivery_lines(paragraphs: list[str]) -> list[tuple[int, str]]:
    """The stretches of the opening that read as a delivery line: a session of a
    people's congress (``…人民代表大会…会议上``), cut to at most 160 characters.
    Returns (character offset in the opening, text)."""
    head = opening_text(paragraphs)
    out = []
    for m in _SESSION.finditer(head):
        start = max(0, m.start() - 45)
        nl = head.rfind("\n", 0, m.start())
        if nl >= start:
            start = nl + 1
        # The speaker usually follows on the same or the next line.
        end = min(len(head), m.end() + 60)
        out.append((start, head[start:end]))
    return out


def detect_delivery(paragraphs: list[str]) -> tuple[str | None, str | None, list[Evidence]]:
    """The date the report was delivered and its speaker, from the delivery line.

    ``——2021年1月5日在凤阳县第十六届人民代表大会第六次会议上 县人民政府代县长 朱林``
    → ``("2021-01-05", "朱林", evidence)``. Either may be None.
    """
    text = reading_copy(paragraphs[:12])
    evidence: list[Evidence] = []
    date = speaker = None
    for offset, line in delivery_lines(text):
        if "全国人民代表大会" not in line and "人民代表大会" not in line and "人大" not in line:
            continue
        session = _SESSION.search(line)
        before = line[: session.start()] if session else line
        dm = None
        for cand in DATE.finditer(before):
            dm = cand
        if dm is None:
            dm = DATE.search(line)
        if date is None and dm:
            date = parse_date(dm)
            if date:
                evidence.append(Evidence("date", date, "title", line.strip()[:100]))
        if speaker is None:
            after = line[session.end():] if session else line
            sm = _SPEAKER_AFTER.search(after) or _BARE_NAME.search(after[1:]) or _DATE_THEN_NAME.search(line) or _SPEAKER_BEFORE.search(line)
            if sm:
                name = sm.group("name")
                if not re.search(r"人民|政府|代表|会议|工作|报告", name):
                    speaker = name
                    evidence.append(Evidence("speaker", speaker, "title", line.strip()[:100]))
            if speaker is None and session:
                # Office and name on the next line alone: 海拉尔区人民政府区长　　杜联合
                rest = after.split("\n")
                for piece in rest[1:3]:
                    nm = _SPEAKER_LINE.match(piece)
                    if nm:
                        speaker = nm.group("name")
                        evidence.append(Evidence("speaker", speaker, "title", piece.strip()[:100]))
                        break
        if date and speaker:
            break
    return date, speaker, evidence
