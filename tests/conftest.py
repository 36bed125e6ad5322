import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration import cli

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_RAW = PROJECT_ROOT / "raw"


@pytest.fixture(scope="session", autouse=True)
def isolated_environment(tmp_path_factory):
    """No telemetry, and a throwaway pseudonym key: tests never touch ~/.config."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        patch.setenv("DO_NOT_TRACK", "1")
        patch.setenv("GX_ANALYTICS_ENABLED", "false")
        patch.setenv("IDREAM_PSEUDONYM_KEY_FILE", str(tmp_path_factory.mktemp("key") / "test.key"))
        patch.delenv("IDREAM_ENV", raising=False)
        # A Dagster instance of the test session's own: `idream run` records every run in
        # it, as it does in the project's .dagster_home.
        patch.setenv("DAGSTER_HOME", str(tmp_path_factory.mktemp("dagster_home")))
        yield


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server for the session (tests/postgres.py), opt-in: only the
    tests that name it start one (about a second). Its login role's password is in a
    PGPASSFILE, set for the session, as a team's runs would find theirs."""
    from tests.postgres import PostgresNotInstalled, find_bin_dir, running_server

    try:
        bin_dir = find_bin_dir()
    except PostgresNotInstalled as error:
        pytest.fail(str(error))
    with running_server(bin_dir) as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("PGPASSFILE", str(server.password_file))
        patch.delenv("PGPASSWORD", raising=False)
        yield server


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    stdout: str
    stderr: str


def run_idream(raw_dir: Path, warehouse_dir: Path, capsys=None, force: bool = False) -> RunResult:
    """`idream run` in this process, as a user would call it.

    GX is imported here first, so each run builds its quality report in this process (as
    on the PostgreSQL warehouse) rather than start a process that imports GX again (about
    4 s of CPU per run). The CLI runs of tests/e2e/test_operations.py and the bench's
    smoke run use that process, and tests/unit/test_quality_sql.py tests it alone."""
    import great_expectations  # noqa: F401

    arguments = ["run", "--raw-dir", str(raw_dir), "--warehouse-dir", str(warehouse_dir)]
    code = cli.main([*arguments, "--force"] if force else arguments)
    captured = capsys.readouterr() if capsys else None
    return RunResult(code, captured.out if captured else "", captured.err if captured else "")


def run_idream_captured(raw_dir: Path, warehouse_dir: Path) -> tuple[RunResult, str, str]:
    """`idream run` for a module or session fixture, where capsys is not available: the
    result, and what it printed to standard output and to standard error."""
    with pytest.MonkeyPatch.context() as patch:
        out, err = io.StringIO(), io.StringIO()
        patch.setattr("sys.stdout", out)
        patch.setattr("sys.stderr", err)
        result = run_idream(raw_dir, warehouse_dir)
    return result, out.getvalue(), err.getvalue()


def tree_digest(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """SHA-256 of every file under `folder`, but those under a top-level folder in `skip`."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.relative_to(folder).parts[0] not in skip
    }


def published_digest(warehouse: Path) -> dict[str, str]:
    """What a failed run must leave untouched: the warehouse file and the brief. The build
    copy is the run's scratch space, and the quality report and the logs describe every
    run, by design."""
    return tree_digest(warehouse, skip=(".build", "quality", "logs"))


# The session fixtures that are whole runs or large inputs (tests/e2e/conftest.py), and the
# xdist group of the modules that use each: one group, so that each is made once, not once
# per worker.
SHARED_GROUP = "shared_runs"
SHARED_FIXTURES = {
    "sample_run": SHARED_GROUP,
    "example_run": SHARED_GROUP,
    "large_survey_raw": "large_survey",
}


# First: xdist's own hook reads these marks to group the tests, on each worker.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """One xdist group per test file, as `--dist loadfile` would make (module fixtures are
    whole pipeline runs), except that the files using one of the shared session fixtures
    are in that fixture's group.

    The groups are also put in the order the two workers should take them (pyproject
    turns xdist's own reordering off: it sorts by the number of tests, which sends the
    one-test end-to-end files of a minute or two last, behind the unit tests). The shared
    group first (the largest), then the other end-to-end files, then the unit tests, which
    are short: the last work handed out is short, so neither worker is left with a long
    run after the other has finished. Each file's tests stay together and in their order,
    so module fixtures are still set up once."""

    def file_of(item) -> str:
        return item.nodeid.split("::")[0]

    shared = {}  # file -> group
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            if fixture in SHARED_FIXTURES:
                shared[file_of(item)] = SHARED_FIXTURES[fixture]

    def group_of(item) -> str:
        return shared.get(file_of(item), file_of(item))

    def rank(item) -> int:
        if group_of(item) == SHARED_GROUP:
            return 0
        return 1 if file_of(item).startswith("tests/e2e/") else 2

    # sort is stable: within a rank, the collection's order.
    items.sort(key=rank)
    for item in items:
        item.add_marker(pytest.mark.xdist_group(group_of(item)))
