"""A user's corrections to detected metadata: ``--meta FILE.csv``.

Vocabulary:

* *meta file* — a CSV with a header row holding at least the columns ``file``,
  ``region`` and ``year`` (in any order; other columns are kept in
  :attr:`~index.report.MetaOverride.extra` and otherwise ignored). The corpus's
  ``manifest.csv`` works as is. An empty ``region`` or ``year`` cell leaves that
  field to detection. ``region`` is a name as a user writes it (``霸州市``, ``廊坊``,
  ``national``); it is resolved later, against the report's year, by
  :func:`index.regions.resolve_region`.
* *row* — a line of the meta file, counted from 1 at the header, so row 2 is the
  first data line (as a spreadsheet shows it). Messages name it.
* *matching* — a row's ``file`` names a source when the two paths are equal, when the
  source path ends with ``/`` + ``file`` (a path relative to the corpus folder), or
  when their base names are equal. A file holding several reports (seed 004) has
  several rows; :func:`overrides_for` returns them all, in file order.
"""
from __future__ import annotations

import csv
import logging
from pathlib import Path, PurePath

from .report import MetaOverride
from .years import parse_chinese_year

__all__ = ["MetaFileError", "load_overrides", "overrides_for", "by_file_name", "file_name", "REQUIRED_COLUMNS"]

log = logging.getLogger(__name__)


class MetaFileError(ValueError):
    """Raised by :func:`load_overrides` when the meta file cannot be used: it is missing,
    not UTF-8 text, lacks one of the columns file/region/year, or a row has an empty
    file or a year that is not a year. The message is one line of Chinese and names
    the row."""


REQUIRED_COLUMNS = ("file", "region", "year")


def _norm(path: str) -> str:
    p = path.strip().replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p


def load_overrides(path: str | Path) -> list[MetaOverride]:
    """Read a meta file into one :class:`~index.report.MetaOverride` per data row.

    Raises :class:`MetaFileError` (see there for when).
    """
    p = Path(path)
    try:
        with open(p, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            fields = [c.strip() for c in (reader.fieldnames or [])]
            missing = [c for c in REQUIRED_COLUMNS if c not in fields]
            if missing:
                raise MetaFileError(f"元数据文件 {p.name} 第1行缺少列：{'、'.join(missing)}（需要 file、region、year）")
            out = []
            for i, raw in enumerate(reader, start=2):
                row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
                if not any(row.values()):
                    continue
                file = _norm(row.get("file", ""))
                if not file:
                    raise MetaFileError(f"元数据文件 {p.name} 第{i}行：file 列为空")
                year_text = row.get("year", "")
                year = None
                if year_text:
                    year = parse_chinese_year(year_text)
                    if year is None:
                        raise MetaFileError(f"元数据文件 {p.name} 第{i}行：年份“{year_text}”不是有效年份")
                region = row.get("region") or None
                extra = {k: v for k, v in row.items() if k not in REQUIRED_COLUMNS and k}
                out.append(MetaOverride(file=file, region=region, year=year, row=i, extra=extra))
    except FileNotFoundError as e:
        raise MetaFileError(f"找不到元数据文件 {p}") from e
    except UnicodeDecodeError as e:
        raise MetaFileError(f"元数据文件 {p.name} 不是 UTF-8 编码") from e
    except csv.Error as e:
        raise MetaFileError(f"元数据文件 {p.name} 不是有效的 CSV：{e}") from e
    log.debug("%s: %d override rows", p, len(out))
    return out


def _path_names(source: str, file: str) -> bool:
    src = _norm(source.split("#", 1)[0])
    return src == file or src.endswith("/" + file.lstrip("/"))


def _basename_names(source: str, file: str) -> bool:
    return file_name(source) == PurePath(file).name


def file_name(source: str) -> str:
    """The base name of a source (a path, ``#part`` dropped), as :func:`overrides_for` compares it."""
    return PurePath(_norm(source.split("#", 1)[0])).name


def by_file_name(overrides: list[MetaOverride]) -> dict[str, list[MetaOverride]]:
    """The rows grouped by their file's base name, each group in file order.

    Every row :func:`overrides_for` picks for a source has the source's base
    name, so ``overrides_for(source, by_file_name(rows).get(file_name(source), []))``
    equals ``overrides_for(source, rows)``: a build sends each file's worker
    its few rows rather than the whole ``--meta`` file (at 100M characters,
    5,000 rows pickled with each of 5,000 files took a fifth of the writer's time, py-spy).
    """
    groups: dict[str, list[MetaOverride]] = {}
    for o in overrides:
        groups.setdefault(PurePath(o.file).name, []).append(o)
    return groups


def overrides_for(source: str, overrides: list[MetaOverride]) -> list[MetaOverride]:
    """The rows whose ``file`` names this source, in file order (seed 004 has ten).

    A row names the source when the paths are equal or the source path ends with
    ``/`` + file; only when no row does so do rows with the same base name count
    (``hailar-gbk/2015.txt`` and ``national-gbk-scrape/2015.txt`` share one).
    """
    by_path = [o for o in overrides if _path_names(source, o.file)]
    if by_path:
        return by_path
    return [o for o in overrides if _basename_names(source, o.file)]
