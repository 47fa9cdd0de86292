"""Headings and the section each paragraph belongs to.

Vocabulary:

* A *heading marker* opens a heading: ``一、`` (level 1), ``（一）``/``(一)``
  (level 2), ``1.``/``1、``/``（1）`` (level 3), ``①`` (level 4). The number in
  the marker is its *ordinal*. :func:`heading_level` reads the marker at the
  start of a paragraph; ``1.5%`` has no marker (a digit follows the dot).
* A *heading* is a marker that fits the *sequence* around it: ``（三）`` after
  ``（二）``, ``（一）`` again under a new level-1 heading. Reports also carry
  *unmarked headings* — short keyword lines such as ``2023年 工作回顾`` or
  ``名词解释`` — which count as level 1.
* A *heading paragraph* (``is_heading``) is nothing but a heading: marker and a
  short title (``一、2001年工作回顾``) or marker and one short sentence. A
  paragraph that opens with a heading sentence and goes on with body text
  (``（一）国民经济稳步增长。初步统计…``) is body text, but its *heading part*
  still enters the path: the heading only (:func:`heading_part`), cut where a
  heading run into its body turns into body text — at the first sentence end,
  a term's colon, an inner sub-list (``…效益1.调整…``: the numbering says the
  text moved on) or the way body text opens (``…创造新辉煌今年是…``) — and at
  most :data:`HEADING_PART_MAX` characters, whole clauses first.
* A *list item* is a numbered paragraph inside a section that heads nothing:
  a list opened by a ``一、`` that does not fit the sequence (1955: ``五、使用
  新式步犁…``), or a long item followed at once by its sibling. It stays a
  paragraph of the enclosing section.
* An *appendix* line (``附件1``) opens a section of its own, like an unmarked
  heading.
* The *section path* of a paragraph is the headings above it, outermost first;
  a heading paragraph's path ends with itself.
* The *section category* is the facet a journalist filters on, one of
  :data:`index.report.SECTION_CATEGORIES`, read from the path by keyword.
  Everything after a glossary heading (名词解释, 注释, 附注) is 名词解释.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from index.report import SECTION_CATEGORIES  # noqa: F401  (the values category_of returns)
from index.numerals import chinese_int

log = logging.getLogger(__name__)

#: A path entry taken from a body paragraph is cut to this many characters.
HEADING_PART_MAX = 40

#: A paragraph longer than this is never a heading paragraph.
HEADING_MAX = 60

_CN_NUM = "一二三四五六七八九十"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_FW_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# Marker patterns, each capturing the ordinal. Order matters: level 2 before 3.
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^([{_CN_NUM}](?:\s?[{_CN_NUM}]){{0,2}})\s*[、．]")),
    (2, re.compile(rf"^[（(]\s*([{_CN_NUM}]{{1,3}})\s*[）)]")),
    (3, re.compile(r"^([0-9０-９]{1,2})\s*(?:、|[.．](?![0-9０-９]))")),
    (3, re.compile(r"^[（(]\s*([0-9０-９]{1,2})\s*[）)]")),
    (4, re.compile(rf"^([{_CIRCLED}])")),
)

_SENTENCE_END = "。！？!?"

#: Keywords per category, checked in this order (first match wins).
CATEGORY_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("名词解释", ("名词解释", "名词注释", "注释", "附注", "注解", "词语解释")),
    ("政府自身建设", ("自身建设", "人民满意的政府", "人民满意政府", "加强政府", "政府建设",
                "建设法治政府", "服务型政府", "廉洁政府", "政府职能", "改进政府", "政府工作人员", "施政能力")),
    ("工作回顾", ("回顾", "过去一年", "过去五年", "过去的一年", "过去的五年", "过去六年", "一年来",
              "五年来", "工作总结", "主要工作成绩", "工作成绩", "成就", "完成情况", "工作情况",
              "政府的工作", "主要成绩", "基本经验", "主要工作及", "执行情况")),
    ("目标与要求", ("总体要求", "预期目标", "主要目标", "目标任务", "指导思想", "发展思路", "总体思路",
               "基本思路", "奋斗目标", "总的要求", "工作思路", "总体部署", "发展目标", "主要任务和目标",
               "主要指标", "远景目标")),
    ("重点任务", ("重点工作", "主要任务", "重点任务", "工作安排", "主要工作", "做好", "工作任务",
              "部署", "重点抓好", "今后五年", "今年工作", "年工作", "基本任务", "任务")),
)

# Unmarked heading keywords (a short line without punctuation holding one of these).
_UNMARKED_KEYWORDS = tuple(k for _, ks in CATEGORY_KEYWORDS for k in ks
                           if k not in ("做好", "部署", "年工作", "成就", "任务", "加强政府"))
#: An appendix line (``附件1``, ``附件：2025年十件民生实事``) opens a section of its own, like an unmarked heading.
_APPENDIX = re.compile(r"^附件\s*[0-9０-９一二三四五六七八九十]{0,3}\s*(?:[：:]\s*[^。！？；，,]{0,24})?$")
_GLOSSARY_LINE = re.compile(r"^(?:名词解释|名词注释|注释|附注|注解|词语解释)[：:]?$")

# Body openers that follow a run-in level-1 heading title ("一、2009年政府工作回顾刚刚过去的…").
_RUN_IN_OPENERS = re.compile(
    r"^(?:今年|去年|过去|刚刚|围绕|一年来|五年来|六年来|这五年|今后|未来|当前|面对|根据|"
    r"我们|经过|\d{4}年|[“\"]十[一二三四五六]五[”\"]时期|全市|全县|全区|全省|市人民政府|市政府|"
    r"在省委|在市委|实现|做好|为了|按照)"
)
_RUN_IN_TITLE_ENDS = ("回顾", "工作", "情况", "任务", "目标", "要求", "成就", "建设", "安排", "部署")


@dataclass(frozen=True)
class SectionInfo:
    """Where one paragraph sits: its heading path, its category, whether it is a heading."""

    path: tuple[str, ...]
    category: str
    is_heading: bool


def _ordinal_value(token: str) -> int | None:
    token = re.sub(r"\s", "", token).translate(_FW_DIGITS)
    if token and token in _CIRCLED:
        return _CIRCLED.index(token) + 1
    return chinese_int(token)


def read_marker(paragraph: str) -> tuple[int, int, int] | None:
    """The heading marker at the start of *paragraph*: (level, ordinal, marker length), or None."""
    text = paragraph.lstrip(" \u3000\u00a0\u2003\t")
    skipped = len(paragraph) - len(text)
    for level, pattern in _MARKERS:
        m = pattern.match(text)
        if m:
            value = _ordinal_value(m.group(1))
            if value is None or value == 0:
                continue
            return level, value, skipped + m.end()
    return None


def heading_level(paragraph: str) -> int | None:
    """1 for '一、', 2 for '(一)'/'（一）', 3 for '1.'/'1、'/'（1）', 4 for '①'; None without a marker."""
    marker = read_marker(paragraph)
    return marker[0] if marker else None


def is_unmarked_heading(paragraph: str) -> bool:
    """True for a short keyword line that heads a section without a marker (``2023年 工作回顾``, ``名词解释``)."""
    text = paragraph.strip()
    if _GLOSSARY_LINE.match(text):
        return True
    if not text or len(text) > 30 or re.search(r"[。！？；，,：:!?、]", text):
        return False
    if text.endswith("报告") or "政府工作报告" in text:
        return False
    return any(k in text for k in _UNMARKED_KEYWORDS)


def is_glossary_heading(paragraph: str) -> bool:
    """True for the heading that opens the glossary at the end of a report."""
    text = paragraph.strip()
    if _GLOSSARY_LINE.match(text):
        return True
    if len(text) <= 30 and not re.search(r"[。！？，,；]", text) and re.search(r"(?:名词解释|名词注释|词语解释|注释)[：:]?$", text):
        return True  # 《政府工作报告》有关内容名词注释
    marker = read_marker(text)
    if marker:
        title = text[marker[2]:].strip()
        return bool(_GLOSSARY_LINE.match(title))
    return False


# Body text that opens right after a heading run into it ("…创造新辉煌今年是…", "…主要成就去年,面对…").
_BODY_OPENERS = re.compile(
    r"(?:今年|去年|过去|刚刚|一年来|[两三四五六]年来|这五年|今后|当前|面对|经过|我们|"
    r"[12][0-9]{3}年(?:是|，|,|以来|我们|全[市县区省])|[“\"]十[一二三四五六]五[”\"]时期|"
    r"全市上下|全县上下|全区上下|全省上下|全市|全县|全区|全省|市委|县委|区委|省委|"
    r"在省委|在市委|坚持以|坚持把|坚持用|牢固树立|围绕|按照|认真贯彻|以习近平|党的|深入开展|五年工作|把(?!握))"
)
_CLAUSE_ENDS = "，,"
#: Body text run on after a heading word: to the clause end, no punctuation but quotes.
_RUN_ON = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff“”‘’\"0-9A-Za-z]+")


def _marker_end(text: str) -> int:
    marker = read_marker(text)
    return marker[2] if marker else 0


def heading_sentence(paragraph: str) -> str:
    """The heading sentence of a paragraph before any length cap.

    It ends at the first sentence end (。！？；), at a colon that closes a
    term (``8.一平台、三机制:“一平台”即…``), or where a marker one level down
    opens a sub-list inside it (``…效益1.调整优化工业结构``): the heading's own
    numbering says the text has moved on.
    """
    text = paragraph.strip()
    start = _marker_end(text)
    cut = len(text)
    for i, ch in enumerate(text):
        if ch in _SENTENCE_END + "；;" or (ch in "：:" and i - start >= 2):
            cut = i
            break
    outer = read_marker(text)
    for i in range(start + 2, cut):
        if text[i - 1] in _SENTENCE_END + _CLAUSE_ENDS + "、“”\"（(":
            continue
        inner = read_marker(text[i:i + 8])
        if inner and inner[1] == 1 and (outer is None or inner[0] > outer[0]):
            cut = i
            break
    return text[:cut].rstrip("，,；;：: ")


def _run_in_cut(sentence: str) -> int | None:
    """Where body text begins inside an over-long heading sentence, or None.

    The body is recognised by how report text opens (今年, 去年, 一年来,
    全市上下, 坚持以…) right after a heading word, with no punctuation between:
    a title and its body collapsed onto one line.
    """
    start = _marker_end(sentence)
    cut = run_in_title_length(sentence)
    if cut is not None:
        return cut
    for m in _BODY_OPENERS.finditer(sentence, start + 4):
        i = m.start()
        if sentence[i - 1] not in _SENTENCE_END + _CLAUSE_ENDS + "、“”（(：:":
            return i
    return None


def _last_clause(sentence: str) -> str:
    """The last clause of a heading sentence within the length cap (where a body run into it sits)."""
    kept = sentence[:HEADING_PART_MAX]
    start = max((i + 1 for i, ch in enumerate(kept) if ch in _CLAUSE_ENDS), default=_marker_end(kept))
    return kept[start:]


def parallel_heading_ends(paragraphs: list[str]) -> tuple[str, ...]:
    """Words that close a report's run-in headings in parallel (``…新突破``), where nothing else tells.

    Sibling headings are often built alike (``（一）聚焦转型升级，做实企业服务，
    努力实现产业强市新突破全力打造“中国药谷”。``, ``（二）…努力实现投资增长新突破
    提升招商引资质效。``…). Over the marked paragraphs that go on with body
    text, a three- or four-character word that at least three of them, and
    most of them, hold inside the last clause of their heading sentence, run
    straight into more text (no punctuation between), is where each of those
    headings ends.
    """
    clauses: list[str] = []
    for paragraph in paragraphs:
        if read_marker(paragraph) is None or _is_heading_paragraph(paragraph):
            continue
        sentence = heading_sentence(paragraph)
        if _run_in_cut(sentence) is None:
            clauses.append(_last_clause(sentence))
    if len(clauses) < 3:
        return ()
    counts: dict[str, int] = {}
    for clause in clauses:
        words = {clause[i:i + n] for n in (3, 4) for i in range(2, len(clause) - n - 1)
                 if _RUN_ON.fullmatch(clause[i + n:])}
        for word in words:
            if re.fullmatch(r"[\u4e00-\u9fff]+", word):
                counts[word] = counts.get(word, 0) + 1
    shared = [w for w, k in counts.items() if k >= 3 and k >= len(clauses) * 0.6]
    longest = [w for w in shared if not any(w != o and w in o for o in shared)]
    return tuple(sorted(longest, key=len, reverse=True))


def heading_part(paragraph: str, parallel_ends: tuple[str, ...] = ()) -> str:
    """The heading of a paragraph as it enters a section path: the heading only, at most HEADING_PART_MAX characters.

    :func:`heading_sentence` first; a heading run into its body is cut where
    the body opens (:func:`_run_in_cut` for an over-long sentence, or after a
    word its siblings end with, see :func:`parallel_heading_ends`); a long
    heading is cut after its last whole clause that fits
    (``六、进一步加强社会主义民主和法制建设，维护民族平等和民族团结``).
    """
    part = heading_sentence(paragraph)
    cut = _run_in_cut(part) if len(part) > HEADING_PART_MAX else None
    if cut is None and parallel_ends:
        clause = _last_clause(part)
        offset = part.find(clause) if clause else -1
        for word in parallel_ends:
            at = clause.rfind(word, 2)
            after = clause[at + len(word):] if at >= 0 else ""
            if offset >= 0 and len(after) >= 2 and _RUN_ON.fullmatch(after):
                cut = offset + at + len(word)
                break
    if cut is not None:
        part = part[:cut]
    if len(part) > HEADING_PART_MAX:
        ends = [i for i, ch in enumerate(part[:HEADING_PART_MAX + 1]) if ch in _CLAUSE_ENDS]
        part = part[:ends[-1]] if ends and ends[-1] >= 8 else part[:HEADING_PART_MAX]
    return part.rstrip("，,；;：:、 ")


def _is_heading_paragraph(paragraph: str) -> bool:
    text = paragraph.strip().rstrip("”’")
    if len(text) > HEADING_MAX:
        return False
    body = text[:-1] if text and text[-1] in _SENTENCE_END + "：:" else text
    return not any(ch in body for ch in _SENTENCE_END)


def run_in_title_length(text: str) -> int | None:
    """Length of a heading title run into its body at the start of *text*, or None.

    Two shapes: a level-1 heading ('一、2009年政府工作回顾刚刚过去的2009年，…') and
    an unmarked keyword heading ('2021年重点工作安排2021年是…'). The title must end
    with a heading word (回顾, 工作, 任务, 目标…) and the body must open the way
    report text opens (今年, 过去, 2020年, “十四五”时期…); the last such point
    within the first clause wins. None when the title already ends at punctuation
    or no split point is certain.
    """
    text = text.lstrip(" \u3000")
    marker = read_marker(text)
    if marker and marker[0] != 1:
        return None
    start = marker[2] if marker else 0
    clause_end = re.search(r"[，,。！？；：:!?]", text[start:])
    clause = text[start:start + clause_end.start()] if clause_end else text[start:]
    best = None
    for end_word in _RUN_IN_TITLE_ENDS:
        for m in re.finditer(end_word, clause):
            cut = m.end()
            if cut < 4 or cut > 30 or len(clause) - cut < 4:
                continue
            if not _RUN_IN_OPENERS.match(clause[cut:]):
                continue
            if not marker and not is_unmarked_heading(clause[:cut]):
                continue
            if best is None or cut > best:
                best = cut
    return None if best is None else start + best


def split_run_in_heading(paragraph: str) -> tuple[str, str] | None:
    """Split a heading run into its body into (title, body); None when there is none (see run_in_title_length)."""
    text = paragraph.strip()
    cut = run_in_title_length(text)
    if cut is None:
        return None
    return text[:cut].strip(), text[cut:].strip()


def category_of(path: tuple[str, ...]) -> str:
    """The section category for a heading path: outermost entry first, first keyword rule that matches."""
    for entry in path:
        title = entry
        marker = read_marker(entry)
        if marker:
            title = entry[marker[2]:]
        for category, keywords in CATEGORY_KEYWORDS:
            if any(k in title for k in keywords):
                return category
    return "其他"


class HeadingSequence:
    """The ordinals seen so far at each level, for checking that a marker fits the sequence.

    A marker fits when it follows the last ordinal of its level (``（三）`` after
    ``（二）``), or is 1 where that level is fresh (a new level-1 heading clears
    the levels below it). An excerpt may open mid-sequence: the first marker of a
    level never seen, with nothing deeper open, is accepted at any ordinal up to 10.
    """

    def __init__(self) -> None:
        self.last: dict[int, int] = {}
        self.seen: set[int] = set()

    def fits(self, level: int, ordinal: int) -> bool:
        """True when a marker of *level* with *ordinal* continues the sequence."""
        last = self.last.get(level)
        if last is not None:
            return ordinal == last + 1
        if ordinal == 1:
            return True
        # An excerpt may start mid-sequence: accept a first marker at a level never seen.
        return level not in self.seen and ordinal <= 10 and not any(lv > level for lv in self.last)

    def accept(self, level: int, ordinal: int) -> None:
        """Record a heading; the levels below it start afresh."""
        self.last[level] = ordinal
        self.seen.add(level)
        for deeper in [lv for lv in self.last if lv > level]:
            del self.last[deeper]


_REVIEW_OPENING = re.compile(r"^[\s,，。]*(?:过去(?:的)?[一五六]年|[一五六]年来|刚刚过去的|去年|20\d\d年以来)")


def _body_category(body: str) -> str | None:
    """工作回顾 when the body run into a heading opens as a review does (``…新跨越过去五年,…``), else None.

    A heading without a category keyword of its own (``一、盘点“十三五”,…实现新跨越``)
    takes the category its body announces.
    """
    return "工作回顾" if _REVIEW_OPENING.match(body) else None


def _is_list_item(paragraphs: list[str], i: int, level: int, sentence: str) -> bool:
    """True for a long numbered item that fits the heading sequence but heads nothing.

    Its sentence is longer than :data:`HEADING_PART_MAX` with no sign of a
    heading run into body text, and it closes an enumeration (ends with ；)
    or the next paragraph is already its sibling or an outer heading.
    """
    if len(sentence) <= HEADING_PART_MAX or _run_in_cut(sentence) is not None:
        return False
    text = paragraphs[i].strip()
    if text.endswith(("；", ";", "，", ",")):
        return True
    following = read_marker(paragraphs[i + 1]) if i + 1 < len(paragraphs) else None
    return following is None and i + 1 == len(paragraphs) or bool(following and following[0] <= level)


def assign_sections(paragraphs: list[str]) -> list[SectionInfo]:
    """One SectionInfo per paragraph, same order.

    Levels on the path: the glossary heading is outermost and never closed;
    an unmarked heading (``2021年重点工作安排``) sits above marked level-1
    headings, which nest under it unless they carry a category keyword of
    their own (``十一、着力加强政府自身建设``), in which case they replace it.

    Numbered lists inside a section are paragraphs, not headings: a marker
    ``一、`` that does not fit the sequence opens a *list* at its level, and
    the items that continue it (``二、`` ``三、`` … ``五、使用新式步犁…``) stay
    list items while they are body paragraphs, even where their ordinal would
    also fit the heading sequence. A long item that fits the sequence but
    heads nothing (:func:`_is_list_item`) closes the previous sibling's
    section without opening one of its own, and opens a list the same way.
    """
    out: list[SectionInfo] = []
    stack: list[tuple[int, str]] = []  # (level, path entry); glossary -1, unmarked 0, markers 1-4
    sequence = HeadingSequence()
    lists: dict[int, int] = {}  # level -> last ordinal of a list (not headings) at that level
    hints: dict[str, str] = {}  # heading part -> category read from the body run into it
    parallel = parallel_heading_ends(paragraphs)
    glossary = False
    for i, paragraph in enumerate(paragraphs):
        text = paragraph.strip()
        marker = read_marker(text)
        is_heading = False
        entry: tuple[int, str] | None = None
        if not glossary and is_glossary_heading(text):
            glossary = True
            stack = []
            sequence = HeadingSequence()
            lists = {}
            entry, is_heading = (-1, text), True
        elif marker and len(text) > marker[2]:
            level, ordinal, _ = marker
            heading_shape = _is_heading_paragraph(text)
            fits = sequence.fits(level, ordinal)
            if lists.get(level) == ordinal - 1 and not (fits and heading_shape):
                lists[level] = ordinal
            elif fits:
                sequence.accept(level, ordinal)
                for deeper in [lv for lv in lists if lv >= level]:
                    del lists[deeper]
                sentence = heading_sentence(text)
                if _is_list_item(paragraphs, i, level, sentence):
                    lists[level] = ordinal
                    while stack and stack[-1][0] >= level:
                        stack.pop()
                elif heading_shape and len(text) <= HEADING_PART_MAX and sentence == text.rstrip(_SENTENCE_END + "：:"):
                    entry, is_heading = (level, text), True
                else:
                    whole = sentence == text.rstrip(_SENTENCE_END + "；;：:")
                    entry, is_heading = (level, heading_part(text, parallel)), heading_shape and whole
                    hint = _body_category(text[len(entry[1]):])
                    if hint:
                        hints[entry[1]] = hint
                if entry and level == 1 and category_of((entry[1],)) != "其他":
                    stack = [e for e in stack if e[0] < 0]
            elif ordinal == 1:
                lists[level] = 1
        elif not marker and not glossary and (is_unmarked_heading(text) or _APPENDIX.match(text)):
            sequence = HeadingSequence()
            lists = {}
            entry, is_heading = (0, text), True
        if entry is not None:
            level = entry[0]
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append(entry)
        path = tuple(e for _, e in stack)
        category = "名词解释" if glossary else category_of(path)
        if category == "其他":
            category = next((hints[e] for e in path if e in hints), category)
        out.append(SectionInfo(path=path, category=category, is_heading=is_heading))
    return out
