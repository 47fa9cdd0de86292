"""The scorecard: each year's targets against the results the next year's report states.

Vocabulary (rows, indicators, qualifiers and kinds are :mod:`search.targets`'):

* a **line** of the scorecard (:class:`ScoreLine`) is one region, one indicator
  and one year Y: the **target** row the region's report of year Y sets
  (``经济增长7%左右``) beside the **result** row the same region's report of year
  Y+1 states for Y (``全年生产总值增长4.5%``). Both keep their paragraph, so each
  side can be checked. Indicator names are matched through the targets table's
  normalisation (经济增长 = 生产总值 = 地区生产总值). Where a report sets several
  targets for one indicator (``增长7.5%，达到326.4亿元``) the growth rate is the
  line's target; the result is the first one in the same unit family.
* the **verdict** is one of :data:`VERDICTS`:

  - ``met`` (完成) and ``missed`` (未完成), with the **gap**: the result minus
    the target's bound, in percentage points for a rate and in the target's unit
    otherwise (``-2.5`` points: the result fell short by 2.5 points);
  - ``no_result`` (未见结果): the index has no report of Y+1 for the region, or
    that report states no figure for the indicator;
  - ``not_comparable`` (无法比较), with the reason: a growth rate against a level
    (``达到3200亿元`` says nothing about growth), units of different kinds, or
    a target in step with growth (同步) whose two growth rates are not stated.

* the **bound** a result is held to comes from the qualifier. For indicators
  where more is better: ``以上`` and no qualifier need the result at or above
  the target; ``左右`` allows :data:`ABOUT_POINTS` (0.5 percentage points) below
  a rate, or :data:`ABOUT_SHARE` (5 %) below a level; ``以内``/``以下`` need it at
  or below. For the **ceiling indicators** (:data:`CEILING_INDICATORS`: 失业率,
  居民消费价格, 单位GDP能耗 whose falls are negative figures) every target is a
  ceiling: ``左右`` allows the same margin above, anything else needs the result at
  or below (``能耗下降3.4%以上`` is -3.4: met by -5, missed by -2). A range
  (``6-6.5%``) is held to its lower end. ``同步`` (income growing in step with
  the economy) is met when income growth is at least GDP growth less 0.5 points,
  both as the next report states them.

:func:`scorecard` is the one data function: the page, ``/scorecard.csv``,
``/api/scorecard`` and ``baogao scorecard`` all call it.
"""
from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from index.report import LEVEL_LABELS, Region

from .query import level_name
from .targets import INDICATORS, TargetRow, indicator_name, targets_for_engine

__all__ = [
    "ABOUT_POINTS",
    "ABOUT_SHARE",
    "CEILING_INDICATORS",
    "VERDICTS",
    "VERDICT_LABELS",
    "ScorecardError",
    "ScoreLine",
    "Scorecard",
    "scorecard",
    "level_label",
]

log = logging.getLogger(__name__)


class ScorecardError(ValueError):
    """A filter cannot be used (an unknown indicator or level); the message is Chinese."""


#: How far below (above, for a ceiling) a ``左右`` target a rate may land and still count as met.
ABOUT_POINTS = 0.5
#: The same margin for a level (亿元, 万人 …), as a share of the target.
ABOUT_SHARE = 0.05
#: Indicators where less is better: every target is a ceiling.
CEILING_INDICATORS = frozenset({"城镇调查失业率", "城镇登记失业率", "居民消费价格", "单位GDP能耗"})
VERDICTS = ("met", "missed", "no_result", "not_comparable")
VERDICT_LABELS = {"met": "完成", "missed": "未完成", "no_result": "未见结果", "not_comparable": "无法比较"}

# unit → (family, factor to the family's base unit)
_UNIT_SCALE = {
    "%": ("rate", 1.0),
    "元": ("yuan", 1.0), "万元": ("yuan", 1e4), "亿元": ("yuan", 1e8), "万亿元": ("yuan", 1e12),
    "万美元": ("usd", 1e4), "亿美元": ("usd", 1e8), "万亿美元": ("usd", 1e12),
    "吨": ("kg", 1e3), "万吨": ("kg", 1e7), "亿吨": ("kg", 1e11), "亿公斤": ("kg", 1e8),
    "万斤": ("kg", 0.5e4), "亿斤": ("kg", 0.5e8), "万亿斤": ("kg", 0.5e12),
    "人": ("people", 1.0), "万人": ("people", 1e4),
}


