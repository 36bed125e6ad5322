"""The floors a pipeline stage is measured against, each run in a process of its own.

read:      the same raw files into memory with the fastest readers (fastexcel for
           workbooks, DuckDB's read_csv for CSVs), every cell as text, nothing else.
transform: `transform_floor.sql` (the dbt models by hand) on a bare in-memory DuckDB holding
           a copy of the landed raw tables and seeds; then its marts are compared with the
           pipeline's, so a floor that computes something else cannot pass unnoticed.

python -m bench.floors read RAW_DIR | transform WAREHOUSE_FILE   (prints one JSON object)
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
    ("mart_survey_item_rates", "mart_survey_item_rates", "item_id, valid_n, top2_n, skipped_n"),
    (
        "mart_survey_section_rates",
        "mart_survey_section_rates",
        "section, respondents, round(mean_top2_rate, 9)",
    ),
    ("fct_success_markers", "fct_success_markers", "participant_key, domain, level, is_achieved"),
)


def read_floor(raw_dir: Path) -> dict:
    import duckdb
    import fastexcel

    from orchestration.lib import raw_files

    started = time.perf_counter()
    rows = 0
    for path in raw_files.all_raw_files(raw_dir):
        if path.suffix.lower() == ".csv":
            with duckdb.connect() as connection:
                rows += connection.read_csv(str(path), all_varchar=True).to_arrow_table().num_rows
            continue
        workbook = fastexcel.read_excel(path)
        for sheet in SHEETS.get(path.name, workbook.sheet_names):
            rows += workbook.load_sheet_by_name(sheet, dtypes="string").to_polars().height
    return {"seconds": time.perf_counter() - started, "rows": rows}


def transform_floor(warehouse_file: Path) -> dict:
    import duckdb

    with duckdb.connect() as connection:
        connection.execute(f"attach '{warehouse_file}' as pipeline (read_only)")
        for schema, tables in (
            (
                "raw",
                (
                    "participants",
                    "success_markers",
                    "survey_codebook",
                    "survey_responses",
                    "survey_answers",
                ),
            ),
            ("reference", ("label_dictionary", "survey_answer_categories")),
        ):
            connection.execute(f"create schema {schema}")
            for table in tables:
                connection.execute(
                    f"create table {schema}.{table} as select * from pipeline.{schema}.{table}"
                )
        started = time.perf_counter()
        connection.execute(FLOOR_SQL.read_text(encoding="utf-8"))
        seconds = time.perf_counter() - started
        differences = {}
        for floor_table, mart, columns in COMPARED:
            query = (
                f"select count(*) from ((select {columns} from floor.{floor_table} except all "
                f"select {columns} from pipeline.marts.{mart}) union all "
                f"(select {columns} from pipeline.marts.{mart} except all "
                f"select {columns} from floor.{floor_table}))"
            )
            differences[mart] = connection.execute(query).fetchone()[0]
    return {"seconds": seconds, "differing_rows": differences}


def main(argv: list[str]) -> int:
    kind, path = argv
    result = read_floor(Path(path)) if kind == "read" else transform_floor(Path(path))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
