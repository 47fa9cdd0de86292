"""Clean the decoded text of one report into readable paragraphs.

Vocabulary:

* *Page chrome* is text the web page or scraper added around a report: site
  navigation, ``【字体：大 中 小】``, ``当前位置：首页>>…``, crawler headers
  (``标题：…``, ``年份：…``, ``====``), comment counters, disclaimers,
  ``<!-- -->`` comments, literal ``<U+00A0>``. A *chrome line* is a short line
  that matches a chrome pattern (:func:`is_chrome`). Most chrome is known by
  its *shape* (:func:`chrome_shape`), not by exact strings: a *byline*
  (``责任编辑：X``, ``来源：X 作者：Y`` standing alone), a *control bar* made
  of nothing but page-control words and separators (``【打印】【关闭】``,
  ``字号：大 中 小``, share bars, ``首页 上一页 1 2 下一页 尾页``), a *page
  counter* (``第1页 共3页``) and a *navigation run* (``首页 > 新闻 > …``). Report
  text that merely mentions such words (``吸引企业入驻``, ``来源于``) is
  text: a shape needs the whole line. *Inline chrome* is a
  chrome fragment glued to report text on the same line (the 驻马店 portal
  navigation, ``扫一扫在手机打开当前页``), cut out and the text kept.
  :data:`CHROME_MARKERS` are literal strings that never survive cleaning.
* A *collapsed paragraph* is several paragraphs the source ran onto one line
  (seed 004 holds a whole report on one line). It is split at *headings* that
  fit the heading sequence (see :mod:`index.sections`) and then at sentence
  ends into paragraphs of at most :data:`MAX_PARAGRAPH` characters, never
  inside quotes or brackets. An ordinary paragraph is left whole.
* A *repeat* is a paragraph whose exact text came earlier. Scraped pages hold
  the report several times over; a repeat is dropped when it is long or sits
  in a run of repeats that holds a long one.
* *Letter spacing* is a title typed with spaces between characters
  (``政 府 工 作 报 告``); the spaces are removed.

Cleaning keeps readable Chinese as it is: no width folding, no Traditional to
Simplified, no pinyin removal — that is :mod:`index.normalise`'s work.
"""
from __future__ import annotations

import logging
import re

from index.sections import (
    HeadingSequence,
    is_glossary_heading,
    is_unmarked_heading,
    read_marker,
    run_in_title_length,
    split_run_in_heading,
)

log = logging.getLogger(__name__)

#: Split paragraphs are at most this long, unless one sentence is longer.
MAX_PARAGRAPH = 600

#: A paragraph longer than this is collapsed: split at headings and sentence ends.
COLLAPSED_MIN = 2000

#: Longer than this, a paragraph is split at in-sequence level-1/2 headings only.
LONG_PARAGRAPH = MAX_PARAGRAPH

#: A repeated paragraph at least this long is dropped on its own.
LONG_REPEAT = 30

#: Literal strings that must never survive in a cleaned paragraph.
CHROME_MARKERS: tuple[str, ...] = (
    "免责声明", "我要反馈", "评论(0)", "评论（0）", "有想补充的信息", "点我投稿",
    "【字体", "E-mail推荐", "<!--", "-->", "<U+", "当前位置：", "首页>>", "www.gov.cn",
    "打印本页", "关闭窗口", "版权反馈", "【摘要】", "====", "标题：", "年份：",
    "繁简登录注册", "无障碍阅读", "进入适老模式", "扫一扫在手机打开当前页", "【关闭当前页面】",
    ".footer", "分享到：", "信息来源：", "责任编辑", "上一页", "下一页", "相关链接", "新华社记者",
    "“两会”进行时", "点击进入", "来源：《",
)

_WS = " \t\u3000\u00a0\u2002\u2003\u2009\u200a\u202f\u3000"
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad]")
_U_LITERAL = re.compile(r"<U\+([0-9A-Fa-f]{4,6})>")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CSS = re.compile(r"[.#]?[A-Za-z_-]+\s*\{[^{}]*\}")

