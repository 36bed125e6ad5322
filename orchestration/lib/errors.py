"""The one error type for input that breaks the raw-data contract."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# A run over a badly broken file could otherwise produce thousands of lines; the first
# problems are what a person fixes first, and the count says how much is left.
MAX_REPORTED_PROBLEMS = 25


@dataclass(frozen=True)
class Problem:
    """One contract violation, located as precisely as the input allows."""

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class RawDataError(Exception):
    """Raised when raw input does not follow the contract; lists every problem found."""

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("RawDataError needs at least one problem")
        self.problems = problems
        shown = problems[:MAX_REPORTED_PROBLEMS]
        lines = [f"{len(problems)} problem(s) in the raw data:"]
        lines += [f"  - {problem}" for problem in shown]
        if len(problems) > len(shown):
            lines.append(f"  ... and {len(problems) - len(shown)} more")
        super().__init__("\n".join(lines))


def display_path(path: Path, raw_dir: Path) -> str:
    """Name a file relative to the raw folder (`survey/codebook.xlsx`), as its keepers know it.

    Also the lineage value stored with every landed row, so it must not depend on where
    the raw folder happens to live.
    """
    try:
        return path.relative_to(raw_dir).as_posix()
    except ValueError:
        return str(path)
