"""A withheld cell is withheld in every published format: the CSV cell reads `suppressed`,
Parquet holds null and a true `<x>_suppressed` flag, the page and the workbook say
"suppressed" with a note, the charts leave it out, and the methods count it. Built from
mart-shaped frames, without running the pipeline."""

import itertools
import json
import random
import zipfile
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.lib import brief, further, publishing, suppression
from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.programme_definition import idream_definition
from orchestration.lib.report.provenance import Provenance
from orchestration.lib.report.quality_status import QualityStatus
from orchestration.lib.rounding import percent_half_up
from tests.unit.further_marts import Person, marts
from tests.unit.test_brief import survey_marts

K = 5
IDREAM = idream_definition()
DOMAINS = brief.domains(IDREAM)
# cohort -> (participant type, participants, achieved per domain in the brief's order)
COHORTS = {"1": ("individual", 6, (5, 3, 2, 6)), "2": ("individual", 3, (2, 1, 1, 3))}
ITEMS = [
    # item, section, scale, answers on the scale (low to high), (not applicable, don't know),
    # skipped
    ("sec_01", "security", "confidence", (0, 1, 1, 4, 3), (0, 0), 0),
    ("sec_02", "security", "confidence", (0, 0, 1, 1, 1), (6, 0), 0),  # 3 valid: below k
    ("con_01", "connection", "agreement", (1, 0, 2, 3, 3), (0, 0), 0),
]


def domain_rates() -> pl.DataFrame:
    rows = []
    totals = [0] * len(DOMAINS)
    for number, (cohort, (kind, size, achieved)) in enumerate(COHORTS.items(), start=1):
        for index, domain in enumerate(DOMAINS):
            rows.append((cohort, number, kind, domain, size, achieved[index]))
            totals[index] += achieved[index]
    participants = sum(size for _, size, _ in COHORTS.values())
    rows += [("all", None, None, d, participants, totals[i]) for i, d in enumerate(DOMAINS)]
    schema = ["cohort", "cohort_number", "participant_type", "domain", "participants", "achieved_n"]
    return pl.DataFrame(rows, schema=schema, orient="row")


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    rates, (items, answer_counts) = domain_rates(), survey_marts(IDREAM, ITEMS)
    groups, rows = brief.success_marker_groups(rates, IDREAM)
    hidden_markers = suppression.suppress(
        brief.success_marker_counts(rates), groups, K, together=rows
    )
    hidden_items = suppression.suppress(brief.survey_item_counts(items), (), K)
    sections = pl.DataFrame(
        {
            "section": ["security", "connection"],
            "section_order": [1, 2],
            "items": [2, 1],
            "respondents": [9, 9],
        }
    )
    tables = brief.BriefTables(
        success_markers=brief.success_markers_by_domain(rates, IDREAM, hidden_markers),
        survey_sections=brief.survey_sections(items, sections, hidden_items, K),
        survey_items=brief.survey_items(items, answer_counts, IDREAM, hidden_items),
        respondents=9,
        surveyed_cohorts=[1, 2],
        definition=IDREAM,
        participant_types=("individual",),
        min_cell_size=K,
    )
    provenance = Provenance("run-1", "2026-01-01T00:00:00Z", "0.1.0", "c0de", (), ())
    quality = QualityStatus(passed=True, suites_run=1, expectations=1, warnings=())
    out = tmp_path_factory.mktemp("brief")
    publishing.write_brief(tables, out, provenance, quality)
    return out, hidden_markers, hidden_items


def test_the_small_cohort_row_and_the_small_item_are_withheld(published):
    _, hidden_markers, hidden_items = published
    # Cohort 2 has 3 participants: its row goes; cohort 1's too, or the totals would give
    # cohort 2 away; and the "any domain" total, 9/9, would give both away.
    assert hidden_markers == {(c, d) for c in ("1", "2") for d in DOMAINS} | {("all", "any_domain")}
    assert hidden_items == {"sec_02"}


