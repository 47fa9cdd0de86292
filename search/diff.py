"""What is new this year: one report against the same region's previous report.

Vocabulary:

* **this report** is the one a reader asks about; the **previous report** is
  the same region's latest report of an earlier year in the index, found
  automatically (same region hierarchy, an earlier year; of two reports of that
  year the later-delivered one), or any report the reader *chooses*
  (``against``). The **history** is every report the new phrases are checked
  against: every earlier report of the region when the previous report was
  found automatically, only the chosen report otherwise.
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
* **targets changed** pairs this report's targets (主要预期目标, read by
  :func:`search.targets.extract_report`) with the previous report's, by
  indicator and unit: raised, lowered, same, qualifier changed, new or dropped.
* **paragraphs rewritten**: each paragraph of this report is aligned with the
  previous report's most similar paragraph (Jaccard of the 5-character
  shingles of :mod:`search.similar`, at least :data:`REWRITE_THRESHOLD`, one to
  one, best pairs first); a pair that is not identical is a rewrite, shown with
  :func:`search.similar.diff_html` (``<del>`` last year's words, ``<ins>``
  this year's). Paragraphs without a partner are *added* or *removed*.

:func:`report_diff` is the one data function; the page, the exports, the API
and ``baogao diff`` all render its :class:`ReportDiff`.
"""
from __future__ import annotations

import logging
import heapq
import math
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from index.analysis import jieba_tokenizer
from index.report import Region

from .engine import Engine, NotFound
from .evaluation import Evaluator
from .similar import diff_html, shingles
from .snippets import make_snippet
from .targets import TargetRow, extract_report

__all__ = [
    "DiffError",
    "Phrase",
    "TargetChange",
    "Rewrite",
    "ReportDiff",
    "MIN_PHRASE",
    "REWRITE_THRESHOLD",
    "PHRASE_LIMIT",
    "DIFF_CSV_COLUMNS",
    "CHANGE_LABELS",
    "slogan_shape",
    "previous_report",
    "report_diff",
    "clear_caches",
]

log = logging.getLogger(__name__)


class DiffError(ValueError):
    """Two reports that cannot be compared (a report against itself). Message in Chinese."""


MIN_PHRASE = 4
MIN_QUOTED = 3
MAX_QUOTED = 12
MAX_GRAM = 12
MAX_GRAM_WORDS = 6
REWRITE_THRESHOLD = 0.2
PHRASE_LIMIT = 60  # new and dropped phrases kept, best first
_ADOPTION_SCALE = math.log(10)  # ten other reports taking a new phrase up count fully
_FIRST_BONUS = 4.0  # the most a phrase's use across the index adds to its score (first use, taken up)
_ENOUGH = PHRASE_LIMIT + 40  # phrases scored before the look-ups may stop (some fall out as parts of others)
_MIN_REWRITE_CHARS = 20

#: What happened to a target, for people.
CHANGE_LABELS = {
    "raised": "调高", "lowered": "调低", "deeper": "降幅加大", "shallower": "降幅收窄", "same": "未变",
    "qualifier": "措辞变化", "new": "新增", "dropped": "不再提",
}

#: Columns of the diff CSV export: one row per new or dropped phrase, target change and rewrite.
DIFF_CSV_COLUMNS = ("kind", "text", "paragraphs", "score", "reports_in_index", "this_value", "previous_value",
                    "change", "similarity", "paragraph_id", "paragraph_number", "previous_paragraph_id",
                    "previous_paragraph_number", "url", "previous_url")

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


@dataclass(frozen=True)
class TargetChange:
    """One indicator's target this year beside last year's."""

    indicator: str
    unit: str
    current: TargetRow | None
    previous: TargetRow | None
    change: str

    @property
    def label(self) -> str:
        return CHANGE_LABELS[self.change]

    def as_dict(self, url_for_paragraph=lambda pid: "") -> dict:
        def row(r: TargetRow | None) -> dict | None:
            if r is None:
                return None
            return {"display": r.display, "value": r.value, "value_high": r.value_high, "unit": r.unit,
                    "qualifier": r.qualifier, "excerpt": r.excerpt, "paragraph_id": r.paragraph_id,
                    "paragraph_number": r.paragraph_number, "url": url_for_paragraph(r.paragraph_id)}

        return {"indicator": self.indicator, "unit": self.unit, "change": self.change, "label": self.label,
                "current": row(self.current), "previous": row(self.previous)}


