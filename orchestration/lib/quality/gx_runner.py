"""Run one suite with Great Expectations and turn its result into a `SuiteResult`.

GX 1.x has no Polars or DuckDB engine that works here (DuckDB is not a supported SQL
dialect), so a suite validates the pandas copy of its prepared frame. Each run keeps GX's stores
(suites, validation definitions, validation results) in a folder of its own under the
build folder: every check adds its validation there, and the run's Data Docs site is built
from them once. The context itself is GX's ephemeral one over those file stores: a file
context rewrites its great_expectations.yml on every data asset and batch definition
added, which was most of a suite's cost on the sample.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from orchestration.lib.quality.gx_results import run_context
from orchestration.lib.quality.results import (
    ERROR,
    MAX_PROBLEMS_PER_EXPECTATION,
    WARNING,
    ExpectationFailure,
    SuiteResult,
    problem_from_row,
)
from orchestration.lib.quality.suites import load_suite


def validate(
    name: str,
    frame: pl.DataFrame,
    parameters: dict,
    context_dir: Path,
    site_dir: Path,
    run_name: str | None = None,
    max_problems: int = MAX_PROBLEMS_PER_EXPECTATION,
) -> SuiteResult:
    """`parameters` (`quality.parameters.suite_parameters`) fill the suite's `$PARAMETER`
    values and its messages' `{expected_...}` words. `run_name` (the Dagster run id)
    names the validation in the Data Docs. `max_problems`: how many failing rows of an
    expectation are located (the count is always complete)."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    suite_json = load_suite(name)
    report_columns = [c for c in suite_json["meta"]["report_columns"] if c in frame.columns]
    # Only the columns the suite or its messages read: GX filters and hashes every column
    # of the batch it is given.
    # (A frame of no columns would have no rows: a row count needs one.)
    kept = [column for column in frame.columns if column in read_columns(suite_json)]
    frame = frame.select(list(dict.fromkeys([*kept, *report_columns]))) if kept else frame
    context = run_context(context_dir, site_dir)
    suite = context.suites.add_or_update(gx.ExpectationSuite(**suite_json))
    source = next(
        (s for s in context.data_sources.all().values() if s.name == "frames"), None
    ) or context.data_sources.add_pandas("frames")
    asset = next((a for a in source.assets if a.name == name), None) or source.add_dataframe_asset(
        name
    )
    batch = next((b for b in asset.batch_definitions if b.name == "whole"), None) or (
        asset.add_batch_definition_whole_dataframe("whole")
    )
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=batch, suite=suite)
    )
    # The validation definition's own `run` stores its result for the run's Data Docs, as a
    # checkpoint would; a checkpoint with no actions would only add its own bookkeeping.
    validation = definition.run(
        batch_parameters={"dataframe": for_pandas_engine(frame)},
        expectation_parameters=parameters,
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": report_columns,
            "partial_unexpected_count": 5,
        },
        run_id=RunIdentifier(run_name=run_name) if run_name else None,
    )
    return _suite_result(suite_json, validation.results, parameters, max_problems)


def read_columns(suite_json: dict) -> set[str]:
    """Every column an expectation of the suite names."""
    columns: set[str] = set()
    for expectation in suite_json["expectations"]:
        kwargs = expectation["kwargs"]
        for key in ("column", "column_A", "column_B"):
            if isinstance(kwargs.get(key), str):
                columns.add(kwargs[key])
        for key in ("column_list", "column_set"):
            columns.update(kwargs.get(key) or ())
    return columns


def for_pandas_engine(frame: pl.DataFrame):
    """The pandas copy GX validates, with every integer column as int64: GX's pandas engine
    vectorises `expect_column_values_to_be_between` only for int64 and float64 columns and
    calls a Python function per value for any other (Polars' Int32 and UInt32 arrive as
    int32 and uint32). At x1000 the checks took 18.8 s with them, 15.8 s without. (Text
    as Python objects instead of pandas' Arrow-backed strings was measured too: slower.)"""
    import polars.selectors as cs

    return frame.with_columns(cs.integer().cast(pl.Int64)).to_pandas()


def _suite_result(
    suite_json: dict, results, parameters: dict, max_problems: int = MAX_PROBLEMS_PER_EXPECTATION
) -> SuiteResult:
    table = suite_json["meta"]["table"]
    # The words a message may quote besides its row's values; value sets are for GX.
    words = {key: value for key, value in parameters.items() if isinstance(value, str | int)}
    failures = []
    for result in results:
        if result.success:
            continue
        config = result.expectation_config
        meta = config.meta or {}
        details = result.result or {}
        rows = details.get("unexpected_index_list") or []
        if result.exception_info and result.exception_info.get("raised_exception"):
            message = result.exception_info.get(
                "exception_message", "the expectation could not run"
            )
            # Not a template: braces in GX's text are its own.
            literal = message.replace("{", "{{").replace("}", "}}")
            problems = [problem_from_row(table, {"problem": literal}, {})]
        elif rows and isinstance(rows[0], dict):
            problems = [problem_from_row(table, meta, row, words) for row in rows[:max_problems]]
        else:
            problems = [problem_from_row(table, meta, {}, words)]
        column = config.kwargs.get("column") or config.kwargs.get("column_A") or ""
        failures.append(
            ExpectationFailure(
                expectation=f"{config.type}({column})" if column else config.type,
                severity=ERROR if str(config.severity.value) == "critical" else WARNING,
                rule=meta.get("contract_rule", ""),
                unexpected_count=int(details.get("unexpected_count") or len(rows) or 1),
                sample=[_plain(v) for v in (details.get("partial_unexpected_list") or [])[:5]],
                problems=problems,
                read_back=bool(meta.get("read_back")),
            )
        )
    return SuiteResult(
        suite=suite_json["name"], table=table, evaluated=len(results), failures=failures
    )


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)
