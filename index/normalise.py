"""Display text and search text.

Two transformations live here:

* :func:`strip_pinyin_annotations` repairs *display text*: some converters insert
  the pinyin of each converted character after it (``預(yù)期`` in seed 000).
  Those annotations go; real parentheses such as ``(摘登)`` or ``(一)`` stay.
* :func:`fold_for_search` makes *search text*: the form both paragraphs and
  queries take before they are compared. It converts Traditional characters to
  Simplified (only for text known to be Traditional — see :func:`is_traditional`;
  Simplified text is never converted, or the town 乾务镇 would become 干务镇),
  folds full-width digits, letters and punctuation to their ASCII forms
  (``，`` → ``,``, ``（`` → ``(``), unifies quotes, lower-cases Latin letters,
  drops zero-width characters and footnote markers (``〔17〕``), and removes
  white space between two Chinese characters.

:func:`fold_with_offsets` does the same fold character by character and also
returns, for every character of the search text, its index in the display
text: snippets find a phrase in the search text and mark it in the display text.
The two functions agree exactly (a test holds them to it).
"""
from __future__ import annotations

import functools
import re

import numpy as np

__all__ = [
    "strip_pinyin_annotations",
    "is_traditional",
    "to_simplified",
    "fold_for_search",
    "fold_with_offsets",
    "query_variants",
    "is_cjk",
]

# --- pinyin annotations -------------------------------------------------------

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PINYIN_BODY = f"[a-zü{_TONED}]{{1,6}}"
# A CJK character followed by a parenthesised pinyin syllable with a tone mark.
_PINYIN_TONED = re.compile(
    rf"(?<=[\u3400-\u9fff\uf900-\ufaff])[(（](?=[a-zü]*[{_TONED}])({_PINYIN_BODY})[)）]"
)
# The same without a tone mark (neutral tone: 們(men)): only removed in text that
# already shows several toned annotations, so a lone (a) in ordinary text stays.
_PINYIN_PLAIN = re.compile(rf"(?<=[\u3400-\u9fff\uf900-\ufaff])[(（]([a-zü]{{1,6}})[)）]")


def strip_pinyin_annotations(text: str) -> str:
    """Remove pinyin inserted after converted characters: ``預(yù)期`` → ``預期``.

    Parentheses holding Chinese, digits or capital letters are never touched.
    """
    stripped, toned = _PINYIN_TONED.subn("", text)
    if toned >= 3:
        stripped = _PINYIN_PLAIN.sub("", stripped)
    return stripped


# --- Traditional → Simplified ---------------------------------------------------


@functools.cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@functools.cache
def _char_t2s(ch: str) -> str:
    out = _t2s().convert(ch)
    return out if len(out) == 1 else ch


