"""The shipped sample programme: a deterministic, realistic stand-in for IDREAM's raw files.

The figures it encodes are the published brief's: who achieved a marker in which domain,
35 survey respondents, and section averages of 88%, 89% and 82%. Everything else (names,
labels, statuses, answers) is drawn from a fixed seed, with the mess the contract allows.
Run `idream generate-sample --out raw` to regenerate `raw/` byte for byte.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

from orchestration.lib.workbooks import write_csv, write_workbook

SEED = 20240630
COHORT_TYPES = {1: "organization", 2: "individual", 3: "organization", 4: "individual"}
COHORT_SIZE = 10
DOMAINS = ("resilience", "advocacy", "integrated_security")
# Participants per cohort who achieved 1+ marker in each domain: the brief's table.
ACHIEVERS = {
    1: {"resilience": 10, "advocacy": 9, "integrated_security": 8},
    2: {"resilience": 10, "advocacy": 8, "integrated_security": 8},
    3: {"resilience": 9, "advocacy": 10, "integrated_security": 9},
    4: {"resilience": 10, "advocacy": 9, "integrated_security": 9},
}
# Cohort 1 had no survey; cohort 3's organisations sent several respondents each.
RESPONDENTS = {2: 9, 3: 16, 4: 10}
# Section -> (item prefix, items, scale, target average top-2 rate in whole percent).
SECTIONS = {
    "security": ("sec", 10, "confidence", 88),
    "advocacy": ("adv", 8, "confidence", 89),
    "connection": ("con", 9, "agreement", 82),
}

COHORT_SPELLINGS = ("{n}", "Cohort {n}", "C{n}", " cohort {n} ")
TYPE_SPELLINGS = {
    "organization": ("Organization", "Organisation", "org", "ORGANIZATION"),
    "individual": ("Individual", "individual", "ind", "Individual "),
}
DOMAIN_SPELLINGS = {
    "resilience": ("Resilience", "Psychosocial Resilience", "resilience"),
    "advocacy": ("Advocacy", "Effective Advocacy", "advocacy "),
    "integrated_security": ("Integrated Security", "Security", "integrated  security"),
}
LEVEL_SPELLINGS = {
    "realistic": ("Realistic", "realistic"),
    "ambitious": ("Ambitious", "ambitious "),
    "very_ambitious": ("Very ambitious", "Very Ambitious", "very-ambitious"),
}
STATUS_SPELLINGS = {
    "achieved": ("Achieved", "achieved", "Yes", "ACHIEVED "),
    "partially_achieved": ("Partially achieved", "partially  achieved"),
    "not_achieved": ("Not achieved", "No", "not achieved"),
}
ANSWER_SPELLINGS = {
    "confidence": (
        ("Much less confident",),
        ("Less confident", "less confident"),
        ("About the same", "about the same "),
        ("More confident", "more confident", "More  confident"),
        ("Much more confident", "much more confident", "MUCH MORE CONFIDENT"),
    ),
    "agreement": (
        ("Strongly disagree",),
        ("Disagree", "disagree"),
        ("Neither agree nor disagree", "Neither agree nor disagree "),
        ("Agree", "agree", "AGREE"),
        ("Strongly agree", "strongly agree", "Strongly  Agree"),
    ),
}
NOT_APPLICABLE = ("Not applicable", "N/A", "Don't know", "Don\u2019t know")

FIRST_NAMES = (
    "Amina",
    "Bakhyt",
    "Chen",
    "Dilnoza",
    "Esteban",
    "Farida",
    "Gulnara",
    "Hamid",
    "Ines",
    "Jamal",
    "Karima",
    "Lev",
    "Mariam",
    "Nodir",
    "Olga",
    "Pavel",
    "Rasha",
    "Samir",
    "Tamara",
    "Umid",
    "Vera",
    "Walid",
    "Yulia",
    "Zainab",
)
LAST_NAMES = (
    "Abdullaeva",
    "Barzani",
    "Castillo",
    "Dzhaksybekov",
    "Ebadi",
    "Fayez",
    "Gomez",
    "Haddad",
    "Ismailova",
    "Jafari",
    "Karimov",
    "Lopez",
    "Mansour",
    "Nazarova",
    "Orlova",
    "Petrov",
    "Qasim",
    "Rahimi",
    "Safarov",
    "Tursunova",
)
ORG_WORDS = (
    "Rights",
    "Justice",
    "Voices",
    "Freedom",
    "Dignity",
    "Memory",
    "Solidarity",
    "Truth",
    "Shelter",
    "Defenders",
)
COUNTRIES = (
    "Georgia",
    "Lithuania",
    "Germany",
    "Kenya",
    "Mexico",
    "Armenia",
    "Poland",
    "Turkey",
    "Canada",
    "Netherlands",
)
STATEMENTS = {
    "security": (
        "Assess the physical risks of my work",
        "Protect my devices and accounts",
        "Communicate securely with partners",
        "Plan for a security incident",
        "Recognise signs of surveillance",
        "Keep sensitive documents safe",
        "Respond to online harassment",
        "Travel more safely",
        "Support colleagues after an incident",
        "Update a security plan",
    ),
    "advocacy": (
        "Set a clear advocacy objective",
        "Map decision makers and allies",
        "Build a coalition",
        "Craft a message for a target audience",
        "Use international mechanisms",
        "Engage the media safely",
        "Monitor the results of a campaign",
        "Adapt a strategy when things change",
    ),
    "connection": (
        "I feel connected to other IDREAM participants",
        "I can ask other participants for advice",
        "I have shared resources with other participants",
        "I feel less alone in my work",
        "Other participants understand my situation",
        "I plan to stay in touch with other participants",
        "I have collaborated with another participant",
        "My connections help me cope with stress",
        "The cohort is a source of strength for me",
    ),
}
UNANTICIPATED = (
    (2, 3, "advocacy", "final"),
    (2, 7, None, "midpoint"),
    (3, 1, "integrated_security", "final"),
    (3, 5, "resilience", "midpoint"),
    (3, 9, None, "final"),
)


def generate(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write the sample programme under `out_dir`; returns the files written."""
    rng = random.Random(seed)
    roster = _roster(rng)
    written = [_write_roster(out_dir, roster)]
    for cohort in COHORT_TYPES:
        written.append(_write_markers(out_dir, rng, cohort, roster))
    written.append(_write_codebook(out_dir))
    written += _write_survey(out_dir, rng)
    sizes = dict.fromkeys(COHORT_TYPES, COHORT_SIZE)
    written.append(write_programme_settings(out_dir, sizes, RESPONDENTS))
    lock_file = out_dir / "success_markers" / "~$cohort_1_markers.xlsx"
    # Excel leaves a lock file beside an open workbook; the pipeline must ignore it.
    lock_file.write_bytes(b"\x0eIDREAM M&E" + b"\x00" * 40)
    written.append(lock_file)
    return written


