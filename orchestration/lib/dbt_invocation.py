"""One dbt command in this process, through dbt's documented programmatic entry point.

Why in-process: dagster-dbt's `DbtCliResource` starts a dbt process for every command, and
before it asks that process for `dbt --version` and builds a dbt adapter in this one. On
the sample that start-up cost more than dbt's own work (docs/performance.md), and this
process has already imported dbt (dagster-dbt does, and so does parsing the project).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# dbt's result statuses that stop a run.
FAILED = ("error", "fail", "runtime error")


@dataclass(frozen=True)
class NodeResult:
    unique_id: str
    status: str
    message: str
    seconds: float


@dataclass(frozen=True)
class Invocation:
    success: bool
    results: list[NodeResult] = field(default_factory=list)
    error: str | None = None

    def failed_nodes(self) -> str:
        """dbt's failing models and tests, one line each, for the run's failure message."""
        lines = [
            f"- {result.unique_id}: {result.status}: {result.message.strip()}"
            for result in self.results
            if result.status in FAILED
        ]
        if self.error:
            lines.append(f"- {self.error}")
        return "dbt build failed:\n" + ("\n".join(lines) or "- (see dbt's log in the run log)")


def invoke(args: list[str], manifest=None) -> Invocation:
    """`dbt <args>`; dbt's log goes to this process's standard output, as dbt's would.
    `manifest`: the project already parsed in this process, so dbt does not parse again."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    try:
        outcome = dbtRunner(manifest=manifest).invoke(args)
    finally:
        # dbt-duckdb keeps its connection, and with it DuckDB's lock on the warehouse file,
        # open after an in-process invocation; its maintainers document closing it here
        # (https://github.com/duckdb/dbt-duckdb/issues/616).
        DuckDBConnectionManager.close_all_connections()
    results = [
        NodeResult(
            unique_id=result.node.unique_id,
            status=str(result.status),
            message=result.message or "",
            seconds=float(result.execution_time or 0.0),
        )
        for result in getattr(outcome.result, "results", None) or []
    ]
    error = (
        f"{type(outcome.exception).__name__}: {outcome.exception}" if outcome.exception else None
    )
    return Invocation(success=outcome.success, results=results, error=error)