@dataclass(frozen=True)
class ScoreLine:
    """One region's target for one indicator and year, against the next report's result."""

    region: Region
    indicator: str
    year: int
    target: TargetRow
    result: TargetRow | None
    verdict: str
    gap: float | None
    gap_unit: str
    reason: str
    result_report_id: str | None
    bound: float | None = None
    ceiling: bool = False

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def gap_text(self) -> str:
        """The result against the target itself (not the 左右 margin): ``差2.5个百分点``, ``高出0.3个百分点``,
        for a ceiling ``低于目标1个百分点`` / ``高于目标0.2个百分点``, for a fall ``多降1.6个百分点``; or ``""``."""
        if self.gap is None:
            return ""
        if abs(self.gap) < 1e-9:
            return "恰好持平" if self.indicator == "居民人均可支配收入" and self.target.qualifier == "同步" \
                else "恰好达到目标"
        amount = f"{_number(abs(self.gap))}{self.gap_unit}"
        if self.ceiling and self.target.value is not None and self.target.value < 0:
            return f"多降{amount}" if self.gap > 0 else f"少降{amount}"
        if self.ceiling:
            return f"低于目标{amount}" if self.gap > 0 else f"高于目标{amount}"
        if self.target.qualifier == "同步":
            return f"比经济增长快{amount}" if self.gap > 0 else f"比经济增长慢{amount}"
        return f"高出{amount}" if self.gap > 0 else f"差{amount}"

    @property
    def explanation(self) -> str:
        """The verdict in one Chinese phrase: ``未完成（差2.5个百分点）``, ``无法比较：…``."""
        if self.verdict in ("met", "missed"):
            detail = "；".join(x for x in (self.gap_text, self.reason) if x)
            return f"{self.verdict_label}（{detail}）" if detail else self.verdict_label
        return f"{self.verdict_label}：{self.reason}"

    def as_dict(self, url_for_paragraph=lambda pid: "") -> dict:
        def side(row: TargetRow | None) -> dict | None:
            if row is None:
                return None
            return {"report_id": row.report_id, "year": row.year, "value": row.value, "value_high": row.value_high,
                    "unit": row.unit, "qualifier": row.qualifier, "display": row.display, "excerpt": row.excerpt,
                    "paragraph_id": row.paragraph_id, "paragraph_number": row.paragraph_number,
                    "url": url_for_paragraph(row.paragraph_id)}

        return {
            "region": self.region.as_dict(),
            "region_display": self.region.display,
            "indicator": self.indicator,
            "year": self.year,
            "target": side(self.target),
            "result": side(self.result),
            "result_report_id": self.result_report_id,
            "verdict": self.verdict,
            "verdict_label": self.verdict_label,
            "gap": None if self.gap is None else round(self.gap, 4),
            "gap_unit": self.gap_unit,
            "gap_text": self.gap_text,
            "bound": self.bound,
            "ceiling": self.ceiling,
            "reason": self.reason,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Scorecard:
    """The lines the filters keep, their verdict counts and the summary sentence."""

    lines: list[ScoreLine]
    filters: dict[str, str]
    counts: dict[str, int] = field(default_factory=dict)
    summary: str = ""

    def as_dict(self, url_for_paragraph=lambda pid: "") -> dict:
        return {"params": {k: v for k, v in self.filters.items() if v}, "summary": self.summary,
                "total": len(self.lines), "counts": self.counts,
                "lines": [line.as_dict(url_for_paragraph) for line in self.lines]}


def _number(v: float) -> str:
    return f"{round(v, 2):g}"


# -- one line ---------------------------------------------------------------------------------


def _family(unit: str) -> tuple[str, float] | None:
    return _UNIT_SCALE.get(unit)


def _pick_target(rows: list[TargetRow]) -> TargetRow:
    """The line's target among one report's targets for one indicator: a rate first, then the first stated."""
    return min(rows, key=lambda r: (r.value is not None and r.unit != "%", r.paragraph_number))


def _pick_result(target: TargetRow, rows: list[TargetRow]) -> TargetRow | None:
    """The first result in the target's unit family, else the first result at all (to say why it cannot count)."""
    fam = _family(target.unit)
    same = [r for r in rows if r.value is not None and fam is not None and _family(r.unit)
            and _family(r.unit)[0] == fam[0]]
    pool = same or [r for r in rows if r.value is not None]
    return min(pool, key=lambda r: r.paragraph_number) if pool else None


def _judge(indicator: str, target: TargetRow, result: TargetRow,
           in_step_with: TargetRow | None = None) -> dict:
    """verdict, gap, gap_unit, reason, bound and ceiling for a target and a result that exist."""
    if target.qualifier == "同步":
        if result.unit != "%":
            return _not_comparable(f"目标为与经济增长同步，结果只给出总量{result.display}")
        if in_step_with is None or in_step_with.unit != "%":
            return _not_comparable("目标为与经济增长同步，次年报告未给出经济增长速度")
        gap = result.value - in_step_with.value
        return {"verdict": "met" if gap >= -ABOUT_POINTS - 1e-9 else "missed", "gap": _signed(gap),
                "gap_unit": "个百分点", "bound": in_step_with.value - ABOUT_POINTS, "ceiling": False,
                "reason": f"经济增长{in_step_with.display}，同步按相差{ABOUT_POINTS}个百分点以内计"}
    t_fam, r_fam = _family(target.unit), _family(result.unit)
    if t_fam is None or r_fam is None or t_fam[0] != r_fam[0]:
        if target.unit == "%":
            return _not_comparable(f"目标是增速{target.display}，结果只给出总量{result.display}")
        if result.unit == "%":
            return _not_comparable(f"目标是总量{target.display}，结果只给出增速{result.display}")
        return _not_comparable(f"单位不同：目标{target.unit}，结果{result.unit}")
    value = result.value * r_fam[1] / t_fam[1]  # the result in the target's unit
    rate = target.unit == "%"
    margin = ABOUT_POINTS if rate else abs(target.value) * ABOUT_SHARE
    unit = "个百分点" if rate else target.unit
    about = target.qualifier == "左右"
    reason = (f"左右按{ABOUT_POINTS}个百分点计" if rate else f"左右按目标的{ABOUT_SHARE:.0%}计") if about else ""
    ceiling = indicator in CEILING_INDICATORS or target.qualifier in ("以内", "以下")
    if ceiling:
        top = target.value if target.value_high is None else max(target.value, target.value_high)
        bound = top + margin if about else top
        gap, met = top - value, value <= bound + 1e-9
    else:
        bound = target.value - margin if about else target.value
        gap, met = value - target.value, value >= bound - 1e-9
    return {"verdict": "met" if met else "missed", "gap": _signed(gap), "gap_unit": unit,
            "reason": reason, "bound": bound, "ceiling": ceiling}


def _not_comparable(reason: str) -> dict:
    return {"verdict": "not_comparable", "gap": None, "gap_unit": "", "reason": reason, "bound": None,
            "ceiling": False}


def _signed(gap: float) -> float:
    return 0.0 if abs(gap) < 1e-9 else gap


# -- the table ----------------------------------------------------------------------------------


def _region_key(region: Region) -> tuple:
    return (region.level, region.province, region.prefecture, region.county)


def _level(value: str) -> str:
    level = level_name(value)
    if level is None:
        raise ScorecardError(f"级别“{value[:20]}”无法识别：可用 national/全国、province/省级、prefecture/地级、county/县级")
    return level


def _matches(name: str | None, wanted: str) -> bool:
    return bool(name) and (name == wanted or name.startswith(wanted))


def _lines(rows: list[TargetRow]) -> list[ScoreLine]:
    """Every line the table allows, in year, region, indicator order."""
    targets: dict[tuple, dict[str, list[TargetRow]]] = defaultdict(lambda: defaultdict(list))
    results: dict[tuple, dict[str, list[TargetRow]]] = defaultdict(lambda: defaultdict(list))
    reports: dict[tuple, str] = {}
    for r in rows:
        if r.year is None or r.region.level == "unknown":
            continue  # two reports of unknown places are not one region's
        key = (_region_key(r.region), r.year)
        reports.setdefault(key, r.report_id)
        (targets if r.kind == "target" else results)[key][r.indicator].append(r)
    rank = {name: i for i, name in enumerate(INDICATORS)}
    out: list[ScoreLine] = []
    for (rkey, year), by_indicator in targets.items():
        next_key = (rkey, year + 1)
        next_report = reports.get(next_key)
        for indicator, trows in by_indicator.items():
            target = _pick_target(trows)
            stated = results.get(next_key, {}).get(indicator, [])
            result = _pick_result(target, stated)
            if next_report is None:
                judged = {**_not_comparable(f"索引中没有该地区{year + 1}年的报告"), "verdict": "no_result"}
            elif result is None:
                judged = {**_not_comparable(f"{year + 1}年报告未给出{year}年{indicator}的结果"), "verdict": "no_result"}
            else:
                gdp = None
                if target.qualifier == "同步":
                    gdp = next((r for r in results.get(next_key, {}).get("地区生产总值", []) if r.unit == "%"), None)
                judged = _judge(indicator, target, result, gdp)
            out.append(ScoreLine(region=target.region, indicator=indicator, year=year, target=target, result=result,
                                 result_report_id=next_report, **judged))
    out.sort(key=lambda s: (-s.year, s.region.level != "national", s.region.display, rank[s.indicator]))
    return out


def _summary(lines: list[ScoreLine], filters: dict[str, str]) -> str:
    """``2023年：12个地区中7个未完成地区生产总值目标`` (one year and indicator), else the counts by verdict."""
    judged = [s for s in lines if s.verdict in ("met", "missed")]
    if filters.get("indicator") and filters.get("year"):
        missed = sum(s.verdict == "missed" for s in judged)
        text = f"{filters['year']}年：{len(judged)}个地区中{missed}个未完成{filters['indicator']}目标"
        others = len(lines) - len(judged)
        return text + (f"（另有{others}个地区未见结果或无法比较）" if others else "")
    c = Counter(s.verdict for s in lines)
    return f"{len(lines)}项目标：" + "，".join(f"{VERDICT_LABELS[v]}{c.get(v, 0)}项" for v in VERDICTS)


def scorecard(engine, *, indicator: str | None = None, year: int | None = None, province: str | None = None,
              prefecture: str | None = None, level: str | None = None) -> Scorecard:
    """The scorecard of an :class:`search.engine.Engine`'s index, narrowed by the filters.

    ``indicator`` takes any form of a name (``GDP``, ``经济增长``); ``year`` is the
    year the target was set for; ``province`` takes short names (河南) and 全国
    for the national reports; ``level`` national/province/prefecture/county or
    全国/省级/地级/县级. Raises :class:`ScorecardError` for an unknown indicator or level.
    """
    ind = None
    if indicator:
        ind = indicator_name(indicator)
        if ind is None:
            raise ScorecardError(f"指标“{indicator[:20]}”无法识别：可用 {'、'.join(INDICATORS)}")
    lvl = _level(level) if level else None
    lines = _lines(targets_for_engine(engine))
    kept = [
        s for s in lines
        if (ind is None or s.indicator == ind)
        and (year is None or s.year == year)
        and (not province or _matches(s.region.province, province)
             or (province == "全国" and s.region.level == "national"))
        and (not prefecture or _matches(s.region.prefecture, prefecture))
        and (lvl is None or s.region.level == lvl)
    ]
    filters = {"indicator": ind or "", "year": str(year) if year else "", "province": province or "",
               "prefecture": prefecture or "", "level": lvl or ""}
    counts = {v: sum(s.verdict == v for s in kept) for v in VERDICTS}
    return Scorecard(lines=kept, filters=filters, counts=counts, summary=_summary(kept, filters))


def level_label(level: str) -> str:
    """全国 / 省级 / 地级 / 县级 for a level name."""
    return LEVEL_LABELS.get(level, level)
