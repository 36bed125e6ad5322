"""The suites on the PostgreSQL team warehouse, validated by Great Expectations itself: its
PostgreSQL data source, one query asset per suite (the suite's query, `quality.relations`),
a whole-table batch, and GX's SQL execution engine counting and fetching in the server
(issue 15, item 3). DuckDB has no GX dialect, so there our own SQL does the same work
(`quality.evaluate`); on PostgreSQL GX does it, and the end-to-end tests hold each to the
other (tests/e2e/test_quality_sql_postgres.py).

Result format SUMMARY, never COMPLETE: GX then counts every failing row but fetches at
most `partial_unexpected_count` of them (`... where <unexpected> limit n` in
`_sqlalchemy_map_condition_index` and the unexpected-values metrics), so a check costs the
same whether 1 or 1,000,000 rows fail (issue 17). The rows come back with the suite's
report columns (`unexpected_index_column_names`), located as a run reports them.

The suite's query is computed once per suite, into a temporary table of GX's session
(`create_temp_table`), which GX's metric queries read.

GX's own validation result (`to_json_dict`) is what the run keeps for Data Docs; the
pipeline's `SuiteResult` is read from it here. GX is imported only on this path.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote

from orchestration.lib.build_store import PostgresStore
from orchestration.lib.postgres import CONNECT_TIMEOUT_SECONDS, WarehouseUrl
from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.quality import engines, evaluate, relations
from orchestration.lib.quality.parameters import suite_parameters
from orchestration.lib.quality.results import (
    ERROR,
    MAX_PROBLEMS_PER_EXPECTATION,
    WARNING,
    SuiteResult,
    problem_from_row,
)
from orchestration.lib.quality.sql_rules import TABLE_TYPES, resolve
from orchestration.lib.quality.sql_text import identifier
from orchestration.lib.quality.suites import load_suite

DATA_SOURCE = "warehouse"
# The driver the pipeline's own connections use (psycopg 3); SQLAlchemy 2.1 has its dialect.
DRIVER = "postgresql+psycopg"


def validate_suites(
    store: PostgresStore,
    names: list[str],
    programme: ProgrammeSettings,
    run_id: str | None = None,
    max_problems: int = MAX_PROBLEMS_PER_EXPECTATION,
) -> Iterator[tuple[str, SuiteResult, dict]]:
    """Each suite's result and GX's validation result of it (a dict), as
    `runner.validate_on` yields them for DuckDB. A psycopg session reads what is read in
    Python (the codebook's length, the level patterns' mart) and each query's columns."""
    schemas = engines.schemas_of(store)
    with engines.session(store) as session, _data_source(store.url) as source:
        read = engines.reader(session, schemas)
        parameters = suite_parameters(programme.definition, read)
        for name in names:
            suite_json = load_suite(name)
            relation = relations.relation_of(name, programme, schemas, read)
            yield (
                name,
                *validate(source, session, suite_json, relation, parameters, max_problems, run_id),
            )


