"""Validate one suite where its table is: one query counts every expectation's considered
and failing rows, and each failed expectation fetches its first failing rows (capped, in
the report's order) with the columns its message quotes. The cost grows with the table,
never with how many rows fail.

Returns the pipeline's `SuiteResult` and GX's validation result of the same suite, as
the plain dict GX serialises one to (`ExpectationSuiteValidationResult.to_json_dict`),
which the run's report stores and renders in Data Docs (`quality.gx_results`). GX itself
is not imported here.
"""

from __future__ import annotations

import datetime
import decimal
from importlib.metadata import version

from orchestration.lib.quality.relations import Relation
from orchestration.lib.quality.results import (
    ERROR,
    MAX_PROBLEMS_PER_EXPECTATION,
    WARNING,
    ExpectationFailure,
    SuiteResult,
    problem_from_row,
)
from orchestration.lib.quality.sql_rules import TABLE_TYPES, Rule, resolve, rule, table_success
from orchestration.lib.quality.sql_text import identifier

# Failing values a GX result lists (`partial_unexpected_list`), as before with GX.
PARTIAL = 5


def validate(
    connection,
    suite_json: dict,
    relation: Relation,
    parameters: dict,
    max_problems: int = MAX_PROBLEMS_PER_EXPECTATION,
) -> tuple[SuiteResult, list[dict]]:
    """`connection`: a DB-API connection with `execute(sql)` (DuckDB's, or psycopg's).
    Returns the suite's result and GX's result of each expectation (dicts)."""
    expectations = suite_json["expectations"]
    report_columns = suite_json["meta"]["report_columns"]
    try:
        columns = columns_of(connection, relation)
    except Exception as error:  # the suite's rows cannot be queried: every rule says so
        return all_raised(suite_json, str(error))
    kept = kept_columns(columns, suite_json)
    rules: list[Rule | Exception] = []
    for index, expectation in enumerate(expectations):
        try:
            rules.append(
                rule(index, expectation["type"], resolve(expectation["kwargs"], parameters))
            )
        except (KeyError, ValueError) as error:
            rules.append(error)
    column_rules = [r for r in rules if isinstance(r, Rule) and r.type not in TABLE_TYPES]
    row_count, counts, errors = _counts(connection, relation, column_rules)
    words = {key: value for key, value in parameters.items() if isinstance(value, str | int)}
    table = suite_json["meta"]["table"]
    failures, gx_results = [], []
    for expectation, item in zip(expectations, rules, strict=True):
        meta = expectation.get("meta") or {}
        severity = ERROR if expectation.get("severity") == "critical" else WARNING
        error = item if isinstance(item, Exception) else errors.get(item.index)
        if error is not None:
            message = str(error) or "the expectation could not run"
            literal = message.replace("{", "{{").replace("}", "}}")
            failures.append(
                expectation_failure(
                    expectation,
                    meta,
                    severity,
                    1,
                    [],
                    [problem_from_row(table, {"problem": literal}, {})],
                )
            )
            gx_results.append(gx_raised(expectation, parameters, message))
            continue
        if item.type in TABLE_TYPES:
            passed, observed = table_success(item, kept, row_count)
            gx_results.append(_gx_result(expectation, item, passed, {"observed_value": observed}))
            if not passed:
                failures.append(
                    expectation_failure(
                        expectation,
                        meta,
                        severity,
                        1,
                        [],
                        [problem_from_row(table, meta, {}, words)],
                    )
                )
            continue
        considered, unexpected = counts[item.index]
        rows = []
        if unexpected:
            wanted = [c for c in dict.fromkeys([*report_columns, *item.columns]) if c in columns]
            order = [c for c in relation.order if c in columns]
            rows = _failing_rows(connection, relation, item, wanted, order, max_problems)
        values = [failing_value(row, item.columns) for row in rows]
        gx_results.append(
            _gx_result(
                expectation,
                item,
                not unexpected,
                _column_result(row_count, considered, unexpected, values, rows, report_columns),
            )
        )
        if unexpected:
            problems = [problem_from_row(table, meta, row, words) for row in rows]
            failures.append(
                expectation_failure(
                    expectation, meta, severity, unexpected, values[:PARTIAL], problems
                )
            )
    result = SuiteResult(
        suite=suite_json["name"], table=table, evaluated=len(expectations), failures=failures
    )
    return result, gx_results