def write_programme_settings(
    out_dir: Path, sizes: dict[int, int], respondents: dict[int, int]
) -> Path:
    """programme.toml: the programme's id, cohort sizes and distinct survey respondents,
    and the policy. The definition is IDREAM's (contract v1's), so none is stated."""
    lines = [
        "# IDREAM's definition is the contract's default: only its id is stated, so that the",
        "# programme keeps its name whatever folder it is copied to (the id otherwise",
        "# defaults to the folder's name).",
        "[programme]",
        'id = "idream"',
        "",
        "# What the monitoring team states independently of the data files; the data-quality",
        "# checks compare the roster and the survey exports with it.",
        "[cohort_sizes]",
        *(f'"{cohort}" = {size}' for cohort, size in sizes.items()),
        "",
        "[survey_respondents]",
        *(f'"{cohort}" = {count}' for cohort, count in respondents.items()),
        "",
        "# The programme's data-protection policy, stated in the brief's methods note.",
        "[disclosure]",
        "# A published rate over fewer participants or respondents than this is withheld.",
        "min_cell_size = 5",
        "",
        "[retention]",
        "# Free text (outcome statements, marker texts) is not stored unless this is true;",
        "# when it is, it lands only in the warehouse's `restricted` schema.",
        "keep_free_text = false",
    ]
    path = out_dir / "programme.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# A success-marker workbook's `markers` sheet, headers spelled as the staff spell them.
