"""The Dagster definitions load and are wired as the README says."""

import dagster as dg


def test_the_pipeline_job_covers_every_asset(definitions):
    job = definitions.resolve_job_def("idream_pipeline")
    keys = {key.to_user_string() for key in job.asset_layer.executable_asset_keys}
    assert {
        "raw/participants",
        "raw/survey_answers",
        "marts/mart_domain_rates",
        "publish/evidence_brief",
    } <= keys


def test_assets_are_grouped_ingest_transform_publish(definitions):
    graph = definitions.resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups["raw/participants"] == "ingest"
    assert groups["marts/mart_domain_rates"] == "transform"
    # The definition's reference tables are landed by ingest, beside the raw tables.
    assert groups["reference/label_dictionary"] == "ingest"
    assert groups["publish/evidence_brief"] == "publish"
    assert groups["quality/report"] == "quality"
    assert set(groups.values()) == {"ingest", "transform", "quality", "publish"}


def test_every_asset_has_a_description_an_owner_and_kinds(definitions):
    graph = definitions.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if not node.is_materializable:
            continue
        assert node.description, key
        assert node.owners == ["team:monitoring-evaluation"], key
        assert node.kinds, key


def test_dbt_sources_are_the_ingest_assets(definitions):
    """A staging model depends on the Dagster asset that lands its source, not on a stub."""
    graph = definitions.resolve_asset_graph()
    parents = graph.get(dg.AssetKey(["staging", "stg_survey__answers"])).parent_keys
    assert dg.AssetKey(["raw", "survey_answers"]) in parents
    assert graph.get(dg.AssetKey(["raw", "survey_answers"])).is_materializable


def test_publishing_waits_for_the_marts_and_the_quality_report(definitions):
    graph = definitions.resolve_asset_graph()
    parents = {
        key.to_user_string()
        for key in graph.get(dg.AssetKey(["publish", "evidence_brief"])).parent_keys
    }
    assert {
        "marts/mart_domain_rates",
        "marts/mart_survey_item_rates",
        "marts/mart_survey_section_rates",
        "marts/mart_survey_answer_counts",
        "marts/dim_cohorts",
        "marts/dim_participants",
        "marts/fct_survey_answers",
        "marts/mart_marker_levels",
        "marts/mart_marker_progress",
        "marts/mart_marker_level_rates",
        "marts/mart_domain_rates_by_type",
        "marts/mart_survey_sections_by_cohort",
        "marts/mart_unanticipated_outcomes",
        "quality/report",
    } == parents


def test_loading_the_definitions_does_not_import_great_expectations():
    """GX costs about 4 s to import: only the quality checks may pay it, when they run."""
    import subprocess
    import sys

    probe = (
        "import sys; from orchestration.definitions import defs; defs(); "
        "print('great_expectations' in sys.modules, 'dbt.cli.main' in sys.modules)"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert output.stdout.split() == ["False", "False"]