def columns_of(connection, relation: Relation) -> list[str]:
    cursor = connection.execute(f"select * from ({relation.sql}) checked where false")
    return [column[0] for column in cursor.description]


def kept_columns(columns: list[str], suite_json: dict) -> list[str]:
    """The columns the table-column expectations see: those the suite or its messages
    read, as GX was given before (so `exact_match` speaks of the contract's columns, and a
    column added for another reader, such as `programme_id`, is not a mismatch)."""
    read: set[str] = set(suite_json["meta"]["report_columns"])
    for expectation in suite_json["expectations"]:
        kwargs = expectation["kwargs"]
        read.update(
            v for k in ("column", "column_A", "column_B") if isinstance(v := kwargs.get(k), str)
        )
        for key in ("column_list", "column_set"):
            read.update(kwargs.get(key) or ())
    return [column for column in columns if column in read]


def _with_flags(relation: Relation, rules: list[Rule]) -> str:
    windows = "".join(f", {r.window} as rule_{r.index}_rows" for r in rules if r.window)
    return f"with checked as ({relation.sql}), flagged as (select checked.*{windows} from checked)"


def _counts(connection, relation: Relation, rules: list[Rule]):
    """The row count and, per rule, its considered and unexpected rows, in one pass; a
    rule whose SQL fails (a column the table lacks) is counted alone, and its error kept."""

    def query(items: list[Rule]) -> tuple:
        sums = "".join(
            f", sum(case when {r.considered} then 1 else 0 end)"
            f", sum(case when {r.unexpected} then 1 else 0 end)"
            for r in items
        )
        return connection.execute(
            f"{_with_flags(relation, items)} select count(*){sums} from flagged"
        ).fetchone()

    errors: dict[int, Exception] = {}
    try:
        found = query(rules)
        parts = [(rules, found)]
    except Exception:
        parts = []
        for item in rules:
            try:
                parts.append(([item], query([item])))
            except Exception as error:
                errors[item.index] = error
        if not parts:
            parts = [([], query([]))]
    counts = {}
    for items, found in parts:
        for n, item in enumerate(items):
            counts[item.index] = (int(found[1 + 2 * n] or 0), int(found[2 + 2 * n] or 0))
    return int(parts[0][1][0]), counts, errors


def _failing_rows(connection, relation, item: Rule, columns, order, limit) -> list[dict]:
    names = ", ".join(identifier(c) for c in columns)
    by = f" order by {', '.join(identifier(c) for c in order)}" if order else ""
    cursor = connection.execute(
        f"{_with_flags(relation, [item])} select {names} from flagged "
        f"where {item.unexpected}{by} limit {int(limit)}"
    )
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def failing_value(row: dict, columns: list[str]):
    """The failing row's value of the rule's column (a pair's two), as a sample lists it."""
    if len(columns) == 2:
        return [_plain(row.get(columns[0])), _plain(row.get(columns[1]))]
    return _plain(row.get(columns[0]))


def expectation_failure(expectation, meta, severity, count, sample, problems) -> ExpectationFailure:
    kwargs = expectation["kwargs"]
    column = kwargs.get("column") or kwargs.get("column_A") or ""
    kind = expectation["type"]
    return ExpectationFailure(
        expectation=f"{kind}({column})" if column else kind,
        severity=severity,
        rule=meta.get("contract_rule", ""),
        unexpected_count=count,
        sample=sample,
        problems=problems,
        read_back=bool(meta.get("read_back")),
    )


