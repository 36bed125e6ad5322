"""The run's validation results in Great Expectations' own stores, and its Data Docs site.

The checks evaluate their rules in SQL (`quality.evaluate`) and leave each suite's result as
the dict GX serialises an `ExpectationSuiteValidationResult` to. Once per run, as the report
is built, those become GX's objects in the run's file stores (with the suites they
validated) and GX renders its Data Docs from them, as if GX had validated the tables
itself. GX is imported only here, once per run, not in every check step.

The context is GX's ephemeral one over those file stores: a file context rewrites its
great_expectations.yml on every object added.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from orchestration.lib.quality.suites import load_suite

SITE_NAME = "quality"


def build_site(results_dir: Path, context_dir: Path, site_dir: Path) -> bool:
    """Store every suite result of `results_dir` and build the Data Docs site; False when
    no suite ran."""
    files = sorted(results_dir.glob("*.json")) if results_dir.exists() else []
    if not files:
        return False
    context = run_context(context_dir, site_dir)
    for path in files:
        store(context, json.loads(path.read_text(encoding="utf-8")))
    context.build_data_docs(site_names=[SITE_NAME])
    return True


def store(context, found: dict) -> None:
    """One suite's result (a dict, as `evaluate.suite_result_dict` writes it) in the
    context's validation results store, with its suite in the suites store."""
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    name = found["suite_name"]
    context.suites.add_or_update(gx.ExpectationSuite(**load_suite(name)))
    results = [
        ExpectationValidationResult(
            success=item["success"],
            expectation_config=ExpectationConfiguration(**item["expectation_config"]),
            result=item["result"],
            meta=item["meta"],
            exception_info=item["exception_info"],
        )
        for item in found["results"]
    ]
    meta = found["meta"]
    run_id = RunIdentifier(
        run_name=meta["run_id"]["run_name"],
        run_time=datetime.fromisoformat(meta["run_id"]["run_time"]),
    )
    suite_id = ExpectationSuiteIdentifier(name=name)
    context.validation_results_store.store_validation_results(
        suite_validation_result=ExpectationSuiteValidationResult(
            success=found["success"],
            results=results,
            suite_name=name,
            suite_parameters=found["suite_parameters"],
            statistics=found["statistics"],
            meta={**meta, "run_id": run_id},
        ),
        suite_validation_result_identifier=ValidationResultIdentifier(
            expectation_suite_identifier=suite_id,
            run_id=run_id,
            batch_identifier=f"warehouse-{name}",
        ),
        expectation_suite_identifier=suite_id,
    )


# The run's GX context, kept between the calls of one run in one process.
_CONTEXTS: dict[Path, object] = {}


def run_context(context_dir: Path, site_dir: Path):
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        FilesystemStoreBackendDefaults,
        ProgressBarsConfig,
    )

    if context_dir not in _CONTEXTS:
        _CONTEXTS.clear()  # a new run: the last run's context is not needed again
        config = DataContextConfig(
            store_backend_defaults=FilesystemStoreBackendDefaults(root_directory=str(context_dir)),
            data_docs_sites={
                SITE_NAME: {
                    "class_name": "SiteBuilder",
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(site_dir),
                    },
                }
            },
            progress_bars=ProgressBarsConfig(globally=False),
            analytics_enabled=False,
        )
        context_dir.mkdir(parents=True, exist_ok=True)
        _CONTEXTS[context_dir] = gx.get_context(project_config=config)
    return _CONTEXTS[context_dir]
