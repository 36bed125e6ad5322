"""The programme settings file: its definition (contract v2), counts and policy."""

from __future__ import annotations

import dataclasses

import pytest

from orchestration.lib.programme import ProgrammeSettings, ProgrammeSettingsError
from orchestration.lib.programme_definition import (
    Category,
    idream_definition,
    label_id,
    label_match_key,
)
from orchestration.sample_programme import generate

# The contract's programme.toml example, IDREAM written out (raw-data-contract.md).
CONTRACT_EXAMPLE = """
[programme]
id = "idream"
name = "IDREAM"

[[participant_types]]
id = "individual"
label = "individual"
plural = "individuals"
aliases = ["Individual", "ind"]
[[participant_types]]
id = "organization"
label = "organization"
plural = "organizations"
aliases = ["Organisation", "org"]

[[domains]]
id = "resilience"
label = "Resilience"
aliases = ["Psychosocial Resilience"]
[[domains]]
id = "advocacy"
label = "Advocacy"
aliases = ["Effective Advocacy"]
[[domains]]
id = "integrated_security"
label = "Integrated Security"
aliases = ["Security"]

[markers]
levels = ["Realistic", "Ambitious", "Very ambitious"]
reviews = ["midpoint", "final"]
achieved = ["Achieved", "Yes"]
not_achieved = ["Partially achieved", "Not achieved", "No"]

[survey]
cohort_column = "cohort"
excluded = ["Not applicable", "N/A", "Don't know"]
exclude_review_states = ["rejected", "not approved"]

[[survey.scales]]
id = "confidence"
categories = ["Much less confident", "Less confident", "About the same",
              "More confident", "Much more confident"]
top = 2
[[survey.scales]]
id = "agreement"
categories = ["Strongly disagree", "Disagree", "Neither agree nor disagree",
              "Agree", "Strongly agree"]
top = 2

[[survey.sections]]
id = "security"
label = "Security"
phrase = "security-related tasks"
[[survey.sections]]
id = "advocacy"
label = "Advocacy"
phrase = "advocacy-related strategies"
[[survey.sections]]
id = "connection"
label = "Connection"
phrase = "items about building connection with other IDREAM participants"
"""

# Another cohort programme: four domains, two levels, three reviews, a 4-point scale.
BRIDGES = """
[programme]
id = "bridges"
name = "Bridges"

[[participant_types]]
id = "youth"
label = "young person"
plural = "young people"
aliases = ["Youth"]

[[domains]]
id = "livelihoods"
label = "Livelihoods"
[[domains]]
id = "wellbeing"
label = "Wellbeing"
aliases = ["Well-being", "Mental health"]
[[domains]]
id = "voice"
label = "Voice"
[[domains]]
id = "networks"
label = "Networks"

[markers]
levels = ["Expected", "Hoped for"]
reviews = ["Baseline", "Mid-term", "End line"]
achieved = ["Met"]
not_achieved = ["Not met"]

[survey]
cohort_column = "Cohort group"
excluded = ["Prefer not to say"]

[[survey.scales]]
id = "agreement"
categories = ["Disagree", "Somewhat disagree", "Somewhat agree", "Agree"]

[[survey.sections]]
id = "voice"
label = "Speaking up"
phrase = "statements about speaking up"
"""


def load(tmp_path, text: str) -> ProgrammeSettings:
    (tmp_path / "programme.toml").write_text(text, encoding="utf-8")
    return ProgrammeSettings.load(tmp_path)


def test_no_file_means_the_default_policy(tmp_path):
    settings = ProgrammeSettings.load(tmp_path)
    assert (settings.min_cell_size, settings.keep_free_text) == (5, False)
    assert settings.cohort_sizes == {}


def test_the_sample_states_its_counts_and_policy(tmp_path):
    generate(tmp_path)
    settings = ProgrammeSettings.load(tmp_path)
    assert settings.cohort_sizes == {1: 10, 2: 10, 3: 10, 4: 10}
    assert settings.total_respondents == 35
    assert (settings.min_cell_size, settings.keep_free_text) == (5, False)


