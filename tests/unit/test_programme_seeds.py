"""The reference rows generated from a programme definition: for IDREAM, v1's hand-kept
seed files (kept as they were in tests/reference/v1-seeds/)."""

from __future__ import annotations

import csv
import re
import tomllib
from pathlib import Path

from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.programme_definition import idream_definition, label_match_key
from orchestration.lib.programme_seeds import (
    AnswerCategoryRow,
    LabelRow,
    answer_category_rows,
    label_dictionary_rows,
    seed_csv,
)
from tests.unit.test_programme import BRIDGES

SEEDS_DIR = Path(__file__).resolve().parents[1] / "reference" / "v1-seeds"
# The contract matches a participant type by its plural too; v1's seed did not list them.
PLURALS = {
    ("participant_type", "individuals", "individual"),
    ("participant_type", "organizations", "organization"),
}


def label_key(value: str) -> str:
    """v1's lookup key, with which its seed file was keyed: case, hyphens, underscores and
    spacing did not matter (the contract's rule now also ignores apostrophes and slashes)."""
    return re.sub(r"[-_ ]+", " ", value.lower()).strip()


def seed_rows(name: str) -> tuple[tuple[str, ...], set[tuple[str, ...]]]:
    with (SEEDS_DIR / name).open(encoding="utf-8", newline="") as handle:
        header, *rows = csv.reader(handle)
    return tuple(header), {tuple(row) for row in rows}


def generated_rows(columns, rows) -> tuple[tuple[str, ...], set[tuple[str, ...]]]:
    """Through the CSV text, so that the cells are compared as dbt reads them."""
    header, *lines = csv.reader(seed_csv(columns, rows).splitlines())
    return tuple(header), {tuple(line) for line in lines}


def test_the_default_label_dictionary_is_v1s_seed_plus_the_plurals():
    # Keyed by v1's rule, as the seed file was.
    rows = label_dictionary_rows(idream_definition(), key=label_key)
    assert generated_rows(LabelRow._fields, rows) == (
        seed_rows("label_dictionary.csv")[0],
        seed_rows("label_dictionary.csv")[1] | PLURALS,
    )


def test_under_the_contracts_rule_only_apostrophes_and_slashes_key_differently():
    _, seed = seed_rows("label_dictionary.csv")
    _, rows = generated_rows(LabelRow._fields, label_dictionary_rows(idream_definition()))
    assert seed - rows == {
        ("answer", "n/a", "not_applicable"),
        ("answer", "don't know", "dont_know"),
    }
    assert rows - seed == PLURALS | {
        ("answer", "n a", "not_applicable"),
        ("answer", "don t know", "dont_know"),
    }


def test_the_default_answer_categories_are_v1s_seed_file():
    text = seed_csv(AnswerCategoryRow._fields, answer_category_rows(idream_definition()))
    assert text == (SEEDS_DIR / "survey_answer_categories.csv").read_text(encoding="utf-8")


def test_a_label_has_one_row_per_field():
    # The seed's unique_combination_of_columns test, for a definition that is not IDREAM.
    for definition in (idream_definition(), _bridges()):
        rows = label_dictionary_rows(definition)
        assert len({(row.field, row.label_key) for row in rows}) == len(rows)


def test_kobo_choice_names_find_their_answers():
    # A Kobo "XML values" export writes choice names; the label rule maps them back.
    values = {
        row.label_key: row.value
        for row in label_dictionary_rows(idream_definition())
        if row.field == "answer"
    }
    choices = ("much_more_confident", "don_t_know", "neither_agree_nor_disagree", "n_a")
    assert [values[label_match_key(choice)] for choice in choices] == [
        "much_more_confident",
        "dont_know",
        "neither_agree_nor_disagree",
        "not_applicable",
    ]
    assert label_match_key("dont_know") not in values


def test_another_programmes_rows_follow_its_definition():
    definition = _bridges()
    rows = label_dictionary_rows(definition)
    by_field: dict[str, dict[str, str]] = {}
    for row in rows:
        by_field.setdefault(row.field, {})[row.label_key] = row.value
    assert by_field["participant_type"] == {
        "youth": "youth",
        "young person": "youth",
        "young people": "youth",
    }
    assert by_field["domain"]["well being"] == "wellbeing"
    assert by_field["level"] == {"expected": "expected", "hoped for": "hoped_for"}
    assert by_field["review"] == {
        "baseline": "baseline",
        "mid term": "mid_term",
        "end line": "end_line",
    }
    assert by_field["status"] == {"met": "met", "not met": "not_met"}
    assert by_field["section"] == {"voice": "voice", "speaking up": "voice"}
    assert by_field["scale"] == {"agreement": "agreement"}
    assert answer_category_rows(definition) == [
        AnswerCategoryRow("disagree", "Disagree", "agreement", 1, True, False),
        AnswerCategoryRow("somewhat_disagree", "Somewhat disagree", "agreement", 2, True, False),
        AnswerCategoryRow("somewhat_agree", "Somewhat agree", "agreement", 3, True, True),
        AnswerCategoryRow("agree", "Agree", "agreement", 4, True, True),
        AnswerCategoryRow("prefer_not_to_say", "Prefer not to say", "any", None, False, False),
    ]


def test_every_answer_the_dictionary_maps_to_is_a_category():
    # staging's relationships test: an answer code that is not a category would fail dbt.
    for definition in (idream_definition(), _bridges()):
        mapped = {row.value for row in label_dictionary_rows(definition) if row.field == "answer"}
        assert mapped == {row.answer for row in answer_category_rows(definition)}


def _bridges():
    return ProgrammeSettings.from_toml(tomllib.loads(BRIDGES), "bridges").definition
