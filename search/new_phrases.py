"""The phrases of a report that a report diff compares: what they are, and how they rank.

Vocabulary (used by :mod:`search.diff`):

* a **phrase** is a term or slogan of at least :data:`MIN_PHRASE` characters,
  taken from the report's text in three ways, never as an arbitrary substring:
  a *quoted* term (“项目为王、企业至上” gives the whole quote and its parts
  项目为王 and 企业至上; quoted terms of three characters such as 放管服 count
  too), a jieba *word* (precise mode), or a *recurring n-gram*: two to four
  consecutive jieba words (4–8 characters, no particle at either end) used in
  at least two paragraphs of the report. An n-gram that no other report in the
  index uses either is a fragment of one sentence, not a term, and is left out
  unless quoted.
* a **new phrase** is one this report uses and no report of the history
  does (checked on the folded search text, so Traditional and Simplified
  match); a **dropped phrase** is one the previous report *stressed* (quoted,
  or used in two paragraphs or more) that this report no longer uses at all.
* **ranking** puts slogans before filler. A phrase scores for being quoted,
  for a *slogan shape* (:func:`slogan_shape`: 双招双引, 三大工程, 十五五,
  互联网+督查), for being used first in the whole index by this report's year
  (no earlier report of any region has it: 新质生产力 in 2024), and for the
  paragraphs using it; it loses for **filler**: the share of the index's
  earlier reports of other regions that already used it (document frequency
  on a log scale — 人民解放军 or 沟通交流 are new to a region, not news).

The costly part is looking each phrase up in the whole index
(:func:`index_spread`, with the snapshot's :class:`search.evaluation.Evaluator`);
candidates and look-ups are cached per index generation (:func:`clear_caches`).
"""
from __future__ import annotations

import heapq
import logging
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass

from index.analysis import document_tokens

from .evaluation import Evaluator
from .snapshot import Snapshot
from .snippets import make_snippet

__all__ = [
    "Phrase",
    "MIN_PHRASE",
    "PHRASE_LIMIT",
    "Candidate",
    "slogan_shape",
    "place_of",
    "report_candidates",
    "joined_text",
    "ranked_phrases",
    "index_spread",
    "clear_caches",
]

log = logging.getLogger(__name__)

MIN_PHRASE = 4
MIN_QUOTED = 3
MAX_QUOTED = 12
MAX_GRAM = 12
MAX_GRAM_WORDS = 6
PHRASE_LIMIT = 60  # new and dropped phrases kept, best first
_ADOPTION_SCALE = math.log(10)  # ten other reports taking a new phrase up count fully
_FIRST_BONUS = 4.0  # the most a phrase's use across the index adds to its score (first use, taken up)
_ENOUGH = PHRASE_LIMIT + 40  # phrases scored before the look-ups may stop (some fall out as parts of others)

_HAN = re.compile(r"[\u3400-\u9fff]")
_RUN = re.compile(r"[\u3400-\u9fff]+")
_QUOTE = re.compile(r"[“「『\"]([^”」』\"\n]{1,40})[”」』\"]")
_PUNCT = "，,。.；;：:！!？?、（）()《》〈〉【】 "
# one-character words that never start or end a term (particles, prepositions, measure words)
_EDGE = frozenset("的地得了着过和与及或并而且等以在于为是对把将从向由被也都又其之各该此这那个第中上下里内外有无不要就所还更再已使让给")
_NUMERAL = "一二三四五六七八九十百千万双两"
_NUMERAL_GROUP = re.compile(f"[{_NUMERAL}]+")
_PLAN = re.compile("十[一二三四五六七八九]五")
_SLOGAN_LEAD = re.compile(f"^[{_NUMERAL}][个大项新化张条篇城区带转查化端链网园场线廊基][\u3400-\u9fff]")