def test_the_policy_is_read(tmp_path):
    settings = load(
        tmp_path, "[disclosure]\nmin_cell_size = 11\n[retention]\nkeep_free_text = true\n"
    )
    assert (settings.min_cell_size, settings.keep_free_text) == (11, True)


def test_settings_made_in_code_carry_idreams_definition():
    # The quality suites' tests build settings directly, with counts only.
    assert ProgrammeSettings(cohort_sizes={1: 2}).definition == idream_definition()


# The label rule, as the contract words it.
@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (
            ("Very ambitious", "Very-ambitious", "very_ambitious", " VERY  AMBITIOUS "),
            "very ambitious",
        ),
        (("Don\u2019t know", "Don't know", "don_t_know", "Don\u2018t know"), "don t know"),
        (
            ("Integrated\u00a0Security", '"Integrated" security', "integrated/security"),
            "integrated security",
        ),
        (("N/A", "n a", "N-A"), "n a"),
        (("\uff21chieved",), "achieved"),  # full-width A, as some keyboards type it
        (("---", ""), ""),
    ],
)
def test_labels_match_on_their_letters_and_digits(spellings, key):
    assert {label_match_key(spelling) for spelling in spellings} == {key}


def test_dont_know_is_another_label_than_don_t_know():
    assert label_match_key("dont_know") != label_match_key("Don't know")


def test_the_contract_rule_splits_on_apostrophes_and_slashes():
    assert (label_match_key("Don't know"), label_match_key("N/A")) == ("don t know", "n a")


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Very ambitious", "very_ambitious"),
        ("Don't know", "don_t_know"),
        (" (Very) ambitious! ", "very_ambitious"),
        ("Mid-term", "mid_term"),
        ("Très ambitieux", "très_ambitieux"),
    ],
)
def test_a_labels_code_is_its_letters_and_digits_joined_by_underscores(label, code):
    assert label_id(label) == code


def test_the_default_definition_is_idream_as_the_contract_writes_it(tmp_path):
    definition = ProgrammeSettings.load(tmp_path).definition
    assert definition.name == "IDREAM"
    assert [(t.id, t.label, t.plural, t.aliases) for t in definition.participant_types] == [
        ("individual", "individual", "individuals", ("Individual", "ind")),
        ("organization", "organization", "organizations", ("Organisation", "org")),
    ]
    assert [(d.id, d.label, d.aliases) for d in definition.domains] == [
        ("resilience", "Resilience", ("Psychosocial Resilience",)),
        ("advocacy", "Advocacy", ("Effective Advocacy",)),
        ("integrated_security", "Integrated Security", ("Security",)),
    ]
    markers, survey = definition.markers, definition.survey
    assert [(level.id, level.label) for level in markers.levels] == [
        ("realistic", "Realistic"),
        ("ambitious", "Ambitious"),
        ("very_ambitious", "Very ambitious"),
    ]
    assert [review.id for review in markers.reviews] == ["midpoint", "final"]
    assert _spelt(markers.achieved) == ["Achieved", "Yes"]
    assert _spelt(markers.not_achieved) == ["Partially achieved", "Not achieved", "No"]
    assert survey.cohort_column == "cohort"
    assert _spelt(survey.excluded) == ["Not applicable", "N/A", "Don't know"]
    assert survey.exclude_review_states == ("rejected", "not approved")
    assert [(s.id, _spelt(s.categories), s.top) for s in survey.scales] == [
        (
            "confidence",
            [
                "Much less confident",
                "Less confident",
                "About the same",
                "More confident",
                "Much more confident",
            ],
            2,
        ),
        (
            "agreement",
            [
                "Strongly disagree",
                "Disagree",
                "Neither agree nor disagree",
                "Agree",
                "Strongly agree",
            ],
            2,
        ),
    ]
    assert [(s.id, s.label, s.phrase) for s in survey.sections] == [
        ("security", "Security", "security-related tasks"),
        ("advocacy", "Advocacy", "advocacy-related strategies"),
        (
            "connection",
            "Connection",
            "items about building connection with other IDREAM participants",
        ),
    ]


