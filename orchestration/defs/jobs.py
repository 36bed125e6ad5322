"""The whole-pipeline job, run serially in one process, and the log `idream run` keeps.

Every asset writes the same DuckDB build file and DuckDB allows one writer, so steps must
not run in parallel processes; at this data size one process is also the fastest.
"""

import logging

import dagster as dg

from orchestration.defs.quality import quality_report_of_a_failed_run

# `idream run` attaches its log file and its terminal display to this Python logger
# (orchestration/terminal.py); runs from the UI keep Dagster's own console logger.
RUN_LOGGER = "idream.run"

idream_pipeline = dg.define_asset_job(
    name="idream_pipeline",
    selection=dg.AssetSelection.all(),
    description="Raw spreadsheets -> raw tables -> dbt models and tests -> published brief.",
    hooks={quality_report_of_a_failed_run},
)


@dg.logger(description="Every event of the run, to the handlers `idream run` attaches.")
def run_log(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger(RUN_LOGGER)
    logger.setLevel(logging.DEBUG)
    return logger


@dg.definitions
def jobs() -> dg.Definitions:
    return dg.Definitions(
        jobs=[idream_pipeline],
        executor=dg.in_process_executor,
        # A run whose configuration names no logger gets the console logger (the UI's).
        loggers={"console": dg.colored_console_logger, "run_log": run_log},
    )