def slogan_shape(text: str) -> bool:
    """Whether a phrase is shaped like a slogan rather than a plain term.

    Numbered abbreviations (三大工程, 六新突破, 一城四区, 三去一降一补, and the plans 十四五, 十五五),
    repetitions (双招双引, 万人助万企, 好办易办; not reduplication such as 干干净净) and ``+``
    formulas (互联网+督查). A plain number (第十九次) is not a slogan.
    """
    han = "".join(_HAN.findall(text))
    if "+" in text or "＋" in text:
        return True
    if not han or han[0] == "第":
        return False
    if len(_NUMERAL_GROUP.findall(han)) >= 2 or _PLAN.search(han) or _SLOGAN_LEAD.match(han):
        return True
    return len(han) <= 5 and any(han[i] == han[j] for i in range(len(han)) for j in (i + 2, i + 3) if j < len(han))


@dataclass(frozen=True)
class Phrase:
    """A new or dropped phrase, linked to the first paragraph that uses it (see the module docstring)."""

    text: str
    paragraphs: int
    paragraph_id: str
    number: int
    snippet_html: str
    quoted: bool
    slogan: bool
    reports_in_index: int
    earlier_elsewhere: int
    first_in_index: bool
    score: float

    def as_dict(self, url: str = "") -> dict:
        return {
            "text": self.text,
            "paragraphs": self.paragraphs,
            "paragraph_id": self.paragraph_id,
            "number": self.number,
            "snippet_html": self.snippet_html,
            "quoted": self.quoted,
            "slogan": self.slogan,
            "reports_in_index": self.reports_in_index,
            "earlier_elsewhere": self.earlier_elsewhere,
            "first_in_index": self.first_in_index,
            "score": round(self.score, 3),
            "url": url,
        }


def place_of(rec: dict) -> tuple:
    """A record's region as a comparable key (level, province, prefecture, county)."""
    region = rec.get("region") or {}
    return (region.get("level"), region.get("province"), region.get("prefecture"), region.get("county"))



@dataclass(frozen=True)
class Candidate:
    """A string of a report that may be a phrase (see the module docstring)."""

    text: str
    quoted: bool
    gram: bool  # a multi-word n-gram (needs another report in the index to count as a term)


def _quoted_terms(text: str) -> list[str]:
    out = []
    for m in _QUOTE.finditer(text):
        inner = m.group(1).strip()
        parts = [inner] + ([p.strip() for p in re.split("[、，,]", inner)] if "、" in inner or "，" in inner else [])
        for p in parts:
            han = len(_HAN.findall(p))
            if (han >= 2 and MIN_QUOTED <= len(p) <= MAX_QUOTED and p[0] not in _EDGE and p[-1] not in _EDGE
                    and p[0] not in _PUNCT and p[-1] not in _PUNCT and (han >= MIN_QUOTED or len(p) >= MIN_PHRASE)):
                out.append(p)
    return out


# per index generation: a report's candidate phrases, and the reports using a phrase
_token_cache: dict[tuple, tuple] = {}
_TOKEN_CACHE_SIZE = 64
_spread_cache: dict[tuple[str | None, str], frozenset[int]] = {}
_SPREAD_CACHE_SIZE = 50_000
_token_lock = threading.Lock()