def test_the_default_keeps_v1s_synonyms_and_codes():
    # v1's seed: `Yes` is coded `achieved`, `N/A` `not_applicable`, `Don't know`
    # `dont_know` (the marts count it by that code), and `mid point` is the midpoint.
    markers, survey = idream_definition().markers, idream_definition().survey
    assert markers.achieved == (Category("achieved", "Achieved", ("Yes",)),)
    assert [c.id for c in markers.not_achieved] == ["partially_achieved", "not_achieved"]
    assert [c.id for c in survey.excluded] == ["not_applicable", "dont_know"]
    assert markers.reviews[0].aliases == ("mid point",)


def test_the_contract_example_written_out_accepts_what_the_default_accepts(tmp_path):
    written = load(tmp_path, CONTRACT_EXAMPLE).definition
    default = idream_definition()
    same = ("id", "name", "participant_types", "domains")
    assert [getattr(written, name) for name in same] == [getattr(default, name) for name in same]
    assert written.markers.levels == default.markers.levels
    assert written.survey.scales == default.survey.scales
    assert written.survey.sections == default.survey.sections
    # The file can state labels, not synonyms: each listed label is its own category.
    for part in ("achieved", "not_achieved"):
        assert _spelt(getattr(written.markers, part)) == _spelt(getattr(default.markers, part))
    assert _spelt(written.survey.excluded) == _spelt(default.survey.excluded)
    assert [c.id for c in written.markers.achieved] == ["achieved", "yes"]
    assert [c.id for c in written.survey.excluded] == ["not_applicable", "n_a", "don_t_know"]


def test_programme_id_and_name_default_to_the_folder_and_idream(tmp_path):
    folder = tmp_path / "Bridges 2024"
    folder.mkdir()
    definition = ProgrammeSettings.load(folder).definition
    assert (definition.id, definition.name) == ("bridges_2024", "IDREAM")
    accented = tmp_path / "Données"
    accented.mkdir()
    assert ProgrammeSettings.load(accented).definition.id == "donnees"


def test_a_folder_name_without_letters_needs_a_stated_id(tmp_path):
    folder = tmp_path / "日本"
    folder.mkdir()
    with pytest.raises(ProgrammeSettingsError, match=r"^programme\.toml: programme\.id: absent"):
        ProgrammeSettings.load(folder)
    (folder / "programme.toml").write_text('[programme]\nid = "nihon"\n', encoding="utf-8")
    assert ProgrammeSettings.load(folder).definition.id == "nihon"


def test_a_given_key_replaces_its_default_and_absent_keys_keep_theirs(tmp_path):
    definition = load(
        tmp_path,
        '[markers]\nlevels = ["Low", "High"]\n[[domains]]\nid = "voice"\nlabel = "Voice"\n',
    ).definition
    assert [level.id for level in definition.markers.levels] == ["low", "high"]
    assert definition.markers.reviews == idream_definition().markers.reviews
    # Not merged: IDREAM's three domains are gone.
    assert [domain.id for domain in definition.domains] == ["voice"]
    assert definition.survey == idream_definition().survey


def test_another_programme_is_described_by_settings(tmp_path):
    definition = load(tmp_path, BRIDGES).definition
    assert (definition.id, definition.name) == ("bridges", "Bridges")
    assert [d.id for d in definition.domains] == ["livelihoods", "wellbeing", "voice", "networks"]
    markers = definition.markers
    assert [level.id for level in markers.levels] == ["expected", "hoped_for"]
    assert [review.id for review in markers.reviews] == ["baseline", "mid_term", "end_line"]
    assert ([c.id for c in markers.achieved], [c.id for c in markers.not_achieved]) == (
        ["met"],
        ["not_met"],
    )
    (scale,) = definition.survey.scales
    assert (scale.id, len(scale.categories), scale.top) == ("agreement", 4, 2)
    assert [scale.is_top(position) for position in (1, 2, 3, 4)] == [False, False, True, True]
    assert definition.survey.cohort_column == "Cohort group"
    # Policy and counts are read beside the definition, as in v1.
    settings = load(tmp_path, BRIDGES + '[cohort_sizes]\n"1" = 12\n')
    assert settings.cohort_sizes == {1: 12}


def _spelt(categories) -> list[str]:
    return [spelling for category in categories for spelling in category.spellings]


def test_the_definition_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        idream_definition().name = "Other"  # type: ignore[misc]