@dataclass(frozen=True)
class Rewrite:
    """A paragraph of this report aligned with the previous report's, differences marked."""

    paragraph_id: str
    number: int
    text: str
    previous_paragraph_id: str
    previous_number: int
    previous_text: str
    similarity: float
    diff_html: str

    def as_dict(self, url_for_paragraph=lambda pid: "") -> dict:
        return {
            "paragraph_id": self.paragraph_id,
            "number": self.number,
            "previous_paragraph_id": self.previous_paragraph_id,
            "previous_number": self.previous_number,
            "similarity": round(self.similarity, 4),
            "diff_html": self.diff_html,
            "text": self.text,
            "previous_text": self.previous_text,
            "url": url_for_paragraph(self.paragraph_id),
            "previous_url": url_for_paragraph(self.previous_paragraph_id),
        }


@dataclass(frozen=True)
class ReportDiff:
    """This report against the previous one (see the module docstring).

    ``previous`` is ``None`` when the region has no earlier report in the
    index; ``message`` then says so, in Chinese, and every list is empty.
    """

    report: dict
    previous: dict | None
    chosen: bool
    history: tuple[str, ...]
    new_phrases: tuple[Phrase, ...] = ()
    dropped_phrases: tuple[Phrase, ...] = ()
    targets: tuple[TargetChange, ...] = ()
    rewritten: tuple[Rewrite, ...] = ()
    new_more: bool = False
    dropped_more: bool = False
    unchanged: int = 0
    added: int = 0
    removed: int = 0
    message: str = ""
    took_ms: float = 0.0
    notes: tuple[str, ...] = field(default=())

    def as_dict(self, url_for_paragraph=lambda pid: "") -> dict:
        def brief(rec: dict | None) -> dict | None:
            if rec is None:
                return None
            return {k: rec.get(k) for k in ("report_id", "display_title", "region", "region_display", "year",
                                            "date", "paragraphs")}

        return {
            "report": brief(self.report),
            "previous": brief(self.previous),
            "chosen": self.chosen,
            "history": list(self.history),
            "message": self.message,
            "new_more": self.new_more,
            "dropped_more": self.dropped_more,
            "new_phrases": [p.as_dict(url_for_paragraph(p.paragraph_id)) for p in self.new_phrases],
            "dropped_phrases": [p.as_dict(url_for_paragraph(p.paragraph_id)) for p in self.dropped_phrases],
            "targets": [t.as_dict(url_for_paragraph) for t in self.targets],
            "paragraphs": {"rewritten": len(self.rewritten), "unchanged": self.unchanged, "added": self.added,
                           "removed": self.removed},
            "rewritten": [r.as_dict(url_for_paragraph) for r in self.rewritten],
            "took_ms": round(self.took_ms, 1),
        }


# -- the previous report -------------------------------------------------------------------------


def _place(rec: dict) -> tuple:
    region = rec.get("region") or {}
    return (region.get("level"), region.get("province"), region.get("prefecture"), region.get("county"))


def _chronology(rec: dict) -> tuple:
    return (rec.get("year") or 0, rec.get("date") or "", rec.get("paragraphs") or 0, rec["report_id"])


def _earlier(reports: dict[str, dict], rec: dict) -> list[dict]:
    """The region's reports of earlier years, latest first (none for a report without year or region)."""
    year = rec.get("year")
    place = _place(rec)
    if not year or place[0] in (None, "unknown"):
        return []
    same = [r for r in reports.values() if _place(r) == place and r.get("year") and r["year"] < year]
    return sorted(same, key=_chronology, reverse=True)


def previous_report(engine: Engine, report_id: str) -> dict | None:
    """The same region's latest report of an earlier year, or ``None``. Raises :class:`NotFound`."""
    rec, _ = engine.report(report_id)
    earlier = _earlier(engine.snapshot().reports, rec)
    return earlier[0] if earlier else None


# -- phrases of one report ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
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


def _report_candidates(snap, report_id: str) -> dict[str, _Candidate]:
    """Every candidate phrase of a report (quoted terms, jieba words, recurring n-grams), cached per generation."""
    key = (snap.generation, report_id)
    hit = _token_cache.get(key)
    if hit is not None:
        return hit[0]
    tk = jieba_tokenizer()
    quoted: set[str] = set()
    words: set[str] = set()
    grams: set[str] = set()
    texts = [snap.search[i] for i in snap.rows_of(report_id)]
    for text in texts:
        quoted.update(_quoted_terms(text))
        for run in _RUN.findall(text):
            if len(run) < MIN_PHRASE:
                continue
            toks = tk.lcut(run)
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
    out: dict[str, _Candidate] = {}
    for g in grams - words:
        if occurrences[g] >= 2 and _closed(whole, g):
            out[g] = _Candidate(g, False, True)
    for w in words:
        out[w] = _Candidate(w, False, False)
    for q in quoted:
        out[q] = _Candidate(q, True, False)
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


def _joined(snap, report_ids) -> str:
    return "\n".join(snap.search[i] for rid in report_ids for i in snap.rows_of(rid))


