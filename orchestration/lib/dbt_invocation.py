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
    # dbt's own time for the graph (its run_results' `elapsed_time`).
    elapsed: float | None = None

    def graph_line(self) -> str:
        """`dbt graph: 97 nodes (17 model, 2 seed, 78 test) in 3.31 s`, for the run's log (the
        bench reads dbt's figures from it: `--no-write-json` leaves no run_results.json)."""
        kinds: dict[str, int] = {}
        for result in self.results:
            kind = result.unique_id.split(".", 1)[0]
            kinds[kind] = kinds.get(kind, 0) + 1
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items(), key=_model_first))
        took = f"{self.elapsed:.2f} s" if self.elapsed is not None else "an unknown time"
        return f"dbt graph: {len(self.results)} nodes ({counts}) in {took}"

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
    elapsed = getattr(outcome.result, "elapsed_time", None)
    return Invocation(
        success=outcome.success,
        results=results,
        error=error,
        elapsed=float(elapsed) if elapsed is not None else None,
    )


def _model_first(item: tuple[str, int]) -> tuple[int, str]:
    order = ("model", "seed", "snapshot", "test", "unit_test")
    return (order.index(item[0]) if item[0] in order else len(order), item[0])
