"""The sample programme's shape at a scale factor, for benchmarks and scale tests.

x1 is the shipped sample itself, byte for byte (`sample_programme.generate`). At xN the
programme has N times the sample's rows in every input: 4c cohorts of 10s participants
(c * s = N, c the largest divisor of N not above its square root, so x100 is 40 cohorts of
100 and x1000 100 cohorts of 400), one success-marker workbook per cohort, and about 35N
survey responses in exports that rotate through the sample's three formats (a staff
workbook with Excel dates, a KoboToolbox CSV with a duplicate submission, a plain CSV),
split into files of at most `rows_per_export` responses, never more than one Excel sheet
holds. A survey-heavy programme (`survey_responses`, the bench's "survey" scale) keeps the
roster and markers of `scale` and holds that many survey responses, spread over the surveyed
cohorts in the same proportions, in CSV exports only (plain and KoboToolbox, in turn), as a
large survey arrives from the tools. Labels carry the same variant spellings as the sample,
and `programme.toml` states the cohort sizes and distinct respondents the files hold, so the
output passes every check.

The figures are not steered to the brief's: a scale test computes them from the files.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from pathlib import Path

from orchestration import sample_programme as sample
from orchestration.lib.workbooks import EXCEL_MAX_DATA_ROWS, write_csv, write_workbook

SEED = 20250101
DEFAULT_ROWS_PER_EXPORT = 50_000
# A survey-heavy programme's exports: ten files for a million responses.
HEAVY_ROWS_PER_EXPORT = 100_000
# Of every four cohorts, as in the sample: the first ran no survey, the third's organisations
# sent several respondents each. Respondents per participant, by cohort number mod 4.
RESPONDENTS_PER_PARTICIPANT = {1: 0.0, 2: 0.9, 3: 1.6, 0: 1.0}
# A participant who achieved nothing in a domain set no outcome there this often.
NO_OUTCOME_SHARE = 0.3
ACHIEVED_SHARE = 0.9
EXPORT_FORMATS = ("xlsx", "kobo_csv", "csv")


def shape(scale: int) -> tuple[int, int]:
    """(cohorts, participants per cohort) at `scale`: the sample's 4 x 10, times `scale`."""
    if scale < 1:
        raise ValueError(f"scale must be a whole number of 1 or more, not {scale}")
    groups = max(d for d in range(1, math.isqrt(scale) + 1) if scale % d == 0)
    return 4 * groups, 10 * (scale // groups)


def generate(
    out_dir: Path,
    scale: int,
    seed: int = SEED,
    rows_per_export: int = DEFAULT_ROWS_PER_EXPORT,
    survey_responses: int | None = None,
) -> list[Path]:
    """Write the programme at `scale` under `out_dir`; returns the files written.
    `survey_responses`: a survey-heavy programme of that many responses (module docstring)."""
    if scale == 1 and survey_responses is None:
        return sample.generate(out_dir)
    if not 1 <= rows_per_export <= EXCEL_MAX_DATA_ROWS:
        raise ValueError(f"rows_per_export must be 1..{EXCEL_MAX_DATA_ROWS}")
    rng = random.Random(seed)
    cohorts, size = shape(scale)
    roster = _roster(rng, cohorts, size)
    written = [_write_roster(out_dir, roster)]
    for cohort in range(1, cohorts + 1):
        written.append(_write_markers(out_dir, rng, cohort, size))
    written.append(sample._write_codebook(out_dir))
    respondents = {
        cohort: round(size * RESPONDENTS_PER_PARTICIPANT[cohort % 4])
        for cohort in range(1, cohorts + 1)
        if RESPONDENTS_PER_PARTICIPANT[cohort % 4]
    }
    formats = EXPORT_FORMATS
    if survey_responses is not None:
        respondents = spread(survey_responses, respondents)
        formats, rows_per_export = ("csv", "kobo_csv"), HEAVY_ROWS_PER_EXPORT
    written += _write_survey(out_dir, rng, respondents, rows_per_export, formats)
    # Distinct responses: a Kobo file's earlier duplicate submission is not a respondent.
    sizes = dict.fromkeys(range(1, cohorts + 1), size)
    written.append(sample.write_programme_settings(out_dir, sizes, respondents))
    return written


def spread(total: int, weights: dict[int, int]) -> dict[int, int]:
    """`total` split over the cohorts of `weights` in proportion, adding up exactly (largest
    remainders get the leftover ones)."""
    if total < 1:
        raise ValueError(f"survey_responses must be 1 or more, not {total}")
    whole = sum(weights.values())
    shares = {cohort: total * weight / whole for cohort, weight in weights.items()}
    counts = {cohort: math.floor(share) for cohort, share in shares.items()}
    leftover = total - sum(counts.values())
    for cohort in sorted(shares, key=lambda c: counts[c] - shares[c])[:leftover]:
        counts[cohort] += 1
    return {cohort: count for cohort, count in counts.items() if count}


def cohort_kind(cohort: int) -> str:
    return "organization" if cohort % 2 else "individual"


def _roster(rng: random.Random, cohorts: int, size: int) -> list[tuple]:
    rows = []
    for cohort in range(1, cohorts + 1):
        kind = cohort_kind(cohort)
        for number in range(1, size + 1):
            index = len(rows)
            if kind == "organization":
                name = f"{rng.choice(sample.ORG_WORDS)} {rng.choice(sample.ORG_WORDS)} Collective"
            else:
                name = f"{rng.choice(sample.FIRST_NAMES)} {rng.choice(sample.LAST_NAMES)}"
            rows.append(
                (
                    sample.participant_id(cohort, number),
                    name,
                    f"{name.split()[0].lower()}.{cohort}-{number}@example.org",
                    sample.COHORT_SPELLINGS[index % 4].format(n=cohort),
                    sample.TYPE_SPELLINGS[kind][index % 4],
                    rng.choice(sample.COUNTRIES),
                    f"+995 555 {index:07d}",
                )
            )
    return rows


def _write_roster(out_dir: Path, rows: list[tuple]) -> Path:
    header = sample.ROSTER_HEADER
    path = out_dir / "participants.xlsx"
    write_workbook(path, {"participants": (header, rows)}, streamed=True)
    return path


def _write_markers(out_dir: Path, rng: random.Random, cohort: int, size: int) -> Path:
    rows = []
    for number in range(1, size + 1):
        pid = sample.participant_id(cohort, number)
        for domain in sample.DOMAINS:
            achieved = rng.random() < ACHIEVED_SHARE
            if not achieved and rng.random() < NO_OUTCOME_SHARE:
                continue  # no outcome in this domain: still in the denominator
            rows += sample._outcome_rows(rng, pid, domain, achieved)
    sheets = {"markers": (sample.MARKERS_HEADER, rows)}
    if cohort % 2 == 0:
        unanticipated = []
        for index in range(max(1, size // 8)):
            domain = rng.choice((*sample.DOMAINS, None))
            unanticipated.append(
                (
                    sample.participant_id(cohort, rng.randint(1, size)),
                    sample._spell(rng, sample.DOMAIN_SPELLINGS[domain]) if domain else None,
                    rng.choice(("midpoint", "final", "Final")),
                    f"Unplanned result {index} in cohort {cohort}",
                )
            )
        sheets["unanticipated"] = (
            ("participant_id", "domain", "review", "description"),
            unanticipated,
        )
    path = out_dir / "success_markers" / f"cohort_{cohort}_markers.xlsx"
    write_workbook(path, sheets, streamed=True)
    return path


def _write_survey(
    out_dir: Path,
    rng: random.Random,
    respondents: dict[int, int],
    rows_per_export: int,
    formats: tuple[str, ...] = EXPORT_FORMATS,
) -> list[Path]:
    items = sample._item_ids()
    item_ids = [item_id for item_id, *_ in items]
    scales = [scale for *_, scale in items]
    written = []
    for turn, (cohort, count) in enumerate(respondents.items()):
        kind = formats[turn % len(formats)]
        started = datetime(2022, 6, 1, 9, 0, 0) + timedelta(days=7 * cohort)
        responses = [
            (
                f"{rng.getrandbits(48):012x}-{cohort}-{index}",
                started + timedelta(minutes=index * 7 + rng.randint(0, 5)),
                [_answer(rng, scale) for scale in scales],
            )
            for index in range(count)
        ]
        for part, start in enumerate(range(0, count, rows_per_export), start=1):
            chunk = responses[start : start + rows_per_export]
            stem = f"cohort_{cohort}_part_{part}"
            write = {"xlsx": _write_staff_xlsx, "kobo_csv": _write_kobo, "csv": _write_plain}[kind]
            written.append(write(out_dir, rng, stem, cohort, chunk, item_ids, scales))
    return written


def _answer(rng: random.Random, scale: str) -> str | None:
    value = sample._draw_answer(rng)
    return sample._answer_label(rng, value, scale)


def _write_staff_xlsx(out_dir, rng, stem, cohort, chunk, item_ids, scales) -> Path:
    header = ("Response ID", "Submitted at", "Cohort", *[i.upper() for i in item_ids], "Comments")
    rows = (
        (
            response_id,
            submitted,
            sample.COHORT_SPELLINGS[n % 4].format(n=cohort),
            *answers,
            "Thank you to the trainers" if n % 3 == 0 else None,
        )
        for n, (response_id, submitted, answers) in enumerate(chunk)
    )
    path = out_dir / "survey" / f"{stem}_survey.xlsx"
    write_workbook(path, {"responses": (header, rows)}, streamed=True)
    return path


def _write_kobo(out_dir, rng, stem, cohort, chunk, item_ids, scales) -> Path:
    """A Kobo export in which the first respondent also submitted an earlier attempt."""
    header = sample.kobo_header(item_ids)
    first_id, first_time, _ = chunk[0]
    earlier = (first_id, first_time - timedelta(hours=2), [_answer(rng, s) for s in scales])
    rows = []
    for n, (response_id, submitted, answers) in enumerate([earlier, *chunk]):
        rows.append(
            (
                (submitted - timedelta(minutes=25)).isoformat(),
                (submitted - timedelta(minutes=2)).isoformat(),
                f"collect:{rng.getrandbits(40):010x}",
                f"enumerator{n % 3}",
                f"C{cohort}",
                *answers,
                41000 + n,
                response_id,
                submitted.isoformat(),
                n + 1,
                "submitted_via_web",
                "idream_me",
            )
        )
    path = out_dir / "survey" / f"{stem}_kobo_export.csv"
    write_csv(path, header, rows, separator=";", bom=True)
    return path


def _write_plain(out_dir, rng, stem, cohort, chunk, item_ids, scales) -> Path:
    header = ("response_id", "submitted_at", "cohort", *item_ids)
    rows = [
        (response_id, submitted.isoformat() + "+03:00", str(cohort), *answers)
        for response_id, submitted, answers in chunk
    ]
    path = out_dir / "survey" / f"{stem}_survey.csv"
    write_csv(path, header, rows)
    return path
