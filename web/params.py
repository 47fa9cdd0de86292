"""URL parameters → a :class:`search.engine.SearchRequest`, and ids checked before lookup.

The parameters are the ones ``/search``, ``/search.csv``, ``/search.json`` and
``/api/search`` share: ``q``, the filters (:data:`search.query.FILTER_NAMES`:
``province``, ``prefecture``, ``county``, ``year``, ``level``, ``section``),
``sort``, ``page``, ``per_page``. The
**year range** of a form (``year_from``, ``year_to``: either may be empty) is
another way to write ``year``: given, it replaces ``year`` (``year_from=2019&year_to=2023``
→ ``year=2019-2023``; an open end is the first or last year there can be). A value
that cannot be a page number or a page size is a :class:`BadParameter`
(answered with 400, never 500). A page number that is not a whole number
from 1 to the last page is a :class:`BadPage`; :func:`search_page` runs the
search and says which pages exist (``页码须是 1 到 3 之间的整数，收到“99999”``),
the same words on the page and in the API. Report ids look like ``2021-河北省-廊坊市-霸州市``
(years, region names, ``-``, sometimes a short hex suffix); paragraph ids are
16 hex digits. Anything else is rejected before the index is asked.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from search.engine import MAX_PER_PAGE, SORTS, SearchRequest
from index.normalise import query_variants
from search.query import FILTER_NAMES, MAX_YEAR, MIN_YEAR, QueryError, parse_query, parse_year_range, phrases_of

__all__ = ["BadParameter", "BadPage", "search_request", "search_page", "without_page", "year_from_range",
           "year_bounds", "table_filters", "valid_report_id", "valid_paragraph_id", "query_phrases", "YEAR_RANGE_PARAMS"]

log = logging.getLogger(__name__)


class BadParameter(ValueError):
    """A URL parameter has a value that cannot be used (page, per_page, sort, an over-long filter)."""

    def __init__(self, name: str, message: str):
        self.name = name
        self.message = message
        super().__init__(message)


class BadPage(BadParameter):
    """A page number that is not a whole number from 1 to the last page (``pages`` when known)."""

    def __init__(self, raw: str, pages: int | None = None):
        self.raw = raw
        self.pages = pages
        valid = f"1 到 {pages} 之间的整数" if pages else "从 1 起的整数"
        super().__init__("page", f"页码须是 {valid}，收到“{raw[:20]}”")


#: The two inputs of a year-range form; together they stand for ``year``.
YEAR_RANGE_PARAMS = ("year_from", "year_to")
MAX_PAGE = 100_000
MAX_PARAM_LENGTH = 1000
MAX_REPORT_ID_LENGTH = 120

# letters of any script (CJK included), digits, '-', '_' and the middle dot of some place names
_REPORT_ID = re.compile(r"[\w\-·（）()]+")
_PARAGRAPH_ID = re.compile(r"[0-9a-f]{8,40}")


def _whole_number(raw: str, low: int, high: int) -> int | None:
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def _int(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    value = _whole_number(raw, low, high)
    if value is None:
        raise BadParameter(name, f"参数 {name} 须是 {low} 到 {high} 之间的整数，收到“{raw.strip()[:20]}”")
    return value


def _page(args: Mapping[str, str]) -> int:
    raw = args.get("page")
    if raw is None or raw == "":
        return 1
    value = _whole_number(raw, 1, MAX_PAGE)
    if value is None:
        raise BadPage(raw.strip())
    return value


def _year_input(args: Mapping[str, str], name: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or not MIN_YEAR <= int(raw) <= MAX_YEAR:
        label = "起始年份" if name == "year_from" else "截止年份"
        raise BadParameter(name, f"{label}须是 {MIN_YEAR}–{MAX_YEAR} 之间的四位年份，收到“{raw[:20]}”")
    return int(raw)


def year_from_range(args: Mapping[str, str]) -> str | None:
    """The ``year`` value of a form's ``year_from``/``year_to`` (``"2019-2023"``, ``"2021"``, or None for neither).

    Raises :class:`BadParameter` for a value that is not a year. A range
    written backwards is turned round (a reader means the years between).
    """
    low, high = (_year_input(args, n) for n in YEAR_RANGE_PARAMS)
    if low is None and high is None:
        return None
    low, high = low or MIN_YEAR, high or MAX_YEAR
    low, high = min(low, high), max(low, high)
    return str(low) if low == high else f"{low}-{high}"


def year_bounds(year: str | None) -> tuple[str, str]:
    """The (from, to) a year-range form shows for a ``year`` value; an open end shows as ``""``."""
    if not year:
        return "", ""
    try:
        low, high = parse_year_range(year)
    except QueryError:
        return "", ""
    return ("" if low == MIN_YEAR else str(low)), ("" if high == MAX_YEAR else str(high))


def search_request(args: Mapping[str, str], *, per_page: int = 10, group: bool = False) -> SearchRequest:
    """A request from URL parameters; raises :class:`BadParameter` for unusable values."""
    values: dict[str, str | None] = {}
    for name in ("q",) + FILTER_NAMES:
        v = (args.get(name) or "").strip()
        if len(v) > MAX_PARAM_LENGTH:
            raise BadParameter(name, f"参数 {name} 太长（最多 {MAX_PARAM_LENGTH} 个字符）")
        values[name] = v or None
    if any(n in args for n in YEAR_RANGE_PARAMS):
        values["year"] = year_from_range(args)
    sort = (args.get("sort") or "relevance").strip()
    if sort not in SORTS:
        raise BadParameter("sort", f"排序方式“{sort[:20]}”无法识别：可用 {'、'.join(SORTS)}")
    return SearchRequest(
        q=values.pop("q") or "",
        sort=sort,
        page=_page(args),
        per_page=_int(args, "per_page", per_page, 1, MAX_PER_PAGE),
        group=group,
        **values,
    )


#: The longest value of a table page's filter (targets, scorecard).
MAX_FILTER_LENGTH = 100


def table_filters(args: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """The named filters of a table page (``""`` for one not given), stripped; a ``year`` must be a year.

    Raises :class:`BadParameter` for a value over :data:`MAX_FILTER_LENGTH`
    characters or a year outside 1949–2100.
    """
    out = {k: (args.get(k) or "").strip() for k in names}
    for k, v in out.items():
        if len(v) > MAX_FILTER_LENGTH:
            raise BadParameter(k, f"参数 {k} 太长（最多 {MAX_FILTER_LENGTH} 个字符）")
    year = out.get("year")
    if year and not (year.isascii() and year.isdigit() and MIN_YEAR <= int(year) <= MAX_YEAR):
        raise BadParameter("year", f"参数 year 须是 {MIN_YEAR}–{MAX_YEAR} 之间的年份，收到“{year[:20]}”")
    return out


def without_page(args: Mapping[str, str]) -> dict[str, str]:
    """The parameters less ``page`` (first values), for answers that have no pages."""
    return {k: v for k, v in args.items() if k != "page"}


def search_page(engine, args: Mapping[str, str], *, per_page: int = 10, group: bool = False):
    """Run the search the parameters ask for; raises :class:`BadPage` naming the valid pages.

    A page number past the last page, or one that is not a whole number ≥ 1,
    gets the same :class:`BadPage` message (with the number of pages, so the
    search runs once more at page 1 to count them).
    """
    try:
        req = search_request(args, per_page=per_page, group=group)
    except BadPage as exc:
        first = engine.search(search_request(without_page(args), per_page=per_page, group=group))
        raise BadPage(exc.raw, first.pages) from None
    page = engine.search(req)
    if req.page > page.pages:
        raise BadPage(str(req.page), page.pages)
    return page


def valid_report_id(report_id: str) -> bool:
    """Whether a string can be a report id at all (checked before any lookup)."""
    return 0 < len(report_id) <= MAX_REPORT_ID_LENGTH and bool(_REPORT_ID.fullmatch(report_id))


def valid_paragraph_id(paragraph_id: str) -> bool:
    return bool(_PARAGRAPH_ID.fullmatch(paragraph_id))


def query_phrases(q: str) -> list[str]:
    """Every form of the phrases a query looks for (what a page marks); ``[]`` for a query that cannot be parsed."""
    try:
        tree = parse_query(q)
    except QueryError:
        return []
    return [v for p in phrases_of(tree) for v in query_variants(p)]
