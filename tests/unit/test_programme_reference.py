"""The reference tables ingest lands from the programme definition (schema `reference`),
which dbt reads as sources in place of v1's hand-kept seeds."""

import tomllib

import polars as pl

from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.programme_definition import idream_definition
from orchestration.lib.programme_reference import definition_digest, reference_tables

IDREAM = reference_tables(idream_definition())


def test_every_reference_table_of_the_interface_with_its_columns_and_types():
    assert {name: dict(frame.schema) for name, frame in IDREAM.items()} == {
        "programme": {"programme_id": pl.String, "programme_name": pl.String},
        "participant_types": {
            "participant_type": pl.String,
            "label": pl.String,
            "plural": pl.String,
            "type_order": pl.Int32,
        },
        "domains": {"domain": pl.String, "label": pl.String, "domain_order": pl.Int32},
        "marker_levels": {"level": pl.String, "label": pl.String, "level_order": pl.Int32},
        "marker_reviews": {"review": pl.String, "label": pl.String, "review_order": pl.Int32},
        "marker_statuses": {"status": pl.String, "label": pl.String, "is_achieved": pl.Boolean},
        "survey_scales": {"scale": pl.String, "categories": pl.Int32, "top_box": pl.Int32},
        "survey_answer_categories": {
            "answer": pl.String,
            "answer_label": pl.String,
            "scale": pl.String,
            "scale_position": pl.Int32,
            "is_valid": pl.Boolean,
            "is_top_box": pl.Boolean,
        },
        "survey_sections": {
            "section": pl.String,
            "label": pl.String,
            "phrase": pl.String,
            "section_order": pl.Int32,
        },
        "label_dictionary": {"field": pl.String, "label_key": pl.String, "value": pl.String},
    }


def test_idream_reference_rows():
    assert IDREAM["programme"].rows() == [("idream", "IDREAM")]
    assert IDREAM["domains"].rows() == [
        ("resilience", "Resilience", 1),
        ("advocacy", "Advocacy", 2),
        ("integrated_security", "Integrated Security", 3),
    ]
    assert IDREAM["marker_levels"]["level"].to_list() == [
        "realistic",
        "ambitious",
        "very_ambitious",
    ]
    assert IDREAM["marker_statuses"].rows() == [
        ("achieved", "Achieved", True),
        ("partially_achieved", "Partially achieved", False),
        ("not_achieved", "Not achieved", False),
    ]
    assert IDREAM["survey_scales"].rows() == [("confidence", 5, 2), ("agreement", 5, 2)]
    answers = IDREAM["survey_answer_categories"]
    assert answers.filter(pl.col("scale") == "agreement").select(
        "answer", "scale_position", "is_top_box"
    ).rows() == [
        ("strongly_disagree", 1, False),
        ("disagree", 2, False),
        ("neither_agree_nor_disagree", 3, False),
        ("agree", 4, True),
        ("strongly_agree", 5, True),
    ]
    assert answers.filter(pl.col("scale") == "any").select(
        "answer", "answer_label", "scale_position", "is_valid"
    ).rows() == [
        ("not_applicable", "Not applicable", None, False),
        ("dont_know", "Don't know", None, False),
    ]
    assert answers.select("scale", "answer").is_unique().all()
    dictionary = {(field, key): value for field, key, value in IDREAM["label_dictionary"].rows()}
    # Keyed by the contract's label rule, as ingest matches labels.
    assert dictionary[("domain", "psychosocial resilience")] == "resilience"
    assert dictionary[("answer", "don t know")] == "dont_know"
    assert dictionary[("status", "yes")] == "achieved"


def test_a_definition_of_its_own_gives_its_own_tables_and_digest():
    stated = tomllib.loads(
        '[programme]\nname = "Shelter"\n'
        '[markers]\nlevels = ["Basic", "Advanced"]\nreviews = ["Baseline", "Midline", "Endline"]\n'
        '[[survey.scales]]\nid = "frequency"\n'
        'categories = ["Never", "Sometimes", "Often"]\ntop = 1\n'
    )
    definition = ProgrammeSettings.from_toml(stated, "shelter").definition
    tables = reference_tables(definition)
    assert tables["programme"].rows() == [("shelter", "Shelter")]
    assert tables["marker_reviews"].rows() == [
        ("baseline", "Baseline", 1),
        ("midline", "Midline", 2),
        ("endline", "Endline", 3),
    ]
    assert tables["survey_scales"].rows() == [("frequency", 3, 1)]
    assert definition_digest(definition) != definition_digest(idream_definition())
    assert definition_digest(idream_definition()) == definition_digest(idream_definition())


def test_a_renamed_programme_folder_keeps_the_raw_landings_fingerprint():
    """The id defaults to the folder's name, and no raw table holds it: renaming the folder
    re-lands the reference tables only. A changed label re-lands everything."""
    from dataclasses import replace

    from orchestration.lib.programme_definition import idream_definition
    from orchestration.lib.programme_reference import definition_digest

    idream, renamed = idream_definition("raw"), idream_definition("idream_2025")
    assert definition_digest(idream) == definition_digest(renamed)
    assert definition_digest(idream, identity=True) != definition_digest(renamed, identity=True)
    relabelled = replace(idream, domains=idream.domains[:2])
    assert definition_digest(idream) != definition_digest(relabelled)
