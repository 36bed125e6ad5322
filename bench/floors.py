"""The floors a pipeline stage is measured against, each run in a process of its own.

read:      the same raw files into memory with the fastest readers (fastexcel for
           workbooks; for CSVs the faster of DuckDB's and Polars' read_csv), nothing else,
           one file at a time or os.cpu_count() at once, whichever is faster: ingest
           reads files side by side, so the floor may too.
transform: `transform_floor.sql` (the dbt models by hand) on a bare DuckDB file holding a
           copy of the landed raw and reference tables; then its marts are compared with the
           pipeline's, so a floor that computes something else cannot pass unnoticed.
checks:    every suite's rules as bare SQL on the published warehouse: per suite one query
           counting each expectation's failing rows over the suite's rows (the same derived
           columns), nothing else: no failing rows fetched, no GX, no report, no Dagster.

python -m bench.floors read RAW_DIR | transform WAREHOUSE_FILE
                     | checks WAREHOUSE_FILE RAW_DIR      (prints one JSON object)
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

FLOOR_SQL = Path(__file__).with_name("transform_floor.sql")
SHEETS = {"participants.xlsx": ("participants",), "codebook.xlsx": ("items",)}
# (floor table, pipeline mart, columns compared): equal rows both ways, or the floor is wrong.
COMPARED = (
    ("mart_domain_rates", "mart_domain_rates", "cohort, domain, participants, achieved_n"),
    ("mart_survey_item_rates", "mart_survey_item_rates", "item_id, valid_n, top_box_n, skipped_n"),
    (
        "mart_survey_section_rates",
        "mart_survey_section_rates",
        "section, respondents, round(mean_top_box_rate, 9)",
    ),
    ("fct_success_markers", "fct_success_markers", "participant_key, domain, level, is_achieved"),
)


def read_floor(raw_dir: Path) -> dict:
    """Every workbook with fastexcel (the faster of typed and all-text loading), every CSV
    with the faster of DuckDB's read_csv (one connection) and Polars' read_csv; each
    also with a thread pool of os.cpu_count() readers, as ingest reads."""
    from orchestration.lib import raw_files

    paths = raw_files.all_raw_files(raw_dir)
    workbooks = [p for p in paths if p.suffix.lower() == ".xlsx"]
    csvs = [p for p in paths if p.suffix.lower() == ".csv"]
    # One untimed pass first: the first reader to run would otherwise also pay for loading
    # its library and for reading the files from disk into the page cache.
    _read_workbooks(workbooks, "string")
    _read_csvs_polars(csvs)
    _read_csvs_duckdb(csvs)
    xlsx = {
        f"{mode}{pooled}": _timed(
            _pooled(_read_workbooks) if pooled else _read_workbooks, workbooks, mode
        )
        for mode in ("string", "typed")
        for pooled in ("", "_parallel")
    }
    csv = {reader: _timed(reader_fn, csvs) for reader, reader_fn in CSV_READERS.items()}
    csv["polars_parallel"] = _timed(_pooled(_read_csvs_polars), csvs)
    seconds = min(s for s, _ in xlsx.values()) + min(s for s, _ in csv.values())
    rows = next(iter(xlsx.values()))[1] + next(iter(csv.values()))[1]
    return {
        "seconds": seconds,
        "rows": rows,
        "xlsx_seconds": {mode: s for mode, (s, _) in xlsx.items()},
        "csv_seconds": {reader: s for reader, (s, _) in csv.items()},
    }


def _timed(function, *args) -> tuple[float, int]:
    started = time.perf_counter()
    rows = function(*args)
    return time.perf_counter() - started, rows


def _pooled(read):
    """`read` over the files split among os.cpu_count() threads (fastexcel and Polars
    release the GIL while parsing); returns the total rows, as `read` does."""

    def pooled(paths: list[Path], *args) -> int:
        import os
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            return sum(pool.map(lambda path: read([path], *args), paths))

    return pooled


def _read_workbooks(paths: list[Path], mode: str) -> int:
    import fastexcel

    rows = 0
    for path in paths:
        workbook = fastexcel.read_excel(path)
        for sheet in SHEETS.get(path.name, workbook.sheet_names):
            options = {"dtypes": "string"} if mode == "string" else {}
            rows += workbook.load_sheet_by_name(sheet, **options).to_arrow().num_rows
    return rows


def _read_csvs_duckdb(paths: list[Path]) -> int:
    import duckdb

    with duckdb.connect() as connection:
        return sum(
            connection.read_csv(str(path), all_varchar=True).to_arrow_table().num_rows
            for path in paths
        )


def _read_csvs_polars(paths: list[Path]) -> int:
    import polars as pl

    rows = 0
    for path in paths:
        with path.open(encoding="utf-8-sig") as handle:
            header = handle.readline()
        separator = ";" if header.count(";") > header.count(",") else ","
        rows += pl.read_csv(path, separator=separator, infer_schema=False).height
    return rows


CSV_READERS = {"duckdb": _read_csvs_duckdb, "polars": _read_csvs_polars}


def transform_floor(warehouse_file: Path) -> dict:
    """Into a DuckDB file, as the pipeline must (its warehouse is a file): the raw tables
    and reference tables are copied in first, untimed; the timed part ends with a checkpoint."""
    import tempfile

    import duckdb

    raw_tables = (
        "participants",
        "success_markers",
        "success_marker_statuses",
        "survey_codebook",
        "survey_responses",
    )
    with (
        tempfile.TemporaryDirectory() as folder,
        duckdb.connect(str(Path(folder) / "bare.duckdb")) as connection,
    ):
        connection.execute(f"attach '{warehouse_file}' as pipeline (read_only)")
        for schema, tables in (
            ("raw", (*raw_tables, "survey_answers")),
            ("reference", ("domains", "marker_statuses", "survey_answer_categories")),
        ):
            connection.execute(f"create schema {schema}")
            for table in tables:
                connection.execute(
                    f"create table {schema}.{table} as select * from pipeline.{schema}.{table}"
                )
        connection.execute("checkpoint")
        started = time.perf_counter()
        connection.execute(FLOOR_SQL.read_text(encoding="utf-8"))
        connection.execute("checkpoint")
        seconds = time.perf_counter() - started
        differences = {
            mart: connection.execute(_difference_query(table, mart, columns)).fetchone()[0]
            for table, mart, columns in COMPARED
        }
    return {"seconds": seconds, "differing_rows": differences}


def _difference_query(floor_table: str, mart: str, columns: str) -> str:
    ours, theirs = f"floor.{floor_table}", f"pipeline.marts.{mart}"
    return (
        f"select count(*) from ((select {columns} from {ours} except all "
        f"select {columns} from {theirs}) union all "
        f"(select {columns} from {theirs} except all select {columns} from {ours}))"
    )


def checks_floor(warehouse_file: Path, raw_dir: Path) -> dict:
    """Each suite's failing rows counted in one query per suite, on a read-only connection
    to the warehouse the run published. The level patterns' rule is on the mart's own
    column, so its floor reads the mart (the run words its patterns in Python first)."""
    import duckdb

    from orchestration.lib.programme import ProgrammeSettings
    from orchestration.lib.quality import relations, sql_rules
    from orchestration.lib.quality.parameters import suite_parameters
    from orchestration.lib.quality.suites import load_suite, suite_names

    programme = ProgrammeSettings.load(raw_dir)
    with duckdb.connect(str(warehouse_file), read_only=True) as connection:
        parameters = suite_parameters(
            programme.definition, lambda table: connection.execute(f"from {table}").pl()
        )
        queries = {}
        for name in suite_names():
            relation = (
                "select * from marts.mart_marker_level_patterns"
                if name == "mart_marker_level_patterns"
                else relations.RELATIONS[name](programme).sql
            )
            rules = [
                sql_rules.rule(i, e["type"], sql_rules.resolve(e["kwargs"], parameters))
                for i, e in enumerate(load_suite(name)["expectations"])
            ]
            rules = [r for r in rules if r.unexpected]
            windows = "".join(f", {r.window} as rule_{r.index}_rows" for r in rules if r.window)
            sums = "".join(f", count(*) filter (where {r.unexpected})" for r in rules)
            queries[name] = (
                f"with checked as ({relation}), flagged as (select checked.*{windows} "
                f"from checked) select count(*){sums} from flagged"
            )
        started = time.perf_counter()
        failing = {name: sum(connection.execute(q).fetchone()[1:]) for name, q in queries.items()}
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "failing_rows": failing}


def main(argv: list[str]) -> int:
    kind, path, *rest = argv
    if kind == "read":
        result = read_floor(Path(path))
    elif kind == "checks":
        result = checks_floor(Path(path), Path(rest[0]))
    else:
        result = transform_floor(Path(path))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