def report_candidates(snap: Snapshot, report_id: str) -> dict[str, Candidate]:
    """Every candidate phrase of a report (quoted terms, jieba words, recurring n-grams), cached per generation."""
    key = (snap.generation, report_id)
    hit = _token_cache.get(key)
    if hit is not None:
        return hit[0]
    quoted: set[str] = set()
    words: set[str] = set()
    grams: set[str] = set()
    texts = [snap.search[i] for i in snap.rows_of(report_id)]
    for text in texts:
        quoted.update(_quoted_terms(text))
        for run in _RUN.findall(text):
            if len(run) < MIN_PHRASE:
                continue
            toks = document_tokens(run)
            for a, tok in enumerate(toks):
                if len(tok) >= MIN_PHRASE:
                    words.add(tok)
                if tok in _EDGE:
                    continue
                s = tok
                for b in range(a + 1, min(a + MAX_GRAM_WORDS, len(toks))):
                    s += toks[b]
                    if len(s) > MAX_GRAM:
                        break
                    if len(s) >= MIN_PHRASE and toks[b] not in _EDGE and "的" not in s:
                        grams.add(s)
    # recurring: the string occurs twice in the report, aligned to jieba's words or not (以新质生产力 holds 新质生产力)
    whole = "\n".join(texts)
    lengths = range(MIN_PHRASE, MAX_GRAM + 1)
    occurrences = Counter(run[k : k + n] for run in _RUN.findall(whole) for k in range(len(run) - MIN_PHRASE + 1)
                          for n in lengths if k + n <= len(run))
    out: dict[str, Candidate] = {}
    for g in grams - words:
        if occurrences[g] >= 2 and _closed(whole, g):
            out[g] = Candidate(g, False, True)
    for w in words:
        out[w] = Candidate(w, False, False)
    for q in quoted:
        out[q] = Candidate(q, True, False)
    with _token_lock:
        if len(_token_cache) >= _TOKEN_CACHE_SIZE:
            _token_cache.pop(next(iter(_token_cache)))
        _token_cache[key] = (out,)
    return out


def _closed(text: str, gram: str) -> bool:
    """Whether ``gram`` stands on its own in ``text``: not always preceded, nor always followed, by the same
    Chinese character (时代中国特色社会主义思想 is always 新时代…: a window of a longer term, not a term)."""
    before: set[str] = set()
    after: set[str] = set()
    at = text.find(gram)
    while at >= 0:
        end = at + len(gram)
        before.add(text[at - 1] if at > 0 else "")
        after.add(text[end] if end < len(text) else "")
        at = text.find(gram, at + 1)
    return not any(len(side) == 1 and _HAN.match(next(iter(side)) or " ") for side in (before, after))


def clear_caches() -> None:
    """Forget the cached phrases of reports and their use across the index (benchmarks measure a cold page)."""
    with _token_lock:
        _token_cache.clear()
        _spread_cache.clear()


def joined_text(snap: Snapshot, report_ids) -> str:
    """The search texts of the reports' paragraphs, one a line."""
    return "\n".join(snap.search[i] for rid in report_ids for i in snap.rows_of(rid))


@dataclass(frozen=True)
class _Spread:
    reports: int
    earlier_elsewhere: int
    earlier_any: int


def _reports_using(snap: Snapshot, phrase: str) -> frozenset[int]:
    """The report codes of every report in the index using a phrase (the engine's exact phrase search), cached."""
    key = (snap.generation, phrase)
    hit = _spread_cache.get(key)
    if hit is None:
        # the evaluator straight away: no query to parse, no filters (a third of matching_rows' time)
        rows = Evaluator(snap, []).phrase_hits(phrase)
        hit = frozenset(snap.report.codes[rows].tolist())
        with _token_lock:
            if len(_spread_cache) >= _SPREAD_CACHE_SIZE:
                _spread_cache.clear()
            _spread_cache[key] = hit
    return hit


def index_spread(snap: Snapshot, phrase: str, rec: dict) -> _Spread:
    """How many reports of the index use a phrase; how many of other regions (and of any region) earlier."""
    codes = _reports_using(snap, phrase)
    year, place = rec.get("year") or 0, place_of(rec)
    elsewhere = anywhere = 0
    for c in codes:
        other = snap.reports.get(snap.report.labels[c]) or {}
        oy = other.get("year") or 0
        if oy and oy < year:
            anywhere += 1
            if place_of(other) != place:
                elsewhere += 1
    return _Spread(len(codes), elsewhere, anywhere)


def _earlier_elsewhere_total(snap: Snapshot, rec: dict) -> int:
    year, place = rec.get("year") or 0, place_of(rec)
    return sum(1 for r in snap.reports.values() if r.get("year") and r["year"] < year and place_of(r) != place)