def validate(
    source,
    session,
    suite_json: dict,
    relation,
    parameters: dict,
    max_problems: int = MAX_PROBLEMS_PER_EXPECTATION,
    run_id: str | None = None,
) -> tuple[SuiteResult, dict]:
    """One suite by GX on the query `relation`; the pipeline's result and GX's (a dict,
    filed under the run `run_id` for the report's Data Docs, `gx_results.store`)."""
    import great_expectations as gx

    try:
        columns = evaluate.columns_of(session, relation)
    except Exception as error:  # the suite's rows cannot be queried: every rule says so
        result, results = evaluate.all_raised(suite_json, str(error))
        now = datetime.now(UTC).isoformat()
        return result, evaluate.suite_result_dict(suite_json, results, run_id, now)
    query, index_columns = _asset_query(suite_json, relation, columns)
    expectations, unresolved = [], {}
    for index, expectation in enumerate(suite_json["expectations"]):
        try:
            kwargs = resolve(expectation["kwargs"], parameters)
        except KeyError as error:  # a parameter the definition does not give
            unresolved[index] = str(error)  # as `evaluate.validate` words it
            continue
        expectations.append(_expectation(expectation, kwargs, index))
    name = suite_json["name"]
    context = source.data_context
    asset = source.add_query_asset(name=name, query=query)
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    # A validation definition fetches the batch once (`Batch.validate` fetches it again,
    # computing the suite's query twice).
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(
            name=name, data=asset.add_batch_definition_whole_table("whole"), suite=suite
        )
    )
    try:
        found = definition.run(
            result_format={
                "result_format": "SUMMARY",
                "unexpected_index_column_names": index_columns,
                "partial_unexpected_count": max_problems,
            },
        )
    finally:
        context.validation_definitions.delete(name)
        context.suites.delete(name)
        source.delete_asset(name)
    found_json = found.to_json_dict()
    found_json["results"] = _in_suite_order(found_json["results"])
    for index, message in unresolved.items():  # as our SQL reports them on DuckDB
        found_json["results"].insert(
            index, evaluate.gx_raised(suite_json["expectations"][index], parameters, message)
        )
        found_json["success"] = False
    run_time = datetime.now(UTC).isoformat()
    found_json["meta"].update(
        run_id={"run_name": run_id, "run_time": run_time}, validation_time=run_time
    )
    return to_suite_result(suite_json, found_json, relation, parameters), found_json


def _asset_query(suite_json: dict, relation, columns: list[str]) -> tuple[str, list[str]]:
    """The asset's query and the columns failing rows come back with. The asset shows GX
    the columns the suite reads (so that an exact column-set rule speaks of the contract's
    columns, as on DuckDB, not of `programme_id`), plus the report's order columns where
    no such rule looks at them, so that the rows can be put in the report's order. Where
    an order column stays hidden (the level patterns' `frame_order`), the asset is sorted
    by it: PostgreSQL keeps a sorted subquery's order through GX's filter and limit."""
    kept = evaluate.kept_columns(columns, suite_json)
    exact = any(
        e["type"] == "expect_table_columns_to_match_set" and e["kwargs"].get("exact_match", True)
        for e in suite_json["expectations"]
    )
    order = [c for c in relation.order if c in columns]
    shown = kept if exact else list(dict.fromkeys([*kept, *order]))
    hidden = [c for c in order if c not in shown]
    sorted_by = f" order by {', '.join(identifier(c) for c in order)}" if hidden else ""
    query = (
        f"select {', '.join(identifier(c) for c in shown)} from ({relation.sql}) checked{sorted_by}"
    )
    report = suite_json["meta"]["report_columns"]
    return query, [c for c in dict.fromkeys([*report, *order]) if c in shown]


def _expectation(expectation: dict, kwargs: dict, place: int):
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    return ExpectationConfiguration(
        type=expectation["type"],
        kwargs=kwargs,
        meta={**(expectation.get("meta") or {}), _PLACE: place},
        severity=expectation.get("severity", "critical"),
    ).to_domain_obj()


def to_suite_result(suite_json: dict, found: dict, relation, parameters: dict) -> SuiteResult:
    """GX's validation result (`to_json_dict`) in the pipeline's terms, failure by failure
    as `evaluate.validate` reports them on DuckDB: the same rules, severities, counts and
    located problems, the problems in the report's order."""
    table = suite_json["meta"]["table"]
    words = {key: value for key, value in parameters.items() if isinstance(value, str | int)}
    failures = []
    for expectation, item in zip(suite_json["expectations"], found["results"], strict=True):
        meta = expectation.get("meta") or {}
        severity = ERROR if expectation.get("severity") == "critical" else WARNING
        raised = _raised(item)
        if raised is not None:
            literal = raised.replace("{", "{{").replace("}", "}}")
            problem = problem_from_row(table, {"problem": literal}, {})
            failures.append(
                evaluate.expectation_failure(expectation, meta, severity, 1, [], [problem])
            )
            continue
        if item["success"]:
            continue
        if expectation["type"] in TABLE_TYPES:
            problem = problem_from_row(table, meta, {}, words)
            failures.append(
                evaluate.expectation_failure(expectation, meta, severity, 1, [], [problem])
            )
            continue
        columns = _rule_columns(expectation["kwargs"])
        rows = _in_order(item["result"].get("partial_unexpected_index_list") or [], relation.order)
        values = [evaluate.failing_value(row, columns) for row in rows]
        failures.append(
            evaluate.expectation_failure(
                expectation,
                meta,
                severity,
                int(item["result"]["unexpected_count"]),
                values[: evaluate.PARTIAL],
                [problem_from_row(table, meta, row, words) for row in rows],
            )
        )
    return SuiteResult(
        suite=suite_json["name"],
        table=table,
        evaluated=len(suite_json["expectations"]),
        failures=failures,
    )


