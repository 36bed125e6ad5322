"""One run of the real pipeline on the shipped sample, and one on the paralegal example,
each shared by every module that reads it: each run costs half a minute on two cores. And
the survey-heavy programme's files, generated once for the two modules that copy them.
tests/conftest.py puts the modules sharing one of these in one xdist group, so that each
is made once."""

import re

import pytest

from orchestration import example_programme as example
from orchestration.scale_programme import generate
from tests.conftest import SAMPLE_RAW, run_idream_captured, tree_digest


class SampleRun(tuple):
    """(warehouse folder, digest of raw/ before the run, run id), and what the run printed."""

    terminal: str


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("warehouse")
    raw_before = tree_digest(SAMPLE_RAW)
    result, out, err = run_idream_captured(SAMPLE_RAW, warehouse)
    assert result.exit_code == 0, err
    run_id = re.search(r"idream: run (\S+) succeeded", out).group(1)
    run = SampleRun((warehouse, raw_before, run_id))
    run.terminal = err + out
    return run


class ExampleRun(tuple):
    """(warehouse folder, what the run printed)."""


@pytest.fixture(scope="session")
def example_run(tmp_path_factory):
    """The paralegal example (examples/paralegal_fellowship) run alone: its brief and
    warehouse are read by test_example_programme.py (the hand computations),
    test_further_analysis.py (the independent computation) and test_programmes.py (a
    programme under a root publishes what it publishes alone). None of them writes to it."""
    raw = example.EXAMPLES_DIR / example.PROGRAMME_ID
    warehouse = tmp_path_factory.mktemp("example_warehouse")
    raw_before = tree_digest(raw)
    result, out, err = run_idream_captured(raw, warehouse)
    printed = err + out
    assert result.exit_code == 0, printed[-5000:]
    # The committed example is read, never written.
    assert tree_digest(raw) == raw_before
    return ExampleRun((warehouse, printed))


# Issue 17's survey-heavy programme: 50,000 responses, 1,350,000 answers, in CSV exports as
# the tools write them.
LARGE_SURVEY_RESPONSES = 50_000


@pytest.fixture(scope="session")
def large_survey_raw(tmp_path_factory):
    """The survey-heavy programme's raw folder (about ten seconds to write), run by
    test_large_survey.py and checked by test_check.py. Read only: a test that plants a
    bad answer does so in a copy of its own."""
    raw = tmp_path_factory.mktemp("large_survey") / "raw"
    generate(raw, 4, survey_responses=LARGE_SURVEY_RESPONSES)
    return raw