def ranked_phrases(snap: Snapshot, rec: dict, candidates: list[Candidate], *, stressed_only: bool) -> tuple[list[Phrase], bool]:
    """(the best :data:`PHRASE_LIMIT` phrases, whether there are more) of candidates of ``rec`` already known
    to be absent from the other side, ranked (see the module docstring).

    Looking a phrase up in the index is the costly part, so candidates are taken best bound first (their score
    if no other report had used them) and the look-ups stop once no remaining candidate can reach the list.
    """
    rows = snap.rows_of(rec["report_id"])
    traditional = bool(rec.get("traditional"))
    scale = math.log1p(max(_earlier_elsewhere_total(snap, rec), 1))
    bounded: list[tuple[float, Candidate, list[int], bool]] = []
    for c in candidates:
        using = [i for i in rows if c.text in snap.search[i]]
        if not using or (stressed_only and not c.quoted and len(using) < 2):
            continue
        slogan = slogan_shape(c.text)
        base = 3.0 * c.quoted + 2.0 * slogan + math.log2(1 + len(using))
        bounded.append((base, c, using, slogan))
    bounded.sort(key=lambda x: (-x[0], -len(x[1].text), x[1].text))
    scored: list[tuple[float, Candidate, list[int], _Spread, bool]] = []
    best: list[float] = []  # a min-heap of the best scores so far
    more = False
    for base, c, using, slogan in bounded:
        if len(best) >= _ENOUGH and base + _FIRST_BONUS <= best[0]:
            more = True
            break
        spread = index_spread(snap, c.text, rec)
        if c.gram and not c.quoted and spread.reports <= 1:
            continue  # a fragment of this report's sentences, not a term
        first = spread.earlier_any == 0
        filler = math.log1p(spread.earlier_elsewhere) / scale
        # a phrase first used this year that other reports take up too is a new national slogan (新质生产力)
        adopted = first * min(1.0, math.log1p(spread.reports - 1) / _ADOPTION_SCALE)
        score = base + 1.0 * first + 3.0 * adopted - 3.0 * filler
        scored.append((score, c, using, spread, slogan))
        heapq.heappush(best, score)
        if len(best) > _ENOUGH:
            heapq.heappop(best)
    scored.sort(key=lambda x: (-x[0], -len(x[1].text), x[1].text))
    out: list[Phrase] = []
    kept = _without_parts(scored)
    for score, c, using, spread, slogan in kept[:PHRASE_LIMIT]:
        i = using[0]
        out.append(Phrase(
            text=c.text, paragraphs=len(using), paragraph_id=snap.paragraph_ids[i], number=snap.numbers[i],
            snippet_html=make_snippet(snap.texts[i], [c.text], traditional=traditional),
            quoted=c.quoted, slogan=slogan, reports_in_index=spread.reports,
            earlier_elsewhere=spread.earlier_elsewhere, first_in_index=spread.earlier_any == 0, score=score,
        ))
    return out, more or len(kept) > PHRASE_LIMIT


def _without_parts(scored: list[tuple]) -> list[tuple]:
    """One phrase of a family: of an unquoted phrase and a longer one holding it, used in as many paragraphs,
    keep the one more reports of the index use (新质生产力, not 发展新质生产力), the longer on a tie
    (中原高效储能, not 中原高效)."""
    listed = {x[1].text: x for x in scored}
    dropped: set[str] = set()
    for _, c, using, spread, _ in scored:
        t = c.text
        for a in range(len(t)):
            for b in range(a + MIN_QUOTED, len(t) + 1):
                inner = listed.get(t[a:b])
                if inner is None or b - a == len(t) or len(using) < len(inner[2]):
                    continue
                if spread.reports >= inner[3].reports:
                    if not inner[1].quoted:
                        dropped.add(inner[1].text)
                elif not c.quoted:
                    dropped.add(t)
    return [x for x in scored if x[1].text not in dropped]