def test_csv_cells_read_suppressed_and_published_cells_keep_their_numbers(published):
    out, _, _ = published
    markers = pl.read_csv(out / "success_markers_by_domain.csv", infer_schema=False)
    cohort_2 = markers.filter(pl.col("cohort") == "2").row(0, named=True)
    for domain in DOMAINS:
        for part in ("achieved", "pct", "ci_low", "ci_high"):
            assert cohort_2[f"{domain}_{part}"] == "suppressed"
    assert cohort_2["participants"] == "3"  # denominators are published
    total = markers.filter(pl.col("cohort") == "all").row(0, named=True)
    assert total["resilience_achieved"] == "7" and total["resilience_pct"] == "78"
    assert not any(c.endswith("_suppressed") for c in markers.columns)
    items = pl.read_csv(out / "survey_items.csv", infer_schema=False)
    sec_02 = items.filter(pl.col("item_id") == "sec_02").row(0, named=True)
    assert sec_02["valid_n"] == "3"
    assert sec_02["top_box_n"] == sec_02["top_box_pct"] == sec_02["top_box_ci_low"] == "suppressed"
    # Its answer counts would give its top-box count away: the categories' by adding up,
    # the excluded and skipped by taking them from the item's responses.
    counts = [c for c in items.columns if c.endswith("_n") and c != "valid_n"]
    assert {sec_02[c] for c in counts} == {"suppressed"}
    sec_01 = items.filter(pl.col("item_id") == "sec_01").row(0, named=True)
    assert (sec_01["more_confident_n"], sec_01["top_box_n"], sec_01["agree_n"]) == ("4", "7", None)
    sections = pl.read_csv(out / "survey_sections.csv", infer_schema=False)
    assert sections["top_box_pct"].to_list() == ["suppressed", "67"]


def test_parquet_holds_null_and_a_flag(published):
    out, _, _ = published
    markers = pl.read_parquet(out / "success_markers_by_domain.parquet")
    cohort_2 = markers.filter(pl.col("cohort") == "2").row(0, named=True)
    assert cohort_2["resilience_suppressed"] is True
    assert cohort_2["resilience_achieved"] is None and cohort_2["resilience_ci_low"] is None
    assert markers["resilience_achieved"].dtype == pl.Int64
    total = markers.filter(pl.col("cohort") == "all").row(0, named=True)
    assert total["resilience_suppressed"] is False and total["resilience_achieved"] == 7


def test_page_workbook_markdown_and_charts_withhold_the_same_cells(published):
    out, _, _ = published
    page = (out / "brief.html").read_text(encoding="utf-8")
    # 9 success-marker cells, 1 item, 1 section average.
    assert page.count('<span class="suppressed">suppressed</span>') == 11
    assert "Suppressed: fewer than 5 in the group" in page
    assert "Minimum cell size k = 5. Cells suppressed in this brief: 11." in page
    with zipfile.ZipFile(out / "brief.xlsx") as workbook:
        strings = workbook.read("xl/sharedStrings.xml").decode("utf-8")
        comments = [n for n in workbook.namelist() if "comments" in n]
    assert "<t>suppressed</t>" in strings and comments
    markdown = (out / "brief.md").read_text(encoding="utf-8")
    assert "| Cohort 2 (N=3 individuals) | suppressed | suppressed |" in markdown
    survey_chart = (out / "survey_answers.svg").read_text(encoding="utf-8")
    assert "Statement sec_01" in survey_chart and "Statement sec_02" not in survey_chart
    domain_chart = (out / "domain_rates.svg").read_text(encoding="utf-8")
    assert "Cohort 2" not in domain_chart and "7/9" in domain_chart
    record = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert record["run_id"] == "run-1" and "brief.html" in record["outputs"]


# --- The further analysis ------------------------------------------------------------
# A small cohort in every new table, checked as test_suppression.py's property test checks
# the headline table: enumerate every table an attacker could rebuild from what is published
# (each cohort's rows within its structure, the published totals, and the headline table's
# figures, which some of these tables repeat under another name); every withheld cell must
# keep at least two values.

SMALL = ProgrammeSettings.from_toml(
    {
        "programme": {"id": "small", "name": "Small"},
        "participant_types": [
            {"id": "person", "label": "person", "plural": "people"},
            {"id": "group", "label": "group", "plural": "groups"},
        ],
        "domains": [{"id": "voice", "label": "Voice"}, {"id": "safety", "label": "Safety"}],
        "markers": {
            "levels": ["Expected", "Stretch"],
            "reviews": ["Mid", "Exit"],
            "achieved": ["Met"],
            "not_achieved": ["Not met"],
        },
    },
    "small",
).definition
SMALL_DOMAINS = [d.id for d in SMALL.domains]
SMALL_COLUMNS = brief.domains(SMALL)
LEVELS = further.levels(SMALL)
REVIEWS = further.reviews(SMALL)