SCALE = '[[survey.scales]]\nid = "agreement"\ncategories = [{}]\n'
FIVE = '"a", "b", "c", "d", "e"'
DOMAIN = '[[domains]]\nid = "{}"\nlabel = "{}"\n'


def test_the_limits_themselves_are_allowed(tmp_path):
    text = (
        SCALE.format('"a", "b", "c", "d", "e", "f", "g"')
        + "top = 6\n"
        + '[[survey.scales]]\nid = "yes_no"\ncategories = ["No", "Yes"]\ntop = 1\n'
        + "".join(DOMAIN.format(f"d{n}", f"D{n}") for n in range(8))
        + '[markers]\nlevels = ["l1", "l2", "l3", "l4", "l5"]\nreviews = ["r1", "r2", "r3", "r4"]\n'
    )
    definition = load(tmp_path, text).definition
    assert [(len(s.categories), s.top) for s in definition.survey.scales] == [(7, 6), (2, 1)]
    assert (len(definition.domains), len(definition.markers.levels)) == (8, 5)
    assert len(definition.markers.reviews) == 4


# Each case breaks one rule; the message names the file, the key and (when there is
# one) the value, so that staff can find the line in programme.toml.
@pytest.mark.parametrize(
    ("text", "message"),
    [
        # v1's policy and counts
        (
            "[disclosure]\nmin_cell_size = 0\n",
            "disclosure.min_cell_size = 0: must be a whole number of at least 1",
        ),
        (
            "[disclosure]\nmin_cell_size = true\n",
            "disclosure.min_cell_size = true: must be a whole number",
        ),
        (
            '[disclosure]\nmin_cell_size = "5"\n',
            'disclosure.min_cell_size = "5": must be a whole number',
        ),
        (
            '[retention]\nkeep_free_text = "no"\n',
            'retention.keep_free_text = "no": must be true or false',
        ),
        ('[cohort_sizes]\n"one" = 3\n', "cohort_sizes.one = 3: 'one' is not a cohort number"),
        ('[cohort_sizes]\n"1" = -3\n', "cohort_sizes.1 = -3: must be a whole number of at least 0"),
        ("disclosure = 5\n", "disclosure = 5: must be a table ([disclosure])"),
        ("[disclosure\n", "not valid TOML"),
        # unknown keys
        ("[domain]\nid = 'x'\n", "domain: unknown key (known here: programme, participant_types,"),
        ("[survey]\nscale = 'x'\n", "survey.scale: unknown key (known here: cohort_column,"),
        (
            '[[domains]]\nid = "a"\nlabel = "A"\nalias = ["B"]\n',
            "domains[1].alias: unknown key (known here: id, label, aliases)",
        ),
        ("[disclosure]\nmin_cell = 3\n", "disclosure.min_cell: unknown key"),
        # scales
        (
            SCALE.format('"Yes"'),
            'survey.scales[1].categories = ["Yes"]: 1 given; a scale has 2 to 7 categories',
        ),
        (
            SCALE.format(FIVE + ', "f", "g", "h"'),
            'survey.scales[1].categories = ["a", "b", "c", "d", "e", "f", "g", "h"]: '
            "8 given; a scale has 2 to 7 categories",
        ),
        (
            SCALE.format(FIVE) + "top = 0\n",
            "survey.scales[1].top = 0: must be at least 1 and below the scale's 5 categories",
        ),
        (
            '[[survey.scales]]\nid = "confidence"\ncategories = ["x", "y", "z"]\n'
            + SCALE.format(FIVE)
            + "top = 5\n",
            "survey.scales[2].top = 5: must be at least 1 and below the scale's 5 categories",
        ),
        (
            SCALE.format('"No", "Yes"'),
            "survey.scales[1].top = 2: must be at least 1 and below the scale's 2 categories",
        ),
        (SCALE.format(FIVE) + 'top = "2"\n', 'survey.scales[1].top = "2": must be a whole number'),
        ('[[survey.scales]]\nid = "agreement"\n', "survey.scales[1].categories: missing"),
        (
            '[[survey.scales]]\nid = "any"\ncategories = [' + FIVE + "]\n",
            'survey.scales[1].id = "any": is kept for the excluded answers',
        ),
        ("[survey]\nscales = []\n", "survey.scales: 0 given; a programme has at least 1 scales"),
        # counts of domains, levels, reviews
        (
            "".join(DOMAIN.format(f"d{n}", f"D{n}") for n in range(9)),
            "domains: 9 given; a programme has 1 to 8 domains",
        ),
        ("domains = []\n", "domains: 0 given; a programme has 1 to 8 domains"),
        (
            '[markers]\nlevels = ["a", "b", "c", "d", "e", "f"]\n',
            'markers.levels = ["a", "b", "c", "d", "e", "f"]:'
            " 6 given; a programme has 1 to 5 levels",
        ),
        ("[markers]\nlevels = []\n", "markers.levels = []: 0 given; a programme has 1 to 5 levels"),
        (
            '[markers]\nreviews = ["r1", "r2", "r3", "r4", "r5"]\n',
            "5 given; a programme has 1 to 4 reviews",
        ),
        (
            "[markers]\nachieved = []\n",
            "markers.achieved = []: 0 given; a programme has at least 1 achieved statuses",
        ),
        # ids
        (
            '[programme]\nid = "IDREAM"\n',
            'programme.id = "IDREAM": must be lowercase letters, digits and _',
        ),
        (
            '[programme]\nid = "idream-2"\n',
            'programme.id = "idream-2": must be lowercase letters, digits and _',
        ),
        (
            '[programme]\nid = "__"\n',
            'programme.id = "__": must be lowercase letters, digits and _',
        ),
        (
            DOMAIN.format("Resilience", "Resilience"),
            'domains[1].id = "Resilience": must be lowercase',
        ),
        (
            '[[survey.sections]]\nid = "sec 1"\nlabel = "S"\nphrase = "p"\n',
            'survey.sections[1].id = "sec 1": must be lowercase',
        ),
        (
            '[[participant_types]]\nid = 7\nlabel = "x"\nplural = "xs"\n',
            "participant_types[1].id = 7: must be lowercase",
        ),
        # repeated ids and labels, labels with two meanings
        (
            DOMAIN.format("voice", "Voice") + DOMAIN.format("voice", "Speaking up"),
            'domains[2].id = "voice": repeats the id of domains[1].id',
        ),
        (
            SCALE.format(FIVE) + SCALE.format('"x", "y", "z"'),
            'survey.scales[2].id = "agreement": repeats the id of survey.scales[1].id',
        ),
        (
            '[markers]\nlevels = ["Ambitious", "AMBITIOUS "]\n',
            'markers.levels[2] = "AMBITIOUS": '
            'the same label as markers.levels[1] = "Ambitious" (labels match ignoring case',
        ),
        (
            DOMAIN.format("voice", "Voice")
            + DOMAIN.format("speaking", "Speaking up")
            + 'aliases = ["voice!"]\n',
            'domains[2].aliases[1] = "voice!": the same label as domains[1].id = "voice"',
        ),
        (
            '[markers]\nachieved = ["Yes"]\nnot_achieved = ["yes"]\n',
            'markers.not_achieved[1] = "yes": '
            'the same label as markers.achieved[1] = "Yes" (labels match',
        ),
        (
            '[markers]\nachieved = ["Done", "No"]\n',
            'markers.not_achieved[2] (IDREAM default) = "No": '
            'the same label as markers.achieved[2] = "No"',
        ),
        (
            SCALE.format('"Disagree", "Don_t know", "Agree"'),
            'survey.excluded[2] (IDREAM default) = "Don\'t know": '
            'the same label as survey.scales[1].categories[2] = "Don_t know"',
        ),
        (
            SCALE.format('"Disagree", "Dont know", "Agree"'),
            'survey.excluded[2] (IDREAM default) = "Don\'t know": '
            "its code dont_know is the code of survey.scales[1].categories[2] too",
        ),
        (
            '[[participant_types]]\nid = "person"\nlabel = "person"\nplural = "people"\n'
            '[[participant_types]]\nid = "group"\nlabel = "group"\nplural = "groups"\n'
            'aliases = ["People"]\n',
            'participant_types[2].aliases[1] = "People": '
            'the same label as participant_types[1].plural = "people"',
        ),
        (
            '[survey]\nexclude_review_states = ["rejected", "Rejected"]\n',
            'survey.exclude_review_states[2] = "Rejected": '
            "the same label as survey.exclude_review_states[1]",
        ),
        # shapes and blanks
        (
            '[markers]\nlevels = "Realistic"\n',
            'markers.levels = "Realistic": must be a list of strings',
        ),
        ("[markers]\nlevels = [1, 2]\n", "markers.levels[1] = 1: must be a string"),
        (
            '[markers]\nlevels = ["Low", "\u2014"]\n',
            'markers.levels[2] = "\u2014": has no letters or digits',
        ),
        ('[[domains]]\nid = "voice"\nlabel = "  "\n', 'domains[1].label = "  ": is blank'),
        ('[[domains]]\nid = "voice"\n', "domains[1].label: missing"),
        ("survey = 5\n", "survey = 5: must be a table ([survey])"),
        ("domains = 5\n", "domains = 5: must be an array of tables ([[domains]])"),
        ('[survey]\ncohort_column = "#"\n', 'survey.cohort_column = "#": has no letters or digits'),
        ('[programme]\nname = ""\n', 'programme.name = "": is blank'),
        ('[[survey.sections]]\nid = "s"\nlabel = "S"\n', "survey.sections[1].phrase: missing"),
    ],
)
def test_a_bad_setting_is_named(tmp_path, text, message):
    with pytest.raises(ProgrammeSettingsError) as error:
        load(tmp_path, text)
    assert str(error.value).startswith("programme.toml: ")
    assert message in str(error.value)


