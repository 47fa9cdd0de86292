"""Numbers as Chinese reports write them: 一, 十二, 二十三, 二〇二一, 2O11, ２０２１.

Headings count with Chinese numerals (一、 … 十一、), dates and years mix
Chinese digits, ASCII and full-width digits, and the letter O for zero
(二O一一年). :func:`chinese_int` reads any of them.
"""
from __future__ import annotations

__all__ = ["DIGITS", "chinese_int"]

#: Every way a single digit is written in the corpus.
DIGITS: dict[str, int] = {
    "〇": 0, "零": 0, "○": 0, "◯": 0, "O": 0, "o": 0, "Ｏ": 0, "ｏ": 0, "Ο": 0,
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
for _i in range(10):
    DIGITS[str(_i)] = _i
    DIGITS[chr(0xFF10 + _i)] = _i


def chinese_int(s: str) -> int | None:
    """The number ``s`` writes, or None.

    ``十`` counts tens (十 = 10, 十二 = 12, 二十 = 20, 二十三 = 23); without it the
    characters are read digit by digit (二〇二一 = 2021, 2O11 = 2011).
    """
    s = s.strip()
    if not s:
        return None
    if "十" in s:
        left, _, right = s.partition("十")
        tens = DIGITS.get(left) if left else 1
        ones = DIGITS.get(right) if right else 0
        if tens is None or ones is None or "十" in right:
            return None
        return tens * 10 + ones
    digits = [DIGITS.get(c) for c in s]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))
