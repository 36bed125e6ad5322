"""`idream check`'s temporary folder: the survey it spills there must not outlive the
check, even when the check itself fails half-way (tests/e2e/test_check.py covers the
check's answers)."""

import tempfile

import pytest

from orchestration.check import check_folder
from orchestration.lib.quality import runner
from tests.programmes import minimal_programme


def test_the_spilled_survey_is_removed_when_the_suites_fail(tmp_path, monkeypatch):
    # Guards the cleanup on error: an exception in the suites once left the survey's
    # Parquet parts (response ids and answers) in the temporary folder.
    raw = minimal_programme().write(tmp_path / "raw")
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    seen: list[list[str]] = []

    def failing(connection, names, programme, **options):
        # What the suites would have read: the spilled parts are there at this point.
        seen.append(sorted(path.name for path in folder.rglob("*.parquet")))
        raise RuntimeError("a suite broke")

    monkeypatch.setattr(runner, "validate_on", failing)

    with pytest.raises(RuntimeError, match="a suite broke"):
        check_folder(raw)

    assert seen and any(name.startswith("survey_answers.") for name in seen[0]), seen
    assert list(folder.iterdir()) == []