@dataclass(frozen=True)
class _Spread:
    reports: int
    earlier_elsewhere: int
    earlier_any: int


def _reports_using(snap, phrase: str) -> frozenset[int]:
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


def _index_spread(snap, phrase: str, rec: dict) -> _Spread:
    """How many reports of the index use a phrase; how many of other regions (and of any region) earlier."""
    codes = _reports_using(snap, phrase)
    year, place = rec.get("year") or 0, _place(rec)
    elsewhere = anywhere = 0
    for c in codes:
        other = snap.reports.get(snap.report.labels[c]) or {}
        oy = other.get("year") or 0
        if oy and oy < year:
            anywhere += 1
            if _place(other) != place:
                elsewhere += 1
    return _Spread(len(codes), elsewhere, anywhere)


def _earlier_elsewhere_total(snap, rec: dict) -> int:
    year, place = rec.get("year") or 0, _place(rec)
    return sum(1 for r in snap.reports.values() if r.get("year") and r["year"] < year and _place(r) != place)


def _phrases(snap, rec: dict, candidates: list[_Candidate], *, stressed_only: bool) -> tuple[list[Phrase], bool]:
    """(the best :data:`PHRASE_LIMIT` phrases, whether there are more) of candidates of ``rec`` already known
    to be absent from the other side, ranked (see the module docstring).

    Looking a phrase up in the index is the costly part, so candidates are taken best bound first (their score
    if no other report had used them) and the look-ups stop once no remaining candidate can reach the list.
    """
    rows = snap.rows_of(rec["report_id"])
    traditional = bool(rec.get("traditional"))
    scale = math.log1p(max(_earlier_elsewhere_total(snap, rec), 1))
    bounded: list[tuple[float, _Candidate, list[int], bool]] = []
    for c in candidates:
        using = [i for i in rows if c.text in snap.search[i]]
        if not using or (stressed_only and not c.quoted and len(using) < 2):
            continue
        slogan = slogan_shape(c.text)
        base = 3.0 * c.quoted + 2.0 * slogan + math.log2(1 + len(using))
        bounded.append((base, c, using, slogan))
    bounded.sort(key=lambda x: (-x[0], -len(x[1].text), x[1].text))
    scored: list[tuple[float, _Candidate, list[int], _Spread, bool]] = []
    best: list[float] = []  # a min-heap of the best scores so far
    more = False
    for base, c, using, slogan in bounded:
        if len(best) >= _ENOUGH and base + _FIRST_BONUS <= best[0]:
            more = True
            break
        spread = _index_spread(snap, c.text, rec)
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


# -- targets and paragraphs -------------------------------------------------------------------------------


def _targets(engine: Engine, rec: dict, prev: dict) -> tuple[TargetChange, ...]:
    def rows(r: dict) -> dict[tuple[str, str], TargetRow]:
        _, paragraphs = engine.report(r["report_id"])
        out: dict[tuple[str, str], TargetRow] = {}
        for t in extract_report(r, paragraphs):
            if t.kind == "target":
                out.setdefault((t.indicator, t.unit), t)
        return out

    now, before = rows(rec), rows(prev)
    changes = []
    for key in list(now) + [k for k in before if k not in now]:
        cur, old = now.get(key), before.get(key)
        if cur is None:
            change = "dropped"
        elif old is None:
            change = "new"
        else:
            a = (cur.value_high if cur.value_high is not None else cur.value)
            b = (old.value_high if old.value_high is not None else old.value)
            if a is not None and b is not None and a != b:
                if a < 0 and b < 0:  # a fall (能耗下降3.4%): the size of the fall is what changed
                    change = "deeper" if a < b else "shallower"
                else:
                    change = "raised" if a > b else "lowered"
            elif cur.display == old.display:
                change = "same"
            else:
                change = "qualifier"
        changes.append(TargetChange(key[0], key[1], cur, old, change))
    from .targets import INDICATORS

    rank = {name: k for k, name in enumerate(INDICATORS)}
    changes.sort(key=lambda c: (rank.get(c.indicator, 99), c.current is None))
    return tuple(changes)


