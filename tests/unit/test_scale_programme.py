"""The scale generator: x1 is the shipped sample, xN keeps the contract and states its own
counts truthfully in programme.toml (the checks compare the files with it)."""

import hashlib
import tomllib

import fastexcel
import polars as pl
import pytest

from orchestration.lib import workbooks
from orchestration.scale_programme import generate, shape, spread
from tests.conftest import SAMPLE_RAW


def test_x1_is_the_committed_sample_byte_for_byte(tmp_path):
    written = generate(tmp_path, 1)
    assert {p.relative_to(tmp_path) for p in written} == {
        p.relative_to(SAMPLE_RAW) for p in SAMPLE_RAW.rglob("*") if p.is_file()
    }
    for path in written:
        committed = SAMPLE_RAW / path.relative_to(tmp_path)
        assert hashlib.sha256(path.read_bytes()).digest() == (
            hashlib.sha256(committed.read_bytes()).digest()
        ), path


@pytest.mark.parametrize(
    ("scale", "expected"), [(1, (4, 10)), (7, (4, 70)), (100, (40, 100)), (1000, (100, 400))]
)
def test_shape_multiplies_the_participants_by_the_scale(scale, expected):
    cohorts, size = shape(scale)
    assert (cohorts, size) == expected
    assert cohorts * size == 40 * scale


def test_shape_refuses_a_scale_below_one():
    with pytest.raises(ValueError, match="scale"):
        shape(0)


@pytest.fixture(scope="module")
def x4(tmp_path_factory):
    """x4 with exports of at most 9 responses: every survey cohort is split over files."""
    out = tmp_path_factory.mktemp("x4")
    generate(out, 4, rows_per_export=9)
    return out


def _cohort_number(text: str) -> int:
    return int("".join(ch for ch in text if ch.isdigit()))


def test_programme_toml_states_the_roster_the_files_hold(x4):
    stated = tomllib.loads((x4 / "programme.toml").read_text())
    roster = pl.read_excel(x4 / "participants.xlsx", sheet_name="participants")
    sizes = roster.group_by(
        pl.col("Cohort").map_elements(_cohort_number, return_dtype=pl.Int64)
    ).len()
    assert {str(c): n for c, n in sizes.iter_rows()} == stated["cohort_sizes"]
    assert roster["Participant ID"].n_unique() == roster.height == 40 * 4


def test_exports_are_split_within_the_limit_and_state_distinct_respondents(x4):
    stated = tomllib.loads((x4 / "programme.toml").read_text())["survey_respondents"]
    exports = sorted(p for p in (x4 / "survey").iterdir() if p.name != "codebook.xlsx")
    assert {p.suffix for p in exports} == {".xlsx", ".csv"}
    ids_by_cohort: dict[int, set[str]] = {}
    for path in exports:
        if path.suffix == ".xlsx":
            frame = (
                fastexcel.read_excel(path).load_sheet_by_name("responses", dtypes="string")
            ).to_polars()
            ids, cohorts = frame["Response ID"], frame["Cohort"]
        else:
            kobo = "kobo" in path.name
            frame = pl.read_csv(path, separator=";" if kobo else ",", infer_schema=False)
            ids = frame["_uuid" if kobo else "response_id"]
            cohorts = frame["cohort"]
        # A Kobo file repeats one response id (an earlier attempt): one row more.
        assert ids.n_unique() <= 9
        assert frame.height <= (10 if path.suffix == ".csv" and "kobo" in path.name else 9)
        for response_id, cohort in zip(ids, cohorts, strict=True):
            ids_by_cohort.setdefault(_cohort_number(cohort), set()).add(response_id)
    assert {str(c): len(ids) for c, ids in ids_by_cohort.items()} == stated
    assert sum(stated.values()) == 35 * 4


def test_a_sheet_over_excel_s_row_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(workbooks, "EXCEL_MAX_DATA_ROWS", 3)
    rows = [(n,) for n in range(4)]
    with pytest.raises(ValueError, match="more rows than Excel allows"):
        workbooks.write_workbook(tmp_path / "big.xlsx", {"s": (("n",), rows)}, streamed=True)


@pytest.mark.parametrize("total", [1, 7, 1000, 1_000_003])
def test_a_survey_heavy_total_is_spread_in_proportion_and_adds_up(total):
    weights = {2: 9, 3: 16, 4: 10, 6: 9}
    counts = spread(total, weights)
    assert sum(counts.values()) == total
    assert set(counts) <= set(weights)
    for cohort, count in counts.items():
        assert abs(count - total * weights[cohort] / 44) < 1


def test_a_survey_heavy_programme_holds_that_many_responses_in_csv_exports(tmp_path):
    generate(tmp_path, 4, survey_responses=23)
    stated = tomllib.loads((tmp_path / "programme.toml").read_text())["survey_respondents"]
    assert sum(stated.values()) == 23
    exports = sorted(p for p in (tmp_path / "survey").iterdir() if p.name != "codebook.xlsx")
    assert {p.suffix for p in exports} == {".csv"}
    assert any("kobo" in p.name for p in exports) and any("kobo" not in p.name for p in exports)
    # The roster stays x4's: only the survey grows.
    roster = pl.read_excel(tmp_path / "participants.xlsx", sheet_name="participants")
    assert roster.height == 160