def small_people(seed: int, cohorts, rate: float = 0.35) -> list[Person]:
    """`cohorts`: (cohort, type, size); each marker achieved with chance `rate`, reproducibly."""
    rng = random.Random(seed)
    people = []
    for cohort, kind, size in cohorts:
        for _ in range(size):
            achieved = {
                d: {
                    level: rng.choice([1, 2])
                    for level in ("expected", "stretch")
                    if rng.random() < rate
                }
                for d in SMALL_DOMAINS
            }
            outcomes = tuple(
                (rng.choice([None, "voice"]), rng.choice(REVIEWS))
                for _ in range(rng.choice([0, 1, 2]))
            )
            people.append(Person(cohort, kind, achieved, outcomes))
    return people


# Cohort 1 (3 people) is below k; types: person (cohorts 1, 3), group (cohort 2).
SMALL_COHORTS = ((1, "person", 3), (2, "group", 5), (3, "person", 6))


@pytest.fixture(scope="module")
def small():
    return small_programme(SMALL_COHORTS)


def small_programme(cohorts, seed: int = 0):
    built = marts(SMALL, small_people(seed, cohorts))
    result = further.published(built.domain_rates, built.further, built.cohort_sizes, SMALL, K)
    headline = brief.success_markers_by_domain(built.domain_rates, SMALL, result.headline)
    # Guard: cohort 1 is withheld with the complement the headline chose, cohort 2.
    assert {c for c, _ in result.headline} == {"1", "2"}
    return built, headline, result.further


def attack(options: dict, totals: dict) -> tuple[dict, dict]:
    """Every value each cell can take in some table that agrees with the publication.
    `options`: cohort -> the rows it can have (its published cells and its structure);
    `totals`: position -> the `all` row's published value there. A dynamic programme over
    the sums the other cohorts can reach, as in test_suppression.py."""
    for cohort, rows in options.items():
        assert rows, f"no row of cohort {cohort} agrees with the publication"
    width = len(next(iter(options.values()))[0])
    fixed = sorted(totals)

    def reachable(cohorts, positions) -> set:
        sums = {(0,) * len(positions)}
        for cohort in cohorts:
            parts = {tuple(row[p] for p in positions) for row in options[cohort]}
            sums = {tuple(a + b for a, b in zip(s, t, strict=True)) for s in sums for t in parts}
        return sums

    target = tuple(totals[p] for p in fixed)
    cells = {}
    for cohort, rows in options.items():
        others = reachable([c for c in options if c != cohort], fixed)
        for row in rows:
            rest = tuple(t - row[p] for t, p in zip(target, fixed, strict=True))
            if rest in others:
                for position, value in enumerate(row):
                    cells.setdefault((cohort, position), set()).add(value)
    # The `all` row's withheld cells: the sums over every cohort that meet the published ones.
    open_positions = [p for p in range(width) if p not in totals]
    total_values = {}
    for total in reachable(list(options), fixed + open_positions):
        if total[: len(fixed)] == target:
            for position, value in zip(open_positions, total[len(fixed) :], strict=True):
                total_values.setdefault(position, set()).add(value)
    return cells, total_values


def agreeing(rows, published: list) -> list:
    return [row for row in rows if all(v is None or row[i] == v for i, v in enumerate(published))]


def headline_cells(headline: pl.DataFrame, cohort: str) -> dict:
    """domain -> the headline's published count of the cohort (None: withheld)."""
    row = headline.filter(pl.col("cohort") == cohort).row(0, named=True)
    return {d: row[f"{d}_achieved"] for d in SMALL_COLUMNS}