_DIGIT = r"[0-9０-９]"
_DATELINE = re.compile(rf"新华社[\u4e00-\u9fff]{{0,6}}(?:{_DIGIT}{{4}}年)?{_DIGIT}{{1,2}}月{_DIGIT}{{1,2}}日电(?:（记者[^）]{{0,30}}）)?")
_PHOTO_CAPTION = re.compile(r"^(?:[^。\n]{0,120}。)?[^。\n]{0,120}新华社记者\s*[\u4e00-\u9fff]{2,4}\s*摄")
_PORTAL_NAV = re.compile(r"^中国政府网.{0,40}?繁简登录注册.*?首页>政务公开>(?:[^>]{1,20}>)*")
_PORTAL_META = re.compile(r"(?:发布时间|发布日期)[：:]\s*\d{4}-\d{2}-\d{2}")
_TRAILING_CHROME = re.compile(
    r"(?:扫一扫在手机打开当前页|【关闭当前页面】|相关(?:图解|解读)[：:].*$|视频解读[：:].*$|"
    r"(?<=[。！!？])\s*图解[：:].*$|(?<=[。！!？])\s*（图解）.{0,30}$)"
)
_GOV_CN_HEADER = re.compile(r"中央政府门户网站\s*www\.gov\.cn.{0,40}?来源[：:]\s*\S{1,10}")

_CHROME_LINES: tuple[re.Pattern[str], ...] = tuple(re.compile(p) for p in (
    r"^免责声明",
    r"^我要反馈$",
    r"^-?\s*(?:联系我们|企业入驻|关于我们|网站地图|返回顶部)$",
    r"^有想补充的信息",
    r"评论\s*[（(]\d+[)）]",
    r"^【字体",
    r"^【?E-mail推荐",
    r"^<!--",
    r"^当前位置\s*[：:]",
    r"中央政府门户网站\s*www\.gov\.cn",
    r"^打印本页|关闭窗口\s*$",
    r"^标题[：:]",
    r"^年份[：:]\s*\d{4}$",
    r"^(?:时间|发布时间|发布日期)[：:]",
    r"版权反馈$",
    r"^理论教育(?:\s|$)",
    r"^【摘要】",
    r"^“两会”进行时$",
    r"^来源\s*[：:]",
    r"^[（(]责任编辑",
    r"^相关链接",
    r"上一页.*下一页|^\|?<<",
    r"新华社记者\s*\S{2,4}\s*摄$",
    r"^历年国务院政府工作报告",
    r"分享到[：:]",
    r"^(?:相关解读|相关图解|视频解读|图解)[：:]",
    r"^（图解）",
    r"^点击进入",
))
_CHROME_LINE_MAX = 160

# -- chrome by shape -------------------------------------------------------------

#: Labels of a byline item (``责任编辑：X``); a byline line is nothing but such items.
_BYLINE_LABELS = (
    "责任编辑|责任校对|值班编辑|编辑|责编|主编|编审|审核|审校|审稿|校对|终审|初审|复审|美编|排版|"
    "来源|信息来源|文章来源|稿件来源|新闻来源|作者|记者|通讯员|撰稿|摄影|摄像|供图|图片来源|"
    "发布机构|发布者|发布人|发布时间|发布日期|更新时间|时间|日期|浏览次数|浏览量|点击数|点击量|阅读数|阅读量|访问量|字数"
)
_BYLINE_ITEM = (rf"[\[【（(]?\s*(?:{_BYLINE_LABELS})\s*[：:]"
                rf"(?:\d{{1,2}}:\d{{2}}(?::\d{{2}})?|[^：:。！？；!?;]){{0,30}}?\s*[\]】）)]?")
_BYLINE = re.compile(rf"^(?:{_BYLINE_ITEM}[\s|｜/]*)+$")
_SEE_ALSO = re.compile(r"^[【\[]?(?:上一篇|下一篇|上一条|下一条)[】\]]?\s*[：:].{0,60}$")