def all_raised(suite_json: dict, message: str) -> tuple[SuiteResult, list[dict]]:
    literal = message.replace("{", "{{").replace("}", "}}")
    table = suite_json["meta"]["table"]
    failures = [
        expectation_failure(
            e,
            e.get("meta") or {},
            ERROR if e.get("severity") == "critical" else WARNING,
            1,
            [],
            [problem_from_row(table, {"problem": literal}, {})],
        )
        for e in suite_json["expectations"]
    ]
    result = SuiteResult(
        suite=suite_json["name"],
        table=table,
        evaluated=len(suite_json["expectations"]),
        failures=failures,
    )
    return result, [gx_raised(e, {}, message) for e in suite_json["expectations"]]


# GX's result dicts, as `ExpectationValidationResult.to_json_dict` writes them.


def _config(expectation: dict, kwargs: dict) -> dict:
    return {
        "type": expectation["type"],
        "kwargs": {key: _plain_deep(value) for key, value in kwargs.items()},
        "meta": expectation.get("meta") or {},
        "severity": expectation.get("severity", "critical"),
    }


def _gx_result(expectation: dict, item: Rule, success: bool, result: dict) -> dict:
    return {
        "success": bool(success),
        "expectation_config": _config(expectation, item.kwargs),
        "result": result,
        "meta": {},
        "exception_info": {
            "raised_exception": False,
            "exception_message": None,
            "exception_traceback": None,
        },
    }


def gx_raised(expectation: dict, parameters: dict, message: str) -> dict:
    try:
        kwargs = resolve(expectation["kwargs"], parameters)
    except KeyError:
        kwargs = expectation["kwargs"]
    return {
        "success": False,
        "expectation_config": _config(expectation, kwargs),
        "result": {},
        "meta": {},
        "exception_info": {
            "raised_exception": True,
            "exception_message": message,
            "exception_traceback": None,
        },
    }


def _column_result(elements, considered, unexpected, values, rows, index_columns) -> dict:
    missing = elements - considered
    counts: dict = {}
    for value in values[:PARTIAL]:
        key = repr(value)
        counts.setdefault(key, {"value": value, "count": 0})["count"] += 1
    return {
        "element_count": elements,
        "missing_count": missing,
        "missing_percent": _percent(missing, elements),
        "unexpected_count": unexpected,
        "unexpected_percent": _percent(unexpected, considered),
        "unexpected_percent_total": _percent(unexpected, elements),
        "unexpected_percent_nonmissing": _percent(unexpected, considered),
        "partial_unexpected_list": values[:PARTIAL],
        "partial_unexpected_counts": list(counts.values()),
        "unexpected_index_column_names": [c for c in index_columns if rows and c in rows[0]],
        "partial_unexpected_index_list": [_plain_deep(r) for r in rows[:PARTIAL]],
        # Capped: the first failing rows only, whatever `unexpected_count` says.
        "unexpected_index_list": [_plain_deep(r) for r in rows],
        "unexpected_list": values,
    }


def _percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def _plain(value):
    """A value as JSON holds it (dates and decimals as text)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    return str(value)


def _plain_deep(value):
    if isinstance(value, dict):
        return {key: _plain_deep(v) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_deep(v) for v in value]
    return _plain(value)


def suite_result_dict(
    suite_json: dict, results: list[dict], run_name: str | None, run_time: str
) -> dict:
    """GX's validation result of the suite (`ExpectationSuiteValidationResult` as a dict)."""
    successful = sum(1 for r in results if r["success"])
    return {
        "success": all(r["success"] for r in results),
        "results": results,
        "suite_name": suite_json["name"],
        "suite_parameters": {},
        "statistics": {
            "evaluated_expectations": len(results),
            "successful_expectations": successful,
            "unsuccessful_expectations": len(results) - successful,
            "success_percent": _percent(successful, len(results)) if results else None,
        },
        "meta": {
            "active_batch_definition": {
                "datasource_name": "warehouse",
                "data_connector_name": "fluent",
                "data_asset_name": suite_json["name"],
                "batch_identifiers": {"table": suite_json["meta"]["table"]},
            },
            "batch_spec": {"query": f"quality.relations.{suite_json['name']}"},
            "great_expectations_version": version("great_expectations"),
            "run_id": {"run_name": run_name, "run_time": run_time},
            "validation_time": run_time,
            "checkpoint_id": None,
        },
    }
