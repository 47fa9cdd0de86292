"""The query language: text a journalist types → a small tree.

Vocabulary:

* a **phrase** is matched exactly (after :func:`index.normalise.fold_for_search`).
  An unquoted run of characters is a phrase (``项目为王`` means that string, not
  four characters); ``"..."`` quotes a phrase that holds spaces or syntax.
* **operators**: white space or ``AND`` between two parts means both; ``OR``
  means either; ``NOT``, or ``-`` before a term that follows another, excludes;
  ASCII parentheses group where grouping is plainly meant (see
  :func:`grouping_parentheses`). Only upper-case ``AND``/``OR``/``NOT`` are operators.
* **pasted text**: report text typed or pasted as it is finds the paragraph it
  came from. Full-width brackets ``（一）`` ``【】`` ``〔〕`` ``《》`` ``「」`` are
  text, and so are ASCII parentheses around one term (``(一)``), a ``-`` that
  opens the query before a word (``-威恒供应``) or stands before a digit, and a
  lone ``-``. A bracket read as text, or a footnote piece left out, gives a
  *notice* (:class:`ParsedQuery`), which the search page shows.
* **filters** ``field:value`` narrow by metadata: ``province:河北``,
  ``prefecture:廊坊``, ``county:霸州``, ``year:2021``, ``year:2019-2023``,
  ``level:county``, ``section:重点任务``. Chinese names work too
  (``省:河北``, ``年份:2021``…). A colon after anything else is plain text.
* Characters that are syntax elsewhere are text here: ``互联网+``, ``3.8%``,
  ``“两会”`` (curly quotes are text; only ASCII ``"`` quotes).

:func:`parse_query` returns a :class:`Node` tree or raises :class:`QueryError`
with a Chinese message that says what is wrong and where; :func:`read_query`
returns the tree with its notices. The tree's nodes and the filter fields are
defined in :mod:`search.query_tree` and importable from here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .query_tree import (FILTER_FIELDS, FILTER_NAMES, LEVEL_ALIASES, MAX_YEAR, MIN_YEAR, And, Filter, Node, Not, Or,
                         Phrase, QueryError, canonical_filter, level_name, parse_year_range, phrases_of)

__all__ = [
    "QueryError",
    "Node",
    "Phrase",
    "Filter",
    "And",
    "Or",
    "Not",
    "parse_query",
    "read_query",
    "ParsedQuery",
    "grouping_parentheses",
    "parse_year_range",
    "FILTER_FIELDS",
    "FILTER_NAMES",
    "LEVEL_ALIASES",
    "level_name",
    "MAX_QUERY_LENGTH",
    "MAX_TERMS",
    "MAX_DEPTH",
    "MIN_YEAR",
    "MAX_YEAR",
    "canonical_filter",
    "phrases_of",
]

MAX_QUERY_LENGTH = 1000
MAX_TERMS = 64
#: Deepest nesting of parentheses (the parser and the engine recurse once per level).
MAX_DEPTH = 32


# --- tokens -----------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class _Tok:
    kind: str  # PHRASE, TERM, LPAREN, RPAREN, AND, OR, NOT, MINUS, FILTER
    text: str
    pos: int
    value: object = None


_SPACE = " \t\n\r\u3000\u00a0"


_OPERATOR_WORDS = ("AND", "OR", "NOT")

#: Pieces of a footnote marker (``〔17〕``) at the edge of a pasted term: the search text holds no markers
#: (:func:`index.normalise.fold_for_search` drops whole ones; a span cut inside one leaves these).
_FOOTNOTE_EDGES = re.compile(r"^\d{0,3}〕|〔\d{0,3}$|^〔\d{1,3}〕$")


def _quoted_ranges(q: str) -> list[tuple[int, int]]:
    """(start, end) of each ``"…"`` (both quotes included). Raises QueryError for an unclosed quote."""
    out: list[tuple[int, int]] = []
    i = q.find('"')
    while i >= 0:
        j = q.find('"', i + 1)
        if j < 0:
            raise QueryError("引号没有闭合：请补上右引号 \"", i)
        out.append((i, j + 1))
        i = q.find('"', j + 1)
    return out


def _holds_grouping(content: str) -> bool:
    """True when bracketed text holds an operator or two terms parted by white space."""
    return len(content.split()) >= 2


def _holds_operator(content: str) -> bool:
    return any(word in _OPERATOR_WORDS for word in content.split())


def grouping_parentheses(q: str) -> tuple[dict[int, int], list[str]]:
    """Which ASCII parentheses of *q* group, and a notice for each bracket read as text.

    Returns ``{position of "(": position of its ")"}`` for the grouping pairs and
    the notices. The rule (the README's query table): a pair of ASCII
    parentheses groups when the ``(`` starts a term and the ``)`` ends one, and
    what they enclose holds an operator or at least two terms parted by white
    space (``(项目 OR 投资) 河北``, ``(项目 投资)``). Every other parenthesis is
    text: ``(一)加快``, ``(一)``, ``市(县)``, a ``(`` or ``)`` without its partner.
    Full-width brackets ``（）【】〔〕《》「」`` are always text. Three mistakes are
    still refused, because there the grouping was plainly meant: an unclosed
    ``(`` before an operator (``(项目 OR 投资``), a stray ``)`` after one, and
    an empty ``()`` standing alone.
    """
    quoted = _quoted_ranges(q)

    def in_quotes(i: int) -> bool:
        return any(s <= i < e for s, e in quoted)

    n = len(q)
    opens: list[int] = []
    pairs: dict[int, int] = {}
    strays: list[int] = []
    for i, c in enumerate(q):
        if c not in "()" or in_quotes(i):
            continue
        if c == "(":
            opens.append(i)
        elif opens:
            pairs[opens.pop()] = i
        else:
            strays.append(i)
    starts_term = {i for i in range(n) if i == 0 or q[i - 1] in _SPACE or q[i - 1] in "(-"}
    ends_term = {j for j in range(n) if j == n - 1 or q[j + 1] in _SPACE or q[j + 1] == ")"}
    grouping = {i: j for i, j in pairs.items()
                if i in starts_term and j in ends_term and _holds_grouping(q[i + 1:j])}
    for i, j in pairs.items():
        if i in starts_term and j in ends_term and not q[i + 1:j].strip():
            raise QueryError("括号里是空的", i)
    for i in opens:
        if i in starts_term and _holds_operator(q[i + 1:]):
            raise QueryError("括号没有闭合：请补上“)”", i)
    for j in strays:
        if j in ends_term and _holds_operator(q[:j]):
            raise QueryError("多了一个右括号“)”", j)
    notices: list[str] = []
    text_pairs = [(i, j) for i, j in sorted(pairs.items()) if i not in grouping]
    outermost = [q[i:j + 1] for i, j in text_pairs if not any(a < i and j < b for a, b in text_pairs)]
    if outermost or opens or strays:
        shown = "、".join(list(dict.fromkeys(outermost))[:3]) or "“(”或“)”"
        notices.append(f"括号 {shown} 按原文检索（要分组，请在半角括号里写两个以上用空格隔开的词，"
                       f"例如 (项目 OR 投资)）")
    for m in re.finditer(r"（([^（）]*)）", q):
        if _holds_grouping(m.group(1)):
            notices.append(f"全角括号 {m.group(0)} 按原文检索；要分组请用半角括号 ( )")
    return grouping, notices


def _tokenize(q: str) -> tuple[list[_Tok], list[str]]:
    grouping, notices = grouping_parentheses(q)
    closers = set(grouping.values())
    toks: list[_Tok] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c in _SPACE:
            i += 1
            continue
        if c == '"':
            j = q.find('"', i + 1)
            text = q[i + 1 : j]
            if text.strip():
                toks.append(_Tok("PHRASE", text, i))
            i = j + 1
            continue
        if i in grouping:
            toks.append(_Tok("LPAREN", c, i))
            i += 1
            continue
        if i in closers:
            toks.append(_Tok("RPAREN", c, i))
            i += 1
            continue
        # "-" excludes after another term (营商环境 -疫情) or before a quote or a group; at the start of
        # the query before a word, or anywhere before a digit, it is text (-威恒供应, 增长 -3%)
        if c == "-" and i + 1 < n and q[i + 1] not in _SPACE and not q[i + 1].isdigit() and (
                toks or q[i + 1] == '"' or i + 1 in grouping):
            toks.append(_Tok("MINUS", c, i))
            i += 1
            continue
        # a bare run up to white space, a quote, or a grouping parenthesis
        j = i
        while j < n and q[j] not in _SPACE and q[j] != '"' and j not in grouping and j not in closers:
            j += 1
        run = q[i:j]
        start = i
        i = j
        if run in _OPERATOR_WORDS:
            toks.append(_Tok(run, run, start))
        elif run == "-" and toks:
            raise QueryError("“-”后面需要一个检索词（例如 -疫情）", start)
        else:
            m = re.match(r"([A-Za-z\u4e00-\u9fff]{1,12})[:：](.*)$", run, re.S)
            if m and m.group(1) in FILTER_FIELDS:
                field = FILTER_FIELDS[m.group(1)]
                value = m.group(2)
                if not value and i < n and q[i] == '"':  # province:"内蒙古"
                    k = q.find('"', i + 1)
                    value = q[i + 1 : k]
                    i = k + 1
                toks.append(_Tok("FILTER", run, start, canonical_filter(field, value, start)))
            elif m and re.fullmatch(r"[A-Za-z]{1,12}", m.group(1)) and m.group(2) and not m.group(2).startswith("//"):
                known = "、".join(sorted({k for k in FILTER_FIELDS if k.isascii()}))
                raise QueryError(f"未知的筛选字段“{m.group(1)}”：可用 {known}；要检索这段文字本身请加引号", start)
            else:
                term = _FOOTNOTE_EDGES.sub("", run)
                if term:
                    toks.append(_Tok("TERM", term, start))
                else:
                    notices.append(f"“{run}”是注释序号，不参与检索")
    return toks, notices


class _Parser:
    def __init__(self, toks: list[_Tok], q: str):
        self.toks = toks
        self.i = 0
        self.q = q

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def parse(self) -> Node:
        node = self.expr()
        t = self.peek()
        if t is not None:
            if t.kind == "RPAREN":
                raise QueryError("多了一个右括号“)”", t.pos)
            raise QueryError(f"无法理解“{t.text}”", t.pos)
        return node

    def expr(self) -> Node:
        parts = [self.and_expr()]
        while (t := self.peek()) is not None and t.kind == "OR":
            self.take()
            if self.peek() is None or self.peek().kind in ("OR", "AND", "RPAREN"):
                raise QueryError("OR 后面需要一个检索词", t.pos)
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        t = self.peek()
        if t is None:
            raise QueryError("这里需要一个检索词", len(self.q))
        if t.kind in ("AND", "OR"):
            raise QueryError(f"{t.kind} 前面需要一个检索词", t.pos)
        parts = [self.unary()]
        while (t := self.peek()) is not None and t.kind not in ("OR", "RPAREN"):
            if t.kind == "AND":
                self.take()
                nxt = self.peek()
                if nxt is None or nxt.kind in ("AND", "OR", "RPAREN"):
                    raise QueryError("AND 后面需要一个检索词", t.pos)
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        t = self.peek()
        if t is not None and t.kind in ("NOT", "MINUS"):
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ("AND", "OR", "RPAREN"):
                raise QueryError(f"{'NOT' if t.kind == 'NOT' else '“-”'} 后面需要一个检索词", t.pos)
            if nxt.kind in ("NOT", "MINUS"):
                raise QueryError("连续的否定（NOT NOT）没有意义", nxt.pos)
            return Not(self.unary())
        return self.primary()

    def primary(self) -> Node:
        t = self.peek()
        if t is None:
            raise QueryError("这里需要一个检索词", len(self.q))
        if t.kind == "LPAREN":
            self.take()
            if self.peek() is not None and self.peek().kind == "RPAREN":
                raise QueryError("括号里是空的", t.pos)
            node = self.expr()
            close = self.peek()
            if close is None or close.kind != "RPAREN":
                raise QueryError("括号没有闭合：请补上“)”", t.pos)
            self.take()
            return node
        if t.kind == "RPAREN":
            raise QueryError("多了一个右括号“)”", t.pos)
        self.take()
        if t.kind in ("PHRASE", "TERM"):
            return Phrase(t.text)
        if t.kind == "FILTER":
            return t.value  # type: ignore[return-value]
        raise QueryError(f"无法理解“{t.text}”", t.pos)


@dataclass(frozen=True)
class ParsedQuery:
    """A query's tree (None when empty) and the notices about how it was read (brackets taken as text)."""

    tree: Node | None
    notices: tuple[str, ...] = ()


def read_query(q: str) -> ParsedQuery:
    """Parse query text into a tree with notices. Raises :class:`QueryError`."""
    if q is None:
        return ParsedQuery(None)
    if len(q) > MAX_QUERY_LENGTH:
        raise QueryError(f"检索式太长（{len(q)} 个字符，最多 {MAX_QUERY_LENGTH} 个）")
    m = _CONTROL.search(q)
    if m:
        raise QueryError("检索式含有无法识别的控制字符", m.start())
    toks, notices = _tokenize(q)
    if not toks:
        return ParsedQuery(None, tuple(notices))
    if sum(1 for t in toks if t.kind in ("PHRASE", "TERM", "FILTER")) > MAX_TERMS:
        raise QueryError(f"检索词太多（最多 {MAX_TERMS} 个）")
    depth = 0
    for t in toks:
        depth += 1 if t.kind == "LPAREN" else -1 if t.kind == "RPAREN" else 0
        if depth > MAX_DEPTH:
            raise QueryError(f"括号嵌套太深（最多 {MAX_DEPTH} 层）", t.pos)
    return ParsedQuery(_Parser(toks, q).parse(), tuple(notices))


def parse_query(q: str) -> Node | None:
    """Parse query text into a tree; ``None`` for an empty query. Raises :class:`QueryError`."""
    return read_query(q).tree