def assert_withheld_cells_keep_two_values(frame, columns, cells, totals, key, headline=None):
    """Every withheld cell keeps two values. With `headline`, the cells of a cohort that is
    published there are left out: such a cohort is withheld here only to protect others,
    beside its published headline figure, and what it gives away is about a cohort of k or
    more, the policy's published kind; the small cohorts' cells and the totals are checked."""
    whole = (
        None
        if headline is None
        else set(headline.filter(pl.col(f"{SMALL_COLUMNS[0]}_suppressed"))["cohort"])
    )
    for (cohort, position), values in cells.items():
        if whole is not None and cohort not in whole:
            continue
        table_row = frame.filter(key(cohort)).row(position // len(columns), named=True)
        if table_row[columns[position % len(columns)]] is None:
            assert len(values) >= 2, f"withheld cell {cohort}/{position} can only be {values}"
    all_rows = frame.filter(key("all")).rows(named=True)
    for position, values in totals.items():
        if all_rows[position // len(columns)][columns[position % len(columns)]] is None:
            assert len(values) >= 2, f"withheld total {position} can only be {values}"


def test_the_small_cohort_is_withheld_in_every_table_of_participants(small):
    _, headline, tables = small
    assert headline.filter(pl.col("cohort") == "1")["voice_suppressed"].item()
    flags = {
        "marker_levels": "highest_none_suppressed",
        "marker_progress": f"achieved_by_{REVIEWS[0]}_suppressed",
        "marker_level_rates": "achieved_suppressed",
        "unanticipated_outcomes": "outcomes_suppressed",
    }
    for name, flag in flags.items():
        frame = getattr(tables, name)
        assert frame.filter(pl.col("cohort") == "1")[flag].all(), name
    # The only type that cohort 1's withheld row could be recomputed from: withheld.
    by_type = tables.success_markers_by_type
    assert by_type.filter(pl.col("participant_type") == "person")["voice_suppressed"].item()
    # The figures the level and progress tables repeat from the headline (a "none" count is
    # the roster minus the headline's count; the last review is the headline's count) are
    # withheld exactly where the headline's are; their finer split, for every row, since the
    # headline withholds a cohort.
    hidden = set(headline.filter(pl.col("voice_suppressed"))["cohort"])
    levels, progress = tables.marker_levels, tables.marker_progress
    assert set(levels.filter(pl.col("highest_none_suppressed"))["cohort"]) == hidden
    assert set(progress.filter(pl.col(f"achieved_by_{REVIEWS[-1]}_suppressed"))["cohort"]) == hidden
    assert levels["highest_stretch_suppressed"].all()
    assert progress[f"achieved_by_{REVIEWS[0]}_suppressed"].all()


def levels_rows(size: int) -> set[tuple]:
    """Every marker_levels block a cohort of `size` can have: per domain, then any domain,
    the participants at each highest level (none first)."""
    states = itertools.product(range(len(LEVELS)), repeat=len(SMALL_DOMAINS))
    rows = set()
    for people in itertools.combinations_with_replacement(list(states), size):
        highest = [[person[i] for person in people] for i in range(len(SMALL_DOMAINS))]
        highest.append([max(person) for person in people])
        rows.add(tuple(h.count(level) for h in highest for level in range(len(LEVELS))))
    return rows


def progress_rows(size: int) -> set[tuple]:
    """Every marker_progress block: per domain, then any domain, the participants with an
    achieved marker by each review. A participant's state: the first review per domain."""
    states = itertools.product(range(len(REVIEWS) + 1), repeat=len(SMALL_DOMAINS))
    rows = set()
    for people in itertools.combinations_with_replacement(list(states), size):
        firsts = [[person[i] for person in people] for i in range(len(SMALL_DOMAINS))]
        firsts.append([min((r for r in person if r), default=0) for person in people])
        rows.add(
            tuple(
                sum(1 for first in domain if first and first <= review)
                for domain in firsts
                for review in range(1, len(REVIEWS) + 1)
            )
        )
    return rows


def check_marker_table(frame, headline, cohorts, columns, rows_of, headline_position):
    """The attacker's view of one marker table and the headline: `headline_position(d)`
    is where the table holds domain d's headline count, as `value(size, achieved)`."""
    options = {}
    for cohort, _, size in cohorts:
        block = frame.filter(pl.col("cohort") == str(cohort)).rows(named=True)
        published = [r[c] for r in block for c in columns]
        for d, achieved in headline_cells(headline, str(cohort)).items():
            position, value = headline_position(d)
            if achieved is not None and published[position] is None:
                published[position] = value(size, achieved)
        options[str(cohort)] = agreeing(rows_of(size), published)
    block = frame.filter(pl.col("cohort") == "all").rows(named=True)
    width = len(columns)
    totals = {i * width + j: r[c] for i, r in enumerate(block) for j, c in enumerate(columns)}
    totals = {position: value for position, value in totals.items() if value is not None}
    everyone = sum(size for _, _, size in cohorts)
    for d, achieved in headline_cells(headline, "all").items():
        position, value = headline_position(d)
        if achieved is not None:
            totals.setdefault(position, value(everyone, achieved))
    cells, total_values = attack(options, totals)
    assert_withheld_cells_keep_two_values(
        frame, columns, cells, total_values, lambda c: pl.col("cohort") == c, headline
    )
    return cells


LEVEL_COLUMNS = [f"highest_{level}_n" for level in LEVELS]
PROGRESS_COLUMNS = [f"achieved_by_{review}_n" for review in REVIEWS]


def none_position(domain: str):
    """marker_levels' none count is the roster minus the headline's count."""
    return SMALL_COLUMNS.index(domain) * len(LEVELS), lambda size, achieved: size - achieved


def last_review_position(domain: str):
    """marker_progress' last review is the headline's count."""
    position = SMALL_COLUMNS.index(domain) * len(REVIEWS) + len(REVIEWS) - 1
    return position, lambda size, achieved: achieved


def test_marker_levels_withheld_cells_cannot_be_recomputed(small):
    _, headline, tables = small
    cells = check_marker_table(
        tables.marker_levels, headline, SMALL_COHORTS, LEVEL_COLUMNS, levels_rows, none_position
    )
    assert any(len(values) > 1 for values in cells.values())  # guard: something is withheld


def test_marker_progress_withheld_cells_cannot_be_recomputed(small):
    _, headline, tables = small
    cells = check_marker_table(
        tables.marker_progress,
        headline,
        SMALL_COHORTS,
        PROGRESS_COLUMNS,
        progress_rows,
        last_review_position,
    )
    assert any(len(values) > 1 for values in cells.values())


def test_marker_level_rates_withheld_cells_cannot_be_recomputed(small):
    _, _, tables = small
    frame = tables.marker_level_rates
    options = {}
    for cohort, _, _ in SMALL_COHORTS:
        rows = frame.filter(pl.col("cohort") == str(cohort)).rows(named=True)
        ranges = [
            range(r["markers"] + 1) if r["achieved_n"] is None else [r["achieved_n"]] for r in rows
        ]
        options[str(cohort)] = list(itertools.product(*ranges))
    all_rows = frame.filter(pl.col("cohort") == "all").rows(named=True)
    totals = {i: r["achieved_n"] for i, r in enumerate(all_rows) if r["achieved_n"] is not None}
    cells, total_values = attack(options, totals)
    assert_withheld_cells_keep_two_values(
        frame, ["achieved_n"], cells, total_values, lambda c: pl.col("cohort") == c
    )


@pytest.mark.parametrize(
    "cohorts",
    [
        SMALL_COHORTS,
        # Both withheld cohorts are people: their type is their sum, which the `all` row
        # minus cohort 3 gives anyway, so both type rows are published.
        ((1, "person", 3), (2, "person", 5), (3, "group", 6)),
    ],
)
def test_success_markers_by_type_withheld_cells_cannot_be_recomputed(cohorts):
    """The by-type table against the headline table: a type is the sum of its cohorts
    (here every cohort holds one type), and both tables' `all` rows are the same."""
    _, headline, tables = small_programme(cohorts)
    frame = tables.success_markers_by_type
    # A participant's achieved domains; "any domain" is any of them.
    states = list(itertools.product((0, 1), repeat=len(SMALL_DOMAINS)))

    def vector(people) -> tuple:
        return (
            *(sum(s[i] for s in people) for i in range(len(SMALL_DOMAINS))),
            sum(any(s) for s in people),
        )

    options = {}
    for cohort, _, size in cohorts:
        rows = {vector(p) for p in itertools.combinations_with_replacement(states, size)}
        options[str(cohort)] = agreeing(rows, list(headline_cells(headline, str(cohort)).values()))
    types = {kind: [str(c) for c, k, _ in cohorts if k == kind] for _, kind, _ in cohorts}
    published_types = {
        r["participant_type"]: [r[f"{d}_achieved"] for d in SMALL_COLUMNS]
        for r in frame.iter_rows(named=True)
    }
    everyone = [
        a if a is not None else b
        for a, b in zip(
            list(headline_cells(headline, "all").values()), published_types["all"], strict=True
        )
    ]
    values: dict = {}
    for combination in itertools.product(*options.values()):
        rows = dict(zip(options, combination, strict=True))
        sums = {
            kind: [sum(rows[c][i] for c in cohorts) for i in range(len(SMALL_COLUMNS))]
            for kind, cohorts in types.items()
        }
        sums["all"] = [sum(rows[c][i] for c in rows) for i in range(len(SMALL_COLUMNS))]
        known = {**published_types, "all": everyone}
        if any(
            v is not None and sums[kind][i] != v
            for kind, row in known.items()
            for i, v in enumerate(row)
        ):
            continue
        for name, row in [*rows.items(), *sums.items()]:
            for i, v in enumerate(row):
                values.setdefault((name, i), set()).add(v)
    withheld_types = [
        (t, i) for t, row in published_types.items() for i, v in enumerate(row) if v is None
    ]
    withheld_cohorts = [
        (str(c), i)
        for c, _, _ in cohorts
        for i, v in enumerate(headline_cells(headline, str(c)).values())
        if v is None
    ]
    assert withheld_cohorts  # guard: the test sees withheld cells
    for cell in withheld_types + withheld_cohorts:
        assert len(values[cell]) >= 2, f"withheld {cell} can only be {values[cell]}"


def test_unanticipated_withheld_cells_cannot_be_recomputed(small):
    _, _, tables = small
    frame = tables.unanticipated_outcomes
    rows = {(r["cohort"], r["domain"], r["review"]): r for r in frame.iter_rows(named=True)}
    for (_, domain, review), total in ((k, r) for k, r in rows.items() if k[0] == "all"):
        options = {}
        for cohort, _, size in SMALL_COHORTS:
            published = rows.get((str(cohort), domain, review))
            if published is None:  # no row: none
                options[str(cohort)] = [(0, 0)]
            elif published["outcomes_n"] is not None:
                options[str(cohort)] = [(published["outcomes_n"], published["participants_n"])]
            else:
                options[str(cohort)] = [
                    (outcomes, people)
                    for people in range(size + 1)
                    for outcomes in range(total["outcomes_n"] + 1)
                    if (outcomes >= people) and (outcomes > 0) == (people > 0)
                ]
        fixed = {}
        if total["outcomes_n"] is not None:
            fixed = {0: total["outcomes_n"], 1: total["participants_n"]}
        cells, _ = attack(options, fixed)
        for (cohort, _), values in cells.items():
            shown = rows.get((cohort, domain, review))
            if shown is not None and shown["outcomes_n"] is None:
                assert len(values) >= 2, f"{cohort} {domain} {review}: only {values}"


def test_survey_sections_by_cohort_withheld_cells_cannot_be_recomputed():
    """The worst case: one item per section, answered by every respondent, so a cohort's
    average is its top-box count over its respondents; the brief publishes the item's
    total. A published cohort's count is known up to its rounding."""
    respondents = {1: 3, 2: 6, 3: 7}  # cohort 1 is below k
    top_box = {1: 2, 2: 4, 3: 7}
    survey = {(c, "security"): (n, [(top_box[c], n)]) for c, n in respondents.items()}
    built = marts(IDREAM, [Person(1, "individual") for _ in range(5)], survey)
    table = further.survey_sections_by_cohort(
        built.further.survey_sections_by_cohort,
        built.further.survey_item_counts_by_cohort,
        further.survey_sections_withheld(built.further.survey_sections_by_cohort, K),
    )
    published = {int(r["cohort"]): r["top_box_pct"] for r in table.iter_rows(named=True)}
    assert published[1] is None
    options = {
        c: [
            (t,)
            for t in range(n + 1)
            if published[c] is None or percent_half_up(Fraction(t, n)) == published[c]
        ]
        for c, n in respondents.items()
    }
    cells, _ = attack(options, {0: sum(top_box.values())})
    for (cohort, _), values in cells.items():
        if published[cohort] is None:
            assert len(values) >= 2, f"cohort {cohort} can only be {values}"


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(st.integers(min_value=1, max_value=3), min_size=2, max_size=3),
    st.integers(min_value=2, max_value=4),
    st.integers(min_value=0, max_value=10_000),
)
def test_no_marker_figure_withheld_can_be_recomputed_on_any_small_programme(sizes, k, seed):
    """The method above on random programmes of two or three cohorts of one to three."""
    cohorts = tuple((number, "person", size) for number, size in enumerate(sizes, start=1))
    built = marts(SMALL, small_people(seed, cohorts))
    result = further.published(built.domain_rates, built.further, built.cohort_sizes, SMALL, k)
    headline = brief.success_markers_by_domain(built.domain_rates, SMALL, result.headline)
    tables = result.further
    check_marker_table(
        tables.marker_levels, headline, cohorts, LEVEL_COLUMNS, levels_rows, none_position
    )
    check_marker_table(
        tables.marker_progress,
        headline,
        cohorts,
        PROGRESS_COLUMNS,
        progress_rows,
        last_review_position,
    )


@pytest.fixture(scope="module")
def small_published(tmp_path_factory):
    """The small programme's whole brief, the further analysis included, as files."""
    _, headline, tables = small_programme(SMALL_COHORTS)
    item_rates, answer_counts = survey_marts(SMALL, ITEMS)
    sections = pl.DataFrame(
        {"section": ["security", "connection"], "section_order": [1, 2], "items": [2, 1]}
    ).with_columns(respondents=pl.lit(9))
    brief_tables = brief.BriefTables(
        success_markers=headline,
        survey_sections=brief.survey_sections(item_rates, sections),
        survey_items=brief.survey_items(item_rates, answer_counts, SMALL),
        respondents=9,
        surveyed_cohorts=[1],
        definition=SMALL,
        participant_types=("person", "group"),
        min_cell_size=K,
        further=tables,
    )
    provenance = Provenance("run-1", "2026-01-01T00:00:00Z", "0.1.0", "c0de", (), ())
    quality = QualityStatus(passed=True, suites_run=1, expectations=1, warnings=())
    out = tmp_path_factory.mktemp("small_brief")
    publishing.write_brief(brief_tables, out, provenance, quality)
    return out, tables


def test_further_csvs_read_suppressed_where_the_parquet_holds_null_and_a_flag(small_published):
    out, tables = small_published
    for stem, frame in tables.frames().items():
        csv = pl.read_csv(out / f"{stem}.csv", infer_schema=False)
        parquet = pl.read_parquet(out / f"{stem}.parquet")
        assert parquet.schema == frame.schema, stem
        flags = [c for c in parquet.columns if c.endswith("_suppressed")]
        assert csv.columns == [c for c in parquet.columns if c not in flags], stem
        withheld = brief.suppressed_cells(parquet)
        for flag in flags:
            for column in withheld[flag]:
                hidden = parquet[flag].to_list()
                shown = csv[column].to_list()
                assert all(
                    (value == "suppressed") == bool(flag_set)
                    for value, flag_set in zip(shown, hidden, strict=True)
                ), (stem, column)
                assert all(v is None for v, f in zip(parquet[column], hidden, strict=True) if f), (
                    stem,
                    column,
                )
    levels = pl.read_csv(out / "marker_levels.csv", infer_schema=False)
    cohort_1 = levels.filter(pl.col("cohort") == "1").row(0, named=True)
    assert cohort_1["participants"] == "3"  # denominators are published
    assert cohort_1["highest_none_n"] == "suppressed"
    assert not any(c.endswith("_suppressed") for c in levels.columns)


def test_further_section_withholds_the_same_cells_in_page_workbook_and_markdown(small_published):
    out, tables = small_published
    page = (out / "brief.html").read_text(encoding="utf-8")
    section = page[
        page.index('<section id="further-analysis">') : page.index('<section id="methods">')
    ]
    assert "<h2>Further analysis</h2>" in section
    assert '<span class="suppressed">suppressed</span>' in section
    # Every domain's all-cohort levels are withheld: no bar can be drawn, so no chart.
    assert "chart-highest-levels" not in section
    assert not (out / "highest_levels.svg").exists()
    markdown = (out / "brief.md").read_text(encoding="utf-8")
    further_md = markdown[markdown.index("## Further analysis") : markdown.index("## Methods")]
    assert "withheld to protect small groups" in further_md
    assert f"Cells withheld in these tables: {tables.suppressed_count()}." in further_md
    with zipfile.ZipFile(out / "brief.xlsx") as workbook:
        names = workbook.read("xl/workbook.xml").decode("utf-8")
    assert 'name="Marker levels"' in names and 'name="Unanticipated outcomes"' in names
    record = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert {f"{stem}.csv" for stem in tables.frames()} <= set(record["outputs"])
