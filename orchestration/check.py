"""`idream check`: would this raw folder run? Answered in seconds, writing no warehouse.

For the person who keeps the spreadsheets: the folder is read exactly as a run reads it
(the same ingest functions, so the same contract) and the raw tables are checked by the
same Great Expectations suites a run's first quality steps use. No dbt, no warehouse, no
brief. Participant ids are pseudonymised with a key made for this check and forgotten with
it. The survey's answers are spilled to Parquet in a temporary folder as a run's are (a
million responses do not fit in memory), and the folder is removed when the check ends,
however it ends: nothing the check holds outlives the process but its report.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from orchestration.check_tables import raw_tables
from orchestration.lib import ingest
from orchestration.lib.check_report import Finding
from orchestration.lib.errors import Problem, RawDataError, display_path
from orchestration.lib.programme import PROGRAMME_FILE, ProgrammeSettings, ProgrammeSettingsError
from orchestration.lib.spilled import SpilledTable, in_memory
from orchestration.lib.survey_export_rules import codebook_items

# A raw table as ingest gave it: a frame, or the survey's long tables spilled to Parquet.
RawTables = dict[str, pl.DataFrame | SpilledTable]


@dataclass(frozen=True)
class CheckOutcome:
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    suites: list[str] = field(default_factory=list)

    @property
    def would_run(self) -> bool:
        return not any(finding.severity == "error" for finding in self.findings)


# A run's report locates the first rows of a broken rule; the person fixing the folder
# needs every row, up to what a spreadsheet-sized report can usefully hold.
MAX_LOCATED_ROWS = 10_000


def check_raw_folder(raw_dir: Path, password: str | None = None) -> CheckOutcome:
    """A programme folder, or every programme of a root: each is checked as its own run
    would read it, and its findings name files relative to the root (`<folder>/...`), so
    that one report covers them all. A root that no run could list (a repeated id, a
    programme folder without a roster) is that listing's problems alone."""
    from orchestration.lib.programme_root import find_programmes

    try:
        listing = find_programmes(raw_dir)
    except RawDataError as error:
        return CheckOutcome([Finding.of(p, "error", "contract") for p in error.problems])
    if not listing.root:
        return check_folder(raw_dir, password)
    findings: list[Finding] = []
    files: list[str] = []
    suites: list[str] = []
    for programme in listing.programmes:
        outcome = check_folder(programme.folder, password)
        prefix = display_path(programme.folder, raw_dir) + "/"
        findings += [replace(finding, file=prefix + finding.file) for finding in outcome.findings]
        files += [prefix + name for name in outcome.files]
        suites += [f"{programme.id}: {suite}" for suite in outcome.suites]
    findings += [
        Finding(name, None, None, None, "not read: not a programme folder", "note", "")
        for name in listing.not_read
    ]
    return CheckOutcome(findings, files, suites)


def check_folder(raw_dir: Path, password: str | None = None) -> CheckOutcome:
    try:
        programme = ProgrammeSettings.load(raw_dir)
    except ProgrammeSettingsError as error:
        return CheckOutcome([Finding.of(Problem(PROGRAMME_FILE, str(error)), "error", "contract")])
    with tempfile.TemporaryDirectory(prefix="idream-check-") as workspace:
        tables, findings, files = _ingest_all(raw_dir, programme, password, Path(workspace))
        try:
            suites = _runnable_suites(tables)
            findings += _suite_findings(suites, tables, programme, Path(workspace))
        finally:
            _release(tables)
    # One cause can reach several steps (a symbolic link refuses the whole folder to
    # each of them): each problem is listed once.
    return CheckOutcome(list(dict.fromkeys(findings)), files, suites)


def _ingest_all(
    raw_dir: Path, programme: ProgrammeSettings, password: str | None, scratch: Path
) -> tuple[RawTables, list[Finding], list[str]]:
    """Every raw table ingest can read, and every problem of what it cannot: each kind of
    input is read even when another failed, so one check lists all there is to fix (the
    survey, read by the codebook's items, only once the codebook could be read; its
    responses and answers spilled under `scratch`)."""
    definition, key = programme.definition, secrets.token_bytes(32)
    steps: list[Callable[[RawTables], ingest.Landed | None]] = [
        lambda _: ingest.ingest_roster(raw_dir, definition, key, password),
        lambda _: ingest.ingest_success_markers(raw_dir, definition, key, False, password),
        lambda _: ingest.ingest_codebook(raw_dir, definition, password),
        lambda read: (
            ingest.ingest_survey(
                raw_dir,
                definition,
                codebook_items(in_memory(read["survey_codebook"])),
                password,
                scratch,
            )
            if "survey_codebook" in read
            else None
        ),
    ]
    tables: RawTables = {}
    findings: list[Finding] = []
    files: list[str] = []
    ignored: set[str] = set()
    for step in steps:
        try:
            landed = step(tables)
        except RawDataError as error:
            findings += [Finding.of(problem, "error", "contract") for problem in error.problems]
            continue
        if landed is None:
            continue
        tables |= landed.tables
        files += landed.files
        ignored |= set(landed.ignored_files)
    findings += [
        Finding(name, None, None, None, "not read: not a file the contract names", "note", "")
        for name in sorted(ignored)
    ]
    return tables, findings, files


def _release(tables: RawTables) -> None:
    """The spilled tables' Parquet parts, removed now rather than when Python collects
    their folder (which would warn; the check's temporary folder holds them anyway)."""
    for table in tables.values():
        if isinstance(table, SpilledTable):
            table.folder.cleanup()


def _runnable_suites(tables: RawTables) -> list[str]:
    """The raw suites whose tables were all read."""
    from orchestration.lib.quality.suites import load_suite, suite_names

    runnable = []
    for name in suite_names():
        meta = load_suite(name)["meta"]
        needed = [meta["table"], *meta["reads"]]
        if all(t.startswith("raw.") and t.removeprefix("raw.") in tables for t in needed):
            runnable.append(name)
    return runnable


def _suite_findings(
    suites: list[str], tables: RawTables, programme: ProgrammeSettings, workspace: Path
) -> list[Finding]:
    if not suites:
        return []
    from orchestration.lib.quality import runner

    def read(table: str) -> pl.DataFrame:
        # Only the codebook is read in Python (for its length), never the survey's long
        # tables. A table ingest could not read is empty here: only suites whose own
        # tables were all read run, but every suite's parameters are computed.
        return in_memory(tables.get(table.removeprefix("raw."), pl.DataFrame()))

    findings = []
    with raw_tables(tables, workspace) as connection:
        results = runner.validate_on(
            connection, suites, programme, max_problems=MAX_LOCATED_ROWS, read=read
        )
        for _, result, _ in results:
            for failure in result.failures:
                findings += [
                    Finding.of(problem, failure.severity, failure.rule, failure.read_back)
                    for problem in failure.problems
                ]
                listed = len(failure.problems)
                if failure.unexpected_count > listed:
                    findings.append(
                        Finding(
                            file=result.table,
                            sheet=None,
                            row=None,
                            column=None,
                            problem=f"... and {failure.unexpected_count - listed} more rows "
                            f"breaking the same rule",
                            severity=failure.severity,
                            rule=failure.rule,
                        )
                    )
    return findings
