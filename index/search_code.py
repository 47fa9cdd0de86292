"""The bytes the search texts are stored and searched in: UTF-8 of the text with its commonest characters renumbered.

Vocabulary:

* the **ranks** are the characters commonest in government work reports, most
  common first (``index/data/character_ranks.txt``, made from the bundled
  sample by ``bench/index_data.py``; at most 2,048).
* **renumbering** gives the character of rank ``k`` the code point ``k``, so
  that UTF-8 writes the first 128 in one byte and the next 1,920 in two
  (UTF-8 writes any Chinese character in three, UTF-16 in two). A code point
  below 2,048 that is not ranked takes, in turn, the code point a ranked
  character left; every other character stays as it is. So renumbering is a
  permutation of the code points (of the Basic Multilingual Plane: nothing
  else moves): every text has exactly one renumbered form and back.
* the **search code** of a text is the UTF-8 of its renumbered form
  (:func:`encode`; :func:`decode` back). It keeps what made UTF-8 searchable:
  a character's first byte is never any character's later byte, so a phrase's
  code found anywhere in a text's code starts and ends on characters of the
  text (no check, unlike UTF-16, where a phrase can be found across two
  characters), and the byte ``0xFF`` never occurs (it ends a row).

At 100M characters the search texts take 146 MB in the search code, 198 MB in
UTF-16 and 275 MB in UTF-8. Ranks made from those reports themselves would
save 3 MB more; ranks from jieba's dictionary (general Chinese, not government
prose) 13 MB fewer. Renumbering a row costs about 5 µs each way (decoding
UTF-16 took 1.4). The ranks are part of the index format: changing them
means rebuilding indexes.
"""
from __future__ import annotations

from importlib import resources

import numpy as np

__all__ = ["RANKS", "encode", "encode_rows", "decode", "ROW_END"]

#: The byte after every row in a blob (never part of UTF-8).
ROW_END = b"\xff"
_BMP = 0x10000
_SEPARATOR = "\uffff"  # a noncharacter the fold drops (index.normalise): no search text holds it


def _load_ranks() -> str:
    text = resources.files("index").joinpath("data/character_ranks.txt").read_text(encoding="utf-8")
    ranks = "".join(text.split("\n"))
    if len(set(ranks)) != len(ranks) or len(ranks) > 2048 or any(
            ord(c) >= _BMP or 0xD800 <= ord(c) < 0xE000 or c == _SEPARATOR for c in ranks):
        raise ValueError("index/data/character_ranks.txt: at most 2,048 distinct characters of the BMP, no surrogate")
    return ranks


#: The ranked characters, commonest first.
RANKS = _load_ranks()


def _permutation(ranks: str) -> tuple[np.ndarray, np.ndarray]:
    """(forward, back): each BMP code point's renumbered code point, and the inverse."""
    forward = np.arange(_BMP, dtype=np.uint32)
    ranked = np.array([ord(c) for c in ranks], dtype=np.uint32)
    forward[ranked] = np.arange(len(ranks), dtype=np.uint32)
    # the unranked code points below len(ranks) go to the code points the ranked characters above it left
    displaced = np.flatnonzero(~np.isin(np.arange(len(ranks)), ranked))
    left = np.sort(ranked[ranked >= len(ranks)])
    forward[displaced] = left
    back = np.empty(_BMP, dtype=np.uint32)
    back[forward] = np.arange(_BMP, dtype=np.uint32)
    return forward.astype("<u2"), back.astype("<u2")


_FORWARD, _BACK = _permutation(RANKS)


def _renumber(text: str, table: np.ndarray) -> str:
    # through UTF-16: a character beyond the BMP is two surrogates there, which renumbering leaves as they are
    units = np.frombuffer(text.encode("utf-16-le"), dtype="<u2")
    return table[units].tobytes().decode("utf-16-le")


def encode(text: str) -> bytes:
    """The search code of ``text`` (U+FFFF dropped: the fold drops it too)."""
    return _renumber(text.replace(_SEPARATOR, ""), _FORWARD).encode("utf-8")


def decode(code: bytes) -> str:
    """The text whose search code is ``code``."""
    return _renumber(str(code, "utf-8"), _BACK)


def encode_rows(texts: list[str]) -> tuple[bytes, np.ndarray]:
    """The blob of ``texts``' search codes, each followed by :data:`ROW_END`, and its offsets (uint64, rows + 1),
    renumbered all at once."""
    offsets = np.zeros(len(texts) + 1, dtype="<u8")
    if not texts:
        return b"", offsets
    joined = _renumber(_SEPARATOR.join(t.replace(_SEPARATOR, "") for t in texts) + _SEPARATOR, _FORWARD)
    blob = joined.encode("utf-8").replace(_SEPARATOR.encode("utf-8"), ROW_END)  # U+FFFF stays where it is
    ends = np.flatnonzero(np.frombuffer(blob, dtype=np.uint8) == ROW_END[0])
    offsets[1:] = ends + 1
    return blob, offsets