#: Words that page controls, share bars and pagers are made of. A line of nothing
#: else (and separators) is chrome; one of these words inside a sentence is not.
_UI_WORDS = (
    "打印本页", "打印此页", "打印正文", "打印文章", "我要打印", "打印", "关闭窗口", "关闭本页", "关闭此页",
    "关闭页面", "关闭", "加入收藏", "收藏本页", "收藏", "我要纠错", "纠错", "返回顶部", "返回首页", "返回列表",
    "返回", "顶部", "保存本页", "保存", "复制链接", "复制网址", "字号", "字体", "文字", "默认", "放大", "缩小",
    "大", "中", "小", "朗读", "听全文", "背景色", "繁体", "简体", "无障碍", "分享到", "分享", "转发", "微信朋友圈",
    "朋友圈", "微信", "新浪微博", "腾讯微博", "微博", "QQ空间", "QQ好友", "QQ", "人人网", "豆瓣", "抖音", "今日头条",
    "二维码", "手机扫一扫", "扫一扫", "扫码", "手机版", "手机阅读", "首页", "网站首页", "上一页", "下一页", "上一篇",
    "下一篇", "尾页", "末页", "前一页", "后一页", "上页", "下页", "跳转", "转到", "到第", "页", "GO", "Go", "go",
    "确定", "页次",
)
_UI_TOKEN = "|".join(re.escape(w) for w in sorted(_UI_WORDS, key=len, reverse=True))
_UI_SEP = r"[\s【】\[\]（）()|｜/／·•：:>＞<＜»«›‹_、,，\-—]*"
_UI_LINE = re.compile(rf"^{_UI_SEP}(?:(?:{_UI_TOKEN}|第\s*\d+\s*页|共\s*\d+\s*[页条篇]|\d{{1,3}}){_UI_SEP})+$")
_PAGE_COUNTER = re.compile(r"第\s*\d+\s*页\s*[/／,，]?\s*共\s*\d+\s*页|共\s*\d+\s*页\s*[/／,，]?\s*第\s*\d+\s*页")

_CRUMB_SEP = r"\s*(?:>>?|＞＞?|»|›|→|/|／)\s*"
_CRUMB = r"[^>＞»›→/／。！？；，,：:\s]{1,16}"
_WHERE = r"(?:(?:您(?:现在)?的?|当前|所在)(?:所在)?位置\s*[：:]\s*)"
#: A navigation run: ``首页 > 新闻 > 政务要闻``, ``您现在的位置：首页 >> …``, ``首页 政务要闻 政务公开 …``.
_NAV_RUN = re.compile(
    rf"^(?:{_WHERE}?(?:网站首页|首页|主页)(?:{_CRUMB_SEP}{_CRUMB}){{1,8}}(?:{_CRUMB_SEP})?"
    rf"|{_WHERE}{_CRUMB}(?:{_CRUMB_SEP}{_CRUMB}){{0,8}}(?:{_CRUMB_SEP})?"
    rf"|(?:网站首页|首页)(?:\s+[\u4e00-\u9fff]{{2,6}}){{2,}})$"
)
#: A navigation run glued to the report text that follows it (``首页>政务公开>…>各位代表：``).
_NAV_PREFIX = re.compile(rf"^{_WHERE}?(?:网站首页|首页)(?:{_CRUMB_SEP}{_CRUMB}){{1,8}}\s*(?:>>?|＞＞?|»|›)\s*(?=\S)")
#: Controls or a byline glued after the last sentence of a line (``…充满信心！【打印】【关闭】``).
_TRAILING_UI = re.compile(r"(?<=[。！？!?”])\s*((?:[【\[（(][^【】\[\]（）()]{1,30}[】\]）)]\s*)+)$")