def _rewrites(snap, rec: dict, prev: dict) -> tuple[tuple[Rewrite, ...], int, int, int]:
    """(rewrites in this report's order, unchanged, added, removed) — see the module docstring."""
    mine = [i for i in snap.rows_of(rec["report_id"]) if not snap.headings[i]]
    theirs = [j for j in snap.rows_of(prev["report_id"]) if not snap.headings[j]]
    sh_mine = {i: shingles(snap.search[i]) for i in mine}
    sh_theirs = {j: shingles(snap.search[j]) for j in theirs}
    where: dict[str, list[int]] = {}
    for j, sh in sh_theirs.items():
        for s in sh:
            where.setdefault(s, []).append(j)
    pairs: list[tuple[float, int, int]] = []
    for i, sh in sh_mine.items():
        shared: Counter = Counter()
        for s in sh:
            for j in where.get(s, ()):
                shared[j] += 1
        for j, n in shared.items():
            sim = n / (len(sh) + len(sh_theirs[j]) - n)
            if sim >= REWRITE_THRESHOLD:
                pairs.append((sim, i, j))
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    taken_i: set[int] = set()
    taken_j: set[int] = set()
    chosen: list[tuple[float, int, int]] = []
    for sim, i, j in pairs:
        if i in taken_i or j in taken_j:
            continue
        taken_i.add(i)
        taken_j.add(j)
        chosen.append((sim, i, j))
    traditional = bool(rec.get("traditional")) != bool(prev.get("traditional"))
    rewrites, unchanged = [], 0
    for sim, i, j in sorted(chosen, key=lambda x: snap.numbers[x[1]]):
        if sim >= 0.999 or "".join(snap.search[i].split()) == "".join(snap.search[j].split()):
            unchanged += 1
            continue
        a, b = (snap.search[j], snap.search[i]) if traditional else (snap.texts[j], snap.texts[i])
        rewrites.append(Rewrite(
            paragraph_id=snap.paragraph_ids[i], number=snap.numbers[i], text=snap.texts[i],
            previous_paragraph_id=snap.paragraph_ids[j], previous_number=snap.numbers[j], previous_text=snap.texts[j],
            similarity=sim, diff_html=diff_html(a, b),
        ))
    added = sum(1 for i in mine if i not in taken_i and len(snap.search[i]) >= _MIN_REWRITE_CHARS)
    removed = sum(1 for j in theirs if j not in taken_j and len(snap.search[j]) >= _MIN_REWRITE_CHARS)
    return tuple(rewrites), unchanged, added, removed


# -- the data function ---------------------------------------------------------------------------------


def report_diff(engine: Engine, report_id: str, against: str | None = None) -> ReportDiff:
    """What is new in a report against the region's previous report (or the report ``against``).

    Raises :class:`NotFound` for an unknown id and :class:`DiffError` for a report against itself.
    """
    t0 = time.perf_counter()
    snap = engine.snapshot()
    rec = snap.reports.get(report_id)
    if rec is None:
        raise NotFound(report_id)
    if against:
        if against == report_id:
            raise DiffError("不能拿一篇报告和它自己比较：请选另一篇报告")
        prev = snap.reports.get(against)
        if prev is None:
            raise NotFound(against)
        history: tuple[str, ...] = (against,)
    else:
        earlier = _earlier(snap.reports, rec)
        if not earlier:
            where = Region.from_dict(rec.get("region") or {}).display
            choose = "可另选一篇报告对比（网页加 ?against=报告编号，命令行加 --against 报告编号）。"
            if not rec.get("year"):
                message = f"这篇报告的年份不详，无法确定上一篇报告；{choose}"
            elif _place(rec)[0] in (None, "unknown"):
                message = f"这篇报告的地区不详，无法确定同一地区的上一篇报告；{choose}"
            else:
                message = f"索引中没有{where}{rec['year']}年以前的政府工作报告，无从比较；{choose}"
            return ReportDiff(report=rec, previous=None, chosen=False, history=(), message=message,
                              took_ms=(time.perf_counter() - t0) * 1000)
        prev = earlier[0]
        history = tuple(r["report_id"] for r in earlier)

    mine = _report_candidates(snap, report_id)
    theirs = _report_candidates(snap, prev["report_id"])
    # latest first: most candidates are found in the previous report and need no look further
    past = [_joined(snap, [rid]) for rid in history]
    now = _joined(snap, [report_id])
    new = [c for c in mine.values() if not any(c.text in text for text in past)]
    gone = [c for c in theirs.values() if c.text not in now]
    new_phrases, new_more = _phrases(snap, rec, new, stressed_only=False)
    dropped, dropped_more = _phrases(snap, prev, gone, stressed_only=True)
    targets = _targets(engine, rec, prev)
    rewritten, unchanged, added, removed = _rewrites(snap, rec, prev)
    took = (time.perf_counter() - t0) * 1000
    log.info("diff %s against %s: %d new, %d dropped, %d rewritten in %.0f ms", report_id, prev["report_id"],
             len(new_phrases), len(dropped), len(rewritten), took)
    return ReportDiff(
        report=rec, previous=prev, chosen=bool(against), history=history,
        new_phrases=tuple(new_phrases), dropped_phrases=tuple(dropped), targets=targets,
        rewritten=rewritten, new_more=new_more, dropped_more=dropped_more, unchanged=unchanged, added=added, removed=removed, took_ms=took,
    )
