"""The scorecard against cases checked by hand on ``../shared/corpus``.

Each case is a region, an indicator and a year whose target (in that year's
report) and result (in the next year's report) were read by hand in the corpus
files; the case gives the target, the result and the verdict a careful reader
reaches (see :mod:`search.scorecard` for the conventions: 左右 within 0.5
points, ceilings for 失业率/物价/能耗, a level against a growth target not
comparable). The script prints each case as the scorecard has it and whether it
agrees, and exits non-zero when one does not.

    .venv/bin/python bench/scorecard_cases.py [CORPUS_DIR] [--index DIR]

The index defaults to ``var/bench/corpus-index`` (built from the corpus with its
manifest when missing, as ``bench/targets_precision.py`` does).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.targets_precision import CORPUS, DEFAULT_INDEX, ensure_corpus_index  # noqa: E402


@dataclass(frozen=True)
class Case:
    """A hand-checked line: where the two figures were read and what the verdict should be."""

    region: str  # Region.display
    indicator: str
    year: int
    target: str  # TargetRow.display
    result: str | None
    verdict: str
    where: str  # the files the figures were read from


CASES = (
    Case("河南省驻马店市", "地区生产总值", 2023, "7%左右", "4.5%", "missed",
         "zhumadian/2023 主要预期目标 经济增长7%左右; zhumadian/2024 全年生产总值增长4.5%"),
    Case("河南省驻马店市", "一般公共预算收入", 2023, "5.5%", "3.3%", "missed",
         "zhumadian/2023 一般公共预算收入增长5.5%; zhumadian/2024 一般公共预算收入增长3.3%"),
    Case("河南省驻马店市", "社会消费品零售总额", 2023, "7%左右", "6.5%", "met",
         "zhumadian/2023 增长7%左右; zhumadian/2024 增长6.5% (左右: within 0.5 points)"),
    Case("河南省驻马店市", "外贸进出口", 2023, "3%以上", "78.6亿元", "not_comparable",
         "zhumadian/2023 确保进出口增长3%以上; zhumadian/2024 only 完成进出口78.6亿元"),
    Case("河南省驻马店市", "城镇调查失业率", 2023, "5.5%以内", None, "no_result",
         "zhumadian/2023 控制在5.5%以内; zhumadian/2024 states no unemployment rate"),
    Case("河南省驻马店市", "地区生产总值", 2022, "8%左右", "3257.4亿元", "not_comparable",
         "zhumadian/2022 生产总值增长8%左右; zhumadian/2023 GDP达到3257.4亿元 and only a five-year average"),
    Case("河南省驻马店市", "地区生产总值", 2019, "8%以上", "7.4%", "missed",
         "zhumadian/2019 生产总值增长8%以上; zhumadian/2020 全市生产总值完成2742.06亿元，增长7.4%"),
    Case("河南省驻马店市", "粮食产量", 2016, "140亿斤以上", "132.5亿斤", "missed",
         "zhumadian/2016 确保粮食产量稳定在140亿斤以上; zhumadian/2017 粮食总产量132.5亿斤"),
    Case("内蒙古自治区呼伦贝尔市海拉尔区", "地区生产总值", 2016, "7.5%", "7.2%", "missed",
         "hailar-gbk/2016 地区生产总值增长7.5%; hailar-gbk/2017 同比增长7.2%"),
    Case("内蒙古自治区呼伦贝尔市海拉尔区", "城镇居民人均可支配收入", 2016, "8%", "7%", "missed",
         "hailar-gbk/2016 增长8%; hailar-gbk/2017 城镇常住居民人均可支配收入完成32943元，同比增长7%"),
    Case("全国", "地区生产总值", 2016, "6.5-7%", "6.7%", "met",
         "national 2016 国内生产总值增长6.5%－7%; 2017 增长6.7%"),
    Case("全国", "居民消费价格", 2016, "3%左右", "2%", "met",
         "national 2016 居民消费价格涨幅3%左右; 2017 居民消费价格上涨2%"),
    Case("全国", "单位GDP能耗", 2016, "-3.4%以上", "-5%", "met",
         "national 2016 能耗下降3.4%以上; 2017 单位国内生产总值能耗下降5%"),
    Case("全国", "地区生产总值", 2014, "7.5%左右", "7.4%", "met",
         "national 2014 国内生产总值增长7.5%左右; 2015 比上年增长7.4% (左右: within 0.5 points)"),
    Case("全国", "居民消费价格", 2007, "3%以内", "4.8%", "missed",
         "national 2007 居民消费价格总水平涨幅在3%以内; 2008 去年居民消费价格总水平比上年上涨4.8%"),
    Case("河南省", "地区生产总值", 2025, "5.5%左右", None, "no_result",
         "provinces-2025-docx 河南 经济增长5.5%左右; no 2026 provincial report in the corpus"),
    Case("浙江省", "地区生产总值", 2025, "5.5%左右", None, "no_result",
         "provinces-2025-docx 浙江 生产总值增长5.5%左右; no 2026 provincial report in the corpus"),
)


def main(argv: list[str]) -> int:
    from search.engine import Engine
    from search.scorecard import scorecard

    ap = argparse.ArgumentParser(description="the scorecard against hand-checked corpus cases")
    ap.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    ap.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    args = ap.parse_args(argv)
    ensure_corpus_index(args.index, args.corpus)
    engine = Engine(args.index)
    lines = {(s.region.display, s.indicator, s.year): s for s in scorecard(engine).lines}
    wrong = 0
    for c in CASES:
        s = lines.get((c.region, c.indicator, c.year))
        got = (s.target.display, s.result.display if s.result else None, s.verdict) if s else None
        ok = got == (c.target, c.result, c.verdict)
        wrong += not ok
        shown = s.explanation if s else "（记分卡中没有这一行）"
        print(f"{'agrees ' if ok else 'DIFFERS'}  {c.year} {c.region} {c.indicator}: 目标 {c.target} → 结果 "
              f"{c.result or '—'}，{c.verdict}  | baogao: {shown}")
        if not ok:
            print(f"         expected {(c.target, c.result, c.verdict)}, got {got}; {c.where}")
    engine.close()
    print(f"{len(CASES) - wrong} of {len(CASES)} hand-checked cases agree")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