#: Chrome shapes that never occur inside report text, for corpus checks of what cleaning left
#: (``bench/chrome_check.py``): a glued byline, a page counter, a pager, a navigation run, a control.
CHROME_FRAGMENTS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?:^|[。！？!?\s])[（(【\[]?\s*(?:责任编辑|责编|值班编辑|责任校对)\s*[：:]"),
    re.compile(r"(?:^|[。！？!?\s])[（(【\[]?(?:编辑|作者|记者|通讯员)\s*[：:]\s*[\u4e00-\u9fff]{2,4}\s*[）)】\]]?$"),
    _PAGE_COUNTER,
    re.compile(r"上一页.{0,30}下一页|上一篇\s*[：:]|下一篇\s*[：:]"),
    re.compile(r"(?:首页|位置)\s*(?:>>?|＞|»|›)"),
    re.compile(r"[【\[]\s*(?:我要)?(?:打印|关闭|收藏|纠错|分享)[^】\]]{0,4}[】\]]"),
    re.compile(r"(?:字号|字体)\s*[：:]\s*[\[【]?\s*[大中小]"),
    re.compile(r"分享到\s*[：:]?\s*(?:微信|微博|QQ)"),
)


def chrome_shape(line: str) -> str | None:
    """The kind of chrome a whole line is by its shape, or None.

    ``byline`` (``责任编辑：X``, ``来源：X 作者：Y``), ``controls`` (a line of
    page-control, share or pager words: ``【打印】【关闭】``, ``字号：大 中 小``,
    ``分享到：微信 微博``, ``上一页 下一页``), ``page counter`` (``第1页 共3页``),
    ``navigation`` (``首页 > 新闻 > …``), ``see also`` (``上一篇：…``). Lines with
    a sentence end are never chrome by shape.
    """
    text = _strip(line)
    if not text or len(text) > 100 or re.search(r"[。！？!?；;]", text):
        return None
    if _BYLINE.match(text):
        return "byline"
    if _PAGE_COUNTER.search(text):
        return "page counter"
    if _UI_LINE.match(text):
        words = re.sub(rf"{_UI_SEP}|\d", "", text)
        if len(words) >= 2:
            return "controls"
    if _NAV_RUN.match(text):
        return "navigation"
    if _SEE_ALSO.match(text):
        return "see also"
    return None

_OPEN = "“‘《（(「『【〔["
_CLOSE = "”’》）)」』】〕]"
_ENDS = "。！？!?"
_QUOTE_RESET = 300  # an unbalanced quote stops protecting after this many characters


def _has_text(line: str) -> bool:
    return bool(re.search(r"[\u3400-\u9fff0-9A-Za-z０-９]", line))


def is_chrome(line: str) -> bool:
    """True for a line that is page chrome rather than report text (exposed for tests and for corpus checks)."""
    text = _strip(_U_LITERAL.sub(" ", line))
    if not text:
        return bool(_strip(line))  # a line of nothing but '<U+00A0>' literals
    if not _has_text(text):
        return True  # '】', '·', '-->', '====', '-'
    if len(text) > _CHROME_LINE_MAX and not text.startswith("免责声明"):
        return False
    return chrome_shape(text) is not None or any(p.search(text) for p in _CHROME_LINES)


def _strip(text: str) -> str:
    return text.strip(_WS + "\n\r")


def _decode_literals(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        code = int(m.group(1), 16)
        if code in (0xA0, 0x3000, 0x2002, 0x2003):
            return " "
        try:
            return chr(code)
        except ValueError:
            return ""
    return _U_LITERAL.sub(repl, text)


_LETTER_SPACED = re.compile(r"(?<![\u4e00-\u9fff0-9])(?:[\u4e00-\u9fff0-9][ \u3000]){3,}[\u4e00-\u9fff0-9](?![\u4e00-\u9fff0-9])")


def _letter_spacing(line: str) -> str:
    """Join letter-spaced runs: '政 府 工 作 报 告' → '政府工作报告'."""
    return _LETTER_SPACED.sub(lambda m: re.sub(r"[ \u3000]", "", m.group(0)), line)


def _strip_inline(line: str) -> str:
    line = _PORTAL_NAV.sub("", line)
    line = _GOV_CN_HEADER.sub("", line)
    line = _PHOTO_CAPTION.sub("", line)
    line = _DATELINE.sub("", line)
    line = _CSS.sub("", line)
    line = _TRAILING_CHROME.sub("", line)
    line = _NAV_PREFIX.sub("", line)
    m = _TRAILING_UI.search(line)
    if m and chrome_shape(m.group(1)):
        line = line[:m.start(1)]
    if "朗读" in line and _PORTAL_META.search(line):
        return ""
    return line


def _lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _HTML_COMMENT.sub("\n", text)
    text = _decode_literals(text)
    text = _ZERO_WIDTH.sub("", text)
    out: list[str] = []
    in_links = False
    for raw in text.split("\n"):
        line = _strip(raw)
        if not line:
            continue
        if in_links:
            if len(line) <= 60 and line[-1] not in _ENDS:
                continue
            in_links = False
        if line.startswith("相关链接") or "相关链接" in line[:6]:
            in_links = True
            continue
        if is_chrome(line):
            continue
        line = _strip(_strip_inline(line))
        line = _letter_spacing(line)
        if not line or is_chrome(line) or not _has_text(line):
            continue
        out.append(line)
    return out


# ---------------------------------------------------------------- splitting

def _sentence_spans(text: str) -> list[str]:
    """Sentences of *text*, each ending at 。！？ outside quotes and brackets (closing quotes stay with it)."""
    out: list[str] = []
    depth = 0
    opened_at = 0
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in _OPEN:
            if depth == 0:
                opened_at = i
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth and i - opened_at > _QUOTE_RESET:
            depth = 0
        if ch in _ENDS and depth == 0:
            j = i + 1
            while j < n and (text[j] in _ENDS or text[j] in "”’）)"):
                j += 1
            out.append(text[start:j])
            start = j
            i = j
            continue
        i += 1
    if start < n:
        out.append(text[start:])
    return [s for s in out if _strip(s)]


def _split_huge_sentence(sentence: str) -> list[str]:
    """A single sentence longer than twice MAX_PARAGRAPH is cut at '；', then '，'."""
    if len(sentence) <= 2 * MAX_PARAGRAPH:
        return [sentence]
    for sep in "；;，,":
        parts = re.split(f"(?<={re.escape(sep)})", sentence)
        if len(parts) > 1:
            out = _pack(parts)
            if all(len(p) <= 2 * MAX_PARAGRAPH for p in out):
                return out
    return [sentence[i:i + MAX_PARAGRAPH] for i in range(0, len(sentence), MAX_PARAGRAPH)]


def _pack(pieces) -> list[str]:
    """Join consecutive pieces into chunks of at most MAX_PARAGRAPH characters (a longer piece stands alone)."""
    out: list[str] = []
    buf = ""
    for piece in pieces:
        if buf and len(buf) + len(piece) > MAX_PARAGRAPH:
            out.append(buf)
            buf = ""
        buf += piece
    if buf:
        out.append(buf)
    return out


def _pack_sentences(text: str) -> list[str]:
    """Group sentences into paragraphs of at most MAX_PARAGRAPH characters."""
    return _pack(piece for sentence in _sentence_spans(text) for piece in _split_huge_sentence(sentence))


_HEADING_CANDIDATE = re.compile(
    r"(?:[一二三四五六七八九十](?:\s?[一二三四五六七八九十]){0,2}[、．]|[（(][一二三四五六七八九十]{1,3}[）)]|[0-9０-９]{1,2}(?:、|[.．](?![0-9０-９]))"
    r"|[（(][0-9０-９]{1,2}[）)]|[①-⑳])"
)
_SPEECH_OPENING = re.compile(r"各位代表[：:！!，,]")


def _heading_cuts(text: str, levels: tuple[int, ...]) -> list[int]:
    """Offsets in *text* where an in-sequence heading of one of *levels* starts after a sentence end."""
    sequence = HeadingSequence()
    marker = read_marker(text)
    if marker:
        sequence.accept(marker[0], marker[1])
    cuts: list[int] = []
    for m in _HEADING_CANDIDATE.finditer(text):
        pos = m.start()
        if pos == 0:
            continue
        before = text[:pos].rstrip(" \u3000")
        if not before:
            continue
        found = read_marker(text[pos:pos + 12])
        if not found:
            continue
        level, ordinal, _ = found
        if level not in levels:
            continue
        ends = "。！？!?" if level >= 3 else "。！？!?；;：:"
        prev = before[-1]
        if prev in "”’）)" and len(before) > 1 and before[-2] in _ENDS:
            prev = before[-2]
        if prev not in ends:
            continue
        if not sequence.fits(level, ordinal):
            continue
        sequence.accept(level, ordinal)
        cuts.append(pos)
    return cuts


def _split_at(text: str, cuts: list[int]) -> list[str]:
    pieces: list[str] = []
    last = 0
    for cut in sorted(set(cuts)):
        if cut > last:
            pieces.append(text[last:cut])
            last = cut
    pieces.append(text[last:])
    return [p for p in (_strip(p) for p in pieces) if p]


_SENTENCE_START = re.compile(r"(?<=[。！？!?])[”’]?\s*")


def _break_cuts(text: str) -> list[int]:
    """Where a collapsed paragraph had its line breaks: runs of spaces after a sentence end or a title."""
    cuts: list[int] = []
    last = 0
    for m in re.finditer(r"[ \u3000]+", text):
        left = text[last:m.start()]
        if not left:
            continue
        title_like = len(left) <= 40 and not any(ch in left for ch in _ENDS) and (
            read_marker(left) is not None or is_unmarked_heading(left) or is_glossary_heading(left)
        )
        if left[-1] in _ENDS + "：:；;”" or title_like:
            cuts.append(m.end())
            last = m.end()
    return cuts


def _run_in_cuts(text: str) -> list[int]:
    """Cuts around headings run into their body at sentence starts ('。2021年重点工作安排2021年是…')."""
    cuts: list[int] = []
    for m in _SENTENCE_START.finditer(text):
        pos = m.end()
        length = run_in_title_length(text[pos:pos + 80])
        if length is not None:
            cuts += [pos, pos + length]
    return cuts


def _split_collapsed(paragraph: str) -> list[str]:
    """Split one paragraph that holds several: at headings, line-break spaces, the speech opening, then sentences."""
    if len(paragraph) > COLLAPSED_MIN:
        cuts = _heading_cuts(paragraph, (1, 2, 3, 4)) + _run_in_cuts(paragraph)
        cuts += [m.start() for m in _SPEECH_OPENING.finditer(paragraph) if m.start() > 0]
        out: list[str] = []
        for piece in _split_at(paragraph, cuts):
            for part in _split_at(piece, _break_cuts(piece)):
                out.extend(_split_run_in(part))
        return [p for piece in out for p in (_pack_sentences(piece) if len(piece) > MAX_PARAGRAPH else [piece])]
    if len(paragraph) > LONG_PARAGRAPH:
        pieces = _split_at(paragraph, _heading_cuts(paragraph, (1, 2)))
        return [p for piece in pieces for p in _split_run_in(piece)]
    return _split_run_in(paragraph)


def _split_run_in(paragraph: str) -> list[str]:
    split = split_run_in_heading(paragraph)
    if split is None:
        return [paragraph]
    title, body = split
    return [_strip(title), _strip(body)]


# ---------------------------------------------------------------- repeats

def _drop_repeats(paragraphs: list[str]) -> list[str]:
    """Drop exact repeats that are long, or that sit in a run of repeats holding a long one.

    Also drops repeats of the header lines (the first few paragraphs without a
    sentence end), which scrapers print two or three times.
    """
    seen: set[str] = set()
    repeat = []
    for p in paragraphs:
        repeat.append(p in seen)
        seen.add(p)
    drop = [False] * len(paragraphs)
    i = 0
    while i < len(paragraphs):
        if not repeat[i]:
            i += 1
            continue
        j = i
        while j < len(paragraphs) and repeat[j]:
            j += 1
        run_has_long = any(len(paragraphs[k]) >= LONG_REPEAT for k in range(i, j))
        for k in range(i, j):
            if run_has_long or len(paragraphs[k]) >= LONG_REPEAT:
                drop[k] = True
        i = j
    head = set()
    for k, p in enumerate(paragraphs[:8]):
        if p[-1] not in _ENDS + "：:" and len(p) <= 60:
            if p in head:
                drop[k] = True
            head.add(p)
    kept = [p for p, d in zip(paragraphs, drop) if not d]
    if len(kept) < len(paragraphs):
        log.debug("dropped %d repeated paragraphs", len(paragraphs) - len(kept))
    return kept


def clean_paragraphs(text: str, *, title_hint: str | None = None) -> list[str]:
    """Raw decoded text of ONE report → its paragraphs as display text, in order.

    Removes page chrome, crawler headers, disclaimers, comment counters,
    navigation, HTML comments, ``<U+00A0>`` literals and zero-width characters;
    joins letter-spaced titles; splits collapsed paragraphs; drops repeats of
    long paragraphs; strips each paragraph. Keeps the report's own text,
    including its title line, the delivery line and the glossary. *title_hint*
    is accepted for callers that have one but does not change the result: the
    report's own title line stays in the text either way.
    """
    paragraphs: list[str] = []
    for line in _lines(text):
        paragraphs.extend(_split_collapsed(line))
    paragraphs = [p for p in (_strip(p) for p in paragraphs) if p and _has_text(p) and not is_chrome(p)]
    return _drop_repeats(paragraphs)