def is_cjk(ch: str) -> bool:
    """True for a Chinese character (CJK unified ideographs and extensions, 〇)."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x3134F
        or o == 0x3007
    )


@functools.lru_cache(maxsize=32)  # the pipeline asks several times about the same report
def is_traditional(text: str, *, sample: int = 20000) -> bool:
    """Whether ``text`` is written in Traditional characters.

    Counts the characters that opencc's t2s conversion changes. Simplified text
    changes almost nowhere (乾 in 乾务镇, 著 in some words); Traditional text
    changes in a large share of its characters.
    """
    chunk = text[:sample]
    points = _code_points(chunk)
    cjk = int(sum(np.count_nonzero((points >= lo) & (points <= hi)) for lo, hi in _CJK_RANGES))
    if cjk < 4:
        return False
    converted = _t2s().convert(chunk)
    if len(converted) != len(chunk):
        changed = sum(1 for c in chunk if is_cjk(c) and _char_t2s(c) != c)
    else:
        changed = int(np.count_nonzero(points != _code_points(converted)))
    return changed >= 3 and changed / cjk >= 0.03


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def to_simplified(text: str) -> str:
    """Traditional → Simplified, one character for one (so offsets survive)."""
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(_char_t2s(c) for c in text)


# --- the search fold ------------------------------------------------------------

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_FOOTNOTE = re.compile(r"〔\d{1,3}〕")
_SPACES = "\u3000\u00a0\u2002\u2003\u2009\u202f\t\r\n\x0b\x0c"

_FOLD_TABLE: dict[int, str | None] = {}
for _o in range(0xFF01, 0xFF5F):  # full-width ASCII → ASCII
    _FOLD_TABLE[_o] = chr(_o - 0xFEE0)
for _c in _SPACES:
    _FOLD_TABLE[ord(_c)] = " "
for _c in _ZERO_WIDTH:
    _FOLD_TABLE[ord(_c)] = None
_FOLD_TABLE.update(
    {
        ord("“"): '"',
        ord("”"): '"',
        ord("„"): '"',
        ord("‟"): '"',
        ord("″"): '"',
        ord("‘"): "'",
        ord("’"): "'",
        ord("′"): "'",
        ord("・"): "·",
        ord("•"): "·",
        ord("‧"): "·",
        ord("－"): "-",
        ord("‐"): "-",
        ord("‑"): "-",
        ord("﹐"): ",",
        ord("﹑"): "、",
        ord("﹒"): ".",
        ord("﹔"): ";",
        ord("﹕"): ":",
        ord("﹖"): "?",
        ord("﹗"): "!",
        ord("﹙"): "(",
        ord("﹚"): ")",
        ord("\u2028"): " ",
        ord("\u2029"): " ",
    }
)
for _o in range(ord("A"), ord("Z") + 1):
    _FOLD_TABLE[_o] = chr(_o + 32)
for _o in range(0xFF21, 0xFF3B):  # full-width capitals straight to lower case
    _FOLD_TABLE[_o] = chr(_o - 0xFEE0 + 32)
_FOLD_TABLE[0xFFFF] = None  # a noncharacter, dropped: the search texts' blob ends each row with it (index.columns)

# str.translate looks every character up in a dict, which is slow for Chinese
# text; a regex finds the few characters that fold and replaces only those.
_FOLD_CHARS = {chr(k): (v or "") for k, v in _FOLD_TABLE.items()}
_FOLD_RE = re.compile("[" + re.escape("".join(_FOLD_CHARS)) + "]")


def _fold_chars(text: str, table: dict[str, str]) -> str:
    return _FOLD_RE.sub(lambda m: table[m.group()], text)


_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\u3007"
#: The code points of :data:`_CJK_CLASS` as inclusive ranges.
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F), (0x3007, 0x3007))
_CJK_RUN = re.compile(f"[{_CJK_CLASS}]")
_SPACE_RUN = re.compile(r" {2,}")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK_CLASS}]) (?=[{_CJK_CLASS}])")


def fold_for_search(text: str, *, traditional: bool = False) -> str:
    """The search form of ``text`` (see the module docstring for the rules).

    ``traditional`` says the text is Traditional and must be converted; queries
    pass False and search for each of :func:`query_variants` instead.
    """
    if traditional:
        text = to_simplified(text)
    text = _FOOTNOTE.sub("", text)
    text = _fold_chars(text, _FOLD_CHARS)
    text = _SPACE_RUN.sub(" ", text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return text.strip(" ")


_GONE = "\x00"  # stands for a dropped character while offsets are worked out
_KEEP_CHARS = {c: (v or _GONE) for c, v in _FOLD_CHARS.items()}


def _without(s: str, where: list[int], drops: set[int]) -> tuple[str, list[int]]:
    return (
        "".join(c for k, c in enumerate(s) if k not in drops),
        [i for k, i in enumerate(where) if k not in drops],
    )


def fold_with_offsets(text: str, *, traditional: bool = False) -> tuple[str, list[int]]:
    """:func:`fold_for_search` plus, for each output character, its index in ``text``."""
    fast = fold_for_search(text, traditional=traditional)
    if len(fast) == len(text):
        # the fold never inserts: equal length means nothing was dropped, so
        # every character stayed where it was
        return fast, list(range(len(text)))
    src = to_simplified(text) if traditional else text  # one character for one
    src = _FOOTNOTE.sub(lambda m: _GONE * len(m.group()), src)
    mapped = _fold_chars(src, _KEEP_CHARS)  # still one for one, dropped ones as _GONE
    where = [i for i, c in enumerate(mapped) if c != _GONE]
    folded = mapped.replace(_GONE, "")
    drops = {j for m in _SPACE_RUN.finditer(folded) for j in range(m.start() + 1, m.end())}
    if drops:
        folded, where = _without(folded, where, drops)
    drops = {m.start() for m in _SPACE_BETWEEN_CJK.finditer(folded)}
    if drops:
        folded, where = _without(folded, where, drops)
    lead = len(folded) - len(folded.lstrip(" "))
    end = len(folded.rstrip(" "))
    return folded[lead:end], where[lead:end]


def query_variants(phrase: str) -> tuple[str, ...]:
    """The search forms a query phrase is looked for in.

    Paragraph search text is Simplified, so a Traditional phrase is looked for
    in its Simplified form. A phrase is also looked for as typed, because some
    Simplified text keeps characters that t2s would change (乾务镇).
    """
    folded = fold_for_search(phrase)
    simplified = fold_for_search(phrase, traditional=True)
    if simplified != folded:
        return (folded, simplified)
    return (folded,)
