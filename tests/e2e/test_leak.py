"""The leak test: a programme whose names, emails, countries, programme codes, free texts and
survey-tool metadata are distinctive strings goes through the whole pipeline; none of them
may appear in any table of any schema (but `restricted`, when free text is kept) or in any
file the run wrote: the published brief, the quality report, the build folder, dbt's
target and logs, and what the run printed.

Two runs on one warehouse: the first keeps free text (it must land in `restricted` and
nowhere else), the second turns it off again (the `restricted` schema must be gone).
"""

from __future__ import annotations

import html
import os
import re
import zipfile
from pathlib import Path

import duckdb
import polars as pl

from orchestration.settings import DBT_PROJECT_DIR
from tests.conftest import run_idream
from tests.programmes import LEVELS, Programme

# cohort -> participants: cohort 2 is below the default k = 5.
COHORTS = {"1": 6, "2": 3, "3": 5}
DOMAINS = ("Resilience", "Advocacy", "Integrated Security")
ITEMS = (("sec_01", "security", "confidence"), ("con_01", "connection", "agreement"))
PSEUDONYM = re.compile(r"p_[0-9a-f]{16}")


def pid(cohort: str, number: int) -> str:
    return f"LEAKID-{cohort}{number:02d}"


def leak_programme(keep_free_text: bool) -> tuple[Programme, set[str], set[str]]:
    """The programme, its identifying strings, and its free texts."""
    identifying, free_text = set(), set()
    roster, markers, unanticipated = [], {}, {}
    for cohort, size in COHORTS.items():
        rows = []
        for number in range(1, size + 1):
            person = pid(cohort, number)
            name = f"LEAKNAME Ágata Ørsted-{person}"
            email = f"leak.{person.lower()}@leakmail.example"
            country = f"LEAKLAND-{person}"
            roster.append((person, cohort, "Individual", name, email, country))
            identifying |= {person, name, email, country}
            for index, domain in enumerate(DOMAINS):
                statement = f"LEAKOUTCOME {person} {domain}: would re-identify me"
                free_text.add(statement)
                for level in LEVELS:
                    marker = f"LEAKMARKER {person} {domain} {level}"
                    free_text.add(marker)
                    # Odd-numbered participants achieve one domain, the others none: no
                    # column is all or nothing, which would withhold every cohort.
                    hit = number % 2 == 1 and index == number % 3 and level == "Realistic"
                    achieved = "Achieved" if hit else None
                    rows.append((person, domain, 1, statement, level, marker, None, achieved))
        markers[f"cohort_{cohort}.xlsx"] = rows
        description = f"LEAKDESCRIPTION met the minister of {pid(cohort, 1)}"
        free_text.add(description)
        unanticipated[f"cohort_{cohort}.xlsx"] = [(pid(cohort, 1), "", "final", description)]

    header = (
        "_uuid",
        "_submission_time",
        "cohort",
        *(item for item, _, _ in ITEMS),
        "deviceid",
        "username",
        "_submitted_by",
        "start",
        "end",
        "comments",
    )
    responses = []
    for number in range(1, 12):
        tool = (
            f"LEAKDEVICE-{number:03d}",
            f"LEAKUSER-{number:03d}",
            f"LEAKSUBMITTER-{number:03d}",
            f"2031-07-0{number % 9 + 1}T04:4{number % 10}:17.123+03:00",
            f"2031-07-0{number % 9 + 1}T05:5{number % 10}:29.456+03:00",
        )
        comment = f"LEAKCOMMENT my name is {pid('1', number % 6 + 1)}"
        identifying |= set(tool)
        free_text.add(comment)
        answers = ("More confident" if number % 3 else "About the same", "Agree")
        cohort = "1" if number <= 6 else "3"
        responses.append(
            (
                f"uuid-{number:04d}",
                f"2024-06-01T10:{number:02d}:00",
                cohort,
                *answers,
                *tool,
                comment,
            )
        )
    settings = (
        "[cohort_sizes]\n"
        + "".join(f'"{cohort}" = {size}\n' for cohort, size in COHORTS.items())
        + '[survey_respondents]\n"1" = 6\n"3" = 5\n'
        + f"[retention]\nkeep_free_text = {'true' if keep_free_text else 'false'}\n"
    )
    programme = Programme(
        roster=roster,
        markers=markers,
        unanticipated=unanticipated,
        codebook=[(item, section, f"Statement {item}", scale) for item, section, scale in ITEMS],
        surveys={"kobo_export.csv": (header, responses)},
        programme_settings=settings,
    )
    return programme, identifying, free_text


def warehouse_text(database: Path, skip_schema: str | None = None) -> tuple[str, set[str]]:
    """Every cell of every table, as text, and the schemas found."""
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        dumps = [
            connection.execute(f'select * from "{schema}"."{name}"').pl().write_csv()
            for schema, name in tables
            if schema != skip_schema
        ]
    return "\n".join(dumps), {schema for schema, _ in tables}