# Each expectation's place in the suite file, in its meta while GX validates it.
_PLACE = "idream_place"


def _in_suite_order(results: list[dict]) -> list[dict]:
    """GX's results in the suite file's order (GX groups them its own way), without the
    place they were sorted by."""
    results = sorted(results, key=lambda item: item["expectation_config"]["meta"][_PLACE])
    for item in results:
        del item["expectation_config"]["meta"][_PLACE]
    return results


def _raised(item: dict) -> str | None:
    """GX's message when the expectation could not run (a column the query lacks, SQL the
    server refuses), else None."""
    info = item.get("exception_info") or {}
    if "raised_exception" not in info:  # one entry per metric that raised
        info = next((v for v in info.values() if v.get("raised_exception")), {})
    if not info.get("raised_exception"):
        return None
    return info.get("exception_message") or "the expectation could not run"


def _rule_columns(kwargs: dict) -> list[str]:
    if "column" in kwargs:
        return [kwargs["column"]]
    return [kwargs["column_A"], kwargs["column_B"]]


def _in_order(rows: list[dict], order: list[str]) -> list[dict]:
    """The failing rows in the report's order (file, sheet, row), missing values last as
    SQL's `order by` puts them. GX fetches them unordered."""
    present = [c for c in order if rows and c in rows[0]]
    return sorted(rows, key=lambda row: [(row[c] is None, row[c]) for c in present])


@contextlib.contextmanager
def _data_source(url: WarehouseUrl) -> Iterator:
    """GX's PostgreSQL data source on the warehouse, in an ephemeral context (nothing kept
    on disk: the run's report stores the results). No password in its connection string:
    libpq finds it (PGPASSFILE, ~/.pgpass, PGPASSWORD), as for every other connection."""
    import great_expectations as gx
    import sqlalchemy
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    context = gx.get_context(
        mode="ephemeral",
        project_config=DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),
            progress_bars=ProgressBarsConfig(globally=False),
            analytics_enabled=False,
        ),
    )
    source = context.data_sources.add_postgres(
        name=DATA_SOURCE,
        connection_string=connection_string(url),
        # The suite's query (windows over every marker or answer) is computed once into a
        # temporary table of GX's session, and every metric reads that, instead of each
        # of GX's queries computing it again.
        create_temp_table=True,
        kwargs={
            "connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS},
            # A temporary table lives in one session: every GX query must use the same
            # connection, which GX ensures itself only for SQLite, SQL Server, BigQuery and
            # Databricks (_PERSISTED_CONNECTION_DIALECTS in its SQL execution engine).
            "poolclass": sqlalchemy.pool.StaticPool,
        },
    )
    try:
        yield source
    finally:
        # Closing the session drops the suites' temporary tables.
        source.get_execution_engine().close()
        source.get_engine().dispose()


def connection_string(url: WarehouseUrl) -> str:
    """The warehouse as a SQLAlchemy URL for GX. A Unix socket's folder goes in `?host=`,
    which libpq reads; the URL still names `localhost` before the database only because
    GX's `PostgresDsn` refuses a URL without a host (pydantic v1's `host_required`), and
    `?host=` takes precedence for the connection."""
    user = quote(url.user, safe="")
    dbname = quote(url.dbname, safe="")
    if url.is_socket:
        return f"{DRIVER}://{user}@localhost:{url.port}/{dbname}?host={quote(url.host, safe='/')}"
    host = f"[{url.host}]" if ":" in url.host else url.host
    return f"{DRIVER}://{user}@{host}:{url.port}/{dbname}"
