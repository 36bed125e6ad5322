"""The programme settings file: its counts and its data-protection policy."""

from __future__ import annotations

import pytest

from orchestration.lib.programme import ProgrammeSettings, ProgrammeSettingsError
from orchestration.sample_programme import generate


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
    (tmp_path / "programme.toml").write_text(
        "[disclosure]\nmin_cell_size = 11\n[retention]\nkeep_free_text = true\n"
    )
    settings = ProgrammeSettings.load(tmp_path)
    assert (settings.min_cell_size, settings.keep_free_text) == (11, True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[disclosure]\nmin_cell_size = 0\n", "disclosure.min_cell_size must be a whole number"),
        ("[disclosure]\nmin_cell_size = true\n", "not True"),
        ('[disclosure]\nmin_cell_size = "5"\n', "not '5'"),
        ('[retention]\nkeep_free_text = "no"\n', "retention.keep_free_text must be true or false"),
        ('[cohort_sizes]\n"one" = 3\n', "key 'one' is not a cohort number"),
        ('[cohort_sizes]\n"1" = -3\n', "cohort_sizes.1 must be a whole number"),
        ("disclosure = 5\n", "[disclosure] must be a table"),
        ("[disclosure\n", "not valid TOML"),
    ],
)
def test_a_bad_setting_is_named(tmp_path, text, message):
    (tmp_path / "programme.toml").write_text(text)
    with pytest.raises(
        ProgrammeSettingsError, match=f"programme.toml: .*{message}".replace("[", r"\[")
    ):
        ProgrammeSettings.load(tmp_path)