MARKERS_HEADER = (
    "participant_id",
    "Domain",
    "Outcome No",
    "Outcome",
    "Level",
    "Marker",
    "Midpoint status",
    "Final status",
)
# The roster as the programme's staff keep it: the contract's columns and personal data.
ROSTER_HEADER = (
    "Participant ID",
    "Name",
    "Email",
    "Cohort",
    "Participant type",
    "Country of exile",
    "Phone",
)


def kobo_header(item_ids: list[str]) -> tuple[str, ...]:
    """A KoboToolbox export's columns: its metadata around the form's own questions."""
    return (
        "start",
        "end",
        "deviceid",
        "username",
        "cohort",
        *item_ids,
        "_id",
        "_uuid",
        "_submission_time",
        "_index",
        "_status",
        "_submitted_by",
    )


def participant_id(cohort: int, number: int) -> str:
    return f"C{cohort}-{number:02d}"


def _roster(rng: random.Random) -> list[dict]:
    people = []
    for cohort, kind in COHORT_TYPES.items():
        for number in range(1, COHORT_SIZE + 1):
            if kind == "organization":
                name = f"{rng.choice(ORG_WORDS)} {rng.choice(ORG_WORDS)} Collective"
            else:
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            people.append(
                {
                    "participant_id": participant_id(cohort, number),
                    "cohort": cohort,
                    "kind": kind,
                    "name": name,
                    "email": f"{name.split()[0].lower()}.{cohort}{number:02d}@example.org",
                    "country": rng.choice(COUNTRIES),
                }
            )
    return people


def _write_roster(out_dir: Path, roster: list[dict]) -> Path:
    header = ROSTER_HEADER
    rows = [
        (
            person["participant_id"],
            person["name"],
            person["email"],
            COHORT_SPELLINGS[index % 4].format(n=person["cohort"]),
            TYPE_SPELLINGS[person["kind"]][index % 4],
            person["country"],
            f"+995 555 {index:04d}",
        )
        for index, person in enumerate(roster)
    ]
    path = out_dir / "participants.xlsx"
    write_workbook(path, {"participants": (header, rows)})
    return path


def _achievement_plan(rng: random.Random, cohort: int) -> dict[str, set[int]]:
    """For each domain, the participant numbers who achieve at least one marker."""
    numbers = list(range(1, COHORT_SIZE + 1))
    return {domain: set(rng.sample(numbers, ACHIEVERS[cohort][domain])) for domain in DOMAINS}


def _write_markers(out_dir: Path, rng: random.Random, cohort: int, roster: list[dict]) -> Path:
    plan = _achievement_plan(rng, cohort)
    rows = []
    skipped_domain = False
    for number in range(1, COHORT_SIZE + 1):
        pid = participant_id(cohort, number)
        for domain in DOMAINS:
            achieved = number in plan[domain]
            if not achieved and not skipped_domain:
                # The first non-achiever of each cohort set no outcome in that domain:
                # still in the denominator, counted as not achieved.
                skipped_domain = True
                continue
            rows += _outcome_rows(rng, pid, domain, achieved)
    sheets = {"markers": (MARKERS_HEADER, rows)}
    unanticipated = [
        (
            participant_id(cohort, number),
            _spell(rng, DOMAIN_SPELLINGS[domain]) if domain else None,
            review,
            f"Unplanned result {index} reported by {participant_id(cohort, number)}",
        )
        for index, (c, number, domain, review) in enumerate(UNANTICIPATED)
        if c == cohort
    ]
    if unanticipated:
        sheets["unanticipated"] = (
            ("participant_id", "domain", "review", "description"),
            unanticipated,
        )
    path = out_dir / "success_markers" / f"cohort_{cohort}_markers.xlsx"
    write_workbook(path, sheets)
    return path