TWO_AGREEMENT_SCALES = {
    "survey": {
        "excluded": ["Prefer not to say"],
        "scales": [
            {
                "id": "agree4",
                "categories": ["Disagree", "Somewhat disagree", "Somewhat agree", "Agree"],
            },
            {
                "id": "agree5",
                "categories": [
                    "Disagree",
                    "Somewhat disagree",
                    "Neutral",
                    "Somewhat agree",
                    "Agree",
                ],
            },
        ],
    }
}


def test_two_scales_may_share_an_answer_label_with_one_code():
    """An answer is read against its item's scale, so `Agree` on a 4-point and a 5-point
    scale is one answer: the definition loads, and each scale places it itself."""
    from orchestration.lib.programme_seeds import answer_category_rows, label_dictionary_rows
    from orchestration.lib.survey_export_rules import CodebookItem, SurveyRules, answer_codes

    definition = ProgrammeSettings.from_toml(TWO_AGREEMENT_SCALES, "p").definition
    rows = {(row.scale, row.answer): row for row in answer_category_rows(definition)}
    assert (rows["agree4", "agree"].scale_position, rows["agree5", "agree"].scale_position) == (
        4,
        5,
    )
    assert rows["agree4", "somewhat_agree"].is_top2 and rows["agree5", "somewhat_agree"].is_top2
    answers = {
        r.label_key: r.value for r in label_dictionary_rows(definition) if r.field == "answer"
    }
    assert answers["agree"] == "agree"
    items = [CodebookItem("q4", "Q4", "agree4"), CodebookItem("q5", "Q5", "agree5")]
    codes = answer_codes(items, SurveyRules.of(definition))
    assert codes["q4"]["agree"] == codes["q5"]["agree"] == "agree"
    assert "neutral" in codes["q5"] and "neutral" not in codes["q4"]


@pytest.mark.parametrize(
    ("scale", "problem"),
    [
        # One label twice in a scale, and a label that is a category and an excluded answer.
        (["Disagree", "Agree", "agree"], "a label names one answer only"),
        (["Disagree", "Prefer not to say"], "a label names one answer only"),
    ],
)
def test_within_a_scale_and_its_excluded_answers_a_label_has_one_meaning(scale, problem):
    stated = {
        "survey": {
            "excluded": ["Prefer not to say"],
            "scales": [{"id": "s", "categories": scale, "top": 1}],
        }
    }
    with pytest.raises(ProgrammeSettingsError, match=problem):
        ProgrammeSettings.from_toml(stated, "p")
