"""The quality checks alone, in a fresh process: every suite on a warehouse file, then the
Data Docs, with the time of each part and the process's peak memory. Whatever code is on
PYTHONPATH is measured, so two checkouts since issue 17 (the rules in SQL) can be compared
on the same file:

    python -m bench.checks_alone WAREHOUSE_FILE RAW_DIR      (prints one JSON object)
    python -m bench.checks_alone --grow-survey 29 WAREHOUSE_FILE OUT_FILE

--grow-survey writes a copy of the warehouse whose survey tables (raw responses and
answers, the answers' fact) hold each response N times over, under new response ids and
export names: x1000's 35,025 responses times 29 is a survey of 1,015,725 responses and 27
million answers (issue 17's size). Its `programme.toml` counts are then stale, so two
warnings fail on every response: the case whose cost must not grow with failing rows.
"""

from __future__ import annotations

import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

SURVEY_TABLES = ("raw.survey_answers", "raw.survey_responses", "marts.fct_survey_answers")


def checks_alone(warehouse_file: Path, raw_dir: Path) -> dict:
    started = time.perf_counter()
    from orchestration.lib import warehouse
    from orchestration.lib.programme import ProgrammeSettings
    from orchestration.lib.quality import gx_results, runner
    from orchestration.lib.quality.suites import suite_names

    programme = ProgrammeSettings.load(raw_dir)
    work = Path(tempfile.mkdtemp(prefix="checks-alone-"))
    failed, parts = {}, {}
    with warehouse.connect(warehouse_file, read_only=True, key=None) as connection:
        clock = time.perf_counter()
        (work / "results").mkdir()
        for name, result, found in runner.validate_on(connection, suite_names(), programme):
            (work / "results" / f"{name}.json").write_text(json.dumps(found))
            failed[name] = [(f.expectation, f.unexpected_count) for f in result.failures]
        parts["suites"] = time.perf_counter() - clock
        clock = time.perf_counter()
        gx_results.build_site(work / "results", work / "gx", work / "site")
        parts["docs"] = time.perf_counter() - clock
    shutil.rmtree(work, ignore_errors=True)
    return {
        "seconds": time.perf_counter() - started,
        **parts,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "failures": {name: found for name, found in failed.items() if found},
    }


def grow_survey(warehouse_file: Path, out_file: Path, times: int) -> dict:
    import duckdb

    shutil.copyfile(warehouse_file, out_file)
    with duckdb.connect(str(out_file)) as connection:
        connection.execute(
            "create temp table copies as select range as copy from range(?)", [times]
        )
        rows = {}
        for table in SURVEY_TABLES:
            columns = [c[0] for c in connection.execute(f"from {table} limit 0").description]
            renamed = {
                "response_id": "case when copy = 0 then response_id "
                "else response_id || '-c' || copy end as response_id",
                "source_file": "case when copy = 0 then source_file "
                "else replace(source_file, '.csv', '-c' || copy || '.csv') end as source_file",
            }
            selected = ", ".join(renamed.get(column, column) for column in columns)
            connection.execute(
                f"create table {table}_grown as select {selected} from {table}, copies"
            )
            connection.execute(f"drop table {table}")
            connection.execute(f"alter table {table}_grown rename to {table.split('.')[1]}")
            rows[table] = connection.execute(f"select count(*) from {table}").fetchone()[0]
        connection.execute("checkpoint")
    return rows


def main(argv: list[str]) -> int:
    if argv[0] == "--grow-survey":
        result = grow_survey(Path(argv[2]), Path(argv[3]), int(argv[1]))
    else:
        result = checks_alone(Path(argv[0]), Path(argv[1]))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
