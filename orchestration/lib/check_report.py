"""The problems `idream check` found, as lines for the terminal and as a CSV report.

The report is for the person who keeps the spreadsheets: one row per problem with the
file, sheet, row and column a spreadsheet program shows, in the order they would fix them.
It holds the messages only. A value read back from the raw file (a participant code the
roster lacks) is shown on the terminal and never written (see lib/read_back.py).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.errors import Problem

REPORT_FILE = "problems.csv"
COLUMNS = ("severity", "file", "sheet", "row", "column", "problem", "rule")
SEVERITY_ORDER = {"error": 0, "warning": 1}


@dataclass(frozen=True)
class Finding:
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    problem: str
    severity: str  # "error" stops a run; "warning" does not
    rule: str
    read_back: bool = False

    @classmethod
    def of(cls, problem: Problem, severity: str, rule: str, read_back: bool = False) -> Finding:
        return cls(
            problem.file,
            problem.sheet,
            problem.row,
            problem.column,
            problem.message,
            severity,
            rule,
            read_back,
        )

    @property
    def location(self) -> Problem:
        return Problem(self.file, self.problem, self.sheet, self.row, self.column)


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Errors before warnings; then file, sheet and row, as a person works through them."""
    return sorted(
        findings,
        key=lambda f: (
            SEVERITY_ORDER.get(f.severity, 2),
            f.file,
            f.sheet or "",
            f.row if f.row is not None else -1,
        ),
    )


def terminal_lines(
    findings: list[Finding], read_back: Callable[[Problem], str | None] = lambda p: None
) -> list[str]:
    lines = []
    for finding in ordered(findings):
        value = read_back(finding.location) if finding.read_back else None
        shown = f" (the file says {value!r})" if value else ""
        lines.append(f"  {finding.severity:<7} {finding.location}{shown}")
    return lines


def write_report(findings: list[Finding], folder: Path, raw_dir: Path) -> Path:
    """`<folder>/problems.csv` (UTF-8 with a byte-order mark, so that Excel reads it as
    such). Never inside the raw folder: the raw files are the programme's, untouched."""
    folder = folder.resolve()
    if folder == raw_dir.resolve() or raw_dir.resolve() in folder.parents:
        raise ValueError(f"the report folder {folder} is inside the raw folder {raw_dir}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / REPORT_FILE
    temporary = path.with_name(f".{REPORT_FILE}.partial")
    with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for f in ordered(findings):
            row = "" if f.row is None else f.row
            writer.writerow(
                [f.severity, f.file, f.sheet or "", row, f.column or "", f.problem, f.rule]
            )
    temporary.replace(path)
    return path
