"""Snippets: fragments of a paragraph around the matched text, with ``<mark>``.

Matches are found in the paragraph's *search text* and mapped back to its
*display text* through :func:`index.normalise.fold_with_offsets`, so a
Traditional paragraph shows its own characters marked for a Simplified query.
A phrase is marked once, as a whole (never character by character), and the
terms of pasted text that white space parted (``2023年 工作回顾``) are one mark. The
result is HTML-escaped text plus ``<mark>`` tags, passed through nh3 with
``mark`` as the only allowed tag.
"""
from __future__ import annotations

import html

import nh3

from index.normalise import fold_with_offsets

__all__ = ["match_spans", "make_snippet", "highlight_html", "sanitise"]

FRAGMENT_CONTEXT = 60  # characters of context on each side of a match
MAX_FRAGMENTS = 3
WHOLE_PARAGRAPH = 220  # paragraphs up to this length are shown whole


def sanitise(fragment_html: str) -> str:
    """Allow ``<mark>`` and nothing else."""
    return nh3.clean(fragment_html, tags={"mark"}, attributes={}, link_rel=None)


def match_spans(display: str, phrases: list[str], *, traditional: bool = False,
                search: str | None = None) -> list[tuple[int, int]]:
    """Sorted, merged (start, end) spans of ``display`` where any search-form phrase occurs.

    ``search``: the display text's search form when the caller holds it (a
    snapshot row's). When it is as long as the display text, no character was
    dropped, so each stayed in its place and the text is not folded again.
    """
    if search is not None and len(search) == len(display):
        folded, where = search, range(len(display))
    else:
        folded, where = fold_with_offsets(display, traditional=traditional)
    spans: list[tuple[int, int]] = []
    for p in phrases:
        if not p:
            continue
        start = folded.find(p)
        while start >= 0:
            end = start + len(p)
            spans.append((where[start], where[end - 1] + 1))
            start = folded.find(p, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        # overlapping, touching, or parted only by white space (pasted text with a space in it is one mark)
        if merged and (s <= merged[-1][1] or not display[merged[-1][1]:s].strip()):
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def highlight_html(display: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """Escaped ``display[start:end]`` with each span inside it wrapped in ``<mark>``."""
    end = len(display) if end is None else end
    out: list[str] = []
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(display[pos:s], quote=False))
        out.append("<mark>" + html.escape(display[s:e], quote=False) + "</mark>")
        pos = e
    out.append(html.escape(display[pos:end], quote=False))
    return "".join(out)


def make_snippet(display: str, phrases: list[str], *, traditional: bool = False, search: str | None = None) -> str:
    """Safe HTML: the paragraph (if short) or up to three fragments around its matches (``search``: see
    :func:`match_spans`)."""
    spans = match_spans(display, phrases, traditional=traditional, search=search)
    if len(display) <= WHOLE_PARAGRAPH or not spans:
        if not spans:
            cut = display[: WHOLE_PARAGRAPH]
            return sanitise(html.escape(cut, quote=False) + ("…" if len(display) > len(cut) else ""))
        return sanitise(highlight_html(display, spans))
    windows: list[list[int]] = []
    for s, e in spans:
        ws, we = max(0, s - FRAGMENT_CONTEXT), min(len(display), e + FRAGMENT_CONTEXT)
        if windows and ws <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], we)
        else:
            if len(windows) == MAX_FRAGMENTS:
                break
            windows.append([ws, we])
    parts = []
    for ws, we in windows:
        frag = highlight_html(display, spans, ws, we)
        parts.append(("…" if ws > 0 else "") + frag + ("…" if we < len(display) else ""))
    return sanitise(" ".join(parts))