def _outcome_rows(rng: random.Random, pid: str, domain: str, achieved: bool) -> list[tuple]:
    outcomes = rng.randint(1, 3)
    statuses = {
        (outcome, level): _unachieved_statuses(rng)
        for outcome in range(1, outcomes + 1)
        for level in LEVEL_SPELLINGS
    }
    if achieved:
        winners = [(rng.randint(1, outcomes), rng.choice(("realistic", "realistic", "ambitious")))]
        if rng.random() < 0.5:
            winners.append((rng.randint(1, outcomes), rng.choice(tuple(LEVEL_SPELLINGS))))
        for winner in winners:
            statuses[winner] = _achieved_statuses(rng)
    rows = []
    for outcome in range(1, outcomes + 1):
        statement = f"Outcome {outcome} of {pid} in {domain}: a goal in their own words"
        for level, spellings in LEVEL_SPELLINGS.items():
            midpoint, final = statuses[(outcome, level)]
            rows.append(
                (
                    pid,
                    _spell(rng, DOMAIN_SPELLINGS[domain]),
                    outcome,
                    statement,
                    _spell(rng, spellings),
                    f"{level} marker for {statement}",
                    _status(rng, midpoint),
                    _status(rng, final),
                )
            )
    return rows


def _achieved_statuses(rng: random.Random) -> tuple[str | None, str | None]:
    pattern = rng.random()
    if pattern < 0.2:
        # Achieved at the mid-point only: the final review lost ground or did not happen.
        return "achieved", rng.choice(("partially_achieved", None))
    if pattern < 0.6:
        return rng.choice(("partially_achieved", None)), "achieved"
    return "achieved", "achieved"


def _unachieved_statuses(rng: random.Random) -> tuple[str | None, str | None]:
    choices = ("partially_achieved", "not_achieved", None)
    return rng.choice(choices), rng.choice(choices)


def _status(rng: random.Random, status: str | None) -> str | None:
    return None if status is None else _spell(rng, STATUS_SPELLINGS[status])


def _spell(rng: random.Random, spellings: tuple[str, ...]) -> str:
    return rng.choice(spellings)


def _item_ids() -> list[tuple[str, str, str, str]]:
    """(item_id, section, statement, scale) in codebook order."""
    items = []
    for section, (prefix, count, scale, _) in SECTIONS.items():
        for number in range(1, count + 1):
            items.append(
                (f"{prefix}_{number:02d}", section, STATEMENTS[section][number - 1], scale)
            )
    return items


def _write_codebook(out_dir: Path) -> Path:
    path = out_dir / "survey" / "codebook.xlsx"
    write_workbook(path, {"items": (("item_id", "section", "statement", "scale"), _item_ids())})
    return path


def _write_survey(out_dir: Path, rng: random.Random) -> list[Path]:
    items = _item_ids()
    responses = []
    started = datetime(2022, 6, 1, 9, 0, 0)
    for cohort, count in RESPONDENTS.items():
        for index in range(count):
            submitted = started + timedelta(
                days=365 * (cohort - 2), hours=index * 5 + rng.randint(0, 4)
            )
            answers = {item_id: _draw_answer(rng) for item_id, *_ in items}
            responses.append(
                {
                    "cohort": cohort,
                    "submitted_at": submitted,
                    "answers": answers,
                    "response_id": f"{rng.getrandbits(64):016x}-{cohort}{index:02d}",
                }
            )
    for section, (_, _, _, target) in SECTIONS.items():
        section_items = [item_id for item_id, item_section, *_ in items if item_section == section]
        _steer_section(rng, responses, section_items, target)
    return _write_survey_files(out_dir, rng, responses, items)


def _draw_answer(rng: random.Random) -> int | str | None:
    """A scale position 1..5, 'na' or None (skipped), skewed high as the brief reports."""
    roll = rng.random()
    if roll < 0.03:
        return None
    if roll < 0.07:
        return "na"
    return rng.choices((1, 2, 3, 4, 5), weights=(1, 2, 9, 40, 48))[0]