def written_files(warehouse: Path) -> dict[Path, str]:
    """Every file the run wrote that is not a DuckDB database (those are read by SQL)."""
    roots = [warehouse, DBT_PROJECT_DIR / "target", DBT_PROJECT_DIR / "logs"]
    files = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and ".duckdb" not in path.name:
                files[path] = _file_text(path)
    return files


def _file_text(path: Path) -> str:
    """Compressed outputs (the brief's workbook and Parquet tables) as the text they hold:
    their raw bytes would hide a leaked string."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as workbook:
            xml = "\n".join(workbook.read(name).decode("utf-8") for name in workbook.namelist())
        return html.unescape(xml)
    if path.suffix == ".parquet":
        return pl.read_parquet(path).write_csv()
    text = path.read_bytes().decode("utf-8", errors="replace")
    # Markup may hold a name as entities (&Oslash;rsted).
    return html.unescape(text) if path.suffix in (".html", ".svg", ".xml") else text


def assert_nowhere(secrets: set[str], places: dict[str, str]) -> None:
    found = [
        (secret, where) for secret in secrets for where, text in places.items() if secret in text
    ]
    assert not found, f"leaked: {found[:5]}"


def test_nothing_identifying_reaches_any_table_or_file(tmp_path, capfd):
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    programme, identifying, free_text = leak_programme(keep_free_text=True)
    programme.write(raw)

    result = run_idream(raw, warehouse)
    printed = capfd.readouterr()
    assert result.exit_code == 0, printed.out[-3000:] + printed.err[-3000:]

    # Free text was kept, and only in `restricted`.
    with duckdb.connect(str(warehouse / "idream.duckdb"), read_only=True) as connection:
        kept = connection.execute(
            "select outcome, marker from restricted.success_marker_texts"
        ).fetchall()
        descriptions = connection.execute(
            "select description from restricted.unanticipated_outcome_texts"
        ).fetchall()
    assert {text for row in kept for text in row} | {d for (d,) in descriptions} == {
        text for text in free_text if not text.startswith("LEAKCOMMENT")
    }
    # The pseudonym key is a secret too (the run created it: tests use a throwaway one).
    identifying.add(Path(os.environ["IDREAM_PSEUDONYM_KEY_FILE"]).read_text().strip())
    tables, schemas = warehouse_text(warehouse / "idream.duckdb", skip_schema="restricted")
    assert {"raw", "staging", "marts", "restricted"} <= schemas
    places = {"warehouse tables": tables, "stdout": printed.out, "stderr": printed.err}
    places |= {str(path): text for path, text in written_files(warehouse).items()}
    assert_nowhere(identifying | free_text, places)

    # Turning free text off removes what was kept, and still nothing leaks.
    programme, _, _ = leak_programme(keep_free_text=False)
    programme.write(raw)
    result = run_idream(raw, warehouse)
    printed = capfd.readouterr()
    assert result.exit_code == 0, printed.out[-3000:] + printed.err[-3000:]
    tables, schemas = warehouse_text(warehouse / "idream.duckdb")
    assert "restricted" not in schemas
    # Nor in the files' bytes, as far as a byte search can tell: DuckDB leaves dropped
    # tables' pages unwiped (hence the rebuild), but it also compresses similar strings,
    # so this catches only remnants stored uncompressed. Measured: with the rebuild
    # switched off, this programme's texts were not found either.
    for database in (warehouse / "idream.duckdb", warehouse / ".build" / "idream.duckdb"):
        content = database.read_bytes()
        assert not [text for text in free_text if text.encode() in content], database
    places = {"warehouse tables": tables, "stdout": printed.out, "stderr": printed.err}
    places |= {str(path): text for path, text in written_files(warehouse).items()}
    assert_nowhere(identifying | free_text, places)

    # No published row describes one participant: no pseudonym, and one row per cohort,
    # item or section, however many participants there are.
    brief = warehouse / "brief"
    published = {
        path.name: path.read_bytes().decode("utf-8", "replace")
        for path in brief.rglob("*")
        if path.is_file()
    }
    assert published
    for name, text in published.items():
        assert not PSEUDONYM.search(text), name
    assert (
        len(published["success_markers_by_domain.csv"].strip().splitlines()) == 1 + len(COHORTS) + 1
    )
    assert len(published["survey_items.csv"].strip().splitlines()) == 1 + len(ITEMS)

    # Cohort 2 (3 people) is below k = 5, and cohort 3 (5 people, the smallest other one)
    # is withheld with it, so that the total does not give cohort 2 away.
    markers = pl.read_csv(brief / "success_markers_by_domain.csv", infer_schema=False)
    withheld = {
        row["cohort"]: "suppressed" in row.values() for row in markers.iter_rows(named=True)
    }
    assert withheld == {"1": False, "2": True, "3": True, "all": False}