def _section_mean(responses: list[dict], section_items: list[str]) -> Fraction:
    rates = []
    for item_id in section_items:
        valid = [r["answers"][item_id] for r in responses if isinstance(r["answers"][item_id], int)]
        rates.append(Fraction(sum(1 for value in valid if value >= 4), len(valid)))
    return sum(rates, Fraction(0)) / len(rates)


def _steer_section(
    rng: random.Random, responses: list[dict], section_items: list[str], target: int
) -> None:
    """Move single answers up or down the scale until the section mean sits near `target`%."""
    low, high = Fraction(target * 4 - 1, 400), Fraction(target * 4 + 1, 400)
    while not low <= _section_mean(responses, section_items) <= high:
        too_low = _section_mean(responses, section_items) < low
        response = rng.choice(responses)
        item_id = rng.choice(section_items)
        value = response["answers"][item_id]
        if not isinstance(value, int):
            continue
        if too_low and value <= 3:
            response["answers"][item_id] = rng.choice((4, 5))
        elif not too_low and value >= 4:
            response["answers"][item_id] = rng.choice((2, 3, 3))


def _answer_label(rng: random.Random, value: int | str | None, scale: str) -> str | None:
    if value is None:
        return None
    if value == "na":
        return rng.choice(NOT_APPLICABLE)
    return rng.choice(ANSWER_SPELLINGS[scale][value - 1])


def _write_survey_files(
    out_dir: Path, rng: random.Random, responses: list[dict], items: list
) -> list[Path]:
    item_ids = [item_id for item_id, *_ in items]
    scales = {item_id: scale for item_id, _, _, scale in items}

    def labels(response: dict) -> list[str | None]:
        return [
            _answer_label(rng, response["answers"][item_id], scales[item_id])
            for item_id in item_ids
        ]

    by_cohort = {cohort: [r for r in responses if r["cohort"] == cohort] for cohort in RESPONDENTS}
    written = []

    # Cohort 2: a workbook typed up by staff, with Excel dates and a free-text comment column.
    path = out_dir / "survey" / "cohort_2_survey.xlsx"
    header = ("Response ID", "Submitted at", "Cohort", *[i.upper() for i in item_ids], "Comments")
    rows = [
        (
            r["response_id"],
            r["submitted_at"],
            COHORT_SPELLINGS[n % 4].format(n=2),
            *labels(r),
            "Thank you to the trainers" if n % 3 == 0 else None,
        )
        for n, r in enumerate(by_cohort[2])
    ]
    write_workbook(path, {"responses": (header, rows)})
    written.append(path)

    # Cohort 3: a KoboToolbox export (';', byte-order mark, device metadata) in which one
    # respondent submitted twice; the first, earlier attempt must be discarded.
    path = out_dir / "survey" / "cohort_3_kobo_export.csv"
    header = kobo_header(item_ids)
    kobo_rows = []
    first_attempt = dict(by_cohort[3][4])
    first_attempt["answers"] = {item_id: rng.choice((1, 2, 3)) for item_id in item_ids}
    first_attempt["submitted_at"] = by_cohort[3][4]["submitted_at"] - timedelta(hours=2)
    for n, r in enumerate([*by_cohort[3][:4], first_attempt, *by_cohort[3][4:]]):
        submitted = r["submitted_at"]
        kobo_rows.append(
            (
                (submitted - timedelta(minutes=25)).isoformat(),
                (submitted - timedelta(minutes=2)).isoformat(),
                f"collect:{rng.getrandbits(40):010x}",
                f"enumerator{n % 3}",
                "C3",
                *labels(r),
                41000 + n,
                r["response_id"],
                submitted.isoformat(),
                n + 1,
                "submitted_via_web",
                "idream_me",
            )
        )
    write_csv(path, header, kobo_rows, separator=";", bom=True)
    written.append(path)

    # Cohort 4: a plain CSV export with ISO times carrying an offset.
    path = out_dir / "survey" / "cohort_4_survey.csv"
    header = ("response_id", "submitted_at", "cohort", *item_ids)
    rows = [
        (r["response_id"], r["submitted_at"].isoformat() + "+03:00", "4", *labels(r))
        for r in by_cohort[4]
    ]
    write_csv(path, header, rows)
    written.append(path)
    return written
